"""Start the course's demo JupyterHub (make hub) and stop it cleanly, leaving no process behind.

    python tools/hub.py [--port 8000] [--course build/classroom] [--state build/hub]

Runs JupyterHub with hub/jupyterhub_config.py on 127.0.0.1 (its proxy from hub/node_modules,
installed by `npm ci` in hub/), waits until the login page answers through the proxy, and prints
the URL and the demo accounts. Ctrl-C (SIGINT) or SIGTERM stops the hub, which stops its proxy
and every user's server (and their kernels); this script then checks that no process it started,
directly or not, is still running, and says so (exit status 1 if it had to kill one).

The launcher makes itself a child subreaper (Linux prctl), so processes whose parent died are
handed to it rather than to init: that is how it sees everything the hub started, even a
server that outlived the hub.
"""

import argparse
import ctypes
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "hub" / "jupyterhub_config.py"
PROXY = ROOT / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
READY_S = 120  # the hub, its database and the proxy up, on a loaded 2-core machine
STOP_S = 60  # the hub stops every user's server (each shuts its kernels down), then the proxy
PR_SET_CHILD_SUBREAPER = 36


def course_id(course):
    """The course id the course's nbgrader_config.py sets, or "backprop"."""
    config = course / "nbgrader_config.py"
    text = config.read_text(encoding="utf-8") if config.exists() else ""
    match = re.search(r"""^\s*c\.CourseDirectory\.course_id\s*=\s*['"]([^'"]+)['"]""", text, re.M)
    return match.group(1) if match else "backprop"


def become_subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap():
    """Collect the exit status of every finished child (orphans handed to us included)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def descendants():
    try:
        return [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
    except psutil.Error:
        return []


def free_port():
    """A free port on 127.0.0.1 (for the insights service: the hub's own three are --port and the next two)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ready(url, hub, log_path, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.poll() is not None:
            raise SystemExit(f"JupyterHub exited with status {hub.returncode} while starting; its log "
                             f"({log_path}) ends with:\n{tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise TimeoutError(f"JupyterHub did not answer {url} within {timeout} s; its log ends with:\n{tail(log_path)}")


def tail(path, n=30):
    try:
        return "\n".join(Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
    except OSError:
        return "(no log)"


def stop(hub):
    """SIGTERM to the hub; wait for it and for everything it started; kill what is left, loudly."""
    if hub.poll() is None:
        hub.send_signal(signal.SIGTERM)
        try:
            hub.wait(timeout=STOP_S)
        except subprocess.TimeoutExpired:
            print(f"hub: JupyterHub did not stop within {STOP_S} s after SIGTERM; killing it", flush=True)
            hub.kill()
            hub.wait(timeout=10)
    deadline = time.monotonic() + 15
    left = descendants()
    while left and time.monotonic() < deadline:
        reap()
        time.sleep(0.1)
        left = descendants()
    if not left:
        reap()
        return True
    print("hub: still running after the hub stopped (killing them): "
          + "; ".join(f"{p.pid} {' '.join(p.cmdline()[:3])}" for p in left if p.is_running()), flush=True)
    for p in left:
        try:
            p.terminate()
        except psutil.Error:
            pass
    _, alive = psutil.wait_procs(left, timeout=5)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(alive, timeout=5)
    reap()
    return False


def grading_note():
    """What autograding on this hub does with learner code: the course's sandbox, if it stands here."""
    try:
        from helpers.classroom.sandbox import Sandbox, SandboxUnavailable
    except ImportError:
        return "autograde: the course's grader is not installed (make classroom)"
    try:
        return "autograde: " + Sandbox().self_test()
    except SandboxUnavailable as missing:
        return f"autograde: REFUSES to run until the sandbox stands: {missing}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")),
                        help="the hub's port on 127.0.0.1 (default 8000, or $PORT); the proxy's API and the "
                             "hub's own API use the next two")
    parser.add_argument("--course", type=Path, default=ROOT / "build" / "classroom",
                        help="the nbgrader course root the instructor works in (default: build/classroom, from make classroom)")
    parser.add_argument("--state", type=Path, default=ROOT / "build" / "hub",
                        help="the hub's database, the users' homes and the nbgrader exchange (default: build/hub)")
    parser.add_argument("--password", default=os.environ.get("BACKPROP_HUB_PASSWORD", "backprop-demo"),
                        help="the demo password of every account (NOT FOR PRODUCTION)")
    parser.add_argument("--insights-port", type=int, default=0,
                        help="the class insights service's port on 127.0.0.1 (default: a free one)")
    args = parser.parse_args(argv)

    course, state = args.course.resolve(), args.state.resolve()
    if not (course / "nbgrader_config.py").exists():
        raise SystemExit(f"hub: no nbgrader course in {course} (make classroom builds build/classroom/)")
    if not PROXY.exists():
        raise SystemExit(f"hub: {PROXY.relative_to(ROOT)} is missing: run `npm ci` in hub/ (make hub does)")
    state.mkdir(parents=True, exist_ok=True)
    if not become_subreaper():
        print("hub: could not become a child subreaper; servers that outlive the hub go unseen", flush=True)

    env = {**os.environ,
           "PATH": f"{Path(sys.prefix) / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
           "BACKPROP_HUB_STATE": str(state), "BACKPROP_HUB_COURSE": str(course),
           "BACKPROP_HUB_COURSE_ID": course_id(course), "BACKPROP_HUB_PORT": str(args.port),
           "BACKPROP_HUB_PASSWORD": args.password,
           "BACKPROP_HUB_INSIGHTS_PORT": str(args.insights_port or free_port())}
    log_path = state / "jupyterhub.log"
    started = time.monotonic()
    stop_requested = []

    def on_signal(signum, frame):
        stop_requested.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    with open(log_path, "w", encoding="utf-8") as log:
        # its own session: Ctrl-C reaches this script only, which stops the hub in order
        hub = subprocess.Popen([str(Path(sys.prefix) / "bin" / "jupyterhub"), "-f", str(CONFIG)],
                               cwd=state, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        clean = False
        try:
            url = f"http://127.0.0.1:{args.port}"
            wait_ready(f"{url}/hub/login", hub, log_path, READY_S)
            print(f"""
The course's demo JupyterHub is running (ready in {time.monotonic() - started:.1f} s): {url}/
  Log in as  instructor  (nbgrader formgrader: menu Nbgrader > Formgrader; the course is {course})
         or  student1 / student2  (menu Nbgrader > Assignment List)
  Password for every account: {args.password}   (a demo authenticator: NOT FOR PRODUCTION)
  nbgrader exchange: {state / 'exchange'}   hub log: {log_path}
  {grading_note()}
  Class insights (the instructor's live dashboard): {url}/services/insights/
Press Ctrl-C to stop the hub, its proxy and every user's server.""", flush=True)
            hub.wait()
            print(f"hub: JupyterHub exited by itself with status {hub.returncode}; its log ends with:\n{tail(log_path)}",
                  flush=True)
        except KeyboardInterrupt:
            print("\nhub: stopping JupyterHub, its proxy and the users' servers ...", flush=True)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            clean = stop(hub)
            print("hub: stopped; no process left behind" if clean else "hub: stopped, after killing leftovers",
                  flush=True)
    return 0 if clean and stop_requested else 1


if __name__ == "__main__":
    sys.exit(main())
