"""Fuzz the course's checker: adversarial answers for every exercise, each with its ground truth.

    .venv/bin/python tools/fuzz.py            # 20,000 inputs (make fuzz)
    .venv/bin/python tools/fuzz.py -n 2000 --seed 7 --jobs 2 --ids 1.5 2.1 --categories partial-domain

The cases come from tests/fuzzing.py (Hypothesis strategies). Each call ``check(id, answer)`` runs
in a worker process forked from this one; a worker measures each call's CPU time (its own and that
of the processes the check forks) and wall time, interrupts a call after --soft seconds
(SIGUSR1), and is killed by this process when a call has not returned after --hard seconds (a hang
in C code, an endless iterator); a new worker then takes over.

Counted per input: crash (check raised, returned no Feedback, or said "the checker failed"),
false-correct ("correct" for a wrong answer), false-wrong (anything else for a correct one),
hang (a call over --limit seconds of CPU, 1 s by default; or over --wall seconds of wall time, the
checker's wall-clock backstop plus a margin, while hardly computing: it waited; or no answer
within --soft seconds), leak (a message from which the expected value follows; counted with
false-correct on the last line). A call that took longer than --wall while computing was slowed by
a busy machine (its CPU time is what the checker bounds): it is reported, not counted. The last line is exactly
``inputs: N, crashes: C, false-correct: F, false-wrong: W, hangs: H``; the exit status is 1 if
any count is not 0.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import os
import resource
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
_PROGRESS_DIR = tempfile.mkdtemp(prefix="backprop-fuzz-")
os.environ["BACKPROP_PROGRESS"] = os.path.join(_PROGRESS_DIR, "progress.json")  # never the learner's

KINDS = ("crashes", "false-correct", "false-wrong", "hangs", "leaks")
_COMPUTING = 0.01  # a call that got this share of a CPU or more was computing, not waiting: a sleeping check
                   # gets ~0.2 %; on a busy machine a niced fuzz worker gets a few % (helpers.checking.budget)


class Hang(BaseException):
    """Raised in a worker by SIGUSR1 when a call runs past --soft seconds (BaseException, so that the
    checker's own `except Exception` does not swallow it). Not SIGALRM: the checker's own time budget
    uses SIGALRM on the main thread, as in Jupyter, and falls back to threads if SIGALRM is taken."""


def _on_usr1(*_):
    raise Hang


class _Soft:
    """Send this process SIGUSR1 after `seconds`, from a timer thread."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        self.timer = threading.Timer(self.seconds, os.kill, (os.getpid(), signal.SIGUSR1))
        self.timer.daemon = True
        self.timer.start()

    def __exit__(self, kind, *_):
        self.timer.cancel()
        return False


class _bounded(_Soft):
    """Interrupt the block after `seconds` and go on: for printing a failing input."""

    def __exit__(self, kind, *_):
        self.timer.cancel()
        return kind is Hang


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def worker(conn, seed, count, index, args):
    """Run `count` cases drawn by Hypothesis (seeded), reporting each before and after the call."""
    import fuzzing
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed

    from helpers import check

    try:
        gib = 2 ** 30
        resource.setrlimit(resource.RLIMIT_AS, (int(args.memory * gib), int(args.memory * gib)))
    except (ValueError, OSError):
        pass
    os.environ["BACKPROP_PROGRESS"] = os.path.join(_PROGRESS_DIR, f"progress-{index}-{seed}.json")
    sys.stdout = open(os.devnull, "w")  # what the fuzzed functions print (check shows it) is not the report
    signal.signal(signal.SIGUSR1, _on_usr1)
    strategy = fuzzing.cases(ids=args.ids, categories=args.categories)

    @hypothesis_seed(seed)
    @settings(max_examples=count, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def run(case):
        # the answer's repr can take seconds (sympy's printer on a long sum): only for failures
        start = {"exercise": case.exercise, "category": case.category, "label": case.label,
                 "shown": case.label + " (not printed: the call did not return)", "truth": case.truth,
                 "ident": fuzzing.safe_repr(case.ident, 60) if case.category == "ids" else repr(case.exercise)}
        conn.send(("start", start))
        state = fuzzing.snapshot_state()
        feedback, error, hung = None, None, False
        t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
        try:
            with _Soft(args.soft):
                feedback = check(case.ident, case.answer)
        except Hang:
            hung = True
        except BaseException as exc:  # noqa: BLE001 - everything check lets out is a crash
            error = f"{type(exc).__name__}: {fuzzing.safe_repr(exc, 120)}"
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + _children_cpu() - k0
        fuzzing.restore_state(state)
        if hung:
            kinds, why = set(), f"did not return within {args.soft} s"
        else:
            try:
                kinds, why = fuzzing.judge(case, feedback, error)
                leak = fuzzing.leaks(case, feedback)
            except BaseException as exc:  # noqa: BLE001 - a Feedback whose fields lie
                kinds, why, leak = {"crash"}, f"judging failed: {type(exc).__name__}", None
            if leak:
                kinds = kinds | {"leak"}
                why = (why + "; " if why else "") + f"leaks the expected value: {leak}"
        if kinds or hung or cpu > args.limit or (wall > args.wall and cpu < _COMPUTING * wall):
            with _bounded(2.0):
                conn.send(("shown", case.shown()))
        said = None
        if feedback is not None:
            try:
                said = f"{feedback.status} [{feedback.diagnosis}] {feedback.message}"
            except BaseException:  # noqa: BLE001
                said = "<unprintable>"
        conn.send(("done", {"kinds": sorted(kinds), "why": why, "wall": wall, "cpu": cpu, "hung": hung,
                            "said": fuzzing.safe_repr(said, 240) if said else error}))

    try:
        run()
    except Exception as exc:  # noqa: BLE001 - the fuzzer's own bug: say so, and let a new worker go on
        import traceback

        conn.send(("fuzzer-error", "".join(traceback.format_exception_only(exc)).strip()[-300:]))
    finally:
        conn.send(("finished", None))
        conn.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--inputs", type=int, default=20000, help="how many inputs (default 20000)")
    parser.add_argument("--seed", type=int, default=0, help="seeds the workers' Hypothesis runs")
    parser.add_argument("--jobs", type=int, default=int(os.environ.get("FUZZ_JOBS", "1")), help="worker processes")
    parser.add_argument("--limit", type=float, default=1.0,
                        help="a call using more CPU than this (s; a check promises about a second) is a hang")
    parser.add_argument("--wall", type=float, default=None,
                        help="a call taking longer than this (s) is a hang (default: the checker's wall-clock backstop + 2)")
    parser.add_argument("--soft", type=float, default=60.0,
                        help="interrupt a call after this many seconds (the checker's hard end is 54 s)")
    parser.add_argument("--hard", type=float, default=90.0, help="kill a worker whose call runs this long")
    parser.add_argument("--memory", type=float, default=3.0, help="address-space limit of a worker, GiB")
    parser.add_argument("--show", type=int, default=25, help="how many failing examples to list")
    parser.add_argument("--ids", nargs="*", help="only these exercises")
    parser.add_argument("--categories", nargs="*", help="only these categories")
    args = parser.parse_args(argv)
    if args.wall is None:
        from helpers.checking import budget

        args.wall = budget.SECONDS * budget.WALL_FACTOR + 2.0

    import fuzzing

    from helpers import exercises

    started = time.perf_counter()
    ids = args.ids or exercises.ids()
    for exercise_id in ids:  # computed once here, inherited by every forked worker
        inf = fuzzing.info(exercise_id)
        if inf.kind == "symbolic":
            fuzzing.warm(inf)
    prepared = time.perf_counter() - started

    ctx = multiprocessing.get_context("fork")
    per_category = collections.defaultdict(collections.Counter)
    worst = collections.defaultdict(float)
    worst_cpu = [0.0]
    examples = []
    totals = collections.Counter()
    slowest = (0.0, None)
    load_only = 0
    fuzzer_errors = []
    next_seed = args.seed * 1000
    remaining = args.inputs

    class Slot:
        def __init__(self):
            self.proc = self.conn = None
            self.current = None
            self.since = 0.0
            self.left = 0

    def spawn(slot, count):
        nonlocal next_seed
        parent, child = ctx.Pipe(duplex=False)
        slot.proc = ctx.Process(target=worker, args=(child, next_seed, count, len(slots), args), daemon=True)
        next_seed += 1
        slot.proc.start()
        child.close()
        slot.conn, slot.current, slot.left = parent, None, count

    def record(info, result):
        nonlocal slowest, load_only
        cat = info["category"]
        counts = per_category[cat]
        counts["inputs"] += 1
        totals["inputs"] += 1
        kinds = set(result["kinds"])
        slow = result["wall"] > args.wall
        waited = slow and result["cpu"] < _COMPUTING * result["wall"]
        hung = result["hung"] or result["cpu"] > args.limit or waited
        if hung:
            kinds.add("hang")
        elif slow:
            load_only += 1
        worst_cpu[0] = max(worst_cpu[0], result["cpu"])
        for kind in kinds:
            name = {"crash": "crashes", "hang": "hangs", "leak": "leaks"}.get(kind, kind)
            counts[name] += 1
            totals[name] += 1
        worst[cat] = max(worst[cat], result["wall"])
        if result["wall"] > slowest[0]:
            slowest = (result["wall"], info)
        if kinds and len(examples) < 5000:
            examples.append((sorted(kinds), info, result))

    slots = []
    share = [args.inputs // args.jobs + (1 if k < args.inputs % args.jobs else 0) for k in range(args.jobs)]
    for count in share:
        slot = Slot()
        slots.append(slot)
        if count:
            spawn(slot, count)
    remaining = 0
    last_report = time.perf_counter()
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append("SIGTERM"))
    signal.signal(signal.SIGINT, lambda *_: stop.append("SIGINT"))
    while any(s.proc is not None for s in slots):
        if stop:  # report what was run so far
            for slot in slots:
                if slot.proc is not None:
                    slot.proc.kill()
                    slot.proc.join()
                    slot.proc = None
            print(f"stopped by {stop[0]} after {totals['inputs']} of {args.inputs} inputs")
            break
        for slot in slots:
            if slot.proc is None:
                continue
            message = None
            try:
                if slot.conn.poll(0.2 / len(slots)):
                    message = slot.conn.recv()
            except (EOFError, OSError):
                message = ("died", None)
            now = time.perf_counter()
            if message is None:
                if slot.current is not None and now - slot.since > args.hard:
                    slot.proc.kill()
                    slot.proc.join()
                    record(slot.current, {"kinds": [], "why": f"killed after {args.hard} s", "wall": now - slot.since,
                                          "cpu": args.hard, "hung": True, "said": None})
                    left = slot.left - 1
                    slot.proc = None
                    if left > 0:
                        spawn(slot, left)
                continue
            tag, payload = message
            if tag == "fuzzer-error":
                fuzzer_errors.append(payload)
                slot.current = None
                continue
            if tag == "shown":
                if slot.current is not None:
                    slot.current["shown"] = payload
                continue
            if tag == "start":
                slot.current, slot.since = payload, now
            elif tag == "done":
                record(slot.current, payload)
                slot.current = None
                slot.left -= 1
            elif tag in ("finished", "died"):
                if slot.current is not None:  # the worker died during a call (out of memory, a segfault)
                    record(slot.current, {"kinds": ["crash"], "why": "the worker process died during the call",
                                          "wall": now - slot.since, "cpu": 0.0, "hung": False, "said": None})
                    slot.left -= 1
                slot.proc.join(timeout=5)
                slot.proc = None
                if slot.left > 0 and tag == "died":
                    spawn(slot, slot.left)
                elif slot.left > 0 and len(fuzzer_errors) < 100:  # stopped early: go on with a fresh seed
                    spawn(slot, slot.left)
        if time.perf_counter() - last_report > 30:
            last_report = time.perf_counter()
            print(f"… {totals['inputs']} of {args.inputs} inputs, {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)

    duration = time.perf_counter() - started
    _report(args, per_category, worst, totals, examples, slowest, load_only, duration, prepared, fuzzer_errors,
            worst_cpu[0])
    failures = totals["crashes"] + totals["false-correct"] + totals["leaks"] + totals["false-wrong"] + totals["hangs"]
    return 1 if failures else 0


def _report(args, per_category, worst, totals, examples, slowest, load_only, duration, prepared, fuzzer_errors=(),
            worst_cpu=0.0):
    import fuzzing

    print(f"fuzzed check() with {totals['inputs']} inputs in {duration:.0f} s "
          f"({prepared:.0f} s to prepare), {args.jobs} worker(s), seed {args.seed}")
    wall, info = slowest
    if info:
        print(f"worst call time: {wall:.3f} s of wall time ({info['exercise']}, {info['category']}: {info['label']}); "
              f"worst CPU time: {worst_cpu:.3f} s (limits: {args.limit:g} s of CPU, {args.wall:g} s of wall time)")
    if load_only:
        print(f"{load_only} calls took more than {args.wall:g} s of wall time while computing within their CPU time: the "
              "machine was busy (not counted as hangs)")
    header = f"{'category':<16}{'inputs':>8}" + "".join(f"{k:>15}" for k in KINDS) + f"{'worst (s)':>11}"
    print(header)
    print("-" * len(header))
    for cat in fuzzing.CATEGORIES:
        c = per_category.get(cat)
        if not c:
            continue
        print(f"{cat:<16}{c['inputs']:>8}" + "".join(f"{c[k]:>15}" for k in KINDS) + f"{worst[cat]:>11.3f}")
    print("-" * len(header))
    print(f"{'all':<16}{totals['inputs']:>8}" + "".join(f"{totals[k]:>15}" for k in KINDS)
          + f"{max(worst.values(), default=0):>11.3f}")
    if examples:
        print(f"\nfailing examples (the first {min(args.show, len(examples))} of {len(examples)}, "
              "most serious kinds first):")
        order = {"false-correct": 0, "leak": 1, "crash": 2, "hang": 3, "false-wrong": 4}
        seen = collections.Counter()
        picked = []
        for kinds, info, result in sorted(examples, key=lambda e: min(order[k] for k in e[0])):
            key = (info["exercise"], info["category"], info["label"].split(" (")[0], tuple(kinds))
            if seen[key]:
                continue
            seen[key] += 1
            picked.append((kinds, info, result))
        for kinds, info, result in picked[: args.show]:
            ident = "" if info["ident"] == repr(info["exercise"]) else f" (id passed: {info['ident']})"
            print(f"- [{', '.join(kinds)}] {info['exercise']}{ident} {info['category']}, truth {info['truth']}: "
                  f"{info['shown']}\n    → {result['said']}  ({result['why']}; {result['wall']:.2f} s, {result['cpu']:.2f} s of CPU)")
    if fuzzer_errors:
        print(f"the fuzzer itself failed {len(fuzzer_errors)} time(s) while generating (those inputs are not "
              f"counted): {fuzzer_errors[0]}")
    print(f"leaks: {totals['leaks']} (counted in false-correct below), duration: {duration:.0f} s")
    print(f"inputs: {totals['inputs']}, crashes: {totals['crashes']}, "
          f"false-correct: {totals['false-correct'] + totals['leaks']}, false-wrong: {totals['false-wrong']}, "
          f"hangs: {totals['hangs']}")


if __name__ == "__main__":
    sys.exit(main())
