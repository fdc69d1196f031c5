"""nbgrader preprocessors of the course, run by ``nbgrader autograde`` (nbgrader's own command,
unchanged: the course's nbgrader_config.py calls ``configure(c)``, which sets its pipelines).

Before anything runs (nbgrader's "sanitize" step):

- ``RestoreCells`` makes every cell what the gradebook says it is: for every grade id the gradebook
  knows, the cell's type, its ``grade``, ``solution``, ``locked`` and ``task`` flags and its points
  come from the gradebook, and so does its source unless it is an answer cell; the answer and test
  cells (and every other cell nbgrader knows) go back in the gradebook's order; a cell deleted by
  the learner comes back; duplicated, unknown or malformed nbgrader metadata is stripped (the cell
  stays, as the learner's own). nbgrader's own OverwriteCells and CheckCellMetadata run after it
  and find nothing to object to, so one malformed notebook never stops the class's grading. A
  notebook that cannot be read as one fails alone, with one line in the log.

Then (nbgrader's "autograde" step):

- ``ExecuteForGrading`` is nbgrader's ``Execute`` with the kernel in the sandbox
  (``helpers.classroom.sandbox``), in grading mode (``BACKPROP_GRADING=1``: references refused;
  ``BACKPROP_GRADING_SEED``: a fresh seed for the inputs of notebook 06's functions), with a
  throw-away progress file, its outputs capped while they stream (per cell and per notebook), and
  a kernel that dies (memory, CPU) failing the rest of its notebook only.
- ``VerifyAnswers`` replaces each course test cell's outputs with the grader's own verdict on the
  document the cell emitted, judged in the checking process (``helpers.classroom.checker``:
  decoded and checked in a child with memory and CPU-time limits): a plain line for a correct
  answer (nbgrader gives full points), an error output otherwise (0). What the kernel printed,
  raised or hid does not count.

``configure(c)`` loads the checker and every reference now (before any submission), verifies the
course files against the manifest of ``make classroom``, and installs all of the above.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import sys
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
import zmq
from nbformat.v4 import new_output
from nbgrader.api import Gradebook
from nbgrader.preprocessors import (CheckCellMetadata, ClearOutput, Execute, NbGraderPreprocessor,
                                    OverwriteCells, OverwriteKernelspec)
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import DeadKernelError
from traitlets import Integer

from helpers.classroom import GRADING_ENV, MIME, SEED_ENV, exercise_of
from helpers.classroom.checker import CPU_SECONDS, Checker, CheckerUnavailable
from helpers.classroom.sandbox import Sandbox, SandboxedKernelManager, SandboxUnavailable

MiB = 2**20
CELL_ID = re.compile(r"^[a-zA-Z0-9_-]{1,64}$")


class SubmissionRejected(Exception):
    """A submitted notebook that cannot be graded at all (it fails alone; the message says why)."""


# --------------------------------------------------------------------------- the grader's state

class _State:
    """What one grading process keeps between submissions: the checking process and the sandbox's
    verdict (both made before the first submission's kernel starts)."""

    checker = None
    course = None
    config = None
    sandbox_note = None


def before_submission(assignment=None, student=None, notebooks=None, **_):
    """nbgrader's pre_convert_hook: runs before nbgrader touches a submission. The first time, it
    starts the checking process (which loads everything and verifies the manifest) and builds one
    sandbox to see it stands; anything wrong stops the whole run (SystemExit, which nbgrader
    does not swallow), before any learner code has run."""
    from traitlets.config import Application

    app = Application.instance() if Application.initialized() else None
    sandbox = Sandbox(config=app.config if app is not None else _State.config)
    if _State.sandbox_note is None:
        try:
            _State.sandbox_note = _sandbox_policy(sandbox)
        except SandboxUnavailable as refused:
            raise SystemExit(f"autograde refused: {refused}") from None
        print(f"[backprop grader] {_State.sandbox_note}", file=sys.stderr, flush=True)
    elif not sandbox.enabled:
        print(f"[backprop grader] WARNING: {student}'s code runs WITHOUT the sandbox, with your rights",
              file=sys.stderr, flush=True)
    try:
        _checker().start()
    except CheckerUnavailable as failed:
        raise SystemExit(f"autograde refused: the course's checker could not start: {failed}") from None


def _sandbox_policy(sandbox):
    """Refuse what is unsafe, say loudly what is risky, return a sentence saying what holds."""
    root = os.geteuid() == 0
    if sandbox.enabled:
        try:
            return sandbox.self_test()
        except SandboxUnavailable as missing:
            raise SandboxUnavailable(
                f"{missing}. Learner code would run with your rights ({'root' if root else 'the teacher'}): "
                "install bubblewrap and allow user namespaces (docs/teaching.md), or, to accept the risk, "
                "set c.Sandbox.enabled = False") from None
    if root and not sandbox.allow_unsandboxed_root:
        raise SandboxUnavailable(
            "the sandbox is off (c.Sandbox.enabled = False) and this is root: learner code would run as root. "
            "Turn the sandbox on, or grade as a user who owns nothing else (c.Sandbox.allow_unsandboxed_root = True "
            "is for measurements on a throw-away machine only)")
    return ("WARNING: the sandbox is OFF (c.Sandbox.enabled = False): every submission's code runs with YOUR rights "
            f"({'root' if root else 'uid ' + str(os.getuid())}): it can read and change the gradebook, the course, other "
            "submissions and your files, use the network, and leave processes behind")


def _checker():
    if _State.checker is None:
        _State.checker = Checker(_State.course)
        atexit.register(_State.checker.stop)
    return _State.checker


# --------------------------------------------------------------------------- the sanitize step

@dataclass(frozen=True)
class BookCell:
    """One cell as the gradebook knows it."""

    name: str
    cell_type: str
    locked: bool
    source: str
    checksum: str | None
    grade: bool
    solution: bool
    task: bool
    points: float | None


def gradebook_cells(gradebook, notebook_id, assignment_id):
    """The cells the gradebook knows for one notebook, in the order generate_assignment saved them."""
    notebook = gradebook.find_notebook(notebook_id, assignment_id)
    grades = {c.name: c for c in notebook.grade_cells}
    tasks = {c.name: c for c in notebook.task_cells}
    solutions = {c.name for c in notebook.solution_cells}
    sources = list(notebook.source_cells)
    order = _saved_order(gradebook, notebook.id)
    if order:
        sources.sort(key=lambda c: order.get(c.name, len(order)))
    cells = []
    for source in sources:
        graded = grades.get(source.name) or tasks.get(source.name)
        cells.append(BookCell(source.name, source.cell_type, bool(source.locked), source.source or "",
                              source.checksum, source.name in grades, source.name in solutions,
                              source.name in tasks, None if graded is None else float(graded.max_score)))
    return cells


def _saved_order(gradebook, notebook_key):
    """{cell name: position} from the order the rows were written (SQLite's rowid): nbgrader's
    SaveCells writes a notebook's cells in notebook order, and rewrites them all when it changes."""
    from sqlalchemy import text

    if gradebook.db.bind.dialect.name != "sqlite":
        return {}  # other databases: nbgrader's own assumption, the relationship's order
    rows = gradebook.db.execute(text("SELECT name, rowid FROM source_cell WHERE notebook_id = :id"),
                                {"id": notebook_key}).fetchall()
    return {name: position for position, (name, _) in enumerate(sorted(rows, key=lambda r: r[1]))}


def _metadata(book):
    meta = {"schema_version": 3, "grade": book.grade, "solution": book.solution, "locked": book.locked,
            "task": book.task, "grade_id": book.name, "cell_type": book.cell_type}
    if book.checksum:
        meta["checksum"] = book.checksum
    if book.grade or book.task:
        meta["points"] = book.points
    return meta


def _grade_id(cell):
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    grading = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = grading.get("grade_id") if isinstance(grading, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _source(cell):
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def _new_cell(cell_type, source, metadata, attachments=None):
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}.get(cell_type,
                                                                                               nbformat.v4.new_raw_cell)
    new = make(source, metadata=metadata)
    if attachments and cell_type == "markdown" and isinstance(attachments, dict):
        new["attachments"] = attachments
    return new


def restore(nb, book):
    """The notebook rebuilt from the gradebook's cells `book` and the learner's `nb`.

    Known cells (by grade id) take everything from the gradebook but an answer cell's source, and
    come in the gradebook's order; for a grade id that appears more than once, the last copy is the
    graded one (as nbgrader's DeduplicateIds), the others lose their nbgrader metadata. Cells
    nbgrader does not know stay, as the learner's own (nbgrader metadata stripped), right after
    the known cell they followed. A known cell the learner deleted comes back from the gradebook.

    Returns:
        (notebook, [what was changed, for the log]).
    Raises:
        SubmissionRejected: if `nb` is not a notebook at all.
    """
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise SubmissionRejected("it has no list of cells")
    known = {c.name: c for c in book}
    last = {}
    for index, cell in enumerate(cells):
        if isinstance(cell, dict) and _grade_id(cell) in known:
            last[_grade_id(cell)] = index
    report, anchors, current, order_seen = [], {None: []}, None, []
    stripped, dropped = [], 0
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            dropped += 1
            continue
        grade_id = _grade_id(cell)
        if grade_id in known and last[grade_id] == index:
            current = grade_id
            order_seen.append(grade_id)
            continue
        metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
        if "nbgrader" in metadata:
            stripped.append(grade_id or "?")
        metadata = {k: v for k, v in metadata.items() if k in ("tags", "jupyter", "collapsed", "scrolled")}
        anchors.setdefault(current, []).append(
            _new_cell(cell["cell_type"], _source(cell), metadata, cell.get("attachments")))
    out_cells = list(anchors[None])
    missing = []
    for entry in book:
        if entry.name in last:
            mine = cells[last[entry.name]]
            source = _source(mine) if entry.solution else entry.source
            attachments = mine.get("attachments")
        else:
            missing.append(entry.name)
            source, attachments = entry.source, None
        out_cells.append(_new_cell(entry.cell_type, source, {"nbgrader": _metadata(entry)}, attachments))
        out_cells.extend(anchors.get(entry.name, []))
    used = set()
    for cell in out_cells:  # stable ids: the grade id for known cells, the learner's if valid and unique
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        wanted = grade_id.replace("_", "-") if grade_id else None
        if not wanted or not CELL_ID.match(wanted) or wanted in used:
            wanted = uuid.uuid4().hex[:12]
        cell["id"] = wanted
        used.add(wanted)
    if [n for n in order_seen] != [c.name for c in book if c.name in last]:
        report.append("cells put back in the gradebook's order")
    if stripped:
        report.append(f"nbgrader metadata stripped from {len(stripped)} duplicated or unknown cell(s) "
                      f"({', '.join(sorted(set(stripped))[:5])})")
    if missing:
        report.append(f"{len(missing)} deleted cell(s) restored ({', '.join(missing[:5])})")
    if dropped:
        report.append(f"{dropped} malformed cell(s) dropped")
    for entry in book:
        if entry.name in last and _differs(cells[last[entry.name]].get("metadata", {}).get("nbgrader", {}), entry):
            report.append("nbgrader flags, points or schema restored from the gradebook")
            break
    notebook = nbformat.v4.new_notebook(cells=out_cells)
    metadata = nb.get("metadata")
    if isinstance(metadata, dict):
        notebook.metadata.update({k: v for k, v in metadata.items() if k in ("kernelspec", "language_info")})
    return notebook, report


def _differs(theirs, entry):
    """Whether the learner's nbgrader metadata says something else than the gradebook."""
    if not isinstance(theirs, dict) or theirs.get("schema_version") != 3:
        return True
    for key in ("grade", "solution", "locked", "task"):
        if bool(theirs.get(key, False)) != getattr(entry, key):
            return True
    if entry.grade or entry.task:
        try:
            return float(theirs.get("points")) != entry.points
        except (TypeError, ValueError):
            return True
    return set(theirs) - {"schema_version", "grade", "solution", "locked", "task", "grade_id", "points",
                          "checksum", "cell_type"} != set()


class RestoreCells(NbGraderPreprocessor):
    """Every cell as the gradebook says it is, before nbgrader's own checks (see ``restore``)."""

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        who = f"{info['student']} / {info['assignment']} / {info['notebook']}"
        try:
            with Gradebook(info["db_url"]) as gradebook:
                book = gradebook_cells(gradebook, info["notebook"], info["assignment"])
            nb, report = restore(nb, book)
        except Exception as exc:  # noqa: BLE001 - one learner's notebook, never the class's run
            reason = str(exc) if isinstance(exc, SubmissionRejected) else f"{type(exc).__name__}: {exc}"
            self.log.error("%s: the submitted notebook cannot be graded (%s): this learner is not graded, "
                           "the rest of the class is", who, reason)
            raise SubmissionRejected(f"{who}: {reason}") from None
        if report:
            self.log.warning("%s: %s", who, "; ".join(report))
        return nb, resources


# --------------------------------------------------------------------------- the autograde step

class ExecuteForGrading(Execute):
    """nbgrader's Execute: the kernel in the sandbox and in grading mode, outputs capped."""

    max_cell_output = Integer(4 * MiB, help="Bytes of output one cell may keep; the rest is dropped.").tag(config=True)
    max_output = Integer(32 * MiB, help="Bytes of output one notebook may keep; the rest is dropped.").tag(config=True)

    def __init__(self, **kw):
        # nbconvert makes preprocessors with parent=<the exporter>: the sandbox reads the same config
        sandbox = Sandbox(**{k: kw[k] for k in ("parent", "config") if kw.get(k) is not None})
        kw.setdefault("kernel_manager_class", SandboxedKernelManager if sandbox.enabled else AsyncKernelManager)
        super().__init__(**kw)
        self.sandbox = sandbox

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        if isinstance(km, SandboxedKernelManager):
            km.sandbox = self.sandbox
            km.kernel_env = {GRADING_ENV: "1", SEED_ENV: self._seed, "NBGRADER_EXECUTION": "autograde",
                             "BACKPROP_PROGRESS": "/home/learner/.backprop-progress.json"}
        self._km = km
        return km

    def preprocess(self, nb, resources=None, km=None):
        self._seed = secrets.token_hex(16)
        resources.setdefault("backprop", {})["seed"] = self._seed
        self._dead, self._locked, self._kept, self._km = None, False, 0, None
        self._cell_bytes, self._cut, self._monitor = {}, set(), None
        unsandboxed = {GRADING_ENV: "1", SEED_ENV: self._seed, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
                       "MKL_NUM_THREADS": "1"}  # one BLAS thread, as in the sandbox: two spin against each other
        saved = {name: os.environ.get(name) for name in (*unsandboxed, "BACKPROP_PROGRESS")}
        scratch = tempfile.TemporaryDirectory(prefix="backprop-grading-")
        if not self.sandbox.enabled:  # the kernel inherits the grader's environment
            os.environ.update({**unsandboxed, "BACKPROP_PROGRESS": os.path.join(scratch.name, "progress.json")})
        try:
            return super().preprocess(nb, resources, km)
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            scratch.cleanup()
            self._close_monitor()
            if isinstance(self._km, SandboxedKernelManager):
                killed = self._km.release()
                if killed:
                    self.log.error("%s: processes of the sandbox were still running after the notebook and were "
                                   "killed: %s", resources["nbgrader"]["student"], killed)

    def preprocess_cell(self, cell, resources, index):
        if self._dead:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
            return cell, resources
        if not self._locked:
            if isinstance(self.km, SandboxedKernelManager):
                self.km.lock()  # the kernel is up and has run nothing of the learner's yet
            self._watch_iopub()
            self._locked = True
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            if self._iopub_lost():
                # a message over Sandbox.max_message: ZMQ drops the connection and does not come
                # back by itself; reconnect, so that the learner's later cells still count
                self.log.warning("%s: the kernel sent a message over %d MiB in cell %d; it was dropped",
                                 resources["nbgrader"]["student"], self.sandbox.max_message // MiB, index)
                cell.outputs.append(new_output("stream", name="stdout", text=(
                    f"\n[output dropped by the grader: a message over {self.sandbox.max_message // MiB} MiB]\n")))
                self._reconnect_iopub()
            return cell, resources
        except DeadKernelError:
            status = self.km.exit_status() if isinstance(self.km, SandboxedKernelManager) else None
            log = self.km.kernel_log(300) if isinstance(self.km, SandboxedKernelManager) else ""
            self._dead = (f"the kernel stopped in this cell (exit status {status}: the memory or CPU limit, or a crash); "
                          "the cells after it were not run")
            self.log.warning("%s: %s. %s", resources["nbgrader"]["student"], self._dead, log[-300:])
            cell.outputs = [new_output("error", ename="KernelStopped", evalue=self._dead, traceback=[self._dead])]
            return cell, resources

    def _watch_iopub(self):
        """Listen for the iopub socket losing its connection (see preprocess_cell)."""
        socket = self.kc.iopub_channel.socket
        address = f"inproc://backprop-iopub-{id(socket)}-{secrets.token_hex(4)}"
        socket.monitor(address, zmq.EVENT_DISCONNECTED)
        self._monitor = zmq.Socket(self.kc.context, zmq.PAIR)  # a plain socket, polled between cells
        self._monitor.connect(address)

    def _close_monitor(self):
        if self._monitor is not None:
            self._monitor.close(linger=0)
            self._monitor = None

    def _cleanup_kernel(self):
        self._close_monitor()  # before the client's context is destroyed (it would wait for it)
        return super()._cleanup_kernel()

    def _iopub_lost(self):
        lost = False
        while self._monitor is not None and self._monitor.poll(0):
            self._monitor.recv_multipart()
            lost = True
        return lost

    def _reconnect_iopub(self):
        from jupyter_core.utils import run_sync

        self._close_monitor()
        self.kc.iopub_channel.close()
        self.kc._iopub_channel = None
        self.kc.iopub_channel.start()
        run_sync(self.kc.wait_for_ready)(timeout=60)  # until the kernel's outputs reach us again
        self._watch_iopub()

    def process_message(self, msg, cell, cell_index):
        """Outputs are capped as they arrive: beyond a cell's or the notebook's share, they are
        dropped (one note says so), so a submission that prints without end costs the grader
        nothing. The test cell's answer document, small, always gets through."""
        msg_type = msg.get("msg_type", "")
        if msg_type in ("stream", "display_data", "execute_result", "error", "update_display_data") \
                or msg_type.startswith("comm"):
            size = _size(msg.get("content"))
            content = msg.get("content") if isinstance(msg.get("content"), dict) else {}
            data = content.get("data") if isinstance(content.get("data"), dict) else {}
            is_answer = msg_type == "display_data" and MIME in data and size <= 2 * MiB
            spent = self._cell_bytes.get(cell_index, 0)
            if not is_answer and (spent + size > self.max_cell_output or self._kept + size > self.max_output):
                if cell_index not in self._cut:
                    self._cut.add(cell_index)
                    cell.outputs.append(new_output("stream", name="stdout", text=(
                        f"\n[output cut by the grader: over {self.max_cell_output // MiB} MiB in this cell "
                        f"or {self.max_output // MiB} MiB in the notebook]\n")))
                return None
            self._cell_bytes[cell_index] = spent + size
            self._kept += size
        return super().process_message(msg, cell, cell_index)


def _size(value, limit=64 * MiB):
    """An estimate of the bytes a message's content holds (strings, and a little per item)."""
    total, stack = 0, [value]
    while stack and total < limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += 8 * len(item)
            stack.extend(item.values())
            stack.extend(k for k in item if isinstance(k, str))
        elif isinstance(item, (list, tuple)):
            total += 8 * len(item)
            stack.extend(item)
        else:
            total += 8
    return total


class Verdict(tuple):
    """(correct?, sentence), and the kind of answer as ``.diagnosis``: the checker's key, or "unanswered",
    "no-answer" (nothing reached the grader), "refused" (not a plain answer), "timeout", "unavailable"
    (the checking process failed). The class report (helpers/insights/report.py) reads it from the
    test cell's metadata (see VerifyAnswers)."""

    def __new__(cls, correct, sentence, diagnosis):
        verdict = super().__new__(cls, (correct, sentence))
        verdict.diagnosis = diagnosis
        return verdict


class VerifyAnswers(NbGraderPreprocessor):
    """Replace each course test cell's outputs with the grader's own verdict on its answer."""

    def preprocess(self, nb, resources):
        self._seed = resources.get("backprop", {}).get("seed")
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        grading = cell.metadata.get("nbgrader", {})
        exercise_id = exercise_of(grading.get("grade_id"))
        if cell.cell_type != "code" or not grading.get("grade") or grading.get("solution") or exercise_id is None:
            return cell, resources
        judged = verdict(exercise_id, cell.get("outputs", []), self._seed)
        correct, sentence = judged
        # for the class report (helpers/insights/report.py): the grader's own verdict, written over
        # anything the submission put there
        cell.metadata["backprop"] = {"verdict": {"exercise": exercise_id, "correct": bool(correct),
                                                 "diagnosis": getattr(judged, "diagnosis", None)}}
        if correct:
            cell.outputs = [new_output("stream", name="stdout", text=sentence + "\n")]
        else:
            cell.outputs = [new_output("error", ename="NotCorrect", evalue=sentence, traceback=[sentence])]
        self.log.debug("%s: %s", exercise_id, sentence)
        return cell, resources


def verdict(exercise_id, outputs, seed=None):
    """(correct?, sentence) for the outputs a test cell produced in the learner's kernel (a Verdict)."""
    documents = [o["data"][MIME] for o in outputs
                 if o.get("output_type") in ("display_data", "execute_result") and MIME in o.get("data", {})]
    if not documents:
        return Verdict(False, (f"Exercise {exercise_id}: no answer reached the grader (the test cell did not run to its "
                               "end: an error in or before it, or the answer's name is not defined)."), "no-answer")
    if len(documents) > 1:
        return Verdict(False, f"Exercise {exercise_id}: the test cell emitted {len(documents)} answers instead of one.",
                       "refused")
    try:
        return Verdict(*_checker().check(exercise_id, documents[0], seed))
    except CheckerUnavailable as failed:
        return Verdict(False, f"Exercise {exercise_id}: the grader could not check it ({failed}); grade it by hand.",
                       "unavailable")


# --------------------------------------------------------------------------- the configuration

def configure(c, course=None):
    """Set up an nbgrader config for the course: stubs, limits, the sandbox and the grading pipeline.

    Args:
        c: the config object of an nbgrader_config.py.
        course: that file's path (``__file__``) or its folder: the course root, whose
            ``.classroom-manifest.json`` the course files are verified against.

    Raises:
        helpers.classroom.manifest.ManifestMismatch: the course changed since ``make classroom``.
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: F401 - the default pipeline's
    from nbgrader.converters import Autograde

    from helpers.classroom import manifest
    from helpers.classroom.checker import load

    load()  # the checker, every exercise, every reference and mistake, lessons, nets, data: now
    if course is not None:
        root = Path(course)
        root = root.parent if root.is_file() or root.suffix == ".py" else root
        manifest.verify(root)
        _State.course = str(root)
    _State.config = c

    c.ClearSolutions.code_stub = {"python": ""}   # the answer cell keeps its `name = ...` line
    c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    c.Execute.timeout = 120  # wall seconds per cell: a cell that waits (sleeps) is interrupted
    # a cell that printed a lot may still be streaming when its reply comes: wait for its outputs
    # longer than nbclient's 4 s, and never let a late message fail the learner's whole notebook
    c.Execute.iopub_timeout = 30
    c.Execute.raise_on_iopub_timeout = False
    c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreCells, OverwriteKernelspec, OverwriteCells,
                                          CheckCellMetadata]
    pipeline = list(Autograde.class_traits()["autograde_preprocessors"].default())
    where = pipeline.index(Execute)
    pipeline[where:where + 1] = [ExecuteForGrading, VerifyAnswers]
    c.Autograde.autograde_preprocessors = pipeline
    c.Autograde.pre_convert_hook = before_submission
    return c


__all__ = ["configure", "RestoreCells", "ExecuteForGrading", "VerifyAnswers", "restore", "verdict",
           "before_submission", "SubmissionRejected", "CPU_SECONDS"]
