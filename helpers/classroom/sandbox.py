"""The sandbox every submission's kernel runs in while nbgrader autogrades it.

Why bubblewrap (Debian's ``bubblewrap``, the sandbox Flatpak uses) and a uid of its own, rather
than a per-submission system user alone: a user of its own still sees the whole machine (every
world-readable file, other learners' submissions if their modes allow it, the world-writable
exchange, /tmp, /dev/shm), still has the network, and its processes outlive the notebook unless
someone hunts them down. Namespaces give each kernel its own view instead: read-only system and
Python directories and nothing else of the machine's files, a HOME and /tmp of its own that vanish
with it, no network at all (its own network namespace: not even the machine's loopback), its own
pid namespace (when the kernel exits, Linux kills everything it started), and no way to create
further namespaces. When the grader runs as root (CI, a grading pod), the kernel also drops to a
fresh unprivileged uid before the sandbox is built, so the limit on processes counts that kernel's
alone and a hole in the sandbox would leave it with no rights; run as the teacher, the kernel keeps
the teacher's uid inside its own user namespace, with no capability and none of the teacher's
files. bubblewrap needs unprivileged user namespaces (Debian, Ubuntu with its bwrap AppArmor
profile; see docs/teaching.md for Kubernetes).

``SandboxedKernelManager`` is a jupyter_client kernel manager: nbgrader's own ``Execute``
preprocessor uses it when the course's nbgrader_config.py says so (``grader.configure``). The
kernel talks to the grader through Unix sockets in a private directory (the only directory of the
machine the kernel may write), because a kernel in its own network namespace cannot reach TCP
ports on the grader's loopback. The grader's sockets refuse messages over ``max_message`` bytes,
so a kernel cannot make the grader hold a huge output in memory.
"""

from __future__ import annotations

import atexit
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import zmq
import zmq.asyncio
from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, CaselessStrEnum, Instance, Integer, List, Unicode
from traitlets.config import Configurable

JAIL = Path(__file__).resolve().parent / "_jail.py"
_SKELETONS = {}  # python -> the prepared HOME of this grading process
HOME = "/home/learner"
SYSTEM = ("/usr", "/etc")  # read-only; /bin, /lib, /lib64, /sbin follow (merged /usr: symlinks)
MiB = 2**20


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot be built on this machine; the message says why and what to do."""


class Sandbox(Configurable):
    """How each submission's kernel is confined (``c.Sandbox.…`` in an nbgrader_config.py)."""

    enabled = Bool(True, help=(
        "Run each submission's kernel in a bubblewrap sandbox. Without it, learner code runs with "
        "the grader's rights; the grader then warns at every submission, and refuses to run as root "
        "unless allow_unsandboxed_root is set.")).tag(config=True)
    allow_unsandboxed_root = Bool(False, help=(
        "Let root grade without the sandbox (learner code then runs as root: for measurements on a "
        "throw-away machine only).")).tag(config=True)
    bwrap = Unicode("bwrap", help="The bubblewrap command.").tag(config=True)
    memory = Integer(3 * 1024 * MiB, help="Address space of each process in the sandbox, in bytes.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU seconds each process in the sandbox may use (a notebook's kernel: all its cells).").tag(config=True)
    processes = Integer(256, help="Processes and threads the kernel may run at once.").tag(config=True)
    file_size = Integer(256 * MiB, help="Largest file the kernel may write, in bytes.").tag(config=True)
    disk = Integer(512 * MiB, help="Size of the kernel's HOME and of its /tmp (each a tmpfs), in bytes.").tag(config=True)
    open_files = Integer(1024, help="Open files per process.").tag(config=True)
    uid_range = List(Integer(), [1_500_000_000, 1_600_000_000], minlen=2, maxlen=2, help=(
        "When grading as root: each kernel runs as a uid drawn from this range that /etc/passwd and "
        "/etc/subuid do not use.")).tag(config=True)
    read_only = List(Unicode(), [], help=(
        "More directories the kernel may read (the course's Python and package are found on their own).")).tag(config=True)
    max_message = Integer(16 * MiB, help="Largest message the grader accepts from a kernel; a larger one is dropped.").tag(config=True)

    # ----------------------------------------------------------------------------------------

    def command(self):
        path = shutil.which(self.bwrap) or (self.bwrap if os.path.isabs(self.bwrap) else None)
        if not path or not os.access(path, os.X_OK):
            raise SandboxUnavailable(
                f"bubblewrap ({self.bwrap}) is not installed: `apt-get install bubblewrap` (Debian, Ubuntu)")
        return path

    def read_only_paths(self, python=None):
        """The directories a kernel sees, read-only: the system, the course's Python environment
        and interpreter, and the course's package and data (never the course root with the gradebook)."""
        import helpers

        package = Path(helpers.__file__).resolve().parent
        wanted = [Path(p) for p in SYSTEM]
        for prefix in (sys.prefix, sys.base_prefix, getattr(sys, "real_prefix", None)):
            if prefix:
                wanted.append(Path(prefix).resolve())
        if python:
            wanted.append(Path(python).resolve().parent.parent)
        wanted += [package, package.parent / "data", *(Path(p) for p in self.read_only)]
        paths = []
        for path in sorted({p for p in wanted if p.exists()}, key=lambda p: len(p.parts)):
            if not any(path == q or q in path.parents for q in paths):
                paths.append(path)
        return [str(p) for p in paths]

    @staticmethod
    def symlinks():
        """Merged-/usr systems: /bin, /lib, … are symlinks into /usr; recreated as such."""
        out = []
        for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
            path = Path("/") / name
            if path.is_symlink():
                out.append((str(path), os.readlink(path)))
        return out

    def fresh_uid(self):
        """A uid for one kernel (when grading as root): unused by any account or subordinate range."""
        low, high = self.uid_range
        taken = []
        for table in ("/etc/subuid", "/etc/subgid"):
            try:
                for line in Path(table).read_text().splitlines():
                    parts = line.split(":")
                    if len(parts) == 3 and parts[1].isdigit() and parts[2].isdigit():
                        taken.append((int(parts[1]), int(parts[1]) + int(parts[2])))
            except OSError:
                pass
        for _ in range(1000):
            uid = low + secrets.randbelow(high - low)
            if any(a <= uid < b for a, b in taken):
                continue
            try:
                pwd.getpwuid(uid)
            except KeyError:
                return uid
        raise SandboxUnavailable(f"no free uid in {low}–{high}")

    def limits(self, uid):
        processes = self.processes
        if uid is None:  # the kernel keeps the teacher's uid: the limit counts the teacher's own tasks too
            processes += _tasks_of(os.getuid())
        return {"memory": self.memory, "cpu": self.cpu_seconds, "processes": processes,
                "file_size": self.file_size, "open_files": self.open_files}

    def skeleton(self, python):
        """A HOME every kernel starts from (copied, read-only here): matplotlib's font list, built
        once by the grader rather than by every kernel (a quarter of a second of CPU each)."""
        made = _SKELETONS.get(python)
        if made is None or not Path(made).is_dir():
            made = tempfile.mkdtemp(prefix="backprop-home-")
            os.chmod(made, 0o755)
            env = {"HOME": made, "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "MPLBACKEND": "agg"}
            subprocess.run([python, "-c", "import matplotlib.font_manager"], env=env, cwd=made,
                           capture_output=True, timeout=300)
            for folder, dirs, files in os.walk(made):  # readable by the kernels' uids
                for name in dirs + files:
                    os.chmod(os.path.join(folder, name), 0o755 if name in dirs else 0o644)
            _SKELETONS[python] = made
            atexit.register(shutil.rmtree, made, True)
        return made

    def settings(self, *, private, submission, python, env, uid):
        """The JSON the jail launcher reads (see _jail.py)."""
        home = HOME
        name = Path(submission).name or "work"
        return {
            "bwrap": self.command(), "jail": str(JAIL), "python": python, "private": private,
            "skeleton": self.skeleton(python),
            "submission": submission, "home": home, "work": f"{home}/{name}", "uid": uid,
            "read_only": self.read_only_paths(python), "symlinks": self.symlinks(), "disk": self.disk,
            "limits": self.limits(uid),
            "env": {"HOME": home, "USER": "learner", "LOGNAME": "learner", "TMPDIR": "/tmp", "LANG": "C.UTF-8",
                    "PATH": f"{Path(python).parent}:/usr/local/bin:/usr/bin:/bin", "PYTHONNOUSERSITE": "1",
                    "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", **env},
        }

    def wrap(self, kernel_command, **kw):
        """The command that starts `kernel_command` in the sandbox."""
        settings = self.settings(python=kernel_command[0], **kw)
        return [sys.executable, "-I", "-S", str(JAIL), "outer", json.dumps(settings), "--", *kernel_command]

    def self_test(self):
        """Build a sandbox once and look inside: raises SandboxUnavailable with the reason if it
        does not stand (no bwrap, no user namespaces, …). Returns a sentence saying what it is."""
        root = os.geteuid() == 0
        with tempfile.TemporaryDirectory(prefix="backprop-sandbox-test-") as scratch:
            private, submission = Path(scratch) / "private", Path(scratch) / "submission"
            private.mkdir(mode=0o700)
            submission.mkdir()
            secret = Path(scratch) / "grader-only"
            secret.write_text("the sandbox must not show this")
            uid = self.fresh_uid() if root else None
            probe = ("import os, socket\n"
                     "s = socket.socket()\n"
                     "try:\n    s.connect(('1.1.1.1', 53)); net = 'yes'\nexcept OSError:\n    net = 'no'\n"
                     "print(os.getuid(), os.path.exists(%r), net)" % str(secret))
            command = self.wrap([sys.executable, "-I", "-S", "-c", probe], private=str(private),
                                submission=str(submission), env={}, uid=uid)
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
            log = (private / "kernel.log").read_text(errors="replace") if (private / "kernel.log").exists() else ""
            if done.returncode != 0:
                raise SandboxUnavailable(f"bubblewrap could not build the sandbox (exit {done.returncode}): "
                                         f"{log.strip()[-400:] or done.stderr.strip()[-400:]}")
            seen = log.split()
            expected = [str(uid if root else os.getuid()), "False", "no"]
            if seen[-3:] != expected:
                raise SandboxUnavailable(f"the sandbox does not hold (uid, grader's files visible, network: {seen[-3:]})")
        who = f"a uid of its own ({self.uid_range[0]}–{self.uid_range[1]}), not root" if root else \
            "your uid inside a user namespace of its own, with none of your files"
        return (f"every submission's kernel runs in a bubblewrap sandbox as {who}: no network, read-only "
                f"system and course, a throw-away HOME; at most {self.memory // MiB} MiB of memory, "
                f"{self.cpu_seconds} s of CPU, {self.processes} processes; nothing it starts outlives its notebook")


def _tasks_of(uid):
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if os.stat(entry.path).st_uid == uid:
                    count += len(os.listdir(f"{entry.path}/task"))
            except OSError:
                pass
    return count


def processes_of(uid):
    """Pids of the processes running as `uid` (Linux /proc)."""
    pids = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"{entry.path}/status", encoding="ascii", errors="replace") as f:
                    fields = dict(line.split(":", 1) for line in f if ":" in line)
                if int(fields["Uid"].split()[0]) == uid and fields["State"].split()[0] not in ("Z", "X"):
                    pids.append(int(entry.name))
            except (OSError, ValueError, IndexError, KeyError):
                pass
    return pids


class SandboxedKernelManager(AsyncKernelManager):
    """jupyter_client's kernel manager, with the kernel started in the sandbox (see the module)."""

    transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)
    sandbox = Instance(Sandbox, allow_none=True)
    kernel_env = Instance(dict, ())  # extra environment variables for the kernel (the grading seed)
    submission = Unicode("")  # the folder whose files the kernel gets a copy of

    def _context_default(self):
        self._created_context = True
        context = zmq.asyncio.Context()
        # every socket this manager and its clients open refuses messages over max_message
        context.setsockopt(zmq.MAXMSGSIZE, self._sandbox().max_message)
        return context

    def _sandbox(self):
        if self.sandbox is None:
            self.sandbox = Sandbox(config=self.config)
        return self.sandbox

    def client(self, **kwargs):
        client = super().client(**kwargs)
        # the client's own context (as jupyter_client's default), with the same cap on messages
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.MAXMSGSIZE, self._sandbox().max_message)
        client.context, client._created_context = context, True
        return client

    async def _async_pre_start_kernel(self, **kw):
        self._private = tempfile.mkdtemp(prefix="backprop-kernel-")
        os.chmod(self._private, 0o700)
        self.connection_file = os.path.join(self._private, "kernel.json")
        self.ip = os.path.join(self._private, "ipc")
        self._uid = self._sandbox().fresh_uid() if os.geteuid() == 0 else None
        self.submission = str(kw.get("cwd") or self.submission or self._private)
        return await super()._async_pre_start_kernel(**kw)

    def format_kernel_cmd(self, extra_arguments=None):
        kernel = super().format_kernel_cmd(extra_arguments)
        return self._sandbox().wrap(kernel, private=self._private, submission=self.submission,
                                    env=dict(self.kernel_env), uid=self._uid)

    async def _async_interrupt_kernel(self):
        # A signal to bwrap's process group would not reach the kernel (it has a session of its
        # own): ask ipykernel through its control channel, as kernels with interrupt_mode "message".
        if self.has_kernel:
            msg = self.session.msg("interrupt_request", content={})
            self._connect_control_socket()
            self.session.send(self._control_socket, msg)

    interrupt_kernel = _async_interrupt_kernel

    def lock(self):
        """Once the kernel is up: its private directory becomes the grader's again (when root),
        so that the kernel cannot replace its sockets with links elsewhere."""
        if self._uid is not None and getattr(self, "_private", None):
            os.chown(self._private, os.geteuid(), os.getegid())
            os.chmod(self._private, 0o755)

    def kernel_log(self, limit=2000):
        try:
            with open(os.path.join(self._private, "kernel.log"), "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - limit))
                return f.read().decode(errors="replace").strip()
        except (OSError, AttributeError):
            return ""

    def exit_status(self):
        process = getattr(self.provisioner, "process", None)
        return None if process is None else process.poll()

    def release(self):
        """After the notebook: make sure nothing of the sandbox is left, and remove its directory.

        Returns the pids that had to be killed (none, when the sandbox does its job)."""
        process = getattr(self.provisioner, "process", None)
        if process is not None and process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except OSError:
                process.kill()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
        killed = []
        if getattr(self, "_uid", None) is not None:
            # when the sandbox's init exits, Linux kills the rest of its pid namespace: give the
            # dying time to go before calling anything left a survivor (a kernel unmapping a few
            # hundred MiB on a loaded machine took more than 3 s once in make test-classroom)
            deadline = time.monotonic() + 15
            while processes_of(self._uid) and time.monotonic() < deadline:
                time.sleep(0.05)
            deadline = time.monotonic() + 5
            while (left := processes_of(self._uid)) and time.monotonic() < deadline:
                for pid in left:
                    try:
                        os.kill(pid, signal.SIGKILL)
                        killed.append(pid)
                    except OSError:
                        pass
                time.sleep(0.05)
        if getattr(self, "_private", None):
            shutil.rmtree(self._private, ignore_errors=True)
        return sorted(set(killed))
