"""Training with the course's matrix-form code, and the same step written neuron by neuron.

``matrix_step`` is one step of gradient descent through the reference implementation
(``helpers.nets.backward`` then ``sgd_step``). ``loop_step`` does the same arithmetic with
Python loops over the examples and the neurons, with no numpy inside, as one would write it
from the per-weight equations. Notebook 05 and ``bench/train_step.py`` both time these two,
so there is one implementation of each. ``train`` is mini-batch gradient descent.
"""

from __future__ import annotations

import math
import time

import numpy as np

from helpers import nets
from helpers.datasets import one_hot

# --- the training step, in matrix form and neuron by neuron -----------------------------------


def matrix_step(Ws, bs, X, T, activations, loss, rate):
    """One gradient-descent step on the batch (X, T) in matrix form.

    Returns:
        (Ws, bs): the new weights and biases (new arrays; the inputs are not changed).
    """
    grads = nets.backward(Ws, bs, X, T, activations, loss)
    return nets.sgd_step(Ws, bs, grads, rate)


def _sigmoid(z):
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


# name -> (f(z), f′(z)) on one number
_SCALAR = {
    "sigmoid": (_sigmoid, lambda z: _sigmoid(z) * (1.0 - _sigmoid(z))),
    "relu": (lambda z: z if z > 0 else 0.0, lambda z: 1.0 if z > 0 else 0.0),
    "tanh": (math.tanh, lambda z: 1.0 - math.tanh(z) ** 2),
    "identity": (lambda z: z, lambda z: 1.0),
}


def _activate(name, z):
    """A layer's outputs from its net inputs, neuron by neuron (softmax needs the whole layer)."""
    if name == "softmax":
        top = max(z)
        e = [math.exp(v - top) for v in z]
        total = sum(e)
        return [v / total for v in e]
    f = _SCALAR[name][0]
    return [f(v) for v in z]


def loop_step(Ws, bs, X, T, activations, loss, rate):
    """One gradient-descent step on the batch (X, T), neuron by neuron with Python loops.

    The same step as ``matrix_step`` (equal to rounding): for each example a forward pass in
    which neuron j of a layer adds up b_j + Σ_i a_i·W_ij, then δ = ∂E/∂z from the output back,
    each gradient entry accumulated as a_i·δ_j; then every weight is updated on its own.

    Args:
        Ws, bs, activations: the network, row convention (W[i][j] joins input i to neuron j).
        X, T: the batch, one example per row, and its targets.
        loss: "cross_entropy" after a softmax output, or "half_squared_error" after an
            elementwise one.
        rate: the learning rate.

    Returns:
        (Ws, bs) as numpy arrays.
    """
    softmax_ce = activations[-1] == "softmax" and loss == "cross_entropy"
    if not softmax_ce and not (activations[-1] in _SCALAR and loss == "half_squared_error"):
        raise ValueError("loop_step handles softmax with cross_entropy, or an elementwise output "
                         "with half_squared_error")
    W = [np.asarray(Wl, dtype=float).tolist() for Wl in Ws]
    b = [np.asarray(bl, dtype=float).tolist() for bl in bs]
    gW = [[[0.0] * len(row) for row in Wl] for Wl in W]
    gb = [[0.0] * len(bl) for bl in b]
    rows, targets = np.asarray(X, dtype=float).tolist(), np.asarray(T, dtype=float).tolist()
    n = len(rows)
    for x, t in zip(rows, targets):
        # forward pass, one neuron at a time
        zs, acts = [], [x]
        for Wl, bl, name in zip(W, b, activations):
            a = acts[-1]
            z = []
            for j in range(len(bl)):
                s = bl[j]
                for i in range(len(a)):
                    s += a[i] * Wl[i][j]
                z.append(s)
            zs.append(z)
            acts.append(_activate(name, z))
        # δ at the output, with the 1/N of the mean over the batch
        out = acts[-1]
        if softmax_ce:
            delta = [(out[k] - t[k]) / n for k in range(len(out))]
        else:
            d = _SCALAR[activations[-1]][1]
            delta = [(out[k] - t[k]) * d(zs[-1][k]) / n for k in range(len(out))]
        # backward pass: accumulate a_i·δ_j, then pass δ to the layer below
        for l in reversed(range(len(W))):
            a = acts[l]
            for i in range(len(a)):
                for j in range(len(delta)):
                    gW[l][i][j] += a[i] * delta[j]
            for j in range(len(delta)):
                gb[l][j] += delta[j]
            if l > 0:
                d = _SCALAR[activations[l - 1]][1]
                below = []
                for i in range(len(a)):
                    s = 0.0
                    for j in range(len(delta)):
                        s += W[l][i][j] * delta[j]
                    below.append(s * d(zs[l - 1][i]))
                delta = below
    new_W = [np.array([[w - rate * g for w, g in zip(row, grow)] for row, grow in zip(Wl, gl)])
             for Wl, gl in zip(W, gW)]
    new_b = [np.array([v - rate * g for v, g in zip(bl, gl)]) for bl, gl in zip(b, gb)]
    return new_W, new_b


# --- networks, predictions and mini-batch training -------------------------------------------


def init_params(sizes, rng, gain=1.0):
    """Random weights W ~ N(0, gain/n_in), shape (n_in, n_out), and zero biases.

    gain=1 keeps the variance of z near that of the inputs for tanh- and sigmoid-like layers
    (LeCun); gain=2 does the same for ReLU layers, which zero half their inputs (He).

    Returns:
        (Ws, bs).
    """
    Ws = [rng.normal(0.0, math.sqrt(gain / m), (m, k)) for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(k) for k in sizes[1:]]
    return Ws, bs


def predict(Ws, bs, X, activations):
    """The predicted class of each row: the output unit with the largest value."""
    return np.argmax(nets.forward(Ws, bs, X, activations).out, axis=-1)


def accuracy(Ws, bs, X, y, activations):
    """The share of rows whose predicted class is y."""
    return float(np.mean(predict(Ws, bs, X, activations) == np.asarray(y)))


def confusion_matrix(y_true, y_pred, k):
    """C[i, j] = how many examples of class i were predicted as class j."""
    C = np.zeros((k, k), dtype=int)
    np.add.at(C, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return C


def train(Ws, bs, X, y, activations, loss="cross_entropy", rate=0.1, epochs=100, batch_size=16,
          rng=None, X_test=None, y_test=None, train_biases=True, keep=None):
    """Mini-batch gradient descent: each epoch shuffles the rows and takes one step per batch.

    Args:
        Ws, bs, activations, loss: the network and its loss, as in ``helpers.nets``.
        X, y: training rows and integer labels (one-hot targets are made here).
        rate, epochs, batch_size: the learning rate, passes over the data, rows per step.
        rng: a numpy Generator for the shuffles (pass the notebook's).
        X_test, y_test: optional held-out rows, evaluated after every epoch.
        train_biases: False keeps the biases where they are (zero for a bias-free network).
        keep: optional function of (Ws, bs) whose value is stored in history["kept"] too.

    Returns:
        (Ws, bs, history): history maps "loss", "accuracy" (and "test_loss", "test_accuracy",
        "kept") to a list of epochs + 1 values, the first before any training.
    """
    rng = np.random.default_rng(0) if rng is None else rng
    k = np.shape(Ws[-1])[1]
    T = one_hot(y, k)
    history = {"loss": [], "accuracy": []}
    if X_test is not None:
        history.update(test_loss=[], test_accuracy=[])
    if keep is not None:
        history["kept"] = []

    def record():
        history["loss"].append(nets.loss_of(Ws, bs, X, T, activations, loss))
        history["accuracy"].append(accuracy(Ws, bs, X, y, activations))
        if X_test is not None:
            history["test_loss"].append(nets.loss_of(Ws, bs, X_test, one_hot(y_test, k), activations, loss))
            history["test_accuracy"].append(accuracy(Ws, bs, X_test, y_test, activations))
        if keep is not None:
            history["kept"].append(keep(Ws, bs))

    record()
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch_size):
            rows = order[start:start + batch_size]
            new_Ws, new_bs = matrix_step(Ws, bs, X[rows], T[rows], activations, loss, rate)
            Ws, bs = new_Ws, (new_bs if train_biases else bs)
        record()
    return Ws, bs, history


def best_time(step, repeat, number=1):
    """The fastest of ``repeat`` timings of ``number`` calls of ``step()``, in seconds per call.

    The minimum, not the mean: other programs only ever make a run slower, never faster.
    """
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            step()
        best = min(best, (time.perf_counter() - start) / number)
    return best
