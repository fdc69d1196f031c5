"""Mistakes learners make in notebook 03 (the 2-2-2 sigmoid network, column convention), each
computed the way a learner computes it from the notebook's own inputs: lessons.two_layer(), numpy
and nets.sigmoid / nets.sigmoid_prime, the forward quantities computed right (as the notebook's
cells print them) unless the mistake is in them.
"""

import numpy as np

from helpers import lessons, nets

L = lessons.two_layer()
x, t, W1, b1, W2, b2, eta = L.x, L.target, L.W1, L.b1, L.W2, L.b2, L.rate
z1 = W1 @ x + b1
a1 = nets.sigmoid(z1)
z2 = W2 @ a1 + b2
a2 = nets.sigmoid(z2)
sp_ = nets.sigmoid_prime
d2 = (a2 - t) * a2 * (1 - a2)
d1 = (W2.T @ d2) * a1 * (1 - a1)

CASES = [
    # 3.1 z1 = W1 x + b1
    ("3.1", "`*` for `@`", lambda: W1 * x + b1, "slip:elementwise"),
    ("3.1", "the row convention's product", lambda: x @ W1 + b1, "mistake:W1ᵀ x, the row convention's product"),
    ("3.1", "the output layer's weights", lambda: W2 @ x + b1, "slip:swapped"),
    ("3.1", "the output layer's bias", lambda: W1 @ x + b2, "slip:swapped"),
    ("3.1", "went on to σ", lambda: nets.sigmoid(W1 @ x + b1), "neighbour"),
    ("3.1", "the bias subtracted", lambda: W1 @ x - b1, "slip:sign"),
    ("3.1", "no bias", lambda: W1 @ x, "mistake:the bias left out"),
    # 3.2 a1 = σ(z1)
    ("3.2", "gave z1", lambda: z1, "neighbour"),
    ("3.2", "σ′ for σ", lambda: sp_(z1), "slip:function"),
    ("3.2", "e^(+z)", lambda: 1 / (1 + np.exp(z1)), "slip:function"),
    ("3.2", "e^(−z)/(1 + e^(−z))", lambda: np.exp(-z1) / (1 + np.exp(-z1)), "slip:function"),
    ("3.2", "z1 without its bias", lambda: nets.sigmoid(W1 @ x), "slip:missing-term"),
    ("3.2", "tanh", lambda: np.tanh(z1), "slip:function"),
    ("3.2", "from a wrong z1 of 3.1", lambda: nets.sigmoid(W1 @ x), "upstream:3.1", {"3.1": W1 @ x}),
    # 3.3 z2 = W2 a1 + b2
    ("3.3", "W2ᵀ a1", lambda: W2.T @ a1 + b2, "slip:order"),
    ("3.3", "the hidden layer's weights", lambda: W1 @ a1 + b2, "slip:swapped"),
    ("3.3", "the hidden bias", lambda: W2 @ a1 + b1, "slip:swapped"),
    ("3.3", "`*` for `@`", lambda: W2 * a1 + b2, "slip:elementwise"),
    ("3.3", "went on to σ", lambda: nets.sigmoid(W2 @ a1 + b2), "neighbour"),
    ("3.3", "no bias", lambda: W2 @ a1, "slip:missing-term"),
    ("3.3", "z1 fed to layer 2", lambda: W2 @ z1 + b2, "mistake:the net input z1 fed to layer 2"),
    # 3.4 a2 = σ(z2)
    ("3.4", "gave z2", lambda: z2, "neighbour"),
    ("3.4", "σ′ for σ", lambda: sp_(z2), "slip:function"),
    ("3.4", "1 − σ", lambda: 1 - nets.sigmoid(z2), "slip:function"),
    ("3.4", "W2ᵀ a1 inside", lambda: nets.sigmoid(W2.T @ a1 + b2), "slip:order"),
    ("3.4", "z2 without its bias", lambda: nets.sigmoid(W2 @ a1), "slip:missing-term"),
    ("3.4", "gave the hidden output a1", lambda: a1, "neighbour"),
    # 3.5 E
    ("3.5", "no square", lambda: 0.5 * np.sum(a2 - t), "slip:power"),
    ("3.5", "no ½", lambda: np.sum((a2 - t) ** 2), "slip:missing-factor"),
    ("3.5", "the mean where the sum belongs", lambda: 0.5 * np.mean((a2 - t) ** 2), "slip:mean-sum"),
    ("3.5", "the two terms not added", lambda: 0.5 * (a2 - t) ** 2, "slip:not-reduced"),
    ("3.5", "the square of the sum", lambda: 0.5 * np.sum(a2 - t) ** 2, "neighbour"),
    ("3.5", "the net input z2 for a2", lambda: 0.5 * np.sum((z2 - t) ** 2), "slip:swapped"),
    ("3.5", "the hidden output for a2", lambda: 0.5 * np.sum((a1 - t) ** 2), "slip:swapped"),
    ("3.5", "the seed's first output only", lambda: 0.5 * (a2[0] - t[0]) ** 2,
     "mistake:seed 001's E_total: the first output only"),
    # 3.6 δ2
    ("3.6", "σ for σ′", lambda: (a2 - t) * a2, "slip:function"),
    ("3.6", "σ′ as z2(1 − z2)", lambda: (a2 - t) * z2 * (1 - z2), "slip:function"),
    ("3.6", "σ′ at z1", lambda: (a2 - t) * sp_(z1), "slip:wrong-point"),
    ("3.6", "t − a2", lambda: (t - a2) * a2 * (1 - a2), "sign"),
    ("3.6", "a2 missing from σ′", lambda: (a2 - t) * (1 - a2), "slip:missing-factor"),
    ("3.6", "the error's slope squared", lambda: (a2 - t) ** 2 * a2 * (1 - a2), "slip:extra-factor"),
    ("3.6", "σ′ at the output", lambda: (a2 - t) * sp_(a2), "mistake:σ′ taken at the output"),
    ("3.6", "σ′ forgotten", lambda: a2 - t, "mistake:σ′ forgotten"),
    # 3.7 ∇W2
    ("3.7", "a 1-D .T", lambda: d2 @ a1.T, "slip:collapsed"),
    ("3.7", "`*` of two vectors", lambda: d2 * a1, "slip:elementwise"),
    ("3.7", "z1 for a1", lambda: np.outer(d2, z1), "slip:swapped"),
    ("3.7", "σ for σ′ in δ2", lambda: np.outer((a2 - t) * a2, a1), "slip:function"),
    ("3.7", "a2 for a1", lambda: np.outer(d2, a2), "slip:swapped"),
    ("3.7", "δ1 for δ2", lambda: np.outer(d1, a1), "slip:neighbour-inside"),
    ("3.7", "the wrong order", lambda: np.outer(a1, d2), "mistake:the outer product in the wrong order"),
    ("3.7", "from a wrong δ2 of 3.6", lambda: np.outer(a2 - t, a1), "upstream:3.6", {"3.6": a2 - t}),
    # 3.8 δ1
    ("3.8", "gave δ2", lambda: d2, "neighbour"),
    ("3.8", "σ′(z2) where σ′(z1) belongs", lambda: (W2.T @ d2) * sp_(z2), "slip:wrong-point"),
    ("3.8", "σ for σ′", lambda: (W2.T @ d2) * a1, "slip:function"),
    ("3.8", "W1 for W2", lambda: (W1.T @ d2) * a1 * (1 - a1), "slip:swapped"),
    ("3.8", "`@` for `*`", lambda: (W2.T @ d2) @ (a1 * (1 - a1)), "slip:collapsed"),
    ("3.8", "`*` for `@`", lambda: W2.T * d2 * a1 * (1 - a1), "slip:elementwise"),
    ("3.8", "σ′ as z1(1 − z1)", lambda: (W2.T @ d2) * z1 * (1 - z1), "slip:function"),
    ("3.8", "W2 for W2ᵀ", lambda: (W2 @ d2) * a1 * (1 - a1), "mistake:W2 instead of W2ᵀ"),
    # 3.9 ∇W1
    ("3.9", "δ2 for δ1", lambda: np.outer(d2, x), "slip:neighbour-inside"),
    ("3.9", "a 1-D .T", lambda: d1 @ x.T, "slip:collapsed"),
    ("3.9", "`*` of two vectors", lambda: d1 * x, "slip:elementwise"),
    ("3.9", "σ′(z2) in δ1", lambda: np.outer((W2.T @ d2) * sp_(z2), x), "slip:wrong-point"),
    ("3.9", "σ for σ′ in δ1", lambda: np.outer((W2.T @ d2) * a1, x), "slip:function"),
    ("3.9", "a1 for x", lambda: np.outer(d1, a1), "mistake:a1 where x belongs"),
    ("3.9", "the wrong order", lambda: np.outer(x, d1), "mistake:the outer product in the wrong order"),
    # 3.10 ∇b1
    ("3.10", "∂z1/∂b1 alone", lambda: np.ones(2), "neighbour"),
    ("3.10", "a shared bias's sum", lambda: d1.sum(), "neighbour"),
    ("3.10", "no σ′ (∂E/∂a1)", lambda: W2.T @ d2, "slip:missing-factor"),
    ("3.10", "δ2", lambda: d2, "neighbour"),
    ("3.10", "W2 for W2ᵀ", lambda: (W2 @ d2) * a1 * (1 - a1), "slip:order"),
    ("3.10", "treated as a weight on x", lambda: d1 * x, "mistake:the bias treated as a weight on x"),
    # 3.11 the shared bias
    ("3.11", "the mean of δ2", lambda: d2.mean(), "slip:mean-sum"),
    ("3.11", "the hidden layer's δ", lambda: d1.sum(), "slip:neighbour-inside"),
    ("3.11", "δ2 without σ′", lambda: (a2 - t).sum(), "slip:missing-factor"),
    ("3.11", "only the second path", lambda: d2[1], "slip:one-term"),
    ("3.11", "one bias per unit", lambda: d2, "mistake:one bias per unit"),
    ("3.11", "one path only", lambda: d2[0], "mistake:one path only"),
    # 3.12 W1 after a step
    ("3.12", "updated W2 instead", lambda: W2 - eta * np.outer(d2, a1), "neighbour"),
    ("3.12", "W1 with the other layer's gradient", lambda: W1 - eta * np.outer(d2, a1), "slip:neighbour-inside"),
    ("3.12", "δ1 used as the gradient", lambda: W1 - eta * d1, "slip:neighbour-inside"),
    ("3.12", "the gradient transposed", lambda: W1 - eta * np.outer(x, d1), "slip:order"),
    ("3.12", "uphill", lambda: W1 + eta * np.outer(d1, x), "slip:sign"),
    ("3.12", "no rate", lambda: W1 - np.outer(d1, x), "slip:missing-factor"),
    ("3.12", "a1 for x in the gradient", lambda: W1 - eta * np.outer(d1, a1), "slip:swapped"),
    ("3.12", "from a wrong ∇W1 of 3.9", lambda: W1 - eta * np.outer(d2, x), "upstream:3.9", {"3.9": np.outer(d2, x)}),
]
