"""Notebook 00, the calculus you need: rates, the chain rule, eᵘ, 1/u, log u, the quotient rule,
partial derivatives and the gradient, and the sigmoid's derivative.

Symbolic answers are built from the symbols the notebook defines, ``x, y, z = sp.symbols("x y z",
real=True)``; the checker matches them by name. log is the natural logarithm (sympy's ``log``).
Each expected value is written the way the rule of its section gives it (the tests compare it
with sympy's own derivative and with central differences); each known mistake is the computation
a learner does instead, not a perturbation of the answer.

The numbers of the numeric exercises are the notebook's: stated once here (``SECANT``, ``LINE``,
``NEURON``) and in the notebook's cells, and tests/test_nb00.py checks that the two agree.
"""

from types import SimpleNamespace

import numpy as np
import sympy as sp

from helpers import nets
from helpers.checking import slips as S
from helpers.checking.slips import Quantities, Work, c, q
from helpers.exercises import Exercise, Mistake, register
from helpers.symbolic import sigmoid

x, y, z = sp.symbols("x y z", real=True)

# 0.1: the secant of f(x) = x³ from x0 to x0 + h
SECANT = SimpleNamespace(x0=2.0, h=0.1)
# 0.8: E(w, b) = (x·w + b − t)², one input x with its target t, at the point (w, b)
LINE = SimpleNamespace(x=1.5, t=2.0, w=0.8, b=-0.3)
# 0.10: E(w) = (σ(x·w) − t)², one sigmoid neuron
NEURON = SimpleNamespace(x=1.5, t=0.2, w=0.8)


def cube(v):
    return v**3


def secant_slope(f, x0, h):
    """The slope of the secant of f from x0 to x0 + h: rise over run."""
    return (f(x0 + h) - f(x0)) / h


def line_error(w, b, p=LINE):
    return (p.x * w + b - p.t) ** 2


def line_gradient(w, b, p=LINE):
    """∇E = (∂E/∂w, ∂E/∂b) of E = (x·w + b − t)²: the outer factor 2(x·w + b − t) times each inner one."""
    outer = 2 * (p.x * w + b - p.t)
    return np.array([outer * p.x, outer * 1.0])


def neuron_error(w, p=NEURON):
    return (nets.sigmoid(p.x * w) - p.t) ** 2


def neuron_gradient(w, p=NEURON):
    """dE/dw = dE/da · da/dz · dz/dw = 2(a − t) · σ(z)(1 − σ(z)) · x, with z = x·w and a = σ(z)."""
    zv = p.x * w
    a = nets.sigmoid(zv)
    return 2 * (a - p.t) * nets.sigmoid_prime(zv) * p.x


def _line_outer():
    return 2 * (LINE.x * LINE.w + LINE.b - LINE.t)


def _neuron_parts():
    zv = NEURON.x * NEURON.w
    a = nets.sigmoid(zv)
    return zv, a, 2 * (a - NEURON.t)


# the notebook's functions, as sympy expressions
CHAIN = (1 - x**2) ** 3                 # 0.2
GAUSS = sp.exp(-x**2 / 2)               # 0.3
RECIPROCAL = 1 / (1 + x**2)             # 0.4
LOG = sp.log(2 * x)                     # 0.5
QUOTIENT = x / (1 + x**2)               # 0.6
TWO = x**2 * y + sp.exp(x * y)          # 0.7


# --- how each answer is computed, for naming the slips learners make in it (helpers.checking.slips) ---

X = q("x", x, "x")
POWER = "the exponent the power rule brings down"


def _work_0_1():
    x0 = q("x0", SECANT.x0, "the left end x = 2")
    x1 = q("x1", SECANT.x0 + SECANT.h, "the right end x = 2.1")
    rise = (x1 ** 3 - x0 ** 3).named("the rise f(2.1) − f(2)")
    run = (x1 - x0).named("the run, how far x moves")
    return Work("the secant's slope", (rise / run,), neighbours=(
        (c(3.0) * x1 ** 2, "the tangent's slope at one end (the power rule), not the secant's through both points"),))


def _work_chain(outer_power, inner, inner_slope, label, inner_label):
    """d/dx uⁿ (or 1/u as u⁻¹) = n·uⁿ⁻¹ · u′, with u the inner function: 0.2, 0.4, 0.5."""
    u = q("u", inner, inner_label)
    n = outer_power
    outer = (c(n, POWER) * u ** (n - 1)).named("dy/du, the outer function's rate") if n != 1 else None
    tree = (outer * inner_slope.named("du/dx, the inner function's slope"))
    return Work(label, (tree,))


def _work_0_2():
    return _work_chain(3, 1 - x**2, c(-2.0, "the −2 of the inner function's slope") * X, "d/dx (1 − x²)³",
                       "the inner function u = 1 − x²")


def _work_0_4():
    return _work_chain(-1, 1 + x**2, c(2.0, "the 2 of the inner function's slope") * X, "d/dx 1/(1 + x²)",
                       "the inner function u = 1 + x²")


def _work_0_5():
    u = q("u", 2 * x, "the inner function u = 2x")
    outer = (u ** -1).named("d(log u)/du = 1/u, the outer function's rate")
    return Work("d/dx log(2x)", (outer * c(2.0, "u′ = 2, the inner function's slope"),), neighbours=(
        (u * c(2.0), "u · u′: the outer rate of log u is 1/u, not u"),))


def _work_0_6():
    f, g = X, q("g", 1 + x**2, "the denominator g = 1 + x²")
    f1, g1 = c(1.0, "f′"), (c(2.0) * X).named("g′, the denominator's slope")
    top = (f1 * g - f * g1).named("the numerator f′g − fg′")
    return Work("d/dx x/(1 + x²)", (top / g ** 2,))


def _work_0_7():
    xy = q("xy", x * y, "the exponent u = xy")
    first = (X ** 2).named("∂(x²y)/∂y, the first term's rate")
    first.alt(c(2.0) * X * q("y", y, "y"),
              "the first term is differentiated with respect to x, where the variable is y", "wrong-variable")
    second = (S.exp(xy) * X.named("∂u/∂y, the exponent's rate")).named("∂e^(xy)/∂y, the second term's rate")
    return Work("∂f/∂y", (first + second,))


def _work_0_9():
    zq = q("z", z, "z")
    s = S.sigmoid(zq).named("σ(z)")
    return Work("σ′(z)", (S.dsigmoid(zq).named("σ′(z)"), s * (c(1.0) - s)), neighbours=(
        (s, "σ itself, not its derivative"),))


def _work_0_10():
    Q = Quantities()
    Q.add("x", NEURON.x, "the input x")
    Q.add("w", NEURON.w, "the weight w")
    Q.add("t", NEURON.t, "the target t")
    zv = NEURON.x * NEURON.w
    Q.add("z", zv, "the net input z = x·w")
    Q.add("a", nets.sigmoid(zv), "the output a = σ(z)")
    Q.confuse(("z", "a"), ("z", "x", "w"))
    Q.confuse_one_way("a", "t")
    last = (c(2.0, "the 2 of the square") * (Q["a"] - Q["t"])).named("dE/da, the last link")
    slope = S.dsigmoid(Q["z"]).named("da/dz = σ′(z), the sigmoid's slope")
    tree = last * slope * Q["x"].named("dz/dw = x, the first link")
    return Work("dE/dw", (tree,), neighbours=((last * slope, "dE/dz, the chain one link short of w"),))


register(
    Exercise(
        "0.1", "the slope of the secant of f(x) = x³ from x = 2 to x = 2.1, a number",
        lambda: secant_slope(cube, SECANT.x0, SECANT.h),
        mistakes=(
            Mistake("the rise not divided by the run",
                    "f(2.1) − f(2) is how far f rises; a slope is that rise per unit of x: divide it by the "
                    "run, the distance between the two x's.",
                    lambda: cube(SECANT.x0 + SECANT.h) - cube(SECANT.x0)),
            Mistake("the tangent's slope instead of the secant's",
                    "The power rule gives the slope of the tangent at x = 2, the limit of the secants. The "
                    "exercise asks for the secant itself: the straight line through the two points of the curve.",
                    lambda: 3 * SECANT.x0**2),
            Mistake("f(x) not subtracted",
                    "The rise is the difference of the two values of f, f(2.1) − f(2), not f(2.1) alone.",
                    lambda: cube(SECANT.x0 + SECANT.h) / SECANT.h),
            Mistake("the run taken as the second x",
                    "The run is how far x moves, from 2 to 2.1: the difference of the two x's, not 2.1 itself.",
                    lambda: (cube(SECANT.x0 + SECANT.h) - cube(SECANT.x0)) / (SECANT.x0 + SECANT.h)),
            Mistake("the ratio of the two values of f",
                    "f(2.1)/f(2) says by what factor f grew; a slope is a difference over a difference: "
                    "(change in f)/(change in x).",
                    lambda: cube(SECANT.x0 + SECANT.h) / cube(SECANT.x0)),
        ),
        work=_work_0_1,
        hints=("A slope is rise over run. Work out f at both ends of the secant first: f(2) and f(2.1).",
               "Subtract the two values of f (that is the rise), then divide by the run, how far x moved "
               "between the two points. In Python, x³ is x**3."),
    ),
    Exercise(
        "0.2", "d/dx (1 − x²)³, a sympy expression in x",
        lambda: 3 * (1 - x**2) ** 2 * (-2 * x),
        mistakes=(
            Mistake("the inner derivative forgotten",
                    "3(1 − x²)² is dy/du with u = 1 − x²; the chain rule multiplies it by du/dx, the slope "
                    "of the inner function.",
                    lambda: 3 * (1 - x**2) ** 2),
            Mistake("the inner derivative's minus sign lost",
                    "The inner function 1 − x² falls as x grows: its derivative carries a minus sign.",
                    lambda: 3 * (1 - x**2) ** 2 * (2 * x)),
            Mistake("the power not lowered",
                    "The derivative of u³ is 3u²: the power drops by one.",
                    lambda: 3 * (1 - x**2) ** 3 * (-2 * x)),
            Mistake("the factors added, not multiplied",
                    "The chain rule multiplies the rates along the chain: dy/du times du/dx.",
                    lambda: 3 * (1 - x**2) ** 2 + (-2 * x)),
            Mistake("the inner derivative put inside the outer one",
                    "dy/du = 3u² is taken at u = 1 − x², the inner function itself; its derivative −2x "
                    "comes as a separate factor.",
                    lambda: 3 * (-2 * x) ** 2),
            Mistake("u replaced by x in dy/du",
                    "dy/du = 3u² must be read at u = 1 − x², not at x: put the inner function back in.",
                    lambda: 3 * x**2 * (-2 * x)),
        ),
        work=_work_0_2,
        hints=("Name the inner function: y = u³ with u = 1 − x². Then the chain has two links, one "
               "rate on each arrow, as in the picture above.",
               "dy/dx = dy/du · du/dx: write dy/du with u = 1 − x² put back in, then multiply by the "
               "inner function's slope du/dx, which is left for you."),
    ),
    Exercise(
        "0.3", "d/dx e^(−x²/2), a sympy expression in x",
        lambda: sp.exp(-x**2 / 2) * (-x),
        mistakes=(
            Mistake("u′ forgotten",
                    "d(eᵘ)/du = eᵘ is only the outer factor: multiply by u′, the derivative of the exponent "
                    "u = −x²/2.",
                    lambda: sp.exp(-x**2 / 2)),
            Mistake("the power rule applied to eᵘ",
                    "The power rule is for xⁿ, a variable raised to a fixed power; in eᵘ the variable is "
                    "in the exponent, and eᵘ is its own derivative (times u′).",
                    lambda: (-x**2 / 2) * sp.exp(-x**2 / 2 - 1)),
            Mistake("the ½ of the exponent lost",
                    "u = −x²/2 = −½x², so u′ = −½ · 2x: the ½ and the 2 meet.",
                    lambda: sp.exp(-x**2 / 2) * (-2 * x)),
            Mistake("the minus sign of the exponent lost",
                    "u = −x²/2 falls as |x| grows: u′ carries the minus sign.",
                    lambda: sp.exp(-x**2 / 2) * x),
            Mistake("multiplied by u, not by u′",
                    "The chain rule's second factor is the derivative of the exponent u = −x²/2, not u itself.",
                    lambda: sp.exp(-x**2 / 2) * (-x**2 / 2)),
            Mistake("the exponent differentiated in place",
                    "eᵘ keeps its exponent: d(eᵘ)/dx = eᵘ · u′, with u itself (not u′) still in the exponent.",
                    lambda: sp.exp(-x)),
        ),
        hints=("This is eᵘ with u = −x²/2: find the row of the table that fits, then work out u′.",
               "d(eᵘ)/dx = eᵘ · u′: the exponential stays exactly as it is. Left for you: u′ for u = −x²/2."),
    ),
    Exercise(
        "0.4", "d/dx 1/(1 + x²), a sympy expression in x",
        lambda: -1 / (1 + x**2) ** 2 * (2 * x),
        mistakes=(
            Mistake("u′ forgotten",
                    "−1/u² is d(1/u)/du; with u = 1 + x², multiply by u′ as well.",
                    lambda: -1 / (1 + x**2) ** 2),
            Mistake("−1/u for d(1/u)/du",
                    "1/u = u⁻¹, and the power rule gives −1·u⁻²: the denominator is squared.",
                    lambda: -1 / (1 + x**2) * (2 * x)),
            Mistake("the minus sign of d(1/u)/du lost",
                    "1/u = u⁻¹ and the power rule brings down the exponent −1: 1/u falls where u grows.",
                    lambda: 1 / (1 + x**2) ** 2 * (2 * x)),
            Mistake("one over the derivative",
                    "The derivative of 1/u is not 1/u′: differentiate u⁻¹ with the power rule, then "
                    "multiply by u′.",
                    lambda: 1 / (2 * x)),
            Mistake("log's rule u′/u used for 1/u",
                    "u′/u is the derivative of log u. For 1/u = u⁻¹ the power rule gives −u⁻², times u′.",
                    lambda: (2 * x) / (1 + x**2)),
        ),
        work=_work_0_4,
        hints=("This is 1/u with u = 1 + x². Write 1/u as a power of u, and the power rule does the rest.",
               "d(1/u)/dx = d(u⁻¹)/du · u′: apply the power rule to u⁻¹ (mind the sign and the new power), "
               "then multiply by u′."),
    ),
    Exercise(
        "0.5", "d/dx log(2x), a sympy expression in x (log is the natural logarithm)",
        lambda: 1 / (2 * x) * 2,
        mistakes=(
            Mistake("u′ forgotten",
                    "1/u = 1/(2x) is only the outer factor: with u = 2x the chain rule multiplies it by u′.",
                    lambda: 1 / (2 * x)),
            Mistake("u′ used but u replaced by x",
                    "You multiplied by u′ = 2 but read the outer factor 1/u at x, not at u = 2x: put the "
                    "inner function back into 1/u.",
                    lambda: 2 / x),
            Mistake("the logarithm taken to base 10",
                    "In the course (and in numpy and sympy) log is the natural logarithm, whose derivative is "
                    "1/u; 1/(u ln 10) belongs to log₁₀.",
                    lambda: 1 / (2 * x * sp.log(10)) * 2),
            Mistake("1/u's rule used for log u",
                    "−1/u² is the derivative of 1/u; the derivative of log u is 1/u.",
                    lambda: -1 / (2 * x) ** 2 * 2),
            Mistake("eᵘ's rule used for log u",
                    "Only eᵘ is its own derivative: the derivative of log u is 1/u, times u′.",
                    lambda: sp.log(2 * x) * 2),
        ),
        work=_work_0_5,
        hints=("This is log u with u = 2x: the table gives d(log u)/du, and the chain rule adds u′.",
               "d(log u)/dx = (1/u) · u′ with u = 2x. Write both factors and multiply them out; do not "
               "be surprised if something cancels."),
    ),
    Exercise(
        "0.6", "d/dx x/(1 + x²), a sympy expression in x",
        lambda: ((1 + x**2) * 1 - x * (2 * x)) / (1 + x**2) ** 2,
        mistakes=(
            Mistake("the denominator not squared",
                    "The quotient rule divides by g², the square of the denominator: it comes from "
                    "d(1/g)/dx = −g′/g².",
                    lambda: ((1 + x**2) * 1 - x * (2 * x)) / (1 + x**2)),
            Mistake("the numerator's order swapped",
                    "The numerator is f′g − fg′: the numerator's derivative times the denominator comes first "
                    "(swapping them flips the sign).",
                    lambda: (x * (2 * x) - (1 + x**2) * 1) / (1 + x**2) ** 2),
            Mistake("the derivatives divided",
                    "The derivative of f/g is not f′/g′; use the quotient rule (f′g − fg′)/g².",
                    lambda: 1 / (2 * x)),
            Mistake("a plus in the numerator",
                    "f′g + fg′ is the product rule's; for a quotient the term fg′ is subtracted, because "
                    "d(1/g)/dx = −g′/g² is negative where g grows.",
                    lambda: ((1 + x**2) * 1 + x * (2 * x)) / (1 + x**2) ** 2),
            Mistake("only the numerator differentiated",
                    "The denominator depends on x too: f′/g leaves out the term −fg′/g².",
                    lambda: 1 / (1 + x**2)),
        ),
        work=_work_0_6,
        hints=("Name the two parts: f(x) = x on top, g(x) = 1 + x² below, and write down f′ and g′ first.",
               "The quotient rule: (f/g)′ = (f′g − fg′)/g². Put in f, g and the f′, g′ you found; the order "
               "in the numerator matters."),
    ),
    Exercise(
        "0.7", "∂f/∂y for f(x, y) = x²y + e^(xy), a sympy expression in x and y",
        lambda: x**2 + sp.exp(x * y) * x,
        mistakes=(
            Mistake("the partial derivative with respect to x",
                    "∂f/∂y treats x as a constant and differentiates in y; you took ∂f/∂x.",
                    lambda: 2 * x * y + sp.exp(x * y) * y),
            Mistake("the inner factor of e^(xy) forgotten",
                    "e^(xy) is eᵘ with u = xy: multiply by ∂u/∂y.",
                    lambda: x**2 + sp.exp(x * y)),
            Mistake("the inner factor of e^(xy) taken with respect to x",
                    "u = xy, and ∂u/∂y treats x as a constant: differentiate u in y, not in x.",
                    lambda: x**2 + sp.exp(x * y) * y),
            Mistake("e^(xy) treated as a constant",
                    "Only x is held constant; e^(xy) contains y and changes with it.",
                    lambda: x**2),
            Mistake("both partial derivatives added",
                    "∂f/∂y is one partial derivative: x is held constant, so ∂f/∂x is no part of it.",
                    lambda: 2 * x * y + sp.exp(x * y) * y + x**2 + sp.exp(x * y) * x),
        ),
        work=_work_0_7,
        hints=("Hold x fixed: treat it like a number such as 3, and differentiate f in y term by term.",
               "x²y is a constant times y; e^(xy) is eᵘ with u = xy, so the rule of section 4 applies. "
               "Left for you: ∂u/∂y with x held fixed."),
    ),
    Exercise(
        "0.8", "∇E = (∂E/∂w, ∂E/∂b) of E = (x·w + b − t)² at w = 0.8, b = −0.3 (x = 1.5, t = 2), "
               "two numbers in an array",
        lambda: line_gradient(LINE.w, LINE.b),
        mistakes=(
            Mistake("the two partial derivatives swapped",
                    "The gradient lists the partial derivatives in the order of the variables: ∂E/∂w first, "
                    "then ∂E/∂b.",
                    lambda: line_gradient(LINE.w, LINE.b)[::-1]),
            Mistake("the inner factor x forgotten in ∂E/∂w",
                    "Inside the square, x·w + b − t changes with w at the rate x: the chain rule multiplies "
                    "the outer factor by x.",
                    lambda: np.array([_line_outer(), _line_outer()])),
            Mistake("the inner factor x used in ∂E/∂b too",
                    "x·w + b − t changes with b at the rate 1: x belongs to ∂E/∂w only.",
                    lambda: np.array([_line_outer() * LINE.x, _line_outer() * LINE.x])),
            Mistake("the 2 of the square forgotten",
                    "The derivative of u² is 2u: the outer factor carries a 2.",
                    lambda: line_gradient(LINE.w, LINE.b) / 2),
            Mistake("E instead of its derivative in the outer factor",
                    "The outer factor is d(u²)/du = 2u at u = x·w + b − t, not u² itself.",
                    lambda: line_error(LINE.w, LINE.b) * np.array([LINE.x, 1.0])),
        ),
        hints=("One partial derivative per variable: ∂E/∂w holds b fixed, ∂E/∂b holds w fixed. Each is "
               "the chain rule on a square, with u = x·w + b − t inside.",
               "Both share the outer factor d(u²)/du = 2u at this point; each multiplies it by its own inner "
               "factor, ∂u/∂w or ∂u/∂b, which are left for you. Give np.array([∂E/∂w, ∂E/∂b])."),
    ),
    Exercise(
        "0.9", "σ′(z) for the sigmoid σ(z) = 1/(1 + e^(−z)), a sympy expression in z",
        lambda: sigmoid(z) * (1 - sigmoid(z)),
        mistakes=(
            Mistake("the inner derivative of e^(−z) forgotten",
                    "e^(−z) is eᵘ with u = −z, so its derivative is e^(−z) · (−1): that −1 flips the sign.",
                    lambda: -1 / (1 + sp.exp(-z)) ** 2 * sp.exp(-z)),
            Mistake("u′ forgotten",
                    "−1/u² is only the outer factor of 1/u, with u = 1 + e^(−z): multiply by u′.",
                    lambda: -1 / (1 + sp.exp(-z)) ** 2),
            Mistake("−1/u for d(1/u)/du",
                    "d(1/u)/du = −1/u²: the denominator is squared.",
                    lambda: -1 / (1 + sp.exp(-z)) * (-sp.exp(-z))),
            Mistake("eᵘ's rule: σ′ = σ",
                    "Only eᵘ is its own derivative; σ is 1/u with u = 1 + e^(−z): use the rules for 1/u and eᵘ.",
                    lambda: sigmoid(z)),
            Mistake("one over the inner derivative",
                    "The derivative of 1/u is not 1/u′: it is −u′/u².",
                    lambda: 1 / (-sp.exp(-z))),
        ),
        work=_work_0_9,
        hints=("σ is 1/u with u = 1 + e^(−z): the chain has two links, 1/u outside and u inside, and u "
               "contains eᵘ's pattern once more.",
               "σ′ = d(1/u)/du · u′, with u′ the derivative of 1 + e^(−z) (mind its inner −z). Write the "
               "product with `sp.exp`; any form sympy can compare is accepted."),
    ),
    Exercise(
        "0.10", "dE/dw for one sigmoid neuron, E = (σ(x·w) − t)², at x = 1.5, w = 0.8, t = 0.2, a number",
        lambda: neuron_gradient(NEURON.w),
        mistakes=(
            Mistake("σ′ forgotten",
                    "Between E and w sits the sigmoid: the chain is dE/da · da/dz · dz/dw, and da/dz = σ′(z).",
                    lambda: _neuron_parts()[2] * NEURON.x),
            Mistake("the input x forgotten",
                    "z = x·w changes with w at the rate x: dz/dw = x is the last factor of the chain.",
                    lambda: _neuron_parts()[2] * nets.sigmoid_prime(_neuron_parts()[0])),
            Mistake("σ′ taken at w, not at z",
                    "σ′ is read where the sigmoid is applied, at z = x·w, not at the weight.",
                    lambda: _neuron_parts()[2] * nets.sigmoid_prime(NEURON.w) * NEURON.x),
            Mistake("σ′ taken at the output a",
                    "σ′(z) = σ(z)(1 − σ(z)) = a(1 − a): you applied σ′ to a, i.e. σ′(σ(z)).",
                    lambda: _neuron_parts()[2] * nets.sigmoid_prime(_neuron_parts()[1]) * NEURON.x),
            Mistake("the 2 of the square forgotten",
                    "dE/da for E = (a − t)² is 2(a − t): the outer factor carries a 2.",
                    lambda: _neuron_parts()[2] / 2 * nets.sigmoid_prime(_neuron_parts()[0]) * NEURON.x),
        ),
        work=_work_0_10,
        hints=("Draw the chain w → z = x·w → a = σ(z) → E = (a − t)², and write one rate on each arrow.",
               "dE/dw = dE/da · da/dz · dz/dw. The middle factor is 0.9's σ′, read at z = x·w; the other "
               "two are a square's and a product's derivatives. Compute a first."),
    ),
)
