"""The class, fast: the generated nbgrader course's structure, the safe answer codec, and the
deployment files. (nbgrader's own commands on it: tests/e2e/classroom_grading.py, `make test-classroom`.)"""

import ast
import importlib.util
import json
import re
import tomllib
from pathlib import Path

import nbformat
import numpy as np
import pytest
import sympy as sp
import yaml

from helpers import demo, exercises
from helpers.classroom import MIME, answer_id, exercise_of, test_id as grade_id_of_test
from helpers.classroom.codec import Refused, decode, encode, parse_srepr

ROOT = Path(__file__).resolve().parent.parent
COURSE = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_classroom = _load("make_classroom")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("classroom") / "course"
    points = make_classroom.build(out, quiet=True)
    notebooks = {name: nbformat.read(out / "source" / name / f"{name}.ipynb", as_version=4) for name in points}
    return out, points, notebooks


def _grading(cell):
    return cell.metadata.get("nbgrader", {})


def test_one_assignment_per_notebook_and_a_config(built):
    out, points, notebooks = built
    assert sorted(points) == [p.stem for p in COURSE]
    config = (out / "nbgrader_config.py").read_text(encoding="utf-8")
    ast.parse(config)
    assert "configure(c)" in config and 'course_id = "backprop"' in config


def test_every_exercise_is_an_answer_cell_then_a_locked_test_worth_its_stars(built):
    _, points, notebooks = built
    registered = set(exercises.ids())
    graded = set()
    for name, nb in notebooks.items():
        cells = nb.cells
        for index, cell in enumerate(cells):
            meta = _grading(cell)
            assert meta, f"{name} cell {index} has no nbgrader metadata"
            if meta["solution"] and meta["grade"]:  # a function exercise, graded by hand
                exercise_id = exercise_of(meta["grade_id"].replace("_answer", "_test"))
                assert exercises.get(exercise_id).kind == "function"
                graded.add(exercise_id)
            elif meta["solution"]:
                exercise_id = exercise_of(meta["grade_id"].replace("_answer", "_test"))
                test = cells[index + 1]
                assert _grading(test)["grade_id"] == grade_id_of_test(exercise_id)
                assert _grading(test)["grade"] and _grading(test)["locked"] and not _grading(test)["solution"]
                assert _grading(test)["points"] == points[name][exercise_id] >= 1
                assert f'graded("{exercise_id}",' in test.source
                assert meta["grade_id"] == answer_id(exercise_id) and not meta["grade"] and not meta["locked"]
                graded.add(exercise_id)
            elif not meta["grade"]:
                assert meta["locked"], f"{name} cell {index} is neither an answer nor locked"
    assert graded == registered


def test_no_solution_outside_the_markers_and_no_outputs(built):
    _, _, notebooks = built
    for name, nb in notebooks.items():
        for cell in nb.cells:
            assert "tags" not in cell.metadata or "solution" not in cell.metadata["tags"]
            assert not re.search(r"^solution\(", cell.source, re.M), f"{name}: a solution() call is left"
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
            if _grading(cell).get("solution") and not _grading(cell).get("grade"):  # autograded answers
                lines = cell.source.splitlines()
                begin, end = lines.index("### BEGIN SOLUTION"), lines.index("### END SOLUTION")
                outside = lines[:begin] + lines[end + 1:]
                assert re.fullmatch(r"# Exercise \d+\.\d+", outside[0]) and re.fullmatch(r"\w+ = \.\.\.", outside[1])
                assert re.fullmatch(r'check\("\d+\.\d+", \w+\)', outside[2]) and len(outside) == 3


def test_grade_ids_are_unique_and_regeneration_keeps_nbgraders_files(built):
    out, _, notebooks = built
    for nb in notebooks.values():
        ids = [_grading(c)["grade_id"] for c in nb.cells]
        assert len(ids) == len(set(ids))
    (out / "gradebook.db").write_text("kept")
    make_classroom.build(out, quiet=True)
    assert (out / "gradebook.db").read_text() == "kept"


def test_a_function_exercise_becomes_a_manually_graded_answer(monkeypatch):
    """A function cannot reach the grader as a plain value: the teacher grades it by hand."""
    real = exercises.get
    monkeypatch.setattr(exercises, "get", lambda i: type("E", (), {"kind": "function"})() if i == "3.2" else real(i))
    nb = nbformat.read(ROOT / "notebooks" / "03_two_layer_network.ipynb", as_version=4)
    out, points = make_classroom.classroomise(nb, "notebooks/03_two_layer_network.ipynb", "test")
    meta = {c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"] for c in out.cells}
    assert meta[answer_id("3.2")]["grade"] and meta[answer_id("3.2")]["solution"]
    assert meta[answer_id("3.2")]["points"] == points["3.2"]
    assert grade_id_of_test("3.2") not in meta and grade_id_of_test("3.1") in meta


def test_a_folder_it_did_not_make_is_left_alone(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(make_classroom.ClassroomError, match="not made by this script"):
        make_classroom.build(tmp_path, quiet=True)


# --------------------------------------------------------------------------- the codec


@pytest.mark.parametrize("exercise_id", [i for i in exercises.ids() if exercises.get(i).kind == "value"])
def test_every_reference_survives_the_codec_and_is_still_correct(exercise_id):
    document = json.loads(json.dumps(encode(exercise_id, exercises.expected(exercise_id))))
    kind, value = decode(document, exercise_id)
    assert kind in ("numeric", "symbolic")
    assert demo(exercise_id, value)


def test_unanswered_and_invalid_answers_are_documents_too():
    assert decode(encode("3.1", ...), "3.1") == ("unanswered", None)
    with pytest.raises(Refused, match="could not be checked"):
        decode(encode("3.1", "text"), "3.1")


def test_a_document_for_another_exercise_is_refused():
    with pytest.raises(Refused, match="answers exercise"):
        decode(encode("3.2", exercises.expected("3.2")), "3.1")


@pytest.mark.parametrize("text", [
    '__import__("os").system("true")', "Symbol('x').__class__", "Integer(1) + Integer(2)",
    "lambda: 0", "Function('f')(Symbol('x'))", "Pow(Integer(10), Integer(100000000))",
    "exp(Integer(10000))", "Integer(10**100)", "Float('inf')", "Symbol('x', **{'real': True})",
    "Matrix([[1]])", "Symbol('x', evaluate=True)", "[" * 10000, "Add(" * 200 + ")" * 200,
    "Integer(" + "9" * 5000 + ")", "Mul(Symbol('x'), 'text')", "MutableDenseMatrix([[Integer(1)], []])",
])
def test_srepr_outside_the_allow_list_is_refused_without_running_it(text):
    with pytest.raises(Refused):
        parse_srepr(text)


@pytest.mark.parametrize("value", [
    [[1.0, 2.0], [3.0]], [1.0, "2"], [True], {"a": 1}, [], [float("nan")], [[[[[[[[[[1.0]]]]]]]]]],
])
def test_numeric_documents_must_be_plain_finite_rectangles(value):
    with pytest.raises(Refused):
        decode({"v": 1, "exercise": "3.1", "kind": "numeric", "value": value}, "3.1")


def test_srepr_round_trip_of_typical_answers():
    x, y = sp.symbols("x y", real=True)
    for expr in (x**2 * sp.exp(-y) / 3, sp.Matrix([[sp.tanh(x), sp.log(y)], [sp.Rational(1, 2), sp.Max(0, x)]]),
                 sp.Float("0.25") * sp.sqrt(x)):
        assert parse_srepr(sp.srepr(expr)) == expr
    assert np.array_equal(decode(encode("3.1", np.array([0.1, 1e-300])), "3.1")[1], [0.1, 1e-300])


def test_the_kernel_side_emits_one_document_in_the_mime_bundle(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda bundle, raw=False: shown.append(bundle))
    from helpers.classroom import graded

    graded("3.1", exercises.expected("3.1"))
    assert len(shown) == 1 and set(shown[0]) == {"text/plain", "text/html", MIME}
    assert "correct" in shown[0]["text/plain"]


def test_references_are_refused_in_a_grading_kernel(monkeypatch):
    monkeypatch.setenv("BACKPROP_GRADING", "1")
    with pytest.raises(PermissionError):
        exercises.expected("3.1")


# --------------------------------------------------------------------------- deployment files

DEPLOY = ROOT / "deploy"


@pytest.mark.parametrize("path", sorted(DEPLOY.rglob("*.yaml")), ids=lambda p: p.name)
def test_deploy_yaml_parses(path):
    documents = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert documents and all(isinstance(d, dict) for d in documents)


def test_z2jh_values_use_the_course_image_and_a_shared_exchange():
    values = yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    single = values["singleuser"]
    assert single["image"]["name"] and single["image"]["tag"]
    mounts = {m["mountPath"]: m["name"] for m in single["storage"]["extraVolumeMounts"]}
    volumes = {v["name"]: v for v in single["storage"]["extraVolumes"]}
    exchange = mounts["/srv/nbgrader/exchange"]
    claim = volumes[exchange]["persistentVolumeClaim"]["claimName"]
    pvc = yaml.safe_load((DEPLOY / "z2jh" / "exchange-pvc.yaml").read_text(encoding="utf-8"))
    assert pvc["kind"] == "PersistentVolumeClaim" and pvc["metadata"]["name"] == claim
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"], "every user's pod mounts the exchange"
    config = single["extraFiles"]["nbgrader-config"]
    assert config["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    ast.parse(config["stringData"])
    shared = (DEPLOY / "nbgrader_config.py").read_text(encoding="utf-8")

    def settings(text):
        return [line for line in text.splitlines() if line.startswith("c.")]

    assert settings(config["stringData"]) == settings(shared) and "/srv/nbgrader/exchange" in shared


def test_the_image_installs_what_pyproject_asks_for():
    """The image is built from environment.yml (kept equal to pyproject.toml's dependencies by
    test_environment.py) plus the `class` extra, read from pyproject.toml itself."""
    dockerfile = (DEPLOY / "image" / "Dockerfile").read_text(encoding="utf-8")
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert "class" in extras and any(r.startswith("nbgrader==") for r in extras["class"])
    assert re.search(r"^COPY .*environment\.yml", dockerfile, re.M)
    assert re.search(r"mamba env update .*-f [^\s]*environment\.yml", dockerfile)
    assert re.search(r"pip install [^\n]*\.\[class\]", dockerfile)
    assert "nbgrader==" not in dockerfile, "nbgrader's version comes from pyproject.toml's class extra only"


def test_tljh_setup_is_a_shell_script_that_installs_the_class():
    import subprocess

    script = DEPLOY / "tljh" / "setup.sh"
    assert subprocess.run(["bash", "-n", str(script)], capture_output=True).returncode == 0
    text = script.read_text(encoding="utf-8")
    assert re.search(r"pip\" install .*\$COURSE\[class\]", text) and "/srv/nbgrader/exchange" in text
