"""Notebook 05, batches, biases and training: the 3-3-3-3 network of seed 002 on a batch of four
examples (the seed's own first), and Fisher's iris data set from data/iris.csv."""

import numpy as np

from helpers import datasets, lessons, nets
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


register(
    Exercise(
        "5.1", "the loss E of the batch, a number",
        lambda: nets.loss_of(L.Ws, L.bs, X, T, acts, loss),
        mistakes=(
            Mistake("the sum over the rows instead of the mean",
                    "The batch loss is the mean of the per-example losses: divide the sum by N.",
                    lambda: N * nets.loss_of(L.Ws, L.bs, X, T, acts, loss)),
            Mistake("the loss of the first example only",
                    "That is the seed's single example: average the cross-entropy of all N rows.",
                    lambda: nets.loss_of(L.Ws, L.bs, X[0], T[0], acts, loss)),
            Mistake("seed 002's binary cross-entropy formula",
                    "The seed adds (1 − y)·log(1 − p) terms, which belong to independent sigmoid "
                    "outputs; after a softmax the loss is −Σₖ tₖ log pₖ per row, then the mean over rows.",
                    lambda: nets.binary_cross_entropy(_forward().out, T)),
        ),
        hint="E = −(1/N) Σₙ Σₖ T[n, k] · log P[n, k], with P the softmax output of the batch.",
        hints=("Compute the cross-entropy of each row first (one example each), then combine the rows.",
               "E = −(1/N) Σₙ Σₖ T[n, k] log P[n, k]: np.sum over axis=1 (the classes), then "
               "np.mean over the rows."),
        factors=((N, "the sum over the rows, where the loss is their mean: divide by N"),),
    ),
    Exercise(
        "5.2", "Δ3, the δ3 = ∂Eₙ/∂z3 of each example as its row, a 4×3 array (no 1/N)",
        _delta3,
        mistakes=(
            Mistake("the 1/N of the batch mean folded in already",
                    "That is Δ3/N, what helpers.nets keeps in grads.delta. The per-example δ is "
                    "P − T; the 1/N comes in once, when the rows are added up into a gradient.",
                    lambda: _delta3() / N),
        ),
        hint="For softmax with cross-entropy, δ of one example is p − t; stack the rows.",
        hints=("Notebook 04 found δ at a softmax output with cross-entropy for one example; do it "
               "for every row at once.",
               "Δ3 = P − T, shape N×3 like P; no division by N here."),
        factors=((1 / N, "the 1/N of the batch mean folded in too early: Δ3 is per example"),),
    ),
    Exercise(
        "5.3", "∇W3 E for the batch, a 3×3 array shaped like W3 (row convention)",
        lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).dW[2],
        mistakes=(
            Mistake("the sum over the rows instead of the mean",
                    "A2ᵀ Δ3 adds the per-example gradients; the loss is a mean, so divide by N.",
                    lambda: _forward().a[2].T @ _delta3()),
            Mistake("the gradient at the averaged example",
                    "Seed 002 says 'just average everything', but averaging the inputs first and "
                    "then back-propagating gives the gradient at an example that is not in the batch. "
                    "Average the per-example gradients: A2ᵀ Δ3 / N.",
                    lambda: nets.backward(L.Ws, L.bs, X.mean(axis=0), T.mean(axis=0), acts, loss).dW[2]),
            Mistake("the gradient of the first example only",
                    "That is the seed's single-example gradient: use all N rows, A2ᵀ Δ3 / N.",
                    lambda: nets.backward(L.Ws, L.bs, X[0], T[0], acts, loss).dW[2]),
        ),
        hint="∂E/∂W3 = A2ᵀ Δ3 / N: (3×4)·(4×3), each row of A2 paired with its own row of Δ3.",
        hints=("Each example gives its own outer product a2ᵀ δ3; the batch loss is the mean of "
               "the examples' losses.",
               "∇W3 E = A2ᵀ Δ3 / N: (3×N)·(N×3) gives 3×3, the shape of W3; A2 is fw.a[2]."),
        upstream=("5.2",),
        from_upstream=lambda D3: _forward().a[2].T @ np.asarray(D3, dtype=float) / N,
        factors=((N, "the sum over the examples, where the loss is their mean: divide by N"),),
    ),
    Exercise(
        "5.4", "∇W1 E for the batch, a 3×3 array shaped like W1 (row convention)",
        _dW1_by_hand,
        mistakes=(
            Mistake("σ′ evaluated at the output of the sigmoid",
                    "σ′(z) = σ(z)(1 − σ(z)) = A2 ⊙ (1 − A2); nets.sigmoid_prime(A2) would take σ of "
                    "A2 once more. Use the net input Z2, or A2 ⊙ (1 − A2).",
                    lambda: _dW1_by_hand(sigma_prime_at_output=True)),
            Mistake("δ passed back through W instead of Wᵀ",
                    "In the row convention Z = A W + b, so δ goes back as Δ Wᵀ (the shapes fit "
                    "either way here only because every layer is 3 wide).",
                    lambda: _dW1_by_hand(transpose_W=False)),
            Mistake("the sum over the rows instead of the mean",
                    "Xᵀ Δ1 adds the per-example gradients; divide by N.",
                    lambda: _dW1_by_hand(mean=False)),
        ),
        hint="Δ2 = (Δ3 W3ᵀ) ⊙ A2 ⊙ (1 − A2), Δ1 = (Δ2 W2ᵀ) ⊙ relu′(Z1), then ∂E/∂W1 = Xᵀ Δ1 / N.",
        hints=("Hand Δ down one layer at a time, as notebook 04 did, with N rows: first Δ2, then Δ1, "
               "then the weight gradient.",
               "Δ2 = (Δ3 W3ᵀ) ⊙ A2 ⊙ (1 − A2), Δ1 = (Δ2 W2ᵀ) ⊙ relu′(Z1), ∇W1 E = Xᵀ Δ1 / N "
               "(3×N times N×3)."),
        upstream=("5.2",),
        from_upstream=lambda D3: _dW1_from(np.asarray(D3, dtype=float)),
        factors=((N, "the sum over the examples, where the loss is their mean: divide by N"),),
    ),
    Exercise(
        "5.5", "∇b3 E for the batch, a vector of 3 shaped like b3",
        lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).db[2],
        mistakes=(
            Mistake("the sum over the rows instead of the mean",
                    "Each example contributes its δ; the loss is a mean, so average the rows of Δ3.",
                    lambda: _delta3().sum(axis=0)),
            Mistake("the sum over the output units",
                    "Each row of P − T sums to 0, so this is always zero: add up the rows (the "
                    "examples, axis=0), not the columns.",
                    lambda: np.zeros(N)),
            Mistake("no gradient for the bias, as in seed 002",
                    "The seed leaves the biases out of the backward pass, but they are parameters "
                    "like the weights: ∂z/∂b = 1, so ∂E/∂b is δ itself, averaged over the rows.",
                    lambda: np.zeros(3)),
        ),
        hint="z = a W + b, so ∂z_j/∂b_j = 1 and ∂E/∂b = (1/N) Σₙ Δ3[n, :].",
        hints=("A bias is a weight whose input is always 1: what does A2ᵀ Δ3 / N become with a "
               "column of ones in place of A2?",
               "∇b3 E = (1/N) Σₙ Δ3[n, :]: the mean of Δ3 over the rows (axis=0), a vector of 3."),
        upstream=("5.2",),
        from_upstream=lambda D3: np.asarray(D3, dtype=float).mean(axis=0),
        factors=((N, "the sum over the rows, where the loss is their mean: divide by N"),),
    ),
    Exercise(
        "5.6", "the output p of seed 002's network without biases at the input x = 0, a vector of 3",
        lambda: _no_bias_output([np.zeros(3)] * 3),
        mistakes=(
            Mistake("every layer through the origin",
                    "ReLU(0) = 0, but σ(0) = ½: the sigmoid layer sends 0 to ½, so z3 = ½ · (column "
                    "sums of W3), not 0, and the softmax of that is not uniform.",
                    lambda: np.full(3, 1 / 3)),
            Mistake("the biases still in",
                    "That is the seed's network with its biases of 1: set every b to 0.",
                    lambda: _no_bias_output(L.bs)),
        ),
        hint="Push x = 0 through: z1 = 0, a1 = ReLU(0), z2 = a1 W2, a2 = σ(z2), z3 = a2 W3, p = softmax(z3).",
        hints=("Push x = 0 through every layer with every b = 0: what does each activation give at 0?",
               "ReLU(0) = 0, but σ(0) is not 0: z3 = σ(0) times the column sums of W3, then the "
               "softmax of that."),
    ),
    Exercise(
        "5.7", "the iris test set standardised with the training set's statistics, a 30×4 array",
        lambda: _standardised_test("train"),
        mistakes=(
            Mistake("the test set's own mean and standard deviation",
                    "The test set stands for flowers not seen yet: scale it with the training "
                    "set's mean and std, the numbers the model was trained with.",
                    lambda: _standardised_test("test")),
            Mistake("statistics of all 150 flowers",
                    "The mean and std then contain the test set, which leaks it into training: "
                    "use X_train's statistics only.",
                    lambda: _standardised_test("all")),
            Mistake("the standard deviation with N − 1",
                    "np.std divides by N by default and the course does too; ddof=1 divides by "
                    "N − 1. Use X_train.std(axis=0).",
                    _standardised_test_ddof1),
        ),
        hint="(X_test − X_train.mean(axis=0)) / X_train.std(axis=0): one mean and one std per column.",
        hints=("Which flowers may the mean and the standard deviation come from? Only those the "
               "model trains on.",
               "(X_test − μ) / s, with μ = X_train.mean(axis=0) and s = X_train.std(axis=0), "
               "one per column: a 30×4 array."),
    ),
    Exercise(
        "5.8", "∇W3 E for the batch when every weight is 0.5 (biases as in the seed), a 3×3 array",
        lambda: nets.backward(_equal(), L.bs, X, T, acts, loss).dW[2],
        mistakes=(
            Mistake("zero",
                    "Equal weights do not stop the output layer from learning: its gradient is "
                    "A2ᵀ Δ3 / N, and Δ3 = P − T is not zero. What equal weights do is make the rows "
                    "equal: every hidden unit of layer 2 gets the same gradient.",
                    lambda: np.zeros((3, 3))),
            Mistake("the gradient at the seed's weights",
                    "Set every weight of W1, W2 and W3 to 0.5 first (np.full_like(W, 0.5)).",
                    lambda: nets.backward(L.Ws, L.bs, X, T, acts, loss).dW[2]),
        ),
        hint="Use nets.backward with Ws = [np.full_like(W, 0.5) for W in Ws], or A2ᵀ Δ3 / N by hand.",
        hints=("Set every entry of W1, W2 and W3 to 0.5, keep the biases, and run the batch "
               "backward pass.",
               "nets.backward([np.full_like(W, 0.5) for W in L.Ws], L.bs, X, T, L.activations, "
               "L.loss).dW[2], or A2ᵀ Δ3 / N by hand with the new forward pass."),
    ),
    Exercise(
        "5.9", "the largest value of σ′(z) = σ(z)(1 − σ(z)) over all z, a number",
        lambda: float(nets.sigmoid_prime(0.0)),
        mistakes=(
            Mistake("σ(0) instead of σ′(0)",
                    "σ(0) = ½ is the value of the sigmoid at its steepest point; its slope there "
                    "is σ(0)(1 − σ(0)).",
                    lambda: float(nets.sigmoid(0.0))),
            Mistake("the largest slope of tanh or ReLU",
                    "tanh′(0) = 1 and ReLU′ = 1 for z > 0, but the sigmoid is four times flatter.",
                    lambda: 1.0),
        ),
        hint="s(1 − s) with s = σ(z) ∈ (0, 1) is largest at s = ½.",
        hints=("Write σ′ in terms of s = σ(z), which lies between 0 and 1: σ′ = s (1 − s).",
               "s (1 − s) is a parabola in s, highest in the middle of (0, 1); find the z where σ "
               "takes that value and evaluate σ′ there (nets.sigmoid_prime)."),
    ),
    Exercise(
        "5.10", "the largest value the product of the σ′ factors in δ1 can take, for 6 sigmoid layers, a number",
        lambda: float(nets.sigmoid_prime(0.0)) ** 6,
        mistakes=(
            Mistake("one factor too few",
                    "δ1 = ∂E/∂z1 picks up σ′(z) once in each of the 6 layers, the output layer and "
                    "the first included: (1/4)⁶.",
                    lambda: float(nets.sigmoid_prime(0.0)) ** 5),
            Mistake("σ(0) instead of σ′(0) in each factor",
                    "The bound is the largest slope of σ, ¼, not its value ½ at z = 0.",
                    lambda: 0.5 ** 6),
        ),
        hint="Each layer multiplies by σ′(z) ≤ ¼.",
        hints=("Each of the 6 layers contributes one factor σ′(z); the product is largest when every "
               "factor is at its largest.",
               "Raise the largest value of σ′ (exercise 5.9) to the power of the number of layers."),
        upstream=("5.9",),
        from_upstream=lambda largest: float(largest) ** 6,
    ),
)
