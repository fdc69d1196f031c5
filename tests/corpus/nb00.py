"""The mistake corpus of notebook 00 (contract C4): what learners really hand in, each computed the
way a learner computes it from the notebook's own inputs, with the diagnosis check must give.

Each case is (exercise id, what the learner did, a thunk returning the answer, the expected
Feedback.diagnosis key). The symbols are the notebook's: x, y, z, real; `sigma` is the sigmoid the
notebook takes from helpers.symbolic, and `nets.sigmoid` the one it computes numbers with.
"""

import numpy as np
import sympy as sp

from helpers import nets
from helpers.symbolic import sigmoid as sigma

x, y, z = sp.symbols("x y z", real=True)

# the notebook's inputs: f(x) = x³ from 2 to 2.1 (0.1); E(w, b) = (x·w + b − t)² (0.8); one neuron (0.10)
f = lambda v: v**3  # noqa: E731 - the notebook's own spelling
x_in, t_in = 1.5, 2.0
x_n, w_n, t_n = 1.5, 0.8, 0.2
residual = x_in * 0.8 + (-0.3) - t_in      # x·w + b − t at the exercise's point
z_n = x_n * w_n
a_n = nets.sigmoid(z_n)

CASES = [
    # 0.1: the slope of the secant of x³ from 2 to 2.1
    ("0.1", "took the rise f(2.1) − f(2) for the slope", lambda: f(2.1) - f(2), "mistake:the rise not divided by the run"),
    ("0.1", "used the power rule, 3x² at x = 2", lambda: 3 * 2**2, "mistake:the tangent's slope instead of the secant's"),
    ("0.1", "divided f(2.1) by the run without subtracting f(2)", lambda: f(2.1) / (2.1 - 2), "mistake:f(x) not subtracted"),
    ("0.1", "divided the rise by 2.1", lambda: (f(2.1) - f(2)) / 2.1, "mistake:the run taken as the second x"),
    ("0.1", "divided f(2.1) by f(2)", lambda: f(2.1) / f(2), "mistake:the ratio of the two values of f"),
    ("0.1", "subtracted the values of f the other way round", lambda: (f(2) - f(2.1)) / (2.1 - 2), "sign"),
    ("0.1", "rounded the rise to 1.26 before dividing", lambda: 1.26 / 0.1, "rounded"),
    # 0.2: d/dx (1 − x²)³
    ("0.2", "3u² and stopped", lambda: 3 * (1 - x**2) ** 2, "mistake:the inner derivative forgotten"),
    ("0.2", "took the inner derivative as 2x", lambda: 3 * (1 - x**2) ** 2 * 2 * x, "mistake:the inner derivative's minus sign lost"),
    ("0.2", "kept the power 3", lambda: 3 * (1 - x**2) ** 3 * (-2 * x), "mistake:the power not lowered"),
    ("0.2", "added the two rates", lambda: 3 * (1 - x**2) ** 2 - 2 * x, "mistake:the factors added, not multiplied"),
    ("0.2", "put the inner derivative into 3u²", lambda: 3 * (-2 * x) ** 2, "mistake:the inner derivative put inside the outer one"),
    ("0.2", "wrote dy/du = 3x²", lambda: 3 * x**2 * (-2 * x), "mistake:u replaced by x in dy/du"),
    # 0.3: d/dx e^(−x²/2)
    ("0.3", "e^u is its own derivative, and stopped", lambda: sp.exp(-x**2 / 2), "mistake:u′ forgotten"),
    ("0.3", "the power rule on e^u", lambda: (-x**2 / 2) * sp.exp(-x**2 / 2 - 1), "mistake:the power rule applied to eᵘ"),
    ("0.3", "u′ = −2x, the ½ dropped", lambda: sp.exp(-x**2 / 2) * (-2 * x), "mistake:the ½ of the exponent lost"),
    ("0.3", "u′ = x", lambda: sp.exp(-x**2 / 2) * x, "mistake:the minus sign of the exponent lost"),
    ("0.3", "differentiated the exponent in place", lambda: sp.exp(-x), "mistake:the exponent differentiated in place"),
    ("0.3", "multiplied by the exponent itself", lambda: sp.exp(-x**2 / 2) * (-x**2 / 2), "mistake:multiplied by u, not by u′"),
    # 0.4: d/dx 1/(1 + x²)
    ("0.4", "−1/u² and stopped", lambda: -1 / (1 + x**2) ** 2, "mistake:u′ forgotten"),
    ("0.4", "d(1/u)/du = −1/u", lambda: -1 / (1 + x**2) * 2 * x, "mistake:−1/u for d(1/u)/du"),
    ("0.4", "d(1/u)/du = 1/u²", lambda: 1 / (1 + x**2) ** 2 * 2 * x, "mistake:the minus sign of d(1/u)/du lost"),
    ("0.4", "one over the derivative of 1 + x²", lambda: 1 / (2 * x), "mistake:one over the derivative"),
    ("0.4", "u′/u, the logarithm's rule", lambda: 2 * x / (1 + x**2), "mistake:log's rule u′/u used for 1/u"),
    # 0.5: d/dx log(2x)
    ("0.5", "1/u with u = 2x, and stopped", lambda: 1 / (2 * x), "mistake:u′ forgotten"),
    ("0.5", "u′ times 1/x", lambda: 2 * (1 / x), "mistake:u′ used but u replaced by x"),
    ("0.5", "log as log₁₀", lambda: 2 / (2 * x * sp.log(10)), "mistake:the logarithm taken to base 10"),
    ("0.5", "−1/u² · u′", lambda: -2 / (2 * x) ** 2, "mistake:1/u's rule used for log u"),
    ("0.5", "log(u) · u′, like e^u", lambda: 2 * sp.log(2 * x), "mistake:eᵘ's rule used for log u"),
    ("0.5", "−1/x", lambda: -1 / x, "sign"),
    # 0.6: d/dx x/(1 + x²)
    ("0.6", "(f′g − fg′)/g", lambda: ((1 + x**2) - x * 2 * x) / (1 + x**2), "mistake:the denominator not squared"),
    ("0.6", "(fg′ − f′g)/g²", lambda: (x * 2 * x - (1 + x**2)) / (1 + x**2) ** 2, "mistake:the numerator's order swapped"),
    ("0.6", "f′/g′", lambda: 1 / (2 * x), "mistake:the derivatives divided"),
    ("0.6", "(f′g + fg′)/g²", lambda: ((1 + x**2) + x * 2 * x) / (1 + x**2) ** 2, "mistake:a plus in the numerator"),
    ("0.6", "f′/g", lambda: 1 / (1 + x**2), "mistake:only the numerator differentiated"),
    # 0.7: ∂/∂y of x²y + e^(xy)
    ("0.7", "differentiated in x", lambda: 2 * x * y + y * sp.exp(x * y), "mistake:the partial derivative with respect to x"),
    ("0.7", "e^(xy) as its own derivative", lambda: x**2 + sp.exp(x * y), "mistake:the inner factor of e^(xy) forgotten"),
    ("0.7", "the inner factor y", lambda: x**2 + y * sp.exp(x * y), "mistake:the inner factor of e^(xy) taken with respect to x"),
    ("0.7", "e^(xy) as a constant", lambda: x**2, "mistake:e^(xy) treated as a constant"),
    ("0.7", "∂f/∂x + ∂f/∂y", lambda: 2 * x * y + y * sp.exp(x * y) + x**2 + x * sp.exp(x * y),
     "mistake:both partial derivatives added"),
    # 0.8: ∇E of (x·w + b − t)² at (0.8, −0.3)
    ("0.8", "∂E/∂b first", lambda: np.array([2 * residual, 2 * residual * x_in]), "mistake:the two partial derivatives swapped"),
    ("0.8", "no x in ∂E/∂w", lambda: np.array([2 * residual, 2 * residual]), "mistake:the inner factor x forgotten in ∂E/∂w"),
    ("0.8", "x in both", lambda: np.array([2 * residual * x_in, 2 * residual * x_in]), "mistake:the inner factor x used in ∂E/∂b too"),
    ("0.8", "the 2 dropped", lambda: np.array([residual * x_in, residual]), "mistake:the 2 of the square forgotten"),
    ("0.8", "E for the outer factor", lambda: np.array([residual**2 * x_in, residual**2]),
     "mistake:E instead of its derivative in the outer factor"),
    ("0.8", "only ∂E/∂w, one number", lambda: 2 * residual * x_in, "shape"),
    ("0.8", "the residual as t − (x·w + b)", lambda: np.array([2 * -residual * x_in, 2 * -residual]), "sign"),
    # 0.9: σ′(z)
    ("0.9", "d/dz e^(−z) = e^(−z)", lambda: -1 / (1 + sp.exp(-z)) ** 2 * sp.exp(-z),
     "mistake:the inner derivative of e^(−z) forgotten"),
    ("0.9", "−1/u² and stopped", lambda: -1 / (1 + sp.exp(-z)) ** 2, "mistake:u′ forgotten"),
    ("0.9", "d(1/u)/du = −1/u", lambda: -1 / (1 + sp.exp(-z)) * (-sp.exp(-z)), "mistake:−1/u for d(1/u)/du"),
    ("0.9", "σ′ = σ, like e^u", lambda: sigma(z), "mistake:eᵘ's rule: σ′ = σ"),
    ("0.9", "one over the derivative of the denominator", lambda: 1 / (-sp.exp(-z)), "mistake:one over the inner derivative"),
    # 0.10: dE/dw for E = (σ(x·w) − t)²
    ("0.10", "no σ′", lambda: 2 * (a_n - t_n) * x_n, "mistake:σ′ forgotten"),
    ("0.10", "no x", lambda: 2 * (a_n - t_n) * a_n * (1 - a_n), "mistake:the input x forgotten"),
    ("0.10", "σ′ at w", lambda: 2 * (a_n - t_n) * nets.sigmoid(w_n) * (1 - nets.sigmoid(w_n)) * x_n,
     "mistake:σ′ taken at w, not at z"),
    ("0.10", "σ′ at a", lambda: 2 * (a_n - t_n) * nets.sigmoid(a_n) * (1 - nets.sigmoid(a_n)) * x_n,
     "mistake:σ′ taken at the output a"),
    ("0.10", "the 2 dropped", lambda: (a_n - t_n) * a_n * (1 - a_n) * x_n, "mistake:the 2 of the square forgotten"),
    ("0.10", "t − a for a − t", lambda: 2 * (t_n - a_n) * a_n * (1 - a_n) * x_n, "sign"),
]
