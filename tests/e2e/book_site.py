"""The course's website (make book), every page opened in headless Chromium (make test-book).

The site in build/book/html/ is served on 127.0.0.1 by a plain static server, as any static host
would serve it, and each page is checked as a reader with no network meets it:

- no request leaves 127.0.0.1 (MathJax, its font, the theme's fonts and scripts all come from the
  site), and every link between the site's pages leads to a page that exists;
- every equation is typeset by MathJax, with no MathJax error;
- every image has a text alternative (not a file name, not nbconvert's "No description");
- axe-core finds no serious or critical violation;
- in a 1024 px window no table, display equation or figure is wider than the column it sits in,
  and a code block that is (long lines of code) scrolls and can be reached with the keyboard;
- every solution is folded (a click opens it) and every exercise cell is marked;
- the search box finds a page.

Screenshots and axe reports go to build/book/checks/ for a person to look at.
"""

from __future__ import annotations

import functools
import html.parser
import http.server
import json
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from browser_support import ROOT, axe_source, launch_chromium, require_browser  # noqa: E402

SITE = ROOT / "build" / "book" / "html"
CHECKS = ROOT / "build" / "book" / "checks"
PAGES = sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
               if not p.relative_to(SITE).parts[0].startswith("_")) if SITE.exists() else []
NOTEBOOK_PAGES = [p for p in PAGES if p.startswith("notebooks/")]
WINDOW = {"width": 1024, "height": 768}
STEP_MS = 300_000  # a generous limit for one page to load and typeset on a busy machine (not a speed test)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def site():
    """The built site on a free port of 127.0.0.1; its base URL."""
    if not (SITE / "index.html").exists():
        pytest.fail("build/book/html/ is missing: run make book first (make test-book does)")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(SITE)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """One page, loaded in a fresh 1024 px window, with every request and message it made."""

    def __init__(self, browser, base, path):
        self.base, self.path = base, path
        self.context = browser.new_context(viewport=WINDOW)
        self.page = self.context.new_page()
        self.page.set_default_timeout(STEP_MS)
        self.requests, self.failed, self.console, self.errors = [], [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(urljoin(base, path), wait_until="load")
        # MathJax typesets after load; wait until it says it is done (pages without maths included)
        self.page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)")
        self.page.evaluate("() => window.MathJax ? MathJax.startup.promise : null")
        self.page.wait_for_timeout(300)

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def visits(site, browser):
    CHECKS.mkdir(parents=True, exist_ok=True)
    opened = {}
    yield lambda path: opened.setdefault(path, Visit(browser, site, path))
    for visit in opened.values():
        visit.close()


def test_the_site_has_every_notebook_and_page():
    assert NOTEBOOK_PAGES, "make book built no notebook page"
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert [Path(p).stem for p in NOTEBOOK_PAGES] == notebooks
    for page in ("index.html", "docs/notation.html", "docs/teaching.html", "errata.html", "search.html"):
        assert page in PAGES, f"{page} is missing from the site"


@pytest.mark.parametrize("path", PAGES)
def test_no_request_leaves_the_machine_and_nothing_is_missing(visits, site, path):
    visit = visits(path)
    local = (site, "data:", f"blob:{site.rstrip('/')}")
    outside = [url for url in visit.requests if not url.startswith(local)]
    assert not outside, f"{path} asks another host for: {outside}"
    assert not visit.failed, f"{path}: requests that failed: {visit.failed}"
    assert not visit.errors, f"{path}: JavaScript errors: {visit.errors}"


@pytest.mark.parametrize("path", PAGES)
def test_every_equation_is_typeset_without_a_mathjax_error(visits, path):
    visit = visits(path)
    state = visit.page.evaluate("""() => ({
        typeset: document.querySelectorAll('mjx-container').length,
        errors: Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]')).map(e => e.textContent.slice(0, 80)),
        raw: Array.from(document.querySelectorAll('.math')).filter(e => !e.querySelector('mjx-container'))
                  .map(e => e.textContent.slice(0, 80)),
    })""")
    assert not state["errors"], f"{path}: MathJax errors: {state['errors']}"
    assert not state["raw"], f"{path}: maths left untypeset: {state['raw'][:5]}"
    mathjax_messages = [m for m in visit.console if "mathjax" in m.lower() and m.startswith(("error", "warning"))]
    assert not mathjax_messages, f"{path}: {mathjax_messages}"
    if path.startswith("notebooks/") or path == "docs/notation.html":
        assert state["typeset"] > 0, f"{path} has no typeset equation at all"


@pytest.mark.parametrize("path", PAGES)
def test_every_image_has_a_text_alternative(visits, path):
    images = visits(path).page.evaluate("""() => Array.from(document.querySelectorAll('img')).map(img => ({
        src: img.getAttribute('src').slice(0, 60), alt: img.getAttribute('alt'),
        hidden: img.getAttribute('aria-hidden') === 'true' || img.getAttribute('role') === 'presentation'}))""")
    bad = [img for img in images if not img["hidden"] and (
        not (img["alt"] or "").strip() or "No description" in img["alt"] or img["alt"].endswith((".png", ".svg")))]
    assert not bad, f"{path}: images without a text alternative: {bad}"
    if path in NOTEBOOK_PAGES:
        assert images, f"{path} shows no figure"


AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.flatMap(v => v.nodes.map(n => ({rule: v.id, impact: n.impact || v.impact,
      help: v.help, target: n.target.join(' '), html: n.html.slice(0, 160)})));
}"""


@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_or_critical_violation(visits, path):
    visit = visits(path)
    visit.page.add_script_tag(content=axe_source())
    found = visit.page.evaluate(AXE)
    name = path.replace("/", "-").removesuffix(".html")
    (CHECKS / f"axe-{name}.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    serious = [v for v in found if v["impact"] in ("serious", "critical")]
    assert not serious, f"{path}: axe-core finds serious or critical violations:\n" + "\n".join(map(str, serious))


@pytest.mark.parametrize("path", PAGES)
def test_tables_equations_and_figures_fit_a_1024_px_window(visits, path):
    visit = visits(path)
    wide = visit.page.evaluate("""() => {
      const out = [], scrolls = [];
      const main = document.querySelector('main') || document.body;
      const limit = main.getBoundingClientRect().right + 1;
      const shown = el => el.offsetParent !== null;      // folded away: not on screen
      for (const el of main.querySelectorAll('table, mjx-container[display="true"], img')) {
        if (!shown(el)) continue;
        if (el.scrollWidth > el.clientWidth + 1 || el.getBoundingClientRect().right > limit)
          out.push({tag: el.tagName, text: (el.innerText || el.alt || '').slice(0, 60), width: el.scrollWidth,
                    shown: el.clientWidth});
      }
      for (const el of main.querySelectorAll('pre')) {
        if (shown(el) && el.scrollWidth > el.clientWidth + 1 && !el.hasAttribute('tabindex'))
          scrolls.push((el.innerText || '').slice(0, 60));
      }
      return {out, scrolls, page: document.documentElement.scrollWidth};
    }""")
    assert wide["page"] <= WINDOW["width"], f"{path} is {wide['page']} px wide in a {WINDOW['width']} px window"
    assert not wide["out"], f"{path}: wider than its column at {WINDOW['width']} px: {wide['out'][:5]}"
    assert not wide["scrolls"], f"{path}: code blocks that scroll but cannot be reached by keyboard: {wide['scrolls'][:5]}"


@pytest.mark.parametrize("path", NOTEBOOK_PAGES)
def test_solutions_are_folded_and_exercises_marked(visits, path):
    visit = visits(path)
    state = visit.page.evaluate("""() => ({
        exercises: document.querySelectorAll('div.cell.tag_exercise').length,
        solutions: document.querySelectorAll('div.cell.tag_solution').length,
        folded: document.querySelectorAll('div.cell.tag_solution details:not([open])').length,
        open: document.querySelectorAll('div.cell.tag_solution details[open]').length,
        note: !!document.querySelector('.run-this-notebook'),
    })""")
    assert state["exercises"] > 0 and state["solutions"] == state["exercises"], state
    assert state["folded"] == state["solutions"] and state["open"] == 0, f"{path}: solutions not all folded: {state}"
    assert state["note"], f"{path} does not say at its top how to run the notebook"
    solution = visit.page.locator("div.cell.tag_solution").first
    code = solution.locator(".cell_input")
    assert not code.is_visible(), f"{path}: the first solution's code shows before a click"
    solution.locator("summary").first.click()
    assert code.is_visible(), f"{path}: a click does not open the first solution"
    visit.page.screenshot(path=str(CHECKS / f"{Path(path).stem}-solution-open.png"))
    solution.locator("summary").first.click()


class _Links(html.parser.HTMLParser):
    """The hrefs and the ids of one page."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])


@functools.lru_cache(maxsize=None)
def _parsed(page):
    parser = _Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser


def test_links_between_pages_lead_somewhere():
    missing = []
    for path in PAGES:
        page = SITE / path
        for href in _parsed(page).hrefs:
            parsed = urlparse(href)
            if parsed.scheme or parsed.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / parsed.path).resolve() if parsed.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                missing.append(f"{path} → {href}")
            elif parsed.fragment and target.suffix == ".html" and parsed.fragment not in _parsed(target).ids:
                missing.append(f"{path} → {href} (no such anchor)")
    assert not missing, "links to nowhere:\n" + "\n".join(sorted(set(missing)))


def test_the_search_box_finds_a_page(browser, site):
    context = browser.new_context(viewport=WINDOW)
    try:
        page = context.new_page()
        page.goto(urljoin(site, "search.html?q=Jacobian"))
        results = page.locator("#search-results li")
        results.first.wait_for(timeout=30_000)
        titles = results.all_inner_texts()
        assert any("Jacobians" in t for t in titles), titles
        page.screenshot(path=str(CHECKS / "search.png"))
    finally:
        context.close()
