"""Comparing a numeric answer with the expected value, and naming the mistake."""

from __future__ import annotations

import math
import numbers
import random
from fractions import Fraction

import numpy as np
import sympy as sp

# An answer within ROUNDED_RTOL of the reference, but not within the exercise's tolerance,
# has the right method and lost precision on the way (typically by rounding intermediate values).
ROUNDED_RTOL = 5e-3


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


