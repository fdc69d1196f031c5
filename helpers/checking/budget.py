"""A time budget for one check, counted in CPU time, with a wall-clock backstop.

A check must answer within about a second of *computing*, however busy the machine: on a shared
hub two busy neighbours halve the CPU a kernel gets, and a wall-clock budget would then refuse
right answers as "too complex". So the budget counts the CPU time of the checking process
(``ITIMER_PROF``: user and system time of this process, every thread included), and a wall-clock
timer several times longer (``WALL_FACTOR``) stops what sleeps or waits, which spends no CPU. A
check that is still computing when that timer rings (it got a fair share of a CPU, or at least
``PROGRESS`` seconds of CPU in the last ``WINDOW`` seconds, time spent waiting for a CPU counted
as computing: the machine is busy, not the check idle) goes on until its CPU budget is spent, up
to ``HARD_FACTOR`` times its budget on the wall clock (see ``Backstop``). When a budget ends,
``Spent`` says which clock ran out, so the refusal can say "too complex" only when the check
really needed more than its CPU, and "the computer is busy" or "it waits" otherwise.

On the main thread (where Jupyter runs cells) the two timers interrupt the work with a signal
whose handler raises ``OutOfTime``, a BaseException (no ``except Exception`` in sympy or numpy
swallows it), and both keep firing every 50 ms until the budget is closed, in case something
does. Off the main thread the work runs in a worker thread whose own CPU clock is watched; when
its budget is spent, the worker is sent ``OutOfTime`` asynchronously and abandoned. Loops of our
own call ``tick()``, which raises once either clock has passed its end.

The grader checks with a larger budget: ``run(function, *args, seconds=20)``, or
``with allow(20): ...`` around any number of checks.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import os
import signal
import threading
import time
from dataclasses import dataclass

SECONDS = 0.9       # CPU seconds one check may use, reading the answer included ("about a second")
WALL_FACTOR = 5.0   # the wall-clock backstop is this many times the CPU budget: 8 busy processes
                    # on 2 CPUs leave a check about 2/9 of a CPU, so a full CPU budget takes ~4.5×
HARD_FACTOR = 60.0  # ... and a check still computing past it is stopped at this many times
COMPUTING = 0.05    # a share of a CPU at which a check counts as computing, however long it took
WINDOW = 2.0        # ... or, on a machine where it gets less, CPU seconds it got in the last WINDOW
PROGRESS = 0.005    # seconds (what sleeps gets nothing; /proc counts CPU in 10 ms ticks)
REFIRE = 0.05       # seconds between repeated interruptions once a budget is spent


class OutOfTime(BaseException):
    """The budget is spent (a BaseException: ``except Exception`` does not catch it).

    Attributes:
        reason: "cpu" (the CPU budget) or "wall" (the wall-clock backstop).
    """

    def __init__(self, reason="cpu"):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Spent:
    """Why a budget ended, and what was used.

    Attributes:
        reason: "cpu" when the work needed more than its CPU budget; "wall" when the wall-clock
            backstop stopped it first.
        seconds: the CPU budget; cpu, wall: what was used of each clock.
        idle: stopped by the wall clock while not computing (None: judged from cpu and wall).
    """

    reason: str
    seconds: float
    cpu: float
    wall: float
    idle: bool | None = None

    @property
    def waiting(self):
        """Stopped by the wall clock while hardly computing: something sleeps or waits."""
        idle = self.cpu < COMPUTING * self.wall if self.idle is None else self.idle
        return self.reason == "wall" and idle

    @property
    def busy(self):
        """Stopped by the wall clock while computing: the machine gave the check too little CPU."""
        return self.reason == "wall" and not self.waiting


class Backstop:
    """When the wall clock stops a check: past `wall` seconds if it is not computing (it sleeps or
    waits: no fair share of a CPU, and less than PROGRESS seconds of CPU in the last WINDOW), past
    `hard` seconds whatever it does. ``spent(waited, used)`` is asked often (every 10 to 50 ms)
    with the seconds waited and the CPU seconds used so far.

    `queued`, when given, returns the seconds the work has spent ready to run but waiting for a
    CPU (``queue_clock``, or ``ready_clock`` with its computing too): that counts as computing. A
    check starved by a crowded machine (runnable, yet given almost no CPU) looks like one that
    sleeps when only its CPU time is read; with its run-queue time it is told apart, and computes
    on to `hard`."""

    def __init__(self, wall, hard, queued=None):
        self.wall, self.hard = wall, max(hard, wall)
        self.samples = collections.deque()
        self.idle = False
        self.queued = queued

    def spent(self, waited, used):
        """`used`: a number, or a function returning it (read only when needed: a sample is due,
        every 20 ms, or the backstop is passed; ``tick`` asks thousands of times a second)."""
        samples = self.samples
        due = not samples or waited - samples[-1][0] >= 0.02
        if not due and waited <= self.wall:
            return False
        if callable(used):
            used = used()
        if self.queued is not None:
            used = used + self.queued()
        if due:
            samples.append((waited, used))
            while len(samples) > 2 and samples[1][0] <= waited - WINDOW:
                samples.popleft()
        if waited <= self.wall:
            return False
        if waited > self.hard:
            return True
        if used >= COMPUTING * waited:
            return False
        since, before = samples[0]
        if waited - since >= WINDOW / 2 and used - before >= PROGRESS:
            return False
        self.idle = True
        return True


def queue_clock():
    """For the calling thread: a function returning the seconds it has spent ready to run but
    waiting for a CPU (its ``/proc/thread-self/schedstat`` run delay), or None where the system does
    not tell it. Read by the thread itself, the figure is up to date: the kernel adds a wait to it
    when the thread gets a CPU, and a thread reading it has one."""
    path = f"/proc/self/task/{threading.get_native_id()}/schedstat"

    def read():
        try:
            with open(path, "rb") as f:
                return int(f.read().split()[1]) / 1e9
        except (OSError, IndexError, ValueError):
            return None

    start = read()
    if start is None:
        return None
    return lambda: (read() or start) - start


def ready_clock(pid, tid=None):
    """For another process (or thread `tid` of this one): a function returning the seconds it has
    been seen ready to run (``R`` in ``/proc/<pid>/stat``: computing, or waiting for a CPU), sampled
    at each call, or None where the system does not tell it. (Its schedstat run delay would lag: the
    kernel adds a wait only once the wait is over, and a starved process's may last seconds.)"""
    path = f"/proc/{pid}/stat" if tid is None else f"/proc/{pid}/task/{tid}/stat"

    def state():
        try:
            with open(path, "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            return None

    if state() is None:
        return None
    seen = {"at": time.monotonic(), "total": 0.0}

    def read():
        now = time.monotonic()
        if state() == b"R":
            seen["total"] += now - seen["at"]
        seen["at"] = now
        return seen["total"]

    return read


_default = [SECONDS]


def default():
    """The CPU budget a check gets by default (SECONDS, or what ``allow`` set)."""
    return _default[-1]


@contextlib.contextmanager
def allow(seconds):
    """Give every check inside the block `seconds` of CPU (the grader uses a larger budget)."""
    if not seconds > 0:
        raise ValueError("a budget must be positive")
    _default.append(float(seconds))
    try:
        yield
    finally:
        _default.pop()


class _Budget:
    """One open budget: its ends on both clocks, and which CPU clock it reads."""

    def __init__(self, seconds, clock):
        self.seconds = seconds
        self.clock = clock
        self.cpu0, self.wall0 = clock(), time.monotonic()
        self.cpu_end = self.cpu0 + seconds
        self.queued = queue_clock()  # this thread's waits for a CPU
        self.backstop = Backstop(seconds * WALL_FACTOR, seconds * HARD_FACTOR)
        self.closed = False
        self.reason = None
        self.others = None  # CPU seconds of a process working for this check now (a forked child)
        self.others_queued = None  # ... and its seconds waiting for a CPU
        self.extra = 0.0    # ... and of those that have finished
        self.extra_ready = 0.0

    def wall_spent(self):
        """Past the wall-clock backstop, and not computing (see Backstop): what counts is the CPU
        of this process and of its helpers (a forked child), and their time waiting for a CPU."""
        return self.backstop.spent(time.monotonic() - self.wall0, lambda: self.used() + self.ready())

    def ready(self):
        """Seconds this check waited for a CPU (this thread's, and its helpers'): on a crowded
        machine that is computing, not sleeping."""
        own = self.queued() if self.queued is not None else 0.0
        return own + self.extra_ready + (self.others_queued() if self.others_queued is not None else 0.0)

    def used(self):
        """CPU seconds used for this check: this process's, and its helpers'."""
        return self.clock() - self.cpu0 + self.extra + (self.others() if self.others is not None else 0.0)

    def spent(self, reason=None):
        reason = reason or self.reason or "cpu"
        return Spent(reason, self.seconds, self.used(), time.monotonic() - self.wall0,
                     self.backstop.idle if reason == "wall" else False)


_local = threading.local()


def _current():
    return getattr(_local, "budget", None)


def tick():
    """Raise OutOfTime if the current budget's CPU time or wall time is spent."""
    budget = _current()
    if budget is None:
        return
    if budget.clock() > budget.cpu_end:
        budget.reason = budget.reason or "cpu"
        raise OutOfTime("cpu")
    if budget.wall_spent():
        budget.reason = budget.reason or "wall"
        raise OutOfTime("wall")


def remaining():
    """CPU seconds left in the current budget (a large number outside any budget)."""
    budget = _current()
    return 1e9 if budget is None else max(0.0, budget.cpu_end - budget.clock())


@contextlib.contextmanager
def counting(cpu, queued=None):
    """Inside the block, `cpu()` (the CPU seconds of a process working for this check) counts as
    computing, and so does `queued()` (its seconds ready to run, see ``ready_clock``): the
    wall-clock backstop does not stop a check whose child is busy computing."""
    budget = _current()
    if budget is None:
        yield
        return
    start, ready0 = cpu(), (queued() if queued is not None else 0.0)
    budget.others = lambda: cpu() - start
    budget.others_queued = None if queued is None else (lambda: queued() - ready0)
    try:
        yield
    finally:
        budget.extra += cpu() - start
        if queued is not None:
            budget.extra_ready += queued() - ready0
        budget.others = budget.others_queued = None


def current():
    """(CPU seconds, wall seconds, hard wall seconds) of the current budget's size, or of a new one
    outside any."""
    budget = _current()
    size = default() if budget is None else budget.seconds
    return size, size * WALL_FACTOR, size * HARD_FACTOR


def run(function, *args, seconds=None):
    """``function(*args)`` within `seconds` of CPU time (default: ``default()``), and at most
    WALL_FACTOR times as long on the wall clock.

    Returns:
        (True, result), or (False, Spent) when a clock ran out.
    Raises:
        whatever `function` raises (other than running out of time), KeyboardInterrupt included.
    """
    if _current() is not None:  # already inside a budget: share it
        return True, function(*args)
    size = default() if seconds is None else float(seconds)
    if not size > 0:
        raise ValueError("a budget must be positive")
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        return _with_signals(function, args, size)
    return _in_thread(function, args, size)


# --- on the main thread: two interval timers -----------------------------------------------------

_CLOCKS = {}
if hasattr(signal, "setitimer"):
    _CLOCKS = {"cpu": (signal.ITIMER_PROF, signal.SIGPROF), "wall": (signal.ITIMER_REAL, signal.SIGALRM)}


def _with_signals(function, args, size):
    budget = _Budget(size, time.process_time)

    def ring(signum, frame):
        if budget.closed:  # a late signal after the work ended: nothing to stop
            return
        reason = "cpu" if signum == _CLOCKS["cpu"][1] else "wall"
        if reason == "wall" and not budget.wall_spent():  # still computing on a busy machine: go on
            return
        budget.reason = budget.reason or reason
        raise OutOfTime(budget.reason)

    saved = {}
    try:
        for name, (timer, signum) in _CLOCKS.items():
            # another handler (pytest-timeout, the grader's alarm, a profiler) is set aside and
            # given back, with what is left of its timer
            saved[name] = (signal.signal(signum, ring), signal.getitimer(timer), time.monotonic())
        signal.setitimer(_CLOCKS["cpu"][0], size, REFIRE)
        # the wall timer starts ringing a WINDOW before the backstop: the Backstop needs samples
        signal.setitimer(_CLOCKS["wall"][0], max(size * WALL_FACTOR - WINDOW, REFIRE), REFIRE)
        _local.budget = budget
        try:
            try:
                result = function(*args)
            finally:
                budget.closed = True  # from here on the handlers do nothing
        except OutOfTime as out:
            budget.closed = True
            return False, budget.spent(out.reason)
    finally:
        budget.closed = True
        _local.budget = None
        for name, (previous, (value, interval), started) in saved.items():
            timer, signum = _CLOCKS[name]
            signal.setitimer(timer, 0)
            signal.signal(signum, signal.SIG_DFL if previous is None else previous)
            if value > 0:  # someone else's timer was running: give it back what is left of it
                elapsed = time.monotonic() - started if name == "wall" else 0.0
                signal.setitimer(timer, max(value - elapsed, 0.001), interval)
    return True, result


def interrupted():
    """The learner's Ctrl-C (a KeyboardInterrupt) is on its way out of the current check: from now
    on no budget signal raises in it. Otherwise a budget's alarm ringing while the interrupted check
    cleans up (killing its child process) replaced the KeyboardInterrupt with OutOfTime, and the
    check answered "did not return in time" instead of stopping."""
    budget = getattr(_local, "budget", None)
    if budget is not None:
        budget.closed = True


# --- off the main thread: a worker whose CPU clock is watched ------------------------------------


def thread_cpu_clock(ident):
    """A function returning the CPU time of thread `ident`, or None where the OS has no such clock."""
    try:
        clock_id = time.pthread_getcpuclockid(ident)
        time.clock_gettime(clock_id)
    except (AttributeError, OSError, OverflowError):
        return None
    return lambda: time.clock_gettime(clock_id)


def raise_in_thread(ident, exception):
    """Raise `exception` (a class) asynchronously in thread `ident`, at its next bytecode."""
    try:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), ctypes.py_object(exception))
    except Exception:  # no ctypes.pythonapi (another Python implementation): the thread is abandoned
        pass


def _in_thread(function, args, size):
    box = {}

    def work():
        _local.budget = _Budget(size, time.thread_time)
        try:
            box["result"] = function(*args)
        except OutOfTime as out:
            box["timeout"] = out.reason
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc
        finally:
            _local.budget = None

    worker = threading.Thread(target=work, daemon=True, name="check-budget")
    wall0 = time.monotonic()
    worker.start()
    clock = thread_cpu_clock(worker.ident) or (lambda: time.monotonic() - wall0)
    backstop = Backstop(size * WALL_FACTOR, size * HARD_FACTOR, ready_clock(os.getpid(), worker.native_id))
    reason = None
    while worker.is_alive():
        worker.join(0.01)
        if not worker.is_alive():
            break
        used, waited = clock(), time.monotonic() - wall0
        if used > size:
            reason = "cpu"
        elif backstop.spent(waited, used):
            reason = "wall"
        if reason:
            raise_in_thread(worker.ident, OutOfTime)  # stop it burning CPU; it is abandoned anyway
            break
    if reason or "timeout" in box:
        reason = reason or box["timeout"]
        return False, Spent(reason, size, clock(), time.monotonic() - wall0, backstop.idle if reason == "wall" else False)
    if "error" in box:
        raise box["error"]
    return True, box["result"]
