"""nbgrader preprocessors of the course, run by ``nbgrader autograde`` in the grader's process.

- ``ExecuteForGrading`` is nbgrader's ``Execute`` with the kernel started in grading mode
  (``BACKPROP_GRADING=1``: ``helpers.exercises.expected`` refuses to hand out references) and with
  a throw-away progress file, so grading never writes a learner's or teacher's progress.
- ``VerifyAnswers`` runs right after it. For each of the course's test cells (grade_id
  ``exN_M_test``, restored from the gradebook by nbgrader's OverwriteCells, so the learner cannot
  rename it) it takes the answer document the cell emitted, decodes it safely, judges it with the
  course's checker imported here (never the kernel's), and REPLACES the cell's outputs: a stream
  with the verdict for a correct answer (nbgrader gives full points), an error output otherwise
  (nbgrader gives 0). What the kernel printed, raised or hid does not count.

``configure(c)`` installs both in an nbgrader config (the generated nbgrader_config.py calls it).
"""

from __future__ import annotations

import os
import signal
import tempfile
import threading
from contextlib import contextmanager

from nbformat.v4 import new_output
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Integer

# A clean import of the checker, in the grader's process, before any learner code has run anywhere.
from helpers.checking import demo
from helpers.classroom import GRADING_ENV, exercise_of
from helpers.classroom.codec import MIME, Refused, decode

class ExecuteForGrading(Execute):
    """nbgrader's Execute, with the kernel in grading mode and a throw-away progress file."""

    def preprocess(self, nb, resources):
        saved = {name: os.environ.get(name) for name in (GRADING_ENV, "BACKPROP_PROGRESS")}
        with tempfile.TemporaryDirectory(prefix="backprop-grading-") as scratch:
            os.environ[GRADING_ENV] = "1"
            os.environ["BACKPROP_PROGRESS"] = os.path.join(scratch, "progress.json")
            try:
                return super().preprocess(nb, resources)
            finally:
                for name, value in saved.items():
                    if value is None:
                        os.environ.pop(name, None)
                    else:
                        os.environ[name] = value


class _TimeUp(Exception):
    pass


@contextmanager
def _time_limit(seconds):
    """Stop a verification that runs too long (on the main thread, where signals work)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def stop(signum, frame):
        raise _TimeUp

    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Verdict(tuple):
    """(correct?, sentence), and the kind of answer as ``.diagnosis``: the checker's key, or "unanswered",
    "no-answer" (nothing reached the grader), "refused" (not a plain answer), "timeout". The class
    report (helpers/insights/report.py) reads it from the test cell's metadata (see VerifyAnswers)."""

    def __new__(cls, correct, sentence, diagnosis):
        verdict = super().__new__(cls, (correct, sentence))
        verdict.diagnosis = diagnosis
        return verdict


def verdict(exercise_id, outputs, seconds=20):
    """(correct?, sentence) for the outputs a test cell produced in the learner's kernel (a Verdict)."""
    documents = [o["data"][MIME] for o in outputs
                 if o.get("output_type") in ("display_data", "execute_result") and MIME in o.get("data", {})]
    if not documents:
        return Verdict(False, (f"Exercise {exercise_id}: no answer reached the grader (the test cell did not run to its "
                               "end: an error in or before it, or the answer's name is not defined)."), "no-answer")
    if len(documents) > 1:
        return Verdict(False, f"Exercise {exercise_id}: the test cell emitted {len(documents)} answers instead of one.",
                       "refused")
    try:
        kind, value = decode(documents[0], exercise_id)
    except Refused as refused:
        return Verdict(False, f"Exercise {exercise_id}: {refused}.", "refused")
    if kind == "unanswered":
        return Verdict(False, f"Exercise {exercise_id}: not answered.", "unanswered")
    try:
        with _time_limit(seconds):
            feedback = demo(exercise_id, value)
        feedback.example = False  # the grader's verdict on this learner's answer, not an example of a mistake
    except _TimeUp:
        return Verdict(False, f"Exercise {exercise_id}: the answer could not be checked within {seconds} s.", "timeout")
    return Verdict(bool(feedback), f"{feedback} (checked by the grader)", feedback.diagnosis)


class VerifyAnswers(NbGraderPreprocessor):
    """Replace each course test cell's outputs with the grader's own verdict on its answer."""

    time_limit = Integer(20, help="Seconds allowed to check one answer.").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        grading = cell.metadata.get("nbgrader", {})
        exercise_id = exercise_of(grading.get("grade_id"))
        if cell.cell_type != "code" or not grading.get("grade") or grading.get("solution") or exercise_id is None:
            return cell, resources
        judged = verdict(exercise_id, cell.get("outputs", []), self.time_limit)
        correct, sentence = judged
        # for the class report (helpers/insights/report.py): the grader's own verdict, written over
        # anything the submission put there
        cell.metadata["backprop"] = {"verdict": {"exercise": exercise_id, "correct": bool(correct),
                                                 "diagnosis": getattr(judged, "diagnosis", None)}}
        if correct:
            cell.outputs = [new_output("stream", name="stdout", text=sentence + "\n")]
        else:
            cell.outputs = [new_output("error", ename="NotCorrect", evalue=sentence, traceback=[sentence])]
        self.log.debug("%s: %s", exercise_id, sentence)
        return cell, resources


def configure(c):
    """Set up an nbgrader config for the course: stubs, time limits, and the grading pipeline."""
    from nbgrader.converters import Autograde

    c.ClearSolutions.code_stub = {"python": ""}   # the answer cell keeps its `name = ...` line
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.Execute.timeout = 120
    pipeline = list(Autograde.class_traits()["autograde_preprocessors"].default())
    if ExecuteForGrading not in pipeline:
        where = pipeline.index(Execute)
        pipeline[where:where + 1] = [ExecuteForGrading, VerifyAnswers]
    c.Autograde.autograde_preprocessors = pipeline
    return c
