"""Held-out mistakes of notebook 03 (see nb00.py and tools/corpus.py --heldout)."""

import numpy as np

from helpers import lessons, nets

L = lessons.two_layer()
x, t, W1, b1, W2, b2, eta = L.x, L.target, L.W1, L.b1, L.W2, L.b2, L.rate
s = nets.sigmoid
z1 = W1 @ x + b1
a1 = s(z1)
z2 = W2 @ a1 + b2
a2 = s(z2)
d2 = (a2 - t) * a2 * (1 - a2)
d1 = (W2.T @ d2) * a1 * (1 - a1)
dW1 = np.outer(d1, x)
dW2 = np.outer(d2, a1)

CASES = [
    ("3.1", "W1ᵀ", lambda: W1.T @ x + b1, "*"),
    ("3.1", "forgot b1", lambda: W1 @ x, "*"),
    ("3.1", "* for @", lambda: W1 * x + b1, "*"),
    ("3.1", "x @ W1 (row convention)", lambda: x @ W1 + b1, "*"),
    ("3.1", "went on to σ", lambda: s(W1 @ x + b1), "*"),
    ("3.1", "W2 for W1", lambda: W2 @ x + b1, "*"),

    ("3.2", "forgot σ", lambda: z1, "*"),
    ("3.2", "σ′", lambda: nets.sigmoid_prime(z1), "*"),
    ("3.2", "e^{+z}", lambda: 1 / (1 + np.exp(z1)), "*"),
    ("3.2", "no bias", lambda: s(W1 @ x), "*"),
    ("3.2", "W1ᵀ", lambda: s(W1.T @ x + b1), "*"),
    ("3.2", "e^{-z}/(1 + e^{-z})", lambda: np.exp(-z1) / (1 + np.exp(-z1)), "*"),

    ("3.3", "z1 for a1", lambda: W2 @ z1 + b2, "*"),
    ("3.3", "W2ᵀ", lambda: W2.T @ a1 + b2, "*"),
    ("3.3", "forgot b2", lambda: W2 @ a1, "*"),
    ("3.3", "x for a1", lambda: W2 @ x + b2, "*"),
    ("3.3", "W1 for W2", lambda: W1 @ a1 + b2, "*"),
    ("3.3", "went on to σ", lambda: s(W2 @ a1 + b2), "*"),

    ("3.4", "forgot σ", lambda: z2, "*"),
    ("3.4", "z1 for a1 upstream", lambda: s(W2 @ z1 + b2), "*"),
    ("3.4", "σ′", lambda: nets.sigmoid_prime(z2), "*"),
    ("3.4", "W2ᵀ", lambda: s(W2.T @ a1 + b2), "*"),
    ("3.4", "e^{+z}", lambda: 1 / (1 + np.exp(z2)), "*"),
    ("3.4", "a1 (the hidden layer)", lambda: a1, "*"),

    ("3.5", "no ½", lambda: np.sum((a2 - t) ** 2), "*"),
    ("3.5", "the square of the sum", lambda: 0.5 * np.sum(a2 - t) ** 2, "*"),
    # (the mean of the squares is no mistake here: with two outputs it equals ½ Σ)
    ("3.5", "forgot the square", lambda: 0.5 * np.sum(a2 - t), "*"),
    ("3.5", "no sum", lambda: 0.5 * (a2 - t) ** 2, "*"),
    ("3.5", "absolute values", lambda: 0.5 * np.sum(np.abs(a2 - t)), "*"),
    ("3.5", "z2 for a2", lambda: 0.5 * np.sum((z2 - t) ** 2), "*"),

    ("3.6", "forgot σ′", lambda: a2 - t, "*"),
    ("3.6", "σ for σ′", lambda: (a2 - t) * a2, "*"),
    ("3.6", "σ′ at a2", lambda: (a2 - t) * nets.sigmoid_prime(a2), "*"),
    ("3.6", "sign", lambda: (t - a2) * a2 * (1 - a2), "*"),
    ("3.6", "z(1 − z)", lambda: (a2 - t) * z2 * (1 - z2), "*"),
    ("3.6", "σ′(z1)", lambda: (a2 - t) * a1 * (1 - a1), "*"),

    ("3.7", "a1 δ2ᵀ", lambda: np.outer(a1, d2), "*"),
    ("3.7", "δ2 ⊙ a1", lambda: d2 * a1, "*"),
    ("3.7", "1-D .T", lambda: d2 @ a1.T, "*"),
    ("3.7", "x for a1", lambda: np.outer(d2, x), "*"),
    ("3.7", "z1 for a1", lambda: np.outer(d2, z1), "*"),
    ("3.7", "δ1 for δ2", lambda: np.outer(d1, a1), "*"),

    ("3.8", "no transpose", lambda: (W2 @ d2) * a1 * (1 - a1), "*"),
    ("3.8", "forgot σ′", lambda: W2.T @ d2, "*"),
    ("3.8", "σ′(z2)", lambda: (W2.T @ d2) * a2 * (1 - a2), "*"),
    ("3.8", "σ for σ′", lambda: (W2.T @ d2) * a1, "*"),
    ("3.8", "forgot W2", lambda: d2 * a1 * (1 - a1), "*"),
    ("3.8", "σ′ at a1", lambda: (W2.T @ d2) * nets.sigmoid_prime(a1), "*"),

    ("3.9", "x δ1ᵀ", lambda: np.outer(x, d1), "*"),
    ("3.9", "δ1 ⊙ x", lambda: d1 * x, "*"),
    ("3.9", "δ2 for δ1", lambda: np.outer(d2, x), "*"),
    ("3.9", "a1 for x", lambda: np.outer(d1, a1), "*"),
    ("3.9", "1-D .T", lambda: d1 @ x.T, "*"),
    ("3.9", "δ1 without σ′", lambda: np.outer(W2.T @ d2, x), "*"),

    ("3.10", "δ2", lambda: d2, "*"),
    ("3.10", "δ1 ⊙ x (as for a weight)", lambda: d1 * x, "*"),
    ("3.10", "summed to one number", lambda: d1.sum(), "*"),
    ("3.10", "δ1 without σ′", lambda: W2.T @ d2, "*"),
    ("3.10", "dW1", lambda: np.outer(d1, x), "*"),
    ("3.10", "rows of dW1 summed", lambda: np.outer(d1, x).sum(axis=1), "*"),

    ("3.11", "δ2 itself", lambda: d2, "*"),
    ("3.11", "the mean", lambda: d2.mean(), "*"),
    ("3.11", "one path", lambda: d2[0], "*"),
    ("3.11", "no σ′", lambda: (a2 - t).sum(), "*"),
    ("3.11", "δ1's sum", lambda: d1.sum(), "*"),
    ("3.11", "counted twice", lambda: 2 * d2.sum(), "*"),

    ("3.12", "plus", lambda: W1 + eta * dW1, "*"),
    ("3.12", "no η", lambda: W1 - dW1, "*"),
    ("3.12", "gradient transposed", lambda: W1 - eta * dW1.T, "*"),
    ("3.12", "dW2 for dW1", lambda: W1 - eta * dW2, "*"),
    ("3.12", "updated W2", lambda: W2 - eta * dW2, "*"),
    ("3.12", "the step only", lambda: -eta * dW1, "*"),
]
