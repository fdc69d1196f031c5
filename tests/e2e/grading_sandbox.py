"""The sandbox every grading kernel runs in, probed from inside (issue 20).

`make test-classroom` runs it. Each test starts the command nbgrader's kernel manager starts
(``Sandbox.wrap``: the jail launcher, bubblewrap, the kernel's own uid when the grader is root),
with a probe in place of the kernel, and checks from inside and outside that it holds: no
network (not even the grader's loopback), the course, its gradebook and config invisible, the
course's package and site-packages read-only, a private HOME, limits on memory, CPU time,
processes and file size, and nothing left running when the probe exits.
"""

import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest

import helpers
from helpers.classroom.sandbox import Sandbox

MARKER = "backprop-sandbox-probe-marker"


def _run(tmp_path, code, **limits):
    """Run `code` in a sandbox as a kernel would be; (exit status, what it printed)."""
    private, submission = tmp_path / "private", tmp_path / "submission"
    tmp_path.mkdir(parents=True, exist_ok=True)
    private.mkdir(mode=0o700)
    submission.mkdir()
    (submission / "data.txt").write_text("a file beside the notebook")
    sandbox = Sandbox(**limits)
    uid = sandbox.fresh_uid() if os.geteuid() == 0 else None
    command = sandbox.wrap([sys.executable, "-c", textwrap.dedent(code)], private=str(private),
                           submission=str(submission), env={"PROBE": "1"}, uid=uid)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    return done.returncode, (private / "kernel.log").read_text(errors="replace"), uid


@pytest.fixture
def course(tmp_path):
    """A course root with a gradebook, as the grader has it."""
    root = tmp_path / "course"
    root.mkdir()
    (root / "gradebook.db").write_text("grades")
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    return root


def test_no_network_not_even_the_graders_loopback(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    try:
        status, out, _ = _run(tmp_path, f"""
            import socket
            for where in (("127.0.0.1", {port}), ("1.1.1.1", 53)):
                s = socket.socket()
                s.settimeout(3)
                try:
                    s.connect(where); print("CONNECTED", where)
                except OSError as exc:
                    print("refused", where, type(exc).__name__)
            """)
    finally:
        listener.close()
    assert status == 0, out
    assert "CONNECTED" not in out and out.count("refused") == 2


def test_the_course_and_the_graders_files_are_out_of_reach(tmp_path, course):
    import site

    package = Path(helpers.__file__).parent
    status, out, uid = _run(tmp_path, f"""
        import os, pathlib
        print("uid", os.getuid())
        print("course visible", os.path.exists({str(course)!r}))
        for path in ({str(package / 'exercises' / 'nb01.py')!r}, {str(Path(site.getsitepackages()[0]) / 'x.pth')!r},
                     {str(course / 'gradebook.db')!r}, {str(course / 'nbgrader_config.py')!r}, "/etc/x", "/usr/x"):
            try:
                with open(path, "a") as f:
                    f.write("x")
                print("WROTE", path)
            except OSError as exc:
                print("denied", type(exc).__name__)
        home = pathlib.Path(os.environ["HOME"])
        (home / "mine").write_text("ok")
        print("home", sorted(p.name for p in home.iterdir()))
        print("cwd", os.getcwd(), sorted(os.listdir(".")))
        print("env", sorted(k for k in os.environ if k in ("PROBE", "JUPYTERHUB_API_TOKEN", "BACKPROP_GRADING")))
        """)
    assert status == 0, out
    assert "WROTE" not in out and out.count("denied") == 6
    assert "course visible False" in out
    if os.geteuid() == 0:
        assert f"uid {uid}" in out and uid != 0
    assert "cwd /home/learner/submission ['data.txt']" in out
    assert "env ['PROBE']" in out
    assert (course / "gradebook.db").read_text() == "grades"


def test_memory_cpu_processes_and_file_size_are_limited(tmp_path):
    status, out, _ = _run(tmp_path, """
        import os, time
        try:
            block = bytearray(600 * 2**20); print("ALLOCATED")
        except MemoryError:
            print("memory refused")
        children = []
        try:
            for _ in range(64):
                pid = os.fork()
                if pid == 0:
                    time.sleep(30); os._exit(0)
                children.append(pid)
            print("FORKED 64")
        except OSError as exc:
            print("fork refused after", len(children))
        for pid in children:
            os.kill(pid, 9)
        try:
            with open(os.path.expanduser("~/big"), "wb") as f:
                f.write(b"x" * (40 * 2**20))
            print("WROTE BIG")
        except OSError as exc:
            print("file refused", type(exc).__name__)
        """, memory=512 * 2**20, processes=24, file_size=16 * 2**20)
    assert "ALLOCATED" not in out and "memory refused" in out, out
    assert "FORKED 64" not in out and "fork refused after" in out, out
    assert "WROTE BIG" not in out, out
    status, out, _ = _run(tmp_path / "cpu", "while True: pass", cpu_seconds=1)
    assert status != 0  # SIGXCPU: the probe, never the grader


def test_nothing_it_starts_outlives_it(tmp_path):
    status, out, uid = _run(tmp_path, f"""
        import subprocess, sys
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", {MARKER!r}], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print("started")
        """)
    assert status == 0 and "started" in out
    deadline = time.monotonic() + 5
    while True:
        left = [p.pid for p in psutil.process_iter(["cmdline"]) if MARKER in " ".join(p.info["cmdline"] or [])]
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert not left, f"a process the sandbox started outlived it: {left}"


# --------------------------------------------------------------------------- a real kernel in it


def _execute(tmp_path, sources, **config):
    """Run cells with the grader's Execute preprocessor (nbgrader's, sandboxed) as autograde does."""
    import nbformat
    from traitlets.config import Config

    from helpers.classroom.grader import ExecuteForGrading

    folder = tmp_path / "submission"
    folder.mkdir(parents=True, exist_ok=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    from helpers.classroom.grader import configure

    c = configure(Config())  # the course's settings, as its nbgrader_config.py makes them
    for key, value in config.items():
        section, name = key.split("__")
        setattr(getattr(c, section), name, value)
    preprocessor = ExecuteForGrading(config=c)
    resources = {"metadata": {"path": str(folder)}, "nbgrader": {"student": "probe"}}
    nb, _ = preprocessor.preprocess(nb, resources)
    return nb


def _text(cell):
    return "".join(o.get("text", "") + o.get("evalue", "") for o in cell.outputs)


def test_a_cell_that_waits_is_interrupted_and_the_next_cells_run(tmp_path):
    nb = _execute(tmp_path, ["import time\ntime.sleep(10**6)", "print('after')"], Execute__timeout=5)
    assert nb.cells[0].outputs and nb.cells[0].outputs[-1]["output_type"] == "error"
    assert _text(nb.cells[1]).strip() == "after"


def test_a_kernel_that_dies_fails_the_rest_of_its_notebook_only(tmp_path):
    nb = _execute(tmp_path, ["print('one')", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "print('three')"])
    assert _text(nb.cells[0]).strip() == "one"
    assert "the kernel stopped in this cell" in _text(nb.cells[1])
    assert nb.cells[2].outputs == []


def test_outputs_are_capped_while_they_stream(tmp_path):
    nb = _execute(tmp_path, ["for _ in range(64):\n    print('z' * 2**20, flush=True)", "print('next')"],
                  ExecuteForGrading__max_cell_output=2 * 2**20)
    text = _text(nb.cells[0])
    assert "[output cut by the grader" in text and len(text) <= 2 * 2**20 + 200
    assert _text(nb.cells[1]).strip() == "next"


def test_a_message_over_the_limit_is_dropped_and_the_notebook_goes_on(tmp_path):
    nb = _execute(tmp_path, ["print('y' * (40 * 2**20))", "print('next')"])
    assert len(_text(nb.cells[0])) < 2**20
    assert _text(nb.cells[1]).strip() == "next"
