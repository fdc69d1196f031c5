"""Understanding what the learner passed: plain values, or a sentence saying why it cannot be checked.

The answer object is never trusted: it is read by exact type, through the base classes' own
methods (``list.__getitem__``, ``float.__float__``, a base-ndarray copy), never through methods
the object itself may override; a sympy answer is accepted only if every node of its tree is an
instance of one of sympy's own classes. What comes out is a base float ndarray or a genuine sympy
expression or Matrix, and only that is compared. Reading is bounded: at most MAX_ITEMS numbers,
MAX_DEPTH levels of nesting, MAX_NODES nodes in an expression.
"""

from __future__ import annotations

import decimal
import fractions
import inspect
import math
import sys
from dataclasses import dataclass

import numpy as np
import sympy as sp

from helpers.checking import budget

MAX_ITEMS = 10_000
MAX_DEPTH = 8
MAX_NODES = 3_000
MAX_INT_DIGITS = 400


class BadInput(Exception):
    """An answer that cannot be compared; its message is the sentence the learner sees."""


class Unanswered(Exception):
    """The answer is still the placeholder (``...`` or None), in whole or in part."""


class TooComplex(Exception):
    """An expression too large or too slow to check; the message is the sentence to show."""


@dataclass
class Answer:
    """An answer read into plain values.

    Attributes:
        kind: "numeric" (value is a base float64 ndarray, 0-d for a number) or "symbolic" (a
            genuine sympy Expr, or a sympy Matrix of them).
        value: the plain value.
        low_precision: the learner's numbers were float32 or float16 (about 7 or 3 digits).
    """

    kind: str
    value: object
    low_precision: bool = False

    def __iter__(self):  # (kind, value), as the previous interface returned
        return iter((self.kind, self.value))


def _type_name(value):
    try:
        return type.__getattribute__(type(value), "__name__")
    except Exception:
        return "object"


# --- sympy: only sympy's own classes -----------------------------------------------------------


def _sympy_classes():
    """Every class defined in a module of sympy that is a sympy Basic or a matrix."""
    found = set()
    for name, module in list(sys.modules.items()):
        if not (name == "sympy" or name.startswith("sympy.")) or module is None:
            continue
        try:
            members = list(vars(module).values())
        except Exception:
            continue
        for member in members:
            if inspect.isclass(member) and (member.__module__ or "").startswith("sympy") and (
                    issubclass(member, (sp.Basic, sp.MatrixBase))):
                found.add(member)
    # singletons and number classes whose instances' types are not exported by name
    for value in (sp.S.Zero, sp.S.One, sp.S.NegativeOne, sp.S.Half, sp.pi, sp.E, sp.I, sp.oo, -sp.oo,
                  sp.zoo, sp.nan, sp.EulerGamma, sp.Catalan, sp.GoldenRatio, sp.true, sp.false,
                  sp.S.EmptySet, sp.S.Reals, sp.S.Integers, sp.S.Naturals, sp.S.Complexes, sp.Integer(7),
                  sp.Rational(1, 3), sp.Float(1.5)):
        found.add(type(value))
    return found


_SYMPY = frozenset(_sympy_classes())


def _allowed():
    return _SYMPY


_UNEVALUATED = (sp.Derivative, sp.Integral, sp.Sum, sp.Product, sp.Limit, sp.Subs)


def genuine_sympy(expr):
    """Check that an expression is made of sympy's own classes only, and of bounded size.

    Returns:
        True if it holds unevaluated operations (Derivative, Integral, …) to be evaluated.
    Raises:
        BadInput, TooComplex.
    """
    allowed = _allowed()
    stack, count, unevaluated = [expr], 0, False
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind not in allowed:
            if isinstance(node, sp.core.function.AppliedUndef):
                raise BadInput(f"it uses an undefined function {_type_name(node)}(…): write the expression "
                               "itself with the exercise's symbols.")
            raise BadInput(f"it contains a {_type_name(node)}, which is not one of sympy's own objects: build the "
                           "answer from sympy's symbols, numbers and functions.")
        count += 1
        if count > MAX_NODES:
            raise TooComplex("this expression is too large to check: simplify it first.")
        if kind is sp.Integer and abs(node.p).bit_length() > MAX_INT_DIGITS * 3.33:
            raise TooComplex("it contains an integer with hundreds of digits: simplify it first.")
        if kind is sp.Rational and max(abs(node.p), node.q).bit_length() > MAX_INT_DIGITS * 3.33:
            raise TooComplex("it contains a fraction with hundreds of digits: simplify it first.")
        if kind is sp.Pow and node.exp.is_Number and node.base.free_symbols and abs(node.exp) > 64:
            raise TooComplex(f"it raises an expression to the power {node.exp}: simplify it first.")
        if isinstance(node, (*_UNEVALUATED, sp.MatrixExpr)):
            unevaluated = True
        try:
            stack.extend(list(node) if isinstance(node, sp.MatrixBase) else node.args)
        except Exception:
            raise BadInput("an expression in it could not be read.") from None
        budget.tick()
    return unevaluated


def _evaluate_unevaluated(expr):
    """Derivative, Integral, Sum, Identity, …: evaluated (doit), the same way on every exercise."""
    try:
        done = expr.doit()
    except budget.OutOfTime:
        raise
    except Exception:
        raise BadInput("it holds an operation (a derivative, an integral, a sum…) that could not be "
                       "evaluated: evaluate it yourself (for instance with .doit()).") from None
    if isinstance(done, sp.MatrixExpr):
        if done.free_symbols and any(isinstance(s, sp.MatrixSymbol) for s in done.free_symbols):
            raise BadInput("it holds a symbolic matrix (a MatrixSymbol): give its entries, as a sympy Matrix.")
        try:
            done = done.as_explicit()
        except Exception:
            raise BadInput("that matrix expression has no explicit size: give a sympy Matrix with its entries.") from None
    genuine_sympy(done)
    if (done.atoms(*_UNEVALUATED) if isinstance(done, sp.Basic) else
            set().union(*(e.atoms(*_UNEVALUATED) for e in done))):
        raise BadInput("it holds an operation (a derivative, an integral, a sum…) that sympy cannot evaluate: "
                       "evaluate it by hand and give the result.")
    return done


# --- numbers ----------------------------------------------------------------------------------


def _plain_number(value):
    """A Python int, float or complex from a number of a known type, read through its base class.

    Returns:
        (number, low_precision) or None if `value` is not a number of a known type.
    """
    if isinstance(value, (bool, np.bool_)):
        raise BadInput(f"{'True' if value else 'False'} is a truth value (True/False), not a number: give the value itself.")
    if isinstance(value, np.generic):
        if type(value).__module__ != "numpy":
            if isinstance(value, float):
                return float.__float__(value), False
            raise BadInput(f"a {_type_name(value)} cannot be checked: give a plain number.")
        if isinstance(value, np.floating):
            return float(np.float64(value)), value.dtype.itemsize < 8
        if isinstance(value, np.integer):
            return int(value), False
        if isinstance(value, np.complexfloating):
            return complex(np.complex128(value)), value.dtype.itemsize < 16
        raise BadInput(f"a numpy {value.dtype} value is not a number.")
    if isinstance(value, int):
        number = int.__index__(value)
        if number.bit_length() > 1100:
            raise BadInput("that integer is far too large to be an answer here.")
        return number, False
    if isinstance(value, float):
        return float.__float__(value), False
    if isinstance(value, complex):
        return complex(complex.real.__get__(value), complex.imag.__get__(value)), False
    if type(value) is decimal.Decimal:
        if not decimal.Decimal.is_finite(value):
            raise BadInput("that Decimal is not a finite number (NaN or infinity).")
        try:
            return float(decimal.Decimal.__str__(value)), False
        except (ValueError, OverflowError):
            raise BadInput("that Decimal is too large to be an answer here.") from None
    if type(value) is fractions.Fraction:
        return _fraction_float(value.numerator, value.denominator), False
    if isinstance(value, (decimal.Decimal, fractions.Fraction)):
        raise BadInput(f"a {_type_name(value)} (a subclass of a number type) cannot be checked: give a plain number.")
    return None


def _fraction_float(p, q):
    try:
        return p / q
    except OverflowError:
        raise BadInput("that fraction is too large to be an answer here.") from None


def _finite(array):
    if array.size == 0:
        raise BadInput("that is empty: the answer has at least one number in it.")
    if np.isnan(array).any():
        raise BadInput(
            "it contains NaN (not a number), which usually comes from 0/0, inf − inf or the "
            "log of a negative number: look for that step in your computation."
        )
    if np.isinf(array).any():
        raise BadInput(
            "it contains an infinity, which usually comes from dividing by zero, log(0) or an "
            "exp that overflowed: look for that step in your computation."
        )
    return array


def _real(number):
    if isinstance(number, complex):
        if number.imag != 0:
            raise BadInput(f"{number} is a complex number: the answer is real.")
        return number.real
    return number


# --- sequences --------------------------------------------------------------------------------


class _Reader:
    """Reads nested lists, tuples, arrays and sympy containers into a tree of plain leaves."""

    def __init__(self):
        self.items = 0
        self.low_precision = False
        self.symbolic = False

    def leaf(self, value):
        self.items += 1
        if self.items > MAX_ITEMS:
            raise BadInput(f"it has more than {MAX_ITEMS:,} numbers: no answer in this course is that large.")
        if value is None or value is Ellipsis:
            raise Unanswered
        if isinstance(value, (str, bytes)):
            raise BadInput(f"it contains text ({_short(value)}): write the numbers without quotes.")
        if isinstance(value, sp.Basic):
            if isinstance(value, sp.MatrixBase):
                raise BadInput("it mixes matrices with numbers: give one array or one sympy Matrix.")
            genuine_sympy(value)
            if not isinstance(value, sp.Expr):
                raise BadInput(f"it contains a {_type_name(value)}, which is not a number or an expression.")
            if value.free_symbols or value.atoms(*_UNEVALUATED):
                self.symbolic = True
            return value
        got = _plain_number(value)
        if got is None:
            raise BadInput(f"it contains a {_type_name(value)}: give only numbers.")
        number, low = got
        self.low_precision |= low
        return number

    def read(self, value, depth=0):
        """A nested list of leaves."""
        budget.tick()
        if depth > MAX_DEPTH:
            raise BadInput(f"it is nested more than {MAX_DEPTH} levels deep: no answer here has that many dimensions.")
        if isinstance(value, np.ndarray):
            return self.array(value, depth)
        if isinstance(value, list):
            n = list.__len__(value)
            self._count(n)
            return [self.read(list.__getitem__(value, i), depth + 1) for i in range(n)]
        if isinstance(value, tuple):
            n = tuple.__len__(value)
            self._count(n)
            return [self.read(tuple.__getitem__(value, i), depth + 1) for i in range(n)]
        if isinstance(value, sp.MatrixBase):
            return self.read(_sympy_matrix_rows(value), depth)
        if isinstance(value, sp.NDimArray):
            return self.read(_sympy_array_list(value), depth)
        if isinstance(value, (dict, set, frozenset)) or callable(value):
            raise BadInput(f"it contains a {_type_name(value)}: give only numbers.")
        return self.leaf(value)

    def _count(self, n):
        if n > MAX_ITEMS:
            raise BadInput(f"it has more than {MAX_ITEMS:,} entries: no answer in this course is that large.")

    def array(self, value, depth):
        base = _base_array(value)
        if base.dtype == object:
            self._count(base.size)
            flat = [self.leaf_or_read(v, depth + 1) for v in base.ravel().tolist()]
            return np.array(flat, dtype=object).reshape(base.shape).tolist() if base.ndim else flat[0]
        self.items += base.size
        if self.items > MAX_ITEMS:
            raise BadInput(f"it has more than {MAX_ITEMS:,} numbers: no answer in this course is that large.")
        kind = base.dtype.kind
        if kind == "b":
            raise BadInput("that is an array of True/False values, not of numbers.")
        if kind == "c":
            if np.any(base.imag != 0):
                raise BadInput("that array has complex entries: the answer is real.")
            self.low_precision |= base.dtype.itemsize < 16
            base = base.real
        elif kind == "f":
            self.low_precision |= base.dtype.itemsize < 8
        elif kind not in "iu":
            raise BadInput(f"that array holds {base.dtype} values, not numbers.")
        return _ArrayLeaf(base.astype(np.float64))

    def leaf_or_read(self, value, depth):
        if isinstance(value, (list, tuple, np.ndarray, sp.MatrixBase, sp.NDimArray)):
            return self.read(value, depth)
        return self.leaf(value)


class _ArrayLeaf:
    """A numeric ndarray inside a nested structure, kept whole."""

    def __init__(self, array):
        self.array = array


def _base_array(value):
    """A base-class ndarray copy of any ndarray (a subclass's overridden methods are never called)."""
    if isinstance(value, np.ma.MaskedArray):
        raise BadInput("that is a masked array: give a plain array (for instance np.ma.filled(x)).")
    try:
        base = np.array(value, subok=False, copy=True)
    except Exception:
        raise BadInput("that array could not be read.") from None
    if type(base) is not np.ndarray:
        raise BadInput("that array could not be read.")
    if base.dtype.kind in "V" or base.dtype.fields:
        raise BadInput("that is a structured array: give a plain array of numbers.")
    return base


def _sympy_matrix_rows(matrix):
    if isinstance(matrix, sp.MatrixExpr):
        return _evaluate_unevaluated(matrix).tolist()
    if type(matrix) not in _allowed():
        raise BadInput(f"a {_type_name(matrix)} (a subclass of a sympy Matrix) cannot be checked: give a plain sp.Matrix.")
    return matrix.tolist()


def _sympy_array_list(array):
    if type(array) not in _allowed():
        raise BadInput(f"a {_type_name(array)} cannot be checked: give a plain sp.Array or sp.Matrix.")
    return array.tolist()


def _short(value):
    try:
        text = str.__repr__(value) if isinstance(value, str) else bytes.__repr__(value)
    except Exception:
        text = "…"
    return text if len(text) <= 40 else text[:37] + "..."


def _flatten(tree):
    if isinstance(tree, list):
        for item in tree:
            yield from _flatten(item)
    elif isinstance(tree, _ArrayLeaf):
        yield from tree.array.ravel().tolist()
    else:
        yield tree


def _unwrap(tree):
    if isinstance(tree, list):
        return [_unwrap(item) for item in tree]
    if isinstance(tree, _ArrayLeaf):
        return tree.array.tolist()
    return tree


def _numeric_array(tree):
    if isinstance(tree, _ArrayLeaf):
        return tree.array
    plain = _unwrap(tree)
    try:
        with np.errstate(all="ignore"):
            array = np.array(plain, dtype=complex if _has_complex(plain) else float)
    except (ValueError, TypeError, OverflowError):
        raise BadInput(
            "its rows have different lengths: every row needs the same number of entries."
        ) from None
    if array.dtype == complex:
        if np.any(array.imag != 0):
            raise BadInput("it has complex entries: the answer is real.")
        array = array.real
    return array.astype(np.float64)


def _has_complex(tree):
    if isinstance(tree, list):
        return any(_has_complex(item) for item in tree)
    return isinstance(tree, complex)


def _symbolic_matrix(tree):
    plain = _unwrap(tree)
    try:
        grid = np.empty(0)
        grid = np.array(plain, dtype=object)
    except ValueError:
        pass
    items = list(_flatten(tree))
    if grid.size != len(items) or any(isinstance(v, list) for v in grid.ravel()):
        raise BadInput("its rows have different lengths: give a list of equally long rows, or a sympy Matrix.")
    if grid.ndim > 2:
        raise BadInput(f"it has {grid.ndim} dimensions (a list of matrices?), and expressions are compared as "
                       "one matrix: stack the blocks with sp.Matrix.vstack(...), or substitute numbers and "
                       "give a numpy array.")
    entries = [sp.sympify(v) if not isinstance(v, sp.Basic) else v for v in grid.ravel().tolist()]
    rows, cols = (grid.shape + (1, 1))[:2] if grid.ndim == 2 else (len(entries), 1)
    return sp.Matrix(rows, cols, entries)


# --- the entry point --------------------------------------------------------------------------


def read(value):
    """Read an answer into an Answer of plain values.

    Raises:
        Unanswered: for ``...`` and None (also inside a list).
        BadInput: with the sentence to show, for anything that is not a number or expression.
        TooComplex: for expressions too large to check.
    """
    if value is None or value is Ellipsis:
        raise Unanswered
    if isinstance(value, (str, bytes)):
        raise BadInput(f"that is text ({_short(value)}), not a number: write the value without quotes.")
    if isinstance(value, dict):
        raise BadInput("that is a dict: give a number, a list of numbers or an array.")
    if isinstance(value, (set, frozenset)):
        raise BadInput("that is a set, which has no order: give a list or an array.")
    if isinstance(value, (sp.MatrixBase, sp.MatrixExpr)):
        return _from_sympy_matrix(value)
    if isinstance(value, sp.NDimArray):
        return from_tree(value)
    if isinstance(value, sp.Basic):
        return _from_sympy(value)
    got = _plain_number(value)
    if got is not None:
        number, low = got
        try:
            array = np.asarray(float(_real(number)) if not isinstance(number, complex) else _real(number), dtype=float)
        except OverflowError:
            raise BadInput("that number is far too large to be an answer here.") from None
        return Answer("numeric", _finite(array), low)
    if isinstance(value, (list, tuple, np.ndarray)):
        return from_tree(value)
    if inspect.isclass(value) or inspect.ismodule(value):
        raise BadInput(f"that is a {'class' if inspect.isclass(value) else 'module'}, not a value.")
    if callable(value):
        raise BadInput("that is a function, not its result: call it and pass what it returns.")
    converted = _known_array_library(value)
    if converted is not None:
        return from_tree(converted)
    if inspect.isgenerator(value) or inspect.isgeneratorfunction(value):
        raise BadInput("that is a generator: give a list (for instance list(...)) or an array.")
    raise BadInput(
        f"a {_type_name(value)} cannot be checked: give a number, a list of numbers, a numpy array or a "
        "sympy expression."
    )


def _known_array_library(value):
    """A torch tensor or a pandas object of the library's own exact type, as a numpy array."""
    module = type(value).__module__ or ""
    kind = type(value)
    torch = sys.modules.get("torch")
    if torch is not None and kind is torch.Tensor:
        return value.detach().cpu().numpy()
    pandas = sys.modules.get("pandas")
    if pandas is not None and kind in (pandas.Series, pandas.DataFrame) and module.startswith("pandas"):
        return np.array(value.to_numpy(), subok=False)
    return None


def from_tree(value):
    reader = _Reader()
    tree = reader.read(value)
    if reader.symbolic and not isinstance(tree, list):
        return _from_sympy(tree)
    if reader.symbolic:
        matrix = _symbolic_matrix(tree)
        unevaluated = genuine_sympy(matrix)
        if unevaluated:
            matrix = _evaluate_unevaluated(matrix)
        return _symbolic_or_number(matrix, reader.low_precision)
    if not isinstance(tree, (list, _ArrayLeaf)):  # a 0-d array holding one number
        return read(tree)
    return Answer("numeric", _finite(_numeric_array(tree)), reader.low_precision)


def _from_sympy(expr):
    unevaluated = genuine_sympy(expr)
    if unevaluated:
        expr = _evaluate_unevaluated(expr)
        if isinstance(expr, sp.MatrixBase):
            return _symbolic_or_number(expr, False)
    if not isinstance(expr, sp.Expr):
        kind = "an equation" if isinstance(expr, sp.core.relational.Relational) else f"a {_type_name(expr)}"
        raise BadInput(f"that is {kind}, not an expression: give only the expression (the right-hand side).")
    return _symbolic_or_number(expr, False)


def _from_sympy_matrix(matrix):
    if isinstance(matrix, sp.MatrixExpr):
        matrix = _evaluate_unevaluated(matrix)
    elif type(matrix) not in _allowed():
        raise BadInput(f"a {_type_name(matrix)} (a subclass of a sympy Matrix) cannot be checked: give a plain sp.Matrix.")
    matrix = sp.Matrix(matrix)
    if matrix.shape[0] * matrix.shape[1] > MAX_ITEMS:
        raise BadInput("that matrix is far larger than any answer in this course.")
    if matrix.shape[0] * matrix.shape[1] == 0:
        raise BadInput("that matrix is empty: the answer has at least one entry.")
    if genuine_sympy(matrix):
        matrix = _evaluate_unevaluated(matrix)
    return _symbolic_or_number(matrix, False)


def _symbolic_or_number(x, low_precision):
    """A sympy Expr or Matrix: "symbolic" if it has free symbols, else its numeric value."""
    if x.free_symbols:
        if isinstance(x, sp.MatrixBase):
            for entry in x:
                if not isinstance(entry, sp.Expr):
                    raise BadInput(f"an entry of that matrix is a {_type_name(entry)}, not an expression.")
        return Answer("symbolic", x if not isinstance(x, sp.MatrixBase) else sp.Matrix(x), low_precision)
    entries = list(x) if isinstance(x, sp.MatrixBase) else [x]
    values = []
    for entry in entries:
        if not isinstance(entry, sp.Expr):
            raise BadInput(f"{_type_name(entry)} is not a number.")
        values.append(_sympy_number(entry))
    array = np.array(values, dtype=float)
    if isinstance(x, sp.MatrixBase):
        array = array.reshape(x.shape)
    else:
        array = array.reshape(())
    return Answer("numeric", _finite(array), low_precision)


def _sympy_number(expr):
    try:
        value = sp.N(expr, 20)
        number = complex(value)
    except (TypeError, ValueError, OverflowError, ArithmeticError):
        raise BadInput(f"{_short_expr(expr)} has no finite numerical value: check for a division by zero.") from None
    if not (math.isfinite(number.real) and math.isfinite(number.imag)):
        raise BadInput(f"{_short_expr(expr)} is not a finite number: check for a division by zero or an overflow.")
    if abs(number.imag) > 1e-12 * max(1.0, abs(number.real)):
        raise BadInput(f"{_short_expr(expr)} is a complex number: the answer is real.")
    return number.real


def _short_expr(expr):
    try:
        text = sp.sstr(expr)
    except Exception:
        text = "that expression"
    return text if len(text) <= 40 else text[:37] + "..."


def normalise(value):
    """(kind, value) of an answer: ("numeric", float ndarray) or ("symbolic", sympy Expr or Matrix).

    Raises:
        Unanswered, BadInput, TooComplex (see ``read``).
    """
    answer = read(value)
    return answer.kind, answer.value
