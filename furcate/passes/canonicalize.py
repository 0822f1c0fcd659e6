"""canonicalize: constant folding, algebraic identities, no-op layout removal, CSE, DCE.

Each rewrite is one small ``RewritePattern``; ``CanonicalizePass`` applies
them greedily to a fixed point, then runs xDSL's common subexpression and dead
code elimination. Every rewrite is exact (bit-for-bit, NaN and -0.0
included): ``x * 1``, ``x + (-0.0)``, ``x - 0.0`` and ``x / 1`` fold for
floats, but ``x + 0.0`` (wrong for x = -0.0) and ``x * 0`` (wrong for NaN/inf)
only fold for integers.

Folding keeps constants small: a folded result with more than
``INLINE_CONSTANT_LIMIT`` elements is not materialized, except that an
elementwise op on splat broadcasts becomes a broadcast of the folded scalar.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination
from xdsl.transforms.dead_code_elimination import DeadCodeElimination

from furcate.ir import dialect as d
from furcate.ir.builder import INLINE_CONSTANT_LIMIT
from furcate.ir.types import TensorSpec, is_float, is_int, to_type
from furcate.passes.folding import fold

ELEMENTWISE = tuple(d.ELEMENTWISE_OPS) + (d.IsFiniteOp,)
# ops whose value on constant operands ``fold`` may compute
FOLDABLE = ELEMENTWISE + (d.ReshapeOp, d.TransposeOp, d.BroadcastInDimOp, d.SliceOp, d.ConcatenateOp)


# --------------------------------------------------------------------------
# helpers


def splat(v: SSAValue):
    """The scalar every element of ``v`` equals, if ``v`` is a splat constant (possibly
    broadcast); else None. Bitwise equality, so a mix of 0.0 and -0.0 is no splat."""
    owner = v.owner
    if isinstance(owner, d.BroadcastInDimOp):
        return splat(owner.operand)
    if not isinstance(owner, d.ConstantOp):
        return None
    arr = owner.numpy()
    if arr.size == 0:
        return None
    flat = arr.reshape(-1)
    raw = flat.view(np.uint8).reshape(flat.size, -1)
    if not (raw == raw[:1]).all():
        return None
    return flat[0]


def is_const(v: SSAValue) -> bool:
    return isinstance(v.owner, d.ConstantOp)


def dtype_of(v: SSAValue) -> str:
    return d.spec_of(v).dtype


def splat_is(v: SSAValue, value: float, negative_zero: bool | None = None) -> bool:
    """``v`` is a splat of ``value``; for zeros, ``negative_zero`` asks for the sign bit."""
    s = splat(v)
    if s is None or dtype_of(v) == "i1":
        return False
    if float(s) != value:
        return False
    return negative_zero is None or bool(np.signbit(np.float64(s))) == negative_zero


def full_value(rewriter: PatternRewriter, value, spec: TensorSpec) -> SSAValue:
    """Insert a constant ``spec`` tensor of ``value`` before the matched op: inline when small,
    else a broadcast of a rank-0 constant."""
    if spec.numel <= INLINE_CONSTANT_LIMIT:
        c = d.ConstantOp(np.full(spec.shape, value, dtype=spec.np_dtype))
        rewriter.insert(c)
        return c.result
    c = d.ConstantOp(np.asarray(value, dtype=spec.np_dtype))
    b = d.BroadcastInDimOp([c.result], broadcast_dimensions=[], shape=list(spec.shape))
    rewriter.insert([c, b])
    return b.result


# --------------------------------------------------------------------------
# constant folding


class FoldConstants(RewritePattern):
    """An op whose operands are all inline constants becomes a constant, if the result
    is small (<= INLINE_CONSTANT_LIMIT elements)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if not isinstance(op, FOLDABLE) or not all(is_const(o) for o in op.operands):
            return
        if d.spec_of(op.results[0]).numel > INLINE_CONSTANT_LIMIT:
            return
        value = fold(op, [o.owner.numpy() for o in op.operands])
        if value is not None:
            rewriter.replace(op, d.ConstantOp(value))


class FoldIota(RewritePattern):
    """A small iota becomes a constant."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.IotaOp, rewriter: PatternRewriter):
        if d.spec_of(op.result).numel <= INLINE_CONSTANT_LIMIT:
            value = fold(op, [])
            if value is not None:
                rewriter.replace(op, d.ConstantOp(value))


class FoldSplatElementwise(RewritePattern):
    """An elementwise op on splat constants (however large) becomes a broadcast of the
    folded scalar: ``add(broadcast(1.0), broadcast(2.0)) -> broadcast(3.0)``."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if not isinstance(op, ELEMENTWISE) or not op.operands:
            return
        if all(is_const(o) for o in op.operands) and d.spec_of(op.results[0]).numel <= INLINE_CONSTANT_LIMIT:
            return  # FoldConstants makes an inline constant
        scalars = [splat(o) for o in op.operands]
        if any(s is None for s in scalars):
            return
        arrays = [np.asarray(s, dtype=d.spec_of(o).np_dtype) for s, o in zip(scalars, op.operands)]
        value = fold(op, arrays, out_shape=())
        if value is not None:
            out = d.spec_of(op.results[0])
            rewriter.replace(op, [], [full_value(rewriter, value[()], out)])


# --------------------------------------------------------------------------
# algebraic identities


class AddZero(RewritePattern):
    """``x + 0 -> x`` for integers; for floats only ``x + (-0.0) -> x`` is exact."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.AddOp, rewriter: PatternRewriter):
        neg_zero = True if is_float(dtype_of(op.lhs)) else None
        for x, c in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if splat_is(c, 0.0, neg_zero):
                rewriter.replace(op, [], [x])
                return


class SubZero(RewritePattern):
    """``x - 0 -> x`` (for floats the zero must be +0.0: ``-0.0 - (-0.0)`` is +0.0)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.SubOp, rewriter: PatternRewriter):
        if splat_is(op.rhs, 0.0, False if is_float(dtype_of(op.lhs)) else None):
            rewriter.replace(op, [], [op.lhs])


class MulOne(RewritePattern):
    """``x * 1 -> x`` (exact for every dtype); ``x * 0 -> 0`` for integers only."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.MulOp, rewriter: PatternRewriter):
        for x, c in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            if splat_is(c, 1.0):
                rewriter.replace(op, [], [x])
                return
            if is_int(dtype_of(x)) and splat_is(c, 0.0):
                rewriter.replace(op, [], [full_value(rewriter, 0, d.spec_of(op.result))])
                return


class DivOne(RewritePattern):
    """``x / 1 -> x``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.DivOp, rewriter: PatternRewriter):
        if splat_is(op.rhs, 1.0):
            rewriter.replace(op, [], [op.lhs])


class NegNeg(RewritePattern):
    """``-(-x) -> x`` (also for wrapping integers)."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.NegOp, rewriter: PatternRewriter):
        if isinstance(op.operand.owner, d.NegOp):
            rewriter.replace(op, [], [op.operand.owner.operand])


class SelectSimplify(RewritePattern):
    """``select(p, x, x) -> x``; ``select(true, a, b) -> a``; ``select(false, a, b) -> b``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.SelectOp, rewriter: PatternRewriter):
        if op.on_true == op.on_false:
            rewriter.replace(op, [], [op.on_true])
            return
        p = splat(op.pred)
        if p is not None:
            rewriter.replace(op, [], [op.on_true if bool(p) else op.on_false])


# --------------------------------------------------------------------------
# no-op layout ops and chains


class RemoveNoOpLayout(RewritePattern):
    """reshape to the same shape, identity transpose, broadcast to the same shape with
    identity dims, full slice, zero pad, convert to the same dtype -> the operand."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if not isinstance(op, (d.ReshapeOp, d.TransposeOp, d.BroadcastInDimOp, d.SliceOp,
                               d.PadOp, d.ConvertOp)):
            return
        x = op.operands[0]
        src, out = d.spec_of(x), d.spec_of(op.results[0])
        if src != out:
            return
        a = op.attrs() if isinstance(op, d.FurcateOp) else {}
        identity = tuple(range(src.rank))
        noop = {
            d.ReshapeOp: lambda: True,
            d.ConvertOp: lambda: True,
            d.TransposeOp: lambda: a["permutation"] == identity,
            d.BroadcastInDimOp: lambda: a["broadcast_dimensions"] == identity,
            d.SliceOp: lambda: a["start_indices"] == (0,) * src.rank and a["strides"] == (1,) * src.rank,
            d.PadOp: lambda: not any(a["edge_padding_low"] + a["edge_padding_high"] + a["interior_padding"]),
        }[type(op)]()
        if noop:
            rewriter.replace(op, [], [x])


class ReshapeReshape(RewritePattern):
    """``reshape(reshape(x)) -> reshape(x)``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.ReshapeOp, rewriter: PatternRewriter):
        inner = op.operand.owner
        if isinstance(inner, d.ReshapeOp):
            rewriter.replace(op, d.ReshapeOp([inner.operand], shape=list(op.attr("shape"))))


class TransposeTranspose(RewritePattern):
    """``transpose(transpose(x, p1), p2) -> transpose(x, p1[p2[i]])``."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.TransposeOp, rewriter: PatternRewriter):
        inner = op.operand.owner
        if isinstance(inner, d.TransposeOp):
            p1, p2 = inner.attr("permutation"), op.attr("permutation")
            perm = [p1[i] for i in p2]
            rewriter.replace(op, d.TransposeOp([inner.operand], permutation=perm))


class SinkReshape(RewritePattern):
    """``f(reshape(x), broadcast(y)) -> reshape(f(x, broadcast'(y)))`` for an elementwise ``f``
    whose reshaped operands all come from one shape S, when every other operand is a splat
    or a broadcast along dims the reshape keeps (a common trailing part of both shapes).
    Moves the reshape after the computation, so a GEMM's bias and activation, applied by
    the frontend to ``[batch, seq, n]`` views of an ``[m, n]`` product, stay in the GEMM's
    iteration space (its epilogue)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if not isinstance(op, ELEMENTWISE) or not op.operands:
            return
        out = d.spec_of(op.results[0]).shape
        srcs = {d.spec_of(v.owner.operand).shape for v in op.operands if isinstance(v.owner, d.ReshapeOp)}
        if len(srcs) != 1:
            return
        (src,) = srcs
        keep = 0  # trailing dims both shapes share
        while keep < min(len(src), len(out)) and src[len(src) - 1 - keep] == out[len(out) - 1 - keep]:
            keep += 1
        new_operands, new_ops = [], []
        for v in op.operands:
            owner = v.owner
            spec = d.spec_of(v)
            if isinstance(owner, d.ReshapeOp):
                new_operands.append(owner.operand)
                continue
            if isinstance(owner, d.BroadcastInDimOp):
                dims = owner.attr("broadcast_dimensions")
                if any(dim < len(out) - keep for dim in dims):
                    return  # it varies along a dim the reshape splits or merges
                new = d.BroadcastInDimOp([owner.operand], broadcast_dimensions=[dim - len(out) + len(src)
                                                                                 for dim in dims],
                                         shape=list(src))
            elif splat(v) is not None:
                new = d.BroadcastInDimOp([d.ConstantOp(np.asarray(splat(v), dtype=spec.np_dtype)).result],
                                         broadcast_dimensions=[], shape=list(src))
                new_ops.append(new.operands[0].owner)
            else:
                return
            new_ops.append(new)
            new_operands.append(new.result)
        computed = _rebuild(op, new_operands, TensorSpec(tuple(src), d.spec_of(op.results[0]).dtype))
        rewriter.insert(new_ops)
        rewriter.replace(op, [computed, d.ReshapeOp([computed.results[0]], shape=list(out))])


def _rebuild(op: Operation, operands, spec: TensorSpec) -> Operation:
    """A copy of elementwise ``op`` on ``operands`` with result type ``spec``."""
    return op.__class__.create(operands=list(operands), result_types=[to_type(spec)],
                               properties=dict(op.properties), attributes=dict(op.attributes))


def _exact_convert(src: str, dst: str) -> bool:
    """Every value of ``src`` is exactly representable in ``dst`` (so convert src→dst→x
    equals src→x)."""
    if src == dst or src == "i1":
        return True
    exact = {
        "f16": {"f32", "f64"},
        "bf16": {"f32", "f64"},
        "f32": {"f64"},
        "i8": {"i32", "i64", "f16", "bf16", "f32", "f64"},
        "i32": {"i64", "f64"},
    }
    return dst in exact.get(src, set())


class ConvertChain(RewritePattern):
    """``convert(convert(x: A, B), C) -> convert(x, C)`` (or x when C == A) when A→B is exact:
    f16→f32→f16 is the identity, f32→f16→f32 is not."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.ConvertOp, rewriter: PatternRewriter):
        inner = op.operand.owner
        if not isinstance(inner, d.ConvertOp):
            return
        x = inner.operand
        a, b, c = dtype_of(x), dtype_of(op.operand), dtype_of(op.result)
        if not _exact_convert(a, b):
            return
        if a == c:
            rewriter.replace(op, [], [x])
        else:
            rewriter.replace(op, d.ConvertOp(x, c))


# --------------------------------------------------------------------------
# empty tensors: nothing to compute (a kernel over a zero-size space has nothing to index)


def _reduce_identity(kind: str, dtype: str):
    """What a ``kind`` reduction of no elements gives."""
    if kind in ("sum", "or"):
        return 0
    if kind == "prod":
        return 1
    if kind == "and":  # every bit set: True for i1, -1 for other integers
        return 1 if dtype == "i1" else -1
    if is_float(dtype):
        return -np.inf if kind == "max" else np.inf
    if dtype == "i1":
        return 0 if kind == "max" else 1
    info = np.iinfo(TensorSpec((), dtype).np_dtype)
    return info.min if kind == "max" else info.max


class EmptyResult(RewritePattern):
    """An op whose every result has zero elements becomes empty constants."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter):
        if isinstance(op, d.ConstantOp) or op.regions or not op.results:
            return
        if not all(isinstance(r.type, TensorType) for r in op.results):
            return
        specs = [d.spec_of(r) for r in op.results]
        if any(s.numel for s in specs):
            return
        consts = [d.ConstantOp(np.empty(s.shape, dtype=s.np_dtype)) for s in specs]
        rewriter.replace(op, consts, [c.result for c in consts])


class EmptyReduce(RewritePattern):
    """A reduction of zero-size rows is the reduction's identity everywhere."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: d.ReduceOp, rewriter: PatternRewriter):
        out = d.spec_of(op.results[0])
        if d.spec_of(op.operand).numel or not out.numel:
            return
        value = _reduce_identity(op.attr("kind"), out.dtype)
        rewriter.replace(op, [], [full_value(rewriter, value, out)])


PATTERNS: list[RewritePattern] = [
    EmptyResult(), EmptyReduce(),
    FoldConstants(), FoldIota(), FoldSplatElementwise(),
    AddZero(), SubZero(), MulOne(), DivOne(), NegNeg(), SelectSimplify(),
    RemoveNoOpLayout(), ReshapeReshape(), TransposeTranspose(), ConvertChain(), SinkReshape(),
]


@dataclass(frozen=True)
class CanonicalizePass(ModulePass):
    """DCE, greedy canonicalization to a fixed point, then CSE and DCE."""

    name = "canonicalize"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # dead code first, in one linear pass: the walker's own dead-op removal takes one
        # fixpoint round per level of a dead chain (8 rounds on compile_scaling's 10,000-op DAG)
        DeadCodeElimination().apply(ctx, op)
        PatternRewriteWalker(GreedyRewritePatternApplier(PATTERNS)).rewrite_module(op)
        CommonSubexpressionElimination().apply(ctx, op)
        DeadCodeElimination().apply(ctx, op)


__all__ = ["CanonicalizePass", "PATTERNS", "splat"]
