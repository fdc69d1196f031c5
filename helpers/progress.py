"""The learner's progress: per exercise, not tried / tried (not yet right) / correct, and hints taken.

Only the learner's own answers count: ``check`` in an exercise cell records; ``solution`` in a
solution cell verifies without recording, so running every cell of a notebook credits nothing.

The file is JSON, ``{"version": 2, "exercises": {"3.4": {"status": "correct", "hints": 1}}}``, at
``$BACKPROP_PROGRESS`` if set, else ``.progress.json`` at the root of the course the notebook
belongs to (the student edition keeps its own). It is written to a temporary file and moved
into place, so a crash mid-write leaves the old file whole; the file's permissions are kept, and
a symlinked file stays a symlink (its target is replaced). A missing or unreadable file means
"no progress yet" (with a note), never an error; a file that cannot be written is said once.

    from helpers import progress
    progress.show("01")       # notebook 01's exercises (the last cell of every notebook)
    progress.show()           # the whole course (also ``helpers.show_progress()``)
    progress.reset("01")      # forget notebook 01's progress; progress.reset() forgets all
"""

from __future__ import annotations

import contextlib
import html
import json
import os
import stat
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("tried", "correct")


def _course_root():
    """The course the running notebook belongs to: the nearest folder above the working directory
    that holds both notebooks/ and helpers/ (the course, or a student edition); else this package's."""
    try:
        here = Path.cwd().resolve()
    except OSError:
        return ROOT
    for folder in (here, *here.parents):
        if (folder / "helpers").is_dir() and (folder / "notebooks").is_dir():
            return folder
    return ROOT


def path():
    """Where progress is kept."""
    return Path(os.environ.get("BACKPROP_PROGRESS") or _course_root() / ".progress.json")


NO_FILE_NOTE = "no progress recorded yet: each exercise you answer in its exercise cell is remembered here, across kernel restarts."


def _parse(data):
    """{id: {"status": ..., "hints": n}} from the file's JSON (version 2, or version 1's {"correct": …})."""
    entries = {}
    if isinstance(data, dict) and isinstance(data.get("exercises"), dict):
        for key, entry in data["exercises"].items():
            if not isinstance(entry, dict):
                continue
            status = entry.get("status")
            hints = entry.get("hints", 0)
            entries[str(key)] = {
                "status": status if status in STATUSES else None,
                "hints": hints if isinstance(hints, int) and not isinstance(hints, bool) and 0 <= hints <= 9 else 0,
            }
    elif isinstance(data, dict) and isinstance(data.get("correct"), dict):
        for key, value in data["correct"].items():
            if value is True:
                entries[str(key)] = {"status": "correct", "hints": 0}
    else:
        raise ValueError("not a progress file")
    return entries


def load_entries():
    """({id: {"status": "tried"|"correct"|None, "hints": n}}, a note or None)."""
    p = path()
    try:
        if not p.exists():
            return {}, NO_FILE_NOTE
        return _parse(json.loads(p.read_text(encoding="utf-8"))), None
    except Exception:
        return {}, f"the progress file {p.name} could not be read, so no progress is shown; it will be rewritten at your next answer."


def load():
    """(set of correctly answered ids, a note or None). A missing or corrupt file means no progress."""
    entries, note = load_entries()
    return {k for k, v in entries.items() if v["status"] == "correct"}, note


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


def _target():
    """The file to replace: a symlinked progress file stays a symlink, its target is rewritten."""
    p = path()
    with contextlib.suppress(OSError):
        if p.is_symlink():
            return Path(os.path.realpath(p))
    return p


def _write(change):
    """Apply change(entries) to the file under the lock, atomically, keeping its permissions.

    Raises:
        OSError: when the file or its folder cannot be written (the caller says so to the learner).
    """
    p = _target()
    p.parent.mkdir(parents=True, exist_ok=True)
    with _lock(p.parent):
        entries, _ = load_entries()  # read under the lock, so what another kernel recorded is kept
        if change(entries) is False:
            return
        try:
            mode = stat.S_IMODE(p.stat().st_mode)
        except OSError:
            mode = 0o666 & ~_umask()
        fd, tmp = tempfile.mkstemp(prefix=".progress-", suffix=".tmp", dir=p.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump({"version": 2, "exercises": {k: entries[k] for k in sorted(entries)}}, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, mode)
            os.replace(tmp, p)  # atomic: readers see the old file or the new one, never half of one
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


_WARNED = set()


def _save(change):
    """Write, and return None, or the sentence to show once if progress could not be saved."""
    try:
        _write(change)
        return None
    except Exception as exc:
        where = str(path())
        if where in _WARNED:
            return None
        _WARNED.add(where)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        return (f"Your progress could not be saved ({reason}: {where}); the verdict above still holds. "
                "Set BACKPROP_PROGRESS to a writable file to keep it.")


def record(exercise_id, status):
    """Remember a learner's answer: "correct", or "tried" (a wrong answer never erases a success).

    Args:
        status: "correct" or "tried"; True/False are read as those two.

    Returns:
        None, or a sentence (said once) if the progress file could not be written.
    """
    status = {True: "correct", False: "tried"}.get(status, status) if isinstance(status, bool) else status
    if status not in STATUSES:
        return None

    def change(entries):
        entry = entries.setdefault(exercise_id, {"status": None, "hints": 0})
        if entry["status"] == "correct" or entry["status"] == status:
            return False
        entry["status"] = status

    return _save(change)


def record_hint(exercise_id, level):
    """Remember that hint `level` of an exercise was read (the highest level read is kept)."""

    def change(entries):
        entry = entries.setdefault(exercise_id, {"status": None, "hints": 0})
        if entry["hints"] >= level:
            return False
        entry["hints"] = level

    return _save(change)


def hints_taken(exercise_id):
    entries, _ = load_entries()
    return entries.get(exercise_id, {}).get("hints", 0)


def _notebook_key(notebook):
    text = str(notebook).strip()
    return f"{int(text):02d}" if text.isdigit() else text


def reset(notebook=None):
    """Forget progress: of one notebook ("03" or 3), or of the whole course (no argument).

    Returns:
        A sentence saying what was forgotten.
    """
    key = None if notebook is None else _notebook_key(notebook)

    def change(entries):
        for exercise_id in list(entries):
            if key is None or _notebook_key(exercise_id.split(".")[0]) == key:
                del entries[exercise_id]

    problem = _save(change)
    if problem:
        return ResetNote(problem)
    return ResetNote(f"Progress of notebook {key} forgotten." if key else "All progress forgotten.")


class ResetNote(str):
    def __repr__(self):
        return str(self)


MARK = {"correct": "✔", "tried": "✘", None: "·"}
WORD = {"correct": "correct", "tried": "tried, not yet right", None: "not tried"}


class Progress:
    """Per notebook, where each exercise stands: text for nbval, HTML for JupyterLab."""

    def __init__(self, rows, note):
        self.rows, self.note = rows, note  # rows: (notebook, [(id, status, hints), ...])

    @staticmethod
    def _summary(items):
        done = sum(s == "correct" for _, s, _ in items)
        tried = sum(s == "tried" for _, s, _ in items)
        hints = sum(h for _, _, h in items)
        extra = []
        if tried:
            extra.append(f"{tried} tried, not yet right")
        if hints:
            extra.append(f"{hints} hint{'s' if hints != 1 else ''} taken")
        return f"{done} of {len(items)} correct" + (f" ({', '.join(extra)})" if extra else "")

    def __str__(self):
        lines = [] if self.note is None else [f"Note: {self.note}"]
        for notebook, items in self.rows:
            if not items:
                lines.append(f"Notebook {notebook}: no exercises.")
                continue
            marks = " ".join(f"{i}{MARK[s]}" for i, s, _ in items)
            lines.append(f"Notebook {notebook}: {self._summary(items)}   {marks}")
        if any(items for _, items in self.rows):
            lines.append("(✔ correct, ✘ tried, not yet right, · not tried)")
        return "\n".join(lines) if lines else "No exercises."

    __repr__ = __str__

    def _repr_html_(self):
        style = {"correct": "background:#dafbe1;color:#116329", "tried": "background:#ffebe9;color:#a40e26",
                 None: "background:#f6f8fa;color:#424a53"}
        parts = [] if self.note is None else [f"<p><i>Note: {html.escape(self.note)}</i></p>"]
        for notebook, items in self.rows:
            if not items:
                parts.append(f"<div><b>Notebook {html.escape(notebook)}</b>: no exercises.</div>")
                continue
            cells = "".join(
                f"<span style='display:inline-block;min-width:2.6em;margin:1px;padding:1px 4px;"
                f"border-radius:3px;{style[s]}'>{html.escape(i)} {MARK[s]}</span>"
                for i, s, _ in items
            )
            parts.append(f"<div><b>Notebook {html.escape(notebook)}</b>: {html.escape(self._summary(items))} {cells}</div>")
        if any(items for _, items in self.rows):
            parts.append("<div><small>✔ correct, ✘ tried, not yet right, · not tried</small></div>")
        return "".join(parts)


def show(notebook=None):
    """Where the learner stands: per notebook, each exercise correct, tried, or not tried.

    Args:
        notebook: "01" … "06" (or 1 … 6) for one notebook; None for the whole course.

    Returns:
        A Progress, which Jupyter displays as a table (and prints as text).
    """
    from helpers import exercises

    entries, note = load_entries()
    groups = {}
    for exercise_id in exercises.ids():
        entry = entries.get(exercise_id, {})
        groups.setdefault(_notebook_key(exercise_id.split(".")[0]), []).append(
            (exercise_id, entry.get("status"), entry.get("hints", 0)))
    if notebook is not None:
        key = _notebook_key(notebook)
        groups = {key: groups.get(key, [])}
    if note == NO_FILE_NOTE:
        note = None  # "0 of N correct" says it already
    return Progress(sorted(groups.items()), note)
