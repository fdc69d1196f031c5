"""The reference implementation, the gradient checker, the lesson loader and the sympy helpers."""

import numpy as np
import pytest
import sympy as sp

from helpers import gradcheck, lessons, nets, symbolic

RNG = np.random.default_rng(0)

# --- lessons ----------------------------------------------------------------------------------------


def test_lessons_carry_the_seeds_initial_values():
    one = lessons.one_weight()
    assert (one.a, one.w, one.y, one.rate, one.steps) == (5.7, -23.1, 50.1, 0.007, 20)
    two = lessons.two_layer()
    np.testing.assert_array_equal(two.x, [0.05, 0.1])
    np.testing.assert_array_equal(two.W2, [[0.40, 0.45], [0.50, 0.55]])
    assert two.Ws[0] is two.W1 and two.convention == "column"
    three = lessons.three_layer()
    assert three.activations == ["relu", "sigmoid", "softmax"] and three.W3.shape == (3, 3)
    np.testing.assert_array_equal(three.b2, [1.0, 1.0, 1.0])


def test_unknown_lesson_names_the_lessons():
    with pytest.raises(ValueError, match="one_weight, two_layer, three_layer"):
        lessons.load("four_layer")


# --- activations and losses ---------------------------------------------------------------------


def test_sigmoid_is_stable_and_symmetric():
    z = np.array([-800.0, -1.0, 0.0, 1.0, 800.0])
    s = nets.sigmoid(z)
    assert np.all(np.isfinite(s)) and s[2] == 0.5 and s[0] == 0.0 and s[-1] == 1.0
    np.testing.assert_allclose(s + nets.sigmoid(-z), 1.0)


def test_relu_derivative_at_zero_is_zero():
    np.testing.assert_array_equal(nets.relu_prime(np.array([-1.0, 0.0, 2.0])), [0.0, 0.0, 1.0])


def test_softmax_is_shift_invariant_and_stable():
    z = np.array([1000.0, 1001.0, 1002.0])
    np.testing.assert_allclose(nets.softmax(z), nets.softmax(z - 1000))
    assert abs(nets.softmax(z).sum() - 1) < 1e-15


def test_softmax_jacobian_against_central_differences():
    z = RNG.normal(size=4)
    numeric = np.array([gradcheck.numerical_gradient(lambda v: nets.softmax(v)[i], z) for i in range(4)])
    assert gradcheck.rel_error(nets.softmax_jacobian(z), numeric) < 1e-9


def test_losses_on_known_values():
    assert nets.half_squared_error([1.0, 2.0], [0.0, 0.0]) == 2.5
    assert nets.cross_entropy([0.5, 0.5], [1.0, 0.0]) == pytest.approx(np.log(2))
    assert nets.binary_cross_entropy([0.5], [1.0]) == pytest.approx(np.log(2))
    # a batch is averaged over rows
    assert nets.half_squared_error([[1.0], [3.0]], [[0.0], [0.0]]) == 2.5


def test_unknown_loss_and_convention_are_explained():
    with pytest.raises(ValueError, match="unknown loss"):
        nets.backward([np.eye(2)], [np.zeros(2)], np.ones(2), np.ones(2), ["identity"], "hinge")
    with pytest.raises(ValueError, match="convention"):
        nets.forward([np.eye(2)], [np.zeros(2)], np.ones(2), ["identity"], convention="diagonal")


# --- forward and backward ---------------------------------------------------------------------


def random_net(sizes, activations, batch=None):
    Ws = [RNG.normal(scale=0.7, size=(a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [RNG.normal(scale=0.3, size=b) for b in sizes[1:]]
    shape = (sizes[0],) if batch is None else (batch, sizes[0])
    x = RNG.normal(size=shape)
    return Ws, bs, x


CASES = [
    ([3, 4, 2], ["sigmoid", "sigmoid"], "half_squared_error"),
    # sympy on a 3-5-4-3 network: seconds (make test-slow runs it; the two above run in make test)
    pytest.param([3, 5, 4, 3], ["tanh", "sigmoid", "softmax"], "cross_entropy", marks=pytest.mark.slow),
    ([2, 3, 3], ["identity", "sigmoid"], "binary_cross_entropy"),
]


@pytest.mark.parametrize("batch", [None, 5])
@pytest.mark.parametrize("sizes, activations, loss", CASES)
def test_backward_three_ways_on_random_networks(sizes, activations, loss, batch):
    Ws, bs, x = random_net(sizes, activations, batch)
    n_out = sizes[-1]
    if loss == "cross_entropy":
        target = np.eye(n_out)[RNG.integers(0, n_out, size=() if batch is None else batch)]
    else:
        target = RNG.uniform(0.1, 0.9, size=(n_out,) if batch is None else (batch, n_out))
    g = nets.backward(Ws, bs, x, target, activations, loss)
    num_W, num_b = gradcheck.network_numerical_gradients(Ws, bs, x, target, activations, loss)
    for ref, num in zip(g.dW + g.db, num_W + num_b):
        assert ref.shape == num.shape
        assert gradcheck.rel_error(ref, num) < 1e-8
    if batch is None:  # sympy builds one example's expression
        sym_W, sym_b = symbolic.network_gradients(Ws, bs, x, target, activations, loss)
        for ref, exact in zip(g.dW + g.db, sym_W + sym_b):
            assert gradcheck.rel_error(ref, exact) < 1e-12


def test_batch_gradient_is_the_mean_of_the_per_example_gradients():
    Ws, bs, X = random_net([3, 4, 2], ["relu", "sigmoid"], batch=6)
    T = RNG.uniform(size=(6, 2))
    batch = nets.backward(Ws, bs, X, T, ["relu", "sigmoid"], "half_squared_error")
    singles = [nets.backward(Ws, bs, X[i], T[i], ["relu", "sigmoid"], "half_squared_error") for i in range(6)]
    for layer in range(2):
        np.testing.assert_allclose(batch.dW[layer], np.mean([s.dW[layer] for s in singles], axis=0), atol=1e-15)
        np.testing.assert_allclose(batch.db[layer], np.mean([s.db[layer] for s in singles], axis=0), atol=1e-15)


def test_column_convention_is_the_row_convention_transposed():
    L = lessons.two_layer()
    column = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, "column")
    row = nets.backward([W.T for W in L.Ws], L.bs, L.x, L.target, L.activations, L.loss, "row")
    for c, r in zip(column.dW, row.dW):
        np.testing.assert_array_equal(c, r.T)
    fw_c = nets.forward(L.Ws, L.bs, L.x, L.activations, "column")
    fw_r = nets.forward([W.T for W in L.Ws], L.bs, L.x, L.activations, "row")
    np.testing.assert_array_equal(fw_c.out, fw_r.out)


def test_softmax_with_cross_entropy_delta_is_p_minus_y():
    L = lessons.three_layer()
    g = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss)
    p = nets.forward(L.Ws, L.bs, L.x, L.activations).out
    np.testing.assert_allclose(g.delta[-1], p - L.target, atol=1e-15)


@pytest.mark.parametrize("name", ["two_layer", "three_layer"])
def test_lesson_networks_three_ways_to_1e_9(name):
    L = lessons.load(name)
    args = (L.Ws, L.bs, L.x, L.target, L.activations, L.loss, L.convention)
    g = nets.backward(*args)
    sym_W, sym_b = symbolic.network_gradients(*args)
    num_W, num_b = gradcheck.network_numerical_gradients(*args)
    for ref, exact, num in zip(g.dW + g.db, sym_W + sym_b, num_W + num_b):
        assert gradcheck.rel_error(ref, exact) < 1e-12
        assert gradcheck.rel_error(ref, num) < 1e-9


def test_sgd_step_moves_against_the_gradient_and_leaves_the_inputs():
    L = lessons.two_layer()
    g = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, L.convention)
    before = [W.copy() for W in L.Ws]
    new_W, new_b = nets.sgd_step(L.Ws, L.bs, g, 0.5)
    np.testing.assert_array_equal(L.Ws[0], before[0])
    np.testing.assert_allclose(new_W[1], L.W2 - 0.5 * g.dW[1])
    assert nets.loss_of(new_W, new_b, L.x, L.target, L.activations, L.loss, L.convention) < \
        nets.loss_of(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, L.convention)


# --- the one-weight model ---------------------------------------------------------------------------


def test_descent_contracts_by_the_factor_every_step():
    ws = nets.descend(5.7, -23.1, 50.1, 0.007, 20)
    d = np.concatenate([[-23.1], ws]) - 50.1 / 5.7
    np.testing.assert_allclose(d[1:] / d[:-1], nets.contraction(5.7, 0.007), rtol=1e-9)


@pytest.mark.parametrize("rate, words", [(0.007, "monotonically"), (0.025, "converges, oscillating"),
                                         (1 / 5.7**2, "for ever"), (0.032, "diverges")])
def test_regimes(rate, words):
    assert words in nets.regime(5.7, rate)


# --- the gradient checker ---------------------------------------------------------------------------


@pytest.mark.parametrize("order, h, worst", [(2, 1e-5, 1e-8), (4, 1e-3, 1e-9)])
def test_numerical_gradient_of_a_known_function(order, h, worst):
    x = np.array([0.3, -1.2, 2.0])
    f = lambda v: float(np.sum(np.sin(v) * v**2))
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert gradcheck.rel_error(gradcheck.numerical_gradient(f, x, h=h, order=order), exact) < worst


def test_numerical_gradient_leaves_its_input_and_handles_scalars():
    x = np.array([1.0, 2.0])
    gradcheck.numerical_gradient(lambda v: float(v @ v), x)
    np.testing.assert_array_equal(x, [1.0, 2.0])
    assert gradcheck.numerical_gradient(lambda w: w**3, 2.0) == pytest.approx(12.0, rel=1e-10)
    with pytest.raises(ValueError):
        gradcheck.numerical_gradient(lambda w: w, 1.0, order=3)


def test_rel_error():
    assert gradcheck.rel_error([1.0, 0.0], [1.0, 0.0]) == 0.0
    assert gradcheck.rel_error([1.0], [1.1]) == pytest.approx(0.1 / 2.1)


def test_the_checker_catches_a_wrong_gradient():
    L = lessons.two_layer()
    g = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, L.convention)
    num_W, _ = gradcheck.network_numerical_gradients(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, L.convention)
    assert gradcheck.rel_error(g.dW[1].T, num_W[1]) > 1e-3  # a transposed gradient does not pass


# --- sympy helpers ---------------------------------------------------------------------------------


def test_symbols_and_elementwise_jacobian_is_diagonal():
    W = symbolic.matrix_symbols("W", 2, 3)
    assert W.shape == (2, 3) and str(W[1, 2]) == "W_23"
    x, y, J = symbolic.elementwise_jacobian(symbolic.sigmoid, 3)
    assert J.is_diagonal()
    s = symbolic.sigmoid(x[0])
    assert sp.simplify(J[0, 0] - s * (1 - s)) == 0


def test_network_loss_matches_the_reference_value():
    L = lessons.three_layer()
    E, Ws, bs = symbolic.network_loss([W.shape for W in L.Ws], L.x, L.target, L.activations, L.loss, "row")
    values = {s: v for M, V in zip(Ws + bs, L.Ws + L.bs) for s, v in zip(M, np.ravel(V))}
    assert float(E.xreplace(values)) == pytest.approx(
        nets.loss_of(L.Ws, L.bs, L.x, L.target, L.activations, L.loss), rel=1e-12)


def test_numerical_gradient_of_a_transposed_matrix():
    """A transposed (Fortran-ordered) array once gave all zeros: reshape(-1) made a copy."""
    W = RNG.normal(size=(3, 2))
    grad = gradcheck.numerical_gradient(lambda M: float(np.sum(M**2)), W.T)
    np.testing.assert_allclose(grad, 2 * W.T, rtol=1e-9)
    L = lessons.two_layer()
    row = [W.T for W in L.Ws]  # non-contiguous views
    num_W, _ = gradcheck.network_numerical_gradients(row, L.bs, L.x, L.target, L.activations, L.loss, "row")
    ref = nets.backward(row, L.bs, L.x, L.target, L.activations, L.loss, "row")
    for a, b in zip(ref.dW, num_W):
        assert gradcheck.rel_error(a, b) < 1e-9


# --- precision: float32 in, float32 out, equal to float64 within float32's precision ----------------


def _as(dtype, *arrays):
    return [[np.asarray(v, dtype=dtype) for v in a] if isinstance(a, list) else np.asarray(a, dtype=dtype)
            for a in arrays]


@pytest.mark.parametrize("sizes, activations, loss", CASES + [([4, 16, 16, 3], ["relu", "sigmoid", "softmax"],
                                                                "cross_entropy")])
def test_float32_computes_in_float32_and_agrees_with_float64(sizes, activations, loss):
    Ws, bs, X = random_net(sizes, activations, batch=7)
    n_out = sizes[-1]
    T = np.eye(n_out)[RNG.integers(0, n_out, 7)] if loss == "cross_entropy" else RNG.uniform(0.1, 0.9, (7, n_out))
    g64 = nets.backward(Ws, bs, X, T, activations, loss)
    W32, b32, X32, T32 = _as(np.float32, Ws, bs, X, T)
    g32 = nets.backward(W32, b32, X32, T32, activations, loss)
    fw32 = nets.forward(W32, b32, X32, activations)
    new32 = nets.sgd_step(W32, b32, g32, 0.1)
    assert all(v.dtype == np.float32 for v in g32.dW + g32.db + g32.delta + fw32.z + fw32.a + new32[0] + new32[1])
    assert all(v.dtype == np.float64 for v in g64.dW + g64.db + g64.delta)
    eps = np.finfo(np.float32).eps
    for a, b in zip(g32.dW + g32.db, g64.dW + g64.db):
        # relative to the size of the whole gradient: a few dozen float32 roundings at most
        assert np.abs(a - b).max() <= 64 * eps * max(np.abs(b).max(), 1e-3)
    # float64 targets do not pull a float32 network up to float64
    assert all(v.dtype == np.float32 for v in nets.backward(W32, b32, X32, T, activations, loss).dW)


def test_integer_and_list_inputs_compute_in_float64():
    assert nets.sigmoid(0).dtype == np.float64 and nets.relu([1, -2]).dtype == np.float64
    fw = nets.forward([[[1, 0], [0, 1]]], [[0, 0]], [1, 2], ["identity"])
    assert fw.out.dtype == np.float64 and fw.out.tolist() == [1.0, 2.0]


def test_float32_sigmoid_and_softmax_stay_float32_and_finite():
    z = np.array([-1000.0, -100.0, -1.0, 0.0, 1.0, 100.0, 1000.0], dtype=np.float32)
    s = nets.sigmoid(z)
    assert s.dtype == np.float32 and s[0] == 0.0 and s[3] == 0.5 and s[-1] == 1.0
    p = nets.softmax(z)
    assert p.dtype == np.float32 and np.all(np.isfinite(p)) and abs(float(p.sum()) - 1) < 1e-6


# --- the faster formulas are the textbook ones -------------------------------------------------------


def test_sigmoid_needs_no_branches_and_warns_of_nothing():
    """1/(1 + e^(−z)) directly: for z < −709, e^(−z) = inf and 1/(1 + inf) = 0, the right value."""
    z = np.concatenate([np.linspace(-750, 750, 30001), [-np.inf, np.inf]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # a warning would be an error here
        s = nets.sigmoid(z)
    e = np.exp(-np.abs(z))
    textbook = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))  # the two-branch overflow-safe form
    # equal to rounding; below −709 it gives 0 where the two-branch form gives a subnormal < 1e-308
    np.testing.assert_allclose(s, textbook, rtol=4 * np.finfo(float).eps, atol=np.finfo(float).tiny)
    assert np.array_equal(s[z >= 0], textbook[z >= 0])  # the same arithmetic where z ≥ 0
    assert s[0] == s[-2] == 0.0 and s[-1] == 1.0 and np.all(np.diff(s[:-2]) >= 0)


@pytest.mark.parametrize("batch", [1, 6])
def test_softmax_cross_entropy_delta_equals_the_route_through_the_full_jacobian(batch):
    """At a softmax with cross-entropy δ = (p − t)/N, the same as the general route
    δ = Jᵀ ∂E/∂p with J = diag(p) − p pᵀ the softmax's full Jacobian and ∂E/∂p = −t/(N p)."""
    Ws, bs, X = random_net([3, 5, 4], ["tanh", "softmax"], batch)
    T = np.eye(4)[RNG.integers(0, 4, batch)]
    g = nets.backward(Ws, bs, X, T, ["tanh", "softmax"], "cross_entropy")
    fw = nets.forward(Ws, bs, X, ["tanh", "softmax"])
    general = np.array([nets.softmax_jacobian(z).T @ (-t / p / batch) for z, p, t in zip(fw.z[-1], fw.out, T)])
    np.testing.assert_allclose(g.delta[-1], general, rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(g.delta[-1], (fw.out - T) / batch)  # p − t, exactly
    # and the layer below receives the same δ either way
    below = (general @ Ws[1].T) * (1 - fw.a[1] ** 2)
    np.testing.assert_allclose(g.delta[0], below, rtol=1e-12, atol=1e-15)


def test_backward_and_sgd_step_leave_every_argument_unchanged():
    """The in-place arithmetic happens only on arrays the step made itself."""
    for activations in (["relu", "sigmoid", "softmax"], ["tanh", "identity", "sigmoid"]):
        Ws, bs, X = random_net([3, 5, 4, 2], activations, batch=4)
        loss = "cross_entropy" if activations[-1] == "softmax" else "half_squared_error"
        T = np.eye(2)[[0, 1, 1, 0]]
        kept = [v.copy() for v in Ws + bs + [X, T]]
        g = nets.backward(Ws, bs, X, T, activations, loss)
        grads = [v.copy() for v in g.dW + g.db]
        nets.sgd_step(Ws, bs, g, 0.1)
        assert all(np.array_equal(u, v) for u, v in zip(Ws + bs + [X, T], kept))
        assert all(np.array_equal(u, v) for u, v in zip(g.dW + g.db, grads))


def test_a_batch_of_one_gives_the_outer_product():
    """dW = aᵀδ is an outer product for one row (np.dot's BLAS route, the same numbers as @)."""
    Ws, bs, x = random_net([5, 64, 3], ["relu", "softmax"], batch=1)
    g = nets.backward(Ws, bs, x, np.eye(3)[[1]], ["relu", "softmax"], "cross_entropy")
    fw = nets.forward(Ws, bs, x, ["relu", "softmax"])
    assert np.array_equal(g.dW[1], np.outer(fw.a[1][0], g.delta[1][0]))
    assert np.array_equal(g.dW[0], fw.a[0].T @ g.delta[0])
