"""Comparing a numeric answer with the expected value, and naming the mistake without revealing
the answer: a constant factor is named only where it is a real mistake (the 2 and ½ of a squared
error, and each exercise's registered factors), and a plainly wrong answer is told which entry is
furthest off, never by how much or in which direction."""

from __future__ import annotations

import itertools
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


def compare_numeric(answer, expected, rtol=1e-6, atol=1e-9, mistakes=(), factors=(), low_precision=False,
                    slips=None, upstream=None, base=None):
    """Diagnose a numeric answer against a numeric expected value.

    Args:
        answer, expected: float arrays (0-d for a single number).
        rtol, atol: the tolerance of a correct answer.
        mistakes: (name, hint, value) triples of known mistakes, value a float array.
        factors: (factor, meaning) pairs of constant factors that are real mistakes here.
        low_precision: the learner computed in float32 (or float16): a correct float32
            computation is accepted.
        slips: the exercise's ``slips.Slips`` (the slips learners make in its computation), or None.
        upstream: a function of the answer giving (status, diagnosis, message) when the answer is
            right for the learner's own wrong answer upstream, else None.
        base: for an update w − η·g, the value w before the step: rounding is judged on the step.

    Returns:
        (status, diagnosis, message). In order: correct; right for the learner's own wrong answer
        upstream; a registered mistake; transposed, sign; one slip; a constant factor; two slips;
        wrong shape; a structural kind (zero, order, only the diagonal, a constant multiple,
        some rows right); rounded too early; plainly wrong.
    """
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    if _close(a, e, rtol, atol):
        return "correct", "correct", "correct."
    if low_precision and a.shape == e.shape:
        loose = LOW_PRECISION_RTOL[4]
        scale = float(np.max(np.abs(e))) if e.size else 0.0
        if _close(a, e, loose, max(atol, loose * scale)):
            return "correct", "correct", "correct (to float32's precision)."
    if upstream is not None:  # right for the learner's own wrong answer upstream: fix that first
        traced = upstream(a)
        if traced:
            return traced
    shift = 0.0 if base is None else np.asarray(base, dtype=float)  # an update is judged by its step
    for name, hint, value in mistakes:
        m = np.asarray(value, dtype=float)
        try:
            near = (not _close(m - shift, e - shift, ROUNDED_RTOL, atol)
                    and _close(a - shift, m - shift, ROUNDED_RTOL, atol))
        except ValueError:  # shapes that do not broadcast against the base
            near = False
        if _close(a, m, rtol, atol) or near:
            return "wrong", f"mistake:{name}", f"not yet: this is a known mistake, {name}. {hint}"
    finite = bool(np.all(np.isfinite(a)))
    if finite and a.shape == e.shape and _typed_rounded(a) and _close(a, e, ROUNDED_RTOL, max(atol, 1e-12)):
        return _rounded(a, e, low_precision, step=False)  # the answer itself, typed with fewer digits
    if a.shape == e.shape:
        if a.ndim == 2 and _close(a.T, e, rtol, atol):
            return "wrong", "transposed", "not yet: your matrix is the transpose of the expected one (rows and columns swapped)."
        if np.any(e != 0) and _close(-a, e, rtol, atol):
            return "wrong", "sign", "not yet: the sign is wrong: your answer is the negative of the expected one."
    if slips is not None and finite:
        found = slips.match(a[None], pairs=False, base=base)
        if found is not None:
            return "wrong", slip_key(found), slip_message(found, slips)
    if a.shape == e.shape:
        for factor, meaning in (*COMMON_FACTORS, *factors):
            if np.any(e != 0) and _close(a, factor * e, rtol, atol):
                return "wrong", "factor", f"not yet: your answer is {meaning}"
    if slips is not None and finite:
        found = slips.match(a[None], pairs=True, base=base)
        if found is not None:
            return "wrong", slip_key(found), slip_message(found, slips)
    if a.shape != e.shape:
        return "wrong", "shape", _shape_message(a, e, rtol, atol)
    kind = structure(a, e, rtol, atol) if finite else None
    if kind is not None:
        return "wrong", kind[0], f"not yet: {_sentence(kind[1])}"
    if base is not None and finite:
        step = _step_size(a, e, np.asarray(base, dtype=float), rtol, atol)
        if step:
            return "wrong", "step-size", f"not yet: {step}."
    a_step, e_step = (a, e) if base is None else (a - np.asarray(base, dtype=float), e - np.asarray(base, dtype=float))
    if _close(a_step, e_step, ROUNDED_RTOL, max(atol, 1e-12)) and (base is None or np.any(e_step != 0)):
        return _rounded(a_step, e_step, low_precision, step=base is not None)
    return "wrong", "wrong", _wrong_message(a, e, rtol, atol)


def _rounded(a, e, low_precision, step):
    with np.errstate(all="ignore"):
        rel = float(np.max(np.abs(a - e) / np.maximum(np.abs(e), 1e-300)))
    digits = max(1, int(math.floor(-math.log10(rel)))) if rel > 0 else 1
    float32 = " (float32 keeps only about 7: compute in float64)" if low_precision else ""
    what = "your step (the change from the old value)" if step else "it"
    return "wrong", "rounded", (
        f"close, but {what} agrees with the reference to only about {digits} significant digits{float32}: "
        "keep full precision in every intermediate step and round only at the end."
    )


def _step_size(a, e, base, rtol, atol):
    """For an update w − η·g: the learner's step is the right step scaled (the learning rate, or a 1/N,
    off), said without the scale."""
    mine, right = a - base, e - base
    if np.sum(right != 0) < 2:  # one number is a multiple of any other: nothing to tell
        return None
    with np.errstate(all="ignore"):
        scale = float(np.sum(mine * right) / np.sum(right * right)) if np.any(right != 0) else 0.0
    if not np.isfinite(scale) or scale <= 0 or abs(scale - 1) < 1e-6:
        return None
    if _close(mine, scale * right, max(rtol, 1e-6), atol):
        return ("your step goes the right way but has the wrong size: every entry of the change is off by the "
                "same factor; check the learning rate (and any 1/N)")
    return None


def _typed_rounded(a):
    """Every entry has at most 6 significant digits: numbers rounded (and typed) by hand, not a
    computation's full precision."""
    with np.errstate(all="ignore"):
        finite = a[np.isfinite(a) & (a != 0)]
        if finite.size == 0:
            return False
        exponent = np.floor(np.log10(np.abs(finite)))
        scaled = finite / 10.0 ** (exponent - 5)
    return bool(np.all(np.abs(scaled - np.round(scaled)) < 1e-6))


def _sentence(text):
    """The text as a sentence: a full stop, unless it ends with a question mark already."""
    return text if text.endswith(("?", ".")) else f"{text}."


def slip_key(variant):
    """The Feedback diagnosis key of a slips.Variant."""
    return "neighbour" if variant.key == "neighbour" else f"slip:{variant.key}"  # neighbour-inside is a slip


def slip_message(variant, slips):
    """The sentence for a slips.Variant: the kind of slip and where to look."""
    text = variant.message
    if variant.key == "neighbour":
        return f"not yet: {text}; this exercise asks for {slips.work.label}."
    return f"not yet: {_sentence(text)}"


def structure(a, e, rtol=1e-6, atol=1e-9):
    """A structural kind of wrong array, said without its values: (key, sentence) or None.

    For any array answer of the right shape (the function exercises may call it on a function's
    output): every entry 0; the right numbers in another order (rows or columns swapped, a
    vector reversed, the axes of a tensor permuted); only the diagonal of a full matrix; every
    entry off by the same factor (not named: naming it would give the answer away); some whole
    rows or columns right and others not.
    """
    a, e = np.asarray(a, dtype=float), np.asarray(e, dtype=float)
    if a.shape != e.shape or not np.any(e != 0):
        return None
    if not np.any(a != 0):
        if a.size == 1:
            return "zero", ("your answer is 0, and the answer is not: has a factor vanished (a derivative of "
                            "something that does not depend on the variable), or do two terms cancel?")
        return "zero", ("every entry of your answer is 0, and the answer's are not: has a factor vanished (a "
                        "derivative of something that does not depend on the variable), or do the terms of a "
                        "sum cancel (a sum over the wrong axis)?")
    if a.size < 2:
        return None
    if a.ndim == 1 and _close(a[::-1], e, rtol, atol):
        return "order", "the right numbers in the reverse order: check which index runs which way"
    if a.ndim == 2:
        for name, moved in (("rows", lambda p: a[list(p), :]), ("columns", lambda p: a[:, list(p)]),
                            ("rows of the transpose", lambda p: a.T[list(p), :]) if a.shape[0] == a.shape[1] else
                            ("rows", lambda p: a[list(p), :])):
            n = a.shape[0] if name == "rows" else a.shape[1]
            if 2 <= n <= 5:
                for perm in itertools.permutations(range(n)):
                    if perm != tuple(range(n)) and _close(moved(perm), e, rtol, atol):
                        if name == "rows of the transpose":
                            return "order", ("the right numbers, transposed and with the rows in another order: "
                                             "check which index runs along the rows, and their order")
                        return "order", (f"the right {name}, in the wrong order: check which {name[:-1]} belongs "
                                         "to which unit (or layer, or example)")
        if a.shape[0] == a.shape[1] and np.any(e - np.diag(np.diag(e)) != 0):
            off = a - np.diag(np.diag(a))
            if _close(np.diag(a), np.diag(e), rtol, atol) and not np.any(off != 0):
                return "diagonal-only", ("only the diagonal is right: your off-diagonal entries are 0 and the "
                                         "answer's are not: here every output depends on every input")
    if a.ndim == 2 and a.shape[0] == a.shape[1] and 2 <= a.shape[0] <= 5:
        n = a.shape[0]
        for perm in itertools.permutations(range(n)):
            p = list(perm)
            if perm != tuple(range(n)) and _close(a[p][:, p], e, rtol, atol):
                return "order", ("the right entries in the wrong places: rows and columns both in another order "
                                 "(the diagonal reversed?): check which index is which")
    if a.ndim >= 2:
        for axis in range(a.ndim):
            if a.shape[axis] > 1 and _close(np.flip(a, axis=axis), e, rtol, atol):
                return "order", (f"the right numbers, in reverse order along axis {axis}: check which index runs "
                                 "which way")
    if a.ndim >= 3:
        for perm in itertools.permutations(range(a.ndim)):
            if perm != tuple(range(a.ndim)) and a.transpose(perm).shape == e.shape and _close(a.transpose(perm), e, rtol, atol):
                return "axes", ("the right numbers with the axes in another order: check which index of your "
                                "array stands for which quantity")
    if a.size >= 4 and np.any(e != 0) and _close(np.sort(a, axis=None), np.sort(e, axis=None), rtol, atol):
        return "places", ("the right numbers, but some in the wrong places: an operation moved them (a flip or a "
                          "reshape where a transpose belongs?); check which index of your array is which")
    nonzero = (e != 0) | (a != 0)
    if np.sum(nonzero) >= 2:
        with np.errstate(all="ignore"):
            ratio = float(np.sum(a * e) / np.sum(e * e))
        if np.isfinite(ratio) and ratio != 0 and _close(a, ratio * e, max(rtol, 1e-9), atol) \
                and not any(abs(ratio - f) < 1e-9 * abs(f) for f in (1.0, -1.0)):
            return "constant", ("every entry is off by the same factor, so what they all share is wrong: a constant "
                                "missing or extra (a 2 or ½, 1/N, the learning rate), or a common factor worked out "
                                "wrongly (recompute it from the inputs)")
    if a.ndim == 2 and min(a.shape) >= 2:
        for name, axis in (("row", 1), ("column", 0)):
            with np.errstate(all="ignore"):
                right = np.all(np.abs(a - e) <= atol + rtol * np.abs(e), axis=axis) & np.any(e != 0, axis=axis)
                wrong = ~np.all(np.abs(a - e) <= atol + rtol * np.abs(e), axis=axis)
            if np.any(right) and np.any(wrong):
                bad = np.flatnonzero(wrong)
                if len(bad) + np.sum(right) > len(_ORDINALS):
                    return "partial", (f"some {name}s are right and others are not: look at what differs for "
                                       f"the {name}s that are not")
                which = _listing([_ORDINALS[i] for i in bad])
                plural = len(bad) > 1
                return "partial", (f"the {which} {name}{'s are' if plural else ' is'} not right, the other "
                                   f"{name}{'s are' if np.sum(right) > 1 else ' is'}: look at what differs for "
                                   f"{'those' if plural else 'that'} {name}{'s' if plural else ''}")
    if a.size >= 3:  # a Jacobian's pattern right, its entries not: the learner knows where, not what
        zero_e, zero_a = np.abs(e) <= atol, np.abs(a) <= atol
        if np.any(zero_e) and np.any(~zero_e) and np.array_equal(zero_e, zero_a):
            return "pattern", ("the zeros are in the right places, but the other entries are not right: the "
                               "structure is right; look at what each non-zero entry is the derivative of, and "
                               "work that derivative out again")
    return None


def explain(answer, expected, rtol=1e-6, atol=1e-9, neighbours=()):
    """What kind of wrong an array is, for any checker that has the expected array (notebook 06's
    function checks call it on each output of the learner's function): (key, sentence) or None.

    Args:
        answer, expected: arrays of the same shape.
        neighbours: (label, array) pairs: quantities a learner gives by mistake (the function's own
            inputs, dA for dZ, σ(Z) for σ′(Z), the output of the other layer): a match says "this
            is {label}".

    Returns:
        ("neighbour", "this is …") or a structural kind of ``structure`` (zero, order, axes,
        diagonal-only, constant, partial), or None. The sentences never hold a value of the answer.
    """
    a, e = np.asarray(answer, dtype=float), np.asarray(expected, dtype=float)
    for label, value in neighbours:
        v = np.asarray(value, dtype=float)
        if v.shape == a.shape and not _close(v, e, rtol, atol) and _close(a, v, rtol, atol):
            return "neighbour", f"this is {label}"
    return structure(a, e, rtol, atol)


# Row and column numbers in words: a digit in a sentence could be read as a value (and the fuzz's
# leak detector reads it so).
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def _listing(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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
