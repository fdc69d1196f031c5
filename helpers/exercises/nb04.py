"""Notebook 04, the three-layer network of seed 002: ReLU → sigmoid → softmax, cross-entropy.

The row convention of the seed throughout: z = a W + b, W[i, j] joins input i to output j, so
∂E/∂W = aᵀ δ = np.outer(a, δ) has the shape of W. Expected values come from the lesson data
through ``helpers.nets``. The only typed numbers are quotations of seed 002 (``SEED``), used to
recognise its mistakes, never as answers.
"""

import numpy as np

from helpers import lessons, nets
from helpers.exercises import Exercise, Mistake, register

L = lessons.three_layer()
x, t, rate = L.x, L.target, L.rate
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs

# Quoted from seed 002 (its rounded forward pass), to name its mistakes.
SEED = {
    "h2_in": np.array([2.73, 2.76, 4.001]),
    "h2_out": np.array([0.938, 0.94, 0.98]),
}

# The seed's two structural mistakes, named the same way wherever they show up.
DIAGONAL_JACOBIAN = "seed 002's diagonal-only softmax Jacobian"
DIAGONAL_PROPAGATION = "seed 002's diagonal-only propagation through W"
_DIAGONAL_JACOBIAN_HINT = (
    "Softmax is not elementwise: every p_i depends on every z_j, so ∂p/∂z = diag(p) − p pᵀ has "
    "off-diagonal entries −p_i p_j. Keeping only p_i(1 − p_i) drops how z_j moves the other outputs."
)
_DIAGONAL_PROPAGATION_HINT = (
    "You used only W[j, j] (the seed's W_j1k1, W_j2k2, W_j3k3). Each unit j of the earlier layer "
    "feeds every unit k of the next, so ∂E/∂a_j = Σ_k δ_k W[j, k]: the whole row, δ @ W.T."
)


def _fw():
    return nets.forward(L.Ws, L.bs, x, L.activations)


def _grads(loss=None):
    return nets.backward(L.Ws, L.bs, x, t, L.activations, loss or L.loss)


def _dE_dp():
    """∂E/∂p of the cross-entropy −Σ t log p."""
    return -t / _fw().out


def _delta3_diagonal():
    """δ at the output with the softmax Jacobian cut to its diagonal p(1 − p)."""
    p = _fw().out
    return _dE_dp() * p * (1 - p)


def _dE_da2(delta3=None):
    return (_grads().delta[2] if delta3 is None else delta3) @ W3.T


def _delta2(dE_da2=None):
    return (_dE_da2() if dE_da2 is None else dE_da2) * nets.sigmoid_prime(_fw().z[1])


def _delta1(delta2=None):
    delta2 = _grads().delta[1] if delta2 is None else delta2
    return (delta2 @ W2.T) * nets.relu_prime(_fw().z[0])


def _delta1_diagonal():
    return _grads().delta[1] * np.diag(W2) * nets.relu_prime(_fw().z[0])


def _new_W3(dW3, step=rate):
    return W3 - step * dW3


register(
    Exercise(
        "4.1", "W2 in the column convention (z = W x + b), a 3×3 matrix", lambda: W2.T,
        mistakes=(
            Mistake("the row-convention matrix unchanged",
                    "In the row convention W[j, k] joins input j to output k; in the column convention "
                    "the row is the output and the column the input, W_col[k, j]: the transpose, W2.T.",
                    lambda: W2),
        ),
        hint="z = x W (row) and z = W_col x (column) are the same numbers when W_col = Wᵀ.",
        hints=("Write z_k = Σ_j a_j W[j, k] + b_k (row convention) beside z_k = Σ_j W_col[k, j] a_j + b_k "
               "(column convention): which entry of W_col must equal W[j, k]?",
               "W_col[k, j] = W[j, k] for every pair: rows and columns swap places, so W_col is "
               "the transpose of W (W2.T), still 3×3."),
    ),
    Exercise(
        "4.2", "a2 = σ(z2), the sigmoid layer's output (the seed's h2_out) at full precision, 3 numbers",
        lambda: _fw().a[2],
        mistakes=(
            Mistake("seed 002's sigmoid without the minus sign",
                    "The seed writes 1/(1 + e^{h2_in}); the sigmoid is 1/(1 + e^{−h2_in}), which is "
                    "close to 1 (not 0) for these large positive inputs.",
                    lambda: 1 / (1 + np.exp(_fw().z[1]))),
            Mistake("seed 002's rounded values 0.938, 0.94, 0.98",
                    "These are the seed's numbers, rounded to two or three digits, and its h2_in3 = 4.001 "
                    "is itself a slip for 4.004. Keep full precision: compute a1 @ W2 + b2, then σ.",
                    lambda: SEED["h2_out"]),
            Mistake("seed 002's h2_in3 = 4.001",
                    "1.35·0.5 + 1.27·0.7 + 1.8·0.8 + 1 = 4.004, not 4.001 (and h2_in1 = 2.731, not 2.73).",
                    lambda: nets.sigmoid(SEED["h2_in"])),
            Mistake("h2_in instead of h2_out",
                    "That is the layer's net input; apply the sigmoid to it.", lambda: _fw().z[1]),
        ),
        hint="h1_out = relu(x @ W1 + b1), h2_in = h1_out @ W2 + b2, h2_out = σ(h2_in).",
        hints=("Start from the input: z1 = x W1 + b1, a1 = relu(z1), then z2 = a1 W2 + b2.",
               "a2 = σ(z2) entry by entry, with σ(z) = 1/(1 + e^(−z)) (mind the minus): "
               "1 / (1 + np.exp(-z2)), three numbers at full precision."),
    ),
    Exercise(
        "4.3", "the softmax Jacobian ∂p/∂z3 at the lesson's z3, a 3×3 matrix (row i: p_i)",
        lambda: nets.softmax_jacobian(_fw().z[2]),
        mistakes=(
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.diag(_fw().out * (1 - _fw().out))),
            Mistake("−p pᵀ without diag(p)",
                    "∂p_i/∂z_j = p_i(δ_ij − p_j): the Kronecker δ_ij adds p_i on the diagonal.",
                    lambda: -np.outer(_fw().out, _fw().out)),
        ),
        hint="∂p_i/∂z_j = p_i(δ_ij − p_j), so J = diag(p) − p pᵀ (np.diag, np.outer).",
        hints=("Differentiate p_i = e^(z_i)/S, S = Σ_k e^(z_k), with the quotient rule: once for j = i, "
               "once for j ≠ i.",
               "J[i, j] = p_i (δ_ij − p_j): diag(p) minus the outer product p pᵀ, "
               "np.diag(p) - np.outer(p, p), a 3×3 matrix."),
    ),
    Exercise(
        "4.4", "δ3 = ∂E/∂z3 at the output (cross-entropy after softmax), 3 numbers",
        lambda: _grads().delta[2],
        mistakes=(
            Mistake(DIAGONAL_JACOBIAN,
                    _DIAGONAL_JACOBIAN_HINT + " With the full Jacobian, (−t/p) J collapses to p − t.",
                    _delta3_diagonal),
            Mistake("∂E/∂p without the softmax Jacobian",
                    "−t/p is the gradient with respect to the outputs p; δ3 is with respect to the net "
                    "inputs z3: multiply by the softmax Jacobian (the product is p − t).", _dE_dp),
            Mistake("the gradient of seed 002's binary cross-entropy",
                    "This notebook's loss is the categorical cross-entropy −Σ t log p. The seed's "
                    "per-output formula is differentiated in the side section.",
                    lambda: _grads("binary_cross_entropy").delta[2]),
        ),
        hint="δ3 = (∂E/∂p) J with ∂E/∂p = −t/p (rows: dE_dp @ J); it simplifies to p − t.",
        hints=("Start from ∂E/∂p = −t/p (a row of 3) and carry it through the softmax Jacobian "
               "of exercise 4.3.",
               "In the row convention δ3 = (∂E/∂p) J, a (1×3)·(3×3) product: dE_dp @ J; "
               "with cross-entropy it simplifies to p − t."),
        upstream=("4.3",),
        from_upstream=lambda J: _dE_dp() @ np.asarray(J, dtype=float),
    ),
    Exercise(
        "4.5", "∇W3 E in the row convention (the seed's δW_kl), a 3×3 matrix shaped like W3",
        lambda: _grads().dW[2],
        mistakes=(
            Mistake("the column convention's δ aᵀ",
                    "In the row convention z3 = h2_out W3, so ∂E/∂W3[k, l] = h2_out_k δ3_l: "
                    "np.outer(h2_out, delta3). δ aᵀ is the column convention's ∇W, the transpose.",
                    lambda: _grads().dW[2].T),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.outer(_fw().a[2], _delta3_diagonal())),
        ),
        hint="∂E/∂W3[k, l] = h2_out_k · δ3_l.",
        hints=("W3[k, l] reaches E only through z3_l, where it multiplies a2_k.",
               "∇W3 E [k, l] = a2_k · δ3_l: a column of 3 (a2ᵀ) times a row of 3 (δ3), "
               "np.outer(a2, delta3), 3×3 like W3."),
        upstream=("4.4",),
        from_upstream=lambda delta3: np.outer(_fw().a[2], delta3),
    ),
    Exercise(
        "4.6", "∂E/∂a2 (the seed's ∂E/∂h2_out), δ3 carried back through W3, 3 numbers",
        lambda: _dE_da2(),
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: _grads().delta[2] * np.diag(W3)),
            Mistake("W3 without the transpose",
                    "z3_l = Σ_k h2_out_k W3[k, l], so ∂E/∂h2_out_k = Σ_l δ3_l W3[k, l]: delta3 @ W3.T.",
                    lambda: _grads().delta[2] @ W3),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT, lambda: _delta3_diagonal() @ W3.T),
        ),
        hint="∂E/∂h2_out = δ3 W3ᵀ (delta3 @ W3.T).",
        hints=("a2_k feeds all three outputs z3_l, through W3[k, l]: add up the three paths.",
               "∂E/∂a2_k = Σ_l δ3_l W3[k, l]: the row δ3 times W3ᵀ, delta3 @ W3.T, 3 numbers."),
        upstream=("4.4",),
        from_upstream=lambda delta3: np.asarray(delta3, dtype=float) @ W3.T,
    ),
    Exercise(
        "4.7", "δ2 = ∂E/∂z2 (the seed's h2_in), through the sigmoid, 3 numbers",
        lambda: _grads().delta[1],
        mistakes=(
            Mistake("σ′ evaluated at the output",
                    "σ′(z) = σ(z)(1 − σ(z)) is taken at the net input h2_in; σ(h2_out)(1 − σ(h2_out)) "
                    "applies the sigmoid twice. Use h2_out·(1 − h2_out), or nets.sigmoid_prime(h2_in).",
                    lambda: _dE_da2() * nets.sigmoid_prime(_fw().a[2])),
            Mistake("seed 002's σ′ from its rounded outputs",
                    "The seed's 0.058156, 0.0564, 0.0196 are 0.938·0.062, 0.94·0.06, 0.98·0.02, from "
                    "outputs rounded to two or three digits; the last is 11 % off. Use full precision.",
                    lambda: _dE_da2() * SEED["h2_out"] * (1 - SEED["h2_out"])),
            Mistake("the sigmoid's derivative left out",
                    "That is ∂E/∂h2_out; multiply it elementwise by σ′(h2_in).", _dE_da2),
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: _delta2(_grads().delta[2] * np.diag(W3))),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: _delta2(_dE_da2(_delta3_diagonal()))),
        ),
        hint="δ2 = (δ3 W3ᵀ) ⊙ σ′(h2_in), with σ′(h2_in) = h2_out(1 − h2_out).",
        hints=("The sigmoid acts entry by entry: multiply ∂E/∂a2 (exercise 4.6) by its slope at z2.",
               "δ2 = (δ3 W3ᵀ) ⊙ σ′(z2), with σ′(z) = σ(z)(1 − σ(z)) = a2 ⊙ (1 − a2)."),
        upstream=("4.6",),
        from_upstream=lambda dE_da2: _delta2(np.asarray(dE_da2, dtype=float)),
    ),
    Exercise(
        "4.8", "∇W2 E in the row convention (the seed's δW_jk), a 3×3 matrix shaped like W2",
        lambda: _grads().dW[1],
        mistakes=(
            Mistake("the column convention's δ aᵀ",
                    "In the row convention ∂E/∂W2[j, k] = h1_out_j δ2_k: np.outer(h1_out, delta2).",
                    lambda: _grads().dW[1].T),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.outer(_fw().a[1], _delta2(_dE_da2(_delta3_diagonal())))),
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: np.outer(_fw().a[1], _delta2(_grads().delta[2] * np.diag(W3)))),
        ),
        hint="∂E/∂W2[j, k] = h1_out_j · δ2_k.",
        hints=("The same as exercise 4.5, one layer down: which activation does W2[j, k] multiply?",
               "∇W2 E = a1ᵀ δ2: np.outer(a1, delta2), rows for the units of layer 1, columns for "
               "those of layer 2."),
        upstream=("4.7",),
        from_upstream=lambda delta2: np.outer(_fw().a[1], delta2),
    ),
    Exercise(
        "4.9", "δ1 = ∂E/∂z1 (the seed's h1_in), through W2 and the ReLU, 3 numbers",
        lambda: _grads().delta[0],
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT, _delta1_diagonal),
            Mistake("W2 without the transpose",
                    "h2_in_k = Σ_j h1_out_j W2[j, k], so ∂E/∂h1_out_j = Σ_k δ2_k W2[j, k]: delta2 @ W2.T.",
                    lambda: (_grads().delta[1] @ W2) * nets.relu_prime(_fw().z[0])),
        ),
        hint="δ1 = (δ2 W2ᵀ) ⊙ relu′(h1_in); relu′ is 1 where h1_in > 0 and 0 elsewhere.",
        hints=("Two steps, as in 4.6 and 4.7: back through W2 (every path), then through the ReLU.",
               "δ1 = (δ2 W2ᵀ) ⊙ relu′(z1), with relu′ = 1 where z1 > 0 and 0 elsewhere."),
        upstream=("4.7",),
        from_upstream=lambda delta2: _delta1(np.asarray(delta2, dtype=float)),
    ),
    Exercise(
        "4.10", "∇W1 E in the row convention (the seed's δW_ij), a 3×3 matrix shaped like W1",
        lambda: _grads().dW[0],
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: np.outer(x, _delta1_diagonal())),
            Mistake("the column convention's δ xᵀ",
                    "In the row convention ∂E/∂W1[i, j] = x_i δ1_j: np.outer(x, delta1).",
                    lambda: _grads().dW[0].T),
        ),
        hint="∂E/∂W1[i, j] = x_i · δ1_j.",
        hints=("The input x plays the part a2 played in exercise 4.5.",
               "∇W1 E = xᵀ δ1: np.outer(x, delta1), rows for the inputs, columns for the units."),
        upstream=("4.9",),
        from_upstream=lambda delta1: np.outer(x, delta1),
    ),
    Exercise(
        "4.11", "the bias gradients ∇b1 E, ∇b2 E, ∇b3 E stacked as the rows of a 3×3 array",
        lambda: np.stack(_grads().db),
        mistakes=(
            Mistake("the biases left out, as seed 002 does",
                    "The seed 'eliminated bias when differentiating', but b is a parameter like W: "
                    "z = a W + b gives ∂z_j/∂b_j = 1, so ∂E/∂b = δ of that layer.",
                    lambda: np.zeros((3, 3))),
            Mistake("the layers in reverse order",
                    "Row 1 is layer 1 (∂E/∂b1 = δ1), row 3 the output layer (∂E/∂b3 = δ3).",
                    lambda: np.stack(_grads().db[::-1])),
            Mistake("∂z/∂b alone",
                    "∂z_j/∂b_j = 1 is only the last factor of the chain: ∂E/∂b = δ · 1 = δ.",
                    lambda: np.ones((3, 3))),
        ),
        hint="z = a W + b, so ∂E/∂b = ∂E/∂z = δ: np.stack([delta1, delta2, delta3]).",
        hints=("How does b enter z = a W + b? Differentiate z_k with respect to b_k.",
               "∂z_k/∂b_k = 1, so ∇b E is the δ of the same layer: np.stack([delta1, delta2, delta3]), "
               "layer 1 in the first row."),
        upstream=("4.9", "4.7", "4.4"),
        from_upstream=lambda d1, d2, d3: np.stack([np.asarray(d, dtype=float) for d in (d1, d2, d3)]),
    ),
    Exercise(
        "4.12", "W3 after one gradient-descent step at rate 0.01, a 3×3 matrix",
        lambda: nets.sgd_step(L.Ws, L.bs, _grads(), rate)[0][2],
        mistakes=(
            Mistake("a step uphill (gradient ascent)",
                    "Descent subtracts: W ← W − rate·∂E/∂W (the seed writes this rule right).",
                    lambda: W3 + rate * _grads().dW[2]),
            Mistake("the learning rate left out",
                    "The step is rate·∂E/∂W3, with rate = 0.01.", lambda: _new_W3(_grads().dW[2], 1.0)),
            Mistake("the weights not updated",
                    "These are the initial weights: subtract rate·∂E/∂W3.", lambda: W3),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: _new_W3(np.outer(_fw().a[2], _delta3_diagonal()))),
        ),
        hint="W3_new = W3 − 0.01 · ∂E/∂W3, with ∂E/∂W3 = np.outer(h2_out, delta3).",
        hints=("Gradient descent moves every weight against its gradient, scaled by the learning rate.",
               "W3 − η ∇W3 E, with η = rate (L.rate) and the gradient of exercise 4.5."),
        upstream=("4.5",),
        from_upstream=lambda dW3: _new_W3(np.asarray(dW3, dtype=float)),
    ),
)
