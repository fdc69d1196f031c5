"""The answer's plain value, written by the learner's kernel and read SAFELY by the grader.

The kernel side (``encode``) turns an answer into a small JSON document: numbers as nested lists,
sympy expressions and matrices as their ``srepr`` text, and for a function (notebook 06) what it
returned on inputs drawn from the grader's seed (``encode_runs``). The grader side (``decode``,
``decode_runs``; run in a child process with memory and CPU limits, see ``checker``) reads such a
document back WITHOUT ``eval``, ``exec``, ``sympify`` or pickle: JSON numbers become a float array,
and srepr text is parsed with ``ast`` into a tree that may hold only an allow-list of sympy classes,
names, numbers and strings, each built by calling the class directly and UNEVALUATED
(``evaluate=False``), after checking what it would cost to evaluate: how many arguments a sum, a
product, a Max or a Piecewise has, how deep the tree is, and how many bits a number would have
(a power's base bits times its exponent: a tower of powers is refused before anything computes
it). Anything else, anything too big or too deep, is refused with ``Refused``.
"""

from __future__ import annotations

import ast
import json
import math

import numpy as np
import sympy as sp

MIME = "application/vnd.backprop-course.answer+json"
VERSION = 1

MAX_TEXT = 200_000       # characters of srepr text
MAX_NODES = 20_000       # syntax nodes in it
MAX_DEPTH = 60           # nesting of calls and lists
MAX_ELEMENTS = 100_000   # numbers in a numeric answer
MAX_INT = 10**12         # the largest integer a symbolic answer may spell out
MAX_EXPONENT = 64        # |n| in a power of an expression with symbols (x**n), as checking.understanding
MAX_BITS = 4096          # bits of any number the answer describes (a base's bits times its exponent, …)
MAX_ARGS = {"Add": 256, "Mul": 256, "Max": 16, "Min": 16, "Piecewise": 16}  # the course's answers: at most 24
MAX_DOCUMENT = 2**20     # bytes of a document's JSON

# The sympy classes a course answer is made of, by the name srepr gives them.
CALLABLE = {"ExprCondPair": sp.functions.elementary.piecewise.ExprCondPair}
CALLABLE.update({name: getattr(sp, name) for name in (
    "Symbol", "Dummy", "Integer", "Rational", "Float", "Add", "Mul", "Pow",
    "exp", "log", "sqrt", "sin", "cos", "tan", "sinh", "cosh", "tanh", "asin", "acos", "atan",
    "Abs", "sign", "Max", "Min", "Heaviside", "Piecewise",
    "StrictGreaterThan", "StrictLessThan", "GreaterThan", "LessThan",
    "MutableDenseMatrix", "ImmutableDenseMatrix",
)})
CONSTANTS = {"E": sp.E, "pi": sp.pi, "I": sp.I, "true": sp.true, "false": sp.false,
             "nan": sp.nan, "oo": sp.oo, "zoo": sp.zoo}
SYMBOL_KEYWORDS = {"real", "positive", "negative", "nonnegative", "nonpositive", "integer", "finite", "commutative"}
MATRICES = {"MutableDenseMatrix", "ImmutableDenseMatrix"}


class Refused(ValueError):
    """A document that is not a plain answer value; the message says why."""


# --------------------------------------------------------------------------- kernel side


def encode(exercise_id, answer):
    """The document the test cell emits: {"v", "exercise", "kind", "value"}.

    kind is "numeric" (value: nested lists of floats), "symbolic" (value: srepr text),
    "unanswered" (the ``...`` is still there) or "invalid" (value: why it cannot be checked).
    """
    from helpers.checking import BadInput, Unanswered, normalise

    document = {"v": VERSION, "exercise": str(exercise_id)}
    try:
        kind, value = normalise(answer)
    except Unanswered:
        return {**document, "kind": "unanswered", "value": None}
    except BadInput as bad:
        return {**document, "kind": "invalid", "value": str(bad)[:500]}
    except Exception as exc:  # noqa: BLE001 - whatever the answer is, the cell still emits a document
        return {**document, "kind": "invalid", "value": f"cannot be read ({type(exc).__name__})"}
    if kind == "numeric":
        return {**document, "kind": "numeric", "value": np.asarray(value, dtype=float).tolist()}
    return {**document, "kind": "symbolic", "value": sp.srepr(value)}


def encode_runs(exercise_id, answer, seed):
    """The document of a function exercise's test cell: the learner's function called (here, in
    the learner's kernel: the grader never runs learner code) on every case's inputs, drawn from
    the grader's seed, within the check's CPU budget (``functions.run_cases``, as ``check`` calls
    it), and what each call gave as plain data. kind "function" (value: {"runs", "stop"}), or
    "unanswered" / "invalid" (value: why) when the function cannot be called at all."""
    from helpers import exercises
    from helpers.checking import functions

    document = {"v": VERSION, "exercise": str(exercise_id), "seed": str(seed)}
    exercise = exercises.get(str(exercise_id))
    try:
        early = functions.preliminary(exercise, answer)
        if early is None:
            cases = functions.grading_inputs(exercise, int(seed, 16))
            problem = functions._signature_problem(answer, exercise.spec, cases[0])
            early = ("invalid", "invalid", problem) if problem else None
    except Exception as exc:  # noqa: BLE001 - whatever the answer is, the cell still emits a document
        early = ("invalid", "invalid", f"cannot be read ({type(exc).__name__})")
    if early is not None:
        kind = "unanswered" if early[0] == "unanswered" else "invalid"
        return {**document, "kind": kind, "value": None if kind == "unanswered" else str(early[2])[:500]}
    runs, stop = functions.run_cases(answer, exercise.spec, cases)
    count = [0]
    value = {"runs": [_encode_run(run, count) for run in runs], "stop": _encode_stop(stop)}
    return {**document, "kind": "function", "value": value}


def _encode_run(run, count):
    return {"outcome": run.outcome, "mutated": [str(m) for m in run.mutated], "tree": _encode_tree(run.tree, 0, count),
            "exc_type": str(run.exc_type)[:60], "exc_text": None if run.exc_text is None else str(run.exc_text)[:300]}


def _encode_stop(stop):
    if stop is None:
        return None
    return {"reason": stop.reason, "index": stop.index, "cpu": stop.cpu, "wall": stop.wall,
            "detail": str(stop.detail)[:200], "limit": stop.limit, "idle": bool(stop.idle)}


def _encode_tree(tree, depth, count):
    """A plain tree of functions._Reader (tuples, lists, str, int, bytes) as JSON."""
    if tree is None:
        return None
    tag = tree[0]
    if tag in ("none", "ellipsis"):
        return {tag: True}
    if tag == "bad":
        return {"bad": str(tree[1])[:300]}
    if tag == "huge":
        return {"huge": int(tree[1]) if tree[1] is not None else None,
                "shape": list(tree[2]) if tree[2] is not None else None}
    if tag == "seq" and depth < 8:
        return {"seq": tree[1], "items": [_encode_tree(t, depth + 1, count) for t in tree[2]]}
    if tag == "num":
        _, shape, data, dtype, origin = tree
        flat = np.frombuffer(data, dtype=np.float64)
        count[0] += flat.size
        if count[0] > MAX_ELEMENTS:
            return {"huge": int(flat.size), "shape": list(shape)}
        return {"num": [x if math.isfinite(x) else str(x) for x in flat.tolist()], "shape": list(shape),
                "dtype": str(dtype)[:20], "origin": str(origin)[:20]}
    return {"bad": "an object that could not be read"}


# --------------------------------------------------------------------------- grader side


def decode(document, exercise_id):
    """The answer in a document, as ("numeric", float ndarray), ("symbolic", sympy object) or
    ("unanswered", None).

    Args:
        document: what the test cell emitted (parsed JSON, or JSON text).
        exercise_id: the exercise the GRADER expects here (from the course, not from the document).

    Raises:
        Refused: for anything but a well-formed answer document for that exercise.
    """
    if isinstance(document, (str, bytes)):
        if len(document) > 4 * MAX_TEXT:
            raise Refused("the answer document is too large")
        try:
            document = json.loads(document)
        except (ValueError, RecursionError):
            raise Refused("the answer document is not JSON") from None
    if not isinstance(document, dict) or document.get("v") != VERSION:
        raise Refused("not an answer document of this course")
    if document.get("exercise") != exercise_id:
        raise Refused(f"the document answers exercise {str(document.get('exercise'))[:20]!r}, not {exercise_id}")
    kind, value = document.get("kind"), document.get("value")
    if kind == "unanswered":
        return "unanswered", None
    if kind == "invalid":
        raise Refused(f"the answer could not be checked: {str(value)[:200]}")
    if kind == "numeric":
        return "numeric", _numeric(value)
    if kind == "symbolic":
        if not isinstance(value, str):
            raise Refused("a symbolic answer must be srepr text")
        return "symbolic", parse_srepr(value)
    raise Refused(f"unknown kind of answer {str(kind)[:20]!r}")


def decode_runs(document, exercise, seed):
    """The runs a function exercise's test cell recorded, rebuilt for ``functions.judge_runs``
    with the inputs drawn again here from the grader's own seed: ("function", (runs, stop,
    inputs)), or ("unanswered", None).

    Raises:
        Refused: for anything but a well-formed document for this exercise and this seed.
    """
    from helpers.checking import functions

    if not isinstance(document, dict) or document.get("v") != VERSION:
        raise Refused("not an answer document of this course")
    if document.get("exercise") != exercise.id:
        raise Refused(f"the document answers exercise {str(document.get('exercise'))[:20]!r}, not {exercise.id}")
    kind, value = document.get("kind"), document.get("value")
    if kind == "unanswered":
        return "unanswered", None
    if kind == "invalid":
        raise Refused(f"the answer could not be checked: {str(value)[:200]}")
    if kind != "function":
        raise Refused(f"exercise {exercise.id} asks for a function, and the document holds a {str(kind)[:20]}")
    if not isinstance(seed, str) or document.get("seed") != seed:
        raise Refused("the test cell did not call the function on the grader's inputs")
    cases = functions.grading_inputs(exercise, int(seed, 16))
    items = value.get("runs") if isinstance(value, dict) else None
    if not isinstance(items, list) or len(items) != len(cases):
        raise Refused("the document does not hold one call per case")
    count = [0]
    runs = []
    for args, case, item in zip(cases, exercise.spec.cases, items):
        if not isinstance(item, dict):
            raise Refused("a call in the document is not a record")
        outcome = item.get("outcome")
        if outcome not in ("ok", "raised", "stopped", "missing"):
            raise Refused("a call in the document has no outcome")
        mutated = item.get("mutated", [])
        if not isinstance(mutated, list) or not all(isinstance(m, str) and m in exercise.spec.args for m in mutated):
            raise Refused("the document names arguments the function does not have")
        exc_type, exc_text = item.get("exc_type", ""), item.get("exc_text")
        if not isinstance(exc_type, str) or not (exc_text is None or isinstance(exc_text, str)):
            raise Refused("a raised call in the document is malformed")
        tree = _decode_tree(item.get("tree"), 0, count) if outcome == "ok" else None
        runs.append(functions._Run(args, case, outcome, tree, tuple(mutated), exc_type[:60],
                                   None if exc_text is None else exc_text[:300]))
    return "function", (runs, _decode_stop(value.get("stop"), len(cases)), cases)


def _decode_stop(stop, cases):
    from helpers.checking import functions

    if stop is None:
        return None
    try:
        reason, index = stop["reason"], stop["index"]
        numbers = [float(stop[k]) for k in ("cpu", "wall", "limit")]
        if reason not in ("cpu", "wall", "crashed", "huge") or type(index) is not int or not 0 <= index <= cases \
                or not all(math.isfinite(x) and x >= 0 for x in numbers):
            raise ValueError
        return functions._Stop(reason, index, numbers[0], numbers[1], str(stop.get("detail", ""))[:200],
                               numbers[2], bool(stop.get("idle")))
    except (KeyError, TypeError, ValueError):
        raise Refused("the document's record of a stopped call is malformed") from None


def _decode_tree(value, depth, count):
    """A tree of functions._Reader from its JSON: only what the reader itself makes."""
    if not isinstance(value, dict) or depth > 8:
        raise Refused("a result in the document is not a plain value")
    if value == {"none": True}:
        return ("none",)
    if value == {"ellipsis": True}:
        return ("ellipsis",)
    if set(value) == {"bad"} and isinstance(value["bad"], str):
        return ("bad", value["bad"][:300])
    if set(value) == {"huge", "shape"}:
        size, shape = value["huge"], value["shape"]
        if not (size is None or type(size) is int) or not (shape is None or _shape_ok(shape)):
            raise Refused("a result in the document is malformed")
        return ("huge", size, None if shape is None else tuple(shape))
    if set(value) == {"seq", "items"}:
        items = value["items"]
        if value["seq"] not in ("list", "tuple") or not isinstance(items, list) or len(items) > 64:
            raise Refused("a result in the document is malformed or too long")
        count[0] += len(items)
        return ("seq", value["seq"], [_decode_tree(v, depth + 1, count) for v in items])
    if set(value) == {"num", "shape", "dtype", "origin"}:
        flat, shape = value["num"], value["shape"]
        if not isinstance(flat, list) or not _shape_ok(shape) or not isinstance(value["dtype"], str) \
                or value["origin"] not in ("array", "scalar"):
            raise Refused("an array in the document is malformed")
        count[0] += len(flat)
        if count[0] > MAX_ELEMENTS or math.prod(shape) != len(flat):
            raise Refused("an array in the document is malformed or too large")
        numbers = []
        for x in flat:
            if isinstance(x, (int, float)) and not isinstance(x, bool):
                numbers.append(float(x))
            elif x in ("nan", "inf", "-inf"):
                numbers.append(float(x))
            else:
                raise Refused("an array in the document holds something other than numbers")
        data = np.array(numbers, dtype=np.float64).tobytes()
        return ("num", tuple(shape), data, value["dtype"][:20], value["origin"])
    raise Refused("a result in the document is not a plain value")


def _shape_ok(shape):
    return isinstance(shape, list) and len(shape) <= 8 and all(type(n) is int and 0 <= n <= MAX_ELEMENTS for n in shape)


def _numeric(value):
    count = 0

    def walk(item, depth):
        nonlocal count
        if depth > 8:
            raise Refused("the numeric answer is nested too deeply")
        if isinstance(item, list):
            for sub in item:
                walk(sub, depth + 1)
        elif isinstance(item, (int, float)) and not isinstance(item, bool):
            count += 1
            if count > MAX_ELEMENTS:
                raise Refused("the numeric answer has too many numbers")
        else:
            raise Refused(f"the numeric answer holds a {type(item).__name__}, not only numbers")

    walk(value, 0)
    try:
        array = np.array(value, dtype=float)
    except (ValueError, OverflowError):
        raise Refused("the numeric answer's rows have different lengths") from None
    if array.size == 0 or not np.all(np.isfinite(array)):
        raise Refused("the numeric answer is empty or not finite")
    return array


def parse_srepr(text):
    """Build the sympy object an srepr text describes, from an allow-list only (never eval), unevaluated.

    Raises:
        Refused: for text that is too big, not srepr, uses a name outside the allow-list, or
            describes something too costly to evaluate.
    """
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        raise Refused("the symbolic answer is too long")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Refused("the symbolic answer is not srepr text") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise Refused("the symbolic answer is too large")
    try:
        result = _Builder().build(tree.body, 0)
    except Refused:
        raise
    except RecursionError:
        raise Refused("the symbolic answer is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - a sympy constructor refusing its arguments
        raise Refused(f"the symbolic answer could not be built ({type(exc).__name__})") from None
    if not isinstance(result, (sp.Basic, sp.MatrixBase)):
        raise Refused("the symbolic answer is not a sympy expression or matrix")
    return result


# How a function's value can grow with its argument's (in bits, for numbers without symbols).
_BOUNDED = {"sin", "cos", "tanh", "asin", "acos", "atan", "sign", "Heaviside"}
_LIKE_EXP = {"exp", "sinh", "cosh"}


class _Builder:
    """Builds the tree bottom-up, keeping for each number without symbols an upper bound of the
    bits it has (|log2 |value||): what evaluating it would cost, known before anything evaluates."""

    def __init__(self):
        self.bits = {}  # id(built object) -> bits, for numbers without symbols
        self.keep = []  # the built objects, alive while their ids are keys

    def build(self, node, depth):
        if depth > MAX_DEPTH:
            raise Refused("the symbolic answer is nested too deeply")
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, str)):
                raise Refused(f"unexpected constant {type(value).__name__}")
            if isinstance(value, int) and abs(value) > MAX_INT:
                raise Refused("an integer in the symbolic answer is too large")
            if isinstance(value, str) and len(value) > 100:
                raise Refused("a name in the symbolic answer is too long")
            return value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
            value = self.build(node.operand, depth + 1)
            if not isinstance(value, int):
                raise Refused("unexpected negated constant")
            return -value
        if isinstance(node, ast.Name):
            if node.id not in CONSTANTS:
                raise Refused(f"{node.id[:30]!r} is not allowed in an answer")
            return self.note(CONSTANTS[node.id], 2)
        if isinstance(node, (ast.List, ast.Tuple)):
            if len(node.elts) > 10_000:
                raise Refused("a list in the symbolic answer is too long")
            return [self.build(item, depth + 1) for item in node.elts]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLABLE:
            name = node.func.id
            if name in MAX_ARGS and len(node.args) > MAX_ARGS[name]:
                raise Refused(f"a {name} of {len(node.args)} terms: no answer of this course has more than {MAX_ARGS[name]}")
            args = [self.build(arg, depth + 1) for arg in node.args]
            kwargs = {}
            for keyword in node.keywords:
                if keyword.arg is None:
                    raise Refused("unexpected ** in the symbolic answer")
                kwargs[keyword.arg] = _keyword(name, keyword)
            return self.call(name, args, kwargs)
        raise Refused(f"unexpected {type(node).__name__} in the symbolic answer")

    def note(self, obj, bits):
        if bits is not None:
            if bits > MAX_BITS:
                raise Refused(f"a number in the symbolic answer would have about {int(bits * 0.30103):,} digits")
            self.bits[id(obj)] = bits
            self.keep.append(obj)
        return obj

    def bits_of(self, obj):
        """Bits of a number without symbols, or None (it has symbols, or is not a number)."""
        return self.bits.get(id(obj))

    def call(self, name, args, kwargs):
        if name in ("Symbol", "Dummy"):
            if len(args) != 1 or not isinstance(args[0], str):
                raise Refused("a Symbol takes its name only")
            return CALLABLE[name](args[0], **kwargs)
        if name == "Float":
            if len(args) != 1 or not isinstance(args[0], (str, int)):
                raise Refused("a Float takes one number")
            text = str(args[0])
            if len(text) > 60:
                raise Refused("a Float in the symbolic answer is too long")
            try:
                number = float(text)
            except ValueError:
                raise Refused("a Float in the symbolic answer is not a number") from None
            if not math.isfinite(number):
                raise Refused("a Float in the symbolic answer is not finite")
            return self.note(sp.Float(text, **kwargs), abs(math.frexp(number)[1]) + 1)
        if name in ("Integer", "Rational"):
            if not args or len(args) > 2 or not all(type(a) is int for a in args):
                raise Refused(f"{name} takes integers")
            if name == "Rational" and len(args) == 2 and args[1] == 0:
                raise Refused("a Rational with denominator 0")
            return self.note(CALLABLE[name](*args), max(1, *(abs(a).bit_length() for a in args)))
        if name in MATRICES:
            return _matrix(name, args)
        if name == "ExprCondPair":
            if len(args) != 2 or not all(isinstance(a, sp.Basic) for a in args):
                raise Refused("a Piecewise pair takes an expression and a condition")
            return CALLABLE[name](*args)
        for arg in args:
            if not isinstance(arg, sp.Basic):
                raise Refused(f"{name} takes expressions, not {type(arg).__name__}")
        if name == "Piecewise" and not all(isinstance(a, CALLABLE["ExprCondPair"]) for a in args):
            raise Refused("a Piecewise takes (expression, condition) pairs")
        bits = self.estimate(name, args)
        try:
            built = CALLABLE[name](*args, evaluate=False)
        except TypeError:
            raise Refused(f"{name} does not take these arguments") from None
        return self.note(built, bits)

    def estimate(self, name, args):
        """Bits of the number `name(*args)` would be (None if it has symbols); refuses what is too big."""
        bits = [self.bits_of(a) for a in args]
        numeric = args and all(b is not None for b in bits)
        if name == "Pow":
            if len(args) != 2:
                raise Refused("a power takes a base and an exponent")
            base, exponent = args
            size = _exponent_size(exponent, bits[1])
            if bits[0] is None:  # x**n: expanding it is what costs
                if size is not None and size > MAX_EXPONENT:
                    raise Refused(f"it raises an expression to a power larger than {MAX_EXPONENT}")
                return None
            if size is None:
                return None  # 2**x: a symbol in the exponent
            return max(1, bits[0]) * max(size, 1)
        if not numeric:
            return None
        if name in ("Add", "Max", "Min", "Abs"):
            return max(bits) + math.ceil(math.log2(len(args) + 1))
        if name == "Mul":
            return sum(bits)
        if name in _LIKE_EXP:
            size = 2.0 ** min(bits[0], 64)
            return 1.45 * size + 1
        if name == "log":
            return math.log2(bits[0] + 1) + 2
        if name in _BOUNDED:
            return 2 + 0 * bits[0]  # bounded, but evaluating needs the argument's bits (checked already)
        if name == "tan":
            return bits[0] + 64
        if name == "sqrt":
            return bits[0] / 2 + 1
        return max(bits)  # relations, Piecewise


def _exponent_size(exponent, bits):
    """An upper bound of |exponent| for a number without symbols, or None if it has symbols."""
    if bits is None:
        return None
    if isinstance(exponent, (sp.Integer, sp.Rational)):
        return abs(float(exponent))
    if isinstance(exponent, sp.Float):
        return abs(float(exponent))
    if bits > 60:
        raise Refused("a power in the symbolic answer is too large")
    return 2.0 ** bits


def _matrix(name, args):
    if len(args) != 1 or not isinstance(args[0], list) or not args[0]:
        raise Refused("a Matrix takes one list of rows")
    rows = args[0]
    if not all(isinstance(r, list) and r for r in rows) or len({len(r) for r in rows}) != 1:
        raise Refused("a Matrix needs rows of equal length")
    if len(rows) * len(rows[0]) > 10_000:
        raise Refused("the matrix is too large")
    for row in rows:
        for entry in row:
            if not isinstance(entry, sp.Expr):
                raise Refused("a Matrix holds expressions only")
    return sp.ImmutableMatrix(rows) if name == "ImmutableDenseMatrix" else sp.Matrix(rows)


def _keyword(name, keyword):
    value = keyword.value
    if name in ("Symbol", "Dummy") and keyword.arg in SYMBOL_KEYWORDS:
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return value.value
    if name == "Float" and keyword.arg in ("precision", "dps"):
        if isinstance(value, ast.Constant) and type(value.value) is int and 1 <= value.value <= 200:
            return value.value
    raise Refused(f"unexpected keyword {keyword.arg!s:.20} for {name}")
