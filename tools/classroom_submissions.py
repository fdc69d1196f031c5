"""Synthetic submissions to the class's nbgrader assignments: honest, wrong and tampered.

Used by tests/e2e/classroom_grading.py (what each kind must score) and bench/grading.py (how
fast nbgrader grades a class). Every submission starts from the release nbgrader generated (what
a learner fetches) and changes only what a learner can change: the answer cells, stored outputs,
other files beside the notebook; a tamper also tries whatever a learner's code can do in the
kernel before the test cells run.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from helpers.classroom import MIME, exercise_of
from helpers.classroom.codec import encode

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*) = \.\.\.$", re.M)

# Code a learner might put in an answer cell to fake the grade; each runs before any test cell.
TAMPERS = {
    # `check`, helpers.check and helpers.checking.check (and demo, which the test cell shows) say yes
    "always_yes_check": '''\
import helpers, helpers.checking
from helpers.checking.feedback import Feedback
def check(exercise_id, answer):
    return Feedback(str(exercise_id), "correct", "correct.", "correct")
helpers.check = helpers.checking.check = helpers.checking.demo = check
''',
    # the comparison itself is monkeypatched to call everything correct
    "patched_comparison": '''\
import helpers.checking, helpers.checking.numeric, helpers.checking.symbolic
helpers.checking.compare_numeric = helpers.checking.numeric.compare_numeric = lambda *a, **k: ("correct", "correct", "correct.")
helpers.checking.compare_symbolic = helpers.checking.symbolic.compare_symbolic = lambda *a, **k: ("correct", "correct", "correct.")
''',
    # errors are silenced: no traceback, no stderr, so a failing test cell would show nothing
    "silenced_errors": '''\
import sys, io
get_ipython().showtraceback = lambda *a, **k: None
get_ipython().showsyntaxerror = lambda *a, **k: None
sys.stderr = io.StringIO()
''',
    # the test cell's emitter is replaced by one that hands the grader the reference answer
    "forged_emitter": '''\
import helpers.classroom, helpers.exercises
from IPython.display import display as _display
from helpers.classroom.codec import MIME as _MIME, encode as _encode
def _forged(exercise_id, answer):
    try:
        answer = helpers.exercises.expected(exercise_id)
    except Exception:
        pass
    _display({"text/plain": "correct.", _MIME: _encode(exercise_id, answer)}, raw=True)
helpers.classroom.graded = _forged
''',
}


def answers(source_nb):
    """{exercise id: (name, reference lines)} from the source notebook's answer cells."""
    found = {}
    for cell in source_nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            exercise_id = exercise_of(grade_id.replace("_answer", "_test"))
            lines = cell.source.splitlines()
            body = lines[lines.index(BEGIN) + 1:lines.index(END)]
            name = ASSIGNMENT.search(cell.source)["name"]
            found[exercise_id] = (name, body)
    return found


def submission(release_nb, source_nb, right=(), wrong=(), tamper=None, forge_outputs=False, edit_tests=False):
    """A learner's notebook: `right` answered with the reference, `wrong` with a wrong number,
    the rest left at `...`; optionally with a tamper prelude in the first answer cell, stored
    outputs forged to look fully correct, or the locked test cells edited."""
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))  # a deep copy
    reference = answers(source_nb)
    first = True
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        grade_id = grading.get("grade_id", "")
        if grade_id.endswith("_answer"):
            exercise_id = exercise_of(grade_id.replace("_answer", "_test"))
            name, body = reference[exercise_id]
            if exercise_id in right:
                cell.source = cell.source.replace(f"{name} = ...", "\n".join(body), 1)
            elif exercise_id in wrong:
                cell.source = cell.source.replace(f"{name} = ...", f"{name} = 0.123456", 1)
            if tamper and first:
                cell.source = TAMPERS[tamper] + cell.source
            first = False
        elif grading.get("grade") and edit_tests:
            cell.source = 'print("✔ correct.")'
        if forge_outputs and cell.cell_type == "code" and exercise_of(grade_id):
            exercise_id = exercise_of(grade_id)
            from helpers import exercises

            cell.execution_count = 1
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                "text/plain": f"✔ Exercise {exercise_id}: correct.",
                MIME: encode(exercise_id, exercises.expected(exercise_id))})]
    return nb


def forged_progress(exercise_ids):
    """A progress file that claims every exercise correct."""
    return json.dumps({"version": 2, "exercises": {i: {"status": "correct", "hints": 0} for i in exercise_ids}})


def write(course, assignment, student, nb, extra_files=None):
    """Put a submission where `nbgrader collect` would: submitted/<student>/<assignment>/."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    for name, text in (extra_files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
