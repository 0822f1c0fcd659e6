"""Placement benchmark: furcate's plan against all-on-one-device plans.

1. Estimated time (the cost model) of furcate's plan vs all-CPU and
   all-accelerator plans, for a few models on simulated machines (fixed
   datasheet specs: host + H100 / A100 / TPU v5e, and a small-memory GPU).
2. On this machine: the measured time of placed C + XLA(CPU) plans (free and
   forced splits) vs the single-target plans (c only, xla only), with the
   cost model's estimate over the best and the median measured time (on a
   shared machine the best run is the one the specs, themselves best-of-N
   microbenchmarks, describe; the median includes the other tenants).

Run: ``.venv/bin/python benchmarks/placement.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from furcate.compiler import compile_program, run_pipeline
from furcate.dtypes import TensorSpec as T
from furcate.compiler import placement_pipeline
from furcate.ir.builder import GraphBuilder
from furcate.passes.explain import fmt_time
from furcate.runtime import devices as D


def dot(b, x, w):
    return b.op("dot_general", x, w, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
                lhs_batching_dimensions=[], rhs_batching_dimensions=[])


def mlp(batch=256, width=512, depth=3):
    rng = np.random.default_rng(0)
    b = GraphBuilder()
    h = b.arg(T((batch, width), "f32"), "x")
    for i in range(depth):
        w = b.constant(rng.standard_normal((width, width)).astype(np.float32) / width**0.5, name=f"w{i}")
        h = b.op("tanh", dot(b, h, w))
    return b.finish([h]), [rng.standard_normal((batch, width)).astype(np.float32)]


def recommender(batch=128, rows=20000, dim=256):
    rng = np.random.default_rng(1)
    b = GraphBuilder()
    ids = b.arg(T((batch,), "i32"), "ids")
    table = b.constant(rng.standard_normal((rows, dim)).astype(np.float32), name="table")
    e = b.op("gather", table, ids, axis=0)
    w = b.constant(rng.standard_normal((dim, 512)).astype(np.float32) / 16, name="w")
    out = b.op("reduce", b.op("exp", b.op("tanh", dot(b, e, w))), kind="sum", dimensions=[1])
    return b.finish([out]), [rng.integers(0, rows, batch).astype(np.int32)]


def small():
    b = GraphBuilder()
    x = b.arg(T((16, 16), "f32"), "x")
    return b.finish([b.op("tanh", b.op("mul", x, x))]), [np.ones((16, 16), np.float32)]


def preprocess(batch=256, width=512):
    rng = np.random.default_rng(2)
    b = GraphBuilder()
    x = b.arg(T((batch, width), "f32"), "x")
    c = b.op("cumulative", x, kind="sum", dimension=1, reverse=0)
    w = b.constant(rng.standard_normal((width, width)).astype(np.float32) / width, name="w")
    h = b.op("tanh", dot(b, c, w))
    return b.finish([b.op("cumulative", h, kind="max", dimension=1, reverse=0)]), \
        [rng.standard_normal((batch, width)).astype(np.float32)]


MODELS = {"mlp": mlp, "recommender": recommender, "small": small, "preprocess": preprocess}
HOST = D.Device("cpu", D.KNOWN_PARTS["host"], ("numpy",))
KERNEL_OPS = {"add", "mul", "tanh", "exp", "dot_general", "reduce", "gather", "broadcast_in_dim", "transpose",
              "reshape", "convert", "constant", "iota", "constant_ref"}
MACHINES = {
    "host+h100": D.Machine((HOST, D.simulated("h100", ops=KERNEL_OPS))),
    "host+a100": D.Machine((HOST, D.simulated("a100", ops=KERNEL_OPS))),
    "host+tpu-v5e": D.Machine((HOST, D.simulated("tpu-v5e"))),
    "host+h100(8MB)": D.Machine((HOST, D.simulated("h100", ops=KERNEL_OPS, memory=8e6))),
}


def plan_for(model, machine, pins=None):
    prog, _ = MODELS[model]()
    return placement_pipeline(prog, {"placement": pins or {}}, machine, run_pipeline)


def estimated():
    print("== estimated (cost model, simulated devices, datasheet specs) ==")
    print(f"{'model':<12} {'machine':<16} {'plan':>10} {'all-cpu':>10} {'all-accel':>12}  devices used")
    for model in MODELS:
        for mname, machine in MACHINES.items():
            plan = plan_for(model, machine)
            accel = machine.devices[1].name
            a = plan.single[accel]
            print(f"{model:<12} {mname:<16} {fmt_time(plan.total_s):>10} {fmt_time(plan.single['cpu']):>10} "
                  f"{(fmt_time(a) if a is not None else 'n/a'):>12}  {', '.join(plan.devices_used())}")


def _times(exe, args, n):
    """(best, median) of ``n`` timed calls, after an idle pause and one untimed call."""
    time.sleep(0.15)
    exe(*args)
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        exe(*args)
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def measured(quick: bool):
    import furcate.devices as public

    here = public.machine()
    if "xla:cpu" not in here.names:
        print("(no XLA CPU device here: skipping measured plans)")
        return
    machine = D.Machine((here["cpu"], here["xla:cpu"]))
    print(f"\n== measured on this machine: {', '.join(str(d) for d in machine.devices)} ==")
    for dev in machine.devices:
        print(f"  {dev.name}: f32 {dev.spec.flops('f32') / 1e9:.0f} GFLOP/s, {dev.spec.mem_bandwidth / 1e9:.0f} GB/s, "
              f"launch {dev.spec.launch_overhead * 1e6:.1f} us ({dev.spec.source})")
    print(f"{'model':<12} {'plan':<22} {'best':>10} {'median':>10} {'estimate':>10} {'est/best':>9} {'est/med':>8}")
    n = 5 if quick else 20
    for model in ("mlp", "recommender", "preprocess"):
        prog, args = MODELS[model]()
        ref = compile_program(MODELS[model]()[0], "numpy")(*args)
        variants = {
            "c only": ("c", {}, {"devices": [machine["cpu"]]}),
            "xla only": ("xla", {}, {}),
            "placed (free)": ("auto", {}, {"devices": machine}),
            "split: gemm on xla": ("auto", {"dot_general": "xla:cpu"}, {"devices": machine}),
        }
        for label, (target, pins, extra) in variants.items():
            opts = dict(extra)
            if pins:
                opts["placement"] = pins
            exe = compile_program(MODELS[model]()[0], target, opts)
            got = exe(*args)
            ok = all(np.allclose(np.asarray(g), r, rtol=1e-3, atol=1e-3) for g, r in zip(got, ref))
            best, med = _times(exe, args, n)
            single = {"c only": "cpu", "xla only": "xla:cpu"}.get(label)
            plan = getattr(exe, "placement", None) or plan_for(model, machine)
            est = plan.total_s if single is None else plan.single[single]
            print(f"{model:<12} {label:<22} {fmt_time(best):>10} {fmt_time(med):>10} {fmt_time(est):>10} "
                  f"{est / best:>9.2f} {est / med:>8.2f}" + ("" if ok else "  MISMATCH vs numpy")
                  + (f"  [{', '.join(plan.devices_used())}; {plan.strategy}]" if single is None else ""))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer timed runs")
    args = ap.parse_args()
    estimated()
    measured(args.quick)


if __name__ == "__main__":
    main()
