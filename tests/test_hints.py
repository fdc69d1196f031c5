"""Hints before solutions: every exercise has two different hints, and no hint, nor any message a
known mistake shows, gives the answer's numbers away."""

import numpy as np
import pytest
import sympy as sp

from helpers import exercises


def _numbers(value):
    """The ways the answer's numbers could be written in a hint: 3 to 9 significant digits."""
    if callable(value) and not isinstance(value, (sp.Basic, sp.MatrixBase)):
        return set()
    if isinstance(value, (sp.Basic, sp.MatrixBase)) and getattr(value, "free_symbols", None):
        return set()
    try:
        array = np.asarray(value, dtype=float).ravel()
    except (TypeError, ValueError):
        return set()
    shown = set()
    for v in array:
        if v == 0 or not np.isfinite(v):
            continue
        for digits in range(3, 10):
            text = f"{abs(v):.{digits}g}"
            if "e" not in text and len(text.replace("0", "").replace(".", "")) >= 3:
                shown.add(text)
    return shown


VALUE_EXERCISES = [i for i in exercises.ids() if exercises.get(i).kind == "value"]


@pytest.mark.parametrize("exercise_id", exercises.ids())
def test_two_different_hints(exercise_id):
    hints = exercises.get(exercise_id).hints
    assert len(hints) == 2, f"{exercise_id} has {len(hints)} hints, not 2"
    first, second = (h.strip() for h in hints)
    assert first and second and first != second


@pytest.mark.parametrize("exercise_id", VALUE_EXERCISES)
def test_no_hint_and_no_mistake_message_shows_the_answer(exercise_id):
    exercise = exercises.get(exercise_id)
    numbers = _numbers(exercise.expected())
    texts = [*exercise.hints, exercise.hint, *(m.hint for m in exercise.mistakes)]
    for text in texts:
        leaked = sorted(n for n in numbers if n in text)
        assert not leaked, f"{exercise_id}: {text!r} shows the answer's {leaked}"
