"""Comparing a numeric answer with the expected value, and naming the mistake without revealing
the answer: a constant factor is named only where it is a real mistake (the 2 and ½ of a squared
error, and each exercise's registered factors), and a plainly wrong answer is told which entry is
furthest off, never by how much or in which direction."""

from __future__ import annotations

import math

import numpy as np

# An answer within ROUNDED_RTOL of the reference, but not within the exercise's tolerance,
# has the right method and lost precision on the way (typically by rounding intermediate values).
ROUNDED_RTOL = 5e-3
# What a correct computation in float32 (about 7 significant digits) or float16 (about 3) can
# lose, relative to the largest entry of the answer.
LOW_PRECISION_RTOL = {4: 1e-5, 2: 4e-3}

COMMON_FACTORS = (
    (2.0, "twice the expected value: is there a 2 too many (the 2 of the squared error counted "
          "twice), or a ½ missing?"),
    (0.5, "half the expected value: is the 2 from differentiating the square missing?"),
)


def _close(a, e, rtol, atol):
    if a.shape != e.shape:
        return False
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - e) <= atol + rtol * np.abs(e)))


def _entry(index):
    return "[" + ", ".join(str(i) for i in index) + "]" if index else ""


def _shape_text(shape):
    return "a single number" if shape == () else f"shape {shape}"


def compare_numeric(answer, expected, rtol=1e-6, atol=1e-9, mistakes=(), factors=(), low_precision=False):
    """Diagnose a numeric answer against a numeric expected value.

    Args:
        answer, expected: float arrays (0-d for a single number).
        rtol, atol: the tolerance of a correct answer.
        mistakes: (name, hint, value) triples of known mistakes, value a float array.
        factors: (factor, meaning) pairs of constant factors that are real mistakes here.
        low_precision: the learner computed in float32 (or float16): a correct float32
            computation is accepted.

    Returns:
        (status, diagnosis, message).
    """
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if _close(a, e, rtol, atol):
        return "correct", "correct", "correct."
    if low_precision and a.shape == e.shape:
        loose = LOW_PRECISION_RTOL[4]
        scale = float(np.max(np.abs(e))) if e.size else 0.0
        if _close(a, e, loose, max(atol, loose * scale)):
            return "correct", "correct", "correct (to float32's precision)."
    for name, hint, value in mistakes:
        m = np.asarray(value, dtype=float)
        near = not _close(m, e, ROUNDED_RTOL, atol) and _close(a, m, ROUNDED_RTOL, atol)
        if _close(a, m, rtol, atol) or near:
            return "wrong", f"mistake:{name}", f"not yet: this is a known mistake, {name}. {hint}"
    if a.shape != e.shape:
        return "wrong", "shape", _shape_message(a, e, rtol, atol)
    if a.ndim == 2 and _close(a.T, e, rtol, atol):
        return "wrong", "transposed", "not yet: your matrix is the transpose of the expected one (rows and columns swapped)."
    if np.any(e != 0) and _close(-a, e, rtol, atol):
        return "wrong", "sign", "not yet: the sign is wrong: your answer is the negative of the expected one."
    for factor, meaning in (*COMMON_FACTORS, *factors):
        if np.any(e != 0) and _close(a, factor * e, rtol, atol):
            return "wrong", "factor", f"not yet: your answer is {meaning}"
    if _close(a, e, ROUNDED_RTOL, max(atol, 1e-12)):
        with np.errstate(all="ignore"):
            rel = float(np.max(np.abs(a - e) / np.maximum(np.abs(e), 1e-300)))
        digits = max(1, int(math.floor(-math.log10(rel)))) if rel > 0 else 1
        float32 = " (float32 keeps only about 7: compute in float64)" if low_precision else ""
        return "wrong", "rounded", (
            f"close, but it agrees with the reference to only about {digits} significant digits{float32}: "
            "keep full precision in every intermediate step and round only at the end."
        )
    return "wrong", "wrong", _wrong_message(a, e, rtol, atol)


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


def _wrong_message(a, e, rtol, atol):
    """Which entry is furthest off, relative to its size: never by how much nor in which direction,
    either of which would let a learner home in on the answer without computing it."""
    if a.ndim == 0:
        return "not yet: this is not the expected value, nor a mistake the checker knows."
    with np.errstate(all="ignore"):
        diff = np.abs(a - e) / (atol + rtol * np.abs(e))
        diff = np.where(np.isfinite(diff), diff, np.finfo(float).max)
    index = tuple(int(i) for i in np.unravel_index(int(np.argmax(diff)), diff.shape))
    n_off = int(np.sum(diff > 1))
    return f"not yet: {n_off} of {e.size} entries differ; entry {_entry(index)} is furthest off."
