"""A gradient debugger for a hand-written backward pass (notebook 06).

    from helpers.debugger import debug_backward
    debug_backward(backward, Ws, bs, X, T)

calls the learner's ``backward(Ws, bs, X, T) → (dWs, dbs)`` (a network with ReLU in every hidden
layer and softmax + cross-entropy at the output, the loss the mean over the rows) and shows a
table of every parameter's gradient: against the reference (``helpers.nets``) and the reference
against central differences (``helpers.gradcheck``), each as a relative error. Then one sentence
names where the backward pass first goes wrong and how.

"First" follows the backward pass itself, which starts at the output layer L and ends at layer
1: the table lists the layers in that order, and "before" a layer means the layers above it
(computed earlier in the backward pass), "after" the layers below it. A mistake in a layer's G = ∇Z E
travels down, so the first wrong layer is where to look; layers after it may be wrong only
because of it.

The function to debug is whatever the learner's name holds, so anything may arrive: the ``...``
of an exercise not answered yet, a body still ``...``, a number, a function that raises, loops for
ever or returns something else. Each gets one sentence, never a traceback.
"""

from __future__ import annotations

import html
import inspect

import numpy as np

from helpers import gradcheck, nets
from helpers.checking.functions import _copy, _exception_text, _has_ellipsis, _is_stub, call_with_limit, compare_array

EXERCISE = "6.6"  # the exercise whose backward the notebook's debugger cell debugs

_KIND_WORDS = {
    "transposed": "transposed", "sign": "wrong sign", "factor": "off by a constant factor",
    "bias-not-summed": "not summed over the batch", "axis": "summed over the wrong axis",
    "keepdims": "wrong shape (keepdims)", "shape": "wrong shape", "nan": "NaN or inf", "wrong": "wrong values",
}


H = 1e-4  # the central-difference step: small enough to stay off most ReLU kinks, large enough for rounding


def _activations(n_layers):
    return ["relu"] * (n_layers - 1) + ["softmax"]


def _rel(a, e):
    """The relative error as shown: exact, below 1e-12, or two digits (stable across machines)."""
    if a.shape != e.shape:
        return "shape differs"
    if np.array_equal(a, e):
        return "exact"
    rel = _norm_rel(a, e)
    return "< 1e-12" if rel < 1e-12 else f"{rel:.1e}"


def _norm_rel(a, e):
    """‖a − e‖ / (‖a‖ + ‖e‖): a relative error of the whole array, which entries that are 0 (a unit
    ReLU switched off) cannot blow up the way an entry-by-entry ratio can."""
    return float(np.linalg.norm(a - e) / max(np.linalg.norm(a) + np.linalg.norm(e), 1e-300))


def _numeric(rel_cd):
    return "< 1e-8" if rel_cd < 1e-8 else f"{rel_cd:.1e}"


class Report:
    """The debugger's verdict: a table (text and HTML) and a summary sentence.

    Attributes:
        rows: one dict per parameter, in backward-pass order (layer L first).
        first: (layer, parameter name, kind) of the first mistake in the backward pass, or None.
        summary: the sentence shown under the table.
    """

    HEADER = ("parameter", "shape", "yours vs reference", "reference vs central diff.", "verdict")

    def __init__(self, rows, first, summary):
        self.rows, self.first, self.summary = rows, first, summary

    def __bool__(self):
        return self.first is None and bool(self.rows)

    def _cells(self, row):
        return (row["name"], str(row["shape"]), row["yours"], row["numeric"], row["verdict"])

    def __str__(self):
        if not self.rows:
            return self.summary
        lines = [self.HEADER] + [self._cells(r) for r in self.rows]
        widths = [max(len(line[i]) for line in lines) for i in range(len(self.HEADER))]
        text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in lines]
        text.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(text + ["", self.summary])

    __repr__ = __str__

    def _repr_html_(self):
        if not self.rows:
            return f"<p>{html.escape(self.summary)}</p>"
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.HEADER)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in self._cells(r)) + "</tr>"
                       for r in self.rows)
        return (f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
                f"<p>{html.escape(self.summary)}</p>")


def _layer_text(layers):
    layers = sorted(layers, reverse=True)
    return ("layer " if len(layers) == 1 else "layers ") + ", ".join(str(l) for l in layers)


def _not_a_backward(backward):
    """A sentence if `backward` cannot be debugged at all (not answered, not a function), else None."""
    if backward is Ellipsis or backward is None:
        return (f"There is no backward of yours to debug yet: answer Exercise {EXERCISE} first (write the "
                "function in its cell and run it), then run this cell again.")
    if not callable(backward):
        kind = type(backward).__name__
        return (f"backward is {'an' if kind[0] in 'aeiou' else 'a'} {kind}, not a function: define it with "
                f"def backward(Ws, bs, X, T): in Exercise {EXERCISE}, run that cell, then run this one again.")
    try:
        inspect.signature(backward).bind(None, None, None, None)
    except TypeError:
        return (f"Your backward cannot be called as backward(Ws, bs, X, T): it should take these four arguments, "
                f"in this order (Exercise {EXERCISE}).")
    except ValueError:
        pass  # no signature to read (a builtin): just call it
    if _is_stub(backward):
        return (f"Your backward does nothing yet (its body is still ...): write it in Exercise {EXERCISE}, "
                "run that cell, then run this one again.")
    return None


def debug_backward(backward, Ws, bs, X, T):
    """Compare a hand-written backward pass with the reference and with central differences.

    Args:
        backward: the learner's function, ``backward(Ws, bs, X, T) → (dWs, dbs)``; anything else
            (``...``, a number, a stub) gets a sentence saying what to do first.
        Ws, bs: weights (n_in × n_out, row convention) and biases, one per layer.
        X, T: a batch (N × d) and its one-hot targets (N × k).

    Returns:
        Report: shows a table (text and HTML) and a sentence naming the first layer, in the
        order of the backward pass, where the gradients go wrong, and the kind of mistake.
        Never raises.
    """
    unanswered = _not_a_backward(backward)
    if unanswered:
        return Report([], None, unanswered)
    Ws = [np.array(W, dtype=float) for W in Ws]
    bs = [np.array(b, dtype=float) for b in bs]
    X, T = np.array(X, dtype=float), np.array(T, dtype=float)
    L, N = len(Ws), len(X)
    acts = _activations(L)
    reference = nets.backward(Ws, bs, X, T, acts, "cross_entropy")
    numerical_W, numerical_b = gradcheck.network_numerical_gradients(Ws, bs, X, T, acts, "cross_entropy", h=H)
    zs = nets.forward(Ws, bs, X, acts).z[:-1]
    near_kink = any(np.min(np.abs(z)) < 2 * H for z in zs)

    outcome, result = call_with_limit(backward, _copy((Ws, bs, X, T)))
    if outcome == "timeout":
        return Report([], None, "Your backward did not return within 2 s, so it was stopped: is there a loop that never ends?")
    if outcome == "raised":
        return Report([], None, f"Your backward raised {_exception_text(result)}: nothing to compare yet.")
    if _has_ellipsis(result):
        return Report([], None, (f"Your backward still returns ...: write its body in Exercise {EXERCISE}, "
                                 "run that cell, then run this one again."))
    try:
        dWs, dbs = result
        dWs, dbs = list(dWs), list(dbs)
        assert len(dWs) == L and len(dbs) == L
        dWs = [np.asarray(v, dtype=float) for v in dWs]
        dbs = [np.asarray(v, dtype=float) for v in dbs]
    except Exception:  # noqa: BLE001 - any malformed result gets the same sentence
        return Report([], None, (f"Your backward should return (dWs, dbs), two lists of {L} arrays (one per layer, "
                                 "layer 1 first); it returned something else."))

    rows, wrong = [], {}
    for layer in range(L, 0, -1):
        for kind, mine, ref, num in (("W", dWs, reference.dW, numerical_W), ("b", dbs, reference.db, numerical_b)):
            a, e = mine[layer - 1], ref[layer - 1]
            name = f"∇{kind}{layer}"
            verdict, text = compare_array(a, e, N, bias=(kind == "b"))
            rows.append({"layer": layer, "name": name, "shape": tuple(e.shape),
                         "yours": _rel(a, e), "numeric": _numeric(_norm_rel(e, num[layer - 1])),
                         "verdict": "✔ right" if verdict == "ok" else f"✘ {_KIND_WORDS[verdict]}", "kind": verdict,
                         "text": text})
            if verdict != "ok":
                wrong.setdefault(layer, []).append((name, verdict, text))

    numeric_ok = all(r["numeric"] == "< 1e-8" for r in rows)
    if numeric_ok:
        check_note = "The reference agrees with central differences everywhere, so it is the right yardstick."
    elif near_kink:
        check_note = (f"Central differences disagree with the reference where a ReLU input lies within {2 * H:g} of 0: "
                      "the steps straddle the kink, where ReLU has no derivative; that is not your mistake.")
    else:
        check_note = "Central differences disagree with the reference: that is the course's bug, please report it."
    if not wrong:
        return Report(rows, None, f"Every gradient is right, in all {L} layers. {check_note}")
    top = max(wrong)  # the backward pass starts at layer L: the highest wrong layer comes first
    name, kind, text = wrong[top][0]
    before = list(range(L, top, -1))
    after = list(range(top - 1, 0, -1))
    parts = [f"The backward pass runs from layer {L} (the output) down to layer 1. Its first mistake is at "
             f"layer {top}, {name}: {_KIND_WORDS[kind]}. {name} {text}."]
    both = {n for n, _, _ in wrong[top]} == {f"∇W{top}", f"∇b{top}"}
    if both:
        where = ("the output gradient, (P − T)/N" if top == L else
                 f"the gradient passed down from layer {top + 1} (through W{top + 1}ᵀ) or the ReLU′ of layer {top}")
        parts.append(f"Both ∇W{top} and ∇b{top} are wrong, so G{top} = ∇Z{top} E itself is wrong: look at {where}.")
    elif name == f"∇W{top}":
        parts.append(f"∇b{top} is right, so G{top} = ∇Z{top} E is right: the mistake is in how ∇W{top} is made from it.")
    else:
        parts.append(f"∇W{top} is right, so G{top} = ∇Z{top} E is right: the mistake is in how ∇b{top} is made from it.")
    if before:
        parts.append(f"Everything before it in the backward pass ({_layer_text(before)}) is right.")
    wrong_after = [l for l in after if l in wrong]
    if after and not wrong_after:
        parts.append(f"Everything after it ({_layer_text(after)}) is right too, so the mistake stays in layer {top}.")
    elif wrong_after:
        parts.append(f"After it, {_layer_text(wrong_after)} {'is' if len(wrong_after) == 1 else 'are'} wrong too, "
                     f"perhaps only because of it: fix layer {top} first, then run this again.")
    parts.append(check_note)
    return Report(rows, (top, name, kind), " ".join(parts))
