"""How the course's outputs look: badges whose marks every system can draw, an example (demo) that
cannot pass for the learner's verdict, figure text at least as large as the notebook's body text,
and the one line a restarted kernel gives for an undefined name.

In the browser, with Debian's fonts only, the same is checked by tests/test_workbook_browser.py;
the kernel extension and two hint() calls in one cell are checked in a real kernel by the planted
runs (tests/test_workbook.py).
"""

import re
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from helpers import demo, exercises, kernel, plots, solution  # noqa: E402
from helpers.checking.feedback import EXAMPLE_COLOUR, EXAMPLE_MARK, STATUS_COLOUR, STATUS_MARK, Feedback  # noqa: E402
from helpers.hints import HINT_MARK  # noqa: E402

FIRST = exercises.ids()[0]


def _contrast(foreground, background):
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_every_mark_is_in_dejavu_sans():
    """Debian's default font draws every mark (ⓘ and 💡 were empty boxes there); matplotlib ships
    the same DejaVu Sans, so this holds on any machine."""
    from fontTools.ttLib import TTFont

    font = TTFont(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    covered = font.getBestCmap()
    marks = [*STATUS_MARK.values(), HINT_MARK, EXAMPLE_MARK]
    missing = [m for m in marks for ch in m if ord(ch) not in covered]
    assert not missing, f"not in DejaVu Sans: {missing}"
    assert ord("ⓘ") not in covered and ord("💡") not in covered  # the check can fail


def test_a_demo_reads_and_looks_unlike_a_verdict():
    exercise = exercises.get(FIRST)
    wrong = -np.asarray(exercise.expected(), dtype=float)
    example = demo(FIRST, wrong)
    assert not example and example.status == "wrong" and example.example
    text, html = str(example), example._repr_html_()
    assert text.startswith(f"{EXAMPLE_MARK} Example of a mistake (not your answer)"), text
    assert STATUS_MARK["wrong"] not in text and f"Exercise {FIRST}:" not in text
    assert EXAMPLE_COLOUR in html and "dashed" in html and "not your answer" in html
    verdict = Feedback(FIRST, "wrong", "not yet.", "wrong")
    assert EXAMPLE_COLOUR not in verdict._repr_html_() and "dashed" not in verdict._repr_html_()
    assert EXAMPLE_COLOUR not in STATUS_COLOUR.values()
    assert _contrast("#ffffff", EXAMPLE_COLOUR) >= 4.5  # the badge's white text (WCAG AA)


def test_a_solution_is_marked_as_the_reference_not_a_verdict():
    shown = solution(FIRST, exercises.expected(FIRST))
    assert str(shown).startswith(f"{STATUS_MARK['solution']} Solution {FIRST}: the reference answer")
    assert not shown.example


# --- figures ------------------------------------------------------------------------------------

@pytest.fixture
def course_figures():
    plots.setup()
    yield
    plt.close("all")
    matplotlib.rcdefaults()


def _figures():
    """A figure of each kind the course draws with helpers.plots."""
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1, 0, 2], label="a line")
    ax.set(title="a title", xlabel="x", ylabel="y")
    ax.legend()
    yield "a default figure", fig
    yield "draw_network", plots.draw_network([2, 2, 2], weights=[np.ones((2, 2))] * 2,
                                             layer_labels=["in", "hidden", "out"],
                                             node_labels=[["$x_1$", "$x_2$"]] * 3).figure
    yield "draw_matrix_row", plots.draw_matrix_row([[["a", "0"], ["0", "b"]], (2, 3)], operators=["·"],
                                                   captions=["J", "A"], fontsize=8).figure


def test_figure_text_is_at_least_the_notebooks_body_text(course_figures):
    """At its natural size (which it keeps while it fits the notebook), every text of a course
    figure, titles, ticks and legends included, is at least the 14 px of JupyterLab's body text;
    a smaller size asked of a helper is raised to it."""
    for name, fig in _figures():
        shown = plots.render(fig, alt=name)
        assert shown.text_px is not None and shown.text_px >= plots.BODY_TEXT_PX, (name, shown.text_px)
        html = shown._repr_mimebundle_()[0]["text/html"]
        assert float(re.search(r'data-text-px="([\d.]+)"', html).group(1)) == pytest.approx(shown.text_px, abs=0.05)


def test_the_smallest_text_is_what_is_measured(course_figures):
    fig, ax = plt.subplots()
    ax.set_title("small", fontsize=8)
    assert plots.render(fig, alt="x").text_px == pytest.approx(8 * plots.FIGURE_DPI / 72)


# --- the kernel extension's line ----------------------------------------------------------------

def test_an_undefined_name_gets_one_line_saying_what_to_do():
    fresh = kernel.message("W1", {"In": [], "Out": {}, "get_ipython": None, "__name__": "__main__"},
                           hidden={"In", "Out", "get_ipython"})
    assert "\n" not in fresh and fresh.startswith("NameError: W1 is not defined yet")
    assert "Run → Run All Above Selected Cell" in fresh and "not run the cells above" in fresh
    worked = kernel.message("dW_2", {"dW2": 1.0, "np": np}, hidden=set())
    assert "\n" not in worked and "Run → Run All Above Selected Cell" in worked
    assert "did you mean dW2?" in worked or "helpers.checking" not in __import__("sys").modules
