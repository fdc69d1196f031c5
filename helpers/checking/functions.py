"""Checking a function the learner wrote (notebook 06): call it on fresh random inputs of every
shape class it can meet, compare with the reference function, and say in one sentence what is
wrong, never showing the reference's numbers.

An exercise of ``kind="function"`` has a ``FunctionSpec`` as its ``spec``: the function's name
and arguments, the input cases (one per shape class: batch 1 and 2, width 1, square and not, 1 to
5 layers, more dimensions where the exercise allows them, values on both sides of every kink and
very large ones), how to draw each case's arguments (fresh values at every check), the names of
the outputs, the rules that say on which cases a function is "right only" or "wrong only", the
constant factors that are real mistakes, and the exercise's typical slips.

Where the learner's code runs. On Linux every call of the learner's function, the reading of what
it returns and the wording of what it raises run in a **forked child process**: its CPU time is
read from /proc and it is killed when its share of the check's CPU budget is spent, or when the
wall-clock backstop passes (for what sleeps or waits). Nothing the learner's code does there can
escape or hang the check: a bare ``except:`` around a loop, an exception whose ``__str__``
sleeps, a loop in C (``sum(range(10**12))``), ``os._exit``, a segfault, ten million floats, a
change to numpy's or the checker's state. A fork of a 180 MiB kernel costs about 10 ms and only
plain data (numbers and text) comes back. Elsewhere (no fork: Windows, and macOS where a forked
child may not use Apple's Accelerate) the learner's code runs in a worker thread: when its CPU
time is up it is sent ``TimeUp`` asynchronously, and every further line of its code raises
``TimeUp`` again (a trace function), so no ``except`` can keep it running; a loop in C there is
abandoned, not stopped.

``compare_function(exercise, answer)`` returns ``(status, diagnosis, message)`` like the value
checkers. The diagnoses, in order:

- not answered yet (``...``, None, a body that is still ``...``, a result that is still ``...``);
- not a function, or the wrong arguments (a sentence, never a traceback);
- did not finish within its CPU time, or waited past the backstop (``timeout``), or ended or
  crashed its process (``crashed``);
- raised on every case (``raised``, with the exception's own sentence and what it usually means);
- changed its inputs in place (``mutation``);
- a known mistake of the exercise, or one of its typical slips (``mistake:<name>``);
- returned something that is not the outputs asked for (``outputs``: None, a list for an array,
  too many or too few arrays, ten million numbers, a list that contains itself...);
- the outputs in another order (``order``); right to about 7 digits only (``precision``: float32);
- for the first output that is wrong: a wrong shape (``shape``, naming keepdims or a transpose),
  not summed over the batch (``bias-not-summed``), summed over the wrong axis (``axis``), the
  transpose (``transposed``), the sign (``sign``), a constant factor (``factor``: the 1/N of the
  mean, the number of classes for N, a 2...), each the same on every case where it is wrong;
- right only, or wrong only, on one class of inputs (``batch-1-only``, ``square-only``,
  ``width-1``, ``kink``, ``large-values``, ``extra-dims``, ``depth``, ...: the spec's rules);
- NaN or inf (``nan``); then plainly wrong (``wrong``), naming the inputs where it showed.
"""

from __future__ import annotations

import builtins
import ctypes
import dis
import inspect
import io
import itertools
import marshal
import math
import os
import select
import signal
import struct
import sys
import threading
import time
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from helpers.checking import budget

TIME_LIMIT = 2.0          # seconds of CPU for one call_with_limit (the debugger's single call)
CHILD_CPU_SHARE = 0.75    # the share of a check's CPU budget that the learner's calls may use
CHILD_WALL_SHARE = 0.8    # the share of the check's wall-clock backstop they may take
MAX_DEPTH = 6             # nesting of what a function returns
OUTPUT_SLACK = 50         # an output may hold this many times the reference's numbers (+ 1000)
MAX_MESSAGE = 8 << 20     # bytes a child may send back
PRINTED = 2000            # characters of the learner's own print output shown after the verdict
# Where fork is safe and /proc tells a child's CPU time. Elsewhere, the worker thread.
CAN_FORK = sys.platform.startswith("linux") and hasattr(os, "fork") and os.path.exists("/proc/self/stat")


class TimeUp(BaseException):
    """Raised inside the learner's function when its time is up (in-process runs only): a
    BaseException, so that ``except Exception`` cannot swallow it; and creating it (where the
    learner's code catches it) sets a trap that raises it again at every further line of the
    learner's code, so that a bare ``except:`` cannot keep it running either."""

    def __init__(self, *args):
        super().__init__(*args)
        _trap_this_thread()


@dataclass(frozen=True)
class Rule:
    """A statement about the inputs on which a function is right, or wrong.

    Attributes:
        key: the diagnosis key ("batch-1-only", "square-only", "kink", ...).
        side: "right-only" (the function is right exactly on the cases where `test` holds) or
            "wrong-only" (wrong exactly there).
        test: case → bool.
        says: how the verdict reads, after the function's name ("right for a batch of 1 only").
        advice: where to look, never the answer.
    """

    key: str
    side: str
    test: Callable[[dict], bool]
    says: str
    advice: str


@dataclass(frozen=True)
class Factor:
    """A factor between an output and the reference that is a real mistake: value(case) → the
    factor on that case (N, N/k, ...); says: what it means."""

    value: Callable[[dict], float]
    says: str


@dataclass(frozen=True)
class FunctionSpec:
    """What a function exercise needs besides the reference function.

    Attributes:
        name: the function's name, as the notebook defines it ("dense_backward").
        args: the argument names, in order ("dZ", "X", "W").
        returns: what it returns, as the learner reads it ("(dX, dW, db)").
        cases: one dict per input case (a shape class); each has "N" (the batch size) and may
            have "note" (words for its values: "with logits in the hundreds"); the rest is read by
            ``make`` and by the rules.
        make: (rng, case) → the tuple of arguments for that case.
        outputs: case → the names of the output arrays, flattened in order
            (("dX", "dW", "db"), or ("∇W1", "∇W2", "∇b1", "∇b2") for a whole network).
        parts: the names of the top-level outputs (("dWs", "dbs")); default: ``outputs``.
        bias: names of outputs that are gradients of a bias (summed over the batch).
        describe: args → a short text of the input shapes; by default "X (5, 3), W (3, 4)".
        rules: Rules, tried in order, saying on which cases a function is right or wrong only.
        factors: Factors that are real mistakes here, beyond 2, ½ and −1.
        slips: typical slips of the exercise (``Mistake`` objects: name, hint, value() → the
            slipped function), diagnosed like the exercise's registered mistakes.
        covers: the shape classes, in words, for the "correct" message.
    """

    name: str
    args: tuple
    returns: str
    cases: tuple
    make: Callable[..., tuple]
    outputs: Callable[[dict], tuple]
    parts: tuple = ()
    bias: tuple = ()
    describe: Callable[..., str] | None = None
    rules: tuple = ()
    factors: tuple = ()
    slips: tuple = ()
    covers: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def call(self):
        return f"{self.name}({', '.join(self.args)})"

    def inputs(self, exercise_id=None, rng=None):
        """The arguments of every case, with fresh random values (or from `rng`)."""
        rng = np.random.default_rng() if rng is None else rng
        return [tuple(self.make(rng, case)) for case in self.cases]

    def shapes(self, args, case=None):
        text = self.describe(*args) if self.describe is not None else ", ".join(
            f"{n} {_shape(a)}" for n, a in zip(self.args, args))
        note = (case or {}).get("note")
        return f"{text} {note}" if note else text


def _shape(a):
    return str(tuple(np.shape(a))) if isinstance(a, np.ndarray) else type(a).__name__


# --- copies and comparisons of the inputs (our own arrays) --------------------------------------


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _same(a, b):
    if isinstance(a, np.ndarray):
        return type(b) is np.ndarray and a.shape == b.shape and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        if type(b) is not type(a):
            return False
        n = list.__len__(b) if isinstance(b, list) else tuple.__len__(b)
        return n == len(a) and all(_same(x, (list.__getitem__ if isinstance(b, list) else tuple.__getitem__)(b, i))
                                   for i, x in enumerate(a))
    return True


def _quiet(fn, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def _type_name(value):
    try:
        return str.__str__(type.__getattribute__(type(value), "__name__"))
    except Exception:
        return "object"


# --- reading what the learner's function returned into plain data ------------------------------
# This runs where the learner's code runs (the child process, or the worker thread): anything the
# returned object does while it is read (a __len__ that sleeps, an __array__ that raises) is bounded
# by the same limits as the call itself. What comes out is built from tuples, lists, str, int and
# bytes only (marshal refuses anything else), so the checking process never touches a learner object.


class _Huge(Exception):
    pass


def _encode_array(array, dtype, origin):
    array = np.array(array, dtype=np.float64, order="C")  # (np.ascontiguousarray makes a 0-d array 1-d)
    return ("num", tuple(int(s) for s in array.shape), array.tobytes(), str(dtype), origin)


def _decode_array(leaf):
    _, shape, data, dtype, origin = leaf
    return np.frombuffer(data, dtype=np.float64).reshape(shape).copy()


class _Reader:
    def __init__(self, limit):
        self.left = limit
        self.path = set()

    def spend(self, n):
        self.left -= n
        if self.left < 0:
            raise _Huge(n)

    def read(self, value, depth=0):
        from helpers.checking.understanding import BadInput, _plain_number

        if value is None:
            return ("none",)
        if value is Ellipsis:
            return ("ellipsis",)
        if isinstance(value, np.ndarray):
            return self.array(value)
        if isinstance(value, (list, tuple)):
            kind = "list" if isinstance(value, list) else "tuple"
            size = list.__len__(value) if kind == "list" else tuple.__len__(value)
            get = list.__getitem__ if kind == "list" else tuple.__getitem__
            if id(value) in self.path:
                return ("bad", f"a {kind} that contains itself")
            if depth >= MAX_DEPTH:
                return ("bad", f"a {kind} nested more than {MAX_DEPTH} levels deep")
            self.spend(size)
            self.path.add(id(value))
            try:
                return ("seq", kind, [self.read(get(value, i), depth + 1) for i in range(size)])
            finally:
                self.path.discard(id(value))
        try:
            got = _plain_number(value)
        except BadInput as bad:
            return ("bad", "a truth value (True or False)" if isinstance(value, (bool, np.bool_)) else str(bad))
        if got is not None:
            number, low = got
            if isinstance(number, complex):
                return ("bad", "a complex number")
            self.spend(1)
            try:
                return _encode_array(np.array(float(number)), "float32" if low else "float64", "scalar")
            except OverflowError:
                return ("bad", "an integer far too large to be a float")
        return ("bad", _what_is(value))

    def array(self, value):
        try:
            shape = tuple(np.ndarray.shape.__get__(value))
            size = int(np.ndarray.size.__get__(value))
            dtype = np.ndarray.dtype.__get__(value)
        except Exception:
            return ("bad", "an array that could not be read")
        if size > self.left:
            return ("huge", size, shape)
        base = np.array(value, subok=False, copy=True)
        kind = base.dtype.kind
        if kind == "O":
            self.spend(0)
            items = [self.read(v, MAX_DEPTH - 1) for v in base.ravel().tolist()]
            if all(i[0] == "num" and i[1] == () for i in items):
                flat = np.array([_decode_array(i)[()] for i in items], dtype=float)
                return _encode_array(flat.reshape(shape), "object", "array")
            return ("bad", "an array of objects that are not all numbers (dtype=object)")
        self.spend(size)
        if kind == "b":
            return ("bad", "an array of True/False values")
        if kind == "c":
            return ("bad", "an array of complex numbers")
        if kind not in "fiu":
            return ("bad", f"an array of {dtype} values, not numbers")
        with np.errstate(all="ignore"):
            return _encode_array(base.astype(np.float64), dtype, "array")


def _what_is(value):
    if isinstance(value, str):
        return "text (a str)"
    if isinstance(value, (bytes, bytearray)):
        return "bytes"
    if isinstance(value, dict):
        return "a dict"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if inspect.isgenerator(value) or isinstance(value, (map, filter, zip, range)) or inspect.isclass(value):
        return f"a {_type_name(value)} (not computed into an array: np.array(...) or a list)" if not inspect.isclass(value) else "a class"
    module = type(value).__module__ or ""
    if module.startswith("sympy"):
        return f"a sympy {_type_name(value)} (return a numpy array of floats)"
    if module.startswith("torch"):
        return f"a torch {_type_name(value)} (return a numpy array: .detach().numpy())"
    if callable(value):
        return "a function (call it and return its result)"
    return f"a {_type_name(value)}"


def _plain(value, limit):
    try:
        return _Reader(limit).read(value)
    except _Huge as huge:
        return ("huge", huge.args[0] if huge.args[0] > limit else None, None)
    except RecursionError:
        return ("bad", "nested too deeply to read")
    except Exception as exc:  # whatever the object does while read: a sentence
        return ("bad", f"an object that could not be read ({_type_name(exc)})")


def _text_of(exc):
    """The exception's own sentence, at most 160 characters (its __str__ is the learner's code)."""
    try:
        text = exc.__str__()
        text = str.__str__(text) if isinstance(text, str) else ""
    except BaseException:  # noqa: BLE001 - a __str__ that raises: the type's name alone
        text = ""
    text = " ".join(text.split())
    return text[:157] + "..." if len(text) > 160 else text


def _exception_text(exc, bounded=True):
    """"Type: its message", the message read within a short time limit (a __str__ may sleep)."""
    name = _type_name(exc)
    if bounded:
        outcome, text = call_with_limit(_text_of, (exc,), 0.5)
        text = text if outcome == "ok" else None
    else:
        text = _text_of(exc)
    if text is None:
        return f"{name} (its message could not be read)"
    return f"{name}: {text}" if text else name


# --- running the learner's function on every case ----------------------------------------------


def _work(fn, arg_names, cases_args, limits, send):
    """Call fn on every case, in order, sending plain results: ("raised", i, type name),
    ("text", i, message), ("ok", i, tree, mutated names, dtype names), then ("done",)."""
    for index, args in enumerate(cases_args):
        before, mine = _copy(args), _copy(args)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                result = fn(*mine)
        except TimeUp:  # (in a worker thread) the time is up: not the learner's exception
            raise
        except BaseException as exc:  # noqa: BLE001 - everything the learner's code can raise is named
            send(("raised", index, _type_name(exc)))
            send(("text", index, _text_of(exc)))
            continue
        mutated = [name for name, a, b in zip(arg_names, before, mine) if not _same(a, b)]
        tree = _plain(result, limits[index])
        send(("ok", index, tree, mutated))
        del result
        if tree[0] == "huge":  # that is the verdict already: the other cases would only take time
            break
    send(("done",))


@dataclass
class _Run:
    """What one case gave, as plain data."""

    args: tuple
    case: dict
    outcome: str                 # "ok", "raised", "stopped" (time or a crash), "missing" (never ran)
    tree: Any = None
    mutated: tuple = ()
    exc_type: str = ""
    exc_text: str | None = None
    case_index: int = 0


@dataclass
class _Stop:
    """Why the learner's calls ended before all cases were done."""

    reason: str                  # "cpu", "wall", "crashed", "huge"
    index: int                   # the case that was running
    cpu: float = 0.0
    wall: float = 0.0
    detail: str = ""
    limit: float = 0.0           # the CPU limit the calls had
    idle: bool = False           # stopped by the wall clock while not computing


def _execute(fn, spec, cases_args, limits):
    """(runs, stop or None): every case's result, within the check's budget."""
    cpu_budget, wall_budget, hard_budget = budget.current()
    cpu_limit = max(0.05, min(CHILD_CPU_SHARE * cpu_budget, budget.remaining() - 0.05))
    wall_limit = (CHILD_WALL_SHARE * wall_budget, CHILD_WALL_SHARE * hard_budget)
    messages, stop = None, None
    if CAN_FORK:
        try:
            messages, stop = _in_child_runs(fn, spec.args, cases_args, limits, cpu_limit, wall_limit)
        except OSError:  # no fork now (out of processes or memory): the worker thread
            messages = None
    if messages is None:
        messages, stop = _in_worker(fn, spec.args, cases_args, limits, cpu_limit, wall_limit)
    runs = [_Run(args, case, "missing") for args, case in zip(cases_args, spec.cases)]
    for message in messages:
        tag = message[0]
        if tag == "raised":
            runs[message[1]].outcome, runs[message[1]].exc_type = "raised", message[2]
        elif tag == "text":
            runs[message[1]].exc_text = message[2]
        elif tag == "ok":
            run = runs[message[1]]
            run.outcome, run.tree, run.mutated = "ok", message[2], tuple(message[3])
    if stop is not None:
        stop.limit = cpu_limit
    if stop is not None and 0 <= stop.index < len(runs) and runs[stop.index].outcome == "missing":
        runs[stop.index].outcome = "stopped"
    return runs, stop


def _next_index(messages):
    done = {m[1] for m in messages if m[0] in ("ok", "text")}
    return next((i for i in itertools.count() if i not in done))


# --- in a child process ---------------------------------------------------------------------------


def _proc_cpu(pid):
    """A function returning the CPU seconds process `pid` has used (user + system), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    path = f"/proc/{pid}/stat"

    def read():
        try:
            with open(path, "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / ticks
        except (OSError, IndexError, ValueError):
            return 0.0
    return read


def _in_child(fn, arg_names, cases_args, limits, cpu_limit, wall_limit):
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Python 3.12+ warns that a process with threads forks
        pid = os.fork()
    if pid == 0:  # the child: never returns
        try:
            os.close(read_end)
            _child(fn, arg_names, cases_args, limits, write_end, cpu_limit)
        finally:
            os._exit(0)
    try:  # a Ctrl-C (KeyboardInterrupt) from here on never leaves the child running
        os.close(write_end)
        cpu, queued = _proc_cpu(pid), budget.ready_clock(pid)  # its CPU, and its time ready to run
        backstop = budget.Backstop(*wall_limit, queued)
        started = time.monotonic()
        buffer, messages, stop = bytearray(), [], None
        counting = budget.counting(cpu, queued)  # the child's computing keeps this check's backstop away
        counting.__enter__()
    except BaseException:
        os.close(read_end)
        _kill(pid)
        raise
    poller = select.poll()  # (not select.select: it fails for a descriptor above 1023)
    try:
        poller.register(read_end, select.POLLIN | select.POLLHUP | select.POLLERR)
        while True:
            if poller.poll(10):
                chunk = os.read(read_end, 1 << 16)
                if not chunk:  # the child ended without saying "done": it died
                    stop = _Stop("crashed", _next_index(messages), cpu(), time.monotonic() - started,
                                 _death(pid))
                    pid = None
                    break
                buffer += chunk
                if len(buffer) > MAX_MESSAGE:
                    stop = _Stop("huge", _next_index(messages))
                    break
                messages.extend(_unpack(buffer))
                if messages and messages[-1][0] == "done":
                    break
            used, waited = cpu(), time.monotonic() - started
            if used > cpu_limit:
                stop = _Stop("cpu", _next_index(messages), used, waited)
                break
            if backstop.spent(waited, used):
                stop = _Stop("wall", _next_index(messages), used, waited, idle=backstop.idle)
                break
    except KeyboardInterrupt:
        budget.interrupted()  # no alarm may replace the Ctrl-C while the child is killed below
        raise
    finally:
        counting.__exit__(None, None, None)
        os.close(read_end)
        if pid is not None:  # a child that finished its work is reaped in the background
            _kill(pid, wait=not (stop is None and messages and messages[-1][0] == "done"))
    return [m for m in messages if m[0] != "printed"], stop, _printed(messages)


def _in_child_runs(*args):
    messages, stop, printed = _in_child(*args)
    _show_printed(printed)
    return messages, stop


def _kill(pid, wait=True):
    """Kill the child and whatever it started, and reap it: at once, or (after a child that finished
    its work, whose exit takes ~10 ms to unmap its memory) in a daemon thread."""
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError, OSError):
            pass
    if wait:
        _reap(pid)
    else:
        threading.Thread(target=_reap, args=(pid,), daemon=True, name="check-reaper").start()


def _reap(pid):
    try:
        os.waitpid(pid, 0)
    except (ChildProcessError, OSError):
        pass


def _death(pid):
    """How a child that closed its pipe ended: a sentence fragment (and the child is reaped)."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended the Python process it ran in"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number == getattr(signal, "SIGXCPU", None):
            return "cpu"
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"crashed the Python process it ran in ({name})"
    return f"ended the Python process it ran in (exit status {os.WEXITSTATUS(status)}: os._exit?)"


def _unpack(buffer):
    """The complete messages at the start of `buffer` (removed from it)."""
    out = []
    while len(buffer) >= 4:
        (size,) = struct.unpack("<I", buffer[:4])
        if len(buffer) < 4 + size:
            break
        out.append(marshal.loads(bytes(buffer[4:4 + size])))
        del buffer[:4 + size]
    return out


class _Capture(io.TextIOBase):
    """What the learner's function prints, kept up to PRINTED characters."""

    def __init__(self):
        self.parts, self.size, self.dropped = [], 0, 0

    def writable(self):
        return True

    def write(self, text):
        text = str.__str__(text) if isinstance(text, str) else ""
        room = PRINTED - self.size
        self.parts.append(text[:max(room, 0)])
        self.size += min(len(text), max(room, 0))
        self.dropped += max(len(text) - max(room, 0), 0)
        return len(text)


def _no_input(*_):
    raise EOFError("input() cannot be answered while check() calls your function")


def _child(fn, arg_names, cases_args, limits, write_end, cpu_limit):
    """The child process: limits, then the calls; every result goes up the pipe as it comes."""
    import resource

    try:
        os.setpgid(0, 0)  # its own process group: killed with whatever it starts
    except OSError:
        pass
    try:  # die with the checking process, whatever happens to it
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except Exception:
        pass
    for name in ("SIGINT", "SIGPROF", "SIGALRM", "SIGUSR1"):  # the parent's handlers are not ours
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    for limit, value in ((resource.RLIMIT_CORE, 0), (resource.RLIMIT_CPU, math.ceil(cpu_limit) + 1)):
        try:
            resource.setrlimit(limit, (value, value + 1 if limit == resource.RLIMIT_CPU else 0))
        except (ValueError, OSError):
            pass
    try:  # memory: what the process has now, plus 2 GiB
        with open("/proc/self/statm") as f:
            now = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        resource.setrlimit(resource.RLIMIT_AS, (now + (2 << 30), now + (2 << 30)))
    except (OSError, ValueError):
        pass
    try:  # a crash is reported by the parent, not dumped on the notebook's stderr
        import faulthandler

        faulthandler.disable()
    except Exception:
        pass
    capture = _Capture()
    sys.stdout = sys.stderr = capture
    sys.stdin = io.StringIO("")
    builtins.input = _no_input

    def send(message):
        data = marshal.dumps(message)
        data = struct.pack("<I", len(data)) + data
        while data:
            written = os.write(write_end, data)
            data = data[written:]

    try:
        _work(fn, arg_names, cases_args, limits, lambda m: send(m) if m[0] != "done" else None)
    finally:
        try:
            send(("printed", "".join(capture.parts), capture.dropped))
            send(("done",))
        except BaseException:  # noqa: BLE001 - the parent is gone, or stopped reading
            pass


def _printed(messages):
    for message in messages:
        if message[0] == "printed" and message[1]:
            return message[1], message[2]
    return None


def _show_printed(printed):
    if printed:
        text, dropped = printed
        more = f"\n… ({dropped:,} more characters printed)" if dropped else ""
        try:
            print(f"{text.rstrip()}{more}")
        except Exception:
            pass


# --- in a worker thread (no fork here, and the debugger's single call) ---------------------------

_OURS = set()  # code objects of this module that run in the worker: never trapped
_ARMED = {}    # thread ident → True while that worker's learner code is to be stopped


def _trap_this_thread():
    """Stop the learner's code in this (worker) thread for good: at every line of it, TimeUp is
    raised again. A trace function that raises is removed by Python, so this one does not raise:
    it asks for TimeUp asynchronously (at the next point the interpreter checks), and stays. Once
    the exception is raised outside every handler of the learner's code, the code has left."""
    ident = threading.get_ident()
    if not _ARMED.get(ident):
        return

    def tracer(frame, event, arg):
        if frame.f_code in _OURS:
            return None
        if _ARMED.get(ident):
            budget.raise_in_thread(ident, TimeUp)
        return tracer

    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code not in _OURS:
            frame.f_trace_lines = True
            frame.f_trace = tracer
        frame = frame.f_back
    sys.settrace(tracer)


def _quietly(thread):
    """A stray TimeUp that reaches the top of a stopped worker is expected: no traceback for it."""


def _run_in_worker(target, cpu_limit, wall_limit):
    """Run target() in a daemon thread; stop it when its CPU time or the wall clock passes its
    limit. Returns ("ok", None) when it ended by itself, or (reason, (cpu, wall))."""
    worker = threading.Thread(target=target, daemon=True, name="check-learner-function")
    worker._invoke_excepthook = _quietly
    started = time.monotonic()
    worker.start()
    clock = budget.thread_cpu_clock(worker.ident) or (lambda: time.monotonic() - started)
    backstop = budget.Backstop(*wall_limit, budget.ready_clock(os.getpid(), worker.native_id))
    reason = None
    try:
        while worker.is_alive():
            worker.join(0.01)
            if worker.is_alive() and clock() > cpu_limit:
                reason = "cpu"
            elif worker.is_alive() and backstop.spent(time.monotonic() - started, clock()):
                reason = "wall"
            if reason:
                used = (clock(), time.monotonic() - started, backstop.idle)
                _stop_worker(worker)
                return reason, used
    except BaseException as exc:  # the learner's Ctrl-C: stop the worker too, and go on stopping
        if isinstance(exc, KeyboardInterrupt):
            budget.interrupted()
        _stop_worker(worker, grace=0.2)
        raise
    return "ok", None


def _stop_worker(worker, grace=0.5):
    """TimeUp into the worker (its first catch arms the trap), again every 50 ms until it has
    left or `grace` has passed; still alive then, it is in C code (time.sleep, a long C loop) and is
    abandoned, a daemon thread."""
    _ARMED[worker.ident] = True
    end = time.monotonic() + grace
    while worker.is_alive() and time.monotonic() < end:
        budget.raise_in_thread(worker.ident, TimeUp)
        worker.join(0.05)


def _leave(ident):
    """At the end of a worker: no more TimeUp for this thread, and no trace function left."""
    _ARMED.pop(ident, None)
    sys.settrace(None)


def _in_worker(fn, arg_names, cases_args, limits, cpu_limit, wall_limit):
    messages = []

    def target():
        try:
            _work(fn, arg_names, cases_args, limits, messages.append)
        except TimeUp:
            pass
        finally:
            _leave(threading.get_ident())

    _OURS.add(target.__code__)
    outcome, used = _run_in_worker(target, cpu_limit, wall_limit)
    if outcome == "ok":
        return messages, None
    return messages, _Stop(outcome, _next_index(messages), used[0], used[1], idle=used[2])


def call_with_limit(fn, args, limit=None):
    """Call fn(*args) in this process, stopping it after ``limit`` seconds of its CPU time (or
    budget.WALL_FACTOR times that on the wall clock, for what sleeps).

    Returns:
        ("ok", result), ("raised", exception) or ("timeout", None). Never raises (but a
        KeyboardInterrupt, the learner stopping the kernel, goes through).
    """
    limit = TIME_LIMIT if limit is None else limit
    if not limit > 0:
        raise ValueError("the time limit must be positive")
    box = {}

    def target():
        try:
            box["ok"] = _quiet(fn, args)
        except TimeUp:
            box["timeout"] = True
        except BaseException as exc:  # noqa: BLE001 - everything the learner's code can raise
            box["raised"] = exc
        finally:
            _leave(threading.get_ident())

    _OURS.add(target.__code__)
    outcome, _ = _run_in_worker(target, limit, (limit * budget.WALL_FACTOR, limit * budget.HARD_FACTOR))
    if outcome != "ok" or "timeout" in box:
        return "timeout", None
    if "raised" in box:
        return "raised", box["raised"]
    return "ok", box.get("ok")


for _code in (_work.__code__, _Reader.read.__code__, _Reader.array.__code__, _Reader.spend.__code__,
              _plain.__code__, _text_of.__code__, _copy.__code__, _same.__code__, _quiet.__code__,
              _type_name.__code__, _encode_array.__code__, _what_is.__code__, _trap_this_thread.__code__,
              TimeUp.__init__.__code__, _leave.__code__, _quietly.__code__):
    _OURS.add(_code)


# --- the reference's structure and the learner's outputs in it ---------------------------------


def _structure(value):
    """The reference output's structure: "array", or a list of structures."""
    if isinstance(value, (list, tuple)):
        return [_structure(v) for v in value]
    return "array"


def _flat_reference(reference):
    if isinstance(reference, (list, tuple)):
        return [leaf for r in reference for leaf in _flat_reference(r)]
    return [np.asarray(reference, dtype=float)]


def _assemble(tree):
    """An array from a plain leaf, or from a sequence of numbers or of equal-shaped arrays."""
    if tree[0] == "num":
        return _decode_array(tree)
    if tree[0] == "seq" and tree[2]:
        parts = [_assemble(t) for t in tree[2]]
        if all(p is not None for p in parts) and len({p.shape for p in parts}) == 1:
            return np.stack(parts)
    return None


class _Problem(Exception):
    """What the learner returned is not the outputs asked for: `text` says how, for the case."""

    def __init__(self, text, key="outputs"):
        super().__init__(text)
        self.text, self.key = text, key


def _leaves(tree, structure, names, spec):
    """The learner's outputs as float arrays in the reference's structure, with notes on arrays that
    came as lists; raises _Problem, whose text names the output (or the function, for what it
    returned as a whole)."""
    out, notes = [], []
    parts = spec.parts or names

    def fit(node, shape, label, leaf_names, top=False):
        kind = node[0]
        is_, has = ("returned", "returned") if top else ("is", "has")
        if kind == "ellipsis":
            raise _Problem("ellipsis", key="unanswered")
        if kind == "none":
            raise _Problem(f"{label} {is_} None" + (": is the return statement missing?" if top else ""))
        if kind == "bad":
            raise _Problem(f"{label} {is_} {node[1]}")
        if kind == "huge":
            count = f"{node[1]:,} numbers" if node[1] else "more numbers than could be read"
            shaped = f" (shape {node[2]})" if node[2] is not None else ""
            raise _Problem(f"{label} {has} {count}{shaped}, far more than the answer has, so it was not read")
        if shape == "array":
            if kind == "num":
                out.append(_decode_array(node))
                return
            array = _assemble(node)
            if array is None:
                raise _Problem(_sequence_problem(f"{label} {is_}", node))
            out.append(array)
            count = len(node[2])
            what = "number" if node[2][0][0] == "num" and node[2][0][1] == () else "array"
            notes.append(f"{label} {is_} a {node[1]} of {count} {what}{'s' if count != 1 else ''}, not one array "
                         "(return the array itself: np.array(...), or no list(...))")
            return
        # a sequence of outputs
        if top:
            should = f"it should return {len(shape)}: {spec.returns}"
        else:
            should = f"it should be a list of {len(shape)} arrays, one per layer"
        if kind != "seq":
            raise _Problem(f"{label} {is_} one array; {should}")
        for item in _descendants(node):  # a list that holds itself says more than its length
            if item[0] == "bad" and ("contains itself" in item[1] or "levels deep" in item[1]):
                raise _Problem(f"{label} {is_} {item[1]}")
        items = node[2]
        if len(items) != len(shape):
            noun = "value" if top else "item"
            raise _Problem(f"{label} {has} {len(items)} {noun}{'s' if len(items) != 1 else ''}; {should}")
        offset = 0
        for k, (item, sub) in enumerate(zip(items, shape)):
            width = _count(sub)
            sub_names = leaf_names[offset:offset + width]
            if sub == "array":
                sub_label = sub_names[0] if top else f"{sub_names[0]} (item {k} of {label})"
            else:
                sub_label = parts[k] if top and k < len(parts) else f"item {k}"
            fit(item, sub, sub_label, sub_names)
            offset += width

    fit(tree, structure, spec.name, names, top=True)
    return out, notes


def _sequence_problem(label, node):
    """Why a list where an array belongs does not make one array."""
    kind, items = node[1], node[2]
    for item in _descendants(node):
        if item[0] == "bad" and ("contains itself" in item[1] or "levels deep" in item[1]):
            return f"{label} {item[1]}"
        if item[0] in ("bad", "none", "huge"):
            what = {"bad": lambda: item[1], "none": lambda: "None", "huge": lambda: "far too many numbers"}[item[0]]()
            return f"{label} a {kind} holding {what}, not one array of numbers"
    if not items:
        return f"{label} an empty {kind}"
    return f"{label} a {kind} of {len(items)} item{'s' if len(items) != 1 else ''} of different shapes, not one array"


def _descendants(node):
    if node[0] == "seq":
        for item in node[2]:
            yield item
            yield from _descendants(item)


def _count(structure):
    return 1 if structure == "array" else sum(_count(s) for s in structure)


# --- comparing one output array ----------------------------------------------------------------


def _close(a, e, rtol, atol):
    return a.shape == e.shape and bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))


def _close_or_both_nan(a, e, rtol, atol):
    """Close where finite, and NaN or inf in the same places (a known mistake may overflow)."""
    if a.shape != e.shape:
        return False
    fa, fe = np.isfinite(a), np.isfinite(e)
    return bool(np.array_equal(fa, fe) and np.all(np.abs(a[fa] - e[fe]) <= atol + rtol * np.abs(e[fe])))


def compare_array(a, e, n, rtol=1e-6, atol=1e-9, bias=False):
    """Diagnose one output array against the reference array, for a batch of n rows.

    Returns:
        (kind, text): kind is "ok", "nan", "shape", "keepdims", "transposed", "bias-not-summed",
        "axis", "sign", "factor", "wrong"; text is a sentence fragment (no reference values).
    """
    with np.errstate(all="ignore"):
        return _compare_array(np.asarray(a, dtype=float), np.asarray(e, dtype=float), n, rtol, atol, bias)


def _compare_array(a, e, n, rtol, atol, bias):
    if a.shape == e.shape and _close(a, e, rtol, atol):
        return "ok", ""
    if a.shape == e.shape and not np.all(np.isfinite(a)):
        return "nan", ("has NaN or inf entries (exp of a large number overflows; log(0) and 0/0 give these)")
    if a.shape != e.shape:
        got, want = a.shape, e.shape
        if a.ndim == 2 and a.T.shape == want:
            if _close(a.T, e, rtol, atol):
                return "transposed", f"has shape {got} instead of {want}: it is the transpose of the right answer"
            return "shape", f"has shape {got} instead of {want}: the transpose would have the right shape, but the numbers differ too"
        if a.size == e.size and _close(a.reshape(want), e, rtol, atol):
            if tuple(s for s in got if s != 1) == tuple(s for s in want if s != 1):
                how = ("drop keepdims=True or use .ravel()" if a.ndim > e.ndim
                       else "an axis of length 1 is missing: use keepdims=True or .reshape")
                return "keepdims", f"has shape {got} instead of {want}: the numbers are right, {how} (numpy would broadcast {got} against {want}, so this is not a detail)"
            return "shape", f"has shape {got} instead of {want}: the numbers are right but arranged differently (.reshape)"
        if bias and a.ndim == 2 and a.shape[1:] == want and a.shape[0] == n and n > 1:
            if _close(a.sum(axis=0), e, rtol, atol):
                return "bias-not-summed", f"has shape {got} instead of {want}: one row per example; a bias gradient adds up the rows (the sum over the batch, axis=0)"
            return "bias-not-summed", f"has shape {got} instead of {want}: one row per example; a bias gradient is reduced over the batch (axis=0)"
        if len(want) == 1 and a.ndim == 1 and a.shape[0] == n and n != want[0]:
            return "axis", f"has shape {got} instead of {want}: one entry per example, so it was summed over the wrong axis (the units, axis=1, not the examples, axis=0)"
        return "shape", f"has shape {got} instead of {want}"
    if a.ndim == 2 and a.shape[0] == a.shape[1] and _close(a.T, e, rtol, atol) and not _close(e.T, e, rtol, atol):
        return "transposed", "is the transpose of the right answer (rows and columns swapped)"
    if np.any(e != 0) and _close(-a, e, rtol, atol):
        return "sign", "has the wrong sign: it is the negative of the right answer"
    c = _ratio(a, e)
    if c is not None and abs(c) > 1e-12 and abs(c - 1) > 1e-6 and _close(a, c * e, 1e-7, atol):
        return "factor", f"is {_constant_factor(c)}"
    if not np.all(np.isfinite(a)):
        return "nan", "has NaN or inf entries (exp of a large number overflows; log(0) and 0/0 give these)"
    off = int(np.sum(np.abs(a - e) > atol + rtol * np.abs(e)))
    return "wrong", f"has {off} of its {e.size} entries wrong"


def _ratio(a, e):
    ee = float(np.sum(e * e))
    if not ee > 0 or not np.all(np.isfinite(a)):
        return None
    c = float(np.sum(a * e) / ee)
    return c if math.isfinite(c) else None


def _constant_factor(c):
    for value, text in ((2.0, "twice the right answer: a 2 too many (or a ½ missing)"),
                        (0.5, "half the right answer: a 2 missing"),
                        (-2.0, "minus twice the right answer: the sign is wrong and there is a 2 too many"),
                        (-0.5, "minus half the right answer: the sign is wrong and a 2 is missing")):
        if abs(c - value) < 1e-7 * abs(value):
            return text
    return "the right answer times a constant: the method looks right but a constant factor is off"


# --- the verdict --------------------------------------------------------------------------------


_PREFERENCE = ("transposed", "bias-not-summed", "axis", "keepdims", "shape", "sign", "factor", "nan", "wrong")
_SHAPE_KINDS = ("transposed", "bias-not-summed", "axis", "keepdims", "shape")
PRECISION = 1e-4  # an output within this share of its largest entry: the method is right, digits were lost

_ADVICE = (  # what an exception's message usually means here: where to look
    ("operands could not be broadcast", "Two arrays whose shapes do not fit met in an elementwise operation "
                                        "(* + −): is a matrix product (@), a transpose or keepdims=True missing?"),
    ("mismatch in its core dimension", "The inner sizes of a matrix product (@) do not match: which factor needs a transpose?"),
    ("not aligned", "The inner sizes of a matrix product do not match: which factor needs a transpose?"),
    ("positional argument", "Check the arguments: the function is called as {call}."),
    ("cannot reshape", "A reshape keeps every number; turning many numbers into fewer takes a sum (or another reduction)."),
    ("values to unpack", "Does the code unpack a fixed number of items (W1, W2 = Ws)? The number varies: loop over them."),
    ("has no attribute 'shape'", "A list where an array was expected: np.array(...) makes one."),
    ("index", "An index past the end of an axis or a list: does the code assume a number of rows, units or layers?"),
)


def _advice(run, spec):
    text = f"{run.exc_type}: {run.exc_text or ''}"
    if run.exc_type == "SystemExit":
        return " sys.exit() or exit() ends the program: return the result instead."
    if run.exc_type == "RecursionError":
        return " The function calls itself without end."
    if run.exc_type == "MemoryError":
        return " It needs far more memory than the answer does."
    if run.exc_type == "NameError":
        return " A name it uses is defined nowhere it can see (in a cell that was not run?)."
    for words, advice in _ADVICE:
        if words in text:
            return " " + advice.format(call=spec.call)
    return ""


def _raised_text(run):
    if run.exc_text is None:
        return f"{run.exc_type} (its message could not be read: its __str__ did not return)"
    return f"{run.exc_type}: {run.exc_text}" if run.exc_text else run.exc_type


def _is_stub(fn):
    """True for a plain function whose body does nothing (``...`` or ``pass``, perhaps a docstring)."""
    if type(fn) is not types.FunctionType:
        return False
    code = types.FunctionType.__code__.__get__(fn)
    if len(code.co_code) > 64:  # far more than `...`, a docstring and a return
        return False
    ops = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP", "CACHE")]
    if len(ops) == 1 and ops[0].opname == "RETURN_CONST":
        return ops[0].argval is None or ops[0].argval is Ellipsis
    return (len(ops) == 2 and ops[0].opname == "LOAD_CONST" and ops[1].opname == "RETURN_VALUE"
            and (ops[0].argval is None or ops[0].argval is Ellipsis))


def _signature_problem(fn, spec, args):
    """A sentence if a plain function cannot be called with the spec's arguments, else None. Only
    plain functions are inspected here: any other callable shows it when called."""
    if type(fn) is not types.FunctionType:
        return None
    attributes = types.FunctionType.__dict__["__dict__"].__get__(fn)
    if "__wrapped__" in attributes or "__signature__" in attributes:  # inspect would follow them
        return None
    try:
        signature = inspect.signature(fn)
        signature.bind(*args)
    except TypeError:
        try:
            theirs = f"{str.__str__(types.FunctionType.__name__.__get__(fn))}{signature}"
        except Exception:
            theirs = "your function"
        return (f"cannot check this: {theirs} cannot be called as {spec.call}; it takes {len(spec.args)} "
                f"argument{'s' if len(spec.args) != 1 else ''}, in this order.")
    except (ValueError, RecursionError):
        return None
    return None


def _listing(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _matches(runs, mistake_runs, rtol, atol, structure, names, spec):
    """The learner's runs agree with a mistake's on every case: the same outcome, the same
    exception type, the same outputs; except that where the learner's outputs hold NaN or inf
    (a second slip, an overflow: said after the mistake) the case is left out.

    Returns:
        None if they do not agree, else the indices of the cases left out."""
    compared, left_out = 0, []
    for run, (outcome, value) in zip(runs, mistake_runs):
        if run.outcome != outcome:
            return None
        if outcome == "raised":
            if run.exc_type != value:
                return None
            continue
        try:
            mine, _ = _leaves(run.tree, structure[run.case_index], names[run.case_index], spec)
        except _Problem:
            return None
        theirs = _flat_reference(value)
        if len(mine) != len(theirs):
            return None
        if all(_close_or_both_nan(m, t, rtol, atol) for m, t in zip(mine, theirs)):
            compared += 1
            continue
        if any(m.shape == t.shape and not np.all(np.isfinite(m)) for m, t in zip(mine, theirs)) and all(
                m.shape == t.shape and _close(m[np.isfinite(m)], t[np.isfinite(m)], rtol, atol) for m, t in zip(mine, theirs)):
            left_out.append(run.case_index)
            continue
        return None
    return left_out if compared > len(left_out) else None


def _mistake_runs(fn, cases_args):
    out = []
    for args in cases_args:
        try:
            with np.errstate(all="ignore"):  # (warnings are silenced around the whole check)
                out.append(("ok", fn(*_copy(args))))
        except Exception as exc:  # noqa: BLE001 - a known mistake may well raise
            out.append(("raised", _type_name(exc)))
    return out


def compare_function(exercise, answer):
    """Check a learner's function against the reference function of a function exercise.

    Returns:
        (status, diagnosis, message), status one of "correct", "wrong", "invalid", "unanswered".
    """
    early = preliminary(exercise, answer)
    if early is not None:
        return early
    spec = exercise.spec
    cases_args = spec.inputs(exercise.id)
    problem = _signature_problem(answer, spec, cases_args[0])
    if problem:
        return "invalid", "invalid", problem
    references = _references(exercise, cases_args)
    sizes = [sum(r.size for r in _flat_reference(ref)) for ref in references]
    limits = [OUTPUT_SLACK * size + 1000 for size in sizes]
    runs, stop = _execute(answer, spec, cases_args, limits)
    verdict = _Verdict(exercise, spec, runs, stop, cases_args, references)
    return verdict.judge()


def preliminary(exercise, answer):
    """The verdict before any call (not answered, not a function), or None."""
    spec = exercise.spec
    call = spec.call
    if answer is Ellipsis or answer is None:
        return "unanswered", "unanswered", f"not answered yet: write {call} in the cell, then run it again."
    if not callable(answer):
        return "invalid", "invalid", (
            f"cannot check this: it is a {_type_name(answer)}, not a function. Pass the function itself, "
            f"without parentheses: check(\"{exercise.id}\", {spec.name}).")
    if issubclass(type(answer), type):  # (not inspect.isclass: it would read the object's __class__)
        return "invalid", "invalid", (
            f"cannot check this: it is a class, not a function. Pass the function itself: check(\"{exercise.id}\", {spec.name}).")
    if _is_stub(answer):
        return "unanswered", "unanswered", (
            f"not answered yet: the body of {spec.name} is still ...; write it, then run the cell again.")
    return None


def _references(exercise, cases_args):
    reference = exercise.expected()
    return [_quiet(reference, _copy(args)) for args in cases_args]


# --- grading: the learner's calls recorded in one process, judged in another ---------------------
# The grader never runs learner code: the test cell of a function exercise calls the learner's
# function (in the sandboxed grading kernel) on inputs drawn from the grader's seed, with
# ``run_cases``, and hands over the plain runs; the grader draws the same inputs from its own seed
# and judges those runs with ``judge_runs``, exactly as ``check`` would have.

GRADING_LIMIT = 200_000   # numbers one case's outputs may hold when the reference is not at hand


def grading_inputs(exercise, seed):
    """The arguments of every case, drawn from `seed` (an int: the grader's, drawn at grading time)."""
    import zlib

    return exercise.spec.inputs(exercise.id, np.random.default_rng([int(seed), zlib.crc32(exercise.id.encode())]))


def run_cases(fn, spec, cases_args, limits=None):
    """Call `fn` on every case within the check's budget (as ``check`` does): (runs, stop or None),
    all plain data. Without `limits` (the kernel that grades cannot see the references) each case's
    outputs may hold up to GRADING_LIMIT numbers."""
    limits = [GRADING_LIMIT] * len(cases_args) if limits is None else limits
    return _execute(fn, spec, cases_args, limits)


def judge_runs(exercise, runs, stop, cases_args):
    """The verdict on recorded runs of the learner's function on `cases_args`: (status, diagnosis,
    message), the same as ``compare_function`` gives for the function that made them."""
    spec = exercise.spec
    for run, args, case in zip(runs, cases_args, spec.cases):
        run.args, run.case = args, case
    return _Verdict(exercise, spec, runs, stop, cases_args, _references(exercise, cases_args)).judge()


class _Verdict:
    """The diagnosis of one check's runs, in the order the module's docstring gives."""

    def __init__(self, exercise, spec, runs, stop, cases_args, references):
        self.exercise, self.spec, self.runs, self.stop = exercise, spec, runs, stop
        self.cases_args, self.references = cases_args, references
        self.rtol, self.atol = exercise.rtol, exercise.atol
        self.structure = [_structure(r) for r in references]
        self.names = [spec.outputs(c) for c in spec.cases]
        self.parts = spec.parts or self.names[0]
        for index, run in enumerate(runs):
            run.case_index = index

    def where(self, run):
        return self.spec.shapes(run.args, run.case)

    def judge(self):
        spec, runs = self.spec, self.runs
        name = spec.name
        if self.stop is not None:
            timed = self._stopped()
            if timed:
                return timed
        ok_runs = [r for r in runs if r.outcome == "ok"]
        raised = [r for r in runs if r.outcome == "raised"]
        if raised and not ok_runs:
            first = raised[0]
            return "wrong", "raised", (
                f"not yet: {name} raised {_raised_text(first)} (on {self.where(first)}).{_advice(first, spec)}")
        if any(_tree_has_ellipsis(r.tree) for r in ok_runs):
            return "unanswered", "unanswered", (
                f"not answered yet: {name} still returns ...; replace it with your code, then run the cell again.")
        mutated = [r for r in runs if r.mutated]
        if mutated:
            return "wrong", "mutation", (
                f"not yet: {name} changed its input {_listing(mutated[0].mutated)} in place (on "
                f"{self.where(mutated[0])}). Leave the inputs alone, since the caller still needs them "
                "(the forward pass's X and W are used again in the backward pass): compute into a new array "
                "(x = x * m, not x *= m or x[...] = ...).")
        self.leaves, self.notes, self.problems = {}, {}, {}
        for run in ok_runs:
            i = run.case_index
            try:
                self.leaves[i], self.notes[i] = _leaves(run.tree, self.structure[i], self.names[i], spec)
            except _Problem as problem:
                self.problems[i] = problem
        self.kinds = {}
        for i, leaves in self.leaves.items():
            refs = _flat_reference(self.references[i])
            self.kinds[i] = [compare_array(a, e, spec.cases[i]["N"], self.rtol, self.atol, bias=n in spec.bias)
                             for a, e, n in zip(leaves, refs, self.names[i])]
        # float32 or float16 outputs are never right: 06 computes in float64, and float32 rounding can
        # hide inside the tolerance on one input and not on the next
        self.low = {i for i, r in enumerate(runs) if r.outcome == "ok" and _dtype(r.tree) in ("float32", "float16")}
        right = {i for i, v in self.kinds.items()
                 if all(k == "ok" for k, _ in v) and not self.notes[i] and i not in self.low}
        if len(right) == len(runs):
            return "correct", "correct", (
                f"correct: {name} agrees with the reference on all {len(runs)} inputs, drawn afresh at every check"
                f"{': ' + spec.covers if spec.covers else ''}.")
        for mistake in (*self.exercise.mistakes, *spec.slips):
            theirs = _mistake_runs(mistake.value(), self.cases_args)
            left_out = _matches(runs, theirs, self.rtol, self.atol, self.structure, self.names, spec)
            if left_out is not None:
                also = ""
                if left_out:
                    run = self.runs[left_out[0]]
                    also = (f" Besides, on {self.where(run)} it gives NaN or inf (exp of a large number overflows; "
                            "log(0) and 0/0 give these).")
                    rule = self._separating(set(left_out), set(range(len(runs))) - set(left_out), sides=("wrong-only",))
                    if rule:
                        also += f" {rule.advice}"
                return "wrong", f"mistake:{mistake.name}", (
                    f"not yet: this is a known mistake, {mistake.name}. {mistake.hint}{also}")
        if self.problems and right:  # wrong outputs on some inputs only: say on which, if a rule says it
            ruled = self._rule(right)
            if ruled:
                return ruled
        # float32 outputs: precision first; otherwise a small error on one class of inputs (a threshold
        # near ReLU's kink) is better said by the rule than as lost digits
        return (self._outputs() or self._order() or (self._precision() if self.low else None)
                or self._relation(right) or self._rule(right) or self._precision() or self._nan()
                or self._plain_wrong(right))

    # -- each diagnosis, or None -----------------------------------------------------------

    def _stopped(self):
        stop, name = self.stop, self.spec.name
        run = self.runs[stop.index] if 0 <= stop.index < len(self.runs) else None
        on = f" on {self.where(run)}" if run is not None else ""
        if run is not None and run.outcome == "raised":  # the call ended; its exception's __str__ did not
            return "wrong", "raised", (f"not yet: {name} raised {_raised_text(run)}{on}.")
        if stop.reason == "crashed" and stop.detail == "cpu":
            stop.reason = "cpu"
        if stop.reason == "wall" and stop.cpu >= 0.4 * stop.limit > 0:
            # far more computing than any honest answer to these small inputs needs (a millisecond):
            # the machine is busy, but this function would not have finished anyway
            stop.reason = "cpu"
        if stop.reason == "cpu":
            return "wrong", "timeout", (
                f"not yet: {name} needed more than {stop.cpu:.1g} s of computing{on}, so it was stopped (the reference "
                "takes a millisecond). Is there a loop that never ends, or a Python loop over every entry where "
                "one matrix operation would do?")
        if stop.reason == "wall":
            if stop.idle:
                return "wrong", "timeout", (
                    f"not yet: {name} did not return within {stop.wall:.0f} s{on}, and it was hardly computing: "
                    "does it wait for something (time.sleep, input(), a lock)?")
            return "invalid", "timeout", (
                f"cannot check this now: the computer is too busy ({name} got only {stop.cpu:.1f} s of computing in "
                f"{stop.wall:.0f} s{on}). Run the cell again in a moment.")
        if stop.reason == "huge":
            return "wrong", "outputs", f"not yet: {name} returned far more data than the answer has{on}."
        if stop.reason == "crashed":
            return "wrong", "crashed", f"not yet: {name} {stop.detail}{on}, so it could not be checked."
        return None

    def _what(self, run):
        """What went wrong on one case, as a sentence fragment."""
        i = run.case_index
        if run.outcome == "raised":
            return f"it raised {_raised_text(run)}"
        if i in self.problems:
            return self.problems[i].text
        if i in self.kinds:
            for n, (kind, text) in zip(self.names[i], self.kinds[i]):
                if kind != "ok":
                    return f"{n} {text}"
        if self.notes.get(i):
            return self.notes[i][0]
        return "it is wrong"

    def _outputs(self):
        if not self.problems and not any(self.notes.values()):
            return None
        name = self.spec.name
        if self.problems:
            i = min(self.problems)
            problem = self.problems[i]
            if problem.key == "unanswered":
                return "unanswered", "unanswered", (
                    f"not answered yet: {name} still returns ...; replace it with your code, then run the cell again.")
            ok = [r.case_index for r in self.runs if r.outcome == "ok"]
            end = "" if problem.text.endswith("?") else "."
            if set(self.problems) == set(ok):  # the same on every input: no need to name one
                return "wrong", "outputs", f"not yet: {problem.text}{end}"
            also = self._only_on(set(self.problems))
            return "wrong", "outputs", f"not yet: on {self.where(self.runs[i])}, {problem.text}{end}{also}"
        i = max((i for i, n in self.notes.items() if n), key=lambda k: (self.runs[k].case["N"], -k))
        values = ("The values are right." if all(k == "ok" for k, _ in self.kinds[i])
                  else f"Its values differ too: {self._what(self.runs[i])}.")
        return "wrong", "outputs", f"not yet: {self.notes[i][0]}. {values}"

    def _only_on(self, bad):
        """" It happens only for <class>." when a rule separates the cases in `bad` from the others."""
        rule = self._separating(bad, set(range(len(self.runs))) - bad, sides=("wrong-only",))
        return f" This happens only {rule.says.removeprefix('wrong only ')}: {rule.advice}" if rule else ""

    def _order(self):
        """The right outputs in another order (dW before dX; the layers from the output down)."""
        for perm_name, perm in self._permutations():
            if all(i in self.leaves and _all_close(perm(self.leaves[i]), _flat_reference(self.references[i]), self.rtol, self.atol)
                   for i in range(len(self.runs))):
                return "wrong", "order", f"not yet: {self.spec.name} returns the right arrays in the wrong order: {perm_name}."
        return None

    def _permutations(self):
        first = self.structure[0]
        if first == "array":
            return
        if all(s == "array" for s in first) and 1 < len(first) <= 4:
            for p in itertools.permutations(range(len(first))):
                if p != tuple(range(len(first))):
                    order = ", ".join(self.parts[k] for k in p)
                    yield (f"they come as ({order}); the order asked for is {self.spec.returns}",
                           lambda leaves, p=p: [leaves[k] for k in p] if len(leaves) == len(p) else leaves)
            return
        if all(isinstance(s, list) for s in first):  # lists of layers, from the output layer down?
            yield "each list runs from the output layer down; it should start with layer 1", _reverse_layers

    def _precision(self):
        failing = [i for i, v in self.kinds.items() if any(k != "ok" for k, _ in v) or i in self.low]
        if not failing or any(r.outcome != "ok" for r in self.runs) or self.problems:
            return None
        loose = []
        # float32 arithmetic on quantities of order 1 (probabilities, ones) leaves absolute errors of a
        # few float32 epsilons whatever the output's own scale: P - T at logits in the hundreds is about
        # 1e-5 with an error of 6e-8 (a loss of digits relative to P, not to P - T)
        floor = 16 * float(np.finfo(np.float32).eps) if self.low else 0.0
        for i in failing:
            for a, e in zip(self.leaves[i], _flat_reference(self.references[i])):
                if a.shape != e.shape or not np.all(np.isfinite(a)):
                    return None
                scale = float(np.max(np.abs(e))) if e.size else 0.0
                if not np.all(np.abs(a - e) <= self.atol + max(PRECISION * max(scale, 1e-300), floor)):
                    return None
                loose.append(a)
        float32 = bool(self.low)
        why = ("it computes in float32 (about 7 significant digits): keep every array in float64" if float32 else
               "is something rounded (np.round), approximated (a finite difference) or computed in float32? Compute it exactly, in float64")
        return "wrong", "precision", (
            f"not yet: {self.spec.name} is right to about 5 to 7 significant digits only (on {self.where(self.runs[failing[0]])}): {why}.")

    def _relation(self, right):
        """The first wrong output, wrong in the same way wherever it is wrong: a shape, the
        transpose, the sign, a factor. (Where some inputs raised, the exception says more.)"""
        if any(r.outcome != "ok" for r in self.runs):
            return None
        for name in self._order_of_names():
            bad = [(i, self._kind(i, name)) for i in self.kinds if self._kind(i, name)[0] not in ("ok", None)]
            if not bad:
                continue
            others = [n for n in self._order_of_names() if n != name
                      and all(self._kind(i, n)[0] in ("ok", None) for i in self.kinds)]
            tail = f" ({_listing(others)} {'is' if len(others) == 1 else 'are'} right)" if others else ""
            kinds = {k for _, (k, _) in bad}
            shaped = [(i, kt) for i, kt in bad if kt[0] in _SHAPE_KINDS]
            if shaped:  # the kind seen on most inputs (ties: the more telling one)
                counts = {k: sum(1 for _, kt in shaped if kt[0] == k) for k in {kt[0] for _, kt in shaped}}
                kind = min(counts, key=lambda k: (-counts[k], _PREFERENCE.index(k)))
                cases = [i for i, kt in shaped if kt[0] == kind]
                text = next(kt[1] for _, kt in shaped if kt[0] == kind)
                key = "shape" if kind == "keepdims" else kind
                rule = self._separating({i for i, _ in bad}, set(self.kinds) - {i for i, _ in bad}, sides=("wrong-only",))
                also = ""
                if rule:  # the shapes where it shows say more than the shape itself
                    key, also = rule.key, f" This happens only {rule.says.removeprefix('wrong only ')}: {rule.advice}"
                return "wrong", key, f"not yet: {name} {text}; seen on {self._cases_text(cases)}{tail}.{also}"
            if kinds == {"transposed"}:
                return "wrong", "transposed", (
                    f"not yet: {name} is the transpose of the right answer (rows and columns swapped); seen on "
                    f"{self._cases_text([i for i, _ in bad])}{tail}.")
            factor = self._factor(name)
            if factor:
                key, says = factor
                return "wrong", key, f"not yet: {name} is {says}; seen on {self._cases_text([i for i, _ in bad])}{tail}."
            return None
        return None

    def _factor(self, name):
        """(key, what it means) if the output is the reference times a factor that one formula
        explains on every case (1 where it is right), else None."""
        pairs = []
        for i in self.kinds:
            a, e = self._leaf(i, name)
            if a is None or a.shape != e.shape or not np.all(np.isfinite(a)):
                return None
            pairs.append((i, a, e))
        ratios = {}
        for i, a, e in pairs:
            if not np.any(np.abs(e) > 10 * self.atol):  # a reference of (almost) zeros says nothing of a factor
                continue
            c = _ratio(a, e)
            if c is None or abs(c) < 1e-9 or not _close(a, c * e, 1e-7, self.atol):
                return None  # (all zeros is no factor: it is a quantity forgotten)
            ratios[i] = c
        if not ratios or all(abs(c - 1) < 1e-7 for c in ratios.values()):
            return None

        def fits(f):
            return all(abs(c - f(self.spec.cases[i])) <= 1e-7 * max(1.0, abs(c)) for i, c in ratios.items())

        if fits(lambda case: -1.0):
            return "sign", "the negative of the right answer: the sign is wrong"
        for constant in (2.0, 0.5, -2.0, -0.5):
            if fits(lambda case, k=constant: k):
                return "factor", _constant_factor(constant)
        for factor in self.spec.factors:
            if fits(factor.value):
                return "factor", factor.says
        values = list(ratios.values())
        if any(abs(v - 1) < 1e-7 for v in values):  # right on some inputs: which ones says more
            return None
        if all(abs(v - values[0]) <= 1e-7 * abs(values[0]) for v in values):
            return "factor", "the right answer times the same constant on every input: the method looks right, but a constant factor is off"
        return "factor", ("the right answer times a factor that changes with the shapes: a division or "
                          "multiplication by a size (N, a width) is off")

    def _rule(self, right):
        passing = set(right)
        failing = set(range(len(self.runs))) - passing
        rule = self._separating(failing, passing)
        if rule is None:
            return None
        first = self.runs[min(failing)]
        # an exception says best what went wrong on the failing inputs; else the rule's advice
        advice = (_advice(first, self.spec).strip() if first.outcome == "raised" else "") or rule.advice
        return "wrong", rule.key, (f"not yet: {self.spec.name} is {rule.says}: on {self.where(first)}, {self._what(first)}. "
                                   f"{advice}")

    def _separating(self, failing, passing, sides=("right-only", "wrong-only")):
        cases = self.spec.cases
        # a degenerate case (one class: every gradient is 0) is right for many wrong functions:
        # being right there says nothing
        passing = {i for i in passing if not cases[i].get("degenerate")}
        if not failing or not passing:
            return None
        for rule in self.spec.rules:
            if rule.side not in sides:
                continue
            holds_f = [bool(rule.test(cases[i])) for i in failing]
            holds_p = [bool(rule.test(cases[i])) for i in passing]
            if rule.side == "right-only" and all(holds_p) and not any(holds_f):
                return rule
            if rule.side == "wrong-only" and all(holds_f) and not any(holds_p):
                return rule
        return None

    def _nan(self):
        for i, v in self.kinds.items():
            for n, (kind, text) in zip(self.names[i], v):
                if kind == "nan":
                    return "wrong", "nan", f"not yet: on {self.where(self.runs[i])}, {n} {text}."
        return None

    def _plain_wrong(self, right):
        name = self.spec.name
        raised = [r for r in self.runs if r.outcome == "raised"]
        if raised:
            ok = [r for r in self.runs if r.outcome == "ok"]
            return "wrong", "raised", (
                f"not yet: {name} raised {_raised_text(raised[0])} on {self.where(raised[0])} "
                f"(and returned on {self.where(ok[0])}).{_advice(raised[0], self.spec)}")
        for n in self._order_of_names():
            bad = [i for i in self.kinds if self._kind(i, n)[0] not in ("ok", None)]
            if bad:
                others = [m for m in self._order_of_names() if m != n
                          and all(self._kind(i, m)[0] in ("ok", None) for i in self.kinds)]
                tail = f" ({_listing(others)} {'is' if len(others) == 1 else 'are'} right)" if others else ""
                fine = " It is right on the others." if right else ""
                return "wrong", "wrong", (
                    f"not yet: {n} has wrong entries on {self._cases_text(bad)}{tail}.{fine}")
        return "wrong", "wrong", f"not yet: {name} does not agree with the reference."

    # -- helpers ----------------------------------------------------------------------------

    def _order_of_names(self):
        order = []
        for i in sorted(self.kinds):
            order.extend(n for n in self.names[i] if n not in order)
        return order

    def _kind(self, i, name):
        names = self.names[i]
        if name not in names:
            return (None, "")
        return self.kinds[i][names.index(name)]

    def _leaf(self, i, name):
        names = self.names[i]
        if name not in names:
            return None, None
        k = names.index(name)
        return self.leaves[i][k], _flat_reference(self.references[i])[k]

    def _cases_text(self, indices):
        indices = list(indices)
        shown = _listing([self.where(self.runs[i]) for i in indices[:2]])
        return shown + (f" (and {len(indices) - 2} more)" if len(indices) > 2 else "")


def _reverse_layers(leaves):
    """The leaves of (dWs, dbs) with each list reversed."""
    half = len(leaves) // 2
    return list(reversed(leaves[:half])) + list(reversed(leaves[half:]))


def _all_close(mine, theirs, rtol, atol):
    return len(mine) == len(theirs) and all(_close(m, t, rtol, atol) for m, t in zip(mine, theirs))


def _tree_has_ellipsis(tree):
    """A plain tree (what came back from the learner's code) that still holds `...`."""
    if tree is None:
        return False
    if tree[0] == "ellipsis":
        return True
    if tree[0] == "seq":
        return any(_tree_has_ellipsis(t) for t in tree[2])
    return False


def _has_ellipsis(value, depth=0):
    """A value that still holds `...` (for the gradient debugger, which calls the learner's
    function in this process): lists, tuples and object arrays, to a few levels."""
    if value is Ellipsis:
        return True
    if depth > MAX_DEPTH:
        return False
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v, depth + 1) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object and value.size <= 10_000:
        return any(v is Ellipsis for v in value.flat)
    return False


def _dtype(tree):
    if tree is None:
        return None
    if tree[0] == "num":
        return tree[3]
    if tree[0] == "seq":
        for t in tree[2]:
            d = _dtype(t)
            if d in ("float32", "float16"):
                return d
    return None
