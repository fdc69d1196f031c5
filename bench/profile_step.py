"""Where the time of one numpy training step goes: each operation timed on its own, with the bytes it
moves and the arithmetic it does, against this machine's memory bandwidth (measured with a numpy copy).

The step is ``helpers.training.matrix_step`` on bench/train_step.py's network (4-W-W-3; ReLU,
sigmoid, softmax with cross-entropy). Below it is written out operation by operation, as
``helpers.nets`` does it; the script first checks that this spelled-out step gives exactly the
weights ``matrix_step`` gives, so the profile is of the real step. Optionally (``--torch``) the
same step in PyTorch, profiled by ``torch.profiler``.

    python bench/profile_step.py                          # batch 1024, width 256, float64 and float32
    python bench/profile_step.py --batch 256 --width 64 --dtype f32 --torch
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__":  # the same threads as the benchmark: one, set before numpy is imported
    for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = "1"

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

import train_step  # noqa: E402
from helpers import training  # noqa: E402


def median_time(f, repeat=15, min_block=0.002):
    """The median over ``repeat`` blocks of the seconds per call of ``f()``, in CPU time of this thread
    (everything runs on it with one thread; time given to other programs is not counted)."""
    f()
    start = time.thread_time()
    f()
    number = max(1, int(min_block / max(time.thread_time() - start, 1e-7)))
    runs = []
    for _ in range(repeat):
        start = time.thread_time()
        for _ in range(number):
            f()
        runs.append((time.thread_time() - start) / number)
    return statistics.median(runs)


def bandwidth(nbytes, repeat=15):
    """Bytes per second of ``np.copyto`` between two arrays of ``nbytes`` each (read + write counted)."""
    src = np.ones(nbytes // 8)
    dst = np.empty_like(src)
    return 2 * nbytes / median_time(lambda: np.copyto(dst, src), repeat)


def spelled_out(X, T, Ws, bs, rate):
    """The step of ``matrix_step`` as a list of (name, function, arrays read, arrays written, flops).

    The functions share one dictionary ``v`` of intermediate arrays; running them in order is one
    step. Bytes moved are counted as every array read plus every array written, once each.
    """
    W1, W2, W3 = Ws
    b1, b2, b3 = bs
    v, scratch, timing = {}, {}, [False]

    def w(name):
        """Where an in-place operation writes: into v itself when the step runs, into a scratch array
        of the same shape while it is timed (so that repeating it never changes its input)."""
        if not timing[0]:
            return v[name]
        if name not in scratch:
            scratch[name] = np.empty_like(v[name])
        return scratch[name]

    def op(name, f, reads, writes, flops=0):
        return (name, f, reads, writes, flops)

    N, d, h, k = X.shape[0], X.shape[1], W1.shape[1], W3.shape[1]
    ops = [
        op("z1 = X @ W1", lambda: v.update(z1=X @ W1), ["X", "W1"], ["z1"], 2 * N * d * h),
        op("z1 += b1", lambda: np.add(v["z1"], b1, out=w("z1")), ["z1"], ["z1"]),
        op("a1 = relu(z1)", lambda: v.update(a1=np.maximum(v["z1"], 0.0)), ["z1"], ["a1"]),
        op("z2 = a1 @ W2", lambda: v.update(z2=v["a1"] @ W2), ["a1", "W2"], ["z2"], 2 * N * h * h),
        op("z2 += b2", lambda: np.add(v["z2"], b2, out=w("z2")), ["z2"], ["z2"]),
        op("a2 = sigmoid(z2): s = −z2", lambda: v.update(a2=np.negative(v["z2"])), ["z2"], ["a2"]),
        op("  exp(s, out=s)", lambda: np.exp(v["a2"], out=w("a2")), ["a2"], ["a2"]),
        op("  s += 1", lambda: np.add(v["a2"], 1.0, out=w("a2")), ["a2"], ["a2"]),
        op("  1 / s (out=s)", lambda: np.divide(1.0, v["a2"], out=w("a2")), ["a2"], ["a2"]),
        op("z3 = a2 @ W3", lambda: v.update(z3=v["a2"] @ W3), ["a2", "W3"], ["z3"], 2 * N * h * k),
        op("z3 += b3", lambda: np.add(v["z3"], b3, out=w("z3")), ["z3"], ["z3"]),
        op("p = softmax(z3) (4 ops)", lambda: v.update(p=_softmax(v["z3"])), ["z3"], ["p"]),
        op("δ3 = (p − T) / N", lambda: v.update(d3=(v["p"] - T) / N), ["p", "T"], ["d3"]),
        op("dW3 = a2ᵀ δ3", lambda: v.update(dW3=np.dot(v["a2"].T, v["d3"])), ["a2", "d3"], ["dW3"], 2 * N * h * k),
        op("db3 = Σ δ3", lambda: v.update(db3=v["d3"].sum(axis=0)), ["d3"], ["db3"]),
        op("g2 = δ3 W3ᵀ", lambda: v.update(g2=v["d3"] @ W3.T), ["d3", "W3"], ["g2"], 2 * N * h * k),
        op("δ2: d = 1 − a2", lambda: v.update(d2=1.0 - v["a2"]), ["a2"], ["d2"]),
        op("  d *= a2", lambda: np.multiply(v["d2"], v["a2"], out=w("d2")), ["d2", "a2"], ["d2"]),
        op("  d *= g2", lambda: np.multiply(v["d2"], v["g2"], out=w("d2")), ["d2", "g2"], ["d2"]),
        op("dW2 = a1ᵀ δ2", lambda: v.update(dW2=np.dot(v["a1"].T, v["d2"])), ["a1", "d2"], ["dW2"], 2 * N * h * h),
        op("db2 = Σ δ2", lambda: v.update(db2=v["d2"].sum(axis=0)), ["d2"], ["db2"]),
        op("g1 = δ2 W2ᵀ", lambda: v.update(g1=v["d2"] @ W2.T), ["d2", "W2"], ["g1"], 2 * N * h * h),
        op("δ1 = g1 ⊙ (z1 > 0)", lambda: np.multiply(v["g1"], v["z1"] > 0, out=w("g1")), ["g1", "z1"], ["g1"]),
        op("dW1 = Xᵀ δ1", lambda: v.update(dW1=np.dot(X.T, v["g1"])), ["X", "g1"], ["dW1"], 2 * N * d * h),
        op("db1 = Σ δ1", lambda: v.update(db1=v["g1"].sum(axis=0)), ["g1"], ["db1"]),
    ]
    for name, p in (("W1", W1), ("W2", W2), ("W3", W3), ("b1", b1), ("b2", b2), ("b3", b3)):
        grad = "d" + name
        ops.append(op(f"new {name} = {name} − rate·d{name} (2 ops)",
                      lambda p=p, grad=grad, name=name: v.update({"new " + name: _sgd(p, v[grad], rate)}),
                      [name, grad], ["new " + name]))
    arrays = {"X": X, "T": T, "W1": W1, "W2": W2, "W3": W3, "b1": b1, "b2": b2, "b3": b3}
    return ops, v, arrays, timing


def _softmax(z):
    e = z - z.max(axis=-1, keepdims=True)
    np.exp(e, out=e)
    e /= e.sum(axis=-1, keepdims=True)
    return e


def _sgd(p, dp, rate):
    new = rate * dp
    return np.subtract(p, new, out=new)


def profile_numpy(batch, width, dtype, bw_dram, bw_cache):
    X, y, T, Ws, bs = train_step.make_problem(batch, width, dtype=train_step.DTYPES[dtype])
    ops, v, arrays, timing = spelled_out(X, T, Ws, bs, train_step.RATE)
    for _, f, _, _, _ in ops:
        f()
    new_Ws, new_bs = training.matrix_step(Ws, bs, X, T, train_step.ACTIVATIONS, train_step.LOSS, train_step.RATE)
    ours = [v["new " + n] for n in ("W1", "W2", "W3", "b1", "b2", "b3")]
    assert all(np.array_equal(a, b) for a, b in zip(ours, new_Ws + new_bs)), "the spelled-out step is not matrix_step"
    faults = train_step.page_faults()
    whole = median_time(train_step.numpy_step(X, y, T, Ws, bs))
    faults = train_step.page_faults() - faults
    timing[0] = True  # from here on the in-place operations write into scratch arrays
    rows, total = [], 0.0
    for name, f, reads, writes, flops in ops:
        t = median_time(f)
        nbytes = sum((v.get(a) if a in v else arrays[a]).nbytes for a in reads + writes)
        total += t
        rows.append((name, t, nbytes, flops))
    print(f"\nnumpy {dtype}, batch {batch}, width {width}: the whole step (matrix_step) {whole * 1e3:.3f} ms "
          f"({faults} page faults while timing it); its operations one by one add up to {total * 1e3:.3f} ms")
    print("| operation | µs | share | bytes moved | at cache bandwidth, µs | GFLOP/s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, t, nbytes, flops in rows:
        print(f"| {name} | {t * 1e6:.1f} | {100 * t / total:.0f}% | {_size(nbytes)} | {nbytes / bw_cache * 1e6:.1f} "
              f"| {flops / t / 1e9:.1f} |" if flops else
              f"| {name} | {t * 1e6:.1f} | {100 * t / total:.0f}% | {_size(nbytes)} | {nbytes / bw_cache * 1e6:.1f} | |")
    matmul = sum(t for _, t, _, f in rows if f)
    elementwise = total - matmul
    moved = sum(b for _, _, b, f in rows if not f)
    print(f"matrix products {matmul * 1e3:.3f} ms ({100 * matmul / total:.0f}%, "
          f"{sum(f for *_, f in rows) / matmul / 1e9:.1f} GFLOP/s); elementwise and reductions {elementwise * 1e3:.3f} ms "
          f"({100 * elementwise / total:.0f}%), moving {_size(moved)}: {moved / elementwise / 1e9:.1f} GB/s, against "
          f"{bw_cache / 1e9:.1f} GB/s for a copy of that size in cache and {bw_dram / 1e9:.1f} GB/s to and from memory.")
    return whole


def profile_torch(batch, width, dtype):
    import torch
    from torch.profiler import ProfilerActivity, profile

    torch.set_num_threads(1)
    X, y, T, Ws, bs = train_step.make_problem(batch, width, dtype=train_step.DTYPES[dtype])
    step, _ = train_step.torch_step(X, y, T, Ws, bs)
    whole = median_time(step)
    for _ in range(3):
        step()
    with profile(activities=[ProfilerActivity.CPU]) as prof:
        for _ in range(20):
            step()
    print(f"\ntorch {dtype}, batch {batch}, width {width}: the whole step {whole * 1e3:.3f} ms (one thread); "
          f"torch.profiler, 20 steps (its own overhead included):")
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=14))
    return whole


def _size(nbytes):
    return f"{nbytes / 1e6:.2f} MB" if nbytes >= 1e5 else f"{nbytes / 1e3:.1f} kB"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=1024)
    parser.add_argument("--width", type=int, default=256)
    parser.add_argument("--dtype", choices=["f64", "f32", "both"], default="both")
    parser.add_argument("--torch", action="store_true", help="profile PyTorch's step too")
    parser.add_argument("--glibc-malloc", action="store_true", help="leave glibc's allocator at its defaults")
    args = parser.parse_args(argv)
    kept = False if args.glibc_malloc else train_step.keep_freed_memory()
    print(f"allocator: {'glibc malloc keeps freed memory (mallopt)' if kept else 'the C library defaults'}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; one thread "
          f"(OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}); times in CPU time, medians")
    bw_dram = bandwidth(256 * 2**20)
    one = args.batch * args.width * 8  # one batch × width float64 array: the step's typical operand
    bw_cache = bandwidth(one)
    print(f"memory bandwidth (np.copyto, read + write): {bw_dram / 1e9:.1f} GB/s for 256 MiB arrays (main memory), "
          f"{bw_cache / 1e9:.1f} GB/s for {_size(one)} arrays (in cache: the step's size)")
    for dtype in (["f64", "f32"] if args.dtype == "both" else [args.dtype]):
        profile_numpy(args.batch, args.width, dtype, bw_dram, bw_cache)
        if args.torch:
            profile_torch(args.batch, args.width, dtype)


if __name__ == "__main__":
    main()
