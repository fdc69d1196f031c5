"""Notebook hygiene: what a learner and nbval will notice, checked on the stored notebooks.

Contract C1 (test_exercise_names_belong_to_the_learner) is checked on every cell's Python, parsed
with the standard library's ``symtable`` (after IPython's own transformation of magics), never by
regular expressions: which names a cell binds in the kernel's namespace and which it reads there.
"""

import ast
import json
import re
import symtable
from pathlib import Path

import pytest
from IPython.core.inputtransformer2 import TransformerManager

from helpers import exercises
from helpers.checking.feedback import STATUS_MARK

SOLUTION_MARK = STATUS_MARK["solution"]

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CHECK_CALL = re.compile(r"""(?<![\w.])check\(\s*["'](\d+\.\d+)["']""")
SOLUTION_CALL = re.compile(r"""(?<![\w.])solution\(\s*["'](\d+\.\d+)["']""")


def load(path):
    return json.loads(path.read_text(encoding="utf-8"))


def code_cells(nb):
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def source(cell):
    return "".join(cell["source"])


def tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def test_the_course_has_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_calculus.ipynb"


def test_notebook_names_are_two_digits_and_lower_case():
    for path in NOTEBOOKS:
        assert re.fullmatch(r"\d\d_[a-z0-9_]+\.ipynb", path.name), path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
class TestNotebook:
    def test_stored_with_outputs(self, path):
        cells = code_cells(load(path))
        assert any(c["outputs"] for c in cells), "stored without outputs: nbval compares stored outputs"

    def test_executed_top_to_bottom_in_one_go(self, path):
        counts = [c["execution_count"] for c in code_cells(load(path)) if source(c).strip()]
        assert counts == list(range(1, len(counts) + 1)), f"execution counts {counts}"

    def test_no_error_outputs(self, path):
        for cell in code_cells(load(path)):
            for output in cell["outputs"]:
                assert output["output_type"] != "error", f"{output.get('ename')}: {output.get('evalue')}"
                assert output.get("name") != "stderr", "".join(output.get("text", ""))[:200]

    def test_no_absolute_paths_of_this_machine(self, path):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"/(home|root|tmp|work)/", text)

    def test_figures_are_png_not_svg(self, path):
        for cell in code_cells(load(path)):
            for output in cell["outputs"]:
                assert "image/svg+xml" not in output.get("data", {})

    def test_title_navigation_and_progress(self, path):
        nb = load(path)
        first = source(nb["cells"][0])
        number = path.name[:2]
        assert first.startswith(f"# {number} · ") and "[contents](../README.md)" in first
        # the course's one notation, linked from the top of every notebook, and the page exists
        assert "[notation](../docs/notation.md)" in first, "the top navigation line links to docs/notation.md"
        assert (path.parent.parent / "docs" / "notation.md").is_file()
        # the navigation line names its neighbours, when they exist
        later = sorted(path.parent.glob(f"{int(number) + 1:02d}_*.ipynb"))
        if later:
            assert f"]({later[0].name})" in first, f"the top navigation line does not link to {later[0].name}"
        assert source(nb["cells"][-1]).strip() == f'progress.show("{number}")'
        headings = [source(c) for c in nb["cells"] if c["cell_type"] == "markdown"]
        assert any("## Learning goals" in h for h in headings)
        assert any("## Summary" in h for h in headings)

    def test_exercise_ids_belong_to_this_notebook_and_are_registered(self, path):
        number = int(path.name[:2])
        for cell in code_cells(load(path)):
            for exercise_id in CHECK_CALL.findall(source(cell)):
                assert int(exercise_id.split(".")[0]) == number, exercise_id
                assert exercises.get(exercise_id) is not None, f"{exercise_id} is not registered"

    def test_every_exercise_has_a_placeholder_a_solution_and_stored_feedback(self, path):
        cells = code_cells(load(path))
        exercise_cells = {CHECK_CALL.search(source(c)).group(1): c for c in cells if "exercise" in tags(c)}
        solution_cells = {SOLUTION_CALL.search(source(c)).group(1): c for c in cells if "solution" in tags(c)}
        assert exercise_cells, "no exercise cells"
        assert exercise_cells.keys() == solution_cells.keys()
        for exercise_id, cell in exercise_cells.items():
            assert "..." in source(cell), f"exercise {exercise_id} has no ... placeholder"
            assert f"not answered yet" in json.dumps(cell["outputs"]), exercise_id
            solution = solution_cells[exercise_id]
            assert solution["metadata"].get("jupyter", {}).get("source_hidden") is True, exercise_id
            # the stored output reads as the reference solution, not as a second verdict
            stored = json.dumps(solution["outputs"], ensure_ascii=False)
            assert f"{SOLUTION_MARK} Solution {exercise_id}: the reference answer" in stored, exercise_id
            assert "✔" not in stored and "correct." not in stored, exercise_id

    def test_only_the_learners_answers_earn_credit(self, path):
        """check() records progress, so only exercise cells may call it (a solution cell calls
        solution(), which verifies and records nothing); a "correct" from check() anywhere in a
        stored notebook would credit the learner with an exercise they never answered."""
        for cell in code_cells(load(path)):
            if "exercise" not in tags(cell):
                assert not CHECK_CALL.search(source(cell)), (
                    f"only exercise cells call check() (solution cells call solution(), demonstrations demo()): {source(cell)[:80]}")
            stored = json.dumps(cell.get("outputs", []), ensure_ascii=False)
            assert "✔ Exercise" not in stored, source(cell)[:120]

    def test_exercises_are_numbered_in_order(self, path):
        ids = [CHECK_CALL.search(source(c)).group(1) for c in code_cells(load(path)) if "exercise" in tags(c)]
        numbers = [int(i.split(".")[1]) for i in ids]
        assert numbers == list(range(1, len(numbers) + 1)), ids

    def test_no_cell_uses_what_only_a_solution_defines(self, path):
        """The student edition deletes solution cells: later cells must not depend on them."""
        nb = load(path)
        cells = code_cells(nb)
        for i, cell in enumerate(cells):
            if "solution" not in tags(cell):
                continue
            defined = set(re.findall(r"^(\w+)\s*=", source(cell), re.M))
            # names the solution shares with its exercise cell are the learner's answer: never reused later
            for later in cells[i + 1:]:
                if tags(later) & {"solution", "exercise"}:
                    continue
                code = source(later)
                for name in defined:
                    redefined_before_use = re.search(rf"^\s*{name}\s*=", code, re.M)
                    used = re.search(rf"(?<![\w.]){name}(?!\w)", code)
                    if used and not (redefined_before_use and redefined_before_use.start() <= used.start()):
                        raise AssertionError(f"cell {later['execution_count']} uses {name!r}, defined in a solution cell")

    def test_timings_are_the_only_ignored_outputs(self, path):
        for cell in code_cells(load(path)):
            if "nbval-ignore-output" in tags(cell) or "# NBVAL_IGNORE_OUTPUT" in source(cell):
                assert re.search(r"time|perf_counter", source(cell)), "only timing cells may skip nbval's comparison"


def test_every_registered_exercise_is_used_in_a_notebook():
    used = set()
    for path in NOTEBOOKS:
        for cell in code_cells(load(path)):
            used.update(CHECK_CALL.findall(source(cell)))
    assert set(exercises.ids()) <= used, f"registered but never used: {sorted(set(exercises.ids()) - used)}"


# --- contract C1: exercise and solution cells never touch the learner's names ---------------------
#
# An exercise cell (tag `exercise`) binds its answer names with `...` (or defines a function whose
# body holds `...`) and calls check("N.M", name); those names are the learner's. Enforced here:
# 1. no other cell (solution cells included) binds a name an exercise cell binds: no assignment,
#    def, class, import-as, del, for or with target, nor `global` assignment in a function;
# 2. no cell other than exercise cells reads such a name, at its top level or inside a function it
#    defines, except a cell tagged `uses-answer` (one that works on the learner's answer on
#    purpose, like 06's debug_backward(backward, ...)); later cells continue from the reference;
# 3. a solution cell is tagged `solution`, collapsed (`"jupyter": {"source_hidden": true}`), follows
#    its exercise, and calls solution("N.M", ...) with that exercise's id.
# An exercise cell may read earlier exercises' names (3.2 computed from the learner's own 3.1).
# The planted test (tests/test_workbook.py) runs what this checks statically: a wrong answer of
# any type in every exercise cell, every cell run, every planted answer still there at the end.

# The notebooks written before contract C1; the sessions restructuring them (nb0103: 01-03,
# nb0406: 04-06) remove their entry when a notebook keeps it (strict: an xpass fails, as a reminder).
WAITS_FOR_RESTRUCTURE = {}  # notebook stem → the session whose restructure it waits for (none left)


def before_contract_c1(paths):
    """The notebooks as pytest parameters, those written before C1 marked as expected to fail."""
    def waits(p):
        return pytest.mark.xfail(strict=True, raises=AssertionError,
                                 reason=f"waits for the {WAITS_FOR_RESTRUCTURE[p.stem]} restructure (contract C1)")

    return [pytest.param(p, id=p.name, marks=waits(p)) if p.stem in WAITS_FOR_RESTRUCTURE else pytest.param(p, id=p.name)
            for p in paths]


def python_of(cell_source):
    """The Python a kernel runs for a cell (IPython turns %magics and !commands into calls)."""
    return TransformerManager().transform_cell(cell_source)


# Magics whose code runs in the kernel's namespace (%time x = f(); %%capture), and %timeit, whose
# code reads it; IPython hands them their code as a string, which is analysed in turn.
RUNS_IN_NAMESPACE, READS_NAMESPACE = {"time", "capture"}, {"timeit"}


def _magic_code(python):
    """The code strings handed to the magics above, in the Python IPython made of a cell."""
    for node in ast.walk(ast.parse(python)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("run_line_magic", "run_cell_magic") and len(node.args) >= 2
                and all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args)):
            magic, code = node.args[0].value, node.args[-1].value
            if node.func.attr == "run_line_magic" and magic == "timeit":
                code = re.sub(r"^(\s*-\w+(\s+\d+)?)*", "", code)  # options such as -n 10 -r 3
            if magic in RUNS_IN_NAMESPACE | READS_NAMESPACE and code.strip():
                yield magic, code


def _augmented_at_top_level(tree):
    """Names augmented (x += 1) in the cell's own namespace, not inside a function or class."""
    names, nodes = set(), list(ast.iter_child_nodes(tree))
    while nodes:
        node = nodes.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        nodes.extend(ast.iter_child_nodes(node))
    return names


def names_of(cell_source):
    """(bound, read): the names a cell binds in the kernel's namespace and the global names it reads,
    at its top level or inside the functions, classes, lambdas and comprehensions it defines."""
    python = python_of(cell_source)
    table = symtable.symtable(python, "<cell>", "exec")
    bound, read = set(), set()
    for magic, code in _magic_code(python):
        inner_bound, inner_read = names_of(code)
        read |= inner_read
        if magic in RUNS_IN_NAMESPACE:
            bound |= inner_bound
    for symbol in table.get_symbols():
        if symbol.is_assigned() or symbol.is_imported():
            bound.add(symbol.get_name())
        if symbol.is_referenced():
            read.add(symbol.get_name())
    read |= _augmented_at_top_level(ast.parse(python))  # x += 1 reads x (symtable counts it as bound only)
    scopes = list(table.get_children())
    while scopes:
        scope = scopes.pop()
        scopes.extend(scope.get_children())
        for symbol in scope.get_symbols():
            if not symbol.is_global():
                continue
            if symbol.is_referenced():
                read.add(symbol.get_name())
            if symbol.is_declared_global() and (symbol.is_assigned() or symbol.is_imported()):
                bound.add(symbol.get_name())
    return bound, read


def _where(path, index, cell):
    first = source(cell).strip().splitlines()[0] if source(cell).strip() else ""
    return f"{path.name}, cell {index} ({first[:50]!r})"


def c1_violations(path):
    """Every breach of contract C1 in one notebook, as sentences naming the cell and the name."""
    nb = load(path)
    problems, owner = [], {}  # owner: exercise name -> (exercise id, cell index)
    parsed = {}
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        try:
            parsed[index] = names_of(source(cell))
        except SyntaxError as exc:
            problems.append(f"{_where(path, index, cell)} is not valid Python: {exc.msg} (line {exc.lineno})")
            continue
        if "exercise" in tags(cell):
            found = CHECK_CALL.search(source(cell))
            for name in sorted(parsed[index][0]):
                owner.setdefault(name, (found.group(1) if found else "?", index))
    latest = None
    for index, cell in enumerate(nb["cells"]):
        if index not in parsed:
            continue
        bound, read = parsed[index]
        where = _where(path, index, cell)
        is_exercise = "exercise" in tags(cell)
        if is_exercise:
            found = CHECK_CALL.search(source(cell))
            latest = found.group(1) if found else None
        for name in sorted(bound & owner.keys()):
            exercise_id, home = owner[name]
            if home != index:
                problems.append(f"{where} binds {name!r}, the learner's answer to exercise {exercise_id} (cell {home}): "
                                f"a {'solution' if 'solution' in tags(cell) else 'later'} cell must leave it alone; "
                                f"give the reference a name of its own (e.g. {name}_solution) or use helpers' reference")
        if not is_exercise and "uses-answer" not in tags(cell):
            for name in sorted((read - bound) & owner.keys()):
                exercise_id, home = owner[name]
                problems.append(f"{where} reads {name!r}, the learner's answer to exercise {exercise_id} (cell {home}): "
                                "continue from the reference (helpers.lessons, helpers.nets, a reference value of the "
                                "cell's own), or tag the cell uses-answer if it works on the learner's answer on purpose")
        if "solution" in tags(cell):
            called = SOLUTION_CALL.search(source(cell))
            if cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") is not True:
                problems.append(f"{where} is a solution cell but not collapsed (metadata jupyter.source_hidden: true)")
            if not called:
                problems.append(f"{where} is a solution cell without solution(\"N.M\", ...)")
            elif called.group(1) != latest:
                problems.append(f"{where} calls solution(\"{called.group(1)}\", ...) but follows exercise {latest}")
    return problems


@pytest.mark.parametrize("path", before_contract_c1(NOTEBOOKS))
def test_exercise_names_belong_to_the_learner(path):
    """Contract C1, statically: exercise names are bound only by their exercise cell and read only
    by exercise cells and cells tagged uses-answer; solution cells are collapsed and call solution()."""
    problems = c1_violations(path)
    assert not problems, f"{len(problems)} breach(es) of contract C1 (CONTRIBUTING.md, Exercises):\n" + "\n".join(problems)


def test_the_c1_check_sees_bindings_and_reads_of_every_kind():
    """names_of finds what a kernel's namespace gains and reads, whatever the syntax."""
    bound, read = names_of(
        "import numpy as np\nfrom a import b as c\nd = 1\ne += 1\ndel f\nfor g in h: pass\n"
        "with i as j: pass\n(k := 2)\ndef fn(x):\n    global m\n    m = n\n    return [o for _ in x]\n"
        "class K:\n    p = q\nlam = lambda: r\n%time s = t\n%timeit -n 3 u + 1\n")
    assert {"np", "c", "d", "e", "f", "g", "j", "k", "fn", "m", "K", "lam", "s"} <= bound
    assert {"e", "h", "i", "n", "o", "q", "r", "t", "u"} <= read
    assert "x" not in read and "p" not in bound and "_" not in read  # locals of the function, class, comprehension


def test_the_c1_check_names_the_notebook_cell_and_name(tmp_path):
    """A notebook whose solution rebinds the learner's name and whose later cell reads it fails,
    and each message names the notebook, the cell and the name."""
    def cell(src, tag=None, hidden=False):
        meta = {"tags": [tag]} if tag else {}
        if hidden:
            meta["jupyter"] = {"source_hidden": True}
        return {"cell_type": "code", "source": src, "metadata": meta, "outputs": [], "execution_count": None}

    nb = {"cells": [cell("x = 2.0"), cell("# Exercise 9.1\ndW = ...\ncheck(\"9.1\", dW)", "exercise"),
                    cell("# Solution 9.1\ndW = 2 * x\nsolution(\"9.1\", dW)", "solution", hidden=True),
                    cell("print(dW + 1)"), cell("debug(dW)", "uses-answer"),
                    cell("# Solution 9.1\nsolution(\"9.1\", 2 * x)", "solution")],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "99_planted.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    problems = c1_violations(path)
    assert any(p.startswith("99_planted.ipynb, cell 2") and "binds 'dW'" in p and "exercise 9.1" in p for p in problems), problems
    assert any(p.startswith("99_planted.ipynb, cell 3") and "reads 'dW'" in p for p in problems), problems
    assert not any("cell 4" in p for p in problems), "a uses-answer cell may read the learner's answer"
    assert any("cell 5" in p and "not collapsed" in p for p in problems), problems
    fixed = dict(nb, cells=nb["cells"][:2] + [cell("# Solution 9.1\ndW_solution = 2 * x\nsolution(\"9.1\", dW_solution)",
                                                 "solution", hidden=True), cell("print(2 * x + 1)"), nb["cells"][4]])
    path.write_text(json.dumps(fixed), encoding="utf-8")
    assert c1_violations(path) == []
