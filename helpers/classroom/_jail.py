"""Start one grading kernel inside its sandbox (bubblewrap), as an unprivileged user of its own.

Run as a script, never imported: ``python -I -S _jail.py outer|inner CONFIG -- KERNEL COMMAND``
(``-I -S``: no user site, no environment variables of Python's, no site-packages: only the
standard library, so that nothing a submission could have planted is read before the sandbox
stands). ``helpers.classroom.sandbox`` writes CONFIG (JSON) and builds the command.

outer (the kernel manager's child, with the grader's rights):
    1. when root: gives the kernel's private directory (its connection file, where it binds its
       sockets) to the kernel's uid, a uid nobody else has;
    2. sends its output, and the kernel's, to a file in the private directory (capped by the file
       size limit), so a submission cannot fill the grader's terminal or log;
    3. execs bwrap: new pid, network, ipc, uts and cgroup namespaces, read-only binds of the
       system and of the course's Python and package only, a throw-away HOME and /tmp (tmpfs of a
       fixed size), an empty environment but for what the kernel needs, and SIGKILL for
       everything inside when the kernel manager dies. As root, bwrap needs no user namespace and
       keeps only the capabilities the next step needs; otherwise it builds the sandbox in a user
       namespace of its own and forbids further ones.

inner (the first process inside the sandbox, pid 1 of its pid namespace):
    when root, hands HOME to the kernel's uid and drops to it; sets the resource limits; copies
    the grader's prepared HOME (matplotlib's font list, read-only at /run/skeleton) into HOME and
    the submission's files (read-only at /run/submission) into a fresh folder of HOME, and changes
    to it; then starts the kernel and waits for it as the namespace's init. When the kernel exits,
    so does it, and Linux kills every process left in the pid namespace: nothing a submission
    started outlives its notebook.
"""

import json
import os
import resource
import shutil
import sys
from pathlib import Path

LIMITS = {
    "memory": resource.RLIMIT_AS,
    "cpu": resource.RLIMIT_CPU,
    "processes": resource.RLIMIT_NPROC,
    "file_size": resource.RLIMIT_FSIZE,
    "open_files": resource.RLIMIT_NOFILE,
}


def _die(message):
    os.write(2, f"sandbox: {message}\n".encode())
    os._exit(70)


def _limits(config):
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for name, which in LIMITS.items():
        value = config["limits"].get(name)
        if value is None:
            continue
        hard = value + 5 if name == "cpu" else value  # SIGXCPU first, SIGKILL five seconds later
        resource.setrlimit(which, (value, hard))


def _drop(uid):
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.getuid() != uid or os.geteuid() != uid or os.getgid() != uid or os.getgroups():
        _die("could not drop to the kernel's own user")
    with open("/proc/self/status", encoding="ascii") as status:
        if any(line.startswith("CapEff:") and int(line.split()[1], 16) for line in status):
            _die("the kernel's user still holds capabilities")


def bwrap_args(config, command):
    """bubblewrap's command line for the sandbox (in the order bwrap applies it: a mount hides
    what was mounted under its path before it)."""
    private, uid = config["private"], config.get("uid")
    args = [config["bwrap"], "--unshare-pid", "--as-pid-1", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--clearenv", "--hostname", "grading", "--proc", "/proc", "--dev", "/dev"]
    if uid is None:
        # not root: bwrap builds the sandbox in a user namespace of its own, and forbids more of them
        args[1:1] = ["--unshare-user", "--disable-userns"]
    else:
        # root: bwrap needs no user namespace; the first process inside keeps only what it needs
        # to hand HOME to the kernel's uid and drop to it (setresuid then clears every capability)
        args += ["--cap-drop", "ALL"] + [x for cap in ("CAP_SETUID", "CAP_SETGID", "CAP_CHOWN") for x in ("--cap-add", cap)]
    for link, target in config["symlinks"]:
        args += ["--symlink", target, link]
    # the throw-away /tmp before the binds: a course or a Python that lives under /tmp (a clone in a
    # temporary directory) is bound inside it, not hidden by it
    args += ["--perms", "1777", "--size", str(config["disk"]), "--tmpfs", "/tmp"]
    bound = set(config["read_only"]) | {private}
    parents = {str(parent) for path in bound | {config["home"], "/run/submission"} for parent in Path(path).parents
               if str(parent) not in ("/", "/tmp") and not any(str(parent) == b or str(parent).startswith(b + "/") for b in bound)}
    for parent in sorted(parents, key=lambda p: p.count("/")):
        # a bind's missing parents would copy the host's modes (/root is 0700): make them plain
        args += ["--perms", "0755", "--dir", parent]
    for path in config["read_only"]:
        args += ["--ro-bind", path, path]
    args += ["--perms", "0700", "--size", str(config["disk"]), "--tmpfs", config["home"],
             "--bind", private, private, "--ro-bind", config["submission"], "/run/submission"]
    if config.get("skeleton"):
        args += ["--ro-bind", config["skeleton"], "/run/skeleton"]
    for name, value in config["env"].items():
        args += ["--setenv", name, value]
    inner_config = {key: config.get(key) for key in ("work", "home", "uid", "limits", "skeleton")}
    args += ["--chdir", "/", "--", config["python"], "-I", "-S", config["jail"], "inner",
             json.dumps(inner_config), "--", *command]
    return args


def outer(config, command):
    private, uid = config["private"], config.get("uid")
    args = bwrap_args(config, command)
    log = os.open(os.path.join(private, "kernel.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
    if uid is not None:  # the kernel binds its sockets here
        for root, dirs, files in os.walk(private):
            for name in dirs + files:
                os.chown(os.path.join(root, name), uid, uid)
        os.chown(private, uid, uid)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        os.execv(config["bwrap"], args)
    except OSError as exc:
        _die(f"cannot run {config['bwrap']}: {exc}")


def _copy(source, destination, wanted):
    for root, dirs, files in os.walk(source):
        target = os.path.join(destination, os.path.relpath(root, source))
        os.makedirs(target, exist_ok=True)
        for name in files:
            if not wanted(name):
                continue
            try:
                shutil.copyfile(os.path.join(root, name), os.path.join(target, name))
            except OSError:
                pass  # an unreadable or too large file: the notebook will say what it misses


def inner(config, command):
    home, work, uid = config["home"], config["work"], config.get("uid")
    if uid is not None:
        os.chown(home, uid, uid)
        _drop(uid)
    _limits(config)
    os.makedirs(work, mode=0o700, exist_ok=True)
    if config.get("skeleton"):  # the grader's prepared HOME: matplotlib's font list, built once
        _copy("/run/skeleton", home, lambda name: True)
    _copy("/run/submission", work, lambda name: not name.endswith(".ipynb"))
    os.chdir(work)
    # This process is the pid namespace's init (bwrap --as-pid-1): it starts the kernel, reaps
    # whatever ends in the sandbox, and exits with the kernel, and then Linux kills everything left
    # in the namespace. Being a waiting parent (unlike bwrap's own init) also hands the kernel's
    # CPU time up to nbgrader's process, so what grading costs can be measured.
    kernel = os.fork()
    if kernel == 0:
        try:
            os.execv(command[0], command)
        finally:
            os._exit(127)
    while True:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            os._exit(70)
        except InterruptedError:
            continue
        if pid == kernel:
            os._exit(128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status))


def main(argv):
    if len(argv) < 4 or argv[2] != "--" or argv[0] not in ("outer", "inner"):
        _die("usage: _jail.py outer|inner CONFIG -- COMMAND")
    config = json.loads(argv[1])
    (outer if argv[0] == "outer" else inner)(config, argv[3:])


if __name__ == "__main__":
    main(sys.argv[1:])
