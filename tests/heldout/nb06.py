"""Held-out mistakes of notebook 06 (see nb00.py and tools/corpus.py --heldout): each thunk returns the
learner's (wrong) function."""

import numpy as np


def _softmax(Z, axis=1):
    P = np.exp(Z - Z.max(axis=axis, keepdims=True))
    return P / P.sum(axis=axis, keepdims=True)


def _s(Z):
    return 1 / (1 + np.exp(-Z))


def fn(f):
    return lambda: f


def dense_backward(dX=lambda dZ, X, W: dZ @ W.T, dW=lambda dZ, X, W: X.T @ dZ, db=lambda dZ, X, W: dZ.sum(axis=0)):
    def f(dZ, X, W):
        return dX(dZ, X, W), dW(dZ, X, W), db(dZ, X, W)
    return lambda: f


def softmax_ce(expr):
    def f(Z, T):
        return expr(_softmax(Z), T, len(Z), Z)
    return lambda: f


def backward(mask=lambda Z: Z > 0, through=lambda W: W.T, scale=lambda n: 1 / n,
             bias=lambda dZ: dZ.sum(axis=0), dW=lambda A, dZ: A.T @ dZ, own_z=False):
    def f(Ws, bs, X, T):
        Zs, As = [], [X]
        for W, b in zip(Ws, bs):
            Zs.append(As[-1] @ W + b)
            As.append(np.maximum(0, Zs[-1]))
        dZ = (_softmax(Zs[-1]) - T) * scale(len(X))
        dWs, dbs = [None] * len(Ws), [None] * len(Ws)
        for l in reversed(range(len(Ws))):
            dWs[l] = dW(As[l], dZ)
            dbs[l] = bias(dZ)
            if l > 0:
                dZ = (dZ @ through(Ws[l])) * mask(Zs[l] if own_z else Zs[l - 1])
        return dWs, dbs
    return lambda: f


def unbroadcast(reduce=lambda G, axis, keep: G.sum(axis=axis, keepdims=keep), loop=True, stretch=True, keep=True):
    def f(G, shape):
        if loop:
            while G.ndim > len(shape):
                G = reduce(G, 0, False)
        elif G.ndim > len(shape):
            G = reduce(G, 0, False)
        if stretch:
            for axis, size in enumerate(shape):
                if size == 1 and G.shape[axis] != 1:
                    G = reduce(G, axis, keep)
        return G
    return lambda: f


def _unb_trailing(G, shape):
    while G.ndim > len(shape):
        G = G.sum(axis=-1)
    for axis, size in enumerate(shape):
        if size == 1 and G.shape[axis] != 1:
            G = G.sum(axis=axis, keepdims=True)
    return G


def _unb_first_row(G, shape):
    while G.ndim > len(shape):
        G = G[0]
    return G


CASES = [
    ("6.1", "column convention W xᵀ", fn(lambda X, W, b: X @ W.T + b), "*"),
    ("6.1", "no bias", fn(lambda X, W, b: X @ W), "*"),
    ("6.1", "bias subtracted", fn(lambda X, W, b: X @ W - b), "*"),
    ("6.1", "bias summed to one number", fn(lambda X, W, b: X @ W + b.sum()), "*"),
    ("6.1", "first bias for all", fn(lambda X, W, b: X @ W + b[0]), "*"),
    ("6.1", "ReLU applied", fn(lambda X, W, b: np.maximum(0, X @ W + b)), "*"),
    ("6.1", "W @ X", fn(lambda X, W, b: W @ X + b), "*"),

    ("6.2", "dW transposed", dense_backward(dW=lambda dZ, X, W: dZ.T @ X), "*"),
    ("6.2", "dX without .T", dense_backward(dX=lambda dZ, X, W: dZ @ W), "*"),
    ("6.2", "db the mean", dense_backward(db=lambda dZ, X, W: dZ.mean(axis=0)), "*"),
    ("6.2", "db over axis 1", dense_backward(db=lambda dZ, X, W: dZ.sum(axis=1)), "*"),
    ("6.2", "dW with 1/N again", dense_backward(dW=lambda dZ, X, W: X.T @ dZ / len(X)), "*"),
    ("6.2", "db keepdims", dense_backward(db=lambda dZ, X, W: dZ.sum(axis=0, keepdims=True)), "*"),
    ("6.2", "dX transposed", dense_backward(dX=lambda dZ, X, W: W @ dZ.T), "*"),

    ("6.3", "mask Z < 0", fn(lambda dA, Z: dA * (Z < 0)), "*"),
    ("6.3", "dA * Z", fn(lambda dA, Z: dA * Z), "*"),
    ("6.3", "the mask alone", fn(lambda dA, Z: (Z > 0).astype(float)), "*"),
    ("6.3", "ReLU(Z) for ReLU′", fn(lambda dA, Z: dA * np.maximum(0, Z)), "*"),
    ("6.3", "ReLU of dA", fn(lambda dA, Z: np.maximum(0, dA)), "*"),
    ("6.3", "dA unchanged", fn(lambda dA, Z: dA), "*"),

    ("6.4", "σ for σ′", fn(lambda dA, Z: dA * _s(Z)), "*"),
    ("6.4", "Z(1 − Z)", fn(lambda dA, Z: dA * Z * (1 - Z)), "*"),
    ("6.4", "σ′ at σ(Z)", fn(lambda dA, Z: dA * _s(_s(Z)) * (1 - _s(_s(Z)))), "*"),
    ("6.4", "1 − σ alone", fn(lambda dA, Z: dA * (1 - _s(Z))), "*"),
    ("6.4", "forgot dA", fn(lambda dA, Z: _s(Z) * (1 - _s(Z))), "*"),
    ("6.4", "e^{+Z} on top", fn(lambda dA, Z: dA * np.exp(Z) / (1 + np.exp(-Z)) ** 2), "*"),

    ("6.5", "no 1/N", softmax_ce(lambda P, T, N, Z: P - T), "*"),
    ("6.5", "divided by the classes", softmax_ce(lambda P, T, N, Z: (P - T) / T.shape[1]), "*"),
    ("6.5", "1/N twice", softmax_ce(lambda P, T, N, Z: (P - T) / N / N), "*"),
    ("6.5", "softmax over the columns", softmax_ce(lambda P, T, N, Z: (_softmax(Z, axis=0) - T) / N), "*"),
    ("6.5", "softmax derivative twice", softmax_ce(lambda P, T, N, Z: (P - T) * P * (1 - P) / N), "*"),
    ("6.5", "sign", softmax_ce(lambda P, T, N, Z: (T - P) / N), "*"),
    ("6.5", "∂E/∂P", softmax_ce(lambda P, T, N, Z: -T / P / N), "*"),

    ("6.6", "forgot ReLU′", backward(mask=lambda Z: 1.0), "*"),
    ("6.6", "mask Z < 0", backward(mask=lambda Z: Z < 0), "*"),
    ("6.6", "W without .T", backward(through=lambda W: W), "*"),
    ("6.6", "db the mean", backward(bias=lambda dZ: dZ.mean(axis=0)), "*"),
    ("6.6", "no 1/N", backward(scale=lambda n: 1.0), "*"),
    ("6.6", "dW transposed", backward(dW=lambda A, dZ: dZ.T @ A), "*"),
    ("6.6", "the layer's own Z for ReLU′", backward(own_z=True), "*"),

    ("6.7", "mean for sum", unbroadcast(reduce=lambda G, axis, keep: G.mean(axis=axis, keepdims=keep)), "*"),
    ("6.7", "added axes once only", unbroadcast(loop=False), "*"),
    ("6.7", "stretched axes left alone", unbroadcast(stretch=False), "*"),
    ("6.7", "no keepdims", unbroadcast(keep=False), "*"),
    ("6.7", "summed the trailing axes", fn(_unb_trailing), "*"),
    ("6.7", "the first row for the sum", fn(_unb_first_row), "*"),
]
