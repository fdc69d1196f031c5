"""Notebook 01: every gradient it states, three ways; its exercises and their known mistakes."""

import numpy as np
import pytest
import sympy as sp

from helpers import check, exercises, gradcheck, lessons, nets

L = lessons.one_weight()
a_s, w_s, y_s, R_s = sp.symbols("a w y R", real=True)
C_one = (a_s * w_s - y_s) ** 2
a0_s, W1_s, W2_s = sp.symbols("a_0 W_1 W_2", real=True)
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
    ("1.1", 2 * (5.7 * -23.1 - 50.1) / 2, "factor"),          # the 2 of the square forgotten
    ("1.1", -2 * (5.7 * -23.1 - 50.1), "sign"),
    ("1.2", 5.7 * -23.1, "mistake:seed 000's slip ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ = a⁽ᴸ⁾"),
    ("1.3", 2 * (5.7 * -23.1 - 50.1), "mistake:∂C/∂a instead of ∂C/∂w"),
    ("1.3", -2072.2, "rounded"),
    ("1.4", -23.1 + 0.007 * -2072.178, "mistake:a step uphill (gradient ascent)"),
    ("1.5", w_s - R_s * 2 * a_s * w_s * (a_s * w_s - y_s), "mistake:seed 000's slip ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ = a⁽ᴸ⁾"),
    ("1.5", w_s - R_s * a_s * (a_s * w_s - y_s), "wrong"),
    ("1.6", 1 - 0.007 * 5.7**2, "mistake:the 2 of the square left out"),
    ("1.7", 1 / (2 * 5.7**2), "mistake:the edge of monotone convergence"),
    ("1.8", 12596.661 * 5.7, "mistake:seed 000's four-factor chain"),
    ("1.8", 2 * (5.7 * -23.1 - 50.1) * 5.7 * 1.5, "mistake:∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ where ∂a⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ belongs"),
])
def test_typical_wrong_answers_get_their_diagnosis(exercise_id, answer, diagnosis):
    feedback = check(exercise_id, answer)
    assert not feedback and feedback.diagnosis == diagnosis, str(feedback)


def test_the_update_rule_in_any_equivalent_form():
    assert check("1.5", w_s * (1 - 2 * R_s * a_s**2) + 2 * R_s * a_s * y_s)
    assert check("1.5", sp.expand(w_s - R_s * sp.diff(C_one, w_s)))
