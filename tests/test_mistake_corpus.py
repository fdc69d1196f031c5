"""The mistake corpus: mistakes learners really make, each computed the way a learner computes it
from the notebook's own inputs, with the diagnosis ``check`` must give (contract C4).

Every ``tests/corpus/nb*.py`` defines ``CASES``: tuples ``(exercise, what the learner did, answer
thunk, expected diagnosis)`` or ``(…, expected diagnosis, earlier)`` with ``earlier`` a dict of
answers given to ``check`` first (for "right for your own wrong 3.1: fix 3.1 first"). The expected
diagnosis is the exact ``Feedback.diagnosis`` key, or a prefix ending in ":" ("mistake:").

This file checks, for every case: never "correct"; the expected diagnosis; no feedback text that
gives the answer away (tests/leakcheck.py). And, per notebook: at least five mistakes for every
exercise of the notebook, and at least 90 % of them given a specific diagnosis (status wrong, key
not the generic "wrong"). ``tools/corpus.py`` (make corpus, make fuzz) prints the same figures:
``mistakes: N, specific: P %``.

``make test`` runs the first case of every exercise; ``make corpus`` (BACKPROP_CORPUS=all) runs
them all and prints the figures.
"""

from __future__ import annotations

import collections
import functools
import importlib.util
import os
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import leakcheck  # noqa: E402

from helpers import check, exercises  # noqa: E402
from helpers.checking import budget  # noqa: E402

CORPUS = HERE / "corpus"
TARGET = 0.90   # the share of specific diagnoses, per notebook and overall


def load_cases(directory=CORPUS):
    """[(module name, case)] for every case of every tests/corpus/nb*.py (or of another directory
    in the same format, such as tests/heldout), in file order."""
    out = []
    for path in sorted(Path(directory).glob("nb*.py")):
        spec = importlib.util.spec_from_file_location(f"{Path(directory).name}_{path.stem}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        out.extend((path.stem, case) for case in module.CASES)
    return out


def _forget():
    from helpers import checking

    getattr(checking, "_LAST", {}).clear()


def run(case):
    """The Feedback for one case (its earlier answers given first), with the checker's memory of
    earlier answers cleared before, so that no case explains another."""
    exercise_id, what, thunk, expected = case[:4]
    earlier = case[4] if len(case) > 4 else {}
    _forget()
    try:
        for other, answer in earlier.items():
            check(other, answer)
        return check(exercise_id, thunk())
    finally:
        _forget()


def matches(diagnosis, expected):
    if expected == "*":   # a held-out case (tests/heldout): any specific diagnosis
        return diagnosis != "wrong"
    return diagnosis.startswith(expected) if expected.endswith(":") else diagnosis == expected


def specific(feedback):
    return feedback.status == "wrong" and feedback.diagnosis != "wrong"


def report(results):
    """'mistakes: N, specific: P %' and the same per notebook."""
    lines = []
    by_notebook = collections.defaultdict(list)
    for notebook, case, feedback in results:
        by_notebook[notebook].append(specific(feedback))
    total = [s for v in by_notebook.values() for s in v]
    share = 100 * sum(total) / max(1, len(total))
    for notebook, flags in sorted(by_notebook.items()):
        lines.append(f"  {notebook}: mistakes: {len(flags)}, specific: {100 * sum(flags) / len(flags):.1f} %")
    lines.append(f"mistakes: {len(total)}, specific: {share:.1f} %")
    return "\n".join(lines)


CASES = load_cases()
QUICK = os.environ.get("BACKPROP_CORPUS") != "all"


def _selected_cases():
    """Every case (make corpus, BACKPROP_CORPUS=all), or in make test's quick run the first case of
    every exercise (a few seconds: the whole corpus searches two-slip variants of every exercise)."""
    if not QUICK:
        return CASES
    seen, out = set(), []
    for notebook, case in CASES:
        if case[0] not in seen:
            seen.add(case[0])
            out.append((notebook, case))
    return out


SELECTED = _selected_cases()
_RESULTS: dict = {}


def result(case):
    """The Feedback of a case, computed once per session."""
    key = id(case)
    if key not in _RESULTS:
        _RESULTS[key] = run(case)
    return _RESULTS[key]


def roomy_budget():
    """A generous time budget for the checks of the corpus: it measures what the diagnoses say, not
    how fast they come (on a busy machine the search for slips is cut short, and resumed by the
    next check). Returns a function that restores the budget."""
    if hasattr(budget, "allow"):  # a CPU budget that any check inside the block gets
        block = budget.allow(10.0)
        block.__enter__()
        return lambda: block.__exit__(None, None, None)
    original = budget.run
    budget.run = functools.partial(original, seconds=10.0)

    def restore():
        budget.run = original
    return restore


@pytest.fixture(scope="module", autouse=True)
def _room_to_diagnose():
    restore = roomy_budget()
    yield
    restore()


def test_the_corpus_is_there():
    assert CASES, "no case in tests/corpus/nb*.py"


@pytest.mark.parametrize("notebook, case", [pytest.param(n, c, id=f"{c[0]}-{c[1]}") for n, c in SELECTED])
def test_the_mistake_gets_its_diagnosis_and_gives_nothing_away(notebook, case):
    exercise_id, what, _, expected = case[:4]
    feedback = result(case)
    assert feedback.status != "correct", f"{exercise_id} ({what}): a mistake was judged correct"
    assert matches(feedback.diagnosis, expected), f"{exercise_id} ({what}): {feedback.diagnosis}: {feedback}"
    leaked = leakcheck.leak(exercise_id, feedback.message)
    assert not leaked, f"{exercise_id} ({what}): the feedback gives the answer away ({leaked}): {feedback}"


@pytest.mark.parametrize("notebook", sorted({n for n, _ in CASES}))
def test_every_exercise_of_the_notebook_has_five_mistakes(notebook):
    prefix = notebook[2:].lstrip("0") + "."
    counts = collections.Counter(case[0] for n, case in CASES if n == notebook)
    ids = [i for i in exercises.ids() if i.startswith(prefix)]
    thin = {i: counts.get(i, 0) for i in ids if counts.get(i, 0) < 5}
    assert not thin, f"exercises of {notebook} with fewer than five mistakes in the corpus: {thin}"


@pytest.mark.parametrize("notebook", sorted({n for n, _ in SELECTED if n in ("nb01", "nb02", "nb03", "nb04", "nb05")}))
def test_nine_in_ten_mistakes_get_a_specific_diagnosis(notebook):
    flags = [specific(result(case)) for n, case in SELECTED if n == notebook]
    assert sum(flags) >= TARGET * len(flags), f"{notebook}: {sum(flags)} of {len(flags)} specific"
