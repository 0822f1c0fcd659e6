"""Batched GEMMs whose operands are strided views (heads merged into the batch after a
transpose, rows that are not one stride): the kernel description reads them as a
multi-dim batch with one stride per factor, and the C backend feeds them to the BLAS
without copying an operand."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.backends.kernel.lower import NotExpressible, lower_group
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from furcate.ir.dialect import FusionOp, YieldOp
from tests.backends.c_helpers import check
from tests.backends.test_c_fused import fuse_all


def _rand(spec, seed=0):
    return np.random.default_rng(seed).standard_normal(spec.shape).astype(spec.np_dtype)


def _bdot(b, x, y, lhs_c, rhs_c, nb=1):
    return b.op("dot_general", x, y, lhs_batching_dimensions=list(range(nb)),
                rhs_batching_dimensions=list(range(nb)),
                lhs_contracting_dimensions=[lhs_c], rhs_contracting_dimensions=[rhs_c])


def _qkv_heads(b, qkv, bsz, s, h, d):
    """q, k, v as ``[B*H, S, D]`` views of a ``[B*S, 3*H*D]`` projection (as torch's attention)."""
    t = b.op("transpose", b.op("reshape", qkv, shape=[bsz, s, 3, h, d]), permutation=[2, 0, 3, 1, 4])
    out = []
    for i in range(3):
        sl = b.op("slice", t, start_indices=[i, 0, 0, 0, 0], limit_indices=[i + 1, bsz, h, s, d],
                  strides=[1] * 5)
        out.append(b.op("reshape", sl, shape=[bsz * h, s, d]))
    return out


def scores_program(bsz=2, s=40, h=4, d=16, epilogue=False):
    """``q @ k^T`` per (batch, head), k transposed through a 4-d view, optionally scaled and
    shifted in the epilogue."""
    b = GraphBuilder()
    qkv = b.arg(TensorSpec((bsz * s, 3 * h * d), "f32"))
    q, k, _ = _qkv_heads(b, qkv, bsz, s, h, d)
    kt = b.op("reshape", b.op("transpose", b.op("reshape", k, shape=[bsz, h, s, d]), permutation=[0, 1, 3, 2]),
              shape=[bsz * h, d, s])
    y = _bdot(b, q, kt, 2, 1)
    if epilogue:
        shape = (bsz * h, s, s)
        bias = b.arg(TensorSpec((s,), "f32"))
        y = b.op("add", b.op("mul", y, b.full(0.25, TensorSpec(shape, "f32"))),
                 b.op("broadcast_in_dim", bias, broadcast_dimensions=[2], shape=list(shape)))
    return b.finish([y])


def attn_v_program(bsz=2, s=40, h=4, d=16):
    """``p @ v``: ``p`` a contiguous ``[B, H, S, S]`` input, ``v`` a strided view of the projection."""
    b = GraphBuilder()
    p = b.arg(TensorSpec((bsz, h, s, s), "f32"))
    qkv = b.arg(TensorSpec((bsz * s, 3 * h * d), "f32"))
    _, _, v = _qkv_heads(b, qkv, bsz, s, h, d)
    return b.finish([_bdot(b, b.op("reshape", p, shape=[bsz * h, s, s]), v, 2, 1)])


def rows_program(bsz=3, s=20, d=24, n=28):
    """``x^T`` rows: ``[S, B, D] -> [B*S, D] @ W``, M is (B, S) with B inside S in memory."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((s, bsz, d), "f32"))
    w = b.arg(TensorSpec((d, n), "f32"))
    rows = b.op("reshape", b.op("transpose", x, permutation=[1, 0, 2]), shape=[bsz * s, d])
    y = b.op("dot_general", rows, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
             lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    return b.finish([b.op("tanh", y)])


def merged_k_program(bsz=2, s=12, h=4, d=8, n=20):
    """The attention output projection: ``[B*H, S, D] -> [B*S, H*D] @ W``; K is (H, D) with H
    outside S in memory, so it is not one stride."""
    b = GraphBuilder()
    a = b.arg(TensorSpec((bsz * h, s, d), "f32"))
    w = b.arg(TensorSpec((h * d, n), "f32"))
    rows = b.op("reshape", b.op("transpose", b.op("reshape", a, shape=[bsz, h, s, d]), permutation=[0, 2, 1, 3]),
                shape=[bsz * s, h * d])
    return b.finish([b.op("dot_general", rows, w, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                          lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])])


def _kernel(program):
    """The kernel description of a program fused into one gemm group."""
    fusion = next(op for op in program.func.body.block.ops if isinstance(op, FusionOp))
    block = fusion.body.block
    ops = [o for o in block.ops if not isinstance(o, YieldOp)]
    return lower_group(ops, list(block.args), list(block.last_op.operands), "k")


def test_heads_merged_into_batch_are_a_two_factor_batch():
    bsz, s, h, d = 2, 40, 4, 16
    k = _kernel(fuse_all(scores_program(bsz, s, h, d), "gemm"))
    dot, row = k.dot, 3 * h * d
    assert dot.batch == (bsz, h) and (dot.m, dot.n, dot.k) == (s, s, d)
    assert dot.lhs.batch_strides == (s * row, d) and (dot.lhs.rows_stride, dot.lhs.k_stride) == (row, 1)
    assert dot.lhs.offset == 0 and dot.rhs.offset == h * d  # k starts one third into a row
    assert dot.rhs.batch_strides == (s * row, d) and (dot.rhs.rows_stride, dot.rhs.k_stride) == (row, 1)
    assert k.parallel == (bsz, h, s, s) and k.buffers[dot.acc].spec.shape == (bsz, h, s, s)
    assert k.dot_in_place


def test_outer_rows_join_the_batch():
    bsz, s, d, n = 3, 20, 24, 28
    k = _kernel(fuse_all(rows_program(bsz, s, d, n), "gemm"))
    dot = k.dot
    assert dot.batch == (bsz,) and (dot.m, dot.n, dot.k) == (s, n, d)
    assert dot.lhs.batch_strides == (d,) and dot.lhs.rows_stride == bsz * d
    assert dot.rhs.batch_strides == (0,)
    assert k.parallel == (bsz, s, n)


def test_contracting_dims_that_are_not_one_stride_are_not_expressible():
    with pytest.raises(NotExpressible, match="contracting"):
        _kernel(fuse_all(merged_k_program(), "gemm"))


@pytest.mark.parametrize("make", [scores_program, attn_v_program, rows_program,
                                  lambda: scores_program(epilogue=True),
                                  lambda: scores_program(2, 128, 4, 32, epilogue=True)],  # tiles across threads
                         ids=["scores", "attn_v", "rows", "epilogue", "parallel"])
def test_strided_batched_gemm_runs_without_copies(make):
    p = fuse_all(make(), "gemm")
    exe = check(p, [_rand(sp, i) for i, sp in enumerate(p.input_specs)], accumulated=True, pipeline="none")
    assert [st.name for st in exe.steps] == ["c[gemm]"], exe.describe()


def test_not_one_stride_contraction_is_still_correct():
    p = fuse_all(merged_k_program(), "gemm")
    check(p, [_rand(sp, i) for i, sp in enumerate(p.input_specs)], accumulated=True, pipeline="none")
