"""The learner's workbook (tools/editions.py, `make lab`): what it holds, that the learner's work
is never overwritten, that git never sees it, and (contract C1) that a wrong answer of any type
planted in every exercise cell survives running every cell, solutions included.

The workbook is built into temporary folders here, never over a learner's workbook/; its notebooks
are signed by a throw-away Jupyter notary. The planted runs of notebooks 04 onwards are in
tests/test_workbook_late.py, so that pytest-xdist (one file per worker) runs the two halves side by
side; they replace the student edition's runs (tests/test_student.py), since both editions come
from one generator.
"""

import importlib.util
import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import planting
from test_notebooks import before_contract_c1

ROOT = Path(__file__).resolve().parent.parent
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
EARLY = [p for p in COURSE if int(p.name[:2]) <= 3]
MACHINERY = {"helpers", "tests", "tools", "bench", "hub", "deploy", "data", "Makefile", "pyproject.toml",
             "conftest.py", "environment.yml", ".ci", "build", "CONTRIBUTING.md"}


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


editions = _load("editions")


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


@pytest.fixture(scope="module")
def notary_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("jupyter-data")


@pytest.fixture(scope="module")
def workbook(tmp_path_factory, notary_dir):
    folder = tmp_path_factory.mktemp("course") / "workbook"
    report = editions.update_workbook(folder, data_dir=notary_dir)
    assert sorted(report.created) == [p.name for p in COURSE]
    return folder


# --- what the workbook holds --------------------------------------------------------------------

def test_the_workbook_holds_the_notebooks_their_docs_and_no_machinery(workbook):
    shown = {p.name for p in workbook.iterdir() if not p.name.startswith(".")}
    assert shown == {"notebooks", "docs", "README.md"}, shown
    assert not shown & MACHINERY
    assert sorted(p.name for p in (workbook / "notebooks").iterdir()) == [p.name for p in COURSE]


def test_every_relative_link_resolves_inside_the_workbook(workbook):
    """JupyterLab's root is the workbook: ../README.md, ../docs/notation.md and the links of the
    pages themselves must be found there."""
    pages = [*workbook.rglob("*.md"), *(workbook / "notebooks").glob("*.ipynb")]
    checked = 0
    for page in pages:
        if page.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.read(page, as_version=4).cells if c.cell_type == "markdown")
        else:
            text = page.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if "://" in target or target.startswith(("#", "mailto:")):
                continue
            resolved = (page.parent / target.split("#", 1)[0]).resolve()
            assert resolved.is_relative_to(workbook.resolve()) and resolved.exists(), (
                f"{page.relative_to(workbook)} links to {target}, which the workbook does not have")
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("course_path", COURSE, ids=[p.stem for p in COURSE])
def test_outputs_cleared_solutions_and_figure_code_collapsed(workbook, course_path):
    course = nbformat.read(course_path, as_version=4)
    mine = nbformat.read(workbook / "notebooks" / course_path.name, as_version=4)
    nbformat.validate(mine)
    assert [c.source for c in mine.cells] == [c.source for c in course.cells], "every cell kept, in order"
    assert mine.cells[0].source.startswith(f"# {course_path.name[:2]} · "), "the title comes first, as in the course"
    for cell in mine.cells:
        if cell.cell_type != "code":
            continue
        # no stored output can show an exercise's answer, or anything else before the learner runs it
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]
        hidden = cell.metadata.get("jupyter", {}).get("source_hidden") is True
        first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
        if "solution" in _tags(cell) or first.lower().startswith("# extra code"):
            assert hidden, f"not collapsed: {first[:60]!r}"
        else:
            assert not hidden, f"collapsed, though it is the learner's to read: {first[:60]!r}"
    assert "widgets" not in mine.metadata


def test_the_workbook_notebooks_are_trusted_on_open_and_save(workbook, notary_dir, caplog):
    """Jupyter's server says "Notebook … is not trusted" when it opens or saves an unsigned one:
    opened and saved through the server's own contents manager, with the notary that signed them,
    nothing is said, and a saved notebook stays trusted."""
    from jupyter_server.services.contents.filemanager import FileContentsManager
    from nbformat.sign import NotebookNotary

    manager = FileContentsManager(root_dir=str(workbook))
    manager.notary = NotebookNotary(data_dir=str(notary_dir))
    path = f"notebooks/{COURSE[0].name}"
    with caplog.at_level(logging.WARNING):
        model = manager.get(path)
        model["content"].cells[-1]["outputs"] = [nbformat.v4.new_output(
            "display_data", data={"text/html": "<b>a learner's output</b>", "text/plain": "output"})]
        model["content"].cells[-1]["metadata"]["trusted"] = True  # what JupyterLab sends for a cell it ran
        manager.save({"type": "notebook", "content": model["content"]}, path)
        manager.get(path)
    warned = [r.getMessage() for r in caplog.records if "not trusted" in r.getMessage()]
    assert not warned, warned
    manager.notary.store.close()


def test_git_ignores_the_workbook_and_what_working_in_it_writes():
    """git status stays clean after working and Run All: the workbook, JupyterLab's checkpoints and
    the progress file are ignored (tests/test_workbook_browser.py does it for real in a fresh clone)."""
    for path in ("workbook/notebooks/01_one_weight.ipynb", "workbook/.workbook.json",
                 "workbook/notebooks/.ipynb_checkpoints/01_one_weight-checkpoint.ipynb",
                 "workbook/notebooks/01_one_weight.yours-2030-01-01.ipynb", ".progress.json"):
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT, capture_output=True)
        if ignored.returncode == 128:
            pytest.skip("not a git checkout")
        assert ignored.returncode == 0, f"git does not ignore {path}"


def test_progress_from_the_workbook_is_the_courses_and_the_student_edition_keeps_its_own(tmp_path, monkeypatch):
    """A kernel runs in workbook/notebooks/: its progress is the course's .progress.json (the
    workbook has no helpers/ of its own), while a student edition, which has, keeps its own."""
    from helpers import progress

    monkeypatch.delenv("BACKPROP_PROGRESS", raising=False)
    course = tmp_path / "course"
    for folder in ("helpers", "notebooks", "workbook/notebooks", "build/student/helpers", "build/student/notebooks"):
        (course / folder).mkdir(parents=True)
    monkeypatch.chdir(course / "workbook" / "notebooks")
    assert progress.path() == course / ".progress.json"
    monkeypatch.chdir(course / "build" / "student" / "notebooks")
    assert progress.path() == course / "build" / "student" / ".progress.json"


# --- the learner's work is theirs ---------------------------------------------------------------

@pytest.fixture
def course(tmp_path):
    """A copy of the course's notebooks, README and docs, to update as a course update would."""
    src = tmp_path / "course"
    (src / "notebooks").mkdir(parents=True)
    for path in COURSE[:3]:
        shutil.copy2(path, src / "notebooks" / path.name)
    shutil.copy2(ROOT / "README.md", src / "README.md")
    shutil.copytree(ROOT / "docs", src / "docs")
    return src


def _edit(path, change):
    nb = json.loads(path.read_text(encoding="utf-8"))
    change(nb)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def _answer(nb):
    """A learner's work: an answer in the first exercise cell, and outputs (as a run and save leave them)."""
    cell = next(c for c in nb["cells"] if "exercise" in c.get("metadata", {}).get("tags", []))
    cell["source"] = "".join(cell["source"]).replace("...", "42.0", 1)
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "mine\n"}]


def _course_update(nb):
    nb["cells"][1]["source"] = "".join(nb["cells"][1]["source"]) + "\n\nA sentence the course added."


def test_a_course_update_never_overwrites_the_learners_work(course, tmp_path, notary_dir):
    wb = tmp_path / "wb"
    names = sorted(p.name for p in (course / "notebooks").glob("*.ipynb"))
    first, second, third = names
    assert editions.update_workbook(wb, src=course, data_dir=notary_dir).created == names

    _edit(wb / "notebooks" / first, _answer)                       # the learner works in 01 …
    _edit(wb / "notebooks" / third, lambda nb: nb["cells"][-1]["outputs"].append(  # … and only runs 03
        {"output_type": "stream", "name": "stdout", "text": "ran\n"}))
    mine = (wb / "notebooks" / first).read_text(encoding="utf-8")
    for name in (first, second, third):                                # the course updates all three
        _edit(course / "notebooks" / name, _course_update)

    report = editions.update_workbook(wb, src=course, data_dir=notary_dir)
    assert report.newer == [first] and sorted(report.refreshed) == [second, third]
    assert (wb / "notebooks" / first).read_text(encoding="utf-8") == mine, "the learner's notebook was overwritten"
    said = "\n".join(report.lines("workbook"))
    assert first in said and f"make workbook-update NB={first[:2]}" in said, said
    for name in (second, third):  # untouched by the learner's hand: refreshed
        assert "A sentence the course added." in (wb / "notebooks" / name).read_text(encoding="utf-8")

    again = editions.update_workbook(wb, src=course, data_dir=notary_dir)  # said again until taken
    assert again.newer == [first] and not again.refreshed

    taken = editions.update_workbook(wb, src=course, take=[first[:2]], data_dir=notary_dir)
    (new_name, kept_name), = taken.taken
    assert new_name == first and kept_name.startswith(first[:-6] + ".yours-") and kept_name.endswith(".ipynb")
    assert (wb / "notebooks" / kept_name).read_text(encoding="utf-8") == mine, "the learner's copy is kept beside it"
    assert "A sentence the course added." in (wb / "notebooks" / first).read_text(encoding="utf-8")
    assert editions.update_workbook(wb, src=course, data_dir=notary_dir).lines("workbook") == ["workbook: workbook/ is up to date."]


def test_a_deleted_workbook_notebook_comes_back_and_an_unreadable_one_is_kept(course, tmp_path, notary_dir):
    wb = tmp_path / "wb"
    editions.update_workbook(wb, src=course, data_dir=notary_dir)
    names = sorted(p.name for p in (wb / "notebooks").glob("*.ipynb"))
    (wb / "notebooks" / names[0]).unlink()
    (wb / "notebooks" / names[1]).write_text("{ half a notebook", encoding="utf-8")
    _edit(course / "notebooks" / names[1], _course_update)
    report = editions.update_workbook(wb, src=course, data_dir=notary_dir)
    assert report.created == [names[0]] and report.newer == [names[1]]
    assert (wb / "notebooks" / names[1]).read_text(encoding="utf-8") == "{ half a notebook"


def test_taking_an_unknown_notebook_is_refused(course, tmp_path, notary_dir):
    with pytest.raises(editions.StudentEditionError, match="no course notebook 42"):
        editions.update_workbook(tmp_path / "wb", src=course, take=["42"], data_dir=notary_dir)


# --- contract C1, run: a wrong answer of any type in every exercise cell ------------------------

RUNS = planting.Runs()


def planted_run(path, workbook, tmp_path_factory):
    def make():
        nb = nbformat.read(workbook / "notebooks" / path.name, as_version=4)
        progress = tmp_path_factory.mktemp("progress") / "progress.json"
        # every cell runs; figures are not encoded as PNGs (nbval renders them, in the same notebooks)
        return planting.run(nb, workbook / "notebooks",
                            kernel_env={"BACKPROP_PROGRESS": str(progress), "BACKPROP_FIGURES": "text"})
    return RUNS.get(path, make)


@pytest.mark.parametrize("path", before_contract_c1(EARLY))
def test_planted_answers_survive_running_every_cell(path, workbook, tmp_path_factory):
    """Every cell runs (solutions included) without raising, with a wrong answer planted in every
    exercise cell (a number where a matrix is asked for, a wrong array, a ragged list, a text; for
    a function, a wrong function, one that raises, a number), and every planted answer is still
    there at the end."""
    planting.assert_planted_answers_kept(planted_run(path, workbook, tmp_path_factory), path.name)


@pytest.mark.parametrize("path", EARLY, ids=[p.name for p in EARLY])
def test_restart_hints_and_demos_on_the_planted_run(path, workbook, tmp_path_factory):
    """On the same run, at no extra kernel: the first exercise cell run before Setup (as after a
    kernel restart) says in one line what to do; two hint() calls in one cell both show; every
    demo() output reads as an example, not as the learner's verdict."""
    planting.assert_probes(planted_run(path, workbook, tmp_path_factory), path.name)


def test_binder_makes_the_workbook_as_make_lab_does():
    """Binder runs postBuild after installing environment.yml; the README's launch link opens the
    workbook's notebook 01, which postBuild's commands make (tried by hand: repo2docker is not
    reachable from the test machines)."""
    post_build = ROOT / "postBuild"
    assert post_build.stat().st_mode & 0o111, "postBuild must be executable"
    commands = [line.split() for line in post_build.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.startswith(("#", "set "))]
    assert commands == [["python", "tools/lab.py", "--install-kernel-extension"],
                        ["python", "tools/editions.py", "workbook"]], commands
    assert f"urlpath=lab/tree/workbook/notebooks/{editions.FIRST_NOTEBOOK}" in (ROOT / "README.md").read_text(encoding="utf-8")
