"""Notebook 03, the 2-2-2 sigmoid network of seed 001, in the column convention z = W x + b.

Names: z1 = W1 x + b1 (seed 001's net_H), a1 = σ(z1) (out_H), z2 = W2 a1 + b2 (net_O),
a2 = σ(z2) (out_O), E = ½‖a2 − target‖²; δ = ∂E/∂z per layer. Every expected value comes from
helpers.nets; the known mistakes are built from the same reference pieces, changed the way a
learner changes them (and, where the seed prints a wrong number, the seed's number).
"""

import numpy as np

from helpers import lessons, nets
from helpers.checking.slips import Quantities, Work, c, dsigmoid, outer, sigmoid, total
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


# --- the quantities a learner has at hand, and which ones they take one for another ---------------

Q = Quantities()
Q.add("x", x, "the input x")
Q.add("t", target, "the target t")
Q.add("W1", W1, "the hidden layer's weights W1")
Q.add("W2", W2, "the output layer's weights W2")
Q.add("b1", b1, "the hidden bias b1")
Q.add("b2", b2, "the output bias b2")
Q.add("z1", z1, "the hidden net input z1")
Q.add("a1", a1, "the hidden output a1")
Q.add("z2", z2, "the output net input z2")
Q.add("a2", a2, "the output a2")
Q.add("η", rate, "the learning rate η")
Q.confuse(("W1", "W2"), ("b1", "b2"), ("z1", "a1"), ("z2", "a2"), ("z1", "z2"), ("a1", "a2"), ("x", "a1"))
Q.confuse_one_way("a1", "z1")
Q.confuse_one_way("z2", "a1")   # σ′ at the hidden output: the layer's own input, not its net input
Q.confuse_one_way("z1", "x")


def _z1():
    return (Q["W1"] @ Q["x"] + Q["b1"].named("the bias term b1")).named("the hidden net input z1")


def _z2():
    return Q["W2"] @ Q["a1"] + Q["b2"].named("the bias term b2")


def _delta2_trees():
    """δ2 = ∂E/∂a2 ⊙ ∂a2/∂z2, with the sigmoid's slope written as σ′(z2) or as a2(1 − a2)."""
    error = (Q["a2"] - Q["t"]).named("∂E/∂a2, the error's slope at the output")
    slopes = (dsigmoid(Q["z2"]).named("∂a2/∂z2, the slope of the output sigmoid"),
              (Q["a2"] * (1 - Q["a2"])).named("∂a2/∂z2, the slope of the output sigmoid"))
    return [(error * slope).named("δ2") for slope in slopes]


def _delta1_trees():
    """δ1 = (W2ᵀ δ2) ⊙ σ′(z1), δ2 written out (its slips show in δ1)."""
    out = []
    for d2, slope in zip(_delta2_trees(), (dsigmoid(Q["z1"]), Q["a1"] * (1 - Q["a1"]))):
        back = (Q["W2"].T @ d2).named("∂E/∂a1, δ2 carried back through W2")
        out.append((back * slope.named("∂a1/∂z1, the slope of the hidden sigmoid")).named("δ1"))
    return out


def _neighbours_of_delta2():
    return (((Q["a2"] - Q["t"]), "∂E/∂a2, one step before δ2 in the chain"),)


ORDER_HINT = ("The gradient has the shape of W: one row per unit the weights lead to (δ's units), one column "
              "per input of the layer. Your rows and columns are the other way round.")
AT_OUTPUT_HINT = ("σ′ belongs at the net input z: σ′(z) = σ(z)(1 − σ(z)). You applied σ′ to the output a = σ(z), "
                  "which puts σ in twice.")

# the learning rate multiplied in: that makes the step, not the gradient
STEP = ((Q["η"], "the learning rate η: that makes the step of gradient descent, not the gradient"),)

register(
    Exercise(
        "3.1", "the hidden layer's net input z1 = W1 x + b1 (seed 001's net_H), shape (2,)",
        lambda: z1,
        mistakes=(
            Mistake("the bias left out", "Each unit's net input also has its bias added.", lambda: W1 @ x),
            Mistake("W1ᵀ x, the row convention's product",
                    "In the column convention row j of W1 holds the weights into unit j, so the matrix comes "
                    "first and is not transposed (x @ W1 computes W1ᵀ x).",
                    lambda: W1.T @ x + b1),
        ),
        rtol=1e-9,
        hints=("A matrix times a column: each row of W1 meets the input x, giving one hidden unit's weighted sum; "
               "then each unit gets its bias.",
               "Row j of W1 holds the weights into hidden unit j, so unit j's net input is that row against x "
               "plus b1[j]. Which numpy operator multiplies a matrix by a vector (not entry by entry)?"),
        work=lambda: Work("the hidden net input z1", (_z1(),)),
    ),
    Exercise(
        "3.2", "the hidden layer's output a1 = σ(z1) (seed 001's out_H), shape (2,)",
        lambda: a1,
        mistakes=(
            Mistake("seed 001's out_H",
                    "That is seed 001's printed out_H, whose first entry has lost a 9: compute σ at full "
                    "precision instead of copying the seed.",
                    lambda: SEED_A1),
            Mistake("seed 001's out_H as copied into layer 2",
                    "That is seed 001's out_H as copied into its layer 2, whose second entry has an 8 too many: "
                    "compute σ at full precision instead of copying the seed.",
                    lambda: SEED_A1_LAYER2),
        ),
        rtol=1e-9,
        hints=("Apply the sigmoid to each entry of your z1 from 3.1.",
               "σ(z) = 1/(1 + e^(−z)), entry by entry; mind the minus in the exponent. nets.sigmoid applies it "
               "to a whole array."),
        upstream=("3.1",),
        from_upstream=lambda z1: nets.sigmoid(z1),
        work=lambda: Work("the hidden output a1", (sigmoid(Q["z1"]), sigmoid(_z1()))),
    ),
    Exercise(
        "3.3", "the output layer's net input z2 = W2 a1 + b2 (seed 001's net_O), shape (2,)",
        lambda: z2,
        mistakes=(
            Mistake("the net input z1 fed to layer 2",
                    "Layer 2 takes the hidden layer's output (after its sigmoid), not its net input.",
                    lambda: W2 @ z1 + b2),
            Mistake("the input x fed to layer 2",
                    "Layer 2 takes the hidden layer's output, not the network's input.",
                    lambda: W2 @ x + b2),
        ),
        rtol=1e-9,
        hints=("The same step as 3.1, one layer on: which vector is the output layer's input?",
               "The output layer multiplies its own weights by its own input (the hidden layer's output from "
               "3.2) and adds its own bias, exactly as 3.1 did for the hidden layer."),
        upstream=("3.2",),
        from_upstream=lambda a1_: W2 @ a1_ + b2,
        work=lambda: Work("the output net input z2", (
            _z2(), Q["W2"] @ sigmoid(Q["z1"]).named("the hidden output a1") + Q["b2"].named("the bias term b2"))),
    ),
    Exercise(
        "3.4", "the network's output a2 = σ(z2) (seed 001's out_O), shape (2,)",
        lambda: a2,
        mistakes=(
            Mistake("the net input z1 fed to layer 2",
                    "Layer 2 takes the hidden layer's output σ(z1), not z1.",
                    lambda: sig(W2 @ z1 + b2)),
        ),
        rtol=1e-9,
        hints=("The same step as 3.2, on the output layer's net input.",
               "Apply the sigmoid entry by entry to your z2 from 3.3 (nets.sigmoid does it for an array)."),
        upstream=("3.3",),
        from_upstream=lambda z2_: nets.sigmoid(z2_),
        work=lambda: Work("the network's output a2", (sigmoid(Q["z2"]), sigmoid(_z2()))),
    ),
    Exercise(
        "3.5", "the total error E = ½‖a2 − target‖², a number",
        lambda: nets.half_squared_error(a2, target),
        mistakes=(
            Mistake("seed 001's E_total: the first output only",
                    "0.274811083 is the first output's term alone; the norm adds both outputs' squared errors.",
                    lambda: 0.5 * (a2[0] - target[0]) ** 2),
            Mistake("the norm without its square", "E uses the squared norm, the sum of the squares.",
                    lambda: 0.5 * np.linalg.norm(a2 - target)),
        ),
        rtol=1e-9,
        hints=("Subtract the targets from your outputs of 3.4, then square and add.",
               "‖v‖² is the sum of the squares of v's entries: one squared error per output unit, added up, "
               "and then the factor in front."),
        upstream=("3.4",),
        from_upstream=lambda a2_: nets.half_squared_error(a2_, target),
        work=lambda: Work("the total error E", (
            (c(0.5, "the ½ in front of the norm") * total(((Q["a2"] - Q["t"]) ** 2).named("the squared errors"))),
        ), neighbours=((0.5 * total(Q["a2"] - Q["t"]) ** 2, "½ (Σ (a2 − t))², the square of the sum where the sum of "
                                                                "the squares belongs"),)),
    ),
    Exercise(
        "3.6", "δ2 = ∇_z2 E = (a2 − target) ⊙ σ′(z2), shape (2,)",
        lambda: delta2,
        mistakes=(
            Mistake("σ′ taken at the output", AT_OUTPUT_HINT, lambda: _delta2("at output")),
            Mistake("σ′ forgotten",
                    "a2 − target is ∂E/∂a2; the chain from a2 back to z2 goes through the sigmoid: its slope "
                    "is a factor too.",
                    lambda: _delta2("forgotten")),
        ),
        hints=("Two factors, entry by entry: how E changes with the output a2, and how a2 changes with its net input z2.",
               "∂E/∂a2 comes from differentiating ½‖a2 − t‖²; ∂a2/∂z2 is the sigmoid's slope, which can be "
               "written with a2 alone (notebook 02, 2.3). Multiply the two entry by entry (`*`)."),
        upstream=("3.4",),
        from_upstream=lambda a2_: (a2_ - target) * a2_ * (1 - a2_),
        work=lambda: Work("δ2 = ∂E/∂z2", extras=STEP, trees=tuple(_delta2_trees()), neighbours=_neighbours_of_delta2()),
    ),
    Exercise(
        "3.7", "∇W2 = ∇_W2 E = δ2 a1ᵀ (code dW2), a 2×2 array shaped like W2",
        lambda: G.dW[1],
        mistakes=(
            Mistake("the outer product in the wrong order", ORDER_HINT, lambda: np.outer(a1, delta2)),
            Mistake("the input x where a1 belongs",
                    "Layer 2's input is the hidden output a1, not the network's input x.", lambda: np.outer(delta2, x)),
            Mistake("σ′ taken at the output", "Your δ2 is off: " + AT_OUTPUT_HINT,
                    lambda: np.outer(_delta2("at output"), a1)),
            Mistake("σ′ forgotten", "Your δ2 lacks the slope of the output sigmoid.",
                    lambda: np.outer(_delta2("forgotten"), a1)),
        ),
        hints=('Each weight W2[j, k] multiplies hidden output k into output unit j: its gradient pairs δ2_j with a1_k.',
               "One number per pair (j, k): a 2×2 array with rows indexed by δ2 and columns by the layer's "
               "input. Which numpy function builds the table of all products u_j·v_k of two vectors?"),
        upstream=("3.6", "3.2"),
        from_upstream=lambda d2, a1_: np.outer(d2, a1_),
        work=lambda: Work("∇W2 = ∂E/∂W2", extras=STEP, trees=tuple(outer(d, Q["a1"]) for d in _delta2_trees())),
    ),
    Exercise(
        "3.8", "δ1 = ∇_z1 E = (W2ᵀ δ2) ⊙ σ′(z1), shape (2,)",
        lambda: delta1,
        mistakes=(
            Mistake("W2 instead of W2ᵀ",
                    "Unit k of the hidden layer feeds every output j through W2[j, k]: the sum over j runs down "
                    "column k of W2, which is row k of the transpose.",
                    lambda: _delta1("W not W.T")),
            Mistake("σ′ taken at the output", AT_OUTPUT_HINT, lambda: _delta1("at output")),
            Mistake("σ′ forgotten",
                    "W2ᵀ δ2 is ∂E/∂a1; to reach z1 the chain goes through the hidden sigmoid: its slope is a "
                    "factor too.",
                    lambda: _delta1("forgotten")),
            Mistake("δ2 propagated without its σ′",
                    "The δ2 you carried back lacks the output sigmoid's slope: start from δ2 as in 3.6.",
                    lambda: _delta1(d2=_delta2("forgotten"))),
        ),
        hints=('Carry δ2 back through the weights W2, then through the hidden sigmoid.',
               "Hidden unit k reaches E through every output j, by the weight W2[j, k]: add δ2_j·W2[j, k] over j "
               "(a matrix product with W2 or its transpose: check which one sums over j). Then multiply entry by "
               "entry by the hidden sigmoid's slope."),
        upstream=("3.6", "3.2"),
        from_upstream=lambda d2, a1_: (W2.T @ d2) * a1_ * (1 - a1_),
        work=lambda: Work("δ1 = ∂E/∂z1", extras=STEP, trees=tuple(_delta1_trees()), neighbours=(
            ((Q["W2"].T @ _delta2_trees()[0]), "∂E/∂a1 = W2ᵀ δ2, one step before δ1 in the chain"),)),
    ),
    Exercise(
        "3.9", "∇W1 = ∇_W1 E = δ1 xᵀ (code dW1), a 2×2 array shaped like W1",
        lambda: G.dW[0],
        mistakes=(
            Mistake("the outer product in the wrong order", ORDER_HINT, lambda: np.outer(x, delta1)),
            Mistake("W2 instead of W2ᵀ", "Your δ1 carried δ2 back through W2 without its transpose.",
                    lambda: np.outer(_delta1("W not W.T"), x)),
            Mistake("σ′ taken at the output", "Your δ1 is off: " + AT_OUTPUT_HINT,
                    lambda: np.outer(_delta1("at output"), x)),
            Mistake("σ′ forgotten", "Your δ1 lacks the slope of the hidden sigmoid.",
                    lambda: np.outer(_delta1("forgotten"), x)),
            Mistake("a1 where x belongs", "Layer 1's input is the network's input x, not its own output.",
                    lambda: np.outer(delta1, a1)),
        ),
        hints=("The same pattern as 3.7, one layer back: the layer's δ and the layer's own input.",
               "Rows indexed by the hidden layer's δ, columns by the hidden layer's input: which δ and which "
               "input belong to layer 1?"),
        upstream=("3.8",),
        from_upstream=lambda d1: np.outer(d1, x),
        work=lambda: Work("∇W1 = ∂E/∂W1", extras=STEP, trees=tuple(outer(d, Q["x"]) for d in _delta1_trees())),
    ),
    Exercise(
        "3.10", "∇b1 = ∇_b1 E (code db1), one bias per hidden unit, shape (2,)",
        lambda: G.db[0],
        mistakes=(
            Mistake("the bias treated as a weight on x",
                    "A bias's input is the constant 1, not the network's input x.", lambda: delta1 * x),
        ),
        hints=("A bias is a weight whose input is always 1: use 3.9's rule with that input.",
               "∂z1_j/∂b1_j = 1: so how does ∂E/∂b1 relate to the δ of the same layer?"),
        upstream=("3.8",),
        from_upstream=lambda d1: d1,
        work=lambda: Work("∇b1 = ∂E/∂b1", extras=STEP, trees=tuple(_delta1_trees()), neighbours=(
            (total(_delta1_trees()[0]), "the sum δ1₁ + δ1₂, the gradient of one bias shared by both hidden units"),
            (np.ones(2), "∂z1/∂b1 alone, the last factor of the chain"),)),
    ),
    Exercise(
        "3.11", "∂E/∂b for seed 001's single shared output bias b⁽²⁾ = 0.6, a number",
        lambda: float(np.sum(delta2)),
        mistakes=(
            Mistake("one bias per unit",
                    "That is the gradient of two separate biases. The seed's b⁽²⁾ is one number added to "
                    "both units, so its gradient gathers both paths into one number.", lambda: delta2),
            Mistake("one path only",
                    "b⁽²⁾ reaches E through both output units: the chain rule adds the paths.", lambda: delta2[0]),
        ),
        hints=('One number reaches E along two paths, one through each output unit: the chain rule adds the paths.',
               "Along the path through output unit j, ∂z2_j/∂b = 1, so that path contributes δ2_j. How do the "
               "two paths combine?"),
        upstream=("3.6",),
        from_upstream=lambda d2: float(np.sum(d2)),
        work=lambda: Work("∂E/∂b⁽²⁾ for the shared bias", extras=STEP, trees=tuple(total(d) for d in _delta2_trees())),
    ),
    Exercise(
        "3.12", "W1 after one gradient-descent step at rate 0.5, a 2×2 array",
        lambda: nets.sgd_step(L.Ws, L.bs, G, rate)[0][0],
        mistakes=(
            Mistake("δ1 from the already-updated W2",
                    "Backpropagate with the weights of the forward pass: compute every gradient "
                    "first, then update all the weights.", _W1_after_updated_W2),
        ),
        rtol=1e-9,
        hints=('One gradient-descent step on W1 with your gradient from 3.9, at the rate L.rate.',
               "Gradient descent moves W1 against its own gradient, scaled by the learning rate; every "
               "gradient comes from the weights before the step."),
        upstream=("3.9",),
        from_upstream=lambda dW1_: W1 - rate * dW1_,
        base=lambda: W1,
        work=lambda: Work("W1 after one step", tuple(
            Q["W1"] - (Q["η"] * outer(d, Q["x"]).named("∇W1")).named("the step η·∇W1") for d in _delta1_trees()),
            neighbours=((Q["W2"] - Q["η"] * outer(_delta2_trees()[0], Q["a1"]),
                         "W2 after one step: the other layer's weights"),)),
    ),
)
