"""Checking a function the learner wrote (notebook 06): call it on reproducible random inputs of
several shapes, compare with the reference function, and say in one sentence what is wrong.

An exercise of ``kind="function"`` has a ``FunctionSpec`` as its ``spec``: the function's name
and arguments, the input cases (batch 1 and larger, layers of different widths so that no
transpose hides behind a square matrix, and one square case), how to draw each case's inputs,
and the names of the outputs. ``compare_function(exercise, answer)`` returns
``(status, diagnosis, message)`` like the value checkers. The diagnoses, in this order:

- not answered yet (``...``, None, a body that is still ``...``, a result that is still ``...``);
- not a function, or the wrong arguments (a sentence, never a traceback);
- did not return within ``TIME_LIMIT`` seconds, or all the calls together took more than
  ``TOTAL_LIMIT`` times that (``timeout``);
- raised on every case (``raised``, with the exception's own sentence);
- changed its inputs in place (``mutation``);
- returned the wrong number of outputs (``outputs``), or something that is not numbers;
- a known mistake of the exercise, by name, with its hint (``mistake:<name>``);
- right only for square layers (``square-only``: it raised, or was wrong, on the others);
- NaN or inf (``nan``);
- then, for the first output that is wrong: wrong shape (``shape``, saying whether a transpose
  or ``keepdims`` would fix it; a (1, 64) for a (64,) never passes by broadcasting), the
  transpose (``transposed``), the sign (``sign``), a constant factor (``factor``: the missing
  1/N of a mean, a 2), the bias gradient not summed over the batch (``bias-not-summed``), a
  sum over the wrong axis (``axis``), right for a batch of 1 only (``batch-1-only``), or
  plainly wrong (``wrong``), each naming the input shapes where it showed.

The reference values are never shown, only shapes and how large the difference is.
"""

from __future__ import annotations

import dis
import signal
import threading
import time
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

TIME_LIMIT = 2.0  # seconds per call of the learner's function
TOTAL_LIMIT = 2  # all the calls of one check together: at most this many TIME_LIMITs


class TimeUp(BaseException):
    """Raised inside the learner's function when its time is up: a BaseException, so that an
    ``except Exception`` in the learner's code cannot swallow it."""


@dataclass(frozen=True)
class FunctionSpec:
    """What a function exercise needs besides the reference function.

    Attributes:
        name: the function's name, as the notebook defines it ("dense_backward").
        args: the argument names, in order ("dZ", "X", "W").
        returns: what it returns, as the learner reads it ("(dX, dW, db)").
        cases: one dict per input case; each has "N" (the batch size) and may have "square"
            (True for the case whose layers are square); the rest is read by ``make``.
        make: (rng, case) → the tuple of arguments for that case.
        outputs: case → the names of the output arrays, flattened in order
            (("dX", "dW", "db"), or ("∇W1", "∇W2", "∇b1", "∇b2") for a whole network).
        bias: names of outputs that are gradients of a bias (summed over the batch).
        describe: args → a short text of the input shapes; by default "X (5, 3), W (3, 4)".
    """

    name: str
    args: tuple
    returns: str
    cases: tuple
    make: Callable[..., tuple]
    outputs: Callable[[dict], tuple]
    bias: tuple = ()
    describe: Callable[..., str] | None = None
    extra: dict = field(default_factory=dict)

    @property
    def call(self):
        return f"{self.name}({', '.join(self.args)})"

    def inputs(self, exercise_id, seed=None):
        """The arguments of every case, drawn reproducibly (the same at every check), or, with a
        seed (the grader's, drawn at grading time), drawn from that seed."""
        out = []
        for index, case in enumerate(self.cases):
            key = [zlib.crc32(exercise_id.encode()), index] if seed is None else [seed, zlib.crc32(exercise_id.encode()), index]
            rng = np.random.default_rng(key)
            out.append(tuple(self.make(rng, case)))
        return out

    def shapes(self, args):
        if self.describe is not None:
            return self.describe(*args)
        return ", ".join(f"{n} {_shape(a)}" for n, a in zip(self.args, args))


def _shape(a):
    return str(tuple(np.shape(a))) if isinstance(a, np.ndarray) else type(a).__name__


# --- calling the learner's function -----------------------------------------------------------


def _copy(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def _same(a, b):
    if isinstance(a, np.ndarray):
        return isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, (list, tuple)):
        return isinstance(b, (list, tuple)) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return True


def _quiet(fn, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return fn(*args)


def call_with_limit(fn, args, limit=None):
    """Call fn(*args), stopping it after ``limit`` seconds.

    Returns:
        ("ok", result), ("raised", exception) or ("timeout", None). Never raises (but a
        KeyboardInterrupt, the learner stopping the kernel, goes through).
    """
    limit = TIME_LIMIT if limit is None else limit
    if not limit > 0:
        raise ValueError("the time limit must be positive")
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):
        def ring(signum, frame):
            raise TimeUp()

        previous = signal.signal(signal.SIGALRM, ring)
        try:
            try:
                signal.setitimer(signal.ITIMER_REAL, limit)
                result = _quiet(fn, args)
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except TimeUp:
            return "timeout", None
        except (Exception, SystemExit) as exc:
            return "raised", exc
        finally:  # a handler installed outside Python reads as None: put the default back then
            signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        return "ok", result
    # not on the main thread (no signals there): run in a daemon thread and stop waiting for it
    box = {}

    def run():
        try:
            box["ok"] = _quiet(fn, args)
        except BaseException as exc:  # noqa: BLE001 - everything the learner's code can raise
            box["raised"] = exc

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(limit)
    if worker.is_alive():
        return "timeout", None
    if "raised" in box:
        return "raised", box["raised"]
    return "ok", box.get("ok")


def _exception_text(exc):
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:157] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_stub(fn):
    """True for a function whose body does nothing (``...`` or ``pass``, perhaps a docstring)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return False
    ops = [i for i in dis.get_instructions(code) if i.opname not in ("RESUME", "NOP", "CACHE")]
    if len(ops) == 1 and ops[0].opname == "RETURN_CONST":
        return ops[0].argval is None or ops[0].argval is Ellipsis
    return (len(ops) == 2 and ops[0].opname == "LOAD_CONST" and ops[1].opname == "RETURN_VALUE"
            and (ops[0].argval is None or ops[0].argval is Ellipsis))


def _has_ellipsis(value):
    if value is Ellipsis:
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_ellipsis(v) for v in value)
    if isinstance(value, np.ndarray) and value.dtype == object:
        return any(v is Ellipsis for v in value.flat)
    return False


class _Structure(Exception):
    """The learner's result does not have the structure of the reference's."""


def _leaves(value, reference, names):
    """The learner's result as a flat list of float arrays, in the reference's structure."""
    if isinstance(reference, (list, tuple)):
        if not isinstance(value, (list, tuple)):
            raise _Structure(f"one {type(value).__name__}", len(reference))
        if len(value) != len(reference):
            raise _Structure(f"{len(value)} outputs", len(reference))
        out = []
        for v, r in zip(value, reference):
            out.extend(_leaves(v, r, names))
        return out
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, np.ndarray) for v in value):
        raise _Structure(f"{len(value)} arrays", 1)
    try:
        array = np.asarray(value, dtype=float)
    except Exception:  # noqa: BLE001 - whatever the learner returned, a sentence
        raise _Structure(f"a {type(value).__name__}, not numbers", 1) from None
    return [array]


def _flat_reference(reference):
    if isinstance(reference, (list, tuple)):
        return [leaf for r in reference for leaf in _flat_reference(r)]
    return [np.asarray(reference, dtype=float)]


# --- comparing one output array ----------------------------------------------------------------


def _close(a, e, rtol, atol):
    return a.shape == e.shape and bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))


def _close_or_both_nan(a, e, rtol, atol):
    """Close where finite, and NaN or inf in the same places (a known mistake may overflow)."""
    if a.shape != e.shape:
        return False
    fa, fe = np.isfinite(a), np.isfinite(e)
    return bool(np.array_equal(fa, fe) and np.all(np.abs(a[fa] - e[fe]) <= atol + rtol * np.abs(e[fe])))


def _factor_name(c, n):
    """What a constant factor c between the learner's output and the reference means."""
    for value, text in ((2.0, "twice the reference: a 2 too many (or a ½ missing)"),
                        (0.5, "half the reference: a 2 missing"),
                        (-2.0, "minus twice the reference: the sign is wrong and there is a 2 too many"),
                        (-0.5, "minus half the reference: the sign is wrong and a 2 is missing")):
        if abs(c - value) < 1e-9 * abs(value):
            return text
    if n > 1 and abs(c - n) < 1e-9 * n:
        return f"{n} times the reference at batch size N = {n}: the 1/N of the mean over the batch is missing"
    if n > 1 and abs(c - 1 / n) < 1e-9 / n:
        return f"1/{n} of the reference at batch size N = {n}: divided by N once too often"
    return f"the reference times {c:.4g}: the method looks right but a constant factor is off"


def compare_array(a, e, n, rtol=1e-6, atol=1e-9, bias=False):
    """Diagnose one output array against the reference array, for a batch of n rows.

    Returns:
        (kind, text): kind is "ok", "nan", "shape", "keepdims", "transposed", "bias-not-summed",
        "axis", "sign", "factor", "wrong"; text is a sentence fragment (no reference values).
    """
    if a.shape == e.shape and _close(a, e, rtol, atol):
        return "ok", ""
    if not np.all(np.isfinite(a)):
        bad = int(np.sum(~np.isfinite(a)))
        return "nan", (f"has {bad} of its {a.size} entries NaN or inf (exp of a large number overflows, log(0) and "
                       "0/0 give these)")
    if a.shape != e.shape:
        got, want = a.shape, e.shape
        if a.ndim == 2 and a.T.shape == want:
            if _close(a.T, e, rtol, atol):
                return "transposed", f"has shape {got} instead of {want}: it is the transpose of the right answer"
            return "shape", f"has shape {got} instead of {want}: the transpose would have the right shape, but the numbers differ too"
        if a.size == e.size and _close(a.reshape(want), e, rtol, atol):
            if tuple(s for s in got if s != 1) == tuple(s for s in want if s != 1):
                how = ("drop keepdims=True or use .ravel()" if a.ndim > e.ndim
                       else "a vector where a row or column is wanted: use keepdims=True or .reshape")
                return "keepdims", f"has shape {got} instead of {want}: the numbers are right, {how} (numpy would broadcast {got} against {want}, so this is not a detail)"
            return "shape", f"has shape {got} instead of {want}: the numbers are right but arranged differently (.reshape)"
        if bias and a.ndim == 2 and a.shape[1:] == want and a.shape[0] == n and n > 1:
            summed = a.sum(axis=0)
            if _close(summed, e, rtol, atol):
                return "bias-not-summed", f"has shape {got} instead of {want}: one row per example; a bias gradient adds up the rows (the sum over the batch, axis=0)"
            return "bias-not-summed", f"has shape {got} instead of {want}: one row per example; a bias gradient is reduced over the batch (axis=0)"
        if len(want) == 1 and a.ndim == 1 and a.shape[0] == n:
            return "axis", f"has shape {got} instead of {want}: one entry per example, so it was summed over the wrong axis (the units, axis=1, not the examples, axis=0)"
        return "shape", f"has shape {got} instead of {want}"
    if a.ndim == 2 and a.shape[0] == a.shape[1] and _close(a.T, e, rtol, atol):
        return "transposed", "is the transpose of the right answer (rows and columns swapped)"
    if np.any(e != 0) and _close(-a, e, rtol, atol):
        return "sign", "has the wrong sign: it is the negative of the right answer"
    ee = float(np.sum(e * e))
    if ee > 0:
        c = float(np.sum(a * e) / ee)
        if abs(c) > 1e-12 and abs(c - 1) > 1e-6 and _close(a, c * e, rtol, atol):
            return "factor", f"is {_factor_name(c, n)}"
    off = int(np.sum(np.abs(a - e) > atol + rtol * np.abs(e)))
    return "wrong", f"has {off} of its {e.size} entries wrong"


# --- the verdict --------------------------------------------------------------------------------


@dataclass
class _Run:
    """What one case gave: its arguments, the outcome, the result, and whether it mutated."""

    args: tuple
    outcome: str
    result: Any = None
    mutated: tuple = ()


def _run(fn, spec, cases_args):
    """Call the learner's function on every case: each call within TIME_LIMIT, all of them within
    TOTAL_LIMIT × TIME_LIMIT, so that one check stays short however slow the function is."""
    runs, left = [], TOTAL_LIMIT * TIME_LIMIT
    for args in cases_args:
        mine = _copy(args)
        limit = min(TIME_LIMIT, left)
        if limit <= 0.01:  # no time left (a zero timer would mean no limit at all)
            runs.append(_Run(args, "timeout", True))
            break
        start = time.perf_counter()
        outcome, result = call_with_limit(fn, mine, limit)
        left -= time.perf_counter() - start
        mutated = tuple(name for name, before, after in zip(spec.args, args, mine) if not _same(before, after))
        runs.append(_Run(args, outcome, result if outcome != "timeout" else limit < TIME_LIMIT, mutated))
        if outcome == "timeout":
            break
    return runs


_REFERENCE_CACHE: dict = {}
# when an output is wrong in several ways across the cases, the most telling one is reported
_PREFERENCE = ("transposed", "bias-not-summed", "axis", "keepdims", "sign", "factor", "nan", "shape", "wrong")


def _reference_runs(exercise, seed=None):
    key = (exercise.id, seed)
    if key not in _REFERENCE_CACHE:
        if seed is not None:  # the grader's inputs: one submission's, not worth keeping
            _REFERENCE_CACHE.pop(next((k for k in _REFERENCE_CACHE if k[1] is not None), None), None)
        spec = exercise.spec
        cases_args = spec.inputs(exercise.id, seed)
        reference = exercise.expected()
        _REFERENCE_CACHE[key] = (cases_args, [_quiet(reference, _copy(args)) for args in cases_args], {})
    return _REFERENCE_CACHE[key]


def _mistake_runs(exercise, mistake, cases_args, cache):
    if mistake.name not in cache:
        fn = mistake.value()
        out = []
        for args in cases_args:
            try:
                out.append(("ok", _quiet(fn, _copy(args))))
            except Exception as exc:  # noqa: BLE001 - a known mistake may well raise
                out.append(("raised", type(exc)))
        cache[mistake.name] = out
    return cache[mistake.name]


def _matches(runs, mistake_runs, rtol, atol):
    if len(runs) != len(mistake_runs):
        return False
    for run, (outcome, value) in zip(runs, mistake_runs):
        if run.outcome != outcome:
            return False
        if outcome == "raised":
            if type(run.result) is not value:
                return False
            continue
        try:
            mine, theirs = _leaves(run.result, value, None), _flat_reference(value)
        except _Structure:
            return False
        if not all(_close_or_both_nan(m, t, rtol, atol) for m, t in zip(mine, theirs)):
            return False
    return True


def _listing(items):
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def compare_function(exercise, answer):
    """Check a learner's function against the reference function of a function exercise.

    Returns:
        (status, diagnosis, message), status one of "correct", "wrong", "invalid", "unanswered".
    """
    early = preliminary(exercise, answer)
    if early is not None:
        return early
    return judge_runs(exercise, run_cases(answer, exercise.spec, exercise.spec.inputs(exercise.id)))


def preliminary(exercise, answer):
    """The verdict before any call (not answered, not a function, the wrong arguments), or None."""
    spec = exercise.spec
    call = spec.call
    if answer is Ellipsis or answer is None:
        return "unanswered", "unanswered", f"not answered yet: write {call} in the cell, then run it again."
    if not callable(answer):
        return "invalid", "invalid", (
            f"cannot check this: it is a {type(answer).__name__}, not a function. Pass the function itself, "
            f"without parentheses: check(\"{exercise.id}\", {spec.name}).")
    if _is_stub(answer):
        return "unanswered", "unanswered", (
            f"not answered yet: the body of {spec.name} is still ...; write it, then run the cell again.")
    cases_args = spec.inputs(exercise.id)
    try:
        import inspect

        inspect.signature(answer).bind(*cases_args[0])
    except TypeError:
        try:
            import inspect

            theirs = f"{getattr(answer, '__name__', 'your function')}{inspect.signature(answer)}"
        except (TypeError, ValueError):
            theirs = "your function"
        return "invalid", "invalid", (
            f"cannot check this: {theirs} cannot be called as {call}; it takes {len(spec.args)} "
            f"argument{'s' if len(spec.args) != 1 else ''}, in this order.")
    except ValueError:
        pass  # no signature to read (a builtin): just call it
    return None


def run_cases(fn, spec, cases_args):
    """Call the learner's function on every case (see _run): the list of runs judge_runs reads."""
    return _run(fn, spec, cases_args)


def judge_runs(exercise, runs, seed=None):
    """The verdict on the runs of the learner's function on the cases' inputs (drawn from `seed`,
    or the fixed ones): the grader calls this with runs recorded in the learner's sandboxed kernel.

    Returns:
        (status, diagnosis, message).
    """
    spec = exercise.spec
    cases_args, references, mistake_cache = _reference_runs(exercise, seed)
    where = lambda run: spec.shapes(run.args)  # noqa: E731

    timeouts = [r for r in runs if r.outcome == "timeout"]
    if timeouts and timeouts[0].result:  # each call returned in time, but all together took too long
        return "wrong", "timeout", (
            f"not yet: {spec.name} is too slow to check: its first {len(runs)} calls took more than "
            f"{TOTAL_LIMIT * TIME_LIMIT:g} s together (stopped on {where(timeouts[0])}). Is there a Python loop over "
            "the entries where one matrix operation would do?")
    if timeouts:
        return "wrong", "timeout", (
            f"not yet: {spec.name} did not return within {TIME_LIMIT:g} s on {where(timeouts[0])}, "
            "so it was stopped. Is there a loop that never ends, or a loop over every entry where "
            "one matrix operation would do?")
    raised = [r for r in runs if r.outcome == "raised"]
    ok_runs = [r for r in runs if r.outcome == "ok"]
    if any(_has_ellipsis(r.result) for r in ok_runs):
        return "unanswered", "unanswered", (
            f"not answered yet: {spec.name} still returns ...; replace it with your code, then run the cell again.")
    if len(raised) == len(runs):
        return "wrong", "raised", (
            f"not yet: {spec.name} raised {_exception_text(raised[0].result)} (on {where(raised[0])}).")
    mutated = [r for r in runs if r.mutated]
    if mutated:
        return "wrong", "mutation", (
            f"not yet: {spec.name} changed its input {_listing(mutated[0].mutated)} in place (on "
            f"{where(mutated[0])}). Leave the inputs alone, since the caller still needs them "
            "(the forward pass's X and W are used again in the backward pass): compute into a new array (x = x * m, not x *= m or x[...] = ...).")
    if any(r.result is None for r in ok_runs):
        return "wrong", "outputs", f"not yet: {spec.name} returned None: is the return statement missing?"

    # the learner's outputs as flat lists of arrays, in the reference's structure
    flat = {}
    for index, run in enumerate(runs):
        if run.outcome != "ok":
            continue
        try:
            flat[index] = _leaves(run.result, references[index], None)
        except _Structure as bad:
            got, count = bad.args
            names = spec.outputs(spec.cases[index])
            if count == 1:
                return "wrong", "outputs", (
                    f"not yet: {spec.name} returned {got}; it should return one array ({names[0]}).")
            return "wrong", "outputs", (
                f"not yet: {spec.name} returned {got}; it should return {count}: {spec.returns}.")

    for mistake in exercise.mistakes:
        if _matches(runs, _mistake_runs(exercise, mistake, cases_args, mistake_cache), exercise.rtol, exercise.atol):
            return "wrong", f"mistake:{mistake.name}", f"not yet: this is a known mistake, {mistake.name}. {mistake.hint}"

    # which cases are right, output by output
    verdicts = {}
    for index, leaves in flat.items():
        case = spec.cases[index]
        names = spec.outputs(case)
        refs = _flat_reference(references[index])
        verdicts[index] = [compare_array(a, e, case["N"], exercise.rtol, exercise.atol, bias=name in spec.bias)
                           for a, e, name in zip(leaves, refs, names)]
    right = {i for i, v in verdicts.items() if all(kind == "ok" for kind, _ in v)}
    square = {i for i, c in enumerate(spec.cases) if c.get("square")}
    if right and right <= square and len(right) < len(runs):
        other = next(r for i, r in enumerate(runs) if i not in right)
        if other.outcome == "raised":
            why = f"on {where(other)} it raised {_exception_text(other.result)}"
        else:
            i = runs.index(other)
            name, (kind, text) = next((n, v) for n, v in zip(spec.outputs(spec.cases[i]), verdicts[i]) if v[0] != "ok")
            why = f"on {where(other)}, {name} {text}"
        return "wrong", "square-only", (
            f"not yet: right only when the layers are square: {why}. A square matrix hides a missing "
            "or extra transpose; check the shape of every product.")
    if raised:
        return "wrong", "raised", (
            f"not yet: {spec.name} raised {_exception_text(raised[0].result)} on {where(raised[0])} "
            f"(and worked on {where(ok_runs[0])}).")
    for index, v in verdicts.items():
        for name, (kind, text) in zip(spec.outputs(spec.cases[index]), v):
            if kind == "nan":
                return "wrong", "nan", f"not yet: on {where(runs[index])}, {name} {text}."
    if len(right) == len(runs):
        return "correct", "correct", (
            f"correct: {spec.name} agrees with the reference on {len(runs)} input shapes, batch 1 included.")

    # the first output that is wrong somewhere (by name: a deeper network has more outputs)
    order = []
    for index in verdicts:
        order.extend(n for n in spec.outputs(spec.cases[index]) if n not in order)
    named = {i: dict(zip(spec.outputs(spec.cases[i]), v)) for i, v in verdicts.items()}
    for name in order:
        bad = [(i, named[i][name]) for i in named if name in named[i] and named[i][name][0] != "ok"]
        if not bad:
            continue
        others = [n for n in order if n != name and all(named[i].get(n, ("ok",))[0] == "ok" for i in named)]
        tail = f" ({_listing(others)} {'is' if len(others) == 1 else 'are'} right)" if others else ""
        kinds = [kind for _, (kind, _) in bad]
        first_kind = min(kinds, key=_PREFERENCE.index)
        first_index, (_, first_text) = next((i, v) for i, v in bad if v[0] == first_kind)
        batch1_right = [i for i in named if spec.cases[i]["N"] == 1 and named[i].get(name, ("ok",))[0] == "ok"]
        only_batch1 = batch1_right and all(spec.cases[i]["N"] > 1 for i, _ in bad)
        if only_batch1 and first_kind in ("wrong", "shape"):
            return "wrong", "batch-1-only", (
                f"not yet: {name} is right for a batch of 1 only: on {where(runs[first_index])} it {first_text}{tail}. "
                "Every example in the batch must count: check the sums over the rows.")
        diagnosis = "shape" if first_kind == "keepdims" else first_kind
        cases_text = _listing([where(runs[i]) for i, (k, _) in bad if k == first_kind][:2])
        return "wrong", diagnosis, f"not yet: {name} {first_text}; seen on {cases_text}{tail}."
    return "wrong", "wrong", f"not yet: {spec.name} does not agree with the reference."
