"""The function checker (helpers/checking/functions.py): each diagnosis it promises, on the
function exercises of notebook 06. The generic cases (reference accepted; negated, doubled,
transposed, square-only, raising rejected; every named mistake named) live in test_checks_bite."""

import threading
import time

import numpy as np
import pytest

from helpers import demo, exercises
from helpers.checking import functions
from helpers.exercises import nb06

FUNCTION_IDS = [i for i in exercises.ids() if exercises.get(i).kind == "function"]


def verdict(exercise_id, fn):
    feedback = demo(exercise_id, fn)
    return feedback.diagnosis, feedback.message


def test_at_least_six_function_exercises_and_expected_gives_the_reference_function():
    assert len(FUNCTION_IDS) >= 6
    for exercise_id in FUNCTION_IDS:
        fn = exercises.expected(exercise_id)
        assert callable(fn) and fn is exercises.get(exercise_id).expected()
        spec = exercises.get(exercise_id).spec
        cases = spec.inputs(exercise_id)
        assert any(c["N"] == 1 for c in spec.cases) and any(c["N"] > 1 for c in spec.cases)
        assert any(c.get("square") for c in spec.cases)
        assert all(a.ndim < 2 or a.shape[0] != a.shape[1]
                   for args, c in zip(cases, spec.cases) if not c.get("square")
                   for a in _arrays(args) if a.shape[0] > 1), "a non-square case hides a square matrix"


def _arrays(value):
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return [value] if isinstance(value, np.ndarray) else []


def test_inputs_are_reproducible_and_not_symmetric():
    spec = exercises.get("6.2").spec
    first, again = spec.inputs("6.2"), spec.inputs("6.2")
    assert all(np.array_equal(a, b) for x, y in zip(first, again) for a, b in zip(x, y))
    square = first[-1][2]
    assert square.shape == (4, 4) and not np.allclose(square, square.T)


def test_the_time_limit_is_two_seconds_and_cannot_be_swallowed(monkeypatch):
    assert functions.TIME_LIMIT == 2.0
    assert issubclass(functions.TimeUp, BaseException) and not issubclass(functions.TimeUp, Exception)
    monkeypatch.setattr(functions, "TIME_LIMIT", 0.2)

    def forever(X, W, b):
        while True:
            try:
                while True:
                    pass
            except Exception:  # a learner's catch-all cannot keep it running
                pass

    start = time.perf_counter()
    diagnosis, message = verdict("6.1", forever)
    assert diagnosis == "timeout" and "did not return within 0.2 s" in message and "X (1, 3)" in message
    assert time.perf_counter() - start < 1.5


def test_the_time_limit_off_the_main_thread(monkeypatch):
    monkeypatch.setattr(functions, "TIME_LIMIT", 0.2)
    box = {}

    def slow(X, W, b):
        time.sleep(0.6)
        return X @ W + b

    worker = threading.Thread(target=lambda: box.update(result=verdict("6.1", slow)))
    worker.start()
    worker.join(5)
    assert box["result"][0] == "timeout"


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_changing_an_input_in_place_is_named(exercise_id):
    ref = exercises.expected(exercise_id)

    def mutating(*args):
        out = ref(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
        first = _arrays(list(args))[0]
        first *= 2.0                      # in place, after the right answer was computed
        return out

    diagnosis, message = verdict(exercise_id, mutating)
    assert diagnosis == "mutation" and "in place" in message


def test_wrong_number_of_outputs_none_and_non_numbers():
    assert verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ))[0] == "outputs"
    assert "it should return 3: (dX, dW, db)" in verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ))[1]
    assert verdict("6.6", lambda Ws, bs, X, T: nb06.backward(Ws, bs, X, T)[0])[0] == "outputs"

    def forgot_return(X, W, b):
        Z = X @ W + b  # noqa: F841

    assert verdict("6.1", forgot_return) == ("outputs", "not yet: dense_forward returned None: is the return statement missing?")
    assert verdict("6.1", lambda X, W, b: "Z")[0] == "outputs"
    assert verdict("6.1", lambda X, W, b: {"Z": 1})[0] == "outputs"


def test_nan_and_inf():
    def unstable(Z, T):
        P = np.exp(Z)
        return (P / P.sum(axis=1, keepdims=True) - T) / len(Z)

    diagnosis, message = verdict("6.5", unstable)
    assert diagnosis == "nan" and "logits in the hundreds" in message and "NaN or inf" in message


def test_shape_keepdims_is_not_passed_by_broadcasting():
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)))
    assert diagnosis == "shape" and "keepdims" in message and "(1, 5) instead of (5,)" in message


def test_bias_not_summed_and_wrong_axis():
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ))
    assert diagnosis == "bias-not-summed" and "dX and dW are right" in message
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=1)))
    assert diagnosis == "axis" and "wrong axis" in message


def test_missing_mean_is_a_factor_of_n_and_batch_one_only():
    diagnosis, message = verdict("6.5", lambda Z, T: exercises.expected("6.5")(Z, T) * len(Z))
    assert diagnosis == "factor" and "1/N of the mean" in message
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X[:1].T @ dZ[:1], dZ.sum(axis=0)))
    assert diagnosis == "batch-1-only" and "dW is right for a batch of 1 only" in message


def test_square_only_names_the_shapes_and_the_exception():
    diagnosis, message = verdict("6.1", lambda X, W, b: (W.T @ X.T).T + b if W.shape[0] == W.shape[1] else X @ W.T + b)
    assert diagnosis == "square-only" and "ValueError" in message and "W (3, 5)" in message


def test_raised_gives_the_exceptions_sentence_never_a_traceback():
    def broken(X, W, b):
        raise KeyError("no such layer")

    diagnosis, message = verdict("6.1", broken)
    assert diagnosis == "raised" and "KeyError: 'no such layer'" in message and "Traceback" not in message


def test_not_a_function_wrong_arguments_and_stubs():
    assert demo("6.1", np.zeros(3)).status == "invalid"
    feedback = demo("6.1", lambda X, W: X @ W)
    assert feedback.status == "invalid" and "cannot be called as dense_forward(X, W, b)" in feedback.message

    def stub(X, W, b):
        """Z = X W + b."""
        ...

    assert demo("6.1", stub).status == "unanswered"
    assert demo("6.2", lambda dZ, X, W: (..., ..., ...)).status == "unanswered"


def test_messages_never_show_the_reference_values():
    ref = exercises.expected("6.1")
    spec = exercises.get("6.1").spec
    wrong = lambda X, W, b: ref(X, W, b) + 0.37 * np.arange(W.shape[1])  # noqa: E731
    message = demo("6.1", wrong).message
    values = [f"{v:.3f}" for args in spec.inputs("6.1") for v in np.ravel(ref(*args))]
    assert not any(v in message for v in values), message


def test_a_check_call_is_fast():
    ref = exercises.expected("6.6")
    demo("6.6", ref)  # warm the reference cache
    start = time.perf_counter()
    for _ in range(5):
        assert demo("6.6", ref)
    assert (time.perf_counter() - start) / 5 < 0.5


def test_a_slow_function_is_stopped_after_the_total_budget(monkeypatch):
    monkeypatch.setattr(functions, "TIME_LIMIT", 0.15)
    ref = exercises.expected("6.3")

    def slow(dA, Z):
        time.sleep(0.1)  # each call in time, all of them together not
        return ref(dA, Z)

    start = time.perf_counter()
    diagnosis, message = verdict("6.3", slow)
    assert diagnosis == "timeout" and "too slow to check" in message
    assert time.perf_counter() - start < 1.0
