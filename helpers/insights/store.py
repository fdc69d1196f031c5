"""Where the insights service keeps events: one table, through SQLAlchemy Core.

The same code for both databases: SQLite by default (a file, in WAL mode, so the dashboard's
reads never wait for the writer, with full synchronisation, so an event acknowledged is on disk),
PostgreSQL when given a URL (``postgresql://user:password@host/db``, through psycopg 3).
Statements are built with SQLAlchemy's expression language and bound parameters: never SQL text
made from strings. A retried POST stores nothing twice: (user, event id) is unique and a repeat
is skipped (``ON CONFLICT DO NOTHING``, which both databases have).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from sqlalchemy import event as sa_event

metadata = sa.MetaData()

events = sa.Table(
    "insights_events", metadata,
    sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(32), nullable=False),
    sa.Column("user", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("exercise", sa.String(16), nullable=False),
    sa.Column("notebook", sa.String(80), nullable=False),
    sa.Column("verdict", sa.String(12)),
    sa.Column("diagnosis", sa.String(255)),
    sa.Column("hint_level", sa.SmallInteger()),
    sa.Column("time", sa.Float(), nullable=False),  # when it happened, by the learner's kernel's clock
    sa.Column("received", sa.Float(), nullable=False),  # when the service stored it, by its own clock
    sa.UniqueConstraint("user", "event_id", name="insights_events_once"),
    sa.Index("insights_events_exercise", "exercise", "received"),
    sa.Index("insights_events_received", "received"),
)


def database_url(url):
    """A URL SQLAlchemy can use: a plain postgresql:// URL goes through psycopg 3 (the driver this
    package installs), and a bare path is a SQLite file."""
    url = str(url)
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme, rest = url.split("://", 1)
    if scheme in ("postgres", "postgresql"):
        return f"postgresql+psycopg://{rest}"
    return url


class Store:
    """The events table, its writes (in batches, idempotent) and the dashboard's queries."""

    def __init__(self, url):
        self.url = database_url(url)
        if self.url.startswith("sqlite"):
            # one writer at a time (the service writes from one thread); readers wait at most 30 s
            self.engine = sa.create_engine(self.url, connect_args={"timeout": 30})
            sa_event.listen(self.engine, "connect", _sqlite_pragmas)
        else:
            self.engine = sa.create_engine(self.url, pool_size=4, max_overflow=4, pool_pre_ping=True)
        self.dialect = self.engine.dialect.name
        metadata.create_all(self.engine)

    @property
    def backend(self):
        return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(self.dialect, self.dialect)

    def _insert(self):
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:  # pragma: no cover - the service supports the two databases above
            raise RuntimeError(f"the insights service stores events in SQLite or PostgreSQL, not {self.dialect}")
        return insert(events).on_conflict_do_nothing(index_elements=["user", "event_id"])

    def add(self, rows):
        """Store rows (dicts with every column but pk) in one transaction; a repeat is skipped.
        Returns when the transaction is committed: only then may the service acknowledge them."""
        if not rows:
            return
        with self.engine.begin() as connection:
            connection.execute(self._insert(), rows)

    def count(self, **where):
        query = sa.select(sa.func.count()).select_from(events)
        for column, value in where.items():
            query = query.where(events.c[column] == value)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def event_ids(self, user=None):
        query = sa.select(events.c.user, events.c.event_id)
        if user is not None:
            query = query.where(events.c.user == user)
        with self.engine.connect() as connection:
            return {(u, e) for u, e in connection.execute(query)}

    def of_user(self, user, limit=200):
        """(total, the user's latest `limit` events, newest first) as dicts."""
        columns = (events.c.kind, events.c.exercise, events.c.notebook, events.c.verdict, events.c.diagnosis,
                   events.c.hint_level, events.c.time, events.c.received)
        with self.engine.connect() as connection:
            total = connection.execute(sa.select(sa.func.count()).select_from(events)
                                       .where(events.c.user == user)).scalar_one()
            rows = connection.execute(sa.select(*columns).where(events.c.user == user)
                                      .order_by(events.c.received.desc(), events.c.pk.desc()).limit(limit))
            return total, [{"kind": r.kind, "exercise": r.exercise, "notebook": r.notebook, "verdict": r.verdict,
                            "diagnosis": r.diagnosis, "hint": r.hint_level, "time": r.time, "received": r.received}
                           for r in rows]

    def summary(self, since=None):
        """Counts of learners (distinct users) per exercise since a moment (epoch seconds; None: all):

        {"tried": {exercise: n}, "right": {exercise: n}, "hints": {exercise: n},
         "hint_events": {exercise: n}, "mistakes": {exercise: {diagnosis: n}},
         "learners": n, "events": n, "last": epoch or None}
        """
        e = events.c
        recent = e.received >= since if since is not None else sa.true()
        learners = sa.func.count(sa.distinct(e.user))
        answered = e.verdict.in_(("correct", "tried"))
        out = {"tried": {}, "right": {}, "hints": {}, "hint_events": {}, "mistakes": {}}
        with self.engine.connect() as connection:
            for key, condition in (("tried", answered), ("right", e.verdict == "correct")):
                query = sa.select(e.exercise, learners).where(recent, e.kind == "check", condition).group_by(e.exercise)
                out[key] = dict(connection.execute(query).all())
            query = (sa.select(e.exercise, learners, sa.func.count()).where(recent, e.kind == "hint")
                     .group_by(e.exercise))
            for exercise, people, total in connection.execute(query):
                out["hints"][exercise], out["hint_events"][exercise] = people, total
            query = (sa.select(e.exercise, e.diagnosis, learners).where(recent, e.kind == "check", e.verdict == "tried")
                     .group_by(e.exercise, e.diagnosis))
            for exercise, diagnosis, people in connection.execute(query):
                out["mistakes"].setdefault(exercise, {})[diagnosis] = people
            totals = connection.execute(sa.select(learners, sa.func.count(), sa.func.max(e.received)).where(recent)).one()
        out["learners"], out["events"], out["last"] = totals[0], totals[1], totals[2]
        return out

    def learners(self, exercise, what, since=None):
        """The names behind one count: what = "tried", "right", "stuck" (tried, never right),
        "hints", or a diagnosis key (the learners who made that mistake)."""
        e = events.c
        recent = e.received >= since if since is not None else sa.true()
        base = sa.select(e.user).distinct().where(recent, e.exercise == exercise)
        right = base.where(e.kind == "check", e.verdict == "correct")
        if what == "right":
            query = right
        elif what == "tried":
            query = base.where(e.kind == "check", e.verdict.in_(("correct", "tried")))
        elif what == "stuck":
            query = base.where(e.kind == "check", e.verdict == "tried").except_(right)
        elif what == "hints":
            query = base.where(e.kind == "hint")
        else:
            query = base.where(e.kind == "check", e.verdict == "tried", e.diagnosis == what)
        with self.engine.connect() as connection:
            return sorted(name for (name,) in connection.execute(query))

    def all_events(self, since=None):
        """Every event since a moment, oldest first (for the CSV export)."""
        e = events.c
        query = sa.select(e.user, e.kind, e.exercise, e.notebook, e.verdict, e.diagnosis, e.hint_level, e.time,
                          e.received).order_by(e.received, e.pk)
        if since is not None:
            query = query.where(e.received >= since)
        with self.engine.connect() as connection:
            yield from connection.execute(query)

    def forget(self, before):
        """Delete the events received before a moment (epoch seconds); return how many."""
        with self.engine.begin() as connection:
            return connection.execute(sa.delete(events).where(events.c.received < before)).rowcount

    def close(self):
        self.engine.dispose()


def _sqlite_pragmas(connection, record):
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never block the writer, nor it them
    cursor.execute("PRAGMA synchronous=FULL")  # a committed event survives a crash of the machine too
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def now():
    return time.time()
