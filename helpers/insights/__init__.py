"""On a class JupyterHub, what ``check`` and ``hint`` tell the teacher's insights service.

Each ``check`` sends one event: the exercise, its notebook, the verdict (correct / tried / not
answered), the kind of mistake (the checker's diagnosis key, such as "transposed" or "σ′
forgotten") and the time; each ``hint`` sends the exercise and the hint's level. **Never the
answer, and never a name**: the service learns who sent an event from the hub token it comes with.

    from helpers import insights
    insights.mine()        # everything the service has recorded about you, and what is waiting to be sent

Events are sent only when all of these hold, so nothing is ever sent from a laptop, Binder, a
student edition or a grading run:

- the kernel runs under JupyterHub (``JUPYTERHUB_API_TOKEN`` is set), and the hub's configuration
  names the service (``BACKPROP_INSIGHTS_URL``, set by the teacher's hub configuration);
- the teacher has not turned it off (``BACKPROP_INSIGHTS=off`` in the hub's configuration);
- the kernel is not one of ``nbgrader autograde``'s (``BACKPROP_GRADING=1``).

Sending never slows a check and never shows an error: ``check`` only puts the event on a queue
(microseconds); a background thread posts the queue in batches, retries while the service is
down or slow (with growing pauses, for up to an hour), and drops an event only after that, or if the
service refuses it. The service's side is ``helpers.insights.service``.
"""

from __future__ import annotations

import atexit
import json
import os
import queue
import threading
import time
import uuid

__all__ = ["mine", "enabled", "record_check", "record_hint"]

URL_ENV = "BACKPROP_INSIGHTS_URL"
SWITCH_ENV = "BACKPROP_INSIGHTS"
TOKEN_ENV = "JUPYTERHUB_API_TOKEN"
OFF = {"off", "0", "false", "no"}
MAX_PENDING = 2000  # events kept while the service is unreachable (a whole course answered twice)
BATCH = 50  # events per POST (events.MAX_EVENTS)
TIMEOUT_S = 5  # one POST; the background thread waits, never the learner
MAX_AGE_S = 3600  # an event that could not be delivered for an hour is dropped
MAX_PAUSE_S = 60
AT_EXIT_S = 1.0  # at kernel shutdown, how long pending events may still be sent


def _settings():
    """(service URL, token) when events are to be sent, else (None, the reason)."""
    if os.environ.get("BACKPROP_GRADING") == "1":
        return None, "this kernel is grading a notebook (nbgrader autograde)"
    if os.environ.get(SWITCH_ENV, "").strip().lower() in OFF:
        return None, "your teacher turned the class insights off on this hub"
    token, url = os.environ.get(TOKEN_ENV), os.environ.get(URL_ENV)
    if not token:
        return None, "this kernel does not run on a JupyterHub"
    if not url:
        return None, "this hub has no class insights service"
    return (url if url.endswith("/") else url + "/"), token


def enabled():
    """True when check and hint send events from this kernel."""
    return _settings()[0] is not None


class _Sender:
    """The queue and the background thread that posts it."""

    def __init__(self, url, token):
        self.url, self.token = url, token
        self.queue = queue.Queue(maxsize=MAX_PENDING)
        self.sent = self.dropped = 0
        self.problem = None  # the last reason events could not be delivered, for mine()
        self.stopped = False  # the service refused this kernel (no permission, no service): stop trying
        self.outstanding = 0  # events queued and not yet delivered or dropped
        self.retrying = False  # the last POST failed and will be tried again after a pause
        self.lock = threading.Lock()
        self.pid = os.getpid()
        self.thread = threading.Thread(target=self._run, name="backprop-insights", daemon=True)
        self.thread.start()

    def put(self, event):
        if self.stopped:
            return
        with self.lock:
            try:
                self.queue.put_nowait(event)
                self.outstanding += 1
            except queue.Full:
                self.dropped += 1

    def pending(self):
        return self.outstanding

    def flush(self, seconds):
        """Wait up to `seconds` for everything queued to be delivered (or dropped)."""
        deadline = time.monotonic() + seconds
        while self.pending() and not self.stopped and not self.retrying and time.monotonic() < deadline:
            time.sleep(0.02)
        return not self.pending()

    def _run(self):
        batch = []
        pause = 0.0
        while True:
            if not batch:
                batch.append(self.queue.get())
            while len(batch) < BATCH:  # a Run All answers many exercises at once: one POST for all
                try:
                    batch.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            outcome = self._post(batch)
            self.retrying = outcome == "retry"
            if outcome == "retry":
                old = [e for e in batch if time.time() - e["time"] > MAX_AGE_S]
                if old:
                    batch = [e for e in batch if e not in old]
                    self._drop(len(old), "events older than an hour were dropped: the service could not be reached.")
                pause = min(MAX_PAUSE_S, max(1.0, pause * 2))
                time.sleep(pause)
                continue
            pause = 0.0
            if outcome == "refused" and len(batch) > 1:
                # one event the service refuses must not take the others with it: one at a time
                for event in batch:
                    if self._post([event]) != "stored":
                        self._drop(1, self.problem)
            elif outcome != "stored":  # "refused" (one event) or "stop"
                self._drop(len(batch), self.problem)
            batch = []
            if outcome == "stop":
                self.stopped = True
                while True:  # whatever is still queued cannot be delivered either
                    try:
                        self.queue.get_nowait()
                        self._drop(1, self.problem)
                    except queue.Empty:
                        return

    def _drop(self, n, why):
        with self.lock:
            self.dropped += n
            self.outstanding -= n
            self.problem = why

    def _post(self, batch):
        """"stored", "retry" (down, slow, busy), "refused" (a bad event) or "stop" (not allowed)."""
        import urllib.error
        import urllib.request

        from helpers.insights.events import notebook_of

        body = json.dumps({"events": [{**e, "notebook": notebook_of(e["exercise"])} for e in batch]}).encode()
        request = urllib.request.Request(self.url + "api/events", data=body, method="POST", headers={
            "Authorization": f"token {self.token}", "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
                response.read()
            with self.lock:
                self.sent += len(batch)
                self.outstanding -= len(batch)
            return "stored"
        except urllib.error.HTTPError as error:
            sentence = _sentence(error)
            if error.code == 429 or error.code >= 500:
                self.problem = f"the service is busy or failing ({error.code}); sending again later."
                retry = error.headers.get("Retry-After", "")
                if retry.isdigit():
                    time.sleep(min(int(retry), MAX_PAUSE_S))
                return "retry"
            if error.code in (401, 403, 404, 410):
                self.problem = f"the hub does not let this kernel send events ({error.code}: {sentence})"
                return "stop"
            self.problem = f"the service refused an event ({error.code}: {sentence})"
            return "refused"
        except Exception as error:  # noqa: BLE001 - down, slow, DNS, reset: all mean "later"
            self.problem = f"the service could not be reached ({type(error).__name__}); sending again later."
            return "retry"


def _sentence(error):
    try:
        return json.loads(error.read().decode("utf-8", "replace")).get("message", "")[:300]
    except Exception:  # noqa: BLE001
        return error.reason if isinstance(error.reason, str) else ""


_SENDER = None
_SENDER_LOCK = threading.Lock()


def _sender():
    """The kernel's sender, started on the first event (and again in a forked child)."""
    global _SENDER
    url, token = _settings()
    if url is None:
        return None
    if _SENDER is None or _SENDER.pid != os.getpid() or (_SENDER.url, _SENDER.token) != (url, token):
        with _SENDER_LOCK:
            if _SENDER is None or _SENDER.pid != os.getpid() or (_SENDER.url, _SENDER.token) != (url, token):
                _SENDER = _Sender(url, token)
    return _SENDER


def _send(event):
    try:
        sender = _sender()
        if sender is not None:
            sender.put({"id": uuid.uuid4().hex, "time": time.time(), **event})
    except Exception:  # noqa: BLE001 - a learner's check never fails because of the class's insights
        pass


def record_check(exercise_id, feedback):
    """The hook in ``check()``: one event for the verdict just given. Never raises, never waits."""
    try:
        if _settings()[0] is None:
            return
        from helpers.insights.events import verdict_of

        verdict = verdict_of(feedback.status)
        if verdict is None:
            return
        diagnosis = {"correct": "correct", "unanswered": "unanswered"}.get(verdict, feedback.diagnosis)
        _send({"kind": "check", "exercise": str(exercise_id), "verdict": verdict, "diagnosis": str(diagnosis)})
    except Exception:  # noqa: BLE001
        pass


def record_hint(exercise_id, level):
    """The hook in ``hint()``: one event for the hint just shown. Never raises, never waits."""
    try:
        if _settings()[0] is None:
            return
        _send({"kind": "hint", "exercise": str(exercise_id), "hint": int(level)})
    except Exception:  # noqa: BLE001
        pass


@atexit.register
def _at_exit():
    """At kernel shutdown, a last short chance for what is queued (never longer than a second)."""
    try:
        if _SENDER is not None and _SENDER.pid == os.getpid():
            _SENDER.flush(AT_EXIT_S)
    except Exception:  # noqa: BLE001
        pass


# --- what the learner can see ---------------------------------------------------------------------

class Recorded:
    """What ``mine()`` shows: the events recorded about you, as text and as an HTML table."""

    COLUMNS = ("when", "what", "exercise", "notebook", "verdict", "kind of mistake", "hint")

    def __init__(self, note, events=(), waiting=0):
        self.note, self.events, self.waiting = note, list(events), waiting

    def _rows(self):
        from helpers.insights.events import label

        for e in self.events:
            when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(e["time"]))
            mistake = label(e["diagnosis"]) if e.get("verdict") == "tried" else ""
            yield (when, e["kind"], e["exercise"], e["notebook"], e.get("verdict") or "", mistake,
                   str(e["hint"]) if e.get("hint") else "")

    def __str__(self):
        lines = [self.note]
        lines += ["  " + " | ".join(row) for row in self._rows()]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self):
        import html

        head = "".join(f"<th scope='col'>{c}</th>" for c in self.COLUMNS)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row) + "</tr>" for row in self._rows())
        table = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if self.events else ""
        return f"<div><p>{html.escape(self.note)}</p>{table}</div>"


def mine(limit=200):
    """Everything the class's insights service has recorded about you (the latest `limit` events),
    and how many events are still waiting to be sent. Outside a class hub, says that nothing is sent.

    Returns:
        Recorded (shown as a table in the notebook). Never raises.
    """
    try:
        url, token = _settings()
        if url is None:
            return Recorded(f"Nothing is recorded about you from here: {token}, so check and hint send nothing.")
        sender = _sender()
        if sender is not None:
            sender.flush(2.0)
        import urllib.request

        request = urllib.request.Request(f"{url}api/events/mine?limit={int(limit)}",
                                         headers={"Authorization": f"token {token}"})
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            data = json.loads(response.read().decode("utf-8"))
        waiting = sender.pending() if sender else 0
        events = data.get("events", [])
        note = (f"The class insights service has {data.get('total', len(events))} events about you "
                f"({data.get('user', 'you')}); the latest {len(events)} are below, newest first. "
                "They say which exercise, whether it was right, the kind of mistake and the hints you took, "
                "never your answer. Your teacher sees them counted for the whole class.")
        if waiting:
            note += f" {waiting} more are waiting to be sent."
        if sender is not None and sender.problem and (sender.dropped or sender.stopped):
            note += f" Not delivered: {sender.dropped} ({sender.problem})"
        return Recorded(note, events, waiting)
    except Exception as error:  # noqa: BLE001
        return Recorded(f"The class insights service could not be asked just now ({type(error).__name__}); "
                        "try again in a moment. Nothing about your answers' values is ever sent.")
