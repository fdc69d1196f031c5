"""The verdict on one answer, as one line of text (what nbval compares) and as HTML (JupyterLab).

Every status carries a mark and a word, so the verdict never relies on colour alone.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

STATUS_MARK = {"correct": "✔", "wrong": "✘", "unanswered": "…", "invalid": "⚠", "solution": "ⓘ"}
# Colours with a contrast ratio of at least 4.5:1 on white (WCAG AA), used beside the mark, never alone.
STATUS_COLOUR = {"correct": "#1a7f37", "wrong": "#cf222e", "unanswered": "#57606a", "invalid": "#9a6700",
                 "solution": "#0969da"}


@dataclass
class Feedback:
    """The verdict on one answer: renders as one line of text and as HTML in Jupyter.

    Attributes:
        exercise: the exercise id, e.g. "3.4".
        status: "correct", "wrong", "unanswered", "invalid", or "solution" (a reference
            solution shown by ``solution()``: verified, never credited).
        message: one or two sentences for the learner.
        diagnosis: a short machine-readable key ("correct", "transposed", "sign", "factor",
            "rounded", "shape", "mistake:<name>", "upstream:<id>", "wrong", "unanswered",
            "invalid", "timeout", "solution"; the slips of ``checking.slips``: "slip:<kind>"
            for one ("slip:missing-factor", "slip:wrong-point", "slip:swapped", "slip:function",
            "slip:transpose", "slip:elementwise", "slip:collapsed", "slip:mean-sum", "slip:axis",
            ...), "slip:<kind>+<kind>" for two, "neighbour" for another question's answer; the
            structural kinds "zero", "order", "axes", "diagonal-only", "diagonal-vector",
            "constant", "partial", "step-size", "extra-symbols").
        title: what the exercise asks for.
    """

    exercise: str
    status: str
    message: str
    diagnosis: str
    title: str = ""
    details: dict = field(default_factory=dict)

    def __bool__(self):
        return self.status == "correct"

    @property
    def head(self):
        if self.status == "solution":
            return f"{STATUS_MARK['solution']} Solution {self.exercise}"
        return f"{STATUS_MARK[self.status]} Exercise {self.exercise}"

    def __str__(self):
        return f"{self.head}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        colour = STATUS_COLOUR[self.status]
        title = f" <span>({html.escape(self.title)})</span>" if self.title else ""
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:2px 0'>"
            # a badge: white on the status colour reaches 4.5:1 in light and dark themes alike
            f"<b style='color:#fff;background:{colour};padding:0 4px;border-radius:3px'>{html.escape(self.head)}</b>"
            f"{title}<br>{html.escape(self.message)}</div>"
        )
