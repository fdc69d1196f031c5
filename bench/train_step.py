"""Time one training step (forward, backward, update): the course's numpy against PyTorch, like with like.

- numpy f64 / f32: the course's matrix form, ``helpers.training.matrix_step`` (``nets.backward`` then
  ``nets.sgd_step``), on float64 and on float32 arrays (the reference computes in its inputs' dtype);
- torch f64 / f32: the same network, batch and update with PyTorch's autograd on the CPU;
- loops: the same step neuron by neuron in pure Python, ``helpers.training.loop_step`` (float64).

The network is notebook 05's: 4 inputs (iris), two hidden layers of the given width (ReLU, then
sigmoid), a softmax over 3 classes, cross-entropy averaged over the batch, plain gradient descent.

How it measures, so that the ratios survive a shared machine:

- Threads are fixed before numpy or torch is imported (``--threads``, default 1): OMP, OpenBLAS and
  MKL threads, and ``torch.set_num_threads``. Two libraries' thread pools spinning on the same two
  cores once made single steps 50× slower than usual; one thread each compares like with like.
- With one thread (the default) the clock is the thread's CPU time (``time.thread_time``): both
  libraries then do all their work on the calling thread (checked: process and thread CPU time
  agree), and the time the system gives to other programs is not counted. Cache and memory
  bandwidth shared with them still are: that is what the spreads show. With more threads the
  clock is wall time (``time.perf_counter``), and a busy machine shows in the figures.
- glibc's allocator is told to keep freed memory (``mallopt``: no trimming, no mmap below 32 MB;
  ``--glibc-malloc`` leaves its defaults). By default it hands large freed arrays back to the
  system and the next step faults them back in, page by page, depending on what was freed
  before: 3000 page faults per step measured at batch 1024, width 256 (float64), a third of the
  step, for numpy or torch, whichever the history hit. This is an environment setting, like the threads.
- The four contenders are timed in interleaved rounds, in a rotating order, each round a block of
  about ``--block`` seconds per contender; a burst of load from other programs then hits all of them.
- Rounds go on until every contender's spread (the interquartile range over the median) is below
  ``--spread`` or the ``--budget`` per size is spent; the table gives medians and spreads, and each
  ratio is the median of the per-round ratios (numpy and torch measured moments apart).

    make bench                                   # installs the optional extra (torch, CPU build), runs this
    python bench/train_step.py --threads 2       # both libraries on two threads
    python bench/train_step.py --batches 1 32 --widths 3 --no-torch   # a quick look without torch
"""

from __future__ import annotations

import os
import sys


def keep_freed_memory():
    """Tell glibc's malloc to keep freed memory for reuse instead of returning it to the system.

    Returns:
        True if set (glibc), False elsewhere (another C library: nothing is changed).
    """
    import ctypes

    try:
        libc = ctypes.CDLL("libc.so.6")
        M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # from glibc's malloc.h
        return bool(libc.mallopt(M_TRIM_THRESHOLD, 1 << 30) and libc.mallopt(M_MMAP_THRESHOLD, 1 << 25))
    except (OSError, AttributeError):
        return False


def page_faults():
    """Minor page faults of this process so far."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _threads(argv):
    """The --threads value, read before argparse so that it is in force before numpy is imported."""
    for i, arg in enumerate(argv):
        if arg == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--threads="):
            return arg.split("=", 1)[1]
    return "1"


if __name__ == "__main__":  # only as a script: a test importing this module keeps its process as it is
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads(sys.argv[1:])

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `helpers` without installing

import numpy as np  # noqa: E402

from helpers import datasets, training  # noqa: E402

ACTIVATIONS = ["relu", "sigmoid", "softmax"]
LOSS = "cross_entropy"
RATE = 0.1
HEADLINE = (256, 64)  # batch, width of the summary's speed-up and time ratio
CONTENDERS = ("numpy f64", "torch f64", "numpy f32", "torch f32")
DTYPES = {"f64": np.float64, "f32": np.float32}
clock = time.perf_counter  # main() sets time.thread_time when everything runs on one thread


def make_problem(batch, width, seed=0, dtype=np.float64):
    """A batch of iris rows (standardised, drawn with replacement) and a network of the given width.

    Returns:
        (X, y, T, Ws, bs): inputs, integer labels, one-hot targets, weights and (non-zero) biases,
        the floating-point ones in ``dtype`` (the same numbers, rounded, for float32).
    """
    rng = np.random.default_rng(seed)
    iris = datasets.load_iris()
    X_all = (iris.X - iris.X.mean(axis=0)) / iris.X.std(axis=0)
    rows = rng.integers(0, len(X_all), batch)
    X, y = X_all[rows], iris.y[rows]
    Ws, bs = training.init_params([X.shape[1], width, width, 3], rng)
    bs = [rng.normal(0.0, 0.1, b.shape) for b in bs]
    T = datasets.one_hot(y, 3)
    cast = lambda v: np.asarray(v, dtype=dtype)  # noqa: E731
    return cast(X), y, cast(T), [cast(W) for W in Ws], [cast(b) for b in bs]


def numpy_step(X, y, T, Ws, bs):
    """One step of the course's matrix form, as a function of no arguments."""
    return lambda: training.matrix_step(Ws, bs, X, T, ACTIVATIONS, LOSS, RATE)


def loop_step(X, y, T, Ws, bs):
    """One step neuron by neuron, as a function of no arguments."""
    return lambda: training.loop_step(Ws, bs, X, T, ACTIVATIONS, LOSS, RATE)


def torch_step(X, y, T, Ws, bs):
    """One step with PyTorch autograd on the CPU, same network, batch, update and dtype.

    Returns:
        (step, params): the step as a function of no arguments, and the parameter tensors it
        updates in place (W1, W2, W3, b1, b2, b3).
    """
    import torch

    Xt, yt = torch.from_numpy(X.copy()), torch.tensor(y, dtype=torch.long)
    params = [torch.from_numpy(p.copy()).requires_grad_() for p in (*Ws, *bs)]
    W1, W2, W3, b1, b2, b3 = params

    def step():
        a1 = torch.relu(Xt @ W1 + b1)
        a2 = torch.sigmoid(a1 @ W2 + b2)
        loss = torch.nn.functional.cross_entropy(a2 @ W3 + b3, yt)  # softmax + cross-entropy, mean over rows
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= RATE * p.grad
                p.grad = None

    return step, params


def check_same_step(batch=8, width=5):
    """Largest differences after one step: {"f64": torch vs numpy, "f32": torch vs numpy, "f32 vs f64": numpy}."""
    out = {}
    new = {}
    for name, dtype in DTYPES.items():
        X, y, T, Ws, bs = make_problem(batch, width, seed=1, dtype=dtype)
        new_Ws, new_bs = numpy_step(X, y, T, Ws, bs)()
        new[name] = [*new_Ws, *new_bs]
        step, params = torch_step(X, y, T, Ws, bs)
        step()
        out[name] = max(float(np.abs(p.detach().numpy() - q).max()) for p, q in zip(params, new[name]))
    out["f32 vs f64"] = max(float(np.abs(p - q).max()) for p, q in zip(new["f32"], new["f64"]))
    return out


def _block(step, block):
    """Calls of ``step()`` per timed block: enough for about ``block`` seconds, at least one."""
    step()  # warm up: first-call costs (allocations, torch's dispatch caches) stay out of the timing
    return max(1, int(block / max(_time_block(step, 1), 1e-7)))


def _time_block(step, number):
    """Seconds per call of ``step()`` over ``number`` calls, on the benchmark's clock."""
    start = clock()
    for _ in range(number):
        step()
    return (clock() - start) / number


def spread(values):
    """The interquartile range over the median: 0.02 means the middle half of the runs lie within 2 %."""
    if len(values) < 4:
        return math.inf
    q1, _, q3 = statistics.quantiles(values, n=4)
    return (q3 - q1) / statistics.median(values)


def interleaved(steps, budget, block, target, min_rounds=7, max_rounds=500):
    """Time each step in interleaved rounds until every spread is below ``target`` or ``budget`` is spent.

    Returns:
        (times, rounds): the seconds per call of each step in each round, and how many rounds ran.
    """
    names = list(steps)
    number = {name: _block(steps[name], block) for name in names}
    times = {name: [] for name in names}
    start = time.perf_counter()
    for r in range(max_rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:  # a rotating order
            times[name].append(_time_block(steps[name], number[name]))
        if r + 1 >= min_rounds and (max(spread(t) for t in times.values()) <= target
                                    or time.perf_counter() - start >= budget):
            break
    return times, r + 1


def loop_time(loops, matrix, budget, max_runs=5):
    """The loop step against the matrix step: up to ``max_runs`` single loop calls within about ``budget``,
    each followed by a block of matrix steps, so that each speed-up is measured under the same load.

    Returns:
        (seconds, speed-up, runs): the median time of a loop step, the median of the paired
        speed-ups (loop time over matrix time), and how many loop steps ran.
    """
    number = _block(matrix, 0.002)
    pairs = []
    while not pairs or (len(pairs) < max_runs and sum(p[0] for p in pairs) * (len(pairs) + 1) / len(pairs) <= budget):
        pairs.append((_time_block(loops, 1), _time_block(matrix, number)))
    return statistics.median(p[0] for p in pairs), statistics.median(p[0] / p[1] for p in pairs), len(pairs)


def measure(batch, width, use_torch, budget, block, target, loop_budget):
    """One row of the table: median time and spread per contender, paired ratios, and the loops."""
    steps = {}
    for name, dtype in DTYPES.items():
        problem = make_problem(batch, width, dtype=dtype)
        steps[f"numpy {name}"] = numpy_step(*problem)
        if use_torch:
            steps[f"torch {name}"] = torch_step(*problem)[0]
    faults = page_faults()
    times, rounds = interleaved(steps, budget, block, target)
    row = {"batch": batch, "width": width, "rounds": rounds, "faults": page_faults() - faults}
    for name in CONTENDERS:
        t = times.get(name)
        row[name] = None if t is None else statistics.median(t)
        row[name + " spread"] = None if t is None else spread(t)
    for name in DTYPES:
        if use_torch:
            ratios = [a / b for a, b in zip(times[f"numpy {name}"], times[f"torch {name}"])]
            row[f"ratio {name}"], row[f"ratio {name} spread"] = statistics.median(ratios), spread(ratios)
        else:
            row[f"ratio {name}"] = row[f"ratio {name} spread"] = None
    row["loops"], row["matrix/loop"], row["loop runs"] = loop_time(loop_step(*make_problem(batch, width)),
                                                                   steps["numpy f64"], loop_budget)
    return row


def _ms(seconds, spread_=None):
    if seconds is None:
        return "—"
    ms = seconds * 1e3
    text = f"{ms:.3f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"
    return text if spread_ is None else f"{text} ±{_pct(spread_)}"


def _pct(s):
    return "∞" if not math.isfinite(s) else f"{100 * s:.0f}%" if s >= 0.095 else f"{100 * s:.1f}%"


def _ratio(value, spread_):
    return "—" if value is None else f"{value:.2f} ±{_pct(spread_)}"


def _speedup(ratio):
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def table(rows):
    """The results as a Markdown table: medians in ms per step, ± the spread (interquartile range / median)."""
    head = ("| batch | width | numpy f64 | torch f64 | numpy f32 | torch f32 | numpy/torch f64 | numpy/torch f32 "
            "| rounds | page faults | loops (runs) | matrix/loop |")
    lines = [head, "| ---: " * 12 + "|"]
    for r in rows:
        times = " | ".join(_ms(r[name], r[name + " spread"]) for name in CONTENDERS)
        lines.append(
            f"| {r['batch']} | {r['width']} | {times} | {_ratio(r['ratio f64'], r['ratio f64 spread'])} "
            f"| {_ratio(r['ratio f32'], r['ratio f32 spread'])} | {r['rounds']} | {r['faults']} "
            f"| {_ms(r['loops'])} ({r['loop runs']}) | {_speedup(r['matrix/loop'])} |"
        )
    return "\n".join(lines)


def thread_report(use_torch):
    """The thread counts in force, as the libraries themselves report them (threadpoolctl if installed)."""
    parts = []
    try:
        import threadpoolctl

        parts += [f"{i['internal_api']} {i['num_threads']}" for i in threadpoolctl.threadpool_info()]
    except ImportError:
        env = {k: os.environ.get(k, "unset") for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
        parts += [f"{k}={v}" for k, v in env.items()]
    if use_torch:
        import torch

        parts.append(f"torch intra-op {torch.get_num_threads()}")
    return ", ".join(parts)


def environment(use_torch):
    """One line on what was measured on."""
    blas = "?"
    try:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:
        pass
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__} ({blas})", f"{os.cpu_count()} CPUs"]
    if use_torch:
        import torch

        parts.append(f"torch {torch.__version__}")
    return ", ".join(parts)


def _load():
    return "load average " + " ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32, 256, 1024])
    parser.add_argument("--widths", type=int, nargs="+", default=[3, 64, 256])
    parser.add_argument("--threads", type=int, default=1,
                        help="threads for numpy's BLAS and for torch (default 1; set before either is imported)")
    parser.add_argument("--budget", type=float, default=7.0,
                        help="at most this many seconds of interleaved rounds per size (default 7)")
    parser.add_argument("--spread", type=float, default=0.03,
                        help="stop a size's rounds once every spread is below this (default 0.03)")
    parser.add_argument("--block", type=float, default=0.002,
                        help="seconds of calls per contender in one round (default 0.002)")
    parser.add_argument("--loop-budget", type=float, default=1.0,
                        help="seconds for the loop version per size (default 1; at least one run)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is installed")
    parser.add_argument("--glibc-malloc", action="store_true",
                        help="leave glibc's allocator at its defaults (freed memory goes back to the system)")
    args = parser.parse_args(argv)
    kept = False if args.glibc_malloc else keep_freed_memory()

    use_torch = not args.no_torch
    if use_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed (pip install -e '.[bench]' installs the CPU build): "
                  "its columns stay empty.")
            use_torch = False
        else:
            torch.set_num_threads(args.threads)

    global clock
    clock = time.thread_time if args.threads == 1 else time.perf_counter
    started = time.perf_counter()
    print("One training step (forward, backward, update) of a 4-W-W-3 network (ReLU, sigmoid, softmax; "
          "cross-entropy),\nms per step: the median over interleaved rounds ± the spread (interquartile range "
          "over the median).")
    print(environment(use_torch))
    print(f"allocator: {'glibc malloc keeps freed memory (mallopt)' if kept else 'the C library defaults'}; "
          f"threads: {thread_report(use_torch)}; clock: "
          f"{'CPU time of the one thread' if clock is time.thread_time else 'wall time'}; at the start: {_load()}")
    if use_torch:
        same = check_same_step()
        print(f"Same step: after one step torch and numpy agree to {same['f64']:.1e} in float64 and "
              f"{same['f32']:.1e} in float32; numpy float32 and float64 to {same['f32 vs f64']:.1e}.")
    print(flush=True)
    rows = []
    for width in args.widths:
        for batch in args.batches:
            rows.append(measure(batch, width, use_torch, args.budget, args.block, args.spread, args.loop_budget))
            print(f"  measured batch {batch}, width {width}", file=sys.stderr, flush=True)
    print(table(rows))
    print(f"\nnumpy/torch: numpy's time over torch's in the same dtype (above 1: numpy slower). "
          f"page faults: in all rounds of that size;\nloops: float64, the median of that many runs;\nmatrix/loop: the median speed-up over those runs, each paired with numpy f64 steps timed right after it.\nTook {time.perf_counter() - started:.0f} s; "
          f"at the end: {_load()}.")
    head = next((r for r in rows if (r["batch"], r["width"]) == HEADLINE), None)
    if head is None:
        print(f"(batch {HEADLINE[0]}, width {HEADLINE[1]} not measured: no summary line)")
        return rows
    worst = {name: "n/a" if not use_torch else f"{max(r[f'ratio {name}'] for r in rows):.2f}" for name in DTYPES}
    ratio = "n/a" if head["ratio f64"] is None else f"{head['ratio f64']:.2f}"
    grid = f"{len(args.batches)}×{len(args.widths)} sizes"
    print(f"Summary at batch {HEADLINE[0]}, width {HEADLINE[1]} (float64); worst: the largest numpy/torch over the "
          f"{grid}.")
    print(f"speed-up matrix/loop: {head['matrix/loop']:.0f}x; time numpy/torch: {ratio}; "
          f"worst over grid f64: {worst['f64']}; f32: {worst['f32']}")
    return rows


if __name__ == "__main__":
    main()
