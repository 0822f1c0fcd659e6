"""JAX primitive → furcate IR: gather / scatter-add, dynamic slices, convolution, pooling.

XLA's gather and scatter are general; furcate has the forms that indexing
needs. Every single-axis form is mapped here (``start_index_map`` of length
one, so one index per lookup):

- no batching dimensions (``x[idx]``, ``jnp.take``, embedding lookups and their
  gradients) → ``furcate.gather`` / ``furcate.scatter_add`` plus reshapes and
  transposes into XLA's dimension order;
- with batching dimensions (``jnp.take_along_axis`` and its gradient) →
  ``furcate.gather_along`` / ``furcate.scatter_add_along`` on an index tensor
  broadcast to the operand's rank.

Anything else (several indexed axes at once, windows larger than one along
the indexed axis) raises ``UnsupportedError``.
"""

from __future__ import annotations

import math

import numpy as np

from furcate.dtypes import TensorSpec
from furcate.frontend.jax_ops import converter


def _mode(eqn) -> str:
    mode = eqn.params.get("mode")
    return getattr(mode, "name", str(mode))


def _fill_value(eqn, dtype):
    fill = eqn.params.get("fill_value")
    if fill is not None:
        return fill
    if np.dtype(dtype).kind == "f" or np.dtype(dtype).name == "bfloat16":
        return np.nan
    if np.dtype(dtype).kind == "b":
        return True
    return np.iinfo(dtype).min


def _permute(cx, x, labels, target):
    """Transpose ``x`` whose dims carry ``labels`` into the order ``target``."""
    perm = [labels.index(t) for t in target]
    if perm == list(range(len(perm))):
        return x
    return cx.b.op("transpose", x, permutation=perm)


def _index_vector(cx, eqn, indices, n_axes):
    """Indices without their trailing index-vector dimension (which must hold one index)."""
    spec = cx.spec(indices)
    if n_axes != 1 or not spec.shape or spec.shape[-1] != 1:
        cx.unsupported(eqn, "only lookups along one axis at a time are supported "
                            f"(start index map of {n_axes} axes)")
    return cx.reshape(indices, spec.shape[:-1])


def _in_bounds(cx, idx, n):
    """i1 mask: 0 <= idx < n."""
    spec = cx.spec(idx)
    ge0 = cx.b.op("compare", idx, cx.b.full(0, spec), comparison_direction="GE")
    ltn = cx.b.op("compare", idx, cx.b.full(n, spec), comparison_direction="LT")
    return cx.b.op("and", ge0, ltn)


def _free_layout(n_batch, ib):
    """Index batch dims that are not batching dims (they take the indexed axis's place)."""
    return [k for k in range(n_batch) if k not in ib]


def _full_index(cx, idx, rank, axis, sizes, ob, ib):
    """Broadcast the index tensor (batch dims only) to ``rank`` dims, one per operand dim:
    batching dims go to their operand dims, the other index dims are flattened into
    ``axis``, every other operand dim d gets ``sizes[d]`` (a broadcast)."""
    nb = cx.spec(idx).rank
    free = _free_layout(nb, ib)
    target_of = {k: ob[ib.index(k)] for k in ib}
    before = sorted((k for k in ib if target_of[k] < axis), key=target_of.get)
    after = sorted((k for k in ib if target_of[k] > axis), key=target_of.get)
    order = before + free + after
    if order != list(range(nb)):
        idx = cx.b.op("transpose", idx, permutation=order)
    ishape = cx.spec(idx).shape
    n_free = math.prod(ishape[len(before) + i] for i in range(len(free)))
    merged = ishape[: len(before)] + (n_free,) + ishape[len(before) + len(free):]
    idx = cx.reshape(idx, merged)
    dims = sorted(target_of[k] for k in before) + [axis] + sorted(target_of[k] for k in after)
    shape = [merged[dims.index(d)] if d in dims else sizes[d] for d in range(rank)]
    if list(merged) == shape:
        return idx
    return cx.b.op("broadcast_in_dim", idx, broadcast_dimensions=dims, shape=shape)


# --------------------------------------------------------------------------
# gather


@converter("gather")
def _gather(cx, eqn, args):
    operand, indices = args
    dn = eqn.params["dimension_numbers"]
    sizes = tuple(int(s) for s in eqn.params["slice_sizes"])
    mode = _mode(eqn)
    if mode not in ("CLIP", "FILL_OR_DROP", "PROMISE_IN_BOUNDS"):
        cx.unsupported(eqn, f"gather mode {mode}")
    xs = cx.spec(operand)
    idx = _index_vector(cx, eqn, indices, len(dn.start_index_map))
    axis = int(dn.start_index_map[0])
    collapsed = set(int(d) for d in dn.collapsed_slice_dims)
    ob = [int(d) for d in getattr(dn, "operand_batching_dims", ())]
    ib = [int(d) for d in getattr(dn, "start_indices_batching_dims", ())]
    if sizes[axis] != 1:
        cx.unsupported(eqn, f"a window of {sizes[axis]} along the indexed axis {axis}")
    out_spec = cx.out_spec(eqn)
    batch_shape = cx.spec(idx).shape
    offset_dims = [int(d) for d in dn.offset_dims]
    offset_operand = [d for d in range(xs.rank) if d not in collapsed and d not in ob]
    # labels of the output dims, in XLA's order
    target, k = [], 0
    for p in range(out_spec.rank):
        if p in offset_dims:
            target.append(("o", offset_operand[offset_dims.index(p)]))
        else:
            target.append(("b", k))
            k += 1

    if not ob:
        x = operand
        if any(sizes[d] != xs.shape[d] for d in range(xs.rank) if d != axis):
            limit = [xs.shape[d] if d == axis else sizes[d] for d in range(xs.rank)]
            x = cx.b.op("slice", x, start_indices=[0] * xs.rank, limit_indices=limit, strides=[1] * xs.rank)
        g = cx.b.op("gather", x, idx, axis=axis)
        labels = [("o", d) for d in range(axis) if d not in collapsed]
        labels += [("o", axis)] if axis not in collapsed else []
        labels += [("b", i) for i in range(len(batch_shape))]
        labels += [("o", d) for d in range(axis + 1, xs.rank) if d not in collapsed]
    else:
        free = _free_layout(len(batch_shape), ib)
        full = _full_index(cx, idx, xs.rank, axis, sizes, ob, ib)
        g = cx.b.op("gather_along", operand, full, axis=axis)
        labels = []
        for d in range(xs.rank):
            if d in ob:
                labels.append(("b", ib[ob.index(d)]))
            elif d == axis:
                labels += [("b", f) for f in free] + ([("o", axis)] if axis not in collapsed else [])
            elif d not in collapsed:
                labels.append(("o", d))
    size = {("b", i): s for i, s in enumerate(batch_shape)}
    size.update({("o", d): sizes[d] for d in range(xs.rank)})
    g = cx.reshape(g, [size[lab] for lab in labels])
    result = _permute(cx, g, labels, target)

    if mode == "FILL_OR_DROP":
        valid = _in_bounds(cx, idx, xs.shape[axis])
        batch_pos = [p for p, lab in enumerate(target) if lab[0] == "b"]
        valid = cx.b.op("broadcast_in_dim", valid, broadcast_dimensions=batch_pos, shape=list(out_spec.shape))
        fill = cx.b.full(_fill_value(eqn, out_spec.np_dtype), out_spec)
        result = cx.b.op("select", valid, result, fill)
    return result


# --------------------------------------------------------------------------
# scatter-add


@converter("scatter-add", "scatter_add")
def _scatter_add(cx, eqn, args):
    operand, indices, updates = args
    dn = eqn.params["dimension_numbers"]
    mode = _mode(eqn)
    if mode not in ("CLIP", "FILL_OR_DROP", "PROMISE_IN_BOUNDS"):
        cx.unsupported(eqn, f"scatter mode {mode}")
    xs, us = cx.spec(operand), cx.spec(updates)
    idx = _index_vector(cx, eqn, indices, len(dn.scatter_dims_to_operand_dims))
    axis = int(dn.scatter_dims_to_operand_dims[0])
    if mode == "CLIP":
        ispec = cx.spec(idx)
        idx = cx.b.op("clamp", cx.b.full(0, ispec), idx, cx.b.full(xs.shape[axis] - 1, ispec))
    inserted = set(int(d) for d in dn.inserted_window_dims)
    ob = [int(d) for d in getattr(dn, "operand_batching_dims", ())]
    ib = [int(d) for d in getattr(dn, "scatter_indices_batching_dims", ())]
    uwd = [int(d) for d in dn.update_window_dims]
    window_operand = [d for d in range(xs.rank) if d not in inserted and d not in ob]
    labels, k = [], 0
    for p in range(us.rank):
        if p in uwd:
            labels.append(("o", window_operand[uwd.index(p)]))
        else:
            labels.append(("b", k))
            k += 1
    batch_shape = cx.spec(idx).shape
    win = {lab[1]: us.shape[p] for p, lab in enumerate(labels) if lab[0] == "o"}
    if win.get(axis, 1) != 1:
        cx.unsupported(eqn, f"a window of {win[axis]} along the indexed axis {axis}")

    if not ob:
        order = [("o", d) for d in range(axis) if d in win] + [("b", i) for i in range(len(batch_shape))]
        order += [("o", d) for d in range(axis + 1, xs.rank) if d in win] + ([("o", axis)] if axis in win else [])
        u = _permute(cx, updates, labels, order)
        wsize = [win.get(d, 1) for d in range(xs.rank)]
        u = cx.reshape(u, wsize[:axis] + list(batch_shape) + wsize[axis + 1:])
        if any(wsize[d] != xs.shape[d] for d in range(xs.rank) if d != axis):
            nb = len(batch_shape)
            high = [xs.shape[d] - wsize[d] for d in range(axis)] + [0] * nb
            high += [xs.shape[d] - wsize[d] for d in range(axis + 1, xs.rank)]
            zero = cx.b.scalar(0, us.dtype)
            u = cx.b.op("pad", u, zero, edge_padding_low=[0] * len(high), edge_padding_high=high,
                        interior_padding=[0] * len(high))
        return cx.b.op("scatter_add", operand, idx, u, axis=axis)

    free = _free_layout(len(batch_shape), ib)
    wsize = [win.get(d, 1) for d in range(xs.rank)]
    full = _full_index(cx, idx, xs.rank, axis, wsize, ob, ib)
    order = []
    for d in range(xs.rank):
        if d in ob:
            order.append(("b", ib[ob.index(d)]))
        elif d == axis:
            order += [("b", f) for f in free] + ([("o", axis)] if axis in win else [])
        elif d in win:
            order.append(("o", d))
    u = _permute(cx, updates, labels, order)
    u = cx.reshape(u, cx.spec(full).shape)
    return cx.b.op("scatter_add_along", operand, full, u, axis=axis)


# --------------------------------------------------------------------------
# dynamic slices with constant starts


def _static_starts(cx, eqn, starts, operand_shape, sizes):
    """Start indices known at trace time, clamped into range as XLA does."""
    out = []
    for d, s in enumerate(starts):
        v = cx.known(s)
        if v is None:
            cx.unsupported(eqn, "start indices must be constants (pass them as static arguments)")
        out.append(int(min(max(int(v), 0), operand_shape[d] - sizes[d])))
    return out


@converter("dynamic_slice")
def _dynamic_slice(cx, eqn, args):
    operand, *starts = args
    shape = cx.spec(operand).shape
    sizes = [int(s) for s in eqn.params["slice_sizes"]]
    start = _static_starts(cx, eqn, starts, shape, sizes)
    return cx.b.op("slice", operand, start_indices=start, limit_indices=[s + n for s, n in zip(start, sizes)],
                   strides=[1] * len(shape))


@converter("dynamic_update_slice")
def _dynamic_update_slice(cx, eqn, args):
    operand, update, *starts = args
    xs, us = cx.spec(operand), cx.spec(update)
    start = _static_starts(cx, eqn, starts, xs.shape, us.shape)
    high = [xs.shape[d] - start[d] - us.shape[d] for d in range(xs.rank)]
    pads = dict(edge_padding_low=start, edge_padding_high=high, interior_padding=[0] * xs.rank)
    mask = cx.b.op("pad", cx.b.full(True, TensorSpec(us.shape, "i1")), cx.b.scalar(False, "i1"), **pads)
    placed = cx.b.op("pad", update, cx.b.scalar(0, us.dtype), **pads)
    return cx.b.op("select", mask, placed, operand)


# --------------------------------------------------------------------------
# convolution and pooling


@converter("conv_general_dilated")
def _conv(cx, eqn, args):
    p = eqn.params
    if int(p.get("batch_group_count", 1)) != 1:
        cx.unsupported(eqn, "batch_group_count > 1")
    dtype = cx.out_spec(eqn).dtype
    lhs, rhs = (cx.b.convert(a, dtype) for a in args)
    rank = cx.spec(lhs).rank
    dn = p.get("dimension_numbers")
    ident = tuple(range(rank))
    lhs_spec, rhs_spec, out_spec = (dn.lhs_spec, dn.rhs_spec, dn.out_spec) if dn is not None else (ident,) * 3
    if tuple(lhs_spec) != ident:
        lhs = cx.b.op("transpose", lhs, permutation=list(lhs_spec))
    if tuple(rhs_spec) != ident:
        rhs = cx.b.op("transpose", rhs, permutation=list(rhs_spec))
    padding = [int(v) for pair in p["padding"] for v in pair]
    y = cx.b.op("convolution", lhs, rhs, window_strides=list(p["window_strides"]), padding=padding,
                lhs_dilation=list(p["lhs_dilation"]), rhs_dilation=list(p["rhs_dilation"]),
                feature_group_count=int(p["feature_group_count"]))
    if tuple(out_spec) != ident:
        inverse = [0] * rank
        for i, dim in enumerate(out_spec):
            inverse[dim] = i
        y = cx.b.op("transpose", y, permutation=inverse)
    return y


def _reduce_window(kind):
    def convert(cx, eqn, args):
        p = eqn.params
        if any(int(v) != 1 for v in p["base_dilation"]):
            cx.unsupported(eqn, "base (input) dilation in reduce_window")
        return cx.b.op("reduce_window", args[0], kind=kind, window_dimensions=list(p["window_dimensions"]),
                       window_strides=list(p["window_strides"]),
                       padding=[int(v) for pair in p["padding"] for v in pair],
                       window_dilations=list(p["window_dilation"]))

    return convert


for _kind in ("sum", "max", "min"):
    converter(f"reduce_window_{_kind}")(_reduce_window(_kind))
