"""Shared by the unit tests and nbval: progress goes to a throw-away file, never the learner's."""

import os
import tempfile

import pytest

# Set before any kernel starts, so nbval's kernels inherit it too.
os.environ["BACKPROP_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="backprop-progress-"), "progress.json")


@pytest.fixture(autouse=True)
def _own_progress_file(request, tmp_path_factory, monkeypatch):
    """Each Python test answers into a progress file of its own, so that what one test records
    (a wrong answer is recorded as 'tried') never shows in a notebook's stored progress line that
    nbval compares, nor in another test."""
    if isinstance(request.node, pytest.Function):
        monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path_factory.mktemp("progress") / "progress.json"))


# The heaviest files first: make test runs on two pytest-xdist workers that take whole files
# (--dist loadfile) in collection order (with --no-loadscope-reorder: by default xdist hands out the
# files with the most tests first), and a notebook's run left for the end keeps one worker busy while
# the other waits. The sort is stable: the order inside a file (nbval's cells) is kept.
HEAVY_FIRST = ("tests/test_workbook_late.py", "tests/test_workbook.py", "notebooks/04_", "notebooks/05_",
               "tests/test_properties.py", "tests/test_checks_bite.py", "tests/test_fuzz.py", "notebooks/03_")


def pytest_collection_modifyitems(config, items):
    def rank(item):
        path = item.nodeid.split("::")[0]
        return next((i for i, prefix in enumerate(HEAVY_FIRST) if path.startswith(prefix)), len(HEAVY_FIRST))

    items.sort(key=rank)
