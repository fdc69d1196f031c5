"""Open the course for a learner: bring the workbook up to date, then start JupyterLab on it.

    python tools/lab.py                      # what `make lab` runs (any option is passed to JupyterLab)
    python tools/lab.py --no-browser --port=8890
    python tools/lab.py --install-kernel-extension   # only step 1 (make does it after installing)

1. The course's kernel extension (helpers/kernel.py) is enabled for every kernel of this Python
   environment, in ``<env>/etc/ipython/ipython_kernel_config.py``, which IPython reads when a
   kernel starts: after a kernel restart, a name that the cells above define is explained in one
   line (Run → Run All Above Selected Cell) instead of a NameError traceback, before the Setup
   cell has imported anything.
2. The workbook (``workbook/``, git-ignored) is created, or brought up to date without ever
   overwriting the learner's work (tools/editions.py says what it did).
3. JupyterLab starts on 127.0.0.1 with Jupyter's token login, its file browser rooted at the
   workbook (the notebooks, their docs and README, not the repository's machinery), and its
   address is the workbook's notebook 01 itself: JupyterLab prints it (…/lab/tree/notebooks/
   01_one_weight.ipynb?token=…) and opens it in a browser where one opens.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from editions import FIRST_NOTEBOOK, ROOT, WORKBOOK, StudentEditionError, update_workbook  # noqa: E402

EXTENSION = "helpers.kernel"
KERNEL_CONFIG_MARK = "# backprop course: the kernel extension"
KERNEL_CONFIG = f'''{KERNEL_CONFIG_MARK} (written by tools/lab.py, which `make lab` and `make test` run)
# Every kernel of this environment loads it before any cell runs: after a kernel restart, a name
# the cells above define is explained in one line instead of a NameError traceback.
c.InteractiveShellApp.extensions.append("{EXTENSION}")  # noqa: F821 - traitlets provides c
'''


def kernel_config_path(prefix=None):
    """The IPython kernel configuration of this environment (IPython reads <sys.prefix>/etc/ipython)."""
    return Path(prefix or sys.prefix) / "etc" / "ipython" / "ipython_kernel_config.py"


def install_kernel_extension(prefix=None):
    """Enable the course's kernel extension for this environment's kernels (idempotent; a
    configuration someone else wrote there is kept, the course's lines are appended to it).

    Returns:
        The configuration file's path.
    """
    path = kernel_config_path(prefix)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    if KERNEL_CONFIG_MARK not in existing:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(existing + ("\n" if existing and not existing.endswith("\n") else "") + KERNEL_CONFIG,
                        encoding="utf-8")
    return path


def lab_command(workbook, extra=()):
    """The JupyterLab command line: rooted at the workbook, opening its first notebook."""
    cmd = [sys.executable, "-m", "jupyterlab", "--ip=127.0.0.1", f"--ServerApp.root_dir={workbook}",
           # the address JupyterLab prints and opens is the notebook itself, not the Launcher
           f"--LabApp.default_url=/lab/tree/notebooks/{FIRST_NOTEBOOK}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # JupyterLab refuses root without it; CI runs as root
    return cmd + list(extra)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    install_kernel_extension()
    if argv == ["--install-kernel-extension"]:
        return 0
    workbook = ROOT / WORKBOOK
    try:
        report = update_workbook(workbook)
    except StudentEditionError as exc:
        print(f"make lab: the workbook could not be made: {exc}", file=sys.stderr)
        return 1
    print("\n".join(report.lines(WORKBOOK)))
    print(f"JupyterLab opens your workbook at notebooks/{FIRST_NOTEBOOK}. If no browser opens by itself, "
          f"open the address below that ends in /lab/tree/notebooks/{FIRST_NOTEBOOK}?token=… ; Ctrl-C stops it.",
          flush=True)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels draw inline figures
    cmd = lab_command(workbook, argv)
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # JupyterLab takes over this process (and Ctrl-C)
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
