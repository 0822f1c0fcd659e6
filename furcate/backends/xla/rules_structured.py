"""Lowering rules for furcate's reductions, scans, windows, contractions and indexing.

Standard StableHLO forms: argmax/argmin are a variadic reduce over (value,
index); cumulative ops are a ``reduce_window`` whose window spans the whole
dimension (padded on the low side, or the high side for ``reverse``), or for
long dimensions a log-step (Hillis-Steele) scan of pads and slices;
gather/scatter take explicit dimension numbers; the ``*_along`` forms index
with full coordinate tuples built from iotas. f16/bf16 sums, products, dots
and convolutions accumulate in f32 and round once at the end.
"""

from __future__ import annotations

from jax.extend.mlir.dialects import stablehlo as hlo

from furcate.backends.xla._hlo import (
    combiner,
    compare,
    convert,
    fill_region,
    full,
    padding_attr,
    precision,
    rule,
    scalar,
    spec_of,
    tensor_type,
)
from furcate.dtypes import TensorSpec, accumulator_dtype, is_float
from furcate.ir.dialect import spec_of as furcate_spec
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS


def _tt(shape, dtype):
    return tensor_type(TensorSpec(tuple(shape), dtype))


# --------------------------------------------------------------------------
# reductions and scans


@rule("reduce")
def _reduce(op, args):
    kind, dims = op.attr("kind"), list(op.attr("dimensions"))
    out = furcate_spec(op.result)
    acc = REDUCE_KINDS[kind].acc(out.dtype)
    red = hlo.ReduceOp(
        [_tt(out.shape, acc)], [convert(args[0], acc)], [scalar(REDUCE_KINDS[kind].identity(acc), acc)], dims
    )
    fill_region(red.body, [acc], lambda a, b: [combiner(kind)(a, b)])
    return convert(red.results[0], out.dtype)


def _arg_reduce(op, args, better: str):
    """Index of the first best element; NaN beats everything (first NaN wins)."""
    x = args[0]
    spec = spec_of(x)
    d, idt = op.attr("dimension"), op.attr("index_dtype")
    out_shape = [s for i, s in enumerate(spec.shape) if i != d]
    index = hlo.iota(_tt(spec.shape, idt), d)
    init = [scalar(REDUCE_KINDS["max" if better == "GT" else "min"].identity(spec.dtype), spec.dtype), scalar(0, idt)]

    def body(xv, xi, yv, yi):
        x_first = compare(xi, yi, "LT")
        pick = hlo.or_(compare(xv, yv, better), hlo.and_(compare(xv, yv, "EQ"), x_first))
        if is_float(spec.dtype):
            x_nan, y_nan = compare(xv, xv, "NE"), compare(yv, yv, "NE")
            y_first = compare(yi, xi, "LT")
            nan_pick = hlo.and_(x_nan, hlo.not_(hlo.and_(y_nan, y_first)))
            pick = hlo.or_(nan_pick, hlo.and_(hlo.not_(y_nan), pick))
        return hlo.select(pick, xv, yv), hlo.select(pick, xi, yi)

    red = hlo.ReduceOp([_tt(out_shape, spec.dtype), _tt(out_shape, idt)], [x, index], init, [d])
    fill_region(red.body, [spec.dtype, idt], body)
    return red.results[1]


rule("argmax")(lambda op, args: _arg_reduce(op, args, "GT"))
rule("argmin")(lambda op, args: _arg_reduce(op, args, "LT"))


def _reduce_window(x, kind, window, strides, padding, dilations=None):
    spec = spec_of(x)
    acc = REDUCE_KINDS[kind].acc(spec.dtype)
    out_shape = []
    for i, n in enumerate(spec.shape):
        k = (window[i] - 1) * (dilations[i] if dilations else 1) + 1
        padded = n + padding[2 * i] + padding[2 * i + 1]
        out_shape.append(0 if padded < k else (padded - k) // strides[i] + 1)
    red = hlo.ReduceWindowOp(
        [_tt(out_shape, acc)],
        [convert(x, acc)],
        [scalar(REDUCE_KINDS[kind].identity(acc), acc)],
        list(window),
        window_strides=list(strides),
        window_dilations=list(dilations) if dilations else None,
        padding=padding_attr(padding),
    )
    fill_region(red.body, [acc], lambda a, b: [combiner(kind)(a, b)])
    return convert(red.results[0], spec.dtype)


# longest scan done as one reduce_window (O(n^2) work); longer ones double (O(n log n))
WINDOW_SCAN_LIMIT = 128


@rule("cumulative")
def _cumulative(op, args):
    x = args[0]
    spec = spec_of(x)
    kind, d, reverse = op.attr("kind"), op.attr("dimension"), bool(op.attr("reverse"))
    n = spec.shape[d]
    if n == 0:
        return x
    if n > WINDOW_SCAN_LIMIT:
        return _doubling_scan(x, kind, d, reverse)
    window = [1] * spec.rank
    window[d] = n
    padding = [0] * (2 * spec.rank)
    padding[2 * d + (1 if reverse else 0)] = n - 1
    return _reduce_window(x, kind, window, [1] * spec.rank, padding)


def _doubling_scan(x, kind, d, reverse):
    """Inclusive scan in log2(n) steps: ``y[i] = y[i] (op) y[i -/+ k]`` for k = 1, 2, 4, ..."""
    spec = spec_of(x)
    acc = REDUCE_KINDS[kind].acc(spec.dtype)
    y = convert(x, acc)
    init = scalar(REDUCE_KINDS[kind].identity(acc), acc)
    n, zeros, ones = spec.shape[d], [0] * spec.rank, [1] * spec.rank
    k = 1
    while k < n:
        start, limit, low, high = list(zeros), list(spec.shape), list(zeros), list(zeros)
        if reverse:
            start[d], high[d] = k, k
        else:
            limit[d], low[d] = n - k, k
        shifted = hlo.pad(hlo.slice(y, start, limit, ones), init, low, high, zeros)
        y = combiner(kind)(y, shifted)
        k *= 2
    return convert(y, spec.dtype)


@rule("reduce_window")
def _reduce_window_rule(op, args):
    return _reduce_window(
        args[0],
        op.attr("kind"),
        op.attr("window_dimensions"),
        op.attr("window_strides"),
        op.attr("padding"),
        op.attr("window_dilations"),
    )


# --------------------------------------------------------------------------
# contractions


@rule("dot_general")
def _dot_general(op, args):
    out = furcate_spec(op.result)
    acc = accumulator_dtype(out.dtype)
    dims = hlo.DotDimensionNumbers.get(
        lhs_batching_dimensions=list(op.attr("lhs_batching_dimensions")),
        rhs_batching_dimensions=list(op.attr("rhs_batching_dimensions")),
        lhs_contracting_dimensions=list(op.attr("lhs_contracting_dimensions")),
        rhs_contracting_dimensions=list(op.attr("rhs_contracting_dimensions")),
    )
    res = hlo.dot_general(
        _tt(out.shape, acc), args[0], args[1], dims, precision_config=precision(op.attr("precision"))
    )
    return convert(res, out.dtype)


@rule("convolution")
def _convolution(op, args):
    out = furcate_spec(op.result)
    acc = accumulator_dtype(out.dtype)
    spatial = list(range(2, out.rank))
    dims = hlo.ConvDimensionNumbers.get(
        input_batch_dimension=0,
        input_feature_dimension=1,
        input_spatial_dimensions=spatial,
        kernel_input_feature_dimension=1,
        kernel_output_feature_dimension=0,
        kernel_spatial_dimensions=spatial,
        output_batch_dimension=0,
        output_feature_dimension=1,
        output_spatial_dimensions=spatial,
    )
    res = hlo.convolution(
        _tt(out.shape, acc),
        args[0],
        args[1],
        dims,
        op.attr("feature_group_count"),
        1,
        window_strides=list(op.attr("window_strides")),
        padding=padding_attr(op.attr("padding")),
        lhs_dilation=list(op.attr("lhs_dilation")),
        rhs_dilation=list(op.attr("rhs_dilation")),
        precision_config=precision("highest"),
    )
    return convert(res, out.dtype)


# --------------------------------------------------------------------------
# indexing


def _index_vector(ix):
    """Indices of shape I as start indices of shape I + [1]."""
    spec = spec_of(ix)
    return hlo.reshape(_tt(spec.shape + (1,), spec.dtype), ix)


def _coordinates(ix, axis):
    """Full coordinates ``I + [rank]``: the iota of every dim, with ``ix`` at ``axis``."""
    spec = spec_of(ix)
    idt = "i64" if spec.dtype == "i64" else "i32"
    cols = []
    for d in range(spec.rank):
        if d == axis:
            cols.append(_index_vector(convert(ix, idt)))
        else:
            cols.append(hlo.iota(_tt(spec.shape + (1,), idt), d))
    return hlo.concatenate(cols, spec.rank)


@rule("gather")
def _gather(op, args):
    x, ix = args
    xs, k, axis = spec_of(x), spec_of(ix).rank, op.attr("axis")
    out = furcate_spec(op.result)
    if xs.shape[axis] == 0:  # nothing to gather from: zeros, as the NumPy backend
        return full(0, out)
    dims = hlo.GatherDimensionNumbers.get(
        offset_dims=list(range(axis)) + list(range(axis + k, xs.rank + k - 1)),
        collapsed_slice_dims=[axis],
        operand_batching_dims=[],
        start_indices_batching_dims=[],
        start_index_map=[axis],
        index_vector_dim=k,
    )
    sizes = list(xs.shape)
    sizes[axis] = 1
    return hlo.gather(x, _index_vector(ix), dims, sizes, results=[tensor_type(out)])


@rule("gather_along")
def _gather_along(op, args):
    x, ix = args
    r = spec_of(x).rank
    out = furcate_spec(op.result)
    if spec_of(x).shape[op.attr("axis")] == 0:
        return full(0, out)
    dims = hlo.GatherDimensionNumbers.get(
        offset_dims=[],
        collapsed_slice_dims=list(range(r)),
        operand_batching_dims=[],
        start_indices_batching_dims=[],
        start_index_map=list(range(r)),
        index_vector_dim=r,
    )
    return hlo.gather(x, _coordinates(ix, op.attr("axis")), dims, [1] * r, results=[tensor_type(out)])


def _scatter_add(x, indices, updates, dims):
    spec = spec_of(x)
    acc = accumulator_dtype(spec.dtype)
    sc = hlo.ScatterOp(
        [_tt(spec.shape, acc)],
        [convert(x, acc)],
        indices,
        [convert(updates, acc)],
        dims,
        indices_are_sorted=False,
        unique_indices=False,
    )
    fill_region(sc.update_computation, [acc], lambda a, b: [hlo.add(a, b)])
    return convert(sc.results[0], spec.dtype)


@rule("scatter_add")
def _scatter_add_rule(op, args):
    x, ix, up = args
    r, k, axis = spec_of(x).rank, spec_of(ix).rank, op.attr("axis")
    dims = hlo.ScatterDimensionNumbers.get(
        update_window_dims=list(range(axis)) + list(range(axis + k, r + k - 1)),
        inserted_window_dims=[axis],
        input_batching_dims=[],
        scatter_indices_batching_dims=[],
        scattered_dims_to_operand_dims=[axis],
        index_vector_dim=k,
    )
    return _scatter_add(x, _index_vector(ix), up, dims)


@rule("scatter_add_along")
def _scatter_add_along(op, args):
    x, ix, up = args
    r = spec_of(x).rank
    dims = hlo.ScatterDimensionNumbers.get(
        update_window_dims=[],
        inserted_window_dims=list(range(r)),
        input_batching_dims=[],
        scatter_indices_batching_dims=[],
        scattered_dims_to_operand_dims=list(range(r)),
        index_vector_dim=r,
    )
    return _scatter_add(x, _coordinates(ix, op.attr("axis")), up, dims)
