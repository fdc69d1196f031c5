"""Proof that the checks bite: for every registered exercise, the reference passes, ``...`` is
"not answered yet", each registered known mistake is named, and the generic mistakes (transposed,
negated, scaled, rounded, wrong shape, plainly wrong) get their diagnosis.

The cases are generated from the registry, so a notebook's exercises are covered as soon as its
``helpers/exercises/nbNN.py`` registers them. One rule is part of the specification here: a
registered mistake takes precedence over a generic diagnosis when the learner's value matches it
(to the exercise's tolerance, or to ``ROUNDED_RTOL`` when the mistake itself is not that close to
the reference): a named mistake with its hint says more than "wrong sign".
"""

import random

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises
from helpers.checking.numeric import ROUNDED_RTOL

IDS = exercises.ids()


@pytest.fixture(autouse=True)
def _no_memory_of_earlier_answers():
    """Each case stands alone: the checker remembers the last answer to every exercise (to trace a
    mistake upstream), so a wrong 1.1 given by an earlier case must not explain this case's 1.3."""
    from helpers import checking

    getattr(checking, "_LAST", {}).clear()
    yield
    getattr(checking, "_LAST", {}).clear()


# --- building the wrong answers -------------------------------------------------------------


def _is_sym(exercise):
    return exercise.symbolic


def _sym_points(exprs, n=4, seed=7):
    symbols = sorted(set().union(*(sp.sympify(e).free_symbols for e in exprs)), key=lambda s: s.name)
    rng = random.Random(seed)
    return [{s: sp.Rational(rng.randint(37, 151), 89) for s in symbols} for _ in range(n)]


def _sym_equal(x, y):
    """Equivalent sympy objects (same shape; equal at random rational points, like a learner's)."""
    x, y = sp.sympify(x), sp.sympify(y)
    if getattr(x, "shape", ()) != getattr(y, "shape", ()):
        return False
    diff = (sp.Matrix(x) - sp.Matrix(y)) if isinstance(x, sp.MatrixBase) else sp.Matrix([x - y])
    for point in _sym_points([x, y]):
        try:
            values = [complex(sp.N(entry.xreplace(point), 20)) for entry in diff]
        except (TypeError, ValueError, ZeroDivisionError):
            continue
        if any(abs(v) > 1e-9 for v in values):
            return False
    return True


def _num(value):
    return np.asarray(value, dtype=float)


def _num_close(x, y, rtol, atol):
    x, y = _num(x), _num(y)
    return x.shape == y.shape and bool(np.all(np.abs(x - y) <= atol + rtol * np.abs(y)))


def _matching_mistake(exercise, wrong):
    """The registered mistake a wrong answer coincides with, if any (the checker names it first)."""
    if exercise.kind == "function":
        return None  # the function cases above are chosen to differ from every named mistake
    expected = exercise.expected()
    for mistake in exercise.mistakes:
        value = mistake.value()
        if _is_sym(exercise):
            if _sym_equal(wrong, value):
                return mistake.name
        else:
            loose = not _num_close(value, expected, ROUNDED_RTOL, exercise.atol) and _num_close(wrong, value, ROUNDED_RTOL, exercise.atol)
            if _num_close(wrong, value, exercise.rtol, exercise.atol) or loose:
                return mistake.name
    return None


def _round_significant(array, digits=4):
    array = _num(array)
    out = np.zeros_like(array)
    nonzero = array != 0
    magnitude = np.floor(np.log10(np.abs(array[nonzero])))
    scale = 10.0 ** (digits - 1 - magnitude)
    out[nonzero] = np.round(array[nonzero] * scale) / scale
    return out


def _map_leaves(value, f, counter=None):
    """value with f(position, array) applied to each array, in a nest of tuples and lists."""
    counter = [0] if counter is None else counter
    if isinstance(value, (list, tuple)):
        return type(value)(_map_leaves(v, f, counter) for v in value)
    counter[0] += 1
    return f(counter[0] - 1, np.asarray(value, dtype=float))


def _all_arrays(value):
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _all_arrays(v)]
    return [value] if isinstance(value, np.ndarray) else []


def _function_cases(exercise):
    """The reference function, changed the way a learner's function goes wrong, and the diagnosis."""
    ref = exercise.expected()

    def changed(f):
        return lambda *args: _map_leaves(ref(*args), f)

    def square_only(*args):
        if any(a.ndim == 2 and a.shape[0] != a.shape[1] for a in _all_arrays(list(args))):
            raise ValueError("matmul: mismatch in its core dimension")
        return ref(*args)

    def raising(*args):
        raise RuntimeError("something inside went wrong")

    cases = [("negated", changed(lambda i, a: -a), "sign"),
             ("scaled by 2", changed(lambda i, a: 2 * a), "factor"),
             ("failing on non-square shapes", square_only, "square-only"),
             ("raising", raising, "raised")]
    first = exercise.spec.inputs(exercise.id)[0]
    leaves = _map_leaves(ref(*first), lambda i, a: a)
    flat = leaves if isinstance(leaves, np.ndarray) else None
    arrays = [flat] if flat is not None else [a for a in _all_arrays(list(leaves) if isinstance(leaves, tuple) else leaves)]
    for position, array in enumerate(arrays):
        if array.ndim == 2:
            cases.append((f"output {position + 1} transposed",
                          changed(lambda i, a, p=position: a.T if i == p and a.ndim == 2 else a), "transposed"))
    return cases


def _generic_cases(exercise):
    """(kind, wrong answer, expected diagnosis) for one exercise; kinds that do not apply are left out."""
    if exercise.kind == "function":
        return _function_cases(exercise)
    e = exercise.expected()
    cases = []
    if _is_sym(exercise):
        matrix = isinstance(e, sp.MatrixBase)
        symbol = sorted(sp.sympify(e).free_symbols, key=lambda s: s.name)[0]
        cases.append(("negated", -e, "sign"))
        cases.append(("scaled by 2", 2 * e, "factor"))
        cases.append(("scaled by 1/2", e / 2, "factor"))
        if matrix and e.shape[0] == e.shape[1] and not _sym_equal(e.T, e):
            cases.append(("transposed", e.T, "transposed"))
        if matrix and e.shape[0] != e.shape[1]:
            cases.append(("transposed", e.T, "shape"))
        offset = e.applyfunc(lambda entry: entry + symbol) if matrix else e + symbol
        cases.append(("plainly wrong", offset, "wrong"))
        # a constant is a wrong answer (derivatives can be constants), judged and told so
        cases.append(("a number instead of an expression", 1.25, "no-symbols" if not matrix else "invalid"))
    else:
        a = _num(e)
        if np.any(a != 0):
            cases.append(("negated", -a, "sign"))
            cases.append(("scaled by 2", 2 * a, "factor"))
            cases.append(("scaled by 1/2", a / 2, "factor"))
        if a.ndim == 2 and a.shape[0] == a.shape[1] and not np.allclose(a, a.T, rtol=exercise.rtol, atol=exercise.atol):
            cases.append(("transposed", a.T, "transposed"))
        if a.ndim == 2 and a.shape[0] != a.shape[1]:
            cases.append(("transposed", a.T, "shape"))
        rounded = _round_significant(a)
        if not _num_close(rounded, a, exercise.rtol, exercise.atol):
            cases.append(("rounded to 4 digits", rounded, "rounded"))
        # far from every simple multiple of the answer, entry by entry
        pattern = np.array([(-1) ** k * (1 + 0.137 * k) for k in range(a.size)]).reshape(a.shape)
        cases.append(("plainly wrong", a + 0.2718281 * (np.abs(a) + 1) * pattern, "wrong"))
        if a.ndim == 0:
            cases.append(("wrapped in a list", [float(a)], "shape"))
        elif a.ndim == 1:
            cases.append(("one entry short", a[:-1], "shape"))
        else:
            cases.append(("flattened", a.ravel(), "shape"))
        x = sp.Symbol("x")
        cases.append(("an expression instead of numbers", x + 1, "invalid"))
    cases.append(("text", "0.5", "invalid"))
    return cases


# --- the parameters -------------------------------------------------------------------------


def _mistake_params():
    return [pytest.param(i, m.name, id=f"{i}-{m.name}") for i in IDS for m in exercises.get(i).mistakes]


def _generic_params():
    params = []
    for i in IDS:
        for kind, wrong, diagnosis in _generic_cases(exercises.get(i)):
            params.append(pytest.param(i, kind, wrong, diagnosis, id=f"{i}-{kind}"))
    return params


# --- the tests ------------------------------------------------------------------------------


def test_there_are_exercises():
    assert IDS, "no exercise is registered"


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_answer_is_correct(exercise_id):
    feedback = check(exercise_id, exercises.expected(exercise_id))
    assert (feedback.status, feedback.diagnosis) == ("correct", "correct"), str(feedback)
    assert bool(feedback)


@pytest.mark.parametrize("exercise_id", IDS)
def test_placeholder_is_not_answered_yet(exercise_id):
    for placeholder in (..., None):
        feedback = check(exercise_id, placeholder)
        assert feedback.status == "unanswered" and not feedback, str(feedback)
        assert "not answered yet" in str(feedback)
    if exercises.get(exercise_id).kind == "function":  # a function whose body, or result, is still ...
        def stub(*args):
            ...
        assert check(exercise_id, stub).status == "unanswered"
        assert check(exercise_id, lambda *args: ...).status == "unanswered"
        return
    e = exercises.expected(exercise_id)
    shape = getattr(e, "shape", None) if _is_sym(exercises.get(exercise_id)) else np.shape(_num(e))
    if shape:  # an array with some entries still ...
        partly = np.full(shape, ..., dtype=object)
        partly.flat[0] = 0.5
        assert check(exercise_id, partly.tolist()).status == "unanswered"


@pytest.mark.parametrize("exercise_id, name", _mistake_params())
def test_known_mistake_is_named_with_its_hint(exercise_id, name):
    exercise = exercises.get(exercise_id)
    mistake = next(m for m in exercise.mistakes if m.name == name)
    assert mistake.hint.strip(), f"mistake {name!r} of {exercise_id} has no hint"
    feedback = check(exercise_id, mistake.value())
    assert feedback.status == "wrong", f"{exercise_id}: mistake {name!r} is accepted: {feedback}"
    assert feedback.diagnosis == f"mistake:{name}", str(feedback)
    assert mistake.hint in feedback.message


@pytest.mark.parametrize("exercise_id, kind, wrong, diagnosis", _generic_params())
def test_generic_mistake_gets_its_diagnosis(exercise_id, kind, wrong, diagnosis):
    exercise = exercises.get(exercise_id)
    if diagnosis not in ("invalid", "shape"):
        named = _matching_mistake(exercise, wrong)
        if named is not None:
            diagnosis = f"mistake:{named}"  # the registered mistake is the better explanation
    feedback = check(exercise_id, wrong)
    assert not feedback
    if diagnosis == "factor" and feedback.diagnosis.startswith("slip:"):
        # a slip of the exercise's own computation that doubles or halves it (the 2 of a square
        # counted twice, the mean of two numbers for their sum) says more than "twice"
        assert "not yet:" in feedback.message
        return
    assert feedback.diagnosis == diagnosis, f"{exercise_id}, {kind}: {feedback}"
    assert feedback.status == ("invalid" if diagnosis == "invalid" else "wrong")
    text = str(feedback)
    assert text.startswith(f"✘ Exercise {exercise_id}: " if feedback.status == "wrong" else f"⚠ Exercise {exercise_id}: ")
    if diagnosis == "factor" and kind == "scaled by 2":
        assert "twice" in text
    if diagnosis == "factor" and kind == "scaled by 1/2":
        assert "half" in text


def test_every_exercise_has_something_to_name_a_mistake_by():
    """A wrong answer always gets something to go on: named mistakes, or the exercise's work (its
    computation over the quantities around it, from which the checker names the slips)."""
    # notebooks 01-05 declare a work for every exercise (the feedback session's); others may rely on
    # registered mistakes alone
    bare = [i for i in IDS if i.split(".")[0] in {"1", "2", "3", "4", "5"} and exercises.get(i).work is None]
    assert not bare, f"exercises of notebooks 01-05 without a work: {bare}"
    bare = [i for i in IDS if not exercises.get(i).mistakes and exercises.get(i).work is None]
    assert not bare, f"exercises without known mistakes or a work: {bare}"
