"""The answer's plain value, written by the learner's kernel and read SAFELY by the grader.

The kernel side (``encode``) turns an answer into a small JSON document: numbers as nested lists,
sympy expressions and matrices as their ``srepr`` text. The grader side (``decode``) reads such a
document back WITHOUT ``eval``, ``exec``, ``sympify`` or pickle: JSON numbers become a float array,
and srepr text is parsed with ``ast`` into a tree that may hold only an allow-list of sympy classes,
names, numbers and strings, each built by calling the class directly. Anything else, anything too
big or too deep, is refused with ``Refused``: a document made up by hand cannot make the grader run
code, hang or exhaust memory.
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
MAX_EXPONENT = 64        # |n| in a numeric power such as Integer(10)**Integer(n)

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
    """Build the sympy object an srepr text describes, from an allow-list only (never eval).

    Raises:
        Refused: for text that is too big, not srepr, or uses a name outside the allow-list.
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
        result = _build(tree.body, 0)
    except Refused:
        raise
    except RecursionError:
        raise Refused("the symbolic answer is nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - a sympy constructor refusing its arguments
        raise Refused(f"the symbolic answer could not be built ({type(exc).__name__})") from None
    if not isinstance(result, (sp.Basic, sp.MatrixBase)):
        raise Refused("the symbolic answer is not a sympy expression or matrix")
    return result


def _build(node, depth):
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
        value = _build(node.operand, depth + 1)
        if not isinstance(value, int):
            raise Refused("unexpected negated constant")
        return -value
    if isinstance(node, ast.Name):
        if node.id not in CONSTANTS:
            raise Refused(f"{node.id[:30]!r} is not allowed in an answer")
        return CONSTANTS[node.id]
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_build(item, depth + 1) for item in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CALLABLE:
        name = node.func.id
        args = [_build(arg, depth + 1) for arg in node.args]
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise Refused("unexpected ** in the symbolic answer")
            kwargs[keyword.arg] = _keyword(name, keyword)
        return _call(name, args, kwargs)
    raise Refused(f"unexpected {type(node).__name__} in the symbolic answer")


def _keyword(name, keyword):
    value = keyword.value
    if name in ("Symbol", "Dummy") and keyword.arg in SYMBOL_KEYWORDS:
        if isinstance(value, ast.Constant) and isinstance(value.value, bool):
            return value.value
    if name == "Float" and keyword.arg in ("precision", "dps"):
        if isinstance(value, ast.Constant) and type(value.value) is int and 1 <= value.value <= 200:
            return value.value
    raise Refused(f"unexpected keyword {keyword.arg!s:.20} for {name}")


def _call(name, args, kwargs):
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
        return sp.Float(text, **kwargs)
    if name in ("Integer", "Rational"):
        if not args or len(args) > 2 or not all(type(a) is int for a in args):
            raise Refused(f"{name} takes integers")
        return CALLABLE[name](*args)
    if name in MATRICES:
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
    for arg in args:
        if not isinstance(arg, sp.Basic):
            raise Refused(f"{name} takes expressions, not {type(arg).__name__}")
    if name == "Pow" and len(args) == 2 and args[0].is_number and args[1].is_number:
        exponent = args[1]
        if (exponent.is_Rational or exponent.is_Float) and abs(float(exponent)) > MAX_EXPONENT:
            raise Refused("a power in the symbolic answer is too large")
    if name == "exp" and args and args[0].is_number:
        try:
            size = abs(complex(args[0].evalf(15)))
        except (TypeError, ValueError):
            size = 0.0
        if size > 1000:
            raise Refused("an exponential in the symbolic answer is too large")
    return CALLABLE[name](*args)

