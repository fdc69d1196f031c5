"""Mistakes learners make in notebook 06, each written the way a learner writes the function (not a
perturbation of the reference), with the diagnosis ``check`` must give it (contract C4).

Each case: (exercise id, what the learner did, a thunk returning the learner's function, the exact
``Feedback.diagnosis``, or a prefix ending in ":"). The registered mistakes of nb06.py (named by the
exercise's author) are matched by the prefix "mistake:"; the slips of the exercise's spec and the
general diagnoses by their exact key.
"""

import numpy as np

from helpers import nets


def _softmax(Z):
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    return P / P.sum(axis=1, keepdims=True)


def _sigmoid(Z):
    return 1 / (1 + np.exp(-Z))


# --- 6.1 dense_forward -------------------------------------------------------------------------


def forward_no_bias():
    def dense_forward(X, W, b):
        return X @ W
    return dense_forward


def forward_column_convention():
    def dense_forward(X, W, b):
        return X @ W.T + b
    return dense_forward


def forward_bias_subtracted():
    def dense_forward(X, W, b):
        return X @ W - b
    return dense_forward


def forward_elementwise():
    def dense_forward(X, W, b):
        return X * W + b
    return dense_forward


def forward_squeezed():
    def dense_forward(X, W, b):
        return np.squeeze(X @ W + b)   # "tidy" the result
    return dense_forward


def forward_rows_as_list():
    def dense_forward(X, W, b):
        return [x @ W + b for x in X]  # one example at a time
    return dense_forward


def forward_transposed():
    def dense_forward(X, W, b):
        return (W.T @ X.T).T.T + b[:, None]
    return dense_forward


def forward_bias_as_column():
    def dense_forward(X, W, b):
        return X @ W + b.reshape(-1, 1)
    return dense_forward


def forward_first_row():
    def dense_forward(X, W, b):
        x = X[0]
        return x @ W + b
    return dense_forward


# --- 6.2 dense_backward -------------------------------------------------------------------------


def backward_dense(dX=None, dW=None, db=None, order=None):
    def dense_backward(dZ, X, W):
        out = {"dX": dX(dZ, X, W) if dX else dZ @ W.T, "dW": dW(dZ, X, W) if dW else X.T @ dZ,
               "db": db(dZ, X, W) if db else dZ.sum(axis=0)}
        return tuple(out[k] for k in (order or ("dX", "dW", "db")))
    return dense_backward


def dense_two_outputs():
    def dense_backward(dZ, X, W):
        dX = dZ @ W.T
        dW = X.T @ dZ
        return dX, dW
    return dense_backward


def dense_outer_of_first_rows():
    def dense_backward(dZ, X, W):
        dX = dZ @ W.T
        dW = np.outer(X[0], dZ[0])     # worked it out for one example
        db = dZ.sum(axis=0)
        return dX, dW, db
    return dense_backward


# --- 6.3 relu_backward --------------------------------------------------------------------------


def relu(expression):
    return lambda: expression


def relu_in_place():
    def relu_backward(dA, Z):
        dA[Z <= 0] = 0
        return dA
    return relu_backward


def relu_float32():
    def relu_backward(dA, Z):
        return (dA * (Z > 0)).astype(np.float32)
    return relu_backward


# --- 6.4 sigmoid_backward -----------------------------------------------------------------------


def sigmoid_at_output():
    def sigmoid_backward(dA, Z):
        A = _sigmoid(Z)
        s = _sigmoid(A)                 # σ′ written for "its argument", given the output
        return dA * s * (1 - s)
    return sigmoid_backward


def sigmoid_clipped():
    def sigmoid_backward(dA, Z):
        s = 1 / (1 + np.exp(-np.clip(Z, -10, 10)))   # "to avoid overflow"
        return dA * s * (1 - s)
    return sigmoid_backward


def sigmoid_one_factor():
    def sigmoid_backward(dA, Z):
        return dA * np.exp(-Z) / (1 + np.exp(-Z))
    return sigmoid_backward


# --- 6.5 softmax_ce_backward --------------------------------------------------------------------


def softmax_ce(expression):
    return lambda: expression


def softmax_unshifted():
    def softmax_ce_backward(Z, T):
        P = np.exp(Z) / np.exp(Z).sum(axis=1, keepdims=True)
        return (P - T) / len(Z)
    return softmax_ce_backward


def softmax_max_without_keepdims():
    def softmax_ce_backward(Z, T):
        P = np.exp(Z - Z.max(axis=1))
        P = P / P.sum(axis=1, keepdims=True)
        return (P - T) / len(Z)
    return softmax_ce_backward


def softmax_whole_batch():
    def softmax_ce_backward(Z, T):
        E = np.exp(Z - Z.max())
        return (E / E.sum() - T) / len(Z)
    return softmax_ce_backward


# --- 6.6 backward -------------------------------------------------------------------------------


def network(relu_prime=lambda Z: Z > 0, through=lambda W: W.T, scale=lambda n: 1 / n, bias=np.sum,
            output_factor=None, reverse=False):
    def backward(Ws, bs, X, T):
        Zs, As = [], [X]
        for W, b in zip(Ws, bs):
            Zs.append(As[-1] @ W + b)
            As.append(np.maximum(0, Zs[-1]))
        P = _softmax(Zs[-1])
        dZ = (P - T) * scale(len(X))
        if output_factor:
            dZ = dZ * output_factor(P)
        dWs, dbs = [], []
        for l in reversed(range(len(Ws))):
            dWs.insert(0, As[l].T @ dZ)
            dbs.insert(0, bias(dZ, axis=0))
            if l > 0:
                dZ = (dZ @ through(Ws[l])) * relu_prime(Zs[l - 1])
        return (dWs[::-1], dbs[::-1]) if reverse else (dWs, dbs)
    return backward


def network_unrolled_two_layers():
    def backward(Ws, bs, X, T):
        W1, W2 = Ws
        b1, b2 = bs
        Z1 = X @ W1 + b1
        A1 = np.maximum(0, Z1)
        Z2 = A1 @ W2 + b2
        dZ2 = (_softmax(Z2) - T) / len(X)
        dZ1 = (dZ2 @ W2.T) * (Z1 > 0)
        return [X.T @ dZ1, A1.T @ dZ2], [dZ1.sum(axis=0), dZ2.sum(axis=0)]
    return backward


def network_own_output():
    def backward(Ws, bs, X, T):
        Zs, As = [], [X]
        for W, b in zip(Ws, bs):
            Zs.append(As[-1] @ W + b)
            As.append(np.maximum(0, Zs[-1]))
        dZ = (_softmax(Zs[-1]) - T) / len(X)
        dWs, dbs = [None] * len(Ws), [None] * len(Ws)
        for l in reversed(range(len(Ws))):
            dWs[l] = As[l + 1].T @ dZ          # the layer's own output instead of its input
            dbs[l] = dZ.sum(axis=0)
            if l:
                dZ = (dZ @ Ws[l].T) * (Zs[l - 1] > 0)
        return dWs, dbs
    return backward


# --- 6.7 unbroadcast ----------------------------------------------------------------------------


def unbroadcast_if_not_while():
    def unbroadcast(G, shape):
        if G.ndim > len(shape):            # one added axis
            G = G.sum(axis=0)
        for axis, size in enumerate(shape):
            if size == 1 and G.shape[axis] != 1:
                G = G.sum(axis=axis, keepdims=True)
        return G
    return unbroadcast


def unbroadcast_mean():
    def unbroadcast(G, shape):
        while G.ndim > len(shape):
            G = G.mean(axis=0)
        for axis, size in enumerate(shape):
            if size == 1 and G.shape[axis] != 1:
                G = G.mean(axis=axis, keepdims=True)
        return G
    return unbroadcast


def unbroadcast_leading_only():
    def unbroadcast(G, shape):
        while G.ndim > len(shape):
            G = G.sum(axis=0)
        return G
    return unbroadcast


def unbroadcast_no_keepdims():
    def unbroadcast(G, shape):
        while G.ndim > len(shape):
            G = G.sum(axis=0)
        for axis, size in enumerate(shape):
            if size == 1 and G.shape[axis] != 1:
                G = G.sum(axis=axis)
        return G
    return unbroadcast


def unbroadcast_reshape():
    def unbroadcast(G, shape):
        return G.reshape(shape)
    return unbroadcast


def unbroadcast_from_the_left():
    def unbroadcast(G, shape):
        for axis in range(len(shape), G.ndim):
            G = G.sum(axis=-1)
        for axis, size in enumerate(shape):
            if size == 1 and G.shape[axis] != 1:
                G = G.sum(axis=axis, keepdims=True)
        return G
    return unbroadcast


def unbroadcast_sum_all():
    def unbroadcast(G, shape):
        return G.sum()
    return unbroadcast


CASES = [
    ("6.1", "the bias left out", forward_no_bias, "mistake:"),
    ("6.1", "X @ W.T, the column convention", forward_column_convention, "mistake:"),
    ("6.1", "the bias subtracted", forward_bias_subtracted, "mistake:the bias subtracted"),
    ("6.1", "X * W for the matrix product", forward_elementwise,
     "mistake:an elementwise product where the matrix product belongs"),
    ("6.1", "np.squeeze on the result", forward_squeezed, "width-1"),
    ("6.1", "a list of rows, one example at a time", forward_rows_as_list, "outputs"),
    ("6.1", "Z transposed", forward_transposed, "transposed"),
    ("6.1", "the bias reshaped into a column", forward_bias_as_column, "raised"),
    ("6.1", "the first example only", forward_first_row, "shape"),

    ("6.2", "dZ @ W without the transpose", lambda: backward_dense(dX=lambda dZ, X, W: dZ @ W), "mistake:"),
    ("6.2", "db as the mean of dZ's rows", lambda: backward_dense(db=lambda dZ, X, W: dZ.mean(axis=0)), "mistake:"),
    ("6.2", "dW divided by N again", lambda: backward_dense(dW=lambda dZ, X, W: X.T @ dZ / len(X)), "mistake:"),
    ("6.2", "db with keepdims=True", lambda: backward_dense(db=lambda dZ, X, W: dZ.sum(axis=0, keepdims=True)), "shape"),
    ("6.2", "db not summed over the batch", lambda: backward_dense(db=lambda dZ, X, W: dZ), "bias-not-summed"),
    ("6.2", "db summed over the units", lambda: backward_dense(db=lambda dZ, X, W: dZ.sum(axis=1)), "axis"),
    ("6.2", "dW as dZᵀ X", lambda: backward_dense(dW=lambda dZ, X, W: dZ.T @ X), "transposed"),
    ("6.2", "(dW, dX, db) in the wrong order", lambda: backward_dense(order=("dW", "dX", "db")), "order"),
    ("6.2", "db as np.sum(dZ)", lambda: backward_dense(db=lambda dZ, X, W: np.sum(dZ)),
     "mistake:the bias gradient summed over everything"),
    ("6.2", "db forgotten in the return", dense_two_outputs, "outputs"),
    ("6.2", "dW as the outer product of one example", dense_outer_of_first_rows, "batch-1-only"),
    ("6.2", "dW multiplied by N to undo the mean", lambda: backward_dense(dW=lambda dZ, X, W: X.T @ dZ * len(X)), "factor"),

    ("6.3", "the mask Z < 0", relu(lambda dA, Z: dA * (Z < 0)), "mistake:the ReLU mask inverted (Z < 0)"),
    ("6.3", "dA * Z", relu(lambda dA, Z: dA * Z), "mistake:dA multiplied by Z"),
    ("6.3", "ReLU′ without dA", relu(lambda dA, Z: (Z > 0) * 1.0), "mistake:"),
    ("6.3", "np.maximum(dA, 0)", relu(lambda dA, Z: np.maximum(dA, 0)), "mistake:"),
    ("6.3", "dA times ReLU(Z)", relu(lambda dA, Z: dA * np.maximum(Z, 0)), "mistake:"),
    ("6.3", "Z >= 0: the gradient passes at 0", relu(lambda dA, Z: dA * (Z >= 0)), "kink"),
    ("6.3", "a threshold of 1e-4 to stay off the kink", relu(lambda dA, Z: dA * (Z > 1e-4)), "kink"),
    ("6.3", "ReLU′ forgotten: dA returned", relu(lambda dA, Z: dA),
     "mistake:ReLU′ forgotten: the upstream gradient passed through unchanged"),
    ("6.3", "the sigmoid's derivative", relu(lambda dA, Z: dA * nets.sigmoid_prime(Z)),
     "mistake:the sigmoid's derivative where ReLU's belongs"),
    ("6.3", "dA changed in place", relu_in_place, "mutation"),
    ("6.3", "the result cast to float32", relu_float32, "precision"),

    ("6.4", "σ′ taken at the output σ(Z)", sigmoid_at_output, "mistake:σ′ taken at σ(Z) instead of at Z"),
    ("6.4", "Z (1 − Z)", relu(lambda dA, Z: dA * Z * (1 - Z)), "mistake:"),
    ("6.4", "σ for σ′", relu(lambda dA, Z: dA * _sigmoid(Z)), "mistake:"),
    ("6.4", "σ′ without dA", relu(lambda dA, Z: _sigmoid(Z) * (1 - _sigmoid(Z))), "mistake:"),
    ("6.4", "tanh′ for σ′", relu(lambda dA, Z: dA * (1 - np.tanh(Z) ** 2)),
     "mistake:the derivative of tanh where the sigmoid's belongs"),
    ("6.4", "e^−z / (1 + e^−z), the square forgotten", sigmoid_one_factor, "mistake:only the factor (1 − σ(Z)) of σ′"),
    ("6.4", "the sign flipped", relu(lambda dA, Z: -dA * _sigmoid(Z) * (1 - _sigmoid(Z))), "sign"),
    ("6.4", "Z clipped to ±10", sigmoid_clipped, "large-values"),
    ("6.4", "σ′ forgotten: dA returned", relu(lambda dA, Z: dA * 1.0),
     "mistake:σ′ forgotten: the upstream gradient passed through unchanged"),

    ("6.5", "the 1/N forgotten", softmax_ce(lambda Z, T: _softmax(Z) - T), "factor"),
    ("6.5", "divided by the number of classes", softmax_ce(lambda Z, T: (_softmax(Z) - T) / Z.shape[1]), "factor"),
    ("6.5", "divided by every entry (Z.size)", softmax_ce(lambda Z, T: (_softmax(Z) - T) / Z.size), "factor"),
    ("6.5", "T − P", softmax_ce(lambda Z, T: (T - _softmax(Z)) / len(Z)), "sign"),
    ("6.5", "no shift before exp", softmax_unshifted, "large-values"),
    ("6.5", "the row maximum without keepdims", softmax_max_without_keepdims, "batch-1-only"),
    ("6.5", "softmax over the batch axis", softmax_ce(lambda Z, T: (np.exp(Z) / np.exp(Z).sum(axis=0) - T) / len(Z)),
     "mistake:"),
    ("6.5", "P / N, the targets forgotten", softmax_ce(lambda Z, T: _softmax(Z) / len(Z)), "mistake:"),
    ("6.5", "the mean of P − T", softmax_ce(lambda Z, T: np.mean(_softmax(Z) - T)), "shape"),
    ("6.5", "log P − T", softmax_ce(lambda Z, T: (np.log(_softmax(Z)) - T) / len(Z)),
     "mistake:log-softmax where the softmax belongs"),
    ("6.5", "−T/P, the gradient with respect to P", softmax_ce(lambda Z, T: -T / _softmax(Z) / len(Z)),
     "mistake:∂E/∂P where ∂E/∂Z is asked"),
    ("6.5", "one softmax over the whole batch", softmax_whole_batch, "mistake:the softmax normalised over the whole batch"),
    ("6.5", "the sigmoid at the output", softmax_ce(lambda Z, T: (_sigmoid(Z) - T) / len(Z)),
     "mistake:the sigmoid where the softmax belongs"),

    ("6.6", "ReLU′ forgotten (the notebook's bug)", lambda: network(relu_prime=lambda Z: 1.0),
     "mistake:ReLU′ forgotten between the layers"),
    ("6.6", "δ through W instead of Wᵀ", lambda: network(through=lambda W: W), "mistake:"),
    ("6.6", "db as the mean", lambda: network(bias=np.mean), "mistake:"),
    ("6.6", "the 1/N forgotten", lambda: network(scale=lambda n: 1.0), "mistake:"),
    ("6.6", "the mask Z < 0", lambda: network(relu_prime=lambda Z: Z < 0), "mistake:the ReLU mask inverted (Z < 0)"),
    ("6.6", "σ′ for ReLU′", lambda: network(relu_prime=nets.sigmoid_prime),
     "mistake:the sigmoid's derivative where ReLU's belongs"),
    ("6.6", "P(1 − P) again at the output", lambda: network(output_factor=lambda P: P * (1 - P)),
     "mistake:the softmax derivative applied again at the output"),
    ("6.6", "the lists from the output layer down", lambda: network(reverse=True), "order"),
    ("6.6", "written out for two layers", network_unrolled_two_layers, "depth"),
    ("6.6", "the layer's own output in ∇W", network_own_output, "shape"),
    ("6.6", "the sum of dZ over all axes for db", lambda: network(bias=lambda G, axis: np.sum(G)), "shape"),

    ("6.7", "always summed over the rows", relu(lambda G, shape: G.sum(axis=0)), "mistake:"),
    ("6.7", "the mean for the sum", unbroadcast_mean, "mistake:"),
    ("6.7", "if where while belongs: one leading axis only", unbroadcast_if_not_while, "extra-dims"),
    ("6.7", "the stretched axes left unsummed", unbroadcast_leading_only, "mistake:the stretched axes left unsummed"),
    ("6.7", "keepdims forgotten", unbroadcast_no_keepdims, "stretched"),
    ("6.7", "a reshape for the sum", unbroadcast_reshape, "raised"),
    ("6.7", "the shapes lined up from the left", unbroadcast_from_the_left, "axis"),
    ("6.7", "everything summed", unbroadcast_sum_all, "mistake:every axis summed"),
]
