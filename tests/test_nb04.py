"""Notebook 04, the three-layer network of seed 002: its exercises, and every gradient it states
checked three ways (helpers.nets or the hand formula, sympy, central differences)."""

import functools

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, lessons, nets, symbolic
from helpers.exercises import nb04

L = lessons.three_layer()
x, y, rate = L.x, L.target, L.rate   # y: the target t of the notation
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs
IDS = [i for i in exercises.ids() if i.startswith("4.")]
TOL = 1e-9


def fw():
    return nets.forward(L.Ws, L.bs, x, L.activations)


def grads(loss="cross_entropy", convention="row", Ws=None):
    return nets.backward(Ws or L.Ws, L.bs, x, y, L.activations, loss, convention)


def close(a, b, tol=TOL):
    return gradcheck.rel_error(a, b) < tol


# --- the exercises --------------------------------------------------------------------------


def test_notebook_04_has_twelve_exercises_in_order():
    assert IDS == [f"4.{k}" for k in range(1, 13)]


def test_the_seeds_two_structural_mistakes_are_registered_by_name():
    names = {m.name for i in IDS for m in exercises.get(i).mistakes}
    assert nb04.DIAGONAL_JACOBIAN in names and nb04.DIAGONAL_PROPAGATION in names


def diagnosis(exercise_id, answer):
    return check(exercise_id, answer).diagnosis


def test_diagonal_only_softmax_jacobian_is_named_wherever_it_shows():
    f = fw()
    p = f.out
    J_diag = np.diag(p * (1 - p))
    delta3_diag = J_diag @ (-y / p)                # what the seed's per-output chain gives
    name = f"mistake:{nb04.DIAGONAL_JACOBIAN}"
    assert diagnosis("4.3", J_diag) == name
    assert diagnosis("4.3", np.round(J_diag, 4)) == name       # the seed's rounding is no excuse
    assert diagnosis("4.5", np.outer(f.a[2], delta3_diag)) == name
    assert diagnosis("4.6", delta3_diag @ W3.T) == name
    assert diagnosis("4.4", delta3_diag) == name   # last: after it, 4.5 and 4.6 say "fix 4.4 first"


def test_diagonal_only_propagation_through_W_is_named_as_the_seed_writes_it():
    f, g = fw(), grads()
    name = f"mistake:{nb04.DIAGONAL_PROPAGATION}"
    # the seed: ∂E/∂h1_out_j = ∂E/∂h2_out_j · σ′_j · W_jjkj, i.e. δ2 times the diagonal of W2
    seed_style = np.array([g.delta[1][j] * W2[j, j] for j in range(3)]) * nets.relu_prime(f.z[0])
    assert diagnosis("4.10", np.outer(x, seed_style)) == name
    assert diagnosis("4.9", seed_style) == name    # after 4.10: a wrong 4.9 first would make 4.10 "fix 4.9 first"
    assert diagnosis("4.6", g.delta[2] * np.diag(W3)) == name
    # and the correct sum over all units fed is accepted
    assert check("4.9", (g.delta[1] @ W2.T) * (f.z[0] > 0))


def test_typical_wrong_answers_get_the_right_diagnosis():
    f, g = fw(), grads()
    p = f.out
    assert diagnosis("4.1", W2) == "mistake:the row-convention matrix unchanged"
    assert diagnosis("4.2", 1 / (1 + np.exp(f.z[1]))) == "mistake:seed 002's sigmoid without the minus sign"
    assert diagnosis("4.2", [0.938, 0.94, 0.98]) == "mistake:seed 002's rounded values 0.938, 0.94, 0.98"
    assert diagnosis("4.2", np.round(f.a[2], 4)) == "rounded"
    assert diagnosis("4.4", y - p) == "sign"
    assert diagnosis("4.4", -y / p) == "mistake:∂E/∂p without the softmax Jacobian"
    assert diagnosis("4.5", np.outer(g.delta[2], f.a[2])) == "mistake:the column convention's δ aᵀ"
    assert diagnosis("4.6", g.delta[2] @ W3) == "mistake:W3 without the transpose"
    assert diagnosis("4.7", (g.delta[2] @ W3.T) * f.a[2] * (1 - f.a[2])) == "correct"
    assert diagnosis("4.7", (g.delta[2] @ W3.T) * nets.sigmoid_prime(f.a[2])) == "mistake:σ′ evaluated at the output"
    assert diagnosis("4.8", g.dW[1].T) == "mistake:the column convention's δ aᵀ"
    assert diagnosis("4.9", g.delta[1] @ W2) == "mistake:W2 without the transpose"
    assert diagnosis("4.11", np.zeros((3, 3))) == "mistake:the biases left out, as seed 002 does"
    assert diagnosis("4.11", np.stack(g.db).T) == "transposed"
    assert diagnosis("4.12", W3 + rate * g.dW[2]) == "mistake:a step uphill (gradient ascent)"
    assert diagnosis("4.12", W3) == "mistake:the weights not updated"
    assert diagnosis("4.12", [list(r) for r in (W3 - rate * g.dW[2])]) == "correct"   # nested lists work too


def test_expected_values_are_the_reference_computations():
    f, g = fw(), grads()
    assert np.array_equal(exercises.expected("4.1"), W2.T)
    assert close(exercises.expected("4.2"), f.a[2])
    assert close(exercises.expected("4.3"), np.diag(f.out) - np.outer(f.out, f.out))
    assert close(exercises.expected("4.4"), f.out - y)
    assert close(exercises.expected("4.5"), np.outer(f.a[2], f.out - y))
    assert close(exercises.expected("4.6"), (f.out - y) @ W3.T)
    assert close(exercises.expected("4.7"), g.delta[1])
    assert close(exercises.expected("4.8"), g.dW[1])
    assert close(exercises.expected("4.9"), g.delta[0])
    assert close(exercises.expected("4.10"), g.dW[0])
    assert close(exercises.expected("4.11"), np.stack([g.delta[0], g.delta[1], g.delta[2]]))
    assert close(exercises.expected("4.12"), W3 - rate * g.dW[2])


# --- every gradient the notebook states, three ways ------------------------------------------


class _ThreeWays(dict):
    """(reference, sympy, central differences) gradients per (loss, convention), each computed the
    first time a test asks for it: sympy on a whole network costs seconds, so make test pays only for
    what its own tests read (the cross-entropy row network; the rest is make test-slow's)."""

    def __missing__(self, key):
        loss, convention = key
        # contiguous copies: gradcheck.numerical_gradient returns zeros for a non-C-contiguous array
        # such as a bare W.T (its reshape(-1) is then a copy, not a view); reported, not ours to change
        Ws = L.Ws if convention == "row" else [np.ascontiguousarray(W.T) for W in L.Ws]
        g = grads(loss, convention=convention, Ws=Ws)
        s = symbolic.network_gradients(Ws, L.bs, x, y, L.activations, loss, convention=convention)
        n = gradcheck.network_numerical_gradients(Ws, L.bs, x, y, L.activations, loss, convention=convention)
        self[key] = (g.dW + g.db, s[0] + s[1], n[0] + n[1])
        return self[key]


@pytest.fixture(scope="module")
def three_ways():
    return _ThreeWays()


PARAMS = ["dW1", "dW2", "dW3", "db1", "db2", "db3"]


# sympy on the whole 3-3-3-3 network, three times: seconds (make test-slow; make test checks the same
# network three ways once, in tests/test_reference.py::test_lesson_networks_three_ways_to_1e_9)
@pytest.mark.slow
@pytest.mark.parametrize("key", [("cross_entropy", "row"), ("binary_cross_entropy", "row"), ("cross_entropy", "column")],
                         ids=lambda k: "-".join(k))
@pytest.mark.parametrize("k", range(6), ids=PARAMS)
def test_weight_and_bias_gradients_three_ways(three_ways, key, k):
    reference, exact, numeric = (source[k] for source in three_ways[key])
    assert close(reference, exact), gradcheck.rel_error(reference, exact)
    assert close(reference, numeric), gradcheck.rel_error(reference, numeric)
    assert close(exact, numeric), gradcheck.rel_error(exact, numeric)


def test_column_convention_gradients_are_the_transposes():
    row = grads().dW + grads().db
    column_grads = grads(convention="column", Ws=[np.ascontiguousarray(W.T) for W in L.Ws])
    column = column_grads.dW + column_grads.db
    for k in range(3):
        assert close(column[k], row[k].T, 1e-14)
    for k in range(3, 6):
        assert close(column[k], row[k], 1e-14)


# sympy and central differences on the whole network once more (seconds): make test-slow; make test
# checks these gradients three ways in tests/test_reference.py::test_lesson_networks_three_ways_to_1e_9
@pytest.mark.slow
def test_updated_weights_and_biases_agree_from_all_three_sources(three_ways):
    new_Ws, new_bs = nets.sgd_step(L.Ws, L.bs, grads(), rate)
    for source in three_ways["cross_entropy", "row"]:
        params = [W - rate * dW for W, dW in zip(L.Ws, source[:3])] + [b - rate * db for b, db in zip(L.bs, source[3:])]
        for ours, theirs in zip(params, new_Ws + new_bs):
            assert close(ours, theirs)
    assert nets.loss_of(new_Ws, new_bs, x, y, L.activations, L.loss) < nets.loss_of(L.Ws, L.bs, x, y, L.activations, L.loss)


def test_updated_weights_to_nine_decimals():
    """The 9-decimal values the notebook prints, recomputed from the hand formulas of sections 5–8."""
    f = fw()
    d3 = f.out - y
    d2 = (d3 @ W3.T) * f.a[2] * (1 - f.a[2])
    d1 = (d2 @ W2.T) * (f.z[0] > 0)
    hand = [W1 - rate * np.outer(x, d1), W2 - rate * np.outer(f.a[1], d2), W3 - rate * np.outer(f.a[2], d3),
            b1 - rate * d1, b2 - rate * d2, b3 - rate * d3]
    new_Ws, new_bs = nets.sgd_step(L.Ws, L.bs, grads(), rate)
    for ours, theirs in zip(hand, new_Ws + new_bs):
        assert np.array_equal(np.round(ours, 9), np.round(theirs, 9))


# Intermediate gradients (∂E/∂p, the softmax Jacobian, ∂E/∂a2, ∂E/∂a1, σ′): sympy on the sub-network
# that follows the quantity, and central differences of the reference loss as a function of it.

def _tail_loss(start, loss="cross_entropy"):
    """E as a function of a2 (start=2), a1 (start=1) or p (start=3), through the layers after it."""
    def E(v):
        a = np.asarray(v, dtype=float)
        for W, b, name in list(zip(L.Ws, L.bs, L.activations))[start:]:
            a = nets.ACTIVATIONS[name][0](a @ W + b)
        return nets.LOSSES[loss](a, y)
    return E


def _tail_sympy(start, at, loss="cross_entropy"):
    return np.array(_tail_sympy_gradient(start, loss)(*map(float, at)))


@functools.lru_cache(maxsize=None)
def _tail_sympy_gradient(start, loss):
    """sympy's exact ∂E/∂v of the sub-network after layer `start`, as a function (built once per pair:
    building it is the slow part, and several tests need the same one)."""
    v = sp.Matrix(sp.symbols("v1:4", real=True))
    a = list(v)
    for W, b, name in list(zip(L.Ws, L.bs, L.activations))[start:]:
        W_s = sp.Matrix(W.tolist()).applyfunc(lambda w: sp.Rational(str(w)))
        zs = [sum(a[i] * W_s[i, j] for i in range(3)) + sp.Rational(str(b[j])) for j in range(3)]
        a = symbolic.softmax(zs) if name == "softmax" else [
            {"relu": symbolic.relu, "sigmoid": symbolic.sigmoid}[name](z) for z in zs]
    t = [sp.Rational(str(u)) for u in y]
    E = -sum(ti * sp.log(ai) for ai, ti in zip(a, t) if ti != 0) if loss == "cross_entropy" else \
        -sum(ti * sp.log(ai) + (1 - ti) * sp.log(1 - ai) for ai, ti in zip(a, t))
    return sp.lambdify(list(v), [sp.diff(E, s) for s in v], modules="math", cse=True)


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
def test_dE_dp_three_ways(loss):
    p = fw().out
    hand = -y / p if loss == "cross_entropy" else -(y / p - (1 - y) / (1 - p))
    exact = _tail_sympy(3, p, loss)
    numeric = gradcheck.numerical_gradient(_tail_loss(3, loss), p)
    assert close(hand, exact)
    # cross-entropy's ∂E/∂p2 and ∂E/∂p3 are exactly 0; the stencil leaves rounding of about 1e-12 there
    assert np.allclose(numeric, hand, rtol=TOL, atol=1e-10)


def test_softmax_jacobian_three_ways():
    z3 = fw().z[2]
    reference = nets.softmax_jacobian(z3)
    p = nets.softmax(z3)
    hand = np.diag(p) - np.outer(p, p)
    z_s = sp.Matrix(sp.symbols("z1:4", real=True))
    jacobian = sp.Matrix(symbolic.softmax(list(z_s))).jacobian(z_s)
    J = sp.lambdify(list(z_s), jacobian.tolist(), modules="math", cse=True)
    exact = np.array(J(*z3), dtype=float)
    numeric = np.stack([gradcheck.numerical_gradient(lambda z, i=i: float(nets.softmax(z)[i]), z3) for i in range(3)])
    for other in (hand, exact, numeric):
        assert close(reference, other)


def test_softmax_jacobian_with_cross_entropy_collapses_to_p_minus_y():
    f = fw()
    J = nets.softmax_jacobian(f.z[2])
    assert close(J.T @ (-y / f.out), f.out - y)
    # the seed's two recipes (binary cross-entropy through the diagonal only) cancel into p − y as well
    bce = -(y / f.out - (1 - y) / (1 - f.out))
    assert close(np.diag(J) * bce, f.out - y)
    assert close(J.T @ bce, grads("binary_cross_entropy").delta[2])


@pytest.mark.parametrize("loss", ["cross_entropy", "binary_cross_entropy"])
@pytest.mark.parametrize("start", [1, 2], ids=["dE_da1", "dE_da2"])
def test_gradients_with_respect_to_hidden_outputs_three_ways(start, loss):
    f, g = fw(), grads(loss)
    reference = g.delta[start] @ L.Ws[start].T          # δ of the next layer carried back through its W
    exact = _tail_sympy(start, f.a[start], loss)
    numeric = gradcheck.numerical_gradient(_tail_loss(start, loss), f.a[start])
    assert close(reference, exact), gradcheck.rel_error(reference, exact)
    assert close(reference, numeric), gradcheck.rel_error(reference, numeric)


def test_sigmoid_and_relu_derivatives_three_ways():
    z1, z2 = fw().z[:2]
    s = sp.Symbol("s", real=True)
    dsig = sp.lambdify(s, sp.diff(symbolic.sigmoid(s), s), modules="math")
    dsig_numeric = [gradcheck.numerical_gradient(lambda t: float(nets.sigmoid(t)), v) for v in z2]
    assert close(nets.sigmoid_prime(z2), [dsig(v) for v in z2])
    assert close(nets.sigmoid_prime(z2), dsig_numeric)
    assert close(nets.sigmoid_prime(z2), fw().a[2] * (1 - fw().a[2]))
    drelu = sp.lambdify(s, sp.diff(symbolic.relu(s), s), modules="math")
    assert close(nets.relu_prime(z1), [drelu(v) for v in z1])
    assert nets.relu_prime(np.array([0.0]))[0] == 0.0          # the course's convention at the kink


def test_deltas_are_the_bias_gradients(three_ways):
    g = grads()
    exact = three_ways["cross_entropy", "row"][1][3:]
    for delta, db in zip(g.delta, exact):
        assert close(delta, db)


# --- the facts the notebook's prose and errata rest on ---------------------------------------


def test_the_seeds_forward_slips():
    f = fw()
    assert np.allclose(f.z[0], [1.35, 1.27, 1.8]) and np.allclose(f.z[1], [2.731, 2.76, 4.004])
    rounded = np.array([0.938, 0.94, 0.98])                      # the seed's h2_out
    assert np.allclose(rounded @ W3 + b3, [1.8658, 2.2292, 2.8204])
    assert np.allclose(nets.softmax(rounded @ W3 + b3), [0.19858, 0.28559, 0.51583], atol=5e-6)
    assert np.allclose(rounded * (1 - rounded), [0.058156, 0.0564, 0.0196])   # its σ′
    assert not np.allclose(nets.sigmoid_prime(f.z[1]), rounded * (1 - rounded), rtol=0.05)


def test_the_claims_of_the_prose():
    f, g = fw(), grads()
    p = f.out
    # section 5: the diagonal-only step achieves about two thirds of the decrease
    E = nets.cross_entropy(p, y)
    def decrease(d):
        return E - nets.cross_entropy(nets.softmax(f.a[2] @ (W3 - rate * np.outer(f.a[2], d)) + b3 - rate * d), y)
    share = decrease(-y * (1 - p)) / decrease(p - y)
    assert 0.55 < share < 0.75
    # section 8: the diagonal term is from most of the sum to about a tenth of it
    shares = g.delta[1] * np.diag(W2) / (g.delta[1] @ W2.T)
    assert shares.max() > 0.5 and 0.05 < shares.min() < 0.15
    # sections 8 and 10: ∇W1 about a hundred times smaller than ∇W3; all its entries positive
    assert 50 < np.linalg.norm(g.dW[2]) / np.linalg.norm(g.dW[0]) < 200
    assert np.all(g.dW[0] > 0)
    # section 7: σ′(z2,3) below 0.02, and at most 0.06
    assert nets.sigmoid_prime(f.z[1])[2] < 0.02 and nets.sigmoid_prime(f.z[1]).max() < 0.06


# --- hints and mistakes traced upstream ------------------------------------------------------


# (two different hints per exercise, none showing the answer's numbers: tests/test_hints.py, for every exercise)


@pytest.fixture
def fresh_memory(monkeypatch):
    """The checker's memory of earlier answers, empty for this test and restored after it."""
    from helpers import checking
    monkeypatch.setattr(checking, "_LAST", {})
    return checking


def _wrong_like(value):
    """A wrong answer that is no simple multiple, sign flip or transpose of the right one."""
    value = np.asarray(value, dtype=float)
    return value + 0.05 * np.arange(1, value.size + 1).reshape(value.shape)


@pytest.mark.parametrize("exercise_id", [i for i in IDS if exercises.get(i).upstream])
def test_the_right_method_on_a_wrong_upstream_answer_points_upstream(exercise_id, fresh_memory, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "p.json"))
    exercise = exercises.get(exercise_id)
    first = exercise.upstream[0]
    wrong = _wrong_like(exercises.expected(first))
    assert not check(first, wrong)                       # the learner's wrong upstream answer
    inputs = [wrong] + [exercises.expected(i) for i in exercise.upstream[1:]]
    theirs = exercise.from_upstream(*inputs)
    assert not np.allclose(theirs, exercise.expected())
    feedback = check(exercise_id, theirs)
    assert feedback.diagnosis == f"upstream:{first}", str(feedback)
    assert f"exercise {first}" in feedback.message
    # with the upstream answer right, the same method gives the reference
    assert check(first, exercises.expected(first))
    assert check(exercise_id, exercise.from_upstream(*[exercises.expected(i) for i in exercise.upstream]))


# --- the errata: every row's correct value recomputed -----------------------------------------

import json
import re
from pathlib import Path

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "04_three_layer_network.ipynb"


def _errata_rows():
    """{row id: (seed cell, correct value, why)} from the errata's tables (three columns: #, the seed
    with its line numbers, "correct, and why" with the why after "<br>→ ")."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    errata = text[text.index("## Errata"):text.index("## Summary")]
    rows = {}
    for line in errata.splitlines():
        cols = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cols) == 3 and re.fullmatch(r"[A-E]\d+", cols[0]):
            assert cols[0] not in rows, cols[0]
            correct, why = cols[2].split("<br>→ ")          # "correct, and why": the why after an arrow
            rows[cols[0]] = (cols[1], correct, why)
    return errata, rows


def _decimals_in(cell):
    return re.findall(r"-?\d+\.\d+", cell.replace("−", "-"))


def _expected_correct_values():
    """The numbers each row's "correct" cell must hold, in order, recomputed here."""
    f, g = fw(), grads()
    p, (z1, z2, z3) = f.out, f.z
    J = nets.softmax_jacobian(z3)
    new_Ws, new_bs = nets.sgd_step(L.Ws, L.bs, g, rate)
    seed_dE_dO, seed_soft = np.array([-3.70644, -1.4755, -1.6886]), np.array([0.15911, 0.2040, 0.3685])
    h2_seed = np.array([0.938, 0.94, 0.98])
    terms = seed_dE_dO * seed_soft * W3                       # the seed's terms of ∂E/∂h2_out, own factors
    dh2_seed, sp_seed = np.array([-0.8903, -0.74218, -1.0810]), np.array([0.058156, 0.0564, 0.0196])
    dW3_seed = np.array([[-0.5531, -0.0576, -0.5836], [-0.554347, -0.0577, -0.5849], [-0.577937, -0.06017, -0.6098]])
    dW2_seed = np.array([[-0.06989, -0.0565, -0.0286], [-0.06575, -0.05316, -0.0269], [-0.0932, -0.0753, -0.03813]])
    own_W3 = W3 - rate * dW3_seed
    own_W2 = W2 - rate * dW2_seed
    return {
        "A3": z2, "A4": f.a[2], "A6": z3, "A7": p,
        "B1": [nets.cross_entropy(p, y)],
        "B5": np.concatenate([-y / p, -(y / p - (1 - y) / (1 - p))]),
        "B7": np.diag(J),
        "C3": [seed_dE_dO[1], seed_soft[1], g.delta[2][1]],
        "C4": [-1.6886 * 0.3685 * h2_seed[0], -0.301 * 0.204 * h2_seed[2]],
        "C5": g.dW[2],
        "C7": [own_W3[1, 0], own_W3[1, 2], own_W3[2, 0], own_W3[2, 2]],
        "C8": new_Ws[2],
        "D2": nets.sigmoid_prime(z2),
        "D7": np.concatenate([terms[:, 1], terms[:, 2]]),
        "D8": [terms[0, 0], terms[2, 0]],
        "D9": [-0.2948, -0.119, -0.667, -0.2948 - 0.119 - 0.667],
        "D10": g.delta[2] @ W3.T,
        "D11": np.outer([1.35, 1.27, 1.8], dh2_seed * sp_seed)[[0, 1, 2], [0, 0, 2]],
        "D12": g.dW[1],
        "D13": [own_W2[2, 2]],
        "D14": new_Ws[1],
        "E4": g.delta[1] @ W2.T,
        "E5": (dh2_seed * sp_seed * np.diag(W2))[[0, 2]],
        "E6": g.dW[0],
        "E7": [-0.01035 * 0.7],            # its own ∂E/∂h1_out1 times x3
        "E8": new_Ws[0],
        "E9": np.concatenate(new_bs),
    }


def test_errata_rows_are_numbered_and_counted_as_the_notebook_says():
    errata, rows = _errata_rows()
    for letter in "ABCDE":
        numbers = [int(k[1:]) for k in rows if k[0] == letter]
        assert numbers == list(range(1, len(numbers) + 1)), letter
    count = len(rows)
    n_inherited = sum("*inherited*" in why for _, _, why in rows.values())
    text = errata.replace("**", "").replace("\n", " ")
    assert f"mistake that audit found: {count}," in text          # the claim of completeness counts them
    assert f"{count - n_inherited} are slips of their own; {n_inherited} (marked *inherited*)" in text
    assert (count, n_inherited) == (45, 9)


def test_every_number_in_the_correct_column_is_recomputed():
    _, rows = _errata_rows()
    expected = _expected_correct_values()
    with_numbers = {k for k, (_, correct, _) in rows.items() if _decimals_in(correct)}
    assert with_numbers == set(expected), sorted(with_numbers ^ set(expected))
    for key, values in expected.items():
        shown = _decimals_in(rows[key][1])
        values = np.ravel(np.asarray(values, dtype=float))
        assert len(shown) == len(values), (key, shown)
        for text, value in zip(shown, values):
            decimals = len(text.split(".")[1])
            assert abs(float(text) - value) <= 0.5 * 10 ** -decimals + 1e-12, (key, text, value)


def test_the_seeds_quoted_numbers_are_the_seeds():
    """The seed column quotes the numbers the notebook's seed dictionary holds (quoted once, in
    section 1), so the errata and the comparisons in the text cannot drift apart."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    quoted = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "code" and "seed = {" in "".join(c["source"]))
    _, rows = _errata_rows()
    for key in ("A3", "A4", "A6", "A7", "B5", "B7", "C5", "C8", "D2", "D10", "D12", "D14", "E6", "E8"):
        for number in _decimals_in(rows[key][0]):
            assert number.lstrip("-") in quoted, (key, number)


def test_the_softmax_factor_applied_twice():
    """Errata C3: the seed's −0.301 is its own ∂E/∂O_out2 times its own softmax factor 0.204."""
    assert round(-1.4755 * 0.204, 3) == -0.301
    J = nets.softmax_jacobian(fw().z[2])
    off = J[~np.eye(3, dtype=bool)]
    assert round(off.min(), 3) == -0.147 and round(np.diag(J).min(), 3) == 0.159      # section 5's prose
    assert np.allclose(J.sum(axis=0), 0, atol=1e-15)


# --- section 5's worked case with two outputs, and section 8's picture of the paths back -------


Z_TWO = np.array([0.0, np.log(3.0)])   # p = (1/4, 3/4)


def test_the_two_output_softmax_jacobian_three_ways():
    """Section 5 works J out by hand at z = (0, ln 3): 16 J = [[3, −3], [−3, 3]]."""
    by_hand = np.array([[3, -3], [-3, 3]]) / 16
    reference = nets.softmax_jacobian(Z_TWO)
    z = sp.symbols("z1:3", real=True)
    exact = sp.Matrix(symbolic.softmax(list(z))).jacobian(sp.Matrix(z)).subs({z[0]: 0, z[1]: sp.log(3)})
    assert sp.simplify(exact - sp.Matrix([[3, -3], [-3, 3]]) / 16) == sp.zeros(2, 2)
    numeric = np.stack([gradcheck.numerical_gradient(lambda v, i=i: float(nets.softmax(v)[i]), Z_TWO) for i in range(2)])
    assert np.allclose(nets.softmax(Z_TWO), [0.25, 0.75], rtol=0, atol=1e-15)
    for other in (by_hand, np.array(exact, dtype=float), numeric):
        assert close(reference, other)
    assert np.array_equal(np.round(16 * reference, 9), [[3, -3], [-3, 3]])     # what the cell prints


def test_the_two_output_collapse_three_ways():
    """(∂E/∂p) J = (−4, 0) J = (−3/4, 3/4) = p − t at z = (0, ln 3), t = (1, 0)."""
    t2 = np.array([1.0, 0.0])
    p = nets.softmax(Z_TWO)
    dE_dp = -t2 / p
    assert np.allclose(dE_dp, [-4, 0], rtol=0, atol=1e-14)
    reference = dE_dp @ nets.softmax_jacobian(Z_TWO)
    z = sp.symbols("z1:3", real=True)
    E = -sp.log(symbolic.softmax(list(z))[0])
    exact = [sp.nsimplify(sp.simplify(sp.diff(E, s).subs({z[0]: 0, z[1]: sp.log(3)}))) for s in z]
    assert exact == [sp.Rational(-3, 4), sp.Rational(3, 4)]
    numeric = gradcheck.numerical_gradient(lambda v: float(-np.log(nets.softmax(v)[0])), Z_TWO)
    for other in (p - t2, np.array(exact, dtype=float), numeric):
        assert close(reference, other)


def test_the_numbers_of_the_paths_back_picture():
    """Section 8's picture: ∂E/∂a(1)_3 = Σ_k δ2_k W2[3, k] = 0.01540 + 0.00140 + 0.00170 = 0.01850 (the
    sum checked three ways), eleven times the seed's one term, and the path through W2[3, 1] nine times it."""
    g = grads()
    terms = g.delta[1] * W2[2]
    assert [f"{v:.5f}" for v in g.delta[1]] == ["0.02567", "0.00350", "0.00213"]
    assert [f"{v:.5f}" for v in terms] == ["0.01540", "0.00140", "0.00170"] and f"{terms.sum():.5f}" == "0.01850"
    exact = _tail_sympy(1, fw().a[1])[2]
    numeric = gradcheck.numerical_gradient(_tail_loss(1), fw().a[1])[2]
    assert close(terms.sum(), exact) and close(terms.sum(), numeric)
    assert round(terms.sum() / terms[2]) == 11 and round(terms[0] / terms[2]) == 9
    assert g.delta[1].argmax() == 0          # "unit 1 of layer 2 has by far the largest δ2"
