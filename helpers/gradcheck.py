"""Central differences: the numerical check every analytic gradient in the course must pass."""

from __future__ import annotations

import numpy as np


def numerical_gradient(f, x, h=1e-3, order=4):
    """∂f/∂x by central differences, one entry at a time.

    order=2 is the textbook (f(x + h) − f(x − h)) / 2h, whose error is O(h²) from truncation
    plus O(ε/h) from rounding: at best about 1e-8 relative. order=4 is the five-point central
    stencil (−f(x + 2h) + 8f(x + h) − 8f(x − h) + f(x − 2h)) / 12h, whose O(h⁴) truncation
    error allows a larger h, so rounding matters less: about 1e-10 relative on the course's
    networks, enough to confirm the analytic gradients to 1e-9.

    Args:
        f: a function of one array (or float) returning a float.
        x: the point; it is copied, never changed.
        h: the step.
        order: 2 or 4.

    Returns:
        An array of the shape of x (a float for a scalar x).
    """
    if order not in (2, 4):
        raise ValueError(f"order must be 2 or 4, not {order!r}")
    # C order, so that reshape(-1) below is a view we can write through, also for a transposed W
    x = np.array(x, dtype=float, order="C")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)

    def at(i, value):
        flat[i] = value
        return f(x)

    for i in range(flat.size):
        old = flat[i]
        if order == 2:
            gflat[i] = (at(i, old + h) - at(i, old - h)) / (2 * h)
        else:
            gflat[i] = (-at(i, old + 2 * h) + 8 * at(i, old + h) - 8 * at(i, old - h) + at(i, old - 2 * h)) / (12 * h)
        flat[i] = old
    return float(grad) if grad.ndim == 0 else grad


def rel_error(a, b, floor=1e-12):
    """The largest relative difference max |a − b| / max(|a| + |b|, floor), as in CS231n."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), floor)))


def network_numerical_gradients(Ws, bs, x, target, activations, loss, convention="row", h=1e-3, order=4):
    """Central-difference ∂E/∂W and ∂E/∂b for every layer of a network built by helpers.nets.

    Returns:
        (dWs, dbs): lists shaped like Ws and bs.
    """
    from helpers import nets

    Ws = [np.array(W, dtype=float) for W in Ws]
    bs = [np.array(b, dtype=float) for b in bs]

    def loss_with(params, i, value):
        """params with entry i replaced by value."""
        params = list(params)
        params[i] = value
        return params

    def E(W_list, b_list):
        return nets.loss_of(W_list, b_list, x, target, activations, loss, convention)

    dWs = [numerical_gradient(lambda W, i=i: E(loss_with(Ws, i, W), bs), Ws[i], h, order) for i in range(len(Ws))]
    dbs = [numerical_gradient(lambda b, i=i: E(Ws, loss_with(bs, i, b)), bs[i], h, order) for i in range(len(bs))]
    return dWs, dbs
