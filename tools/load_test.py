"""The checker's correctness suite on a busy machine: are right answers still accepted?

    .venv/bin/python tools/load_test.py               # with 2, then 8 busy processes (make test-load)
    .venv/bin/python tools/load_test.py --loads 0 16 --rounds 3

A shared hub, or a learner's laptop, is always busy; a check must not refuse a right answer because
the machine is. For each load, this starts that many CPU-bound processes beside a fresh Python
process that checks, like a learner's kernel, every right answer it knows: the reference answer of
every exercise, the reference as a list, equivalent rewritten forms of every symbolic answer
(expand, factor, cancel, together, simplify, rewrite(exp), rewrite(tanh), rewrite(cosh), ...), and
for every function exercise the reference function and other right ways to write it. It prints, for
each load,

    under load: N right answers, R refused

(and which were refused, and the CPU time per check). The exit status is 1 if any right answer was
refused. The forms are prepared before the load starts; only the checks run under it.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUSY = "while True:\n    pass\n"


# --- right answers ---------------------------------------------------------------------------------


def _right_functions():
    """Right ways to write each function exercise, besides the reference: as learners do."""
    import numpy as np

    def softmax_rows(Z):
        P = np.exp(Z - Z.max(axis=1, keepdims=True))
        return P / P.sum(axis=1, keepdims=True)

    def backward_loop(Ws, bs, X, T):
        Zs, As = [], [X]
        for W, b in zip(Ws, bs):
            Zs.append(np.dot(As[-1], W) + b)
            As.append(np.maximum(0, Zs[-1]))
        dZ = (softmax_rows(Zs[-1]) - T) / X.shape[0]
        dWs, dbs = [], []
        for l in range(len(Ws) - 1, -1, -1):
            dWs.insert(0, As[l].T @ dZ)
            dbs.insert(0, np.sum(dZ, axis=0))
            if l > 0:
                dZ = (dZ @ Ws[l].T) * (As[l] > 0)
        return tuple(dWs), tuple(dbs)

    def unbroadcast_axes(G, shape):
        lead = G.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and G.shape[lead + i] != 1)
        return np.sum(G, axis=axes, keepdims=True).reshape(shape) if axes else G.copy()

    def forward_loop(X, W, b):
        Z = np.zeros((X.shape[0], W.shape[1]))
        for n in range(X.shape[0]):
            for j in range(W.shape[1]):
                Z[n, j] = sum(X[n, i] * W[i, j] for i in range(W.shape[0])) + b[j]
        return Z

    return {
        "6.1": [("np.dot", lambda X, W, b: np.dot(X, W) + b), ("einsum", lambda X, W, b: np.einsum("ni,ij->nj", X, W) + b),
                ("three loops", forward_loop)],
        "6.2": [("np.dot and np.sum", lambda dZ, X, W: (np.dot(dZ, W.T), np.dot(X.T, dZ), np.sum(dZ, axis=0))),
                ("einsum", lambda dZ, X, W: (np.einsum("nj,ij->ni", dZ, W), np.einsum("ni,nj->ij", X, dZ), dZ.sum(0)))],
        "6.3": [("np.where", lambda dA, Z: np.where(Z > 0, dA, 0.0)), ("heaviside", lambda dA, Z: dA * np.heaviside(Z, 0.0))],
        "6.4": [("tanh", lambda dA, Z: dA * 0.25 * (1 - np.tanh(Z / 2) ** 2)),
                ("exp(-Z) / (1 + exp(-Z))²", lambda dA, Z: dA * np.exp(-Z) / (1 + np.exp(-Z)) ** 2)],
        "6.5": [("logsumexp", lambda Z, T: (np.exp(Z - Z.max(1, keepdims=True) - np.log(np.exp(
                    Z - Z.max(1, keepdims=True)).sum(1, keepdims=True))) - T) / len(Z)),
                ("a softmax function", lambda Z, T: (softmax_rows(Z) - T) / Z.shape[0])],
        "6.6": [("a loop, with tuples", backward_loop)],
        "6.7": [("np.sum over a tuple of axes", unbroadcast_axes)],
    }


def _answers():
    """(exercise id, label, answer) for every right answer the suite checks."""
    import numpy as np
    import sympy as sp

    sys.path.insert(0, str(ROOT / "tests"))
    import fuzzing
    from helpers import exercises

    out = []
    extra = _right_functions()
    for exercise_id in exercises.ids():
        exercise = exercises.get(exercise_id)
        reference = exercises.expected(exercise_id)
        out.append((exercise_id, "the reference", reference))
        if exercise.kind == "function":
            out.extend((exercise_id, label, fn) for label, fn in extra.get(exercise_id, []))
            continue
        if not exercise.symbolic:
            value = np.asarray(reference, dtype=float)
            out.append((exercise_id, "as a list", value.tolist()))
            continue
        inf = fuzzing.info(exercise_id)
        forms = list(inf.forms) + [("rewrite(tanh)", lambda E=inf.expected: fuzzing._map(E, lambda e: e.rewrite(sp.tanh))),
                                   ("rewrite(sin)", lambda E=inf.expected: fuzzing._map(E, lambda e: e.rewrite(sp.sin)))]
        for label, thunk in forms:
            value = fuzzing.form(inf, label, thunk)
            if value is None:
                continue
            if label == "simplify" and fuzzing.sym_truth(value, inf) != "correct":
                continue  # (simplify may assume what the symbols' domain does not give)
            out.append((exercise_id, label, value))
    return out


def suite(out_path):
    """The child: prepare the right answers, say "ready", wait for "go", check them all."""
    os.environ["BACKPROP_PROGRESS"] = os.path.join(tempfile.mkdtemp(prefix="backprop-load-"), "progress.json")
    from helpers import check

    answers = _answers()
    print(f"ready {len(answers)}", flush=True)
    sys.stdin.readline()
    results = []
    for exercise_id, label, answer in answers:
        c0, w0 = time.process_time(), time.perf_counter()
        k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        feedback = check(exercise_id, answer)
        k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        children = k1.ru_utime + k1.ru_stime - k0.ru_utime - k0.ru_stime
        results.append({"id": exercise_id, "label": label, "status": feedback.status, "diagnosis": feedback.diagnosis,
                        "message": feedback.message, "cpu": time.process_time() - c0 + children,
                        "wall": time.perf_counter() - w0})
    Path(out_path).write_text(json.dumps(results))


def run_load(load, rounds):
    """The suite under `load` busy processes: (right, refused results)."""
    busy = []
    right, refused, cpu, wall = 0, [], [], []
    try:
        for _ in range(rounds):
            with tempfile.TemporaryDirectory() as scratch:
                out = Path(scratch) / "results.json"
                child = subprocess.Popen([sys.executable, __file__, "--suite", str(out)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, text=True, cwd=ROOT)
                ready = child.stdout.readline()
                if not ready.startswith("ready"):
                    raise SystemExit(f"the suite did not start: {ready!r}")
                while len(busy) < load:
                    busy.append(subprocess.Popen([sys.executable, "-c", BUSY]))
                time.sleep(0.5)  # let the busy processes take their share
                child.stdin.write("go\n")
                child.stdin.flush()
                if child.wait() != 0:
                    raise SystemExit("the suite failed")
                for r in json.loads(out.read_text()):
                    cpu.append(r["cpu"])
                    wall.append(r["wall"])
                    if r["status"] == "correct":
                        right += 1
                    else:
                        refused.append(r)
    finally:
        for process in busy:
            process.kill()
            process.wait()
    return right, refused, cpu, wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, nargs="+", default=[2, 8], help="numbers of busy processes (default: 2 8)")
    parser.add_argument("--rounds", type=int, default=1, help="how many times the suite runs at each load")
    parser.add_argument("--suite", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.suite:
        suite(args.suite)
        return 0
    failed = False
    print(f"{os.cpu_count()} CPUs; the suite runs in a fresh Python process, the busy processes are `python -c "
          f"'while True: pass'`.", flush=True)
    for load in args.loads:
        started = time.perf_counter()
        right, refused, cpu, wall = run_load(load, args.rounds)
        cpu.sort()
        wall.sort()
        print(f"{load} busy processes: {len(cpu)} checks in {time.perf_counter() - started:.0f} s; CPU per check: median "
              f"{cpu[len(cpu) // 2] * 1000:.0f} ms, max {cpu[-1]:.2f} s; wall per check: median {wall[len(wall) // 2] * 1000:.0f} ms, "
              f"max {wall[-1]:.2f} s")
        for r in refused:
            print(f"  refused: {r['id']} {r['label']}: {r['status']} [{r['diagnosis']}] {r['message'][:160]} "
                  f"({r['cpu']:.2f} s CPU, {r['wall']:.2f} s)")
        print(f"under load: {right} right answers, {len(refused)} refused", flush=True)
        failed |= bool(refused)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
