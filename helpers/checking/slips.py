"""The slips learners make, found by kind: an exercise's answer written as a small expression over
the quantities a learner has at hand, and the values that a learner's slips in it produce.

An exercise's registry entry may carry a ``Work``: how its answer is computed, as an ``Expr`` over
named quantities (``q("z2", z2, "the net input z2")``), each factor of the chain carrying its
role ("∂a2/∂z2, the slope of the output sigmoid"). From it, ``Slips`` derives the values that the
mistakes learners really make produce, one slip at a time and two at once:

- a factor of a product missing, or counted twice; a term of a sum missing; a sign flipped;
- a quantity where another belongs: σ′ at the output a instead of the net input z, the other
  layer's δ or W or input, x for w (each quantity says which ones it is confused with);
- a function swapped: σ for σ′, σ′ written as z(1 − z) on the net input, ReLU(z) for ReLU′(z);
- a transpose missing or one too many, `*` for `@`, `@` for `*`, a product in the wrong order,
  the outer product collapsed to a number by a 1-D `.T`;
- the mean for the sum and the reverse, 1/N twice, the number of columns for N, the wrong axis;
- a power off by one, or a product where the power belongs;
- the answer of a neighbouring question (declared, or another exercise of the same notebook).

Each variant comes with one sentence that names the kind of slip and where to look, written
from the roles and names of the quantities: never a value of the answer, nor its formula.
Variants equal to the reference are dropped, so a slip can never turn a right answer wrong, and
a slip is only named for an answer already judged wrong.

Values are numpy arrays with a leading batch axis: one row for a numeric exercise, one per
sample point for a symbolic one (the quantities are sympy expressions, evaluated at fixed
points; the learner's expression is evaluated at the same points).
"""

from __future__ import annotations

import contextlib
import itertools
import random
import warnings
from dataclasses import dataclass, field

import numpy as np

from helpers.checking import budget

MATCH_RTOL = 1e-7        # a slip computed by the learner in another order agrees to ~1e-15
LOOSE_RTOL = 1e-3        # ... and with intermediate values rounded to 3 or 4 digits, to about this
MAX_PAIRS = 3000         # two slips at once: at most this many combinations per exercise
MAX_PAIRED = 150         # ... made of the likeliest this many single slips
POINTS = 6               # sample points for a symbolic exercise
SPARE = 0.45             # seconds of the check's budget left untouched by the search for two slips

# --- the expressions ------------------------------------------------------------------------------


class Expr:
    """A node of an answer's computation. Build with ``q``, ``c``, the operators + − * / @ ** and
    the functions below; ``.named(role)`` says what a subtree is in the chain, ``.alt(...)`` what
    learners write in its place."""

    __slots__ = ("op", "args", "params", "role", "alts", "__weakref__")

    def __init__(self, op, args=(), params=None, role=None):
        self.op, self.args, self.params, self.role = op, tuple(args), dict(params or {}), role
        self.alts = ()

    # building
    def named(self, role):
        """This subtree, with its role in the chain. A quantity or a constant is wrapped (it may
        stand in several places, each with its own role): use the returned node."""
        if self.op in ("q", "c"):
            return Expr("id", (self,), role=role)
        self.role = role
        return self

    def alt(self, other, message, key="swapped"):
        """Something learners write in place of this subtree, and what to say about it."""
        self.alts = self.alts + ((_wrap(other), key, message),)
        return self

    def __add__(self, other):
        return Expr("add", (self, _wrap(other)))

    def __radd__(self, other):
        return Expr("add", (_wrap(other), self))

    def __sub__(self, other):
        return Expr("sub", (self, _wrap(other)))

    def __rsub__(self, other):
        return Expr("sub", (_wrap(other), self))

    def __mul__(self, other):
        return Expr("mul", (self, _wrap(other)))

    def __rmul__(self, other):
        return Expr("mul", (_wrap(other), self))

    def __truediv__(self, other):
        return Expr("div", (self, _wrap(other)))

    def __rtruediv__(self, other):
        return Expr("div", (_wrap(other), self))

    def __matmul__(self, other):
        return Expr("matmul", (self, _wrap(other)))

    def __neg__(self):
        return Expr("neg", (self,))

    def __pow__(self, n):
        return Expr("pow", (self,), {"n": n})

    @property
    def T(self):
        return Expr("T", (self,))

    def __getitem__(self, index):
        return Expr("index", (self,), {"index": index})

    # reading
    @property
    def sym(self):
        """The short name of a quantity ("W2"), or None for an inner node."""
        return self.params.get("sym")

    @property
    def label(self):
        """How to name this node in a sentence: its role, its label, or its symbol."""
        return self.role or self.params.get("label") or self.params.get("sym")

    def __repr__(self):
        if self.op == "q":
            return self.params["sym"]
        if self.op == "c":
            return repr(self.params["value"])
        return f"{self.op}({', '.join(map(repr, self.args))})"


def q(sym, value, label=None, like=(), matrix=None):
    """A named quantity: its short name (as the notebook writes it), its value (an array, a
    number, or a sympy object), how to name it in a sentence ("the net input z2"), and the
    quantities learners confuse it with (other ``q``s, or names filled in by ``Quantities``)."""
    leaf = Expr("q", (), {"sym": sym, "value": value, "label": label or sym, "like": list(like)})
    return leaf


def c(value, label=None):
    """A constant (the 2 of a square, η, 1/N), named in a sentence by its label."""
    return Expr("c", (), {"value": value, "label": label or _number_text(value)})


def _number_text(value):
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _wrap(x):
    return x if isinstance(x, Expr) else c(x)


def _unit():
    """What a dropped factor leaves: 1 in a product, the identity in a matrix product."""
    return Expr("c", (), {"value": 1.0, "label": "1", "unit": True})


def _zero():
    """What a dropped term leaves."""
    return Expr("c", (), {"value": 0.0, "label": "0"})


def fn(name, x, **params):
    return Expr("fn", (_wrap(x),), {"f": name, **params})


def sigmoid(x):
    return fn("sigmoid", x)


def dsigmoid(x):
    return fn("dsigmoid", x)


def relu(x):
    return fn("relu", x)


def drelu(x):
    return fn("drelu", x)


def exp(x):
    return fn("exp", x)


def log(x):
    return fn("log", x)


def softmax(x):
    return fn("softmax", x)


def diag(x):
    return fn("diag", x)


def inv(x):
    return fn("inv", x)


def sqrt(x):
    return fn("sqrt", x)


def outer(a, b):
    return Expr("outer", (_wrap(a), _wrap(b)))


def total(x, axis=None):
    """The sum of x (over one axis, or all of it)."""
    return Expr("sum", (_wrap(x),), {"axis": axis})


def mean(x, axis=None):
    return Expr("mean", (_wrap(x),), {"axis": axis})


def std(x, axis=None):
    return Expr("std", (_wrap(x),), {"axis": axis})


def stack(*xs):
    return Expr("stack", tuple(_wrap(x) for x in xs))


def vstack(*xs):
    return Expr("vstack", tuple(_wrap(x) for x in xs))


class Quantities(dict):
    """A notebook's named quantities, by name, and which ones learners confuse."""

    def add(self, sym, value, label=None):
        self[sym] = q(sym, value, label)
        return self[sym]

    def confuse(self, *groups):
        """Each group: names whose quantities learners take one for another (both ways)."""
        for group in groups:
            for a in group:
                for b in group:
                    if a != b and self[b] not in self[a].params["like"]:
                        self[a].params["like"].append(self[b])

    def confuse_one_way(self, name, *others):
        for b in others:
            if self[b] not in self[name].params["like"]:
                self[name].params["like"].append(self[b])


@dataclass
class Work:
    """How an exercise's answer is computed, for naming the slips in a wrong one.

    Attributes:
        label: what the exercise asks for, in a few words ("δ2 = ∂E/∂z2"): other exercises name
            it when a learner gives this answer there.
        trees: equivalent ways to compute the answer, each an ``Expr`` (the slips of each count).
        neighbours: (Expr or value, label) of quantities near the answer that learners give in
            its place ("∂E/∂a2, one step before δ2 in the chain").
        extras: (Expr or value, role) factors learners multiply in by mistake.
        pairs: whether to try two slips at once.
        symbols: sympy symbols of the notebook that a wrong answer may contain (x_1 in an answer
            about A): such an answer is judged wrong, with a reason, not refused.
    """

    label: str
    trees: tuple = ()
    neighbours: tuple = ()
    extras: tuple = ()
    pairs: bool = True
    symbols: tuple = ()      # the notebook's other symbols: an answer that uses one is judged, not refused


# --- evaluating with a batch axis -------------------------------------------------------------------


class Undefined(Exception):
    """A variant that numpy would refuse (shapes that do not fit), or that is not finite."""


def _nd(a):
    return a.ndim - 1


def _align(a, b):
    """Pad the non-batch shape of the lower-dimensional array with leading 1s (numpy's broadcasting)."""
    if a.shape == b.shape:  # the common case, without numpy's shape machinery
        return a, b
    na, nb = _nd(a), _nd(b)
    if na < nb:
        a = a.reshape(a.shape[:1] + (1,) * (nb - na) + a.shape[1:])
    elif nb < na:
        b = b.reshape(b.shape[:1] + (1,) * (na - nb) + b.shape[1:])
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise Undefined from None
    return a, b


def _batch(*xs):
    n = max(x.shape[0] for x in xs)
    if all(x.shape[0] == n for x in xs):
        return list(xs)
    return [np.broadcast_to(x, (n,) + x.shape[1:]) for x in xs]


def _matmul(a, b):
    a, b = _batch(a, b)
    na, nb = _nd(a), _nd(b)
    if na == 0 or nb == 0 or na > 2 or nb > 2:
        raise Undefined
    if a.shape[-1] != (b.shape[1] if nb == 2 else b.shape[-1]):
        raise Undefined
    if na == 1 and nb == 1:
        return np.einsum("pi,pi->p", a, b)
    if na == 2 and nb == 1:
        return np.einsum("pij,pj->pi", a, b)
    if na == 1 and nb == 2:
        return np.einsum("pi,pij->pj", a, b)
    return np.matmul(a, b)


def _axis(a, axis):
    if axis is None:
        return tuple(range(1, a.ndim))
    nd = _nd(a)
    if not -nd <= axis < nd:
        raise Undefined
    return axis % nd + 1


def _softmax(z, axis=-1):
    ax = _axis(z, axis)
    e = np.exp(z - z.max(axis=ax, keepdims=True))
    return e / e.sum(axis=ax, keepdims=True)


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


FUNCTIONS = {
    "sigmoid": _sig,
    "dsigmoid": lambda z: _sig(z) * (1 - _sig(z)),
    "u(1-u)": lambda z: z * (1 - z),
    "sigmoid(+z)": lambda z: 1.0 / (1.0 + np.exp(z)),
    "1/(1-e^-z)": lambda z: 1.0 / (1.0 - np.exp(-z)),
    "1-sigmoid": lambda z: 1 - _sig(z),
    "relu": lambda z: np.maximum(z, 0.0),
    "drelu": lambda z: (z > 0).astype(float),
    "drelu<0": lambda z: (z < 0).astype(float),
    "tanh": np.tanh,
    "dtanh": lambda z: 1 - np.tanh(z) ** 2,
    "exp": np.exp,
    "exp(-)": lambda z: np.exp(-z),
    "log": np.log,
    "log10": np.log10,
    "sqrt": np.sqrt,
    "abs": np.abs,
    "identity": lambda z: z,
}

# What each function is called in a sentence.
FN_TEXT = {"sigmoid": "σ", "dsigmoid": "σ′", "relu": "ReLU", "drelu": "ReLU′", "exp": "exp", "log": "log",
           "softmax": "softmax", "tanh": "tanh", "dtanh": "tanh′", "sqrt": "the square root", "inv": "the inverse"}

# The functions learners put in place of each, and what to say about it.
FN_SWAPS = {
    "sigmoid": (("dsigmoid", "function", "σ′ where σ itself belongs{ctx}: the forward pass applies the function, not its slope"),
                ("softmax", "function", "softmax where σ belongs{ctx}: look at which activation this layer has"),
                ("sigmoid(+z)", "function", "a slip in σ's formula{ctx}: this is 1 − σ, what a sign lost in the exponent (or "
                                            "e^(−z) on top of the fraction) gives: check the exponent's sign and the top"),
                ("1-sigmoid", "function", "1 − σ where σ belongs{ctx}: look at the exponent's sign and the fraction"),
                ("1/(1-e^-z)", "function", "a sign in σ's denominator{ctx}: σ(z) = 1/(1 + e^(−z))"),
                ("exp(-)", "function", "only e^(−z), one part of σ(z) = 1/(1 + e^(−z)){ctx}"),
                ("relu", "function", "ReLU where σ belongs{ctx}: look at which activation this layer has"),
                ("tanh", "function", "tanh where σ belongs{ctx}"),
                ("identity", "missing-step", "σ is not applied{ctx}: this is the net input, one step before the output")),
    "dsigmoid": (("sigmoid", "function", "σ where its slope σ′ belongs{ctx}: the chain needs the derivative, not the value"),
                 ("u(1-u)", "function", "σ′ written as u(1 − u) of the net input{ctx}: u(1 − u) is σ′ only when u is "
                                        "the output σ(z), not the net input z"),
                 ("drelu", "function", "ReLU′ where σ′ belongs{ctx}: look at which activation this layer has"),
                 ("dtanh", "function", "tanh′ where σ′ belongs{ctx}")),
    "relu": (("drelu", "function", "ReLU′ where ReLU itself belongs{ctx}"),
             ("sigmoid", "function", "σ where ReLU belongs{ctx}: look at which activation this layer has"),
             ("identity", "missing-step", "ReLU is not applied{ctx}")),
    "drelu": (("relu", "function", "ReLU(z) where its slope ReLU′(z), 1 or 0, belongs{ctx}"),
              ("dsigmoid", "function", "σ′ where ReLU′ belongs{ctx}: look at which activation this layer has"),
              ("drelu<0", "function", "the ReLU mask the wrong way round{ctx}: the gradient passes where the unit was "
                                      "active, z > 0")),
    "exp": (("exp(-)", "sign", "a sign in the exponent{ctx}"),),
    "exp(-)": (("exp", "sign", "a sign in the exponent{ctx}"),),
    "softmax": (("sigmoid", "function", "σ entry by entry where softmax belongs{ctx}: softmax divides by the sum over "
                                        "the classes"),
                ("identity", "missing-step", "softmax is not applied{ctx}")),
    "log": (("identity", "missing-step", "the log is missing{ctx}"),
            ("log10", "function", "the logarithm to base 10 where the natural log belongs{ctx}: np.log is the "
                                  "natural logarithm, the one whose derivative is 1/u")),
}


def _apply(f, x, params):
    if f == "softmax":
        return _softmax(x, params.get("axis", -1))
    if f == "diag":
        if _nd(x) == 2 and 1 in x.shape[1:] and x.shape[1] != x.shape[2]:  # a sympy column or row
            x = x.reshape(x.shape[0], -1)
        if _nd(x) == 1:
            return np.einsum("pi,ij->pij", x, np.eye(x.shape[1]))
        if _nd(x) == 2 and x.shape[1] == x.shape[2]:
            return np.diagonal(x, axis1=1, axis2=2).copy()
        raise Undefined
    if f == "full":  # a "diagonal" matrix with every row filled (the learner's full matrix)
        if _nd(x) == 2 and 1 in x.shape[1:] and x.shape[1] != x.shape[2]:  # a sympy column or row
            x = x.reshape(x.shape[0], -1)
        if _nd(x) != 1:
            raise Undefined
        return np.broadcast_to(x[:, None, :], x.shape[:1] + (x.shape[1], x.shape[1])).copy()
    if f == "inv":
        if _nd(x) != 2 or x.shape[1] != x.shape[2]:
            raise Undefined
        return np.linalg.inv(x)
    if f == "norm":
        return np.sqrt(np.sum(x * x, axis=tuple(range(1, x.ndim))))
    return FUNCTIONS[f](x)


class Evaluator:
    """Values of expressions, with the quantities' values given (batched), and a memo of the
    subtrees of the original trees (a variant shares every subtree off the path it changes)."""

    def __init__(self, leaf_value, keep, constant_value=None):
        self.leaf_value, self.keep, self.memo = leaf_value, keep, {}
        self.constant_value = constant_value
        self.calls = 0

    def __call__(self, e):
        key = id(e)
        if key in self.memo:
            return self.memo[key]
        self.calls += 1
        if not self.calls % 8:  # the clocks every 8 nodes (a node is microseconds of numpy)
            budget.tick()
        value = self._eval(e)
        if key in self.keep:
            self.memo[key] = value
        return value

    def _eval(self, e):
        op, p = e.op, e.params
        if op == "q":
            return self.leaf_value(e)
        if op == "id":
            return self(e.args[0])
        if op == "c":
            if self.constant_value is not None and not isinstance(p["value"], (int, float)):
                return self.constant_value(p["value"])
            try:
                return np.asarray(p["value"], dtype=float)[None]
            except (TypeError, ValueError):
                raise Undefined from None
        args = [self(a) for a in e.args]
        if op:  # (numpy's warnings are silenced once, around the whole evaluation, by the caller)
            if op in ("add", "sub", "mul", "div"):
                x, y = _align(*args)
                return {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.divide}[op](x, y)
            if op == "neg":
                return -args[0]
            if op == "pow":
                return args[0] ** p["n"]
            if op == "matmul":
                if e.args[0].params.get("unit"):
                    return args[1]
                if e.args[1].params.get("unit"):
                    return args[0]
                return _matmul(*args)
            if op == "T":
                x = args[0]
                return x.transpose((0,) + tuple(range(x.ndim - 1, 0, -1)))
            if op == "outer":
                if e.args[0].params.get("unit") or e.args[1].params.get("unit"):
                    raise Undefined
                x, y = _batch(*args)
                return np.einsum("pi,pj->pij", x.reshape(x.shape[0], -1), y.reshape(y.shape[0], -1))
            if op == "fn":
                return _apply(p["f"], args[0], p)
            if op in ("sum", "mean", "std"):
                x = args[0]
                axis = _axis(x, p.get("axis"))
                return {"sum": np.sum, "mean": np.mean, "std": np.std}[op](x, axis=axis)
            if op == "stack":
                xs = _batch(*args)
                if len({x.shape for x in xs}) != 1:
                    raise Undefined
                return np.stack(xs, axis=1)
            if op == "vstack":
                xs = _batch(*args)
                if any(_nd(x) != 2 for x in xs) or len({x.shape[2] for x in xs}) != 1:
                    raise Undefined
                return np.concatenate(xs, axis=1)
            if op == "index":
                x = args[0]
                index = p["index"] if isinstance(p["index"], tuple) else (p["index"],)
                try:
                    return x[(slice(None),) + index]
                except IndexError:
                    raise Undefined from None
        raise ValueError(f"unknown operation {op}")


# --- the slips -------------------------------------------------------------------------------------


def _context(role):
    return f" (in {role})" if role else ""


def _factors(e, top=True):
    """The factors of a product chain a·b·c (nested binary 'mul'), with their paths; a product
    with a role of its own is one factor (its own factors are its business)."""
    if e.op != "mul" or (e.role and not top):
        return [((), e)]
    out = []
    for i, a in enumerate(e.args):
        out.extend(((i,) + path, f) for path, f in _factors(a, top=False))
    return out


def _replace(e, path, new):
    if not path:
        return new
    args = list(e.args)
    args[path[0]] = _replace(args[path[0]], path[1:], new)
    copy = Expr(e.op, args, e.params, e.role)
    copy.alts = e.alts
    return copy


def _drop_factor(product, path):
    """The product without the factor at `path` (the sibling takes the parent's place)."""
    parent_path, i = path[:-1], path[-1]
    parent = _get(product, parent_path)
    return _replace(product, parent_path, parent.args[1 - i])


def _get(e, path):
    for i in path:
        e = e.args[i]
    return e


def _shape_of(value):
    return value.shape[1:]


def _describe(e):
    """How to name a node in a sentence, or None: its role, a quantity's label, f(x) for a function
    of a quantity."""
    if e.role:
        return e.role
    if e.op in ("q", "c"):
        return _describe_quantity(e)
    if e.op == "fn" and e.args[0].op in ("q", "id"):
        inner = e.args[0].args[0] if e.args[0].op == "id" else e.args[0]
        return f"{FN_TEXT.get(e.params['f'], e.params['f'])}({inner.params.get('sym')})"
    return None


def _describe_quantity(e):
    return e.params.get("label") or e.params.get("sym") or e.label or "a quantity"


def mutations(tree, shape_of=None):
    """(path, replacement, key, sentence) for every single slip of the tree; the least likely
    (a factor counted twice) last."""
    out, later = [], []

    def visit(e, path, role, parent):
        ctx = _context(role)
        inner_role = (e.role if parent is not None else None) or role  # the root's role is the answer itself
        inner_ctx = _context(inner_role)
        for alt, key, message in e.alts:
            out.append((path, alt, key, message))
        op = e.op
        if op == "q":
            for other in e.params["like"]:
                if parent is not None and parent.op == "fn":
                    name = FN_TEXT.get(parent.params["f"], parent.params["f"])
                    out.append((path, other, "wrong-point",
                                f"{name} is taken at the wrong point{ctx}: at {_describe_quantity(other)}, "
                                f"where it belongs at {_describe_quantity(e)}"))
                else:
                    out.append((path, other, "swapped",
                                f"{_describe_quantity(other)} in the place of {_describe_quantity(e)}{ctx}"))
            value = e.params["value"]
            if len(getattr(value, "shape", ())) == 2 and (parent is None or parent.op != "T") and not _symmetric(value):
                sym = e.params["sym"]
                out.append((path, e.T, "transpose", f"{sym}ᵀ where {sym} belongs{ctx}: look at the shapes of the product"))
        elif op == "T":
            inner = e.args[0]
            sym = inner.sym or "the matrix"
            out.append((path, inner, "transpose",
                        f"{sym} where its transpose {sym}ᵀ belongs{inner_ctx}: look at the shapes of the product"))
        elif op == "mul" and not (parent is not None and parent.op == "mul" and not e.role):
            product = e  # the top of a chain a·b·c: its factors are handled here, once
            for fpath, factor in _factors(product):
                if factor.op == "c" and factor.params["value"] in (1, 1.0):
                    continue
                what = factor.role or (_describe_quantity(factor) if factor.op in ("q", "c") else None)
                where = inner_ctx
                full = path + fpath
                text = f"a factor is missing{where}: {what}" if what else f"a factor of the product is missing{where}"
                out.append((full, _unit(), "missing-factor", text))
                if what:
                    later.append((full, Expr("mul", (factor, factor)), "extra-factor", f"a factor is counted twice{where}: {what}"))
                    later.append((full, Expr("div", (c(1.0), factor)), "inverted",
                                  f"divided where it multiplies{where}: {what}"))
            factors = _factors(product)
            for k, (fpath, factor) in enumerate(factors):  # (a − t) in a product: the rest multiplies a only
                inner = factor.args[0] if factor.op == "id" else factor
                if inner.op in ("sub", "add") and len(factors) > 1:
                    rest = [f for j, (_, f) in enumerate(factors) if j != k]
                    others = rest[0]
                    for f in rest[1:]:
                        others = Expr("mul", (others, f))
                    first, second = inner.args
                    out.append((path, Expr(inner.op, (Expr("mul", (others, first)), second)), "brackets",
                                f"brackets are missing{inner_ctx}: the other factors multiply only the first term of "
                                f"{inner.label or 'the difference'}"))
            out.append((path, Expr("matmul", e.args), "collapsed",
                        f"`@` (a matrix or dot product) where the entry-by-entry product `*` belongs{inner_ctx}"))
            rates = [factor for _, factor in factors if factor.role]
            if len(factors) >= 2 and len(rates) >= 2:  # the links of a chain added, not multiplied
                added = factors[0][1]
                for _, factor in factors[1:]:
                    added = Expr("add", (added, factor))
                out.append((path, added, "added",
                            f"the factors of the chain are added where the chain rule multiplies them{inner_ctx}"))
        elif op == "matmul":
            a, b = e.args
            out.append((path, Expr("mul", (a, b)), "elementwise",
                        f"`*` (entry by entry) where a matrix product `@` belongs{inner_ctx}"))
            out.append((path, Expr("matmul", (b, a)), "order",
                        f"the matrix product in the wrong order{inner_ctx}: look at which shapes meet"))
            for i, factor in enumerate(e.args):
                what = factor.role or (_describe_quantity(factor) if factor.op in ("q", "c", "T") else None)
                if factor.op == "T" and not factor.role:
                    what = f"{factor.args[0].sym}ᵀ" if factor.args[0].sym else None
                text = f"a factor is missing{inner_ctx}: {what}" if what else f"a factor of the product is missing{inner_ctx}"
                out.append((path + (i,), _unit(), "missing-factor", text))
        elif op == "outer":
            a, b = e.args
            out.append((path, Expr("outer", (b, a)), "order",
                        f"the outer product in the wrong order{inner_ctx}: its rows come from the first vector"))
            out.append((path, Expr("matmul", (a, b)), "collapsed",
                        f"the outer product collapsed to one number{inner_ctx}: a 1-D array's .T changes nothing, "
                        "so `u @ v.T` with 1-D arrays is a dot product"))
            out.append((path, Expr("mul", (a, b)), "elementwise",
                        f"`*` of two vectors multiplies entry by entry{inner_ctx}; a table of every pair u_i·v_j is "
                        "an outer product"))
        elif op in ("add", "sub"):
            first, second = e.args
            for i, term in enumerate(e.args):
                what = term.role or (_describe_quantity(term) if term.op in ("q", "c", "id") else None)
                text = f"a term is missing{inner_ctx}: {what}" if what else f"a term is missing{inner_ctx}"
                out.append((path + (i,), _zero(), "missing-term", text))
                if op == "sub" and i == 0:  # the first term dropped, and the minus with it
                    out.append((path, second, "missing-term", text))
            for i, term in enumerate(e.args):
                what = term.role or (_describe_quantity(term) if term.op in ("q", "c", "id") else None)
                if what:
                    later.append((path + (i,), Expr("mul", (c(2.0), term)), "extra-factor",
                                  f"a term is counted twice{inner_ctx}: {what}"))
            term = _describe(second)
            if op == "sub":
                out.append((path, Expr("sub", (second, first)), "sign",
                            f"the difference is the wrong way round{inner_ctx}"))
                out.append((path, Expr("add", (first, second)), "sign",
                            f"a term is added where it is subtracted{inner_ctx}" + (f": {term}" if term else "")))
            else:
                out.append((path, Expr("sub", (first, second)), "sign",
                            f"a term is subtracted where it is added{inner_ctx}" + (f": {term}" if term else "")))
        elif op == "neg":
            out.append((path, e.args[0], "sign", f"a minus sign is missing{inner_ctx}"))
        elif op == "div":
            num, den = e.args
            what = den.role or _describe_quantity(den)
            out.append((path, num, "missing-factor", f"the division by {what} is missing{inner_ctx}"))
            out.append((path, Expr("div", (e, den)), "extra-factor", f"divided by {what} twice{inner_ctx}"))
            out.append((path, Expr("mul", (num, den)), "inverted", f"multiplied by {what} where it divides{inner_ctx}"))
            out.append((path, Expr("div", (den, num)), "inverted", f"the fraction is upside down{inner_ctx}"))
        elif op == "pow":
            n, base = e.params["n"], e.args[0]
            name = "square" if n == 2 else "power"
            for m in (n - 1, n + 1):
                if m not in (0, 1):
                    out.append((path, Expr("pow", (base,), {"n": m}), "power",
                                f"the power is off by one{inner_ctx}: count the factors again"))
            out.append((path, base, "power", f"the {name} is missing{inner_ctx}"))
            if n not in (-1,):
                out.append((path, Expr("mul", (base, c(n))), "power",
                            f"multiplied by the exponent where the {name} belongs{inner_ctx}"))
        elif op == "fn":
            f = e.params["f"]
            for g, key, message in FN_SWAPS.get(f, ()):
                out.append((path, Expr("fn", e.args, {**e.params, "f": g}), key, message.format(ctx=inner_ctx)))
            if f == "diag":
                out.append((path, Expr("fn", e.args, {"f": "full"}), "full-matrix",
                            f"every entry filled where only the diagonal is non-zero{inner_ctx}: "
                            "an entry-by-entry map's output i depends on input i alone"))
                out.append((path, e.args[0], "diagonal-vector",
                            f"a vector where the diagonal matrix belongs{inner_ctx}"))
            if f == "softmax":
                out.append((path, Expr("fn", e.args, {**e.params, "axis": 0}), "axis",
                            f"softmax over the wrong axis{inner_ctx}: each row (one example) sums to 1"))
        elif op in ("sum", "mean", "std"):
            x = e.args[0]
            axis = e.params.get("axis")
            if op == "mean":
                out.append((path, Expr("sum", (x,), {"axis": axis}), "mean-sum",
                            f"the sum where the mean belongs{inner_ctx}: divide by the number of examples N"))
                n, other = _counts(shape_of, x, axis)
                if n:
                    out.append((path, Expr("div", (e, c(float(n)))), "extra-factor",
                                f"divided by N twice{inner_ctx}: the mean already divides by N once"))
                if other:
                    out.append((path, Expr("div", (Expr("sum", (x,), {"axis": axis}), c(float(other)))), "divisor",
                                f"divided by the number of columns (classes or units) where the mean divides by the "
                                f"number of rows N{inner_ctx}"))
            if op == "sum":
                out.append((path, Expr("mean", (x,), {"axis": axis}), "mean-sum",
                            f"the mean where the sum belongs{inner_ctx}"))
            if op in ("sum", "mean") and axis == 0:
                out.append((path, Expr("index", (x,), {"index": 0}), "one-term",
                            f"only the first row (one example){inner_ctx}: every example counts"))
            if op == "sum" and axis is None:
                for k in range(4):
                    out.append((path, Expr("index", (x,), {"index": k}), "one-term",
                                f"only one term of the sum{inner_ctx}: every term adds its own path"))
            if op in ("sum", "mean"):
                out.append((path, x, "not-reduced",
                            f"the terms are not {'added up' if op == 'sum' else 'averaged'}{inner_ctx}: one number "
                            f"per {'entry' if axis is None else 'row' if axis in (1, -1) else 'column'} where "
                            f"their {'sum' if op == 'sum' else 'mean'} belongs"))
            for other in (None, 0, 1, -1):
                if other != axis:
                    out.append((path, Expr(op, (x,), {"axis": other}), "axis",
                                f"{'the mean' if op == 'mean' else 'the sum' if op == 'sum' else 'the standard deviation'} "
                                f"over the wrong axis{inner_ctx}: axis=0 runs down the rows (over the examples), "
                                "axis=1 along a row"))
        elif op == "stack" or op == "vstack":
            out.append((path, Expr(op, e.args[::-1]), "order", f"the parts stacked in reverse order{inner_ctx}"))
        for i, a in enumerate(e.args):
            visit(a, path + (i,), inner_role, parent if op == "id" else e)

    visit(tree, (), None, None)
    return out + later


def _counts(shape_of, x, axis):
    """(the number of entries a mean over `axis` divides by, the length of the other axis of a
    matrix) for the subtree x, or Nones where unknown."""
    if shape_of is None:
        return None, None
    try:
        shape = shape_of(x)
    except (Undefined, ValueError, TypeError, IndexError):
        return None, None
    if not shape:
        return None, None
    if axis is None:
        return int(np.prod(shape)), None
    k = axis % len(shape)
    return shape[k], (shape[1 - k] if len(shape) == 2 else None)


def _symmetric(value):
    try:
        a = np.asarray(value, dtype=float)
        return a.shape[0] == a.shape[1] and np.allclose(a, a.T)
    except (TypeError, ValueError):
        try:
            return value.shape[0] == value.shape[1] and value == value.T
        except Exception:  # noqa: BLE001
            return False


# --- matching an answer ---------------------------------------------------------------------------


@dataclass
class Variant:
    key: str
    message: str
    value: np.ndarray
    loose: bool = False   # matched at LOOSE_RTOL too (a single slip, far enough from the reference)


@dataclass
class Slips:
    """The slip variants of one exercise, built lazily and kept (they depend on the exercise only)."""

    work: Work
    expected: object
    symbolic: bool
    neighbours: tuple | None = None  # (value, label) from the other exercises of the notebook
    points: list = field(default_factory=list)
    symbols: list = field(default_factory=list)
    _singles: list | None = None
    _pairs: list | None = None
    _reference: np.ndarray | None = None

    exercise: object = None          # for the notebook's other answers, found on first use

    def __post_init__(self):
        if self.symbolic:
            symbols = set(getattr(self.expected, "free_symbols", set()))
            for tree in self.work.trees:
                symbols |= _tree_symbols(tree)
            for value, _ in self.work.neighbours:
                symbols |= _tree_symbols(value) if isinstance(value, Expr) else set(getattr(value, "free_symbols", set()))
            symbols |= set(self.work.symbols)
            self.symbols = sorted(symbols, key=lambda s: s.name)
            self.points = [{s: _point_value(s, k) for s in self.symbols} for k in range(POINTS)]

    @property
    def neighbour_answers(self):
        """(value, label) of the notebook's other exercises, computed on first use (inside the
        check's time budget, where the search for slips is cut short when time runs out)."""
        if self.neighbours is None:
            self.neighbours = _notebook_neighbours(self.exercise) if self.exercise is not None else ()
        return self.neighbours

    def all_neighbours(self):
        return tuple(self.work.neighbours) + tuple(self.neighbour_answers)

    # values of quantities
    def _leaf_value(self, e):
        value = e.params["value"]
        return self._constant(value)

    def _constant(self, value):
        if not self.symbolic or not getattr(value, "free_symbols", None):
            try:
                return np.asarray(value, dtype=float)[None]
            except (TypeError, ValueError):
                if self.symbolic:
                    return self._at_points(value)
                raise Undefined from None
        return self._at_points(value)

    def _at_points(self, value):
        """A sympy object's values at the sample points, kept for the session: a symbol's sample
        values depend on its name only, so every exercise agrees. Compiled with numpy (~1 ms);
        where that fails, exact substitution and 20 digits."""
        import sympy as sp

        key = id(value)
        found = _AT_POINTS.get(key)
        if found is None or found[0] is not value:
            symbols = sorted(getattr(value, "free_symbols", ()), key=lambda s: s.name)
            columns = [np.array([float(_point_value(s, k)) for k in range(POINTS)]) for s in symbols]
            try:
                with np.errstate(all="ignore"), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    f = sp.lambdify(symbols, value, modules="numpy")
                    rows = np.stack([np.asarray(f(*[col[k] for col in columns]), dtype=float) for k in range(POINTS)])
            except budget.OutOfTime:
                raise
            except Exception:  # noqa: BLE001 - not printable for numpy: sympy evaluates it
                rows = []
                for k in range(POINTS):
                    budget.tick()
                    at = sp.sympify(value).xreplace({s: _point_value(s, k) for s in symbols}).evalf(20)
                    try:
                        rows.append(np.array(at.tolist() if isinstance(at, sp.MatrixBase) else at, dtype=float))
                    except (TypeError, ValueError):
                        raise Undefined from None
                rows = np.stack(rows)
            found = _AT_POINTS[key] = (value, rows)
        return found[1]

    def _evaluator(self, trees):
        keep = set()
        for tree in trees:
            _collect_ids(tree, keep)
        return Evaluator(self._leaf_value, keep, self._constant)

    def reference(self):
        if self._reference is None:
            if self.symbolic:
                self._reference = self._constant(self.expected)
            else:
                self._reference = np.asarray(self.expected, dtype=float)[None]
        return self._reference

    def _evaluate(self, evaluator, tree):
        """The tree's value, or None (the callers silence numpy's warnings once, around their loop)."""
        try:
            value = evaluator(tree)
        except (Undefined, ValueError, TypeError, IndexError, np.linalg.LinAlgError, ZeroDivisionError, OverflowError):
            return None
        value = np.asarray(value, dtype=float)
        if value.shape[0] == 1 and self.symbolic:
            value = np.broadcast_to(value, (len(self.points),) + value.shape[1:])
        if not np.all(np.isfinite(value)):
            return None
        return value

    def _is_reference(self, value, rtol):
        ref = self.reference()
        if value.shape[1:] != ref.shape[1:]:
            return False
        return _close(value, ref, rtol)

    def _single_candidates(self):
        """[(key, message, variant tree, mutation or None)] for every single slip, in the order they
        are tried: the declared neighbours, the other exercises' answers (for an array), the slips
        in the trees, the extra factors, another exercise's answer in place of a part, the other
        exercises' answers (for a number). Building the list evaluates only the original trees (a
        few milliseconds); if the check's time runs out meanwhile nothing is kept, and the next
        check builds it again."""
        evaluator = self._evaluator_kept
        out = []

        def add(key, message, tree, mutation=None):
            if key != "neighbour" and not _has_quantity(tree):
                return  # every quantity gone: a bare constant says nothing about the learner's slip
            out.append((key, message, tree, mutation))

        for value, label in self.work.neighbours:
            add("neighbour", f"this is {label}", value if isinstance(value, Expr) else c(value))
        scalar = self.reference().ndim < 2
        if not scalar:  # another exercise's answer, exactly: the most telling (for numbers, it may be chance)
            for value, label in self.neighbour_answers:
                add("neighbour", f"this is {label}", c(value))

        def shape_of(node):
            with np.errstate(all="ignore"):
                return evaluator(node).shape[1:]

        for tree in self._trees:
            for path, new, key, message in mutations(tree, shape_of):
                add(key, message, _replace(tree, path, new), (tree, path, new, key, message))
            for extra, role in self.work.extras:
                add("extra-factor", f"one factor too many: {role}", Expr("mul", (tree, _wrap(extra))))
        for tree in self._trees:
            for path, node in _named_nodes(tree):
                try:
                    with np.errstate(all="ignore"):
                        here = evaluator(node)
                except (Undefined, ValueError, TypeError, IndexError):
                    continue
                if here.ndim < 2:  # a number: another exercise's number there is a coincidence, not a slip
                    continue
                for value, label in self.neighbour_answers:
                    other = c(value)
                    v = self._evaluate(evaluator, other)
                    if v is None or (v.shape[1:] == here.shape[1:] and _close(v, here, 1e-9)):
                        continue
                    if v.shape[1:] != here.shape[1:] and v.ndim != here.ndim - 1:
                        continue  # (a vector may still broadcast where a matrix belongs: δ for ∇W in W − η·δ)
                    message = f"{label}, stands where {node.role} belongs"
                    add("neighbour-inside", message, _replace(tree, path, other),
                        (tree, path, other, "neighbour-inside", message))
        if scalar:
            for value, label in self.neighbour_answers:
                add("neighbour", f"this is {label}", c(value))
        return out

    def singles(self, until=None):
        """The one-slip variants computed so far; more while `until()` is true (all when None).
        A check whose time runs out in the middle of a variant leaves it for the next check: the
        place in the list moves on only once a variant is done."""
        if self._singles is None:
            self._singles, self._seen, self._mutations = [], set(), []
            self._trees = list(self.work.trees)
            self._evaluator_kept = self._evaluator(self._trees)
            self._single_list, self._single_next = None, 0
        with _silenced():
            if self._single_list is None and (until is None or until()):
                self._single_list = self._single_candidates()
            while self._single_list is not None and not self.singles_done and (until is None or until()):
                key, message, tree, mutation = self._single_list[self._single_next]
                value = self._evaluate(self._evaluator_kept, tree)
                if value is not None:
                    found = Variant(key, message, value)
                    if mutation is not None and not self._is_reference(value, 1e-9):
                        self._mutations.append(mutation)  # a slip pairs with others even when alone it looks like another
                    self._add(self._singles, self._seen, found)
                self._single_next += 1
        return self._singles

    @property
    def singles_done(self):
        return self._single_list is not None and self._single_next >= len(self._single_list)

    def _add(self, out, seen, variant):
        """Keep a variant unless it equals the reference or an earlier variant (`seen`: a set of
        the values' signatures, to 9 significant digits)."""
        if self._is_reference(variant.value, 1e-9):
            return False
        key = _signature(variant.value)
        variant.loose = not self.symbolic and "+" not in variant.key and not self._is_reference(variant.value, 2 * LOOSE_RTOL)
        if key in seen:
            return False
        seen.add(key)
        out.append(variant)
        return True

    # the kinds of slip tried first in pairs (learners make these together); signs, brackets and
    # doubled factors last
    PAIR_ORDER = ("function", "wrong-point", "swapped", "transpose", "missing-factor", "elementwise", "collapsed",
                  "neighbour-inside", "mean-sum", "axis", "divisor", "order", "missing-term", "missing-step",
                  "not-reduced", "power", "extra-factor", "wrong-variable", "not-differentiated", "sign",
                  "inverted", "brackets", "one-term", "full-matrix", "diagonal-vector")

    def _pair_candidates(self):
        """[(mutation, mutation)] for two slips at once in the same tree: at most MAX_PAIRS, the
        likeliest kinds together first (the variants themselves are made one at a time)."""
        rank = {k: i for i, k in enumerate(self.PAIR_ORDER)}
        ordered = sorted(self._mutations, key=lambda m: rank.get(m[3], len(rank)))[:MAX_PAIRED]
        combos = [(m1, m2) for m1, m2 in itertools.combinations(ordered, 2) if m1[0] is m2[0] and m1[1] != m2[1]]
        # the likeliest kinds together first, across the whole tree (not the first slip with every other)
        combos.sort(key=lambda pair: rank.get(pair[0][3], len(rank)) + rank.get(pair[1][3], len(rank)))
        return combos[:MAX_PAIRS]

    @staticmethod
    def _pair_variant(m1, m2):
        """The tree with both slips. When one slip's place lies inside the other's (`*` for `@`, and
        Wᵀ for W inside that product), the inner one is made first and the outer one is made on
        the changed node."""
        (t1, p1, n1, k1, s1), (t2, p2, n2, k2, s2) = m1, m2
        if len(p1) > len(p2):
            (p1, n1), (p2, n2) = (p2, n2), (p1, n1)
        inner = _replace(t1, p2, n2)
        if _nested(p1, p2):  # p1 contains p2: rebuild p1's slip on the changed node
            original, changed = _get(t1, p1), _get(inner, p1)
            mapping = {id(original): changed}
            mapping.update({id(a): b for a, b in zip(original.args, changed.args)})
            variant = _replace(inner, p1, _rebind(n1, mapping))
        else:
            variant = _replace(inner, p1, n1)
        if s1 == s2:  # the same slip in two places (both powers of a difference of cubes)
            return variant, f"{k1}+{k2}", f"the same slip in two places: {s1}"
        return variant, f"{k1}+{k2}", f"two slips: {s1}; and {s2}"

    def pairs(self, until=None):
        """The two-slip variants computed so far; more are computed while `until()` is true (all of
        them when it is None). Kept between checks: a check under time pressure computes a part,
        the next one goes on where it stopped."""
        self.singles(until)
        if not self.singles_done:  # the single slips first
            return []
        if self._pairs is None:
            self._pairs, self._pair_seen = [], {_signature(v.value) for v in self._singles}
            self._pair_list, self._pair_next = None, 0
        if self._pair_list is None and (until is None or until()):
            self._pair_list = self._pair_candidates()
        with _silenced():
            while self._pair_list is not None and not self.pairs_done and (until is None or until()):
                variant, key, message = self._pair_variant(*self._pair_list[self._pair_next])
                emptied = key.count("missing") > 0  # only a dropped factor or term can leave a bare constant
                v = self._evaluate(self._evaluator_kept, variant) if not emptied or _has_quantity(variant) else None
                if v is not None:
                    self._add(self._pairs, self._pair_seen, Variant(key, message, v))
                self._pair_next += 1
        return self._pairs

    @property
    def pairs_done(self):
        return self._pair_list is not None and self._pair_next >= len(self._pair_list)

    def match(self, answer_values, rtol=MATCH_RTOL, pairs=True, base=None):
        """The first variant the answer's values (batched like the variants) agree with, or None.
        Variants are computed only while the check's time budget allows: under heavy load the
        finer diagnosis waits for a later check, the verdict never does. With a `base` (the value
        before an update step) the loose match, for rounded intermediate values, is on the step."""
        shift = 0.0 if base is None else np.asarray(base, dtype=float)

        def fits(variant):
            if variant.value.shape != answer_values.shape:
                return False
            if _close(answer_values, variant.value, rtol):
                return True
            if not variant.loose:
                return False
            try:
                ref = self.reference()
                if base is not None and _close(variant.value - shift, ref - shift, 2 * LOOSE_RTOL):
                    return False
                return _close(answer_values - shift, variant.value - shift, LOOSE_RTOL)
            except ValueError:
                return False

        def time_left():
            return budget.remaining() > SPARE

        checked = 0
        while True:
            available = self.singles(until=time_left)
            for variant in available[checked:]:
                if fits(variant):
                    return variant
            checked = len(available)
            if self.singles_done or not time_left():
                break
        if not self.singles_done or not (pairs and self.work.pairs):
            return None
        shapes = {v.value.shape for v in self.singles()} | {self.reference().shape}
        if answer_values.shape not in shapes:
            return None  # two slips that make a shape no single slip makes: too unlikely to search for
        checked = 0
        while True:
            available = self.pairs(until=time_left)
            for variant in available[checked:]:
                if fits(variant):
                    return variant
            checked = len(available)
            if self.pairs_done or not time_left():
                return None


def _has_quantity(e):
    """Whether a quantity (or a constant array, such as another exercise's answer) is left in e."""
    if e.op == "q" or (e.op == "c" and np.ndim(e.params["value"]) > 0) or (
            e.op == "c" and hasattr(e.params["value"], "free_symbols") and e.params["value"].free_symbols):
        return True
    return any(_has_quantity(a) for a in e.args)


def _rebind(e, mapping):
    """A copy of the replacement `e` in which the original nodes it refers to are replaced by
    their changed versions (`mapping`, by id)."""
    if id(e) in mapping:
        return mapping[id(e)]
    if not e.args:
        return e
    args = tuple(_rebind(a, mapping) for a in e.args)
    if all(a is b for a, b in zip(args, e.args)):
        return e
    copy = Expr(e.op, args, e.params, e.role)
    copy.alts = e.alts
    return copy


def _named_nodes(tree):
    """(path, node) of every subtree with a role, the root excepted."""
    out = []

    def walk(e, path):
        if path and e.role:
            out.append((path, e))
        for i, a in enumerate(e.args):
            walk(a, path + (i,))
    walk(tree, ())
    return out


def _nested(p1, p2):
    n = min(len(p1), len(p2))
    return p1[:n] == p2[:n]


def _collect_ids(e, keep):
    if id(e) in keep:
        return
    keep.add(id(e))
    if e.op == "q":
        for other in e.params["like"]:
            _collect_ids(other, keep)
    for a in e.args:
        _collect_ids(a, keep)
    for alt, _, _ in e.alts:
        _collect_ids(alt, keep)


def _tree_symbols(tree):
    symbols, seen = set(), set()

    def walk(e):
        if id(e) in seen:
            return
        seen.add(id(e))
        if e.op == "q":
            symbols.update(getattr(e.params["value"], "free_symbols", set()))
            for other in e.params["like"]:
                walk(other)
        for a in e.args:
            walk(a)
        for alt, _, _ in e.alts:
            walk(alt)
    walk(tree)
    return symbols


_AT_POINTS: dict = {}   # id(sympy object) -> (the object, its values at the sample points)


def _point_value(symbol, k):
    """The k-th sample value of a symbol: moderate, away from 0 and ±1 (where factors vanish or
    coincide), in the symbol's domain, and the same for a name wherever it appears."""
    import zlib

    import sympy as sp

    rng = random.Random(zlib.crc32(symbol.name.encode()) * 31 + k)
    value = sp.Rational(rng.randint(150, 1900) * rng.choice([-1, 1]), 997)
    a = symbol.assumptions0
    if a.get("positive") and value < 0 or a.get("negative") and value > 0 or a.get("nonnegative") and value < 0:
        value = -value
    return value


def _signature(value):
    """The value's shape and its entries in float32 (about 7 digits): equal variants, computed in a
    different order, have the same signature (a rare one across a rounding edge is merely kept twice)."""
    return value.shape, value.astype(np.float32).tobytes()


@contextlib.contextmanager
def _silenced():
    """numpy's floating-point warnings off (a variant may divide by zero: it is then dropped)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _close(a, b, rtol):
    if a.shape != b.shape:
        a, b = np.broadcast_arrays(a, b)
    abs_b = np.abs(b)
    diff = np.abs(a - b)
    scale = np.maximum(np.abs(a), abs_b)
    return bool((diff <= rtol * scale + 1e-12 * (1 + abs_b.max())).all())


_CACHE: dict = {}


class Lazy:
    """An exercise's Slips, built on first use: a right answer never pays for them."""

    def __init__(self, exercise):
        self._exercise, self._slips = exercise, None

    def get(self):
        if self._slips is None:
            self._slips = for_exercise(self._exercise)
        return self._slips

    def __getattr__(self, name):
        return getattr(self.get(), name)


def for_exercise(exercise):
    """The Slips of a registered exercise, or None if it declares no Work."""
    if exercise.work is None:
        return None
    cached = _CACHE.get(exercise.id)
    if cached is None:
        work = exercise.work() if callable(exercise.work) else exercise.work
        cached = Slips(work, exercise.expected(), exercise.symbolic, exercise=exercise)
        _CACHE[exercise.id] = cached
    return cached


def _notebook_neighbours(exercise):
    """The other value exercises of the notebook whose answers learners give here by mistake."""
    from helpers import exercises

    prefix = exercise.id.split(".")[0] + "."
    out = []
    for other_id in exercises.ids():
        other = exercises.get(other_id)
        if other_id == exercise.id or not other_id.startswith(prefix) or other.kind != "value" or other.work is None:
            continue
        work = other.work() if callable(other.work) else other.work
        out.append((other.expected(), f"{work.label}, the answer to exercise {other_id}"))
    return tuple(out)
