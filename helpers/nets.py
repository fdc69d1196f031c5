"""The reference implementation: activations, losses, forward and backward pass in matrix form.

One implementation serves every notebook. Internally it works in the *row* convention of
seed 002 and of batched code: a batch ``X`` has one example per row (shape ``(N, d)``), a
layer computes ``Z = X @ W + b`` with ``W`` of shape ``(n_in, n_out)``. Notebook 03 uses the
*column* convention of seed 001 (``z = W @ x + b``, ``W`` of shape ``(n_out, n_in)``); pass
``convention="column"`` and the weights and their gradients are transposed at the boundary.
The arithmetic is the same: the column-convention ``W`` is the row-convention ``W`` transposed.

Losses are averaged over the rows of a batch, so a single example (a 1-D ``x``) gives the
plain per-example loss and gradient.

Precision: the arithmetic runs in the dtype of the inputs. float32 inputs and weights give float32
results (half the bytes to move, twice the numbers per vector instruction); float64 ones, and
anything else (lists, integers), give float64. ``bench/train_step.py`` times both against PyTorch.
Where it costs no clarity the code avoids passes over memory and temporary arrays (``out=``,
in-place ``*=`` on arrays it has just made itself); it never changes an array it was given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def _floats(v):
    """v as an array of floats: float32 and float64 arrays stay as they are, anything else becomes float64."""
    v = np.asarray(v)
    return v if v.dtype in _FLOATS else v.astype(np.float64)


# --- activations ---------------------------------------------------------------------------


def sigmoid(z):
    """σ(z) = 1 / (1 + e^(−z)), safe for every z, in four passes over z and one new array.

    For z below about −709 (−88 in float32) e^(−z) overflows to inf and 1 / (1 + inf) = 0,
    where σ(z) itself is below the smallest normal float (1e-308; 1e-38 in float32): IEEE
    arithmetic makes the direct formula safe, ``np.errstate`` only silences numpy's overflow
    warning. (The usual guard, ``np.where(z >= 0, 1/(1+e), e/(1+e))`` with e = e^(−|z|),
    computes both branches and takes nine passes, and its random branch is slow: 9× the time.)
    """
    z = _floats(z)
    s = np.empty_like(z)
    with np.errstate(over="ignore"):
        np.exp(np.negative(z, out=s), out=s)  # e^(−z), in s
    s += 1.0
    return np.divide(1.0, s, out=s)


def sigmoid_prime(z):
    """σ′(z) = σ(z)(1 − σ(z)), at the net input z (not at the output)."""
    s = sigmoid(z)
    return s * (1.0 - s)


def relu(z):
    """max(0, z), elementwise."""
    return np.maximum(_floats(z), 0.0)


def relu_prime(z):
    """1 where z > 0, else 0. At z = 0 the course takes 0 (a subgradient, as PyTorch does)."""
    z = _floats(z)
    return (z > 0).astype(z.dtype)


def identity(z):
    return _floats(z)


def identity_prime(z):
    return np.ones_like(_floats(z))


def tanh_prime(z):
    return 1.0 - np.tanh(z) ** 2


def softmax(z):
    """Softmax along the last axis, shifted by the maximum so that exp never overflows."""
    z = _floats(z)
    e = z - z.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def softmax_jacobian(z):
    """The full Jacobian ∂p/∂z = diag(p) − p pᵀ of softmax at a single vector z."""
    p = softmax(z)
    return np.diag(p) - np.outer(p, p)


# name -> (function, derivative at the net input); softmax is not elementwise: see _activation_vjp
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_prime),
    "relu": (relu, relu_prime),
    "tanh": (np.tanh, tanh_prime),
    "identity": (identity, identity_prime),
    "softmax": (softmax, None),
}

# --- losses (mean over the rows of a batch) -----------------------------------------------------


def half_squared_error(out, target):
    """E = ½‖out − target‖², averaged over rows: the loss of seed 001."""
    out, target = _rows(out), _rows(target)
    return float(0.5 * np.sum((out - target) ** 2) / out.shape[0])


def cross_entropy(p, y):
    """E = −Σ y log p (categorical cross-entropy), averaged over rows."""
    p, y = _rows(p), _rows(y)
    return float(-np.sum(y * np.log(p)) / p.shape[0])


def binary_cross_entropy(p, y):
    """E = −Σ [y log p + (1 − y) log(1 − p)], averaged over rows: seed 002's written formula."""
    p, y = _rows(p), _rows(y)
    return float(-np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)) / p.shape[0])


def _loss_grad(loss, out, target):
    """∂E/∂out for one row (the 1/N of the batch mean is applied by the caller)."""
    if loss == "half_squared_error":
        return out - target
    if loss == "cross_entropy":
        return -target / out
    if loss == "binary_cross_entropy":
        return -(target / out - (1 - target) / (1 - out))
    raise ValueError(f"unknown loss {loss!r}; expected one of {sorted(LOSSES)}")


LOSSES = {
    "half_squared_error": half_squared_error,
    "cross_entropy": cross_entropy,
    "binary_cross_entropy": binary_cross_entropy,
}

# --- the network ------------------------------------------------------------------------------


@dataclass
class Forward:
    """What the forward pass keeps for the backward pass: net inputs z and outputs a per layer.

    ``a[0]`` is the input itself, ``a[-1]`` the network's output; ``z[l]`` feeds ``a[l + 1]``.
    """

    z: list
    a: list

    @property
    def out(self):
        return self.a[-1]


@dataclass
class Gradients:
    """∂E/∂W and ∂E/∂b per layer, and δ = ∂E/∂z per layer (one row per example)."""

    dW: list
    db: list
    delta: list


def _rows(v):
    v = _floats(v)
    return v[None, :] if v.ndim == 1 else v


def _to_row(Ws, convention):
    if convention == "row":
        return [_floats(W) for W in Ws]
    if convention == "column":
        return [_floats(W).T for W in Ws]
    raise ValueError(f"convention must be 'row' or 'column', not {convention!r}")


def forward(Ws, bs, x, activations, convention="row"):
    """Forward pass.

    Args:
        Ws, bs: weight matrices and bias vectors, one per layer.
        x: one example (1-D) or a batch, one example per row (2-D).
        activations: one name per layer, from ``ACTIVATIONS``.
        convention: "row" (z = x W + b) or "column" (z = W x + b).

    Returns:
        Forward with the net inputs ``z`` and activations ``a`` (1-D for a 1-D x).
    """
    single = np.asarray(x).ndim == 1
    a = _rows(x)
    zs, acts = [], [a]
    for W, b, name in zip(_to_row(Ws, convention), bs, activations):
        z = a @ W
        z += _floats(b)  # in place: one new array per layer for z, not two
        a = ACTIVATIONS[name][0](z)
        zs.append(z)
        acts.append(a)
    if single:
        zs, acts = [v[0] for v in zs], [v[0] for v in acts]
    return Forward(zs, acts)


def _activation_vjp(name, z, a, g):
    """δ = (∂a/∂z)ᵀ g for each row: elementwise for most activations, full Jacobian for softmax.

    g = ∂E/∂a is a new array made by the caller, so the elementwise cases may write δ into it.
    """
    if name == "softmax":
        # (diag(p) − p pᵀ) g = p ⊙ (g − p·g), row by row
        return a * (g - np.sum(a * g, axis=-1, keepdims=True))
    # σ′ and tanh′ from the activation the forward pass kept (a = f(z), the same numbers
    # sigmoid_prime(z) and tanh_prime(z) would recompute), which saves an exp per step
    if name == "sigmoid":
        d = 1.0 - a
        d *= a  # σ′(z) = a(1 − a)
        d *= g
        return d
    if name == "tanh":
        d = np.square(a)
        np.subtract(1.0, d, out=d)  # tanh′(z) = 1 − a²
        d *= g
        return d
    if name == "relu":
        g *= z > 0  # relu′(z) = 1 where z > 0, else 0
        return g
    if name == "identity":
        return g
    return g * ACTIVATIONS[name][1](z)


def _output_delta(activation, loss, fw, T):
    """δ = ∂E/∂z at the output layer, for the loss averaged over the N rows of the batch.

    Softmax with cross-entropy: the softmax Jacobian times ∂E/∂p = −t/p collapses to p − t
    (notebook 04 derives it; the tests check it against that general route). Every other
    pairing goes the general route: ∂E/∂out, then the activation's Jacobian.
    """
    n = T.shape[0]
    if activation == "softmax" and loss == "cross_entropy":
        return (fw.out - T) / n
    return _activation_vjp(activation, fw.z[-1], fw.out, _loss_grad(loss, fw.out, T) / n)


def backward(Ws, bs, x, target, activations, loss, convention="row"):
    """Backward pass in matrix form: δ at the output, then δ_prev = (δ Wᵀ) ⊙ f′(z_prev).

    Returns:
        Gradients whose ``dW[l]`` has the shape of ``Ws[l]`` in the given convention and
        whose ``db[l]`` has the shape of ``bs[l]``; the loss is the mean over rows, so the
        bias gradient is the mean of δ over rows.
    """
    single = np.asarray(x).ndim == 1
    Wr = _to_row(Ws, convention)
    fw = forward(Wr, bs, _rows(x), activations)
    T = _rows(target).astype(fw.out.dtype, copy=False)  # the targets follow the network's precision
    delta = _output_delta(activations[-1], loss, fw, T)
    dWs, dbs, deltas = [], [], []
    for layer in reversed(range(len(Wr))):
        if layer < len(Wr) - 1:  # δ of a hidden layer: (δ_next Wᵀ) ⊙ f′(z)
            delta = _activation_vjp(activations[layer], fw.z[layer], fw.a[layer + 1], delta @ Wr[layer + 1].T)
        # Aᵀ δ; np.dot rather than @, which for a batch of one row (an outer product) takes a
        # slow loop of its own instead of BLAS (4× slower at width 256); the numbers are the same
        dW = np.dot(fw.a[layer].T, delta)
        db = delta.sum(axis=0)
        dWs.append(dW.T if convention == "column" else dW)
        dbs.append(db.reshape(np.shape(bs[layer])))
        deltas.append(delta[0] if single else delta)
    return Gradients(dWs[::-1], dbs[::-1], deltas[::-1])


def loss_of(Ws, bs, x, target, activations, loss, convention="row"):
    """The loss E of the network on (x, target): the function every gradient is a gradient of."""
    out = forward(Ws, bs, x, activations, convention).out
    return LOSSES[loss](out, target)


def sgd_step(Ws, bs, grads, rate):
    """One gradient-descent step: W ← W − rate·∂E/∂W, b ← b − rate·∂E/∂b.

    Returns new arrays (Ws, bs and grads are left as they are), each made with one pass for
    rate·∂E/∂W and one for the subtraction, written over the product.
    """
    def step(p, dp):
        p = _floats(p)
        new = rate * dp
        return np.subtract(p, new, out=new) if new.dtype == p.dtype else p - new

    return [step(W, dW) for W, dW in zip(Ws, grads.dW)], [step(b, db) for b, db in zip(bs, grads.db)]


# --- the one-weight model of notebook 01: a = a_prev · w, C = (a − y)² ---------------------------


def one_weight_grad(a_prev, w, y):
    """∂C/∂w = ∂C/∂a · ∂a/∂w = 2(a_prev·w − y) · a_prev."""
    return a_prev * 2.0 * (a_prev * w - y)


def descend(a_prev, w0, y, rate, steps):
    """The weights after each of `steps` gradient-descent steps w ← w − R·∂C/∂w (w0 excluded)."""
    ws, w = [], float(w0)
    for _ in range(steps):
        w = w - rate * one_weight_grad(a_prev, w, y)
        ws.append(w)
    return np.array(ws)


def contraction(a_prev, rate):
    """The factor 1 − 2Ra² by which each step multiplies the distance w − w* to the optimum."""
    return 1.0 - 2.0 * rate * a_prev**2


def chain_grads(x, w1, w2, t):
    """Notebook 01's two-weight chain a1 = x·w1, a2 = a1·w2, E = (a2 − t)²: one backward pass.

    ∂E/∂a2 = 2(a2 − t) is computed once and shared: ∂E/∂w2 = ∂E/∂a2 · a1 and
    ∂E/∂w1 = ∂E/∂a2 · w2 · x. Returns (∂E/∂w1, ∂E/∂w2).
    """
    a1 = x * w1
    dE_da2 = 2.0 * (a1 * w2 - t)
    return dE_da2 * w2 * x, dE_da2 * a1


def descend_chain(x, w1, w2, t, rate, steps, train=("w1", "w2")):
    """`steps` gradient-descent steps on the chain, updating only the weights named in `train`
    (both at once, each from the gradients at the current weights). Returns the (w1, w2) pairs,
    the start included: an array of shape (steps + 1, 2)."""
    pairs = [(float(w1), float(w2))]
    for _ in range(steps):
        g1, g2 = chain_grads(x, w1, w2, t)
        w1, w2 = (w1 - rate * g1 if "w1" in train else w1), (w2 - rate * g2 if "w2" in train else w2)
        pairs.append((w1, w2))
    return np.array(pairs)


def regime(a_prev, rate):
    """How descent with this rate behaves: converges, oscillates towards w*, cycles, or diverges."""
    q = contraction(a_prev, rate)
    if abs(q) < 1:
        return "converges monotonically" if q >= 0 else "converges, oscillating around w*"
    if q == -1:
        return "oscillates for ever between two values"
    return "diverges, oscillating ever further from w*"
