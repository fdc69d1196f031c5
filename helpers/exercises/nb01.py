"""Notebook 01, one weight: E = (x·w − t)² with x = 5.7, w = −23.1, t = 50.1, η = 0.007 (seed 000).

The course's notation (docs/notation.md): x the input, w the weight, a = x·w the output, t the
target, E the error, η the learning rate. Seed 000 writes a⁽ᴸ⁻¹⁾ (code `a`) for the input, a⁽ᴸ⁾*
(code `y`) for the target, C for the cost and R for the rate; the lesson file keeps the seed's
keys (a, y, rate), the exercises use the course's names.

Each exercise's ``work`` writes its answer over the quantities the learner has at hand, with the
role of each factor, so that the checker can name the slips learners make (see
``helpers.checking.slips``).
"""

import sympy as sp

from helpers import lessons, nets
from helpers.checking.slips import Quantities, Work, c, q
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


# --- the quantities a learner has at hand, and which ones they take one for another ----------------

SQUARE = "the 2 from differentiating the square"


def _one_weight(values):
    """x, w, t, η and the output a = x·w (numbers, or the sympy symbols), with their confusions."""
    Q = Quantities()
    X, W, T, ETA = values
    Q.add("x", X, "the input x")
    Q.add("w", W, "the weight w")
    Q.add("t", T, "the target t")
    Q.add("η", ETA, "the learning rate η")
    Q.add("a", X * W, "the output a = x·w")
    Q.confuse(("x", "w", "a"), ("a", "t"))
    return Q


Q1 = _one_weight((x, w, t, eta))
QS = _one_weight((x_s, w_s, t_s, eta_s))


def _dE_da_tree(Q):
    return (c(2, SQUARE) * (Q["a"] - Q["t"])).named("∂E/∂a, how the error moves with the output")


def _grad_tree(Q):
    """∂E/∂w = ∂a/∂w · ∂E/∂a, with ∂a/∂w = x; and what learners write in its place."""
    slope = Q["x"].named("∂a/∂w, how the output moves with the weight")
    grad = (slope * _dE_da_tree(Q)).named("∂E/∂w")
    grad.alt(Q["w"] * (c(2) * (Q["a"] - Q["t"])),
             "the derivative is taken with respect to x, where the variable is the weight w", "wrong-variable")
    grad.alt((Q["a"] - Q["t"]) ** 2, "E itself stands where its derivative ∂E/∂w belongs", "not-differentiated")
    return grad


def _chain():
    """The two-weight chain x → a⁽¹⁾ = x·w⁽¹⁾ → a⁽²⁾ = a⁽¹⁾·w⁽²⁾ → E = (a⁽²⁾ − t)²."""
    Q = Quantities()
    Q.add("x", C.a0, "the input x")
    Q.add("w⁽¹⁾", C.w1, "the first weight w⁽¹⁾")
    Q.add("w⁽²⁾", C.w2, "the second weight w⁽²⁾")
    Q.add("a⁽¹⁾", C.a0 * C.w1, "the hidden output a⁽¹⁾")
    Q.add("a⁽²⁾", C.a0 * C.w1 * C.w2, "the output a⁽²⁾")
    Q.add("t", C.y, "the target t")
    Q.confuse(("x", "w⁽¹⁾", "a⁽¹⁾"), ("w⁽²⁾", "a⁽¹⁾", "w⁽¹⁾"), ("a⁽¹⁾", "a⁽²⁾"))
    return Q


def _work_1_8():
    Q = _chain()
    last = (c(2, SQUARE) * (Q["a⁽²⁾"] - Q["t"])).named("∂E/∂a⁽²⁾, the last link")
    tree = Q["x"].named("∂a⁽¹⁾/∂w⁽¹⁾, the first link") * Q["w⁽²⁾"].named("∂a⁽²⁾/∂a⁽¹⁾, the middle link") * last
    return Work("∂E/∂w⁽¹⁾", (tree,), neighbours=(
        (Q["a⁽¹⁾"] * last, "∂E/∂w⁽²⁾, the gradient of the second weight, not of the first"),
        (last, "∂E/∂a⁽²⁾, the last link of the chain alone"),
    ))


def _update_tree(Q):
    step = (Q["η"] * _grad_tree(Q)).named("the step η·∂E/∂w")
    return Q["w"] - step


def _work_1_5():
    return Work("the update rule w(k+1)", (_update_tree(QS),))


def _work_1_2():
    slope = Q1["x"].named("∂a/∂w")
    slope.alt(Q1["w"], "the derivative is taken with respect to x, where the variable is the weight w", "wrong-variable")
    return Work("∂a/∂w", (slope,), neighbours=(
        (1.0, "∂w/∂w, the slope of w alone: a = x·w has a factor in front of w"),
        ((Q1["x"] * Q1["w"] - Q1["t"]) ** 2, "the error E itself, not a slope"),
    ))


register(
    Exercise(
        "1.1", "∂E/∂a at the starting point, a number", _dE_da,
        hints=("E depends on the output a through the square (a − t)²: differentiate it with respect to a, "
               "as you would differentiate (u − c)² with respect to u.",
               "The derivative of a square u² is 2u times the derivative of u (the chain rule). Here u = a − t: "
               "what is its derivative with respect to a? Then put in a = x·w at the starting point."),
        work=lambda: Work("∂E/∂a", (_dE_da_tree(Q1),), neighbours=(
            ((Q1["a"] - Q1["t"]) ** 2, "the error E itself, not its derivative"),)),
    ),
    Exercise(
        "1.2", "∂a/∂w at the starting point, a number", lambda: x,
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "The seed divides the output by w and calls the quotient the output a; but that quotient "
                    "is not the output, and the slope of a = x·w in w is the factor in front of w.", lambda: x * w),
        ),
        hints=("The output a = x·w is a straight line in w: how much does a change when w grows by 1?",
               "When only w varies, everything else in x·w is a constant factor, and the slope of c·w in w "
               "is c. Which quantity plays c here?"),
        work=_work_1_2,
    ),
    Exercise(
        "1.3", "∂E/∂w at the starting point, a number", lambda: nets.one_weight_grad(x, w, t),
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "You multiplied ∂E/∂a by the output x·w; the chain rule's second factor is ∂a/∂w, the "
                    "slope of the output in the weight (exercise 1.2).",
                    _seed_chain_value),
            Mistake("∂E/∂a instead of ∂E/∂w",
                    "That is only the outer factor: the chain rule multiplies it by ∂a/∂w.", _dE_da),
        ),
        hints=("The chain rule: the error depends on w only through the output a. Which two rates of change "
               "have you computed already?",
               "Follow the path w → a → E: the chain rule takes one rate of change per link. Which of your "
               "earlier answers is the rate of each link, and how does the chain rule combine them?"),
        upstream=("1.1", "1.2"),
        from_upstream=lambda dE_da, da_dw: dE_da * da_dw,
        work=lambda: Work("∂E/∂w", (_grad_tree(Q1),), extras=(
            (Q1["η"], "the learning rate η: that makes the step, not the gradient"),)),
    ),
    Exercise(
        "1.4", "w after the first gradient-descent step, a number",
        lambda: nets.descend(x, w, t, eta, 1)[0],
        mistakes=(
            Mistake("a step uphill (gradient ascent)",
                    "The gradient points uphill; descent moves the other way.",
                    lambda: w + eta * nets.one_weight_grad(x, w, t)),
            Mistake("the learning rate left out",
                    "The step is the gradient scaled by the learning rate, not the gradient itself.",
                    lambda: w - nets.one_weight_grad(x, w, t)),
        ),
        hints=("Start from the old weight and move it against the gradient of 1.3, scaled by the learning rate.",
               "The update rule is shown in the formula above the exercise: which quantity does it subtract "
               "from w₀, and with which factor? Use your ∂E/∂w from 1.3 and η = 0.007."),
        upstream=("1.3",),
        from_upstream=lambda grad: w - eta * grad,
        base=lambda: w,
        work=lambda: Work("the weight after one step", (_update_tree(Q1),)),
    ),
    Exercise(
        "1.5", "the update rule w(k+1) as a sympy expression in w, x, t and η",
        lambda: w_s - eta_s * 2 * x_s * (x_s * w_s - t_s),
        mistakes=(
            Mistake("seed 000's slip ∂a/∂w = a",
                    "The factor from ∂a/∂w is the slope of x·w in w, not the output x·w itself.",
                    lambda: w_s - eta_s * 2 * (x_s * w_s) * (x_s * w_s - t_s)),
            Mistake("a step uphill (gradient ascent)",
                    "Descent moves against the gradient.", lambda: w_s + eta_s * 2 * x_s * (x_s * w_s - t_s)),
            Mistake("the gradient without the old weight",
                    "The rule gives the new weight: it starts from the current one.",
                    lambda: -eta_s * 2 * x_s * (x_s * w_s - t_s)),
        ),
        hints=("Write Exercise 1.4's step with symbols instead of numbers: w_s for the current weight, "
               "eta_s for the rate, x_s and t_s for the input and the target.",
               "The step needs ∂E/∂w as an expression: differentiate E_s with respect to the weight's symbol "
               "(by hand or with sp.diff), then build the update rule of 1.4 around it."),
        work=_work_1_5,
    ),
    Exercise(
        "1.6", "the factor q with w(k+1) − w* = q·(w(k) − w*), at η = 0.007, a number",
        lambda: nets.contraction(x, eta),
        mistakes=(
            Mistake("the 2 of the square left out",
                    "∂E/∂w carries the 2 from differentiating the square, and so does q.",
                    lambda: 1 - eta * x**2),
        ),
        hints=("The table above gives q as a formula in η and x: find it, then put in this lesson's numbers.",
               "Which row of the table has the formula for q? Evaluate it at x = 5.7 and η = 0.007, keeping "
               "every factor (the square included)."),
        work=lambda: Work("the factor q", ((c(1.0, "the 1, the old distance itself")
                                              - c(2, SQUARE) * Q1["η"] * (Q1["x"] ** 2).named("x²")),)),
    ),
    Exercise(
        "1.7", "the learning rate beyond which gradient descent diverges, a number",
        lambda: 1 / x**2,
        mistakes=(
            Mistake("the edge of monotone convergence",
                    "That is where q reaches 0: below it the steps approach w* from one side, above it they "
                    "overshoot but still converge while q > −1.", lambda: 1 / (2 * x**2)),
        ),
        hints=("The distance to w* grows once the factor q falls below −1: find the η where q = −1.",
               "Write the equation q = −1 with q as a formula in η and x, and solve it for η "
               "(sp.solve can do it), then put in x = 5.7."),
        work=lambda: Work("the largest stable learning rate", (
            c(2, "the 2 of 1 − q = 2") / (c(2, SQUARE) * Q1["x"] ** 2).named("2x²"),)),
    ),
    Exercise(
        "1.8", "∂E/∂w⁽¹⁾ in the two-weight chain, a number",
        lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0,
        mistakes=(
            Mistake("seed 000's four-factor chain",
                    "The seed keeps ∂a⁽ᴸ⁾/∂W⁽ᴸ⁾ (here ∂a⁽²⁾/∂w⁽²⁾) in the chain for the first weight. "
                    "The path from w⁽¹⁾ to E runs through a⁽¹⁾ and a⁽²⁾ only: one factor per link.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * C.w2 * C.a0 * (C.a0 * C.w1)),
            Mistake("∂a⁽²⁾/∂w⁽²⁾ where ∂a⁽²⁾/∂a⁽¹⁾ belongs",
                    "The middle factor is how a⁽²⁾ changes with a⁽¹⁾, not with w⁽²⁾: a⁽²⁾ = a⁽¹⁾·w⁽²⁾, "
                    "and the slope in a⁽¹⁾ is the factor in front of it.",
                    lambda: 2 * (C.a0 * C.w1 * C.w2 - C.y) * (C.a0 * C.w1) * C.a0),
        ),
        hints=("Follow the path from w⁽¹⁾ to E, x → a⁽¹⁾ → a⁽²⁾ → E: one factor per link that starts at w⁽¹⁾.",
               "Three links: ∂a⁽¹⁾/∂w⁽¹⁾, ∂a⁽²⁾/∂a⁽¹⁾ and ∂E/∂a⁽²⁾. Each is a slope you have met in this "
               "notebook (a product's slope in one factor, a square's slope): find each, then multiply."),
        work=_work_1_8,
    ),
)
