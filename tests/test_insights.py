"""The class insights (issue 22): the events check and hint send, and the service that stores them.

The service runs here in a thread of this process, on a free port, with a SQLite file; who a
request comes from is given by a stand-in for the hub (a token "token alice" is alice, "token
teacher" also carries the dashboard's scope). The real hub, its tokens and scopes, PostgreSQL and
Chromium are exercised by `make test-hub` (tests/e2e/class_e2e.py), `make test-insights`
(tests/e2e/insights_e2e.py) and `make bench-insights`.
"""

import asyncio
import html
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from tornado.httpserver import HTTPServer
from tornado.netutil import bind_sockets

from helpers import check, hint, insights
from helpers.exercises import get
from helpers.insights import events as ev
from helpers.insights.store import Store


def _service():
    """helpers.insights.service, imported when first used: it imports JupyterHub's auth (half a
    second of CPU), which each pytest-xdist worker would otherwise pay while collecting."""
    from helpers.insights import service

    return service

ROOT = Path(__file__).resolve().parents[1]
WRONG_12 = get("1.2").mistakes[0]  # a registered mistake of exercise 1.2


async def _identify(handler):
    """The stand-in for the hub: the token is the user's name."""
    auth = handler.request.headers.get("Authorization", "")
    if not auth.startswith("token "):
        return None
    name = auth[len("token "):]
    handler._token_authenticated = True
    scopes = ["access:services!service=insights"] + ([_service().DASHBOARD_SCOPE] if name == "teacher" else [])
    return {"name": name, "kind": "user", "scopes": scopes}


class Service:
    def __init__(self, database_url, **options):
        self.store = Store(database_url)
        self.catalog = ev.Catalog.from_course()
        self.options = options
        self.ready = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self.thread.start()
        assert self.ready.wait(30), "the service did not start"
        self.url = f"http://127.0.0.1:{self.port}/services/insights/"

    async def _main(self):
        self.app = _service().Insights(self.store, self.catalog, identify=_identify, cookie_secret=b"s" * 32, **self.options)
        self.app.writer.start()
        self.server = HTTPServer(self.app.application, max_body_size=1024 * 1024)
        sockets = bind_sockets(0, "127.0.0.1")
        self.port = sockets[0].getsockname()[1]
        self.server.add_sockets(sockets)
        self.loop, self.stopped = asyncio.get_running_loop(), asyncio.Event()
        self.ready.set()
        await self.stopped.wait()
        self.server.stop()

    def stop(self):
        self.loop.call_soon_threadsafe(self.stopped.set)
        self.thread.join(10)
        self.store.close()

    def request(self, path, body=None, user="alice", content_type="application/json", method=None):
        headers = {"Content-Type": content_type}
        if user:
            headers["Authorization"] = f"token {user}"
        request = urllib.request.Request(self.url + path, data=body, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A new, empty database for each name: a SQLite file here (tests/e2e/insights_e2e.py: PostgreSQL)."""
    folder = tmp_path_factory.mktemp("insights")
    return lambda name: f"sqlite:///{folder / name}.sqlite"


@pytest.fixture(scope="module")
def service(database):
    server = Service(database("events"), rate=2, burst=60)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def learner(monkeypatch, tmp_path, service):
    """This process as a learner's kernel on the hub: alice's token and the service's URL."""
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice")
    monkeypatch.setenv(insights.URL_ENV, service.url)
    for name in ("BACKPROP_GRADING", insights.SWITCH_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(insights, "_SENDER", None)
    return service


def event(**change):
    base = {"id": "0" * 31 + "1", "kind": "check", "exercise": "1.2", "notebook": "01_one_weight", "verdict": "tried",
            "diagnosis": "sign", "time": time.time()}
    base.update(change)
    return {k: v for k, v in base.items() if v is not None}


def body(*events):
    return json.dumps({"events": list(events)}).encode()


def fresh_id():
    import uuid

    return uuid.uuid4().hex


# --- the learner's side -------------------------------------------------------------------------------

@pytest.mark.parametrize("setting", ["no hub", "no service", "turned off", "grading"])
def test_nothing_is_sent_outside_a_hub_or_when_turned_off(monkeypatch, tmp_path, setting):
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice")
    monkeypatch.setenv(insights.URL_ENV, "http://127.0.0.1:9/services/insights/")
    monkeypatch.delenv("BACKPROP_GRADING", raising=False)
    monkeypatch.delenv(insights.SWITCH_ENV, raising=False)
    if setting == "no hub":
        monkeypatch.delenv("JUPYTERHUB_API_TOKEN")
    elif setting == "no service":
        monkeypatch.delenv(insights.URL_ENV)
    elif setting == "turned off":
        monkeypatch.setenv(insights.SWITCH_ENV, "off")
    else:
        monkeypatch.setenv("BACKPROP_GRADING", "1")
    monkeypatch.setattr(insights, "_SENDER", None)
    assert not check("1.1", 3.0)
    hint("1.1")
    assert insights._SENDER is None, "a sender was started where nothing may be sent"
    assert not insights.enabled()
    assert str(insights.mine()).startswith("Nothing is recorded about you")


def test_check_and_hint_send_one_event_each_and_never_the_answer(learner):
    before = learner.store.count(user="alice")
    wrong = WRONG_12.value()
    feedback = check("1.2", wrong)
    assert feedback.diagnosis == f"mistake:{WRONG_12.name}"
    assert check("1.1", get("1.1").expected())
    check("1.3", ...)
    hint("1.2", 2)
    assert insights._SENDER.flush(30), insights._SENDER.problem
    assert learner.store.count(user="alice") == before + 4
    total, rows = learner.store.of_user("alice", 4)
    by_kind = {(r["kind"], r["exercise"]): r for r in rows}
    assert by_kind["check", "1.2"]["verdict"] == "tried"
    assert by_kind["check", "1.2"]["diagnosis"] == f"mistake:{WRONG_12.name}"
    assert by_kind["check", "1.2"]["notebook"] == "01_one_weight"
    assert (by_kind["check", "1.1"]["verdict"], by_kind["check", "1.1"]["diagnosis"]) == ("correct", "correct")
    assert by_kind["check", "1.3"]["verdict"] == "unanswered"
    assert by_kind["hint", "1.2"]["hint"] == 2
    stored = json.dumps(rows)
    for value in (wrong, get("1.1").expected()):
        assert f"{float(value):.4g}" not in stored and repr(float(value)) not in stored


def test_mine_shows_the_learners_own_events_and_nobody_elses(learner):
    learner.request("api/events", body(event(id=fresh_id(), exercise="1.4", notebook="01_one_weight")), user="bob")
    check("1.2", -5.7)  # the wrong sign
    shown = insights.mine()
    text, page = str(shown), shown._repr_html_()
    assert "never your answer" in text
    assert "1.2" in text and "wrong sign" in text and "(alice)" in text
    assert "1.4" not in text, "bob's event shown to alice"
    assert "<table>" in page and "wrong sign" in page


def test_a_check_never_waits_for_a_service_that_does_not_answer(monkeypatch, tmp_path, capfd):
    """A service that accepts the connection and never answers: check still answers, shows nothing
    more, and the event waits in the queue (sent later)."""
    hold = socket.socket()
    hold.bind(("127.0.0.1", 0))
    hold.listen(8)
    accepted = []
    release = threading.Event()

    def blackhole():
        connection, _ = hold.accept()
        accepted.append(connection)
        release.wait(60)  # answers nothing until the test is over
        connection.close()

    threading.Thread(target=blackhole, daemon=True).start()
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice")
    monkeypatch.setenv(insights.URL_ENV, f"http://127.0.0.1:{hold.getsockname()[1]}/services/insights/")
    monkeypatch.delenv("BACKPROP_GRADING", raising=False)
    monkeypatch.setattr(insights, "_SENDER", None)
    monkeypatch.setattr(insights, "TIMEOUT_S", 3600)  # a check that waited for the answer would never return
    capfd.readouterr()
    try:
        answers = []
        first = threading.Thread(target=lambda: answers.append(check("1.2", -5.7)), daemon=True)
        first.start()
        first.join(60)
        assert answers and answers[0].diagnosis == "sign", "check did not answer while the service held its request"
        answers.append(check("1.1", 1.0))  # and the next check does not wait for the first event either
        assert len(answers) == 2
        deadline = time.monotonic() + 30
        while not accepted and time.monotonic() < deadline:
            time.sleep(0.01)
        assert accepted, "the event was never sent"
        assert not release.is_set(), "the service answered before the checks returned"
        assert insights._SENDER.pending() == 2, "the events must wait, not be dropped"
        out, err = capfd.readouterr()
        assert (out, err) == ("", ""), "sending printed something in the learner's notebook"
    finally:
        release.set()
        hold.close()


def test_a_check_with_the_service_down_shows_no_error_and_keeps_the_event(monkeypatch, tmp_path, capfd):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there: connection refused
    monkeypatch.setenv("BACKPROP_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "alice")
    monkeypatch.setenv(insights.URL_ENV, f"http://127.0.0.1:{port}/services/insights/")
    monkeypatch.delenv("BACKPROP_GRADING", raising=False)
    monkeypatch.setattr(insights, "_SENDER", None)
    capfd.readouterr()
    feedback = check("1.2", -5.7)
    assert feedback.status == "wrong" and "insights" not in str(feedback).lower()
    deadline = time.monotonic() + 30
    while insights._SENDER.problem is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "could not be reached" in insights._SENDER.problem
    assert insights._SENDER.pending() == 1 and insights._SENDER.dropped == 0
    assert capfd.readouterr() == ("", "")
    assert "could not be asked" in str(insights.mine())


def test_a_kernel_the_hub_refuses_stops_sending(learner, monkeypatch):
    """403 (the hub's scopes not set): the kernel stops trying and says why in mine()."""
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "")  # no token → the stand-in hub identifies nobody
    monkeypatch.setattr(insights, "_settings", lambda: (learner.url, "nobody-token"))
    monkeypatch.setattr(learner.app, "identify", _refuse)
    check("1.2", -5.7)
    sender = insights._SENDER
    assert sender.flush(30)
    assert sender.stopped and sender.dropped == 1 and "403" in sender.problem


async def _refuse(handler):
    from helpers.insights.service import Answer

    raise Answer(403, "nobody-token may not use the class insights service")


# --- the service: bad input is refused whole, with a sentence ---------------------------------------------

BAD = {
    "not JSON": (b"{not json", 400, "not JSON"),
    "not an object": (b"[1, 2]", 400, "JSON object"),
    "unknown field": (body(event(colour="blue")), 400, "unknown field 'colour'"),
    "another user's name": (body(event(user="bob")), 400, "never names a user"),
    "a user at the top": (json.dumps({"events": [event()], "username": "bob"}).encode(), 400, "never names a user"),
    "unknown exercise": (body(event(exercise="9.99")), 400, "no exercise \"9.99\""),
    "wrong notebook": (body(event(notebook="03_two_layer_network")), 400, "belongs to notebook"),
    "unknown mistake": (body(event(diagnosis="mistake:dividing by zero")), 400, "no registered mistake"),
    "a value as diagnosis": (body(event(diagnosis="-131.67")), 400, "not a diagnosis key"),
    "correct with a mistake": (body(event(verdict="correct")), 400, "goes with the diagnosis"),
    "a boolean hint level": (body(event(kind="hint", verdict=None, diagnosis=None, hint=True)), 400, "hint's level"),
    "hint level out of range": (body(event(kind="hint", verdict=None, diagnosis=None, hint=7)), 400, "hint's level"),
    "NaN time": (b'{"events": [{"time": NaN}]}', 400, "not JSON"),
    "a time far away": (body(event(time=1.0)), 400, "within two days"),
    "a bad id": (body(event(id="DROP TABLE insights_events")), 400, "hexadecimal"),
    "empty list": (body(), 400, "non-empty list"),
    "too many events": (body(*[event(id=f"{i:032x}") for i in range(51)]), 400, "at most 50"),
    "huge body": (b'{"events": [' + b" " * (ev.MAX_BODY + 10) + b"]}", 413, "at most 65536"),
    "not UTF-8": (b'{"events": ["\xff"]}', 400, "not UTF-8"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_input_gets_a_4xx_with_a_sentence_and_stores_nothing(service, case):
    payload, status, words = BAD[case]
    before = service.store.count()
    code, text, _ = service.request("api/events", payload, user=f"mallory-{len(case)}")
    assert code == status, text
    message = json.loads(text)["message"]
    assert words in message and message.endswith("."), message
    assert service.store.count() == before


def test_a_body_with_one_bad_event_stores_none_of_it(service):
    before = service.store.count()
    code, text, _ = service.request("api/events", body(event(id=fresh_id()), event(id=fresh_id(), exercise="0.0")))
    assert code == 400 and "event 2:" in json.loads(text)["message"]
    assert service.store.count() == before


def test_events_need_a_token_and_json(service):
    code, text, _ = service.request("api/events", body(event(id=fresh_id())), user=None)
    assert code == 403 and "log in" in json.loads(text)["message"]
    code, text, _ = service.request("api/events", body(event(id=fresh_id())), content_type="text/plain")
    assert code == 415


def test_a_repeated_event_is_stored_once(service):
    one = event(id=fresh_id())
    for _ in range(3):  # a kernel that retries after a lost acknowledgement
        assert service.request("api/events", body(one), user="carol")[0] == 201
    assert service.store.count(user="carol", event_id=one["id"]) == 1


def test_each_user_is_rate_limited_on_their_own(service):
    burst = [event(id=fresh_id()) for _ in range(50)]
    assert service.request("api/events", body(*burst), user="dave")[0] == 201
    before = service.store.count(user="dave")
    code, text, headers = service.request("api/events", body(*[event(id=fresh_id()) for _ in range(20)]), user="dave")
    assert code == 429 and "too many events from dave" in json.loads(text)["message"]
    assert int(headers["Retry-After"]) >= 1
    assert service.store.count(user="dave") == before
    assert service.request("api/events", body(event(id=fresh_id())), user="erin")[0] == 201


# --- the teacher's side ---------------------------------------------------------------------------------

def test_the_dashboard_and_its_data_are_for_teachers_only(service):
    for path in ("", "api/summary", "api/learners?exercise=1.2&what=sign", "export.csv", "export-events.csv"):
        code, text, _ = service.request(path, user="alice")
        assert code == 403, path
        assert "for the course's teachers" in html.unescape(text), path
    code, page, headers = service.request("", user="teacher")
    assert code == 200 and "What the class gets wrong" in page
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "cdn" not in page.lower() and 'src="http' not in page


def test_the_summary_counts_learners_and_names_the_commonest_mistake(database):
    service = Service(database("counts"))
    try:
        mistake = f"mistake:{WRONG_12.name}"
        sent = {"ann": [("tried", mistake), ("tried", mistake), ("correct", "correct")],
                "ben": [("tried", mistake), ("tried", "sign")],
                "cat": [("correct", "correct")]}
        for user, verdicts in sent.items():
            events = [event(id=fresh_id(), verdict=v, diagnosis=d) for v, d in verdicts]
            assert service.request("api/events", body(*events), user=user)[0] == 201
        assert service.request("api/events", body(event(id=fresh_id(), kind="hint", verdict=None, diagnosis=None,
                                                          hint=1)), user="ben")[0] == 201
        code, text, _ = service.request("api/summary?since=15m", user="teacher")
        summary = json.loads(text)
        row = next(x for nb in summary["notebooks"] for x in nb["exercises"] if x["exercise"] == "1.2")
        assert (row["tried"], row["right"], row["hints"]) == (3, 2, 1)
        assert row["mistakes"][0] == {"diagnosis": mistake, "label": WRONG_12.name, "learners": 2}
        assert row["mistakes"][1]["label"] == "wrong sign"
        assert summary["top"][0]["label"] == WRONG_12.name and summary["learners"] == 3
        names = json.loads(service.request(f"api/learners?exercise=1.2&what={urllib.request.quote(mistake)}",
                                           user="teacher")[1])
        assert names["learners"] == ["ann", "ben"]
        assert json.loads(service.request("api/learners?exercise=1.2&what=stuck", user="teacher")[1])["learners"] == ["ben"]
        code, text, headers = service.request("export.csv?since=all", user="teacher")
        assert code == 200 and headers["Content-Type"].startswith("text/csv")
        lines = text.splitlines()
        assert lines[0].startswith("notebook,exercise,title,learners_tried")
        assert any(line.startswith("01_one_weight,1.2,") and WRONG_12.name in line and line.endswith(",2")
                   for line in lines), lines
        events_csv = service.request("export-events.csv", user="teacher")[1]
        assert events_csv.count("\nann,") == 3
    finally:
        service.stop()


def test_labels_read_as_a_teacher_would_say_them():
    assert ev.label("upstream:3.1") == "fix 3.1 first"
    assert ev.label("mistake:σ′ forgotten") == "σ′ forgotten"
    assert ev.label("transposed") == "transposed"
    assert ev.label("bias-not-summed") == "bias gradient not summed over the batch"
    assert ev.label("some-new-key") == "some new key"


def test_sqlite_runs_in_wal_mode(service):
    with service.store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_old_events_can_be_forgotten(database):
    store = Store(database("forget"))
    try:
        now = time.time()
        rows = [{"event_id": fresh_id(), "user": "u", "kind": "check", "exercise": "1.1", "notebook": "01_one_weight",
                 "verdict": "correct", "diagnosis": "correct", "hint_level": None, "time": t, "received": t}
                for t in (now - 10 * 86400, now)]
        store.add(rows)
        assert store.forget(now - 86400) == 1 and store.count() == 1
    finally:
        store.close()


# --- the deployments declare the same service, scopes and URL ---------------------------------------------

def _hub_settings(config):
    """What a hub configuration says about the insights service."""
    services = config.JupyterHub.services
    services = services.get_value([]) if hasattr(services, "get_value") else services
    service = next(s for s in services if s["name"] == "insights")
    scopes = config.JupyterHub.extra_user_scopes
    scopes = scopes.get_value(set()) if hasattr(scopes, "get_value") else scopes
    roles = config.JupyterHub.load_roles
    roles = roles.get_value([]) if hasattr(roles, "get_value") else roles
    custom = config.JupyterHub.custom_scopes
    custom = custom.get_value({}) if hasattr(custom, "get_value") else custom
    groups = config.JupyterHub.load_groups
    groups = groups.get_value({}) if hasattr(groups, "get_value") else groups
    environment = config.Spawner.environment
    environment = environment.get_value({}) if hasattr(environment, "get_value") else environment
    return service, scopes, roles, custom, groups, environment, config.Spawner.server_token_scopes


def _check_hub_settings(settings):
    from urllib.parse import urlparse

    service, scopes, roles, custom, groups, environment, token_scopes = settings
    access = "access:services!service=insights"
    assert service["command"][-2:] == ["-m", "helpers.insights.service"]
    scope = _service().DASHBOARD_SCOPE
    assert service["oauth_client_allowed_scopes"] == [scope] and scope in custom
    assert access in scopes and access in token_scopes
    assert {"users:activity!user", "access:servers!server"} <= set(token_scopes), "the server role's own scopes"
    teacher_role = next(r for r in roles if r["name"] == "insights-teacher")
    assert teacher_role["scopes"] == [scope] and teacher_role["groups"] == ["instructors"]
    assert "instructors" in groups
    kernel_url = urlparse(environment["BACKPROP_INSIGHTS_URL"])
    assert kernel_url.port == urlparse(service["url"]).port and kernel_url.path == "/services/insights/"


def test_the_demo_hub_declares_the_service_and_the_scopes_it_needs(tmp_path, monkeypatch):
    from traitlets.config import Config

    monkeypatch.setenv("BACKPROP_HUB_STATE", str(tmp_path))
    monkeypatch.setenv("BACKPROP_HUB_INSIGHTS_PORT", "18123")
    config = Config()
    source = (ROOT / "hub" / "jupyterhub_config.py").read_text(encoding="utf-8")
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config,
                                                           "__file__": str(ROOT / "hub" / "jupyterhub_config.py")})
    _check_hub_settings(_hub_settings(config))
    assert str(tmp_path / "insights.sqlite") in _hub_settings(config)[0]["environment"]["BACKPROP_INSIGHTS_DB"]
    monkeypatch.setenv("BACKPROP_HUB_INSIGHTS", "off")
    config = Config()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config,
                                                           "__file__": str(ROOT / "hub" / "jupyterhub_config.py")})
    assert "BACKPROP_INSIGHTS_URL" not in config.Spawner.environment


def test_the_tljh_file_declares_the_same(tmp_path):
    from traitlets.config import Config

    config = Config()
    config.Spawner.environment = {"TLJH": "its own"}
    source = (ROOT / "deploy" / "tljh" / "insights_config.py").read_text(encoding="utf-8")
    exec(compile(source, "insights_config.py", "exec"), {"get_config": lambda: config})
    _check_hub_settings(_hub_settings(config))
    assert config.Spawner.environment["TLJH"] == "its own", "TLJH's own environment is kept"
    setup = (ROOT / "deploy" / "tljh" / "setup.sh").read_text(encoding="utf-8")
    assert '$COURSE[insights]"' in setup and "jupyterhub_config.d/insights.py" in setup


def test_the_z2jh_values_declare_the_same():
    import yaml
    from urllib.parse import urlparse

    values = yaml.safe_load((ROOT / "deploy" / "z2jh" / "insights.yaml").read_text(encoding="utf-8"))
    hub = values["hub"]
    service = hub["services"]["insights"]
    port = urlparse(service["url"]).port
    assert service["command"][:3] == ["python3", "-m", "helpers.insights.service"]
    assert service["command"][-1].endswith(f":{port}")
    assert service["oauth_client_allowed_scopes"] == [_service().DASHBOARD_SCOPE]
    assert _service().DASHBOARD_SCOPE in hub["config"]["JupyterHub"]["custom_scopes"]
    assert "access:services!service=insights" in hub["loadRoles"]["user"]["scopes"]
    assert "self" in hub["loadRoles"]["user"]["scopes"]
    assert hub["loadRoles"]["insights-teacher"]["groups"] == ["instructors"]
    assert "access:services!service=insights" in hub["config"]["Spawner"]["server_token_scopes"]
    assert [p["port"] for p in hub["service"]["extraPorts"]] == [port]
    assert hub["networkPolicy"]["ingress"][0]["ports"] == [{"port": port}]
    assert values["proxy"]["chp"]["networkPolicy"]["egress"][0]["ports"] == [{"port": port}]
    assert values["singleuser"]["networkPolicy"]["egress"][0]["ports"] == [{"port": port}]
    kernel_url = urlparse(values["singleuser"]["extraEnv"]["BACKPROP_INSIGHTS_URL"])
    assert (kernel_url.hostname, kernel_url.port, kernel_url.path) == ("hub", port, "/services/insights/")
    assert hub["extraEnv"]["BACKPROP_INSIGHTS_DB"]["valueFrom"]["secretKeyRef"]["name"] == "insights-db"
    dockerfile = (ROOT / "deploy" / "image" / "Dockerfile.hub").read_text(encoding="utf-8")
    assert re.search(r"^FROM quay\.io/jupyterhub/k8s-hub:", dockerfile, re.M) and "[insights]" in dockerfile
