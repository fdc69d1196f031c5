"""A throw-away PostgreSQL server: Debian's postgresql, in a temporary data directory, on a free port.

    from tools.pgtemp import temporary_postgres
    with temporary_postgres() as url:      # postgresql://postgres@127.0.0.1:PORT/insights
        ...

    python tools/pgtemp.py                 # start one, print its URL, stop it on Ctrl-C

For the insights service's tests and benchmark (make test-insights, make bench-insights). The
machine's own clusters are left alone: the server runs from a fresh `initdb` in a temporary
directory, listens on 127.0.0.1 only, and is stopped and deleted afterwards. PostgreSQL refuses to
run as root, so as root it runs as the `postgres` user the Debian package creates.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_S = 60


def _bin_dir():
    """The directory of initdb and postgres: Debian's newest /usr/lib/postgresql/N/bin, else PATH."""
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name)
                      if p.parent.parent.name.isdigit() else 0)
    if versions:
        return versions[-1].parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise FileNotFoundError("PostgreSQL's server is not installed (Debian: apt-get install postgresql; "
                            ".ci/run installs it when missing)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_user():
    """(preexec_fn, uid, gid) to drop root for PostgreSQL, or (None, None, None) when not root."""
    if os.geteuid() != 0:
        return None, None, None
    account = pwd.getpwnam("postgres")

    def drop():
        os.setgid(account.pw_gid)
        os.setuid(account.pw_uid)

    return drop, account.pw_uid, account.pw_gid


@contextlib.contextmanager
def temporary_postgres(database="insights"):
    """Start PostgreSQL, yield the URL of an empty database, stop it and delete its files."""
    import psycopg

    bindir = _bin_dir()
    drop, uid, gid = _as_user()
    top = Path(tempfile.mkdtemp(prefix="backprop-pg-"))
    data = top / "data"
    server = None
    try:
        if uid is not None:
            os.chown(top, uid, gid)
        subprocess.run([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                        "--no-sync", "--no-instructions"], preexec_fn=drop, check=True, capture_output=True,
                       timeout=120, cwd=top)
        port = _free_port()
        log = open(top / "postgres.log", "wb")
        server = subprocess.Popen([str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(top),
                                   "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
                                  preexec_fn=drop, stdout=log, stderr=subprocess.STDOUT, cwd=top,
                                  start_new_session=True)
        admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
        deadline = time.monotonic() + START_S
        while True:
            try:
                with psycopg.connect(admin, autocommit=True, connect_timeout=2) as connection:
                    connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database)))
                break
            except psycopg.OperationalError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not start; its log ends with:\n"
                                       + (top / "postgres.log").read_text(errors="replace")[-2000:]) from None
                time.sleep(0.1)
        yield f"postgresql://postgres@127.0.0.1:{port}/{database}"
    finally:
        if server is not None and server.poll() is None:
            server.send_signal(signal.SIGINT)  # "fast" shutdown: disconnect clients, stop cleanly
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(10)
        shutil.rmtree(top, ignore_errors=True)


def new_database(url, name):
    """Create another empty database on the server of `url`; return its URL."""
    import psycopg

    base, _, _ = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(name)))
    return f"{base}/{name}"


if __name__ == "__main__":
    with temporary_postgres() as url:
        print(url, flush=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
    sys.exit(0)
