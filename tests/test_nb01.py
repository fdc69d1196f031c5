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


def _symmetric_about_the_optimum():
    """Row 4: E = (x·w − t)² takes the same value at w* + d and w* − d (d = 1: x² = 32.49)."""
    d = sp.Symbol("d", real=True)
    E = lambda w: (x_ * w - t_) ** 2
    w_star = t_ / x_
    return sp.simplify(E(w_star + d) - E(w_star - d)) == 0 and sp.simplify(E(w_star + d) - x_**2 * d**2) == 0


ERRATA_01 = {
    1: ("text", "a terminology slip: no number or formula to recompute"),
    2: ("formula", _index_order),
    3: ("text", "what backpropagation is: no number or formula to recompute"),
    4: ("numbers", lambda: [T / X, float(((x_ * w_ - t_) ** 2).subs({x_: X, t_: T, w_: T / X + 1}))]),
    5: ("formula", lambda: sp.diff(x_ * w_, w_) == x_),
    6: ("numbers", lambda: [float(sp.diff(x_ * w_, w_).subs({x_: X, w_: L.w}))]),
    7: ("numbers", lambda: [float(sp.diff(a1_ * w2_, a1_).subs(w2_, c.w2))]),
    8: ("formula", lambda: sp.expand(sp.diff(E_chain, w1_) - x_ * w2_ * 2 * (x_ * w1_ * w2_ - t_)) == 0),
    9: ("numbers", lambda: [float(sp.diff(E_chain, w1_).subs(at_chain))]),
    10: ("formula", lambda: sp.diff(a1_ * w2_, a1_) == w2_),
}


def test_errata_01_row_4_the_error_is_symmetric_about_the_optimum():
    assert _symmetric_about_the_optimum()
    rows, _ = errata_rows(NOTEBOOK, "## 8. Errata")
    assert "w^* + d" in rows[4][2] and "w^* - d" in rows[4][2]


def test_errata_01_every_row_recomputed():
    rows, text = errata_rows(NOTEBOOK, "## 8. Errata")
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
    from helpers import plots
    assert meta["width"] <= plots.OUTPUT_PX                                  # shown at its natural width
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
    legend = fig.legends[0].get_window_extent()
    for panel in fig.axes:                                              # below both panels, whatever the rate
        assert not legend.overlaps(panel.get_window_extent())
    assert nets.regime(L.a, rate) in plots.learning_rate_alt(L.a, L.w, L.y, rate)  # the alt names the regime
    __import__("matplotlib.pyplot").pyplot.close(fig)


# --- section 7: the chain trained one weight after the other, and both at once -------------------

_x, _w1, _w2, _t = sp.symbols("x w1 w2 t", real=True)
_E2 = (_x * _w1 * _w2 - _t) ** 2
_grads_exact = sp.lambdify((_w1, _w2), [sp.diff(_E2, v).subs({_x: c.a0, _t: c.y}) for v in (_w1, _w2)], "math")
STAGE_ONE = nets.descend_chain(c.a0, c.w1, c.w2, c.y, L.rate, L.steps, train=("w2",))
STAGE_TWO = nets.descend_chain(c.a0, *STAGE_ONE[-1], c.y, L.rate, L.steps, train=("w1",))
BOTH = nets.descend_chain(c.a0, c.w1, c.w2, c.y, 0.0003, L.steps)


def chain_E(w1, w2):
    return (c.a0 * w1 * w2 - c.y) ** 2


def _three_ways(w1, w2):
    """Both gradients at (w1, w2): helpers.nets, sympy, central differences; they must agree."""
    ours = np.array(nets.chain_grads(c.a0, w1, w2, c.y))
    exact = np.array(_grads_exact(w1, w2), dtype=float)
    numeric = np.array([gradcheck.numerical_gradient(lambda v: chain_E(v, w2), w1),
                        gradcheck.numerical_gradient(lambda v: chain_E(w1, v), w2)])
    # near E = 0 the factor a2 − t cancels to a few digits: compare against the size of the terms
    scale = abs(c.a0) * 2 * (abs(c.a0 * w1 * w2) + abs(c.y)) * np.array([abs(w2), abs(c.a0 * w1)])
    assert np.all(np.abs(ours - exact) <= 1e-12 * scale), (w1, w2, ours, exact)
    assert np.all(np.abs(ours - numeric) <= 1e-9 * scale), (w1, w2, ours, numeric)
    return ours


@pytest.mark.parametrize("path", ["stage one", "stage two", "both"])
def test_every_step_of_section_7_uses_gradients_checked_three_ways(path):
    pairs, rate, train = {"stage one": (STAGE_ONE, L.rate, ("w2",)), "stage two": (STAGE_TWO, L.rate, ("w1",)),
                          "both": (BOTH, 0.0003, ("w1", "w2"))}[path]
    for (w1, w2), (n1, n2) in zip(pairs[:-1], pairs[1:]):
        g1, g2 = _three_ways(w1, w2)
        assert n1 == pytest.approx(w1 - rate * g1 if "w1" in train else w1, rel=1e-13)
        assert n2 == pytest.approx(w2 - rate * g2 if "w2" in train else w2, rel=1e-13)


def test_section_7_stage_one_is_section_4_again_and_leaves_w1_almost_no_gradient():
    assert np.array_equal(STAGE_ONE[1:, 1], nets.descend(c.a0 * c.w1, c.w2, c.y, L.rate, L.steps))
    assert np.all(STAGE_ONE[:, 0] == c.w1)
    w1, w2 = STAGE_ONE[-1]
    start, after = _three_ways(c.w1, c.w2)[0], _three_ways(w1, w2)[0]
    assert f"{start:.3f}" == "12596.661" and f"{after:.4f}" == "-0.0257"        # the two numbers
    assert f"{abs(start / after):,.0f}" == "489,211"
    assert f"{w2:.4f}" == "8.7893" and f"{chain_E(w1, w2):.1e}" == "9.5e-07"


def test_section_7_stage_two_diverges_at_the_seeds_rate_for_the_reason_the_notebook_gives():
    w2 = STAGE_ONE[-1, 1]
    q = 1 - 2 * L.rate * (c.a0 * w2) ** 2
    assert f"{c.a0 * w2:.2f}" == "13.18" and f"{q:.4f}" == "-1.4334" and q < -1
    assert f"{q:.2f}" == "-1.43"
    w1_star = c.y / (c.a0 * w2)                                 # section 5's rule for w(1) with w(2) held
    distances = STAGE_TWO[:, 0] - w1_star
    assert np.allclose(distances[1:] / distances[:-1], q, rtol=1e-6)
    assert abs(STAGE_TWO[1, 0] - STAGE_TWO[0, 0]) < 1e-3           # "moves w(1) by less than a thousandth"
    assert f"{chain_E(*STAGE_TWO[-1]):.2e}" == "1.72e+00" and chain_E(*STAGE_ONE[-1]) < 1e-6
    assert q == pytest.approx(nets.contraction(c.a0 * w2, L.rate), rel=1e-15)


def test_section_7_both_at_once():
    edge = 1 / (c.a0 * c.w2) ** 2
    assert f"{c.a0 * c.w2:.2f}" == "-34.65" and f"{edge:.5f}" == "0.00083" and 0.0003 < edge
    w1, w2 = BOTH[-1]
    assert (f"{w1:.6f}", f"{w2:.6f}") == ("-1.484365", "-22.501202")
    assert f"{chain_E(w1, w2):.2e}" == "1.96e-16"
    assert f"{c.y / c.a0:.1f}" == "33.4" and w1 * w2 == pytest.approx(c.y / c.a0, rel=1e-9)
    g1, g2 = _three_ways(c.w1, c.w2)
    assert f"{g1 / g2:.2f}" == "-6.08" and g1 / g2 == pytest.approx(c.w2 / c.w1, rel=1e-12)   # "six times steeper"
    # the nearer branch of w1·w2 = t/x: both at once end far closer to the start than stage one's w(2) trip
    assert np.hypot(w1 - c.w1, w2 - c.w2) < abs(STAGE_ONE[-1, 1] - c.w2) / 5


def test_further_question_3_the_two_rates_end_on_different_branches():
    ends = [nets.descend_chain(c.a0, c.w1, c.w2, c.y, rate, L.steps)[-1] for rate in (0.001, 0.0015)]
    assert all(chain_E(*end) < 1e-10 for end in ends)
    assert ends[0][0] < 0 < ends[1][0]                                  # opposite signs: different solutions


# --- the figures of notebooks 01-03: as large as the body text, never scaled down -----------------

NOTEBOOKS_01_03 = [NOTEBOOK.parent / name for name in
                   ("01_one_weight.ipynb", "02_jacobians.ipynb", "03_two_layer_network.ipynb")]


@pytest.mark.parametrize("path, at_least", list(zip(NOTEBOOKS_01_03, (5, 3, 4))), ids=lambda v: getattr(v, "name", v))
def test_stored_figures_have_alt_text_and_fit_the_notebook(path, at_least):
    from helpers import plots

    figures = [o for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]
               for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
    assert len(figures) >= at_least
    for output in figures:
        meta = output["metadata"]["image/png"]
        assert len(meta["alt"]) > 40 and meta["width"] <= plots.OUTPUT_PX, meta


def _smallest_text(fig):
    """The smallest font size among the texts the figure draws (the tick labels of an axes turned
    off are not drawn)."""
    import matplotlib.text

    fig.canvas.draw()
    hidden = {id(t) for ax in fig.axes if not ax.axison
              for axis in (ax.xaxis, ax.yaxis) for t in axis.get_ticklabels(which="both") + [axis.label]}
    return min(t.get_fontsize() for t in fig.findobj(matplotlib.text.Text)
               if t.get_text().strip() and t.get_visible() and id(t) not in hidden)


def test_the_drawing_functions_of_01_03_write_text_at_least_as_large_as_the_body():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers import plots

    plots.setup()
    figures = [
        plots.draw_chain(["$x$", "$a$", "$E$"], ["$w$", (None, "$(a - t)^2$")], captions=["x", "a", "t"],
                         backward=[(2, 1, "back"), (1, ("box", 0), "x")], below=["product"]).figure,
        plots.draw_net([2, 2, 1], [["a", "b"], ["c", "d"], ["E"]], edges={(0, 0, 0): {"label": "w"}},
                       captions=["1", "2", "3"], below=["δ"], title="t").figure,
        plots.plot_chain_paths(c.a0, c.y, {"both": BOTH}, start=(c.w1, c.w2)).figure,
        plots.plot_weight_sequence(nets.descend(X, L.w, T, L.rate, 20), target=T / X).figure,
        plots.draw_learning_rate(X, L.w, T, 0.025),
    ]
    for fig in figures:
        assert _smallest_text(fig) >= plots.legible_size() - 1e-9
        assert fig.get_size_inches()[0] <= plots.max_width_inches()
        plt.close(fig)
    assert plots.legible_size() * plt.rcParams["figure.dpi"] / 72 >= plots.BODY_PX - 1e-9
