"""Understanding what the learner passed: a number, an array, an expression, or a sentence why not."""

from __future__ import annotations

import math
import numbers
import random
from fractions import Fraction

import numpy as np
import sympy as sp


class BadInput(Exception):
    """An answer that cannot be compared; its message is the sentence the learner sees."""


class Unanswered(Exception):
    """The answer is still the placeholder (``...`` or None), in whole or in part."""



def _describe(value):
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def normalise(value):
    """Turn an answer into ("numeric", float ndarray) or ("symbolic", sympy Expr or Matrix).

    Raises:
        Unanswered: for ``...`` and None (also inside a list).
        BadInput: with the sentence to show, for anything that is not a number or expression.
    """
    if value is None or value is Ellipsis:
        raise Unanswered
    if isinstance(value, (bool, np.bool_)):
        raise BadInput(f"{value} is a truth value, not a number: give the value itself.")
    if isinstance(value, (str, bytes)):
        raise BadInput(
            f"that is text ({_describe(value)}), not a number: write the value without quotes."
        )
    if isinstance(value, sp.MatrixBase):
        return _from_sympy_matrix(value)
    if isinstance(value, sp.NDimArray):  # sp.Array: read it as the nested list it is
        return _from_sequence(value.tolist())
    if isinstance(value, sp.Basic):
        return _from_sympy(value)
    if isinstance(value, numbers.Number):
        try:
            number = _real(value)
        except (TypeError, ValueError, ArithmeticError):
            raise BadInput(f"{_describe(value)} is not a number that can be compared.") from None
        return "numeric", _finite(np.asarray(number, dtype=float))
    if isinstance(value, dict):
        raise BadInput("that is a dict: give a number, a list of numbers or an array.")
    if isinstance(value, (set, frozenset)):
        raise BadInput("that is a set, which has no order: give a list or an array.")
    if callable(value) and not isinstance(value, np.ndarray):
        name = getattr(value, "__name__", type(value).__name__)
        raise BadInput(f"that is a function ({name}), not its result: call it and pass what it returns.")
    if isinstance(value, (list, tuple, np.ndarray)):
        return _from_sequence(value)
    try:  # anything array-like (a torch tensor, a pandas object, ...)
        array = np.asarray(value, dtype=float)
    except Exception:
        raise BadInput(
            f"a {type(value).__name__} cannot be checked: give a number, a list of numbers, "
            "a numpy array or a sympy expression."
        ) from None
    return "numeric", _finite(array)


def _real(number):
    if isinstance(number, complex) or np.iscomplexobj(number):
        if number.imag != 0:
            raise BadInput(f"{number} is a complex number: the answer is real.")
        number = number.real
    return float(number)


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


def _from_sympy(expr):
    if not isinstance(expr, sp.Expr):
        kind = "an equation" if isinstance(expr, sp.core.relational.Relational) else f"a {type(expr).__name__}"
        raise BadInput(f"that is {kind}, not an expression: give only the expression (the right-hand side).")
    if expr.free_symbols:
        return "symbolic", expr
    try:
        value = complex(expr.evalf())
    except (TypeError, ValueError):
        raise BadInput(f"{expr} has no numerical value: check for a division by zero.") from None
    if not (math.isfinite(value.real) and math.isfinite(value.imag)):
        raise BadInput(f"{expr} is not a finite number: check for a division by zero.")
    return "numeric", _finite(np.asarray(_real(value), dtype=float))


def _from_sympy_matrix(matrix):
    if matrix.free_symbols:
        return "symbolic", sp.Matrix(matrix)
    try:
        array = np.array(matrix.evalf(), dtype=complex)
    except (TypeError, ValueError):
        raise BadInput("that matrix has an entry without a numerical value.") from None
    if np.any(array.imag != 0):
        raise BadInput("that matrix has complex entries: the answer is real.")
    return "numeric", _finite(array.real.astype(float))


def _flatten(value):
    if isinstance(value, (list, tuple)):
        for item in value:
            yield from _flatten(item)
    elif isinstance(value, (sp.MatrixBase, sp.NDimArray)):
        yield from _flatten(value.tolist())
    elif isinstance(value, np.ndarray) and value.dtype == object:
        for item in value.ravel():
            yield from _flatten(item)
    else:
        yield value


def _as_nested_lists(value):
    """Sympy matrices and arrays inside a list become nested lists, so [M1, M2] is a 3-D array."""
    if isinstance(value, (sp.MatrixBase, sp.NDimArray)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_as_nested_lists(item) for item in value]
    return value


def _symbolic_matrix(value, items):
    """A list (or object array) of numbers and sympy expressions, as a sympy Matrix."""
    for item in items:
        if not isinstance(item, (numbers.Number, sp.Expr)) or isinstance(item, (bool, np.bool_)):
            raise BadInput(f"it mixes expressions with a {type(item).__name__}: give only numbers and expressions.")
    try:
        grid = np.empty(0)
        grid = np.array(value, dtype=object)
    except ValueError:
        pass
    if grid.size == len(items) and grid.ndim > 2:
        raise BadInput(f"it has {grid.ndim} dimensions (a list of matrices?), and expressions are compared as "
                       "one matrix: stack the blocks with sp.Matrix.vstack(...), or substitute numbers and "
                       "give a numpy array.")
    if grid.size != len(items) or any(isinstance(v, (list, tuple, np.ndarray)) for v in grid.ravel()):
        raise BadInput("its rows have different lengths: give a list of equally long rows, or a sympy Matrix.")
    return sp.Matrix(grid.tolist()) if grid.ndim == 2 else sp.Matrix(list(grid))


def _from_sequence(value):
    if isinstance(value, np.ndarray) and value.dtype != object:
        if value.dtype.kind == "b":
            raise BadInput("that is an array of True/False values, not of numbers.")
        if value.dtype.kind == "c":
            if np.any(value.imag != 0):
                raise BadInput("that array has complex entries: the answer is real.")
            value = value.real
        if value.dtype.kind not in "iuf":
            raise BadInput(f"that array holds {value.dtype} values, not numbers.")
        return "numeric", _finite(value.astype(float))
    value = _as_nested_lists(value)
    items = list(_flatten(value))
    if any(item is Ellipsis or item is None for item in items):
        raise Unanswered
    for item in items:
        if isinstance(item, (str, bytes)):
            raise BadInput(f"it contains text ({_describe(item)}): write the numbers without quotes.")
        if isinstance(item, (bool, np.bool_)):
            raise BadInput("it contains True/False values: give numbers.")
        if isinstance(item, (dict, set)) or callable(item):
            raise BadInput(f"it contains a {type(item).__name__}: give only numbers.")
    if any(isinstance(item, sp.Basic) and item.free_symbols for item in items):
        return "symbolic", _symbolic_matrix(value, items)
    try:
        array = np.array(value, dtype=complex)
    except (TypeError, ValueError):
        raise BadInput(
            "its rows have different lengths (or some entries are not numbers): every row needs "
            "the same number of entries."
        ) from None
    if np.any(array.imag != 0):
        raise BadInput("it has complex entries: the answer is real.")
    return "numeric", _finite(array.real.astype(float))


