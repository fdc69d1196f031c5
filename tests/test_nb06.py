"""Notebook 06, backprop as code: every gradient rule it states, three ways (the reference
functions, sympy's exact derivative, central differences), and the autodiff as written in the
notebook's own cells, which must train iris to the same weights as the hand-written backward."""

import json
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import datasets, gradcheck, nets, symbolic
from helpers.exercises import nb06

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "06_backprop_as_code.ipynb"
RTOL = 1e-9


def close(a, b):
    """‖a − b‖ / (‖a‖ + ‖b‖) below RTOL (entries that are exactly 0, such as a switched-off ReLU's,
    would make an entry-by-entry ratio of central differences' rounding noise look large)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and float(np.linalg.norm(a - b)) <= RTOL * float(np.linalg.norm(a) + np.linalg.norm(b))


def sym_grad(E, symbols, values):
    """sympy's exact ∂E/∂s for each symbol matrix in `symbols`, at the numeric `values`."""
    flat = [s for M in symbols for s in M]
    f = sp.lambdify(flat, [sp.diff(E, s) for s in flat], modules="math", cse=True)
    out = iter(f(*[float(v) for V in values for v in np.ravel(V)]))
    return [np.array([next(out) for _ in range(M.shape[0] * M.shape[1])]).reshape(M.shape) for M in symbols]


@pytest.fixture
def rng():
    """A fresh generator per test, so that each test's inputs do not depend on which tests ran before."""
    return np.random.default_rng(6)


def test_dense_backward_three_ways(rng):
    N, d_in, d_out = 2, 3, 2
    X, W, b, G = rng.normal(size=(N, d_in)), rng.normal(size=(d_in, d_out)), rng.normal(size=d_out), rng.normal(size=(N, d_out))
    Xs, Ws, bs = (symbolic.matrix_symbols("X", N, d_in), symbolic.matrix_symbols("W", d_in, d_out),
                  symbolic.matrix_symbols("b", 1, d_out))
    Z = Xs * Ws + sp.ones(N, 1) * bs
    E = sum(G[i, j] * Z[i, j] for i in range(N) for j in range(d_out))  # E whose ∂E/∂Z is G
    dX, dW, db = nb06.dense_backward(G, X, W)
    exact = sym_grad(E, [Xs, Ws, bs], [X, W, b[None, :]])
    assert close(dX, exact[0]) and close(dW, exact[1]) and close(db, exact[2][0])
    loss = lambda X_, W_, b_: float(np.sum(G * nb06.dense_forward(X_, W_, b_)))  # noqa: E731
    assert close(dX, gradcheck.numerical_gradient(lambda v: loss(v, W, b), X))
    assert close(dW, gradcheck.numerical_gradient(lambda v: loss(X, v, b), W))
    assert close(db, gradcheck.numerical_gradient(lambda v: loss(X, W, v), b))


@pytest.mark.parametrize("name", ["relu", "sigmoid"])
def test_activation_backward_three_ways(rng, name):
    Z, dA = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    Z = np.where(np.abs(Z) < 0.05, 0.3, Z)  # away from ReLU's kink
    f_sym = {"relu": symbolic.relu, "sigmoid": symbolic.sigmoid}[name]
    f_num = {"relu": lambda z: np.maximum(0, z), "sigmoid": lambda z: 1 / (1 + np.exp(-z))}[name]
    backward = {"relu": nb06.relu_backward, "sigmoid": nb06.sigmoid_backward}[name]
    Zs = symbolic.matrix_symbols("Z", 3, 2)
    E = sum(dA[i, j] * f_sym(Zs[i, j]) for i in range(3) for j in range(2))
    mine = backward(dA, Z)
    assert close(mine, sym_grad(E, [Zs], [Z])[0])
    assert close(mine, gradcheck.numerical_gradient(lambda v: float(np.sum(dA * f_num(v))), Z))


def test_softmax_ce_backward_three_ways(rng):
    N, k = 3, 4
    Z, T = rng.normal(size=(N, k)), datasets.one_hot([0, 3, 1], k)
    Zs = symbolic.matrix_symbols("Z", N, k)
    E = sum(-sum(T[n, j] * sp.log(p) for j, p in enumerate(symbolic.softmax(list(Zs.row(n)))) if T[n, j])
            for n in range(N)) / N
    mine = nb06.softmax_ce_backward(Z, T)
    assert close(mine, sym_grad(E, [Zs], [Z])[0])
    P = lambda v: np.exp(v) / np.exp(v).sum(axis=1, keepdims=True)  # noqa: E731
    assert close(mine, gradcheck.numerical_gradient(lambda v: float(-np.sum(T * np.log(P(v))) / N), Z))


def test_unbroadcast_is_the_gradient_of_broadcasting(rng):
    G = rng.normal(size=(4, 3))
    for shape in [(3,), (1, 3), (4, 1), (4, 3), (1, 1), ()]:
        x = rng.normal(size=shape)
        numeric = gradcheck.numerical_gradient(lambda v: float(np.sum(G * (np.zeros((4, 3)) + v))), x)
        assert np.shape(nb06.unbroadcast(G, shape)) == shape
        assert close(nb06.unbroadcast(G, shape), numeric)
        # sympy: E = Σ G ⊙ (x broadcast to 4×3), x's entries as symbols
        rows, cols = ((1,) * (2 - len(shape)) + shape)
        xs = symbolic.matrix_symbols("x", rows, cols)
        E = sum(G[i, j] * xs[i if rows > 1 else 0, j if cols > 1 else 0] for i in range(4) for j in range(3))
        exact = sym_grad(E, [xs], [np.reshape(x, (rows, cols))])[0]
        assert close(nb06.unbroadcast(G, shape), exact.reshape(shape))


def test_whole_network_backward_three_ways(rng):
    sizes = [2, 3, 2, 2]   # three layers, small enough for sympy to differentiate quickly
    Ws = [rng.normal(size=(m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=k) * 0.3 for k in sizes[1:]]
    acts = ["relu", "relu", "softmax"]
    x, t = rng.normal(size=2), np.array([0.0, 1.0])
    dWs, dbs = nb06.backward(Ws, bs, x[None, :], t[None, :])
    exact_W, exact_b = symbolic.network_gradients(Ws, bs, x, t, acts, "cross_entropy")
    assert all(close(a, e) for a, e in zip(dWs + dbs, exact_W + exact_b))
    X, T = rng.normal(size=(6, 2)), datasets.one_hot([0, 1, 1, 0, 1, 0], 2)
    dWs, dbs = nb06.backward(Ws, bs, X, T)
    num_W, num_b = gradcheck.network_numerical_gradients(Ws, bs, X, T, acts, "cross_entropy", h=1e-4)
    assert all(close(a, e) for a, e in zip(dWs + dbs, num_W + num_b))


# --- the notebook's own cells ---------------------------------------------------------------------


def _cells():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    return [(set(c["metadata"].get("tags", [])), "".join(c["source"])) for c in nb["cells"] if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def notebook_namespace(tmp_path_factory, monkeypatch_module):
    """The notebook's solution cells and the cells that build the autodiff, run in one namespace."""
    monkeypatch_module.setenv("BACKPROP_PROGRESS", str(tmp_path_factory.mktemp("progress") / "p.json"))
    wanted = ("import numpy", "iris = datasets.load_iris()", "class Tensor", "def matmul(", "def autodiff_backward",
              "def train_with", "reference_backward =", "x01, t01, w01 =", "def times_x(")
    ns = {}
    for tags, src in _cells():
        if "solution" in tags or (not tags and any(w in src for w in wanted)):
            exec(compile(src, str(NOTEBOOK), "exec"), ns)  # noqa: S102 - the course's own notebook
    return ns


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


def test_solution_cells_are_the_reference(notebook_namespace):
    ns = notebook_namespace
    for exercise_id, name in [("6.1", "dense_forward"), ("6.2", "dense_backward"), ("6.3", "relu_backward"),
                              ("6.4", "sigmoid_backward"), ("6.5", "softmax_ce_backward"), ("6.6", "backward"),
                              ("6.7", "unbroadcast")]:
        assert name not in ns, f"a solution cell binds the learner's name {name!r} (contract C1)"
        spec = nb06.SPECS[exercise_id]
        for args in spec.inputs(exercise_id):
            mine, ref = ns[f"{name}_solution"](*args), getattr(nb06, name)(*args)
            leaves = lambda v: [a for x in v for a in leaves(x)] if isinstance(v, (list, tuple)) else [np.asarray(v)]  # noqa: E731
            assert all(a.shape == e.shape and np.allclose(a, e, rtol=1e-12, atol=1e-15) for a, e in zip(leaves(mine), leaves(ref)))


def test_the_notebooks_autodiff_trains_iris_to_the_hand_written_weights(notebook_namespace):
    """The autodiff as written in the notebook, with the solution cells' unbroadcast in place of the
    reference's, against the solution cells' hand-written backward: the same weights to 1e-12."""
    ns = notebook_namespace
    ns["sum_to"] = ns["unbroadcast_solution"]   # the autodiff's add uses the solution cell's unbroadcast
    hand = ns["train_with"](ns["backward_solution"], ns["Ws0"], ns["bs0"], ns["X_train_s"], ns["T_train"])
    auto = ns["train_with"](ns["autodiff_backward"], ns["Ws0"], ns["bs0"], ns["X_train_s"], ns["T_train"])
    moved = max(np.abs(a - b).max() for a, b in zip(hand[0], ns["Ws0"]))
    largest = max(np.abs(a - b).max() for a, b in zip(hand[0] + hand[1], auto[0] + auto[1]))
    assert moved > 0.1 and largest < 1e-12


# --- the gradient debugger -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_network():
    rng = np.random.default_rng(3)
    sizes = [4, 5, 6, 3]
    Ws = [rng.normal(size=(m, k)) * 0.8 for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [rng.normal(size=k) * 0.1 for k in sizes[1:]]
    X = rng.normal(size=(7, 4))
    return Ws, bs, X, datasets.one_hot(rng.integers(0, 3, 7), 3)


def test_debugger_passes_the_reference(small_network):
    from helpers.debugger import debug_backward

    report = debug_backward(nb06.backward, *small_network)
    assert report and report.first is None
    assert "Every gradient is right, in all 3 layers." in str(report)
    assert "agrees with central differences everywhere" in report.summary
    assert [r["name"] for r in report.rows] == ["∇W3", "∇b3", "∇W2", "∇b2", "∇W1", "∇b1"]  # backward order
    assert str(report).count("✔ right") == 6 and report._repr_html_().count("<tr>") == 7


def test_debugger_names_the_first_wrong_layer_in_backward_order(small_network):
    from helpers.debugger import debug_backward

    def transposed_W2(Ws, bs, X, T):
        dWs, dbs = nb06.backward(Ws, bs, X, T)
        dWs[1] = dWs[1].T
        return dWs, dbs

    report = debug_backward(transposed_W2, *small_network)
    assert not report and report.first == (2, "∇W2", "transposed")
    assert "first mistake is at layer 2, ∇W2: transposed" in report.summary
    assert "Everything before it in the backward pass (layer 3) is right" in report.summary
    assert "Everything after it (layer 1) is right too" in report.summary

    def no_relu_prime(Ws, bs, X, T):
        return _without_relu_prime(Ws, bs, X, T)

    report = debug_backward(no_relu_prime, *small_network)
    assert report.first[0] == 2
    assert "G2 = ∇Z2 E itself is wrong" in report.summary and "layer 1 is wrong too" in report.summary


def _without_relu_prime(Ws, bs, X, T):
    Zs, As = [], [X]
    for W, b in zip(Ws, bs):
        Zs.append(As[-1] @ W + b)
        As.append(np.maximum(0, Zs[-1]))
    dZ = (nets.softmax(Zs[-1]) - T) / len(X)
    dWs, dbs = [None] * len(Ws), [None] * len(Ws)
    for l in reversed(range(len(Ws))):
        dWs[l], dbs[l] = As[l].T @ dZ, dZ.sum(axis=0)
        dZ = dZ @ Ws[l].T
    return dWs, dbs


def test_debugger_answers_broken_functions_with_a_sentence(small_network):
    from helpers.debugger import debug_backward

    def broken(Ws, bs, X, T):
        raise IndexError("list index out of range")

    assert str(debug_backward(broken, *small_network)) == "Your backward raised IndexError: list index out of range: nothing to compare yet."
    assert "two lists of 3 arrays" in str(debug_backward(lambda *a: 3, *small_network))


def test_debugger_answers_whatever_the_learners_name_holds(small_network):
    """The notebook's debugger cell runs on the learner's own `backward` (contract C1, tag uses-answer):
    not answered yet, a number, a stub, the exercise's template, the wrong arguments: one sentence each."""
    from helpers.debugger import debug_backward

    def stub(Ws, bs, X, T):
        """Not written yet."""
        ...

    def template(Ws, bs, X, T):          # exercise 6.6's cell as it stands before an answer
        dWs, dbs = ..., ...
        return dWs, dbs

    said = {what: debug_backward(value, *small_network) for what, value in
            [("ellipsis", ...), ("none", None), ("number", 7.0), ("stub", stub), ("template", template),
             ("two arguments", lambda Ws, bs: None), ("zeros", lambda *a: np.zeros((1, 1)))]}
    assert not any(said.values()) and all(r.rows == [] and r.first is None for r in said.values())
    assert "answer Exercise 6.6 first" in str(said["ellipsis"]) and str(said["none"]) == str(said["ellipsis"])
    assert str(said["number"]).startswith("backward is a float, not a function")
    assert "does nothing yet" in str(said["stub"])
    assert "still returns ..." in str(said["template"])
    assert "cannot be called as backward(Ws, bs, X, T)" in str(said["two arguments"])
    assert "two lists of 3 arrays" in str(said["zeros"])
    assert all("Traceback" not in str(r) and r._repr_html_().startswith("<p>") for r in said.values())


def test_the_notebook_debugs_the_learners_own_backward():
    """Its debugger cell is tagged uses-answer and passes the learner's `backward`; the course's own
    demonstration keeps its deliberately buggy function, and the stored output of the learner's cell
    is the template's sentence (the course notebook is stored unanswered)."""
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    mine = [c for c in cells if "uses-answer" in c["metadata"].get("tags", [])]
    assert len(mine) == 1 and "".join(mine[0]["source"]).startswith("debug_backward(backward, Ws0, bs0, X16, T16)")
    stored = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in mine[0]["outputs"])
    assert stored.startswith("Your backward still returns ...")
    assert any("debug_backward(backward_with_a_bug," in "".join(c["source"]) for c in cells)


def test_the_autodiff_is_bit_for_bit_the_hand_written_pass_at_16_rows(notebook_namespace):
    """§6's "exact": the same products and sums; with 16 rows (a power of two) the 1/N rounds the same
    way in both, with 15 rows the last bit differs."""
    ns = notebook_namespace
    for n, exact in ((16, True), (15, False)):
        args = (ns["Ws0"], ns["bs0"], ns["X16"][:n], ns["T16"][:n])
        hand, auto = ns["reference_backward"](*args), ns["autodiff_backward"](*args)
        pairs = list(zip(hand[0] + hand[1], auto[0] + auto[1]))
        assert all(np.array_equal(u, v) for u, v in pairs) is exact
        assert max(np.abs(u - v).max() for u, v in pairs) < 1e-15


def test_the_one_weight_chain_of_section_6_three_ways(notebook_namespace):
    """§6's intermediate step: ∂E/∂w = 2x(xw − t) = −2072.178 at notebook 01's x, t, w, by hand (the
    notebook's closures), sympy and central differences."""
    ns = notebook_namespace
    x, t, w = ns["x01"], ns["t01"], ns["w01"]
    u, push_u = ns["times_x"](w)
    _, push_E = ns["squared_error"](u)
    by_closures = push_u(push_E(1.0))
    s = sp.Symbol("w", real=True)
    exact = float(sp.diff((sp.Rational(str(x)) * s - sp.Rational(str(t))) ** 2, s).subs(s, sp.Rational(str(w))))
    numeric = gradcheck.numerical_gradient(lambda v: float((x * v - t) ** 2), np.array(w))
    assert close(by_closures, exact) and close(by_closures, numeric) and close(nets.one_weight_grad(x, w, t), exact)
    assert f"{by_closures:.3f}" == "-2072.178"


@pytest.mark.parametrize("path", sorted(NOTEBOOK.parent.glob("[0-9][0-9]_*.ipynb")), ids=lambda p: p.name[:2])
def test_numbered_sections_follow_one_another(path):
    """Every notebook's "## N." headings count up by one (04 starts at 0): 06 once skipped from §3 to §5
    while its text pointed to a §4 that had no heading."""
    import re

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    numbers = [int(m) for c in cells if c["cell_type"] == "markdown"
               for m in re.findall(r"^## (\d+)\. ", "".join(c["source"]), flags=re.M)]
    assert numbers and numbers == list(range(numbers[0], numbers[0] + len(numbers))) and numbers[0] in (0, 1), numbers
