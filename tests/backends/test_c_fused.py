"""Fused kernels (pointwise with layout maps, row reductions, GEMM + epilogue),
random programs, and the memory plan's safety rules, on the C backend."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.tools import random_programs as strategies
from tests.backends.c_helpers import check


def _bcast(b, v, dims, shape):
    return b.op("broadcast_in_dim", v, broadcast_dimensions=dims, shape=list(shape))


def softmax_program(rows=33, cols=70, dt="f32"):
    b = GraphBuilder()
    x = b.arg(TensorSpec((rows, cols), dt))
    m = b.op("reduce", x, kind="max", dimensions=[1])
    e = b.op("exp", b.op("sub", x, _bcast(b, m, [0], (rows, cols))))
    s = b.op("reduce", e, kind="sum", dimensions=[1])
    return b.finish([b.op("div", e, _bcast(b, s, [0], (rows, cols)))])


def layernorm_program(rows=19, cols=64, dt="f32"):
    b = GraphBuilder()
    x = b.arg(TensorSpec((rows, cols), dt))
    w = b.arg(TensorSpec((cols,), dt))
    n = b.full(float(cols), TensorSpec((rows,), dt))
    mean = b.op("div", b.op("reduce", x, kind="sum", dimensions=[1]), n)
    xc = b.op("sub", x, _bcast(b, mean, [0], (rows, cols)))
    var = b.op("div", b.op("reduce", b.op("mul", xc, xc), kind="sum", dimensions=[1]), n)
    eps = b.full(1e-5, TensorSpec((rows,), dt))
    inv = b.op("rsqrt", b.op("add", var, eps))
    y = b.op("mul", b.op("mul", xc, _bcast(b, inv, [0], (rows, cols))), _bcast(b, w, [1], (rows, cols)))
    return b.finish([y])


def gemm_program(m=24, k=40, n=36, dt="f32"):
    b = GraphBuilder()
    x = b.arg(TensorSpec((m, k), dt))
    w = b.arg(TensorSpec((n, k), dt))  # torch Linear layout: x @ w.T
    bias = b.arg(TensorSpec((n,), dt))
    wt = b.op("transpose", w, permutation=[1, 0])
    y = b.op("dot_general", x, wt, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    y = b.op("add", y, _bcast(b, bias, [1], (m, n)))
    half = b.full(0.5, TensorSpec((m, n), dt))
    g = b.op("mul", b.op("mul", y, half), b.op("add", b.full(1.0, TensorSpec((m, n), dt)),
                                                 b.op("erf", b.op("mul", y, b.full(0.7071067811865476, TensorSpec((m, n), dt))))))
    return b.finish([g])


def fuse_all(program, kind):
    """The program with all its ops in one ``furcate.fusion`` of ``kind`` (as the fuse pass makes)."""
    from xdsl.dialects.func import ReturnOp
    from xdsl.ir import Block, Region

    from furcate.ir.dialect import FusionOp, YieldOp

    func = program.func
    old = func.body.block
    ret = old.last_op
    inner = Block(arg_types=[a.type for a in old.args])
    mapping = dict(zip(old.args, inner.args))
    for op in list(old.ops)[:-1]:
        new = op.clone(value_mapper=mapping)
        inner.add_op(new)
    inner.add_op(YieldOp(*[mapping[v] for v in ret.operands]))
    fusion = FusionOp(list(old.args), [v.type for v in ret.operands], Region(inner), kind, "cpu")
    for op in list(old.ops):
        op.detach()
        op.erase(safe_erase=False)
    old.add_op(fusion)
    old.add_op(ReturnOp(*fusion.results))
    program.verify()
    return program


def _rand(spec, seed=0):
    return np.random.default_rng(seed).standard_normal(spec.shape).astype(spec.np_dtype)


def _kinds(exe):
    return [s.name for s in exe.steps]


def test_softmax_is_one_kernel():
    for dt in ("f32", "f64", "bf16"):
        p = fuse_all(softmax_program(dt=dt), "reduction")
        exe = check(p, [_rand(s) for s in p.input_specs], accumulated=True, pipeline="none")
        assert _kinds(exe) == ["c[reduction]"], exe.describe()


def test_layernorm_is_one_kernel():
    p = fuse_all(layernorm_program(), "reduction")
    exe = check(p, [_rand(s, i) for i, s in enumerate(p.input_specs)], accumulated=True, pipeline="none")
    assert _kinds(exe) == ["c[reduction]"], exe.describe()


def test_gemm_epilogue():
    for dt in ("f32", "f64"):
        p = fuse_all(gemm_program(dt=dt), "gemm")
        exe = check(p, [_rand(s, i) for i, s in enumerate(p.input_specs)], accumulated=True, pipeline="none")
        assert len(exe.steps) == 1 and exe.steps[0].target == "c", exe.describe()


def test_pointwise_layout_maps_are_not_copies():
    """tanh(x*w+b)*0.5 + x^T-slice: broadcast, transpose and slice fold into loads."""
    from furcate.backends.c.units import Units
    from furcate.backends.kernel.desc import Load

    b = GraphBuilder()
    x = b.arg(TensorSpec((8, 12), "f32"))
    w = b.arg(TensorSpec((12,), "f32"))
    z = b.arg(TensorSpec((14, 10), "f32"))
    zt = b.op("slice", b.op("transpose", z, permutation=[1, 0]), start_indices=[1, 0], limit_indices=[9, 12],
              strides=[1, 1])
    y = b.op("tanh", b.op("add", b.op("mul", x, _bcast(b, w, [1], (8, 12))), zt))
    p = b.finish([y])
    p = fuse_all(p, "pointwise")
    check(p, [_rand(s, i) for i, s in enumerate(p.input_specs)], pipeline="none")
    q = p.clone()
    units = Units(q).units
    assert len(units) == 1
    loads = sorted((n.buffer, n.offset.terms, n.offset.const) for n in units[0].kernel.nodes if isinstance(n, Load))
    assert loads == [(0, ((0, 12), (1, 1)), 0), (1, ((1, 1),), 0), (2, ((0, 1), (1, 10)), 1)]  # z[j, i + 1]


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.programs(max_ops=6, ops=strategies.ALL_STRATEGY_OPS))
def test_random_programs(case):
    program, inputs = case
    strategies.check_against_numpy(program, inputs, "c")


def test_output_held_across_calls_is_unchanged():
    p = softmax_program(rows=64, cols=64)
    exe = compile_program(p, "c")
    x1, x2 = _rand(p.input_specs[0], 1), _rand(p.input_specs[0], 2)
    (a,) = exe(x1)
    keep = a.copy()
    (b,) = exe(x2)
    assert a is not b and not np.shares_memory(a, b)
    np.testing.assert_array_equal(a, keep)


def test_dropped_outputs_are_recycled_and_inputs_never_written():
    p = layernorm_program(rows=32, cols=128)
    exe = compile_program(p, "c")
    xs = [_rand(s, i) for i, s in enumerate(p.input_specs)]
    saved = [x.copy() for x in xs]
    (a,) = exe(*xs)
    addr = a.__array_interface__["data"][0]
    del a
    (b,) = exe(*xs)
    assert b.__array_interface__["data"][0] == addr  # steady state allocates no new output
    for x, s in zip(xs, saved):
        np.testing.assert_array_equal(x, s)


def test_intermediates_share_the_workspace():
    """A chain of unfused kernels: intermediates reuse blocks (in place), the arena stays small."""
    from furcate.backends.c.segment import Segment
    from furcate.backends.c.units import Units

    b = GraphBuilder()
    x = b.arg(TensorSpec((256, 256), "f32"))
    v = x
    for name in ("exp", "tanh", "neg", "sqrt", "abs", "log1p"):
        v = b.op(name, v)
    p = b.finish([v])
    exe = check(p, [np.abs(_rand(p.input_specs[0]))], pipeline="canonicalize")
    units = Units(p.clone())
    seg = Segment(units.units, units.root, set(), {units.root(units.returned[0])}, "t")
    assert seg.arena.size <= 256 * 256 * 4  # six intermediates, one block
    assert len(exe.steps) == 1


def test_returned_input_and_duplicate_outputs():
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 4), "f32"))
    y = b.op("exp", x)
    p = b.finish([x, y, y])
    exe = compile_program(p, "c")
    xv = _rand(p.input_specs[0])
    o = exe(xv)
    assert o[0] is not xv and not np.shares_memory(o[0], xv)
    assert not np.shares_memory(o[1], o[2])
    np.testing.assert_array_equal(o[1], o[2])


def test_fallback_ops_run_on_numpy_in_the_same_executable():
    import furcate

    furcate.stats(reset=True)
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 6), "f32"))
    y = b.op("cumulative", b.op("exp", x), kind="sum", dimension=1, reverse=0)
    p = b.finish([b.op("tanh", y)])
    exe = check(p, [_rand(p.input_specs[0])], all_c=False)
    assert {s.target for s in exe.steps} == {"c", "numpy"}
    assert any("cumulative" in f for f in furcate.stats()["backend_fallbacks"])


def _gemm_epilogue_program(batch, m, k, n, lhs_t=False, rhs_t=False):
    """tanh(a @ b + bias) over a batch (lhs/rhs possibly stored transposed)."""
    b = GraphBuilder()
    bd = list(range(len(batch)))
    a = b.arg(TensorSpec((*batch, *((k, m) if lhs_t else (m, k))), "f32"))
    w = b.arg(TensorSpec((*batch, *((n, k) if rhs_t else (k, n))), "f32"))
    bias = b.arg(TensorSpec((n,), "f32"))
    nb = len(batch)
    y = b.op("dot_general", a, w, lhs_batching_dimensions=bd, rhs_batching_dimensions=bd,
             lhs_contracting_dimensions=[nb if lhs_t else nb + 1], rhs_contracting_dimensions=[nb + 1 if rhs_t else nb])
    shape = (*batch, m, n)
    y = b.op("tanh", b.op("add", y, _bcast(b, bias, [nb + 1], shape)))
    return b.finish([y])


def test_tiled_gemm_epilogue():
    """GEMMs big enough to run as per-thread tiles (split N, split M, batch entries; ragged
    chunks), each with its epilogue, equal NumPy's."""
    from furcate.backends.c.render_gemm import PAR_FLOPS

    cases = [((), 40, 300, 197, False, False),  # A smaller: N is split
             ((), 301, 300, 33, True, False),  # B smaller: M is split
             ((3,), 40, 200, 90, False, True)]  # batch entries (3 tiles for 2 threads: split too)
    for batch, m, k, n, lt, rt in cases:
        assert 2 * int(np.prod(batch)) * m * n * k >= PAR_FLOPS
        p = fuse_all(_gemm_epilogue_program(batch, m, k, n, lt, rt), "gemm")
        exe = check(p, [_rand(s, i) * 0.1 for i, s in enumerate(p.input_specs)], accumulated=True, pipeline="none")
        assert len(exe.steps) == 1, exe.describe()


def test_softmax_exp_is_computed_once_per_element():
    """The sum loop stores exp(x - max) in a row cache that the normalization loop reads."""
    from furcate.backends.c.emit import render_kernel
    from furcate.backends.c.units import Units

    p = fuse_all(softmax_program(rows=8, cols=100), "reduction")
    (u,) = Units(p.clone()).units
    src = render_kernel(u.kernel, "k")
    normalize = src[src.rindex("for (int64_t i1 = 0;"):]  # the last loop: per-element stores
    assert "fc_expf" not in normalize and "fc_expf" in src
    check(p, [_rand(p.input_specs[0])], accumulated=True, pipeline="none")


def test_reduction_yields_keepdim_row_values():
    """A reduction kernel storing a row value shaped [rows, 1] (a keepdim mean) next to the
    per-element output."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((6, 20), "f32"))
    mean = b.op("reshape", b.op("div", b.op("reduce", x, kind="sum", dimensions=[1]),
                                b.full(20.0, TensorSpec((6,), "f32"))), shape=[6, 1])
    xc = b.op("sub", x, _bcast(b, mean, [0, 1], (6, 20)))
    p = fuse_all(b.finish([xc, mean]), "reduction")
    exe = check(p, [_rand(p.input_specs[0])], accumulated=True, pipeline="none")
    assert _kinds(exe) == ["c[reduction]"], exe.describe()


def test_embedding_bag_is_one_kernel_with_clamped_indices():
    """gather (index_select) + sum over the bag dim: one reduction kernel, the reduction
    running across the layout (column schedule); out-of-range indices are clamped."""
    from furcate.compiler import compile_program

    b = GraphBuilder()
    table = b.arg(TensorSpec((50, 24), "f32"))
    idx = b.arg(TensorSpec((6, 5), "i64"))
    rows = b.op("gather", table, idx, axis=0)
    prog = b.finish([b.op("reduce", rows, kind="sum", dimensions=[1])])
    ix = np.random.default_rng(1).integers(-3, 53, (6, 5))
    exe = check(prog, [_rand(TensorSpec((50, 24), "f32")), ix], accumulated=True)
    assert _kinds(exe) == ["c[reduction]"], exe.describe()
    want = _rand(TensorSpec((50, 24), "f32"))[np.clip(ix, 0, 49)].sum(1)
    from tests.tolerance import assert_close

    got = compile_program(prog.clone(), "c")(_rand(TensorSpec((50, 24), "f32")), ix)[0]
    assert_close(got, want, accumulated=True)


def test_column_reduction_with_prologue_and_epilogue():
    """max over dim 0 of exp(x) * 2 (the reduced dim is the outer one): column schedule."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((37, 50), "f32"))
    y = b.op("mul", b.op("exp", x), b.full(2.0, TensorSpec((37, 50), "f32")))
    m = b.op("reduce", y, kind="max", dimensions=[0])
    prog = b.finish([b.op("sqrt", m)])
    exe = check(prog, [_rand(prog.input_specs[0])], accumulated=True)
    assert len(exe.steps) == 1, exe.describe()


def test_long_elementwise_chain_interleaves_streams():
    """A latency-bound chain (tanh/abs/mul/add repeated) on a ragged 1-D length runs as
    interleaved element streams plus a remainder loop, with unchanged results."""
    from furcate.backends.c.emit import render_kernel
    from furcate.backends.c.render import STREAMS
    from furcate.backends.c.units import Units

    b = GraphBuilder()
    x = b.arg(TensorSpec((1003,), "f32"))
    v = x
    for i in range(30):
        v = b.op(["tanh", "abs", "neg", "exp"][i % 4], v) if i % 4 != 3 else \
            b.op("mul", v, b.full(0.9, TensorSpec((1003,), "f32")))
    p = fuse_all(b.finish([v]), "pointwise")
    exe = check(p, [_rand(p.input_specs[0])], pipeline="none")
    (u,) = Units(p.clone()).units
    assert f"t0_{STREAMS - 1}" in render_kernel(u.kernel, "k")
    assert len(exe.steps) == 1
