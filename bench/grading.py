"""How fast nbgrader grades the class: autograde N synthetic submissions, in parallel.

    make bench-grading            # N=30, with the sandbox, then the same without it
    make bench-grading N=300      # a full class
    python bench/grading.py -n 30 -j 2 --assignment 03_two_layer_network [--sandbox on|off|both]

It builds the class (tools/make_classroom.py) in a temporary folder, runs nbgrader's own
``generate_assignment``, writes N submissions to ``submitted/`` (a mix: all right, partly right,
untouched, and each tamper of tools/classroom_submissions.py), then autogrades them with nbgrader's
CLI in J worker processes. nbgrader grades one submission at a time per process (one kernel
each), so the workers split the students between them (``--student 'wK-*'``, a glob nbgrader
supports) and share the one gradebook (SQLite; each write is a short transaction). At the end it
checks every score against what the submission deserves, and prints submissions per minute,
the projected time for 300, the load average seen (the machine may be shared), and the CPU time
the grading used per submission (what an idle machine would need, whatever the load).

Every kernel runs in the course's sandbox (bubblewrap, a uid of its own: docs/teaching.md), as in a
real class; ``--sandbox both`` (the default of ``make bench-grading``) grades the same submissions
again without it, as root is allowed to for a measurement only, to show what the sandbox costs.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nbformat  # noqa: E402

BIN = Path(sys.executable).parent


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _env():
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("BACKPROP_PROGRESS", None)
    return env


UNSANDBOXED = ["--Sandbox.enabled=False", "--Sandbox.allow_unsandboxed_root=True"]


def nbgrader(course, *args):
    done = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=_env(), capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"nbgrader {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def plan(n, points, synthetic):
    """N submissions: (student id suffix, kwargs for synthetic.submission, points it deserves)."""
    ids = sorted(points, key=lambda i: int(i.split(".")[1]))
    every = set(ids)
    first_half = set(ids[: len(ids) // 2])
    kinds = [("right", {"right": every}, sum(points.values())),
             ("half", {"right": first_half, "wrong": every - first_half}, sum(points[i] for i in first_half)),
             ("untouched", {}, 0)]
    kinds += [(t, {"right": {ids[0]}, "tamper": t}, points[ids[0]]) for t in sorted(synthetic.TAMPERS)]
    return [(f"{i:04d}-{kinds[i % len(kinds)][0]}", *kinds[i % len(kinds)][1:]) for i in range(n)]


def loadavg():
    try:
        return "/".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=30, help="submissions to grade (default 30)")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2,
                        help="autograde worker processes (default: the number of CPUs)")
    parser.add_argument("--assignment", default="03_two_layer_network")
    parser.add_argument("--keep", action="store_true", help="keep the temporary course (its path is printed)")
    parser.add_argument("--sandbox", choices=("on", "off", "both"), default="on",
                        help="grade in the sandbox (on, the default), without it (off), or both ways, one after the other")
    args = parser.parse_args(argv)
    results = {}
    for sandboxed in {"on": [True], "off": [False], "both": [True, False]}[args.sandbox]:
        status, cpu = run(args, sandboxed)
        if status:
            return status
        results["with the sandbox" if sandboxed else "without the sandbox"] = cpu
    if len(results) > 1:
        (a, cpu_on), (b, cpu_off) = results.items()
        print(f"\nCPU per submission: {cpu_on:.2f} s {a}, {cpu_off:.2f} s {b} "
              f"(the sandbox adds {cpu_on - cpu_off:+.2f} s, {100 * (cpu_on / cpu_off - 1):+.0f} %)")
    return 0


def run(args, sandboxed):
    """Grade args.n submissions once; returns (exit status, CPU seconds per submission)."""
    make_classroom, synthetic = _load("make_classroom"), _load("classroom_submissions")
    extra = [] if sandboxed else UNSANDBOXED

    work = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    course = work / "course"
    try:
        points = make_classroom.build(course, quiet=True)[args.assignment]
        nbgrader(course, "generate_assignment", args.assignment, "--create")
        release = nbformat.read(course / "release" / args.assignment / f"{args.assignment}.ipynb", as_version=4)
        source = nbformat.read(course / "source" / args.assignment / f"{args.assignment}.ipynb", as_version=4)
        submissions = plan(args.n, points, synthetic)
        deserved = {}
        for number, (name, kwargs, score) in enumerate(submissions):
            student = f"w{number % args.jobs}-{name}"
            synthetic.write(course, args.assignment, student, synthetic.submission(release, source, **kwargs))
            deserved[student] = score

        print(f"grading {args.n} submissions of {args.assignment} ({len(points)} exercises, "
              f"{sum(points.values())} points) with {args.jobs} nbgrader autograde process(es) on "
              f"{os.cpu_count()} CPUs, {'in the sandbox' if sandboxed else 'WITHOUT the sandbox'}; "
              f"load average before: {loadavg()}", flush=True)
        cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        workers = [subprocess.Popen([str(BIN / "nbgrader"), "autograde", args.assignment, "--create",
                                     f"--student=w{k}-*", *extra], cwd=course, env=_env(),
                                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
                   for k in range(min(args.jobs, args.n))]
        errors = [w.communicate()[1] for w in workers]
        elapsed = time.perf_counter() - start
        load_after = loadavg()
        cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
        for worker, err in zip(workers, errors):
            if worker.returncode:
                print(f"an autograde worker failed:\n{err[-3000:]}")
                return 1, None

        from nbgrader.api import Gradebook

        wrong = []
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
            for student, score in deserved.items():
                got = gradebook.find_submission(args.assignment, student).score
                if abs(got - score) > 1e-9:
                    wrong.append(f"{student}: {got} points, deserves {score}")
        rate = args.n / elapsed * 60
        print(f"autograded {args.n} in {elapsed:.1f} s: {rate:.1f} submissions per minute, "
              f"{elapsed / args.n:.2f} s each; load average after: {load_after}")
        print(f"projected for 300 submissions: {300 / rate:.1f} min (goal: 10 min)")
        cpus = os.cpu_count() or 1
        print(f"CPU time used (workers and kernels): {cpu / args.n:.2f} s per submission; with {cpus} idle CPUs "
              f"that is at best {300 * cpu / args.n / min(cpus, args.jobs) / 60:.1f} min for 300")
        if wrong:
            print("SCORES WRONG:\n  " + "\n  ".join(wrong))
            return 1, None
        print(f"every score is what its submission deserves ({len(deserved)} checked: right, half right, "
              f"untouched, and {len(synthetic.TAMPERS)} kinds of tampering)")
        if args.keep:
            print(f"course kept in {course}")
        return 0, cpu / args.n
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
