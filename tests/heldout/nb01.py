"""Held-out mistakes of notebook 01 (see nb00.py and tools/corpus.py --heldout)."""

import sympy as sp

from helpers import lessons

L = lessons.one_weight()
x, w0, t, eta = L.a, L.w, L.y, L.rate
x_s, w_s, t_s, eta_s = sp.symbols("x w t eta", real=True)
a = x * w0
g = 2 * (a - t) * x
ch = L.chain
a1 = ch.a0 * ch.w1
a2 = a1 * ch.w2

CASES = [
    ("1.1", "forgot the 2", lambda: a - t, "*"),
    ("1.1", "t − a", lambda: 2 * (t - a), "*"),
    ("1.1", "w for a", lambda: 2 * (w0 - t), "*"),
    ("1.1", "went on to ∂E/∂w", lambda: g, "*"),
    ("1.1", "a as x + w", lambda: 2 * (x + w0 - t), "*"),
    ("1.1", "a rounded to one decimal", lambda: 2 * (round(a, 1) - t), "*"),

    ("1.2", "w", lambda: w0, "*"),
    ("1.2", "1", lambda: 1.0, "*"),
    ("1.2", "a itself", lambda: a, "*"),
    ("1.2", "∂E/∂w", lambda: g, "*"),
    ("1.2", "−x", lambda: -x, "*"),
    ("1.2", "2x (power rule)", lambda: 2 * x, "*"),

    ("1.3", "forgot the x", lambda: 2 * (a - t), "*"),
    ("1.3", "forgot the 2", lambda: (a - t) * x, "*"),
    ("1.3", "sign", lambda: 2 * (t - a) * x, "*"),
    ("1.3", "w for x", lambda: 2 * (a - t) * w0, "*"),
    ("1.3", "x twice", lambda: 2 * (a - t) * x * x, "*"),
    ("1.3", "added the two rates", lambda: 2 * (a - t) + x, "*"),

    ("1.4", "plus", lambda: w0 + eta * g, "*"),
    ("1.4", "the step only", lambda: -eta * g, "*"),
    ("1.4", "forgot η", lambda: w0 - g, "*"),
    ("1.4", "forgot x", lambda: w0 - eta * 2 * (a - t), "*"),
    ("1.4", "forgot the 2", lambda: w0 - eta * (a - t) * x, "*"),
    ("1.4", "the gradient", lambda: g, "*"),

    ("1.5", "plus", lambda: w_s + eta_s * 2 * (x_s * w_s - t_s) * x_s, "*"),
    ("1.5", "forgot x", lambda: w_s - eta_s * 2 * (x_s * w_s - t_s), "*"),
    ("1.5", "forgot the 2", lambda: w_s - eta_s * (x_s * w_s - t_s) * x_s, "*"),
    ("1.5", "the gradient alone", lambda: 2 * (x_s * w_s - t_s) * x_s, "*"),
    ("1.5", "forgot w", lambda: -eta_s * 2 * (x_s * w_s - t_s) * x_s, "*"),
    ("1.5", "t − xw", lambda: w_s - eta_s * 2 * (t_s - x_s * w_s) * x_s, "*"),
    ("1.5", "x²", lambda: w_s - eta_s * 2 * (x_s * w_s - t_s) * x_s**2, "*"),

    ("1.6", "x not squared", lambda: 1 - 2 * eta * x, "*"),
    ("1.6", "no 2", lambda: 1 - eta * x**2, "*"),
    ("1.6", "plus", lambda: 1 + 2 * eta * x**2, "*"),
    ("1.6", "no 1", lambda: -2 * eta * x**2, "*"),
    ("1.6", "the chain's x", lambda: 1 - 2 * eta * ch.a0**2, "*"),
    ("1.6", "2ηx² alone", lambda: 2 * eta * x**2, "*"),

    ("1.7", "the monotone edge 1/(2x²)", lambda: 1 / (2 * x**2), "*"),
    ("1.7", "1/x", lambda: 1 / x, "*"),
    ("1.7", "x²", lambda: x**2, "*"),
    ("1.7", "2/x²", lambda: 2 / x**2, "*"),
    ("1.7", "1/(2x)", lambda: 1 / (2 * x), "*"),
    ("1.7", "the chain's x", lambda: 1 / ch.a0**2, "*"),

    ("1.8", "forgot w2", lambda: 2 * (a2 - ch.y) * ch.a0, "*"),
    ("1.8", "forgot x", lambda: 2 * (a2 - ch.y) * ch.w2, "*"),
    ("1.8", "w1 for w2", lambda: 2 * (a2 - ch.y) * ch.w1 * ch.a0, "*"),
    ("1.8", "a1 for x", lambda: 2 * (a2 - ch.y) * ch.w2 * a1, "*"),
    ("1.8", "gave ∂E/∂w2", lambda: 2 * (a2 - ch.y) * a1, "*"),
    ("1.8", "forgot the 2", lambda: (a2 - ch.y) * ch.w2 * ch.a0, "*"),
    ("1.8", "sign", lambda: 2 * (ch.y - a2) * ch.w2 * ch.a0, "*"),
]
