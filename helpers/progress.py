"""The learner's progress: which exercises were answered correctly, kept in a small local file.

The file is JSON, ``{"correct": {"1.3": true, ...}}``, at ``$BACKPROP_PROGRESS`` if set, else
``.progress.json`` at the root of the course (ignored by git). It is written to a temporary
file and moved into place, so a crash mid-write leaves the old file whole; a missing or
unreadable file means "no progress yet" (with a note), never an error.

    from helpers import progress
    progress.show("01")       # notebook 01's exercises (the last cell of every notebook)
    progress.show()           # the whole course (also ``helpers.show_progress()``)
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def path():
    """Where progress is kept."""
    return Path(os.environ.get("BACKPROP_PROGRESS") or ROOT / ".progress.json")


NO_FILE_NOTE = "no progress recorded yet: every exercise you answer correctly is remembered here, across kernel restarts."


def load():
    """(set of correctly answered ids, a note or None). A missing or corrupt file means no progress."""
    p = path()
    try:
        if not p.exists():
            return set(), NO_FILE_NOTE
        data = json.loads(p.read_text(encoding="utf-8"))
        return {str(k) for k, v in data["correct"].items() if v is True}, None
    except Exception:
        return set(), f"the progress file {p.name} could not be read, so no progress is shown; it will be rewritten at the next correct answer."


@contextlib.contextmanager
def _lock(directory):
    """Serialise writers (two kernels answering at once) with a lock on the directory; best effort."""
    try:
        import fcntl

        fd = os.open(directory, os.O_RDONLY)
    except (ImportError, OSError):  # no fcntl (Windows) or no lockable directory: write unlocked
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def record(exercise_id, correct):
    """Remember a correct answer (a wrong one never erases an earlier success)."""
    if not correct:
        return
    p = path()
    p.parent.mkdir(parents=True, exist_ok=True)
    with _lock(p.parent):
        done, _ = load()  # read under the lock, so a success recorded by another kernel is kept
        if exercise_id in done:
            return
        done.add(exercise_id)
        fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=p.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"correct": {k: True for k in sorted(done)}}, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, p)  # atomic: readers see the old file or the new one, never half of one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class Progress:
    """Per notebook, which exercises are answered correctly: text for nbval, HTML for JupyterLab."""

    def __init__(self, rows, note):
        self.rows, self.note = rows, note  # rows: (notebook, [(id, done), ...])

    def __str__(self):
        lines = [] if self.note is None else [f"Note: {self.note}"]
        for notebook, items in self.rows:
            if not items:
                lines.append(f"Notebook {notebook}: no exercises.")
                continue
            done = sum(ok for _, ok in items)
            marks = " ".join(f"{i}{'✔' if ok else '·'}" for i, ok in items)
            lines.append(f"Notebook {notebook}: {done} of {len(items)} correct   {marks}")
        return "\n".join(lines) if lines else "No exercises."

    __repr__ = __str__

    def _repr_html_(self):
        import html

        parts = [] if self.note is None else [f"<p><i>Note: {html.escape(self.note)}</i></p>"]
        for notebook, items in self.rows:
            if not items:
                parts.append(f"<div><b>Notebook {html.escape(notebook)}</b>: no exercises.</div>")
                continue
            done = sum(ok for _, ok in items)
            cells = "".join(
                f"<span style='display:inline-block;min-width:2.6em;margin:1px;padding:1px 4px;border-radius:3px;"
                f"background:{'#dafbe1' if ok else '#f6f8fa'};color:{'#1a7f37' if ok else '#6e7781'}'>"
                f"{html.escape(i)}{' ✔' if ok else ''}</span>"
                for i, ok in items
            )
            parts.append(f"<div><b>Notebook {html.escape(notebook)}</b>: {done} of {len(items)} correct {cells}</div>")
        return "".join(parts)


def show(notebook=None):
    """Where the learner stands: per notebook, the exercises answered correctly so far.

    Args:
        notebook: "01" … "05" (or 1 … 5) for one notebook; None for the whole course.

    Returns:
        A Progress, which Jupyter displays as a table (and prints as text).
    """
    from helpers import exercises

    done, note = load()
    groups = {}
    for exercise_id in exercises.ids():
        groups.setdefault(f"{int(exercise_id.split('.')[0]):02d}", []).append((exercise_id, exercise_id in done))
    if notebook is not None:
        key = f"{int(str(notebook)):02d}" if str(notebook).isdigit() else str(notebook)
        groups = {key: groups.get(key, [])}
    if note == NO_FILE_NOTE and not any(groups.values()):
        note = None  # nothing to answer here: the note would only depend on other notebooks
    return Progress(sorted(groups.items()), note)
