"""The course's IPython kernel extension: a name that is not defined yet gets one line saying what
to do, not a NameError traceback.

After a kernel restart nothing is defined, and the first cell a learner runs (often an exercise
cell) fails on a name a cell above defines. Instead of a red traceback they read:

    NameError: x is not defined yet: this kernel has not run the cells above (it was restarted, or
    has just started). Run → Run All Above Selected Cell, then run this cell again.

Every kernel of the course's environment loads this extension before any cell runs, so it works
before the Setup cell has imported anything: tools/lab.py (run by `make lab` and `make test`)
adds ``c.InteractiveShellApp.extensions.append("helpers.kernel")`` to the environment's
``etc/ipython/ipython_kernel_config.py``. It imports nothing heavy (``helpers/__init__`` is lazy).
The cell still fails (Run All stops there, as it should); only the message changes. A NameError
raised inside library code keeps its full traceback, which is what a maintainer needs.
"""

from __future__ import annotations

import difflib
import sys

ADVICE = "Run → Run All Above Selected Cell, then run this cell again"


def message(name, user_ns, hidden=()):
    """The one line for an undefined ``name``, given the kernel's namespace (``user_ns``) and the
    names IPython itself put there (``hidden``)."""
    defined = [k for k in user_ns if not k.startswith("_") and k not in hidden]
    # every notebook's Setup cell imports check (helpers.checking): without it, nothing above has run
    if not defined or "helpers.checking" not in sys.modules:
        return (f"NameError: {name} is not defined yet: this kernel has not run the cells above (it was "
                f"restarted, or has just started). {ADVICE}.")
    close = difflib.get_close_matches(name, defined, n=1, cutoff=0.8)
    spelling = f" Or did you mean {close[0]}?" if close else " If no cell above defines it, check its spelling."
    return f"NameError: {name} is not defined. If a cell above defines it, run the cells above first: {ADVICE}.{spelling}"


def _in_notebook_code(tb, user_ns):
    """True if the NameError was raised by the notebook's own code (a cell, or a function a cell
    defined), not inside a library."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals is user_ns


def _on_name_error(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler for NameError: shows the one line (or, for a NameError
    inside a library, the usual traceback) and returns it."""
    name = getattr(value, "name", None)
    if name and _in_notebook_code(tb, shell.user_ns):
        stb = [message(name, shell.user_ns, shell.user_ns_hidden)]
    else:
        stb = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
    shell._showtraceback(etype, value, stb)  # the error output the notebook shows (IPython shows nothing itself)
    return stb


def load_ipython_extension(ipython):
    """Called by IPython when the kernel starts (the extension is named in its configuration)."""
    ipython.set_custom_exc((NameError,), _on_name_error)


def unload_ipython_extension(ipython):
    ipython.set_custom_exc((), None)
