"""Hints before solutions: ``hint("3.4")`` says where to start, ``hint("3.4", 2)`` gives the formula
or the shape reasoning. A hint never contains the answer's numbers; hints taken are kept in the
learner's progress."""

from __future__ import annotations

import html

from helpers.checking.feedback import STATUS_COLOUR


class Hint:
    """One hint, as text (what nbval compares) and as HTML (JupyterLab)."""

    def __init__(self, exercise, level, text, more):
        self.exercise, self.level, self.text, self.more = exercise, level, text, more

    def __str__(self):
        return f"💡 Hint {self.level} for exercise {self.exercise}: {self.text}{self.more}"

    __repr__ = __str__

    def _repr_html_(self):
        colour = STATUS_COLOUR["solution"]
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:2px 0'>"
                f"<b>💡 Hint {self.level} for exercise {html.escape(self.exercise)}</b><br>"
                f"{html.escape(self.text)}<br><small>{html.escape(self.more.strip())}</small></div>")


class Sentence(str):
    """A plain sentence that displays without quotes."""

    def __repr__(self):
        return str(self)


def hint(exercise_id, level=1):
    """A hint for an exercise, in levels: 1 says where to start, 2 the formula or the shapes.

    Args:
        exercise_id: "3.4" (as text).
        level: 1 or 2.

    Returns:
        A Hint (displayed in the notebook), or a sentence for an unknown id or level. Never raises.
    """
    from helpers import exercises, insights, progress

    key = exercise_id.strip() if type(exercise_id) is str else None
    exercise = exercises.get(key) if key else None
    if exercise is None:
        if key is None:
            return Sentence('Give the exercise id as text, in quotes: hint("3.4"), or hint("3.4", 2) for the second hint.')
        return Sentence(f"There is no exercise {key[:12]}; the exercises are {', '.join(exercises.ids()[:6])}, … "
                        "(helpers.exercises.ids() lists them all).")
    hints = exercise.hints
    if not hints:
        return Sentence(f"Exercise {exercise.id} has no hints; its solution is in the collapsed cell below it.")
    if type(level) is not int or not 1 <= level <= len(hints):
        return Sentence(f"Exercise {exercise.id} has hints 1 to {len(hints)}: hint(\"{exercise.id}\") or "
                        f"hint(\"{exercise.id}\", {len(hints)}).")
    problem = progress.record_hint(exercise.id, level)
    insights.record_hint(exercise.id, level)  # C5: on a class hub, one event for the teacher; never raises or waits
    more = (f" (More: hint(\"{exercise.id}\", {level + 1}).)" if level < len(hints)
            else " (That was the last hint; the solution is in the collapsed cell below the exercise.)")
    if problem:
        more += " " + problem
    return Hint(exercise.id, level, hints[level - 1], more)
