"""fuse: the groups it forms for common patterns, its policy rules, the region contract,
and that random programs compute the same after it (numpy runs fusion regions)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from furcate.backends.base import Capabilities
from furcate.ir import dialect as d
from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec
from furcate.passes.fuse import FusePass
from furcate.passes.pipeline import make_pass, resolve

from furcate.tools import random_programs as strategies
from tests.passes.helpers import check_passes_preserve

F32 = "f32"
ALL = FusePass()
rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def top_ops(program) -> list[str]:
    return [op.name for op in program.func.body.block.ops]


def fusions(program) -> list[d.FusionOp]:
    return [op for op in program.func.body.block.ops if isinstance(op, d.FusionOp)]


def kinds(program) -> list[str]:
    return [f.kind.data for f in fusions(program)]


def region_ops(f: d.FusionOp) -> list[str]:
    return [op.name for op in f.body.block.ops]


def bcast(b, v, dims, shape):
    return b.op("broadcast_in_dim", v, broadcast_dimensions=dims, shape=shape)


def softmax(b, x, rows, cols, log=False):
    full = [*rows, cols]
    keep = list(range(len(rows)))
    m = b.op("reduce", x, kind="max", dimensions=[len(rows)])
    z = b.op("sub", x, bcast(b, m, keep, full))
    e = b.op("exp", z)
    s = b.op("reduce", e, kind="sum", dimensions=[len(rows)])
    if log:
        return b.op("sub", z, bcast(b, b.op("log", s), keep, full))
    return b.op("div", e, bcast(b, s, keep, full))


def layer_norm(b, x, g, beta, rows, cols):
    full = [*rows, cols]
    keep = list(range(len(rows)))
    n = b.full(float(cols), TensorSpec(tuple(rows), F32))
    mean = b.op("div", b.op("reduce", x, kind="sum", dimensions=[len(rows)]), n)
    xc = b.op("sub", x, bcast(b, mean, keep, full))
    var = b.op("div", b.op("reduce", b.op("mul", xc, xc), kind="sum", dimensions=[len(rows)]), n)
    r = b.op("rsqrt", b.op("add", var, b.full(1e-5, TensorSpec(tuple(rows), F32))))
    y = b.op("mul", b.op("mul", xc, bcast(b, r, keep, full)), bcast(b, g, [len(rows)], full))
    return b.op("add", y, bcast(b, beta, [len(rows)], full))


def linear(b, x, w, bias):
    """x [m, k] @ w [n, k]^T + bias, as torch emits it (transpose of the weight)."""
    wt = b.op("transpose", w, permutation=[1, 0])
    h = b.op("dot_general", x, wt, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    m, n = d.spec_of(h).shape
    return b.op("add", h, bcast(b, bias, [1], [m, n]))


def gelu(b, x):
    spec = d.spec_of(x)
    half = b.op("mul", x, b.full(0.5, spec))
    e = b.op("erf", b.op("mul", x, b.full(float(1 / np.sqrt(2)), spec)))
    return b.op("mul", half, b.op("add", e, b.full(1.0, spec)))


# --------------------------------------------------------------------------
# the groups of common patterns


def test_elementwise_chain_is_one_pointwise_fusion():
    b = GraphBuilder()
    x, y = b.arg(TensorSpec((8, 16), F32)), b.arg(TensorSpec((16,), F32))
    z = b.op("tanh", b.op("add", x, bcast(b, y, [1], [8, 16])))
    z = b.op("convert", b.op("mul", z, z), dtype="f16")
    prog = b.finish([z])
    after = check_passes_preserve(prog, [randn(8, 16), randn(16)], ["canonicalize", ALL])
    assert top_ops(after) == ["furcate.fusion", "func.return"]
    assert kinds(after) == ["pointwise"]
    assert "furcate.broadcast_in_dim" in region_ops(fusions(after)[0])  # an index map, inside


@pytest.mark.parametrize("log", [False, True])
def test_softmax_is_one_reduction_fusion(log):
    b = GraphBuilder()
    x = b.arg(TensorSpec((2, 3, 32), F32))
    prog = b.finish([softmax(b, x, [2, 3], 32, log=log)])
    after = check_passes_preserve(prog, [randn(2, 3, 32)], ["canonicalize", ALL])
    assert top_ops(after) == ["furcate.fusion", "func.return"]
    assert kinds(after) == ["reduction"]
    assert region_ops(fusions(after)[0]).count("furcate.reduce") == 2


def test_layer_norm_is_one_reduction_fusion():
    b = GraphBuilder()
    x, g, beta = b.arg(TensorSpec((6, 16), F32)), b.arg(TensorSpec((16,), F32)), b.arg(TensorSpec((16,), F32))
    prog = b.finish([layer_norm(b, x, g, beta, [6], 16)])
    after = check_passes_preserve(prog, [randn(6, 16), randn(16), randn(16)], ["canonicalize", ALL])
    assert top_ops(after) == ["furcate.fusion", "func.return"]
    assert kinds(after) == ["reduction"]


def test_region_contract_of_each_kind():
    """``fuse_legal.legal`` on hand-picked op sets: what each kind's kernels can lower."""
    from furcate.passes.fuse_legal import legal

    b = GraphBuilder()
    x, w = b.arg(TensorSpec((4, 8), F32)), b.arg(TensorSpec((8, 8), F32))
    e = b.op("exp", x)
    rmax = b.op("reduce", e, kind="max", dimensions=[1])  # trailing: rows (4,), cols (8,)
    cmax = b.op("reduce", e, kind="max", dimensions=[0])  # over the rows
    dot = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
               lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    dot2 = b.op("dot_general", dot, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    t = b.op("tanh", dot)
    e_, rmax_, cmax_, dot_, dot2_, t_ = (v.owner for v in (e, rmax, cmax, dot, dot2, t))
    assert legal("pointwise", {e_}, [e_], (), (), (4, 8))
    assert not legal("pointwise", {e_, rmax_}, [e_, rmax_], (), (), (4, 8))  # two shapes yielded
    assert legal("reduction", {e_, rmax_}, [rmax_, e_], (4,), (8,), (4,))
    assert not legal("reduction", {e_, cmax_}, [cmax_], (4,), (8,), (8,))  # not trailing dims
    assert legal("reduction", {e_, cmax_}, [cmax_], None, (4, 8), (8,))  # the strided form
    assert legal("gemm", {dot_, t_}, [t_], (), (), (4, 8))
    assert not legal("gemm", {dot_, dot2_}, [dot2_], (), (), (4, 8))  # one dot per region


def test_row_epilogue_at_keepdim_shape_joins_the_reduction():
    """torch's layer_norm: mean/var divided as [rows], reshaped to [rows, 1], rsqrt(var + eps)
    at [rows, 1]: the row epilogue and the normalization both join the reduction group."""
    b = GraphBuilder()
    x, g = b.arg(TensorSpec((6, 16), F32)), b.arg(TensorSpec((16,), F32))
    n = b.full(16.0, TensorSpec((6,), F32))
    mean = b.op("reshape", b.op("div", b.op("reduce", x, kind="sum", dimensions=[1]), n), shape=[6, 1])
    xc = b.op("sub", x, bcast(b, mean, [0, 1], [6, 16]))
    var = b.op("reshape", b.op("div", b.op("reduce", b.op("mul", xc, xc), kind="sum", dimensions=[1]), n),
               shape=[6, 1])
    r = b.op("rsqrt", b.op("add", var, b.full(1e-5, TensorSpec((6, 1), F32))))
    y = b.op("mul", b.op("mul", xc, bcast(b, r, [0, 1], [6, 16])), bcast(b, g, [1], [6, 16]))
    prog = b.finish([y])
    after = check_passes_preserve(prog, [randn(6, 16), randn(16)], ["canonicalize", ALL])
    assert top_ops(after) == ["furcate.fusion", "func.return"]
    assert kinds(after) == ["reduction"]


def test_readers_of_a_reduction_do_not_join_it_across_a_cycle():
    """Two readers of a row sum, the second also reading (through a top-level op) the first:
    merging both into the reduction group would make the group feed and read that op."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 8), F32))
    s = bcast(b, b.op("reduce", x, kind="sum", dimensions=[1]), [0], [4, 8])
    c1 = b.op("sub", x, s)
    top = b.op("cumulative", c1, kind="sum", dimension=1, reverse=0)  # never fused
    prog = b.finish([b.op("add", top, s)])
    after = check_passes_preserve(prog, [randn(4, 8)], ["canonicalize", ALL])
    assert "furcate.cumulative" in top_ops(after)


def test_row_values_with_size_one_dims_are_yielded():
    """A reduction group may yield a row value shaped [rows, 1] that later work reads."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 8), F32))
    m = b.op("reshape", b.op("reduce", x, kind="max", dimensions=[1]), shape=[4, 1])
    e = b.op("exp", b.op("sub", x, bcast(b, m, [0, 1], [4, 8])))
    top = b.op("cumulative", e, kind="sum", dimension=1, reverse=0)
    prog = b.finish([b.op("mul", top, bcast(b, m, [0, 1], [4, 8]))])
    after = check_passes_preserve(prog, [randn(4, 8)], ["canonicalize", ALL])
    assert "reduction" in kinds(after)


def test_gemm_bias_gelu_is_one_gemm_fusion():
    b = GraphBuilder()
    x, w, bias = b.arg(TensorSpec((8, 32), F32)), b.arg(TensorSpec((24, 32), F32)), b.arg(TensorSpec((24,), F32))
    prog = b.finish([gelu(b, linear(b, x, w, bias))])
    after = check_passes_preserve(prog, [randn(8, 32), randn(24, 32), randn(24)], ["canonicalize", ALL])
    assert top_ops(after) == ["furcate.fusion", "func.return"]
    assert kinds(after) == ["gemm"]
    assert region_ops(fusions(after)[0]).count("furcate.dot_general") == 1


def test_gemm_epilogue_on_a_reshaped_view_stays_in_the_gemm():
    """torch applies bias + gelu to the [batch, seq, n] view of an [m, n] product: after
    canonicalize (the reshape sinks) it is still one gemm fusion."""
    b = GraphBuilder()
    x, w, bias = b.arg(TensorSpec((12, 32), F32)), b.arg(TensorSpec((32, 24), F32)), b.arg(TensorSpec((24,), F32))
    h = b.op("dot_general", x, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    h = b.op("reshape", h, shape=[3, 4, 24])
    prog = b.finish([gelu(b, b.op("add", h, bcast(b, bias, [2], [3, 4, 24])))])
    after = check_passes_preserve(prog, [randn(12, 32), randn(32, 24), randn(24)], ["canonicalize", ALL])
    assert kinds(after) == ["gemm"]
    assert "furcate.erf" in region_ops(fusions(after)[0])


def test_mlp_block_groups():
    """layer_norm -> linear+gelu -> linear + residual: reduction, gemm, gemm."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 16), F32))
    g, beta = b.arg(TensorSpec((16,), F32)), b.arg(TensorSpec((16,), F32))
    w1, b1 = b.arg(TensorSpec((32, 16), F32)), b.arg(TensorSpec((32,), F32))
    w2, b2 = b.arg(TensorSpec((16, 32), F32)), b.arg(TensorSpec((16,), F32))
    h = gelu(b, linear(b, layer_norm(b, x, g, beta, [4], 16), w1, b1))
    y = b.op("add", linear(b, h, w2, b2), x)
    prog = b.finish([y])
    inputs = [randn(4, 16), randn(16), randn(16), randn(32, 16), randn(32), randn(16, 32), randn(16)]
    after = check_passes_preserve(prog, inputs, ["canonicalize", ALL])
    assert kinds(after) == ["reduction", "gemm", "gemm"]
    assert top_ops(after)[-1] == "func.return" and len(top_ops(after)) == 4


def test_attention_scores_softmax_and_values():
    """Batched q @ k^T (gemm), softmax (reduction), @ v (gemm)."""
    b = GraphBuilder()
    q, k, v = (b.arg(TensorSpec((2, 8, 4), F32)) for _ in range(3))
    s = b.op("dot_general", q, k, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
             lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[2])
    s = b.op("mul", s, b.full(0.5, d.spec_of(s)))
    p = softmax(b, s, [2, 8], 8)
    o = b.op("dot_general", p, v, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
             lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[1])
    prog = b.finish([o])
    after = check_passes_preserve(prog, [randn(2, 8, 4) for _ in range(3)], ["canonicalize", ALL])
    assert kinds(after) == ["gemm", "reduction", "gemm"]


# --------------------------------------------------------------------------
# policy rules


def test_expensive_multi_consumer_producer_is_computed_once():
    """exp feeds a row sum and a transposed read (which no reduction group can hold)."""
    b = GraphBuilder()
    x, y = b.arg(TensorSpec((8, 8), F32)), b.arg(TensorSpec((8, 8), F32))
    e = b.op("exp", x)
    n = b.op("neg", y)
    s = b.op("reduce", e, kind="sum", dimensions=[1])
    m = b.op("mul", bcast(b, s, [0], [8, 8]), n)
    prog = b.finish([b.op("add", b.op("transpose", e, permutation=[1, 0]), n), m])
    after = check_passes_preserve(prog, [randn(8, 8), randn(8, 8)], [ALL])
    texts = [region_ops(f) for f in fusions(after)]
    assert sum(t.count("furcate.exp") for t in texts) == 1  # exp: never copied
    assert sum(t.count("furcate.neg") for t in texts) == 2  # neg: cheap, copied into both
    assert sorted(kinds(after)) == ["pointwise", "reduction"]


def test_no_recompute_of_expensive_ops_through_a_broadcast():
    """exp of a row vector read by every row of a matrix stays its own (small) kernel."""
    b = GraphBuilder()
    x, v = b.arg(TensorSpec((64, 128), F32)), b.arg(TensorSpec((128,), F32))
    e = b.op("exp", v)
    prog = b.finish([b.op("mul", x, bcast(b, e, [1], [64, 128]))])
    after = check_passes_preserve(prog, [randn(64, 128), randn(128)], [ALL])
    assert len(fusions(after)) == 2


def test_peak_memory_guard():
    """A narrowing convert is not moved past other work (it would keep the wider input alive);
    a widening one is."""
    def build(src, dst):
        b = GraphBuilder()
        x, y = b.arg(TensorSpec((1024,), src)), b.arg(TensorSpec((1024,), F32))
        c = b.op("exp", b.op("convert", b.op("tanh", x), dtype=dst))
        other = b.op("dot_general", y, y, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                     lhs_contracting_dimensions=[0], rhs_contracting_dimensions=[0])
        o = b.op("convert", bcast(b, other, [], [1024]), dtype=dst)
        return b.finish([b.op("add", c, o)])

    narrow = check_passes_preserve(build("f32", "f16"), [randn(1024), randn(1024)], [FusePass(("pointwise",))])
    wide = check_passes_preserve(build("f16", "f32"), [randn(1024, dtype=np.float16), randn(1024)],
                                 [FusePass(("pointwise",))])
    assert len(fusions(narrow)) == 2 and len(fusions(wide)) == 1


def test_no_cycle_through_an_unfused_consumer():
    """exp feeds a cumulative (never fused) and the op reading the cumulative: joining exp's
    group with that op would make a cycle, so it stays apart."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((16,), F32))
    e = b.op("exp", x)
    c = b.op("cumulative", e, kind="sum", dimension=0, reverse=0)
    prog = b.finish([b.op("add", e, c)])
    after = check_passes_preserve(prog, [randn(16)], [ALL])
    assert top_ops(after) == ["furcate.fusion", "furcate.cumulative", "furcate.fusion", "func.return"]


def test_devices_never_share_a_fusion():
    b = GraphBuilder()
    x = b.arg(TensorSpec((16,), F32))
    y = b.op("exp", x)
    z = b.op("tanh", y)
    prog = b.finish([z])
    from xdsl.dialects.builtin import StringAttr

    prog.func.body.block.first_op.attributes["device"] = StringAttr("gpu0")
    after = check_passes_preserve(prog, [randn(16)], [ALL])
    assert [f.device.data for f in fusions(after)] == ["gpu0", "default"]


# --------------------------------------------------------------------------
# capabilities and the pipeline


def test_kinds_follow_the_capabilities():
    b = GraphBuilder()
    x, w, bias = b.arg(TensorSpec((4, 8), F32)), b.arg(TensorSpec((8, 8), F32)), b.arg(TensorSpec((8,), F32))
    prog = b.finish([softmax(b, linear(b, x, w, bias), [4], 8)])
    inputs = [randn(4, 8), randn(8, 8), randn(8)]
    none = make_pass("fuse", Capabilities("numpy", "cpu"))
    assert check_passes_preserve(prog, inputs, [none]).text() == prog.text()
    pw = make_pass("fuse", Capabilities("x", "cpu", fusion_kinds=frozenset({"pointwise"})))
    after = check_passes_preserve(prog, inputs, [pw])
    assert set(kinds(after)) == {"pointwise"}
    assert "furcate.reduce" in top_ops(after) and "furcate.dot_general" in top_ops(after)
    after = check_passes_preserve(prog, inputs, [ALL])
    assert kinds(after) == ["gemm", "reduction"]


def test_default_pipeline_and_errors():
    assert resolve("default") == ["canonicalize", "fuse"]
    with pytest.raises(ValueError, match="unknown fusion kind"):
        b = GraphBuilder()
        prog = b.finish([b.op("exp", b.arg(TensorSpec((2,), F32)))])
        from furcate.ir.program import make_context

        FusePass(("loops",)).apply(make_context(), prog.module)


def test_fuse_is_idempotent():
    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 8), F32))
    prog = b.finish([softmax(b, b.op("tanh", x), [4], 8)])
    once = check_passes_preserve(prog, [randn(4, 8)], [ALL])
    twice = check_passes_preserve(once, [randn(4, 8)], [ALL])
    assert once.text() == twice.text()


# --------------------------------------------------------------------------
# random programs: same results, and the region contract holds


def check_contract(program):
    """Every region satisfies what kernel backends rely on (fuse.py docstring)."""
    for f in fusions(program):
        outs = [tuple(d.spec_of(v).shape) for v in f.outputs]
        ops = list(f.body.block.ops)
        kind = f.kind.data
        if kind == "reduction":
            reduces = [op for op in ops if isinstance(op, d.ReduceOp)]
            assert reduces
            src = tuple(d.spec_of(reduces[0].operand).shape)
            rows = tuple(d.spec_of(reduces[0].result).shape)
            assert src[:len(rows)] == rows
            assert all(tuple(d.spec_of(r.operand).shape) == src for r in reduces)
            assert all(s in (rows, src) for s in outs)
        else:
            assert len(set(outs)) == 1, f"{kind} fusion with outputs {outs}"
            dots = [op for op in ops if isinstance(op, d.DotGeneralOp)]
            assert len(dots) == (1 if kind == "gemm" else 0)
    leftover = [op.name for op in program.func.body.block.ops if isinstance(op, tuple(d.ELEMENTWISE_OPS))]
    assert not leftover, f"elementwise ops left outside fusions: {leftover}"


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.programs(max_ops=8, dtypes=("f32", "i32", "f16")))
def test_random_programs_compute_the_same_after_fuse(case):
    program, inputs = case
    after = check_passes_preserve(program, inputs, ["canonicalize", ALL])
    check_contract(after)


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.programs(max_ops=10, dtypes=("f32",),
                           ops=strategies.ELEMENTWISE_OPS | {"broadcast_in_dim", "transpose", "reshape",
                                                              "slice", "reduce", "dot_general"}))
def test_random_fusable_programs(case):
    program, inputs = case
    after = check_passes_preserve(program, inputs, ["canonicalize", ALL])
    check_contract(after)
