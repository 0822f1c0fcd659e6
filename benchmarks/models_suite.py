"""Real models on the CPU: eager PyTorch vs torch.compile (inductor) vs torch.compile
(backend="furcate", default options), and jax.jit vs furcate.jit for models with a JAX twin.

    python benchmarks/models_suite.py [--quick] [--only gpt2,resnet] [--rounds N]

Models (``benchmarks/models.py``): Hugging Face GPT-2, BERT, Llama, T5 and ViT built offline
from configs with random weights, ResNet- and MobileNet-style CNNs, a DLRM-style recommender,
a Linear-LayerNorm-GELU-Linear block and an EmbeddingBag, each at batch 1 and a serving batch
(8), "small" (~1-5M parameters) and, without --quick, "medium" (~20-50M, sequence 128).

Every model runs in eval mode under no_grad. All implementations of a row run interleaved in
one process (the house timing pattern of ``cpu_suite.py``: ~150 ms idle and an untimed call
when switching library); a ratio is the median over rounds of eager's time / the
implementation's time in the same round (paired). Also: the first call's time (compile) per
implementation, the largest absolute difference from eager, and for furcate the ops left to
eager and the ops that ran on another backend (``furcate.stats()``). Prints a markdown table
and a geomean line; ``--write`` puts them into docs/performance.md under a "Real models" heading.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import math
import os
import platform
import statistics
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import cpu_suite  # noqa: E402  (the house timing helpers)


def load_models():
    """``benchmarks/models.py`` as a module (the name ``benchmarks`` is taken by xdsl's wheel)."""
    name = "furcate_bench_models"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, os.path.join(HERE, "models.py"))
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod  # Dynamo looks modules up by name while it traces
        spec.loader.exec_module(mod)
    return sys.modules[name]


BATCHES = (1, 8)
JAX_IMPLS = ("jax.jit", "furcate.jit")


def _max_err(a, b) -> float:
    import numpy as np

    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


def build_row(M, kind: str, size: str, batch: int) -> dict:
    """One row: the implementations (name -> zero-argument callable), compile seconds, errors."""
    import torch

    import furcate

    model, inputs = M.MODELS[kind](size, batch)
    row = {"name": f"{kind} {size} b{batch}", "params": M.params(model), "impls": {}, "compile_s": {},
           "err": {}, "notes": []}
    with torch.no_grad():
        ref = model(*inputs).detach().numpy()
    row["impls"]["eager"] = lambda: model(*inputs)
    for name, kw in (("inductor", dict(backend="inductor")), ("furcate", dict(backend="furcate"))):
        torch._dynamo.reset()
        cpu_suite._forget_loaded_kernels()
        furcate.stats(reset=True)
        compiled = torch.compile(model, **kw)
        t = time.perf_counter()
        try:
            with torch.no_grad():
                out = compiled(*inputs)
        except Exception as e:  # a column that fails says why, the rest still run
            row["notes"].append(f"{name} failed: {type(e).__name__}: {str(e)[:160]}")
            continue
        row["compile_s"][name] = time.perf_counter() - t
        row["err"][name] = _max_err(out.detach().numpy(), ref)
        row["impls"][name] = (lambda c: (lambda: c(*inputs)))(compiled)
        if name == "furcate":
            st = furcate.stats(reset=True)
            if st["ops_eager"]:
                row["notes"].append(f"ops left to eager: {st['ops_eager']}")
            for s in sorted(set(st["backend_fallbacks"])):
                row["notes"].append(s)
    twin = M.JAX_TWINS.get(kind)
    if twin is not None:
        import jax

        f = twin(model)
        jx = [jax.numpy.asarray(t.numpy()) for t in inputs]
        for name, jitted in (("jax.jit", jax.jit(f)), ("furcate.jit", furcate.jit(f))):
            t = time.perf_counter()
            out = jitted(*jx)
            row["compile_s"][name] = time.perf_counter() - t
            row["err"][name] = _max_err(out, ref)
            row["impls"][name] = _jax_call(jitted, jx)
    return row


def _jax_call(fn, args):
    def call():
        out = fn(*args)
        if hasattr(out, "block_until_ready"):
            out.block_until_ready()
        return out
    return call


def measure_paired(impls: dict, rounds: int, batch: int) -> tuple[dict, dict]:
    """(median time per implementation, median over rounds of the paired ratio base/impl),
    where the base is eager for torch implementations and jax.jit for furcate.jit."""
    import torch

    times = {k: [] for k in impls}
    with torch.no_grad():
        for _ in range(rounds):
            for name, fn in impls.items():
                time.sleep(0.15)
                fn()  # untimed call after switching library
                t = time.perf_counter()
                for _ in range(batch):
                    fn()
                times[name].append((time.perf_counter() - t) / batch)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = {}
    for k, v in times.items():
        base = "jax.jit" if k in JAX_IMPLS else "eager"
        if base in times:
            ratio[k] = statistics.median(b / x for b, x in zip(times[base], v))
    return med, ratio


def _batch_for(t_eager: float, quick: bool) -> int:
    """Calls per timed batch: about 20 ms of eager work (at least 1)."""
    return max(1, min(50 if not quick else 20, int(0.02 / max(t_eager, 1e-6))))


COLS = ("inductor", "furcate", "furcate.jit")


def table(rows) -> str:
    lines = ["| model | params | eager | inductor vs eager | furcate vs eager | furcate vs inductor | "
             "jax.jit / furcate.jit | compile inductor / furcate | max err inductor / furcate |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        rt, med, cs, err = r["ratio"], r["median"], r["compile_s"], r["err"]

        def x(k):
            return f"{rt[k]:.2f}x" if k in rt else "-"
        fi = f"{rt['furcate'] / rt['inductor']:.2f}x" if "furcate" in rt and "inductor" in rt else "-"
        jx = (f"{med['jax.jit'] * 1e3:.3f} / {med['furcate.jit'] * 1e3:.3f} ms ({x('furcate.jit')})"
              if "furcate.jit" in med else "-")
        c = " / ".join(f"{cs[k]:.1f} s" if k in cs else "-" for k in ("inductor", "furcate"))
        e = " / ".join(f"{err[k]:.1e}" if k in err else "-" for k in ("inductor", "furcate"))
        lines.append(f"| {r['name']} | {r['params'] / 1e6:.2f}M | {med['eager'] * 1e3:.3f} ms | {x('inductor')} | "
                     f"**{x('furcate')}** | {fi} | {jx} | {c} | {e} |")
    return "\n".join(lines)


def geomean_line(rows) -> str:
    def gm(k):
        v = [r["ratio"][k] for r in rows if k in r["ratio"]]
        return math.exp(sum(map(math.log, v)) / len(v)) if v else float("nan")
    ind, fur = gm("inductor"), gm("furcate")
    below = [r["name"] for r in rows if r["ratio"].get("furcate", 1.0) < 0.95]
    return (f"Geomean vs eager over {len(rows)} rows: inductor {ind:.2f}x, furcate {fur:.2f}x "
            f"(furcate / inductor {fur / ind:.2f}); furcate below 0.95x eager: {', '.join(below) or 'none'}.")


def main(argv=None):
    M = load_models()
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small models only, fewer rounds")
    ap.add_argument("--only", default=None, help=f"comma-separated kinds of {sorted(M.MODELS)}")
    ap.add_argument("--sizes", default=None, help="comma-separated sizes (default small,medium; quick: small)")
    ap.add_argument("--rounds", type=int, default=None, help="timed rounds per row (default 7, quick 3)")
    ap.add_argument("--write", action="store_true", help="put the table into docs/performance.md")
    args = ap.parse_args(argv)
    os.environ.setdefault("FURCATE_CACHE_DIR", tempfile.mkdtemp(prefix="furcate-models-"))
    kinds = args.only.split(",") if args.only else list(M.MODELS)
    unknown = [k for k in kinds if k not in M.MODELS]
    if unknown:
        ap.error(f"unknown model kind(s) {unknown}; choose from {sorted(M.MODELS)}")
    sizes = args.sizes.split(",") if args.sizes else (["small"] if args.quick else ["small", "medium"])
    rounds = args.rounds or (3 if args.quick else 7)
    load = os.getloadavg()
    rows = []
    for kind in kinds:
        if kind in M.HF_KINDS and importlib.util.find_spec("transformers") is None:
            print(f"  {kind}: skipped (transformers is not installed: pip install .[bench])", file=sys.stderr)
            continue
        for size in sizes:
            for batch in BATCHES:
                row = build_row(M, kind, size, batch)
                row["impls"]["eager"]()  # warm
                t0 = time.perf_counter()
                row["impls"]["eager"]()
                bsz = _batch_for(time.perf_counter() - t0, args.quick)
                row["median"], row["ratio"] = measure_paired(row["impls"], rounds, bsz)
                del row["impls"]
                rows.append(row)
                print(table([row]).split("\n", 2)[2], flush=True)
                for n in row["notes"]:
                    print(f"    {row['name']}: {n}", flush=True)
    text = table(rows)
    gm = geomean_line(rows)
    print()
    print(text)
    print()
    print(gm)
    notes = [f"- {r['name']}: {n}" for r in rows for n in r["notes"]]
    if notes:
        print("\n".join(notes))
    if args.write:
        opts = " ".join(a for a in (argv if argv is not None else sys.argv[1:]) if a != "--write")
        head = (f"\n## Real models\n\nGenerated by `benchmarks/models_suite.py {opts}` on "
                f"{datetime.datetime.now():%Y-%m-%d, %H:%M} ({cpu_suite._cpu_name()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; load average {load[0]:.2f} at the start, "
                f"{os.getloadavg()[0]:.2f} at the end). Ratios are paired medians vs eager.\n\n")
        path = os.path.join(ROOT, "docs", "performance.md")
        old = open(path).read() if os.path.exists(path) else "# Performance (CPU)\n"
        old = old.split("\n## Real models\n", 1)[0].rstrip("\n") + "\n"
        with open(path, "w") as f:
            f.write(old + head + text + "\n\n" + gm + "\n" + ("\n" + "\n".join(notes) + "\n" if notes else ""))
    return rows


if __name__ == "__main__":
    main()
