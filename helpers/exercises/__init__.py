"""The exercise registry: exercise id → expected value, tolerance, known mistakes with hints.

An exercise is data (as in Kaggle's learntools), not a function per exercise. Each notebook's
exercises live in their own module, ``nbNN.py`` beside this file, which calls ``register``;
every such module is imported here, so adding a notebook's exercises touches no shared file.
Expected values are computed from the lesson data through the reference code, never typed in.
"""

from __future__ import annotations

import copy
import importlib
import os
import pkgutil
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy as sp

_REGISTRY: dict[str, "Exercise"] = {}


@dataclass(frozen=True)
class Mistake:
    """A mistake learners make on one exercise: its name, a hint, and the value it produces."""

    name: str
    hint: str
    value: Callable[[], Any]


@dataclass
class Exercise:
    """One exercise.

    Attributes:
        id: "<notebook>.<exercise>", e.g. "3.4".
        title: what is asked, with the expected form ("∂E/∂W2, a 2×2 matrix").
        compute: returns the expected value (a float, an ndarray, a sympy Expr or Matrix).
        mistakes: known mistakes, checked before the generic diagnoses.
        rtol, atol: the tolerance of a correct numeric answer.
        hint: shown when an answer is wrong and no diagnosis fits.
        hints: the hints in levels, for ``hint(id)`` and ``hint(id, 2)``: first where to start,
            then the method or the shape reasoning with one step left to the learner; never the
            answer, its formula, or code that computes it.
        upstream: ids of the exercises whose answers this one is computed from (3.2 uses 3.1's z1).
        from_upstream: given the upstream values (in the order of ``upstream``), the value this
            exercise's method gives for them; lets ``check`` say "right for the z1 you gave in
            3.1, which is not yet right: fix 3.1 first".
        factors: constant factors that are real mistakes of this exercise, beyond the 2 and ½
            of a squared error: (factor, what it means) pairs, e.g. (N, "the 1/N of the mean
            is missing").
        work: how the answer is computed (a ``helpers.checking.slips.Work``, or a function returning
            one, built on first use): the named quantities around it and the roles of its
            factors, from which the checker names the slips learners make (a factor missing, σ
            for σ′, the other layer's δ, `*` for `@`, the mean for the sum, ...) by kind.
        base: for an update (w − η·g), the value before the step: "rounded too early" is judged
            on the step, so that a wrong gradient is not mistaken for rounding.
        kind: "value" (a number, array or expression) or "function" (notebook 06: the learner
            writes a function; ``compute`` returns the reference function).
        spec: what a function exercise needs besides the reference (read by checking.functions).
    """

    id: str
    title: str
    compute: Callable[[], Any]
    mistakes: tuple = ()
    rtol: float = 1e-6
    atol: float = 1e-9
    hint: str = ""
    hints: tuple = ()
    upstream: tuple = ()
    from_upstream: Callable[..., Any] | None = None
    factors: tuple = ()
    work: Any = None
    base: Callable[[], Any] | None = None
    kind: str = "value"
    spec: Any = None
    _cache: list = field(default_factory=list, repr=False)

    def expected(self):
        """The checker's own copy of the reference value (never hand it out: see ``expected()``)."""
        if not self._cache:
            self._cache.append(self.compute())
        return self._cache[0]

    @property
    def symbolic(self):
        if self.kind != "value":
            return False
        value = self.expected()
        return isinstance(value, (sp.Basic, sp.MatrixBase)) and bool(value.free_symbols)


def register(*exercises):
    """Add exercises to the registry; an id may be registered once only."""
    for exercise in exercises:
        if exercise.id in _REGISTRY:
            raise ValueError(f"exercise {exercise.id} is registered twice")
        _REGISTRY[exercise.id] = exercise


def _key(exercise_id):
    return tuple(int(part) if part.isdigit() else part for part in exercise_id.split("."))


def ids():
    """All exercise ids, in course order."""
    return sorted(_REGISTRY, key=_key)


def get(exercise_id):
    """The Exercise with this id, or None."""
    return _REGISTRY.get(exercise_id)


def expected(exercise_id):
    """The reference answer of an exercise (for tests and instructors): a copy, so that changing
    it cannot change what the checker accepts. For a function exercise, the reference function.

    Raises:
        KeyError: for an unknown id.
        PermissionError: in a kernel that ``nbgrader autograde`` runs (BACKPROP_GRADING=1), so that
            a tampered test cell cannot simply hand the reference to the grader.
    """
    if os.environ.get("BACKPROP_GRADING") == "1":
        raise PermissionError("reference answers are not available while the notebook is being graded")
    value = _REGISTRY[exercise_id].expected()
    return value if callable(value) and not isinstance(value, (sp.Basic, sp.MatrixBase)) else copy.deepcopy(value)


for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name.startswith("nb")):
    importlib.import_module(f"{__name__}.{_module}")
