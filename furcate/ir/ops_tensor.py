"""Tensor-level ``furcate`` ops: layout, reductions, contractions, indexing, windows, scans.

- layout: broadcast_in_dim, reshape, transpose, slice, concatenate, pad;
- reductions: reduce, argmax, argmin;
- contractions: dot_general, convolution;
- indexing: gather, gather_along, scatter_add, scatter_add_along;
- windows and scans: reduce_window, cumulative.

Each is a ``PropOp``: built from operands and Python-valued properties, its
result type inferred by the shape function of the same name in ``shapes.py``.
"""

from __future__ import annotations

from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, StringAttr, TensorType
from xdsl.irdl import (
    irdl_op_definition,
    operand_def,
    opt_prop_def,
    prop_def,
    result_def,
    traits_def,
    var_operand_def,
)
from xdsl.traits import Pure

from furcate.ir.ops_base import PropOp
from furcate.ir.reduce_kinds import KINDS

# --------------------------------------------------------------------------
# layout


@irdl_op_definition
class BroadcastInDimOp(PropOp):
    """StableHLO broadcast_in_dim: operand dim i maps to result dim broadcast_dimensions[i];
    operand dims are 1 or equal to the result dim. The result shape is a property."""

    name = "furcate.broadcast_in_dim"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    broadcast_dimensions = prop_def(DenseArrayBase)
    shape = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ReshapeOp(PropOp):
    """Row-major reshape to ``shape``; same element count."""

    name = "furcate.reshape"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    shape = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class TransposeOp(PropOp):
    """``result.shape[i] = operand.shape[permutation[i]]``."""

    name = "furcate.transpose"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    permutation = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class SliceOp(PropOp):
    """Static strided slice ``operand[start:limit:stride]`` per dimension (strides > 0)."""

    name = "furcate.slice"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    start_indices = prop_def(DenseArrayBase)
    limit_indices = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ConcatenateOp(PropOp):
    """Concatenation of one or more tensors along ``dimension``."""

    name = "furcate.concatenate"
    inputs = var_operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class PadOp(PropOp):
    """StableHLO pad: low/high edge padding (may be negative) and interior padding;
    ``padding_value`` is a rank-0 tensor of the operand's dtype."""

    name = "furcate.pad"
    operand = operand_def(TensorType)
    padding_value = operand_def(TensorType)
    result = result_def(TensorType)
    edge_padding_low = prop_def(DenseArrayBase)
    edge_padding_high = prop_def(DenseArrayBase)
    interior_padding = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


# --------------------------------------------------------------------------
# reductions, contractions, indexing, windows, scans

REDUCE_KINDS = tuple(KINDS)  # ir/reduce_kinds.py


@irdl_op_definition
class ReduceOp(PropOp):
    """Reduce over ``dimensions`` (removed from the shape) with ``kind``:
    sum | max | min | prod (numeric) or and | or (i1 / integers). max/min propagate NaN;
    f16/bf16 sums accumulate in f32."""

    name = "furcate.reduce"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    dimensions = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ArgmaxOp(PropOp):
    """Index of the first maximum along ``dimension`` (removed); NaN counts as the maximum.
    The result dtype (i32 or i64) is the property ``index_dtype``."""

    name = "furcate.argmax"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    index_dtype = prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ArgminOp(PropOp):
    """Index of the first minimum along ``dimension`` (removed); NaN counts as the minimum."""

    name = "furcate.argmin"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    index_dtype = prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class DotGeneralOp(PropOp):
    """StableHLO dot_general. Result dims: batch dims, lhs free dims, rhs free dims.
    Operands and result share one dtype; accumulation is f32 for f16/bf16, f64 for f64.
    ``precision`` is "highest" (IEEE f32) unless the user allowed "tf32"."""

    name = "furcate.dot_general"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    lhs_batching_dimensions = prop_def(DenseArrayBase)
    rhs_batching_dimensions = prop_def(DenseArrayBase)
    lhs_contracting_dimensions = prop_def(DenseArrayBase)
    rhs_contracting_dimensions = prop_def(DenseArrayBase)
    precision = opt_prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class GatherOp(PropOp):
    """index_select / embedding lookup: ``result = operand.shape[:axis] + indices.shape +
    operand.shape[axis+1:]``, ``result[..., i..., ...] = operand[..., indices[i...], ...]``.
    Out-of-range indices are clamped into range (StableHLO gather semantics)."""

    name = "furcate.gather"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class GatherAlongOp(PropOp):
    """torch.gather / take_along_axis: indices have the operand's rank; result has the
    indices' shape; ``result[p] = operand[p with p[axis] := indices[p]]`` (clamped)."""

    name = "furcate.gather_along"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ScatterAddOp(PropOp):
    """Adjoint of gather (index_add / embedding backward): ``result = operand`` then
    ``result[..., indices[i...], ...] += updates[..., i..., ...]``; out-of-range updates
    are dropped. updates.shape = operand.shape[:axis] + indices.shape + operand.shape[axis+1:]."""

    name = "furcate.scatter_add"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ScatterAddAlongOp(PropOp):
    """Adjoint of gather_along (torch.scatter_add): indices and updates share a shape of
    the operand's rank; ``result[p with p[axis] := indices[p]] += updates[p]``."""

    name = "furcate.scatter_add_along"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ConvolutionOp(PropOp):
    """N-d convolution, layouts NC[spatial] x OI[spatial] -> NC[spatial] (NCHW/OIHW in 2-D).
    ``padding`` is (low, high) per spatial dim, flattened; ``lhs_dilation`` > 1 gives a
    transposed convolution; ``feature_group_count`` groups input channels."""

    name = "furcate.convolution"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    window_strides = prop_def(DenseArrayBase)
    padding = prop_def(DenseArrayBase)
    lhs_dilation = prop_def(DenseArrayBase)
    rhs_dilation = prop_def(DenseArrayBase)
    feature_group_count = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ReduceWindowOp(PropOp):
    """Pooling: reduce ``kind`` (sum | max | min) over windows of ``window_dimensions`` moved
    by ``window_strides``, with (low, high) ``padding`` per dim (flattened) filled with the
    kind's identity (0, -inf, +inf) and ``window_dilations``."""

    name = "furcate.reduce_window"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    window_dimensions = prop_def(DenseArrayBase)
    window_strides = prop_def(DenseArrayBase)
    padding = prop_def(DenseArrayBase)
    window_dilations = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class CumulativeOp(PropOp):
    """Inclusive scan (``kind`` sum | prod | max | min) along ``dimension``; ``reverse``
    scans from the end. max/min propagate NaN."""

    name = "furcate.cumulative"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    dimension = prop_def(IntegerAttr)
    reverse = prop_def(IntegerAttr)
    traits = traits_def(Pure())
