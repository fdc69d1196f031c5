"""The website's staging (tools/make_book.py), without building it: make test-book builds the site
and opens it in Chromium; these catch in a second what would otherwise fail only there."""

import importlib.util
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("make_book", ROOT / "tools" / "make_book.py")
make_book = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_book)

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LINK = re.compile(r"\]\((\d\d_\w+\.ipynb)#([^)\s]+)\)")


def test_links_to_the_readme_and_to_another_notebooks_heading_use_the_sites_addresses():
    text = "[a](../README.md), [b](01_one_weight.ipynb#How-to-work-in-these-notebooks), [c](https://x.org/A#B)"
    assert make_book._rewrite_links(text) == (
        "[a](../index.md), [b](01_one_weight.ipynb#how-to-work-in-these-notebooks), [c](https://x.org/A#B)")


def _headings(path):
    nb = nbformat.read(path, as_version=4)
    return {make_book._slug(text) for cell in nb.cells if cell.cell_type == "markdown"
            for _, text in make_book.HEADING.findall(cell.source)}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_every_link_to_another_notebooks_heading_finds_it_on_the_site(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target, anchor in LINK.findall(make_book._rewrite_links(cell.source)):
            assert (ROOT / "notebooks" / target).exists(), f"{path.name} links to a missing {target}"
            assert anchor in _headings(ROOT / "notebooks" / target), (
                f"{path.name} links to #{anchor} of {target}, which has no such heading on the site")
