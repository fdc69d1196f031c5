"""The function checker (helpers/checking/functions.py) on notebook 06's function exercises: every
shape class is tried, fresh values at every check, every kind of wrong function gets its own
diagnosis (tests/corpus/nb06.py, contract C4), and nothing the learner's code does escapes, hangs or
misleads the check. No assertion here is about wall-clock time: a budget that must run out is made
small (budget.allow), and each check runs under a generous guard that only catches a hang."""

import contextlib
import importlib.util
import os
import resource
import signal
import sys
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pytest

from helpers import check, demo, exercises
from helpers.checking import budget, functions

FUNCTION_IDS = [i for i in exercises.ids() if exercises.get(i).kind == "function"]
HANG = 60  # seconds: a check that has not returned by then hangs (a guard, not a speed test)


class _Hang(BaseException):
    pass


@contextlib.contextmanager
def guard(seconds=HANG):
    """Fail, instead of hanging the suite, if the block does not end (SIGUSR1 from a timer thread:
    SIGALRM and SIGPROF are the checker's own)."""
    def ring(*_):
        raise _Hang

    old = signal.signal(signal.SIGUSR1, ring)
    timer = threading.Timer(seconds, os.kill, (os.getpid(), signal.SIGUSR1))
    timer.daemon = True
    timer.start()
    try:
        yield
    except _Hang:
        pytest.fail(f"the check did not return within {seconds} s")
    finally:
        timer.cancel()
        signal.signal(signal.SIGUSR1, old)


def verdict(exercise_id, fn):
    with guard():
        feedback = demo(exercise_id, fn)
    assert "the checker failed" not in feedback.message, feedback.message
    return feedback.diagnosis, feedback.message


def _arrays(value):
    if isinstance(value, (list, tuple)):
        return [a for v in value for a in _arrays(v)]
    return [value] if isinstance(value, np.ndarray) else []


# --- the cases: every shape class, fresh values ------------------------------------------------


def test_every_function_exercise_tries_every_shape_class():
    specs = {i: exercises.get(i).spec for i in FUNCTION_IDS}
    assert len(specs) >= 7
    for exercise_id, spec in specs.items():
        cases = spec.cases
        assert {1, 2} <= {c["N"] for c in cases} and max(c["N"] for c in cases) > 2, exercise_id
        assert len(cases) >= 8, exercise_id
    dense = specs["6.2"].cases
    assert any(c["d_out"] == 1 for c in dense) and any(c["d_in"] == 1 for c in dense)
    assert any(c["d_in"] == c["d_out"] == c["N"] for c in dense) and any(c["d_in"] != c["d_out"] for c in dense)
    assert {len(c["sizes"]) - 1 for c in specs["6.6"].cases} == {1, 2, 3, 4, 5}
    assert any(1 in c["sizes"][1:-1] for c in specs["6.6"].cases)
    broadcast = specs["6.7"].cases
    assert any(len(c["G"]) - len(c["shape"]) >= 2 for c in broadcast) and any(len(c["G"]) == 4 for c in broadcast)
    assert any(c["shape"] == () for c in broadcast) and any(1 in c["shape"] and len(c["shape"]) == len(c["G"]) for c in broadcast)
    assert any(c.get("large") for c in specs["6.5"].cases)


def test_relu_inputs_straddle_the_kink_and_hit_it():
    spec = exercises.get("6.3").spec
    inputs = spec.inputs()
    Z = {c.get("values"): args[1] for c, args in zip(spec.cases, inputs)}
    assert np.any(Z["zeros"] == 0) and np.any(Z["zeros"] != 0)
    assert np.all(np.abs(Z["near"]) < 1e-3) and 5e-324 in Z["near"] and -5e-324 in Z["near"]
    assert np.all(np.abs(Z[None]) >= 0.05)  # the ordinary cases stay off the kink


def test_large_logits_overflow_and_underflow_an_unshifted_softmax():
    spec = exercises.get("6.5").spec
    for case, (Z, T) in zip(spec.cases, spec.inputs()):
        if case.get("large"):
            with np.errstate(all="ignore"):
                assert not np.all(np.isfinite(np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)))


def test_values_are_fresh_at_every_check_and_shapes_are_not():
    spec = exercises.get("6.2").spec
    first, again = spec.inputs(), spec.inputs()
    assert [tuple(a.shape for a in args) for args in first] == [tuple(a.shape for a in args) for args in again]
    assert not any(np.array_equal(a, b) for x, y in zip(first, again) for a, b in zip(x, y))
    for case, args in zip(spec.cases, first):  # a non-square case hides no square matrix
        if case["d_in"] != case["d_out"]:
            assert args[2].shape[0] != args[2].shape[1]


def test_networks_are_off_the_kink_or_exactly_at_it():
    """Hidden inputs are at least 1e-6 from 0 (no other order of summation flips a mask), or, in the
    case built for it, exactly 0 (or ±2⁻⁴⁰) in exact arithmetic (multiples of 2⁻⁴⁰: every order agrees)."""
    spec = exercises.get("6.6").spec
    for case, (Ws, bs, X, T) in zip(spec.cases, spec.inputs()):
        A, zeros = X, 0
        for W, b in zip(Ws[:-1], bs[:-1]):
            Z = A @ W + b
            if case.get("zeros"):
                assert np.all(Z * 2.0 ** 40 == np.round(Z * 2.0 ** 40))
                zeros += int(np.sum(Z == 0))
            else:  # (the case near the kink has one input per unit between 1e-12 and 1e-4)
                assert np.all(np.abs(Z) > (1e-13 if case.get("near") else 1e-6))
            A = np.maximum(Z, 0)
        assert zeros or not case.get("zeros")


@pytest.mark.parametrize("exercise_id", FUNCTION_IDS)
def test_the_reference_is_correct(exercise_id):
    diagnosis, message = verdict(exercise_id, exercises.expected(exercise_id))
    assert diagnosis == "correct", message
    assert f"all {len(exercises.get(exercise_id).spec.cases)} inputs" in message


# --- the mistake corpus (contract C4) -----------------------------------------------------------

_spec = importlib.util.spec_from_file_location("corpus_nb06", Path(__file__).parent / "corpus" / "nb06.py")
CORPUS = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(CORPUS)


def test_the_corpus_has_five_mistakes_per_exercise_or_more():
    for exercise_id in FUNCTION_IDS:
        assert sum(1 for c in CORPUS.CASES if c[0] == exercise_id) >= 5, exercise_id


def _corpus_diagnoses():
    wrong = []
    for exercise_id, what, thunk, expected, *_ in CORPUS.CASES:
        with guard():
            feedback = demo(exercise_id, thunk())
        hit = feedback.diagnosis == expected or (expected.endswith(":") and feedback.diagnosis.startswith(expected))
        if not hit or feedback.status != "wrong":
            wrong.append(f"{exercise_id} {what}: expected {expected}, got {feedback.status} [{feedback.diagnosis}] "
                         f"{feedback.message}")
    assert not wrong, "\n".join(wrong)


if not (Path(__file__).parent / "test_mistake_corpus.py").exists():
    # the corpus runner of contract C4 runs every tests/corpus/nb*.py; until it exists, this does
    def test_every_corpus_mistake_gets_its_diagnosis():
        _corpus_diagnoses()


# --- wrong only on one shape class: never judged correct -----------------------------------------


def _ref(exercise_id):
    return exercises.expected(exercise_id)


def test_wrong_only_for_an_output_width_of_1():
    ref = _ref("6.1")
    diagnosis, _ = verdict("6.1", lambda X, W, b: ref(X, W, b) if W.shape[1] > 1 else ref(X, W, b) * 2)
    assert diagnosis == "width-1"
    ref2 = _ref("6.2")

    def squeezed_db(dZ, X, W):
        dX, dW, db = ref2(dZ, X, W)
        return dX, dW, np.squeeze(db)
    assert verdict("6.2", squeezed_db)[0] == "width-1"


def test_wrong_only_near_the_kink_or_at_it():
    assert verdict("6.3", lambda dA, Z: dA * (Z > 1e-7))[0] == "kink"
    assert verdict("6.3", lambda dA, Z: dA * (Z > -1e-7))[0] == "kink"
    assert verdict("6.3", lambda dA, Z: dA * np.heaviside(Z, 0.5))[0] == "kink"
    assert verdict("6.3", lambda dA, Z: np.where(Z > 0, dA, 0.0))[0] == "correct"


def test_wrong_only_with_more_dimensions_than_the_target():
    ref = _ref("6.7")

    def matrix_only(G, shape):
        if G.ndim > 2:
            return ref(G.reshape(-1, G.shape[-1]), shape) if len(shape) <= 2 else G
        return ref(G, shape)
    diagnosis, message = verdict("6.7", matrix_only)
    assert diagnosis in ("extra-dims", "shape"), message


@pytest.mark.parametrize("layers", [2, 3])
def test_a_backward_written_out_for_a_few_layers_is_not_correct(layers):
    def unrolled(Ws, bs, X, T):
        Zs, As = [], [X]
        for l in range(layers):                     # the layers this learner had in mind
            Zs.append(As[-1] @ Ws[l] + bs[l])
            As.append(np.maximum(0, Zs[-1]))
        dZ = (nets_softmax(Zs[-1]) - T) / len(X)
        dWs, dbs = [None] * layers, [None] * layers
        for l in reversed(range(layers)):
            dWs[l], dbs[l] = As[l].T @ dZ, dZ.sum(axis=0)
            if l:
                dZ = (dZ @ Ws[l].T) * (Zs[l - 1] > 0)
        return dWs, dbs

    diagnosis, message = verdict("6.6", unrolled)
    assert diagnosis == "depth" and f"right only for networks of {layers} layers" in message, message


def nets_softmax(Z):
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def test_right_for_batch_1_only_is_said_only_when_that_is_the_reason():
    """Not for float32 arithmetic, clipped logits or np.maximum(dA, 0), which happen to be right
    at batch 1 sometimes (issue 21)."""
    ref = _ref("6.5")
    assert verdict("6.5", lambda Z, T: ref(Z.astype(np.float32), T).astype(np.float32))[0] == "precision"
    assert verdict("6.5", lambda Z, T: ref(np.clip(Z, -50, 50), T))[0] == "large-values"
    assert verdict("6.3", lambda dA, Z: np.maximum(dA, 0))[0].startswith("mistake:")
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, np.outer(X[0], dZ[0]), dZ.sum(axis=0)))
    assert diagnosis == "batch-1-only" and "right for a batch of 1 only" in message


def test_divided_by_the_number_of_classes_is_named_as_such():
    ref = _ref("6.5")
    diagnosis, message = verdict("6.5", lambda Z, T: ref(Z, T) * len(Z) / Z.shape[1])
    assert diagnosis == "factor" and "number of classes" in message and "square" not in message


# --- outputs that are not what was asked ----------------------------------------------------------


def test_none_in_dws_is_none_not_nan():
    ref = _ref("6.6")

    def forgot_layer_1(Ws, bs, X, T):
        dWs, dbs = ref(Ws, bs, X, T)
        dWs[0] = None
        return dWs, dbs

    diagnosis, message = verdict("6.6", forgot_layer_1)
    assert diagnosis == "outputs" and "∇W1" in message and "None" in message and "NaN" not in message


def test_a_list_of_rows_is_a_list_of_n_arrays():
    diagnosis, message = verdict("6.1", lambda X, W, b: list(X @ W + b))
    assert diagnosis == "outputs" and "a list of 6 arrays, not one array" in message and "values are right" in message
    assert "1 arrays" not in message


def test_wrong_number_of_outputs_none_and_non_numbers():
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ))
    assert diagnosis == "outputs" and "returned 2 values; it should return 3: (dX, dW, db)" in message
    assert verdict("6.6", lambda Ws, bs, X, T: _ref("6.6")(Ws, bs, X, T)[0])[0] == "outputs"

    def forgot_return(X, W, b):
        Z = X @ W + b  # noqa: F841

    assert verdict("6.1", forgot_return) == ("outputs", "not yet: dense_forward returned None: is the return statement missing?")
    for junk, words in (("Z", "text"), ((x for x in [1.0]), "generator"), (np.array([True]), "True/False")):
        diagnosis, message = verdict("6.1", lambda X, W, b, junk=junk: junk)
        assert diagnosis == "outputs" and words in message, message


def test_huge_outputs_are_refused_unread():
    diagnosis, message = verdict("6.1", lambda X, W, b: [0.0] * 10_000_000)
    assert diagnosis == "outputs" and "10,000,000 numbers" in message
    diagnosis, message = verdict("6.1", lambda X, W, b: np.zeros(10_000_000))
    assert diagnosis == "outputs" and "10,000,000 numbers" in message


def test_self_referential_and_deeply_nested_outputs_get_a_sentence():
    def itself(X, W, b):
        a = []
        a.append(a)
        return a

    def deep(X, W, b):
        a = X @ W + b
        for _ in range(1_000):
            a = [a]
        return a

    assert "contains itself" in verdict("6.1", itself)[1]
    assert "levels deep" in verdict("6.1", deep)[1]
    assert "contains itself" in verdict("6.6", lambda Ws, bs, X, T: itself(X, Ws, bs))[1]


def test_shape_keepdims_is_not_passed_by_broadcasting():
    diagnosis, message = verdict("6.2", lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum(axis=0, keepdims=True)))
    assert diagnosis == "shape" and "keepdims" in message and "(1, 5) instead of (5,)" in message


def test_nan_and_inf_are_said_with_where():
    def unstable(Z, T):
        P = np.exp(Z)
        return (P / P.sum(axis=1, keepdims=True) - T) / len(Z)

    diagnosis, message = verdict("6.5", unstable)
    assert diagnosis == "large-values" and "logits in the hundreds" in message and "NaN or inf" in message


def test_changing_an_input_in_place_is_named():
    for exercise_id in ("6.3", "6.6"):  # an array, and a list of arrays
        ref = _ref(exercise_id)

        def mutating(*args, ref=ref):
            out = ref(*[a.copy() if isinstance(a, np.ndarray) else a for a in args])
            _arrays(list(args))[0][...] *= 2.0   # in place, after the right answer was computed
            return out

        diagnosis, message = verdict(exercise_id, mutating)
        assert diagnosis == "mutation" and "in place" in message, exercise_id


def test_not_a_function_wrong_arguments_and_stubs():
    assert demo("6.1", np.zeros(3)).status == "invalid"
    feedback = demo("6.1", lambda X, W: X @ W)
    assert feedback.status == "invalid" and "cannot be called as dense_forward(X, W, b)" in feedback.message

    def stub(X, W, b):
        """Z = X W + b."""
        ...

    assert demo("6.1", stub).status == "unanswered"
    assert demo("6.2", lambda dZ, X, W: (..., ..., ...)).status == "unanswered"


def test_messages_never_show_the_reference_values(monkeypatch):
    ref = _ref("6.1")
    spec = exercises.get("6.1").spec
    inputs = spec.inputs(rng=np.random.default_rng(5))
    monkeypatch.setattr(type(spec), "inputs", lambda self, *args, **kwargs: list(inputs))  # inputs we know
    message = demo("6.1", lambda X, W, b: ref(X, W, b) + 0.37 * np.arange(W.shape[1])).message
    values = [f"{v:.3f}" for args in inputs for v in np.ravel(ref(*args))]
    assert not any(v in message for v in values), message


# --- escapes, hangs, and what the learner's code raises --------------------------------------------


@pytest.mark.parametrize("exception", [GeneratorExit, KeyboardInterrupt, SystemExit, type("Custom", (BaseException,), {})])
def test_any_base_exception_from_the_learners_code_is_named(exception):
    def raises(X, W, b):
        raise exception()

    diagnosis, message = verdict("6.1", raises)
    assert diagnosis == "raised" and exception.__name__ in message


def test_a_bare_except_cannot_swallow_the_time_out():
    def stubborn(X, W, b):
        while True:
            try:
                while True:
                    pass
            except:  # noqa: E722 - the learner's catch-all
                pass

    with budget.allow(0.1):
        diagnosis, message = verdict("6.1", stubborn)
    assert diagnosis == "timeout" and "computing" in message and "X (1, 3)" in message


def test_a_loop_in_c_code_is_stopped():
    with budget.allow(0.1):
        diagnosis, message = verdict("6.1", lambda X, W, b: sum(range(10 ** 12)))
    assert diagnosis == "timeout"


def test_a_function_that_sleeps_is_stopped_and_said_to_wait():
    with budget.allow(0.15):
        diagnosis, message = verdict("6.1", lambda X, W, b: time.sleep(60))
    assert diagnosis == "timeout" and "wait" in message and "too complex" not in message


def test_an_exception_whose_message_sleeps_does_not_hang_the_verdict():
    class Slow(Exception):
        def __str__(self):
            time.sleep(60)
            return "never"

    def raises(X, W, b):
        raise Slow()

    with budget.allow(0.15):
        diagnosis, message = verdict("6.1", raises)
    assert diagnosis == "raised" and "Slow" in message and "could not be read" in message


def test_ending_or_crashing_the_process_is_a_sentence():
    diagnosis, message = verdict("6.1", lambda X, W, b: os._exit(3))
    assert diagnosis == "crashed" and "exit status 3" in message
    diagnosis, message = verdict("6.1", lambda X, W, b: __import__("ctypes").string_at(0))
    assert diagnosis == "crashed" and "SIGSEGV" in message


_CTRL_C = """
import os, signal, sys, time
from helpers import check

kernel = os.getpid()


def interrupted(X, W, b):
    # Jupyter's interrupt reaches the kernel while the learner's function runs (sent from the function
    # itself, so that it comes while the check waits, however busy the machine is)
    os.kill(kernel, signal.SIGINT)
    time.sleep(60)


def live_children():
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == kernel and fields[0] != b"Z":
            found.append(int(entry))
    return found


try:
    feedback = check("6.1", interrupted)
except KeyboardInterrupt:
    # a killed process takes a moment to exit (longer on a busy machine): wait for it, up to the 60 s
    # its function would sleep (not a speed limit: a survivor would still be there after them)
    for _ in range(600):
        if not live_children():
            sys.exit(0)
        time.sleep(0.1)
    sys.exit(f"the check's child {live_children()} outlived the Ctrl-C")
sys.exit(f"the check went on after the Ctrl-C and said: {feedback.message}")
"""


def test_the_learners_ctrl_c_still_stops_the_check():
    """SIGINT reaches the checking process (Jupyter's interrupt): the check stops with
    KeyboardInterrupt, and the process running the learner's function is gone with it. In a Python
    of its own, as a kernel is (not in a pytest-xdist worker that has run other tests).

    On a loaded machine this once failed in every run (the check went on to its wall backstop:
    "did not return within 4 s … hardly computing"). The likely cause: a child process that waited
    for a CPU was read as one that sleeps, and stopped before it ran the function that sends the
    interrupt. The backstop now counts time spent waiting for a CPU as computing (see
    test_a_starved_function_is_busy_not_waiting)."""
    import subprocess

    result = subprocess.run([sys.executable, "-c", _CTRL_C], capture_output=True, text=True, timeout=300,
                            cwd=Path(__file__).resolve().parent.parent)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_learners_numpy_and_warning_settings_do_not_break_the_check():
    """np.seterr(all="raise") or warnings as errors in the learner's kernel: a wrong 6.5 is still
    diagnosed, and the reference still correct (issue 21: an underflow inside the comparison)."""
    old = np.seterr(all="raise")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            ref = _ref("6.5")
            assert verdict("6.5", lambda Z, T: ref(Z, T) * len(Z))[0] == "factor"
            assert verdict("6.5", ref)[0] == "correct"
            assert verdict("6.6", _ref("6.6"))[0] == "correct"
    finally:
        np.seterr(**old)


def test_value_checks_ignore_the_learners_numpy_settings_too():
    old = np.seterr(all="raise")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            e = exercises.expected("3.7")
            feedback = check("3.7", np.asarray(e) * 1e-300)
            assert feedback.status == "wrong" and "the checker failed" not in feedback.message
            assert check("3.7", e).status == "correct"
    finally:
        np.seterr(**old)


def test_objects_that_lie_about_themselves_do_not_escape():
    class Sly:
        @property
        def __class__(self):
            raise GeneratorExit

        def __call__(self, X, W, b):
            return X @ W + b

    assert verdict("6.1", Sly())[0] == "correct"

    def wrapped(X, W, b):
        return X @ W + b

    class Lies:
        @property
        def __signature__(self):
            raise GeneratorExit

    wrapped.__wrapped__ = Lies()
    assert verdict("6.1", wrapped)[0] == "correct"


def test_the_learners_changes_to_the_process_stay_in_the_child():
    def meddles(X, W, b):
        np.seterr(all="raise")
        functions.compare_array = None
        sys.modules["helpers.checking"].check = None
        return X @ W + b

    assert verdict("6.1", meddles)[0] == "correct"
    assert callable(functions.compare_array) and callable(sys.modules["helpers.checking"].check)
    assert np.geterr()["over"] != "raise"


def test_what_the_function_prints_is_shown(capsys):
    def chatty(X, W, b):
        print("shape of X:", X.shape)
        return X @ W + b

    assert verdict("6.1", chatty)[0] == "correct"
    assert "shape of X: (1, 3)" in capsys.readouterr().out


# --- without fork: the worker thread ---------------------------------------------------------------


def test_without_fork_the_worker_thread_judges_alike_and_stops_what_loops(monkeypatch):
    monkeypatch.setattr(functions, "CAN_FORK", False)
    assert verdict("6.2", _ref("6.2"))[0] == "correct"
    assert verdict("6.5", lambda Z, T: _ref("6.5")(Z, T) * len(Z))[0] == "factor"

    def stubborn(X, W, b):
        while True:
            try:
                while True:
                    pass
            except BaseException:  # noqa: BLE001
                pass

    with budget.allow(0.1):
        assert verdict("6.1", stubborn)[0] == "timeout"
    assert "GeneratorExit" in verdict("6.1", lambda X, W, b: (_ for _ in ()).throw(GeneratorExit))[1]


def test_call_with_limit_for_the_debugger():
    assert functions.call_with_limit(lambda x: x + 1, (1,)) == ("ok", 2)
    outcome, exc = functions.call_with_limit(lambda: 1 / 0, ())
    assert outcome == "raised" and isinstance(exc, ZeroDivisionError)

    def stubborn():
        while True:
            try:
                while True:
                    pass
            except:  # noqa: E722
                pass

    with guard():
        assert functions.call_with_limit(stubborn, (), 0.1) == ("timeout", None)
    assert "(its message could not be read)" not in functions._exception_text(KeyError("x"))


# --- the budget: CPU time, a wall-clock backstop, and the words for each ------------------------


def _spin():
    while True:
        pass


def test_the_budget_counts_cpu_and_says_which_clock_ran_out(monkeypatch):
    monkeypatch.setattr(budget, "WALL_FACTOR", 200.0)  # however busy this machine, CPU runs out first
    monkeypatch.setattr(budget, "HARD_FACTOR", 400.0)
    finished, spent = budget.run(_spin, seconds=0.05)
    assert not finished and spent.reason == "cpu" and not spent.waiting
    finished, spent = budget.run(time.sleep, 30, seconds=0.001)
    assert not finished and spent.reason == "wall" and spent.waiting
    assert budget.run(sum, [1, 2], seconds=0.5) == (True, 3)


def test_the_budget_off_the_main_thread(monkeypatch):
    monkeypatch.setattr(budget, "WALL_FACTOR", 200.0)
    monkeypatch.setattr(budget, "HARD_FACTOR", 400.0)
    box = {}
    worker = threading.Thread(target=lambda: box.update(
        cpu=budget.run(_spin, seconds=0.05), fine=budget.run(sum, [2, 3], seconds=0.5)))
    worker.start()
    worker.join(HANG)
    assert box["cpu"][0] is False and box["cpu"][1].reason == "cpu" and box["fine"] == (True, 5)


def test_the_backstop_stops_what_waits_and_lets_a_starved_check_compute():
    """Samples (seconds waited, CPU seconds used) every 20 ms: a check that gets 1 % of a CPU (two
    busy classes on a loaded hub) computes on past the backstop, one that sleeps is stopped there,
    and nothing passes the hard end."""
    def stopped_at(share, wall=4.5, hard=54.0):
        backstop = budget.Backstop(wall, hard)
        for step in range(1, 4000):
            waited = step * 0.02
            if backstop.spent(waited, 0.01 + share * waited):
                return waited, backstop.idle
        return None, backstop.idle

    waited, idle = stopped_at(0.0)
    assert 4.5 < waited < 4.6 and idle
    waited, idle = stopped_at(0.01)
    assert waited > 54.0 and not idle
    assert stopped_at(0.5)[0] > 54.0


def test_waiting_for_a_cpu_counts_as_computing():
    """A check that gets no CPU because the machine is crowded (ready to run, waiting in the run
    queue) is not one that sleeps: with its run-queue time it computes on to the hard end."""
    queue = [0.0]
    backstop = budget.Backstop(4.5, 54.0, queued=lambda: queue[0])
    waited = 0.0
    while not backstop.spent(waited, 0.0):  # no CPU at all, every second spent in the run queue
        waited += 0.02
        queue[0] = waited
    assert waited > 54.0 and not backstop.idle
    backstop = budget.Backstop(4.5, 54.0, queued=lambda: 0.001)  # a sleeper waits in no queue
    waited = 0.0
    while not backstop.spent(waited, 0.0):
        waited += 0.02
    assert 4.5 < waited < 4.6 and backstop.idle


@contextlib.contextmanager
def _crowded_cpu(burners=4):
    """One CPU made crowded: `burners` busy processes pinned to it. Yields the CPU's number."""
    import subprocess

    cpu = min(os.sched_getaffinity(0))
    procs = [subprocess.Popen(["sh", "-c", "while :; do :; done"]) for _ in range(burners)]
    try:
        for proc in procs:
            os.sched_setaffinity(proc.pid, {cpu})
        yield cpu
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def _starve_myself(cpu):
    """In the learner's function (a child process of the check): move to the crowded CPU, at the
    lowest priority, and compute."""
    os.sched_setaffinity(0, {cpu})
    os.nice(19)
    while True:
        pass


@pytest.mark.slow  # a CPU crowded for 2 s (make test-slow, in CI)
@pytest.mark.skipif(budget.ready_clock(os.getpid()) is None, reason="no /proc/<pid>/stat here")
def test_a_starved_function_is_busy_not_waiting(monkeypatch):
    """The learner's function computes, but a crowded machine gives it almost no CPU (here: niced
    to 19 on a CPU that four busy processes share, about 0.4 % of it). Read by its CPU time alone it
    looked like a function that sleeps ("did not return …, hardly computing: does it wait?"). Its
    time in the run queue says the machine is busy, and the learner is told so."""
    monkeypatch.setattr(budget, "HARD_FACTOR", 12.0)  # the hard end 2 s away, not 11 s
    with _crowded_cpu() as cpu, budget.allow(0.2):
        diagnosis, message = verdict("6.1", lambda X, W, b: _starve_myself(cpu))
    assert diagnosis == "timeout" and "too busy" in message and "hardly computing" not in message, message


def _cpu_seconds(pid):
    with open(f"/proc/{pid}/stat", "rb") as f:
        fields = f.read().rsplit(b")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.mark.slow  # a CPU crowded for 2 s (make test-slow, in CI)
@pytest.mark.skipif(budget.ready_clock(os.getpid()) is None, reason="no /proc/<pid>/stat here")
def test_the_ready_clock_tells_a_starved_process_from_a_sleeping_one():
    """ready_clock (for a child process) reads the kernel's state: a process starved on a crowded CPU
    is ready to run most of the time while it gets almost no CPU; one that sleeps is not ready."""
    import subprocess

    with _crowded_cpu() as cpu:
        pid = os.fork()
        if pid == 0:
            try:
                _starve_myself(cpu)
            finally:
                os._exit(0)
        try:
            ready = budget.ready_clock(pid)
            for _ in range(100):  # sampled every 10 ms for a second
                ready()
                time.sleep(0.01)
            assert ready() > 0.5 and _cpu_seconds(pid) < 0.2 * ready(), (ready(), _cpu_seconds(pid))
        finally:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    sleeper = subprocess.Popen(["sleep", "5"])
    try:
        ready = budget.ready_clock(sleeper.pid)
        for _ in range(50):
            ready()
            time.sleep(0.01)
        assert ready() < 0.1
    finally:
        sleeper.kill()
        sleeper.wait()


@pytest.mark.slow  # a CPU crowded for 2 s (make test-slow, in CI)
@pytest.mark.skipif(budget.queue_clock() is None, reason="no /proc/self/task/<tid>/schedstat here")
def test_the_queue_clock_counts_a_threads_own_waits_for_a_cpu():
    """queue_clock (a thread's own run-queue time, read by itself): a process starved on a crowded
    CPU has waited most of its time when it reads it; its CPU time is a small part of that."""
    read_end, write_end = os.pipe()
    with _crowded_cpu() as cpu:
        pid = os.fork()
        if pid == 0:
            try:
                queued = budget.queue_clock()
                os.sched_setaffinity(0, {cpu})
                os.nice(19)
                start = time.monotonic()
                while time.monotonic() - start < 1.0:
                    pass
                os.write(write_end, f"{queued()} {time.process_time()}".encode())
            finally:
                os._exit(0)
        os.close(write_end)
        try:
            with os.fdopen(read_end, "rb") as reader:
                queued, cpu_seconds = map(float, reader.read().split())
        finally:
            os.waitpid(pid, 0)
    assert queued > 0.5 and cpu_seconds < 0.2 * queued, (queued, cpu_seconds)


def test_refusals_say_too_complex_only_when_the_cpu_budget_ran_out():
    from helpers.checking import _out_of_time

    assert "too complex" in _out_of_time(budget.Spent("cpu", 1.0, 1.0, 4.0))
    busy = _out_of_time(budget.Spent("wall", 1.0, 0.8, 5.0))
    assert "busy" in busy and "too complex" not in busy
    waiting = _out_of_time(budget.Spent("wall", 1.0, 0.01, 5.0))
    assert "wait" in waiting and "too complex" not in waiting


def test_the_grader_can_give_checks_a_larger_budget():
    assert budget.default() == budget.SECONDS
    with budget.allow(20):
        assert budget.default() == 20 and budget.current()[:2] == (20, 20 * budget.WALL_FACTOR)
        finished, value = budget.run(lambda: budget.remaining())
        assert finished and 19 < value <= 20
    assert budget.default() == budget.SECONDS


def test_checks_use_little_cpu():
    """Per check, CPU time of this process and of its children (a check promises about a second)."""
    ref = _ref("6.6")
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    assert demo("6.6", ref)
    time.sleep(0.1)  # the child is reaped in the background
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = sum(a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime for a, b in zip(after, before))
    assert cpu < 0.5, f"{cpu:.2f} s of CPU per check"
