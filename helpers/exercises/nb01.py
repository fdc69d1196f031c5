"""Notebook 01, one weight: E = (x·w − t)² with x = 5.7, w = −23.1, t = 50.1, η = 0.007 (seed 000).

The course's notation (docs/notation.md): x the input, w the weight, a = x·w the output, t the
target, E the error, η the learning rate. Seed 000 writes a⁽ᴸ⁻¹⁾ (code `a`) for the input, a⁽ᴸ⁾*
(code `y`) for the target, C for the cost and R for the rate; the lesson file keeps the seed's
keys (a, y, rate), the exercises use the course's names.
"""

import sympy as sp

from helpers import lessons, nets
from helpers.exercises import Exercise, Mistake, register

L = lessons.one_weight()
x, w, t, eta = L.a, L.w, L.y, L.rate
C = L.chain
x_s, w_s, t_s, eta_s = sp.symbols("x w t eta", real=True)


def _dE_da():
    return 2 * (x * w - t)


def _seed_chain_value():
    # seed 000 writes ∂a/∂w = a⁽ᴸ⁾ (the output x·w) and so multiplies ∂E/∂a by x·w
    return _dE_da() * (x * w)


register(
    Exercise(
        "1.1", "∂E/∂a at the starting point, a number", _dE_da,
        hint="E = (a − t)², so ∂E/∂a = 2(a − t), with a = x·w.",
        hints=("E depends on the output a through (a − t)²: differentiate that square in a, as you "
               "would differentiate (u − c)² in u.",
               "∂E/∂a = 2(a − t); put in a = x·w with x = 5.7, w = −23.1 and t = 50.1."),
    ),
    Exercise(
        "1.2", "∂a/∂w at the starting point, a number", lambda: x,
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "The seed divides x·w by w and writes the result as the output a; but (x·w)/w = x, "
                    "the input, and the derivative of x·w in w is x as well.", lambda: x * w),
        ),
        hint="a = x·w is linear in w.",
        hints=("The output a = x·w is a straight line in w: what is its slope?",
               "d(x·w)/dw = x, the weight's input (not the output x·w)."),
    ),
    Exercise(
        "1.3", "∂E/∂w at the starting point, a number", lambda: nets.one_weight_grad(x, w, t),
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "You multiplied ∂E/∂a by x·w; the chain rule's second factor is ∂a/∂w = x.",
                    _seed_chain_value),
            Mistake("∂E/∂a instead of ∂E/∂w",
                    "That is only the outer factor: multiply by ∂a/∂w.", _dE_da),
        ),
        hints=("The chain rule: ∂E/∂w is the product of your answers to 1.1 and 1.2.",
               "∂E/∂w = ∂a/∂w · ∂E/∂a = x · 2(x·w − t)."),
        upstream=("1.1", "1.2"),
        from_upstream=lambda dE_da, da_dw: dE_da * da_dw,
    ),
    Exercise(
        "1.4", "w after the first gradient-descent step, a number",
        lambda: nets.descend(x, w, t, eta, 1)[0],
        mistakes=(
            Mistake("a step uphill (gradient ascent)",
                    "The update subtracts: w ← w − η·∂E/∂w.", lambda: w + eta * nets.one_weight_grad(x, w, t)),
            Mistake("the learning rate left out",
                    "The step is η times the gradient, not the gradient itself.",
                    lambda: w - nets.one_weight_grad(x, w, t)),
        ),
        hints=("Start from the old weight and move it against the gradient of 1.3.",
               "w₁ = w₀ − η·∂E/∂w, with η = 0.007 and the ∂E/∂w of Exercise 1.3."),
        upstream=("1.3",),
        from_upstream=lambda grad: w - eta * grad,
    ),
    Exercise(
        "1.5", "the update rule w(k+1) as a sympy expression in w, x, t and η",
        lambda: w_s - eta_s * 2 * x_s * (x_s * w_s - t_s),
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "The factor from ∂a/∂w is x, not the output x·w.",
                    lambda: w_s - eta_s * 2 * (x_s * w_s) * (x_s * w_s - t_s)),
            Mistake("a step uphill (gradient ascent)",
                    "Descent subtracts the gradient.", lambda: w_s + eta_s * 2 * x_s * (x_s * w_s - t_s)),
            Mistake("the gradient without the old weight",
                    "The rule gives the new weight: start from w.", lambda: -eta_s * 2 * x_s * (x_s * w_s - t_s)),
        ),
        hints=("Write Exercise 1.4's step with symbols instead of numbers: w_s for the current weight, "
               "eta_s for the rate.",
               "new weight = w − η·∂E/∂w, and ∂E/∂w = x·2(x·w − t); sp.diff(E_s, w_s) gives it too."),
    ),
    Exercise(
        "1.6", "the factor q with w(k+1) − w* = q·(w(k) − w*), at η = 0.007, a number",
        lambda: nets.contraction(x, eta),
        mistakes=(
            Mistake("the 2 of the square left out",
                    "∂E/∂w = 2x(x·w − t) = 2x²(w − w*), so q = 1 − 2ηx².", lambda: 1 - eta * x**2),
        ),
        hint="Write x·w − t as x(w − w*) with w* = t/x, and put it in the update rule.",
        hints=("The table above gives q as a formula in η and x: put in this lesson's numbers.",
               "q = 1 − 2ηx²; it comes from x·w − t = x(w − w*) in the update rule."),
    ),
    Exercise(
        "1.7", "the learning rate beyond which gradient descent diverges, a number",
        lambda: 1 / x**2,
        mistakes=(
            Mistake("the edge of monotone convergence",
                    "At η = 1/(2x²) the factor q reaches 0; below it the steps approach w* from one "
                    "side, above it they overshoot but still converge while q > −1.", lambda: 1 / (2 * x**2)),
        ),
        hint="Divergence starts where |q| = |1 − 2ηx²| reaches 1 on the negative side.",
        hints=("The distance to w* grows once the factor q falls below −1: find the η where q = −1.",
               "Solve 1 − 2ηx² = −1 for η."),
    ),
    Exercise(
        "1.8", "∂E/∂w⁽¹⁾ in the two-weight chain, a number",
        lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0,
        mistakes=(
            Mistake("seed 000's four-factor chain",
                    "The seed keeps ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ (here ∂a⁽²⁾/∂w⁽²⁾ = a⁽¹⁾) in the chain for the first weight. "
                    "The path from w⁽¹⁾ to E runs through a⁽¹⁾ and a⁽²⁾ only: "
                    "∂a⁽¹⁾/∂w⁽¹⁾ · ∂a⁽²⁾/∂a⁽¹⁾ · ∂E/∂a⁽²⁾.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0 * (C.a0 * C.w1)),
            Mistake("∂a⁽²⁾/∂w⁽²⁾ where ∂a⁽²⁾/∂a⁽¹⁾ belongs",
                    "The middle factor is how a⁽²⁾ changes with a⁽¹⁾: that is w⁽²⁾, not a⁽¹⁾.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * (C.a0 * C.w1) * C.a0),
        ),
        hint="∂E/∂w⁽¹⁾ = ∂a⁽¹⁾/∂w⁽¹⁾ · ∂a⁽²⁾/∂a⁽¹⁾ · ∂E/∂a⁽²⁾ = x · w⁽²⁾ · 2(a⁽²⁾ − t).",
        hints=("Follow the path from w⁽¹⁾ to E, x → a⁽¹⁾ → a⁽²⁾ → E: one factor per link that "
               "starts at w⁽¹⁾.",
               "∂E/∂w⁽¹⁾ = ∂a⁽¹⁾/∂w⁽¹⁾ · ∂a⁽²⁾/∂a⁽¹⁾ · ∂E/∂a⁽²⁾ = x · w⁽²⁾ · 2(a⁽²⁾ − t)."),
    ),
)
