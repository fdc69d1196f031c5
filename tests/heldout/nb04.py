"""Held-out mistakes of notebook 04 (see nb00.py and tools/corpus.py --heldout)."""

import numpy as np

from helpers import lessons, nets

L = lessons.three_layer()
x, t, rate = L.x, L.target, L.rate
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs
s = nets.sigmoid
z1 = x @ W1 + b1
a1 = nets.relu(z1)
z2 = a1 @ W2 + b2
a2 = s(z2)
z3 = a2 @ W3 + b3
p = nets.softmax(z3)
J = np.diag(p) - np.outer(p, p)
dE_dp = -t / p
d3 = p - t
dE_da2 = d3 @ W3.T
d2 = dE_da2 * a2 * (1 - a2)
d1 = (d2 @ W2.T) * (z1 > 0)
dW1, dW2, dW3 = np.outer(x, d1), np.outer(a1, d2), np.outer(a2, d3)

CASES = [
    ("4.1", "W2 unchanged", lambda: W2, "*"),
    ("4.1", "the inverse", lambda: np.linalg.inv(W2), "*"),
    ("4.1", "rows flipped", lambda: W2[::-1], "*"),
    ("4.1", "columns flipped", lambda: W2[:, ::-1], "*"),
    ("4.1", "W1ᵀ", lambda: W1.T, "*"),
    ("4.1", "W3ᵀ", lambda: W3.T, "*"),

    ("4.2", "the seed's dropped sign", lambda: 1 / (1 + np.exp(z2)), "*"),
    ("4.2", "z2", lambda: z2, "*"),
    ("4.2", "σ′", lambda: nets.sigmoid_prime(z2), "*"),
    ("4.2", "ReLU", lambda: nets.relu(z2), "*"),
    ("4.2", "1 − σ", lambda: np.exp(-z2) / (1 + np.exp(-z2)), "*"),
    ("4.2", "rounded to 3 places", lambda: np.round(s(z2), 3), "*"),

    ("4.3", "diagonal only", lambda: np.diag(p * (1 - p)), "*"),
    ("4.3", "no diagonal term", lambda: -np.outer(p, p), "*"),
    ("4.3", "plus", lambda: np.diag(p) + np.outer(p, p), "*"),
    ("4.3", "sign", lambda: np.outer(p, p) - np.diag(p), "*"),
    ("4.3", "p ⊙ p broadcast", lambda: np.diag(p) - p * p, "*"),
    ("4.3", "outer(p, 1 − p)", lambda: np.outer(p, 1 - p), "*"),

    ("4.4", "t − p", lambda: t - p, "*"),
    ("4.4", "softmax derivative twice", lambda: (p - t) * p * (1 - p), "*"),
    ("4.4", "∂E/∂p (forgot J)", lambda: dE_dp, "*"),
    ("4.4", "∂E/∂p ⊙ J's diagonal", lambda: dE_dp * p * (1 - p), "*"),
    ("4.4", "p (forgot t)", lambda: p, "*"),
    ("4.4", "(p − t) J", lambda: (p - t) @ J, "*"),
    ("4.4", "diagonal-only J", lambda: dE_dp @ np.diag(p), "*"),

    ("4.5", "δ3 a2ᵀ (column convention)", lambda: np.outer(d3, a2), "*"),
    ("4.5", "a2 ⊙ δ3", lambda: a2 * d3, "*"),
    ("4.5", "a1 for a2", lambda: np.outer(a1, d3), "*"),
    ("4.5", "z2 for a2", lambda: np.outer(z2, d3), "*"),
    ("4.5", "1-D .T", lambda: a2.T @ d3, "*"),
    ("4.5", "p for δ3", lambda: np.outer(a2, p), "*"),

    ("4.6", "W3 without .T", lambda: d3 @ W3, "*"),
    ("4.6", "forgot W3", lambda: d3, "*"),
    ("4.6", "went on through σ′", lambda: (d3 @ W3.T) * a2 * (1 - a2), "*"),
    ("4.6", "W2 for W3", lambda: d3 @ W2.T, "*"),
    ("4.6", "sign", lambda: (t - p) @ W3.T, "*"),
    ("4.6", "summed over the wrong axis", lambda: np.sum(d3 * W3, axis=0), "*"),

    ("4.7", "forgot σ′", lambda: d3 @ W3.T, "*"),
    ("4.7", "σ for σ′", lambda: (d3 @ W3.T) * a2, "*"),
    ("4.7", "σ′ at a2", lambda: (d3 @ W3.T) * nets.sigmoid_prime(a2), "*"),
    ("4.7", "W3 without .T", lambda: (d3 @ W3) * a2 * (1 - a2), "*"),
    ("4.7", "ReLU′ for σ′", lambda: (d3 @ W3.T) * (z2 > 0), "*"),
    ("4.7", "σ′(z1)", lambda: (d3 @ W3.T) * nets.sigmoid_prime(z1), "*"),

    ("4.8", "δ2 a1ᵀ", lambda: np.outer(d2, a1), "*"),
    ("4.8", "x for a1", lambda: np.outer(x, d2), "*"),
    ("4.8", "δ3 for δ2", lambda: np.outer(a1, d3), "*"),
    ("4.8", "a2 for a1", lambda: np.outer(a2, d2), "*"),
    ("4.8", "a1 ⊙ δ2", lambda: a1 * d2, "*"),
    ("4.8", "δ2 without σ′", lambda: np.outer(a1, dE_da2), "*"),

    ("4.9", "z1 for ReLU′(z1)", lambda: (d2 @ W2.T) * z1, "*"),
    # (ReLU′ forgotten is no mistake on these data: every z1 is positive)
    ("4.9", "W2 without .T", lambda: (d2 @ W2) * (z1 > 0), "*"),
    ("4.9", "ReLU for ReLU′", lambda: (d2 @ W2.T) * a1, "*"),
    ("4.9", "mask z1 < 0", lambda: (d2 @ W2.T) * (z1 < 0), "*"),
    ("4.9", "δ3 for δ2", lambda: (d3 @ W2.T) * (z1 > 0), "*"),
    ("4.9", "σ′ for ReLU′", lambda: (d2 @ W2.T) * nets.sigmoid_prime(z1), "*"),

    ("4.10", "δ1 xᵀ", lambda: np.outer(d1, x), "*"),
    ("4.10", "a1 for x", lambda: np.outer(a1, d1), "*"),
    ("4.10", "x ⊙ δ1", lambda: x * d1, "*"),
    ("4.10", "δ2 for δ1", lambda: np.outer(x, d2), "*"),
    ("4.10", "z1 for x", lambda: np.outer(z1, d1), "*"),
    ("4.10", "1-D .T", lambda: x.T @ d1, "*"),

    ("4.11", "layers reversed", lambda: np.stack([d3, d2, d1]), "*"),
    ("4.11", "as columns", lambda: np.stack([d1, d2, d3], axis=1), "*"),
    ("4.11", "δ2 without σ′", lambda: np.stack([d1, dE_da2, d3]), "*"),
    ("4.11", "like weights: δ times the input", lambda: np.stack([d1 * x, d2 * a1, d3 * a2]), "*"),
    ("4.11", "times the learning rate", lambda: rate * np.stack([d1, d2, d3]), "*"),

    ("4.12", "plus", lambda: W3 + rate * dW3, "*"),
    ("4.12", "no rate", lambda: W3 - dW3, "*"),
    ("4.12", "gradient transposed", lambda: W3 - rate * dW3.T, "*"),
    ("4.12", "δ3 for the gradient", lambda: W3 - rate * d3, "*"),
    ("4.12", "dW2 for dW3", lambda: W3 - rate * dW2, "*"),
    ("4.12", "the step only", lambda: rate * dW3, "*"),
]
