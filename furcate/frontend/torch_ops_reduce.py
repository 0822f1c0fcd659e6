"""ATen -> furcate converters for reductions and scans: sum / prod / mean / var, max and min
(with their indices: ``max.dim``, ``argmax``), any / all, and cumulative sums, products and
extremes (``cummax`` / ``cummin`` with eager's indices). Registered in ``torch_registry.CONVERTERS``."""

from __future__ import annotations

import numpy as np

from furcate.dtypes import TensorSpec
from furcate.frontend.torch_registry import aten, norm_dim, norm_dims, register, upcast
from furcate.ir.builder import spec


def _keepdim(cx, v, node):
    return cx.reshape(v, cx.out(node).shape)


def _reduce(cx, node, a, kind: str, dims, dtype: str | None = None):
    x = cx.cast(a, dtype or cx.out(node).dtype)
    dims = norm_dims(dims, spec(x).rank)
    r = cx.op("reduce", x, kind=kind, dimensions=dims) if dims else x
    return _keepdim(cx, r, node)


@register(aten.sum.dim_IntList, aten.sum.default)
def _sum(cx, node, a, dim=None, keepdim=False, dtype=None):
    return _reduce(cx, node, a, "sum", dim)


@register(aten.prod.dim_int, aten.prod.default)
def _prod(cx, node, a, dim=None, keepdim=False, dtype=None):
    return _reduce(cx, node, a, "prod", dim)


@register(aten.amax.default, aten.max.default)
def _amax(cx, node, a, dim=None, keepdim=False):
    return _reduce(cx, node, a, "max", dim)


@register(aten.amin.default, aten.min.default)
def _amin(cx, node, a, dim=None, keepdim=False):
    return _reduce(cx, node, a, "min", dim)


@register(aten.any.dim, aten.any.dims, aten.any.default)
def _any(cx, node, a, dim=None, keepdim=False):
    return cx.cast(_reduce(cx, node, a, "or", dim, "i1"), cx.out(node).dtype)


@register(aten.all.dim, aten.all.dims, aten.all.default)
def _all(cx, node, a, dim=None, keepdim=False):
    return cx.cast(_reduce(cx, node, a, "and", dim, "i1"), cx.out(node).dtype)


def _mean_parts(cx, x, dims):
    """(sum over dims, element count) of ``x`` in its own dtype."""
    s = spec(x)
    n = int(np.prod([s.shape[d] for d in dims])) if dims else 1
    return (cx.op("reduce", x, kind="sum", dimensions=dims) if dims else x), n


@register(aten.mean.dim, aten.mean.default)
def _mean(cx, node, a, dim=None, keepdim=False, dtype=None):
    out = cx.out(node).dtype
    x = cx.cast(a, upcast(out))
    dims = norm_dims(dim, spec(x).rank)
    total, n = _mean_parts(cx, x, dims)
    m = cx.op("div", total, cx.scalar_like(n, total))
    return _keepdim(cx, cx.cast(m, out), node)


def _var(cx, x, dims, correction):
    """(variance, mean with dims kept as 1) of ``x`` over ``dims``."""
    s = spec(x)
    total, n = _mean_parts(cx, x, dims)
    mean = cx.op("div", total, cx.scalar_like(n, total))
    kept = [1 if i in dims else d for i, d in enumerate(s.shape)]
    mean_k = cx.reshape(mean, kept)
    diff = cx.op("sub", x, cx.bcast(mean_k, s.shape))
    sq = cx.op("mul", diff, diff)
    ss = cx.op("reduce", sq, kind="sum", dimensions=dims) if dims else sq
    var = cx.op("div", ss, cx.scalar_like(max(n - correction, 0), ss))
    return var, mean


@register(aten.var.correction, aten.var_mean.correction)
def _var_family(cx, node, a, dim=None, correction=None, keepdim=False):
    multi = node.target is aten.var_mean.correction
    out = cx.out(node, 0 if multi else None)
    x = cx.cast(a, upcast(out.dtype))
    dims = norm_dims(dim, spec(x).rank)
    var, mean = _var(cx, x, dims, 1 if correction is None else correction)
    var = cx.reshape(cx.cast(var, out.dtype), out.shape)
    if not multi:
        return var
    return [var, cx.reshape(cx.cast(mean, out.dtype), out.shape)]


@register(aten.argmax.default, aten.argmin.default)
def _argmax(cx, node, a, dim=None, keepdim=False):
    name = node.target.overloadpacket.__name__
    x = a
    if dim is None:
        x = cx.reshape(x, [spec(x).numel])
        dim = 0
    if spec(x).rank == 0:
        x, dim = cx.reshape(x, [1]), 0
    r = cx.op(name, x, dimension=norm_dim(dim, spec(x).rank), index_dtype=cx.out(node).dtype)
    return cx.reshape(r, cx.out(node).shape)


def _numeric(cx, x):
    """``x`` in a dtype the reductions take (bools as i32: max is "or", min is "and")."""
    return cx.cast(x, "i32") if spec(x).dtype == "i1" else x


@register(aten.max.dim, aten.min.dim)
def _max_dim(cx, node, a, dim, keepdim=False):
    """(values, indices) along ``dim``: the first extreme, or the first NaN (as eager)."""
    kind = node.target.overloadpacket.__name__
    vals, idx = cx.out(node, 0), cx.out(node, 1)
    x = _numeric(cx, a)
    if spec(x).rank == 0:
        return [cx.cast(x, vals.dtype), cx.b.full(0, idx)]
    d = norm_dim(dim, spec(x).rank)
    v = cx.op("reduce", x, kind=kind, dimensions=[d])
    i = cx.op(f"arg{kind}", x, dimension=d, index_dtype=idx.dtype)
    return [cx.reshape(cx.cast(v, vals.dtype), vals.shape), cx.reshape(i, idx.shape)]


@register(aten.cummax.default, aten.cummin.default)
def _cummax(cx, node, a, dim):
    """Running (values, indices). Eager's index is the LAST position that reached the running
    extreme (ties move it forward), and once a NaN was seen, the last NaN: so it is the running
    max of ``position if x == running extreme or x is NaN else -1``."""
    kind = node.target.overloadpacket.__name__[3:]
    vals, idx = cx.out(node, 0), cx.out(node, 1)
    x = _numeric(cx, a)
    s = spec(x)
    if s.rank == 0:
        return [cx.cast(x, vals.dtype), cx.b.full(0, idx)]
    d = norm_dim(dim, s.rank)
    run = cx.op("cumulative", x, kind=kind, dimension=d, reverse=0)
    hit = cx.op("or", cx.cmp(x, run, "EQ"), cx.cmp(x, x, "NE"))
    pos = cx.op("iota", spec=TensorSpec(s.shape, idx.dtype), iota_dimension=d)
    cand = cx.select(hit, pos, cx.scalar_like(-1, pos))
    last = cx.op("cumulative", cand, kind="max", dimension=d, reverse=0)
    return [cx.cast(run, vals.dtype), last]


@register(aten.cumsum.default, aten.cumprod.default)
def _cumulative(cx, node, a, dim, dtype=None):
    x = cx.cast(a, cx.out(node).dtype)
    if spec(x).rank == 0:
        return x
    kind = "sum" if node.target is aten.cumsum.default else "prod"
    return cx.op("cumulative", x, kind=kind, dimension=norm_dim(dim, spec(x).rank), reverse=0)
