"""A time budget for one check: every call returns within about a second, whatever it is given.

On the main thread (where Jupyter runs cells) a real-time timer interrupts the work: its signal
raises ``OutOfTime``, a BaseException, so no ``except Exception`` in sympy or numpy can swallow it,
and the timer keeps firing every 50 ms until the budget is closed, in case something does. Off the
main thread the work runs in a daemon thread that is abandoned when the budget is spent. Loops of
our own also call ``tick()``, which raises once the deadline has passed.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time

SECONDS = 0.65  # the whole check, reading the answer included, stays well under one second


class OutOfTime(BaseException):
    """The budget is spent (a BaseException: ``except Exception`` does not catch it)."""


_deadline = threading.local()


def tick():
    """Raise OutOfTime if the current budget's deadline has passed."""
    end = getattr(_deadline, "end", None)
    if end is not None and time.monotonic() > end:
        raise OutOfTime


def remaining():
    """Seconds left in the current budget (a large number outside any budget)."""
    end = getattr(_deadline, "end", None)
    return 1e9 if end is None else max(0.0, end - time.monotonic())


def _raise(signum, frame):
    raise OutOfTime


@contextlib.contextmanager
def _alarm(seconds):
    previous = signal.signal(signal.SIGALRM, _raise)
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds, 0.05)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if old_timer[0] > 0:  # someone else's timer was running: give it back what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(old_timer[0] - seconds, 0.001), old_timer[1])


def run(function, *args, seconds=SECONDS):
    """``function(*args)`` within `seconds`.

    Returns:
        (True, result) or (False, None) when the budget was spent.
    Raises:
        whatever `function` raises (other than running out of time).
    """
    outer = getattr(_deadline, "end", None)
    if outer is not None:  # already inside a budget: share it
        return True, function(*args)
    main = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    if main:  # another handler of SIGALRM (pytest-timeout, a library) is set aside and given back
        _deadline.end = time.monotonic() + seconds
        try:
            with _alarm(seconds):
                return True, function(*args)
        except OutOfTime:
            return False, None
        finally:
            _deadline.end = None
    return _in_thread(function, args, seconds)


def _in_thread(function, args, seconds):
    box = {}

    def work():
        _deadline.end = time.monotonic() + seconds
        try:
            box["result"] = function(*args)
        except OutOfTime:
            box["timeout"] = True
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=work, daemon=True, name="check-budget")
    worker.start()
    worker.join(seconds + 0.05)
    if worker.is_alive() or box.get("timeout"):
        return False, None
    if "error" in box:
        raise box["error"]
    return True, box["result"]
