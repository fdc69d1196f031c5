"""Adversarial answers for every registered exercise, each with its ground truth (issue 9, item 9).

A ``Case`` is one call ``check(ident, answer)`` plus what the answer *is*, decided here from
mathematics, never from what the checker says:

- ``correct``: the answer equals the reference (numbers within the exercise's tolerance, with a
  margin; expressions equal at high precision on a wide random sample of the symbols' domain);
- ``wrong``: it differs (by more than twice the tolerance, or at some point of the domain): any
  verdict but "correct" is fine;
- ``sentence``: not an answer at all (junk, an odd id): any verdict but "correct" is fine;
- ``any``: defensible either way (a Decimal equal to the answer, a column for a vector, a
  difference below any tolerance): only a crash or a hang counts;
- ``float32``: a correct answer computed in float32: accepted, or diagnosed as float32 precision
  (its message says "float32"), never "rounded too early";
- ``equal-heavy``: equal, but hard to verify (cancellation of huge terms, an unevaluated sum equal
  to 0): accepted or refused with a sentence (status "invalid"); never "wrong".

``cases()`` is the Hypothesis strategy over all exercises and categories; ``judge()`` turns a
Feedback (or an exception) into the failure kinds the runner counts; ``leaks()`` finds a message
from which the expected value follows.
"""

from __future__ import annotations

import decimal
import functools
import itertools
import math
import random
import re
import signal
import types
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import sympy as sp
from hypothesis import strategies as st

from helpers import exercises
from helpers.checking import Feedback

HAZARDS = ("never ends", "itertools.", "Pow(", "10^(10^", "10^5000", "10^6", "10^8", "10^10", "10⁶", "gamma(",
           "__len__", "huge", "1e308", "10**", "exp(exp(", "Integral", "Sum(", "Derivative(exp", "4000", "3000", "300 deep",
           "5000", "200×200", "million", "generator", "iterator", "map object", "Float with", "zeta", "LambertW", "expanded")
STATUSES = {"correct", "wrong", "unanswered", "invalid", "solution"}
CATEGORIES = ("junk", "lying", "ids", "near-miss", "factor", "mistake", "partial-domain", "pathological",
              "correct-form", "float32", "wrong-function", "hostile-function")


@dataclass
class Case:
    exercise: str                 # the registered id the case is about
    category: str
    label: str                    # which generator, e.g. "sign", "Abs(x_1)"
    answer: Any
    truth: str                    # see the module docstring
    ident: Any = "same"           # what is passed as the id ("same": the exercise id; category "ids" passes others)
    known: Any = None             # numbers the learner knows (their own answer), for leak detection
    id_form: str | None = None    # for a float id: the string form the sentence must show

    @property
    def hazard(self):
        """True if touching the answer may run in C code without end (an endless iterator, a huge
        integer power): such cases run only in a worker process that can be killed."""
        return any(word in self.label for word in HAZARDS)

    def __post_init__(self):
        if isinstance(self.ident, str) and type(self.ident) is str and self.ident == "same":
            self.ident = self.exercise

    def shown(self, limit=160):
        return f"{self.label}: {safe_repr(self.answer, limit)}"


def safe_repr(x, limit=160):
    try:
        text = repr(x)
    except BaseException as exc:  # noqa: BLE001 - a lying object may raise anything
        text = f"<{type(x).__name__} whose repr raises {type(exc).__name__}>"
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- what each exercise expects ---------------------------------------------------------------


@dataclass
class Info:
    id: str
    kind: str                     # "numeric", "symbolic" or "function"
    expected: Any                 # float ndarray, or sympy Expr / ImmutableMatrix
    rtol: float = 1e-6
    atol: float = 1e-9
    mistakes: list = field(default_factory=list)   # (name, value)
    factors: tuple = ()
    symbols: list = field(default_factory=list)
    forms: list = field(default_factory=list)      # symbolic: (label, value) equal to expected
    heavy: list = field(default_factory=list)      # symbolic: (label, value) equal but hard to verify
    integrals: dict = field(default_factory=dict)  # symbolic: entry index -> (F, s) with dF/ds = entry


def _alarm(seconds):
    """A context that raises TimeoutError after `seconds` (main thread only): guards our own sympy work."""

    class _Ctx:
        def __enter__(self):
            def _raise(*_):
                raise TimeoutError
            self.old = signal.signal(signal.SIGALRM, _raise)
            signal.setitimer(signal.ITIMER_REAL, seconds)

        def __exit__(self, *exc):
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.old)
            return exc[0] is TimeoutError

    return _Ctx()


@functools.lru_cache(maxsize=None)
def info(exercise_id) -> Info:
    ex = exercises.get(exercise_id)
    value = exercises.expected(exercise_id)
    if ex.kind == "function":
        return Info(exercise_id, "function", value)
    if ex.symbolic:
        expected = sp.ImmutableMatrix(value) if isinstance(value, sp.MatrixBase) else sp.sympify(value)
        symbols = sorted(expected.free_symbols, key=lambda s: s.name)
        mistakes = [(m.name, sp.sympify(m.value())) for m in ex.mistakes]
        result = Info(exercise_id, "symbolic", expected, ex.rtol, ex.atol, mistakes, tuple(ex.factors), symbols)
        _symbolic_forms(result)
        return result
    expected = np.array(value, dtype=float)
    mistakes = []
    for m in ex.mistakes:
        try:
            mistakes.append((m.name, np.array(m.value(), dtype=float)))
        except (TypeError, ValueError):
            pass
    return Info(exercise_id, "numeric", expected, ex.rtol, ex.atol, mistakes, tuple(ex.factors))


def _entries(x):
    return list(x) if isinstance(x, sp.MatrixBase) else [x]


def _map(x, fn):
    return x.applyfunc(fn) if isinstance(x, sp.MatrixBase) else fn(x)


_FORM_CACHE: dict = {}


def form(inf, label, thunk):
    """A correct form of a symbolic answer, computed once (None if it takes over 4 s or fails)."""
    key = (inf.id, label)
    if key not in _FORM_CACHE:
        _FORM_CACHE[key] = None
        with _alarm(4):
            _FORM_CACHE[key] = thunk()
    value = _FORM_CACHE[key]
    return sp.Matrix(value) if isinstance(value, sp.ImmutableMatrix) and label == "mutable Matrix" else value


def integrals(inf):
    """{entry index: (F, s)} with dF/ds equal to that entry of the reference (where sympy finds F quickly)."""
    if "done" not in inf.integrals:
        for k, e in enumerate(_entries(inf.expected)):
            if e == 0 or not e.free_symbols:
                continue
            s = sorted(e.free_symbols, key=lambda q: q.name)[0]
            with _alarm(3):
                F = sp.integrate(e, s)
                if not F.has(sp.Integral) and _equal_at_points(sp.diff(F, s), e, inf.symbols):
                    inf.integrals[k] = (F, s)
        inf.integrals["done"] = True
    return {k: v for k, v in inf.integrals.items() if k != "done"}


def _derivative_form(inf, evaluate):
    """The reference with each entry written as an unevaluated Derivative of its antiderivative."""
    found = integrals(inf)
    if not found:
        return None
    M = sp.Matrix(inf.expected) if isinstance(inf.expected, sp.MatrixBase) else sp.Matrix([inf.expected])
    for idx, (F, s) in found.items():
        M[idx] = sp.Derivative(F, s)
    if evaluate:
        M = M.doit()
    return M if isinstance(inf.expected, sp.MatrixBase) else M[0]


def warm(inf):
    """Compute every lazy form now (the runner does, before it forks its workers)."""
    for label, thunk in inf.forms:
        form(inf, label, thunk)


def _symbolic_forms(inf):
    E = inf.expected
    forms = [("as given", lambda: E), ("mutable Matrix", lambda: sp.Matrix(E) if isinstance(E, sp.MatrixBase) else E),
             ("sympify(str(.))", lambda: sp.sympify(str(E))), ("1.0*(.)", lambda: _map(E, lambda e: sp.Mul(sp.Float(1.0), e))),
             ("Mul(., 1, evaluate=False)", lambda: _map(E, lambda e: sp.Mul(e, 1, evaluate=False))),
             ("fresh symbols, no assumptions", lambda: E.xreplace({s: sp.Symbol(s.name) for s in inf.symbols}))]
    for name, fn in (("expand", sp.expand), ("factor", sp.factor), ("together", sp.together),
                     ("cancel", sp.cancel), ("rewrite(exp)", lambda e: e.rewrite(sp.exp)),
                     ("rewrite(cosh)", lambda e: e.rewrite(sp.cosh)),
                     ("trigsimp(rewrite(cosh))", lambda e: sp.trigsimp(e.rewrite(sp.cosh))),
                     ("powsimp", sp.powsimp), ("simplify", sp.simplify)):
        forms.append((name, functools.partial(_map, E, fn)))
    if isinstance(E, sp.MatrixBase):
        forms += [("nested list", E.tolist), ("tuple of tuples", lambda: tuple(tuple(r) for r in E.tolist())),
                  ("sp.Array", lambda: sp.Array(E.tolist())), ("ImmutableDenseNDimArray", lambda: sp.ImmutableDenseNDimArray(E.tolist()))]
    forms.append(("unevaluated Derivative of an antiderivative", functools.partial(_derivative_form, inf, False)))
    forms.append(("Derivative(...).doit()", functools.partial(_derivative_form, inf, True)))
    inf.forms = forms
    s0 = inf.symbols[0]
    first = _entries(E)[0]
    inf.heavy = [
        ("+ (s+1)**40 − expand((s+1)**40)", _map(E, lambda e: e + (s0 + 1) ** 40 - sp.expand((s0 + 1) ** 40))),
        ("+ Sum(1/k², k≥1) − π²/6", _map(E, lambda e: e + sp.Sum(1 / sp.Symbol("k", integer=True, positive=True) ** 2,
                                                                     (sp.Symbol("k", integer=True, positive=True), 1, sp.oo)) - sp.pi ** 2 / 6)),
        ("+ sin(s)² + cos(s)² − 1", _map(E, lambda e: e + sp.sin(s0) ** 2 + sp.cos(s0) ** 2 - 1)),
        ("+ Integral(1, (u, 0, s)) − s", _map(E, lambda e: e + sp.Integral(1, (sp.Symbol("u"), 0, s0)) - s0)),
        ("× exp(log(s²+1))/(s²+1)", _map(E, lambda e: e * sp.exp(sp.log(s0 ** 2 + 1)) / (s0 ** 2 + 1))),
        ("+ log(exp(s)) − s", _map(E, lambda e: e + sp.log(sp.exp(s0)) - s0)),
        ("first entry squared then sqrt of its square", _map(E, lambda e: e + sp.sqrt(first ** 2) - sp.Abs(first))),
    ]


# --- ground truth for expressions: high-precision evaluation over a wide sample of the domain -----

_LAMBDA_CACHE: dict = {}


def _lambdified(entries, symbols):
    key = (tuple(entries), tuple(symbols))
    if key not in _LAMBDA_CACHE:
        if len(_LAMBDA_CACHE) > 4000:
            _LAMBDA_CACHE.clear()
        exprs = [e.rewrite(sp.Piecewise) if e.has(sp.Heaviside) else e for e in entries]
        _LAMBDA_CACHE[key] = sp.lambdify(symbols, exprs, modules="mpmath")
    return _LAMBDA_CACHE[key]


def _domain_points(symbols, n, rng):
    """Points across the reals (the course declares its symbols real: negative values included),
    at full 400-bit precision, so that no point is a small-denominator rational."""
    points = []
    for k in range(n):
        point = []
        for s in symbols:
            a = s.assumptions0
            mode = rng.randrange(4) if k >= 2 else 4 + k  # the first two points: far out, ±12,345
            if mode >= 4:
                v = 12345.678 * (1 if mode == 4 else -1) * rng.uniform(1, 1.1)
            elif mode == 0:
                v = rng.uniform(-4, 4)
            elif mode == 1:
                v = rng.choice((-1, 1)) * 10 ** rng.uniform(-3, 2.5)
            elif mode == 2:
                v = rng.choice((-1, 1)) * rng.uniform(0.05, 2)
            else:
                v = rng.randint(-6, 6) + rng.choice((-1, 1)) * rng.uniform(1e-3, 0.3)
            if a.get("positive") or a.get("nonnegative"):
                v = abs(v) or 0.5
            if a.get("negative") or a.get("nonpositive"):
                v = -abs(v) or -0.5
            with mpmath.workprec(400):
                x = mpmath.mpf(v) + mpmath.mpf(rng.getrandbits(300)) * mpmath.mpf(2) ** -340
                if a.get("integer"):
                    x = mpmath.mpf(round(v))
            point.append(x)
        points.append(point)
    return points


def _real(v):
    if isinstance(v, mpmath.mpc):
        return v if abs(v.imag) > mpmath.mpf(10) ** -60 * max(1, abs(v.real)) else v.real
    return v


def sym_compare(answer, expected, symbols, n=24, seed=0):
    """'equal', 'differs' or 'unknown': answer − expected at n points of the symbols' domain at 120
    digits. The answer may contain unevaluated Derivatives and Integrals: doit() first (our own
    objects only: lying subclasses never come here)."""
    by_name = {s.name: s for s in symbols}
    answer = answer.xreplace({s: by_name[s.name] for s in answer.free_symbols if s.name in by_name})
    if answer.free_symbols - set(symbols):
        return "differs"
    if answer.has(sp.Derivative, sp.Integral):
        answer = answer.doit()
    ea, ee = _entries(answer), _entries(expected)
    if len(ea) != len(ee):
        return "differs"
    fa, fe = _lambdified(ea, symbols), _lambdified(ee, symbols)
    rng = random.Random(seed)
    used = 0
    differs = False
    ambiguous = False
    with mpmath.workdps(120):
        for point in _domain_points(symbols, n, rng):
            try:
                ve = [_real(mpmath.mpmathify(v)) for v in fe(*point)]
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                continue
            if any(isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) for v in ve):
                continue
            try:
                va = [_real(mpmath.mpmathify(v)) for v in fa(*point)]
            except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                return "differs"  # undefined where the reference is defined
            used += 1
            for x, y in zip(va, ve):
                if isinstance(x, mpmath.mpc) or not mpmath.isfinite(x):
                    return "differs"
                gap = abs(x - y) / max(1, abs(y))
                if gap > mpmath.mpf(10) ** -12:
                    differs = True
                elif gap > mpmath.mpf(10) ** -60:
                    ambiguous = True
            if differs:
                return "differs"
        if used >= n // 3 and not ambiguous:
            # special points (a symbol at exactly 0 or ±1): a difference only there (a removable
            # singularity, sign(s)²) is a difference on a set of measure zero: neither verdict is wrong
            for point in _special_points(symbols, rng):
                try:
                    ve = [_real(mpmath.mpmathify(v)) for v in fe(*point)]
                    if any(isinstance(v, mpmath.mpc) or not mpmath.isfinite(v) for v in ve):
                        continue
                except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                    continue
                try:
                    va = [_real(mpmath.mpmathify(v)) for v in fa(*point)]
                except (ZeroDivisionError, ValueError, OverflowError, TypeError):
                    return "unknown"
                if any(isinstance(x, mpmath.mpc) or not mpmath.isfinite(x) or abs(x - y) / max(1, abs(y)) > mpmath.mpf(10) ** -30
                       for x, y in zip(va, ve)):
                    return "unknown"
    if used < n // 3:
        return "unknown"
    return "unknown" if ambiguous else "equal"


def _special_points(symbols, rng):
    """Each symbol at 0 (then at ±1) in turn, the others random; and all at 0."""
    points = []
    for value in (0, 1, -1):
        for k, base in enumerate(_domain_points(symbols, len(symbols), rng)):
            base[k] = mpmath.mpf(value)
            points.append(base)
    points.append([mpmath.mpf(0)] * len(symbols))
    return points


def _equal_at_points(a, b, symbols):
    try:
        return sym_compare(a, b, symbols, n=8, seed=1) == "equal"
    except Exception:
        return False


def sym_truth(answer, inf, seed=0):
    try:
        verdict = sym_compare(answer, inf.expected, inf.symbols, seed=seed)
    except Exception:
        return "any"
    return {"equal": "correct", "differs": "wrong"}.get(verdict, "any")


# --- ground truth for numbers -----------------------------------------------------------------


def num_truth(value, inf):
    """'correct' within half the tolerance, 'wrong' beyond twice it (or another shape), else 'any'."""
    try:
        v = np.array(value, dtype=float)
    except (TypeError, ValueError, OverflowError):
        return "wrong"
    E = inf.expected
    if v.shape != E.shape:
        return "wrong"
    with np.errstate(all="ignore"):
        if not np.all(np.isfinite(v)):
            return "wrong"
        err = np.abs(v - E)
        tol = inf.atol + inf.rtol * np.abs(E)
    if np.all(err <= 0.5 * tol):
        return "correct"
    if np.any(err > 2 * tol):
        return "wrong"
    return "any"


# --- the generators: one per category; each returns (label, answer, truth[, known]) --------------

def _junk_common():
    """Objects that are never an answer to a value exercise."""
    def gen():
        yield 1.0

    class Klass:
        pass

    return [
        ("a str", "0.5"), ("bytes", b"\x00\xff"), ("empty str", ""), ("dict", {"a": 1.0}), ("set", {1.0, 2.0}),
        ("frozenset", frozenset({1.0})), ("a function", lambda: 1.0), ("a builtin function", len), ("a class", Klass),
        ("an instance of object", object()), ("a module", np), ("the sympy module", sp), ("a generator", gen()),
        ("True", True), ("False", False), ("np.True_", np.True_), ("bool array", np.array([True, False])),
        ("complex with imag", 1 + 2j), ("np.complex128 with imag", np.complex128(1 + 1e-3j)),
        ("Decimal sNaN", decimal.Decimal("sNaN")), ("Decimal NaN", decimal.Decimal("NaN")),
        ("Decimal -Infinity", decimal.Decimal("-Infinity")), ("huge int 10**400", 10 ** 400),
        ("huge negative int", -(10 ** 5000)), ("1e308", 1e308), ("-1e308", -1e308), ("inf", math.inf),
        ("-inf", -math.inf), ("nan", math.nan), ("np.nan array", np.array([np.nan, 1.0])),
        ("empty list", []), ("empty tuple", ()), ("empty array", np.zeros((0,))), ("empty 2-D array", np.zeros((0, 3))),
        ("nested ragged", [[1.0, 2.0], [3.0]]), ("deeply ragged", [1.0, [2.0, [3.0, [4.0]]]]),
        ("list with None", [1.0, None]), ("list with Ellipsis", [..., 2.0]), ("list with a str", [1.0, "2"]),
        ("list with a dict", [{"a": 1}, 2.0]), ("list with a function", [len, 2.0]),
        ("list of lists with None", [[1.0, 2.0], [None, 4.0]]), ("object array of junk", np.array([object(), 1.0], dtype=object)),
        ("object array of str", np.array(["1", "2"], dtype=object)), ("datetime64", np.datetime64("2024-01-01")),
        ("timedelta64", np.timedelta64(3, "s")), ("np.str_", np.str_("1.5")), ("np.bytes_", np.bytes_(b"1")),
        ("np.void", np.void(b"\x01\x02")), ("structured array", np.zeros(2, dtype=[("a", float), ("b", int)])),
        ("string array", np.array(["1.0", "2.0"])), ("range", range(3)), ("memoryview", memoryview(b"ab")),
        ("bytearray", bytearray(b"ab")), ("slice", slice(1, 2)), ("type float", float), ("NotImplemented", NotImplemented),
        ("sympy Eq", sp.Eq(sp.Symbol("q"), 1)), ("sympy true", sp.true), ("sympy oo", sp.oo), ("sympy zoo", sp.zoo),
        ("sympy nan", sp.nan), ("sympy Interval", sp.Interval(0, 1)), ("sympy FiniteSet", sp.FiniteSet(1, 2)),
        ("unknown symbol", sp.Symbol("definitely_not_a_course_symbol")), ("sympy I", sp.I),
        ("a Lambda", sp.Lambda(sp.Symbol("q"), sp.Symbol("q") ** 2)), ("undefined function", sp.Function("f")(sp.Symbol("q"))),
        ("masked array, all masked", np.ma.masked_all((2,))), ("itertools.count()", itertools.count()),
        ("itertools.repeat(1.0)", itertools.repeat(1.0)), ("an exception", ValueError("x")),
        ("a 3-deep list of a 1000 zeros", [[[0.0] * 10] * 10] * 10), ("np.ndarray of shape (0, 0)", np.zeros((0, 0))),
        ("a huge array", np.zeros((3000, 3000))), ("list nested 5000 deep", functools.reduce(lambda a, _: [a], range(5000), 1.0)),
        ("sympy Matrix 0×0", sp.Matrix(0, 0, [])), ("Fraction with huge denominator", Fraction(1, 10 ** 500)),
        ("tuple of ndarray and list", (np.zeros(2), [1.0, 2.0])),
    ]


def _numeric_junk(inf, rng):
    """Junk built from the expected value: most are sentences, some are numbers in an odd type."""
    E = inf.expected
    flat = E.ravel()
    e0 = float(flat[0])
    out = []
    out.append(("str of the answer", str(E.tolist()), "sentence"))
    out.append(("repr of the answer", repr(E), "sentence"))
    out.append(("the answer's bytes", E.tobytes(), "sentence"))
    out.append(("dict of the answer", {"answer": E}, "sentence"))
    out.append(("lambda returning the answer", (lambda: E.copy()), "sentence"))
    out.append(("generator of the entries", (x for x in flat.tolist()), "any"))
    out.append(("list iterator", iter(_as_list(E)), "any"))
    out.append(("map object", map(float, flat.tolist()), "any"))
    out.append(("complex answer (imag 0)", E.astype(complex), "any"))
    out.append(("complex answer (imag 1e-3)", E + 1e-3j, "sentence"))
    out.append(("object array of floats", np.array(E.tolist(), dtype=object), "any"))
    out.append(("answer with a None", _with_item(E, None), "sentence"))
    out.append(("answer with a bool", _with_item(E, True), "sentence"))
    out.append(("answer with nan", _with_item(E, math.nan), "sentence"))
    out.append(("answer with inf", _with_item(E, math.inf), "sentence"))
    out.append(("answer with a str", _with_item(E, "0.1"), "sentence"))
    out.append(("answer with 10**400", _with_item(E, 10 ** 400), "sentence"))
    out.append(("masked array, nothing masked", np.ma.masked_array(E.copy(), mask=False), "any"))
    if E.size > 1:
        data = E.copy()
        data.ravel()[0] += 1 + abs(e0)
        mask = np.zeros(E.shape, bool)
        mask.ravel()[0] = True
        out.append(("masked array hiding a wrong entry", np.ma.masked_array(data, mask=mask), "sentence"))
    # numpy scalars and arrays of every dtype
    for dt in (np.float16, np.float32, np.float64, np.longdouble, np.int8, np.int16, np.int32, np.int64, np.uint8,
               np.uint16, np.uint32, np.uint64, np.complex64, np.complex128, np.clongdouble):
        with np.errstate(all="ignore"):
            cast = E.astype(dt)
        value = cast[()] if E.ndim == 0 else cast
        back = np.array(cast).astype(complex)
        if np.any(back.imag != 0):
            truth = "sentence"
        else:
            truth = num_truth(back.real, inf)
            if dt in (np.float32, np.complex64) and truth != "correct":
                truth = "float32"
            if dt is np.float16 and truth == "correct":
                truth = "any"  # float16 has 3 digits: equal only by luck
        out.append((f"{np.dtype(dt).name} {'scalar' if E.ndim == 0 else 'array'}", value, truth))
    if E.ndim == 0:
        out += [("Decimal of repr", decimal.Decimal(repr(e0)), "any"), ("Fraction, exact", Fraction(e0), "any"),
                ("Decimal, one digit", decimal.Decimal(f"{e0:.1e}"), num_truth(float(f"{e0:.1e}"), inf)),
                ("int(answer)", int(e0), num_truth(float(int(e0)), inf)), ("-0.0", -0.0, num_truth(0.0, inf)),
                ("0-d object array", np.array(e0, dtype=object), "any"), ("[answer]", [e0], "any"),
                ("[[answer]]", [[e0]], "any"), ("1×1 array", np.array([[e0]]), "any"),
                ("sympy Float", sp.Float(e0, 30), "correct"), ("sympy Rational, exact", sp.Rational(e0), "correct"),
                ("sympy Integer", sp.Integer(round(e0)), num_truth(float(round(e0)), inf)),
                ("mpmath mpf", mpmath.mpf(e0), "any"), ("complex(answer, 0)", complex(e0, 0), "any"),
                ("answer + 0j sympy", sp.Float(e0) + 0 * sp.I, "any"),
                ("sympy number with 1e-3 imaginary part", sp.Float(e0) + sp.Rational(1, 1000) * sp.I, "sentence")]
    else:
        out += [("ragged version of the answer", _ragged(E), "sentence"),
                ("sympy Matrix of Floats", sp.Matrix(E.tolist()) if E.ndim <= 2 else sp.Array(E.tolist()),
                 "correct" if E.ndim == 2 else "any"),
                ("Array of exact Rationals", sp.Array(_rationals(E)), "correct"),
                ("list of np.float64", [np.float64(x) for x in flat] if E.ndim == 1 else [list(map(np.float64, r)) for r in E.reshape(E.shape[0], -1).tolist()],
                 "correct" if E.ndim == 1 else ("correct" if E.ndim == 2 else "wrong")),
                ("list of 0-d arrays", [np.array(x) for x in E.tolist()] if E.ndim == 1 else [np.array(r) for r in E.tolist()], "any"),
                ("Fraction entries", _map_nested(E.tolist(), Fraction), "any"),
                ("Decimal entries", _map_nested(E.tolist(), lambda x: decimal.Decimal(repr(x))), "any"),
                ("list of sympy Floats", _map_nested(E.tolist(), sp.Float), "correct")]
    return [(label, ans, truth, E) for label, ans, truth in out]


def _with_item(E, item):
    items = E.tolist()
    if E.ndim == 0:
        return [items, item]
    target = items
    while isinstance(target[0], list):
        target = target[0]
    target[0] = item
    return items


def _ragged(E):
    items = E.tolist()
    if isinstance(items[0], list):
        items[0] = items[0][:-1] or [1.0, 2.0]
    else:
        items.append([1.0])
    return items


def _rationals(E):
    return _map_nested(E.tolist(), sp.Rational)


def _map_nested(x, fn):
    return [_map_nested(v, fn) for v in x] if isinstance(x, list) else fn(x)


# --- lying objects ---------------------------------------------------------------------------


class _Lie:
    """Set on lying objects: the value they pretend to be."""


def _presented(self):
    lie = self.__dict__.get("lie")
    return None if lie is None else np.array(lie)


def _lie_methods(method):
    """The methods of an ndarray subclass that present `self.lie` instead of the array's data."""
    def passthrough(name):
        def fn(self, *a, **k):
            p = _presented(self)
            return getattr(p, name)(*a, **k) if p is not None else getattr(np.ndarray, name)(self, *a, **k)
        return fn

    if method == "__eq__":
        return {"__eq__": lambda self, other: np.ones(np.shape(self), dtype=bool),
                "__ne__": lambda self, other: np.zeros(np.shape(self), dtype=bool), "__hash__": None}
    if method == "__array__":
        return {"__array__": lambda self, dtype=None, copy=None: (
            _presented(self) if _presented(self) is not None else self.view(np.ndarray).copy()).astype(dtype or float)}
    if method == "__float__":
        return {"__float__": lambda self: float(_presented(self)) if _presented(self) is not None else 0.0}
    if method == "ravel/flatten/copy":
        out = {n: passthrough(n) for n in ("ravel", "flatten", "copy", "reshape")}
        out["__copy__"] = lambda self: _presented(self) if _presented(self) is not None else np.ndarray.__copy__(self)
        out["__deepcopy__"] = lambda self, memo=None: (_presented(self) if _presented(self) is not None
                                                       else np.ndarray.__deepcopy__(self, memo))
        return out
    if method == "all of them":
        out = {}
        for m in ("astype", "tolist", "__array__", "__float__", "__iter__", "__getitem__", "ravel/flatten/copy", "__eq__"):
            out.update(_lie_methods(m))
        return out
    return {method: passthrough(method)}


def _lying_array_class(method):
    name = "LyingArray_" + re.sub(r"\W+", "_", method).strip("_")
    return type(name, (np.ndarray,), _lie_methods(method))


ARRAY_LIES = ("astype", "tolist", "__eq__", "__array__", "__float__", "__iter__", "__getitem__", "ravel/flatten/copy", "all of them")
_ARRAY_CLASSES = {m: _lying_array_class(m) for m in ARRAY_LIES}


def lying_array(data, presented, method):
    obj = np.array(data, dtype=float).view(_ARRAY_CLASSES[method])
    obj.__dict__["lie"] = None if presented is None else np.array(presented, dtype=float)
    return obj


class EndlessList(list):
    """A list whose iterator never ends (it repeats its presented items forever)."""

    def __iter__(self):
        items = self.__dict__.get("presented") or [0.0]
        return itertools.cycle(items)


class LyingLenList(list):
    def __len__(self):
        return self.__dict__.get("fake_len", 10 ** 9)


class LyingGetitemList(list):
    def __getitem__(self, k):
        presented = self.__dict__["presented"]
        return presented[k]

    def __iter__(self):
        return iter(self.__dict__["presented"])


class EndlessTuple(tuple):
    def __iter__(self):
        return itertools.repeat(0.0)


def _listy(cls, data, presented=None, **attrs):
    obj = cls(data)
    obj.__dict__["presented"] = presented
    obj.__dict__.update(attrs)
    return obj


class RaisingRepr(float):
    def __repr__(self):
        raise RuntimeError("repr refuses")

    __str__ = __repr__

    def __format__(self, spec):
        raise RuntimeError("format refuses")


class LyingFloat(float):
    """A float whose __float__ (and __index__, __eq__) pretend to another value."""

    def __float__(self):
        return float(self.__dict__["presented"])

    def __eq__(self, other):
        return True

    __hash__ = float.__hash__


class RaisingReprArray(np.ndarray):
    def __repr__(self):
        raise RuntimeError("repr refuses")

    __str__ = __repr__


def always_equal(expr):
    """A sympy object of a subclass whose __eq__ (and equals, compare, __ne__) always says 'equal'."""
    if isinstance(expr, sp.MatrixBase):
        cls = type("AlwaysEqualMatrix", (sp.MutableDenseMatrix,), {
            "__eq__": lambda s, o: True, "__ne__": lambda s, o: False, "__hash__": None,
            "equals": lambda s, o, *a, **k: True})
        return cls(expr.tolist())
    base = type(expr)
    cls = type("AlwaysEqual" + base.__name__, (base,), {
        "__eq__": lambda s, o: True, "__ne__": lambda s, o: False, "__hash__": base.__hash__,
        "equals": lambda s, o, *a, **k: True, "compare": lambda s, o: 0})
    try:
        if isinstance(expr, sp.Float):
            obj = cls(expr)
        elif isinstance(expr, (sp.Integer, sp.Rational)):
            obj = cls(expr.p, expr.q) if isinstance(expr, sp.Rational) and not isinstance(expr, sp.Integer) else cls(expr.p)
        elif isinstance(expr, sp.Symbol):
            obj = cls(expr.name, **expr.assumptions0)
        else:
            obj = cls(*expr.args, evaluate=False)
    except Exception:
        return None
    return obj if isinstance(obj, cls) else None


def lying_sympy(expr, presented, method):
    """A sympy object (value `expr`) whose method `method` returns `presented` instead."""
    if isinstance(expr, sp.MatrixBase):
        base = sp.MutableDenseMatrix
    else:
        base = type(expr)
    lies = {
        "doit": {"doit": lambda s, *a, **k: presented},
        "evalf": {"evalf": lambda s, *a, **k: presented, "n": lambda s, *a, **k: presented},
        "subs/xreplace": {"subs": lambda s, *a, **k: presented, "xreplace": lambda s, *a, **k: presented},
        "simplify/expand": {"simplify": lambda s, *a, **k: presented, "expand": lambda s, *a, **k: presented,
                            "equals": lambda s, *a, **k: True},
        "tolist/applyfunc": {"tolist": lambda s: presented.tolist() if hasattr(presented, "tolist") else [presented],
                             "applyfunc": lambda s, f: presented.applyfunc(f) if hasattr(presented, "applyfunc") else f(presented)},
        "__sub__": {"__sub__": lambda s, o: (sp.zeros(*presented.shape) if hasattr(presented, "shape") else sp.S.Zero),
                    "__rsub__": lambda s, o: (sp.zeros(*presented.shape) if hasattr(presented, "shape") else sp.S.Zero)},
    }[method]
    if base is not sp.MutableDenseMatrix:
        lies = dict(lies, __hash__=base.__hash__)
    cls = type(f"Lying{base.__name__}_{method.replace('/', '_')}", (base,), lies)
    try:
        if base is sp.MutableDenseMatrix:
            obj = cls(expr.tolist())
        elif isinstance(expr, sp.Atom):
            return None
        else:
            obj = cls(*expr.args, evaluate=False)
    except Exception:
        return None
    return obj if isinstance(obj, cls) else None


# objects that change global state when touched: the state the runner restores after each call
def _touch_mutations():
    return {
        "mpmath precision to 5 digits": lambda: setattr(mpmath.mp, "dps", 5),
        "random.seed(0)": lambda: random.seed(0),
        "np.random.seed(0)": lambda: np.random.seed(0),
        "np.seterr(all='raise')": lambda: np.seterr(all="raise"),
        "np print precision 1": lambda: np.set_printoptions(precision=1),
        "warnings into errors": lambda: __import__("warnings").simplefilter("error"),
        "decimal precision 2": lambda: setattr(decimal.getcontext(), "prec", 2),
        "sympy cache cleared": lambda: sp.core.cache.clear_cache(),
        "recursion limit 120": lambda: __import__("sys").setrecursionlimit(120),
    }


def snapshot_state():
    import sys
    import warnings
    return {"dps": mpmath.mp.dps, "random": random.getstate(), "np_random": np.random.get_state(),
            "err": np.geterr(), "print": np.get_printoptions(), "warnings": list(warnings.filters),
            "decimal": decimal.getcontext().copy(), "recursion": sys.getrecursionlimit()}


def restore_state(state):
    import sys
    import warnings
    mpmath.mp.dps = state["dps"]
    random.setstate(state["random"])
    np.random.set_state(state["np_random"])
    np.seterr(**state["err"])
    np.set_printoptions(**state["print"])
    warnings.filters[:] = state["warnings"]
    decimal.setcontext(state["decimal"])
    sys.setrecursionlimit(state["recursion"])


class MutatingArray(np.ndarray):
    """An array that changes global state whenever it is read."""

    def _mutate(self):
        fn = self.__dict__.get("mutation")
        if fn:
            fn()

    def __array__(self, dtype=None, copy=None):
        self._mutate()
        return np.asarray(self.view(np.ndarray), dtype=dtype)

    def astype(self, *a, **k):
        self._mutate()
        return np.ndarray.astype(self, *a, **k)

    def tolist(self):
        self._mutate()
        return np.ndarray.tolist(self)

    def __iter__(self):
        self._mutate()
        return np.ndarray.__iter__(self)

    def __float__(self):
        self._mutate()
        return np.ndarray.__float__(self)


class MutatingList(list):
    def __iter__(self):
        fn = self.__dict__.get("mutation")
        if fn:
            fn()
        return list.__iter__(self)


def mutating_sympy(expr, mutation):
    base = sp.MutableDenseMatrix if isinstance(expr, sp.MatrixBase) else type(expr)

    def free_symbols(self):
        mutation()
        return base.free_symbols.__get__(self)

    body = {"free_symbols": property(free_symbols)}
    if base is not sp.MutableDenseMatrix:
        body["__hash__"] = base.__hash__
    cls = type(f"Mutating{base.__name__}", (base,), body)
    try:
        if base is sp.MutableDenseMatrix:
            return cls(expr.tolist())
        if isinstance(expr, sp.Atom):
            return None
        obj = cls(*expr.args, evaluate=False)
        return obj if isinstance(obj, cls) else None
    except Exception:
        return None


# --- odd exercise ids ----------------------------------------------------------------------


class RaisingStrId(str):
    def __str__(self):
        raise RuntimeError("str refuses")

    __repr__ = __str__


class RaisingEverythingId(str):
    def __str__(self):
        raise RuntimeError("str refuses")

    __repr__ = __str__

    def strip(self, *a):
        raise RuntimeError("strip refuses")

    def split(self, *a, **k):
        raise RuntimeError("split refuses")

    def __hash__(self):
        raise RuntimeError("hash refuses")

    def __eq__(self, other):
        raise RuntimeError("eq refuses")

    def __len__(self):
        raise RuntimeError("len refuses")


class ReprRaises:
    def __repr__(self):
        raise RuntimeError("repr refuses")

    __str__ = __repr__


class LyingEqId(str):
    """A str subclass equal to every id."""

    def __eq__(self, other):
        return True

    __hash__ = str.__hash__


def _odd_ids(exercise_id):
    """(label, id object, truth, string form the sentence should show or None)."""
    out = []
    try:
        f = float(exercise_id)
        out.append((f"float id {f!r}", f, "sentence", exercise_id))
    except ValueError:
        pass
    major, minor = exercise_id.split(".")
    out += [
        ("int id", int(major), "sentence", None),
        ("tuple id", (int(major), int(minor)), "sentence", None),
        ("None id", None, "sentence", None),
        ("bytes id", exercise_id.encode(), "sentence", None),
        ("object id", object(), "sentence", None),
        ("id whose repr raises", ReprRaises(), "sentence", None),
        ("str subclass whose __str__ raises", RaisingStrId(exercise_id), "any", None),
        ("str subclass that raises on everything", RaisingEverythingId(exercise_id), "any", None),
        ("str subclass equal to everything", LyingEqId("zz.99"), "any", None),
        ("np.str_ id", np.str_(exercise_id), "any", None),
        ("id with spaces", f"  {exercise_id}\n", "any", None),
        ("id with a leading zero", f"0{exercise_id}", "any", None),
        ("id with a trailing dot", exercise_id + ".", "sentence", None),
        ("id with Arabic-Indic digits", exercise_id.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")), "sentence", None),
        ("id with full-width digits", exercise_id.translate(str.maketrans("0123456789.", "０１２３４５６７８９．")), "sentence", None),
        ("empty id", "", "sentence", None),
        ("id of a million characters", "3." + "1" * 10 ** 6, "sentence", None),
        ("id with a NUL", exercise_id + "\x00", "sentence", None),
        ("id as a sympy number", sp.Float(exercise_id), "sentence", None),
        ("Fraction id", Fraction(exercise_id), "sentence", None),
        ("Decimal id", decimal.Decimal(exercise_id), "any", None),
        ("list id", [exercise_id], "sentence", None),
        ("unknown exercise", f"{major}.99", "sentence", None),
        ("notebook id", major, "sentence", None),
        ("id with a format field", "{0.__class__}", "sentence", None),
        ("id with HTML", "<script>alert(1)</script>", "sentence", None),
    ]
    return out


# --- the strategy ----------------------------------------------------------------------------

_WEIGHTS = {"junk": 3, "lying": 2, "ids": 1, "near-miss": 4, "factor": 2, "mistake": 1,
            "partial-domain": 4, "pathological": 2, "correct-form": 4, "float32": 1,
            "wrong-function": 6, "hostile-function": 2}


def _categories_for(inf):
    cats = []
    for cat, w in _WEIGHTS.items():
        if inf.kind == "numeric" and cat == "partial-domain":
            continue
        if inf.kind == "symbolic" and cat == "float32":
            continue
        if inf.kind == "function" and cat not in ("junk", "ids", "correct-form", "mistake", "wrong-function",
                                                   "hostile-function"):
            continue
        if inf.kind != "function" and cat in ("wrong-function", "hostile-function"):
            continue
        cats += [cat] * w
    return cats


@st.composite
def cases(draw, ids=None, categories=None):
    """One adversarial Case for one exercise (from `ids`, default all) and category."""
    ids = list(ids or exercises.ids())
    exercise_id = draw(st.sampled_from(ids))
    inf = info(exercise_id)
    allowed = [c for c in _categories_for(inf) if categories is None or c in categories]
    if not allowed:
        allowed = [c for c in CATEGORIES if categories is None or c in categories][:1]
    category = draw(st.sampled_from(allowed))
    rng = random.Random(draw(st.integers(0, 2 ** 32 - 1)))
    return build(inf, category, rng, draw)


def build(inf, category, rng, draw=None):
    """A Case of `category` for the exercise `inf`, its choices made by `rng` (and `draw` if given)."""
    # by index: Hypothesis hashes what sampled_from holds, and some of these objects refuse
    pick = (lambda seq: seq[draw(st.integers(0, len(seq) - 1))]) if draw else rng.choice
    maker = {"junk": _junk, "lying": _lying, "ids": _ids, "near-miss": _near_miss, "factor": _factor,
             "mistake": _mistake, "partial-domain": _partial_domain, "pathological": _pathological,
             "correct-form": _correct_form, "float32": _float32, "wrong-function": _wrong_function,
             "hostile-function": _hostile_function}[category]
    made = maker(inf, rng, pick)
    if made is None:
        made = ("fallback: the reference", _reference_copy(inf), "correct" if inf.kind != "function" else "any")
    label, answer, truth = made[:3]
    known = made[3] if len(made) > 3 else None
    extra = {}
    if isinstance(known, dict):
        extra, known = known, None
    return Case(inf.id, category, label, answer, truth, known=known, **extra)


def _reference_copy(inf):
    if inf.kind == "numeric":
        return inf.expected.copy()
    if inf.kind == "symbolic":
        return sp.Matrix(inf.expected) if isinstance(inf.expected, sp.MatrixBase) else inf.expected
    return inf.expected


def _junk(inf, rng, pick):
    if inf.kind == "numeric" and rng.random() < 0.6:
        return pick(_numeric_junk(inf, rng))
    label, answer = pick(_junk_common())
    truth = "sentence"
    if inf.kind == "numeric":
        if label in ("-0.0",):
            truth = num_truth(0.0, inf)
        if isinstance(answer, (Fraction,)):
            truth = num_truth(float(answer), inf)
        if label in ("a 3-deep list of a 1000 zeros", "a huge array"):
            truth = "wrong"
    if inf.kind == "symbolic" and label == "unknown symbol":
        truth = "sentence"
    return label, answer, truth


def _lying(inf, rng, pick):
    kind = inf.kind
    if kind == "function":
        return None
    if kind == "numeric":
        E = inf.expected
        W = _wrong_of_shape(E, rng)
        choice = pick(("array", "array", "array", "endless list", "lying len", "lying getitem", "endless tuple",
                       "raising repr", "lying float", "always-equal sympy", "mutating", "mutating list",
                       "honest data, lying methods", "raising repr array"))
        if choice == "array":
            method = pick(ARRAY_LIES)
            return f"ndarray subclass lying in {method} (data wrong)", lying_array(W, E, method), "wrong", W
        if choice == "honest data, lying methods":
            method = pick(ARRAY_LIES)
            return f"ndarray subclass lying in {method} (data right)", lying_array(E, W, method), "any", E
        if choice == "endless list":
            return ("list subclass whose __iter__ never ends (data wrong)",
                    _listy(EndlessList, _as_list(W), presented=_as_list(E)), "sentence", W)
        if choice == "lying len":
            fake = pick((10 ** 9, 0, 1, -1, 2 ** 63))
            data_right = rng.random() < 0.5
            return (f"list subclass with __len__ = {fake} (data {'right' if data_right else 'wrong'})",
                    _listy(LyingLenList, _as_list(E if data_right else W), fake_len=fake),
                    "any" if data_right else "wrong", E if data_right else W)
        if choice == "lying getitem":
            return ("list subclass whose __getitem__/__iter__ show the answer (data wrong)",
                    _listy(LyingGetitemList, _as_list(W), presented=_as_list(E)), "any", W)
        if choice == "endless tuple":
            return "tuple subclass whose __iter__ never ends", EndlessTuple(_as_list(W)), "sentence", W
        if choice == "raising repr":
            if E.ndim == 0:
                right = rng.random() < 0.5
                v = float(E) if right else float(W)
                return f"float subclass whose repr raises ({'right' if right else 'wrong'})", RaisingRepr(v), ("any" if right else "wrong"), np.array(v)
            return "list of floats whose repr raises (wrong)", [RaisingRepr(x) for x in W.ravel()] if E.ndim == 1 else [
                [RaisingRepr(x) for x in row] for row in W.reshape(E.shape[0], -1)], "wrong" if E.ndim <= 2 else "any", W
        if choice == "raising repr array":
            right = rng.random() < 0.5
            data = E if right else W
            return f"ndarray subclass whose repr raises ({'right' if right else 'wrong'})", np.array(data).view(RaisingReprArray), ("any" if right else "wrong"), data
        if choice == "lying float":
            if E.ndim == 0:
                obj = LyingFloat(float(W))
                obj.__dict__["presented"] = float(E)
                return "float subclass whose __float__ and __eq__ lie (value wrong)", obj, "wrong", W
            objs = []
            for w, e in zip(W.ravel(), E.ravel()):
                o = LyingFloat(float(w))
                o.__dict__["presented"] = float(e)
                objs.append(o)
            return "list of float subclasses whose __float__ lies (values wrong)", np.array(objs, dtype=object).reshape(E.shape).tolist(), "wrong" if E.ndim <= 2 else "any", W
        if choice == "always-equal sympy":
            if E.ndim == 0:
                obj = always_equal(sp.Float(float(W)))
                return ("sympy Float subclass whose __eq__ is always True (value wrong)", obj, "wrong", W) if obj is not None else None
            if E.ndim == 2:
                return "sympy Matrix subclass whose __eq__ is always True (values wrong)", always_equal(sp.Matrix(W.tolist())), "wrong", W
            return None
        if choice in ("mutating", "mutating list"):
            name, fn = pick(sorted(_touch_mutations().items()))
            right = rng.random() < 0.4
            data = E if right else W
            if choice == "mutating":
                obj = np.array(data, dtype=float).view(MutatingArray)
            else:
                obj = MutatingList(_as_list(data))
            obj.__dict__["mutation"] = fn
            return (f"{'array' if choice == 'mutating' else 'list'} that sets {name} when read (data {'right' if right else 'wrong'})",
                    obj, ("any" if right else "wrong"), data)
    # symbolic
    E = inf.expected
    W = _symbolic_wrong(inf, rng, pick)
    if W is None:
        return None
    Wm = sp.Matrix(W) if isinstance(W, sp.MatrixBase) else W
    choice = pick(("always-equal", "lying method", "lying method", "mutating", "raising repr", "lying entries"))
    if choice == "always-equal":
        obj = always_equal(Wm)
        return ("sympy subclass whose __eq__ is always True (value wrong)", obj, "wrong") if obj is not None else None
    if choice == "lying method":
        method = pick(("doit", "evalf", "subs/xreplace", "simplify/expand", "tolist/applyfunc", "__sub__"))
        obj = lying_sympy(Wm, sp.Matrix(E) if isinstance(E, sp.MatrixBase) else E, method)
        return (f"sympy subclass lying in {method} (value wrong)", obj, "wrong") if obj is not None else None
    if choice == "mutating":
        name, fn = pick(sorted(_touch_mutations().items()))
        obj = mutating_sympy(Wm, fn)
        return (f"sympy object that sets {name} when its symbols are read (value wrong)", obj, "wrong") if obj is not None else None
    if choice == "raising repr":
        base = sp.MutableDenseMatrix if isinstance(Wm, sp.MatrixBase) else type(Wm)
        body = {"__repr__": lambda s: (_ for _ in ()).throw(RuntimeError("repr refuses")),
                "__str__": lambda s: (_ for _ in ()).throw(RuntimeError("str refuses"))}
        if base is not sp.MutableDenseMatrix:
            body["__hash__"] = base.__hash__
        cls = type("RaisingRepr" + base.__name__, (base,), body)
        try:
            obj = cls(Wm.tolist()) if base is sp.MutableDenseMatrix else (None if isinstance(Wm, sp.Atom) else cls(*Wm.args, evaluate=False))
        except Exception:
            obj = None
        return ("sympy object whose repr and str raise (value wrong)", obj, "wrong") if obj is not None else None
    # a nested list whose entries are always-equal expressions
    if isinstance(Wm, sp.MatrixBase):
        rows = [[always_equal(e) or e for e in row] for row in Wm.tolist()]
        return "nested list of always-equal expressions (values wrong)", rows, "wrong"
    return None


def _as_list(a):
    a = np.asarray(a, dtype=float)
    return a.tolist() if a.ndim else [float(a)]


def _wrong_of_shape(E, rng):
    W = E * rng.choice((1.5, -3.0, 0.25, 7.0)) + rng.choice((1.0, -2.0, 0.5))
    return np.where(np.abs(W - E) > 1e-3 + 1e-3 * np.abs(E), W, W + 1.0)


def _ids(inf, rng, pick):
    label, ident, truth, form = pick(_odd_ids(inf.id))
    answer = _reference_copy(inf) if inf.kind != "function" else inf.expected
    case_label = f"id: {label}"
    return case_label, answer, truth, {"ident": ident, "id_form": form}


def _symbolic_wrong(inf, rng, pick):
    """A plainly wrong expression of the right shape."""
    E = inf.expected
    s = pick(inf.symbols)
    options = [lambda: _map(E, lambda e: e + 1), lambda: _map(E, lambda e: 2 * e + s), lambda: _map(E, lambda e: e * s + 3),
               lambda: _map(E, lambda e: sp.exp(s) + e)]
    W = pick(options)()
    return W if sym_truth(W, inf) == "wrong" else None


def _near_miss(inf, rng, pick):
    if inf.kind == "numeric":
        E = inf.expected
        kinds = ["sign", "perturb one entry", "perturb all", "round to k digits", "wrong shape", "random numbers",
                 "off by one ulp", "absolute error 1e-9", "huge", "tiny", "-0.0 entries", "entry 1e308"]
        if E.ndim == 2:
            kinds += ["transpose", "transpose", "reshape"]
        if E.ndim >= 1 and E.size > 1:
            kinds += ["reshape", "ravel", "swap two entries", "reverse"]
        if E.ndim == 0:
            kinds += ["wrapped in a list"]
        k = pick(kinds)
        V = None
        if k == "sign":
            V = -E
        elif k == "transpose":
            V = E.T.copy()
        elif k == "reshape":
            shape = list(E.shape)
            if E.ndim >= 2:
                V = E.reshape(shape[::-1]) if shape[::-1] != shape else E.reshape(-1, 1)
            else:
                V = E.reshape(-1, 1) if rng.random() < 0.5 else E.reshape(1, -1)
        elif k == "ravel":
            V = E.ravel().copy() if E.ndim > 1 else E.reshape(1, -1)
        elif k == "reverse":
            V = E.ravel()[::-1].reshape(E.shape).copy()
        elif k == "swap two entries":
            V = E.copy().ravel()
            i, j = rng.sample(range(V.size), 2)
            V[i], V[j] = V[j], V[i]
            V = V.reshape(E.shape)
        elif k == "perturb one entry":
            V = E.copy().ravel()
            i = rng.randrange(V.size)
            rel = rng.choice((-1, 1)) * 10 ** rng.uniform(-9, 1)
            V[i] = V[i] * (1 + rel) + (rel if V[i] == 0 else 0)
            V = V.reshape(E.shape)
        elif k == "perturb all":
            rel = 10 ** rng.uniform(-10, 0)
            V = E * (1 + rel * np.array([rng.uniform(-1, 1) for _ in range(E.size)]).reshape(E.shape))
        elif k == "round to k digits":
            digits = rng.randint(1, 12)
            V = np.array([float(f"{x:.{digits}g}") for x in E.ravel()]).reshape(E.shape)
            k = f"rounded to {digits} significant digits"
        elif k == "wrong shape":
            options = [np.append(E.ravel(), 0.5), E.ravel()[:-1] if E.size > 1 else np.zeros(2), np.stack([E, E]),
                       E.reshape(E.shape + (1,)), np.zeros(E.shape + (2,))]
            V = options[rng.randrange(len(options))]
        elif k == "random numbers":
            V = np.array([rng.uniform(-2, 2) for _ in range(E.size)]).reshape(E.shape)
        elif k == "off by one ulp":
            V = np.nextafter(E, np.inf)
        elif k == "absolute error 1e-9":
            V = E + 1e-9 * rng.choice((0.3, 3.0))
        elif k == "huge":
            V = E * 10.0 ** rng.randint(50, 307)
        elif k == "tiny":
            V = E * 10.0 ** -rng.randint(50, 320)
        elif k == "-0.0 entries":
            V = np.where(np.abs(E) < 1e-12, -0.0, E)
        elif k == "entry 1e308":
            V = E.copy()
            V.ravel()[0] = 1e308
        elif k == "wrapped in a list":
            V = np.array([float(E)])
            return "wrapped in a list", V.tolist(), "any", V
        truth = num_truth(V, inf)
        form = pick(("array", "list"))
        answer = V if form == "array" else V.tolist()
        return f"{k} ({form})", answer, truth, V
    if inf.kind == "symbolic":
        E = inf.expected
        s = pick(inf.symbols)
        others = [q for q in inf.symbols if q != s]
        kinds = {"sign": lambda: -E, "plus one": lambda: _map(E, lambda e: e + 1), "times s": lambda: _map(E, lambda e: e * s),
                 "s → 2s": lambda: E.xreplace({s: 2 * s}), "s → s + 1": lambda: E.xreplace({s: s + 1}),
                 "s → −s": lambda: E.xreplace({s: -s}),
                 "swap two symbols": (lambda: E.xreplace({s: others[0], others[0]: s})) if others else (lambda: -E),
                 "one entry zeroed": lambda: _one_entry(E, rng, lambda e: sp.S.Zero),
                 "one entry + s": lambda: _one_entry(E, rng, lambda e: e + s),
                 "one entry × 2": lambda: _one_entry(E, rng, lambda e: 2 * e),
                 "one entry × (1 + 10⁻⁶)": lambda: _one_entry(E, rng, lambda e: e * (1 + sp.Rational(1, 10 ** 6))),
                 "+ 10⁻²⁰·s (below any tolerance)": lambda: _map(E, lambda e: e + sp.Rational(1, 10 ** 20) * s),
                 "evalf(15)": lambda: _map(E, lambda e: e.evalf(15)),
                 "evalf(4)": lambda: _map(E, lambda e: e.evalf(4)),
                 "wrong shape: a scalar": lambda: _entries(E)[0] if isinstance(E, sp.MatrixBase) else sp.Matrix([[E, E]]),
                 "wrong shape: row_join": lambda: sp.Matrix(E).row_join(sp.Matrix(E)) if isinstance(E, sp.MatrixBase) else sp.Matrix([E]),
                 "wrong shape: first column": lambda: sp.Matrix(E)[:, 0] if isinstance(E, sp.MatrixBase) else [E, E]}
        if isinstance(E, sp.MatrixBase):
            kinds["transpose"] = lambda: E.T
            kinds["reshape"] = lambda: E.reshape(E.shape[1], E.shape[0]) if E.shape[0] != E.shape[1] else E.reshape(1, len(E))
        name = pick(sorted(kinds))
        with _alarm(3):
            V = kinds[name]()
            truth = sym_truth(V, inf) if _sym_shape(V) == _sym_shape(E) else "wrong"
            if "below any tolerance" in name or "evalf" in name:
                truth = "any" if truth == "wrong" and "10⁻²⁰" in name else truth
                if name == "evalf(15)" and truth == "wrong":
                    truth = "any"
            return name, V, truth
        return None
    return None


def _sym_shape(x):
    if isinstance(x, (sp.MatrixBase, sp.NDimArray)):
        return tuple(x.shape)
    if isinstance(x, (list, tuple)):
        return ("list",)
    return ()


def _one_entry(E, rng, fn):
    if not isinstance(E, sp.MatrixBase):
        return fn(E)
    M = sp.Matrix(E)
    k = rng.randrange(len(M))
    M[k] = fn(M[k])
    return M


def _factor(inf, rng, pick):
    if inf.kind == "numeric":
        E = inf.expected
        factors = [2.0, 0.5, -1.0, -2.0, 3.0, 10.0, 0.1, 1.5, 1 + 1e-3, float(rng.randint(1000, 10 ** 6)),
                   float(rng.randint(1000, 10 ** 6)), 1.0 / rng.randint(1000, 10 ** 6), rng.uniform(-1e4, 1e4),
                   float(rng.randint(3, 99)) / rng.randint(3, 99), 10.0 ** rng.randint(20, 300), 162450.0]
        factors += [float(f) for f, _ in inf.factors] + [1 / float(f) for f, _ in inf.factors]
        c = pick(factors)
        V = c * E
        if not np.all(np.isfinite(V)):
            V = np.where(np.isfinite(V), V, 1e308)
        truth = num_truth(V, inf)
        return f"times {c:.6g}", (V if rng.random() < 0.5 else V.tolist()) if E.ndim else (float(V) if rng.random() < 0.7 else np.float64(V)), truth, V
    if inf.kind == "symbolic":
        E = inf.expected
        c = pick([2, sp.Rational(1, 2), -1, 3, 10, sp.Rational(2, 3), rng.randint(1000, 10 ** 6), sp.pi, sp.Float(1.0000001)])
        V = _map(E, lambda e: c * e)
        return f"times {c}", V, sym_truth(V, inf)
    return None


def _mistake(inf, rng, pick):
    if inf.kind == "function":
        return _function_mistake(inf, rng, pick)
    if not inf.mistakes:
        return _factor(inf, rng, pick)
    name, value = pick(inf.mistakes)
    if inf.kind == "numeric":
        V = np.array(value, dtype=float)
        form = pick(("as computed", "list", "rounded to 4 digits"))
        if form == "rounded to 4 digits":
            V = np.array([float(f"{x:.4g}") for x in V.ravel()]).reshape(V.shape)
        return f"registered mistake '{name}' ({form})", V.tolist() if form == "list" else V, num_truth(V, inf), V
    V = sp.Matrix(value) if isinstance(value, sp.MatrixBase) else value
    if rng.random() < 0.3:
        V = _map(V, sp.expand)
    return f"registered mistake '{name}'", V, sym_truth(V, inf)


def _partial_domain(inf, rng, pick):
    E = inf.expected
    s = pick(inf.symbols)
    c = pick((sp.Rational(3, 10), sp.S.Zero, sp.S(-1), sp.Rational(1, 7), sp.Rational(31, 97)))
    old_points = [sp.Rational(n, 97) for n in range(31, 174)]
    p = [sp.Rational(rng.randint(-300, 300), rng.choice((7, 11, 13, 97, 1000))) for _ in range(rng.randint(1, 6))]
    k_big = pick((97, 97 * 89, sp.factorial(12), sp.factorial(30), 2 ** 40, 10 ** 12))

    def add(term):
        return lambda: (_one_entry(E, rng, lambda e: e + term) if rng.random() < 0.5 else _map(E, lambda e: e + term))

    subs = {
        f"{s} → Abs({s})": lambda: E.xreplace({s: sp.Abs(s)}),
        f"{s} → sqrt({s}²)": lambda: E.xreplace({s: sp.sqrt(s ** 2)}),
        f"{s} → Max({s}, {c})": lambda: E.xreplace({s: sp.Max(s, c)}),
        f"{s} → Min({s}, 1000)": lambda: E.xreplace({s: sp.Min(s, 1000)}),
        f"{s} → ({s}³)^(1/3)": lambda: E.xreplace({s: sp.Pow(s ** 3, sp.Rational(1, 3))}),
        f"{s} → exp(log({s}))": lambda: E.xreplace({s: sp.exp(sp.log(s))}),
        f"Piecewise: right only for {s} > 0": lambda: _map(E, lambda e: sp.Piecewise((e, s > 0), (e + 1 + s ** 2, True))),
        f"Piecewise: right only for {s} in (0.3, 1.8)": lambda: _map(E, lambda e: sp.Piecewise((e, (s > sp.Rational(3, 10)) & (s < sp.Rational(9, 5))), (2 * e + 1, True))),
        f"+ Heaviside(−{s})·({s}²+1)": add(sp.Heaviside(-s) * (s ** 2 + 1)),
        f"× Heaviside({s})·2": lambda: _map(E, lambda e: e * sp.Heaviside(s) * 2 - e),
        f"+ Abs({s}) − {s}": add(sp.Abs(s) - s),
        f"+ Max(0, −{s})": add(sp.Max(0, -s)),
        f"+ sin({k_big}·π·{s})": add(sp.sin(k_big * sp.pi * s)),
        f"+ sin(π·{s}·30!)": add(sp.sin(sp.pi * s * sp.factorial(30))),
        f"+ sin(97·π·{s})²": add(sp.sin(97 * sp.pi * s) ** 2),
        f"+ frac(97·{s})": add(sp.frac(97 * s)),
        f"+ ∏({s} − p) over the old checker's points": add(sp.Mul(*[(s - q) for q in old_points[:: rng.choice((1, 3, 7))]])),
        f"+ ∏({s} − p) over random rationals": add(sp.Mul(*[(s - q) for q in p])),
        f"+ 1/gamma(−{s}) (zero at 0, 1, 2, …)": add(1 / sp.gamma(-s)),
        f"+ sqrt(−({s} − {p[0]})²) (undefined except at {p[0]})": add(sp.sqrt(-(s - p[0]) ** 2)),
        f"+ sqrt({s} − 1000) (undefined below 1000)": add(sp.sqrt(s - 1000)),
        f"+ log({s} − 1000)": add(sp.log(s - 1000)),
        f"+ Heaviside({s} − 2) (differs only for {s} > 2)": add(sp.Heaviside(s - 2)),
        f"+ floor({s}) − {s} + frac({s}) + Heaviside(−{s} − 3) (differs only for {s} < −3)": add(sp.floor(s) - s + sp.frac(s) + sp.Heaviside(-s - 3)),
        f"+ sign({s}) − 1": add(sp.sign(s) - 1),
        f"+ (Abs({s}) − {s})·10⁶": add((sp.Abs(s) - s) * 10 ** 6),
        f"+ exp(−1/{s}²)·10⁻³ (tiny near 0)": add(sp.exp(-1 / s ** 2) / 1000),
        f"+ ({s} − {s}) · zoo": add(sp.Mul(s - s, sp.zoo, evaluate=False)),
    }
    name = pick(sorted(subs))
    with _alarm(3):
        V = subs[name]()
        return name, V, sym_truth(V, inf, seed=rng.randrange(10 ** 6))
    return None


def _pathological(inf, rng, pick):
    E = inf.expected
    k = sp.Symbol("k", integer=True, positive=True)
    u = sp.Symbol("u", real=True)
    if inf.kind == "symbolic":
        s = pick(inf.symbols)
        first = _entries(E)[0]
        tower = sp.exp(sp.exp(sp.exp(sp.exp(sp.E))))
        wrong = {
            "exp(exp(exp(exp(E))))": lambda: tower,
            "+ exp(exp(exp(exp(E))))": lambda: _map(E, lambda e: e + tower),
            f"+ exp(exp(exp(exp({s}))))": lambda: _map(E, lambda e: e + sp.exp(sp.exp(sp.exp(sp.exp(s))))),
            f"+ exp(10⁶·{s}²)": lambda: _map(E, lambda e: e + sp.exp(10 ** 6 * s ** 2)),
            f"+ Integral(exp(−u²)·sin({s}·u), (u, 0, {s}))": lambda: _map(E, lambda e: e + sp.Integral(sp.exp(-u ** 2) * sp.sin(s * u), (u, 0, s))),
            f"Integral of the first entry over {s} (unevaluated, wrong)": lambda: _map(E, lambda e: sp.Integral(e, (s, 0, 1)) + e),
            f"+ Derivative(exp(exp(exp({s}))), {s}, 5)": lambda: _map(E, lambda e: e + sp.Derivative(sp.exp(sp.exp(sp.exp(s))), (s, 5))),
            f"+ Sum({s}^k/k, k ≥ 1)": lambda: _map(E, lambda e: e + sp.Sum(s ** k / k, (k, 1, sp.oo))),
            f"+ Sum(1/k^(2+{s}²), k ≥ 1)": lambda: _map(E, lambda e: e + sp.Sum(1 / k ** (2 + s ** 2), (k, 1, sp.oo))),
            f"+ ({s}+1)^(10⁶)": lambda: _map(E, lambda e: e + (s + 1) ** (10 ** 6)),
            f"+ {s}^(10^10)": lambda: _map(E, lambda e: e + s ** (10 ** 10)),
            "+ Pow(3/7, 10^8, evaluate=False)": lambda: _map(E, lambda e: e + sp.Pow(sp.Rational(3, 7), 10 ** 8, evaluate=False)),
            "+ 10^(10^5)": lambda: _map(E, lambda e: e + sp.Integer(10) ** (10 ** 5)),
            "one entry: (e + 1)¹² expanded": lambda: _one_entry(E, rng, lambda e: sp.expand((e + 1) ** 12)),
            f"+ sin(sin(…sin({s})…)) 300 deep": lambda: _map(E, lambda e: e + functools.reduce(lambda a, _: sp.sin(a), range(300), s)),
            f"+ Σ {s}^j, j < 3000": lambda: _map(E, lambda e: e + sp.Add(*[s ** j for j in range(1, 3000)])),
            "+ nested Add 4000 deep (unevaluated)": lambda: _map(E, lambda e: e + functools.reduce(lambda a, j: sp.Add(a, sp.Integer(j), evaluate=False), range(1, 4000), s)),
            "+ zoo": lambda: _map(E, lambda e: e + sp.zoo),
            "+ nan": lambda: _map(E, lambda e: e + sp.nan),
            "+ oo": lambda: _map(E, lambda e: e + sp.oo),
            f"+ f({s}) (undefined function)": lambda: _map(E, lambda e: e + sp.Function("f")(s)),
            "+ a Float with 2000 digits": lambda: _map(E, lambda e: e + sp.Float("1." + "3" * 2000, 2000) * s),
            "200×200 Matrix": lambda: sp.ones(200, 200) * s,
            "Identity(2)": lambda: sp.Identity(2),
            "MatrixSymbol": lambda: sp.MatrixSymbol("M", 2, 2),
            "Piecewise with undecidable conditions": lambda: _map(E, lambda e: sp.Piecewise((e, sp.sin(s) > sp.Rational(1, 10 ** 30)), (e + 1, True))),
            f"+ LambertW(exp(exp({s})))·0 + 1": lambda: _map(E, lambda e: e + sp.LambertW(sp.exp(sp.exp(s))) - sp.LambertW(sp.exp(sp.exp(s))) + 1),
            f"+ gamma(10⁴·{s}²)": lambda: _map(E, lambda e: e + sp.gamma(10 ** 4 * s ** 2)),
            "+ zeta(3) − 1.2020569031595942 (≈ 0 but not 0)": lambda: _map(E, lambda e: e + sp.zeta(3) - sp.Float("1.2020569031595942", 17)),
            "+ (π − 355/113)·s": lambda: _map(E, lambda e: e + (sp.pi - sp.Rational(355, 113)) * s),
        }
        heavy = dict(inf.heavy)
        name = pick(sorted(wrong) + sorted(heavy))
        if name in heavy:
            return name, heavy[name], "equal-heavy"
        with _alarm(5):
            V = wrong[name]()
            truth = "wrong"
            if name.startswith("+ zeta(3)"):
                truth = "any"  # below any tolerance: a float's rounding, not a method
            return name, V, truth
        return None
    if inf.kind == "numeric":
        Es = sp.Float(float(inf.expected.ravel()[0]))
        options = {
            "exp(exp(exp(exp(E))))": lambda: sp.exp(sp.exp(sp.exp(sp.exp(sp.E)))),
            "Pow(2, 10^8, evaluate=False)": lambda: sp.Pow(2, 10 ** 8, evaluate=False),
            "Integral(exp(−u²), (u, 0, oo)) (unevaluated)": lambda: sp.Integral(sp.exp(-u ** 2), (u, 0, sp.oo)),
            "Sum(1/k², k ≥ 1) (unevaluated)": lambda: sp.Sum(1 / k ** 2, (k, 1, sp.oo)),
            "Integral equal to the answer (unevaluated)": lambda: sp.Integral(Es, (u, 0, 1)),
            "the answer + Integral(0·u, (u, 0, 1))": lambda: Es + sp.Integral(0 * u, (u, 0, 1)),
            "answer × 1 as an unevaluated Mul": lambda: sp.Mul(Es, 1, evaluate=False),
            "Derivative(answer·u, u) (unevaluated)": lambda: sp.Derivative(Es * u, u),
            "gamma(10^6)": lambda: sp.gamma(10 ** 6),
            "a Float with 4000 digits": lambda: sp.Float("0." + "7" * 4000, 4000),
            "10^(10^6) as an unevaluated Pow": lambda: sp.Pow(10, 10 ** 6, evaluate=False),
            "sin(10^(10^4))": lambda: sp.sin(sp.Pow(10, 10 ** 4, evaluate=False)),
            "Identity(2)": lambda: sp.Identity(2),
            "Identity(2).as_explicit()": lambda: sp.Identity(2).as_explicit(),
            "sp.eye(2)": lambda: sp.eye(2),
            "ZeroMatrix(2, 2)": lambda: sp.ZeroMatrix(2, 2),
            "MatrixSymbol": lambda: sp.MatrixSymbol("M", 2, 2),
            "Fraction 10^5000 / 3": lambda: Fraction(10 ** 5000, 3),
            "int 10^5000": lambda: 10 ** 5000,
            "Decimal 1E+999999": lambda: decimal.Decimal("1E+999999"),
            "object array of 10^6 zeros": lambda: np.zeros(10 ** 6, dtype=object),
            "list of 10^6 floats": lambda: [0.5] * 10 ** 6,
        }
        name = pick(sorted(options))
        V = options[name]()
        E = inf.expected
        truth = "wrong"
        if name in ("Integral equal to the answer (unevaluated)", "the answer + Integral(0·u, (u, 0, 1))",
                    "answer × 1 as an unevaluated Mul") and E.ndim == 0:
            truth = "any"
        if name == "Derivative(answer·u, u) (unevaluated)" and E.ndim == 0:
            truth = "correct"
        if name in ("Identity(2)", "Identity(2).as_explicit()", "sp.eye(2)"):
            truth = num_truth(np.eye(2), inf)
        if name == "ZeroMatrix(2, 2)":
            truth = num_truth(np.zeros((2, 2)), inf)
        if name == "Sum(1/k², k ≥ 1) (unevaluated)":
            truth = num_truth(math.pi ** 2 / 6, inf) if truth != "wrong" or E.ndim == 0 else "wrong"
            truth = "any" if truth == "correct" else truth
        if name == "Integral(exp(−u²), (u, 0, oo)) (unevaluated)":
            truth = num_truth(math.sqrt(math.pi) / 2, inf)
            truth = "any" if truth == "correct" else truth
        return name, V, truth
    return None


def _correct_form(inf, rng, pick):
    if inf.kind == "function":
        return "the reference function itself", inf.expected, "correct"
    if inf.kind == "numeric":
        E = inf.expected
        forms = {"float64 array": lambda: E.copy(), "nested list": lambda: E.tolist(),
                 "tuple": lambda: _tuples(E.tolist()), "Fortran-ordered copy": lambda: E.copy(order="F"),
                 "non-contiguous view": lambda: np.repeat(E[..., None], 2, axis=-1)[..., 0] if E.ndim else E.copy(),
                 "read-only array": lambda: _readonly(E), "longdouble array": lambda: E.astype(np.longdouble),
                 "ImmutableMatrix": (lambda: sp.ImmutableMatrix(E.tolist())) if E.ndim == 2 else (lambda: sp.Float(float(E), 20)) if E.ndim == 0 else (lambda: sp.Array(E.tolist())),
                 "sympy Matrix": (lambda: sp.Matrix(E.tolist())) if E.ndim == 2 else (lambda: sp.Rational(float(E))) if E.ndim == 0 else (lambda: sp.Array(E.tolist())),
                 "sp.Array": (lambda: sp.Array(E.tolist())) if E.ndim else (lambda: sp.Float(float(E))),
                 "sum of two halves": lambda: E / 2 + E / 2, "E·(1 + 1e-12)": lambda: E * (1 + 1e-12)}
        if E.ndim == 0:
            forms.update({"python float": lambda: float(E), "np.float64": lambda: np.float64(E), "0-d array": lambda: np.array(float(E)),
                          "python int where exact": lambda: int(E) if float(E).is_integer() else float(E)})
        if np.all(E == np.round(E)) and np.all(np.abs(E) < 2 ** 31):
            forms["int array"] = lambda: E.astype(int)
            forms["int8 array"] = lambda: E.astype(np.int8)
            forms["list of ints"] = lambda: E.astype(int).tolist()
            forms["sympy Integer matrix"] = (lambda: sp.Matrix(E.astype(int).tolist())) if E.ndim == 2 else (lambda: sp.Array(E.astype(int).tolist()))
            if E.ndim == 2 and E.shape[0] == E.shape[1] and np.array_equal(E, np.eye(E.shape[0])):
                forms["sp.Identity(n)"] = lambda: sp.Identity(E.shape[0])
                forms["sp.eye(n)"] = lambda: sp.eye(E.shape[0])
                forms["np.identity(n)"] = lambda: np.identity(E.shape[0])
        name = pick(sorted(forms))
        V = forms[name]()
        return name, V, "correct", E
    if inf.kind == "symbolic":
        name, thunk = pick(inf.forms)
        V = form(inf, name, thunk)
        if V is None:
            return None
        if name == "simplify":
            truth = sym_truth(V, inf) if not isinstance(V, (list, tuple, sp.NDimArray)) else "correct"
        else:
            truth = "correct"
        return name, V, truth
    return None


def _tuples(x):
    return tuple(_tuples(v) for v in x) if isinstance(x, list) else x


def _readonly(E):
    V = E.copy()
    V.flags.writeable = False
    return V


def _float32(inf, rng, pick):
    E = inf.expected
    how = pick(("cast", "cast, then one ulp up", "cast, then one ulp down", "computed by a float32 sum", "float32 scalar"))
    V32 = E.astype(np.float32)
    if "up" in how:
        V32 = np.nextafter(V32, np.float32(np.inf))
    elif "down" in how:
        V32 = np.nextafter(V32, np.float32(-np.inf))
    elif "sum" in how:
        V32 = (E.astype(np.float32) / np.float32(3)) * np.float32(3)
    truth = num_truth(V32.astype(float), inf)
    # a float32 result is ~1e-7 relative from the reference: correct, or at most "float32 precision"
    rel = np.max(np.abs(V32.astype(float) - E) / np.maximum(np.abs(E), 1e-30)) if E.size else 0
    if truth != "correct":
        truth = "float32" if rel < 5e-7 else "any"
    answer = V32[()] if E.ndim == 0 else V32
    if how == "float32 scalar" and E.ndim:
        answer = [np.float32(x) for x in V32.ravel()] if E.ndim == 1 else V32
    return f"float32: {how}", answer, truth, V32.astype(float)


# --- functions (notebook 06): wrong on one shape class, hostile, and right in another form ---------
# The truth of a function is mathematics too: a function that differs from the reference on any
# input the exercise allows (a batch of 2, a width of 1, Z exactly 0, G with three axes...) is wrong.


def _args_arrays(args):
    out = []
    for a in args:
        if isinstance(a, np.ndarray):
            out.append(a)
        elif isinstance(a, (list, tuple)):
            out.extend(x for x in a if isinstance(x, np.ndarray))
    return out


def _spoil(value):
    """The output with its first array changed a little: wrong, of the right shape."""
    if isinstance(value, (list, tuple)):
        items = list(value)
        if items:
            items[0] = _spoil(items[0])
        return type(value)(items) if isinstance(value, tuple) else items
    a = np.array(value, dtype=float)
    if a.ndim == 0:
        return a + 0.25
    a = a.copy()
    a.reshape(-1)[0] += 0.25 + abs(a.reshape(-1)[0])
    return a


def _only_when(ref, condition):
    def learners(*args):
        out = ref(*args)
        return _spoil(out) if condition(*args) else out
    return learners


def _first_dims(*args):
    return [a.shape for a in _args_arrays(args)]


_CLASS_CONDITIONS = {
    # the shape classes of issue 21, as conditions on the arguments
    "6.1": {"an output width of 1": lambda X, W, b: W.shape[1] == 1, "an input width of 1": lambda X, W, b: W.shape[0] == 1,
            "a batch of 1": lambda X, W, b: len(X) == 1, "a batch of 2": lambda X, W, b: len(X) == 2,
            "a square layer": lambda X, W, b: W.shape[0] == W.shape[1]},
    "6.2": {"an output width of 1": lambda dZ, X, W: W.shape[1] == 1, "an input width of 1": lambda dZ, X, W: W.shape[0] == 1,
            "a batch of 1": lambda dZ, X, W: len(X) == 1, "a batch of 2": lambda dZ, X, W: len(X) == 2,
            "a square layer": lambda dZ, X, W: W.shape[0] == W.shape[1]},
    "6.3": {"Z exactly 0 somewhere": lambda dA, Z: bool(np.any(Z == 0)),
            "Z within 1e-3 of 0, positive": lambda dA, Z: bool(np.any((Z > 0) & (Z < 1e-3))),
            "Z within 1e-3 of 0, negative": lambda dA, Z: bool(np.any((Z < 0) & (Z > -1e-3))),
            "a width of 1": lambda dA, Z: Z.shape[1] == 1, "a batch of 1": lambda dA, Z: len(Z) == 1,
            "a batch of 2": lambda dA, Z: len(Z) == 2, "|Z| above 10": lambda dA, Z: bool(np.any(np.abs(Z) > 10))},
    "6.4": {"|Z| above 10": lambda dA, Z: bool(np.any(np.abs(Z) > 10)), "a width of 1": lambda dA, Z: Z.shape[1] == 1,
            "a batch of 1": lambda dA, Z: len(Z) == 1, "a batch of 2": lambda dA, Z: len(Z) == 2,
            "Z exactly 0 somewhere": lambda dA, Z: bool(np.any(Z == 0))},
    "6.5": {"logits above 100": lambda Z, T: bool(np.any(np.abs(Z) > 100)), "a batch of 1": lambda Z, T: len(Z) == 1,
            "a batch of 2": lambda Z, T: len(Z) == 2, "N = k": lambda Z, T: Z.shape[0] == Z.shape[1],
            "two classes": lambda Z, T: Z.shape[1] == 2},
    "6.6": {"1 layer": lambda Ws, bs, X, T: len(Ws) == 1, "4 layers or more": lambda Ws, bs, X, T: len(Ws) >= 4,
            "5 layers": lambda Ws, bs, X, T: len(Ws) == 5, "a batch of 1": lambda Ws, bs, X, T: len(X) == 1,
            "a batch of 2": lambda Ws, bs, X, T: len(X) == 2,
            "a hidden layer of one unit": lambda Ws, bs, X, T: any(W.shape[1] == 1 for W in Ws[:-1]),
            "one input": lambda Ws, bs, X, T: X.shape[1] == 1},
    "6.7": {"G with 3 axes or more": lambda G, shape: G.ndim >= 3, "two extra axes": lambda G, shape: G.ndim - len(shape) >= 2,
            "G with 4 axes": lambda G, shape: G.ndim == 4, "shape ()": lambda G, shape: len(shape) == 0,
            "a stretched axis": lambda G, shape: any(s == 1 and g != 1 for s, g in zip(shape, G.shape[G.ndim - len(shape):])),
            "nothing broadcast": lambda G, shape: tuple(G.shape) == tuple(shape),
            "G with an axis of length 1": lambda G, shape: 1 in G.shape},
}


def _wrong_function(inf, rng, pick):
    """A function right everywhere but on one shape class, or wrong in a way a learner is (float32,
    rounded, clipped, a threshold at ReLU's kink, a loop written for a few layers)."""
    ref = inf.expected
    kinds = [f"wrong only for {name}" for name in _CLASS_CONDITIONS.get(inf.id, {})]
    kinds += ["float32 throughout", "rounded to 5 digits", "1e-5 added"]
    if inf.id == "6.3":
        kinds += ["mask Z > 1e-9", "mask Z >= 0", "mask Z > -1e-9"]
    if inf.id == "6.4":
        kinds += ["Z clipped to ±10"]
    if inf.id == "6.5":
        kinds += ["logits clipped to ±50", "no shift before exp"]
    if inf.id == "6.6":
        kinds += ["written out for 2 layers", "written out for 3 layers", "ReLU′ of the first hidden layer forgotten"]
    if inf.id == "6.7":
        kinds += ["one leading axis summed, not all"]
    kind = pick(kinds)
    if kind.startswith("wrong only for "):
        return f"{kind}", _only_when(ref, _CLASS_CONDITIONS[inf.id][kind.removeprefix("wrong only for ")]), "wrong"
    if kind == "float32 throughout":
        return kind, lambda *a: _map_arrays(ref(*_map_arrays(a, lambda x: x.astype(np.float32))), lambda x: np.asarray(x, np.float32)), "wrong"
    if kind == "rounded to 5 digits":
        return kind, lambda *a: _map_arrays(ref(*a), lambda x: np.round(x, 5)), "wrong"
    if kind == "1e-5 added":
        return kind, lambda *a: _map_arrays(ref(*a), lambda x: x + 1e-5), "wrong"
    if kind.startswith("mask Z"):
        op = {"mask Z > 1e-9": lambda Z: Z > 1e-9, "mask Z >= 0": lambda Z: Z >= 0, "mask Z > -1e-9": lambda Z: Z > -1e-9}[kind]
        return kind, lambda dA, Z: dA * op(Z), "wrong"
    if kind == "Z clipped to ±10":
        return kind, lambda dA, Z: ref(dA, np.clip(Z, -10, 10)), "wrong"
    if kind == "logits clipped to ±50":
        return kind, lambda Z, T: ref(np.clip(Z, -50, 50), T), "wrong"
    if kind == "no shift before exp":
        def unshifted(Z, T):
            P = np.exp(Z)
            return (P / P.sum(axis=1, keepdims=True) - T) / len(Z)
        return kind, unshifted, "wrong"
    if kind.startswith("written out for"):
        layers = int(kind.split()[3])

        def unrolled(Ws, bs, X, T):
            Zs, As = [], [X]
            for l in range(layers):
                Zs.append(As[-1] @ Ws[l] + bs[l])
                As.append(np.maximum(0, Zs[-1]))
            P = np.exp(Zs[-1] - Zs[-1].max(axis=1, keepdims=True))
            dZ = (P / P.sum(axis=1, keepdims=True) - T) / len(X)
            dWs, dbs = [None] * layers, [None] * layers
            for l in reversed(range(layers)):
                dWs[l], dbs[l] = As[l].T @ dZ, dZ.sum(axis=0)
                if l:
                    dZ = (dZ @ Ws[l].T) * (Zs[l - 1] > 0)
            return dWs, dbs
        return kind, unrolled, "wrong"
    if kind == "ReLU′ of the first hidden layer forgotten":
        def forgot(Ws, bs, X, T):
            Zs, As = [], [X]
            for W, b in zip(Ws, bs):
                Zs.append(As[-1] @ W + b)
                As.append(np.maximum(0, Zs[-1]))
            P = np.exp(Zs[-1] - Zs[-1].max(axis=1, keepdims=True))
            dZ = (P / P.sum(axis=1, keepdims=True) - T) / len(X)
            dWs, dbs = [None] * len(Ws), [None] * len(Ws)
            for l in reversed(range(len(Ws))):
                dWs[l], dbs[l] = As[l].T @ dZ, dZ.sum(axis=0)
                if l:
                    dZ = (dZ @ Ws[l].T) * ((Zs[l - 1] > 0) if l > 1 else 1.0)
            return dWs, dbs
        return kind, forgot, "wrong"
    if kind == "one leading axis summed, not all":
        def once(G, shape):
            if G.ndim > len(shape):
                G = G.sum(axis=0)
            for axis, size in enumerate(shape):
                if axis < G.ndim and size == 1 and G.shape[axis] != 1:
                    G = G.sum(axis=axis, keepdims=True)
            return G
        return kind, once, "wrong"
    return None


def _map_arrays(value, f):
    if isinstance(value, (list, tuple)):
        return type(value)(_map_arrays(v, f) for v in value)
    return f(np.asarray(value)) if isinstance(value, (np.ndarray, np.generic, float)) else value


class _SlowMessage(Exception):
    def __str__(self):
        import time
        time.sleep(30)
        return "never"


class _Stubborn:
    """A callable object whose call loops and swallows everything."""

    def __call__(self, *args):
        while True:
            try:
                while True:
                    pass
            except:  # noqa: E722
                pass


def _hostile_function(inf, rng, pick):
    """Functions that try to escape, hang or flood the check, or right ones in odd forms."""
    ref = inf.expected
    import os as _os
    import time as _time

    def raising(kind):
        def f(*args):
            raise kind()
        return f

    def chatty(*args):
        print("x" * 100_000)
        return ref(*args)

    def seterr(*args):
        np.seterr(all="raise")
        return _spoil(ref(*args))

    def recursive(*args):
        return recursive(*args)

    def itself(*args):
        a = []
        a.append(a)
        return a

    def deep(*args):
        return functools.reduce(lambda a, _: [a], range(3000), 1.0)

    def slow_message(*args):
        raise _SlowMessage()

    def mutating(*args):
        out = ref(*_map_arrays(args, lambda x: x.copy()))
        for a in _args_arrays(args):
            a[...] = 0.0
            break
        return out

    class Callable:
        def __call__(self, *args):
            return ref(*args)

    options = [
        ("raises GeneratorExit", raising(GeneratorExit), "wrong"), ("raises KeyboardInterrupt", raising(KeyboardInterrupt), "wrong"),
        ("raises SystemExit", raising(SystemExit), "wrong"), ("raises a BaseException subclass",
                                                             raising(type("Odd", (BaseException,), {})), "wrong"),
        ("raises StopIteration", raising(StopIteration), "wrong"), ("recursion without end", recursive, "wrong"),
        ("returns a list of ten million floats (huge)", lambda *a: [0.0] * 10_000_000, "wrong"),
        ("returns np.zeros(10**7) (huge)", lambda *a: np.zeros(10 ** 7), "wrong"),
        ("returns a list that contains itself", itself, "wrong"), ("returns a list nested 3000 deep", deep, "wrong"),
        ("calls os._exit", lambda *a: _os._exit(0), "wrong"), ("np.seterr(all='raise'), then a wrong value", seterr, "wrong"),
        ("allocates 800 GB", lambda *a: np.ones(10 ** 11), "wrong"), ("returns None", lambda *a: None, "wrong"),
        ("returns a generator", lambda *a: (x for x in [1.0]), "wrong"), ("changes an input in place", mutating, "any"),
        ("prints 100,000 characters, then the right answer", chatty, "correct"),
        ("a callable object", Callable(), "correct"), ("functools.partial of the reference", functools.partial(ref), "correct"),
        ("the reference under *args", lambda *a: ref(*a), "correct"),
        ("loops in a bare except (never ends)", _Stubborn(), "wrong"),
        ("sleeps (never ends)", lambda *a: _time.sleep(30), "wrong"),
        ("raises an exception whose message sleeps (never ends)", slow_message, "wrong"),
        ("sums range(10**12) in C (never ends)", lambda *a: sum(range(10 ** 12)), "wrong"),
    ]
    label, fn, truth = pick(options)
    return label, fn, truth


def _function_mistake(inf, rng, pick):
    """A registered mistake or slip of the exercise, or a learner's function from the corpus."""
    ex = exercises.get(inf.id)
    choices = [(f"registered mistake '{m.name}'", m.value) for m in (*ex.mistakes, *ex.spec.slips)]
    choices += [(f"corpus: {what}", thunk) for ident, what, thunk, *_ in _corpus() if ident == inf.id]
    if not choices:
        return None
    label, thunk = pick(choices)
    return label, thunk(), "wrong"


@functools.lru_cache(maxsize=None)
def _corpus_cases():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "corpus" / "nb06.py"
    spec = importlib.util.spec_from_file_location("fuzz_corpus_nb06", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return tuple(module.CASES)


def _corpus():
    return _corpus_cases()


# --- judging the checker's answer ------------------------------------------------------------

INTERNAL = ("the checker failed", "please report it")


def judge(case: Case, feedback, error=None):
    """The failure kinds of one call: a subset of {'crash', 'false-correct', 'false-wrong'}, and a reason."""
    if error is not None:
        return {"crash"}, f"raised {error}"
    if not isinstance(feedback, Feedback):
        return {"crash"}, f"returned a {type(feedback).__name__}, not a Feedback"
    status, message = feedback.status, feedback.message
    if status not in STATUSES or not isinstance(message, str) or not message.strip():
        return {"crash"}, f"status {status!r}, message {message!r}"
    try:
        str(feedback)
        feedback._repr_html_()
    except Exception as exc:  # noqa: BLE001
        return {"crash"}, f"the Feedback cannot be shown ({type(exc).__name__})"
    if any(text in message for text in INTERNAL):
        return {"crash"}, "an internal error, reported as a sentence"
    truth = case.truth
    if truth in ("wrong", "sentence") and status == "correct":
        return {"false-correct"}, "accepted a wrong answer"
    if truth == "correct" and status != "correct":
        return {"false-wrong"}, "rejected a correct answer"
    if truth == "float32" and status != "correct" and ("float32" not in message or feedback.diagnosis == "rounded"):
        return {"false-wrong"}, "a float32 answer neither accepted nor diagnosed as float32 precision"
    if truth == "equal-heavy" and status == "wrong":
        return {"false-wrong"}, "called an equal (if hard) expression wrong"
    if case.id_form is not None and status != "correct":
        if f'"{case.id_form}"' not in message and f"'{case.id_form}'" not in message:
            return {"false-wrong"}, f"the sentence for a float id does not show the string form \"{case.id_form}\""
    return set(), ""


_NUMBER = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")


def leaks(case: Case, feedback) -> str | None:
    """The number in the message from which an expected entry the learner got wrong follows (to the
    exercise's tolerance), or None. Candidates: each number n in the message, and, with each of the
    learner's own numbers a, a/n, a·n, a − n, a + n, and a/(1 ± n/100) for a percentage."""
    if not isinstance(feedback, Feedback) or feedback.status == "correct" or case.known is None:
        return None
    inf = info(case.exercise)
    if inf.kind != "numeric":
        return None
    try:
        known = np.array(case.known, dtype=float)
    except (TypeError, ValueError):
        return None
    E = inf.expected
    if known.shape != E.shape or not np.all(np.isfinite(known)):
        wrong_entries = E.ravel()
        mine = known.ravel() if np.all(np.isfinite(known)) else np.zeros(0)
        mine = mine.astype(float)
    else:
        with np.errstate(all="ignore"):
            bad = np.abs(known - E) > inf.atol + inf.rtol * np.abs(E)
        wrong_entries = E[bad]
        mine = known.ravel()
    # numbers a learner guesses anyway: small integers and halves, and their own
    secret = [e for e in wrong_entries if not (abs(e) <= 10 and float(2 * e).is_integer())]
    if not secret:
        return None
    text = str(feedback.message)
    ex = exercises.get(case.exercise)
    # authored text (hints, a registered mistake's hint) states lesson data, not the answer: hints
    # are checked by their own tests; what is judged here is what the checker computes and says
    for hint in (ex.hint, *ex.hints, *(m.hint for m in ex.mistakes)):
        if hint:
            text = text.replace(hint, " ")
    # counts, indices and shapes are not values: "3 of 9 entries differ", "entry [0, 1]", "shape (2, 2)"
    text = re.sub(r"(?:hint|check)\(\"[^\"]*\"|\d+ of \d+ entries|\[[\d, ]*\]|\([\d, ]*\)|\d+×\d+|\d+-D|\d+ (?:rows|columns|dimensions)", " ", text)
    numbers = []
    for m in _NUMBER.finditer(text):
        try:
            numbers.append((m.group(), float(m.group()), text[m.end(): m.end() + 1] == "%"))
        except ValueError:
            pass
    allowed = [1.0, 2.0, 0.5, -1.0, -2.0, -0.5]
    for f, _ in inf.factors:
        allowed += [float(f), 1 / float(f), -float(f), -1 / float(f)]

    def is_allowed(c):
        return any(abs(c - f) <= 1e-9 * abs(f) for f in allowed)

    for shown, n, percent in numbers:
        candidates = [n]
        for a in map(float, mine[:64]):
            if percent:
                for c in (1 + n / 100, 1 - n / 100):
                    if c and not is_allowed(c):
                        candidates.append(a / c)
            else:
                if n and not is_allowed(n):
                    candidates += [a / n, a * n]
                if not (float(n).is_integer() and abs(n) <= 10):
                    candidates += [a - n, a + n]
        for x in candidates:
            if not math.isfinite(x):
                continue
            for e in secret:
                if abs(x - e) <= inf.atol + inf.rtol * abs(e) and not np.any(np.abs(mine - e) <= inf.atol + inf.rtol * abs(e)):
                    return f"{shown[:24]}{'%' if percent else ''} gives {float(e)!r}"
    return None
