"""Does a text give an exercise's answer away, in any form a learner would recognise?

``leak(exercise_id, text)`` returns what gives it away, or None. It looks for:

- the answer's numbers, at 3 to 9 significant digits and at the notebook's nine decimals;
- a simple fraction or power equal to the answer ("1/4", "¼", "(1/4)⁶", "0.25**6", "4096"), and the
  words for it ("a quarter", "four times");
- the answer's formula in sympy's spelling (str and LaTeX, the whole and each entry);
- code or a formula that evaluates to the answer: every fragment of the text that reads as a
  Python expression, or as math once its symbols (−, ·, ⊙, ᵀ, ², σ′, η, ½, implied products)
  are translated, is evaluated with the notebook's own names bound to their values (x, w0, a2,
  delta2, W2, P, T, fw, np, nets, ...) and compared with the answer.

It is a test helper: the evaluation runs only on the course's own texts (hints, registered
mistakes' messages, the checker's feedback), never on a learner's input.
"""

from __future__ import annotations

import re
import warnings
from fractions import Fraction

import numpy as np
import sympy as sp

from helpers import datasets, exercises, lessons, nets, symbolic

_SUPERSCRIPT = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9"}
_VULGAR = {Fraction(1, 2): "½", Fraction(1, 4): "¼", Fraction(3, 4): "¾", Fraction(1, 3): "⅓", Fraction(2, 3): "⅔",
           Fraction(1, 8): "⅛"}
_WORDS = {Fraction(1, 4): ("quarter", "four times"), Fraction(1, 3): ("a third", "three times"),
          Fraction(1, 8): ("an eighth", "eight times")}


def _superscript(n):
    return "".join({v: k for k, v in _SUPERSCRIPT.items()}[d] for d in str(n))


# --- the notebooks' names, as a learner has them ---------------------------------------------------


def _namespace(notebook):
    """The names a learner has at hand in the notebook, bound to their reference values."""
    ns = {"np": np, "sp": sp, "nets": nets, "sigma": symbolic.sigmoid, "sig": nets.sigmoid,
          "dsig": nets.sigmoid_prime, "relu": nets.relu, "drelu": nets.relu_prime, "softmax": nets.softmax,
          "exp": np.exp, "log": np.log, "outer": np.outer, "diag": np.diag, "sum": np.sum, "mean": np.mean}
    if notebook == "1":
        L = lessons.one_weight()
        x, w, t, eta = L.a, L.w, L.y, L.rate
        c = L.chain
        ns.update(L=L, x=x, w=w, w0=w, t=t, eta=eta, a=x * w, E=(x * w - t) ** 2, c=c, x0=c.a0, w1=c.w1, w2=c.w2,
                  a1=c.a0 * c.w1, a2=c.a0 * c.w1 * c.w2, y=t)
        xs, ws, ts, es = sp.symbols("x w t eta", real=True)
        ns.update(x_s=xs, w_s=ws, t_s=ts, eta_s=es, E_s=(xs * ws - ts) ** 2)
    elif notebook == "2":
        x1, x2 = sp.symbols("x_1 x_2", real=True)
        xv = sp.Matrix([x1, x2])
        A = symbolic.matrix_symbols("a", 2, 2)
        def each(f):
            return lambda m: m.applyfunc(f) if isinstance(m, sp.MatrixBase) else f(m)

        ns.update(x1=x1, x2=x2, x_1=x1, x_2=x2, A=A, b=symbolic.vector_symbols("b", 2), g=symbolic.vector_symbols("g", 2),
                  g_sym=symbolic.vector_symbols("g", 2), t=symbolic.vector_symbols("t", 2), z=A * xv,
                  x_num=lessons.two_layer().x, sigma=each(symbolic.sigmoid), sig=each(symbolic.sigmoid),
                  dsig=each(lambda v: symbolic.sigmoid(v) * (1 - symbolic.sigmoid(v))),
                  diag=lambda m: sp.diag(*m) if isinstance(m, sp.MatrixBase) else sp.diag(m), exp=each(sp.exp))
        ns["x"] = xv
    elif notebook == "3":
        L = lessons.two_layer()
        fw = nets.forward(L.Ws, L.bs, L.x, L.activations, convention="column")
        g = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss, convention="column")
        ns.update(L=L, x=L.x, t=L.target, target=L.target, W1=L.W1, W2=L.W2, b1=L.b1, b2=L.b2, eta=L.rate,
                  z1=fw.z[0], z2=fw.z[1], a1=fw.a[1], a2=fw.a[2], net_H=fw.z[0], out_H=fw.a[1], net_O=fw.z[1],
                  out_O=fw.a[2], delta1=g.delta[0], delta2=g.delta[1], delta_H=g.delta[0], delta_O=g.delta[1],
                  dW1=g.dW[0], dW2=g.dW[1], dE_dW1=g.dW[0], dE_dW2=g.dW[1], db1=g.db[0])
    elif notebook == "4":
        L = lessons.three_layer()
        fw = nets.forward(L.Ws, L.bs, L.x, L.activations)
        g = nets.backward(L.Ws, L.bs, L.x, L.target, L.activations, L.loss)
        p = fw.out
        ns.update(L=L, x=L.x, t=L.target, eta=L.rate, rate=L.rate, W1=L.W1, W2=L.W2, W3=L.W3, b1=L.b1, b2=L.b2,
                  b3=L.b3, z1=fw.z[0], z2=fw.z[1], z3=fw.z[2], a1=fw.a[1], a2=fw.a[2], p=p, h2_out=fw.a[2],
                  J=nets.softmax_jacobian(fw.z[2]), dE_dp=-L.target / p, delta1=g.delta[0], delta2=g.delta[1],
                  delta3=g.delta[2], dW1=g.dW[0], dW2=g.dW[1], dW3=g.dW[2], dE_da2=g.delta[2] @ L.W3.T,
                  dE_dh2_out=g.delta[2] @ L.W3.T)
    elif notebook == "5":
        L = lessons.three_layer()
        X, T = datasets.seed_batch()
        fw = nets.forward(L.Ws, L.bs, X, L.activations)
        D = datasets.load_iris()
        X_train, X_test, _, _ = datasets.split(D.X, D.y)
        ns.update(L=L, X=X, T=T, fw=fw, P=fw.out, A1=fw.a[1], A2=fw.a[2], Z1=fw.z[0], Z2=fw.z[1], N=len(X),
                  Delta3=fw.out - T, W1=L.W1, W2=L.W2, W3=L.W3, X_train=X_train, X_test=X_test)
    return ns


def _chain():
    c = lessons.one_weight().chain
    return {"x": c.a0, "t": c.y, "w1": c.w1, "w2": c.w2, "a1": c.a0 * c.w1, "a2": c.a0 * c.w1 * c.w2}


# exercises whose letters mean other quantities than the notebook's (1.8's x is the chain's input)
OVERRIDES = {"1.8": _chain}
_NAMESPACES: dict = {}


def namespace(exercise_id):
    """The names a learner has at hand for an exercise (its notebook's, with the exercise's own)."""
    key = exercise_id if exercise_id in OVERRIDES else exercise_id.split(".")[0]
    if key not in _NAMESPACES:
        ns = dict(_namespace(exercise_id.split(".")[0]))
        if exercise_id in OVERRIDES:
            ns.update(OVERRIDES[exercise_id]())
        _NAMESPACES[key] = ns
    return _NAMESPACES[key]


# --- the forms of an answer ---------------------------------------------------------------------------


def _is_symbolic(value):
    return isinstance(value, (sp.Basic, sp.MatrixBase)) and bool(getattr(value, "free_symbols", None))


_FORMS: dict = {}


def _forms_of(exercise_id):
    """(number forms, formula forms) of an exercise's answer, computed once."""
    if exercise_id not in _FORMS:
        expected = exercises.get(exercise_id).expected()
        numbers = set() if _is_symbolic(expected) else number_forms(expected)
        _FORMS[exercise_id] = (sorted(numbers, key=len, reverse=True), formula_forms(expected))
    return _FORMS[exercise_id]


def number_forms(value):
    """The ways the answer's numbers could be written: digits, fractions, powers, words."""
    try:
        array = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return set()
    forms = set()
    for v in array:
        if v == 0 or not np.isfinite(v):
            continue
        for digits in range(3, 10):
            text = f"{abs(v):.{digits}g}"
            if "e" not in text and len(text.replace("0", "").replace(".", "")) >= 3:
                forms.add(text)
        for decimals in range(4, 10):
            text = f"{abs(v):.{decimals}f}"
            if len(text.replace("0", "").replace(".", "")) >= 3:
                forms.add(text)
        if array.size == 1:
            forms |= _fraction_forms(abs(v))
    return forms


def _fraction_forms(v):
    """A single answer that is a simple fraction, or a power of one, in every spelling."""
    forms = set()
    frac = Fraction(v).limit_denominator(100000)
    if abs(float(frac) - v) > 1e-12 * v or frac.denominator == 1 and frac.numerator < 10:
        return forms
    if frac.denominator > 1:
        forms |= {f"{frac.numerator}/{frac.denominator}", f"{frac.denominator}"} if frac.denominator >= 16 else \
            {f"{frac.numerator}/{frac.denominator}"}
        if frac in _VULGAR:
            forms.add(_VULGAR[frac])
        forms |= set(_WORDS.get(frac, ()))
    for n in range(2, 11):  # v = r**n for a simple r
        r = Fraction(v ** (1 / n)).limit_denominator(12)
        if r.denominator > 1 and abs(float(r) ** n - v) <= 1e-12 * v:
            base = [f"({r.numerator}/{r.denominator})", f"{float(r):g}"] + ([_VULGAR[r]] if r in _VULGAR else [])
            for b in base:
                forms |= {f"{b}**{n}", f"{b}^{n}", f"{b}{_superscript(n)}", f"{b} ** {n}"}
    return forms


def formula_forms(value):
    """The answer's formula in sympy's spellings (the whole, and each non-trivial entry)."""
    if not _is_symbolic(value):
        return set()
    forms = {str(value), sp.latex(value)}
    entries = list(value) if isinstance(value, sp.MatrixBase) else [value]
    for entry in entries:
        if entry.is_Symbol or entry.is_Number or len(str(entry)) < 6:
            continue
        forms |= {str(entry), sp.latex(entry)}
    return forms


# --- code and formulas in a text ---------------------------------------------------------------------

_TRANSLATE = [("−", "-"), ("·", "*"), ("×", "*"), ("⊙", "*"), ("ᵀ", ".T"), ("½", "(1/2)"), ("¼", "(1/4)"),
              ("σ′", " dsig"), ("σ'", " dsig"), ("σ", " sig"), ("η", " eta "), ("δ", "delta"), ("⁽¹⁾", "1"),
              ("⁽²⁾", "2"), ("⁽³⁾", "3"), ("’", "'"), ("Δ", "Delta"), ("√", "np.sqrt")]
_FRAGMENT = re.compile(r"[A-Za-z0-9_\.\(\)\[\]\*\+\-/@ ,=<>]+")


def _translate(text):
    for a, b in _TRANSLATE:
        text = text.replace(a, b)
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda m: "**" + "".join(_SUPERSCRIPT[ch] for ch in m.group()), text)
    return text


def _same(result, expected):
    try:
        if _is_symbolic(expected):
            if isinstance(result, (np.ndarray, list)):
                return False
            result = sp.sympify(result)
            if getattr(result, "shape", ()) != getattr(expected, "shape", ()):
                return False
            difference = sp.Matrix(result - expected) if isinstance(expected, sp.MatrixBase) else sp.Matrix([result - expected])
            symbols = sorted(difference.free_symbols, key=lambda s: s.name)
            for k in range(3):
                point = {s: sp.Rational(37 + 13 * k + 7 * i, 29) for i, s in enumerate(symbols)}
                if any(abs(complex(sp.N(d.xreplace(point), 15))) > 1e-9 for d in difference):
                    return False
            return True
        r, e = np.asarray(result, dtype=float), np.asarray(expected, dtype=float)
        return r.shape == e.shape and bool(np.all(np.abs(r - e) <= 1e-9 + 1e-7 * np.abs(e))) and np.any(e != 0)
    except Exception:  # noqa: BLE001 - anything that does not evaluate is not a leak
        return False


def _evaluate(expression, ns):
    try:
        with np.errstate(all="ignore"):
            return eval(compile(expression, "<text>", "eval"), {"__builtins__": {}}, ns)  # noqa: S307 - our own texts
    except Exception:  # noqa: BLE001
        return None


_START = re.compile(r"[A-Za-z_\d(\-]")
_END = re.compile(r"[A-Za-z_\d)\]]")
_OPERATOR = re.compile(r"[\*@/\+\-]|\.T\b|\w\(|\)\s*\(|\d\s*[A-Za-z(]|[\w)]\s+[A-Za-z(]")


def _spans(fragment, names, most=25):
    """Sub-expressions of a fragment: spans of at most `most` tokens, from a token that can start an
    expression to one that can end it, holding an operation (a bare name is never a leak). A word
    that is none of the notebook's names ("use", "then") separates expressions."""
    tokens = [m for m in re.finditer(r"[A-Za-z_][A-Za-z0-9_\.]*|\d+(?:\.\d+)?|\S", fragment)]
    runs, run = [], []
    for tok in tokens:
        word = tok.group()
        if word[0].isalpha() and word.split(".")[0] not in names and word != "T":
            if run:
                runs.append(run)
            run = []
        else:
            run.append(tok)
    if run:
        runs.append(run)
    for run in runs:
        for i, first in enumerate(run):
            if not _START.match(first.group()):
                continue
            for j in range(i, min(len(run), i + most)):
                if not _END.match(run[j].group()[-1]):
                    continue
                span = fragment[first.start():run[j].end()]
                if _balanced(span) and _OPERATOR.search(span):
                    yield span


def _balanced(span):
    depth = 0
    for ch in span:
        depth += (ch in "([") - (ch in ")]")
        if depth < 0:
            return False
    return depth == 0


_RESULTS: dict = {}


def _value_of(candidate, notebook, ns):
    key = (notebook, candidate)
    if key not in _RESULTS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _RESULTS[key] = _evaluate(candidate, ns)
    return _RESULTS[key]


def code_leak(exercise_id, text):
    """A fragment of the text, read as code or as translated math, that evaluates to the answer."""
    expected = exercises.get(exercise_id).expected()
    notebook = exercise_id.split(".")[0]
    ns = namespace(exercise_id)
    names = set(ns)
    for source in {text, _translate(text)}:
        for fragment in _FRAGMENT.findall(source):
            if not re.search(r"[A-Za-z]", fragment):
                continue
            for span in _spans(fragment.strip(), names):
                if not names & set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", span)):
                    continue
                for candidate in _readings(span):
                    result = _value_of(candidate, exercise_id if exercise_id in OVERRIDES else notebook, ns)
                    if result is not None and _same(result, expected):
                        return span
    return None


def _readings(span):
    """The span as Python, and with implied products written out (as * and as @)."""
    yield span
    if re.search(r"\d\s*[A-Za-z(]|[A-Za-z0-9_)\]]\s+[A-Za-z(]|\)\s*\(|\)[A-Za-z]", span):
        for op in ("*", "@"):
            out = re.sub(r"(\d)\s*([A-Za-z(])", r"\1*\2", span)
            out = re.sub(r"\)\s*([A-Za-z(])", rf")\n\1", out).replace("\n", op)
            out = re.sub(r"([A-Za-z0-9_\]])\s+([A-Za-z(])", rf"\1{op}\2", out)
            yield out


def _function_leak(exercise, text):
    """Code in the text that computes one of a function exercise's outputs from its arguments."""
    spec = exercise.spec
    cases = spec.inputs(exercise.id)
    square = [i for i, case in enumerate(spec.cases) if not case.get("square") and case["N"] > 1]
    args = cases[square[0] if square else 0]
    reference = exercise.expected()(*args)
    outputs = [np.asarray(o, dtype=float) for o in _leaves_of(reference)]
    ns = dict(_namespace("6"))
    ns.update(dict(zip(spec.args, args)), N=len(args[0]) if hasattr(args[0], "__len__") else 1)
    names = set(ns)
    for source in {text, _translate(text)}:
        for fragment in _FRAGMENT.findall(source):
            for span in _spans(fragment.strip(), names):
                for candidate in _readings(span):
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        result = _evaluate(candidate, ns)
                    if result is None:
                        continue
                    try:
                        r = np.asarray(result, dtype=float)
                    except (TypeError, ValueError):
                        continue
                    if any(r.shape == o.shape and r.size > 1 and np.allclose(r, o, rtol=1e-9, atol=1e-12) for o in outputs):
                        return f"the code or formula {span!r}"
    return None


def _leaves_of(value):
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in _leaves_of(v)]
    return [value]


def leak(exercise_id, text):
    """What in `text` gives exercise `exercise_id`'s answer away, or None."""
    exercise = exercises.get(exercise_id)
    if exercise is None or not text:
        return None
    if exercise.kind == "function":
        return _function_leak(exercise, text)
    if exercise.kind != "value":
        return None
    expected = exercise.expected()
    numbers, formulas = _forms_of(exercise_id)
    for form in numbers:
        if re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text) if form[0].isdigit() else form in text:
            return f"the number {form!r}"
    for form in formulas:
        if form in text:
            return f"the formula {form!r}"
    if _is_symbolic(expected):  # the answer is one of the notebook's names: "the answer is A itself"
        for name, value in namespace(exercise_id).items():
            if isinstance(value, sp.MatrixBase) and value.shape == getattr(expected, "shape", None) and value == expected:
                if re.search(rf"(?:\bis|=|equals)\s+{re.escape(name)}\s*(?:$|[.,;:)]|itself|alone)", text):
                    return f"the answer named: {name!r}"
    found = code_leak(exercise_id, text)
    if found:
        return f"the code or formula {found!r}"
    return None
