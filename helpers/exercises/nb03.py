"""Notebook 03, the 2-2-2 sigmoid network of seed 001, in the column convention z = W x + b.

Names: z1 = W1 x + b1 (seed 001's net_H), a1 = σ(z1) (out_H), z2 = W2 a1 + b2 (net_O),
a2 = σ(z2) (out_O), E = ½‖a2 − target‖²; δ = ∂E/∂z per layer. Every expected value comes from
helpers.nets; the known mistakes are built from the same reference pieces, changed the way a
learner changes them (and, where the seed prints a wrong number, the seed's number).
"""

import numpy as np

from helpers import lessons, nets
from helpers.exercises import Exercise, Mistake, register

L = lessons.two_layer()
x, target, W1, b1, W2, b2, rate = L.x, L.target, L.W1, L.b1, L.W2, L.b2, L.rate
FW = nets.forward(L.Ws, L.bs, x, L.activations, convention="column")
z1, z2 = FW.z
a1, a2 = FW.a[1], FW.a[2]
G = nets.backward(L.Ws, L.bs, x, target, L.activations, L.loss, convention="column")
delta1, delta2 = G.delta
sig, sig_prime = nets.sigmoid, nets.sigmoid_prime

# Seed 001's printed numbers, for recognising its slips (quoted from the seed, never used as answers).
SEED_A1 = np.array([0.59326992, 0.596884378])      # out_H as printed: a 9 dropped from the first entry
SEED_A1_LAYER2 = np.array([0.593269992, 0.5968884378])  # out_H as copied into layer 2: an 8 added


def _delta2(slip=None):
    """δ2 = (a2 − target) ⊙ σ′(z2), or a learner's slip of it."""
    if slip == "at output":
        return (a2 - target) * sig(a2) * (1 - sig(a2))
    if slip == "forgotten":
        return a2 - target
    return (a2 - target) * sig_prime(z2)


def _delta1(slip=None, d2=None, W=None):
    """δ1 = (W2ᵀ δ2) ⊙ σ′(z1), or a slip: W2 for W2ᵀ, σ′ at the output or forgotten."""
    d2 = delta2 if d2 is None else d2
    W = W2 if W is None else W
    back = W @ d2 if slip == "W not W.T" else W.T @ d2
    if slip == "at output":
        return back * sig(a1) * (1 - sig(a1))
    if slip == "forgotten":
        return back
    return back * sig_prime(z1)


def _W1_after_updated_W2():
    """W1's step when δ1 is (wrongly) propagated through the already-updated W2."""
    W2_new = W2 - rate * np.outer(delta2, a1)
    return W1 - rate * np.outer(_delta1(W=W2_new), x)


ORDER_HINT = ("The gradient has the shape of W: rows from δ (one per output unit), columns from the "
              "layer's input, so it is δ·inputᵀ = np.outer(delta, input), not the other way round.")
AT_OUTPUT_HINT = ("σ′ belongs at the net input z: σ′(z) = σ(z)(1 − σ(z)) = a(1 − a). You applied σ′ to "
                  "the output a, computing σ(a)(1 − σ(a)).")

register(
    Exercise(
        "3.1", "the hidden layer's net input z1 = W1 x + b1 (seed 001's net_H), shape (2,)",
        lambda: z1,
        mistakes=(
            Mistake("the bias left out", "z1 = W1 x + b1: add b1 = (0.35, 0.35).", lambda: W1 @ x),
            Mistake("W1ᵀ x, the row convention's product",
                    "In the column convention row j of W1 holds the weights into unit j: W1 @ x, not W1.T @ x (or x @ W1).",
                    lambda: W1.T @ x + b1),
        ),
        rtol=1e-9,
        hints=('W1 @ x multiplies the weight matrix by the input column; then add the biases.',
               'z1 = W1 x + b1: row j of W1 holds the weights into hidden unit j, so entry j is W1[j, 0]·x[0] + W1[j, 1]·x[1] + b1[j].'),
    ),
    Exercise(
        "3.2", "the hidden layer's output a1 = σ(z1) (seed 001's out_H), shape (2,)",
        lambda: a1,
        mistakes=(
            Mistake("seed 001's out_H",
                    "That is seed 001's printed out_H, whose first entry has lost a 9: recompute σ(0.3775) to nine decimals.",
                    lambda: SEED_A1),
            Mistake("seed 001's out_H as copied into layer 2",
                    "That is seed 001's out_H as copied into its layer 2, whose second entry has an 8 too many: "
                    "recompute σ(0.3925) to nine decimals.",
                    lambda: SEED_A1_LAYER2),
            Mistake("e^(+z) in the sigmoid", "σ(z) = 1/(1 + e^(−z)): the exponent is −z.",
                    lambda: 1 / (1 + np.exp(z1))),
        ),
        rtol=1e-9,
        hints=('Apply the sigmoid to each entry of your net_H from 3.1.',
               'a1 = σ(z1) = 1/(1 + e^(−z1)) entry by entry (nets.sigmoid does it for an array).'),
        upstream=("3.1",),
        from_upstream=lambda z1: nets.sigmoid(z1),
    ),
    Exercise(
        "3.3", "the output layer's net input z2 = W2 a1 + b2 (seed 001's net_O), shape (2,)",
        lambda: z2,
        mistakes=(
            Mistake("the net input z1 fed to layer 2",
                    "Layer 2 takes the hidden layer's output a1 = σ(z1), not its net input z1.",
                    lambda: W2 @ z1 + b2),
            Mistake("the input x fed to layer 2",
                    "Layer 2 takes the hidden layer's output a1, not the network's input x.",
                    lambda: W2 @ x + b2),
            Mistake("the bias left out", "z2 = W2 a1 + b2: add b2 = (0.6, 0.6).", lambda: W2 @ a1),
        ),
        rtol=1e-9,
        hints=("The same step as 3.1, one layer on: the output layer's input is the hidden layer's output.",
               'z2 = W2 a1 + b2, with your out_H from 3.2 as a1.'),
        upstream=("3.2",),
        from_upstream=lambda a1_: W2 @ a1_ + b2,
    ),
    Exercise(
        "3.4", "the network's output a2 = σ(z2) (seed 001's out_O), shape (2,)",
        lambda: a2,
        mistakes=(
            Mistake("the net input z1 fed to layer 2",
                    "Layer 2 takes the hidden layer's output a1 = σ(z1), not z1.",
                    lambda: sig(W2 @ z1 + b2)),
            Mistake("the hidden layer's output", "a2 is σ of the output layer's net input z2.",
                    lambda: a1),
        ),
        rtol=1e-9,
        hints=("The same step as 3.2, on the output layer's net input.",
               'a2 = σ(z2) entry by entry, with your net_O from 3.3.'),
        upstream=("3.3",),
        from_upstream=lambda z2_: nets.sigmoid(z2_),
    ),
    Exercise(
        "3.5", "the total error E = ½‖a2 − target‖², a number",
        lambda: nets.half_squared_error(a2, target),
        mistakes=(
            Mistake("seed 001's E_total: the first output only",
                    "0.274811083 is ½(a2₁ − target₁)²; the norm adds both outputs' squared errors.",
                    lambda: 0.5 * (a2[0] - target[0]) ** 2),
            Mistake("the ½ left out", "E = ½‖a2 − target‖²: halve the sum of squares.",
                    lambda: np.sum((a2 - target) ** 2)),
            Mistake("the norm without its square", "E = ½‖a2 − target‖², the squared norm.",
                    lambda: 0.5 * np.linalg.norm(a2 - target)),
        ),
        rtol=1e-9,
        hints=('Subtract the targets from your outputs of 3.4, then square and add.',
               'E = ½ Σ_j (a2_j − t_j)², over both outputs.'),
        upstream=("3.4",),
        from_upstream=lambda a2_: nets.half_squared_error(a2_, target),
    ),
    Exercise(
        "3.6", "δ2 = ∇_z2 E = (a2 − target) ⊙ σ′(z2), shape (2,)",
        lambda: delta2,
        mistakes=(
            Mistake("σ′ taken at the output", AT_OUTPUT_HINT, lambda: _delta2("at output")),
            Mistake("σ′ forgotten",
                    "a2 − target is ∂E/∂a2; the chain to z2 goes through the sigmoid: multiply by σ′(z2) = a2(1 − a2).",
                    lambda: _delta2("forgotten")),
        ),
        hints=('Two factors, entry by entry: how E changes with the output, and how the output changes with its net input.',
               '∂E/∂a2 = a2 − t and σ′(z2) = a2(1 − a2): multiply them with *, using your out_O from 3.4.'),
        upstream=("3.4",),
        from_upstream=lambda a2_: (a2_ - target) * a2_ * (1 - a2_),
    ),
    Exercise(
        "3.7", "∇W2 = ∇_W2 E = δ2 a1ᵀ (code dW2), a 2×2 array shaped like W2",
        lambda: G.dW[1],
        mistakes=(
            Mistake("the outer product in the wrong order", ORDER_HINT, lambda: np.outer(a1, delta2)),
            Mistake("the input x where a1 belongs",
                    "Layer 2's input is the hidden output a1, so ∇W2 = δ2 a1ᵀ.", lambda: np.outer(delta2, x)),
            Mistake("σ′ taken at the output", "Your δ2 is off: " + AT_OUTPUT_HINT,
                    lambda: np.outer(_delta2("at output"), a1)),
            Mistake("σ′ forgotten", "Your δ2 lacks the factor σ′(z2) = a2(1 − a2).",
                    lambda: np.outer(_delta2("forgotten"), a1)),
        ),
        hints=('Each weight W2[j, k] multiplies hidden output k into output unit j: its gradient pairs δ2_j with a1_k.',
               '∇W2 = δ2 a1ᵀ, a 2×2 outer product (np.outer): rows from δ2, columns from a1.'),
        upstream=("3.6", "3.2"),
        from_upstream=lambda d2, a1_: np.outer(d2, a1_),
    ),
    Exercise(
        "3.8", "δ1 = ∇_z1 E = (W2ᵀ δ2) ⊙ σ′(z1), shape (2,)",
        lambda: delta1,
        mistakes=(
            Mistake("W2 instead of W2ᵀ",
                    "Unit k of the hidden layer feeds every output j through W2[j, k]: the sum over j "
                    "is column k of W2 against δ2, i.e. W2ᵀ δ2 (W2.T @ delta2).",
                    lambda: _delta1("W not W.T")),
            Mistake("σ′ taken at the output", AT_OUTPUT_HINT, lambda: _delta1("at output")),
            Mistake("σ′ forgotten",
                    "W2ᵀ δ2 is ∂E/∂a1; multiply by σ′(z1) = a1(1 − a1) to reach z1.",
                    lambda: _delta1("forgotten")),
            Mistake("δ2 propagated without its σ′",
                    "Start from the correct δ2 = (a2 − target) ⊙ σ′(z2).",
                    lambda: _delta1(d2=_delta2("forgotten"))),
        ),
        hints=('Carry δ2 back through the weights W2 (transposed), then through the hidden sigmoid.',
               'δ1 = (W2ᵀ δ2) ⊙ σ′(z1), with σ′(z1) = a1(1 − a1); W2.T is W2ᵀ and * multiplies entry by entry.'),
        upstream=("3.6", "3.2"),
        from_upstream=lambda d2, a1_: (W2.T @ d2) * a1_ * (1 - a1_),
    ),
    Exercise(
        "3.9", "∇W1 = ∇_W1 E = δ1 xᵀ (code dW1), a 2×2 array shaped like W1",
        lambda: G.dW[0],
        mistakes=(
            Mistake("the outer product in the wrong order", ORDER_HINT, lambda: np.outer(x, delta1)),
            Mistake("W2 instead of W2ᵀ", "Your δ1 used W2 @ delta2; it needs W2.T @ delta2.",
                    lambda: np.outer(_delta1("W not W.T"), x)),
            Mistake("σ′ taken at the output", "Your δ1 is off: " + AT_OUTPUT_HINT,
                    lambda: np.outer(_delta1("at output"), x)),
            Mistake("σ′ forgotten", "Your δ1 lacks the factor σ′(z1) = a1(1 − a1).",
                    lambda: np.outer(_delta1("forgotten"), x)),
            Mistake("a1 where x belongs", "Layer 1's input is x, so ∇W1 = δ1 xᵀ.",
                    lambda: np.outer(delta1, a1)),
        ),
        hints=("The same pattern as 3.7, one layer back: the layer's δ and the layer's own input.",
               '∇W1 = δ1 xᵀ, an outer product shaped like W1.'),
        upstream=("3.8",),
        from_upstream=lambda d1: np.outer(d1, x),
    ),
    Exercise(
        "3.10", "∇b1 = ∇_b1 E (code db1), one bias per hidden unit, shape (2,)",
        lambda: G.db[0],
        mistakes=(
            Mistake("the bias treated as a weight on x",
                    "A bias's input is the constant 1, so ∂E/∂b1 = δ1 · 1 = δ1.", lambda: delta1 * x),
            Mistake("the output layer's δ", "b1 enters z1, so its gradient is δ1, not δ2.", lambda: delta2),
        ),
        hints=("A bias is a weight whose input is always 1: use 3.9's rule with that input.",
               "∇b1 = δ1 · 1: the hidden layer's δ from 3.8, unchanged."),
        upstream=("3.8",),
        from_upstream=lambda d1: d1,
    ),
    Exercise(
        "3.11", "∂E/∂b for seed 001's single shared output bias b⁽²⁾ = 0.6, a number",
        lambda: float(np.sum(delta2)),
        mistakes=(
            Mistake("one bias per unit",
                    "That is the gradient of two separate biases. The seed's b⁽²⁾ is one number added to "
                    "both units, so its gradient adds both paths: δ2₁ + δ2₂.", lambda: delta2),
            Mistake("one path only",
                    "b⁽²⁾ reaches E through both output units: add δ2₁ and δ2₂.", lambda: delta2[0]),
        ),
        hints=('One number reaches E along two paths, one through each output unit: the chain rule adds the paths.',
               '∂E/∂b = [1, 1] δ2 = δ2₁ + δ2₂, with your δ2 from 3.6.'),
        upstream=("3.6",),
        from_upstream=lambda d2: float(np.sum(d2)),
    ),
    Exercise(
        "3.12", "W1 after one gradient-descent step at rate 0.5, a 2×2 array",
        lambda: nets.sgd_step(L.Ws, L.bs, G, rate)[0][0],
        mistakes=(
            Mistake("δ1 from the already-updated W2",
                    "Backpropagate with the weights of the forward pass: compute every gradient "
                    "first, then update all the weights.", _W1_after_updated_W2),
            Mistake("a step uphill (gradient ascent)", "Descent subtracts: W1 ← W1 − 0.5·∇W1.",
                    lambda: W1 + rate * G.dW[0]),
            Mistake("the learning rate left out", "The step is 0.5·∇W1, not ∇W1.",
                    lambda: W1 - G.dW[0]),
        ),
        rtol=1e-9,
        hints=('One gradient-descent step on W1 with your gradient from 3.9, at the rate L.rate.',
               'W1 ← W1 − η ∇W1 with η = L.rate (all gradients come from the weights before the step).'),
        upstream=("3.9",),
        from_upstream=lambda dW1_: W1 - rate * dW1_,
    ),
)
