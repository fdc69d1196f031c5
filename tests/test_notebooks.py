"""Notebook hygiene: what a learner and nbval will notice, checked on the stored notebooks."""

import json
import re
from pathlib import Path

import pytest

from helpers import exercises

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
            assert f"ⓘ Solution {exercise_id}: the reference answer" in stored, exercise_id
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
