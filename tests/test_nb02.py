"""Notebook 02, Jacobians: its exercises (reference, known mistakes, the forms a learner hands in,
typical wrong answers) and the claims it makes, checked with sympy and central differences."""

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, lessons, plots, symbolic

IDS = [i for i in exercises.ids() if i.startswith("2.")]

# the symbols the notebook defines, built the way a learner builds them there
x1, x2 = sp.symbols("x_1 x_2", real=True)
x = sp.Matrix([x1, x2])
A = symbolic.matrix_symbols("a", 2, 2)
b = symbolic.vector_symbols("b", 2)
g = symbolic.vector_symbols("g", 2)
t = symbolic.vector_symbols("t", 2)
sigma = symbolic.sigmoid
X_NUM = lessons.two_layer().x


def diagnosis(exercise_id, answer):
    return check(exercise_id, answer).diagnosis


# --- the exercises ----------------------------------------------------------------------------


def test_notebook_02_has_ten_exercises_in_order():
    assert IDS == [f"2.{k}" for k in range(1, 11)]


def test_seed_001s_slips_are_registered_by_name():
    names = {(i, m.name) for i in IDS for m in exercises.get(i).mistakes}
    assert ("2.3", "seed 001's −Σ E_ii out e_i") in names
    assert ("2.6", "seed 001's block labels") in names
    assert ("2.7", "seed 001's block labels") in names
    assert ("2.4", "the denominator layout (Aᵀ)") in names


y_lin = A * x + b
blocks = [sp.Matrix(2, 2, lambda j, k, i=i: sp.diff(y_lin[i], A[j, k])) for i in range(2)]
z = A * x
out = z.applyfunc(sigma)
E_sym = sp.Rational(1, 2) * ((out - t).T * (out - t))[0]


@pytest.mark.parametrize("exercise_id,answer", [
    ("2.1", x.applyfunc(lambda v: 1 / v).jacobian(x)),
    ("2.1", sp.diag(-x1**-2, -x2**-2)),
    ("2.2", x.applyfunc(lambda v: sp.exp(-v)).jacobian(x)),
    ("2.3", x.applyfunc(sigma).jacobian(x)),                                   # sympy's exponential form
    ("2.3", sp.diag(*[sp.exp(-v) / (1 + sp.exp(-v)) ** 2 for v in x])),
    ("2.3", sp.diag(*[1 / (1 + sp.exp(-v)) * (1 - 1 / (1 + sp.exp(-v))) for v in x])),
    ("2.4", y_lin.jacobian(x)),
    ("2.5", y_lin.jacobian(b)),
    ("2.5", np.eye(2)),
    ("2.5", [[1, 0], [0, 1]]),
    ("2.6", sp.Matrix.vstack(*blocks)),
    ("2.6", sp.Matrix(blocks)),                                                # sympy stacks a list of matrices
    ("2.7", np.einsum("ij,k->ijk", np.eye(2), X_NUM)),
    ("2.7", [[[0.05, 0.1], [0, 0]], [[0, 0], [0.05, 0.1]]]),                  # nested lists of any depth
    ("2.8", g[0] * blocks[0] + g[1] * blocks[1]),
    ("2.8", sp.Matrix(2, 2, lambda j, k: sp.diff((g.T * y_lin)[0], A[j, k]))),
    ("2.9", out.jacobian(x)),
    ("2.10", sp.Matrix([E_sym]).jacobian(x)),
    ("2.10", (out - t).T * out.jacobian(x)),
])
def test_the_forms_a_learner_hands_in_are_accepted(exercise_id, answer):
    feedback = check(exercise_id, answer)
    assert feedback, str(feedback)


def test_symbols_are_matched_by_name_not_by_assumptions():
    plain = sp.symbols("x_1 x_2")                      # without real=True
    assert check("2.1", sp.diag(-1 / plain[0] ** 2, -1 / plain[1] ** 2))


@pytest.mark.parametrize("exercise_id,answer,expected", [
    ("2.10", sp.Matrix([E_sym]).jacobian(x).T, "shape"),          # the gradient (a column), not the row
    ("2.10", E_sym.diff(x1), "shape"),                             # one entry only
    ("2.6", sp.Matrix.hstack(*blocks), "neighbour"),               # side by side instead of stacked
    ("2.7", np.array(sp.Matrix.vstack(*blocks).subs({x1: 0.05, x2: 0.1}), dtype=float), "shape"),
    ("2.4", A.T * 2, "wrong"),
    ("2.3", -x.applyfunc(sigma).jacobian(x), "sign"),
    ("2.8", 2 * g * x.T, "factor"),
    ("2.9", sp.diag(*[sigma(v) * (1 - sigma(v)) for v in x]) * A, "slip:wrong-point"),   # σ′ at x, not at z = A x
    ("2.1", sp.diag(-1 / x1**2, -1 / sp.Symbol("y") ** 2), "invalid"),         # a symbol the exercise has not
    ("2.1", 3.0, "invalid"),                                                    # a number for an expression
    ("2.7", "T", "invalid"),
])
def test_typical_wrong_answers_get_the_right_diagnosis(exercise_id, answer, expected):
    feedback = check(exercise_id, answer)
    assert not feedback
    assert feedback.diagnosis == expected, str(feedback)


def test_a_reshaped_tensor_is_told_how_to_reshape():
    flat = np.einsum("ij,k->ijk", np.eye(2), X_NUM).reshape(4, 2)
    feedback = check("2.7", flat)
    assert feedback.diagnosis == "shape" and ".reshape(2, 2, 2)" in feedback.message


def test_expected_values_are_what_sympy_derives():
    assert exercises.expected("2.1") == x.applyfunc(lambda v: 1 / v).jacobian(x)
    assert sp.simplify(exercises.expected("2.3") - x.applyfunc(sigma).jacobian(x)).is_zero_matrix
    assert exercises.expected("2.4") == y_lin.jacobian(x)
    assert np.array_equal(exercises.expected("2.5"), np.array(y_lin.jacobian(b), dtype=float))
    assert exercises.expected("2.6") == sp.Matrix.vstack(*blocks)
    assert sp.simplify(exercises.expected("2.9") - out.jacobian(x)).is_zero_matrix
    assert sp.simplify(exercises.expected("2.10") - sp.Matrix([E_sym]).jacobian(x)).is_zero_matrix


# --- the claims of the notebook, three ways -----------------------------------------------------

rng = np.random.default_rng(2)


def test_the_3_tensor_contracts_to_the_outer_product_three_ways():
    """Σ_i g_i ∂y_i/∂A = g xᵀ: by the tensor, by sympy, by central differences of E(A) = g·(A x + b)."""
    xv, gv, Av, bv = rng.normal(size=2), rng.normal(size=2), rng.normal(size=(2, 2)), rng.normal(size=2)
    tensor = np.einsum("ij,k->ijk", np.eye(2), xv)
    contracted = np.tensordot(gv, tensor, axes=1)
    outer = np.outer(gv, xv)
    numeric = gradcheck.numerical_gradient(lambda M: gv @ (M @ xv + bv), Av)
    exact = sp.Matrix(2, 2, lambda j, k: sp.diff((g.T * y_lin)[0], A[j, k]))
    values = {**dict(zip(g, gv)), **dict(zip(x, xv))}
    exact = np.array(exact.subs(values), dtype=float)
    assert gradcheck.rel_error(contracted, outer) == 0.0
    assert gradcheck.rel_error(exact, outer) < 1e-12
    assert gradcheck.rel_error(numeric, outer) < 1e-9


def _normwise_error(a, b):
    """max |a − b| / max |b|: a relative error that tolerates the exact zeros of a Jacobian."""
    return float(np.max(np.abs(np.asarray(a) - np.asarray(b))) / np.max(np.abs(b)))


def test_exercise_2_7_tensor_matches_central_differences():
    """T[i, j, k] = ∂y_i/∂a_jk at the notebook's x, by central differences of each y_i."""
    Av, bv = rng.normal(size=(2, 2)), rng.normal(size=2)
    numeric = np.array([gradcheck.numerical_gradient(lambda M, i=i: (M @ X_NUM + bv)[i], Av) for i in range(2)])
    assert _normwise_error(numeric, exercises.expected("2.7")) < 1e-9


def _numeric_jacobian(f, at):
    return np.array([gradcheck.numerical_gradient(lambda v, i=i: f(v)[i], at) for i in range(len(f(at)))])


@pytest.mark.parametrize("exercise_id,f", [
    ("2.1", lambda v: 1 / v),
    ("2.2", lambda v: np.exp(-v)),
    ("2.3", lambda v: 1 / (1 + np.exp(-v))),
])
def test_elementwise_jacobians_against_central_differences(exercise_id, f):
    at = rng.uniform(0.5, 2.0, size=2)
    exact = np.array(exercises.expected(exercise_id).subs(dict(zip(x, at))), dtype=float)
    assert _normwise_error(_numeric_jacobian(f, at), exact) < 1e-9


def test_chain_rule_results_against_central_differences():
    Av, tv = rng.normal(size=(2, 2)), rng.uniform(size=2)
    xv = rng.normal(size=2)
    values = {**dict(zip(A, np.ravel(Av))), **dict(zip(x, xv)), **dict(zip(t, tv))}
    sig = lambda v: 1 / (1 + np.exp(-v))
    J = np.array(exercises.expected("2.9").subs(values), dtype=float)
    assert gradcheck.rel_error(_numeric_jacobian(lambda v: sig(Av @ v), xv), J) < 1e-9
    row = np.array(exercises.expected("2.10").subs(values), dtype=float)
    numeric = gradcheck.numerical_gradient(lambda v: 0.5 * np.sum((sig(Av @ v) - tv) ** 2), xv)
    assert row.shape == (1, 2) and gradcheck.rel_error(numeric, row[0]) < 1e-9


def test_the_wrong_order_is_really_different():
    """The notebook's claim: A·diag(σ′) is not diag(σ′)·A (square, so the shapes would not warn)."""
    values = {A[0, 0]: 0.4, A[0, 1]: 0.45, A[1, 0]: 0.5, A[1, 1]: 0.55, x1: 0.6, x2: 0.6}
    D = sp.diag(*[sigma(v) * (1 - sigma(v)) for v in z])
    right, wrong = (np.array((M).subs(values), dtype=float) for M in (D * A, A * D))
    assert gradcheck.rel_error(right, wrong) > 1e-3


# --- the plot helper appended for this notebook ------------------------------------------------


def test_draw_matrix_row_draws_entries_and_shapes_and_returns_the_axes():
    fig, ax = plt.subplots()
    shown = plt.show
    try:
        plt.show = lambda *a, **k: pytest.fail("a plot helper must not call plt.show()")
        returned = plots.draw_matrix_row([[["$x_1$", "0"], ["0", "$x_2$"]], (2, 3), [1.5, 0]],
                                         operators=["·", "="], captions=["a", "b", "c"], ax=ax, title="t")
    finally:
        plt.show = shown
    assert returned is ax
    texts = [text.get_text() for text in ax.texts]
    assert "$x_1$" in texts and "2×3" in texts and "1.5" in texts and "·" in texts and "c" in texts
    assert ax.get_title() == "t"
    plt.close(fig)


def test_draw_matrix_row_makes_its_own_axes():
    ax = plots.draw_matrix_row([(1, 2), (2, 4), (1, 4)], operators=["·", "="])
    assert ax.figure.get_size_inches()[0] <= 10.5
    plt.close(ax.figure)


# --- the errata of seed 001's appendix: every row's "correct" entry, recomputed with sympy --------

from test_nb01 import decimals_in, errata_rows, table_is_narrow  # noqa: E402  (the same table reader)

NOTEBOOK_02 = Path(__file__).resolve().parent.parent / "notebooks" / "02_jacobians.ipynb"
_x = symbolic.vector_symbols("x", 2)
_A = symbolic.matrix_symbols("a", 2, 2)
_v = symbolic.vector_symbols("v", 2)
_E = [sp.zeros(2, 2) for _ in range(2)]
for _i in range(2):
    _E[_i][_i, _i] = 1
_e = sp.eye(2)
_blocks = [sp.Matrix(2, 2, lambda j, k, i=i: sp.diff((_A * _x + symbolic.vector_symbols("b", 2))[i], _A[j, k])) for i in range(2)]

ERRATA_02 = {
    1: ("text", "a definition written backwards: nothing to recompute"),
    2: ("formula", lambda: -sum(((_e[:, i].T * _v)[0] * _E[i] for i in range(2)), sp.zeros(2, 2)) == -sp.diag(*_v)),
    3: ("formula", lambda: (_A * _x).jacobian(_x) == _A and (_A * _x).jacobian(_x) != _A.T),
    4: ("formula", lambda: all(_blocks[i][j, k] == sp.diff((_A * _x)[i], _A[j, k]) for i in range(2) for j in range(2) for k in range(2))),
    5: ("formula", lambda: _blocks == [sp.Matrix([[_x[0], _x[1]], [0, 0]]), sp.Matrix([[0, 0], [_x[0], _x[1]]])]),
    6: ("formula", lambda: all(_blocks[i] == _e[:, i] * _x.T for i in range(2))),
    7: ("text", "labels on the page: nothing to recompute"),
}


def test_errata_02_every_row_recomputed():
    rows, text = errata_rows(NOTEBOOK_02, "## 6. Errata")
    assert sorted(rows) == sorted(ERRATA_02) == list(range(1, len(rows) + 1))
    for number, (kind, check_row) in ERRATA_02.items():
        assert not decimals_in(rows[number][2]), f"row {number} has numbers: check them"
        if kind == "formula":
            assert check_row(), f"row {number}"
    table_is_narrow(text)


def test_notebook_02_relies_on_no_network_before_notebook_03():
    """No cliff: seed 001's network (out_O, net_O, W^(2)) belongs to notebook 03, not here."""
    cells = json.loads(NOTEBOOK_02.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells)
    for name in ("out_O", "net_O", "W^{(2)}", "two_layer().W", "L.W2 @"):
        assert name not in text, name


# --- section 4's worked case (x = (2, 3), g = (0.7, −0.2)) and the contraction, three ways ----------

X_DEMO, G_DEMO = np.array([2.0, 3.0]), np.array([0.7, -0.2])
A_DEMO, B_DEMO = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.1, 0.2])


def test_the_worked_case_of_dy_dA_three_ways():
    """T_demo[i, j, k] = ∂y_i/∂a_jk at x = (2, 3): the formula [i = j]·x_k, sympy, central differences,
    and the forward differences the notebook prints (to three decimals)."""
    formula = np.einsum("ij,k->ijk", np.eye(2), X_DEMO)
    exact = np.array([[[float(sp.diff(y_lin[i], A[j, k]).subs({x1: 2, x2: 3})) for k in range(2)]
                       for j in range(2)] for i in range(2)])
    numeric = np.array([gradcheck.numerical_gradient(lambda M, i=i: (M @ X_DEMO + B_DEMO)[i], A_DEMO) for i in range(2)])
    assert np.array_equal(formula, exact) and _normwise_error(numeric, formula) < 1e-9
    h, printed = 1e-6, np.zeros((2, 2, 2))
    for j in range(2):
        for k in range(2):
            nudged = A_DEMO.copy()
            nudged[j, k] += h
            printed[:, j, k] = ((nudged @ X_DEMO + B_DEMO) - (A_DEMO @ X_DEMO + B_DEMO)) / h
    assert [f"{v:.3f}" for v in printed.ravel()] == [f"{v:.3f}" for v in formula.ravel()]
    assert formula[0, 0, 1] == 3 and formula[1, 0, 1] == 0          # the prose: ∂y_1/∂a_12 = 3, ∂y_2/∂a_12 = 0


def test_the_worked_contraction_three_ways():
    """g_1·block 1 + g_2·block 2 = g xᵀ = [[1.4, 2.1], [−0.4, −0.6]]: outer product, sympy, central differences."""
    blocks = np.einsum("ij,k->ijk", np.eye(2), X_DEMO)
    summed = G_DEMO[0] * blocks[0] + G_DEMO[1] * blocks[1]
    outer = np.outer(G_DEMO, X_DEMO)
    loss = (sp.Matrix(G_DEMO).T * y_lin)[0]
    exact = np.array([[float(sp.diff(loss, A[j, k]).subs({x1: 2, x2: 3})) for k in range(2)] for j in range(2)])
    numeric = gradcheck.numerical_gradient(lambda M: G_DEMO @ (M @ X_DEMO + B_DEMO), A_DEMO)
    assert gradcheck.rel_error(summed, outer) < 1e-15 and gradcheck.rel_error(exact, outer) < 1e-12
    assert gradcheck.rel_error(numeric, outer) < 1e-9
    assert np.round(summed, 3).tolist() == [[1.4, 2.1], [-0.4, -0.6]]
    assert (round(outer[0, 1], 10), round(outer[1, 0], 10)) == (2.1, -0.4)    # the two entries the prose works out


def test_notebook_02_states_no_answer_before_its_exercise():
    """The statements that give 2.4's and 2.5's answers come after their exercises, not before."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK_02.read_text(encoding="utf-8"))["cells"]]
    position = lambda text: next(i for i, c in enumerate(cells) if text in c)
    assert position("the Jacobian is $A$ itself") > position('check("2.4"')
    assert position("is 1 when $i = j$ and 0 otherwise: the identity") > position('check("2.5"')
    assert position(r"so $\nabla_A E = g\,x^\top$") > position('check("2.8"')
    assert position("[i = j]") < position(r"\sum_i g_i\,[i = j]")    # the bracket defined before its use


def test_section_1_the_two_weight_gradient_three_ways():
    """§1: a = w·x with x = (5.7, 2), w = (−23.1, 4), t = 50.1 gives a = −123.67 and
    ∇_w E = 2(a − t)·x = [−1980.978, −695.08]: the rule, sympy's derivative, central differences, and
    what the notebook prints."""
    xv, wv, tv = np.array([5.7, 2.0]), np.array([-23.1, 4.0]), 50.1
    rule = 2 * (wv @ xv - tv) * xv
    w_s = sp.symbols("w_1 w_2", real=True)
    E = (w_s[0] * sp.Rational("5.7") + w_s[1] * 2 - sp.Rational("50.1")) ** 2
    exact = np.array([float(sp.diff(E, s).subs({w_s[0]: sp.Rational("-23.1"), w_s[1]: 4})) for s in w_s])
    numeric = gradcheck.numerical_gradient(lambda w: (w @ xv - tv) ** 2, wv)
    assert gradcheck.rel_error(rule, exact) < 1e-14 and gradcheck.rel_error(rule, numeric) < 1e-9
    assert np.round(exact, 3).tolist() == [-1980.978, -695.08]
    printed = "\n".join("".join(o.get("text", "")) for c in json.loads(NOTEBOOK_02.read_text(encoding="utf-8"))["cells"]
                        if c["cell_type"] == "code" for o in c["outputs"])
    assert "a = -123.67" in printed and "∇_w E = [-1980.978  -695.08 ]" in printed


def test_the_learning_goals_give_no_exercise_answer():
    """The goals at the top name what the learner will do, not the results: the sigmoid's diagonal
    Jacobian (2.3) and the outer product g xᵀ (2.8) appear only from their exercises on."""
    cells = ["".join(c["source"]) for c in json.loads(NOTEBOOK_02.read_text(encoding="utf-8"))["cells"]]
    first = lambda text: next(i for i, c in enumerate(cells) if text in c)
    assert first(r"\operatorname{diag}(\sigma \odot") > first('check("2.3"')
    assert first(r"g\,x^\top") > first('check("2.8"')
