"""Notebook 06, backprop as code: the learner writes functions, and ``check`` calls them on random
inputs of several shapes (see ``helpers.checking.functions``). Every reference function is built
from ``helpers.nets``; row convention, ``Z = X W + b`` with ``W`` of shape (d_in, d_out).

The shapes of the cases are chosen so that no mistake hides: a batch of 1 first, then batches
whose size differs from every layer width, then one case where everything is square (where a
missing transpose goes unnoticed by the shapes).
"""

import numpy as np

from helpers import nets
from helpers.checking.functions import FunctionSpec
from helpers.exercises import Exercise, Mistake, register

# --- the reference functions ------------------------------------------------------------------


def dense_forward(X, W, b):
    """Z = X W + b for a batch X (N, d_in), W (d_in, d_out), b (d_out,)."""
    return X @ W + b


def dense_backward(dZ, X, W):
    """From dZ = ∂E/∂Z (N, d_out): (dX, dW, db) = (dZ Wᵀ, Xᵀ dZ, the sum of dZ's rows)."""
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

_DENSE = ({"N": 1, "d_in": 3, "d_out": 5}, {"N": 4, "d_in": 3, "d_out": 5},
          {"N": 6, "d_in": 5, "d_out": 2}, {"N": 4, "d_in": 4, "d_out": 4, "square": True})
_ROWS = ({"N": 1, "d": 5}, {"N": 4, "d": 6}, {"N": 7, "d": 3}, {"N": 4, "d": 4, "square": True})
_NETS = ({"N": 1, "sizes": (4, 5, 3)}, {"N": 6, "sizes": (3, 7, 5, 2)},
         {"N": 5, "sizes": (4, 6, 3)}, {"N": 4, "sizes": (4, 4, 4, 4), "square": True})


def _normal(rng, *shape):
    """Values of both signs and different sizes, away from 0 (so ReLU′ is never at its kink)."""
    v = rng.normal(0.0, 1.0, shape)
    return np.where(np.abs(v) < 0.05, 0.05 + np.abs(v), v)


def _targets(rng, n, k):
    T = np.zeros((n, k))
    T[np.arange(n), rng.integers(0, k, n)] = 1.0
    return T


def _network(rng, case):
    sizes, n = case["sizes"], case["N"]
    Ws = [_normal(rng, m, k) for m, k in zip(sizes[:-1], sizes[1:])]
    bs = [_normal(rng, k) * 0.5 for k in sizes[1:]]
    return Ws, bs, _normal(rng, n, sizes[0]), _targets(rng, n, sizes[-1])


def _describe_network(Ws, bs, X, T):
    widths = "→".join(str(s) for s in [np.shape(X)[1]] + [np.shape(W)[1] for W in Ws])
    return f"X {np.shape(X)}, layers {widths}"


def _layer_names(case):
    L = len(case["sizes"]) - 1
    return tuple(f"∇W{l}" for l in range(1, L + 1)) + tuple(f"∇b{l}" for l in range(1, L + 1))


_UNBROADCAST = ({"N": 1, "G": (1, 5), "shape": (5,)}, {"N": 4, "G": (4, 5), "shape": (5,)},
                {"N": 6, "G": (6, 3), "shape": (1, 3)}, {"N": 5, "G": (5, 3), "shape": (5, 1)},
                {"N": 4, "G": (4, 6), "shape": (4, 6)}, {"N": 4, "G": (4, 4), "shape": (4,), "square": True})

SPECS = {
    "6.1": FunctionSpec(
        "dense_forward", ("X", "W", "b"), "Z", _DENSE,
        lambda rng, c: (_normal(rng, c["N"], c["d_in"]), _normal(rng, c["d_in"], c["d_out"]), _normal(rng, c["d_out"])),
        lambda c: ("Z",)),
    "6.2": FunctionSpec(
        "dense_backward", ("dZ", "X", "W"), "(dX, dW, db)", _DENSE,
        lambda rng, c: (_normal(rng, c["N"], c["d_out"]) / c["N"], _normal(rng, c["N"], c["d_in"]),
                        _normal(rng, c["d_in"], c["d_out"])),
        lambda c: ("dX", "dW", "db"), bias=("db",)),
    "6.3": FunctionSpec(
        "relu_backward", ("dA", "Z"), "dZ", _ROWS,
        lambda rng, c: (_normal(rng, c["N"], c["d"]), _normal(rng, c["N"], c["d"])),
        lambda c: ("dZ",)),
    "6.4": FunctionSpec(
        "sigmoid_backward", ("dA", "Z"), "dZ", _ROWS,
        lambda rng, c: (_normal(rng, c["N"], c["d"]), 2 * _normal(rng, c["N"], c["d"])),
        lambda c: ("dZ",)),
    "6.5": FunctionSpec(
        "softmax_ce_backward", ("Z", "T"), "dZ",
        ({"N": 1, "k": 3}, {"N": 5, "k": 3}, {"N": 4, "k": 7}, {"N": 6, "k": 4, "scale": 400.0},
         {"N": 3, "k": 3, "square": True}),
        lambda rng, c: (c.get("scale", 2.0) * _normal(rng, c["N"], c["k"]), _targets(rng, c["N"], c["k"])),
        lambda c: ("dZ",),
        describe=lambda Z, T: f"Z {np.shape(Z)}" + (" with logits in the hundreds" if np.max(np.abs(Z)) > 100 else "")),
    "6.6": FunctionSpec(
        "backward", ("Ws", "bs", "X", "T"), "(dWs, dbs), two lists with one array per layer", _NETS,
        lambda rng, c: _network(rng, c), _layer_names, bias=tuple(f"∇b{l}" for l in range(1, 5)),
        describe=_describe_network),
    "6.7": FunctionSpec(
        "unbroadcast", ("G", "shape"), "the gradient, of the given shape", _UNBROADCAST,
        lambda rng, c: (_normal(rng, *c["G"]), c["shape"]), lambda c: ("the result",),
        describe=lambda G, shape: f"G {np.shape(G)}, shape {tuple(shape)}"),
}


def _mistaken_backward(transpose_W=False, bias_mean=False, output="softmax"):
    """The whole-network backward with one switch flipped, for the known mistakes of 6.6."""
    def run(Ws, bs, X, T):
        zs, acts = [], [X]
        for l, (W, b) in enumerate(zip(Ws, bs)):
            zs.append(acts[-1] @ W + b)
            acts.append(nets.softmax(zs[-1]) if l == len(Ws) - 1 else nets.relu(zs[-1]))
        n = len(X)
        G = (acts[-1] - T) / n if output == "softmax" else (acts[-1] - T)
        dWs, dbs = [None] * len(Ws), [None] * len(Ws)
        for l in reversed(range(len(Ws))):
            dWs[l] = acts[l].T @ G
            dbs[l] = G.mean(axis=0) if bias_mean else G.sum(axis=0)
            if l:
                back = G @ (Ws[l] if transpose_W else Ws[l].T)
                G = back * nets.relu_prime(zs[l - 1])
        return dWs, dbs
    return run


register(
    Exercise(
        "6.1", "dense_forward(X, W, b) → Z, for a batch X of N rows",
        lambda: dense_forward,
        mistakes=(
            Mistake("the bias left out",
                    "The layer's bias is part of Z; numpy adds a row to every row of a matrix (broadcasting).",
                    lambda: (lambda X, W, b: X @ W)),
            Mistake("W used as n_out×n_in (the column convention)",
                    "In the row convention W has one row per input (d_in × d_out), so X multiplies it as it "
                    "is; the transposed product only runs when the layer is square.",
                    lambda: (lambda X, W, b: X @ W.T + b)),
        ),
        hints=("Each row of X is one example; a layer maps a row of d_in numbers to a row of d_out numbers.",
               "Which product of X (N × d_in) and W (d_in × d_out) gives N × d_out, one row per example? The bias "
               "is one row of d_out numbers, and numpy adds a row to every row of a matrix (broadcasting)."),
        kind="function", spec=SPECS["6.1"],
    ),
    Exercise(
        "6.2", "dense_backward(dZ, X, W) → (dX, dW, db), with dZ = ∇Z E already holding the 1/N of the mean",
        lambda: dense_backward,
        mistakes=(
            Mistake("δ passed back through W instead of Wᵀ",
                    "Z = X W: ∂E/∂X must come out N × d_in, and only one product of dZ with W or its "
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
               "dX: (N × d_out)(d_out × d_in); dW: (d_in × N)(N × d_out); db: b was added to every row, so "
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
