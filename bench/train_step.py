"""Time one training step (forward, backward, update) three ways, side by side.

- numpy: the course's matrix form, ``helpers.training.matrix_step`` (``nets.backward`` then
  ``nets.sgd_step``), float64 (the reference implementation computes in float64 throughout);
- torch: the same network, batch and update with PyTorch's autograd on the CPU, float64 and float32;
- loops: the same step neuron by neuron in pure Python, ``helpers.training.loop_step``.

The network is notebook 05's: 4 inputs (iris), two hidden layers of the given width
(ReLU, then sigmoid), a softmax over 3 classes, cross-entropy averaged over the batch, plain
gradient descent. The batch is drawn from the iris data, standardised.

Each time is the best of several runs (other programs only ever slow a run down). The loop
version is run fewer times where one step takes long; the table says how many.

    make bench                      # installs the optional extra (torch, CPU build), then runs this
    python bench/train_step.py --batches 1 32 --widths 3 --no-torch   # a quick look without torch
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `helpers` without installing

import numpy as np  # noqa: E402

from helpers import datasets, training  # noqa: E402

ACTIVATIONS = ["relu", "sigmoid", "softmax"]
LOSS = "cross_entropy"
RATE = 0.1
HEADLINE = (256, 64)  # batch, width of the last line


def make_problem(batch, width, seed=0):
    """A batch of iris rows (standardised, drawn with replacement) and a network of the given width.

    Returns:
        (X, y, T, Ws, bs): inputs, integer labels, one-hot targets, weights and (non-zero) biases.
    """
    rng = np.random.default_rng(seed)
    iris = datasets.load_iris()
    X_all = (iris.X - iris.X.mean(axis=0)) / iris.X.std(axis=0)
    rows = rng.integers(0, len(X_all), batch)
    X, y = X_all[rows], iris.y[rows]
    Ws, bs = training.init_params([X.shape[1], width, width, 3], rng)
    bs = [rng.normal(0.0, 0.1, b.shape) for b in bs]
    return X, y, datasets.one_hot(y, 3), Ws, bs


def numpy_step(X, y, T, Ws, bs):
    """One step of the course's matrix form, as a function of no arguments."""
    return lambda: training.matrix_step(Ws, bs, X, T, ACTIVATIONS, LOSS, RATE)


def loop_step(X, y, T, Ws, bs):
    """One step neuron by neuron, as a function of no arguments."""
    return lambda: training.loop_step(Ws, bs, X, T, ACTIVATIONS, LOSS, RATE)


def torch_step(X, y, T, Ws, bs, dtype):
    """One step with PyTorch autograd on the CPU, same network, batch and update.

    Returns:
        (step, params): the step as a function of no arguments, and the parameter tensors it
        updates in place (W1, W2, W3, b1, b2, b3).
    """
    import torch

    dt = {"float64": torch.float64, "float32": torch.float32}[dtype]
    Xt, yt = torch.tensor(X, dtype=dt), torch.tensor(y, dtype=torch.long)
    params = [torch.tensor(p, dtype=dt, requires_grad=True) for p in (*Ws, *bs)]
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


def timed(step, budget, max_repeat=7):
    """Seconds per call of ``step()``: the best of up to ``max_repeat`` runs within about ``budget``.

    Returns:
        (seconds, runs): the best time per call, and how many timed runs it is the best of.
    """
    once = training.best_time(step, 1)  # warms up, and tells how long one call takes
    if once * max_repeat > budget:  # slow (the loops at large sizes): as many single calls as fit
        runs = min(max_repeat - 1, int(budget / once))
        if runs < 1:
            return once, 1
        return min(once, training.best_time(step, runs)), runs + 1
    number = max(1, int(budget / max_repeat / once))
    return training.best_time(step, max_repeat, number), max_repeat


def check_same_step(batch=8, width=5):
    """The largest difference between torch's float64 step and the numpy step (should be ~1e-16)."""
    X, y, T, Ws, bs = make_problem(batch, width, seed=1)
    new_Ws, new_bs = numpy_step(X, y, T, Ws, bs)()
    step, params = torch_step(X, y, T, Ws, bs, "float64")
    step()
    ours = [*new_Ws, *new_bs]
    return max(float(np.abs(p.detach().numpy() - q).max()) for p, q in zip(params, ours))


def measure(batch, width, use_torch, budget, loop_budget, rounds=5):
    """Times of one step for each implementation at one size; None where not measured.

    numpy and torch are timed in turns, ``rounds`` times each, and keep their best: a burst of
    load from other programs then hits all of them alike instead of one.
    """
    problem = make_problem(batch, width)
    steps = {"numpy": numpy_step(*problem)}
    if use_torch:
        steps.update({f"torch {dtype}": torch_step(*problem, dtype)[0] for dtype in ("float64", "float32")})
    number = {name: max(1, int(budget / rounds / training.best_time(step, 1))) for name, step in steps.items()}
    row = {"batch": batch, "width": width, "torch float64": None, "torch float32": None}
    row.update({name: math.inf for name in steps})
    for _ in range(rounds):
        for name, step in steps.items():
            row[name] = min(row[name], training.best_time(step, 1, number[name]))
    row["loops"], row["loop runs"] = timed(loop_step(*problem), loop_budget)
    return row


def _ms(seconds):
    if seconds is None:
        return "—"
    ms = seconds * 1e3
    return f"{ms:.3f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:.0f}"


def _ratio(a, b, fmt="{:.2f}"):
    return "—" if a is None or b is None else fmt.format(a / b)


def _speedup(loop, matrix):
    ratio = loop / matrix
    return f"{ratio:.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def table(rows):
    """The results as a Markdown table (times in ms per step)."""
    head = ("| batch | width | numpy f64 | torch f64 | torch f32 | loops (runs) | matrix/loop "
            "| numpy/torch f64 | numpy/torch f32 |")
    lines = [head, "| ---: " * 9 + "|"]
    for r in rows:
        lines.append(
            f"| {r['batch']} | {r['width']} | {_ms(r['numpy'])} | {_ms(r['torch float64'])} "
            f"| {_ms(r['torch float32'])} | {_ms(r['loops'])} ({r['loop runs']}) "
            f"| {_speedup(r['loops'], r['numpy'])} | {_ratio(r['numpy'], r['torch float64'])} "
            f"| {_ratio(r['numpy'], r['torch float32'])} |"
        )
    return "\n".join(lines)


def environment(use_torch):
    """One line on what was measured on."""
    blas = "?"
    try:
        cfg = np.show_config(mode="dicts")
        info = cfg["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:
        pass
    threads = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
               if k in os.environ}
    parts = [f"Python {platform.python_version()}", f"numpy {np.__version__} ({blas})",
             f"{os.cpu_count()} CPUs", "threads: " + (", ".join(f"{k}={v}" for k, v in threads.items()) or "library defaults")]
    if use_torch:
        import torch

        parts.append(f"torch {torch.__version__} ({torch.get_num_threads()} threads)")
    return ", ".join(parts)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32, 256, 1024])
    parser.add_argument("--widths", type=int, nargs="+", default=[3, 64, 256])
    parser.add_argument("--budget", type=float, default=0.4,
                        help="seconds of timing per implementation and size (default 0.4)")
    parser.add_argument("--loop-budget", type=float, default=1.0,
                        help="seconds of timing for the loop version per size (default 1.0; at least one run)")
    parser.add_argument("--no-torch", action="store_true", help="leave PyTorch out even if it is installed")
    args = parser.parse_args(argv)

    use_torch = not args.no_torch
    if use_torch:
        try:
            import torch  # noqa: F401
        except ImportError:
            print("PyTorch is not installed (pip install -e '.[bench]' installs the CPU build): "
                  "its columns stay empty.")
            use_torch = False

    print(f"One training step (forward, backward, update) of a 4-W-W-3 network (ReLU, sigmoid, softmax; "
          f"cross-entropy), times in ms per step, best of several runs.\n{environment(use_torch)}")
    if use_torch:
        print(f"Same step: torch float64 and numpy agree to {check_same_step():.1e} after one step.")
    print(flush=True)
    rows = []
    for width in args.widths:
        for batch in args.batches:
            rows.append(measure(batch, width, use_torch, args.budget, args.loop_budget))
            print(f"  measured batch {batch}, width {width}", file=sys.stderr, flush=True)
    print(table(rows))
    print("\nloops (runs): the loop version's best of that many runs; ratios above 1 mean numpy is slower.")
    head = next((r for r in rows if (r["batch"], r["width"]) == HEADLINE), None)
    if head is None:
        print(f"(batch {HEADLINE[0]}, width {HEADLINE[1]} not measured: no summary line)")
        return rows
    ratio = "n/a" if head["torch float64"] is None else f"{head['numpy'] / head['torch float64']:.2f}"
    print(f"batch {HEADLINE[0]}, width {HEADLINE[1]}; numpy/torch compares float64 with float64.")
    print(f"speed-up matrix/loop: {head['loops'] / head['numpy']:.0f}x; time numpy/torch: {ratio}")
    return rows


if __name__ == "__main__":
    main()
