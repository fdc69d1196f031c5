"""Notebook 06, backprop as code: the learner writes functions, and ``check`` calls them on random
inputs of several shapes (see ``helpers.checking.functions``). Every reference function is built
from ``helpers.nets``; row convention, ``Z = X W + b`` with ``W`` of shape (n_in, n_out).

Each spec's cases cover every shape class a learner's function meets (see "the input cases"
below), with values drawn afresh at every check; its rules say in words on which inputs a function
is right or wrong only, and its slips name the mistakes learners make beyond the registered ones.
"""

import itertools

import numpy as np

from helpers import nets
from helpers.checking.functions import Factor, FunctionSpec, Rule
from helpers.exercises import Exercise, Mistake, register

# --- the reference functions ------------------------------------------------------------------


def dense_forward(X, W, b):
    """Z = X W + b for a batch X (N, n_in), W (n_in, n_out), b (n_out,)."""
    return X @ W + b


def dense_backward(dZ, X, W):
    """From dZ = ∂E/∂Z (N, n_out): (dX, dW, db) = (dZ Wᵀ, Xᵀ dZ, the sum of dZ's rows)."""
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)


def relu_backward(dA, Z):
    """∂E/∂Z = ∂E/∂A ⊙ ReLU′(Z)."""
    return dA * nets.relu_prime(Z)


def sigmoid_backward(dA, Z):
    """∂E/∂Z = ∂E/∂A ⊙ σ′(Z), σ′(Z) = σ(Z)(1 − σ(Z))."""
    return dA * nets.sigmoid_prime(Z)


def softmax_ce_backward(Z, T):
    """∂E/∂Z for E = the mean over the rows of −Σₖ T log softmax(Z): (P − T) / N."""
    return (nets.softmax(Z) - T) / len(Z)


def backward(Ws, bs, X, T):
    """(dWs, dbs) of a network with ReLU in every hidden layer and softmax + cross-entropy at the
    output, the loss the mean over the rows of X."""
    activations = ["relu"] * (len(Ws) - 1) + ["softmax"]
    grads = nets.backward(Ws, bs, X, T, activations, "cross_entropy")
    return grads.dW, grads.db


def unbroadcast(G, shape):
    """The gradient of an input of the given shape that numpy broadcast to G's shape: G summed
    over the axes the broadcast added (leading ones) or stretched (size 1), down to ``shape``."""
    G = np.asarray(G, dtype=float)
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    for axis, size in enumerate(shape):
        if size == 1 and G.shape[axis] != 1:
            G = G.sum(axis=axis, keepdims=True)
    return G


# --- the input cases ----------------------------------------------------------------------------
# One case per shape class a learner's function meets, so that no mistake hides behind an untried
# shape: a batch of 1 and of 2, an output or input width of 1, layers of different widths (no
# transpose hides behind a square matrix), one square case, 1 to 5 layers, G with more axes than the
# shape (6.7), values on both sides of ReLU's kink, exactly 0 where the course defines ReLU′(0) = 0,
# and very large values. The shapes are fixed (the verdicts name them, the same at every run); the
# values are drawn afresh at every check, so that no function can be fitted to them.


def _normal(rng, *shape):
    """Values of both signs and different sizes, away from 0 (so ReLU′ is never at its kink)."""
    v = rng.normal(0.0, 1.0, shape)
    return np.where(np.abs(v) < 0.05, np.sign(v + 1e-300) * (0.05 + np.abs(v)), v)


def _both_signs(rng, magnitudes):
    """The magnitudes with random signs, both signs present where there are two entries or more."""
    signs = rng.choice((-1.0, 1.0), magnitudes.shape)
    flat = signs.reshape(-1)
    if flat.size > 1 and abs(flat.sum()) == flat.size:
        flat[rng.integers(flat.size)] *= -1
    return magnitudes * signs


def _with_zeros(rng, *shape):
    """Normal values with about a third of the entries exactly 0 (ReLU's kink, where ReLU′ is 0)."""
    v = _normal(rng, *shape)
    mask = rng.random(shape) < 0.35
    mask.reshape(-1)[rng.integers(mask.size)] = True
    v[mask] = 0.0
    return v


def _near_zero(rng, *shape):
    """Values within 0.001 of 0, of both signs, down to the smallest float: just either side of
    ReLU's kink, so that no threshold other than 0 itself gives the same mask (the smallest positive
    and negative floats are among them)."""
    v = _both_signs(rng, 10.0 ** rng.uniform(-300, -3, shape))
    flat = v.reshape(-1)
    if flat.size >= 2:
        where = rng.choice(flat.size, 2, replace=False)
        flat[where] = (5e-324, -5e-324)
    return v


def _large(rng, low, high, *shape):
    return _both_signs(rng, rng.uniform(low, high, shape))


def _targets(rng, n, k):
    T = np.zeros((n, k))
    T[np.arange(n), rng.integers(0, k, n)] = 1.0
    return T


def _layer_shapes(c):
    return c["d_in"] == c["d_out"]


def _unit_axis(c):
    return 1 in (c["N"], c["d_in"], c["d_out"])


def _unit_axis_in_Z(c):
    return 1 in (c["N"], c["d_out"])


_DENSE = (
    {"N": 1, "d_in": 3, "d_out": 5}, {"N": 2, "d_in": 3, "d_out": 4}, {"N": 5, "d_in": 3, "d_out": 4},
    {"N": 6, "d_in": 5, "d_out": 2}, {"N": 4, "d_in": 3, "d_out": 1}, {"N": 3, "d_in": 1, "d_out": 4},
    {"N": 1, "d_in": 1, "d_out": 1}, {"N": 2, "d_in": 4, "d_out": 1}, {"N": 5, "d_in": 3, "d_out": 3},
    {"N": 4, "d_in": 4, "d_out": 4},
)
_ROWS = (
    {"N": 1, "d": 5}, {"N": 2, "d": 3}, {"N": 4, "d": 6}, {"N": 7, "d": 1}, {"N": 1, "d": 1},
    {"N": 4, "d": 4}, {"N": 5, "d": 3, "values": "zeros", "note": "with some entries of Z exactly 0"},
    {"N": 3, "d": 6, "values": "near", "note": "with every entry of Z within 0.001 of 0"},
    {"N": 4, "d": 5, "values": "large", "note": "with |Z| from 10 to 1000"},
)
_SIGMOID_ROWS = tuple(c for c in _ROWS if c.get("values") is None) + (
    {"N": 5, "d": 3, "values": "zeros", "note": "with some entries of Z exactly 0"},
    {"N": 4, "d": 5, "values": "large", "note": "with |Z| from 15 to 40"},
)
_SOFTMAX = (
    {"N": 1, "k": 3}, {"N": 2, "k": 4}, {"N": 5, "k": 3}, {"N": 4, "k": 7}, {"N": 6, "k": 2},
    {"N": 3, "k": 3}, {"N": 6, "k": 4, "large": True, "note": "with logits in the hundreds"},
    {"N": 1, "k": 5, "large": True, "note": "with logits in the hundreds"},
    {"N": 4, "k": 1, "degenerate": True, "note": "with a single class"},
)
_NETS = (
    {"N": 1, "sizes": (4, 5, 3)}, {"N": 4, "sizes": (3, 2)}, {"N": 6, "sizes": (3, 7, 5, 2)},
    {"N": 2, "sizes": (2, 6, 4, 5, 3)}, {"N": 5, "sizes": (5, 3, 6, 4, 7, 3)}, {"N": 4, "sizes": (4, 4, 4, 4)},
    {"N": 3, "sizes": (3, 1, 4)}, {"N": 5, "sizes": (1, 4, 2)}, {"N": 1, "sizes": (3, 2, 4, 3)},
    {"N": 3, "sizes": (3, 4, 1), "degenerate": True},
    {"N": 4, "sizes": (3, 5, 4, 2), "near": True, "note": "with hidden inputs Z within 1e-4 of 0, of both signs"},
    {"N": 5, "sizes": (3, 4, 5, 3), "zeros": True, "note": "with some hidden inputs Z exactly 0 or ±2⁻⁴⁰"},
    {"N": 3, "sizes": (4, 6, 3), "large": True, "note": "with output logits in the hundreds"},
)
_UNBROADCAST = tuple({"N": g[0] if g else 1, "G": g, "shape": s} for g, s in (
    ((1, 5), (5,)), ((2, 5), (5,)), ((4, 5), (5,)), ((6, 3), (1, 3)), ((5, 3), (5, 1)), ((4, 6), (4, 6)),
    ((3, 5), (1, 1)), ((3, 4), ()), ((4, 4), (4,)), ((4, 4), (4, 1)), ((5, 1), (1,)), ((5, 1), (5, 1)),
    ((2, 3, 4), (4,)), ((2, 3, 4), (3, 1)), ((2, 3, 4), (1, 4)), ((3, 2, 4), (2, 4)), ((2, 3, 4), (2, 1, 4)),
    ((3, 2, 4), (1, 2, 1)),
    ((2, 3, 4, 5), (4, 1)),
))


def _rows(rng, c, scale=1.0):
    n, d = c["N"], c["d"]
    values = c.get("values")
    if values == "zeros":
        Z = _with_zeros(rng, n, d)
    elif values == "near":
        Z = _near_zero(rng, n, d)
    elif values == "large":
        Z = _large(rng, *((10.0, 1000.0) if scale == 1.0 else (15.0, 40.0)), n, d)
    else:
        Z = scale * _normal(rng, n, d)
    return _normal(rng, n, d), Z


def _logits(rng, c):
    n, k = c["N"], c["k"]
    if not c.get("large"):
        return 2.0 * _normal(rng, n, k)
    # rows all far above 0 (np.exp overflows: one entry above 760), all far below (np.exp underflows
    # to 0 everywhere: every entry below −750), and mixed with a spread above 1500 (a shift by the
    # row's mean, not its maximum, still overflows)
    Z = rng.uniform(100.0, 900.0, (n, k)) * rng.choice((-1.0, 1.0), (n, k))
    for row in range(n):
        if row % 3 == 0:
            Z[row] = np.abs(Z[row])
            Z[row, rng.integers(k)] = rng.uniform(760.0, 900.0)
        elif row % 3 == 1:
            Z[row] = -rng.uniform(750.0, 900.0, k)
        elif k > 1:
            high, low = rng.choice(k, 2, replace=False)
            Z[row, high], Z[row, low] = rng.uniform(760.0, 900.0), -rng.uniform(760.0, 900.0)
    return Z


def _network(rng, case):
    """Weights, biases, inputs and one-hot targets of a ReLU network whose every hidden unit is
    on for some rows and off for others where it can be, and no ReLU input within 1e-6 of 0 (the
    rounding of another summation order must not flip a mask). With case["near"], each hidden
    unit's input is within 1e-4 of 0 for one row, of random signs (just either side of the
    kink, far beyond rounding); with case["large"], the output's logits are near 800."""
    sizes, n = case["sizes"], case["N"]
    if case.get("zeros"):
        return _dyadic_network(rng, sizes, n)
    for _ in range(50):
        Ws = [_normal(rng, m, k) for m, k in zip(sizes[:-1], sizes[1:])]
        bs = [_normal(rng, k) * 0.5 for k in sizes[1:]]
        if case.get("large"):  # every logit above 760: np.exp overflows without the shift by the maximum
            bs[-1] = bs[-1] + 800.0
        X = _normal(rng, n, sizes[0])
        A, fine = X, True
        for W, b in zip(Ws[:-1], bs[:-1]):
            placed = np.zeros((n, W.shape[1]), dtype=bool)
            if case.get("near"):
                product = A @ W
                rows = rng.integers(0, n, W.shape[1])
                # from 1e-12 (far beyond the rounding of any order of summation, ~1e-15) to 1e-4
                offsets = _both_signs(rng, 10.0 ** rng.uniform(-12, -4, W.shape[1]))
                b[...] = -product[rows, np.arange(W.shape[1])] + offsets
                placed[rows, np.arange(W.shape[1])] = True
            Z = A @ W + b
            fine &= bool(np.all(np.abs(Z[~placed]) > 1e-6)) and (Z.size < 2 or (np.any(Z > 0) and np.any(Z < 0)))
            A = nets.relu(Z)
        if fine:
            break
    return Ws, bs, X, _targets(rng, n, sizes[-1])


def _dyadic_network(rng, sizes, n):
    """A network whose inputs, weights and biases are multiples of 1/4 of a few units: every sum
    of the forward pass is exact in floating point, in any order, so that hidden inputs that are
    exactly 0 stay exactly 0 however a learner's code sums (ReLU's kink, where ReLU′ is 0)."""
    def quarters(*shape):
        v = rng.integers(-8, 9, shape) / 4.0
        return np.where(v == 0, 0.25, v)

    Ws = [quarters(m, k) for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [quarters(k) for k in sizes[1:]]
    X = quarters(n, sizes[0])
    A = X
    hidden = len(Ws) - 1
    for l, (W, b) in enumerate(zip(Ws[:-1], bs[:-1])):
        product = A @ W
        for j in range(W.shape[1]):  # every other unit: exactly 0 on one row
            if j % 2 == 0:
                b[j] = -product[rng.integers(n), j]
            elif l == hidden - 1:  # the last hidden layer (no mask after it): ±2⁻⁴⁰, still exact
                b[j] = -product[rng.integers(n), j] + rng.choice((-1.0, 1.0)) * 2.0 ** -40
        A = nets.relu(product + b)
    return Ws, bs, X, _targets(rng, n, sizes[-1])


def _describe_network(Ws, bs, X, T):
    widths = "→".join(str(s) for s in [np.shape(X)[1]] + [np.shape(W)[1] for W in Ws])
    return f"X {np.shape(X)}, layers {widths}"


def _layer_names(case):
    L = len(case["sizes"]) - 1
    return tuple(f"∇W{l}" for l in range(1, L + 1)) + tuple(f"∇b{l}" for l in range(1, L + 1))


# --- which inputs a function is right or wrong on, in words -------------------------------------

_BATCH_1_ONLY = Rule("batch-1-only", "right-only", lambda c: c["N"] == 1, "right for a batch of 1 only",
                     "Every example in the batch must count: check the sums over the rows and the products "
                     "with the batch axis.")
_BATCH_1 = Rule("batch-1", "wrong-only", lambda c: c["N"] == 1, "wrong only for a batch of 1 (N = 1)",
                "Does a squeeze, a [0] or a reshape drop the batch axis when it has length 1? Keep every axis.")
_SQUARE_ONLY = Rule("square-only", "right-only", _layer_shapes, "right only when the layer is square (n_in = n_out)",
                    "A square matrix hides a missing or extra transpose: check the shape of every product.")
_WIDTH_1 = Rule("width-1", "wrong-only", lambda c: c["d_out"] == 1, "wrong only for a layer with a single output "
                "unit (n_out = 1)", "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis.")
_IN_WIDTH_1 = Rule("width-1", "wrong-only", lambda c: c["d_in"] == 1, "wrong only for a single input (n_in = 1)",
                   "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis.")
_UNIT_AXIS = Rule("width-1", "wrong-only", _unit_axis, "wrong only where an axis has length 1 (a batch of 1, or "
                  "a layer of width 1)", "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis.")
_ALL_SQUARE = Rule("square-only", "right-only", lambda c: c["N"] == c["d_in"] == c["d_out"],
                   "right only when every array is square (N = n_in = n_out)",
                   "A square matrix hides a missing or extra transpose: check the shape of every product.")
_DENSE_RULES = (_BATCH_1_ONLY, _SQUARE_ONLY, _ALL_SQUARE, _BATCH_1, _WIDTH_1, _IN_WIDTH_1, _UNIT_AXIS,
                Rule("width-1", "wrong-only", _unit_axis_in_Z, "wrong only where Z has an axis of length 1 (a batch of 1, "
                     "or a single output unit)", _UNIT_AXIS.advice))

_ELEMENTWISE_RULES = (
    _BATCH_1_ONLY,
    Rule("kink", "wrong-only", lambda c: c.get("values") == "zeros", "wrong only where Z is exactly 0",
         "ReLU has no derivative at 0, and the course (like PyTorch) takes ReLU′(0) = 0: the gradient passes "
         "only where Z > 0."),
    Rule("kink", "wrong-only", lambda c: c.get("values") == "near", "wrong only for values of Z close to 0 (within "
         "0.001, of both signs)", "The mask switches exactly at 0: compare Z with 0 itself, not with a small threshold "
         "or a rounded value."),
    Rule("kink", "wrong-only", lambda c: c.get("values") in ("zeros", "near"), "wrong only for values of Z at or "
         "near 0", "The mask switches exactly at 0, and ReLU′(0) is taken as 0."),
    Rule("large-values", "wrong-only", lambda c: c.get("values") == "large", "wrong only for large values of Z",
         "Nothing changes for large Z: do not clip or round it; for the sigmoid, σ′ there is tiny but not 0."),
    Rule("batch-1", "wrong-only", lambda c: c["N"] == 1, "wrong only for a batch of 1 (N = 1)",
         "Does a squeeze, a [0] or a reshape drop the batch axis when it has length 1? Keep every axis."),
    Rule("width-1", "wrong-only", lambda c: c["d"] == 1, "wrong only for a single unit (a width of 1)",
         "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis."),
    Rule("width-1", "wrong-only", lambda c: 1 in (c["N"], c["d"]), "wrong only where an axis has length 1",
         "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis."),
    Rule("square-only", "right-only", lambda c: c["N"] == c["d"], "right only when dA and Z are square (N = d)",
         "A square array hides an axis mix-up: is there a transpose or a sum over the wrong axis?"),
)

_SOFTMAX_RULES = (
    Rule("large-values", "wrong-only", lambda c: bool(c.get("large")), "wrong only with logits in the hundreds",
         "np.exp overflows to inf (or underflows to 0) there: softmax(z) = softmax(z − max z), so subtract each "
         "row's maximum before np.exp; clipping the logits changes the result."),
    _BATCH_1_ONLY,
    Rule("square-only", "right-only", lambda c: c["N"] == c["k"], "right only when the batch size equals the number "
         "of classes (N = k)", "A square array hides an axis mix-up: is a sum or a maximum taken over the wrong "
         "axis, or keepdims=True missing, so that numpy broadcasts it along the wrong axis?"),
    Rule("batch-1", "wrong-only", lambda c: c["N"] == 1, "wrong only for a batch of 1 (N = 1)",
         "Does a squeeze, a [0] or a reshape drop the batch axis when it has length 1? Keep every axis."),
)


def _depth_rule(depths, side):
    words = _listing([str(d) for d in sorted(depths)])
    return Rule("depth", side, lambda c, d=frozenset(depths): len(c["sizes"]) - 1 in d,
                f"right only for networks of {words} layer{'s' if depths != {1} else ''}" if side == "right-only" else
                f"wrong only for networks of {words} layer{'s' if depths != {1} else ''}",
                "It must work for any number of layers: loop over the layers (len(Ws)) instead of writing each one out.")


def _listing(items):
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


_DEPTHS = sorted({len(c["sizes"]) - 1 for c in _NETS})
_NET_RULES = (
    Rule("kink", "wrong-only", lambda c: bool(c.get("zeros")), "wrong only where some hidden inputs Z are exactly 0 "
         "or ±2⁻⁴⁰",
         "ReLU has no derivative at 0, and the course (like PyTorch) takes ReLU′(0) = 0: the gradient passes only where "
         "Z > 0."),
    Rule("kink", "wrong-only", lambda c: bool(c.get("near")), "wrong only where hidden inputs Z are close to 0 (within "
         "1e-4, of both signs)", "The mask of ReLU′ switches exactly at 0: compare Z with 0 itself, not with a small "
         "threshold."),
    Rule("kink", "wrong-only", lambda c: bool(c.get("near") or c.get("zeros")), "wrong only where hidden inputs Z are "
         "at or next to 0", "The mask of ReLU′ switches exactly at 0, and ReLU′(0) is taken as 0."),
    Rule("large-values", "wrong-only", lambda c: bool(c.get("large")), "wrong only with output logits in the hundreds",
         "np.exp overflows to inf (or underflows to 0) there: softmax(z) = softmax(z − max z), so subtract each row's "
         "maximum before np.exp."),
    _BATCH_1_ONLY,
    Rule("square-only", "right-only", lambda c: len(set(c["sizes"])) == 1, "right only when every layer is square",
         "A square matrix hides a missing or extra transpose: check the shape of every product."),
    *(_depth_rule(set(s), "right-only") for k in range(1, len(_DEPTHS)) for s in itertools.combinations(_DEPTHS, k)),
    Rule("batch-1", "wrong-only", lambda c: c["N"] == 1, "wrong only for a batch of 1 (N = 1)",
         "Does a squeeze, a [0] or a reshape drop the batch axis when it has length 1? Keep every axis."),
    Rule("width-1", "wrong-only", lambda c: 1 in c["sizes"], "wrong only for a network with a layer of a single unit",
         "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis."),
)


def _extra(c):
    return len(c["G"]) - len(c["shape"])


def _stretched(c):
    shape, G = c["shape"], c["G"][_extra(c):]
    return any(s == 1 and g != 1 for s, g in zip(shape, G))


_UNBROADCAST_RULES = (
    Rule("extra-dims", "wrong-only", lambda c: _extra(c) >= 2, "wrong only when G has two or more axes more than "
         "shape", "numpy adds as many leading axes as it needs: sum every one of them away, not just the first."),
    Rule("extra-dims", "wrong-only", lambda c: len(c["G"]) >= 3, "wrong only when G has three or more axes",
         "Write it for any number of axes: loop over them rather than assume a matrix."),
    Rule("extra-dims", "wrong-only", lambda c: _extra(c) >= 1, "wrong only when G has more axes than shape",
         "numpy adds the missing axes in front: sum over each of them."),
    Rule("stretched", "wrong-only", _stretched, "wrong only where shape has an axis of length 1 that G stretched",
         "An axis of length 1 was stretched by broadcasting: sum over it, and keep it (keepdims=True)."),
    Rule("scalar", "wrong-only", lambda c: c["shape"] == (), "wrong only for shape () (a single number)",
         "A single number broadcast to every entry: its gradient adds up all of G."),
    Rule("batch-1-only", "right-only", lambda c: _extra(c) == 0 and not _stretched(c),
         "right only where nothing was broadcast (shape equal to G's)",
         "Sum over the axes numpy added in front and over those it stretched from length 1."),
    Rule("square-only", "right-only", lambda c: len(c["G"]) != 2 or c["G"][0] == c["G"][1],
         "right only when G is a square matrix (or has more than two axes)",
         "A square matrix hides an axis mix-up: which axes are summed, and is a transpose involved?"),
    Rule("width-1", "wrong-only", lambda c: 1 in c["G"], "wrong only where G has an axis of length 1",
         "Does a squeeze, a [0] or a reshape drop an axis of length 1? Keep every axis."),
)


# --- the slips learners make, beyond the registered mistakes -------------------------------------


def _mistaken_backward(transpose_W=False, bias_mean=False, output="softmax", mask="relu"):
    """The whole-network backward with one switch flipped, for the known mistakes and slips of 6.6."""
    def run(Ws, bs, X, T):
        zs, acts = [], [X]
        for l, (W, b) in enumerate(zip(Ws, bs)):
            zs.append(acts[-1] @ W + b)
            acts.append(nets.softmax(zs[-1]) if l == len(Ws) - 1 else nets.relu(zs[-1]))
        n, P = len(X), acts[-1]
        G = {"softmax": (P - T) / n, "sum": P - T, "twice": (P - T) / n * P * (1 - P)}[output]
        dWs, dbs = [None] * len(Ws), [None] * len(Ws)
        for l in reversed(range(len(Ws))):
            dWs[l] = acts[l].T @ G
            dbs[l] = G.mean(axis=0) if bias_mean else G.sum(axis=0)
            if l:
                back = G @ (Ws[l] if transpose_W else Ws[l].T)
                Z = zs[l - 1]
                G = back * {"relu": lambda: nets.relu_prime(Z), "none": lambda: 1.0, "inverted": lambda: (Z < 0) * 1.0,
                            "sigmoid": lambda: nets.sigmoid_prime(Z), "relu of A": lambda: nets.relu(Z)}[mask]()
        return dWs, dbs
    return run


def _softmax_rows(Z):
    return nets.softmax(Z)


_SLIPS = {
    "6.1": (
        Mistake("the bias subtracted",
                "The layer adds its bias to every row of weighted sums: look at the sign in front of b.",
                lambda: (lambda X, W, b: X @ W - b)),
        Mistake("an elementwise product where the matrix product belongs",
                "* multiplies entry by entry (and broadcasts, which is why it runs for a single input); each "
                "output of a layer is a weighted sum over all its inputs, which is a matrix product.",
                lambda: (lambda X, W, b: X * W + b)),
        Mistake("the bias added to the inputs",
                "b belongs to the layer's outputs: it is added to the weighted sums, after the product.",
                lambda: (lambda X, W, b: (X + b) @ W)),
        Mistake("the activation applied: the layer's output A where its net input Z is asked",
                "dense_forward stops at the net input, the weighted sums plus the bias; the activation (ReLU) is "
                "a step of its own, after it.",
                lambda: (lambda X, W, b: np.maximum(0, X @ W + b))),
    ),
    "6.2": (
        Mistake("the bias gradient summed over everything",
                "db has one entry per output unit, like b: add up over the examples only.",
                lambda: (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.sum()))),
        Mistake("dX computed with dW's product",
                "dX has the shape of X: it comes from dZ and W, not from dZ and X.",
                lambda: (lambda dZ, X, W: (dZ.T @ X, X.T @ dZ, dZ.sum(axis=0)))),
    ),
    "6.3": (
        Mistake("the ReLU mask inverted (Z < 0)",
                "The gradient passes where the unit was active in the forward pass, and stops where it was off: "
                "your mask does the opposite.",
                lambda: (lambda dA, Z: dA * (Z < 0))),
        Mistake("the ReLU mask inverted (Z < 0)",
                "The gradient passes where the unit was active in the forward pass, and stops where it was off: "
                "your mask does the opposite.",
                lambda: (lambda dA, Z: dA * (Z <= 0))),
        Mistake("dA multiplied by Z",
                "The local factor is ReLU′(Z), which is 1 or 0, not Z itself.",
                lambda: (lambda dA, Z: dA * Z)),
        Mistake("ReLU′ forgotten: the upstream gradient passed through unchanged",
                "ReLU stops the gradient where the unit was off: multiply dA entry by entry by the local factor ReLU′(Z).",
                lambda: (lambda dA, Z: dA + 0.0)),
        Mistake("the sigmoid's derivative where ReLU's belongs",
                "This layer is a ReLU: its local factor is ReLU′(Z), 1 or 0.",
                lambda: (lambda dA, Z: dA * nets.sigmoid_prime(Z))),
    ),
    "6.4": (
        Mistake("σ′ taken at σ(Z) instead of at Z",
                "σ′ is applied to the net input Z; taking it at the output σ(Z) applies σ twice.",
                lambda: (lambda dA, Z: dA * nets.sigmoid_prime(nets.sigmoid(Z)))),
        Mistake("only the factor (1 − σ(Z)) of σ′",
                "σ′ has two factors, σ(Z) and 1 − σ(Z); one is missing.",
                lambda: (lambda dA, Z: dA * (1 - nets.sigmoid(Z)))),
        Mistake("the derivative of tanh where the sigmoid's belongs",
                "1 − tanh² is tanh′; this layer is a sigmoid, whose derivative is written with σ itself.",
                lambda: (lambda dA, Z: dA * (1 - np.tanh(Z) ** 2))),
        Mistake("σ′ forgotten: the upstream gradient passed through unchanged",
                "Multiply dA, entry by entry, by the local factor σ′(Z).",
                lambda: (lambda dA, Z: dA + 0.0)),
    ),
    "6.5": (
        Mistake("log-softmax where the softmax belongs",
                "The gradient of softmax with cross-entropy involves the probabilities themselves, not their logarithms.",
                lambda: (lambda Z, T: (np.log(_softmax_rows(Z)) - T) / len(Z))),
        Mistake("∂E/∂P where ∂E/∂Z is asked",
                "−T/P is the gradient with respect to the probabilities; through the softmax (its Jacobian, notebook 04) "
                "it collapses to something simpler, with respect to the logits Z.",
                lambda: (lambda Z, T: -T / _softmax_rows(Z) / len(Z))),
        Mistake("the softmax normalised over the whole batch",
                "Each row is one example: normalise each row of exp(Z) by its own sum, so that every row of P sums to 1.",
                lambda: (lambda Z, T: (np.exp(Z - Z.max()) / np.exp(Z - Z.max()).sum() - T) / len(Z))),
        Mistake("the sigmoid where the softmax belongs",
                "The output layer is a softmax over the k classes of each row, not k separate sigmoids.",
                lambda: (lambda Z, T: (nets.sigmoid(Z) - T) / len(Z))),
        Mistake("the softmax derivative applied twice",
                "Softmax and cross-entropy together collapse to a gradient with no further factor: the softmax's "
                "Jacobian is already inside that collapse, so a factor P(1 − P) on top counts it twice.",
                lambda: (lambda Z, T: (_softmax_rows(Z) - T) * _softmax_rows(Z) * (1 - _softmax_rows(Z)) / len(Z))),
    ),
    "6.6": (
        Mistake("ReLU′ forgotten between the layers",
                "Passing the gradient down through a hidden layer multiplies it by that layer's ReLU′(Z), entry by entry "
                "(6.3), after the product with Wᵀ.",
                lambda: _mistaken_backward(mask="none")),
        Mistake("the ReLU mask inverted (Z < 0)",
                "The gradient passes where a hidden unit was active in the forward pass; your mask lets it through where "
                "the unit was off.",
                lambda: _mistaken_backward(mask="inverted")),
        Mistake("the sigmoid's derivative where ReLU's belongs",
                "The hidden layers are ReLU: their local factor is ReLU′(Z), 1 or 0.",
                lambda: _mistaken_backward(mask="sigmoid")),
        Mistake("ReLU(Z) where ReLU′(Z) belongs",
                "The local factor of a hidden layer is the derivative ReLU′(Z), 1 or 0, not the activation itself.",
                lambda: _mistaken_backward(mask="relu of A")),
        Mistake("the softmax derivative applied again at the output",
                "Softmax with cross-entropy together give the output's gradient directly (6.5): no further factor "
                "P(1 − P) belongs there.",
                lambda: _mistaken_backward(output="twice")),
    ),
    "6.7": (
        Mistake("the stretched axes left unsummed",
                "Summing away the axes numpy added in front is half of it: an axis of length 1 in shape that G "
                "stretched must be summed too (keeping it, with length 1).",
                lambda: (lambda G, shape: _only_leading(G, shape))),
        Mistake("every axis summed",
                "Only the axes numpy added or stretched are summed; the others keep their entries.",
                lambda: (lambda G, shape: np.sum(G))),
    ),
}


def _only_leading(G, shape):
    while G.ndim > len(shape):
        G = G.sum(axis=0)
    return G


SPECS = {
    "6.1": FunctionSpec(
        "dense_forward", ("X", "W", "b"), "Z", _DENSE,
        lambda rng, c: (_normal(rng, c["N"], c["d_in"]), _normal(rng, c["d_in"], c["d_out"]), _normal(rng, c["d_out"])),
        lambda c: ("Z",), rules=_DENSE_RULES, slips=_SLIPS["6.1"],
        covers="batches of 1, 2 and more, layers of width 1, square and not square"),
    "6.2": FunctionSpec(
        "dense_backward", ("dZ", "X", "W"), "(dX, dW, db)", _DENSE,
        lambda rng, c: (_normal(rng, c["N"], c["d_out"]) / c["N"], _normal(rng, c["N"], c["d_in"]),
                        _normal(rng, c["d_in"], c["d_out"])),
        lambda c: ("dX", "dW", "db"), bias=("db",), rules=_DENSE_RULES, slips=_SLIPS["6.2"],
        factors=(Factor(lambda c: c["N"], "N times the right gradient: dZ already holds the 1/N of the mean, "
                        "so nothing here multiplies by N"),
                 Factor(lambda c: 1 / c["N"], "the right gradient divided by N: dZ already holds the 1/N of the mean, "
                        "so nothing here divides by N again")),
        covers="batches of 1, 2 and more, layers of width 1, square and not square"),
    "6.3": FunctionSpec(
        "relu_backward", ("dA", "Z"), "dZ", _ROWS, lambda rng, c: _rows(rng, c), lambda c: ("dZ",),
        rules=_ELEMENTWISE_RULES, slips=_SLIPS["6.3"],
        covers="batches of 1, 2 and more, width 1, Z exactly 0, Z just either side of 0, and large Z"),
    "6.4": FunctionSpec(
        "sigmoid_backward", ("dA", "Z"), "dZ", _SIGMOID_ROWS, lambda rng, c: _rows(rng, c, scale=2.0),
        lambda c: ("dZ",), rules=_ELEMENTWISE_RULES, slips=_SLIPS["6.4"],
        covers="batches of 1, 2 and more, width 1, Z = 0 and |Z| up to 40"),
    "6.5": FunctionSpec(
        "softmax_ce_backward", ("Z", "T"), "dZ", _SOFTMAX,
        lambda rng, c: (_logits(rng, c), _targets(rng, c["N"], c["k"])), lambda c: ("dZ",),
        rules=_SOFTMAX_RULES, slips=_SLIPS["6.5"],
        factors=(Factor(lambda c: c["N"], "N times the right gradient: the 1/N of the mean over the batch is missing"),
                 Factor(lambda c: 1 / c["N"], "the right gradient divided by N once more: the 1/N of the mean belongs "
                        "exactly once"),
                 Factor(lambda c: c["N"] / c["k"], "divided by the number of classes k where the batch size N belongs"),
                 Factor(lambda c: 1 / c["k"], "divided by N·k, the number of entries, where the batch size N belongs: "
                        "the mean is over the rows only")),
        covers="batches of 1, 2 and more, 1 to 7 classes, N = k, and logits in the hundreds of both signs"),
    "6.6": FunctionSpec(
        "backward", ("Ws", "bs", "X", "T"), "(dWs, dbs), two lists with one array per layer", _NETS,
        lambda rng, c: _network(rng, c), _layer_names, parts=("dWs", "dbs"), bias=tuple(f"∇b{l}" for l in range(1, 6)),
        describe=_describe_network, rules=_NET_RULES, slips=_SLIPS["6.6"],
        factors=(Factor(lambda c: c["N"], "N times the right gradient: the 1/N of the mean over the batch is missing"),
                 Factor(lambda c: 1 / c["N"], "the right gradient divided by N once more: the 1/N belongs exactly once, "
                        "at the output")),
        covers="1 to 5 layers, batches of 1, 2 and more, layers of one unit, square and not square, hidden "
               "inputs next to ReLU's kink, and logits in the hundreds"),
    "6.7": FunctionSpec(
        "unbroadcast", ("G", "shape"), "the gradient, of the given shape", _UNBROADCAST,
        lambda rng, c: (_normal(rng, *c["G"]), c["shape"]), lambda c: ("the result",), rules=_UNBROADCAST_RULES,
        slips=_SLIPS["6.7"], describe=lambda G, shape: f"G {np.shape(G)}, shape {tuple(shape)}",
        covers="G of 2 to 4 axes; shapes with axes added in front, stretched from 1, both, neither, and ()"),
}


register(
    Exercise(
        "6.1", "dense_forward(X, W, b) → Z, for a batch X of N rows",
        lambda: dense_forward,
        mistakes=(
            Mistake("the bias left out",
                    "The layer's bias is part of Z; numpy adds a row to every row of a matrix (broadcasting).",
                    lambda: (lambda X, W, b: X @ W)),
            Mistake("W used as n_out×n_in (the column convention)",
                    "In the row convention W has one row per input (n_in × n_out), so X multiplies it as it "
                    "is; the transposed product only runs when the layer is square.",
                    lambda: (lambda X, W, b: X @ W.T + b)),
        ),
        hints=("Each row of X is one example; a layer maps a row of n_in numbers to a row of n_out numbers.",
               "Which product of X (N × n_in) and W (n_in × n_out) gives N × n_out, one row per example? The bias "
               "is one row of n_out numbers, and numpy adds a row to every row of a matrix (broadcasting)."),
        kind="function", spec=SPECS["6.1"],
    ),
    Exercise(
        "6.2", "dense_backward(dZ, X, W) → (dX, dW, db), with dZ = ∇Z E already holding the 1/N of the mean",
        lambda: dense_backward,
        mistakes=(
            Mistake("δ passed back through W instead of Wᵀ",
                    "Z = X W: ∂E/∂X must come out N × n_in, and only one product of dZ with W or its "
                    "transpose gives that; the other runs only when W is square.",
                    lambda: (lambda dZ, X, W: (dZ @ W, X.T @ dZ, dZ.sum(axis=0)))),
            Mistake("the bias gradient as the mean over the rows",
                    "dZ already carries the 1/N of the mean over the batch (the loss put it there): "
                    "averaging its rows divides by N a second time.",
                    lambda: (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ, dZ.mean(axis=0)))),
            Mistake("the weight gradient divided by N again",
                    "dZ already carries the 1/N of the mean over the batch: a further 1/N divides by N twice.",
                    lambda: (lambda dZ, X, W: (dZ @ W.T, X.T @ dZ / len(X), dZ.sum(axis=0)))),
        ),
        hints=("Each gradient has the shape of what it is the gradient of: dX like X, dW like W, db like b. "
               "Find the one product of dZ with X or W (transposed or not) that has that shape.",
               "dX: (N × n_out)(n_out × n_in); dW: (n_in × N)(N × n_out); db: b was added to every row, so "
               "its gradient adds up dZ over the rows."),
        kind="function", spec=SPECS["6.2"],
    ),
    Exercise(
        "6.3", "relu_backward(dA, Z) → dZ",
        lambda: relu_backward,
        mistakes=(
            Mistake("ReLU′ without the upstream gradient",
                    "ReLU′(Z) is only the local factor; the chain rule also needs dA = ∂E/∂A, the gradient "
                    "that arrives from above.",
                    lambda: (lambda dA, Z: nets.relu_prime(Z))),
            Mistake("ReLU(Z) instead of ReLU′(Z)",
                    "The local factor is the derivative, 1 where Z > 0 and 0 elsewhere, not ReLU(Z) itself.",
                    lambda: (lambda dA, Z: dA * nets.relu(Z))),
            Mistake("the mask taken from dA instead of Z",
                    "Whether a unit passes its gradient depends on whether it was active in the forward "
                    "pass, not on the sign of the gradient.",
                    lambda: (lambda dA, Z: dA * (dA > 0))),
        ),
        hints=("An elementwise function has a diagonal Jacobian, so its backward pass is an entry-by-entry product "
               "with the function's slope.",
               "ReLU's slope is 1 where the unit was active in the forward pass and 0 elsewhere: build that mask "
               "from the right argument (a comparison gives True and False, which numpy multiplies as 1 and 0), "
               "then combine it with the gradient from above."),
        kind="function", spec=SPECS["6.3"],
    ),
    Exercise(
        "6.4", "sigmoid_backward(dA, Z) → dZ",
        lambda: sigmoid_backward,
        mistakes=(
            Mistake("σ′ computed from Z as if it were the output",
                    "u ⊙ (1 − u) is σ′ only when u is the output σ(Z); here the argument is the net input Z, "
                    "so the sigmoid has to be applied first.",
                    lambda: (lambda dA, Z: dA * Z * (1 - Z))),
            Mistake("σ′ without the upstream gradient",
                    "σ′(Z) is only the local factor; the chain rule also needs dA, the gradient that arrives "
                    "from above.",
                    lambda: (lambda dA, Z: nets.sigmoid_prime(Z))),
            Mistake("σ instead of σ′",
                    "The local factor is the sigmoid's slope, not its value.",
                    lambda: (lambda dA, Z: dA * nets.sigmoid(Z))),
        ),
        hints=("Entry by entry again, as in 6.3: the local factor is σ′ at the net input Z.",
               "Notebook 02 (2.3) wrote σ′ with σ alone: compute σ from the net input Z first, then build the "
               "slope from it and combine it with the gradient from above as in 6.3."),
        kind="function", spec=SPECS["6.4"],
    ),
    Exercise(
        "6.5", "softmax_ce_backward(Z, T) → dZ = ∇Z E, E the mean cross-entropy of softmax(Z) over the rows",
        lambda: softmax_ce_backward,
        mistakes=(
            Mistake("softmax over the batch (axis 0)",
                    "Each row is one example: softmax normalises along a row (axis=1 or axis=-1), so "
                    "each row of P sums to 1.",
                    lambda: (lambda Z, T: (nets.softmax(Z.T).T - T) / len(Z))),
            Mistake("the diagonal of the softmax Jacobian only (seed 002)",
                    "The softmax Jacobian has off-diagonal entries too (every p_i depends on every z_j); with the "
                    "full Jacobian the chain simplifies a lot (notebook 04, exercise 4.4).",
                    lambda: (lambda Z, T: -T * (1 - nets.softmax(Z)) / len(Z))),
            Mistake("the probabilities themselves",
                    "The gradient of −Σ t log p through the softmax depends on the targets too: compare with "
                    "notebook 04's δ3 (exercise 4.4).",
                    lambda: (lambda Z, T: nets.softmax(Z) / len(Z))),
        ),
        hints=("Per example, notebook 04 (exercise 4.4) found the gradient of cross-entropy after softmax; here "
               "every row is one example, and the loss is the mean over the N rows.",
               "Compute the softmax of every row at once (each row sums to 1: which axis?), use 4.4's result for "
               "all rows together, then account for the mean. Large logits overflow np.exp: subtracting each "
               "row's largest entry (keepdims=True) leaves the softmax unchanged."),
        kind="function", spec=SPECS["6.5"],
    ),
    Exercise(
        "6.6", "backward(Ws, bs, X, T) → (dWs, dbs), ReLU hidden layers, softmax + cross-entropy output, any depth",
        lambda: backward,
        mistakes=(
            Mistake("δ passed back through W instead of Wᵀ",
                    "Going back through Z = A W + b, the shapes must give ∂E/∂A the shape of A; the untransposed "
                    "product runs only where a layer is square.",
                    lambda: _mistaken_backward(transpose_W=True)),
            Mistake("the bias gradients averaged a second time",
                    "The 1/N is already in dZ at the output: averaging the rows again divides by N twice.",
                    lambda: _mistaken_backward(bias_mean=True)),
            Mistake("the 1/N of the mean left out",
                    "The loss is the mean over the rows: the output's dZ carries a 1/N, and every gradient "
                    "below inherits it.",
                    lambda: _mistaken_backward(output="sum")),
        ),
        hints=("Run the forward pass first and keep every layer's Z and A in lists; the backward pass walks "
               "the layers from the last to the first (for l in reversed(range(L))), with your functions of "
               "6.2, 6.3 and 6.5.",
               "At the output, 6.5 gives dZ. For each layer from the top, 6.2 turns dZ into that layer's two "
               "gradients and the dA of the layer below, and 6.3 turns that dA into the layer below's dZ. Which "
               "A does layer l's backward step need, and where in the two lists do its gradients go?"),
        kind="function", spec=SPECS["6.6"],
    ),
    Exercise(
        "6.7", "unbroadcast(G, shape) → G summed down to shape: the backward of numpy's broadcasting",
        lambda: unbroadcast,
        mistakes=(
            Mistake("always summed over the rows",
                    "That is right for a bias (N, d) → (d,), but a (N, 1) column is broadcast along the "
                    "columns, and a (N, d) input is not broadcast at all: sum over exactly the axes "
                    "that were added or stretched from size 1.",
                    lambda: (lambda G, shape: G.sum(axis=0))),
            Mistake("the mean instead of the sum",
                    "Broadcasting uses the same entry in every row; each use contributes its own gradient, "
                    "and contributions add up: sum, do not average.",
                    lambda: (lambda G, shape: unbroadcast(G, shape) * np.prod(shape) / np.size(G))),
        ),
        hints=("If x was broadcast, each of its entries was used several times; the multivariable chain rule "
               "adds the gradients of all the uses.",
               "Broadcasting stretches an array in two ways: it adds axes in front (G has more dimensions than "
               "shape), and it repeats an axis of size 1. Add G up over the axes of each kind, keeping a "
               "size-1 axis as size 1, until its shape is exactly shape."),
        kind="function", spec=SPECS["6.7"],
    ),
)
