"""Properties of check() over every registered exercise, with hypothesis."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import check, exercises
from thorough import examples

IDS = exercises.ids()
NUMERIC = [i for i in IDS if exercises.get(i).kind == "value" and not exercises.get(i).symbolic]
SYMBOLIC = [i for i in IDS if exercises.get(i).symbolic]
# derandomize: CI runs the same examples every time; make fuzz runs the wide adversarial search
# make test-slow only (40 examples per property there, with BACKPROP_THOROUGH=1): with a few examples
# they cost make test 6.6 s of its minute, and soundness stays in make test through tests/test_fuzz.py's
# adversarial inputs and tests/test_checks_bite.py; make fuzz (CI) runs 20000 inputs
pytestmark = [pytest.mark.thorough, pytest.mark.slow]
SETTINGS = settings(max_examples=examples(6, 40), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("exercise_id", NUMERIC)
@SETTINGS
@given(data=st.data())
def test_a_perturbation_beyond_tolerance_never_passes(exercise_id, data):
    exercise = exercises.get(exercise_id)
    e = np.asarray(exercise.expected(), dtype=float)
    index = data.draw(st.tuples(*[st.integers(0, n - 1) for n in e.shape]), label="entry")
    size = data.draw(st.floats(1e-4, 10.0), label="relative size")
    sign = data.draw(st.sampled_from([-1.0, 1.0]), label="sign")
    answer = e.copy()
    scale = max(abs(float(answer[index])), 1e-3)
    answer[index] = answer[index] + sign * size * scale + sign * 10 * exercise.atol
    assert not check(exercise_id, answer)


@pytest.mark.parametrize("exercise_id", SYMBOLIC)
@SETTINGS
@given(k=st.integers(-5, 5).filter(lambda k: k != 0))
def test_a_symbolic_perturbation_never_passes(exercise_id, k):
    expected = exercises.expected(exercise_id)
    symbol = sorted(expected.free_symbols, key=lambda s: s.name)[0]
    answer = expected + k * symbol if not isinstance(expected, sp.MatrixBase) else expected + k * symbol * sp.ones(*expected.shape)
    assert not check(exercise_id, answer)


def _object_array(items):
    """A 1-D numpy object array holding exactly these items (np.array would try to broadcast them)."""
    array = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        array[i] = item
    return array


ANYTHING = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.complex_numbers() | st.text(max_size=8) | st.binary(max_size=4) | st.just(...) | st.just(print)
    | st.just(sp.Symbol("x")) | st.just(sp.nan) | st.just(sp.oo) | st.fractions() | st.decimals(),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=3), children, max_size=2)
    | st.lists(children, min_size=1, max_size=3).map(_object_array),
    max_leaves=10,
)


@pytest.mark.parametrize("exercise_id", IDS)
@SETTINGS
@given(value=ANYTHING)
def test_arbitrary_objects_never_raise_and_never_count_as_correct_by_accident(exercise_id, value):
    feedback = check(exercise_id, value)  # must not raise
    assert feedback.status in {"correct", "wrong", "unanswered", "invalid"}
    assert isinstance(str(feedback), str) and isinstance(feedback._repr_html_(), str)
    assert "please report" not in feedback.message, feedback.message
    if feedback:
        e = exercises.expected(exercise_id)
        if not exercises.get(exercise_id).symbolic:
            np.testing.assert_allclose(np.asarray(value, dtype=float), np.asarray(e, dtype=float), rtol=1e-5, atol=1e-8)
