"""sympy helpers: symbolic weight matrices, elementwise Jacobians, exact gradients of the networks.

The exact gradients are the second of the course's three checks (beside the reference code in
``helpers.nets`` and central differences in ``helpers.gradcheck``). sympy differentiates the
whole network as one expression; the result is evaluated with ``lambdify(..., cse=True)``,
which is fast (about 1 s to build for the 3-3-3-3 network), where ``subs`` + ``evalf`` would
take tens of seconds. ReLU is ``Max(0, z)``: its derivative prints, where Heaviside's does not.
"""

from __future__ import annotations

import numpy as np
import sympy as sp


def matrix_symbols(name, rows, cols):
    """A rows×cols Matrix of real symbols name_ij, indices from 1 (W_11, W_12, ...)."""
    return sp.Matrix(rows, cols, lambda i, j: sp.Symbol(f"{name}_{i + 1}{j + 1}", real=True))


def vector_symbols(name, n):
    """An n×1 Matrix of real symbols name_1 … name_n."""
    return sp.Matrix(n, 1, lambda i, _: sp.Symbol(f"{name}_{i + 1}", real=True))


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)) as a sympy expression."""
    return 1 / (1 + sp.exp(-z))


def relu(z):
    return sp.Max(0, z)


def softmax(zs):
    """Softmax of a list of sympy expressions, as a list."""
    exps = [sp.exp(z) for z in zs]
    total = sum(exps)
    return [e / total for e in exps]


def elementwise_jacobian(f, n=2, name="x"):
    """The Jacobian of y = f(x) applied entry by entry to an n-vector x.

    Returns:
        (x, y, J): the symbol vector, f(x) and ∂y/∂x, which is diagonal.
    """
    x = vector_symbols(name, n)
    y = x.applyfunc(f)
    return x, y, y.jacobian(x)


_ELEMENTWISE = {"sigmoid": sigmoid, "relu": relu, "tanh": sp.tanh, "identity": lambda z: z}


def _layer(a, W, b, activation, convention):
    n_out = W.shape[0] if convention == "column" else W.shape[1]
    n_in = len(a)
    if convention == "column":
        zs = [sum(W[j, i] * a[i] for i in range(n_in)) + b[j] for j in range(n_out)]
    else:
        zs = [sum(a[i] * W[i, j] for i in range(n_in)) + b[j] for j in range(n_out)]
    if activation == "softmax":
        return softmax(zs)
    return [_ELEMENTWISE[activation](z) for z in zs]


def _loss(out, target, loss):
    if loss == "half_squared_error":
        return sp.Rational(1, 2) * sum((o - t) ** 2 for o, t in zip(out, target))
    if loss == "cross_entropy":
        return -sum(t * sp.log(o) for o, t in zip(out, target) if t != 0)
    if loss == "binary_cross_entropy":
        return -sum(t * sp.log(o) + (1 - t) * sp.log(1 - o) for o, t in zip(out, target))
    raise ValueError(f"unknown loss {loss!r}")


def network_loss(shapes, x, target, activations, loss, convention="row"):
    """The loss of a network as one sympy expression in its weight and bias symbols.

    Args:
        shapes: the shape of each weight matrix, in the given convention.
        x, target: numbers (they become exact rationals of their float values' decimal form).
        activations, loss, convention: as in ``helpers.nets``.

    Returns:
        (E, Ws, bs): the expression and the symbol matrices W1, W2, … and vectors b1, b2, ….
    """
    Ws = [matrix_symbols(f"W{l + 1}", *shape) for l, shape in enumerate(shapes)]
    bs = [vector_symbols(f"b{l + 1}", shape[0] if convention == "column" else shape[1]) for l, shape in enumerate(shapes)]
    a = [sp.Rational(str(float(v))) for v in np.ravel(x)]
    for W, b, activation in zip(Ws, bs, activations):
        a = _layer(a, W, b, activation, convention)
    t = [sp.Rational(str(float(v))) for v in np.ravel(target)]
    return _loss(a, t, loss), Ws, bs


def network_gradients(Ws, bs, x, target, activations, loss, convention="row"):
    """∂E/∂W and ∂E/∂b of every layer: sympy's exact derivative, evaluated at the given values.

    Returns:
        (dWs, dbs) as float arrays shaped like Ws and bs.
    """
    shapes = [np.shape(W) for W in Ws]
    E, Wsym, bsym = network_loss(shapes, x, target, activations, loss, convention)
    params = [s for M in Wsym + bsym for s in M]
    grads = [sp.diff(E, s) for s in params]
    f = sp.lambdify(params, grads, modules="math", cse=True)
    values = [float(v) for W in Ws for v in np.ravel(W)] + [float(v) for b in bs for v in np.ravel(b)]
    flat = iter(f(*values))
    dWs = [np.array([next(flat) for _ in range(int(np.prod(s)))]).reshape(s) for s in shapes]
    dbs = [np.array([next(flat) for _ in range(int(np.size(b)))]).reshape(np.shape(b)) for b in bs]
    return dWs, dbs
