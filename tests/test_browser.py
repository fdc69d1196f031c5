"""The course as a learner meets it: notebook 01 in JupyterLab, in headless Chromium.

A fresh open shows no raw widget text; Run All credits nothing; an exercise answered wrongly then
rightly in its own cell, with its solution run after it, gives "1 of 8" in the progress cell; a
hint is one call away. Cells are found by their tags and texts ("Exercise 1.1", 'progress.show'),
never by position. Screenshots go to build/browser/ for a person to look at.

The server and the browser are shared with the other browser tests (tests/conftest.py,
tests/browser_support.py); nothing is saved to the notebook (autosave off, tabs discarded).
"""

import time

import pytest

from browser_support import BUILD, ROOT, STEP_S

NOTEBOOK = "notebooks/01_one_weight.ipynb"


# JupyterLab and Chromium take tens of seconds: make test-browser runs these, and CI (make test does not)
pytestmark = pytest.mark.browser_slow


@pytest.fixture
def notebook01(jupyter):
    if not (ROOT / NOTEBOOK).exists():
        pytest.skip(f"{NOTEBOOK} does not exist yet")
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)  # what follows a finished cell is on the page at once
    nb = jupyter.open(NOTEBOOK, width=1280, height=1000)
    try:
        yield nb
    except Exception:
        nb.screenshot(f"notebook01-failure-{time.strftime('%H%M%S')}.png")
        raise
    finally:
        nb.close()


def _run_cell(nb, cell, source=None):
    """Click into the cell's editor, optionally replace its source, and press Shift+Enter."""
    nb.page.evaluate(f"() => window.jupyterapp.shell.activateById('{nb.id}')")
    cell.scroll_into_view_if_needed()
    editor = cell.locator(".jp-InputArea-editor")
    if editor.is_visible():
        editor.click()
        if source is not None:
            nb.page.keyboard.press("Control+a")
            nb.page.keyboard.insert_text(source)
    else:  # a collapsed (source-hidden) cell: select it as a learner does, by clicking it
        cell.locator(".jp-Cell-inputCollapser, .jp-Placeholder").first.click()
    # the cell's output, once replaced, is a new element: mark the current ones as stale
    cell.evaluate("c => c.querySelectorAll('.jp-OutputArea-output').forEach(o => o.dataset.stale = '1')")
    nb.page.keyboard.press("Shift+Enter")
    nb.wait_idle()
    return cell.locator(".jp-OutputArea-output:not([data-stale])")


def test_notebook01_opens_without_raw_widget_text_and_run_all_credits_nothing(notebook01):
    from playwright.sync_api import expect

    nb, page = notebook01, notebook01.page
    started, timings = time.monotonic(), {}

    # a fresh open: the learning-rate widget's stored view is a picture or a rendering, not text
    # (asserted at the end, so that a failure here does not hide what Run All does)
    raw = nb.outputs().filter(has_text="children=(")
    try:  # a stored widget view may take a moment to replace its text/plain stand-in
        expect(raw).to_have_count(0, timeout=5000)
        raw_text = []
    except AssertionError:
        raw_text = [raw.nth(i).inner_text()[:100] for i in range(raw.count())]
    nb.screenshot("notebook01-fresh.png")

    # Run → Run All Cells, as a learner does; every output is replaced
    nb.notebook.evaluate("n => n.querySelectorAll('.jp-OutputArea-output').forEach(o => o.dataset.stale = '1')")
    page.locator(".lm-MenuBar-item", has_text="Run").first.click()
    page.locator(".lm-Menu-item[data-command='runmenu:run-all']").click()
    progress_cell = nb.cell(containing='progress.show("01")')
    progress = progress_cell.locator(".jp-OutputArea-output:not([data-stale])")
    expect(progress).to_contain_text("Notebook 01:", timeout=STEP_S * 1000)
    nb.wait_idle()
    timings["run all"] = round(time.monotonic() - started, 1)
    expect(progress).to_contain_text("0 of 8 correct")  # solutions verified, nothing credited

    fresh = nb.outputs().and_(page.locator(":not([data-stale])"))
    expect(fresh.filter(has_text="… Exercise 1.1").first).to_contain_text("not answered yet")
    expect(fresh.filter(has_text="✎ Solution 1.1").first).to_contain_text("the reference answer")
    assert not nb.outputs().filter(has_text="Traceback").count(), "a cell raised"

    # the learning-rate slider redraws its plot when moved
    slider = nb.notebook.locator(".widget-hslider").filter(has=page.locator(".widget-label", has_text="η"))
    expect(slider.first).to_be_visible()
    box = slider.first.locator("xpath=ancestor::div[contains(@class,'widget-vbox')][1]")
    caption = box.locator(".widget-html-content").first
    # the picture is the cell's next output, an ordinary figure with its text alternative, replaced in place
    cell = slider.first.locator("xpath=ancestor::div[contains(@class,'jp-CodeCell')][1]")
    image = cell.locator("img[alt^='Left: the 20 weights']")
    expect(image.first).to_be_visible()
    before_src, before_caption = image.first.get_attribute("src"), caption.inner_text()
    assert before_src and "η = 0.0070" in before_caption, before_caption
    assert "learning rate 0.0070" in image.first.get_attribute("alt")
    handle = slider.first.locator(".noUi-handle")
    handle.focus()
    for _ in range(4):  # four steps of 0.0005: η = 0.0070 → 0.0090
        handle.press("ArrowRight")
    expect(caption).to_contain_text("η = 0.0090")  # the kernel saw the slider move
    expect(cell.locator("img[alt*='learning rate 0.0090']")).to_be_visible(timeout=STEP_S * 1000)
    expect(image).to_have_count(1)  # redrawn in place, not added below
    assert image.first.get_attribute("src") != before_src
    timings["slider moved"] = round(time.monotonic() - started, 1)
    slider.first.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")
    nb.screenshot("notebook01-run-all.png")
    print(f"timings (s): {timings}; screenshots in {BUILD.relative_to(ROOT)}")
    assert not raw_text, f"a fresh open shows raw widget text instead of the widget: {raw_text}"


def test_notebook01_answered_wrongly_then_rightly_credits_one_and_hint_helps(notebook01):
    from playwright.sync_api import expect

    from helpers import exercises

    nb, page = notebook01, notebook01.page
    exercise = nb.cell("exercise", "Exercise 1.1")
    solution = nb.cell("solution", "Solution 1.1")
    progress_cell = nb.cell(containing='progress.show("01")')

    # the cells above the exercise first (Run → Run All Above Selected Cell)
    exercise.locator(".jp-InputArea-editor").click()
    page.keyboard.press("Escape")  # command mode, the exercise cell selected
    nb.command("notebook:run-all-above")
    nb.wait_idle()

    wrong = _run_cell(nb, exercise, "# Exercise 1.1\ndE_da = x * w0 - t\ncheck(\"1.1\", dE_da)")
    expect(wrong).to_contain_text("✘ Exercise 1.1")
    right = _run_cell(nb, exercise, "# Exercise 1.1\ndE_da = 2 * (x * w0 - t)\ncheck(\"1.1\", dE_da)")
    expect(right).to_contain_text("✔ Exercise 1.1")
    exercise.scroll_into_view_if_needed()
    nb.screenshot("notebook01-answered.png")

    # Shift+Enter moved on to the collapsed solution: run it too, as a learner pressing on does
    reference = _run_cell(nb, solution)
    expect(reference).to_contain_text("✎ Solution 1.1")
    expect(reference).not_to_contain_text("✔")

    shown = _run_cell(nb, progress_cell)
    expect(shown).to_contain_text("Notebook 01: 1 of 8 correct")
    expect(shown).to_contain_text("1.1 ✔")

    # a hint, in a new cell below the progress
    page.keyboard.press("Escape")
    nb.command("notebook:insert-cell-below")
    new = nb.active_cell()
    given = _run_cell(nb, new, 'hint("1.1")')
    expect(given).to_contain_text("Hint 1 for exercise 1.1")
    expect(given).to_contain_text(exercises.get("1.1").hints[0][:60])
    new.scroll_into_view_if_needed()
    nb.screenshot("notebook01-hint.png")
