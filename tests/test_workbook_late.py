"""The workbook's later notebooks (04 onwards), planted and run: see tests/test_workbook.py.

A file of its own only so that pytest-xdist (which hands each file to one worker) runs these
beside tests/test_workbook.py's earlier notebooks; the checks are test_workbook's.
"""

import pytest

import planting
from test_notebooks import before_contract_c1
from test_workbook import COURSE, notary_dir, planted_run, workbook  # noqa: F401 (fixtures)

LATE = [p for p in COURSE if int(p.name[:2]) > 3]


@pytest.mark.parametrize("path", before_contract_c1(LATE))
def test_planted_answers_survive_running_every_cell(path, workbook, tmp_path_factory):  # noqa: F811
    planting.assert_planted_answers_kept(planted_run(path, workbook, tmp_path_factory), path.name)


@pytest.mark.parametrize("path", LATE, ids=[p.name for p in LATE])
def test_restart_hints_and_demos_on_the_planted_run(path, workbook, tmp_path_factory):  # noqa: F811
    planting.assert_probes(planted_run(path, workbook, tmp_path_factory), path.name)
