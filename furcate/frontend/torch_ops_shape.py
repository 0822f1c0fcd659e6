"""ATen -> furcate converters: views and layout, slicing and concatenation, indexing
(gather / scatter / index_put), and tensor creation. Registered in ``torch_registry.CONVERTERS``."""

from __future__ import annotations

import numpy as np
import torch

from furcate.dtypes import TensorSpec, is_float
from furcate.frontend.torch_registry import Cx, _meta, aten, norm_dim, prims, register
from furcate.ir.builder import spec

# --------------------------------------------------------------------------
# views and layout (value semantics: a view is a reshape/transpose of the value)


@register(aten.view.default, aten._unsafe_view.default, aten.reshape.default, aten.unsqueeze.default,
          aten.squeeze.default, aten.squeeze.dim, aten.squeeze.dims, aten.flatten.using_ints,
          aten.view.dtype)
def _reshape(cx: Cx, node, a, *args):
    out = cx.out(node)
    if out.dtype != spec(a).dtype:
        raise TypeError(f"{node.target}: bit-casting views are not supported")
    return cx.reshape(a, out.shape)


@register(aten.clone.default, aten.alias.default, aten._to_copy.default, aten.lift_fresh_copy.default,
          aten.detach.default, aten.contiguous.default, aten.to.dtype, aten.copy.default,
          prims.convert_element_type.default, check=lambda n: _copy_check(n))
def _copy(cx, node, a, *args, **kwargs):
    """Copies and dtype casts; ``copy(dst, src)`` is ``src`` cast and broadcast to ``dst``."""
    if node.target is aten.copy.default:
        a = args[0]
    return cx.tensor(a, cx.out(node))


def _copy_check(node):
    """``_to_copy`` to another device or memory format is still a value copy; only layouts
    other than strided are refused."""
    layout = node.kwargs.get("layout")
    return layout is None or str(layout) == "torch.strided"


@register(aten.expand.default, aten.broadcast_to.default)
def _expand(cx, node, a, *args):
    return cx.bcast(a, cx.out(node).shape)


@register(aten.permute.default)
def _permute(cx, node, a, dims):
    r = spec(a).rank
    perm = [norm_dim(d, r) for d in dims]
    if perm == list(range(r)):
        return a
    return cx.op("transpose", a, permutation=perm)


@register(aten.t.default, aten.transpose.int, aten.numpy_T.default)
def _transpose(cx, node, a, d0=0, d1=1):
    r = spec(a).rank
    if r < 2:
        return a
    perm = list(range(r))
    if node.target is aten.numpy_T.default:
        perm = perm[::-1]
    else:
        i, j = norm_dim(d0, r), norm_dim(d1, r)
        perm[i], perm[j] = perm[j], perm[i]
    return cx.op("transpose", a, permutation=perm)


def _clamp_index(i, size, default):
    if i is None:
        return default
    i = int(i)
    if i < 0:
        i += size
    return min(max(i, 0), size)


def _slice(cx, a, dim, start, stop, step=1):
    s = spec(a)
    starts, limits, strides = [0] * s.rank, list(s.shape), [1] * s.rank
    starts[dim], limits[dim], strides[dim] = start, max(stop, start), step
    return cx.op("slice", a, start_indices=starts, limit_indices=limits, strides=strides)


@register(aten.slice.Tensor)
def _slice_tensor(cx, node, a, dim=0, start=None, end=None, step=1):
    s = spec(a)
    dim = norm_dim(dim, s.rank)
    n = s.shape[dim]
    lo = _clamp_index(start, n, 0)
    hi = _clamp_index(end, n, n)
    return _slice(cx, a, dim, lo, hi, int(step))


@register(aten.select.int)
def _select(cx, node, a, dim, index):
    s = spec(a)
    dim = norm_dim(dim, s.rank)
    i = int(index) + (s.shape[dim] if index < 0 else 0)
    return cx.reshape(_slice(cx, a, dim, i, i + 1), cx.out(node).shape)


@register(aten.split_with_sizes.default, aten.split.Tensor)
def _split(cx, node, a, sizes, dim=0):
    s = spec(a)
    dim = norm_dim(dim, s.rank)
    n = s.shape[dim]
    if isinstance(sizes, int):
        sizes = [min(sizes, n - i) for i in range(0, n, sizes)] or [0]
    outs, pos = [], 0
    for size in sizes:
        outs.append(_slice(cx, a, dim, pos, pos + int(size)))
        pos += int(size)
    return outs


@register(aten.unbind.int)
def _unbind(cx, node, a, dim=0):
    s = spec(a)
    dim = norm_dim(dim, s.rank)
    rest = [d for i, d in enumerate(s.shape) if i != dim]
    return [cx.reshape(_slice(cx, a, dim, i, i + 1), rest) for i in range(s.shape[dim])]


@register(aten.cat.default, aten.concat.default)
def _cat(cx, node, tensors, dim=0):
    out = cx.out(node)
    dim = norm_dim(dim, out.rank)
    # torch.cat skips 1-D empty tensors (legacy behaviour) and promotes to the result dtype
    parts = [cx.cast(t, out.dtype) for t in tensors if not (spec(t).rank == 1 and spec(t).shape[0] == 0 and out.rank != 1)]
    parts = [p for p in parts if spec(p).shape[dim] > 0] or parts[:1]
    if len(parts) == 1:
        return cx.reshape(parts[0], out.shape)
    return cx.op("concatenate", *parts, dimension=dim)


@register(aten.stack.default)
def _stack(cx, node, tensors, dim=0):
    out = cx.out(node)
    dim = norm_dim(dim, out.rank)
    parts = []
    for t in tensors:
        shape = list(out.shape)
        shape[dim] = 1
        parts.append(cx.reshape(cx.cast(t, out.dtype), shape))
    return parts[0] if len(parts) == 1 else cx.op("concatenate", *parts, dimension=dim)


@register(aten.constant_pad_nd.default)
def _constant_pad(cx, node, a, pad, value=0):
    s = spec(a)
    lo, hi = [0] * s.rank, [0] * s.rank
    for k in range(len(pad) // 2):  # pairs from the last dim backwards
        d = s.rank - 1 - k
        lo[d], hi[d] = int(pad[2 * k]), int(pad[2 * k + 1])
    pv = cx.b.scalar(value, s.dtype)
    return cx.op("pad", a, pv, edge_padding_low=lo, edge_padding_high=hi, interior_padding=[0] * s.rank)


@register(aten.flip.default)
def _flip(cx, node, a, dims):
    """flip as a gather with reversed indices along each dim."""
    s = spec(a)
    x = a
    for d in dims:
        d = norm_dim(d, s.rank)
        idx = cx.b.constant(np.arange(s.shape[d] - 1, -1, -1, dtype=np.int64))
        x = cx.op("gather", x, idx, axis=d)
    return x


# --------------------------------------------------------------------------
# indexing


def _wrap_negative(cx, idx, size):
    """torch index semantics: a negative index counts from the end."""
    zero = cx.scalar_like(0, idx)
    return cx.select(cx.cmp(idx, zero, "LT"), cx.op("add", idx, cx.scalar_like(size, idx)), idx)


@register(aten.index_select.default)
def _index_select(cx, node, a, dim, index):
    s = spec(a)
    dim = norm_dim(dim, s.rank)
    if s.rank == 0:
        return a
    return cx.reshape(cx.op("gather", a, cx.reshape(index, [spec(index).numel]), axis=dim), cx.out(node).shape)


def _tensor_indices(node):
    """[(position, index node)] of the tensors in an ``indices`` list, or None when there are
    none or one is a boolean mask (data-dependent shape)."""
    present = [(i, t) for i, t in enumerate(node.args[1]) if t is not None]
    if not present:
        return None
    for _, t in present:
        val = _meta(t)
        if val is None or val.dtype in (torch.bool, torch.uint8):
            return None  # boolean masks have data-dependent shapes
    return present


def _single_index(node):
    """(position, index node) of the one tensor in an ``indices`` list, or None."""
    present = _tensor_indices(node)
    return present[0] if present is not None and len(present) == 1 else None


@register(aten.index.Tensor, check=lambda n: _tensor_indices(n) is not None)
def _index(cx, node, a, indices):
    """Advanced indexing with integer tensors at one or several positions (``None`` for a
    dimension taken whole). The indexed dimensions are moved together (to the front when they
    are not adjacent, torch's rule), flattened into one, and one gather reads them at the
    broadcast linear index."""
    s = spec(a)
    pos = [i for i, t in enumerate(indices) if t is not None]
    out = cx.out(node)
    if len(pos) == 1:
        idx = _wrap_negative(cx, indices[pos[0]], s.shape[pos[0]])
        return cx.reshape(cx.op("gather", a, idx, axis=pos[0]), out.shape)
    adjacent = pos == list(range(pos[0], pos[-1] + 1))
    dest = pos[0] if adjacent else 0
    if not adjacent:
        a = cx.op("transpose", a, permutation=pos + [d for d in range(s.rank) if d not in pos])
    sizes = [s.shape[d] for d in pos]
    moved = list(spec(a).shape)
    flat = moved[:dest] + [int(np.prod(sizes))] + moved[dest + len(pos):]
    a = cx.reshape(a, flat)
    bshape = tuple(torch.broadcast_shapes(*(tuple(_meta(node.args[1][d]).shape) for d in pos)))
    linear, stride = None, 1
    for d, size in zip(reversed(pos), reversed(sizes)):
        i = cx.bcast(cx.cast(_wrap_negative(cx, indices[d], size), "i64"), bshape)
        if stride != 1:
            i = cx.op("mul", i, cx.scalar_like(stride, i))
        linear = i if linear is None else cx.op("add", linear, i)
        stride *= size
    return cx.reshape(cx.op("gather", a, linear, axis=dest), out.shape)


@register(aten.embedding.default)
def _embedding(cx, node, weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    return cx.op("gather", weight, indices, axis=0)


@register(aten.gather.default)
def _gather(cx, node, a, dim, index, sparse_grad=False):
    s = spec(a)
    if s.rank == 0:
        return a
    dim = norm_dim(dim, s.rank)
    si = spec(index)
    if all(n == 1 for d, n in enumerate(s.shape) if d != dim) and si.numel > 0:
        # one row (a 1-D tensor, or BERT's token-type buffer (1, n)): a plain gather of it
        row = cx.reshape(a, [s.shape[dim]])
        return cx.reshape(cx.op("gather", row, cx.reshape(index, [si.numel]), axis=0), si.shape)
    return cx.op("gather_along", a, index, axis=dim)


def _mask_along(cx, target_spec, index, dim):
    """i1 tensor of ``target_spec``'s shape: True where some ``index`` entry points (scatter mask)."""
    counts = cx.b.full(0, TensorSpec(target_spec.shape, "i32"))
    ones = cx.b.full(1, TensorSpec(spec(index).shape, "i32"))
    hits = cx.op("scatter_add_along", counts, index, ones, axis=dim)
    return cx.cmp(hits, cx.scalar_like(0, hits), "GT")


def _src_like_index(cx, src, index):
    """``src`` cut down to the index's shape (torch reads only that corner of src)."""
    si, ss = spec(index), spec(src)
    if si.shape == ss.shape:
        return src
    return cx.op("slice", src, start_indices=[0] * ss.rank, limit_indices=list(si.shape), strides=[1] * ss.rank)


@register(aten.scatter_add.default)
def _scatter_add(cx, node, a, dim, index, src):
    s = spec(a)
    if s.rank == 0:  # a 0-d scatter adds the (0-d) source to the one element
        return cx.op("add", a, cx.reshape(src, []))
    dim = norm_dim(dim, s.rank)
    return cx.op("scatter_add_along", a, index, _src_like_index(cx, src, index), axis=dim)


# duplicate indices of a writing scatter: each write is compared with every later one along the
# scattered axis, so a scatter with more than this many (write, write) pairs is left to eager
_MAX_WRITE_PAIRS = 1 << 22


def _superseded(cx, ix, d):
    """i1 of ``ix``'s shape: True where a later position along dim ``d`` holds the same index
    (that write is overwritten: eager's CPU kernels write in order, the last one stays)."""
    si = spec(ix)
    n, r = si.shape[d], si.rank
    e = TensorSpec(si.shape[:d + 1] + (n,) + si.shape[d + 1:], "i64")
    at_i = cx.op("broadcast_in_dim", ix, broadcast_dimensions=[k if k <= d else k + 1 for k in range(r)],
                 shape=list(e.shape))
    at_j = cx.op("broadcast_in_dim", ix, broadcast_dimensions=[k if k < d else k + 1 for k in range(r)],
                 shape=list(e.shape))
    later = cx.cmp(cx.op("iota", spec=e, iota_dimension=d + 1), cx.op("iota", spec=e, iota_dimension=d), "GT")
    same = cx.op("and", cx.cmp(at_i, at_j, "EQ"), later)
    return cx.op("reduce", same, kind="or", dimensions=[d + 1])


def _write_pairs_check(n_writes: int, axis_len: int) -> bool | str:
    if n_writes * axis_len <= _MAX_WRITE_PAIRS:
        return True
    return f"writing scatter of {n_writes} values: too many to order duplicate indices as eager does"


def _scatter_check(node) -> bool | str:
    if node.target is not aten.scatter.src:
        return True  # a scalar: duplicates write the same value
    index = _meta(node.args[2])
    if index.dim() == 0:
        return True
    return _write_pairs_check(index.numel(), index.shape[norm_dim(node.args[1], index.dim())])


@register(aten.scatter.value, aten.scatter.src, check=_scatter_check)
def _scatter(cx, node, a, dim, index, src):
    """Scatter that writes: the written positions are a scatter-add of ones; the written values
    a scatter-add into zeros of the writes no later write (same index along ``dim``) overwrites."""
    s = spec(a)
    if s.rank == 0:  # a 0-d scatter writes the one element
        return cx.tensor(src if isinstance(src, (bool, int, float)) else cx.reshape(src, []), s)
    dim = norm_dim(dim, s.rank)
    mask = _mask_along(cx, s, index, dim)
    if isinstance(src, (bool, int, float)):
        vals = cx.b.full(src, s)
    else:
        dt = s.dtype if s.dtype != "i1" else "i32"
        upd = cx.cast(_src_like_index(cx, src, index), dt)
        upd = cx.select(_superseded(cx, cx.cast(index, "i64"), dim), cx.scalar_like(0, upd), upd)
        vals = cx.cast(cx.op("scatter_add_along", cx.b.full(0, TensorSpec(s.shape, dt)), index, upd, axis=dim), s.dtype)
    return cx.select(mask, vals, a)


def _index_put_check(node) -> bool | str:
    one = _single_index(node)
    if one is None:
        return False
    accumulate = node.args[3] if len(node.args) > 3 else node.kwargs.get("accumulate", False)
    if accumulate:
        return True
    n = _meta(node.args[1][one[0]]).numel()
    return _write_pairs_check(n, n)


@register(aten.index_put.default, check=_index_put_check)
def _index_put(cx, node, a, indices, values, accumulate=False):
    """``a[..., idx, ...] = values`` (or ``+=``): scatter-adds; a write that a later write to the
    same index overwrites is dropped first (eager keeps the last)."""
    axis, _ = _single_index(node)
    s = spec(a)
    idx = _wrap_negative(cx, indices[axis], s.shape[axis])
    si = spec(idx)
    upd_shape = s.shape[:axis] + si.shape + s.shape[axis + 1:]
    dt = s.dtype if s.dtype != "i1" else "i32"
    upd = cx.tensor(values, TensorSpec(upd_shape, dt))
    if accumulate:
        return cx.cast(cx.op("scatter_add", cx.cast(a, dt), idx, upd, axis=axis), s.dtype)
    flat = cx.reshape(cx.cast(idx, "i64"), [si.numel])
    keep = cx.reshape(cx.op("not", _superseded(cx, flat, 0)), list(si.shape))
    keep = cx.op("broadcast_in_dim", keep, broadcast_dimensions=list(range(axis, axis + si.rank)), shape=list(upd_shape))
    ones = cx.select(keep, cx.b.full(1, TensorSpec(upd_shape, "i32")), cx.b.full(0, TensorSpec(upd_shape, "i32")))
    hits = cx.op("scatter_add", cx.b.full(0, TensorSpec(s.shape, "i32")), idx, ones, axis=axis)
    mask = cx.cmp(hits, cx.scalar_like(0, hits), "GT")
    upd = cx.select(keep, upd, cx.scalar_like(0, upd))
    vals = cx.op("scatter_add", cx.b.full(0, TensorSpec(s.shape, dt)), idx, upd, axis=axis)
    return cx.select(mask, cx.cast(vals, s.dtype), a)


# --------------------------------------------------------------------------
# creation


def _fill_value(value, dtype: str):
    return bool(value) if dtype == "i1" else value


@register(aten.full.default, aten.full_like.default, aten.new_full.default)
def _full(cx, node, *args, **kwargs):
    value = args[1] if node.target is aten.full.default else args[1] if len(args) > 1 else kwargs["fill_value"]
    out = cx.out(node)
    return cx.b.full(_fill_value(value, out.dtype), out)


@register(aten.zeros.default, aten.zeros_like.default, aten.new_zeros.default, aten.empty.memory_format,
          aten.empty_like.default, aten.empty_strided.default, aten.new_empty.default,
          aten.new_empty_strided.default)
def _zeros(cx, node, *args, **kwargs):
    """zeros, and empty (whose contents are unspecified: zeros are as good as any)."""
    return cx.b.full(0, cx.out(node))


@register(aten.ones.default, aten.ones_like.default, aten.new_ones.default)
def _ones(cx, node, *args, **kwargs):
    return cx.b.full(1, cx.out(node))


@register(aten.scalar_tensor.default)
def _scalar_tensor(cx, node, value, **kwargs):
    out = cx.out(node)
    return cx.b.full(_fill_value(value, out.dtype), out)


def _arange_values(cx, out: TensorSpec, start, step):
    """``start + i * step`` for i in range(n), computed as torch does (f64 for floats)."""
    n = out.shape[0]
    if n == 0:
        return cx.b.full(0, out)
    work = "f64" if is_float(out.dtype) else out.dtype
    i = cx.op("iota", spec=TensorSpec((n,), work), iota_dimension=0)
    v = cx.op("add", cx.op("mul", i, cx.b.full(step, TensorSpec((n,), work))), cx.b.full(start, TensorSpec((n,), work)))
    return cx.cast(v, out.dtype)


@register(aten.arange.default, aten.arange.start, aten.arange.start_step)
def _arange(cx, node, *args, **kwargs):
    nums = [a for a in args if isinstance(a, (int, float))]
    start, step = (0, 1) if len(nums) == 1 else (nums[0], nums[2] if len(nums) > 2 else 1)
    return _arange_values(cx, cx.out(node), start, step)


@register(prims.iota.default)
def _iota(cx, node, length, *, start, step, **kwargs):
    return _arange_values(cx, cx.out(node), start, step)
