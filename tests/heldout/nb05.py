"""Held-out mistakes of notebook 05 (see nb00.py and tools/corpus.py --heldout)."""

import numpy as np

from helpers import datasets, lessons, nets

L = lessons.three_layer()
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs
X, T = datasets.seed_batch()
N = len(X)
fw = nets.forward(L.Ws, L.bs, X, L.activations)
P, A1, A2, Z1, Z2 = fw.out, fw.a[1], fw.a[2], fw.z[0], fw.z[1]
D3 = P - T
D2 = (D3 @ W3.T) * A2 * (1 - A2)
D1 = (D2 @ W2.T) * nets.relu_prime(Z1)
iris = datasets.load_iris()
X_train, X_test, y_train, y_test = datasets.split(iris.X, iris.y, test_fraction=0.2, seed=0)
equal = [np.full_like(W, 0.5) for W in L.Ws]
half = np.full(3, 0.5)


def dW1_with(D2_=D2, through2=W2.T, mask=nets.relu_prime(Z1), inp=X, scale=1 / N):
    return inp.T @ ((D2_ @ through2) * mask) * scale


CASES = [
    ("5.1", "the sum, no mean", lambda: -np.sum(T * np.log(P)), "*"),
    ("5.1", "no minus", lambda: np.mean(np.sum(T * np.log(P), axis=1)), "*"),
    ("5.1", "mean over all entries", lambda: -np.mean(T * np.log(P)), "*"),
    ("5.1", "log10", lambda: -np.mean(np.sum(T * np.log10(P), axis=1)), "*"),
    ("5.1", "squared error", lambda: np.mean(np.sum((P - T) ** 2, axis=1)), "*"),
    ("5.1", "divided by the classes", lambda: -np.sum(T * np.log(P)) / 3, "*"),
    ("5.1", "forgot T", lambda: -np.mean(np.sum(np.log(P), axis=1)), "*"),

    ("5.2", "T − P", lambda: T - P, "*"),
    ("5.2", "with 1/N already", lambda: (P - T) / N, "*"),
    ("5.2", "softmax derivative twice", lambda: (P - T) * P * (1 - P), "*"),
    ("5.2", "P", lambda: P, "*"),
    ("5.2", "∂E/∂P", lambda: -T / P, "*"),
    ("5.2", "transposed", lambda: (P - T).T, "*"),

    ("5.3", "no 1/N", lambda: A2.T @ D3, "*"),
    ("5.3", "transposed", lambda: D3.T @ A2 / N, "*"),
    ("5.3", "A1 for A2", lambda: A1.T @ D3 / N, "*"),
    ("5.3", "divided by the classes", lambda: A2.T @ D3 / 3, "*"),
    ("5.3", "1/N twice", lambda: A2.T @ (D3 / N) / N, "*"),
    ("5.3", "Z2 for A2", lambda: Z2.T @ D3 / N, "*"),

    ("5.4", "no 1/N", lambda: dW1_with(scale=1.0), "*"),
    ("5.4", "W3 for W2", lambda: dW1_with(through2=W3.T), "*"),
    # (ReLU′ forgotten is no mistake on the seed batch: every Z1 is positive)
    ("5.4", "σ for σ′ in Δ2", lambda: dW1_with(D2_=(D3 @ W3.T) * A2), "*"),
    ("5.4", "transposed", lambda: dW1_with().T, "*"),
    ("5.4", "W2 without .T", lambda: dW1_with(through2=W2), "*"),
    ("5.4", "W3 without .T", lambda: dW1_with(D2_=(D3 @ W3) * A2 * (1 - A2)), "*"),
    ("5.4", "A1 for X", lambda: dW1_with(inp=A1), "*"),

    ("5.5", "the sum", lambda: (P - T).sum(axis=0), "*"),
    ("5.5", "mean over axis 1", lambda: (P - T).mean(axis=1), "*"),
    ("5.5", "mean of everything", lambda: (P - T).mean(), "*"),
    ("5.5", "first example only", lambda: (P - T)[0], "*"),
    ("5.5", "forgot T", lambda: P.mean(axis=0), "*"),
    ("5.5", "sign", lambda: (T - P).mean(axis=0), "*"),

    ("5.6", "a third each", lambda: np.full(3, 1 / 3), "*"),
    ("5.6", "σ′(0) for σ(0)", lambda: nets.softmax(np.full(3, 0.25) @ W3), "*"),
    ("5.6", "forgot the softmax", lambda: half @ W3, "*"),
    ("5.6", "kept the biases", lambda: nets.forward(L.Ws, L.bs, np.zeros((1, 3)), L.activations).out[0], "*"),
    ("5.6", "column convention", lambda: nets.softmax(W3 @ half), "*"),
    ("5.6", "sigmoid at the output", lambda: nets.sigmoid(half @ W3), "*"),

    ("5.7", "the test set's own statistics", lambda: (X_test - X_test.mean(axis=0)) / X_test.std(axis=0), "*"),
    ("5.7", "per row", lambda: (X_test - X_test.mean(axis=1, keepdims=True)) / X_test.std(axis=1, keepdims=True), "*"),
    ("5.7", "not divided", lambda: X_test - X_train.mean(axis=0), "*"),
    ("5.7", "by the variance", lambda: (X_test - X_train.mean(axis=0)) / X_train.var(axis=0), "*"),
    ("5.7", "ddof=1", lambda: (X_test - X_train.mean(axis=0)) / X_train.std(axis=0, ddof=1), "*"),
    ("5.7", "one mean for the whole matrix", lambda: (X_test - X_train.mean()) / X_train.std(), "*"),
    ("5.7", "statistics of the whole data set", lambda: (X_test - iris.X.mean(axis=0)) / iris.X.std(axis=0), "*"),

    ("5.8", "zero biases", lambda: nets.backward(equal, [np.zeros_like(b) for b in L.bs], X, T, L.activations, L.loss).dW[2], "*"),
    ("5.8", "the seed's weights", lambda: nets.backward(L.Ws, L.bs, X, T, L.activations, L.loss).dW[2], "*"),
    ("5.8", "only W3 at 0.5", lambda: nets.backward([W1, W2, equal[2]], L.bs, X, T, L.activations, L.loss).dW[2], "*"),
    ("5.8", "transposed", lambda: nets.backward(equal, L.bs, X, T, L.activations, L.loss).dW[2].T, "*"),
    ("5.8", "first example only", lambda: nets.backward(equal, L.bs, X[:1], T[:1], L.activations, L.loss).dW[2], "*"),
    ("5.8", "dW2 for dW3", lambda: nets.backward(equal, L.bs, X, T, L.activations, L.loss).dW[1], "*"),

    ("5.9", "σ(0)", lambda: 0.5, "*"),
    ("5.9", "1", lambda: 1.0, "*"),
    ("5.9", "σ′ at z = 1", lambda: nets.sigmoid_prime(1.0), "*"),
    ("5.9", "σ′ at z = ½", lambda: nets.sigmoid_prime(0.5), "*"),
    ("5.9", "max over a coarse grid", lambda: nets.sigmoid_prime(np.linspace(-5, 5, 100)).max(), "*"),
    ("5.9", "σ′(0) squared", lambda: 0.25**2, "*"),

    ("5.10", "one factor too few", lambda: 0.25**5, "*"),
    ("5.10", "½ per layer", lambda: 0.5**6, "*"),
    ("5.10", "times 6", lambda: 0.25 * 6, "*"),
    ("5.10", "one factor too many", lambda: 0.25**7, "*"),
    ("5.10", "rounded", lambda: 0.0002, "*"),
    ("5.10", "one factor", lambda: 0.25, "*"),
]
