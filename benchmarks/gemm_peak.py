"""GEMM groups against the machine's sgemm peak: furcate's C backend vs BLAS, inductor, jax.jit.

    python benchmarks/gemm_peak.py [--rounds 7] [--shapes 128x256x1024,512x512x2048]

The peak is the best float32 rate measured in the run by anything but furcate: NumPy's BLAS
and torch.mm on 1024x1024x1024, and torch.mm and jax.jit (XLA) on every shape below (medians). Each shape is an MLP /
transformer GEMM group, ``relu(x @ W.T + b)`` (M tokens, K in, N out), run by torch.mm alone (the
GEMM with no epilogue), inductor, furcate (``torch.compile(backend="furcate")``, default options)
and, where JAX is installed, jax.jit; interleaved in one process, medians over rounds. The
table gives GFLOP/s (2·M·K·N per call) and each as a fraction of the peak; the goal for furcate
is >= 0.85 of the peak on these shapes.
"""

from __future__ import annotations

import argparse
import statistics
import time

SHAPES = ["128x256x1024", "128x1024x256", "512x512x2048", "1024x768x3072", "2048x512x512", "16x1024x1024"]


def _time(fn, budget: float = 0.15) -> float:
    """Seconds per call: calls batched to ~``budget`` seconds."""
    fn()
    t = time.perf_counter()
    fn()
    one = max(time.perf_counter() - t, 1e-6)
    n = max(2, int(budget / one))
    t = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t) / n


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--shapes", default=",".join(SHAPES))
    args = ap.parse_args(argv)

    import numpy as np
    import torch

    import furcate  # noqa: F401

    torch.set_num_threads(2)
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        jax = None

    a, b = np.random.rand(1024, 1024).astype(np.float32), np.random.rand(1024, 1024).astype(np.float32)
    ta, tb = torch.from_numpy(a), torch.from_numpy(b)
    peak_np, peak_t = [], []
    for _ in range(args.rounds):
        peak_np.append(2 * 1024 ** 3 / _time(lambda: a @ b) / 1e9)
        peak_t.append(2 * 1024 ** 3 / _time(lambda: torch.mm(ta, tb)) / 1e9)
    peak = max(statistics.median(peak_np), statistics.median(peak_t))
    def group(x, w, bias):
        return torch.relu(torch.nn.functional.linear(x, w, bias))

    cols = ["torch.mm", "inductor", "furcate"] + (["jax.jit"] if jax else [])
    rows = []
    for shape in args.shapes.split(","):
        M, K, N = (int(v) for v in shape.split("x"))
        x, w, bias = torch.randn(M, K), torch.randn(N, K), torch.randn(N)
        impls = {"torch.mm": lambda: torch.mm(x, w.t()),
                 "inductor": lambda f=torch.compile(group, backend="inductor"): f(x, w, bias),
                 "furcate": lambda f=torch.compile(group, backend="furcate"): f(x, w, bias)}
        if jax:
            jf = jax.jit(lambda x, w, b: jnp.maximum(x @ w.T + b, 0))
            jx, jw, jb = (jnp.asarray(t.numpy()) for t in (x, w, bias))
            impls["jax.jit"] = lambda: jf(jx, jw, jb).block_until_ready()
        rates = {k: [] for k in impls}
        with torch.no_grad():
            for fn in impls.values():
                fn()
            for _ in range(args.rounds):
                for k, fn in impls.items():
                    rates[k].append(2 * M * K * N / _time(fn) / 1e9)
        rows.append((shape, {k: statistics.median(v) for k, v in rates.items()}))
    peak = max([peak] + [med[k] for _, med in rows for k in ("torch.mm", "jax.jit") if k in med])
    print(f"sgemm 1024^3: NumPy BLAS {statistics.median(peak_np):.0f} GFLOP/s, torch.mm "
          f"{statistics.median(peak_t):.0f} GFLOP/s; peak (best of BLAS, torch.mm, XLA in this run) {peak:.0f} GFLOP/s")
    print(f"| M x K x N | {' | '.join(cols)} | furcate / peak |")
    print("|---|" + "---|" * (len(cols) + 1))
    fractions = []
    for shape, med in rows:
        fractions.append(med["furcate"] / peak)
        print(f"| {shape} | " + " | ".join(f"{med[k]:.0f}" for k in cols) + f" | {med['furcate'] / peak:.2f} |")
    print(f"furcate GEMM groups: median {statistics.median(fractions):.2f} of the sgemm peak "
          f"(min {min(fractions):.2f}) over {len(fractions)} shapes")


if __name__ == "__main__":
    main()
