"""CPU benchmark suite: eager PyTorch, torch.compile (inductor), jax.jit, NumPy and furcate.

    python benchmarks/cpu_suite.py [--quick] [--rounds N] [--cases softmax,layernorm] [--no-write]
    python benchmarks/cpu_suite.py --whole-process [--cases tanh,transformer]

All implementations of a case run interleaved in one process (median of rounds),
with ~150 ms idle and one untimed call before each timed batch when switching
library (OpenMP/BLAS worker threads otherwise distort the next one). Prints per
case: median time, ratio to eager and to inductor, fraction of the machine's
ceiling (23.6 GB/s, 246 GFLOP/s: the larger of bytes and FLOPs bounds), and
cold/warm compile times; writes the table to docs/performance.md. ``--whole-process``
instead times import + compile + 20 calls as separate processes with warm caches.

``CASES`` maps a case name to a builder returning a ``Case``; ``Case.impls`` is a
dict name -> zero-argument callable, so another column (e.g. furcate[xla]) is one
more entry: ``EXTRA_IMPLS`` hooks ``(case_name, case) -> {name: fn}``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field

import numpy as np

BANDWIDTH = 23.6e9
FLOPS = 246e9
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXTRA_IMPLS: list = []  # callables (name, case) -> {impl name: fn}


@dataclass
class Case:
    name: str
    bytes: float
    flops: float
    impls: dict = field(default_factory=dict)
    compile_s: dict = field(default_factory=dict)  # impl -> (cold, warm)


ONLY: str | None = None  # whole-process child: set up only this implementation


def _torch_impls(case: Case, fn, args, furcate_target="c"):
    import torch

    import furcate  # noqa: F401  (registers the backend)

    case.impls["eager"] = lambda: fn(*args)
    for name, kw in (("inductor", dict(backend="inductor")),
                     (f"furcate[{furcate_target}]", dict(backend="furcate", options={"target": furcate_target}))):
        if ONLY is not None and name != ONLY:
            continue
        times = []
        compiled = None
        for _ in range(1 if ONLY else 2):  # cold, then warm (in-process reset; on-disk caches kept)
            torch._dynamo.reset()
            _forget_loaded_kernels()
            compiled = torch.compile(fn, **kw)
            t = time.perf_counter()
            try:
                compiled(*args)
            except Exception as e:  # a column that fails says why, the rest still run
                print(f"  {case.name}: {name} failed: {type(e).__name__}: {str(e)[:200]}", file=sys.stderr)
                compiled = None
                break
            times.append(time.perf_counter() - t)
        if compiled is not None:
            case.impls[name] = (lambda c: (lambda: c(*args)))(compiled)
            case.compile_s[name] = tuple(times)


def _forget_loaded_kernels():
    """furcate keeps loaded kernel libraries in memory; a warm compile must use the disk cache."""
    from furcate.backends.c import build

    build._LIBS.clear()


def _jax_impl(case: Case, fn, args):
    if ONLY is not None:
        return
    import jax

    jargs = [jax.numpy.asarray(a) for a in args]
    f = jax.jit(fn)
    t = time.perf_counter()
    f(*jargs).block_until_ready()
    case.compile_s["jax"] = (time.perf_counter() - t, float("nan"))
    case.impls["jax"] = lambda: f(*jargs).block_until_ready()


def _np(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def case_tanh(q):
    import jax.numpy as jnp
    import torch

    n = 1024 if q else 4096
    x, w, b = _np((n, n), (n,), (n,))
    c = Case("tanh(x*w+b)*0.5+x", bytes=2 * n * n * 4, flops=5 * n * n)
    _torch_impls(c, lambda x, w, b: torch.tanh(x * w + b) * 0.5 + x, [torch.from_numpy(a) for a in (x, w, b)])
    _jax_impl(c, lambda x, w, b: jnp.tanh(x * w + b) * 0.5 + x, [x, w, b])
    c.impls["numpy"] = lambda: np.tanh(x * w + b) * np.float32(0.5) + x
    return c


def case_gelu_gemm(q):
    import jax
    import torch
    from scipy.special import erf

    m, k, n = (128, 256, 1024) if q else (512, 1024, 4096)
    x, W, b = _np((m, k), (k, n), (n,))
    c = Case("gelu(x@W+b) erf", bytes=(m * k + k * n + m * n) * 4, flops=2 * m * k * n)
    _torch_impls(c, lambda x, W, b: torch.nn.functional.gelu(x @ W + b), [torch.from_numpy(a) for a in (x, W, b)])
    _jax_impl(c, lambda x, W, b: jax.nn.gelu(x @ W + b, approximate=False), [x, W, b])
    c.impls["numpy"] = lambda: (lambda y: 0.5 * y * (1 + erf(y / np.float32(np.sqrt(2)))))(x @ W + b)
    return c


def case_softmax(q):
    import jax
    import torch

    n = 1024 if q else 4096
    (x,) = _np((n, n))
    c = Case("softmax rows", bytes=2 * n * n * 4, flops=4 * n * n)
    _torch_impls(c, lambda x: torch.softmax(x, -1), [torch.from_numpy(x)])
    _jax_impl(c, lambda x: jax.nn.softmax(x, -1), [x])

    def np_softmax():
        e = np.exp(x - x.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)
    c.impls["numpy"] = np_softmax
    return c


def case_layernorm(q):
    import jax.numpy as jnp
    import torch

    r, d = (2048, 1024) if q else (8192, 1024)
    x, w, b = _np((r, d), (d,), (d,))
    c = Case("layernorm", bytes=2 * r * d * 4, flops=8 * r * d)
    _torch_impls(c, lambda x, w, b: torch.nn.functional.layer_norm(x, (d,), w, b),
                 [torch.from_numpy(a) for a in (x, w, b)])

    def jln(x, w, b):
        m = x.mean(-1, keepdims=True)
        v = ((x - m) ** 2).mean(-1, keepdims=True)
        return (x - m) / jnp.sqrt(v + 1e-5) * w + b
    _jax_impl(c, jln, [x, w, b])

    def nln():
        m = x.mean(-1, keepdims=True)
        xc = x - m
        return xc / np.sqrt((xc * xc).mean(-1, keepdims=True) + np.float32(1e-5)) * w + b
    c.impls["numpy"] = nln
    return c


def case_mlp(q):
    import jax
    import torch

    bsz, d = (64, 256) if q else (256, 1024)
    ws = _np((d, d), (d, d), (d, d), seed=1)
    bs = _np((d,), (d,), (d,), seed=2)
    (x,) = _np((bsz, d))
    c = Case("MLP 3x", bytes=3 * d * d * 4, flops=3 * 2 * bsz * d * d)
    tw = [torch.from_numpy(a) for a in ws + bs]

    def tmlp(x, w1, w2, w3, b1, b2, b3):
        x = torch.relu(x @ w1 + b1)
        x = torch.relu(x @ w2 + b2)
        return x @ w3 + b3
    _torch_impls(c, tmlp, [torch.from_numpy(x), *tw])

    def jmlp(x, w1, w2, w3, b1, b2, b3):
        x = jax.nn.relu(x @ w1 + b1)
        x = jax.nn.relu(x @ w2 + b2)
        return x @ w3 + b3
    _jax_impl(c, jmlp, [x, *ws, *bs])
    c.impls["numpy"] = lambda: jmlp.__wrapped__(x, *ws, *bs) if hasattr(jmlp, "__wrapped__") else \
        np.maximum(np.maximum(x @ ws[0] + bs[0], 0) @ ws[1] + bs[1], 0) @ ws[2] + bs[2]
    return c


def case_transformer(q):
    import torch

    d, h, s, bsz = (128, 4, 64, 2) if q else (512, 8, 256, 4)
    torch.manual_seed(0)

    class Block(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.ln1, self.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
            self.qkv, self.proj = torch.nn.Linear(d, 3 * d), torch.nn.Linear(d, d)
            self.fc1, self.fc2 = torch.nn.Linear(d, 4 * d), torch.nn.Linear(4 * d, d)

        def forward(self, x):
            b_, s_, _ = x.shape
            q_, k_, v_ = self.qkv(self.ln1(x)).view(b_, s_, 3, h, d // h).permute(2, 0, 3, 1, 4)
            a = torch.softmax(q_ @ k_.transpose(-1, -2) / (d // h) ** 0.5, -1) @ v_
            x = x + self.proj(a.transpose(1, 2).reshape(b_, s_, d))
            return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.ln2(x))))

    m = Block().eval()
    x = torch.randn(bsz, s, d)
    flops = bsz * s * (2 * d * 3 * d + 2 * d * d + 16 * d * d) + 4 * bsz * s * s * d
    c = Case("transformer block", bytes=12 * d * d * 4, flops=flops)
    with torch.no_grad():
        _torch_impls(c, lambda x: m(x), [x])
    # inference: every call under no_grad, as compiled (with grad enabled the parameters make
    # AOTAutograd compile a training forward graph that also returns the saved activations)
    c.impls = {name: _no_grad(fn) for name, fn in c.impls.items()}
    return c


def _no_grad(fn):
    import torch

    def call():
        with torch.no_grad():
            return fn()
    return call


def case_embedding_bag(q):
    import jax.numpy as jnp
    import torch

    rows, dim, bags, per = (100_000, 64, 256, 32) if q else (1_000_000, 64, 512, 32)
    (table,) = _np((rows, dim))
    idx = np.random.default_rng(3).integers(0, rows, (bags, per))
    c = Case("EmbeddingBag sum", bytes=bags * per * dim * 4, flops=bags * per * dim)
    tt, ti = torch.from_numpy(table), torch.from_numpy(idx)
    _torch_impls(c, lambda t, i: torch.nn.functional.embedding(i, t).sum(1), [tt, ti])
    _jax_impl(c, lambda t, i: t[i].sum(1), [table, idx])
    c.impls["numpy"] = lambda: table[idx].sum(1)
    return c


def case_chain(q):
    import jax.numpy as jnp
    import torch

    (x,) = _np((1000,))

    def chain(lib, x):
        y = x
        for i in range(50):
            y = [lambda v: v * 1.0001, lambda v: v + 0.5, lambda v: lib.tanh(v), lambda v: lib.abs(v),
                 lambda v: v - 0.25][i % 5](y)
        return y
    c = Case("50 chained elementwise, 1k", bytes=2 * 1000 * 4, flops=50 * 1000)
    _torch_impls(c, lambda x: chain(torch, x), [torch.from_numpy(x)])
    _jax_impl(c, lambda x: chain(jnp, x), [x])
    c.impls["numpy"] = lambda: chain(np, x)
    return c


CASES = {
    "tanh": case_tanh, "gelu_gemm": case_gelu_gemm, "softmax": case_softmax, "layernorm": case_layernorm,
    "mlp": case_mlp, "transformer": case_transformer, "embedding_bag": case_embedding_bag, "chain": case_chain,
}


def measure(case: Case, rounds: int, batch: int) -> dict:
    times = {k: [] for k in case.impls}
    for _ in range(rounds):
        for name, fn in case.impls.items():
            time.sleep(0.15)
            fn()  # untimed call after switching library
            t = time.perf_counter()
            for _ in range(batch):
                fn()
            times[name].append((time.perf_counter() - t) / batch)
    return {k: statistics.median(v) for k, v in times.items()}


def table(results) -> str:
    lines = ["| case | impl | median | vs eager | vs inductor | of ceiling | compile cold / warm |",
             "|---|---|---|---|---|---|---|"]
    for case, med in results:
        ceil = max(case.bytes / BANDWIDTH, case.flops / FLOPS)
        for name, t in med.items():
            eager, ind = med.get("eager"), med.get("inductor")
            cs = case.compile_s.get(name)
            comp = "" if not cs else " / ".join("-" if v != v else f"{v:.2f} s" for v in cs)
            lines.append(f"| {case.name} | {name} | {t * 1e3:.3f} ms | {eager / t if eager else float('nan'):.2f}x | "
                         f"{ind / t if ind else float('nan'):.2f}x | {ceil / t:.0%} | {comp} |")
    return "\n".join(lines)


def _child(case_name: str, impl: str, quick: bool, calls: int) -> None:
    """One whole-process run: import, build the case, compile ``impl``, ``calls`` calls."""
    import torch

    global ONLY
    ONLY = impl
    with torch.no_grad():  # inference, as in the in-process benchmark
        case = CASES[case_name](quick)
        fn = case.impls[impl]
        for _ in range(calls):
            fn()


def whole_process(cases: list[str], quick: bool, calls: int = 20, impls=("eager", "inductor", "furcate[c]")) -> str:
    """Wall time of ``python cpu_suite.py --child CASE IMPL`` (import + inputs + compile +
    ``calls`` calls) per case and implementation, each the best of two runs after one that
    fills the on-disk caches (inductor's, furcate's)."""
    import subprocess

    lines = ["| case | " + " | ".join(impls) + " | furcate vs eager |", "|---" * (len(impls) + 2) + "|"]
    for name in cases:
        row = {}
        for impl in impls:
            cmd = [sys.executable, os.path.abspath(__file__), "--child", name, impl, "--calls", str(calls)]
            if quick:
                cmd.append("--quick")
            times = []
            for _ in range(3):
                t = time.perf_counter()
                subprocess.run(cmd, check=True, capture_output=True)
                times.append(time.perf_counter() - t)
            row[impl] = min(times[1:])
        ratio = row["eager"] / row["furcate[c]"]
        lines.append(f"| {name} | " + " | ".join(f"{row[i]:.2f} s" for i in impls) + f" | {ratio:.2f}x |")
        print(lines[-1], flush=True)
    return "\n".join(lines)


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--no-write", action="store_true", help="don't write docs/performance.md")
    ap.add_argument("--rounds", type=int, default=None, help="timed rounds per case (default 7, quick 3)")
    ap.add_argument("--whole-process", action="store_true",
                    help="time import + compile + 20 calls as separate processes (warm caches) instead")
    ap.add_argument("--child", nargs=2, metavar=("CASE", "IMPL"), help=argparse.SUPPRESS)
    ap.add_argument("--calls", type=int, default=20, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    os.environ.setdefault("FURCATE_CACHE_DIR", tempfile.mkdtemp(prefix="furcate-bench-"))
    if args.child:
        return _child(*args.child, args.quick, args.calls)
    if args.whole_process:
        print(whole_process(args.cases.split(","), args.quick, args.calls))
        return None
    load = os.getloadavg()
    rounds, batch = (3, 3) if args.quick else (7, 5)
    if args.rounds:
        rounds = args.rounds
    results = []
    for name in args.cases.split(","):
        case = CASES[name](args.quick)
        for hook in EXTRA_IMPLS:
            case.impls.update(hook(name, case))
        med = measure(case, rounds, batch)
        results.append((case, med))
        print(table([(case, med)]).split("\n", 2)[2], flush=True)
    text = table(results)
    print(text)
    if not args.no_write:
        opts = (" --quick" if args.quick else "") + (f" --rounds {args.rounds}" if args.rounds else "")
        head = (f"# Performance (CPU)\n\nGenerated by `benchmarks/cpu_suite.py{opts}` on "
                f"{datetime.datetime.now():%Y-%m-%d, %H:%M} ({_cpu_name()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; "
                f"load average {load[0]:.2f} at the start, {os.getloadavg()[0]:.2f} at the end). "
                f"Ceilings: {BANDWIDTH / 1e9:.1f} GB/s, {FLOPS / 1e9:.0f} GFLOP/s.\n\n")
        with open(os.path.join(ROOT, "docs", "performance.md"), "w") as f:
            f.write(head + text + "\n")


if __name__ == "__main__":
    main()
