"""Mistakes learners make in notebook 05 (batches, biases, training), each computed the way a
learner computes it from the notebook's own inputs: the seed's batch X, T and the forward pass fw
(P = fw.out), L.W1 … L.W3, the iris split of section 5, and helpers.nets.
"""

import numpy as np

from helpers import datasets, lessons, nets

L = lessons.three_layer()
W1, W2, W3 = L.Ws
b1, b2, b3 = L.bs
X, T = datasets.seed_batch()
N = len(X)
fw = nets.forward(L.Ws, L.bs, X, L.activations)
P, A1, A2, Z1, Z2 = fw.out, fw.a[1], fw.a[2], fw.z[0], fw.z[1]
sp_ = nets.sigmoid_prime
D3 = P - T
D2 = (D3 @ W3.T) * A2 * (1 - A2)
D1 = (D2 @ W2.T) * nets.relu_prime(Z1)
iris = datasets.load_iris()
X_train, X_test, y_train, y_test = datasets.split(iris.X, iris.y, test_fraction=0.2, seed=0)
equal = [np.full_like(W, 0.5) for W in L.Ws]
fe = nets.forward(equal, L.bs, X, L.activations)

CASES = [
    # 5.1 the batch loss
    ("5.1", "the mean over every entry", lambda: -np.mean(T * np.log(P)), "neighbour"),
    ("5.1", "divided by the 3 classes", lambda: -np.sum(T * np.log(P)) / 3, "slip:"),
    ("5.1", "no minus", lambda: np.mean(np.sum(T * np.log(P), axis=1)), "sign"),
    ("5.1", "summed over the examples first", lambda: -np.mean(np.sum(T * np.log(P), axis=0)), "slip:axis"),
    ("5.1", "no log", lambda: -np.mean(np.sum(T * P, axis=1)), "slip:missing-step"),
    ("5.1", "1/N twice", lambda: -np.mean(np.sum(T * np.log(P), axis=1)) / N, "slip:extra-factor"),
    ("5.1", "the sum over the rows", lambda: -np.sum(T * np.log(P)), "slip:mean-sum"),
    ("5.1", "the first example", lambda: -np.sum(T[0] * np.log(P[0])), "mistake:the loss of the first example only"),
    # 5.2 Δ3
    ("5.2", "T − P", lambda: T - P, "sign"),
    ("5.2", "P alone", lambda: P, "slip:missing-term"),
    ("5.2", "the softmax derivative twice", lambda: (P - T) * P * (1 - P), "slip:extra-factor"),
    ("5.2", "∂E/∂P", lambda: -T / P, "slip:missing-factor"),
    ("5.2", "averaged over the rows already", lambda: (P - T).mean(axis=0), "neighbour"),
    ("5.2", "transposed", lambda: (P - T).T, "shape"),
    ("5.2", "1/N folded in", lambda: (P - T) / N, "mistake:the 1/N of the batch mean folded in already"),
    # 5.3 ∇W3
    ("5.3", "÷3 (classes) for ÷N", lambda: A2.T @ D3 / 3, "slip:swapped"),
    ("5.3", "1/N twice", lambda: A2.T @ D3 / N / N, "slip:extra-factor"),
    ("5.3", "A1 for A2", lambda: A1.T @ D3 / N, "slip:swapped"),
    ("5.3", "X for A2", lambda: X.T @ D3 / N, "slip:swapped"),
    ("5.3", "the product of the averages", lambda: np.outer(A2.mean(axis=0), D3.mean(axis=0)),
     "mistake:the gradient at the averaged example"),
    ("5.3", "T left out", lambda: A2.T @ P / N, "slip:missing-term"),
    ("5.3", "Δ3ᵀ A2", lambda: D3.T @ A2 / N, "transposed"),
    ("5.3", "the sum", lambda: A2.T @ D3, "mistake:the sum over the rows instead of the mean"),
    # 5.4 ∇W1
    ("5.4", "σ′ forgotten", lambda: X.T @ (((D3 @ W3.T)) @ W2.T * nets.relu_prime(Z1)) / N, "slip:missing-factor"),
    ("5.4", "1/N twice", lambda: X.T @ D1 / N / N, "slip:extra-factor"),
    ("5.4", "÷3 for ÷N", lambda: X.T @ D1 / 3, "slip:swapped"),
    ("5.4", "A1 for X", lambda: A1.T @ D1 / N, "slip:swapped"),
    ("5.4", "Δ2 for Δ1", lambda: X.T @ D2 / N, "slip:swapped"),
    ("5.4", "σ′ as Z2(1 − Z2)", lambda: X.T @ (((D3 @ W3.T) * Z2 * (1 - Z2)) @ W2.T) / N, "slip:function"),
    ("5.4", "the two activations' slopes swapped",
     lambda: X.T @ ((((D3 @ W3.T) * nets.relu_prime(Z2)) @ W2.T) * sp_(Z1)) / N, "slip:"),
    ("5.4", "σ′ at A2", lambda: X.T @ (((D3 @ W3.T) * sp_(A2)) @ W2.T) / N,
     "mistake:σ′ evaluated at the output of the sigmoid"),
    # 5.5 ∇b3
    ("5.5", "÷3 for ÷N", lambda: D3.sum(axis=0) / 3, "slip:divisor"),
    ("5.5", "1/N twice", lambda: D3.mean(axis=0) / N, "slip:extra-factor"),
    ("5.5", "T left out", lambda: P.mean(axis=0), "slip:missing-term"),
    ("5.5", "not reduced", lambda: D3, "neighbour"),
    ("5.5", "the mean of everything", lambda: D3.mean(), "slip:axis"),
    ("5.5", "T − P", lambda: (T - P).mean(axis=0), "sign"),
    ("5.5", "the sum", lambda: D3.sum(axis=0), "mistake:the sum over the rows instead of the mean"),
    # 5.6 the output at x = 0 without biases
    ("5.6", "W3's row sums", lambda: nets.softmax(0.5 * W3.sum(axis=1)), "slip:order"),
    ("5.6", "no softmax", lambda: 0.5 * W3.sum(axis=0), "slip:missing-step"),
    ("5.6", "σ(0) taken as 1", lambda: nets.softmax(W3.sum(axis=0)), "neighbour"),
    ("5.6", "σ for softmax", lambda: nets.sigmoid(0.5 * W3.sum(axis=0)), "slip:function"),
    ("5.6", "stopped at a2", lambda: np.full(3, 0.5), "neighbour"),
    ("5.6", "uniform", lambda: np.full(3, 1 / 3), "mistake:every layer through the origin"),
    # 5.7 standardising the test set
    ("5.7", "each row by itself",
     lambda: (X_test - X_test.mean(axis=1, keepdims=True)) / X_test.std(axis=1, keepdims=True), "neighbour"),
    ("5.7", "not divided", lambda: X_test - X_train.mean(axis=0), "slip:missing-factor"),
    ("5.7", "the variance", lambda: (X_test - X_train.mean(axis=0)) / X_train.var(axis=0), "slip:"),
    ("5.7", "the test set's std", lambda: (X_test - X_train.mean(axis=0)) / X_test.std(axis=0), "slip:swapped"),
    ("5.7", "the training set standardised", lambda: (X_train - X_train.mean(axis=0)) / X_train.std(axis=0), "neighbour"),
    ("5.7", "one mean over every entry", lambda: (X_test - X_train.mean()) / X_train.std(), "slip:"),
    ("5.7", "not centred", lambda: X_test / X_train.std(axis=0), "slip:missing-term"),
    ("5.7", "the test set's statistics", lambda: (X_test - X_test.mean(axis=0)) / X_test.std(axis=0),
     "mistake:the test set's own mean and standard deviation"),
    # 5.8 equal weights
    ("5.8", "the sum", lambda: fe.a[2].T @ (fe.out - T), "slip:missing-factor"),
    ("5.8", "Δ3ᵀ A2", lambda: (fe.out - T).T @ fe.a[2] / N, "transposed"),
    ("5.8", "only W3 set to 0.5",
     lambda: nets.backward([W1, W2, equal[2]], L.bs, X, T, L.activations, L.loss).dW[2], "neighbour"),
    ("5.8", "A1 for A2", lambda: fe.a[1].T @ (fe.out - T) / N, "slip:swapped"),
    ("5.8", "÷3 for ÷N", lambda: fe.a[2].T @ (fe.out - T) / 3, "slip:swapped"),
    ("5.8", "the seed's P", lambda: fe.a[2].T @ (P - T) / N, "slip:swapped"),
    ("5.8", "zero", lambda: np.zeros((3, 3)), "mistake:zero"),
    # 5.9 the steepest slope of σ
    ("5.9", "σ′(½)", lambda: float(sp_(0.5)), "slip:wrong-point"),
    ("5.9", "σ′(1)", lambda: float(sp_(1.0)), "slip:wrong-point"),
    ("5.9", "the slope far out", lambda: 0.0, "neighbour"),
    ("5.9", "σ(0)", lambda: 0.5, "mistake:the sigmoid's value where its slope is asked"),
    ("5.9", "tanh's slope", lambda: 1.0, "mistake:the largest slope of tanh or ReLU"),
    ("5.9", "a minus sign", lambda: -0.25, "sign"),
    # 5.10 six factors
    ("5.10", "times 6 for the 6th power", lambda: 0.25 * 6, "slip:power"),
    ("5.10", "seven factors", lambda: 0.25 ** 7, "slip:power"),
    ("5.10", "one factor", lambda: 0.25, "slip:power"),
    ("5.10", "6 to the power ¼", lambda: 6 ** 0.25, "neighbour"),
    ("5.10", "σ(0) per layer", lambda: 0.5 ** 6, "mistake:the sigmoid's value in each factor"),
    ("5.10", "five factors", lambda: 0.25 ** 5, "mistake:one factor too few"),
    ("5.10", "from a wrong 5.9", lambda: 0.5 ** 6, "upstream:5.9", {"5.9": 0.5}),
]
