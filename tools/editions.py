"""The editions of the course, generated from the course notebooks by one generator.

    python tools/editions.py workbook              # workbook/: the learner's copies (what `make lab` runs first)
    python tools/editions.py workbook --take 03    # take the course's newer 03, keeping yours beside it
    python tools/editions.py student [--out DIR]   # build/student/ (what `make student` runs)

The course notebooks (``notebooks/*.ipynb``) are stored with their outputs, for nbval and for any
viewer; nobody works in them. What a person works in is generated from them, never edited by hand:

- **the workbook** (``workbook/``, git-ignored): every output cleared (no stored output shows an
  answer before the learner tries), the solutions kept behind their collapsed cells, the
  ``# extra code`` figure cells collapsed, each notebook signed as trusted for this user (so
  JupyterLab neither warns nor blocks its outputs), beside a README and the docs the notebooks
  link to, so that ``../README.md`` and ``../docs/notation.md`` resolve inside JupyterLab's root.
  Once written, a workbook notebook is the learner's: a later build never overwrites one the
  learner changed; it says when the course has a newer version and how to take it
  (``--take``), which keeps the learner's copy beside the new one. Untouched notebooks are
  refreshed. ``workbook/.workbook.json`` remembers what was generated, to tell the two apart.
- **the student edition** (``build/student/``): the same, with every solution cell deleted, and
  its own copy of ``helpers/``, ``data/`` and the install files, to hand out on its own.

A notebook that breaks the exercise convention (an exercise cell without ``...``, a cell tagged
both ways, an untagged cell that starts ``# Solution``) stops the build with a message naming
the notebook and cell, and nothing is written.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"(?<![.\w])\.\.\.(?![.\w])")
EXTRA_CODE = re.compile(r"#\s*extra code\b", re.I)
NOTEBOOK_GLOB = "[0-9][0-9]_*.ipynb"

# The student edition
STUDENT_MARKER = ".student-edition"  # marks a directory this script made, so it may replace it
COPIED = ("helpers", "data", "pyproject.toml", "environment.yml", ".gitignore", "LICENSE", "LICENSE.md")
REQUIRED = ("helpers", "data")
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".progress.json", ".progress-*.tmp")

# The workbook
WORKBOOK = "workbook"
MANIFEST = ".workbook.json"  # what was generated: tells the learner's changes from the course's
FIRST_NOTEBOOK = "01_one_weight.ipynb"  # where `make lab` opens the workbook
# The course README's sections a learner needs beside the notebooks (the rest is for teachers and
# maintainers, and links to files the workbook does not have).
README_SECTIONS = ("The notebooks", "How an exercise works", "How long each notebook takes", "Troubleshooting")


class StudentEditionError(Exception):
    """A course notebook that cannot be turned into an edition safely (the name is historical:
    tools/make_classroom.py catches it)."""


EditionError = StudentEditionError


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def commit_of(root):
    """The short commit of the course repository, or "an uncommitted tree" without git."""
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10, check=True)
        commit = out.stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--", "notebooks", "helpers", "data"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        return f"{commit} (with uncommitted changes)" if dirty else commit
    except (OSError, subprocess.SubprocessError):
        return "an uncommitted tree"


def _clean(nb, source_name, keep_solutions):
    """The edition's copy of one course notebook (the input is untouched): outputs and execution
    counts cleared, figure code collapsed, solutions kept collapsed or deleted.

    Returns:
        (notebook, number of exercise cells, number of solution cells).

    Raises:
        StudentEditionError: when the notebook breaks the exercise convention.
    """
    edition = nbformat.from_dict(nb)  # a deep copy
    cells, exercises, solutions = [], 0, 0
    for index, cell in enumerate(edition.cells):
        tags = _tags(cell)
        first_line = cell.source.lstrip().splitlines()[0] if cell.source.strip() else ""
        where = f"{source_name}, cell {index} ({first_line[:40]!r})"
        if {"exercise", "solution"} <= tags:
            raise StudentEditionError(f"{where} is tagged both exercise and solution.")
        if "solution" in tags:
            solutions += 1
            if not keep_solutions:
                continue
        if "exercise" in tags:
            if cell.cell_type != "code" or not PLACEHOLDER.search(cell.source):
                raise StudentEditionError(f"{where} is an exercise cell without its ... placeholder.")
            exercises += 1
        elif cell.cell_type == "code" and "solution" not in tags and re.match(r"#\s*Solution\b", first_line):
            raise StudentEditionError(f"{where} looks like a solution but is not tagged 'solution'.")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
            if "solution" in tags or EXTRA_CODE.match(first_line):
                # collapsed in JupyterLab: a click on the ••• shows it (the solution's answer, the
                # figure's plotting code a learner may skip)
                cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
        cell.metadata.pop("execution", None)  # execution timings written by nbclient
        cell.metadata.pop("trusted", None)
        cells.append(cell)
    edition.cells = cells
    edition.metadata.pop("widgets", None)  # saved widget views belong to the cleared outputs
    return edition, exercises, solutions


def studentise(nb, source_name, commit):
    """Turn one course notebook into its student version (a new notebook; the input is untouched).

    Args:
        nb: the course notebook (nbformat NotebookNode, version 4).
        source_name: where it came from, as shown to the learner ("notebooks/01_one_weight.ipynb").
        commit: the course commit it came from.

    Returns:
        (student notebook, number of exercise cells kept, number of solution cells removed).

    Raises:
        StudentEditionError: when the notebook breaks the exercise convention.
    """
    student, exercises, removed = _clean(nb, source_name, keep_solutions=False)
    note = nbformat.v4.new_markdown_cell(
        "> **Student edition.** Generated by `tools/editions.py` from "
        f"`{source_name}` (course commit `{commit}`): the worked solutions are removed and the "
        "outputs cleared. In each exercise cell, replace the `...` with your answer and run the "
        "cell; `check` tells you whether it is right and, if not, what looks wrong. "
        "Do not edit this copy to change the course: it is rebuilt by `make student`.",
        metadata={"tags": ["student-edition"]},
    )
    if student.nbformat_minor >= 5:
        note["id"] = "student-edition-note"
    else:
        note.pop("id", None)
    student.cells = [note] + student.cells
    return student, exercises, removed


def workbook_notebook(nb, source_name):
    """One course notebook as the learner's workbook copy: outputs cleared, solutions and figure
    code collapsed, nothing else changed (the title and navigation stay the first cell, so the
    notebooks' links work as in the course).

    Returns:
        (workbook notebook, number of exercise cells, number of solution cells kept).
    """
    return _clean(nb, source_name, keep_solutions=True)


def fingerprint(nb):
    """What the learner could have changed: the cells' types and sources, in order (outputs and
    metadata change when a notebook is only run or opened, and are not the learner's work)."""
    cells = [[cell.get("cell_type"), "".join(cell.get("source", ""))] for cell in nb.get("cells", [])]
    return hashlib.sha256(json.dumps(cells, ensure_ascii=False).encode("utf-8")).hexdigest()


def _title(nb, fallback):
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("# "):
            return cell.source.lstrip().splitlines()[0][2:].strip()
    return fallback


def _sources(src):
    sources = sorted((src / "notebooks").glob(NOTEBOOK_GLOB))
    if not sources:
        raise StudentEditionError(f"no notebooks found in {src / 'notebooks'}")
    return sources


# --- the student edition ---------------------------------------------------------------------

def _student_readme(rows, commit):
    table = "\n".join(f"| [`{name}`](notebooks/{name}) | {title} | {n} |" for name, title, n in rows)
    return f"""# Backpropagation, from one weight to matrix form: student edition

Generated by `tools/editions.py` from the course repository (commit `{commit}`); rebuilt,
never edited by hand. The notebooks are the course's with the worked solutions removed and the
outputs cleared.

In each exercise cell, replace the `...` with your answer and run the cell: `check` says
whether it is right and, if not, what looks wrong (wrong shape, transposed, wrong sign, a
constant factor off, rounded too early, or a known mistake with a hint). The last cell of each
notebook shows which of its exercises you have answered correctly so far; that progress is kept
in `.progress.json` beside `helpers/` (delete it to start again).

## Running it

- From the course repository: `make student`, then `.venv/bin/jupyter lab build/student`
  (the course's environment already has everything, `helpers` included).
- On its own, with pip: `python -m venv .venv && .venv/bin/pip install -e . && .venv/bin/jupyter lab`
- With conda: `conda env create -f environment.yml && conda activate backprop-course && jupyter lab`

Run each notebook top to bottom (Run → Run All Cells works: an unanswered exercise says
"not answered yet" and the notebook carries on from the reference values).

## Notebooks

| notebook | title | exercises |
| --- | --- | --- |
{table}
"""


def build(out=None, src=ROOT, quiet=False):
    """Build the student edition.

    Args:
        out: the output directory (default build/student/ of the course); replaced as a whole.
        src: the course repository.
        quiet: print nothing.

    Returns:
        The list of generated notebook paths.

    Raises:
        StudentEditionError: a notebook breaks the exercise convention, or ``out`` exists and
            was not made by this script (it is then left alone).
    """
    src = Path(src).resolve()
    out = Path(out).resolve() if out is not None else src / "build" / "student"
    sources = _sources(src)
    for name in REQUIRED:
        if not (src / name).exists():
            raise StudentEditionError(f"{src / name} is missing; the notebooks need it to run")
    if out.exists() and any(out.iterdir()) and not (out / STUDENT_MARKER).exists():
        raise StudentEditionError(f"{out} exists and was not made by this script: not replacing it")

    commit = commit_of(src)
    # Build beside the target and swap at the end, so a failed build leaves the old edition whole.
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (staging / "notebooks").mkdir()
        rows, total_ex, total_removed, written = [], 0, 0, []
        for path in sources:
            nb = nbformat.read(path, as_version=4)
            student, n_ex, n_removed = studentise(nb, f"notebooks/{path.name}", commit)
            nbformat.validate(student)
            nbformat.write(student, staging / "notebooks" / path.name)
            written.append(out / "notebooks" / path.name)
            rows.append((path.name, _title(nb, path.stem), n_ex))
            total_ex, total_removed = total_ex + n_ex, total_removed + n_removed
        for name in COPIED:
            item = src / name
            if item.is_dir():
                shutil.copytree(item, staging / name, ignore=IGNORED)
            elif item.is_file():
                shutil.copy2(item, staging / name)
        (staging / "README.md").write_text(_student_readme(rows, commit), encoding="utf-8")
        (staging / STUDENT_MARKER).write_text("Generated by tools/editions.py; replaced as a whole at every build.\n",
                                              encoding="utf-8")
        old = None
        if out.exists():
            old = staging.with_name(staging.name + "-old")
            out.rename(old)
        staging.rename(out)
        out.chmod(0o755)  # mkdtemp made it private
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if not quiet:
        shown = out.relative_to(src) if out.is_relative_to(src) else out
        print(f"student edition: {len(written)} notebook(s), {total_ex} exercises kept with their ..., "
              f"{total_removed} solution cells removed, outputs cleared -> {shown}/")
        print(f"open it with: .venv/bin/jupyter lab {shown}")
    return written


# --- the workbook ----------------------------------------------------------------------------

def _section(markdown, heading):
    """The `## heading` section of a markdown text, heading included, or "" if it has none."""
    match = re.search(rf"^## {re.escape(heading)}\s*$.*?(?=^## |\Z)", markdown, re.M | re.S)
    return match.group(0).rstrip() + "\n" if match else ""


def _workbook_readme(src, commit):
    """The workbook's contents page (the notebooks' "contents" link): the course README's sections
    for a learner, after a few lines on what the workbook is."""
    course = (src / "README.md").read_text(encoding="utf-8")
    title = course.splitlines()[0].lstrip("# ").strip() if course.strip() else "The course"
    # the first paragraph under the title: what the course is (the next one addresses teachers too)
    intro = course.split("\n## ", 1)[0].split("\n", 1)[-1].strip().split("\n\n")[0]
    sections = "\n".join(s for s in (_section(course, h) for h in README_SECTIONS) if s)
    return f"""# {title}: your workbook

{intro}

## Your workbook

These notebooks are **yours**: work in them, save them, keep them. `make lab` made them from the
course's notebooks (commit `{commit}`) with every output cleared, so no answer shows before you
try; each solution waits in the collapsed cell below its exercise (click the `•••` to open it).
Your work stays here: when the course is updated, `make lab` refreshes only the notebooks you
have not changed, and tells you which of yours has a newer version and how to take it (your copy
is kept beside the new one). Git ignores this folder, so `git pull` never touches it. Your
progress is kept in `.progress.json` in the course folder.

{sections}"""


def _linked_docs(nb):
    """The relative links of a notebook's markdown cells that leave notebooks/ (../docs/x.md)."""
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for target in re.findall(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", cell.source):
            target = target.split("#", 1)[0]
            if target.startswith("../") and "://" not in target:
                found.add(target[3:])
    return found


def _load_manifest(workbook):
    try:
        data = json.loads((workbook / MANIFEST).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and isinstance(data.get("notebooks"), dict) else {"notebooks": {}}
    except (OSError, ValueError):
        return {"notebooks": {}}


def _save_manifest(workbook, manifest):
    manifest["about"] = ("Written by tools/editions.py: the fingerprint of each notebook as generated, "
                         "to tell your changes from the course's. Do not edit.")
    (workbook / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _sign(nb, data_dir=None):
    """Trust the notebook for this user (JupyterLab then neither warns "not trusted" on open and
    save nor hides its outputs): the signature goes into the user's Jupyter notary database."""
    from nbformat.sign import NotebookNotary

    if data_dir is None:
        from jupyter_core.paths import jupyter_data_dir

        data_dir = jupyter_data_dir()
    # made first (a first run: Jupyter has not made it yet); else the notary keeps its secret in memory
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    notary = NotebookNotary(data_dir=str(data_dir))
    try:
        notary.sign(nb)
    finally:
        notary.store.close()


def _write_notebook(nb, path, data_dir=None):
    """Write a notebook atomically (a crash never leaves half of one) and sign it."""
    tmp = path.with_name(f".{path.name}.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)
    _sign(nb, data_dir)


def _kept_name(path, today=None):
    """Where the learner's copy goes when they take a newer version: beside it, dated."""
    today = today or datetime.date.today().isoformat()
    candidate = path.with_name(f"{path.stem}.yours-{today}.ipynb")
    n = 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}.yours-{today}-{n}.ipynb")
        n += 1
    return candidate


class WorkbookReport:
    """What a workbook build did, per notebook, in sentences for the terminal."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.created, self.refreshed, self.kept, self.newer, self.taken, self.gone = [], [], [], [], [], []
        self.nothing_to_take = []

    def lines(self, shown=None):
        shown = shown or self.workbook
        out = []
        if self.created:
            out.append(f"workbook: created {len(self.created)} notebook(s) in {shown}/notebooks/ (outputs cleared, "
                       "solutions collapsed): they are yours to work in.")
        if self.refreshed:
            out.append(f"workbook: refreshed with the course's newer version (you had not changed them): {', '.join(self.refreshed)}")
        if self.taken:
            out.extend(f"workbook: took the course's newer {new}; your copy is kept beside it as {kept}"
                       for new, kept in self.taken)
        if self.newer:
            out.append("workbook: the course has a newer version of notebook(s) you have worked in; yours are left "
                       "as they are:")
            for name in self.newer:
                out.append(f"    {name}: to take the new version (yours is kept beside it, dated): "
                           f"make workbook-update NB={name[:2]}")
        if self.nothing_to_take:
            out.append(f"workbook: nothing to take for {', '.join(self.nothing_to_take)}: the course has no newer version.")
        if self.gone:
            out.append(f"workbook: no longer in the course, left as they are: {', '.join(self.gone)}")
        if not out:
            out.append(f"workbook: {shown}/ is up to date" + (" (your work in it is kept)." if self.kept else "."))
        return out


def update_workbook(workbook=None, src=ROOT, take=(), data_dir=None):
    """Create the workbook, or bring it up to date without ever overwriting the learner's work.

    Args:
        workbook: the workbook folder (default workbook/ in the course).
        src: the course repository.
        take: notebook numbers ("03") or names whose newer course version the learner takes: their
            copy is renamed beside it (``NN_name.yours-<date>.ipynb``) and the new one written.
            "all" takes every newer version.
        data_dir: the Jupyter data directory whose notary signs the notebooks (default: the user's).

    Returns:
        WorkbookReport.

    Raises:
        StudentEditionError: a course notebook breaks the exercise convention (nothing is written),
            or ``take`` names a notebook the course does not have.
    """
    src = Path(src).resolve()
    workbook = Path(workbook).resolve() if workbook is not None else src / WORKBOOK
    sources = _sources(src)
    commit = commit_of(src)
    take = {str(t).strip() for t in take}
    known = {p.name for p in sources} | {p.name[:2] for p in sources} | {"all"}
    if take - known:
        raise StudentEditionError(f"no course notebook {', '.join(sorted(take - known))}; "
                                  f"the notebooks are {', '.join(p.name[:2] for p in sources)}")
    # generate everything first: a broken course notebook stops the build before anything is written
    generated = {}
    for path in sources:
        nb, _, _ = workbook_notebook(nbformat.read(path, as_version=4), f"notebooks/{path.name}")
        nbformat.validate(nb)
        generated[path.name] = nb

    (workbook / "notebooks").mkdir(parents=True, exist_ok=True)
    manifest = _load_manifest(workbook)
    entries = manifest["notebooks"]
    report = WorkbookReport(workbook)
    for name, nb in generated.items():
        target = workbook / "notebooks" / name
        new = fingerprint(nb)
        recorded = entries.get(name, {}).get("fingerprint")
        wanted = bool({"all", name, name[:2]} & take)
        if target.exists():
            try:
                mine = fingerprint(json.loads(target.read_text(encoding="utf-8")))
            except (OSError, ValueError):
                mine = None  # unreadable: the learner's all the same, never overwritten
            if recorded is None and mine == new:
                recorded = new  # exactly what would be generated (a lost manifest): ours
            if mine is not None and mine == recorded:  # untouched: the course's to refresh
                if new != recorded:
                    _write_notebook(nb, target, data_dir)
                    report.refreshed.append(name)
                elif wanted:
                    report.nothing_to_take.append(name)
            elif new == recorded:  # the learner's work, and the course has nothing newer
                report.kept.append(name)
                if wanted:
                    report.nothing_to_take.append(name)
                continue
            elif wanted:
                kept = _kept_name(target)
                target.rename(kept)
                _write_notebook(nb, target, data_dir)
                report.taken.append((name, kept.name))
            else:
                report.newer.append(name)
                continue
        else:
            _write_notebook(nb, target, data_dir)
            report.created.append(name)
        entries[name] = {"fingerprint": new, "commit": commit, "source": f"notebooks/{name}"}
    report.gone = sorted(n for n in entries if n not in generated and (workbook / "notebooks" / n).exists())

    # the pages the notebooks link to, so that their links resolve inside JupyterLab's root
    (workbook / "README.md").write_text(_workbook_readme(src, commit), encoding="utf-8")
    for relative in sorted(set().union(*(_linked_docs(nb) for nb in generated.values()))):
        page = (src / relative).resolve()
        if relative != "README.md" and page.is_file() and page.is_relative_to(src / "docs"):
            (workbook / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, workbook / relative)
    _save_manifest(workbook, manifest)
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="edition", required=True)
    w = sub.add_parser("workbook", help="create or update the learner's workbook (workbook/)")
    w.add_argument("--dir", type=Path, default=None, help="the workbook folder (default: workbook/)")
    w.add_argument("--take", action="append", default=[], metavar="NN",
                   help="take the course's newer version of notebook NN (or 'all'), keeping yours beside it")
    s = sub.add_parser("student", help="build the student edition (build/student/)")
    s.add_argument("--out", type=Path, default=None, help="output directory (default: build/student)")
    args = parser.parse_args(argv)
    try:
        if args.edition == "student":
            build(args.out)
        else:
            take = [t for arg in args.take for t in re.split(r"[,\s]+", arg) if t]
            report = update_workbook(args.dir, take=take)
            shown = report.workbook.relative_to(ROOT) if report.workbook.is_relative_to(ROOT) else report.workbook
            print("\n".join(report.lines(shown)))
    except StudentEditionError as exc:
        print(f"editions: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
