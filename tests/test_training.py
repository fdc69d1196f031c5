"""helpers.training and notebook 05's gradients: the per-neuron loop step equals the matrix step,
mini-batch training behaves, and every batched gradient the notebook states agrees three ways
(helpers.nets, sympy's exact derivative, central differences). Also a smoke test of the
benchmark at tiny sizes, without torch and without any timed assertion."""

import functools
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import datasets, gradcheck, lessons, nets, symbolic, training

ROOT = Path(__file__).resolve().parent.parent
COURSE_NET = ["relu", "sigmoid", "softmax"]


def _max_diff(a, b):
    return max(float(np.abs(u - v).max()) for u, v in zip(a[0] + a[1], b[0] + b[1]))


def _random_net(sizes, seed, bias_scale=0.5):
    rng = np.random.default_rng(seed)
    Ws, bs = training.init_params(sizes, rng)
    return Ws, [rng.normal(0, bias_scale, b.shape) for b in bs], rng


# --- the loop step is the matrix step ------------------------------------------------------------


@pytest.mark.parametrize("sizes, activations, loss, n", [
    ([4, 64, 64, 3], COURSE_NET, "cross_entropy", 256),     # notebook 05's timing cell
    ([3, 3, 3, 3], COURSE_NET, "cross_entropy", 4),         # seed 002's shape
    ([4, 16, 16, 3], COURSE_NET, "cross_entropy", 1),       # a batch of one
    ([2, 7, 5, 3], ["relu", "relu", "softmax"], "cross_entropy", 9),
    ([3, 6, 4, 2], ["tanh", "sigmoid", "identity"], "half_squared_error", 5),
    ([2, 2, 2], ["sigmoid", "sigmoid"], "half_squared_error", 3),  # seed 001's shape
])
def test_loop_step_equals_matrix_step(sizes, activations, loss, n):
    Ws, bs, rng = _random_net(sizes, seed=n)
    X = rng.normal(size=(n, sizes[0]))
    T = datasets.one_hot(rng.integers(0, sizes[-1], n), sizes[-1]) if loss == "cross_entropy" else rng.uniform(size=(n, sizes[-1]))
    by_loops = training.loop_step(Ws, bs, X, T, activations, loss, 0.3)
    by_matrices = training.matrix_step(Ws, bs, X, T, activations, loss, 0.3)
    assert _max_diff(by_loops, by_matrices) < 1e-12
    assert [W.shape for W in by_loops[0]] == [W.shape for W in Ws]
    assert [b.shape for b in by_loops[1]] == [b.shape for b in bs]


def test_loop_step_on_the_seed_network_and_batch():
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    by_loops = training.loop_step(L.Ws, L.bs, X, T, L.activations, L.loss, L.rate)
    by_matrices = training.matrix_step(L.Ws, L.bs, X, T, L.activations, L.loss, L.rate)
    assert _max_diff(by_loops, by_matrices) < 1e-12


def test_loop_step_refuses_what_it_does_not_implement():
    Ws, bs, rng = _random_net([2, 3, 3], seed=0)
    X, T = rng.normal(size=(2, 2)), np.eye(3)[:2]
    with pytest.raises(ValueError, match="loop_step handles"):
        training.loop_step(Ws, bs, X, T, ["relu", "softmax"], "half_squared_error", 0.1)


def test_the_steps_do_not_change_their_inputs():
    Ws, bs, rng = _random_net([4, 5, 5, 3], seed=2)
    before = [p.copy() for p in Ws + bs]
    X, T = rng.normal(size=(6, 4)), datasets.one_hot(rng.integers(0, 3, 6), 3)
    training.matrix_step(Ws, bs, X, T, COURSE_NET, "cross_entropy", 0.1)
    training.loop_step(Ws, bs, X, T, COURSE_NET, "cross_entropy", 0.1)
    assert all(np.array_equal(p, q) for p, q in zip(Ws + bs, before))


# --- mini-batch training -----------------------------------------------------------------------


def _iris():
    iris = datasets.load_iris()
    X_train, X_test, y_train, y_test = datasets.split(iris.X, iris.y)
    X_train, X_test, _, _ = datasets.standardise(X_train, X_test)
    return X_train, X_test, y_train, y_test


def test_training_on_iris_learns_and_is_reproducible():
    X_train, X_test, y_train, y_test = _iris()
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(0)
        Ws, bs = training.init_params([4, 16, 16, 3], rng)
        runs.append(training.train(Ws, bs, X_train, y_train, COURSE_NET, rate=0.1, epochs=100, batch_size=16,
                                   rng=rng, X_test=X_test, y_test=y_test))
    (Ws, bs, h), (Ws2, bs2, h2) = runs
    assert h == h2 and all(np.array_equal(a, b) for a, b in zip(Ws + bs, Ws2 + bs2))
    assert len(h["loss"]) == len(h["test_accuracy"]) == 101
    assert h["loss"][-1] < 0.2 * h["loss"][0]
    assert h["accuracy"][-1] >= 0.95 and h["test_accuracy"][-1] >= 0.85


def test_train_without_biases_keeps_them_and_keep_records_every_epoch():
    X_train, _, y_train, _ = _iris()
    rng = np.random.default_rng(1)
    Ws, bs = training.init_params([4, 5, 3], rng)
    Ws, bs_after, h = training.train(Ws, bs, X_train, y_train, ["relu", "softmax"], epochs=3, rng=rng,
                                     train_biases=False, keep=lambda W, b: W[0].copy())
    assert all(np.array_equal(b, np.zeros_like(b)) for b in bs_after)
    assert len(h["kept"]) == 4 and np.array_equal(h["kept"][-1], Ws[0]) and "test_loss" not in h


def test_training_in_float32_stays_float32_and_follows_float64():
    X_train, _, y_train, _ = _iris()
    runs = {}
    for dtype in (np.float64, np.float32):
        rng = np.random.default_rng(3)
        Ws, bs = training.init_params([4, 8, 8, 3], rng)
        Ws, bs = [W.astype(dtype) for W in Ws], [b.astype(dtype) for b in bs]
        runs[dtype] = training.train(Ws, bs, X_train.astype(dtype), y_train, COURSE_NET, epochs=5, rng=rng)
    (W64, b64, h64), (W32, b32, h32) = runs[np.float64], runs[np.float32]
    assert all(v.dtype == np.float32 for v in W32 + b32)
    assert _max_diff((W32, b32), (W64, b64)) < 1e-4  # 50 steps, each rounding in float32
    assert np.allclose(h32["loss"], h64["loss"], rtol=1e-4) and h32["loss"][-1] < h32["loss"][0]


def test_a_bias_free_relu_network_predicts_the_same_class_along_each_ray():
    Ws, _, rng = _random_net([2, 16, 16, 3], seed=4)
    bs = [np.zeros(W.shape[1]) for W in Ws]
    X = rng.normal(size=(200, 2))
    for c in (0.01, 0.5, 3.0, 100.0):
        assert np.array_equal(training.predict(Ws, bs, c * X, ["relu", "relu", "softmax"]),
                              training.predict(Ws, bs, X, ["relu", "relu", "softmax"]))


def test_equal_initial_weights_stay_equal_through_training():
    X_train, _, y_train, _ = _iris()
    sizes = [4, 8, 8, 3]
    Ws = [np.full((m, k), 0.5) for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(k) for k in sizes[1:]]
    Ws, bs, _ = training.train(Ws, bs, X_train, y_train, COURSE_NET, epochs=30, rng=np.random.default_rng(0))
    for W in Ws[:2]:
        assert np.array_equal(W, np.repeat(W[:, :1], W.shape[1], axis=1))  # every column (unit) the same
    assert np.array_equal(Ws[2], np.repeat(Ws[2][:1], Ws[2].shape[0], axis=0))  # every unit's outgoing row
    assert not np.array_equal(Ws[0], np.full_like(Ws[0], 0.5))  # they did learn, all alike


def test_accuracy_predict_and_confusion_matrix():
    C = training.confusion_matrix([0, 1, 2, 2, 1], [0, 2, 2, 2, 1], 3)
    assert C.tolist() == [[1, 0, 0], [0, 1, 1], [0, 0, 2]]
    Ws = [np.eye(3)]
    bs = [np.zeros(3)]
    X = np.array([[3.0, 0, 0], [0, 0, 1.0]])
    assert training.predict(Ws, bs, X, ["softmax"]).tolist() == [0, 2]
    assert training.accuracy(Ws, bs, X, [0, 1], ["softmax"]) == 0.5


def test_best_time_returns_a_time_per_call():
    calls = []
    t = training.best_time(lambda: calls.append(1), repeat=3, number=4)
    assert len(calls) == 12 and 0 <= t < 1


# --- the notebook's gradients, three ways -----------------------------------------------------


ELEMENTWISE = {"sigmoid": symbolic.sigmoid, "relu": symbolic.relu, "tanh": sp.tanh, "identity": lambda z: z}


@functools.lru_cache(maxsize=None)
def _symbolic_gradient(shapes, activations, loss):
    """sympy's exact ∂Eₙ/∂(every weight and bias) of one example, as a function of the parameters,
    the input x and the target t (all symbols), built once per network structure."""
    x = list(symbolic.vector_symbols("x", shapes[0][0]))
    t = list(symbolic.vector_symbols("t", shapes[-1][1]))
    W_syms = [symbolic.matrix_symbols(f"W{l + 1}", *s) for l, s in enumerate(shapes)]
    b_syms = [symbolic.vector_symbols(f"b{l + 1}", s[1]) for l, s in enumerate(shapes)]
    a = x
    for W, b, name in zip(W_syms, b_syms, activations):
        z = [sum(a[i] * W[i, j] for i in range(W.shape[0])) + b[j] for j in range(W.shape[1])]
        a = symbolic.softmax(z) if name == "softmax" else [ELEMENTWISE[name](v) for v in z]
    assert loss == "cross_entropy"
    E = -sum(tk * sp.log(pk) for tk, pk in zip(t, a))
    params = [s for M in W_syms + b_syms for s in M]
    return sp.lambdify(params + x + t, [sp.diff(E, s) for s in params], modules="math", cse=True)


def symbolic_batch_gradients(Ws, bs, X, T, activations, loss):
    """sympy's exact gradient of the batch loss E = (1/N) Σₙ Eₙ: the mean of the exact ∂Eₙ."""
    shapes = tuple(tuple(np.shape(W)) for W in Ws)
    f = _symbolic_gradient(shapes, tuple(activations), loss)
    values = [float(v) for p in list(Ws) + list(bs) for v in np.ravel(p)]
    flat = iter(np.mean([f(*values, *map(float, x), *map(float, t)) for x, t in zip(X, T)], axis=0))
    dWs = [np.array([next(flat) for _ in range(int(np.prod(s)))]).reshape(s) for s in shapes]
    dbs = [np.array([next(flat) for _ in range(np.size(b))]).reshape(np.shape(b)) for b in bs]
    return dWs, dbs


def assert_three_ways(Ws, bs, X, T, activations, loss, rtol=1e-9, atol=1e-12, exact=True, h=1e-3):
    """helpers.nets against sympy (unless exact=False) and against central differences (step h)."""
    ours = nets.backward(Ws, bs, X, T, activations, loss)
    others = [("central differences", gradcheck.network_numerical_gradients(Ws, bs, X, T, activations, loss, h=h))]
    if exact:
        others.append(("sympy", symbolic_batch_gradients(Ws, bs, X, T, activations, loss)))
    for name, (dWs, dbs) in others:
        for l in range(len(Ws)):
            assert np.allclose(ours.dW[l], dWs[l], rtol=rtol, atol=atol), (name, "dW", l + 1)
            assert np.allclose(ours.db[l], dbs[l], rtol=rtol, atol=atol), (name, "db", l + 1)
    return ours


# sympy on the seed's whole batch: seconds (make test-slow); notebook 05's own tests check its batch
# gradients three ways layer by layer in make test (tests/test_nb05.py)
@pytest.mark.slow
def test_batched_gradients_of_the_seed_network_three_ways():
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    assert_three_ways(L.Ws, L.bs, X, T, L.activations, L.loss)


def test_batched_gradients_of_the_seed_network():
    """§2 and §3: ∂E/∂W = AᵀΔ/N and ∂E/∂b = mean of Δ's rows, on the seed's network and batch."""
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    g = nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss)
    fw = nets.forward(L.Ws, L.bs, X, L.activations)
    D3 = fw.out - T
    assert np.allclose(g.dW[2], fw.a[2].T @ D3 / len(X), rtol=1e-13, atol=0)
    assert np.allclose(g.db[2], D3.mean(axis=0), rtol=1e-13, atol=0)
    assert np.allclose(g.delta[2], D3 / len(X), rtol=1e-13, atol=1e-17)  # nets keeps Δ/N
    singles = [nets.backward(L.Ws, L.bs, x, t, L.activations, L.loss) for x, t in zip(X, T)]
    for l in range(3):
        assert np.allclose(g.dW[l], np.mean([s.dW[l] for s in singles], axis=0), rtol=1e-12, atol=0)
        assert np.allclose(g.db[l], np.mean([s.db[l] for s in singles], axis=0), rtol=1e-12, atol=0)
        assert np.allclose(g.db[l], g.delta[l].sum(axis=0), rtol=1e-13, atol=0)  # bias gradient: δ itself


def test_the_gradient_at_the_average_example_is_not_the_average_gradient():
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    at_mean = nets.backward(L.Ws, L.bs, X.mean(axis=0), T.mean(axis=0), L.activations, L.loss)
    assert gradcheck.rel_error(at_mean.dW[2], nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss).dW[2]) > 1e-3


def _equal_weights():
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    return [np.full_like(W, 0.5) for W in L.Ws], L.bs, X, T, L.activations, L.loss


# sympy on the seed's batch with equal weights: seconds (make test-slow)
@pytest.mark.slow
def test_equal_weights_gradients_three_ways():
    assert_three_ways(*_equal_weights())


def test_equal_weights_gradients_and_their_symmetry():
    """§6: with every weight 0.5, ∂E/∂W3 has equal rows and the hidden layers get exactly zero."""
    g = nets.backward(*_equal_weights())
    assert np.array_equal(g.dW[2], np.repeat(g.dW[2][:1], 3, axis=0))
    assert np.abs(g.dW[2]).max() > 0.05
    assert np.abs(g.dW[0]).max() < 1e-15 and np.abs(g.dW[1]).max() < 1e-15


# sympy on the seed's whole batch again: seconds (make test-slow)
@pytest.mark.slow
def test_bias_free_gradients_three_ways():
    """§3 and §5: the seed's network with every bias 0 (the gradient of the biases is still δ)."""
    L = lessons.three_layer()
    X, T = datasets.seed_batch()
    assert_three_ways(L.Ws, [np.zeros(3)] * 3, X, T, L.activations, L.loss)


@pytest.mark.slow
def test_iris_network_gradients_three_ways():
    """§8: the course's network on a batch of standardised iris rows (hidden layers of 3 here, the
    benchmark's smallest width, so that sympy stays fast; the formula does not depend on the width)."""
    X_train, _, y_train, _ = _iris()
    Ws, bs, _ = _random_net([4, 3, 3, 3], seed=7)
    assert_three_ways(Ws, bs, X_train[:6], datasets.one_hot(y_train[:6], 3), COURSE_NET, "cross_entropy")


@pytest.mark.slow
def test_deep_sigmoid_gradients_three_ways():
    """§7, small enough for sympy: three sigmoid layers and a softmax."""
    X_train, _, y_train, _ = _iris()
    Ws, bs, _ = _random_net([4, 2, 2, 2, 3], seed=5, bias_scale=0.1)
    assert_three_ways(Ws, bs, X_train[:3], datasets.one_hot(y_train[:3], 3), ["sigmoid"] * 3 + ["softmax"],
                      "cross_entropy")


@pytest.mark.slow
@pytest.mark.parametrize("name, gain", [("sigmoid", 1), ("relu", 2)])
def test_the_notebooks_deep_networks(name, gain):
    """§7 as in the notebook: 8 hidden layers of 16 on the iris training set. The sigmoid network's
    first-layer gradient is orders of magnitude below its last; the ReLU network's is not. The same
    architecture (with small random biases, so that no ReLU sits exactly on its kink, where
    central differences see a slope of ½ and the course takes 0) against central differences;
    it is too big for sympy, which checks a smaller deep network above."""
    X_train, _, y_train, _ = _iris()
    T = datasets.one_hot(y_train, 3)
    activations = [name] * 8 + ["softmax"]
    Ws, bs = training.init_params([4] + [16] * 8 + [3], np.random.default_rng(0), gain=gain)
    g = nets.backward(Ws, bs, X_train, T, activations, "cross_entropy")
    ratio = np.linalg.norm(g.dW[0]) / np.linalg.norm(g.dW[-1])
    assert ratio < 1e-3 if name == "sigmoid" else ratio > 0.1
    bs = [np.random.default_rng(l).normal(0, 0.1, b.shape) for l, b in enumerate(bs)]
    h, atol = (1e-3, 1e-11) if name == "sigmoid" else (1e-5, 1e-10)  # rounding grows as h shrinks
    assert_three_ways(Ws, bs, X_train, T, activations, "cross_entropy", rtol=1e-7, atol=atol, exact=False, h=h)


def test_sigmoid_slope_is_at_most_a_quarter():
    z = np.linspace(-20, 20, 40001)
    assert nets.sigmoid_prime(z).max() == pytest.approx(0.25, abs=1e-12)
    assert np.all(nets.sigmoid_prime(z) <= 0.25)


# --- the benchmark, at tiny sizes, without torch (no timing is asserted) ------------------------


def _bench():
    spec = importlib.util.spec_from_file_location("bench_train_step", ROOT / "bench" / "train_step.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_at_tiny_sizes_without_torch(capsys):
    bench = _bench()
    rows = bench.main(["--batches", "1", "4", "--widths", "3", "--budget", "0.05", "--loop-budget", "0.01", "--no-torch", "--glibc-malloc"])
    out = capsys.readouterr().out
    assert [(r["batch"], r["width"]) for r in rows] == [(1, 3), (4, 3)]
    assert all(r["numpy f64"] > 0 and r["numpy f32"] > 0 and r["loops"] > 0 and r["matrix/loop"] > 0 for r in rows)
    assert all(r["torch f64"] is None and r["ratio f32"] is None and r["rounds"] >= 7 for r in rows)
    assert "| batch | width | numpy f64 | torch f64 | numpy f32 | torch f32 | numpy/torch f64 |" in out
    assert "threads: " in out and "load average" in out and "no summary line" in out
    assert "allocator: the C library defaults" in out  # --glibc-malloc: this process keeps its allocator


def test_benchmark_summary_line_has_the_agreed_form(capsys, monkeypatch):
    bench = _bench()
    monkeypatch.setattr(bench, "HEADLINE", (4, 3))
    bench.main(["--batches", "4", "--widths", "3", "--budget", "0.05", "--loop-budget", "0.01", "--no-torch", "--glibc-malloc"])
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert re.fullmatch(r"speed-up matrix/loop: \d+x; time numpy/torch: n/a; worst over grid f64: n/a; f32: n/a", last)


def test_benchmark_steps_are_the_course_steps_in_both_precisions():
    bench = _bench()
    X, y, T, Ws, bs = bench.make_problem(8, 5)
    assert np.array_equal(T, datasets.one_hot(y, 3)) and X.shape == (8, 4)
    assert _max_diff(bench.numpy_step(X, y, T, Ws, bs)(), bench.loop_step(X, y, T, Ws, bs)()) < 1e-12
    X32, y32, T32, Ws32, bs32 = bench.make_problem(8, 5, dtype=np.float32)
    assert np.array_equal(y32, y) and all(v.dtype == np.float32 for v in [X32, T32, *Ws32, *bs32])
    step32 = bench.numpy_step(X32, y32, T32, Ws32, bs32)()
    assert all(v.dtype == np.float32 for v in step32[0] + step32[1])
    assert _max_diff(step32, bench.numpy_step(X, y, T, Ws, bs)()) < 1e-6


def test_benchmark_spread_and_interleaving():
    bench = _bench()
    assert bench.spread([1.0, 1.0, 1.0, 1.0]) == 0.0 and bench.spread([1.0, 2.0]) == float("inf")
    assert bench.spread([1.0, 2.0, 3.0, 4.0, 5.0]) == pytest.approx(3.0 / 3.0)  # quartiles 1.5 and 4.5
    calls = {"a": 0, "b": 0}
    steps = {name: (lambda name=name: calls.__setitem__(name, calls[name] + 1)) for name in calls}
    times, rounds = bench.interleaved(steps, budget=0.05, block=0.0001, target=10.0, min_rounds=7)
    assert rounds == 7 and all(len(t) == 7 for t in times.values())  # every spread is below 10: stops at 7
    assert calls["a"] > 7 and calls["b"] > 7
