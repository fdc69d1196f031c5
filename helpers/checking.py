"""Compare a learner's answer with the expected one and say, in one sentence, what is wrong.

``check(exercise_id, answer)`` is the course's public surface. It never raises: anything a
learner can type gets a Feedback back, and ``bool(feedback)`` is True only for a correct answer.

The diagnoses, tried in this order once the answer is understood:
correct → a known mistake registered for the exercise → wrong shape (transpose? reshape?) →
transposed → wrong sign → off by a constant factor → close but rounded too early → plainly
wrong (pointing at the entry that is furthest off).
"""

from __future__ import annotations

import html
import math
import numbers
import random
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import sympy as sp

# An answer within ROUNDED_RTOL of the reference, but not within the exercise's tolerance,
# has the right method and lost precision on the way (typically by rounding intermediate values).
ROUNDED_RTOL = 5e-3
SYMBOLIC_POINTS = 6

STATUS_MARK = {"correct": "✔", "wrong": "✘", "unanswered": "…", "invalid": "⚠"}
STATUS_COLOUR = {"correct": "#1a7f37", "wrong": "#cf222e", "unanswered": "#6e7781", "invalid": "#9a6700"}


@dataclass
class Feedback:
    """The verdict on one answer: renders as one line of text and as HTML in Jupyter.

    Attributes:
        exercise: the exercise id, e.g. "3.4".
        status: "correct", "wrong", "unanswered" or "invalid".
        message: one or two sentences for the learner.
        diagnosis: a short machine-readable key ("correct", "transposed", "sign", "factor",
            "rounded", "shape", "mistake:<name>", "wrong", "unanswered", "invalid").
        title: what the exercise asks for.
    """

    exercise: str
    status: str
    message: str
    diagnosis: str
    title: str = ""
    details: dict = field(default_factory=dict)

    def __bool__(self):
        return self.status == "correct"

    def __str__(self):
        head = f"{STATUS_MARK[self.status]} Exercise {self.exercise}"
        return f"{head}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        colour = STATUS_COLOUR[self.status]
        title = f" <span style='color:#57606a'>({html.escape(self.title)})</span>" if self.title else ""
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:2px 0'>"
            f"<b style='color:{colour}'>{STATUS_MARK[self.status]} Exercise {html.escape(self.exercise)}</b>"
            f"{title}<br>{html.escape(self.message)}</div>"
        )


class BadInput(Exception):
    """An answer that cannot be compared; its message is the sentence the learner sees."""


class Unanswered(Exception):
    """The answer is still the placeholder (``...`` or None), in whole or in part."""


# --- understanding what the learner passed ---------------------------------------------------


def _describe(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def normalise(value):
    """Turn an answer into ("numeric", float ndarray) or ("symbolic", sympy Expr or Matrix).

    Raises:
        Unanswered: for ``...`` and None (also inside a list).
        BadInput: with the sentence to show, for anything that is not a number or expression.
    """
    if value is None or value is Ellipsis:
        raise Unanswered
    if isinstance(value, (bool, np.bool_)):
        raise BadInput(f"{value} is a truth value, not a number: give the value itself.")
    if isinstance(value, (str, bytes)):
        raise BadInput(
            f"that is text ({_describe(value)}), not a number: write the value without quotes."
        )
    if isinstance(value, sp.MatrixBase):
        return _from_sympy_matrix(value)
    if isinstance(value, sp.NDimArray):  # sp.Array: read it as the nested list it is
        return _from_sequence(value.tolist())
    if isinstance(value, sp.Basic):
        return _from_sympy(value)
    if isinstance(value, numbers.Number):
        try:
            number = _real(value)
        except (TypeError, ValueError, ArithmeticError):
            raise BadInput(f"{_describe(value)} is not a number that can be compared.") from None
        return "numeric", _finite(np.asarray(number, dtype=float))
    if isinstance(value, dict):
        raise BadInput("that is a dict: give a number, a list of numbers or an array.")
    if isinstance(value, (set, frozenset)):
        raise BadInput("that is a set, which has no order: give a list or an array.")
    if callable(value) and not isinstance(value, np.ndarray):
        name = getattr(value, "__name__", type(value).__name__)
        raise BadInput(f"that is a function ({name}), not its result: call it and pass what it returns.")
    if isinstance(value, (list, tuple, np.ndarray)):
        return _from_sequence(value)
    try:  # anything array-like (a torch tensor, a pandas object, ...)
        array = np.asarray(value, dtype=float)
    except Exception:
        raise BadInput(
            f"a {type(value).__name__} cannot be checked: give a number, a list of numbers, "
            "a numpy array or a sympy expression."
        ) from None
    return "numeric", _finite(array)


def _real(number):
    if isinstance(number, complex) or np.iscomplexobj(number):
        if number.imag != 0:
            raise BadInput(f"{number} is a complex number: the answer is real.")
        number = number.real
    return float(number)


def _finite(array):
    if array.size == 0:
        raise BadInput("that is empty: the answer has at least one number in it.")
    if np.isnan(array).any():
        raise BadInput(
            "it contains NaN (not a number), which usually comes from 0/0, inf − inf or the "
            "log of a negative number: look for that step in your computation."
        )
    if np.isinf(array).any():
        raise BadInput(
            "it contains an infinity, which usually comes from dividing by zero, log(0) or an "
            "exp that overflowed: look for that step in your computation."
        )
    return array


def _from_sympy(expr):
    if not isinstance(expr, sp.Expr):
        kind = "an equation" if isinstance(expr, sp.core.relational.Relational) else f"a {type(expr).__name__}"
        raise BadInput(f"that is {kind}, not an expression: give only the expression (the right-hand side).")
    if expr.free_symbols:
        return "symbolic", expr
    try:
        value = complex(expr.evalf())
    except (TypeError, ValueError):
        raise BadInput(f"{expr} has no numerical value: check for a division by zero.") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise BadInput(f"{expr} is not a finite number: check for a division by zero.")
    return "numeric", _finite(np.asarray(_real(value), dtype=float))


def _from_sympy_matrix(matrix):
    if matrix.free_symbols:
        return "symbolic", sp.Matrix(matrix)
    try:
        array = np.array(matrix.evalf(), dtype=complex)
    except (TypeError, ValueError):
        raise BadInput("that matrix has an entry without a numerical value.") from None
    if np.any(array.imag != 0):
        raise BadInput("that matrix has complex entries: the answer is real.")
    return "numeric", _finite(array.real.astype(float))


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, (sp.MatrixBase, sp.NDimArray)):
        yield from _flatten(value.tolist())
    elif isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.ravel():
            yield from _flatten(item)
    else:
        yield value


def _as_nested_lists(value):
    """Sympy matrices and arrays inside a list become nested lists, so [M1, M2] is a 3-D array."""
    if isinstance(value, (sp.MatrixBase, sp.NDimArray)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_as_nested_lists(item) for item in value]
    return value


def _symbolic_matrix(value, items):
    """A list (or object array) of numbers and sympy expressions, as a sympy Matrix."""
    for item in items:
        if not isinstance(item, (numbers.Number, sp.Expr)) or isinstance(item, (bool, np.bool_)):
            raise BadInput(f"it mixes expressions with a {type(item).__name__}: give only numbers and expressions.")
    try:
        grid = np.empty(0)
        grid = np.array(value, dtype=object)
    except ValueError:
        pass
    if grid.size == len(items) and grid.ndim > 2:
        raise BadInput(f"it has {grid.ndim} dimensions (a list of matrices?), and expressions are compared as "
                       "one matrix: stack the blocks with sp.Matrix.vstack(...), or substitute numbers and "
                       "give a numpy array.")
    if grid.size != len(items) or any(isinstance(v, (list, tuple, np.ndarray)) for v in grid.ravel()):
        raise BadInput("its rows have different lengths: give a list of equally long rows, or a sympy Matrix.")
    return sp.Matrix(grid.tolist()) if grid.ndim == 2 else sp.Matrix(list(grid))


def _from_sequence(value):
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype.kind == "b":
            raise BadInput("that is an array of True/False values, not of numbers.")
        if value.dtype.kind == "c":
            if np.any(value.imag != 0):
                raise BadInput("that array has complex entries: the answer is real.")
            value = value.real
        if value.dtype.kind not in "iuf":
            raise BadInput(f"that array holds {value.dtype} values, not numbers.")
        return "numeric", _finite(value.astype(float))
    value = _as_nested_lists(value)
    items = list(_flatten(value))
    if any(item is Ellipsis or item is None for item in items):
        raise Unanswered
    for item in items:
        if isinstance(item, (str, bytes)):
            raise BadInput(f"it contains text ({_describe(item)}): write the numbers without quotes.")
        if isinstance(item, (bool, np.bool_)):
            raise BadInput("it contains True/False values: give numbers.")
        if isinstance(item, (dict, set)) or callable(item):
            raise BadInput(f"it contains a {type(item).__name__}: give only numbers.")
    if any(isinstance(item, sp.Basic) and item.free_symbols for item in items):
        return "symbolic", _symbolic_matrix(value, items)
    try:
        array = np.array(value, dtype=complex)
    except (TypeError, ValueError):
        raise BadInput(
            "its rows have different lengths (or some entries are not numbers): every row needs "
            "the same number of entries."
        ) from None
    if np.any(array.imag != 0):
        raise BadInput("it has complex entries: the answer is real.")
    return "numeric", _finite(array.real.astype(float))


# --- numeric comparison ---------------------------------------------------------------------


def _close(a, e, rtol, atol):
    return a.shape == e.shape and bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))


def _simple_fraction(c, max_denominator=12):
    """c as a Fraction with a small denominator, or None if it is not one."""
    frac = Fraction(c).limit_denominator(max_denominator)
    return frac if abs(float(frac) - c) <= 1e-6 * abs(c) else None


def _factor_text(c):
    if abs(c - 2) < 1e-9:
        return "twice the expected value: is there a 2 too many (the 2 of the squared error counted twice), or a ½ missing?"
    if abs(c - 0.5) < 1e-9:
        return "half the expected value: is the 2 from differentiating the square missing?"
    frac = _simple_fraction(c)
    shown = str(frac) if frac is not None else f"{c:.4g}"
    return f"the expected value times {shown}: the method looks right but a constant factor is off."


def _entry(index):
    return "[" + ", ".join(str(i) for i in index) + "]" if index else ""


def _shape_text(shape):
    return "a single number" if shape == () else f"shape {shape}"


def compare_numeric(answer, expected, rtol=1e-6, atol=1e-9, mistakes=()):
    """Diagnose a numeric answer against a numeric expected value.

    Args:
        answer, expected: float arrays (0-d for a single number).
        rtol, atol: the tolerance of a correct answer.
        mistakes: (name, hint, value) triples of known mistakes, value a float array.

    Returns:
        (status, diagnosis, message).
    """
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if _close(a, e, rtol, atol):
        return "correct", "correct", "correct."
    for name, hint, value in mistakes:
        m = np.asarray(value, dtype=float)
        loose = not _close(m, e, ROUNDED_RTOL, atol) and _close(a, m, ROUNDED_RTOL, atol)
        if _close(a, m, rtol, atol) or loose:
            return "wrong", f"mistake:{name}", f"not yet: this is a known mistake, {name}. {hint}"
    if a.shape != e.shape:
        return "wrong", "shape", _shape_message(a, e, rtol, atol)
    if a.ndim == 2 and _close(a.T, e, rtol, atol):
        return "wrong", "transposed", "not yet: your matrix is the transpose of the expected one (rows and columns swapped)."
    if np.any(e != 0) and _close(-a, e, rtol, atol):
        return "wrong", "sign", "not yet: the sign is wrong: your answer is the negative of the expected one."
    if _close(a, e, ROUNDED_RTOL, max(atol, 1e-12)):
        rel = float(np.max(np.abs(a - e) / np.maximum(np.abs(e), 1e-300)))
        digits = max(1, int(math.floor(-math.log10(rel)))) if rel > 0 else 1
        return "wrong", "rounded", (
            f"close, but it agrees with the reference to only about {digits} significant digits: "
            "keep full precision in every intermediate step and round only at the end."
        )
    ee = float(np.sum(e * e))
    if ee > 0:
        c = float(np.sum(a * e) / ee)
        # any number is a multiple of another: for a single number only a simple fraction says something
        meaningful = e.size > 1 or _simple_fraction(c) is not None
        if meaningful and abs(c) > 1e-12 and abs(c - 1) > 1e-6 and _close(a, c * e, rtol, atol):
            return "wrong", "factor", f"not yet: your answer is {_factor_text(c)}"
    return "wrong", "wrong", _wrong_message(a, e)


def _shape_message(a, e, rtol, atol):
    got, want = _shape_text(a.shape), _shape_text(e.shape)
    if a.ndim == 2 and a.T.shape == e.shape:
        if _close(a.T, e, rtol, atol):
            return f"not yet: you gave {got}, the answer has {want}: your answer is the transpose of the expected one."
        return f"not yet: you gave {got}, the answer has {want}: the transpose would have the right shape."
    if a.size == e.size:
        if e.ndim == 0 and _close(a.reshape(()), e, rtol, atol):
            return f"the number is right but wrapped in {got}: give the single number itself (for instance float(x) or x.item())."
        if _close(a.reshape(e.shape), e, rtol, atol):
            return (
                f"the numbers are right but arranged as {got}; the answer has {want}: "
                f"use .reshape({', '.join(map(str, e.shape)) or ''}) (or np.ravel for a vector)."
            )
        return f"not yet: you gave {got}, the answer has {want}: a reshape would fit, but the numbers differ too."
    return f"not yet: you gave {got}, the answer has {want}."


def _wrong_message(a, e):
    diff = np.abs(a - e)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    yours, ref = float(a[index]), float(e[index])
    direction = "too large" if yours > ref else "too small"
    scale = abs(ref) if ref != 0 else None
    how_far = f" by {abs(yours - ref) / scale:.0%}" if scale else ""
    if a.ndim == 0:
        return f"not yet: {yours:.6g} is {direction}{how_far}."
    n_off = int(np.sum(diff > 1e-9 + 1e-6 * np.abs(e)))
    return (
        f"not yet: {n_off} of {e.size} entries differ; entry {_entry(index)} is furthest off "
        f"(your {yours:.6g} is {direction}{how_far})."
    )


# --- symbolic comparison --------------------------------------------------------------------


def _rename(expr, symbols_by_name):
    """Replace the learner's symbols by the exercise's symbols of the same name."""
    mapping = {s: symbols_by_name[s.name] for s in expr.free_symbols if s.name in symbols_by_name}
    return expr.xreplace(mapping)


def _points(symbols, seed, n=SYMBOLIC_POINTS):
    rng = random.Random(seed)
    return [{s: sp.Rational(rng.randint(31, 173), 97) for s in symbols} for _ in range(n)]


def _evaluate(expr, point):
    try:
        value = complex(sp.N(expr.xreplace(point), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return value if math.isfinite(value.real) and math.isfinite(value.imag) else None


def _sym_entries(x):
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def _values(x, points):
    """Each entry of x at each point: a list (per point) of lists (per entry), None where undefined."""
    return [[_evaluate(sp.sympify(entry), p) for entry in _sym_entries(x)] for p in points]


def _sym_close(va, ve, rtol=1e-9):
    used = 0
    for row_a, row_e in zip(va, ve):
        if any(v is None for v in row_a + row_e):
            continue
        used += 1
        for x, y in zip(row_a, row_e):
            if abs(x - y) > 1e-12 + rtol * abs(y):
                return False
    return used > 0


def _any_point(va, ve):
    """True if answer and expected can both be evaluated at one test point at least."""
    return any(all(v is not None for v in row_a + row_e) for row_a, row_e in zip(va, ve))


def _sym_shape(x):
    return x.shape if isinstance(x, sp.MatrixBase) else ()


def compare_symbolic(answer, expected, mistakes=(), seed=0):
    """Diagnose a symbolic answer by mathematical equivalence: exact simplification first, then
    evaluation at random rational points (which also catches what simplify cannot prove).

    Args:
        answer, expected: sympy Expr or Matrix; the answer's symbols are matched to the
            expected ones by name.
        mistakes: (name, hint, value) triples, value a sympy object.
        seed: seeds the random points, so the verdict is reproducible.

    Returns:
        (status, diagnosis, message).
    """
    symbols = set(expected.free_symbols)
    for _, _, m in mistakes:
        symbols |= sp.sympify(m).free_symbols
    by_name = {s.name: s for s in symbols}
    names = ", ".join(sorted(by_name))
    unknown = sorted(s.name for s in answer.free_symbols if s.name not in by_name)
    if unknown:
        return "invalid", "invalid", (
            f"your answer uses {', '.join(unknown)}, which this exercise does not have; "
            f"write it with {names}."
        )
    answer = _rename(answer, by_name)
    if _sym_shape(answer) != _sym_shape(expected):
        sa, se = _sym_shape(answer), _sym_shape(expected)
        if len(sa) == 2 and sa[::-1] == se:
            return "wrong", "shape", f"not yet: you gave a {sa[0]}×{sa[1]} matrix, the answer is {se[0]}×{se[1]}: the transpose would have the right shape."
        want = "a single expression" if se == () else f"a {se[0]}×{se[1]} matrix"
        got = "a single expression" if sa == () else f"a {sa[0]}×{sa[1]} matrix"
        return "wrong", "shape", f"not yet: you gave {got}, the answer is {want}."
    if answer == expected:
        return "correct", "correct", "correct."
    # random points first: as sound as simplification for telling expressions apart, and far
    # faster on a wrong answer (simplify can take seconds on nested exponentials)
    points = _points(sorted(symbols, key=lambda s: s.name), seed)
    va, ve = _values(answer, points), _values(expected, points)
    if not _any_point(va, ve):
        try:  # nowhere evaluable: only simplification can decide
            difference = sp.Matrix(answer) - expected if _is_matrix(expected) else answer - expected
            if sp.simplify(difference) == (sp.zeros(*expected.shape) if _is_matrix(expected) else 0):
                return "correct", "correct", "correct."
        except Exception:
            pass
        return "invalid", "invalid", "cannot check this: your expression cannot be evaluated at any test point (a division by zero, or a log of a negative number?)."
    if _sym_close(va, ve):
        return "correct", "correct", "correct."
    for name, hint, value in mistakes:
        m = sp.sympify(value)
        if _sym_shape(m) == _sym_shape(answer) and _sym_close(va, _values(m, points)):
            return "wrong", f"mistake:{name}", f"not yet: this is a known mistake, {name}. {hint}"
    if _is_matrix(expected) and expected.shape[0] == expected.shape[1]:
        if _sym_close(_values(answer.T, points), ve):
            return "wrong", "transposed", "not yet: your matrix is the transpose of the expected one (rows and columns swapped)."
    neg = [[None if v is None else -v for v in row] for row in va]
    if _sym_close(neg, ve):
        return "wrong", "sign", "not yet: the sign is wrong: your answer is the negative of the expected one."
    ratio = _constant_ratio(va, ve)
    if ratio is not None:
        return "wrong", "factor", f"not yet: your answer is {_factor_text(ratio)}"
    where = ""
    if _is_matrix(expected):
        for k, (x, y) in enumerate(zip(_sym_entries(answer), _sym_entries(expected))):
            if not _sym_close(_values(x, points), _values(y, points)):
                where = f" Entry [{k // expected.shape[1]}, {k % expected.shape[1]}] is the first that differs."
                break
    return "wrong", "wrong", f"not yet: your expression is not equivalent to the expected one (compared at {len(points)} random points).{where}"


def _is_matrix(x):
    return isinstance(x, sp.MatrixBase)


def _constant_ratio(va, ve):
    ratios = []
    for row_a, row_e in zip(va, ve):
        for x, y in zip(row_a, row_e):
            if x is None or y is None:
                continue
            if abs(y) < 1e-12:
                if abs(x) > 1e-12:
                    return None
                continue
            ratios.append(x / y)
    if not ratios:
        return None
    r = ratios[0]
    if abs(r.imag) > 1e-9 or abs(r - 1) < 1e-9 or abs(r) < 1e-12:
        return None
    if all(abs(q - r) <= 1e-9 * abs(r) for q in ratios):
        return r.real
    return None


# --- the public surface ------------------------------------------------------------------------


def check(exercise_id, answer):
    """Check a learner's answer to one exercise.

    Args:
        exercise_id: "<notebook>.<exercise>", e.g. "3.4" (a number like 3.4 is accepted too).
        answer: what the learner computed: a number, a list, a numpy array, a sympy number,
            expression or matrix; ``...`` or None while not answered.

    Returns:
        Feedback; ``bool(feedback)`` is True only for a correct answer. Never raises.
    """
    from helpers import exercises, progress

    key = str(exercise_id).strip() if isinstance(exercise_id, (str, int, float)) else None
    try:
        exercise = exercises.get(key) if key else None
    except Exception as exc:  # a broken registry is our bug: say so plainly, never a traceback
        return Feedback(str(key), "invalid", f"the checker could not load this exercise ({type(exc).__name__}: {exc}); please report it.", "invalid")
    if exercise is None:
        known = exercises.ids()
        prefix = (key or "").split(".")[0]
        same = [i for i in known if i.split(".")[0] == prefix]
        listing = ", ".join(same) if same else ", ".join(known[:8]) + ("…" if len(known) > 8 else "")
        shown = key if key else _describe(exercise_id)
        return Feedback(shown, "invalid", f"there is no exercise {shown}; the exercises are {listing}.", "invalid")
    try:
        feedback = _check(exercise, answer)
    except Exception as exc:  # a bug in the checker must not look like the learner's fault
        feedback = Feedback(exercise.id, "invalid", f"the checker failed on this answer ({type(exc).__name__}); please report it. Your answer was not judged.", "invalid", exercise.title)
    try:
        progress.record(exercise.id, bool(feedback))
    except Exception:
        pass
    return feedback


def _check(exercise, answer):
    def make(status, diagnosis, message):
        return Feedback(exercise.id, status, message, diagnosis, exercise.title)

    try:
        kind, value = normalise(answer)
    except Unanswered:
        return make("unanswered", "unanswered", "not answered yet: replace the ... with your answer and run the cell again.")
    except BadInput as bad:
        return make("invalid", "invalid", f"cannot check this: {bad}")
    except Exception:  # an object nobody foresaw: still a sentence, never a traceback
        return make("invalid", "invalid", (
            f"cannot check this: a {type(answer).__name__} could not be read as a number, an array or an "
            "expression; give a number, a list of numbers, a numpy array or a sympy expression."
        ))
    expected = exercise.expected()
    mistakes = [(m.name, m.hint, m.value()) for m in exercise.mistakes]
    if exercise.symbolic:
        if kind == "numeric":
            return make("invalid", "invalid", (
                "cannot check this: you gave a number, but this exercise asks for an expression "
                f"in {', '.join(sorted(s.name for s in expected.free_symbols))} (build it from the sympy symbols)."
            ))
        status, diagnosis, message = compare_symbolic(value, expected, mistakes, seed=exercise.id)
    else:
        if kind == "symbolic":
            names = ", ".join(sorted(s.name for s in value.free_symbols))
            return make("invalid", "invalid", (
                f"cannot check this: your answer still contains the symbols {names}; this exercise "
                "asks for numbers: substitute the values (for instance with .subs)."
            ))
        numeric_mistakes = [(n, h, np.asarray(v, dtype=float)) for n, h, v in mistakes]
        status, diagnosis, message = compare_numeric(value, np.asarray(expected, dtype=float), exercise.rtol, exercise.atol, numeric_mistakes)
    if status == "wrong" and diagnosis == "wrong" and exercise.hint:
        message = f"{message} Hint: {exercise.hint}"
    return make(status, diagnosis, message)
