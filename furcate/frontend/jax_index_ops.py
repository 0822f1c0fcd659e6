"""JAX primitive → furcate IR: gather / scatter(-add), dynamic slices, convolution, pooling
and the pooling gradient (``select_and_scatter_add``).

XLA's gather and scatter are general; furcate has the forms that indexing
needs. Every single-axis form is mapped here (``start_index_map`` of length
one, so one index per lookup):

- no batching dimensions (``x[idx]``, ``jnp.take``, embedding lookups and their
  gradients) → ``furcate.gather`` / ``furcate.scatter_add`` plus reshapes and
  transposes into XLA's dimension order;
- with batching dimensions (``jnp.take_along_axis`` and its gradient) →
  ``furcate.gather_along`` / ``furcate.scatter_add_along`` on an index tensor
  broadcast to the operand's rank.

``scatter`` (replace, ``x.at[i].set(v)``) is a scatter-add of the values and
of a mask of the written positions, with repeated indices resolved as XLA on
CPU does (the last update wins). Anything else (several indexed axes at once,
windows larger than one along the indexed axis) raises ``UnsupportedError``.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from furcate.dtypes import TensorSpec, is_float
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


def _dim_labels(rank: int, window_dims: list[int], window_operand: list[int]) -> list[tuple[str, int]]:
    """Labels of a gather output's (or scatter update's) dims: ``("o", operand dim)`` for a
    window dim, ``("b", k)`` for the k-th batch (index) dim."""
    labels, k = [], 0
    for p in range(rank):
        if p in window_dims:
            labels.append(("o", window_operand[window_dims.index(p)]))
        else:
            labels.append(("b", k))
            k += 1
    return labels


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
    target = _dim_labels(out_spec.rank, offset_dims, offset_operand)  # the output dims, in XLA's order

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


def _scatter_index(cx, eqn, indices, xs):
    """(index tensor without its index-vector dim, clamped in CLIP mode; the indexed axis)."""
    dn = eqn.params["dimension_numbers"]
    mode = _mode(eqn)
    if mode not in ("CLIP", "FILL_OR_DROP", "PROMISE_IN_BOUNDS"):
        cx.unsupported(eqn, f"scatter mode {mode}")
    idx = _index_vector(cx, eqn, indices, len(dn.scatter_dims_to_operand_dims))
    axis = int(dn.scatter_dims_to_operand_dims[0])
    if mode == "CLIP":
        ispec = cx.spec(idx)
        idx = cx.b.op("clamp", cx.b.full(0, ispec), idx, cx.b.full(xs.shape[axis] - 1, ispec))
    return idx, axis


@converter("scatter-add", "scatter_add")
def _scatter_add(cx, eqn, args):
    return _scatter_add_into(cx, eqn, *args)


def _scatter_add_into(cx, eqn, operand, indices, updates):
    """XLA's scatter-add of ``eqn``'s dimension numbers, on these operands."""
    dn = eqn.params["dimension_numbers"]
    xs, us = cx.spec(operand), cx.spec(updates)
    idx, axis = _scatter_index(cx, eqn, indices, xs)
    inserted = set(int(d) for d in dn.inserted_window_dims)
    ob = [int(d) for d in getattr(dn, "operand_batching_dims", ())]
    ib = [int(d) for d in getattr(dn, "scatter_indices_batching_dims", ())]
    uwd = [int(d) for d in dn.update_window_dims]
    window_operand = [d for d in range(xs.rank) if d not in inserted and d not in ob]
    labels = _dim_labels(us.rank, uwd, window_operand)
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
# scatter (replace): x.at[i].set(v)

# the largest number of index tuples whose duplicates are resolved (a K x K comparison)
_MAX_DEDUP = 2048


def _later_duplicate(cx, eqn, idx):
    """i1 of the index tensor's shape: True where a later index tuple (row-major) hits the
    same operand position (batching dims included), so this update is overwritten."""
    dn = eqn.params["dimension_numbers"]
    spec = cx.spec(idx)
    k = spec.numel
    if k > _MAX_DEDUP:
        cx.unsupported(eqn, f"a scatter (replace) of {k} possibly repeated indices; pass unique_indices=True "
                            f"(x.at[i].set(v, unique_indices=True)) when they are unique")
    ib = [int(d) for d in getattr(dn, "scatter_indices_batching_dims", ())]
    keys = [idx] + [cx.b.op("iota", spec=TensorSpec(spec.shape, "i64"), iota_dimension=d) for d in ib]
    same = None
    for key in keys:
        flat = cx.reshape(cx.b.convert(key, "i64"), [k])
        a = cx.b.op("broadcast_in_dim", flat, broadcast_dimensions=[0], shape=[k, k])
        b = cx.b.op("broadcast_in_dim", flat, broadcast_dimensions=[1], shape=[k, k])
        eq = cx.b.op("compare", a, b, comparison_direction="EQ")
        same = eq if same is None else cx.b.op("and", same, eq)
    row = cx.b.op("iota", spec=TensorSpec((k, k), "i64"), iota_dimension=0)
    col = cx.b.op("iota", spec=TensorSpec((k, k), "i64"), iota_dimension=1)
    later = cx.b.op("and", same, cx.b.op("compare", col, row, comparison_direction="GT"))
    return cx.reshape(cx.b.op("reduce", later, kind="or", dimensions=[1]), spec.shape)


def _unique(cx, eqn, indices) -> bool:
    """The indices are declared unique, or are trace-time constants without repeats."""
    if eqn.params.get("unique_indices"):
        return True
    known = cx.known(indices)
    if known is None or getattr(eqn.params["dimension_numbers"], "scatter_indices_batching_dims", ()):
        return False
    rows = np.asarray(known).reshape(-1, np.asarray(known).shape[-1] if np.ndim(known) else 1)
    return len({tuple(r) for r in rows.tolist()}) == len(rows)


@converter("scatter")
def _scatter(cx, eqn, args):
    """``x.at[i].set(v)`` along one axis: the written positions are a scatter-add of ones, the
    written values a scatter-add into -0.0 (the identity of +, so -0.0 and NaN stay bit-exact).
    Repeated indices keep the last update, as XLA on CPU does: earlier duplicates are dropped."""
    operand, indices, updates = args
    dn = eqn.params["dimension_numbers"]
    xs, us = cx.spec(operand), cx.spec(updates)
    work = "i32" if xs.dtype == "i1" else xs.dtype
    upd = cx.b.convert(updates, work)
    ones = cx.b.full(1, TensorSpec(us.shape, "i32"))
    if not _unique(cx, eqn, indices):
        idx, _ = _scatter_index(cx, eqn, indices, xs)
        drop = _later_duplicate(cx, eqn, idx)
        scatter_dims = [p for p in range(us.rank) if p not in set(int(d) for d in dn.update_window_dims)]
        drop = cx.b.op("broadcast_in_dim", drop, broadcast_dimensions=scatter_dims, shape=list(us.shape))
        upd = cx.b.op("select", drop, cx.b.full(0, TensorSpec(us.shape, work)), upd)
        ones = cx.b.op("select", drop, cx.b.full(0, TensorSpec(us.shape, "i32")), ones)
    zero = -0.0 if is_float(work) else 0
    hits = _scatter_add_into(cx, eqn, cx.b.full(0, TensorSpec(xs.shape, "i32")), indices, ones)
    vals = _scatter_add_into(cx, eqn, cx.b.full(zero, TensorSpec(xs.shape, work)), indices, upd)
    written = cx.b.op("compare", hits, cx.b.full(0, cx.spec(hits)), comparison_direction="GT")
    return cx.b.op("select", written, cx.b.convert(vals, xs.dtype), operand)


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


def _window_offsets(window):
    """Every offset inside a window, in row-major order (the order XLA visits a window in)."""
    return list(itertools.product(*[range(int(w)) for w in window]))


@converter("select_and_scatter_add")
def _select_and_scatter_add(cx, eqn, args):
    """The gradient of max (``select_prim`` ge) / min (le) pooling: each window's ``source``
    value is added at the element XLA selects. XLA walks a window keeping the current element
    while ``current >= candidate`` (``<=`` for min): the first extreme wins, and a NaN (every
    comparison false) hands the choice to the next element. So the choice is the first
    extreme after the last NaN, or the last NaN when it ends the window. Padding takes part
    with the value -inf (+inf for min). One strided slice of the operand per window offset."""
    source, operand = args
    p = eqn.params
    prim = getattr(p["select_prim"], "name", str(p["select_prim"]))
    if prim not in ("ge", "le"):
        cx.unsupported(eqn, f"select_prim {prim} (only ge and le, the max and min pooling gradients)")
    xs, ss = cx.spec(operand), cx.spec(source)
    win, strides = [int(v) for v in p["window_dimensions"]], [int(v) for v in p["window_strides"]]
    low, high = [int(a) for a, _ in p["padding"]], [int(b) for _, b in p["padding"]]
    if min(low + high) < 0:
        cx.unsupported(eqn, "negative padding")
    if is_float(xs.dtype):
        fill = -np.inf if prim == "ge" else np.inf
    else:
        info = np.iinfo(xs.np_dtype)
        fill = info.min if prim == "ge" else info.max
    xp = cx.b.op("pad", operand, cx.b.scalar(fill, xs.dtype), edge_padding_low=low, edge_padding_high=high,
                 interior_padding=[0] * xs.rank)
    padded = cx.spec(xp).shape
    offsets = _window_offsets(win)
    n = len(offsets)
    ipos = TensorSpec(ss.shape, "i32")
    views = [cx.b.op("slice", xp, start_indices=list(o), strides=strides,
                     limit_indices=[o[d] + (ss.shape[d] - 1) * strides[d] + 1 for d in range(xs.rank)])
             for o in offsets]
    const = lambda v: cx.b.full(v, ipos)  # noqa: E731
    cmp = lambda a, b, direction: cx.b.op("compare", a, b, comparison_direction=direction)  # noqa: E731
    last_nan = const(-1)
    if is_float(xs.dtype):
        for k, v in enumerate(views):
            last_nan = cx.b.op("select", cmp(v, v, "NE"), const(k), last_nan)
    extreme = cx.b.full(fill, TensorSpec(ss.shape, xs.dtype))
    after = [cmp(const(k), last_nan, "GT") for k in range(n)]
    for k, v in enumerate(views):
        better = cx.b.op("max" if prim == "ge" else "min", extreme, v)
        extreme = cx.b.op("select", after[k], better, extreme)
    first = const(n)
    for k in reversed(range(n)):
        hit = cx.b.op("and", after[k], cmp(views[k], extreme, "EQ"))
        first = cx.b.op("select", hit, const(k), first)
    chosen = cx.b.op("select", cmp(first, const(n), "EQ"), last_nan, first)
    zero = cx.b.full(0, ss)
    total = None
    for k, o in enumerate(offsets):
        part = cx.b.op("select", cmp(chosen, const(k), "EQ"), source, zero)
        hi = [padded[d] - o[d] - (ss.shape[d] - 1) * strides[d] - 1 for d in range(xs.rank)]
        part = cx.b.op("pad", part, cx.b.scalar(0, ss.dtype), edge_padding_low=list(o), edge_padding_high=hi,
                       interior_padding=[s - 1 for s in strides])
        total = part if total is None else cx.b.op("add", total, part)
    return cx.b.op("slice", total, start_indices=low, limit_indices=[lo + n for lo, n in zip(low, xs.shape)],
                   strides=[1] * xs.rank)
