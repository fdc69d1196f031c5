"""Notebook 05's exercises: each reference passes, each named mistake gets its own diagnosis, the
placeholder counts as not attempted, and the expected values agree with an independent route.
Also what the notebook itself must be: ten exercises in order, one timing cell and no other
ignored output, the data loaded through the checksum."""

import json
from pathlib import Path

import numpy as np
import pytest

from helpers import check, datasets, exercises, lessons, nets

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "05_batches_and_training.ipynb"
IDS = [f"5.{i}" for i in range(1, 11)]
L = lessons.three_layer()
X, T = datasets.seed_batch()


def test_notebook_05_registers_ten_exercises():
    assert [i for i in exercises.ids() if i.startswith("5.")] == IDS


def test_generic_diagnoses_still_work_on_notebook_05():
    dW3 = exercises.expected("5.3")
    assert check("5.3", dW3.T).diagnosis == "transposed"
    assert check("5.3", -dW3).diagnosis == "sign"
    assert check("5.2", exercises.expected("5.2")[:, :2]).diagnosis == "shape"
    assert check("5.1", float(np.round(exercises.expected("5.1"), 3))).diagnosis == "rounded"


def test_expected_values_by_an_independent_route():
    fw = nets.forward(L.Ws, L.bs, X, L.activations)
    P = fw.out
    per_row = [nets.cross_entropy(p, t) for p, t in zip(P, T)]
    assert exercises.expected("5.1") == pytest.approx(np.mean(per_row), rel=1e-14)
    assert np.allclose(exercises.expected("5.2"), P - T, rtol=0, atol=1e-15)
    assert np.allclose(exercises.expected("5.3"), fw.a[2].T @ (P - T) / 4, rtol=1e-13)
    # 5.4 is computed by hand in the exercise module: it must equal the reference backward pass
    assert np.allclose(exercises.expected("5.4"), nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss).dW[0],
                       rtol=1e-12, atol=0)
    assert np.allclose(exercises.expected("5.5"), (P - T).mean(axis=0), rtol=1e-13)
    p0 = exercises.expected("5.6")
    assert np.allclose(p0, nets.softmax(0.5 * L.W3.sum(axis=0)), rtol=1e-14) and not np.allclose(p0, 1 / 3)
    assert exercises.expected("5.9") == 0.25 and exercises.expected("5.10") == 0.25**6


def test_equal_weights_gradient_has_equal_rows():
    dW3 = exercises.expected("5.8")
    assert np.array_equal(dW3, np.repeat(dW3[:1], 3, axis=0)) and np.abs(dW3).max() > 0.05


def test_standardised_test_set_uses_the_training_statistics():
    iris = datasets.load_iris()
    X_train, X_test, _, _ = datasets.split(iris.X, iris.y)
    expected = exercises.expected("5.7")
    assert expected.shape == (30, 4)
    assert np.allclose(expected, datasets.standardise(X_train, X_test)[1], rtol=1e-14)
    assert not np.allclose(expected.mean(axis=0), 0, atol=0.05)  # not centred on its own mean


# --- the notebook as stored ------------------------------------------------------------------


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell):
    return "".join(cell["source"])


def test_exactly_one_ignored_cell_and_it_is_the_timing():
    ignored = [c for c in _cells() if "nbval-ignore-output" in c.get("metadata", {}).get("tags", [])]
    assert len(ignored) == 1
    assert "best_time" in _source(ignored[0]) and "speed-up" in _source(ignored[0])


def test_the_notebook_has_ten_exercises_and_the_seed_questions():
    cells = _cells()
    exercise_cells = [c for c in cells if "exercise" in c.get("metadata", {}).get("tags", [])]
    assert [_source(c).splitlines()[0] for c in exercise_cells] == [f"# Exercise {i}" for i in IDS]
    text = "\n".join(_source(c) for c in cells if c["cell_type"] == "markdown")
    for topic in ("## Errata", "## Summary", "## Further questions", "vanishing", "same number", "bias"):
        assert topic in text, topic
    assert "datasets.load_iris()" in "\n".join(_source(c) for c in cells if c["cell_type"] == "code")


def test_the_stored_outputs_show_the_experiments_working():
    outputs = "\n".join("".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])
    assert "the two steps agree to 1e-12: True" in outputs
    assert "all weights 0.5: units of layer 1 differ by at most 0.000" in outputs
    assert "dW agrees to 1e-9: True, db agrees to 1e-9: True" in outputs


# --- hints, mistakes traced upstream, factors --------------------------------------------------


# (two different hints per exercise, none showing the answer's numbers: tests/test_hints.py, for every exercise)


@pytest.mark.parametrize("exercise_id", [i for i in IDS if exercises.get(i).upstream])
def test_the_right_method_on_a_wrong_upstream_answer_points_upstream(exercise_id, monkeypatch, tmp_path):
    from helpers import checking
    monkeypatch.setattr(checking, "_LAST", {})
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "p.json"))
    exercise = exercises.get(exercise_id)
    first = exercise.upstream[0]
    right = np.asarray(exercises.expected(first), dtype=float)
    wrong = right + 0.05 * np.arange(1, right.size + 1).reshape(right.shape)
    assert not check(first, wrong)
    theirs = exercise.from_upstream(wrong)
    assert not np.allclose(theirs, exercise.expected())
    feedback = check(exercise_id, theirs)
    assert feedback.diagnosis == f"upstream:{first}", str(feedback)
    assert check(first, right) and check(exercise_id, exercise.from_upstream(right))


def test_the_batch_mean_is_registered_as_a_factor_where_it_is_a_real_mistake():
    for exercise_id in ("5.1", "5.3", "5.4", "5.5"):
        assert [f for f, _ in exercises.get(exercise_id).factors] == [len(X)]
        # the sum instead of the mean is that factor exactly
        assert not check(exercise_id, len(X) * np.asarray(exercises.expected(exercise_id)))
    assert [f for f, _ in exercises.get("5.2").factors] == [1 / len(X)]


# --- the batch's gradients three ways, and the numbers of the new pictures and counts ------------


def _last_layer_sympy(A2, T_, W3, b3):
    """sympy's exact ∇W3 E and ∇b3 E of the batch loss E = mean_n −Σ_k T log softmax(A2 W3 + b3): W3 and
    b3 reach E only through the last layer, so with A2 fixed this is the whole network's gradient."""
    import sympy as sp

    from helpers import symbolic

    Ws = symbolic.matrix_symbols("W", *W3.shape)
    bs = symbolic.vector_symbols("b", len(b3))
    R = lambda v: sp.Rational(str(float(v)))  # noqa: E731
    E = 0
    for a, t in zip(A2, T_):
        z = [sum(R(a[i]) * Ws[i, j] for i in range(len(a))) + bs[j] for j in range(len(b3))]
        k = int(np.argmax(t))                       # one-hot: −log softmax(z)_k = −z_k + log Σ_j e^(z_j)
        E += -z[k] + sp.log(sum(sp.exp(zj) for zj in z))
    E = E / len(A2)
    params = list(Ws) + list(bs)
    at = {s: float(v) for s, v in zip(params, [*W3.ravel(), *b3])}
    g = np.array([float(sp.diff(E, s).xreplace(at)) for s in params])
    return g[:W3.size].reshape(W3.shape), g[W3.size:]


def _batch_loss_of(which, Ws, bs):
    def E(v):
        Ws_, bs_ = list(Ws), list(bs)
        (Ws_ if which[0] == "W" else bs_)[which[1]] = v
        return nets.loss_of(Ws_, bs_, X, T, L.activations, L.loss)
    return E


@pytest.mark.parametrize("start", ["seed", "equal"])
def test_the_last_layers_batch_gradients_three_ways(start):
    """∇W3 E and ∇b3 E of the seed batch (exercises 5.3, 5.5) and at equal weights (5.8): reference,
    sympy's exact derivative, central differences."""
    from helpers import gradcheck

    Ws = L.Ws if start == "seed" else [np.full_like(W, 0.5) for W in L.Ws]
    g = nets.backward(Ws, L.bs, X, T, L.activations, L.loss)
    A2 = nets.forward(Ws, L.bs, X, L.activations).a[2]
    exact_W, exact_b = _last_layer_sympy(A2, T, Ws[2], L.bs[2])
    numeric_W = gradcheck.numerical_gradient(_batch_loss_of(("W", 2), Ws, L.bs), Ws[2])
    numeric_b = gradcheck.numerical_gradient(_batch_loss_of(("b", 2), Ws, L.bs), L.bs[2])
    for ours, other in ((g.dW[2], exact_W), (g.dW[2], numeric_W), (g.db[2], exact_b), (g.db[2], numeric_b)):
        assert gradcheck.rel_error(ours, other) < 1e-9
    if start == "seed":
        assert np.allclose(g.dW[2], exercises.expected("5.3"), rtol=1e-13) and np.allclose(g.db[2], exercises.expected("5.5"))
    else:
        assert np.allclose(g.dW[2], exercises.expected("5.8"), rtol=1e-13)


def test_the_first_layers_batch_gradient_three_ways():
    """∇W1 E of the seed batch (exercise 5.4): the reference, the hand route of the solution cell
    (Δ handed down layer by layer) and central differences. (sympy checks the batched backward pass
    on random networks in tests/test_reference.py; here the exact derivative of the whole batch would
    cost seconds.)"""
    from helpers import gradcheck

    g = nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss)
    fw = nets.forward(L.Ws, L.bs, X, L.activations)
    D2 = ((fw.out - T) @ L.W3.T) * fw.a[2] * (1 - fw.a[2])
    D1 = (D2 @ L.W2.T) * nets.relu_prime(fw.z[0])
    numeric = gradcheck.numerical_gradient(_batch_loss_of(("W", 0), L.Ws, L.bs), L.W1)
    for other in (X.T @ D1 / len(X), numeric, exercises.expected("5.4")):
        assert gradcheck.rel_error(g.dW[0], other) < 1e-9


def test_the_outer_products_picture():
    """§2's picture: A2ᵀ Δ3 is the sum of the four examples' outer products, N times ∇W3 E, and the
    numbers its text alternative states."""
    fw = nets.forward(L.Ws, L.bs, X, L.activations)
    A2, D3 = fw.a[2], fw.out - T
    outer = [np.outer(a, d) for a, d in zip(A2, D3)]
    assert np.allclose(sum(outer), A2.T @ D3, rtol=1e-14)
    assert np.allclose(A2.T @ D3 / len(X), exercises.expected("5.3"), rtol=1e-13)
    assert np.array_equal(np.round(A2.T @ D3, 2)[0], [-1.14, 0.12, 1.02])
    assert np.array_equal(np.round(outer[0], 2)[0], [-0.75, 0.27, 0.48])
    assert A2.min() > 0.9                           # "every entry of A2 is close to 1 here"
    assert (np.sign(np.array(outer)[:, 0, 0]) == [-1, 1, 1, -1]).all() and (T[:, 0] == [1, 0, 0, 1]).all()


def test_the_multiply_adds_of_one_step():
    """§9: per example the forward pass does one multiply-add per weight, the backward pass two, bar the
    δ below layer 1: 4544 and 8832 for 4-64-64-3, 1.94 times; together the 13 376 the loop executes.
    Counted here by running training.loop_step's own loops with counting numbers."""
    sizes = [4, 64, 64, 3]
    weights = [m * k for m, k in zip(sizes[:-1], sizes[1:])]
    forward, backward = sum(weights), 2 * sum(weights) - weights[0]
    assert (forward, backward, forward + backward) == (4544, 8832, 13376) and round(backward / forward, 2) == 1.94
    text = "\n".join("".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])
    assert "forward 4544, backward 8832 (1.94 times the forward pass), together 13376 multiply-adds per example" in text


def test_bias_free_networks_through_the_origin():
    """§3: a bias-free network gives every Z = 0 at x = 0 exactly when every hidden f(0) = 0 (ReLU, leaky
    ReLU, tanh; not the sigmoid); ReLU networks keep their class along rays, tanh networks need not."""
    rng = np.random.default_rng(5)
    Ws = [rng.normal(size=(2, 8)), rng.normal(size=(8, 8)), rng.normal(size=(8, 3))]
    zero_bs = [np.zeros(8), np.zeros(8), np.zeros(3)]
    leaky = lambda z: np.where(z > 0, z, 0.1 * z)  # noqa: E731
    for name, f in [("relu", nets.relu), ("tanh", np.tanh), ("leaky", leaky), ("sigmoid", nets.sigmoid)]:
        a = np.zeros(2)
        for W in Ws[:-1]:
            a = f(a @ W)
        z3 = a @ Ws[-1]
        assert np.allclose(z3, 0) is (name != "sigmoid"), name
    directions = [np.array([np.cos(a), np.sin(a)]) for a in np.linspace(0, 2 * np.pi, 48, endpoint=False)]
    scales = np.linspace(0.05, 20, 200)[:, None]

    def classes_along(direction, hidden):
        return set(nets.forward(Ws, zero_bs, scales * direction, hidden + ["softmax"]).out.argmax(axis=1))

    assert all(len(classes_along(d, ["relu", "relu"])) == 1 for d in directions)
    assert any(len(classes_along(d, ["tanh", "tanh"])) > 1 for d in directions)   # a ray that changes class


def test_the_gradient_at_the_average_example_three_ways_and_it_is_not_the_batchs():
    """§2: back-propagating the average example (mean input, mean target) once gives another ∇W3 E
    than the batch's mean gradient. Its gradient three ways (reference, sympy with A2 fixed, central
    differences) and its distance from the batch's, which the notebook prints as 'not zero'."""
    import sympy as sp

    from helpers import gradcheck

    x_mean, t_mean = X.mean(axis=0), T.mean(axis=0)
    ours = nets.backward(L.Ws, L.bs, x_mean, t_mean, L.activations, L.loss).dW[2]
    a2 = nets.forward(L.Ws, L.bs, x_mean, L.activations).a[2]
    W = sp.Matrix(3, 3, lambda i, j: sp.Symbol(f"W_{i}{j}"))
    z = [sum(sp.Float(a2[i], 30) * W[i, j] for i in range(3)) + sp.Float(L.b3[j], 30) for j in range(3)]
    E = -sum(sp.Float(t_mean[k], 30) * sp.log(sp.exp(z[k]) / sum(sp.exp(zj) for zj in z)) for k in range(3))
    at = {W[i, j]: sp.Float(L.W3[i, j], 30) for i in range(3) for j in range(3)}
    exact = np.array([[float(sp.diff(E, W[i, j]).xreplace(at)) for j in range(3)] for i in range(3)])

    def loss(W3):
        Ws = [L.W1, L.W2, W3]
        return nets.loss_of(Ws, L.bs, x_mean, t_mean, L.activations, L.loss)

    numeric = gradcheck.numerical_gradient(loss, L.W3)
    assert gradcheck.rel_error(ours, exact) < 1e-9 and gradcheck.rel_error(ours, numeric) < 1e-9
    batch = nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss).dW[2]
    assert np.abs(ours - batch).max() > 1e-3                       # a different matrix, not rounding
    shown = "\n".join("".join(o.get("text", "")) for c in _cells() if c["cell_type"] == "code" for o in c["outputs"])
    assert f"{(ours - batch)[0, 0]:.9f}" in shown                  # the difference the notebook prints


def test_the_learning_goals_do_not_give_5_9s_answer():
    """5.9 asks for the largest σ′; the goals at the top must not state σ′ ≤ ¼ before it asks."""
    cells = ["".join(c["source"]) for c in _cells()]
    asked = next(i for i, c in enumerate(cells) if 'check("5.9"' in c)
    assert not any(s in c for c in cells[:asked] for s in (r"\tfrac14", "¼", "0.25", r"\frac14", r"\frac{1}{4}"))
