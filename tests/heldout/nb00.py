"""Held-out mistakes of notebook 00, written from the notebook's own inputs before reading the
diagnoses of its exercises (see tools/corpus.py --heldout). Same format as tests/corpus (contract C4); the
fourth field is "*": held-out cases are measured (specific or not), not held to one key.
"""

import numpy as np
import sympy as sp

from helpers import nets
from helpers.symbolic import sigmoid as sigma

x, y, z = sp.symbols("x y z", real=True)
x_in, t_in = 1.5, 2.0
w, b = 0.8, -0.3
r = x_in * w + b - t_in
x_n, w_n, t_n = 1.5, 0.8, 0.2
z_n = x_n * w_n
a_n = nets.sigmoid(z_n)
sp_n = a_n * (1 - a_n)

CASES = [
    ("0.1", "rise without the run", lambda: 2.1**3 - 2**3, "*"),
    ("0.1", "the derivative at 2", lambda: 3 * 2**2, "*"),
    ("0.1", "divided by the end point", lambda: (2.1**3 - 2**3) / 2.1, "*"),
    ("0.1", "run over rise", lambda: (2.1 - 2) / (2.1**3 - 2**3), "*"),
    ("0.1", "x squared for x cubed", lambda: (2.1**2 - 2**2) / (2.1 - 2), "*"),
    ("0.1", "the derivative at 2.1", lambda: 3 * 2.1**2, "*"),
    ("0.1", "ends swapped in the rise only", lambda: (2**3 - 2.1**3) / (2.1 - 2), "*"),

    ("0.2", "forgot the inner derivative", lambda: 3 * (1 - x**2) ** 2, "*"),
    ("0.2", "inner derivative +2x", lambda: 3 * (1 - x**2) ** 2 * (2 * x), "*"),
    ("0.2", "power not lowered", lambda: 3 * (1 - x**2) ** 3 * (-2 * x), "*"),
    ("0.2", "forgot the 3", lambda: (1 - x**2) ** 2 * (-2 * x), "*"),
    ("0.2", "inner derivative -2 (x dropped)", lambda: 3 * (1 - x**2) ** 2 * (-2), "*"),
    ("0.2", "power lowered twice", lambda: 3 * (1 - x**2) * (-2 * x), "*"),

    ("0.3", "forgot the inner derivative", lambda: sp.exp(-x**2 / 2), "*"),
    ("0.3", "inner derivative of -x² (the /2 dropped)", lambda: -2 * x * sp.exp(-x**2 / 2), "*"),
    ("0.3", "inner derivative +x", lambda: x * sp.exp(-x**2 / 2), "*"),
    ("0.3", "u for u'", lambda: (-x**2 / 2) * sp.exp(-x**2 / 2), "*"),
    ("0.3", "inner derivative -x/2", lambda: -x / 2 * sp.exp(-x**2 / 2), "*"),
    ("0.3", "power rule on e^u", lambda: (-x**2 / 2) * sp.exp(-x**2 / 2 - 1), "*"),

    ("0.4", "forgot the inner derivative", lambda: -1 / (1 + x**2) ** 2, "*"),
    ("0.4", "forgot the minus", lambda: 2 * x / (1 + x**2) ** 2, "*"),
    ("0.4", "denominator not squared", lambda: -2 * x / (1 + x**2), "*"),
    ("0.4", "one over the inner derivative", lambda: 1 / (2 * x), "*"),
    ("0.4", "inner derivative x", lambda: -x / (1 + x**2) ** 2, "*"),
    ("0.4", "(1 + x²)² expanded as 1 + x⁴", lambda: -2 * x / (1 + x**4), "*"),

    ("0.5", "forgot the inner derivative", lambda: 1 / (2 * x), "*"),
    ("0.5", "1/x times 2", lambda: 2 / x, "*"),
    ("0.5", "u' over... u times u'", lambda: 2 * x * 2, "*"),
    ("0.5", "1/u times u", lambda: sp.Integer(1), "*"),
    ("0.5", "log10's derivative", lambda: 1 / (x * sp.log(10)), "*"),
    ("0.5", "sign slip", lambda: -1 / x, "*"),
    ("0.5", "the reciprocal rule by mistake", lambda: -2 / (2 * x) ** 2, "*"),

    ("0.6", "numerator reversed", lambda: (x * 2 * x - (1 + x**2)) / (1 + x**2) ** 2, "*"),
    ("0.6", "denominator not squared", lambda: ((1 + x**2) - x * 2 * x) / (1 + x**2), "*"),
    ("0.6", "forgot g'", lambda: (1 + x**2) / (1 + x**2) ** 2, "*"),
    ("0.6", "plus for minus", lambda: ((1 + x**2) + x * 2 * x) / (1 + x**2) ** 2, "*"),
    ("0.6", "f' over g'", lambda: 1 / (2 * x), "*"),
    ("0.6", "product rule, inner 2x forgotten", lambda: 1 / (1 + x**2) - x / (1 + x**2) ** 2, "*"),

    ("0.7", "forgot the inner x", lambda: x**2 + sp.exp(x * y), "*"),
    ("0.7", "differentiated by x", lambda: 2 * x * y + y * sp.exp(x * y), "*"),
    ("0.7", "inner derivative y", lambda: x**2 + y * sp.exp(x * y), "*"),
    ("0.7", "dropped the x²y term", lambda: x * sp.exp(x * y), "*"),
    ("0.7", "x²'s derivative for the first term", lambda: 2 * x + x * sp.exp(x * y), "*"),
    ("0.7", "both partials added", lambda: 2 * x * y + x**2 + (x + y) * sp.exp(x * y), "*"),

    ("0.8", "forgot the 2", lambda: r * np.array([x_in, 1.0]), "*"),
    ("0.8", "forgot the x in ∂/∂w", lambda: 2 * r * np.array([1.0, 1.0]), "*"),
    ("0.8", "residual t − (xw + b)", lambda: 2 * (t_in - (x_in * w + b)) * np.array([x_in, 1.0]), "*"),
    ("0.8", "b = +0.3", lambda: 2 * (x_in * w + 0.3 - t_in) * np.array([x_in, 1.0]), "*"),
    ("0.8", "order (∂b, ∂w)", lambda: 2 * r * np.array([1.0, x_in]), "*"),
    ("0.8", "forgot b in the residual", lambda: 2 * (x_in * w - t_in) * np.array([x_in, 1.0]), "*"),
    ("0.8", "∂u/∂b taken as x", lambda: 2 * r * np.array([x_in, x_in]), "*"),

    ("0.9", "inner −1 forgotten", lambda: -1 / (1 + sp.exp(-z)) ** 2 * sp.exp(-z), "*"),
    ("0.9", "σ itself", lambda: 1 / (1 + sp.exp(-z)), "*"),
    ("0.9", "denominator not squared", lambda: sp.exp(-z) / (1 + sp.exp(-z)), "*"),
    ("0.9", "σ(z)(1 − z)", lambda: sigma(z) * (1 - z), "*"),
    ("0.9", "power rule only", lambda: -1 / (1 + sp.exp(-z)) ** 2, "*"),
    ("0.9", "σ(1 + σ)", lambda: sigma(z) * (1 + sigma(z)), "*"),

    ("0.10", "forgot x", lambda: 2 * (a_n - t_n) * sp_n, "*"),
    ("0.10", "σ for σ′", lambda: 2 * (a_n - t_n) * a_n * x_n, "*"),
    ("0.10", "forgot the 2", lambda: (a_n - t_n) * sp_n * x_n, "*"),
    ("0.10", "sign", lambda: 2 * (t_n - a_n) * sp_n * x_n, "*"),
    ("0.10", "σ′ as z(1 − z)", lambda: 2 * (a_n - t_n) * z_n * (1 - z_n) * x_n, "*"),
    ("0.10", "a taken as z (no sigmoid)", lambda: 2 * (z_n - t_n) * sp_n * x_n, "*"),
    ("0.10", "σ′ at x", lambda: 2 * (a_n - t_n) * nets.sigmoid_prime(x_n) * x_n, "*"),
]
