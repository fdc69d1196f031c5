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
