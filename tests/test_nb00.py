"""Notebook 00, the calculus you need: every derivative and number it states, checked three ways
(the rule as the registry or helpers.nets computes it, sympy, central differences); its exercises,
the forms a learner hands in, the mistakes that must be named, hints that never give the answer
away, and its mistake corpus (tests/corpus/nb00.py)."""

import ast
import importlib.util
import json
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, nets
from helpers.exercises import nb00
from helpers.symbolic import sigmoid

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "00_calculus.ipynb"
IDS = [i for i in exercises.ids() if i.startswith("0.")]
x, y, z = sp.symbols("x y z", real=True)
w, b = sp.symbols("w b", real=True)


@pytest.fixture(autouse=True)
def _own_progress(tmp_path, monkeypatch):
    """check() records progress: never in the course's own .progress.json."""
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))


def _cells():
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _text(cell):
    return "".join(cell["source"])


def _outputs():
    """All the text the stored notebook shows: printed lines and plain-text results."""
    parts = []
    for cell in _cells():
        for out in cell.get("outputs", []):
            parts.append("".join(out.get("text", "")) + "".join(out.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def _three_ways(expr, var, rule, points, rtol=1e-9):
    """rule (a sympy expression) is sympy's derivative of expr in var, exactly, and agrees with
    central differences of expr at each point (a dict of the other symbols' values, plus var's)."""
    assert sp.simplify(sp.diff(expr, var) - rule) == 0, (expr, rule)
    for at in points:
        others = {s: v for s, v in at.items() if s != var}
        along = sp.lambdify(var, expr.subs(others))
        numeric = gradcheck.numerical_gradient(along, float(at[var]))
        exact = float(rule.subs(at))
        assert gradcheck.rel_error(exact, numeric) < rtol, (expr, at, exact, numeric)


# --- the exercises: the reference is the rule's result, sympy's and central differences' --------


def test_notebook_00_has_ten_exercises_in_order_and_they_are_in_the_notebook():
    assert IDS == [f"0.{k}" for k in range(1, 11)]
    used = re.findall(r'check\("(0\.\d+)"', "".join(_text(c) for c in _cells() if "exercise" in c["metadata"].get("tags", [])))
    assert used == IDS


SYMBOLIC = {
    # exercise: (the function, the variable, points where central differences are taken)
    "0.2": (nb00.CHAIN, x, [{x: v} for v in (-1.5, 0.3, 2.0)]),
    "0.3": (nb00.GAUSS, x, [{x: v} for v in (-1.5, 0.3, 2.0)]),
    "0.4": (nb00.RECIPROCAL, x, [{x: v} for v in (-1.5, 0.3, 2.0)]),
    "0.5": (nb00.LOG, x, [{x: v} for v in (0.3, 1.0, 2.5)]),          # log(2x) is real for x > 0
    "0.6": (nb00.QUOTIENT, x, [{x: v} for v in (-1.5, 0.3, 2.0)]),
    "0.7": (nb00.TWO, y, [{x: 1.0, y: 0.5}, {x: -0.5, y: 2.0}, {x: 1.3, y: -0.7}]),
    "0.9": (sigmoid(z), z, [{z: v} for v in (-2.0, 0.0, 1.2)]),
}


@pytest.mark.parametrize("exercise_id", sorted(SYMBOLIC))
def test_each_symbolic_answer_is_the_derivative_three_ways(exercise_id):
    expr, var, points = SYMBOLIC[exercise_id]
    _three_ways(expr, var, exercises.expected(exercise_id), points)


def test_0_1_the_secant_three_ways():
    """The secant slope of x³ from 2 to 2.1: the reference, sympy's exact rational, and the algebra
    ((x + h)³ − x³)/h = 3x² + 3xh + h²; and it is steeper than the tangent's 12, as the notebook says."""
    reference = exercises.expected("0.1")
    x0, h = sp.Rational(2), sp.Rational(1, 10)
    exact = ((x0 + h) ** 3 - x0**3) / h
    algebra = 3 * x0**2 + 3 * x0 * h + h**2
    assert exact == algebra == sp.Rational(1261, 100)
    assert reference == pytest.approx(float(exact), rel=1e-12)
    tangent = float(sp.diff(x**3, x).subs(x, 2))
    assert tangent == 12 == pytest.approx(gradcheck.numerical_gradient(nb00.cube, 2.0), rel=1e-12)
    assert reference > tangent


def test_0_8_the_gradient_three_ways():
    reference = exercises.expected("0.8")
    E = (nb00.LINE.x * w + b - nb00.LINE.t) ** 2
    at = {w: nb00.LINE.w, b: nb00.LINE.b}
    exact = np.array([float(sp.diff(E, v).subs(at)) for v in (w, b)])
    numeric = gradcheck.numerical_gradient(lambda p: nb00.line_error(*p), np.array([nb00.LINE.w, nb00.LINE.b]))
    assert gradcheck.rel_error(reference, exact) < 1e-12
    assert gradcheck.rel_error(reference, numeric) < 1e-9
    np.testing.assert_allclose(reference, [-3.3, -2.2], atol=1e-12)       # what the notebook prints


def test_0_10_one_neurons_gradient_three_ways():
    reference = exercises.expected("0.10")
    E = (sigmoid(nb00.NEURON.x * w) - nb00.NEURON.t) ** 2
    exact = float(sp.diff(E, w).subs(w, nb00.NEURON.w))
    numeric = gradcheck.numerical_gradient(nb00.neuron_error, nb00.NEURON.w)
    assert gradcheck.rel_error(reference, exact) < 1e-12
    assert gradcheck.rel_error(reference, numeric) < 1e-9
    assert f"{reference:.12f}" in _outputs()                              # the three lines the notebook prints


# --- every other number the notebook states -------------------------------------------------------


def test_section_1_secants_of_x_squared_close_in_on_2():
    """(f(1 + h) − f(1))/h = 2 + h for f = x² (the printed table and the figure's slopes), the
    tangent's slope 2 three ways, and f(3.01) − f(3) = 0.0601 against f′(3)·0.01 = 0.06."""
    h = sp.Symbol("h", positive=True)
    assert sp.simplify(((1 + h) ** 2 - 1) / h - (2 + h)) == 0
    shown = _outputs()
    for step, slope in [(1, "3.000000"), (0.1, "2.100000"), (0.01, "2.010000"), (0.001, "2.001000")]:
        assert f"{((1 + step) ** 2 - 1) / step:.6f}" == slope and slope in shown
    for step, slope in [(1.0, "3"), (0.5, "2.5"), (0.2, "2.2")]:                      # the figure's secants
        assert f"{((1 + step) ** 2 - 1) / step:g}" == slope and f"with slope {slope}," in shown
    _three_ways(x**2, x, 2 * x, [{x: 1.0}, {x: 3.0}])
    assert sp.Rational(301, 100) ** 2 - 9 == sp.Rational(601, 10000)                 # 0.0601
    assert sp.Rational(601, 10000) - 2 * 3 * sp.Rational(1, 100) == sp.Rational(1, 100) ** 2
    assert "f(3.01) − f(3) = 0.0601     f′(3) · 0.01 = 0.0600" in shown


def test_section_2_one_sided_and_central_differences():
    """One-sided (x³ at 1): 3 + 3h + h²; central: 3 + h² (errors 3e-01 … 1e-06 as printed); the
    four-point estimate gives 3 to twelve places; and the central error is smallest near h = 1e-5
    (the figure's claim), with rounding spoiling both below."""
    h = sp.Symbol("h", positive=True)
    assert sp.expand(((1 + h) ** 3 - 1) / h) == 3 + 3 * h + h**2
    assert sp.expand(((1 + h) ** 3 - (1 - h) ** 3) / (2 * h)) == 3 + h**2
    shown = _outputs()
    for step in (0.1, 0.01, 0.001):
        one_sided, central = 3 * step + step**2, step**2
        assert f"one-sided {3 + one_sided:.9f} (error {one_sided:.0e})" in shown
        assert f"central {3 + central:.9f} (error {central:.0e})" in shown
    g = lambda v: v**3  # noqa: E731 - as the notebook writes it
    steps = np.logspace(-12, -1, 23)
    central = np.array([abs((g(1 + s) - g(1 - s)) / (2 * s) - 3) for s in steps])
    one_sided = np.array([abs((g(1 + s) - g(1)) / s - 3) for s in steps])
    assert 1e-6 <= steps[np.argmin(central)] <= 1e-4 and central.min() < 1e-9
    assert central[0] > 1e-6 and one_sided[0] > 1e-6                              # rounding at h = 1e-12
    assert np.all(central[-8:] < one_sided[-8:] / 10)                              # far lower for h ≥ 1e-4.5
    # the one-sided estimate keeps improving well below 1e-5, to its best near h = 1e-8 (the alt says so)
    assert 1e-9 <= steps[np.argmin(one_sided)] <= 1e-7 and one_sided.min() < 1e-8
    alts = [o.get("metadata", {}).get("image/png", {}).get("alt", "") for c in _cells() for o in c.get("outputs", [])]
    (alt,) = [a for a in alts if "one-sided" in a]
    assert "The central error is smallest, 5·10⁻¹², at h = 3·10⁻⁶" in alt and central.min() < 6e-12
    assert "the one-sided error is smallest, 4·10⁻⁹, at h = 1·10⁻⁸" in alt and one_sided.min() < 5e-9
    assert f"{gradcheck.numerical_gradient(g, 1.0):.12f}" == "3.000000000000" and "3.000000000000" in shown


def test_section_3_the_chain_at_x_equals_2():
    """u = 5, du/dx = 4, dy/du = 75, dy/dx = 300 for y = (x² + 1)³ (figure and printout), three ways."""
    u = x**2 + 1
    du_dx, dy_du = sp.diff(u, x).subs(x, 2), sp.diff(sp.Symbol("u") ** 3, sp.Symbol("u")).subs(sp.Symbol("u"), 5)
    assert (u.subs(x, 2), du_dx, dy_du, du_dx * dy_du) == (5, 4, 75, 300)
    _three_ways(u**3, x, 3 * u**2 * 2 * x, [{x: 2.0}, {x: -0.5}])
    assert "u = 5,  du/dx = 4,  dy/du = 75,  dy/dx = dy/du · du/dx = 300" in _outputs()


def test_section_6_partials_at_2_1_three_ways():
    """E(2, 1) = 4, ∂E/∂w = 6, ∂E/∂b = 4 (printed and in the figure), and ∂f/∂x, ∂f/∂y of x²y + 3y."""
    E = (nb00.LINE.x * w + b - nb00.LINE.t) ** 2
    at = {w: 2.0, b: 1.0}
    assert float(E.subs(at)) == 4
    exact = [float(sp.diff(E, v).subs(at)) for v in (w, b)]
    numeric = gradcheck.numerical_gradient(lambda p: nb00.line_error(*p), np.array([2.0, 1.0]))
    reference = nb00.line_gradient(2.0, 1.0)
    assert exact == [6.0, 4.0] and gradcheck.rel_error(reference, exact) < 1e-12 and gradcheck.rel_error(reference, numeric) < 1e-9
    assert "E(2, 1) = 4,  ∂E/∂w = 6,  ∂E/∂b = 4" in _outputs()
    _three_ways(x**2 * y + 3 * y, x, 2 * x * y, [{x: 1.0, y: 2.0}])
    _three_ways(x**2 * y + 3 * y, y, x**2 + 3, [{x: 1.0, y: 2.0}])


def test_section_7_sigmoid_derivative_three_ways():
    """σ′ = σ(1 − σ): nets.sigmoid_prime, sympy and central differences at the notebook's points."""
    assert sp.simplify(sp.diff(sigmoid(z), z) - sigmoid(z) * (1 - sigmoid(z))) == 0
    shown = _outputs()
    for z0 in (-2.0, 0.0, 1.0):
        reference = nets.sigmoid_prime(z0)
        exact = float(sp.diff(sigmoid(z), z).subs(z, z0))
        numeric = gradcheck.numerical_gradient(nets.sigmoid, z0)
        assert gradcheck.rel_error(reference, exact) < 1e-12 and gradcheck.rel_error(reference, numeric) < 1e-9
        assert f"nets.sigmoid_prime {reference:.9f}   central differences {numeric:.9f}" in shown


def test_every_rule_and_central_difference_line_the_notebook_prints_agree():
    lines = re.findall(r"rule\s+(-?[\d.]+)\s+central differences\s+(-?[\d.]+)", _outputs())
    assert len(lines) >= 20
    for rule, numeric in lines:
        assert rule == numeric, (rule, numeric)


def test_the_notebooks_inputs_are_the_registrys():
    """The numbers the exercises are checked against are the ones the notebook's cells define."""
    sources = [_text(c) for c in _cells() if c["cell_type"] == "code"]

    def assigned(names):
        for source in sources:
            for node in ast.parse(source).body:
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple) and \
                        [t.id for t in node.targets[0].elts] == names:
                    return ast.literal_eval(node.value)
        raise AssertionError(f"no cell assigns {names}")

    assert assigned(["x_in", "t_in"]) == (nb00.LINE.x, nb00.LINE.t)
    assert assigned(["x_n", "w_n", "t_n"]) == (nb00.NEURON.x, nb00.NEURON.w, nb00.NEURON.t)
    prose = "".join(_text(c) for c in _cells() if c["cell_type"] == "markdown")
    assert "from $x = 2$ to $x = 2.1$" in prose and (nb00.SECANT.x0, nb00.SECANT.x0 + nb00.SECANT.h) == (2.0, 2.1)
    assert f"at $w = {nb00.LINE.w:g}$,\n$b = {nb00.LINE.b:g}$" in prose


# --- what a learner hands in ----------------------------------------------------------------------

F = sp.Function("f")


@pytest.mark.parametrize("exercise_id, answer", [
    ("0.1", (2.1**3 - 2**3) / 0.1),
    ("0.1", 12.61),
    ("0.2", sp.diff((1 - x**2) ** 3, x)),
    ("0.2", sp.expand(-6 * x * (1 - x**2) ** 2)),
    ("0.3", -x * sp.exp(-x**2 / 2)),
    ("0.3", sp.exp(-x**2 / 2) * (-sp.Rational(1, 2) * 2 * x)),
    ("0.4", -2 * x * (1 + x**2) ** -2),
    ("0.5", 1 / x),                                          # forgetting nothing: the 2 of u = 2x cancels
    ("0.5", sp.diff(sp.log(2 * x), x)),
    ("0.5", 2 / (2 * x)),
    ("0.6", (1 - x**2) / (1 + x**2) ** 2),
    ("0.6", 1 / (1 + x**2) - 2 * x**2 / (1 + x**2) ** 2),   # the product rule on x · (1 + x²)⁻¹
    ("0.7", sp.diff(x**2 * y + sp.exp(x * y), y)),
    ("0.8", [-3.3, -2.2]),
    ("0.8", (2 * (1.5 * 0.8 - 0.3 - 2) * 1.5, 2 * (1.5 * 0.8 - 0.3 - 2))),
    ("0.9", sigmoid(z) * (1 - sigmoid(z))),
    ("0.9", sp.exp(-z) / (1 + sp.exp(-z)) ** 2),
    ("0.9", sp.diff(sigmoid(z), z)),
    ("0.10", 2 * (nets.sigmoid(1.2) - 0.2) * nets.sigmoid_prime(1.2) * 1.5),
])
def test_the_forms_a_learner_hands_in_are_accepted(exercise_id, answer):
    feedback = check(exercise_id, answer)
    assert feedback, str(feedback)


@pytest.mark.parametrize("exercise_id, answer, diagnosis", [
    # the brief's mistakes, as a learner writes them
    ("0.2", 3 * (1 - x**2) ** 2, "mistake:the inner derivative forgotten"),
    ("0.3", sp.exp(-x**2 / 2), "mistake:u′ forgotten"),                               # eᵘ without u′
    ("0.4", -2 * x / (1 + x**2), "mistake:−1/u for d(1/u)/du"),                       # −1/x's pattern
    ("0.5", 1 / (2 * x), "mistake:u′ forgotten"),                                     # the inner factor forgotten
    ("0.6", (1 - x**2) / (1 + x**2), "mistake:the denominator not squared"),
    ("0.6", (x**2 - 1) / (1 + x**2) ** 2, "mistake:the numerator's order swapped"),  # not just "sign"
    ("0.7", 2 * x * y + y * sp.exp(x * y), "mistake:the partial derivative with respect to x"),
    ("0.8", [-2.2, -3.3], "mistake:the two partial derivatives swapped"),
    ("0.9", -sp.exp(-z) / (1 + sp.exp(-z)) ** 2, "mistake:the inner derivative of e^(−z) forgotten"),
])
def test_the_mistakes_the_notebook_warns_of_are_named(exercise_id, answer, diagnosis):
    feedback = check(exercise_id, answer)
    assert not feedback and feedback.diagnosis == diagnosis, str(feedback)


def _at_points(value):
    """A value as numbers: an expression at a few points of its symbols' domain, an array as it is."""
    if not isinstance(value, sp.Basic):
        return np.ravel(np.asarray(value, dtype=float))
    points = [{x: 0.7, y: -1.3, z: 0.4}, {x: 1.9, y: 0.6, z: -2.2}]
    return np.array([complex(value.subs(p)) for p in points])


def test_each_exercise_has_five_known_mistakes_none_equal_to_another_or_to_the_answer():
    for exercise_id in IDS:
        exercise = exercises.get(exercise_id)
        values = [_at_points(v) for v in [exercise.expected()] + [m.value() for m in exercise.mistakes]]
        assert len(values) >= 6, exercise_id
        for k, value in enumerate(values):
            for other in values[k + 1:]:
                assert not np.allclose(value, other, rtol=1e-3), exercise_id


# --- hints: where to start, then the method with a step left; never the answer ------------------

GIVEAWAYS = {
    # the answer as a learner would read it, in the spellings a hint could use
    "0.1": ["12.61", "1.261", "/0.1", "/ 0.1"],
    "0.2": ["−6x", "-6x", "-6*x", "6x(1", "(−2x)", "(-2x)", "· −2x", "· (−2x)"],
    "0.3": ["−x·e", "-x*exp", "−x e", "u′ = −x", "-x"],
    "0.4": ["−2x/", "-2x/", "2x/(1 + x²)²", "(1 + x²)²"],
    "0.5": ["1/x", "= 1/x", "log 2 + log x"],
    "0.6": ["1 − x²", "1 - x**2", "(1 + x²)²", "1 − 2x²", "x² + 1 − 2x²"],
    "0.7": ["x² + x", "x e^(xy)", "x·e^(xy)", "∂u/∂y = x"],
    "0.8": ["3.3", "2.2", "−1.1", "-1.1", "2(−1.1)"],
    "0.9": ["σ(1 − σ)", "σ(z)(1 − σ(z))", "e^(−z)/(1 + e^(−z))²", "(1 − σ"],
    "0.10": ["0.303", "0.30", "0.1779", "0.7685"],
}


@pytest.mark.parametrize("exercise_id", IDS)
def test_hints_never_give_the_answer_away(exercise_id):
    exercise = exercises.get(exercise_id)
    assert len(exercise.hints) == 2
    for text in [*exercise.hints, exercise.hint]:
        for giveaway in GIVEAWAYS[exercise_id]:
            assert giveaway not in text, f"{exercise_id}: {text!r} gives away {giveaway!r}"
    answer = exercises.expected(exercise_id)
    if isinstance(answer, sp.Basic):
        for text in [*exercise.hints, *(m.hint for m in exercise.mistakes)]:
            assert sp.sstr(answer) not in text and sp.pretty(answer, use_unicode=True) not in text


# --- the mistake corpus (contract C4), run here until the corpus runner exists -------------------


def _corpus():
    spec = importlib.util.spec_from_file_location("corpus_nb00", ROOT / "tests" / "corpus" / "nb00.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def test_the_corpus_has_five_real_mistakes_per_exercise_and_each_gets_its_diagnosis():
    from helpers import checking

    cases = _corpus()
    counts = {i: sum(1 for c in cases if c[0] == i) for i in IDS}
    assert all(n >= 5 for n in counts.values()), counts
    failures = []
    for case in cases:
        exercise_id, what, thunk, expected = case[:4]
        checking._LAST.clear()
        for earlier_id, earlier in (case[4] if len(case) > 4 else {}).items():
            check(earlier_id, earlier)
        feedback = check(exercise_id, thunk())
        matches = feedback.diagnosis == expected or (expected.endswith(":") and feedback.diagnosis.startswith(expected))
        if not (feedback.status == "wrong" and matches and feedback.diagnosis != "wrong"):
            failures.append(f"{exercise_id} {what}: expected {expected}, got {feedback.diagnosis}: {feedback.message}")
    checking._LAST.clear()
    assert not failures, "\n".join(failures)


def test_the_learning_goals_do_not_give_0_9s_answer():
    """0.9 asks for σ′ by hand; the short form σ(1 − σ) is derived after it, never stated before."""
    cells = [_text(c) for c in _cells()]
    asked = next(i for i, c in enumerate(cells) if 'check("0.9"' in c)
    assert not any(form in c for c in cells[:asked] for form in (r"\sigma(1 - \sigma)", "σ(1 − σ)", r"(1 - \sigma(z))"))
