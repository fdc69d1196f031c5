"""Mistakes learners make in notebook 04 (ReLU → sigmoid → softmax, cross-entropy, row
convention), each computed the way a learner computes it from the notebook's own inputs:
lessons.three_layer(), the forward pass of section 3 (z1, a1, z2, a2, z3, p), J and dE_dp of
section 5, numpy and helpers.nets.
"""

import numpy as np

from helpers import lessons, nets

L = lessons.three_layer()
x, t, rate = L.x, L.target, L.rate
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs
z1 = x @ W1 + b1
a1 = nets.relu(z1)
z2 = a1 @ W2 + b2
a2 = nets.sigmoid(z2)
z3 = a2 @ W3 + b3
p = nets.softmax(z3)
J = np.diag(p) - np.outer(p, p)
dE_dp = -t / p
sp_ = nets.sigmoid_prime
d3 = p - t
dE_da2 = d3 @ W3.T
d2 = dE_da2 * a2 * (1 - a2)
d1 = (d2 @ W2.T) * (z1 > 0)
dW1, dW2, dW3 = np.outer(x, d1), np.outer(a1, d2), np.outer(a2, d3)


def after_step_at_new_weights():
    """W3's step with the gradient computed again at the updated weights."""
    W3_new = W3 - rate * dW3
    p_new = nets.softmax(a2 @ W3_new + b3)
    return W3 - rate * np.outer(a2, p_new - t)


CASES = [
    # 4.1 W2 in the column convention
    ("4.1", "unchanged", lambda: W2, "mistake:the row-convention matrix unchanged"),
    ("4.1", "W1ᵀ", lambda: W1.T, "slip:swapped"),
    ("4.1", "W3ᵀ", lambda: W3.T, "slip:swapped"),
    ("4.1", "the inverse", lambda: np.linalg.inv(W2), "neighbour"),
    ("4.1", "rotated", lambda: np.rot90(W2), "order"),
    ("4.1", "computed the layer instead", lambda: W2.T @ a1 + b2, "neighbour"),
    # 4.2 a2
    ("4.2", "no bias", lambda: nets.sigmoid(a1 @ W2), "slip:missing-term"),
    ("4.2", "the column convention's product", lambda: nets.sigmoid(W2 @ a1 + b2), "slip:order"),
    ("4.2", "x fed to layer 2", lambda: nets.sigmoid(x @ W2 + b2), "slip:swapped"),
    ("4.2", "ReLU for σ", lambda: nets.relu(z2), "slip:function"),
    ("4.2", "σ′ for σ", lambda: sp_(z2), "slip:function"),
    ("4.2", "softmax for σ", lambda: nets.softmax(z2), "slip:function"),
    ("4.2", "layer 1's weights", lambda: nets.sigmoid(a1 @ W1 + b2), "slip:swapped"),
    ("4.2", "the seed's minus lost", lambda: 1 / (1 + np.exp(z2)), "mistake:seed 002's sigmoid without the minus sign"),
    # 4.3 the softmax Jacobian
    ("4.3", "the sign", lambda: np.outer(p, p) - np.diag(p), "sign"),
    ("4.3", "diag(p) only", lambda: np.diag(p), "slip:missing-term"),
    ("4.3", "p @ p.T: a dot product", lambda: np.diag(p) - p @ p.T, "slip:collapsed"),
    ("4.3", "p * p: entry by entry", lambda: np.diag(p) - p * p, "slip:elementwise"),
    ("4.3", "the sigmoid's Jacobian", lambda: np.diag(sp_(z3)), "neighbour"),
    ("4.3", "the seed's diagonal", lambda: np.diag(p * (1 - p)), "mistake:seed 002's diagonal-only softmax Jacobian"),
    ("4.3", "+ for −", lambda: np.diag(p) + np.outer(p, p), "slip:sign"),
    # 4.4 δ3
    ("4.4", "t − p", lambda: t - p, "sign"),
    ("4.4", "p alone", lambda: p, "slip:missing-term"),
    ("4.4", "the softmax derivative applied twice", lambda: (p - t) * p * (1 - p), "slip:extra-factor"),
    ("4.4", "`*` for `@`", lambda: dE_dp * J, "slip:elementwise"),
    ("4.4", "the loss's terms", lambda: -t * np.log(p), "neighbour"),
    ("4.4", "∂E/∂p", lambda: dE_dp, "mistake:∂E/∂p without the softmax Jacobian"),
    ("4.4", "the seed's diagonal Jacobian", lambda: np.diag(J) * dE_dp, "mistake:seed 002's diagonal-only softmax Jacobian"),
    # 4.5 ∇W3
    ("4.5", "a1 for a2", lambda: np.outer(a1, d3), "slip:swapped"),
    ("4.5", "z2 for a2", lambda: np.outer(z2, d3), "slip:swapped"),
    ("4.5", "a 1-D dot", lambda: a2 @ d3, "slip:collapsed"),
    ("4.5", "`*` of two vectors", lambda: a2 * d3, "slip:elementwise"),
    ("4.5", "∂E/∂p for δ3", lambda: np.outer(a2, dE_dp), "slip:missing-factor"),
    ("4.5", "δ2 for δ3", lambda: np.outer(a2, d2), "slip:neighbour-inside"),
    ("4.5", "the column convention", lambda: np.outer(d3, a2), "mistake:the column convention's δ aᵀ"),
    # 4.6 ∂E/∂a2
    ("4.6", "`*` for `@`", lambda: d3 * W3.T, "slip:elementwise"),
    ("4.6", "`*` for `@` and no transpose", lambda: d3 * W3, "slip:transpose+elementwise"),
    ("4.6", "layer 2's weights", lambda: d3 @ W2.T, "slip:swapped"),
    ("4.6", "went on to δ2", lambda: dE_da2 * a2 * (1 - a2), "neighbour"),
    ("4.6", "∂E/∂p carried back", lambda: dE_dp @ W3.T, "slip:missing-factor"),
    ("4.6", "no transpose", lambda: d3 @ W3, "mistake:W3 without the transpose"),
    ("4.6", "the seed's diagonal", lambda: d3 * np.diag(W3), "mistake:seed 002's diagonal-only propagation through W"),
    # 4.7 δ2
    ("4.7", "σ for σ′", lambda: dE_da2 * a2, "slip:function"),
    ("4.7", "σ′ as z2(1 − z2)", lambda: dE_da2 * z2 * (1 - z2), "slip:function"),
    ("4.7", "`@` for `*`", lambda: (d3 @ W3.T) @ (a2 * (1 - a2)), "slip:collapsed"),
    ("4.7", "σ′ at z3", lambda: dE_da2 * sp_(z3), "slip:wrong-point"),
    ("4.7", "W3 without transpose inside", lambda: (d3 @ W3) * a2 * (1 - a2), "slip:"),
    ("4.7", "σ′ at z1", lambda: dE_da2 * sp_(z1), "slip:wrong-point"),
    ("4.7", "σ′ left out", lambda: dE_da2, "mistake:the sigmoid's derivative left out"),
    ("4.7", "σ′ at the output", lambda: dE_da2 * sp_(a2), "mistake:σ′ evaluated at the output"),
    # 4.8 ∇W2
    ("4.8", "x for a1", lambda: np.outer(x, d2), "slip:swapped"),
    ("4.8", "a2 for a1", lambda: np.outer(a2, d2), "slip:swapped"),
    ("4.8", "a 1-D dot", lambda: a1 @ d2, "slip:collapsed"),
    ("4.8", "δ2 without σ′", lambda: np.outer(a1, dE_da2), "slip:missing-factor"),
    ("4.8", "δ3 for δ2", lambda: np.outer(a1, d3), "slip:neighbour-inside"),
    ("4.8", "`*` of two vectors", lambda: a1 * d2, "slip:elementwise"),
    ("4.8", "the column convention", lambda: np.outer(d2, a1), "mistake:the column convention's δ aᵀ"),
    # 4.9 δ1
    ("4.9", "W3 for W2", lambda: d2 @ W3.T, "slip:swapped"),
    ("4.9", "δ3 carried back", lambda: d3 @ W2.T, "slip:neighbour-inside"),
    ("4.9", "ReLU for ReLU′", lambda: (d2 @ W2.T) * nets.relu(z1), "slip:function"),
    ("4.9", "σ′ for ReLU′", lambda: (d2 @ W2.T) * sp_(z1), "slip:function"),
    ("4.9", "gave δ2", lambda: d2, "neighbour"),
    ("4.9", "`*` for `@`", lambda: d2 * W2.T, "slip:elementwise"),
    ("4.9", "no transpose", lambda: (d2 @ W2) * (z1 > 0), "mistake:W2 without the transpose"),
    # 4.10 ∇W1
    ("4.10", "a1 for x", lambda: np.outer(a1, d1), "slip:swapped"),
    ("4.10", "δ2 for δ1", lambda: np.outer(x, d2), "slip:"),
    ("4.10", "a 1-D dot", lambda: x @ d1, "slip:collapsed"),
    ("4.10", "`*` of two vectors", lambda: x * d1, "slip:elementwise"),
    ("4.10", "the column convention", lambda: np.outer(d1, x), "mistake:the column convention's δ xᵀ"),
    # 4.11 the bias gradients
    ("4.11", "each bias as a weight on its input", lambda: np.stack([x * d1, a1 * d2, a2 * d3]), "neighbour"),
    ("4.11", "stacked as columns", lambda: np.stack([d1, d2, d3]).T, "transposed"),
    ("4.11", "∂E/∂a2 for δ2", lambda: np.stack([d1, dE_da2, d3]), "slip:missing-factor"),
    ("4.11", "∂E/∂p for δ3", lambda: np.stack([d1, d2, dE_dp]), "slip:missing-factor"),
    ("4.11", "divided by the number of layers", lambda: np.stack([d1, d2, d3]) / 3, "constant"),
    ("4.11", "layers in reverse", lambda: np.stack([d3, d2, d1]), "mistake:the layers in reverse order"),
    ("4.11", "no bias gradient", lambda: np.zeros((3, 3)), "mistake:the biases left out, as seed 002 does"),
    # 4.12 W3 after a step
    ("4.12", "δ3 used as the gradient", lambda: W3 - rate * d3, "slip:neighbour-inside"),
    ("4.12", "the gradient at the updated weights", after_step_at_new_weights, "neighbour"),
    ("4.12", "the gradient transposed", lambda: W3 - rate * np.outer(d3, a2), "slip:order"),
    ("4.12", "a1 in the gradient", lambda: W3 - rate * np.outer(a1, d3), "slip:swapped"),
    ("4.12", "updated W2 instead", lambda: W2 - rate * dW2, "neighbour"),
    ("4.12", "W3 with layer 2's gradient", lambda: W3 - rate * dW2, "slip:neighbour-inside"),
    ("4.12", "∂E/∂p for δ3 in the gradient", lambda: W3 - rate * np.outer(a2, dE_dp), "slip:missing-factor"),
    ("4.12", "uphill", lambda: W3 + rate * dW3, "mistake:a step uphill (gradient ascent)"),
]
