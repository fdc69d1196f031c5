"""Right answers score full marks in the grader on a busy machine (issue 20).

`make test-classroom` runs it (not `make test`: it keeps both CPUs busy for minutes). Eight
processes spin on the machine's two CPUs while the grader's own checking process (the one nbgrader
uses: ``helpers.classroom.checker``, each answer decoded and judged in a child with memory and
CPU-time limits) judges, as documents a test cell would emit,

- every exercise's reference answer (numbers, expressions, matrices, and 06's functions run on
  the grader's inputs), and
- every symbolic answer rewritten the ways a learner may write it: expanded, factored,
  simplified, over a common denominator, cancelled, written with exp, with powers split.

Every one must be judged correct: the grader's budget is CPU time, so a loaded machine makes a
check slower, never "too complex". No wall-clock assertion; the time taken is printed.
"""

import json
import os
import subprocess
import sys
import time

import pytest
import sympy as sp

from helpers import exercises
from helpers.classroom.checker import Checker
from helpers.classroom.codec import encode, encode_runs

BUSY = 8
REWRITES = {
    "expanded": sp.expand,
    "factored": sp.factor,
    "simplified": sp.simplify,
    "together": sp.together,
    "cancelled": sp.cancel,
    "with exp": lambda e: e.rewrite(sp.exp),
    "powers split": lambda e: sp.expand(e, power_exp=True, mul=True, multinomial=True),
    "powsimp": sp.powsimp,
}
SEED = "5eed" * 8


def _documents():
    """(label, exercise id, document, seed) for every reference and rewritten form, made before the load."""
    out = []
    for exercise_id in exercises.ids():
        exercise = exercises.get(exercise_id)
        reference = exercises.expected(exercise_id)
        if exercise.kind == "function":
            out.append((f"{exercise_id} reference", exercise_id, encode_runs(exercise_id, reference, SEED), SEED))
            continue
        out.append((f"{exercise_id} reference", exercise_id, encode(exercise_id, reference), None))
        if exercise.symbolic:
            for name, rewrite in REWRITES.items():
                form = reference.applyfunc(rewrite) if isinstance(reference, sp.MatrixBase) else rewrite(reference)
                out.append((f"{exercise_id} {name}", exercise_id, encode(exercise_id, form), None))
    return [(label, i, json.loads(json.dumps(d)), seed) for label, i, d, seed in out]


@pytest.fixture(scope="module")
def busy_machine():
    spinners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(BUSY)]
    try:
        yield spinners
    finally:
        for p in spinners:
            p.kill()
        for p in spinners:
            p.wait()


def test_every_right_answer_scores_under_load(busy_machine):
    documents = _documents()
    checker = Checker()
    try:
        started, cpu = time.monotonic(), os.times()
        checker.start()
        wrong = []
        for label, exercise_id, document, seed in documents:
            correct, sentence, _ = checker.check(exercise_id, document, seed)
            if not correct:
                wrong.append(f"{label}: {sentence}")
        elapsed = time.monotonic() - started
    finally:
        checker.stop()
    used = os.times()
    children = (used.children_user - cpu.children_user) + (used.children_system - cpu.children_system)
    print(f"\n{len(documents)} right answers judged with {BUSY} busy processes on {os.cpu_count()} CPUs: "
          f"{elapsed:.1f} s wall, {children:.1f} s CPU in the checker (load average {os.getloadavg()[0]:.1f})")
    assert all(p.poll() is None for p in busy_machine), "the busy processes stopped early"
    assert not wrong, "right answers the grader did not accept under load:\n" + "\n".join(wrong)
