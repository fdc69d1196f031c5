"""The class: the course as an nbgrader assignment, graded outside the learner's kernel.

``tools/make_classroom.py`` turns each exercise into an nbgrader answer cell followed by a locked
test cell worth points. The test cell calls ``graded(id, answer)``, which does two things in the
learner's kernel:

- shows the learner what ``check`` thinks of the answer (recording nothing: the answer cell's
  ``check`` already did);
- emits the answer's plain value as an output of MIME type ``codec.MIME``: numbers as JSON, sympy
  as srepr text (``codec.encode``), or, for a function (notebook 06), what the function returned
  on inputs drawn from a seed the grader gives the kernel at grading time (``codec.encode_runs``).

Nothing the kernel says is believed. When the teacher runs ``nbgrader autograde``, the course's
preprocessors (``helpers.classroom.grader``, configured by the generated nbgrader_config.py) put
every cell back as the gradebook says it is, run the notebook in a kernel inside a sandbox
(``sandbox``: no network, nothing of the machine writable, limits on memory, CPU and processes),
read each test cell's document SAFELY in a child process of the grader with its own limits
(``checker``, ``codec.decode``: no eval, an allow-list of sympy classes, built unevaluated), judge
it with the course's checker loaded before any submission ran, and replace the test cell's outputs
with the grader's verdict: an error output (0 points) or a plain line (full points). Redefining
``check``, patching ``helpers``, silencing tracebacks or editing stored outputs changes only what
the kernel shows. docs/teaching.md states the threat model.
"""

from __future__ import annotations

import os
import re
import secrets

from helpers.classroom.codec import MIME, encode, encode_runs

__all__ = ["graded", "grading", "MIME", "answer_id", "test_id", "exercise_of"]

GRADING_ENV = "BACKPROP_GRADING"
SEED_ENV = "BACKPROP_GRADING_SEED"  # the grader's seed for the inputs of function exercises
TEST_ID = re.compile(r"^ex(\d+)_(\d+)_test$")


def answer_id(exercise_id):
    """nbgrader's grade_id of an exercise's answer cell: "3.4" → "ex3_4_answer"."""
    notebook, number = exercise_id.split(".")
    return f"ex{notebook}_{number}_answer"


def test_id(exercise_id):
    """nbgrader's grade_id of an exercise's test cell: "3.4" → "ex3_4_test"."""
    notebook, number = exercise_id.split(".")
    return f"ex{notebook}_{number}_test"


def exercise_of(grade_id):
    """The exercise a course test cell grades ("ex3_4_test" → "3.4"), or None."""
    match = TEST_ID.match(grade_id or "")
    return f"{int(match[1])}.{int(match[2])}" if match else None


def grading():
    """True in a kernel started by ``nbgrader autograde`` (the grader sets BACKPROP_GRADING=1)."""
    return os.environ.get(GRADING_ENV) == "1"


def _document(exercise_id, answer):
    """The answer's plain value; for a function, what it returns on inputs drawn from the grader's
    seed (a fresh seed while the learner works: nothing depends on it then)."""
    from helpers import exercises

    try:
        exercise = exercises.get(exercise_id)
        if exercise is not None and exercise.kind == "function":
            seed = os.environ.get(SEED_ENV, "")
            if not re.fullmatch(r"[0-9a-f]{32}", seed):
                seed = secrets.token_hex(16)
            return encode_runs(exercise_id, answer, seed)
        return encode(exercise_id, answer)
    except Exception as exc:  # noqa: BLE001 - whatever the answer is, the cell still emits a document
        return {"v": 1, "exercise": str(exercise_id), "kind": "invalid", "value": f"cannot be read ({type(exc).__name__})"}


def graded(exercise_id, answer):
    """The test cell's call: show check's verdict and hand the answer's value to the grader.

    Never raises; records nothing in the learner's progress.
    """
    from IPython.display import display

    from helpers.checking import demo

    document = _document(exercise_id, answer)
    try:
        feedback = demo(exercise_id, answer)
        feedback.example = False  # the verdict on the learner's own answer (demo() marks an example)
        text, html = str(feedback), feedback._repr_html_()
    except Exception as exc:  # noqa: BLE001 - the document must be emitted whatever happens
        text = html = f"Exercise {exercise_id}: the checker failed ({type(exc).__name__})."
    note = ("When you submit, the grader reads this value and checks it again, outside your notebook; "
            "only its verdict counts.")
    display({"text/plain": f"{text}\n{note}", "text/html": f"{html}<p><small>{note}</small></p>", MIME: document},
            raw=True)
