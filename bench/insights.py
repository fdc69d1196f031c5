"""make bench-insights: a class of 300 sending events to the insights service on a real JupyterHub.

    python bench/insights.py [--learners 300] [--events 50] [--backend sqlite postgresql]

For each database (SQLite in WAL mode; PostgreSQL, Debian's, started by tools/pgtemp.py in a
temporary directory on a free port), the course's hub configuration (hub/jupyterhub_config.py,
with its proxy and the hub-managed insights service) is started, 300 real hub users are created
through the hub's REST API, each with a hub token of their own carrying only the scope the
learners' kernels get (access:services!service=insights); then every learner sends 50 events at
once with their own token, one event per request (as a learner checks one exercise at a time),
retrying as the kernels do (after a pause) when the service is busy or unreachable. Printed:

    insights <backend>: 300 learners x 50 events: stored S of T, lost L, p50 A ms, p99 B ms

the latencies being those of the acknowledged requests (sent → 201). Then the same class sends 50
more events each, and the service is killed with SIGKILL a third of the way through; the hub starts
it again (JupyterHub restarts a managed service that exits), the learners' retries carry on, and
the benchmark checks that every event acknowledged before the kill is stored, and prints the same
line for that round. The exit status is 1 if any event is lost or any acknowledged event missing.

The hub and everything it started are stopped afterwards, and checked to be gone.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from helpers.insights import events as ev  # noqa: E402
from helpers.insights.store import Store, events as table  # noqa: E402
from tools.pgtemp import temporary_postgres  # noqa: E402

HUB_CONFIG = ROOT / "hub" / "jupyterhub_config.py"
READY_S = 180
RETRY_CAP_S = 5.0  # the kernels pause up to a minute between tries; the benchmark cannot wait that long
REQUEST_TIMEOUT_S = 30
ADMIN_TIMEOUT_S = 300


def _free_ports(n):
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        try:
            held = []
            for p in range(port, port + n):
                s = socket.socket()
                held.append(s)
                s.bind(("127.0.0.1", p))
            return port
        except OSError:
            continue
        finally:
            for s in held:
                s.close()
    raise RuntimeError("no free ports")


class BenchHub:
    """The course's hub configuration plus one admin service whose token creates the learners."""

    def __init__(self, workdir, database_url):
        self.workdir = workdir
        self.state = workdir / "state"
        self.state.mkdir(parents=True)
        self.port = _free_ports(3)
        self.insights_port = _free_ports(1)
        self.admin_token = uuid.uuid4().hex
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_url = f"http://127.0.0.1:{self.insights_port}/services/insights/"
        config = workdir / "bench_config.py"
        config.write_text(
            "# the course's hub, plus an admin service for the benchmark (creates users and their tokens)\n"
            "c = get_config()  # noqa: F821\n"
            f"load_subconfig({str(HUB_CONFIG)!r})  # noqa: F821\n"
            f"c.JupyterHub.services.append({{'name': 'bench', 'api_token': {self.admin_token!r}}})\n"
            "c.JupyterHub.load_roles.append({'name': 'bench-admin', 'scopes': ['admin:users', 'tokens'],"
            " 'services': ['bench']})\n"
            "c.JupyterHub.log_level = 'WARN'\n", encoding="utf-8")
        env = {**os.environ, "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
               "BACKPROP_HUB_STATE": str(self.state), "BACKPROP_HUB_COURSE": str(workdir),
               "BACKPROP_HUB_PORT": str(self.port), "BACKPROP_HUB_INSIGHTS_PORT": str(self.insights_port),
               "BACKPROP_HUB_INSIGHTS_DB": database_url}
        self.log_path = workdir / "hub.log"
        self.log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen([str(Path(sys.prefix) / "bin" / "jupyterhub"), "-f", str(config)], cwd=self.state,
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.seen = []

    def tail(self, n=40):
        self.log.flush()
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])

    async def wait_ready(self, session):
        deadline = time.monotonic() + READY_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"JupyterHub exited ({self.proc.returncode}):\n{self.tail()}")
            with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                async with session.get(self.service_url + "health", timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status == 200:
                        async with session.get(f"{self.url}/hub/api/", headers=self.admin) as h:
                            if h.status == 200:
                                return
            await asyncio.sleep(0.25)
        raise SystemExit(f"the hub and its insights service were not ready within {READY_S} s:\n{self.tail()}")

    @property
    def admin(self):
        return {"Authorization": f"token {self.admin_token}"}

    async def make_learners(self, session, n):
        """n hub users, each with a token of their own for the insights service only: {name: token}."""
        names = [f"learner{i:03d}" for i in range(1, n + 1)]
        slow = aiohttp.ClientTimeout(total=ADMIN_TIMEOUT_S)  # the hub's own API, on a busy machine
        for start in range(0, n, 50):
            async with session.post(f"{self.url}/hub/api/users", json={"usernames": names[start:start + 50]},
                                    headers=self.admin, timeout=slow) as r:
                assert r.status in (201, 409), f"creating users: {r.status} {await r.text()}"
        tokens = {}
        gate = asyncio.Semaphore(10)

        async def token(name):
            async with gate, session.post(f"{self.url}/hub/api/users/{name}/tokens", headers=self.admin, timeout=slow,
                                          json={"scopes": ["access:services!service=insights"],
                                                "note": "bench-insights"}) as r:
                assert r.status == 201, f"token for {name}: {r.status} {await r.text()}"
                tokens[name] = (await r.json())["token"]

        await asyncio.gather(*(token(name) for name in names))
        return tokens

    def service_process(self):
        for p in psutil.Process(self.proc.pid).children(recursive=True):
            with contextlib.suppress(psutil.Error):
                if "helpers.insights.service" in " ".join(p.cmdline()):
                    return p
        return None

    def stop(self):
        with contextlib.suppress(psutil.Error):
            self.seen = psutil.Process(self.proc.pid).children(recursive=True)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        deadline = time.monotonic() + 15
        left = [p for p in self.seen if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        while left and time.monotonic() < deadline:
            time.sleep(0.1)
            left = [p for p in left if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        for p in left:
            with contextlib.suppress(psutil.Error):
                p.kill()
        self.log.close()
        return [f"{p.pid} {' '.join(p.cmdline()[:3])}" for p in left if p.is_running()]


def class_events(catalog, n, rng):
    """n events one learner might send: checks of every kind (right, each kind of mistake, unanswered) and hints."""
    ids = catalog.ids()
    out = []
    for _ in range(n):
        exercise = rng.choice(ids)
        title, hints, mistakes = catalog.exercises[exercise]
        base = {"id": uuid.uuid4().hex, "exercise": exercise, "notebook": catalog.notebooks[exercise]}
        roll = rng.random()
        if roll < 0.12 and hints:
            out.append({**base, "kind": "hint", "hint": rng.randint(1, hints)})
            continue
        if roll < 0.45:
            verdict, diagnosis = "correct", "correct"
        elif roll < 0.5:
            verdict, diagnosis = "unanswered", "unanswered"
        else:
            keys = [f"mistake:{m}" for m in sorted(mistakes)] + ["sign", "transposed", "factor", "shape", "wrong"]
            verdict, diagnosis = "tried", rng.choice(keys)
        out.append({**base, "kind": "check", "verdict": verdict, "diagnosis": diagnosis})
    return out


class Load:
    """Every learner sends their events, one request each, all learners at once."""

    def __init__(self, url, tokens, plans):
        self.url, self.tokens, self.plans = url + "api/events", tokens, plans
        self.acked = {}  # (user, event id) → the moment of its acknowledgement
        self.latencies = []
        self.refused = []
        self.retries = 0

    async def learner(self, session, name):
        headers = {"Authorization": f"token {self.tokens[name]}"}
        for event in self.plans[name]:
            pause = 0.5
            first = time.perf_counter()
            while True:
                body = {"events": [{**event, "time": time.time()}]}
                try:
                    async with session.post(self.url, json=body, headers=headers) as r:
                        text = await r.text()
                        if r.status == 201:
                            self.latencies.append(time.perf_counter() - first)
                            self.acked[(name, event["id"])] = time.monotonic()
                            break
                        if r.status != 429 and r.status < 500:
                            self.refused.append((name, r.status, text[:200]))
                            break
                except (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError):
                    pass
                self.retries += 1
                await asyncio.sleep(pause * (0.5 + random.random()))
                pause = min(RETRY_CAP_S, pause * 2)

    async def run(self, session):
        await asyncio.gather(*(self.learner(session, name) for name in self.tokens))


def stored_ids(database_url, users):
    store = Store(database_url)
    try:
        import sqlalchemy as sa

        with store.engine.connect() as connection:
            rows = connection.execute(sa.select(table.c.user, table.c.event_id).where(table.c.user.in_(users)))
            return {(u, e) for u, e in rows}
    finally:
        store.close()


def line(backend, learners, events, stored, total, latencies, extra=""):
    ms = sorted(1000 * x for x in latencies)
    p50 = statistics.median(ms) if ms else float("nan")
    p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else float("nan")
    return (f"insights {backend}{extra}: {learners} learners x {events} events: stored {stored} of {total}, "
            f"lost {total - stored}, p50 {p50:.0f} ms, p99 {p99:.0f} ms")


async def bench_backend(backend, database_url, workdir, learners, events):
    catalog = ev.Catalog.from_course()
    rng = random.Random(22)
    hub = BenchHub(workdir, database_url)
    ok = True
    connector = aiohttp.TCPConnector(limit=0, force_close=True)  # a kernel opens a connection per request
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)
    try:
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
            started = time.monotonic()
            await hub.wait_ready(session)
            tokens = await hub.make_learners(session, learners)
            print(f"insights {backend}: hub, proxy and service up, {learners} hub users with a token each, "
                  f"in {time.monotonic() - started:.0f} s", flush=True)
            users = list(tokens)
            total = learners * events

            # round 1: the whole class at once
            plans = {name: class_events(catalog, events, rng) for name in users}
            load = Load(hub.service_url, tokens, plans)
            began = time.monotonic()
            await load.run(session)
            took = time.monotonic() - began
            wanted = {(name, e["id"]) for name, plan in plans.items() for e in plan}
            stored = stored_ids(database_url, users) & wanted
            print(line(backend, learners, events, len(stored), total, load.latencies)
                  + f" ({took:.1f} s, {total / took:.0f} events/s, {load.retries} retries)", flush=True)
            ok &= len(stored) == total and not load.refused and set(load.acked) <= stored
            if load.refused:
                print(f"  refused: {load.refused[:3]}", flush=True)

            # round 2: the same, and the service is killed with SIGKILL a third of the way through
            plans2 = {name: class_events(catalog, events, rng) for name in users}
            load2 = Load(hub.service_url, tokens, plans2)
            victim = hub.service_process()
            assert victim is not None, "no insights service process under the hub"

            async def killer():
                while len(load2.acked) < total // 3:
                    await asyncio.sleep(0.01)
                victim.send_signal(signal.SIGKILL)
                killed_at = time.monotonic()
                before = dict(load2.acked)
                while hub.service_process() is None or hub.service_process().pid == victim.pid:
                    await asyncio.sleep(0.1)
                while True:  # up again: it answers
                    with contextlib.suppress(aiohttp.ClientError, asyncio.TimeoutError):
                        async with session.get(hub.service_url + "health") as r:
                            if r.status == 200:
                                break
                    await asyncio.sleep(0.1)
                return before, time.monotonic() - killed_at

            began = time.monotonic()
            (before_kill, down_s), _ = await asyncio.gather(killer(), load2.run(session))
            took = time.monotonic() - began
            wanted2 = {(name, e["id"]) for name, plan in plans2.items() for e in plan}
            stored2 = stored_ids(database_url, users) & wanted2
            missing = set(before_kill) - stored2
            print(line(backend, learners, events, len(stored2), total, load2.latencies, ", kill -9 mid-load")
                  + f" ({took:.1f} s, {load2.retries} retries)", flush=True)
            print(f"insights {backend}, kill -9: {len(before_kill)} events acknowledged before the kill, "
                  f"{len(before_kill) - len(missing)} of them stored, {len(missing)} missing; the hub restarted "
                  f"the service, answering again {down_s:.0f} s after the kill", flush=True)
            ok &= not missing and len(stored2) == total and set(load2.acked) <= stored2 and not load2.refused
    finally:
        left = hub.stop()
        if left:
            print(f"insights {backend}: still running after the hub stopped (killed): {left}", flush=True)
            ok = False
    return ok


def hook_cost(calls=2000):
    """CPU time of the hook in check() on a hub (the event queued; sending is another thread's)."""
    import helpers.insights as client
    from helpers.checking.feedback import Feedback

    saved = {k: os.environ.get(k) for k in ("JUPYTERHUB_API_TOKEN", client.URL_ENV, "BACKPROP_GRADING")}
    os.environ.update({"JUPYTERHUB_API_TOKEN": "bench", client.URL_ENV: "http://127.0.0.1:9/services/insights/"})
    os.environ.pop("BACKPROP_GRADING", None)
    try:
        feedback = Feedback("1.2", "wrong", "not yet", "sign")
        client.record_check("1.2", feedback)  # starts the sender (it finds nobody at port 9 and waits)
        started = time.process_time()
        for _ in range(calls):
            client.record_check("1.2", feedback)
        return (time.process_time() - started) / calls
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=300)
    parser.add_argument("--events", type=int, default=50)
    parser.add_argument("--backend", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    args = parser.parse_args(argv)
    print(f"insights: the hook in check() costs {1e6 * hook_cost():.0f} µs of CPU per check (the event is queued; "
          "a background thread sends it)", flush=True)
    ok = True
    for backend in args.backend:
        with tempfile.TemporaryDirectory(prefix=f"bench-insights-{backend}-") as tmp:
            workdir = Path(tmp)
            if backend == "sqlite":
                ok &= asyncio.run(bench_backend("SQLite", f"sqlite:///{workdir / 'insights.sqlite'}", workdir,
                                                args.learners, args.events))
            else:
                with temporary_postgres() as url:
                    ok &= asyncio.run(bench_backend("PostgreSQL", url, workdir, args.learners, args.events))
    print(f"load average (1, 5, 15 min) after the benchmark: {os.getloadavg()}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
