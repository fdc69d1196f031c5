"""Notebook 05, batches, biases and training: the 3-3-3-3 network of seed 002 on a batch of four
examples (the seed's own first), and Fisher's iris data set from data/iris.csv."""

import numpy as np

from helpers import datasets, lessons, nets
from helpers.checking.slips import (Quantities, Work, c, drelu, dsigmoid, log, mean, outer, relu, sigmoid, softmax,
                                    std, total)
from helpers.exercises import Exercise, Mistake, register

L = lessons.three_layer()
acts, loss = L.activations, L.loss
W1, W2, W3 = L.Ws
X, T = datasets.seed_batch()
N = len(X)


def _forward(Ws=L.Ws, bs=L.bs, x=X):
    return nets.forward(Ws, bs, x, acts)


def _delta3():
    """Δ3 = P − T: the per-example δ at the output, one row per example (no 1/N)."""
    return _forward().out - T


def _dW1_by_hand(sigma_prime_at_output=False, transpose_W=True, mean=True):
    """dW1 through the batch written out, with switches for the known mistakes."""
    fw = _forward()
    Z1, Z2 = fw.z[0], fw.z[1]
    A2 = fw.a[2]
    back = (lambda W: W.T) if transpose_W else (lambda W: W)
    s2 = nets.sigmoid_prime(A2) if sigma_prime_at_output else A2 * (1 - A2)
    D2 = (_delta3() @ back(W3)) * s2
    D1 = (D2 @ back(W2)) * nets.relu_prime(Z1)
    return X.T @ D1 / (N if mean else 1)


def _dW1_from(D3):
    """dW1 from a given Δ3 (the learner's own, for tracing a wrong 5.2 upstream)."""
    fw = _forward()
    D2 = (D3 @ W3.T) * fw.a[2] * (1 - fw.a[2])
    D1 = (D2 @ W2.T) * nets.relu_prime(fw.z[0])
    return X.T @ D1 / N


def _no_bias_output(bs):
    return nets.forward(L.Ws, bs, np.zeros(3), acts).out


def _iris_split():
    D = datasets.load_iris()
    return datasets.split(D.X, D.y)


def _standardised_test(stats_from):
    X_train, X_test, _, _ = _iris_split()
    source = {"train": X_train, "test": X_test, "all": np.vstack([X_train, X_test])}[stats_from]
    return (X_test - source.mean(axis=0)) / source.std(axis=0)


def _standardised_test_ddof1():
    X_train, X_test, _, _ = _iris_split()
    return (X_test - X_train.mean(axis=0)) / X_train.std(axis=0, ddof=1)


def _equal():
    return [np.full_like(W, 0.5) for W in L.Ws]


_Z0 = Quantities()  # where σ′ is evaluated in 5.9 and 5.10, and where learners evaluate it (never named:
_Z0.add("0", 0.0, "the z where the sigmoid is steepest")   # that z is the answer's half)
_Z0.add("½", 0.5, "z = ½ (½ is a value of σ, not a z)")
_Z0.add("1", 1.0, "z = 1")
_Z0.confuse_one_way("0", "½", "1")
_Z0 = _Z0["0"]


def _work_5_7():
    X_train, X_test, _, _ = _iris_split()
    S = Quantities()
    S.add("X_test", X_test, "the test set X_test")
    S.add("X_train", X_train, "the training set X_train")
    S.confuse_one_way("X_train", "X_test")
    spread = std(S["X_train"], axis=0).named("the training set's standard deviation per column")
    spread.alt(std(S["X_train"], axis=0) ** 2, "the variance where the standard deviation belongs", "function")
    tree = (S["X_test"] - mean(S["X_train"], axis=0).named("the training set's mean per column")) / spread
    return Work("the standardised test set", (tree,), neighbours=(
        ((X_train - X_train.mean(axis=0)) / X_train.std(axis=0), "the training set standardised"),
        (_per_row(X_test), "each row (flower) standardised by its own mean and std: each column (feature) needs its own"),
        ((X_test - X_test.mean()) / X_test.std(), "one mean and one std over every entry of the test set: each "
                                                   "column (feature) needs its own, from the training set"),
        ((X_test - X_train.min(axis=0)) / (X_train.max(axis=0) - X_train.min(axis=0)),
         "min–max scaling: standardising shifts by the mean and divides by the standard deviation"),))


def _work_5_8():
    fe = _equal_forward()
    E = Quantities()
    E.add("A2", fe.a[2], "the sigmoid layer's output A2 (with the equal weights)")
    E.add("A1", fe.a[1], "the ReLU layer's output A1 (with the equal weights)")
    E.add("P", fe.out, "the softmax output P (with the equal weights)")
    E.add("P_seed", FW.out, "the softmax output P of the seed's weights")
    E.add("T", T, "the targets T")
    E.confuse(("A2", "A1"))
    E.confuse_one_way("P", "P_seed")
    only_W3 = nets.backward([L.Ws[0], L.Ws[1], np.full_like(W3, 0.5)], L.bs, X, T, acts, loss).dW[2]
    no_bias = nets.backward(_equal(), [np.zeros(3)] * 3, X, T, acts, loss).dW[2]
    tree = (E["A2"].T @ (E["P"] - E["T"]).named("Δ3 = ∂E/∂Z3")) / Q["N"]
    return Work("∇W3 E with every weight at 0.5", (tree,), neighbours=(
        (only_W3, "the gradient with only W3 set to 0.5: W1 and W2 are 0.5 too"),
        (no_bias, "the gradient with the biases set to 0 as well: the biases stay as in the seed"),))


# --- the quantities a learner has at hand, and which ones they take one for another ---------------

FW = _forward()
Q = Quantities()
Q.add("X", X, "the batch X")
Q.add("T", T, "the targets T")
for _l, _W in enumerate(L.Ws, start=1):
    Q.add(f"W{_l}", _W, f"layer {_l}'s weights W{_l}")
Q.add("Z1", FW.z[0], "the net input Z1")
Q.add("A1", FW.a[1], "the ReLU layer's output A1")
Q.add("Z2", FW.z[1], "the sigmoid layer's net input Z2")
Q.add("A2", FW.a[2], "the sigmoid layer's output A2")
Q.add("Z3", FW.z[2], "the output layer's net input Z3")
Q.add("P", FW.out, "the softmax output P")
Q.add("N", float(N), "the number of examples N")
Q.add("k", 3.0, "the number of classes (columns) 3")
Q.confuse(("W1", "W2", "W3"), ("X", "A1", "A2"), ("Z2", "A2"), ("Z3", "P"), ("Z1", "Z2"), ("N", "k"))


def _Delta3():
    d = (Q["P"] - Q["T"]).named("Δ3 = ∂E/∂Z3")
    d.alt(-(Q["T"] / Q["P"]), "∂E/∂P stands where Δ3 = ∂E/∂Z3 belongs: the softmax's Jacobian is missing from "
                              "the chain", "missing-factor")
    d.alt((Q["P"] - Q["T"]) * Q["P"] * (1 - Q["P"]),
          "the softmax's slope P(1 − P) is applied on top of a Δ3 that already went through the softmax's Jacobian",
          "extra-factor")
    return d


def _Delta2_trees():
    slopes = (dsigmoid(Q["Z2"]), Q["A2"] * (1 - Q["A2"]))
    return [((_Delta3() @ Q["W3"].T).named("∂E/∂A2, Δ3 carried back through W3")
             * s.named("σ′(Z2), the sigmoid layer's slope")).named("Δ2, layer 2's δ") for s in slopes]


def _Delta1_trees():
    out = []
    for d2 in _Delta2_trees():
        d1 = ((d2 @ Q["W2"].T).named("∂E/∂A1, Δ2 carried back through W2")
              * drelu(Q["Z1"]).named("ReLU′(Z1), the ReLU layer's slope")).named("Δ1, layer 1's δ")
        d1.alt(d2, "Δ2, layer 2's δ, where layer 1's Δ1 belongs", "swapped")
        out.append(d1)
    return out


def _per_row(M):
    return (M - M.mean(axis=1, keepdims=True)) / M.std(axis=1, keepdims=True)


def _equal_forward():
    return nets.forward(_equal(), L.bs, X, acts)


register(
    Exercise(
        "5.1", "the loss E of the batch, a number",
        lambda: nets.loss_of(L.Ws, L.bs, X, T, acts, loss),
        mistakes=(
            Mistake("the loss of the first example only",
                    "That is the seed's single example: the batch loss takes every row into account.",
                    lambda: nets.loss_of(L.Ws, L.bs, X[0], T[0], acts, loss)),
            Mistake("seed 002's binary cross-entropy formula",
                    "The seed adds (1 − y)·log(1 − p) terms, which belong to independent sigmoid "
                    "outputs; after a softmax each row's loss is the categorical cross-entropy.",
                    lambda: nets.binary_cross_entropy(_forward().out, T)),
        ),
        hints=("Compute the cross-entropy of each row first (one example each), then combine the rows.",
               "A row's cross-entropy adds −t log p over that row's classes (axis=1); the batch loss is the "
               "mean of the rows' losses, over the examples only."),
        factors=((N, "the sum over the rows, where the loss is their mean: divide by N"),),
        work=lambda: Work("the batch loss E", (
            -mean(total((Q["T"] * log(Q["P"])).named("the terms t log p"), axis=1).named("each row's sum over its classes"),
                  axis=0),), neighbours=(
            (-np.mean(T * np.log(FW.out)), "the mean over every entry, classes too: the loss averages over the "
                                            "examples only, after adding up each row's classes"),)),
    ),
    Exercise(
        "5.2", "Δ3, the δ3 = ∂Eₙ/∂z3 of each example as its row, a 4×3 array (no 1/N)",
        _delta3,
        mistakes=(
            Mistake("the 1/N of the batch mean folded in already",
                    "That is Δ3/N, what helpers.nets keeps in grads.delta. The per-example δ has no 1/N; "
                    "the 1/N comes in once, when the rows are added up into a gradient.",
                    lambda: _delta3() / N),
        ),
        hints=("Notebook 04 found δ at a softmax output with cross-entropy for one example; do it "
               "for every row at once.",
               "Write notebook 04's δ3 for one example with that example's p and t, then notice that the "
               "same expression with the whole arrays P and T gives every row at once (shape N×3, no 1/N)."),
        factors=((1 / N, "the 1/N of the batch mean folded in too early: Δ3 is per example"),),
        work=lambda: Work("Δ3 = ∂E/∂Z3, one row per example", (_Delta3(),)),
    ),
    Exercise(
        "5.3", "∇W3 E for the batch, a 3×3 array shaped like W3 (row convention)",
        lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).dW[2],
        mistakes=(
            Mistake("the sum over the rows instead of the mean",
                    "A2ᵀ Δ3 adds the per-example gradients; the loss is a mean over the examples.",
                    lambda: _forward().a[2].T @ _delta3()),
            Mistake("the gradient at the averaged example",
                    "Seed 002 says 'just average everything', but averaging the inputs first and "
                    "then back-propagating gives the gradient at an example that is not in the batch. "
                    "Average the per-example gradients instead.",
                    lambda: nets.backward(L.Ws, L.bs, X.mean(axis=0), T.mean(axis=0), acts, loss).dW[2]),
            Mistake("the gradient of the first example only",
                    "That is the seed's single-example gradient: every row of the batch counts.",
                    lambda: nets.backward(L.Ws, L.bs, X[0], T[0], acts, loss).dW[2]),
        ),
        hints=("Each example gives its own outer product a2ᵀ δ3; the batch loss is the mean of "
               "the examples' losses.",
               "One matrix product adds the per-example outer products for you: which product of A2 (N×3) "
               "and Δ3 (N×3), transposed where needed, gives a 3×3 sum over the N rows? Then account for the "
               "mean."),
        upstream=("5.2",),
        from_upstream=lambda D3: _forward().a[2].T @ np.asarray(D3, dtype=float) / N,
        factors=((N, "the sum over the examples, where the loss is their mean: divide by N"),),
        work=lambda: Work("∇W3 E for the batch", ((Q["A2"].T @ _Delta3()).named("the sum of the examples' gradients")
                                                  / Q["N"],), neighbours=(
            (np.outer(FW.a[2].mean(axis=0), _delta3().mean(axis=0)),
             "the product of the averages: average the examples' products instead"),)),
    ),
    Exercise(
        "5.4", "∇W1 E for the batch, a 3×3 array shaped like W1 (row convention)",
        _dW1_by_hand,
        mistakes=(
            Mistake("σ′ evaluated at the output of the sigmoid",
                    "σ′ is taken at the net input Z2; nets.sigmoid_prime(A2) takes σ of A2 once more.",
                    lambda: _dW1_by_hand(sigma_prime_at_output=True)),
            Mistake("δ passed back through W instead of Wᵀ",
                    "In the row convention Z = A W + b, so the rows of Δ go back through the transpose (the "
                    "shapes fit either way here only because every layer is 3 wide).",
                    lambda: _dW1_by_hand(transpose_W=False)),
            Mistake("the sum over the rows instead of the mean",
                    "Xᵀ Δ1 adds the per-example gradients; the loss is a mean over the examples.",
                    lambda: _dW1_by_hand(mean=False)),
        ),
        hints=("Hand Δ down one layer at a time, as notebook 04 did, with N rows: first Δ2, then Δ1, "
               "then the weight gradient.",
               "Each step is notebook 04's, with a matrix of N rows in place of a row vector: back through "
               "the weights (transposed), then entry by entry through the layer's slope at its net input. "
               "The last step pairs layer 1's input with Δ1, as 5.3 did, and takes the mean."),
        upstream=("5.2",),
        from_upstream=lambda D3: _dW1_from(np.asarray(D3, dtype=float)),
        factors=((N, "the sum over the examples, where the loss is their mean: divide by N"),),
        work=lambda: Work("∇W1 E for the batch", tuple((Q["X"].T @ d1).named("the sum of the examples' gradients")
                                                       / Q["N"] for d1 in _Delta1_trees()), neighbours=(
            (_Delta1_trees()[0], "Δ1, layer 1's δ for every example: one step before the weight gradient"),
            (_Delta2_trees()[0], "Δ2, layer 2's δ for every example: two steps before layer 1's weight gradient"),)),
    ),
    Exercise(
        "5.5", "∇b3 E for the batch, a vector of 3 shaped like b3",
        lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).db[2],
        mistakes=(
            Mistake("the sum over the rows instead of the mean",
                    "Each example contributes its δ; the loss is a mean over the examples.",
                    lambda: _delta3().sum(axis=0)),
            Mistake("the sum over the output units",
                    "Each row of P − T sums to 0, so this is always zero: the bias gradient gathers the "
                    "examples (the rows), not the units.",
                    lambda: np.zeros(N)),
            Mistake("no gradient for the bias, as in seed 002",
                    "The seed leaves the biases out of the backward pass, but they are parameters "
                    "like the weights: they move Z, so E depends on them.",
                    lambda: np.zeros(3)),
        ),
        hints=("A bias is a weight whose input is always 1: what does A2ᵀ Δ3 / N become with a "
               "column of ones in place of A2?",
               "Multiplying by a column of ones adds up rows. Which axis of Δ3 runs over the examples, and "
               "what does the mean over the batch make of that sum?"),
        upstream=("5.2",),
        from_upstream=lambda D3: np.asarray(D3, dtype=float).mean(axis=0),
        factors=((N, "the sum over the rows, where the loss is their mean: divide by N"),),
        work=lambda: Work("∇b3 E for the batch", (mean(_Delta3(), axis=0),)),
    ),
    Exercise(
        "5.6", "the output p of seed 002's network without biases at the input x = 0, a vector of 3",
        lambda: _no_bias_output([np.zeros(3)] * 3),
        mistakes=(
            Mistake("every layer through the origin",
                    "ReLU(0) = 0, but the sigmoid does not send 0 to 0: z3 is not 0, and the softmax of it "
                    "is not uniform.",
                    lambda: np.full(3, 1 / 3)),
            Mistake("the biases still in",
                    "That is the seed's network with its biases of 1: every b is 0 here.",
                    lambda: _no_bias_output(L.bs)),
        ),
        hints=("Push x = 0 through every layer with every b = 0: what does each activation give at 0?",
               "ReLU(0) = 0, so layer 2's net input is 0 too; but σ(0) is not 0. Follow that value through W3 "
               "(row convention: the row vector on the left) and the softmax."),
        work=lambda: Work("the output p at x = 0", (
            softmax(sigmoid(relu(c(np.zeros(3), "the input x = 0") @ Q["W1"]) @ Q["W2"]).named("a2 = σ(0) everywhere")
                    @ Q["W3"]),), neighbours=(
            (nets.softmax(np.ones(3) @ W3), "softmax of W3's column sums: σ(0) is ½, not 1"),
            (nets.sigmoid(np.zeros(3)), "a2 = σ(0), the sigmoid layer's output: two steps remain, through W3 and "
                                        "the softmax"),)),
    ),
    Exercise(
        "5.7", "the iris test set standardised with the training set's statistics, a 30×4 array",
        lambda: _standardised_test("train"),
        mistakes=(
            Mistake("the test set's own mean and standard deviation",
                    "The test set stands for flowers not seen yet: scale it with the statistics the model "
                    "was trained with.",
                    lambda: _standardised_test("test")),
            Mistake("statistics of all 150 flowers",
                    "The mean and std then contain the test set, which leaks it into training: "
                    "use the training set's statistics only.",
                    lambda: _standardised_test("all")),
            Mistake("the standard deviation with N − 1",
                    "np.std divides by N by default and the course does too; ddof=1 divides by N − 1.",
                    _standardised_test_ddof1),
        ),
        hints=("Which flowers may the mean and the standard deviation come from? Only those the "
               "model trains on.",
               "Each column (feature) gets its own mean and standard deviation, computed down the rows of "
               "the training set (which axis?); then shift and scale the test set with them."),
        work=_work_5_7,
    ),
    Exercise(
        "5.8", "∇W3 E for the batch when every weight is 0.5 (biases as in the seed), a 3×3 array",
        lambda: nets.backward(_equal(), L.bs, X, T, acts, loss).dW[2],
        mistakes=(
            Mistake("zero",
                    "Equal weights do not stop the output layer from learning: Δ3 = P − T is not zero. What "
                    "equal weights do is make the rows equal: every hidden unit of layer 2 gets the same "
                    "gradient.",
                    lambda: np.zeros((3, 3))),
            Mistake("the gradient at the seed's weights",
                    "Every weight of W1, W2 and W3 is 0.5 here (np.full_like(W, 0.5)).",
                    lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).dW[2]),
        ),
        hints=("Set every entry of W1, W2 and W3 to 0.5, keep the biases, and run the batch "
               "backward pass.",
               "A new forward pass first (the activations change with the weights), then the gradient of W3 "
               "as in 5.3; nets.forward and nets.backward take the weights as a list."),
        factors=((N, "the sum over the examples, where the loss is their mean: divide by N"),),
        work=_work_5_8,
    ),
    Exercise(
        "5.9", "the largest value of σ′(z) = σ(z)(1 − σ(z)) over all z, a number",
        lambda: float(nets.sigmoid_prime(0.0)),
        mistakes=(
            Mistake("the sigmoid's value where its slope is asked",
                    "That is the value of the sigmoid at its steepest point, not its slope there.",
                    lambda: float(nets.sigmoid(0.0))),
            Mistake("the largest slope of tanh or ReLU",
                    "tanh′(0) = 1 and ReLU′ = 1 for z > 0, but the sigmoid is flatter than both.",
                    lambda: 1.0),
        ),
        hints=("Write σ′ in terms of s = σ(z), which lies between 0 and 1: σ′ = s (1 − s).",
               "s (1 − s) is a parabola in s, highest in the middle of (0, 1); find the z where σ takes that "
               "value, then evaluate σ′ there."),
        work=lambda: Work("the largest value of σ′", (dsigmoid(_Z0),), neighbours=(
            (0.0, "the slope far from z = 0, where the sigmoid is flat; the largest slope is where it is steepest"),)),
    ),
    Exercise(
        "5.10", "the largest value the product of the σ′ factors in δ1 can take, for 6 sigmoid layers, a number",
        lambda: float(nets.sigmoid_prime(0.0)) ** 6,
        mistakes=(
            Mistake("one factor too few",
                    "δ1 = ∂E/∂z1 picks up σ′ once in each of the 6 layers, the output layer and the first "
                    "included: count the factors again.",
                    lambda: float(nets.sigmoid_prime(0.0)) ** 5),
            Mistake("the sigmoid's value in each factor",
                    "Each factor is bounded by the largest slope of σ (exercise 5.9), not by σ's value there.",
                    lambda: 0.5 ** 6),
        ),
        hints=("Each of the 6 layers contributes one factor σ′(z); the product is largest when every "
               "factor is at its largest.",
               "Six factors, each at most the largest slope you found in 5.9: what is the largest value "
               "of their product?"),
        upstream=("5.9",),
        from_upstream=lambda largest: float(largest) ** 6,
        work=lambda: Work("the largest product of six σ′ factors", (
            dsigmoid(_Z0).named("the largest value of σ′, one factor") ** 6,), neighbours=(
            (6 ** float(nets.sigmoid_prime(0.0)), "6 to the power ¼: the base and the exponent are the other way round"),)),
    ),
)
