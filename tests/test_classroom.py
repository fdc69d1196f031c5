"""The class, fast: the generated nbgrader course's structure, the safe answer codec, how the grader
puts every cell back as the gradebook says it is, the manifest, and the deployment files.
(nbgrader's own commands on it, the sandbox and every attack: tests/e2e/, `make test-classroom`.)"""

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
from helpers.classroom import MIME, answer_id, exercise_of, manifest, test_id as grade_id_of_test
from helpers.classroom.codec import Refused, decode, decode_runs, encode, encode_runs, parse_srepr


def _grader():
    """helpers.classroom.grader, imported when first used: it imports nbgrader (a second of CPU),
    which each pytest-xdist worker would otherwise pay while collecting, whether or not it runs
    these tests."""
    from helpers.classroom import grader

    return grader


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
    assert "configure(c, __file__)" in config and 'course_id = "backprop"' in config
    assert manifest.verify(out) > 20  # the course files, as make classroom saw them


def test_every_exercise_is_an_answer_cell_then_a_locked_test_worth_its_stars(built):
    _, points, notebooks = built
    registered = set(exercises.ids())
    graded = set()
    for name, nb in notebooks.items():
        cells = nb.cells
        for index, cell in enumerate(cells):
            meta = _grading(cell)
            assert meta, f"{name} cell {index} has no nbgrader metadata"
            assert not (meta["solution"] and meta["grade"]), f"{name}: {meta['grade_id']} would need grading by hand"
            if meta["solution"]:
                exercise_id = exercise_of(meta["grade_id"].replace("_answer", "_test"))
                test = cells[index + 1]
                assert _grading(test)["grade_id"] == grade_id_of_test(exercise_id)
                assert _grading(test)["grade"] and _grading(test)["locked"] and not _grading(test)["solution"]
                assert _grading(test)["points"] == points[name][exercise_id] >= 1
                assert f'graded("{exercise_id}",' in test.source
                if exercises.get(exercise_id).kind == "function":
                    assert "inputs the\n# grader draws" in test.source
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
            if _grading(cell).get("solution"):  # answer cells: the exercise cell around the solution
                lines = cell.source.splitlines()
                begin, end = lines.index("### BEGIN SOLUTION"), lines.index("### END SOLUTION")
                outside = [line for line in lines[:begin] + lines[end + 1:] if line.strip()]
                assert re.fullmatch(r"# Exercise \d+\.\d+", outside[0])
                assert re.fullmatch(r'check\("\d+\.\d+", \w+\)', outside[-1])
                assert re.fullmatch(r"\w+ = \.\.\.", outside[1]) and len(outside) == 3 or outside[1].startswith("def ")


def test_grade_ids_are_unique_and_regeneration_keeps_nbgraders_files(built):
    out, _, notebooks = built
    for nb in notebooks.values():
        ids = [_grading(c)["grade_id"] for c in nb.cells]
        assert len(ids) == len(set(ids))
    (out / "gradebook.db").write_text("kept")
    make_classroom.build(out, quiet=True)
    assert (out / "gradebook.db").read_text() == "kept"


def test_a_function_exercise_is_autograded_and_a_solution_under_its_own_name_still_answers(monkeypatch):
    """06's functions get a locked test cell like every exercise; a solution cell that defines the
    reference under a name of its own (contract C1) is aliased inside the solution block."""
    nb = nbformat.read(ROOT / "notebooks" / "06_backprop_as_code.ipynb", as_version=4)
    for cell in nb.cells:
        if "solution" in cell.metadata.get("tags", []) and 'solution("6.3", relu_backward)' in cell.source:
            cell.source = cell.source.replace("def relu_backward(", "def relu_backward_solution(").replace(
                'solution("6.3", relu_backward)', 'solution("6.3", relu_backward_solution)')
    out, points = make_classroom.classroomise(nb, "notebooks/06_backprop_as_code.ipynb", "test")
    meta = {c.metadata["nbgrader"]["grade_id"]: (c, c.metadata["nbgrader"]) for c in out.cells}
    for exercise_id in ("6.1", "6.3", "6.6"):
        answer, test = meta[answer_id(exercise_id)], meta[grade_id_of_test(exercise_id)]
        assert answer[1]["solution"] and not answer[1]["grade"]
        assert test[1]["grade"] and test[1]["locked"] and test[1]["points"] == points[exercise_id]
    source = meta[answer_id("6.3")][0].source
    block = source[source.index("### BEGIN SOLUTION"):source.index("### END SOLUTION")]
    assert "def relu_backward_solution(" in block and "relu_backward = relu_backward_solution" in block


def test_a_folder_it_did_not_make_is_left_alone(tmp_path):
    (tmp_path / "mine.txt").write_text("x")
    with pytest.raises(make_classroom.ClassroomError, match="not made by this script"):
        make_classroom.build(tmp_path, quiet=True)


def test_the_generated_config_fails_closed_without_its_manifest(built, tmp_path):
    """nbgrader ignores a config file that raises; the course's config then sets a value that stops
    autograde instead of letting nbgrader's default pipeline give points for silent test cells."""
    from traitlets.config.loader import PyFileConfigLoader

    out, _, _ = built
    good = PyFileConfigLoader("nbgrader_config.py", path=str(out)).load_config()
    assert any(getattr(p, "__name__", "") == "RestoreCells" for p in good.Autograde.sanitize_preprocessors)
    copy = tmp_path / "course"
    copy.mkdir()
    (copy / "nbgrader_config.py").write_text((out / "nbgrader_config.py").read_text(encoding="utf-8"), encoding="utf-8")
    refused = PyFileConfigLoader("nbgrader_config.py", path=str(copy)).load_config()
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.converters import Autograde
    from traitlets import TraitError

    with pytest.raises(TraitError, match="REFUSED: the course's grader could not be set up: .*classroom-manifest"):
        Autograde(coursedir=CourseDirectory(config=refused), config=refused)


def test_the_manifest_names_a_changed_course_file(tmp_path):
    manifest.write(tmp_path)
    assert manifest.verify(tmp_path) > 20
    data = json.loads((tmp_path / manifest.NAME).read_text())
    data["files"]["helpers/exercises/nb01.py"] = "0" * 64
    (tmp_path / manifest.NAME).write_text(json.dumps(data))
    with pytest.raises(manifest.ManifestMismatch, match="helpers/exercises/nb01.py differs"):
        manifest.verify(tmp_path)
    del data["files"]["helpers/exercises/nb01.py"]
    (tmp_path / manifest.NAME).write_text(json.dumps(data))
    with pytest.raises(manifest.ManifestMismatch, match="loaded helpers/exercises/nb01.py"):
        manifest.verify(tmp_path)


# --------------------------------------------------------------------------- every cell as the gradebook says


def _book(nb):
    """What the gradebook holds for a generated notebook: its nbgrader cells, in order."""
    return [_grader().BookCell(m["grade_id"], c.cell_type, m["locked"], c.source, None, m["grade"], m["solution"], False,
                     float(m["points"]) if m["grade"] else None)
            for c in nb.cells for m in [c.metadata["nbgrader"]]]


def _learner_copy(nb):
    return nbformat.from_dict(json.loads(json.dumps(nb)))


def _by_id(nb):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}


def test_restore_puts_back_flags_points_types_and_locked_sources(built):
    nb = built[2]["06_backprop_as_code"]
    mine = _learner_copy(nb)
    cells = _by_id(mine)
    cells["ex6_1_answer"].metadata.nbgrader.update(solution=False, grade=True, points=10)  # the 06 attack
    cells["ex6_1_answer"].source = "def dense_forward(X, W, b):\n    return X @ W + b"
    cells["ex6_1_test"].metadata.nbgrader["points"] = 100
    cells["ex6_1_test"].source = "print('correct')"
    locked = next(c for c in mine.cells if c.cell_type == "code" and c.metadata.nbgrader["locked"]
                  and not c.metadata.nbgrader["grade"])
    locked.cell_type, locked.source = "markdown", "mine now"
    restored, report = _grader().restore(mine, _book(nb))
    again = _by_id(restored)
    assert again["ex6_1_answer"].metadata.nbgrader["solution"] and not again["ex6_1_answer"].metadata.nbgrader["grade"]
    assert again["ex6_1_answer"].source.endswith("return X @ W + b")  # the learner's answer stays
    assert again["ex6_1_test"].metadata.nbgrader["points"] == _by_id(nb)["ex6_1_test"].metadata.nbgrader["points"]
    assert again["ex6_1_test"].source == _by_id(nb)["ex6_1_test"].source
    original = _by_id(nb)[locked.metadata.nbgrader["grade_id"]]
    assert again[original.metadata.nbgrader["grade_id"]].cell_type == "code"
    assert again[original.metadata.nbgrader["grade_id"]].source == original.source
    assert "nbgrader flags, points or schema restored from the gradebook" in report


def test_restore_puts_cells_back_in_order_and_keeps_the_learners_own_after_their_neighbour(built):
    nb = built[2]["01_one_weight"]
    mine = _learner_copy(nb)
    tests = [c for c in mine.cells if exercise_of(c.metadata.nbgrader["grade_id"])]
    mine.cells = [c for c in mine.cells if c not in tests] + tests  # the test cells moved to the end
    where = next(i for i, c in enumerate(mine.cells) if c.metadata.nbgrader["grade_id"] == "ex1_2_answer")
    mine.cells.insert(where + 1, nbformat.v4.new_code_cell("scratch = 1"))
    restored, report = _grader().restore(mine, _book(nb))
    names = [c.metadata.get("nbgrader", {}).get("grade_id") for c in restored.cells]
    assert [n for n in names if n] == [c.metadata.nbgrader["grade_id"] for c in nb.cells]
    assert names[names.index("ex1_2_answer") + 1] is None and restored.cells[names.index("ex1_2_answer") + 1].source == "scratch = 1"
    assert "cells put back in the gradebook's order" in report


def test_duplicated_unknown_and_other_schema_metadata_is_stripped_and_nbgrader_accepts_the_rest(built):
    from nbgrader.nbgraderformat import MetadataValidator

    nb = built[2]["01_one_weight"]
    mine = _learner_copy(nb)
    index = next(i for i, c in enumerate(mine.cells) if c.metadata.nbgrader["grade_id"] == "ex1_1_test")
    mine.cells.insert(index + 1, _learner_copy({"c": [mine.cells[index]]})["c"][0])  # copy and paste
    mine.cells[0].metadata.nbgrader["schema_version"] = 4
    mine.cells.append(nbformat.v4.new_code_cell("1", metadata={"nbgrader": {"grade_id": "mine", "grade": True}}))
    with pytest.raises(Exception):
        MetadataValidator().validate_nb(mine)  # what stopped nbgrader's run for the whole class
    restored, report = _grader().restore(mine, _book(nb))
    MetadataValidator().validate_nb(restored)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in restored.cells if "nbgrader" in c.metadata]
    assert sorted(ids) == sorted(c.metadata.nbgrader["grade_id"] for c in nb.cells)
    assert len(restored.cells) == len(nb.cells) + 2  # the copy and the unknown cell stay, as the learner's own
    assert any("stripped from 2 duplicated or unknown cell" in r for r in report)


def test_deleted_cells_come_back_and_a_notebook_without_cells_fails_alone(built):
    nb = built[2]["03_two_layer_network"]
    mine = _learner_copy(nb)
    mine.cells = [c for c in mine.cells if c.metadata.nbgrader["grade_id"] not in ("ex3_1_test", "ex3_2_answer")]
    mine.cells.insert(3, "not a cell")
    restored, report = _grader().restore(mine, _book(nb))
    assert {"ex3_1_test", "ex3_2_answer"} <= set(_by_id(restored))
    assert any("2 deleted cell(s) restored" in r for r in report) and any("1 malformed" in r for r in report)
    with pytest.raises(_grader().SubmissionRejected, match="no list of cells"):
        _grader().restore({"cells": "none"}, _book(nb))


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


@pytest.mark.parametrize("text, why", [
    ("Pow(Integer(1000000000000), Pow(Integer(1000000000000), Integer(1000000000000)))", "digits"),
    ("Pow(Pow(Integer(1000000000000), Integer(64)), Integer(64))", "digits"),
    ("Pow(Integer(2), Pow(Integer(2), Pow(Integer(2), Integer(6))))", "digits"),
    ("Max(" + ", ".join(f"Symbol('x{i}')" for i in range(3000)) + ")", "Max of 3000 terms"),
    ("Add(" + ", ".join(f"Symbol('x{i}')" for i in range(300)) + ")", "Add of 300 terms"),
    ("Pow(Add(Symbol('x'), Symbol('y')), Integer(1000))", "power larger than 64"),
    ("exp(Pow(Integer(10), Integer(5)))", "digits"),
    ("sin(Pow(Integer(10), Integer(3000)))", "digits"),
])
def test_what_would_be_costly_to_evaluate_is_refused_before_it_is_built(text, why):
    with pytest.raises(Refused, match=why):
        parse_srepr(text)


def test_answers_are_built_unevaluated():
    built_ = parse_srepr("Add(Symbol('x'), Symbol('x'))")
    assert isinstance(built_, sp.Add) and len(built_.args) == 2
    assert parse_srepr("Max(" + ", ".join(f"Symbol('x{i}')" for i in range(16)) + ")").func is sp.Max


@pytest.mark.parametrize("exercise_id", [i for i in exercises.ids() if exercises.get(i).kind == "function"])
def test_a_function_is_judged_on_the_graders_inputs(exercise_id):
    from helpers.checking import functions

    exercise = exercises.get(exercise_id)
    seed = "ab" * 16
    document = json.loads(json.dumps(encode_runs(exercise_id, exercises.expected(exercise_id), seed)))
    kind, recorded = decode_runs(document, exercise, seed)
    assert kind == "function" and functions.judge_runs(exercise, *recorded)[0] == "correct"
    with pytest.raises(Refused, match="grader's inputs"):
        decode_runs(document, exercise, "cd" * 16)
    wrong = exercise.mistakes[0].value()
    kind, recorded = decode_runs(json.loads(json.dumps(encode_runs(exercise_id, wrong, seed))), exercise, seed)
    assert functions.judge_runs(exercise, *recorded)[1] == f"mistake:{exercise.mistakes[0].name}"


def test_a_function_that_memorised_some_inputs_fails_on_the_graders():
    from helpers.checking import functions

    exercise = exercises.get("6.3")
    known = "00" * 16  # inputs a learner could draw beforehand: they are not the grader's
    table = {args[1].tobytes(): exercises.expected("6.3")(*args) for args in functions.grading_inputs(exercise, 0)}
    memorised = lambda dA, Z: table[Z.tobytes()]  # noqa: E731
    _, recorded = decode_runs(json.loads(json.dumps(encode_runs("6.3", memorised, known))), exercise, known)
    assert functions.judge_runs(exercise, *recorded)[0] == "correct"  # on the inputs it memorised
    seed = "12" * 16
    _, recorded = decode_runs(json.loads(json.dumps(encode_runs("6.3", memorised, seed))), exercise, seed)
    status, diagnosis, message = functions.judge_runs(exercise, *recorded)
    assert status == "wrong" and diagnosis == "raised" and "KeyError" in message


def _num(flat, shape):
    return {"num": flat, "shape": shape, "dtype": "float64", "origin": "array"}


_CASES_63 = len(exercises.get("6.3").spec.cases)


@pytest.mark.parametrize("runs", [
    [{"outcome": "ok", "tree": _num(["x"], [1]), "mutated": []}] * _CASES_63,
    [{"outcome": "ok", "tree": _num([1.0, 2.0], [3]), "mutated": []}] * _CASES_63,
    [{"outcome": "ok", "tree": {"seq": "list", "items": [{"seq": "list", "items": [{"seq": "list", "items": [
        {"seq": "list", "items": [{"seq": "list", "items": [{"seq": "list", "items": [{"seq": "list", "items": [
            {"seq": "list", "items": [{"seq": "list", "items": [{"none": True}]}]}]}]}]}]}]}]}]}, "mutated": []}] * _CASES_63,
    [{"outcome": "ok", "tree": {"none": True}, "mutated": ["os.system"]}] * _CASES_63,
    [{"outcome": "ok", "tree": {"none": True, "bad": "x"}, "mutated": []}] * _CASES_63,
    [{"outcome": "ok", "tree": {"seq": "dict", "items": []}, "mutated": []}] * _CASES_63,
    [{"outcome": "maybe"}] * _CASES_63,
    [{"outcome": "ok", "tree": {"none": True}, "mutated": []}] * 50,
    [{"outcome": "ok", "tree": {"none": True}, "mutated": []}] * (_CASES_63 - 1),
])
def test_function_documents_must_be_plain_records(runs):
    value = {"runs": runs, "stop": None}
    document = {"v": 1, "exercise": "6.3", "kind": "function", "seed": "ab" * 16, "value": value}
    with pytest.raises(Refused):
        decode_runs(document, exercises.get("6.3"), "ab" * 16)


@pytest.mark.parametrize("stop", [{"reason": "sleep", "index": 0, "cpu": 0, "wall": 0, "limit": 1},
                                  {"reason": "cpu", "index": 99, "cpu": 0, "wall": 0, "limit": 1},
                                  {"reason": "cpu", "index": 0, "cpu": "nan", "wall": 0, "limit": 1}, "cpu"])
def test_a_stopped_call_must_be_a_plain_record(stop):
    runs = [{"outcome": "missing", "mutated": []}] * _CASES_63
    document = {"v": 1, "exercise": "6.3", "kind": "function", "seed": "ab" * 16, "value": {"runs": runs, "stop": stop}}
    with pytest.raises(Refused):
        decode_runs(document, exercises.get("6.3"), "ab" * 16)


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
    for mime in ("text/plain", "text/html"):  # the learner's own verdict, not demo()'s "example of a mistake"
        assert "xample" not in shown[0][mime] and "not your answer" not in shown[0][mime]


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


def test_grading_on_kubernetes_gets_a_sandbox_and_only_teachers_get_it():
    """The grading profile gives bubblewrap what it needs in a pod, and only to the hub's admins."""
    values = yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text(encoding="utf-8"))
    code = values["hub"]["extraConfig"]["grading-profile"]
    namespace = {"c": type("C", (), {"KubeSpawner": type("K", (), {})})()}
    exec(compile(ast.parse(code), "grading-profile", "exec"), namespace)  # our own file, not user input
    profiles = namespace["c"].KubeSpawner.profile_list

    def spawner(admin):
        return type("S", (), {"user": type("U", (), {"admin": admin})()})()

    assert len(profiles(spawner(False))) == 1 and len(profiles(spawner(True))) == 2
    grading = profiles(spawner(True))[1]["kubespawner_override"]
    assert grading["extra_pod_config"] == {"hostUsers": False}
    context = grading["extra_container_config"]["securityContext"]
    assert context["procMount"] == "Unmasked" and context["seccompProfile"] == {"type": "Unconfined"}
    assert "bubblewrap" in (DEPLOY / "image" / "Dockerfile").read_text(encoding="utf-8")
    assert "bubblewrap" in (DEPLOY / "tljh" / "setup.sh").read_text(encoding="utf-8")


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


def test_the_graders_verdict_is_the_learners_own_and_names_its_kind():
    """What VerifyAnswers writes: the learner's verdict (never demo()'s "example of a mistake"), and
    the diagnosis the class report reads from the test cell's metadata."""
    from helpers.classroom.checker import judge

    correct, sentence, diagnosis = judge("3.1", json.dumps(encode("3.1", exercises.expected("3.1"))), None)
    assert correct and diagnosis == "correct"
    assert "Exercise 3.1: correct" in sentence and sentence.endswith("(checked by the grader)")
    assert "xample" not in sentence and "not your answer" not in sentence
    mistake = exercises.get("3.1").mistakes[0]
    correct, sentence, diagnosis = judge("3.1", json.dumps(encode("3.1", mistake.value())), None)
    assert not correct and diagnosis == f"mistake:{mistake.name}" and "xample" not in sentence
    assert judge("3.1", json.dumps(encode("3.1", ...)), None)[2] == "unanswered"
    assert judge("3.1", json.dumps({"v": 1, "exercise": "3.2", "kind": "numeric", "value": [1.0]}), None)[2] == "refused"


def test_while_grading_a_figure_is_not_drawn_its_text_stands_in(monkeypatch, capsys):
    import IPython.display
    import matplotlib.pyplot as plt

    from helpers import plots

    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: shown.append(a))
    monkeypatch.setenv("BACKPROP_GRADING", "1")
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    plots.show(fig, alt="A line falls from 1 to 0.")
    assert not shown and not plt.fignum_exists(fig.number)
    assert capsys.readouterr().out == "(figure not drawn while grading: A line falls from 1 to 0.)\n"
    monkeypatch.delenv("BACKPROP_GRADING")
    fig, _ = plt.subplots()
    plots.show(fig, alt="An empty frame.")
    assert len(shown) == 1 and isinstance(shown[0][0], plots.Figure)


def test_the_sandbox_makes_its_tmp_before_it_binds_the_course():
    """bubblewrap applies its mounts in order, and a mount hides what was bound under its path
    before: the kernel's throw-away /tmp comes first, so that a course and a Python that live under
    /tmp (a clone in a temporary directory) are bound inside it (they were hidden: autograde refused,
    "execvp …/.venv/bin/python: No such file or directory")."""
    from helpers.classroom import _jail

    clone = "/tmp/a-clone"
    config = {"private": "/tmp/backprop-kernel-x", "uid": None, "bwrap": "bwrap", "symlinks": [],
              "read_only": ["/usr", f"{clone}/.venv", f"{clone}/helpers"], "home": "/home/learner", "disk": 1 << 20,
              "submission": "/tmp/submission", "env": {}, "python": f"{clone}/.venv/bin/python",
              "jail": f"{clone}/helpers/classroom/_jail.py"}
    args = _jail.bwrap_args(config, ["kernel"])
    pairs = list(zip(args, args[1:]))
    tmp = pairs.index(("--tmpfs", "/tmp"))
    for path in config["read_only"] + [config["private"]]:
        flag = "--bind" if path == config["private"] else "--ro-bind"
        assert pairs.index((flag, path)) > tmp, path
    assert pairs.index(("--dir", clone)) > tmp and ("--dir", "/tmp") not in pairs
