"""Deep and wide graphs compile without hitting Python's recursion limit, fast, and right
(issue 18; benchmarks/compile_scaling.py measures the growth per stage).

A 2,000-op chain is deeper than the default recursion limit (1,000): any recursive walk
on graph depth in the passes, a backend's lowering, the verifier or the printer raises
``RecursionError`` here."""

from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from furcate.compiler import compile_program
from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec

from tests.passes.helpers import run_numpy
from tests.tolerance import assert_close

CHAIN_OPS = 2000


def chain(n: int):
    """x -> sin -> *a -> +b -> tanh -> sin ... (n ops, each reading the previous one)."""
    b = GraphBuilder("chain")
    spec = TensorSpec((64,), "f32")
    x, a, c = b.arg(spec, "x"), b.arg(spec, "a"), b.arg(spec, "b")
    v = x
    for i in range(n):
        k = i % 4
        v = (b.op("sin", v) if k == 0 else b.op("mul", v, a) if k == 1
             else b.op("add", v, c) if k == 2 else b.op("tanh", v))
    return b.finish([v])


def chain_expected(x, a, c, n: int) -> np.ndarray:
    v = x.astype(np.float64)
    for i in range(n):
        k = i % 4
        v = np.sin(v) if k == 0 else v * a if k == 1 else v + c if k == 2 else np.tanh(v)
    return v.astype(np.float32)


def dag(n: int, seed: int = 0):
    """Reductions read by elementwise groups, GEMMs, values reused far away: the
    reduction merges of the fuser see many candidates."""
    rng = np.random.default_rng(seed)
    b = GraphBuilder("dag")
    spec = TensorSpec((8, 8), "f32")
    vals = [b.arg(spec, f"x{i}") for i in range(3)]

    def pick():
        return vals[-1 - int(rng.integers(0, min(6, len(vals))))] if rng.random() < 0.85 else vals[
            int(rng.integers(0, len(vals)))]

    while len(vals) < n:
        r = rng.random()
        if r < 0.2:
            x = pick()
            m = b.op("reduce", x, kind="max", dimensions=[1])
            vals.append(b.op("sub", x, b.op("broadcast_in_dim", m, broadcast_dimensions=[0], shape=[8, 8])))
        elif r < 0.35:
            g = b.op("dot_general", pick(), pick(), lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                     lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
            vals.append(b.op("tanh", g))
        elif r < 0.65:
            vals.append(b.op(["sin", "tanh", "neg"][int(rng.integers(0, 3))], pick()))
        else:
            vals.append(b.op(["add", "mul", "max"][int(rng.integers(0, 3))], pick(), pick()))
    return b.finish(vals[-4:])


@pytest.mark.parametrize("target", ["numpy", "c"])
def test_chain_of_2000_ops_compiles_and_runs(target):
    assert sys.getrecursionlimit() < CHAIN_OPS  # else the test could not catch a recursive walk
    rng = np.random.default_rng(0)
    x = rng.standard_normal(64).astype(np.float32)
    a = rng.uniform(0.5, 1.0, 64).astype(np.float32)
    c = rng.uniform(-0.1, 0.1, 64).astype(np.float32)
    program = chain(CHAIN_OPS)
    program.text()  # the printer walks the whole body too
    t0 = time.perf_counter()
    exe = compile_program(program, target, {"name": f"deep_chain_{target}"})
    elapsed = time.perf_counter() - t0
    (got,) = exe(x, a, c)
    assert_close(got, chain_expected(x, a, c, CHAIN_OPS), accumulated=True)
    # ~4 s for gcc on 2 shared cores; the bound only catches a super-linear stage
    assert elapsed < 30, f"{target}: a {CHAIN_OPS}-op chain took {elapsed:.1f} s to compile"


def test_random_dag_fuses_and_matches_reference():
    program = dag(400)
    rng = np.random.default_rng(1)
    inputs = [rng.uniform(-1, 1, (8, 8)).astype(np.float32) for _ in range(3)]
    want = run_numpy(program, inputs)
    exe = compile_program(program, "c", {"name": "deep_dag"})
    assert "reduction" in exe.describe()
    for got, w in zip(exe(*inputs), want):
        assert_close(got, w, accumulated=True)


@pytest.mark.parametrize("seed", range(4))
def test_fuser_keeps_a_topological_numbering_of_its_units(seed):
    """``Fuser.order`` (what bounds its cycle and dependence searches) stays a topological
    numbering while groups grow and merge: every unit is numbered above the units it reads."""
    from furcate.passes.fuse_group import Fuser, Group
    from furcate.passes.fuse_policy import LAYOUT_OPS, FusionPolicy

    program = dag(300, seed)
    func = next(op for op in program.module.body.block.ops if op.name == "func.func")
    fuser = Fuser(func, FusionPolicy())
    groups = fuser.run()
    assert any(len(g.members) > 3 for g in groups)
    checked = 0
    for op in fuser.ops:
        if isinstance(op, LAYOUT_OPS) or op in fuser.covered:
            continue
        unit = fuser.unit_of(op)
        for w in fuser.read_units(unit):
            assert fuser.order[id(w)] < fuser.order[id(unit)], (op.name, isinstance(w, Group))
            checked += 1
    assert checked > 300


def test_a_chain_of_3000_layout_ops_fuses():
    """Reshapes between every elementwise op: the fuser's walk through layout chains and the
    region builder's are iterative."""
    b = GraphBuilder("layouts")
    x = b.arg(TensorSpec((64,), "f32"), "x")
    v = b.op("sin", x)
    for i in range(3000):
        v = b.op("reshape", v, shape=[8, 8] if i % 2 == 0 else [64])
    v = b.op("tanh", v)
    program = b.finish([v])
    xs = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    # fuse alone: canonicalize would fold the reshapes into one
    (got,) = compile_program(program, "c", {"name": "layout_chain", "pipeline": ["fuse"]})(xs)
    assert_close(got, np.tanh(np.sin(xs)))
