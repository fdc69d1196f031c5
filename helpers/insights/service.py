"""The class's insights service: a JupyterHub-managed web service (tornado, jupyterhub.services.auth).

    python -m helpers.insights.service [--db URL]        # started by JupyterHub (hub/jupyterhub_config.py)

At its URL on the hub (``/services/insights/``):

- ``POST api/events``: the learners' kernels send events here with their ``JUPYTERHUB_API_TOKEN``
  (``helpers.insights``). The user is the token's owner, never a field of the body. A body is
  refused whole, with a sentence and a 4xx, when it is not JSON, has an unknown field, names a
  user, is too large, or names an exercise, notebook, mistake or hint the course does not have;
  each user may send ``--rate`` events a second on average (bursts of ``--burst``), beyond which
  the answer is 429. An event is acknowledged (201) only once its transaction is committed.
- ``/`` (the dashboard), ``api/summary``, ``api/learners``, ``export.csv``, ``export-events.csv``:
  for teachers only, that is users whose OAuth token carries the custom scope
  ``custom:insights:dashboard`` (hub/jupyterhub_config.py grants it to the ``instructors`` group
  through a role); anyone else gets 403 with a sentence.
- ``mine`` and ``api/events/mine``: any learner's own events.
- ``health``: no login; says the service is up and which database it uses.

Events are stored by ``helpers.insights.store`` (SQLite in WAL mode, or PostgreSQL). Writes are
grouped: every request waiting while the previous transaction commits is stored by the next one,
so a burst of a whole class costs a few transactions, not one per learner.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import hashlib
import io
import json
import logging
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from tornado import web
from tornado.httpserver import HTTPServer

from helpers.insights import events as ev
from helpers.insights.store import Store

HERE = Path(__file__).resolve().parent
DASHBOARD_SCOPE = "custom:insights:dashboard"
DEFAULT_PREFIX = "/services/insights/"
SINCE = {"15m": 15 * 60, "1h": 3600, "3h": 3 * 3600, "24h": 24 * 3600, "7d": 7 * 24 * 3600, "all": None}
SUMMARY_CACHE_S = 1.0  # many dashboards open at once share one query a second
MAX_WAITING_ROWS = 50_000  # rows waiting for the writer; beyond, 503 (the kernels retry later)
MAX_REQUEST_BYTES = 1024 * 1024  # the server reads at most this much of any body, then hangs up
log = logging.getLogger("insights")


class Answer(web.HTTPError):
    """An answer other than 2xx, with the sentence the client reads."""

    def __init__(self, status, sentence, headers=None):
        super().__init__(status)
        self.sentence, self.extra_headers = sentence, headers or {}


# --- rate limit --------------------------------------------------------------------------------------

class Limiter:
    """Per user, a token bucket: `burst` events at once, refilled at `rate` events a second."""

    def __init__(self, rate, burst):
        self.rate, self.burst = float(rate), float(burst)
        self.buckets = {}

    def take(self, user, n, now=None):
        """0 if the user may send n events now (and they are counted), else the seconds to wait."""
        now = time.monotonic() if now is None else now
        level, then = self.buckets.get(user, (self.burst, now))
        level = min(self.burst, level + (now - then) * self.rate)
        if n > level:
            self.buckets[user] = (level, now)
            return max(1.0, (n - level) / self.rate)
        self.buckets[user] = (level - n, now)
        if len(self.buckets) > 100_000:  # forget the users whose buckets are full again
            full = [u for u, (lv, t) in self.buckets.items() if lv + (now - t) * self.rate >= self.burst]
            for u in full:
                del self.buckets[u]
        return 0


# --- grouped writes --------------------------------------------------------------------------------

class Writer:
    """One writer thread; each transaction stores every row that arrived while the last one ran."""

    def __init__(self, store):
        self.store = store
        self.waiting = []  # (rows, future)
        self.rows_waiting = 0
        self.wakeup = asyncio.Event()
        self.thread = ThreadPoolExecutor(1, thread_name_prefix="insights-writer")
        self.task = None
        self.transactions = 0

    def start(self):
        self.task = asyncio.ensure_future(self._run())

    async def add(self, rows):
        if self.rows_waiting + len(rows) > MAX_WAITING_ROWS:
            raise Answer(503, "the service is busy storing events; send them again in a few seconds.",
                         {"Retry-After": "5"})
        future = asyncio.get_running_loop().create_future()
        self.waiting.append((rows, future))
        self.rows_waiting += len(rows)
        self.wakeup.set()
        await future

    async def _run(self):
        loop = asyncio.get_running_loop()
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.waiting:
                taken, self.waiting = self.waiting, []
                rows = [row for batch, _ in taken for row in batch]
                self.rows_waiting -= len(rows)
                try:
                    await loop.run_in_executor(self.thread, self.store.add, rows)
                    self.transactions += 1
                except Exception as error:  # noqa: BLE001 - the database is down or full: 503, kernels retry
                    log.error("could not store %d events: %s", len(rows), error)
                    for _, future in taken:
                        if not future.done():
                            future.set_exception(Answer(503, "the service could not store the events just now; "
                                                             "send them again later.", {"Retry-After": "5"}))
                    continue
                for _, future in taken:
                    if not future.done():
                        future.set_result(None)

    async def drain(self):
        while self.waiting or self.rows_waiting:
            await asyncio.sleep(0.05)


# --- handlers ----------------------------------------------------------------------------------------

def _hub_auth_classes():
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed

    return HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed


HubOAuthCallbackHandler, HubOAuthenticated, UserNotAllowed = _hub_auth_classes()


class Base(HubOAuthenticated, web.RequestHandler):
    """Every page: the user from the token (or the service's OAuth cookie), a sentence on refusal."""

    api = True  # errors as JSON (else as a page)
    login = False  # redirect a browser without a session to the hub's login (OAuth)
    teachers_only = False

    def initialize(self, app):
        self.app = app

    def set_default_headers(self):
        self.set_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "
                                                   "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                                   "base-uri 'none'; form-action 'self'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")
        self.set_header("Cache-Control", "no-store")

    def get_current_user(self):
        # never HubAuthenticated's synchronous lookup (it blocks the service while the hub answers):
        # prepare() has asked the hub asynchronously already
        return getattr(self, "_identified", None)

    async def prepare(self):
        model = await self.app.identify(self)
        if model is None:
            if self.login and self.request.method in ("GET", "HEAD"):
                self.redirect(self.get_login_url())
                return
            raise Answer(403, "log in to the hub first: this service knows users by their hub token or hub login.")
        if model.get("kind", "user") != "user":
            raise Answer(403, "only the hub's users have events; a service has none.")
        if self.teachers_only and not self.app.is_teacher(model):
            raise Answer(403, (
                f"the class dashboard is for the course's teachers (the hub permission {DASHBOARD_SCOPE}, which the "
                f"hub gives to its instructors). What is recorded about you, {model['name']}, is at "
                f"{self.app.prefix}mine."))
        self._identified = self.current_user = model

    def write_error(self, status_code, **kwargs):
        error = kwargs.get("exc_info", (None, None, None))[1]
        sentence = getattr(error, "sentence", None)
        if sentence is None:
            sentence = {403: "you are not allowed here.", 404: "there is nothing at this address.",
                        405: "this address does not take this method."}.get(
                status_code, "the service failed on this request; it has been logged.")
        self._refusal = sentence
        for name, value in getattr(error, "extra_headers", {}).items():
            self.set_header(name, value)
        if self.api:
            self.set_header("Content-Type", "application/json; charset=UTF-8")
            self.finish(json.dumps({"status": status_code, "message": sentence}, ensure_ascii=False))
        else:
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.finish(self.render_string("refused.html", status=status_code, sentence=sentence,
                                           prefix=self.app.prefix))

    def get_template_namespace(self):
        namespace = super().get_template_namespace()
        namespace.update(prefix=self.app.prefix, label=ev.label, title=ev.notebook_title)
        return namespace


@web.stream_request_body
class EventsHandler(Base):
    """POST api/events: a kernel's events, with its token."""

    async def prepare(self):
        self.body_parts, self.body_size = [], 0
        length = self.request.headers.get("Content-Length")
        if length is not None and (not length.isdigit() or int(length) > ev.MAX_BODY):
            raise Answer(413, f"the body is {length} bytes; at most {ev.MAX_BODY} are accepted "
                              "(send fewer events at once).")
        await super().prepare()
        if not getattr(self, "_token_authenticated", False):
            raise Answer(403, "send events with your hub API token (Authorization: token …), not a browser session.")

    def data_received(self, chunk):
        self.body_size += len(chunk)
        if self.body_size <= ev.MAX_BODY:
            self.body_parts.append(chunk)

    async def post(self):
        if self.body_size > ev.MAX_BODY:
            raise Answer(413, f"the body is over {ev.MAX_BODY} bytes; send fewer events at once.")
        if not self.request.headers.get("Content-Type", "").startswith("application/json"):
            raise Answer(415, "send the events as JSON (Content-Type: application/json).")
        now = time.time()
        try:
            rows = ev.parse_body(b"".join(self.body_parts), self.app.catalog, now)
        except ev.Invalid as bad:
            raise Answer(400, str(bad)) from None
        user = self.current_user["name"]
        wait = self.app.limiter.take(user, len(rows))
        if wait:
            raise Answer(429, f"too many events from {user}: at most {self.app.limiter.rate:g} a second on average "
                              f"(bursts of {self.app.limiter.burst:g}); send them again in {wait:.0f} s.",
                         {"Retry-After": str(int(wait + 0.999))})
        for row in rows:
            row["user"], row["received"] = user, now
        await self.app.writer.add(rows)
        self.app.stored += len(rows)
        self.set_status(201)
        self.finish({"stored": len(rows)})


class MineApi(Base):
    """GET api/events/mine: the caller's own events (JSON)."""

    async def get(self):
        limit = min(max(_int(self.get_argument("limit", "200"), 200), 1), 5000)
        user = self.current_user["name"]
        total, rows = await self.app.read(self.app.store.of_user, user, limit)
        self.finish({"user": user, "total": total, "events": rows})


class MinePage(Base):
    """GET mine: the caller's own events, as a page."""

    api, login = False, True

    async def get(self):
        user = self.current_user["name"]
        total, rows = await self.app.read(self.app.store.of_user, user, 500)
        self.render("mine.html", user=user, total=total, rows=rows, time=time,
                    teacher=self.app.is_teacher(self.current_user))


class DashboardPage(Base):
    api, login, teachers_only = False, True, True

    async def get(self):
        self.render("dashboard.html", user=self.current_user["name"], backend=self.app.store.backend,
                    xsrf=self.xsrf_token.decode() if isinstance(self.xsrf_token, bytes) else self.xsrf_token,
                    since_options=SINCE, refresh_s=self.app.refresh_s)


class SummaryApi(Base):
    teachers_only = True

    async def get(self):
        self.finish(await self.app.summary(_since(self.get_argument("since", "all"))))


class LearnersApi(Base):
    teachers_only = True

    async def get(self):
        exercise = self.get_argument("exercise", "")
        what = self.get_argument("what", "")
        if exercise not in self.app.catalog.exercises:
            raise Answer(400, f"there is no exercise {exercise[:20]!r} in this course.")
        if not what or len(what) > 255:
            raise Answer(400, 'say which learners: what=tried, right, stuck, hints, or a diagnosis key.')
        since = _since(self.get_argument("since", "all"))
        names = await self.app.read(self.app.store.learners, exercise, what, since)
        self.finish({"exercise": exercise, "what": what, "label": ev.label(what) if ":" in what or what in ev.LABELS
                     else what, "learners": names})


class CountsCsv(Base):
    """export.csv: one row per exercise and kind of mistake, with the counts the dashboard shows."""

    api, teachers_only = False, True

    async def get(self):
        summary = await self.app.summary(_since(self.get_argument("since", "all")))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["notebook", "exercise", "title", "learners_tried", "learners_right", "learners_hints",
                         "hints_taken", "mistake", "diagnosis_key", "learners_with_mistake"])
        for notebook in summary["notebooks"]:
            for x in notebook["exercises"]:
                first = [notebook["notebook"], x["exercise"], x["title"], x["tried"], x["right"], x["hints"],
                         x["hint_events"]]
                for m in x["mistakes"] or [None]:
                    writer.writerow([_cell(v) for v in first + ([m["label"], m["diagnosis"], m["learners"]] if m
                                                                 else ["", "", 0])])
        _attachment(self, "insights-counts.csv")
        self.finish(out.getvalue())


class EventsCsv(Base):
    """export-events.csv: every event, with the learners' names (for the teacher's own analysis)."""

    api, teachers_only = False, True

    async def get(self):
        since = _since(self.get_argument("since", "all"))
        rows = await self.app.read(lambda: list(self.app.store.all_events(since)))
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["user", "kind", "exercise", "notebook", "verdict", "diagnosis", "mistake", "hint",
                         "time_utc", "received_utc"])
        for r in rows:
            writer.writerow([_cell(r.user), r.kind, r.exercise, r.notebook, r.verdict or "", _cell(r.diagnosis or ""),
                             _cell(ev.label(r.diagnosis) if r.verdict == "tried" else ""), r.hint_level or "",
                             _iso(r.time), _iso(r.received)])
        _attachment(self, "insights-events.csv")
        self.finish(out.getvalue())


class Health(web.RequestHandler):
    def initialize(self, app):
        self.app = app

    def get(self):
        self.finish({"ok": True, "database": self.app.store.backend, "stored_since_start": self.app.stored})


class NotFound(Base):
    async def prepare(self):
        self.api = "/api/" in self.request.path
        raise Answer(404, "there is nothing at this address; the dashboard is at " + self.app.prefix)


def _int(text, default):
    try:
        return int(text)
    except ValueError:
        return default


def _since(key):
    if key not in SINCE:
        raise Answer(400, f"since must be one of {', '.join(SINCE)}.")
    return None if SINCE[key] is None else time.time() - SINCE[key]


def _iso(moment):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(moment)) if moment is not None else ""


def _cell(value):
    """A CSV cell a spreadsheet shows as text, never runs as a formula (=, +, -, @ first)."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _attachment(handler, name):
    handler.set_header("Content-Type", "text/csv; charset=UTF-8")
    handler.set_header("Content-Disposition", f'attachment; filename="{name}"')


# --- the application ---------------------------------------------------------------------------------

class Insights:
    """The service's state: store, catalog, limiter, writer; and the tornado application."""

    def __init__(self, store, catalog, prefix=DEFAULT_PREFIX, rate=2.0, burst=120, refresh_s=3,
                 identify=None, cookie_secret=None):
        self.store, self.catalog = store, catalog
        self.prefix = prefix if prefix.endswith("/") else prefix + "/"
        self.limiter = Limiter(rate, burst)
        self.writer = Writer(store)
        self.readers = ThreadPoolExecutor(2, thread_name_prefix="insights-reader")
        self.refresh_s = refresh_s
        self.stored = 0
        self._summaries = {}
        if identify is not None:  # tests: who a request is from, without a hub
            self.identify = identify
        # the OAuth cookie outlives a restart of the service (its hub token is its secret's seed)
        token = os.environ.get("JUPYTERHUB_API_TOKEN", "")
        secret = cookie_secret or (hashlib.sha256(b"backprop-insights\0" + token.encode()).digest() if token
                                   else os.urandom(32))
        p = self.prefix
        handlers = [
            (p, DashboardPage), (p + "api/events", EventsHandler), (p + "api/events/mine", MineApi),
            (p + "mine", MinePage), (p + "api/summary", SummaryApi), (p + "api/learners", LearnersApi),
            (p + "export.csv", CountsCsv), (p + "export-events.csv", EventsCsv), (p + "health", Health),
        ]
        handlers = [(path, cls, {"app": self}) for path, cls in handlers]
        handlers.append((p + "oauth_callback", HubOAuthCallbackHandler))
        self.application = web.Application(
            handlers, template_path=str(HERE / "templates"), static_path=str(HERE / "static"),
            static_url_prefix=p + "static/", cookie_secret=secret, default_handler_class=NotFound,
            default_handler_args={"app": self}, log_function=_log_request, autoescape="xhtml_escape")

    async def identify(self, handler):
        """The hub's user model for a request (its token, else the service's OAuth cookie), or None.
        Asynchronous: the hub is asked without blocking the service (HubAuth caches the answer)."""
        try:
            model = await handler.hub_auth.get_user(handler, sync=False)
        except web.HTTPError as error:
            raise Answer(502, "the hub could not be asked who you are just now; try again in a moment.") from error
        if not model:
            return None
        try:
            return handler.check_hub_user(model)
        except UserNotAllowed:
            raise Answer(403, (f"{model.get('name')} may not use the class insights service: the hub grants its users "
                               "the scope access:services!service=insights (see docs/teaching.md).")) from None

    def is_teacher(self, model):
        from jupyterhub.services.auth import check_scopes

        return bool(check_scopes({DASHBOARD_SCOPE}, set(model.get("scopes", ()))))

    async def read(self, function, *args):
        return await asyncio.get_running_loop().run_in_executor(self.readers, function, *args)

    async def summary(self, since):
        key = None if since is None else round(since / 5) * 5  # windows that differ by < 5 s share a query
        cached = self._summaries.get(key)
        if cached and time.monotonic() - cached[0] < SUMMARY_CACHE_S:
            return cached[1]
        counts = await self.read(self.store.summary, since)
        result = self._shape(counts, since)
        self._summaries = {k: v for k, v in self._summaries.items() if time.monotonic() - v[0] < 60}
        self._summaries[key] = (time.monotonic(), result)
        return result

    def _shape(self, counts, since):
        """The dashboard's data: per notebook (those with any activity) and exercise, in course order."""
        notebooks = {}
        active = set(counts["tried"]) | set(counts["hints"]) | set(counts["mistakes"])
        active_notebooks = {self.catalog.notebooks[i] for i in active if i in self.catalog.notebooks}
        top = []
        for exercise in self.catalog.ids():
            notebook = self.catalog.notebooks[exercise]
            if notebook not in active_notebooks:
                continue
            mistakes = sorted(((n, d) for d, n in counts["mistakes"].get(exercise, {}).items()),
                              key=lambda item: (-item[0], item[1]))
            row = {"exercise": exercise, "title": self.catalog.title(exercise),
                   "tried": counts["tried"].get(exercise, 0), "right": counts["right"].get(exercise, 0),
                   "hints": counts["hints"].get(exercise, 0), "hint_events": counts["hint_events"].get(exercise, 0),
                   "mistakes": [{"diagnosis": d, "label": ev.label(d), "learners": n} for n, d in mistakes]}
            top += [(n, exercise, d) for n, d in mistakes]
            notebooks.setdefault(notebook, []).append(row)
        top.sort(key=lambda item: (-item[0], _course_order(item[1]), item[2]))
        return {
            "generated": time.time(), "since": since, "learners": counts["learners"], "events": counts["events"],
            "last_event": counts["last"],
            "top": [{"exercise": x, "diagnosis": d, "label": ev.label(d), "learners": n} for n, x, d in top[:6]],
            "notebooks": [{"notebook": nb, "title": ev.notebook_title(nb), "exercises": rows}
                          for nb, rows in notebooks.items()],
        }


def _course_order(exercise_id):
    return tuple(int(p) if p.isdigit() else 0 for p in exercise_id.split("."))


def _log_request(handler):
    """Errors and refusals only: 300 kernels posting events must not fill the hub's log."""
    status = handler.get_status()
    if status >= 400:
        sentence = getattr(handler, "_refusal", "")
        log.warning("%d %s %s %.1f ms %s", status, handler.request.method, handler.request.path,
                    1000 * handler.request.request_time(), sentence)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The class's insights service (run by JupyterHub).")
    parser.add_argument("--db", default=os.environ.get("BACKPROP_INSIGHTS_DB", "sqlite:///insights.sqlite"),
                        help="the database: a SQLite file (sqlite:///path) or postgresql://user:password@host/db "
                             "(default: $BACKPROP_INSIGHTS_DB, else insights.sqlite in the working directory)")
    parser.add_argument("--rate", type=float, default=float(os.environ.get("BACKPROP_INSIGHTS_RATE", "2")),
                        help="events a second each user may send on average (default 2)")
    parser.add_argument("--burst", type=int, default=int(os.environ.get("BACKPROP_INSIGHTS_BURST", "120")),
                        help="events a user may send at once (default 120: a whole notebook, run twice)")
    parser.add_argument("--listen", default=os.environ.get("BACKPROP_INSIGHTS_LISTEN", ""),
                        help="ip:port to listen on (default: the host and port of $JUPYTERHUB_SERVICE_URL; on "
                             "Kubernetes, where that URL names the hub's Service, 0.0.0.0:PORT)")
    parser.add_argument("--keep-days", type=float, default=float(os.environ.get("BACKPROP_INSIGHTS_KEEP_DAYS", "0")),
                        help="delete events older than this many days, once an hour (default 0: keep them)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="[%(levelname)1.1s %(asctime)s insights] %(message)s")
    url = urlparse(os.environ.get("JUPYTERHUB_SERVICE_URL", "http://127.0.0.1:10101"))
    prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", DEFAULT_PREFIX)
    store = Store(args.db)
    catalog = ev.Catalog.from_course()
    asyncio.run(_serve(store, catalog, prefix, url, args))


async def _serve(store, catalog, prefix, url, args):
    app = Insights(store, catalog, prefix, rate=args.rate, burst=args.burst)
    app.writer.start()
    server = HTTPServer(app.application, max_body_size=MAX_REQUEST_BYTES, xheaders=True)
    if args.listen:
        ip, _, port = args.listen.rpartition(":")
        server.listen(int(port), ip or "0.0.0.0")
    else:
        server.listen(url.port or 80, url.hostname or "127.0.0.1")
    log.info("insights: %d exercises, events in %s, at %s%s", len(catalog.exercises), store.backend,
             url.geturl().rstrip("/"), prefix)
    if args.keep_days > 0:
        asyncio.ensure_future(_forget(app, args.keep_days))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    # stop taking requests, store what was accepted, then close the database
    server.stop()
    await asyncio.wait_for(app.writer.drain(), timeout=10)
    store.close()
    log.info("insights: stopped; %d events stored since it started", app.stored)


async def _forget(app, days):
    """Once an hour, delete the events older than `days` (the teacher's retention period)."""
    while True:
        try:
            gone = await app.read(app.store.forget, time.time() - days * 86400)
            if gone:
                log.info("insights: deleted %d events older than %g days", gone, days)
        except Exception as error:  # noqa: BLE001 - try again in an hour
            log.error("insights: could not delete old events: %s", error)
        await asyncio.sleep(3600)


if __name__ == "__main__":
    main()
