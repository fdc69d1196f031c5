"""Comparing a symbolic answer with the expected expression by mathematical equivalence."""

from __future__ import annotations

import math
import numbers
import random
from fractions import Fraction

import numpy as np
import sympy as sp

from helpers.checking.numeric import _factor_text

SYMBOLIC_POINTS = 6


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


