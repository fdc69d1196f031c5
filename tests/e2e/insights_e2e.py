"""The class insights service on PostgreSQL (make test-insights; .ci/run): the same tests as on SQLite.

Debian's PostgreSQL is started by tools/pgtemp.py in a temporary directory on a free port, and
stopped and deleted at the end. tests/test_insights.py's service tests run again against it (the
same service and store code, another database), then: many learners posting at once, and a
restart of the service that keeps every event it acknowledged. Last, the class report
(helpers/insights/report.py) on a gradebook made with nbgrader's own API.

Not collected by `make test` (the name does not match test_*.py).
"""

import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from test_insights import (  # noqa: E402,F401 - the SQLite tests, collected here again with PostgreSQL
    Service, body, event, fresh_id, service,
    test_a_body_with_one_bad_event_stores_none_of_it,
    test_a_repeated_event_is_stored_once,
    test_bad_input_gets_a_4xx_with_a_sentence_and_stores_nothing,
    test_each_user_is_rate_limited_on_their_own,
    test_events_need_a_token_and_json,
    test_the_dashboard_and_its_data_are_for_teachers_only,
    test_the_summary_counts_learners_and_names_the_commonest_mistake,
)
from tools.pgtemp import new_database, temporary_postgres  # noqa: E402


@pytest.fixture(scope="module")
def database():
    """A new, empty PostgreSQL database for each name, on one throw-away server."""
    with temporary_postgres("first") as url:
        yield lambda name: new_database(url, name)


def test_postgresql_is_what_the_service_stores_in(service):
    assert service.store.dialect == "postgresql" and service.store.backend == "PostgreSQL"


def test_many_learners_at_once_lose_nothing(database):
    server = Service(database("crowd"), rate=100, burst=1000)
    try:
        sent, answers = {}, []

        def learner(n):
            events = [event(id=fresh_id(), exercise="1.1", verdict="correct", diagnosis="correct") for _ in range(20)]
            sent[f"crowd{n}"] = {e["id"] for e in events}
            for e in events:
                answers.append(server.request("api/events", body(e), user=f"crowd{n}")[0])

        threads = [threading.Thread(target=learner, args=(n,)) for n in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert answers.count(201) == 800, sorted(set(answers))
        stored = server.store.event_ids()
        assert {(u, i) for u, ids in sent.items() for i in ids} <= stored
    finally:
        server.stop()


def test_a_restarted_service_has_every_event_it_acknowledged(database):
    url = database("restart")
    first = Service(url)
    acknowledged = set()
    try:
        for n in range(30):
            e = event(id=fresh_id())
            if first.request("api/events", body(e), user=f"r{n % 5}")[0] == 201:
                acknowledged.add((f"r{n % 5}", e["id"]))
    finally:
        first.stop()
    second = Service(url)
    try:
        assert len(acknowledged) == 30 and acknowledged <= second.store.event_ids()
        summary = second.request("api/summary?since=all", user="teacher")[1]
        assert '"learners": 5' in summary
    finally:
        second.stop()


# --- the class report (make class-report), on a gradebook made with nbgrader's own API ----------------------

def _graded_course(root):
    """A course with one graded assignment: four learners, exercises 1.1 and 1.2, the grader's verdicts
    in the autograded notebooks (one notebook graded by a grader that wrote none)."""
    import nbformat
    from nbgrader.api import Gradebook

    verdicts = {  # learner: {exercise: (points, diagnosis the grader wrote, or None for no metadata)}
        "ann": {"1.1": (1, "correct"), "1.2": (0, "mistake:seed 000's slip ∂a/∂w = a")},
        "ben": {"1.1": (1, "correct"), "1.2": (0, "mistake:seed 000's slip ∂a/∂w = a")},
        "cat": {"1.1": (0, "sign"), "1.2": (0, "unanswered")},
        "dan": {"1.1": (0, None), "1.2": (1, None)},
    }
    root.mkdir(parents=True)
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        gb.update_or_create_assignment("a1")
        gb.update_or_create_notebook("nb", "a1")
        for exercise in ("1.1", "1.2"):
            gb.update_or_create_grade_cell(f"ex{exercise.replace('.', '_')}_test", "nb", "a1", max_score=1,
                                           cell_type="code")
        for learner, grades in verdicts.items():
            gb.add_student(learner)
            gb.add_submission("a1", learner)
            cells = []
            for exercise, (points, diagnosis) in grades.items():
                grade = gb.find_grade(f"ex{exercise.replace('.', '_')}_test", "nb", "a1", learner)
                grade.auto_score = points
                cell = nbformat.v4.new_code_cell("graded(...)")
                cell.metadata["nbgrader"] = {"grade_id": f"ex{exercise.replace('.', '_')}_test", "grade": True}
                if diagnosis is not None:
                    cell.metadata["backprop"] = {"verdict": {"exercise": exercise, "correct": diagnosis == "correct",
                                                             "diagnosis": diagnosis}}
                cells.append(cell)
            gb.db.commit()
            path = root / "autograded" / learner / "a1" / "nb.ipynb"
            path.parent.mkdir(parents=True)
            nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return root


@pytest.mark.filterwarnings("ignore:Object of type:sqlalchemy.exc.SAWarning")  # nbgrader's own, on add_submission
def test_the_class_report_counts_what_the_grader_said(tmp_path):
    import csv

    from helpers.insights import report

    course = _graded_course(tmp_path / "course")
    assert report.graded_assignments(course) == ["a1"]
    assert report.main(["--course", str(course), "--out", str(tmp_path / "out")]) == 0
    rows = list(csv.DictReader((tmp_path / "out" / "a1-exercises.csv").open(encoding="utf-8")))
    by = {}
    for r in rows:
        by.setdefault(r["exercise"], []).append(r)
    one, two = by["1.1"], by["1.2"]
    assert (one[0]["learners"], one[0]["right"], one[0]["not_answered"]) == ("4", "2", "0")
    assert [(r["mistake"], r["learners_with_mistake"]) for r in one] == [
        ("wrong sign", "1"), (report.UNKNOWN, "1")], "dan's 0 without the grader's verdict: counted, not named"
    assert (two[0]["right"], two[0]["not_answered"]) == ("1", "1")
    assert [(r["mistake"], r["learners_with_mistake"]) for r in two] == [("seed 000's slip ∂a/∂w = a", "2")]
    scores = list(csv.DictReader((tmp_path / "out" / "a1-scores.csv").open(encoding="utf-8")))
    assert {r["score"]: r["learners"] for r in scores} == {"0": "1", "1": "3"}
    page = (tmp_path / "out" / "a1.html").read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') == 2 and "median 1 of 2 points" in page.lower()
    assert "seed 000&#x27;s slip ∂a/∂w = a: 2" in page
