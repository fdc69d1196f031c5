"""Hints before solutions: every exercise has two different hints, and no hint, nor anything a
registered mistake says (its name and its message), gives the answer away in any form a learner
would recognise: digits, a fraction or a power, the formula in sympy's spelling, or code or a
formula that evaluates to it (tests/leakcheck.py). The checker's own sentences are tested on the
mistake corpus (tests/test_mistake_corpus.py)."""

import sys
from pathlib import Path

import numpy as np
import pytest

from helpers import exercises

sys.path.insert(0, str(Path(__file__).resolve().parent))
import leakcheck  # noqa: E402


def _texts(exercise):
    return [*exercise.hints, exercise.hint, *(m.hint for m in exercise.mistakes),
            *(m.name for m in exercise.mistakes)]


@pytest.mark.parametrize("exercise_id", exercises.ids())
def test_two_different_hints(exercise_id):
    hints = exercises.get(exercise_id).hints
    assert len(hints) == 2, f"{exercise_id} has {len(hints)} hints, not 2"
    first, second = (h.strip() for h in hints)
    assert first and second and first != second


@pytest.mark.parametrize("exercise_id", exercises.ids())
def test_no_hint_and_no_mistake_text_gives_the_answer_away(exercise_id):
    exercise = exercises.get(exercise_id)
    for text in _texts(exercise):
        leaked = leakcheck.leak(exercise_id, text)
        assert not leaked, f"{exercise_id}: {text!r} gives the answer away: {leaked}"


@pytest.mark.parametrize("exercise_id, text, exercise_answer", [
    ("5.10", "the bound is (1/4)⁶", "a power"),
    ("5.9", "the sigmoid is four times flatter", "a fraction in words"),
    ("5.9", "its largest slope is ¼", "a vulgar fraction"),
    ("2.4", "so the answer is A itself", "the answer named"),
    ("2.8", "rows from g, columns from x: g xᵀ", "a formula in the course's notation"),
    ("2.10", "(σ(z) − t)ᵀ diag(σ′(z)) A", "a product of Jacobians"),
    ("1.6", "q = 1 − 2ηx²", "a formula with implied products"),
    ("1.8", "x · w⁽²⁾ · 2(a⁽²⁾ − t)", "the chain's own letters"),
    ("3.7", "use np.outer(delta2, a1)", "code"),
    ("4.3", "np.diag(p) - np.outer(p, p)", "code"),
    ("5.3", "A2ᵀ Δ3 / N", "a batch formula"),
    ("3.6", "0.138499", "digits"),
    ("6.3", "dZ = dA * (Z > 0)", "a function's code"),
    ("6.5", "dZ = (softmax(Z) − T) / N", "a function's formula"),
])
def test_the_leak_detector_finds_what_the_issue_lists(exercise_id, text, exercise_answer):
    """The leaks issue 18 found, and their kind: the detector must see each (else the tests above
    prove nothing)."""
    assert leakcheck.leak(exercise_id, text), f"{exercise_answer} not seen in {text!r}"


def test_the_leak_detector_lets_method_and_lesson_data_through():
    assert not leakcheck.leak("1.1", "The derivative of a square u² is 2u times the derivative of u.")
    assert not leakcheck.leak("3.7", "Which numpy function builds the table of all products u_j·v_k?")
    assert not leakcheck.leak("1.4", "Use your ∂E/∂w from 1.3 and η = 0.007.")


def test_the_leak_detector_sees_the_digits_of_an_answer():
    value = float(np.asarray(exercises.get("1.3").expected()))
    assert leakcheck.leak("1.3", f"it is about {value:.5g}")
