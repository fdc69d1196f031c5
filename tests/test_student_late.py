"""The student edition's later notebooks, run top to bottom: every exercise "not answered yet".

A file of its own only so that pytest-xdist (which hands each file to one worker) can run these
beside tests/test_student.py's earlier notebooks; the checks are test_student's.
"""

import pytest

from test_student import COURSE, edition, run_student_notebook  # noqa: F401 (edition is a fixture)

LATE = [p for p in COURSE if int(p.name[:2]) > 3]


@pytest.mark.parametrize("course_path", LATE, ids=[p.stem for p in LATE])
def test_student_notebook_runs_and_every_exercise_is_not_answered_yet(edition, course_path, tmp_path):  # noqa: F811
    run_student_notebook(edition, course_path, tmp_path)
