"""Notebook 03, the 2-2-2 sigmoid network of seed 001: its exercises, and every gradient it states
(δ's, ∇W, ∇b, the shared biases, the updated weights, the trained network) checked three ways:
helpers.nets (the matrix formulas), sympy's exact derivative, and central differences."""

from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, lessons, nets, symbolic
from helpers.exercises import nb03

L = lessons.two_layer()
x, target, rate = L.x, L.target, L.rate
W1, W2 = L.Ws
b1, b2 = L.bs
ACT, LOSS, CONV = L.activations, L.loss, "column"
IDS = [i for i in exercises.ids() if i.startswith("3.")]
TOL = 1e-9


def forward(Ws=None, bs=None):
    return nets.forward(Ws or L.Ws, bs or L.bs, x, ACT, convention=CONV)


def backward(Ws=None, bs=None):
    return nets.backward(Ws or L.Ws, bs or L.bs, x, target, ACT, LOSS, convention=CONV)


def close(a, b, tol=TOL):
    return gradcheck.rel_error(a, b) < tol


# --- the exercises --------------------------------------------------------------------------


def test_notebook_03_has_twelve_exercises_in_order():
    assert IDS == [f"3.{k}" for k in range(1, 13)]


@pytest.mark.parametrize("exercise_id", IDS)
def test_answers_typed_from_the_nine_decimals_the_notebook_prints_pass(exercise_id):
    typed = np.round(np.asarray(exercises.expected(exercise_id), dtype=float), 9)
    assert check(exercise_id, typed.tolist())


def diagnosis(exercise_id, answer):
    return check(exercise_id, answer).diagnosis


def test_seed_001s_printed_slips_are_named():
    assert diagnosis("3.2", [0.59326992, 0.596884378]) == "mistake:seed 001's out_H"
    assert diagnosis("3.2", [0.593269992, 0.5968884378]) == "mistake:seed 001's out_H as copied into layer 2"
    assert diagnosis("3.5", 0.274811083) == "mistake:seed 001's E_total: the first output only"
    assert diagnosis("3.11", backward().delta[1]) == "mistake:one bias per unit"


def test_the_usual_backward_slips_are_named():
    fw = forward()
    a1, a2 = fw.a[1], fw.a[2]
    d2 = (a2 - target) * a2 * (1 - a2)
    d2_at_output = (a2 - target) * nets.sigmoid_prime(a2)       # σ′(out) = σ(out)(1 − σ(out))
    assert diagnosis("3.6", d2_at_output) == "mistake:σ′ taken at the output"
    assert diagnosis("3.6", a2 - target) == "mistake:σ′ forgotten"
    assert diagnosis("3.7", np.outer(a1, d2)) == "mistake:the outer product in the wrong order"
    assert diagnosis("3.8", (W2 @ d2) * a1 * (1 - a1)) == "mistake:W2 instead of W2ᵀ"
    assert diagnosis("3.8", (W2.T @ d2) * nets.sigmoid_prime(a1)) == "mistake:σ′ taken at the output"
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    assert diagnosis("3.9", np.outer(x, d1)) == "mistake:the outer product in the wrong order"
    assert diagnosis("3.9", np.outer((W2 @ d2) * a1 * (1 - a1), x)) == "mistake:W2 instead of W2ᵀ"
    W2_new = W2 - rate * np.outer(d2, a1)
    W1_late = W1 - rate * np.outer((W2_new.T @ d2) * a1 * (1 - a1), x)
    assert diagnosis("3.12", W1_late) == "mistake:δ1 from the already-updated W2"


@pytest.mark.parametrize("exercise_id,answer,expected", [
    ("3.1", [0.3775, 0.3925, 0.0], "shape"),
    ("3.1", W1 @ x, "mistake:the bias left out"),
    ("3.2", [0.5933, 0.5969], "rounded"),
    ("3.3", -(W2 @ forward().a[1] + b2), "sign"),
    ("3.5", "0.298371109", "invalid"),
    ("3.5", [0.298371109], "shape"),
    ("3.7", np.outer(backward().delta[1], forward().a[1]).T.tolist(), "mistake:the outer product in the wrong order"),
    ("3.9", 2 * backward().dW[0], "factor"),
    ("3.10", np.float32(1.0) * backward().delta[0], "correct"),
])
def test_typical_answers_get_the_right_diagnosis(exercise_id, answer, expected):
    assert diagnosis(exercise_id, answer) == expected


def test_expected_values_are_the_reference_computations():
    fw, gr = forward(), backward()
    assert np.array_equal(exercises.expected("3.1"), fw.z[0])
    assert np.array_equal(exercises.expected("3.4"), fw.out)
    assert exercises.expected("3.5") == nets.loss_of(L.Ws, L.bs, x, target, ACT, LOSS, CONV)
    assert np.array_equal(exercises.expected("3.7"), gr.dW[1])
    assert np.array_equal(exercises.expected("3.9"), gr.dW[0])
    assert np.array_equal(exercises.expected("3.12"), nets.sgd_step(L.Ws, L.bs, gr, rate)[0][0])


# --- every number the notebook prints, recomputed exactly -----------------------------------------


def test_the_printed_forward_numbers_at_thirty_digits():
    """sympy at 30 digits, independent of numpy: the nine decimals the notebook prints, and seed 001's slips."""
    E_sym, Ws, bs = symbolic.network_loss([W1.shape, W2.shape], x, target, ACT, LOSS, CONV)
    values = {s: sp.Rational(str(v)) for M, V in zip(Ws + bs, [W1, W2, b1, b2]) for s, v in zip(M, np.ravel(V))}
    xs = [sp.Rational(str(v)) for v in x]
    z1 = [sum(values[Ws[0][j, k]] * xs[k] for k in range(2)) + values[bs[0][j]] for j in range(2)]
    a1 = [symbolic.sigmoid(v) for v in z1]
    z2 = [sum(values[Ws[1][j, k]] * a1[k] for k in range(2)) + values[bs[1][j]] for j in range(2)]
    a2 = [symbolic.sigmoid(v) for v in z2]
    fmt = lambda vs: [f"{float(sp.N(v, 30)):.9f}" for v in vs]
    assert fmt(z1) == ["0.377500000", "0.392500000"]
    assert fmt(a1) == ["0.593269992", "0.596884378"]
    assert fmt(z2) == ["1.105905967", "1.224921404"]
    assert fmt(a2) == ["0.751365070", "0.772928465"]
    assert fmt([E_sym.xreplace(values)]) == ["0.298371109"]
    first_only = sp.Rational(1, 2) * (a2[0] - sp.Rational("0.01")) ** 2
    assert fmt([first_only]) == ["0.274811083"]                      # what seed 001 calls E_total


# --- every gradient, three ways --------------------------------------------------------------------


@pytest.fixture(scope="module")
def three_ways():
    ours = backward()
    exact = symbolic.network_gradients(L.Ws, L.bs, x, target, ACT, LOSS, CONV)
    numeric = gradcheck.network_numerical_gradients(L.Ws, L.bs, x, target, ACT, LOSS, CONV)
    return ours, exact, numeric


@pytest.mark.parametrize("key,layer", [("dW", 0), ("dW", 1), ("db", 0), ("db", 1)])
def test_weight_and_bias_gradients_three_ways(three_ways, key, layer):
    ours, (sym_dW, sym_db), (num_dW, num_db) = three_ways
    value = getattr(ours, key)[layer]
    exact = (sym_dW if key == "dW" else sym_db)[layer]
    numeric = (num_dW if key == "dW" else num_db)[layer]
    assert value.shape == exact.shape == numeric.shape
    assert close(value, exact) and close(value, numeric)


def test_deltas_are_the_bias_gradients_three_ways(three_ways):
    ours, (_, sym_db), (_, num_db) = three_ways
    for layer in range(2):
        assert close(ours.delta[layer], sym_db[layer]) and close(ours.delta[layer], num_db[layer])


def test_the_matrix_formulas_of_the_notebook_three_ways(three_ways):
    """δ2 = (a2 − t) ⊙ a2(1 − a2), ∇W2 = δ2 a1ᵀ, δ1 = (W2ᵀ δ2) ⊙ a1(1 − a1), ∇W1 = δ1 xᵀ, written out."""
    _, (sym_dW, sym_db), (num_dW, num_db) = three_ways
    fw = forward()
    a1, a2 = fw.a[1], fw.a[2]
    d2 = (a2 - target) * a2 * (1 - a2)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    for formula, exact, numeric in [(d2, sym_db[1], num_db[1]), (np.outer(d2, a1), sym_dW[1], num_dW[1]),
                                    (d1, sym_db[0], num_db[0]), (np.outer(d1, x), sym_dW[0], num_dW[0])]:
        assert close(formula, exact) and close(formula, numeric)


def test_per_weight_loops_equal_the_matrix_form():
    fw, gr = forward(), backward()
    a1, a2 = fw.a[1], fw.a[2]
    loops2 = np.array([[a1[k] * a2[j] * (1 - a2[j]) * (a2[j] - target[j]) for k in range(2)] for j in range(2)])
    paths = [sum(W2[j, k] * a2[j] * (1 - a2[j]) * (a2[j] - target[j]) for j in range(2)) for k in range(2)]
    loops1 = np.array([[x[i] * a1[k] * (1 - a1[k]) * paths[k] for i in range(2)] for k in range(2)])
    assert np.allclose(loops2, gr.dW[1], rtol=1e-14, atol=0) and np.allclose(loops1, gr.dW[0], rtol=1e-14, atol=0)


@pytest.mark.parametrize("layer", [0, 1])
def test_shared_scalar_bias_gradient_three_ways(layer):
    """Seed 001's one bias per layer: ∂E/∂b = Σ_j δ_j, against sympy and central differences."""
    E_sym, Ws, bs = symbolic.network_loss([W1.shape, W2.shape], x, target, ACT, LOSS, CONV)
    shared = sp.Symbol("b", real=True)
    E_shared = E_sym.xreplace({bs[layer][0]: shared, bs[layer][1]: shared})
    values = {s: sp.Float(v, 30) for M, V in zip(Ws + bs, [W1, W2, b1, b2]) for s, v in zip(M, np.ravel(V))}
    values[shared] = sp.Float(L.bs[layer][0], 30)
    exact = float(sp.diff(E_shared, shared).xreplace(values))

    def E_of(b):
        bs_now = [b1, b2]
        bs_now[layer] = np.array([b, b])
        return nets.loss_of(L.Ws, bs_now, x, target, ACT, LOSS, CONV)

    numeric = gradcheck.numerical_gradient(E_of, float(L.bs[layer][0]))
    ours = float(backward().delta[layer].sum())
    assert close(ours, exact) and close(ours, numeric)
    assert close(exercises.expected("3.11"), backward().delta[1].sum())


def test_updated_weights_and_biases_three_ways(three_ways):
    ours, (sym_dW, sym_db), (num_dW, num_db) = three_ways
    new_W, new_b = nets.sgd_step(L.Ws, L.bs, ours, rate)
    for layer in range(2):
        for grads_W, grads_b in [(sym_dW, sym_db), (num_dW, num_db)]:
            assert close(new_W[layer], L.Ws[layer] - rate * grads_W[layer])
            assert close(new_b[layer], L.bs[layer] - rate * grads_b[layer])


def test_the_eight_updated_weights_to_nine_decimals():
    new_W, _ = nets.sgd_step(L.Ws, L.bs, backward(), rate)
    printed = [f"{w:.9f}" for W in new_W for w in np.ravel(W)]
    assert printed == ["0.149780716", "0.199561432", "0.249751144", "0.299502287",
                       "0.358916480", "0.408666186", "0.511301270", "0.561370121"]


@pytest.fixture(scope="module")
def trained():
    """10,000 steps with the matrix formulas, and the same 10,000 steps with sympy's exact gradients."""
    E_sym, Ws_sym, bs_sym = symbolic.network_loss([W1.shape, W2.shape], x, target, ACT, LOSS, CONV)
    params = [s for M in Ws_sym + bs_sym for s in M]
    grad = sp.lambdify(params, [sp.diff(E_sym, s) for s in params], modules="math", cse=True)
    Ws, bs = L.Ws, L.bs
    theta = np.concatenate([np.ravel(v) for v in L.Ws + L.bs])
    errors = []
    for _ in range(10_000):
        errors.append(nets.loss_of(Ws, bs, x, target, ACT, LOSS, CONV))
        Ws, bs = nets.sgd_step(Ws, bs, backward(Ws, bs), rate)
        theta = theta - rate * np.array(grad(*theta))
    return Ws, bs, theta, errors


def test_training_with_the_matrix_formulas_and_with_sympy_ends_in_the_same_place(trained):
    Ws, bs, theta, _ = trained
    ours = np.concatenate([np.ravel(v) for v in Ws + bs])
    assert close(ours, theta)


def test_the_trained_network_gradients_three_ways(trained):
    Ws, bs, _, _ = trained
    ours = nets.backward(Ws, bs, x, target, ACT, LOSS, CONV)
    sym_dW, sym_db = symbolic.network_gradients(Ws, bs, x, target, ACT, LOSS, CONV)
    num_dW, num_db = gradcheck.network_numerical_gradients(Ws, bs, x, target, ACT, LOSS, CONV)
    for layer in range(2):
        assert close(ours.dW[layer], sym_dW[layer]) and close(ours.dW[layer], num_dW[layer])
        assert close(ours.db[layer], sym_db[layer]) and close(ours.db[layer], num_db[layer])


def test_the_trained_result_the_notebook_prints(trained):
    Ws, bs, _, errors = trained
    out = nets.forward(Ws, bs, x, ACT, convention=CONV).out
    E = nets.loss_of(Ws, bs, x, target, ACT, LOSS, CONV)
    assert [f"{o:.9f}" for o in out] == ["0.011587527", "0.988458935"]
    assert f"{E:.4e}" == "2.4476e-06"
    assert all(later < earlier for earlier, later in zip(errors, errors[1:]))   # the curve never rises
    assert errors[0] / E > 1e5                                                  # "five orders of magnitude"


def test_the_claims_of_the_prose():
    fw, gr = forward(), backward()
    assert np.all(gr.dW[1][0] > 0)                                    # first row of ∇W2 positive
    assert np.max(np.abs(gr.dW[0])) * 50 < np.max(np.abs(gr.dW[1]))   # hidden gradients far smaller
    new_W, new_b = nets.sgd_step(L.Ws, L.bs, gr, rate)
    assert np.all(np.abs(new_W[0] - W1) < 5e-4)                       # hidden weights moved < 0.0005
    assert abs(new_W[1][0, 0] - W2[0, 0] + 0.04) < 0.005              # first output's weights dropped ≈ 0.04
    z_for_001 = np.log(0.01 / 0.99)
    assert f"{z_for_001:.3f}" == "-4.595" and abs(nets.sigmoid(z_for_001) - 0.01) < 1e-15


# --- the errata of seed 001's body: every row's "correct" entry, recomputed ------------------------

from test_nb01 import decimals_in, errata_rows, assert_numbers, table_is_narrow  # noqa: E402

NOTEBOOK_03 = Path(__file__).resolve().parent.parent / "notebooks" / "03_two_layer_network.ipynb"


def _sum_of_scaled_units_is_diag():
    v = sp.Matrix(sp.symbols("v1 v2"))
    units = [sp.zeros(2, 2) for _ in range(2)]
    for i in range(2):
        units[i][i, i] = 1
    return sum(((sp.eye(2)[:, i].T * v)[0] * units[i] for i in range(2)), sp.zeros(2, 2)) == sp.diag(*v)


def _errata_03():
    fw, g = forward(), backward()
    z1, z2, a1, a2 = fw.z[0], fw.z[1], fw.a[1], fw.a[2]
    E = nets.half_squared_error(a2, target)
    return {
        1: ("numbers", [b1[0], b2[0]]),
        2: ("numbers", list(x)),
        3: ("numbers", list(z1)),
        4: ("numbers", [a1[0]]),
        5: ("numbers", [a1[1]]),
        6: ("numbers", list(z2)),
        7: ("text", "names"),
        8: ("text", "names"),
        9: ("numbers", [E]),
        10: ("numbers", [g.delta[1].sum()]),
        11: ("formula", bool(np.all(nets.sigmoid_prime(z2) > 0))),
        12: ("numbers", list(a2 * (1 - a2))),
        13: ("formula", _sum_of_scaled_units_is_diag()),
        14: ("formula", np.allclose(np.outer(g.delta[1], a1), g.dW[1], rtol=1e-15, atol=0)),
        15: ("numbers", [g.dW[1][0, 0]]),
    }


def test_errata_03_every_row_recomputed():
    rows, text = errata_rows(NOTEBOOK_03, "## 8. Errata")
    expected = _errata_03()
    assert sorted(rows) == sorted(expected) == list(range(1, len(rows) + 1))
    for number, (kind, value) in expected.items():
        correct = rows[number][2]
        if kind == "numbers":
            assert_numbers(correct, value)
        else:
            assert not decimals_in(correct), f"row {number} has numbers: check them"
            if kind == "formula":
                assert value, f"row {number}"
    table_is_narrow(text)
    # what the seed writes in rows 9 and 4-5 is what the table says it is
    a2 = forward().a[2]
    assert f"{0.5 * (a2[0] - target[0]) ** 2:.9f}" == "0.274811083" and "0.274811083" in rows[9][1]


def test_the_targets_are_reached_at_finite_net_inputs():
    """Cell text: a sigmoid equals 0.01 at z = −4.595 and 0.99 at +4.595; its slope there is about 0.0099."""
    z = np.log(0.01 / 0.99)
    assert f"{z:.3f}" == "-4.595" and nets.sigmoid(z) == pytest.approx(0.01, abs=1e-15)
    assert f"{0.01 * 0.99:.4f}" == "0.0099"



# --- what section 3 and 5 add: the sizes of the gradients, the cost of a backward pass, the names ----

import json  # noqa: E402


def _count(sizes):
    """Multiplications by a weight, walking the passes layer by layer: W a forward; δ aᵀ for every
    layer and Wᵀ δ for every layer but the first, backward."""
    Ws = [np.zeros((n_out, n_in)) for n_in, n_out in zip(sizes, sizes[1:])]
    forward = sum(W.shape[0] * W.shape[1] for W in Ws)                       # W @ a: a row of W per output
    backward = 0
    for layer in reversed(range(len(Ws))):
        delta, a = np.zeros(Ws[layer].shape[0]), np.zeros(Ws[layer].shape[1])
        backward += delta.size * a.size                                      # np.outer(delta, a)
        if layer > 0:
            backward += Ws[layer].T.shape[0] * Ws[layer].T.shape[1]           # W.T @ delta
    return forward, backward


def test_the_cost_of_a_backward_pass_as_the_notebook_prints_it():
    expected = {(2, 2, 2): (8, 12, "1.50"), (784, 100, 100, 10): (89_400, 100_400, "1.12"),
                tuple([100] * 11): (100_000, 190_000, "1.90")}
    for sizes, (f, b, ratio) in expected.items():
        assert _count(sizes)[:2] == (f, b) and f"{b / f:.2f}" == ratio
        assert 1 <= b / f < 2                                                 # "at most twice"
    text = NOTEBOOK_03.read_text(encoding="utf-8")
    assert "190,000, 1.90 times" in text and "100,400, 1.12 times" in text and "12, 1.50 times" in text


def test_the_hidden_gradients_are_about_eighty_times_smaller_for_the_two_reasons_given():
    fw, gr = forward(), backward()
    ratio = np.linalg.norm(gr.dW[1]) / np.linalg.norm(gr.dW[0])
    assert f"{ratio:.1f}" == "81.5"
    deltas = np.linalg.norm(gr.delta[1]) / np.linalg.norm(gr.delta[0])
    inputs = np.linalg.norm(fw.a[1]) / np.linalg.norm(x)
    assert 9.5 < deltas < 11.5 and 7 < inputs < 8 and ratio == pytest.approx(deltas * inputs, rel=1e-12)
    back = W2.T @ gr.delta[1]
    assert np.all(np.abs(back) < 0.6 * (np.abs(W2.T) @ np.abs(gr.delta[1])))   # the two errors partly cancel


SEED_NAMES = ("net_H", "out_H", "net_O", "out_O", "E_total", "delta_O", "delta_H")


def test_one_name_per_quantity_the_courses():
    """Exercise cells assign the course's names (the seed's only in a comment); no code in 01-03 names a
    gradient shaped like W as if it were the Jacobian (`dE_dW2`)."""
    import ast
    import re

    here = Path(__file__).resolve().parent.parent / "notebooks"
    for path in sorted(here.glob("0[123]_*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] != "code":
                continue
            source = "".join(cell["source"])
            names = {n.id for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Name)}
            assert not names & set(SEED_NAMES), (path.name, source[:80])
            assert not any(re.fullmatch(r"dE_d[Wb]\d.*", n) for n in names), (path.name, source[:80])
    cells = json.loads(NOTEBOOK_03.read_text(encoding="utf-8"))["cells"]
    assigned = ["".join(c["source"]).splitlines()[1].split(" = ")[0] for c in cells
                if "exercise" in c["metadata"].get("tags", [])]
    assert assigned == ["z1", "a1", "z2", "a2", "E", "delta2", "dW2", "delta1", "dW1", "db1", "db2_shared", "W1_next"]


def test_section_4s_claim_sympy_to_the_last_bits_central_differences_far_below_1e_9(three_ways):
    """§4 says the twelve partials agree "with sympy to the last bits of double precision and with
    central differences far below the 1e-9 the course asks for": relative errors of a few 1e-16, and
    of at most 1e-10."""
    ours, (sym_dW, sym_db), (num_dW, num_db) = three_ways
    ours_all = ours.dW + ours.db
    assert max(gradcheck.rel_error(a, b) for a, b in zip(ours_all, sym_dW + sym_db)) < 1e-15
    assert max(gradcheck.rel_error(a, b) for a, b in zip(ours_all, num_dW + num_db)) < 1e-10
