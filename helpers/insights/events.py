"""What one insights event is: its fields, how the service checks one, and how a teacher reads it.

Shared by the learner's side (``helpers.insights`` builds events) and the service
(``helpers.insights.service`` checks them): the two can never disagree on the format.

An event, as JSON::

    {"id": "3f2c…(32 hex digits)", "kind": "check", "exercise": "1.2", "notebook": "01_one_weight",
     "verdict": "tried", "diagnosis": "mistake:seed 000's slip ∂a/∂w = a", "time": 1767000000.25}
    {"id": "…", "kind": "hint", "exercise": "1.2", "notebook": "01_one_weight", "hint": 1, "time": …}

It never carries the answer, and never a user: the service takes the user from the token the
event came with. ``verdict`` is "correct", "tried" (answered, not right) or "unanswered" (the cell
ran with its ``...``); ``diagnosis`` is the checker's key (``Feedback.diagnosis``), a name from a
fixed vocabulary, never a value.

Nothing here imports more than the standard library at import time: the learner's kernel imports
this module on its first check.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_BODY = 64 * 1024  # bytes of one POST: 50 events of at most ~1 KiB each, with room to spare
MAX_EVENTS = 50  # events in one POST
FIELDS = ("id", "kind", "exercise", "notebook", "verdict", "diagnosis", "hint", "time")
VERDICTS = ("correct", "tried", "unanswered")
KINDS = ("check", "hint")
# Field names that would say who the event is about: refused with their own sentence, because the
# user is taken from the token and nothing in the body may claim another one.
USER_FIELDS = {"user", "username", "user_name", "name", "learner", "student", "student_id", "owner", "login"}
EVENT_ID = re.compile(r"^[0-9a-f]{32}$")
GENERAL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,39}$")
PLAUSIBLE_S = 2 * 24 * 3600  # an event's time may be this far from the service's clock

# How a teacher reads a diagnosis key (Feedback.diagnosis); keys not listed read as their words.
LABELS = {
    "correct": "right",
    "wrong": "wrong (no specific diagnosis)",
    "transposed": "transposed",
    "sign": "wrong sign",
    "factor": "off by a constant factor",
    "rounded": "rounded too early",
    "shape": "wrong shape",
    "keepdims": "a dimension dropped (keepdims)",
    "bias-not-summed": "bias gradient not summed over the batch",
    "axis": "summed over the wrong axis",
    "nan": "NaN or infinity",
    "raised": "the function raised an error",
    "mutation": "the function changed its inputs",
    "outputs": "the function returned the wrong things",
    "square-only": "right for square matrices only",
    "timeout": "too complex to check in time",
    "invalid": "not something the checker can read (type)",
    "unanswered": "not answered",
}


class Invalid(ValueError):
    """An event, or a body of events, the service refuses; the message is the sentence it answers."""


def label(diagnosis):
    """A diagnosis key as a teacher reads it: "upstream:3.1" → "fix 3.1 first"."""
    if not diagnosis:
        return ""
    if diagnosis.startswith("mistake:"):
        return diagnosis[len("mistake:"):]
    if diagnosis.startswith("upstream:"):
        return f"fix {diagnosis[len('upstream:'):]} first"
    return LABELS.get(diagnosis, diagnosis.replace("-", " ").replace("_", " "))


def verdict_of(status):
    """The event's verdict for a Feedback status, or None for a status that sends nothing."""
    return {"correct": "correct", "wrong": "tried", "invalid": "tried", "unanswered": "unanswered"}.get(status)


@lru_cache(maxsize=None)
def _notebook_files():
    folder = ROOT / "notebooks"
    try:
        return tuple(sorted(p.stem for p in folder.glob("[0-9][0-9]_*.ipynb")))
    except OSError:
        return ()


def notebook_of(exercise_id):
    """The notebook an exercise belongs to: "1.2" → "01_one_weight" (its file's name), or "01"
    where the course's notebooks/ folder is not installed beside the package."""
    number = f"{int(exercise_id.split('.')[0]):02d}"
    for stem in _notebook_files():
        if stem.startswith(number + "_"):
            return stem
    return number


def notebook_title(notebook):
    """ "01_one_weight" → "01 one weight"."""
    return notebook.replace("_", " ")


# --- the service's side: checking a body of events -------------------------------------------------

class Catalog:
    """What the service knows of the course: every exercise id, its notebook and title, how many
    hints it has and the names of its registered mistakes (from helpers.exercises)."""

    def __init__(self, exercises):
        """exercises: {id: (title, number of hints, frozenset of mistake names)}."""
        self.exercises = dict(exercises)
        self.notebooks = {i: notebook_of(i) for i in self.exercises}

    @classmethod
    def from_course(cls):
        from helpers import exercises

        found = {}
        for i in exercises.ids():
            ex = exercises.get(i)
            found[i] = (ex.title, len(ex.hints), frozenset(m.name for m in ex.mistakes))
        return cls(found)

    def ids(self):
        return list(self.exercises)

    def title(self, exercise_id):
        return self.exercises[exercise_id][0]


def parse_body(body, catalog, now):
    """The events of a POST body, checked; raises Invalid with the sentence to answer.

    All or nothing: one bad event refuses the whole body, and nothing of it is stored."""
    if len(body) > MAX_BODY:
        raise Invalid(f"the body is {len(body)} bytes; at most {MAX_BODY} are accepted (send fewer events at once).")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the body is not UTF-8 text; send JSON.") from None

    def refuse_constant(name):
        raise Invalid(f"the body contains {name}, which is not JSON; send finite numbers only.")

    try:
        document = json.loads(text, parse_constant=refuse_constant)
    except Invalid:
        raise
    except (ValueError, RecursionError):
        raise Invalid('the body is not JSON; send {"events": [ ... ]}.') from None
    if not isinstance(document, dict):
        raise Invalid('the body must be a JSON object, {"events": [ ... ]}.')
    claimed = sorted(set(document) & USER_FIELDS)
    if claimed:
        raise Invalid(_user_sentence(claimed[0]))
    unknown = sorted(set(document) - {"events"})
    if unknown:
        raise Invalid(f"unknown field {unknown[0][:40]!r} in the body; it has one field, \"events\".")
    events = document.get("events")
    if not isinstance(events, list) or not events:
        raise Invalid('"events" must be a non-empty list of events.')
    if len(events) > MAX_EVENTS:
        raise Invalid(f"{len(events)} events in one body; at most {MAX_EVENTS} are accepted.")
    rows = []
    seen = set()
    for index, event in enumerate(events):
        try:
            row = parse_event(event, catalog, now)
        except Invalid as bad:
            where = f"event {index + 1}" if len(events) > 1 else "the event"
            raise Invalid(f"{where}: {bad}") from None
        if row["event_id"] in seen:
            raise Invalid(f"event {index + 1}: its id repeats an earlier event of the same body.")
        seen.add(row["event_id"])
        rows.append(row)
    return rows


def _user_sentence(field):
    return (f"an event never names a user (field {field!r}): the service takes the user from the token "
            "the request is sent with, so one learner cannot write events for another.")


def parse_event(event, catalog, now):
    """One event, checked, as a row for the store (without the user and the time received)."""
    if not isinstance(event, dict):
        raise Invalid("an event must be a JSON object.")
    claimed = sorted(set(event) & USER_FIELDS)
    if claimed:
        raise Invalid(_user_sentence(claimed[0]))
    unknown = sorted(set(event) - set(FIELDS))
    if unknown:
        raise Invalid(f"unknown field {str(unknown[0])[:40]!r}; an event has the fields {', '.join(FIELDS)}.")
    event_id = event.get("id")
    if not isinstance(event_id, str) or not EVENT_ID.match(event_id):
        raise Invalid('"id" must be 32 lowercase hexadecimal digits (uuid4().hex), unique per event.')
    kind = event.get("kind")
    if kind not in KINDS:
        raise Invalid(f'"kind" must be "check" or "hint", not {_shown(kind)}.')
    exercise = event.get("exercise")
    if not isinstance(exercise, str) or exercise not in catalog.exercises:
        raise Invalid(f"there is no exercise {_shown(exercise)} in this course.")
    notebook = event.get("notebook")
    expected = catalog.notebooks[exercise]
    if not isinstance(notebook, str) or notebook not in (expected, expected[:2]):
        raise Invalid(f'exercise {exercise} belongs to notebook "{expected}", not {_shown(notebook)}.')
    moment = event.get("time")
    if isinstance(moment, bool) or not isinstance(moment, (int, float)) or not math.isfinite(moment) \
            or abs(moment - now) > PLAUSIBLE_S:
        raise Invalid('"time" must be the moment of the event in seconds since 1970 (time.time()), '
                      "within two days of the service's clock.")
    row = {"event_id": event_id, "kind": kind, "exercise": exercise, "notebook": expected,
           "verdict": None, "diagnosis": None, "hint_level": None, "time": float(moment)}
    _, hints, mistakes = catalog.exercises[exercise]
    if kind == "hint":
        if "verdict" in event or "diagnosis" in event:
            raise Invalid('a hint event has no "verdict" or "diagnosis".')
        level = event.get("hint")
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= max(hints, 1):
            raise Invalid(f'"hint" must be the hint\'s level, 1 to {max(hints, 1)} for exercise {exercise}.')
        row["hint_level"] = level
        return row
    if "hint" in event:
        raise Invalid('a check event has no "hint" (hints are events of their own).')
    verdict = event.get("verdict")
    if verdict not in VERDICTS:
        raise Invalid(f'"verdict" must be "correct", "tried" or "unanswered", not {_shown(verdict)}.')
    diagnosis = event.get("diagnosis")
    if not isinstance(diagnosis, str):
        raise Invalid('"diagnosis" must be the checker\'s diagnosis key, text such as "transposed".')
    _check_diagnosis(diagnosis, verdict, exercise, mistakes, catalog)
    row["verdict"], row["diagnosis"] = verdict, diagnosis
    return row


def _check_diagnosis(diagnosis, verdict, exercise, mistakes, catalog):
    if verdict == "correct" or diagnosis == "correct":
        if (verdict, diagnosis) != ("correct", "correct"):
            raise Invalid('the verdict "correct" goes with the diagnosis "correct", and only with it.')
        return
    if verdict == "unanswered" or diagnosis == "unanswered":
        if (verdict, diagnosis) != ("unanswered", "unanswered"):
            raise Invalid('the verdict "unanswered" goes with the diagnosis "unanswered", and only with it.')
        return
    if diagnosis.startswith("mistake:"):
        if diagnosis[len("mistake:"):] not in mistakes:
            raise Invalid(f"exercise {exercise} has no registered mistake {_shown(diagnosis[8:])}.")
        return
    if diagnosis.startswith("upstream:"):
        if diagnosis[len("upstream:"):] not in catalog.exercises:
            raise Invalid(f"{_shown(diagnosis)} names no exercise of this course.")
        return
    if not GENERAL_KEY.match(diagnosis):
        raise Invalid(f'{_shown(diagnosis)} is not a diagnosis key (a short lowercase word such as "transposed", '
                      '"mistake:<name>" or "upstream:<exercise>").')


def _shown(value):
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 40 else text[:37] + '..."'
