"""Placed programs really run: split between the C backend and XLA's CPU client, or onto a
simulated accelerator, with results equal to the NumPy backend."""

from __future__ import annotations

import dataclasses

import logging
import time

import numpy as np
import pytest

from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec as T
from furcate.ir import dialect as d
from furcate.ir.builder import GraphBuilder
from furcate.runtime.devices import Device, make_spec, simulated
from tests.tolerance import assert_close

HOST = Device("cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 3e-6), ("c", "numpy"))
XLA_CPU = Device("xla:cpu", make_spec("test-host", "cpu", {"f32": 100e9}, 20e9, 64e9, 10e-6), ("xla",),
                 memory_domain="host")


def dot(b, x, w):
    return b.op("dot_general", x, w, lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0],
                lhs_batching_dimensions=[], rhs_batching_dimensions=[])


def recommender():
    """Embedding lookup, an MLP, a softmax-ish reduction; returns two outputs and an input."""
    rng = np.random.default_rng(1)
    b = GraphBuilder()
    ids = b.arg(T((32,), "i32"), "ids")
    dense = b.arg(T((32, 64), "f32"), "dense")
    rows = b.op("gather", b.constant(rng.standard_normal((500, 64)).astype(np.float32), name="table"), ids, axis=0)
    h = b.op("add", rows, dense)
    h = b.op("tanh", dot(b, h, b.constant(rng.standard_normal((64, 128)).astype(np.float32) * 0.1, name="w1")))
    logits = dot(b, h, b.constant(rng.standard_normal((128, 16)).astype(np.float32) * 0.1, name="w2"))
    total = b.op("reduce", b.op("exp", logits), kind="sum", dimensions=[1])
    return b.finish([logits, total, dense])


def inputs():
    rng = np.random.default_rng(2)
    return [rng.integers(0, 500, 32).astype(np.int32), rng.standard_normal((32, 64)).astype(np.float32)]


def reference():
    return compile_program(recommender(), "numpy")(*inputs())


def test_split_between_c_and_xla_cpu_matches_numpy():
    pytest.importorskip("jax")
    exe = compile_program(recommender(), "auto", {
        "devices": [HOST, XLA_CPU], "placement": {"dot_general": "xla:cpu", "gather": "cpu"}})
    targets = {s.target for s in exe.steps}
    assert {"xla", "transfer"} <= targets and targets & {"c", "numpy"}
    assert {s.device for s in exe.steps} == {"cpu", "xla:cpu"}
    got = exe(*inputs())
    for a, r in zip(got, reference()):
        assert isinstance(a, np.ndarray)
        assert_close(a, r, accumulated=True)
    assert got[2] is not inputs()[1]  # a returned input comes back as its own array
    gemms = [dec for dec in exe.placement.decisions if "gemm" in dec.label]
    assert gemms and all(g.device == "xla:cpu" and g.reason == "pinned" for g in gemms)


def test_transfers_between_c_and_xla_cpu_are_zero_copy():
    """cpu and xla:cpu share host memory and furcate's XLA steps bind host arrays themselves:
    a transfer hands over the very same array, in ~a microsecond (jax.device_put took ~20)."""
    pytest.importorskip("jax")
    from furcate.runtime.devices import to_device

    exe = compile_program(recommender(), "auto", {
        "devices": [HOST, XLA_CPU], "placement": {"gather": "xla:cpu", "reduce": "cpu"}})
    seen = []

    def spying(s):
        if s.target != "transfer":
            return s

        def spy(x, kernel=s.kernel, s=s):
            (y,) = kernel(x)
            seen.append((s.device, x, y))
            return [y]

        return dataclasses.replace(s, kernel=spy)

    exe = dataclasses.replace(exe, steps=[spying(s) for s in exe.steps])  # the plan is fixed at build time
    got = exe(*inputs())
    for a, r in zip(got, reference()):
        assert_close(a, r, accumulated=True)
    assert {dv for dv, _, _ in seen} == {"cpu", "xla:cpu"}
    for _, x, y in seen:
        assert type(y) is np.ndarray and y is x  # no copy, no jax array
    x = np.ones((32, 64), np.float32)
    best = min(_time(lambda: to_device(x, XLA_CPU)) for _ in range(500))
    assert best < 10e-6, f"a cpu -> xla:cpu transfer took {best * 1e6:.1f} us"


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_simulated_accelerator_executes_on_host():
    exe = compile_program(recommender(), "auto", {"devices": [HOST, simulated("h100")],
                                                  "placement": {"dot_general": "sim:h100"}})
    plan = exe.placement
    assert any(dec.device == "sim:h100" for dec in plan.decisions)
    sim_steps = [s for s in exe.steps if s.device == "sim:h100"]
    assert sim_steps and {s.target for s in sim_steps} <= {"numpy", "transfer"}  # runs on the host
    for a, r in zip(exe(*inputs()), reference()):
        assert_close(a, r, accumulated=True)


def test_placement_log_explains_every_group(caplog):
    from furcate.diagnostics import enable_logging

    enable_logging("placement")
    logger = logging.getLogger("furcate")
    logger.propagate = True
    try:
        with caplog.at_level(logging.DEBUG, logger="furcate.placement"):
            exe = compile_program(recommender(), "auto", {"devices": [HOST, simulated("h100")]})
    finally:
        logger.propagate = False
        logging.getLogger("furcate.placement").setLevel(logging.WARNING)
    text = caplog.text
    for dec in exe.placement.decisions:
        assert dec.unit in text
    assert "all on sim:h100" in text and "estimated total" in text


def test_single_device_list_compiles_normally():
    exe = compile_program(recommender(), "numpy", {"devices": [HOST]})
    assert not hasattr(exe, "placement")
    for a, r in zip(exe(*inputs()), reference()):
        assert_close(a, r)


def test_transfers_are_in_the_ir():
    from furcate.compiler import placement_pipeline
    from furcate.runtime.devices import resolve
    from furcate.compiler import run_pipeline

    prog = recommender()
    placement_pipeline(prog, {"placement": {"gather": "sim:h100"}}, resolve([HOST, simulated("h100")]), run_pipeline)
    ts = [op for op in prog.func.body.block.ops if isinstance(op, d.TransferOp)]
    assert ts and all({t.src.data, t.dst.data} == {"cpu", "sim:h100"} for t in ts)
