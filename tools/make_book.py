"""Build the course as a static website: build/book/html/, readable offline, with no install.

    python tools/make_book.py                 # what `make book` runs
    python tools/make_book.py --binder URL    # also give every page a Binder link (URL of the repository's Binder)

Sphinx with myst-nb and sphinx-book-theme (the stack that builds offline; Jupyter Book 2 and
mystmd download their theme at build time). The notebooks are rendered with their stored
outputs and never re-executed: they are the course as tested by nbval. The site is built from a
staging copy in build/book/src/, never from the course files themselves:

- every notebook gets, under its title, a note saying how to run it (`make lab`, Binder) and that
  the checker works only in the running course;
- solution cells are folded behind a "Show the solution" button, closed by default, and the long
  figure-drawing cells (`# extra code`) show their figure with the code folded;
- links to the repository's README become links to the site's landing page;
- docs/notation.md and docs/teaching.md are pages of the site; an errata page lists every
  notebook's errata sections.

MathJax 4 and its font are copied from book/node_modules (npm ci, pinned in book/package.json)
into the site, so no page loads anything from another host.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BOOK = ROOT / "book"  # conf.py, the landing page, the site's stylesheet, MathJax's lock file
OUT = ROOT / "build" / "book"
MATHJAX = BOOK / "node_modules" / "mathjax"
MATHJAX_FONT = BOOK / "node_modules" / "@mathjax" / "mathjax-newcm-font"
# What of MathJax the site needs: the combined TeX component, the components it loads on demand
# (TeX extensions, the menu, the accessibility explorer and its speech rules) and the CHTML font.
MATHJAX_PARTS = ("tex-mml-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors", "LICENSE")
FONT_PARTS = ("chtml.js", "chtml", "LICENSE")
EXTRA_CODE = re.compile(r"^\s*# extra code", re.IGNORECASE)
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*$", re.MULTILINE)


class BookError(Exception):
    """Something the site cannot be built without, said in one sentence."""


def _tags(cell):
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def run_note(binder):
    """The note under each notebook's title: how to run it, and what works only when it runs."""
    where = ("`make lab` in a clone of the course's repository (it opens your own workbook), or "
             + (f"[open it on Binder]({binder}) (nothing to install; nothing is kept)." if binder else
                "on Binder (the README gives the link; nothing to install, nothing kept)."))
    return (
        "```{admonition} This page is the notebook as stored, with its outputs\n"
        ":class: tip run-this-notebook\n\n"
        f"To work through it, run the course: {where} "
        "The exercises, `check`, `hint` and your progress work only in the running course: on this page "
        "the exercise cells show their `...` placeholders and the solutions are folded.\n"
        "```\n"
    )


NOTEBOOK_ANCHOR = re.compile(r"(\]\(\d\d_\w+\.ipynb#)([^)\s]+)\)")


def _rewrite_links(text):
    """Links to the repository's README lead to the site's landing page, and a link to a heading of
    another notebook uses the site's anchor: JupyterLab's anchors keep the heading's capitals
    (#How-to-work-in-these-notebooks), MyST's are GitHub's slugs (#how-to-work-in-these-notebooks)."""
    text = text.replace("](../README.md)", "](../index.md)")
    return NOTEBOOK_ANCHOR.sub(lambda m: f"{m[1]}{_slug(m[2].replace('-', ' '))})", text)


def stage_notebook(source, target, binder):
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = _rewrite_links(cell.source)
            continue
        if cell.cell_type != "code":
            continue
        tags = _tags(cell)
        if "solution" in tags:
            tags.append("hide-cell")
            cell.metadata["mystnb"] = {"code_prompt_show": "Show the solution",
                                       "code_prompt_hide": "Hide the solution"}
        elif EXTRA_CODE.match(cell.source):
            tags.append("hide-input")
            cell.metadata["mystnb"] = {"code_prompt_show": "Show the code that draws this figure",
                                       "code_prompt_hide": "Hide the code"}
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        raise BookError(f"{source.name} does not start with its title cell")
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(run_note(binder)))
    nbformat.write(nb, target)
    return nb


def errata_page(notebooks):
    """A page that lists every notebook's errata sections, linking to each."""
    lines = ["# Errata: the sources' mistakes, beside their corrections", "",
             "Each notebook starts from a published explanation and reproduces what is right in it. Where the "
             "source is wrong, the notebook shows the mistake beside its correction, in the sections below.", ""]
    for path, nb in notebooks:
        title = None
        found = []
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for level, text in HEADING.findall(cell.source):
                if title is None and len(level) == 1:
                    title = text
                if len(level) >= 2 and re.search(r"\berrat", text, re.IGNORECASE):
                    found.append(text)
        if not found:
            continue
        lines.append(f"## {title or path.stem}")
        lines.append("")
        for text in found:
            lines.append(f"- [{text}](notebooks/{path.name}#{_slug(text)})")
        lines.append("")
    return "\n".join(lines)


def _slug(text):
    """The anchor MyST gives a heading (myst_heading_anchors' GitHub-style slug)."""
    text = re.sub(r"[`*_]", "", text).strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def stage(src, binder):
    """Copy what the site shows into `src`, transformed as the module docstring says."""
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "docs").mkdir()
    notebooks = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebooks.append((path, stage_notebook(path, src / "notebooks" / path.name, binder)))
    if not notebooks:
        raise BookError("there are no notebooks in notebooks/")
    for doc in ("notation.md", "teaching.md"):
        shutil.copy2(ROOT / "docs" / doc, src / "docs" / doc)
    index = (BOOK / "index.md").read_text(encoding="utf-8")
    toc = "\n".join(f"notebooks/{path.stem}" for path, _ in notebooks)
    (src / "index.md").write_text(index.replace("{{ notebooks }}", toc), encoding="utf-8")
    (src / "errata.md").write_text(errata_page(notebooks), encoding="utf-8")
    return notebooks


def copy_mathjax(static):
    """MathJax and its font, from the pinned npm packages, into the site's static folder."""
    if not (MATHJAX / "tex-mml-chtml.js").exists() or not (MATHJAX_FONT / "chtml.js").exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BookError("MathJax is not installed and npm is missing (Debian: apt-get install nodejs npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=BOOK, check=True)
    if static.exists():
        shutil.rmtree(static)
    for part in MATHJAX_PARTS:
        _copy(MATHJAX / part, static / "mathjax" / part)
    for part in FONT_PARTS:
        _copy(MATHJAX_FONT / part, static / "mathjax-newcm-font" / part)


def _copy(source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.exists():
        shutil.copy2(source, target)


def build(binder=None, out=OUT):
    started = time.monotonic()
    src, html, static = out / "src", out / "html", out / "static"
    notebooks = stage(src, binder)
    copy_mathjax(static)
    if html.exists():
        shutil.rmtree(html)
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-c", str(BOOK), "-W", "--keep-going", "-q",
               "-d", str(out / "doctrees"), "-D", f"html_static_path={BOOK / '_static'},{static}",
               str(src), str(html)]
    result = subprocess.run(command)
    if result.returncode != 0:
        raise BookError(f"sphinx-build failed (exit {result.returncode}); its messages are above")
    size = sum(f.stat().st_size for f in html.rglob("*") if f.is_file())
    print(f"book: {len(notebooks)} notebooks, {len(list(html.rglob('*.html')))} pages, "
          f"{size / 2**20:.1f} MiB in {html.relative_to(ROOT)}/, built in {time.monotonic() - started:.0f} s")
    return html


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binder", default=None,
                        help="the Binder URL of the course's repository, for the link on every page")
    args = parser.parse_args(argv)
    try:
        build(args.binder)
    except BookError as error:
        print(f"make book: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
