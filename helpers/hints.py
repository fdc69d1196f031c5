"""Hints before solutions: ``hint("3.4")`` says where to start, ``hint("3.4", 2)`` gives the method
or the shape reasoning. A hint never contains the answer's numbers; hints taken are kept in the
learner's progress.

Each ``hint(...)`` call shows its hint where it is called, so two calls in one cell show both (a
cell otherwise displays only its last expression's value, while progress counts every hint).
"""

from __future__ import annotations

import html

from helpers.checking.feedback import STATUS_COLOUR

HINT_MARK = "☞"  # drawn by DejaVu Sans, as every mark of the course (an emoji is an empty box there)


class Hint:
    """One hint, as text (what nbval compares) and as HTML (JupyterLab).

    In IPython, ``hint()`` displays it at once (see ``_show``); when it is also the cell's last
    expression, displaying it again shows nothing, so it appears once.
    """

    def __init__(self, exercise, level, text, more):
        self.exercise, self.level, self.text, self.more = exercise, level, text, more
        self._shown = False

    def __str__(self):
        return f"{HINT_MARK} Hint {self.level} for exercise {self.exercise}: {self.text}{self.more}"

    __repr__ = __str__

    def _repr_html_(self):
        colour = STATUS_COLOUR["solution"]
        return (f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:2px 0'>"
                f"<b>{HINT_MARK} Hint {self.level} for exercise {html.escape(self.exercise)}</b><br>"
                f"{html.escape(self.text)}<br><small>{html.escape(self.more.strip())}</small></div>")

    def _ipython_display_(self):
        """Display once: hint() has shown it already when it is also the cell's last value."""
        if self._shown:
            return
        self._shown = True
        from IPython.display import display

        display({"text/plain": str(self), "text/html": self._repr_html_()}, raw=True)


def _show(given):
    """Show a hint now, in IPython (a notebook); elsewhere, do nothing. Returns it."""
    try:
        from IPython import get_ipython

        if get_ipython() is None:
            return given
        given._ipython_display_()
    except Exception:  # noqa: BLE001 - a display problem must not cost the learner the hint
        pass
    return given


class Sentence(str):
    """A plain sentence that displays without quotes."""

    def __repr__(self):
        return str(self)


def hint(exercise_id, level=1):
    """A hint for an exercise, in levels: 1 says where to start, 2 the method or the shape reasoning, one step left to the learner.

    Args:
        exercise_id: "3.4" (as text).
        level: 1 or 2.

    Returns:
        A Hint, or a sentence for an unknown id or level. In a notebook a Hint is shown where
        ``hint`` is called, so every call of a cell shows. Never raises.
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
    return _show(Hint(exercise.id, level, hints[level - 1], more))
