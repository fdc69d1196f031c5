"""Notebook 01: every gradient it states, three ways; its exercises and their known mistakes;
every row of its errata (seed 000), recomputed."""

import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, lessons, nets

NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "01_one_weight.ipynb"
L = lessons.one_weight()
# the course's names (docs/notation.md): input x, weight w, target t, rate η; seed 000's a, w, y, R
a_s, w_s, y_s, R_s = sp.symbols("x w t eta", real=True)
C_one = (a_s * w_s - y_s) ** 2
a0_s, W1_s, W2_s = sp.symbols("x w1 w2", real=True)
C_chain = (a0_s * W1_s * W2_s - y_s) ** 2


def test_one_weight_gradient_three_ways():
    reference = nets.one_weight_grad(L.a, L.w, L.y)
    exact = float(sp.diff(C_one, w_s).subs({a_s: L.a, w_s: L.w, y_s: L.y}))
    numeric = gradcheck.numerical_gradient(lambda w: (L.a * w - L.y) ** 2, L.w)
    assert reference == pytest.approx(-2072.178, abs=1e-9)
    assert gradcheck.rel_error(reference, exact) < 1e-12
    assert gradcheck.rel_error(reference, numeric) < 1e-9


@pytest.mark.parametrize("step", range(20))
def test_every_descent_step_three_ways(step):
    """Each of the 20 steps uses a gradient: the reference's, sympy's and a numerical one agree at every w_k."""
    ws = np.concatenate([[L.w], nets.descend(L.a, L.w, L.y, L.rate, 20)])
    w = ws[step]
    exact = float(sp.diff(C_one, w_s).subs({a_s: L.a, w_s: w, y_s: L.y}))
    numeric = gradcheck.numerical_gradient(lambda v: (L.a * v - L.y) ** 2, w)
    reference = nets.one_weight_grad(L.a, w, L.y)
    # near the optimum a·w − y nearly cancels, so even two exact formulas differ in the 12th digit
    assert gradcheck.rel_error(reference, exact) < 1e-9
    assert gradcheck.rel_error(reference, numeric) < 1e-9
    assert ws[step + 1] == pytest.approx(w - L.rate * exact, abs=1e-12)


def test_the_seeds_printed_sequence_is_reproduced_to_its_five_digits():
    ws = nets.descend(L.a, L.w, L.y, L.rate, L.steps)
    assert [float(f"{w:.5g}") for w in ws] == list(L.seed_printed.w)


def test_chain_gradients_three_ways():
    c = L.chain
    values = {a0_s: c.a0, W1_s: c.w1, W2_s: c.w2, y_s: c.y}
    a2 = c.a0 * c.w1 * c.w2
    cost = lambda W1, W2: (c.a0 * W1 * W2 - c.y) ** 2
    cases = [
        (exercises.expected("1.8"), W1_s, lambda W: cost(W, c.w2), c.w1),
        (c.a0 * c.w1 * 2 * (a2 - c.y), W2_s, lambda W: cost(c.w1, W), c.w2),
    ]
    for reference, symbol, f, at in cases:
        exact = float(sp.diff(C_chain, symbol).subs(values))
        assert gradcheck.rel_error(reference, exact) < 1e-12
        assert gradcheck.rel_error(reference, gradcheck.numerical_gradient(f, at)) < 1e-9
    assert exercises.expected("1.8") == pytest.approx(12596.661, abs=1e-6)


def test_contraction_and_thresholds():
    assert exercises.expected("1.6") == pytest.approx(0.54514, abs=1e-12)
    assert exercises.expected("1.7") == pytest.approx(0.030778701, abs=1e-9)


@pytest.mark.parametrize("exercise_id, answer, diagnosis", [
    ("1.1", 2 * (5.7 * -23.1 - 50.1) / 2, "slip:missing-factor"),  # the 2 of the square forgotten
    ("1.1", -2 * (5.7 * -23.1 - 50.1), "sign"),
    ("1.2", 5.7 * -23.1, "mistake:seed 000's slip ∂a/∂w = a"),
    ("1.3", 2 * (5.7 * -23.1 - 50.1), "mistake:∂E/∂a instead of ∂E/∂w"),
    ("1.3", -2072.2, "rounded"),
    ("1.4", -23.1 + 0.007 * -2072.178, "mistake:a step uphill (gradient ascent)"),
    ("1.5", w_s - R_s * 2 * a_s * w_s * (a_s * w_s - y_s), "mistake:seed 000's slip ∂a/∂w = a"),
    ("1.5", w_s - R_s * a_s * (a_s * w_s - y_s), "slip:missing-factor"),   # the 2 of the square forgotten
    ("1.6", 1 - 0.007 * 5.7**2, "mistake:the 2 of the square left out"),
    ("1.7", 1 / (2 * 5.7**2), "mistake:the edge of monotone convergence"),
    ("1.8", 12596.661 * 5.7, "mistake:seed 000's four-factor chain"),
    ("1.8", 2 * (5.7 * -23.1 - 50.1) * 5.7 * 1.5, "mistake:∂a⁽²⁾/∂w⁽²⁾ where ∂a⁽²⁾/∂a⁽¹⁾ belongs"),
])
def test_typical_wrong_answers_get_their_diagnosis(exercise_id, answer, diagnosis):
    feedback = check(exercise_id, answer)
    assert not feedback and feedback.diagnosis == diagnosis, str(feedback)


def test_the_update_rule_in_any_equivalent_form():
    assert check("1.5", w_s * (1 - 2 * R_s * a_s**2) + 2 * R_s * a_s * y_s)
    assert check("1.5", sp.expand(w_s - R_s * sp.diff(C_one, w_s)))


def test_exercise_1_5_uses_the_courses_symbol_names():
    """The notebook defines x_s, w_s, t_s, eta_s as Symbol("x"), ("w"), ("t"), ("eta"): the same names here."""
    assert {s.name for s in exercises.expected("1.5").free_symbols} == {"x", "w", "t", "eta"}


# --- the errata: every row's "correct" entry, recomputed ----------------------------------------


def errata_rows(path, heading):
    """The numbered rows of the errata table under `heading`: {number: (where, seed writes, correct)}."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = next("".join(c["source"]) for c in cells if "".join(c["source"]).startswith(heading))
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if m:
            cols = [c.strip() for c in m.group(2).split(" | ")]
            assert len(cols) == 3, line
            rows[int(m.group(1))] = tuple(cols)
    return rows, text


def decimals_in(text):
    """Every decimal number written in `text` (integers such as indices are not numbers to check)."""
    return [(float(m.replace("−", "-")), len(m.split(".")[1])) for m in re.findall(r"[-−]?\d+\.\d+", text)]


def assert_numbers(cell, values):
    """The decimals written in `cell` are exactly `values`, each right to the digits it shows."""
    written = decimals_in(cell)
    assert len(written) == len(values), (cell, values)
    for (number, digits), value in zip(written, values):
        assert abs(number - value) <= 0.5 * 10.0 ** -digits, (cell, number, value)


def table_is_narrow(text):
    """Readable in a 1024 px window: short cells, no long lines of code."""
    for line in text.splitlines():
        if line.startswith("|"):
            for cell in line.split("|")[1:-1]:
                assert len(re.sub(r"\$[^$]*\$", "$…$", cell)) <= 110, cell


X, T = L.a, L.y
c = L.chain
x_, w_, t_ = sp.symbols("x w t", real=True)
w1_, w2_, a1_ = sp.symbols("w1 w2 a1", real=True)
E_chain = (x_ * w1_ * w2_ - t_) ** 2
at_chain = {x_: c.a0, w1_: c.w1, w2_: c.w2, t_: c.y}


def _index_order():
    """Row 2: with several inputs, a_i = Σ_j W_ij a_j, the input carrying the weight's second index."""
    W, a = sp.Matrix(2, 3, sp.symbols("W:2:3")), sp.Matrix(sp.symbols("a:3"))
    return all(sp.expand((W * a)[i] - sum(W[i, j] * a[j] for j in range(3))) == 0 for i in range(2))


ERRATA_01 = {
    1: ("text", "a terminology slip: no number or formula to recompute"),
    2: ("formula", _index_order),
    3: ("text", "what backpropagation is: no number or formula to recompute"),
    4: ("numbers", lambda: [T / X]),
    5: ("formula", lambda: sp.diff(x_ * w_, w_) == x_),
    6: ("numbers", lambda: [float(sp.diff(x_ * w_, w_).subs({x_: X, w_: L.w}))]),
    7: ("text", "MATLAB syntax: no number or formula to recompute"),
    8: ("numbers", lambda: [float(sp.diff(a1_ * w2_, a1_).subs(w2_, c.w2))]),
    9: ("formula", lambda: sp.expand(sp.diff(E_chain, w1_) - x_ * w2_ * 2 * (x_ * w1_ * w2_ - t_)) == 0),
    10: ("numbers", lambda: [float(sp.diff(E_chain, w1_).subs(at_chain))]),
    11: ("formula", lambda: sp.diff(a1_ * w2_, a1_) == w2_),
}


def test_errata_01_every_row_recomputed():
    rows, text = errata_rows(NOTEBOOK, "## 7. Errata")
    assert sorted(rows) == sorted(ERRATA_01) == list(range(1, len(rows) + 1))
    for number, (kind, check_row) in ERRATA_01.items():
        correct = rows[number][2]
        if kind == "numbers":
            assert_numbers(correct, check_row())
        else:
            assert not decimals_in(correct), f"row {number} has numbers: check them"
            if kind == "formula":
                assert check_row(), f"row {number}"
    table_is_narrow(text)


def test_errata_01_the_checked_numbers_are_right():
    """What the errata call right: 5.7·(−23.1) = −131.67, 5.7·8.7893 = 50.099, the twenty weights."""
    assert round(5.7 * -23.1, 2) == -131.67 == round(X * L.w, 2)
    assert round(5.7 * 8.7893, 3) == 50.099
    assert [float(f"{w:.5g}") for w in nets.descend(X, L.w, T, L.rate, 20)] == list(L.seed_printed.w)
    assert nets.one_weight_grad(X, T / X, T) == pytest.approx(0, abs=1e-12)


# --- hints and upstream: every exercise of notebooks 01-03 ---------------------------------------

EARLY = [i for i in exercises.ids() if i.split(".")[0] in ("1", "2", "3")]


@pytest.mark.parametrize("exercise_id", EARLY)
def test_two_different_hints_without_the_answer(exercise_id):
    exercise = exercises.get(exercise_id)
    assert len(exercise.hints) == 2 and all(h.strip() for h in exercise.hints), exercise_id
    assert exercise.hints[0] != exercise.hints[1]
    if exercise.symbolic:
        return
    answer = np.ravel(np.asarray(exercise.expected(), dtype=float))
    for hint_text in exercise.hints:
        for number, _ in decimals_in(hint_text) + [(float(n), 0) for n in re.findall(r"(?<![\d.])\d+(?![\d.])", hint_text)]:
            if number in (0.0, 1.0, 2.0):       # the 2 of a square, a bias's input 1: never an answer's giveaway
                continue
            close = np.isclose(answer, number, rtol=1e-3, atol=0) | np.isclose(np.round(answer, 3), number, rtol=0, atol=0)
            assert not close.any(), f"hint of {exercise_id} shows {number}, an entry of the answer"


UPSTREAM = [(i, u) for i in EARLY for u in exercises.get(i).upstream]


@pytest.mark.parametrize("exercise_id", [i for i in EARLY if exercises.get(i).upstream])
def test_from_upstream_is_the_exercises_own_method(exercise_id):
    exercise = exercises.get(exercise_id)
    ours = exercise.from_upstream(*[exercises.expected(u) for u in exercise.upstream])
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(exercise.expected(), dtype=float), rtol=1e-12)


def _wrong(value):
    """A plainly wrong version of an upstream answer, far from every multiple of it."""
    a = np.asarray(value, dtype=float)
    return a + 0.1 * (np.abs(a) + 1) * np.array([(-1) ** k * (1 + 0.3 * k) for k in range(a.size)]).reshape(a.shape)


@pytest.mark.parametrize("exercise_id, upstream_id", UPSTREAM, ids=[f"{i}<-{u}" for i, u in UPSTREAM])
def test_the_right_method_on_a_wrong_upstream_answer_points_upstream(exercise_id, upstream_id, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))
    exercise = exercises.get(exercise_id)
    for other in exercise.upstream:                    # every other input answered correctly
        assert check(other, exercises.expected(other))
    wrong = _wrong(exercises.expected(upstream_id))
    assert not check(upstream_id, wrong)
    inputs = [wrong if u == upstream_id else exercises.expected(u) for u in exercise.upstream]
    feedback = check(exercise_id, exercise.from_upstream(*inputs))
    assert feedback.diagnosis == f"upstream:{upstream_id}", str(feedback)
    assert f"exercise {upstream_id}" in str(feedback)
    assert check(upstream_id, exercises.expected(upstream_id))       # fixed upstream: the same answer is now wrong
    assert check(exercise_id, exercise.from_upstream(*inputs)).diagnosis != f"upstream:{upstream_id}"


# --- the learning-rate explorer: a picture before it runs, crisp, its legend off the data -----------


def test_the_stored_explorer_shows_a_picture_and_a_sentence_not_raw_widget_text():
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    cell = next(c for c in cells if "learning_rate_explorer(" in "".join(c["source"]))
    controls, picture = cell["outputs"]
    assert "application/vnd.jupyter.widget-view+json" in controls["data"]   # the live slider, once run
    text = "".join(controls["data"]["text/plain"])
    assert text.startswith("Learning-rate explorer") and "VBox(" not in text
    # the picture is an ordinary output (so a fresh open and a static export show it), with its text
    data, meta = picture["data"], picture["metadata"]["image/png"]
    assert "".join(data["text/plain"]).startswith("Figure: Left: the 20 weights")
    assert "converges monotonically" in meta["alt"] and "0.01539" in meta["alt"] and "0.03078" in meta["alt"]
    html = "".join(data["text/html"])
    assert html.startswith("<img ") and 'alt="Left: the 20 weights' in html
    assert meta["width"] < 800                                               # shown at its natural width
    png = __import__("base64").b64decode(data["image/png"])
    assert int.from_bytes(png[16:20], "big") >= 2 * meta["width"] - 2        # drawn at 2x: crisp
    assert picture["output_type"] == "display_data" and picture.get("transient", {}) == {}


@pytest.mark.parametrize("rate", [0.007, 0.025, 0.035])
def test_the_explorers_legend_is_clear_of_the_data(rate):
    import matplotlib

    matplotlib.use("Agg")
    from helpers import plots

    fig = plots.draw_learning_rate(L.a, L.w, L.y, rate)
    fig.canvas.draw()
    left = fig.axes[0]
    legend = left.get_legend().get_window_extent()
    assert not legend.overlaps(left.get_window_extent())               # below the axes, whatever the rate
    assert nets.regime(L.a, rate) in plots.learning_rate_alt(L.a, L.w, L.y, rate)  # the alt names the regime
    __import__("matplotlib.pyplot").pyplot.close(fig)
