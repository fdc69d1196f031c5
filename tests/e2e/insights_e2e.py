"""The class insights service on PostgreSQL (make test-insights; .ci/run): the same tests as on SQLite.

Debian's PostgreSQL is started by tools/pgtemp.py in a temporary directory on a free port, and
stopped and deleted at the end. tests/test_insights.py's service tests run again against it (the
same service and store code, another database), then: many learners posting at once, and a
restart of the service that keeps every event it acknowledged.

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
