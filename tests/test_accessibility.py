"""Accessibility and layout of the rendered course, in JupyterLab in headless Chromium.

- axe-core (npm, pinned in tests/browser/package.json, installed with `npm ci`) over each notebook
  after Run All: no serious or critical violation in the course's own content (rendered markdown
  and cell outputs). JupyterLab's own interface is not the course's: its violations are listed
  in build/browser/axe-NN.json but do not fail the test.
- Tables fit a 1024 px wide window in JupyterLab's default layout (file browser open): no table
  in a rendered markdown cell or an output is wider than its cell, nor past the window's edge.
- A figure shown with plots.show(alt=...) has its text alternative as the image's accessible
  name in JupyterLab (stored output, sanitized, and re-run output) and as its alt attribute in
  nbconvert's HTML export; every stored image of the course gets one in the export.
- Feedback and progress stay legible in JupyterLab's dark theme (text contrast ≥ 4.5:1 against
  the background it is drawn on, in both themes); screenshots of both themes in build/browser/.

These tests take about a minute (a Run All of every notebook): `make test-browser` runs them
(and CI does); `make test` leaves them out (marker `browser_slow`).
"""

import json
import logging

import pytest

from browser_support import BUILD, DARK, LIGHT, ROOT, axe_source

pytestmark = pytest.mark.browser_slow

NOTEBOOKS = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WINDOW = {"width": 1024, "height": 768}
# The course's own content in a notebook page: rendered markdown and cell outputs (not the
# editors, prompts and toolbars around them, which are JupyterLab's).
OURS = ".jp-MarkdownCell .jp-RenderedMarkdown, .jp-OutputArea-output"
# Inside an output but not the course's doing: the insides of ipywidgets' own controls (the
# slider's handle has no accessible name whatever the course sets). Listed, never failed on.
WIDGET_INSIDES = ".widget-slider .noUi-base"


@pytest.fixture(scope="module", params=NOTEBOOKS, ids=lambda p: p.split("/")[1][:2])
def rendered(request, jupyter):
    """A course notebook opened fresh in a 1024 px window and run top to bottom."""
    nb = jupyter.open(request.param, **WINDOW)
    try:
        nb.run_all()
        yield nb
    finally:
        nb.close()


# --- tables --------------------------------------------------------------------------------------

MEASURE_TABLES = """([root, ours]) => {
  const vw = document.documentElement.clientWidth;
  return [...root.querySelectorAll('table')].filter(t => t.closest(ours)).map(t => {
    const box = t.closest(ours);   // the rendered markdown or output: it scrolls what overflows
    const edge = box.getBoundingClientRect().right - parseFloat(getComputedStyle(box).borderRightWidth);
    const right = t.getBoundingClientRect().right;
    const cell = t.closest('.jp-Cell');
    const index = [...cell.parentElement.children].indexOf(cell);
    return {cell: index, where: box.classList.contains('jp-OutputArea-output') ? 'output' : 'markdown',
            header: Array.from([...t.querySelectorAll('th')].map(th => th.innerText.trim()).join(' | ')).slice(0, 80).join(''),
            table_width: Math.round(t.scrollWidth), cell_width: Math.round(box.clientWidth),
            overflow: Math.round(Math.max(right - edge, right - vw, t.scrollWidth - t.clientWidth, 0))};
  });
}"""


def test_tables_fit_a_1024px_window(rendered):
    tables = rendered.page.evaluate(MEASURE_TABLES, [rendered.notebook.element_handle(), OURS])
    clipped = [t for t in tables if t["overflow"] > 1]
    for t in clipped:
        cell = rendered.notebook.locator(".jp-Notebook-cell").nth(t["cell"])
        cell.scroll_into_view_if_needed()
        rendered.screenshot(f"table-{rendered.path.split('/')[1][:2]}-cell{t['cell']}.png")
    assert not clipped, (f"{rendered.path}: tables cut off in a {WINDOW['width']} px window "
                         f"(JupyterLab's default layout):\n" + "\n".join(map(str, clipped)))


# --- axe-core ------------------------------------------------------------------------------------

RUN_AXE = """async ([root, ours, widgets]) => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  const mine = [], theirs = [], widget = [];
  for (const v of result.violations) {
    for (const node of v.nodes) {
      const el = document.querySelector(node.target[0]);
      const row = {rule: v.id, impact: node.impact || v.impact, help: v.help, html: node.html.slice(0, 200),
                   text: el ? Array.from(el.innerText || '').slice(0, 80).join('') : ''};
      (!(el && root.contains(el) && el.closest(ours)) ? theirs : el.closest(widgets) ? widget : mine).push(row);
    }
  }
  return {mine, widget, theirs};
}"""


def test_accessibility_axe_finds_no_serious_violation_in_the_course_content(rendered):
    rendered.page.add_script_tag(content=axe_source())
    found = rendered.page.evaluate(RUN_AXE, [rendered.notebook.element_handle(), OURS, WIDGET_INSIDES])
    name = rendered.path.split("/")[1][:2]
    BUILD.mkdir(parents=True, exist_ok=True)
    (BUILD / f"axe-{name}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    serious = [v for v in found["mine"] if v["impact"] in ("serious", "critical")]
    assert not serious, (f"{rendered.path}: axe-core finds {len(serious)} serious or critical violations in "
                         "the course's content:\n" + "\n".join(f"{v['impact']} {v['rule']} ({v['help']}): "
                                                                f"{v['html'][:120]}" for v in serious))


# --- figures' text alternatives -------------------------------------------------------------------

ALT = "A straight line rising from (0, 0) to (1, 1): the probe figure of the accessibility test."
PROBE = BUILD / "alt_probe.ipynb"


def _probe_notebook():
    """A notebook whose one cell shows a figure with plots.show(alt=ALT), stored with its output as
    the kernel would store it (the figure's own mime bundle)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import nbformat

    from helpers import plots

    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    data, metadata = plots.render(fig, ALT)._repr_mimebundle_()
    cell = nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nfrom helpers import plots\n\n"
        "fig, ax = plt.subplots(figsize=(3, 2))\nax.plot([0, 1], [0, 1])\n"
        f"plots.show(alt={ALT!r})")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb = nbformat.v4.new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    BUILD.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, PROBE)
    return nb


def _html_export(nb):
    """nbconvert's HTML export (lab template) of a notebook, and the warnings it logs."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter()
    records = []
    handler = logging.Handler()
    handler.emit = records.append
    exporter.log.addHandler(handler)
    try:
        body, _ = exporter.from_notebook_node(nb)
    finally:
        exporter.log.removeHandler(handler)
    return body, [r.getMessage() for r in records if r.levelno >= logging.WARNING]


def test_accessibility_figure_alt_text_reaches_jupyterlab_and_the_html_export(jupyter):
    from bs4 import BeautifulSoup
    from playwright.sync_api import expect

    nb = _probe_notebook()
    body, warnings = _html_export(nb)
    images = BeautifulSoup(body, "html.parser").select(".jp-OutputArea-output img")
    assert [img.get("alt") for img in images] == [ALT], [str(img)[:200] for img in images]
    assert not [w for w in warnings if "Alternative text" in w], warnings

    probe = jupyter.open(PROBE.relative_to(ROOT).as_posix(), **WINDOW)
    try:
        for state in ("stored (untrusted, sanitized)", "run in the session"):
            if state.startswith("run"):
                probe.notebook.evaluate("n => n.querySelectorAll('.jp-OutputArea-output').forEach(o => o.dataset.stale = '1')")
                probe.run_all()
            figure = probe.notebook.locator(".jp-OutputArea-output:not([data-stale])").get_by_role("img", name=ALT, exact=True)
            expect(figure, f"the figure's accessible name, {state}").to_have_count(1)
            assert figure.evaluate("img => img.complete && img.naturalWidth > 0"), f"the figure does not load, {state}"
    finally:
        probe.close()


def test_accessibility_html_export_gives_every_stored_figure_its_alt_text():
    import nbformat

    missing = {}
    for path in NOTEBOOKS:
        body, warnings = _html_export(nbformat.read(ROOT / path, as_version=4))
        from bs4 import BeautifulSoup

        bare = [img for img in BeautifulSoup(body, "html.parser").select(".jp-OutputArea-output img")
                if img.get("alt", "").strip() in ("", "No description has been provided for this image")]
        if bare or any("Alternative text" in w for w in warnings):
            missing[path] = len(bare)
    assert not missing, f"stored figures without a text alternative in the HTML export: {missing}"


# --- dark theme ----------------------------------------------------------------------------------

CONTRAST = """root => {
  const rgba = s => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
  const lum = ([r, g, b]) => { const f = c => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
                              return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const over = (top, bottom) => top.slice(0, 3).map((c, i) => c * top[3] + bottom[i] * (1 - top[3])).concat([1]);
  const background = el => {   // composite the backgrounds from the page up to the element
    const chain = []; for (let e = el; e; e = e.parentElement) chain.push(rgba(getComputedStyle(e).backgroundColor));
    return chain.reverse().reduce((acc, c) => over(c, acc), [255, 255, 255, 1]);
  };
  const rows = [];
  for (const el of root.querySelectorAll('.jp-OutputArea-output.jp-RenderedHTML *')) {
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
    if (!own) continue;
    const bg = background(el), fg = over(rgba(getComputedStyle(el).color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    rows.push({text: Array.from(own).slice(0, 50).join(''), color: getComputedStyle(el).color, background: `rgb(${bg.slice(0, 3).map(Math.round)})`,
               ratio: Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100});
  }
  return rows;
}"""

# every kind of feedback the course gives, and a progress line with each state, in one cell
FEEDBACK_CELL = ('display(check("1.1", x * w0 - t), check("1.2", x), check("1.3", "twelve"), hint("1.1"), '
                 'progress.show("01"))')


def test_accessibility_feedback_and_progress_legible_in_light_and_dark_theme(jupyter):
    notebook = jupyter.open("notebooks/01_one_weight.ipynb", **WINDOW)
    try:
        notebook.run_all()
        notebook.page.keyboard.press("Escape")
        notebook.command("notebook:insert-cell-below")
        cell = notebook.active_cell()
        cell.locator(".jp-InputArea-editor").click()
        notebook.page.keyboard.insert_text(FEEDBACK_CELL)
        notebook.page.keyboard.press("Shift+Enter")
        notebook.wait_idle()
        failures = {}
        for theme, name in ((LIGHT, "light"), (DARK, "dark")):
            jupyter.set_theme(theme)
            notebook.page.wait_for_timeout(300)  # the theme's stylesheet has taken effect
            cell.scroll_into_view_if_needed()
            notebook.screenshot(f"theme-{name}.png")
            rows = notebook.page.evaluate(CONTRAST, notebook.notebook.element_handle())
            (BUILD / f"contrast-{name}.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
            assert any("Exercise 1.1" in r["text"] for r in rows), rows[:5]  # the feedback was measured
            low = [r for r in rows if r["ratio"] < 4.5]
            if low:
                failures[name] = sorted({json.dumps(r) for r in low})
        assert not failures, f"feedback or progress text below 4.5:1 contrast: {json.dumps(failures, indent=1)}"
    finally:
        jupyter.set_theme(LIGHT)
        notebook.close()
