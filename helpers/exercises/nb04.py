"""Notebook 04, the three-layer network of seed 002: ReLU → sigmoid → softmax, cross-entropy.

The row convention of the seed throughout: z = a W + b, W[i, j] joins input i to output j, so
∂E/∂W = aᵀ δ = np.outer(a, δ) has the shape of W. Expected values come from the lesson data
through ``helpers.nets``. The only typed numbers are quotations of seed 002 (``SEED``), used to
recognise its mistakes, never as answers.
"""

import numpy as np

from helpers import lessons, nets
from helpers.checking.slips import Quantities, Work, c, diag, dsigmoid, drelu, outer, sigmoid, stack
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
    "Softmax is not entry by entry: every p_i depends on every z_j (through the sum in its "
    "denominator), so ∂p/∂z has off-diagonal entries too. Keeping only the diagonal drops how z_j "
    "moves the other outputs."
)
_DIAGONAL_PROPAGATION_HINT = (
    "You used only W[j, j] (the seed's W_j1k1, W_j2k2, W_j3k3). Each unit j of the earlier layer "
    "feeds every unit k of the next, so ∂E/∂a_j adds one path through each W[j, k]: the whole row "
    "of W takes part, not only its diagonal entry."
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


# --- the quantities a learner has at hand, and which ones they take one for another ---------------

F = nets.forward(L.Ws, L.bs, x, L.activations)
Q = Quantities()
Q.add("x", x, "the input x")
Q.add("t", t, "the target t")
for _l, (_W, _b) in enumerate(zip(L.Ws, L.bs), start=1):
    Q.add(f"W{_l}", _W, f"layer {_l}'s weights W{_l}")
    Q.add(f"b{_l}", _b, f"the bias b{_l}")
Q.add("z1", F.z[0], "the net input z1")
Q.add("a1", F.a[1], "the ReLU layer's output a1")
Q.add("z2", F.z[1], "the sigmoid layer's net input z2")
Q.add("a2", F.a[2], "the sigmoid layer's output a2")
Q.add("z3", F.z[2], "the output layer's net input z3")
Q.add("p", F.out, "the softmax output p")
Q.add("η", rate, "the learning rate η")
Q.confuse(("W1", "W2", "W3"), ("b1", "b2", "b3"), ("x", "a1", "a2"), ("z2", "a2"), ("z3", "p"), ("z1", "z2", "z3"))


def _J():
    """The softmax Jacobian diag(p) − p pᵀ, by its two terms (the quotient rule's two parts)."""
    return (diag(Q["p"]).named("the term with j = i only, from differentiating the numerator e^(z_i)")
            - outer(Q["p"], Q["p"]).named("the term every pair (i, j) has, from differentiating the sum S")
            ).named("the softmax Jacobian ∂p/∂z3")


def _dE_dp_tree():
    return (-(Q["t"] / Q["p"])).named("∂E/∂p")


def _delta3():
    """δ3 = p − t, with what learners write in its place."""
    d = (Q["p"] - Q["t"]).named("δ3 = ∂E/∂z3")
    d.alt(_dE_dp_tree(), "∂E/∂p stands where δ3 = ∂E/∂z3 belongs: the softmax's Jacobian is missing from the chain",
          "missing-factor")
    d.alt((Q["p"] - Q["t"]) * Q["p"] * (1 - Q["p"]),
          "the softmax's slope p(1 − p) is applied on top of a δ3 that already went through the softmax's Jacobian",
          "extra-factor")
    return d


def _dE_da2_tree():
    return (_delta3() @ Q["W3"].T).named("∂E/∂a2, δ3 carried back through W3")


def _delta2_trees():
    slopes = (dsigmoid(Q["z2"]), Q["a2"] * (1 - Q["a2"]))
    return [(_dE_da2_tree() * slope.named("∂a2/∂z2, the sigmoid's slope")).named("δ2 = ∂E/∂z2") for slope in slopes]


def _delta1_trees():
    return [((d2 @ Q["W2"].T).named("∂E/∂a1, δ2 carried back through W2")
             * drelu(Q["z1"]).named("∂a1/∂z1, the ReLU's slope")).named("δ1 = ∂E/∂z1") for d2 in _delta2_trees()]


def _at_updated_W3():
    """W3's step with the gradient taken at the already-updated weights (the gradient after the step)."""
    Ws = [W1, W2, W3 - rate * _grads().dW[2]]
    g = nets.backward(Ws, L.bs, x, t, L.activations, L.loss)
    return W3 - rate * g.dW[2]


# the learning rate multiplied in: that makes the step, not the gradient
STEP = ((Q["η"], "the learning rate η: that makes the step of gradient descent, not the gradient"),)

register(
    Exercise(
        "4.1", "W2 in the column convention (z = W x + b), a 3×3 matrix", lambda: W2.T,
        mistakes=(
            Mistake("the row-convention matrix unchanged",
                    "In the row convention W[j, k] joins input j to output k; in the column convention "
                    "the row is the output and the column the input: the same numbers, rows and columns swapped.",
                    lambda: W2),
        ),
        hints=("Write z_k = Σ_j a_j W[j, k] + b_k (row convention) beside z_k = Σ_j W_col[k, j] a_j + b_k "
               "(column convention): which entry of W_col must equal W[j, k]?",
               "Match the two sums term by term: W_col[k, j] must be the row convention's entry with the two "
               "indices the other way round. Which numpy operation does that to every entry at once?"),
        work=lambda: Work("W2 in the column convention", (Q["W2"].T,), neighbours=(
            (np.linalg.inv(W2), "the inverse of W2, which would undo the layer: the two conventions compute "
                                "the same z, neither undoes anything"),
            (_fw().z[1], "the layer's net input z2 itself: the exercise asks for the matrix that computes it"),
            (_fw().z[1] - b2, "the layer's weighted sums: the exercise asks for the matrix that computes them"))),
    ),
    Exercise(
        "4.2", "a2 = σ(z2), the sigmoid layer's output (the seed's h2_out) at full precision, 3 numbers",
        lambda: _fw().a[2],
        mistakes=(
            Mistake("seed 002's sigmoid without the minus sign",
                    "The seed writes 1/(1 + e^{h2_in}); the sigmoid has a minus in the exponent, and is "
                    "close to 1 (not 0) for these large positive inputs.",
                    lambda: 1 / (1 + np.exp(_fw().z[1]))),
            Mistake("seed 002's rounded values 0.938, 0.94, 0.98",
                    "These are the seed's numbers, rounded to two or three digits, and its h2_in3 = 4.001 "
                    "is itself a slip. Keep full precision: compute the layer's net input, then σ.",
                    lambda: SEED["h2_out"]),
            Mistake("seed 002's h2_in3 = 4.001",
                    "The seed's h2_in has slips of its own (its third entry, and the first rounded): "
                    "recompute the net input from a1, W2 and b2.",
                    lambda: nets.sigmoid(SEED["h2_in"])),
        ),
        hints=("Start from the input: the net input of layer 1, its ReLU, then the net input of layer 2 "
               "(row convention: the row vector on the left of the matrix).",
               "σ(z) = 1/(1 + e^(−z)) entry by entry (mind the minus), applied to layer 2's net input, "
               "three numbers at full precision; the cell above has z2."),
        work=lambda: Work("the sigmoid layer's output a2", (
            sigmoid(Q["z2"]), sigmoid(Q["a1"] @ Q["W2"] + Q["b2"].named("the bias term b2")))),
    ),
    Exercise(
        "4.3", "the softmax Jacobian ∂p/∂z3 at the lesson's z3, a 3×3 matrix (row i: p_i)",
        lambda: nets.softmax_jacobian(_fw().z[2]),
        mistakes=(
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.diag(_fw().out * (1 - _fw().out))),
            Mistake("−p pᵀ without diag(p)",
                    "That is only the part from differentiating the denominator: where j = i the numerator "
                    "e^(z_i) depends on z_j as well, and adds a term on the diagonal.",
                    lambda: -np.outer(_fw().out, _fw().out)),
        ),
        hints=("Differentiate p_i = e^(z_i)/S, S = Σ_k e^(z_k), with the quotient rule: once for j = i, "
               "once for j ≠ i.",
               "For j ≠ i only the denominator S depends on z_j; for j = i the numerator does too. Write both "
               "results in terms of p_i and p_j, then build the 3×3 matrix (np.diag and np.outer help)."),
        work=lambda: Work("the softmax Jacobian ∂p/∂z3", (_J(),), neighbours=(
            (np.diag(nets.sigmoid_prime(_fw().z[2])), "the Jacobian of an entry-by-entry sigmoid at z3: softmax "
                                                      "is not entry by entry"),)),
    ),
    Exercise(
        "4.4", "δ3 = ∂E/∂z3 at the output (cross-entropy after softmax), 3 numbers",
        lambda: _grads().delta[2],
        mistakes=(
            Mistake(DIAGONAL_JACOBIAN,
                    _DIAGONAL_JACOBIAN_HINT + " With the full Jacobian the product simplifies a lot.",
                    _delta3_diagonal),
            Mistake("∂E/∂p without the softmax Jacobian",
                    "−t/p is the gradient with respect to the outputs p; δ3 is with respect to the net "
                    "inputs z3: the chain goes on through the softmax Jacobian.", _dE_dp),
            Mistake("the gradient of seed 002's binary cross-entropy",
                    "This notebook's loss is the categorical cross-entropy −Σ t log p. The seed's "
                    "per-output formula is differentiated in the side section.",
                    lambda: _grads("binary_cross_entropy").delta[2]),
        ),
        hints=("Start from ∂E/∂p = −t/p (a row of 3) and carry it through the softmax Jacobian "
               "of exercise 4.3.",
               "In the row convention a row vector multiplies the Jacobian from the left: a (1×3)·(3×3) "
               "matrix product of the two quantities above. Then compare the result with p and t."),
        upstream=("4.3",),
        from_upstream=lambda J: _dE_dp() @ np.asarray(J, dtype=float),
        work=lambda: Work("δ3 = ∂E/∂z3", trees=(_delta3(), _dE_dp_tree() @ _J()), neighbours=(
            (-t * np.log(_fw().out), "the terms of the loss E itself, not its derivative"),), extras=STEP + (
            (Q["p"] * (1 - Q["p"]), "the softmax's diagonal slope p(1 − p): the chain through the softmax is "
                                    "already complete without it"),)),
    ),
    Exercise(
        "4.5", "∇W3 E in the row convention (the seed's δW_kl), a 3×3 matrix shaped like W3",
        lambda: _grads().dW[2],
        mistakes=(
            Mistake("the column convention's δ aᵀ",
                    "In the row convention W3[k, l] joins a2_k to z3_l, so row k of the gradient belongs to "
                    "a2_k; δ aᵀ is the column convention's ∇W, the transpose.",
                    lambda: _grads().dW[2].T),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.outer(_fw().a[2], _delta3_diagonal())),
        ),
        hints=("W3[k, l] reaches E only through z3_l, where it multiplies a2_k.",
               "One number per pair (k, l), the product of the quantity W3[k, l] multiplies and δ3_l: a 3×3 "
               "table with rows indexed by a2 and columns by δ3. Which numpy function builds such a table?"),
        upstream=("4.4",),
        from_upstream=lambda delta3: np.outer(_fw().a[2], delta3),
        work=lambda: Work("∇W3 E", extras=STEP, trees=(outer(Q["a2"], _delta3()),)),
    ),
    Exercise(
        "4.6", "∂E/∂a2 (the seed's ∂E/∂h2_out), δ3 carried back through W3, 3 numbers",
        lambda: _dE_da2(),
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: _grads().delta[2] * np.diag(W3)),
            Mistake("W3 without the transpose",
                    "z3_l = Σ_k a2_k W3[k, l], so ∂E/∂a2_k adds δ3_l W3[k, l] over l: along row k of W3, "
                    "which a row vector reaches only through the transpose.",
                    lambda: _grads().delta[2] @ W3),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT, lambda: _delta3_diagonal() @ W3.T),
        ),
        hints=("a2_k feeds all three outputs z3_l, through W3[k, l]: add up the three paths.",
               "∂E/∂a2_k is a sum over l of δ3_l times W3[k, l]: a row vector times a matrix. Check which of "
               "W3 or its transpose makes that sum run along row k."),
        upstream=("4.4",),
        from_upstream=lambda delta3: np.asarray(delta3, dtype=float) @ W3.T,
        work=lambda: Work("∂E/∂a2", extras=STEP, trees=(_dE_da2_tree(),)),
    ),
    Exercise(
        "4.7", "δ2 = ∂E/∂z2 (the seed's ∂E/∂h2_in), through the sigmoid, 3 numbers",
        lambda: _grads().delta[1],
        mistakes=(
            Mistake("σ′ evaluated at the output",
                    "σ′ is taken at the net input h2_in; σ′(h2_out) applies the sigmoid twice.",
                    lambda: _dE_da2() * nets.sigmoid_prime(_fw().a[2])),
            Mistake("seed 002's σ′ from its rounded outputs",
                    "The seed's 0.058156, 0.0564, 0.0196 come from outputs rounded to two or three digits; "
                    "the last is 11 % off. Use full precision.",
                    lambda: _dE_da2() * SEED["h2_out"] * (1 - SEED["h2_out"])),
            Mistake("the sigmoid's derivative left out",
                    "That is ∂E/∂h2_out; the chain goes on through the sigmoid to its net input.", _dE_da2),
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: _delta2(_grads().delta[2] * np.diag(W3))),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: _delta2(_dE_da2(_delta3_diagonal()))),
        ),
        hints=("The sigmoid acts entry by entry: multiply ∂E/∂a2 (exercise 4.6) by its slope at z2.",
               "The sigmoid's slope at z2 can be written with a2 alone (notebook 02, 2.3); its Jacobian is "
               "diagonal, so the chain step is an entry-by-entry product."),
        upstream=("4.6",),
        from_upstream=lambda dE_da2: _delta2(np.asarray(dE_da2, dtype=float)),
        work=lambda: Work("δ2 = ∂E/∂z2", extras=STEP, trees=tuple(_delta2_trees())),
    ),
    Exercise(
        "4.8", "∇W2 E in the row convention (the seed's δW_jk), a 3×3 matrix shaped like W2",
        lambda: _grads().dW[1],
        mistakes=(
            Mistake("the column convention's δ aᵀ",
                    "In the row convention W2[j, k] joins a1_j to z2_k, so row j of the gradient belongs to a1_j.",
                    lambda: _grads().dW[1].T),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: np.outer(_fw().a[1], _delta2(_dE_da2(_delta3_diagonal())))),
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: np.outer(_fw().a[1], _delta2(_grads().delta[2] * np.diag(W3)))),
        ),
        hints=("The same as exercise 4.5, one layer down: which activation does W2[j, k] multiply?",
               "Rows for the units of the layer W2 reads from, columns for the units it feeds: pair that "
               "layer's input with this layer's δ, as in 4.5."),
        upstream=("4.7",),
        from_upstream=lambda delta2: np.outer(_fw().a[1], delta2),
        work=lambda: Work("∇W2 E", extras=STEP, trees=tuple(outer(Q["a1"], d) for d in _delta2_trees())),
    ),
    Exercise(
        "4.9", "δ1 = ∂E/∂z1 (the seed's ∂E/∂h1_in), through W2 and the ReLU, 3 numbers",
        lambda: _grads().delta[0],
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT, _delta1_diagonal),
            Mistake("W2 without the transpose",
                    "z2_k = Σ_j a1_j W2[j, k], so ∂E/∂a1_j adds δ2_k W2[j, k] over k: along row j of W2.",
                    lambda: (_grads().delta[1] @ W2) * nets.relu_prime(_fw().z[0])),
        ),
        hints=("Two steps, as in 4.6 and 4.7: back through W2 (every path), then through the ReLU.",
               "Carry δ2 back through W2 as 4.6 carried δ3 through W3; then multiply entry by entry by the "
               "ReLU's slope at z1, which is 1 where z1 > 0 and 0 elsewhere."),
        upstream=("4.7",),
        from_upstream=lambda delta2: _delta1(np.asarray(delta2, dtype=float)),
        work=lambda: Work("δ1 = ∂E/∂z1", extras=STEP, trees=tuple(_delta1_trees())),
    ),
    Exercise(
        "4.10", "∇W1 E in the row convention (the seed's δW_ij), a 3×3 matrix shaped like W1",
        lambda: _grads().dW[0],
        mistakes=(
            Mistake(DIAGONAL_PROPAGATION, _DIAGONAL_PROPAGATION_HINT,
                    lambda: np.outer(x, _delta1_diagonal())),
            Mistake("the column convention's δ xᵀ",
                    "In the row convention W1[i, j] joins x_i to z1_j, so row i of the gradient belongs to x_i.",
                    lambda: _grads().dW[0].T),
        ),
        hints=("The input x plays the part a2 played in exercise 4.5.",
               "Rows for the network's inputs, columns for layer 1's units: pair x with layer 1's δ, as in 4.5."),
        upstream=("4.9",),
        from_upstream=lambda delta1: np.outer(x, delta1),
        work=lambda: Work("∇W1 E", extras=STEP, trees=tuple(outer(Q["x"], d) for d in _delta1_trees())),
    ),
    Exercise(
        "4.11", "the bias gradients ∇b1 E, ∇b2 E, ∇b3 E stacked as the rows of a 3×3 array",
        lambda: np.stack(_grads().db),
        mistakes=(
            Mistake("the biases left out, as seed 002 does",
                    "The seed 'eliminated bias when differentiating', but b is a parameter like W: it moves z, "
                    "so E depends on it.",
                    lambda: np.zeros((3, 3))),
            Mistake("the layers in reverse order",
                    "Row 1 is layer 1's bias gradient, row 3 the output layer's.",
                    lambda: np.stack(_grads().db[::-1])),
            Mistake("∂z/∂b alone",
                    "∂z_j/∂b_j = 1 is only the last factor of the chain; the rest of the chain comes before it.",
                    lambda: np.ones((3, 3))),
        ),
        hints=("How does b enter z = a W + b? Differentiate z_k with respect to b_k.",
               "∂z_k/∂b_k = 1, so each bias gradient is a quantity you have already computed for its layer. "
               "Stack the three with np.stack, layer 1 in the first row."),
        upstream=("4.9", "4.7", "4.4"),
        from_upstream=lambda d1, d2, d3: np.stack([np.asarray(d, dtype=float) for d in (d1, d2, d3)]),
        work=lambda: Work("the three bias gradients", extras=STEP, trees=(stack(_delta1_trees()[0], _delta2_trees()[0], _delta3()),),
                          neighbours=((stack(Q["x"] * _delta1_trees()[0], Q["a1"] * _delta2_trees()[0],
                                             Q["a2"] * _delta3()),
                                       "each bias treated as a weight on its layer's input: a bias's input is "
                                       "the constant 1"),)),
    ),
    Exercise(
        "4.12", "W3 after one gradient-descent step at rate 0.01, a 3×3 matrix",
        lambda: nets.sgd_step(L.Ws, L.bs, _grads(), rate)[0][2],
        mistakes=(
            Mistake("a step uphill (gradient ascent)",
                    "Descent moves against the gradient (the seed writes this rule right).",
                    lambda: W3 + rate * _grads().dW[2]),
            Mistake("the learning rate left out",
                    "The step is the gradient scaled by the learning rate.", lambda: _new_W3(_grads().dW[2], 1.0)),
            Mistake("the weights not updated",
                    "These are the initial weights: the step is still to be taken.", lambda: W3),
            Mistake(DIAGONAL_JACOBIAN, _DIAGONAL_JACOBIAN_HINT,
                    lambda: _new_W3(np.outer(_fw().a[2], _delta3_diagonal()))),
        ),
        hints=("Gradient descent moves every weight against its gradient, scaled by the learning rate.",
               "Use the gradient of exercise 4.5 (shaped like W3) and η = rate (L.rate); every gradient comes "
               "from the weights before the step."),
        upstream=("4.5",),
        from_upstream=lambda dW3: _new_W3(np.asarray(dW3, dtype=float)),
        base=lambda: W3,
        work=lambda: Work("W3 after one step", (
            Q["W3"] - (Q["η"] * outer(Q["a2"], _delta3()).named("∇W3 E")).named("the step η·∇W3 E"),),
            neighbours=((_at_updated_W3(), "a step with the gradient taken at the updated weights: every gradient "
                                           "comes from the weights before the step"),
                        (W2 - rate * _grads().dW[1], "W2 after one step: the other layer's weights"))),
    ),
)
