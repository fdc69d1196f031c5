"""Planting wrong answers in a notebook's exercise cells, and running it as a learner would (C1).

``plant(nb)`` replaces, in every exercise cell, each ``name = ...`` and each function whose body
holds ``...`` by a wrong answer whose type varies from exercise to exercise: for an answer that is
a value, a number, an array of the wrong values (or the wrong shape, where one number is asked
for), a ragged list or a text; for a function, a function returning a number, one that raises, a
number where the function should be, or one returning an array of the wrong shape. ``run``
executes every cell, solutions included, in a fresh kernel, and then asks the kernel whether every
planted answer is still there. Around the notebook it adds three probes that cost no extra kernel:

- before the Setup cell, the first exercise cell as a restarted kernel meets it (its names are
  undefined): the course's kernel extension must answer in one line, not a traceback;
- at the end, two ``hint`` calls in one cell: both must show;
- the outputs of the cells that call ``demo``: each must read as an example, not a verdict.

A cell tagged ``uses-answer`` (one that works on the learner's answer on purpose, like 06's
debugger) must cope with any answer: after it, it runs again with each other kind of wrong answer
and with the exercise's own ``...``, and must not raise; the planted answer is put back after.
"""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass, field

import nbformat
import numpy as np
import sympy as sp
from nbclient import NotebookClient

from helpers import exercises

CHECK_CALL = re.compile(r"""check\(\s*["'](\d+\.\d+)["']""")
CELL_TIMEOUT = 600  # seconds; the slowest cell of the course takes a few
RESULT_MARK = "PLANTED-ANSWERS-AFTER-THE-RUN "
NP, SP = '__import__("numpy")', '__import__("sympy")'  # whatever the notebook imported, and as


def _tags(cell):
    return set(cell.get("metadata", {}).get("tags", []))


def _holds_ellipsis(node):
    return any(isinstance(n, ast.Constant) and n.value is Ellipsis for n in ast.walk(node))


def _shape(expected):
    if isinstance(expected, sp.MatrixBase):
        return tuple(expected.shape)
    if isinstance(expected, sp.Basic):
        return ()
    return np.shape(np.asarray(expected, dtype=object))


def _value_plant(kind, expected):
    """(source of a wrong answer, its kind): the kinds take turns."""
    shape = _shape(expected)
    if kind == 0:
        return "1234.5", "a number"
    if kind == 1:
        if shape == ():
            return f"{NP}.full((2, 3), 0.25)", "an array where one number is asked for"
        return f"{NP}.full({shape!r}, 0.25) + {NP}.arange({int(np.prod(shape))}).reshape({shape!r})", "a wrong array"
    if kind == 2:
        return "[[1.0, 2.0], [3.0]]", "a ragged list"
    return '"my answer"', "a text"


def _function_plant(kind, name, args, exercise_id):
    """A Plant of a wrong function (or of a number in its place), and its source."""
    marker = f"planted answer to {exercise_id}"  # the function's docstring: how the final probe knows it
    head = f"def {name}({args}):\n    {marker!r}\n"
    if kind == 2:
        return Plant(exercise_id, name, "a number where a function is asked for", "7.0"), f"{name} = 7.0\n"
    body, what = {0: ("return 0.5", "a function returning a number"),
                  1: ('raise ValueError("a planted mistake")', "a function that raises"),
                  3: (f"return {NP}.zeros((1, 1))", "a function returning the wrong shape")}[kind]
    return Plant(exercise_id, name, what, marker, function=True), f"{head}    {body}\n"


@dataclass
class Plant:
    exercise: str
    name: str
    kind: str
    source: str  # what the final probe compares the name with: an expression, or a function's docstring
    function: bool = False


def plant_cell(source, exercise_id, turn):
    """The exercise cell's source with wrong answers planted, and the plants."""
    exercise = exercises.get(exercise_id)
    function_exercise = exercise is not None and exercise.kind == "function"
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    edits, plants = [], []
    for node in tree.body:
        start = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        if isinstance(node, ast.Assign) and _holds_ellipsis(node.value):
            names = [t.id for target in node.targets for t in ast.walk(target) if isinstance(t, ast.Name)]
            new = []
            for name in names:
                kind = (turn + len(plants)) % 4
                if function_exercise:
                    planted, text = _function_plant(kind, name, "*args", exercise_id)
                    plants.append(planted)
                    new.append(text)
                else:
                    text, what = _value_plant(kind, exercise.expected() if exercise else 0.0)
                    plants.append(Plant(exercise_id, name, what, text))
                    new.append(f"{name} = {text}\n")
            edits.append((start, node.end_lineno, "".join(new)))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _holds_ellipsis(node):
            planted, text = _function_plant((turn + len(plants)) % 4, node.name, ast.unparse(node.args), exercise_id)
            plants.append(planted)
            edits.append((start, node.end_lineno, text))
    for start, end, text in sorted(edits, reverse=True):
        lines[start:end] = [text]
    return "".join(lines), plants


def _every_kind(source, exercise_id):
    """The exercise cell's source with each kind of wrong answer planted in turn, and unanswered."""
    kinds = {plant_cell(source, exercise_id, turn)[0] for turn in range(4)}
    return [source, *sorted(kinds)]


def _uses_answer_probes(cell, exercise_cells):
    """After a uses-answer cell: the cell again with every kind of answer in the exercises it reads
    (bound in a cell of the probe's own), then the planted answers put back."""
    from test_notebooks import names_of

    read = names_of(cell.source)[1]
    probes = []
    for exercise_id, (source, planted_source) in exercise_cells.items():
        names = names_of(source)[0]
        if not names & read:
            continue
        keep = ", ".join(sorted(names))
        probes.append(nbformat.v4.new_code_cell(f"_kept_for_the_probe = ({keep},)"))
        for variant in _every_kind(source, exercise_id):
            binding = "\n".join(line for line in variant.splitlines() if not CHECK_CALL.search(line))
            probes.append(nbformat.v4.new_code_cell(f"{binding}\n{cell.source}"))
        probes.append(nbformat.v4.new_code_cell(f"({keep},) = _kept_for_the_probe"))
    return probes


def plant(nb):
    """A copy of the notebook with a wrong answer planted in every exercise cell, and the plants."""
    planted = nbformat.from_dict(nb)
    plants, turn, exercise_cells, cells = [], 0, {}, []
    for cell in planted.cells:
        cells.append(cell)
        if cell.cell_type == "code" and "uses-answer" in _tags(cell):
            cells.extend(_uses_answer_probes(cell, exercise_cells))
        if cell.cell_type != "code" or "exercise" not in _tags(cell):
            continue
        found = CHECK_CALL.search(cell.source)
        assert found, f"an exercise cell without check(\"N.M\", ...): {cell.source[:60]!r}"
        original = cell.source
        cell.source, cell_plants = plant_cell(cell.source, found.group(1), turn)
        exercise_cells[found.group(1)] = (original, cell.source)
        assert cell_plants, f"exercise {found.group(1)}: no `name = ...` nor function with ... to plant in"
        assert not _holds_ellipsis(ast.parse(cell.source)), f"exercise {found.group(1)}: a ... left unplanted"
        plants.extend(cell_plants)
        turn += 1
    planted.cells = cells
    return planted, plants


_FINAL_PROBE = '''\
import json as _json
def _planted_still_there(name, source, function):
    if name not in globals():
        return "gone"
    value = globals()[name]
    if function:
        return "kept" if getattr(value, "__doc__", None) == source else "replaced"
    fresh = eval(source)
    same = type(value) is type(fresh) and (
        __import__("numpy").array_equal(value, fresh) if hasattr(fresh, "shape") else value == fresh)
    return "kept" if same else "replaced"
print({mark!r} + _json.dumps({{p[0] + " (" + p[1] + ")": _planted_still_there(p[0], p[2], p[3]) for p in {plants!r}}}))
'''


@dataclass
class Run:
    nb: object  # the executed notebook
    plants: list
    survived: dict  # "name (exercise)" → "kept" | "replaced" | "gone"
    restart_probe: list = field(default_factory=list)  # the outputs of the first exercise cell, run first
    hint_probe: list = field(default_factory=list)
    demos: list = field(default_factory=list)  # (cell source, its text) for every cell calling demo()


def _text(outputs):
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])))
        elif "data" in out:
            parts.append(out["data"].get("text/plain", ""))
    return "\n".join(parts)


def run(nb, cwd, env=None, kernel_env=None):
    """Plant, execute every cell in a fresh kernel (raising nbclient's CellExecutionError, with the
    cell and its traceback, if any cell but the restart probe raises), and report.

    Args:
        nb: the notebook to run (a workbook or student notebook; it is not changed).
        cwd: the kernel's working directory.
        kernel_env: extra environment variables for the kernel (PYTHONPATH, BACKPROP_PROGRESS).
    """
    planted, plants = plant(nb)
    first = next(c for c in planted.cells if "exercise" in _tags(c))
    probe = nbformat.v4.new_code_cell(first.source, metadata={"tags": ["raises-exception"]})
    ids = [p.exercise for p in plants]
    hints = nbformat.v4.new_code_cell(f'hint("{ids[0]}")\nhint("{ids[0]}", 2)')
    final = nbformat.v4.new_code_cell(_FINAL_PROBE.format(
        mark=RESULT_MARK, plants=[(p.name, p.exercise, p.source, p.function) for p in plants]))
    planted.cells = [probe] + planted.cells + [hints, final]
    for cell in planted.cells:
        cell.pop("id", None)  # the probes have none; nbformat 4.5 wants all or none
    planted.nbformat_minor = min(planted.nbformat_minor, 4)
    env = {**os.environ, **(kernel_env or {})}
    env.pop("MPLBACKEND", None)  # figures drawn inline, as in a learner's kernel
    client = NotebookClient(planted, timeout=CELL_TIMEOUT, kernel_name="python3", allow_errors=False,
                            resources={"metadata": {"path": str(cwd)}})
    client.execute(env=env)
    printed = _text(planted.cells[-1].outputs)
    assert RESULT_MARK in printed, printed
    survived = json.loads(printed.split(RESULT_MARK, 1)[1].strip().splitlines()[0])
    demos = [(c.source, _text(c.outputs)) for c in planted.cells[1:-2]
             if c.cell_type == "code" and re.search(r"(?<![\w.])demo\(", c.source)]
    return Run(planted, plants, survived, planted.cells[0].outputs, planted.cells[-2].outputs, demos)


def assert_planted_answers_kept(result, name):
    """Every planted answer is still there after every cell ran (contract C1)."""
    lost = {k: v for k, v in result.survived.items() if v != "kept"}
    assert not lost, (f"{name}: running every cell replaced or removed the learner's answers {lost} "
                      "(contract C1: only the exercise cell binds its names)")
    assert len(result.survived) == len(result.plants)


def assert_probes(result, name):
    """The restart probe said what to do in one line, both hints showed, every demo read as an example."""
    errors = [o for o in result.restart_probe if o.get("output_type") == "error"]
    assert len(errors) == 1 and len(errors[0]["traceback"]) == 1, (
        f"{name}: a restarted kernel's undefined name showed {result.restart_probe!r}, not one line")
    line = errors[0]["traceback"][0]
    assert "Run → Run All Above Selected Cell" in line and "not run the cells above" in line, line

    shown = [o for o in result.hint_probe if o.get("output_type") == "display_data"]
    texts = [o["data"]["text/plain"] for o in shown]
    assert len(shown) == 2 and "Hint 1 for" in texts[0] and "Hint 2 for" in texts[1], (
        f"{name}: two hint() calls in one cell showed {texts}")
    assert not [o for o in result.hint_probe if o.get("output_type") == "execute_result"], "a hint shown twice"

    for source, text in result.demos:
        assert "not your answer" in text and "✘" not in text and "✔" not in text, (
            f"{name}: a demo reads like the learner's verdict: {source[:60]!r} showed {text[:200]!r}")


class Runs:
    """One planted run per notebook, shared by the tests of a module (a kernel run costs seconds)."""

    def __init__(self):
        self.done = {}

    def get(self, key, make):
        if key not in self.done:
            try:
                self.done[key] = make()
            except Exception as exc:  # noqa: BLE001 - every test that needs the run reports it
                self.done[key] = exc
        if isinstance(self.done[key], Exception):
            raise self.done[key]
        return self.done[key]
