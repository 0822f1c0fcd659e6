"""How compile time grows with graph size, stage by stage.

    python benchmarks/compile_scaling.py [--sizes 100,300,1000,3000,10000]
        [--backends numpy,c,xla,triton] [--graphs chain,dag,torch] [--quick] [--profile STAGE]

Graphs (``n`` = number of furcate ops, seeded, deterministic):

- ``chain``: an elementwise chain ``x -> sin -> *a -> +b -> tanh -> ...`` built with
  ``GraphBuilder`` (each op reads the previous one: depth n);
- ``dag``: a random DAG over [16, 16] f32 values mixing elementwise ops (~70%),
  row reductions broadcast back (~15%) and 16x16 GEMMs followed by tanh (~15%),
  operands drawn mostly from recent values, sometimes from any earlier one;
- ``torch``: the ``chain`` written as a torch function, captured by furcate's torch
  frontend (``trace_aten`` + ``convert_graph``) and then compiled like the others;
  ``torch.compile`` end to end (Dynamo + AOTAutograd included) is timed for the
  c backend as its own row.

Stages, per backend: ``ir:build`` (GraphBuilder + verify), ``ir:print`` (program text),
each pass of the default pipeline (``pass:canonicalize``, ``pass:fuse``: the driver's
``timed`` stages in ``furcate.stats()``), the backend's code generation
(``numpy:codegen``; ``c:lower`` = ``codegen:c`` minus the C compiler; ``c:compile``
= gcc, the ``c:compile`` stage of ``build.py``; ``xla:lower`` and ``triton:lower``
lower without building) and ``total`` (``compile_program`` wall time). The on-disk
cache is a fresh temporary directory and the in-process library table is cleared
before each C compile, so every build is real. Outputs of c (and xla) are checked
against the numpy backend.

The exponent is the least-squares slope of log t against log n over the sizes
where the stage took at least 2 ms (noise below that); "-" when fewer than two.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time

os.environ["FURCATE_CACHE_DIR"] = tempfile.mkdtemp(prefix="furcate-scaling-")  # before furcate is imported

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from furcate.dtypes import TensorSpec  # noqa: E402
from furcate.ir.builder import GraphBuilder  # noqa: E402

SIZES = [100, 300, 1000, 3000, 10000]
QUICK_SIZES = [100, 300, 1000]
CHAIN_LEN = 64  # elements of the chain's vector
DAG_SHAPE = (16, 16)
MIN_FIT_S = 2e-3


# --------------------------------------------------------------------------
# graphs

def chain_program(n: int):
    """x -> sin -> *a -> +b -> tanh -> sin ... : n elementwise ops, each reading the last."""
    b = GraphBuilder("chain")
    spec = TensorSpec((CHAIN_LEN,), "f32")
    x, a, c = b.arg(spec, "x"), b.arg(spec, "a"), b.arg(spec, "b")
    v = x
    for i in range(n):
        k = i % 4
        v = (b.op("sin", v) if k == 0 else b.op("mul", v, a) if k == 1
             else b.op("add", v, c) if k == 2 else b.op("tanh", v))
    return b.finish([v])


def chain_inputs(seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(CHAIN_LEN).astype(np.float32)
    a = rng.uniform(0.5, 1.0, CHAIN_LEN).astype(np.float32)
    c = rng.uniform(-0.1, 0.1, CHAIN_LEN).astype(np.float32)
    return [x, a, c]


def dag_program(n: int, seed: int = 0):
    """A random DAG of about n ops over [16, 16] f32 values (elementwise, reductions, GEMMs)."""
    rng = np.random.default_rng(seed)
    b = GraphBuilder("dag")
    spec = TensorSpec(DAG_SHAPE, "f32")
    vals = [b.arg(spec, f"x{i}") for i in range(4)]
    unused = set(range(len(vals)))  # values nothing reads yet: returned at the end
    count = 0

    def pick():
        i = (len(vals) - 1 - int(rng.integers(0, min(8, len(vals))))
             if rng.random() < 0.85 else int(rng.integers(0, len(vals))))
        unused.discard(i)
        return vals[i]

    def push(v):
        unused.add(len(vals))
        vals.append(v)

    while count < n:
        r = rng.random()
        if r < 0.15:  # row max, broadcast back, subtracted (bounded, like softmax's shift)
            x = pick()
            m = b.op("reduce", x, kind="max", dimensions=[1])
            mb = b.op("broadcast_in_dim", m, broadcast_dimensions=[0], shape=list(DAG_SHAPE))
            push(b.op("sub", x, mb))
            count += 3
        elif r < 0.30:  # small GEMM, then tanh to stay bounded
            x, y = pick(), pick()
            g = b.op("dot_general", x, y, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                     lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
            push(b.op("tanh", g))
            count += 2
        elif r < 0.65:
            push(b.op(["sin", "tanh", "neg", "abs"][int(rng.integers(0, 4))], pick()))
            count += 1
        else:
            push(b.op(["add", "mul", "sub", "max"][int(rng.integers(0, 4))], pick(), pick()))
            count += 1
    outs = [vals[i] for i in sorted(unused)][-8:] or [vals[-1]]
    return b.finish(outs)


def dag_inputs(seed: int = 0):
    rng = np.random.default_rng(seed + 1)
    return [rng.uniform(-1, 1, DAG_SHAPE).astype(np.float32) for _ in range(4)]


def torch_chain_fn(n: int):
    import torch

    def f(x, a, c):
        v = x
        for i in range(n):
            k = i % 4
            v = torch.sin(v) if k == 0 else v * a if k == 1 else v + c if k == 2 else torch.tanh(v)
        return v
    return f


# --------------------------------------------------------------------------
# timing

def _stats_stages():
    import furcate

    return furcate.stats(reset=True)["compile_time_s"]


def _clear_library_table():
    from furcate.backends.c import build

    build._LIBS.clear()  # the in-process table of loaded libraries: a rebuilt source must be compiled


def _lower_only(backend: str, program) -> float:
    """xla / triton: lower the (already passed) program without building; seconds."""
    t0 = time.perf_counter()
    if backend == "xla":
        from furcate.backends.xla.lower import lower_program

        lower_program(program)
    else:
        os.environ.setdefault("TRITON_INTERPRET", "1")
        from furcate.backends.triton.build import Units

        Units(program, True, "scaling_k")
    return time.perf_counter() - t0


def time_backend(make_program, backend: str, inputs, ref=None) -> tuple[dict, object]:
    """Stage -> seconds for one program on one backend, and the outputs (or None)."""
    from furcate.compiler import compile_program, run_pipeline
    from furcate.backends import get_backend

    out: dict[str, float] = {}
    t0 = time.perf_counter()
    program = make_program()
    out["ir:build"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    program.text()
    out["ir:print"] = time.perf_counter() - t0
    _stats_stages()
    if backend in ("xla", "triton"):
        t0 = time.perf_counter()
        run_pipeline(program, "default", capabilities=get_backend(backend).capabilities())
        total = time.perf_counter() - t0
        out.update({k: v for k, v in _stats_stages().items() if k.startswith("pass:")})
        out[f"{backend}:lower"] = _lower_only(backend, program)
        out["total"] = total + out[f"{backend}:lower"]
        return out, None
    if backend == "c":
        _clear_library_table()
    t0 = time.perf_counter()
    exe = compile_program(program, backend, {"name": "scaling"})
    out["total"] = time.perf_counter() - t0
    st = _stats_stages()
    out.update({k: v for k, v in st.items() if k.startswith("pass:")})
    if backend == "c":
        out["c:compile"] = st.get("c:compile", 0.0)
        out["c:lower"] = st.get("codegen:c", 0.0) - out["c:compile"]
    else:
        out[f"{backend}:codegen"] = st.get(f"codegen:{backend}", 0.0)
    t0 = time.perf_counter()
    res = exe(*inputs)
    out["run:first call"] = time.perf_counter() - t0
    if ref is not None:
        for got, want in zip(res, ref):
            if not np.allclose(got, want, rtol=1e-4, atol=1e-5, equal_nan=True):
                raise AssertionError(f"{backend} differs from numpy: max |diff| "
                                     f"{float(np.nanmax(np.abs(got - want)))}")
    return out, res


def time_torch(n: int, backends) -> dict:
    """The torch frontend (trace + convert), then each backend; and torch.compile end to end (c)."""
    import torch

    from furcate.frontend.torch_fx import convert_graph, trace_aten

    fn = torch_chain_fn(n)
    args = [torch.from_numpy(a) for a in chain_inputs()]
    rows: dict[str, float] = {}
    t0 = time.perf_counter()
    gm = trace_aten(fn, args)
    rows["torch:trace (make_fx)"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    convert_graph(gm, name="chain", inputs_as_results=True)
    rows["torch:convert"] = time.perf_counter() - t0
    if "c" in backends:
        import furcate  # noqa: F401  (registers the backend)

        torch._dynamo.reset()
        _clear_library_table()
        _stats_stages()
        t0 = time.perf_counter()
        got = torch.compile(fn, backend="furcate", options={"target": "c"})(*args)
        rows["torch.compile e2e [c]"] = time.perf_counter() - t0
        st = _stats_stages()
        ours = st.get("frontend:torch", 0.0) + sum(v for k, v in st.items() if k.startswith(("pass:", "codegen:")))
        rows["  of it dynamo+aot"] = rows["torch.compile e2e [c]"] - ours
        rows["  of it frontend:torch"] = st.get("frontend:torch", 0.0)
        want = fn(*args)
        if not torch.allclose(got, want, rtol=1e-4, atol=1e-5):
            raise AssertionError(f"torch.compile chain {n}: max |diff| {(got - want).abs().max().item()}")
    return rows


# --------------------------------------------------------------------------
# report

def exponent(sizes, times) -> float | None:
    pts = [(math.log(n), math.log(t)) for n, t in zip(sizes, times) if t is not None and t >= MIN_FIT_S]
    if len(pts) < 2:
        return None
    xs, ys = np.array(pts).T
    return float(np.polyfit(xs, ys, 1)[0])


def fmt(t) -> str:
    if t is None:
        return "-"
    if isinstance(t, str):
        return t
    return f"{t * 1e3:.1f} ms" if t < 1 else f"{t:.2f} s"


def table(title: str, sizes, results: dict[int, dict]) -> str:
    stages: list[str] = []
    for n in sizes:
        for k in results.get(n, {}):
            if k not in stages:
                stages.append(k)
    head = f"| {title} | " + " | ".join(f"n={n}" for n in sizes) + " | exponent |"
    lines = [head, "|---" * (len(sizes) + 2) + "|"]
    for s in stages:
        ts = [results.get(n, {}).get(s) for n in sizes]
        e = exponent(sizes, [t if isinstance(t, float) else None for t in ts])
        lines.append(f"| {s} | " + " | ".join(fmt(t) for t in ts) + f" | {'-' if e is None else f'{e:.2f}'} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", help="comma-separated op counts (default 100,300,1000,3000,10000)")
    ap.add_argument("--backends", default="numpy,c", help="numpy,c,xla,triton (xla/triton: lowering only)")
    ap.add_argument("--graphs", default="chain,dag,torch", help="chain,dag,torch")
    ap.add_argument("--quick", action="store_true", help="sizes 100,300,1000")
    ap.add_argument("--profile", metavar="N", type=int, help="cProfile one chain and one dag compile of N ops on c")
    args = ap.parse_args(argv)
    sizes = ([int(s) for s in args.sizes.split(",")] if args.sizes else QUICK_SIZES if args.quick else SIZES)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    graphs = [g.strip() for g in args.graphs.split(",") if g.strip()]
    if args.profile:
        return profile(args.profile, backends)
    print(f"compile scaling: sizes {sizes}, backends {backends}, cache {os.environ['FURCATE_CACHE_DIR']}",
          flush=True)
    makers = {"chain": (chain_program, chain_inputs), "dag": (dag_program, dag_inputs),
              "torch": (None, chain_inputs)}
    for g in graphs:
        make, inputs_of = makers[g]
        for be in backends:
            if g == "torch" and be != "numpy" and be != backends[0]:
                continue  # the frontend rows are the same for every backend: once
            results: dict[int, dict] = {}
            for n in sizes:
                try:
                    if g == "torch":
                        results[n] = time_torch(n, backends)
                    else:
                        ref = None
                        if be in ("c",):
                            _, ref = time_backend(lambda: make(n), "numpy", inputs_of())
                        results[n], _ = time_backend(lambda: make(n), be, inputs_of(), ref)
                except RecursionError as e:
                    results[n] = {"total": f"RecursionError: {str(e)[:40]}"}
                print(f"  {g} {be if g != 'torch' else 'frontend'} n={n}: "
                      f"{fmt(results[n].get('total', results[n].get('torch.compile e2e [c]')))}", flush=True)
            print()
            print(table(f"{g} [{be if g != 'torch' else 'torch frontend'}]", sizes, results))
            print(flush=True)
    return 0


def profile(n: int, backends) -> int:
    import cProfile
    import pstats

    from furcate.compiler import compile_program

    for name, make in (("chain", chain_program), ("dag", dag_program)):
        for be in backends:
            if be not in ("numpy", "c"):
                continue
            _clear_library_table()
            prog = make(n)
            pr = cProfile.Profile()
            pr.enable()
            compile_program(prog, be, {"name": "scaling"})
            pr.disable()
            print(f"==== {name} n={n} [{be}]")
            pstats.Stats(pr).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
