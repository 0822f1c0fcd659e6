"""furcate's XLA backend against jax.jit on the CPU-suite cases, written in JAX.

    python benchmarks/xla_suite.py [--quick] [--cases tanh,softmax] [--rounds N] [--hlo]

Per case, in one process and interleaved (~150 ms idle and one untimed call before
each timed batch when switching implementation; median over rounds):
- ``jax.jit``: the function jitted by JAX, on device-resident jax arrays;
- ``furcate.jit[xla]``: ``furcate.jit(fn, target="xla")`` on the same jax arrays
  (frontend + driver + XLA backend, jax arrays back);
- ``executable``: the furcate ``Executable`` that furcate.jit built, called with
  NumPy views of the same arrays (the backend alone, NumPy back).

Prints median times, the ratios to jax.jit and, per case, whether XLA optimized both
to the same HLO (instructions, shapes and attributes, names and metadata aside) with a
summary of each (fusions, instructions, XLA's cost analysis: FLOPs and bytes
accessed), so a gap can be traced to work the lowering adds. On cases under 1 ms the
difference is per-call overhead; the ``overhead`` case (1-element add) measures it.
``--hlo DIR`` also writes both optimized HLO modules per case; ``--io`` times binding
one large input: aligned (in place), unaligned through furcate's staging buffer, and
unaligned left to PJRT's own copy.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass

import numpy as np


@dataclass
class Case:
    name: str
    fn: object
    args: list  # NumPy arrays


def _np(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(np.float32) for s in shapes]


def case_overhead(q):
    return Case("overhead: 1-element add", lambda x, y: x + y, _np((1,), (1,)))


def case_tanh(q):
    import jax.numpy as jnp

    n = 1024 if q else 4096
    return Case(f"tanh(x*w+b)*0.5+x {n}²", lambda x, w, b: jnp.tanh(x * w + b) * 0.5 + x, _np((n, n), (n,), (n,)))


def _gelu(x):
    """Exact (erf) GELU. Not jax.nn.gelu(approximate=False): that one is written with erfc,
    which XLA expands to a different polynomial than erf, so the two HLOs would differ."""
    import jax

    return x * 0.5 * (1.0 + jax.lax.erf(x * (2 ** -0.5)))


def case_gelu_gemm(q):
    m, k, n = (128, 256, 1024) if q else (512, 1024, 4096)
    return Case(f"gelu(x@W+b) erf {m}x{k}x{n}", lambda x, W, b: _gelu(x @ W + b), _np((m, k), (k, n), (n,)))


def case_softmax(q):
    import jax

    n = 1024 if q else 4096
    return Case(f"softmax rows {n}²", lambda x: jax.nn.softmax(x, -1), _np((n, n)))


def _layernorm(x, w, b):
    m = x.mean(-1, keepdims=True)
    v = ((x - m) ** 2).mean(-1, keepdims=True)
    return (x - m) / (v + 1e-5) ** 0.5 * w + b


def case_layernorm(q):
    r, d = (2048, 1024) if q else (8192, 1024)
    return Case(f"layernorm {r}x{d}", _layernorm, _np((r, d), (d,), (d,)))


def case_mlp(q):
    import jax

    bsz, d = (64, 256) if q else (256, 1024)

    def mlp(x, w1, w2, w3, b1, b2, b3):
        x = jax.nn.relu(x @ w1 + b1)
        x = jax.nn.relu(x @ w2 + b2)
        return x @ w3 + b3
    ws = [w / np.sqrt(d) for w in _np((d, d), (d, d), (d, d), seed=1)]
    return Case(f"MLP 3x{d}, batch {bsz}", mlp, _np((bsz, d)) + ws + _np((d,), (d,), (d,), seed=2))


def case_transformer(q):
    import jax
    import jax.numpy as jnp

    d, h, s, bsz = (128, 4, 64, 2) if q else (512, 8, 256, 4)

    def block(x, g1, c1, wqkv, bqkv, wo, bo, g2, c2, w1, b1, w2, b2):
        b_, s_, _ = x.shape
        qkv = (_layernorm(x, g1, c1) @ wqkv + bqkv).reshape(b_, s_, 3, h, d // h).transpose(2, 0, 3, 1, 4)
        q_, k_, v_ = qkv[0], qkv[1], qkv[2]
        a = jax.nn.softmax(q_ @ jnp.swapaxes(k_, -1, -2) / (d // h) ** 0.5, -1) @ v_
        x = x + jnp.swapaxes(a, 1, 2).reshape(b_, s_, d) @ wo + bo
        return x + _gelu(_layernorm(x, g2, c2) @ w1 + b1) @ w2 + b2

    rng = np.random.default_rng(0)

    def w(*shape):
        return (rng.standard_normal(shape) / np.sqrt(shape[0])).astype(np.float32)
    ones, zeros = np.ones(d, np.float32), np.zeros(d, np.float32)
    args = [rng.standard_normal((bsz, s, d)).astype(np.float32), ones, zeros, w(d, 3 * d), np.zeros(3 * d, np.float32),
            w(d, d), zeros, ones, zeros, w(d, 4 * d), np.zeros(4 * d, np.float32), w(4 * d, d), zeros]
    return Case(f"pre-LN transformer block d{d} h{h} s{s} b{bsz}", block, args)


def case_embedding_bag(q):
    rows, dim, bags, per = (100_000, 64, 256, 32) if q else (1_000_000, 64, 512, 32)
    (table,) = _np((rows, dim))
    idx = np.random.default_rng(3).integers(0, rows, (bags, per)).astype(np.int32)
    return Case(f"EmbeddingBag sum {rows}x{dim}, {bags}x{per}", lambda t, i: t[i].sum(1), [table, idx])


def case_chain(q):
    def chain(x):
        import jax.numpy as jnp

        for i in range(50):
            x = [lambda v: v * 1.0001, lambda v: v + 0.5, jnp.tanh, jnp.abs, lambda v: v - 0.25][i % 5](x)
        return x
    return Case("50 chained elementwise, 1k", chain, _np((1000,)))


CASES = {
    "overhead": case_overhead, "tanh": case_tanh, "gelu_gemm": case_gelu_gemm, "softmax": case_softmax,
    "layernorm": case_layernorm, "mlp": case_mlp, "transformer": case_transformer,
    "embedding_bag": case_embedding_bag, "chain": case_chain,
}


def measure(impls: dict, rounds: int) -> tuple[dict, dict]:
    """Median seconds per call of each implementation and the spread (interquartile range
    over median), interleaved round by round; the order rotates each round so that no
    implementation always runs first."""
    batch = {}
    for name, fn in impls.items():  # calls per timed batch: >= ~30 ms of work, at least 2
        fn()
        t = time.perf_counter()
        fn()
        batch[name] = max(2, min(2000, int(0.03 / max(time.perf_counter() - t, 1e-7))))
    names = list(impls)
    times = {k: [] for k in impls}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            fn = impls[name]
            time.sleep(0.15)
            fn()  # untimed call after switching implementation
            t = time.perf_counter()
            for _ in range(batch[name]):
                fn()
            times[name].append((time.perf_counter() - t) / batch[name])
    med = {k: statistics.median(v) for k, v in times.items()}
    spread = {k: (np.percentile(v, 75) - np.percentile(v, 25)) / med[k] for k, v in times.items()}
    return med, spread


_INSTR = re.compile(r"^\s*(?:ROOT\s+)?%?[\w.\-]+ = \S+ (\w[\w\-]*)\(", re.M)
_LINE = re.compile(r"\s*(ROOT )?%\S+ = (.+?) ([a-z][\w\-]*)\((.*)")
_NOISE = re.compile(r"metadata=\{.*?\}|backend_config=.*|%[\w.\-]+|stack_frame_id=\d+|op_name=\"[^\"]*\"")


def hlo_signature(text: str) -> list[str]:
    """The instructions of an optimized HLO module (shape, opcode, attributes), without
    names, metadata and backend configs: equal signatures mean XLA runs the same program."""
    sig = []
    for line in text.splitlines():
        m = _LINE.match(line)
        if m:
            rest = re.sub(r"[,\s]+$", "", _NOISE.sub("", m.group(4)))
            sig.append(f"{m.group(1) or ''}{m.group(2)} {m.group(3)}({rest}")
    return sig


def hlo_summary(text: str, cost: dict) -> str:
    """Fusions / instructions of the entry computation and XLA's cost estimate of an optimized module."""
    entry = text[text.index("ENTRY"):] if "ENTRY" in text else text
    entry = entry[:entry.find("\n}") + 1]
    ops = Counter(_INSTR.findall(entry))
    ops.pop("parameter", None)
    flops, nbytes = cost.get("flops", float("nan")), cost.get("bytes accessed", float("nan"))
    kinds = ", ".join(f"{k} {v}" for k, v in ops.most_common(5))
    return f"{sum(ops.values())} entry instrs ({kinds}); {flops / 1e6:.1f} MFLOP, {nbytes / 1e6:.1f} MB"


def run_case(case: Case, rounds: int, hlo_dir: str | None) -> dict:
    import jax

    import furcate
    from furcate.backends.xla import pjrt

    jargs = [jax.numpy.asarray(a) for a in case.args]
    jf = jax.jit(case.fn)
    ff = furcate.jit(case.fn, target="xla")
    t = time.perf_counter()
    want = np.asarray(jf(*jargs))
    t_jax = time.perf_counter() - t
    t = time.perf_counter()
    got = np.asarray(ff(*jargs))
    t_fur = time.perf_counter() - t
    exe = ff.compiled_for(*jargs).executable
    nargs = [np.asarray(a) for a in jargs]
    err = float(np.max(np.abs(got - want)) / max(1e-30, float(np.max(np.abs(want)))))
    impls = {
        "jax.jit": lambda: jf(*jargs).block_until_ready(),
        "furcate.jit[xla]": lambda: ff(*jargs).block_until_ready(),
        "executable": lambda: exe(*nargs),
    }
    med, spread = measure(impls, rounds)
    jax_compiled = jf.lower(*jargs).compile()
    fur_compiled = exe.steps[0].kernel.runner.compiled
    texts = {"jax.jit": jax_compiled.as_text(), "furcate": pjrt.optimized_hlo(fur_compiled)}
    costs = {"jax.jit": _cost(jax_compiled.cost_analysis()), "furcate": _cost(fur_compiled.executable.cost_analysis())}
    if hlo_dir:
        os.makedirs(hlo_dir, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9]+", "_", case.name).strip("_")
        for k, v in texts.items():
            with open(os.path.join(hlo_dir, f"{stem}.{k}.hlo.txt"), "w") as f:
                f.write(v)
    sigs = [hlo_signature(t) for t in texts.values()]
    if sigs[0] == sigs[1]:
        same = "yes"
    else:  # furcate asks for full-f32 dots (DESIGN.md numerics); jax.jit leaves the default
        sigs = [[line.replace(", operand_precision={highest,highest}", "") for line in sig] for sig in sigs]
        same = "yes, but dots at HIGHEST precision" if sigs[0] == sigs[1] else "no"
    return {"case": case.name, "med": med, "spread": spread, "err": err, "compile": (t_jax, t_fur), "same_hlo": same,
            "hlo": {k: hlo_summary(texts[k], costs[k]) for k in texts}}


def _cost(c) -> dict:
    return (c[0] if isinstance(c, (list, tuple)) else c) or {}


def io_report(quick: bool, rounds: int) -> str:
    """What binding one large input costs on XLA's CPU client: an aligned array in place, an
    unaligned one through furcate's staging buffer, and the same one through jax.device_put
    (which leaves the copy to PJRT)."""
    import jax

    from furcate.backends.xla import pjrt

    n = 1024 if quick else 4096
    text = jax.jit(lambda x: x[:1, :1]).lower(np.zeros((n, n), np.float32)).as_text()
    compiled = pjrt.compile(text, "cpu")
    runner = pjrt.Runner(compiled, 1)
    aligned = pjrt.aligned_empty((n, n), np.float32)
    raw = pjrt.aligned_empty((n * n + 16,), np.float32)
    unaligned = raw[4:4 + n * n].reshape(n, n)  # 16 bytes off, like NumPy's large allocations
    aligned[...] = unaligned[...] = 1.0
    staging: dict = {}

    cpu = jax.devices("cpu")[0]
    impls = {
        "aligned, in place": lambda: runner.bind([aligned])[0].block_until_ready(),
        "unaligned, furcate staging": lambda: runner.bind([unaligned], staging)[0].block_until_ready(),
        "unaligned, jax.device_put (PJRT's copy)": lambda: jax.device_put(unaligned, cpu).block_until_ready(),
    }
    in_place = runner.bind([aligned])[0].unsafe_buffer_pointer() == aligned.ctypes.data
    med, _ = measure(impls, rounds)
    lines = [f"binding one {n}x{n} f32 input ({n * n * 4 >> 20} MiB), median per call "
             f"(aligned input used in place: {in_place}):"]
    lines += [f"  {k}: {_fmt(v)}" for k, v in med.items()]
    return "\n".join(lines)


def table(results) -> str:
    lines = ["| case | same optimized HLO | jax.jit | furcate.jit[xla] | ratio | executable | ratio "
             "| Δ per call (furcate.jit / executable) |",
             "|---|---|---|---|---|---|---|---|"]
    for r in results:
        j, f, e = r["med"]["jax.jit"], r["med"]["furcate.jit[xla]"], r["med"]["executable"]
        delta = f"{(f - j) * 1e6:+.1f} µs / {(e - j) * 1e6:+.1f} µs" if j < 1e-3 else ""
        lines.append(f"| {r['case']} | {r['same_hlo']} | {_fmt(j)} | {_fmt(f)} | {f / j:.3f} | {_fmt(e)} | {e / j:.3f} | {delta} |")
    return "\n".join(lines)


def _fmt(t: float) -> str:
    return f"{t * 1e3:.3f} ms" if t >= 1e-3 else f"{t * 1e6:.1f} µs"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer rounds")
    ap.add_argument("--cases", default=",".join(CASES))
    ap.add_argument("--rounds", type=int, default=None, help="timed rounds per case (default 7, quick 3)")
    ap.add_argument("--hlo", metavar="DIR", help="write both optimized HLO modules of each case into DIR")
    ap.add_argument("--io", action="store_true", help="also time binding a large input (in place / staged / PJRT)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (3 if args.quick else 7)
    print(f"# {datetime.datetime.now():%Y-%m-%d %H:%M}, {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, median of {rounds} interleaved rounds", flush=True)
    results = []
    for name in args.cases.split(","):
        if name not in CASES:
            sys.exit(f"unknown case {name!r}; valid: {', '.join(CASES)}")
        r = run_case(CASES[name](args.quick), rounds, args.hlo)
        results.append(r)
        print(table([r]).split("\n", 2)[2], flush=True)
        print("    spread (IQR/median): " + ", ".join(f"{k} {v:.0%}" for k, v in r["spread"].items()))
        print(f"    max rel err {r['err']:.1e}; first call (trace+compile): jax {r['compile'][0] * 1e3:.0f} ms, "
              f"furcate {r['compile'][1] * 1e3:.0f} ms", flush=True)
        for k, v in r["hlo"].items():
            print(f"    HLO {k:8s}: {v}", flush=True)
    if args.io:
        print(io_report(args.quick, rounds), flush=True)
    print()
    print(table(results))


if __name__ == "__main__":
    main()
