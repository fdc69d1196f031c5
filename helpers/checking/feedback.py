"""The verdict on one answer, as one line of text (what nbval compares) and as HTML (JupyterLab).

Every status carries a mark and a word, so the verdict never relies on colour alone. The marks
are drawn by the fonts every system has (Debian's DejaVu included; tests/test_workbook_browser.py
checks that none falls back to an empty box in Chromium). An example of what ``check`` says,
shown by the course's own cells (``demo``), has a badge and words of its own, so that it cannot
be mistaken for the learner's verdict.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

STATUS_MARK = {"correct": "✔", "wrong": "✘", "unanswered": "…", "invalid": "⚠", "solution": "✎"}
EXAMPLE_MARK = "▷"
# Colours with a contrast ratio of at least 4.5:1 on white (WCAG AA), used beside the mark, never alone.
STATUS_COLOUR = {"correct": "#1a7f37", "wrong": "#cf222e", "unanswered": "#57606a", "invalid": "#9a6700",
                 "solution": "#0969da"}
EXAMPLE_COLOUR = "#6639ba"  # white on it: 7.6:1; a colour no verdict uses


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
            "constant", "partial", "pattern", "places", "step-size", "extra-symbols", "no-symbols").
        title: what the exercise asks for.
        example: shown by ``demo()``: what ``check`` says about an answer the course gives as an
            example (a typical mistake), never the learner's own; it renders with its own badge.
    """

    exercise: str
    status: str
    message: str
    diagnosis: str
    title: str = ""
    details: dict = field(default_factory=dict)
    example: bool = False

    def __bool__(self):
        return self.status == "correct"

    @property
    def head(self):
        if self.example:
            what = "Example of a mistake" if self.status == "wrong" else "Example"
            return f"{EXAMPLE_MARK} {what} (not your answer)"
        if self.status == "solution":
            return f"{STATUS_MARK['solution']} Solution {self.exercise}"
        return f"{STATUS_MARK[self.status]} Exercise {self.exercise}"

    def __str__(self):
        if self.example:
            return f"{self.head} · exercise {self.exercise}, check says: {self.message}"
        return f"{self.head}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self):
        title = f" <span>({html.escape(self.title)})</span>" if self.title else ""
        if self.example:  # dashed, in a colour of its own, saying whose answer it is not
            return (
                f"<div style='border-left:4px dashed {EXAMPLE_COLOUR};padding:4px 10px;margin:2px 0'>"
                f"<b style='color:#fff;background:{EXAMPLE_COLOUR};padding:0 4px;border-radius:3px'>{html.escape(self.head)}</b>"
                f" <span>exercise {html.escape(self.exercise)}{title}</span><br>"
                f"<i>check says:</i> {html.escape(self.message)}</div>"
            )
        colour = STATUS_COLOUR[self.status]
        return (
            f"<div style='border-left:4px solid {colour};padding:4px 10px;margin:2px 0'>"
            # a badge: white on the status colour reaches 4.5:1 in light and dark themes alike
            f"<b style='color:#fff;background:{colour};padding:0 4px;border-radius:3px'>{html.escape(self.head)}</b>"
            f"{title}<br>{html.escape(self.message)}</div>"
        )
