"""Notebook 01, one weight: C = (a·w − y)² with a = 5.7, w = −23.1, y = 50.1, R = 0.007 (seed 000)."""

import sympy as sp

from helpers import lessons, nets
from helpers.exercises import Exercise, Mistake, register

L = lessons.one_weight()
a, w, y, R = L.a, L.w, L.y, L.rate
C = L.chain
a_s, w_s, y_s, R_s = sp.symbols("a w y R", real=True)


def _dC_da():
    return 2 * (a * w - y)


def _seed_chain_value():
    # seed 000 writes ∂a/∂w = a⁽ᴸ⁾ (= a·w) and so multiplies ∂C/∂a by a·w
    return _dC_da() * (a * w)


register(
    Exercise(
        "1.1", "∂C/∂a at the starting point, a number", _dC_da,
        hint="C = (a_out − y)², so ∂C/∂a_out = 2(a_out − y), with a_out = a·w.",
    ),
    Exercise(
        "1.2", "∂a⁽ᴸ⁾/∂w at the starting point, a number", lambda: a,
        mistakes=(
            Mistake("seed 000's slip ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ = a⁽ᴸ⁾",
                    "The seed divides a·w by w and writes the result as a⁽ᴸ⁾; but (a·w)/w = a, "
                    "the input a⁽ᴸ⁻¹⁾, and that is the derivative.", lambda: a * w),
        ),
        hint="a⁽ᴸ⁾ = a⁽ᴸ⁻¹⁾·w is linear in w.",
    ),
    Exercise(
        "1.3", "∂C/∂w at the starting point, a number", lambda: nets.one_weight_grad(a, w, y),
        mistakes=(
            Mistake("seed 000's slip ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ = a⁽ᴸ⁾",
                    "You multiplied ∂C/∂a by a·w; the chain rule's second factor is ∂a/∂w = a.",
                    _seed_chain_value),
            Mistake("∂C/∂a instead of ∂C/∂w",
                    "That is only the outer factor: multiply by ∂a/∂w.", _dC_da),
        ),
    ),
    Exercise(
        "1.4", "w after the first gradient-descent step, a number",
        lambda: nets.descend(a, w, y, R, 1)[0],
        mistakes=(
            Mistake("a step uphill (gradient ascent)",
                    "The update subtracts: w ← w − R·∂C/∂w.", lambda: w + R * nets.one_weight_grad(a, w, y)),
            Mistake("the learning rate left out",
                    "The step is R times the gradient, not the gradient itself.",
                    lambda: w - nets.one_weight_grad(a, w, y)),
        ),
    ),
    Exercise(
        "1.5", "the update rule w(k+1) as a sympy expression in w, a, y and R",
        lambda: w_s - R_s * 2 * a_s * (a_s * w_s - y_s),
        mistakes=(
            Mistake("seed 000's slip ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ = a⁽ᴸ⁾",
                    "The factor from ∂a/∂w is a, not a·w.",
                    lambda: w_s - R_s * 2 * (a_s * w_s) * (a_s * w_s - y_s)),
            Mistake("a step uphill (gradient ascent)",
                    "Descent subtracts the gradient.", lambda: w_s + R_s * 2 * a_s * (a_s * w_s - y_s)),
            Mistake("the gradient without the old weight",
                    "The rule gives the new weight: start from w.", lambda: -R_s * 2 * a_s * (a_s * w_s - y_s)),
        ),
    ),
    Exercise(
        "1.6", "the factor q with w(k+1) − w* = q·(w(k) − w*), at R = 0.007, a number",
        lambda: nets.contraction(a, R),
        mistakes=(
            Mistake("the 2 of the square left out",
                    "∂C/∂w = 2a(a·w − y) = 2a²(w − w*), so q = 1 − 2Ra².", lambda: 1 - R * a**2),
        ),
        hint="Write a·w − y as a(w − w*) with w* = y/a, and put it in the update rule.",
    ),
    Exercise(
        "1.7", "the learning rate beyond which gradient descent diverges, a number",
        lambda: 1 / a**2,
        mistakes=(
            Mistake("the edge of monotone convergence",
                    "At R = 1/(2a²) the factor q reaches 0; below it the steps approach w* from one "
                    "side, above it they overshoot but still converge while q > −1.", lambda: 1 / (2 * a**2)),
        ),
        hint="Divergence starts where |q| = |1 − 2Ra²| reaches 1 on the negative side.",
    ),
    Exercise(
        "1.8", "∂C/∂W⁽ᴸ⁻¹⁾ in the two-weight chain, a number",
        lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0,
        mistakes=(
            Mistake("seed 000's four-factor chain",
                    "The seed keeps ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ in the chain for W⁽ᴸ⁻¹⁾. The path from W⁽ᴸ⁻¹⁾ to C "
                    "runs through a⁽ᴸ⁻¹⁾ and a⁽ᴸ⁾ only: ∂a⁽ᴸ⁻¹⁾/∂W⁽ᴸ⁻¹⁾ · ∂a⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ · ∂C/∂a⁽ᴸ⁾.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0 * (C.a0 * C.w1)),
            Mistake("∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ where ∂a⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ belongs",
                    "The middle factor is how a⁽ᴸ⁾ changes with a⁽ᴸ⁻¹⁾: that is W⁽ᴸ⁾, not a⁽ᴸ⁻¹⁾.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * (C.a0 * C.w1) * C.a0),
        ),
        hint="∂C/∂W⁽ᴸ⁻¹⁾ = ∂a⁽ᴸ⁻¹⁾/∂W⁽ᴸ⁻¹⁾ · ∂a⁽ᴸ⁾/∂a⁽ᴸ⁻¹⁾ · ∂C/∂a⁽ᴸ⁾ = a⁽ᴸ⁻²⁾ · W⁽ᴸ⁾ · 2(a⁽ᴸ⁾ − y).",
    ),
)
