"""NumPy kernels of furcate's layout, reduction, dot and gather/scatter ops.

Factories take ``(attrs, in_specs, out_specs)`` and return ``fn(*arrays)``.
Sums, products and dots of f16/bf16 accumulate in f32 (f64 for f64, f32 for
f32); integer sums and products wrap (they are computed modulo 2**64 and cast
down, which is the same thing). max/min reductions and scans propagate NaN.
"""

from __future__ import annotations

from math import prod

import numpy as np

from furcate.backends.numpy_elementwise import compute_dtype
from furcate.dtypes import from_numpy_dtype, is_float
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS


# --------------------------------------------------------------------------
# layout


def _broadcast_in_dim(attrs, ins, outs):
    x, shape = ins[0], tuple(attrs["shape"])
    expanded = [1] * len(shape)
    for i, dim in enumerate(attrs["broadcast_dimensions"]):
        expanded[dim] = x.shape[i]
    expanded = tuple(expanded)
    return lambda a: np.broadcast_to(a.reshape(expanded), shape)


def _reshape(attrs, ins, outs):
    shape = tuple(attrs["shape"])
    return lambda a: np.reshape(a, shape)


def _transpose(attrs, ins, outs):
    perm = tuple(attrs["permutation"])
    return lambda a: np.transpose(a, perm)


def _slice(attrs, ins, outs):
    index = tuple(
        slice(s, l, st) for s, l, st in zip(attrs["start_indices"], attrs["limit_indices"], attrs["strides"])
    )
    return lambda a: a[index]


def _concatenate(attrs, ins, outs):
    dim = attrs["dimension"]
    return lambda *arrays: np.concatenate(arrays, axis=dim)


def pad_edges(a: np.ndarray, low, high, value) -> np.ndarray:
    """Edge-pad every dim of ``a`` with ``value``; negative padding then removes elements
    from that end of the padded array (StableHLO pad)."""
    widths = [(max(lo, 0), max(hi, 0)) for lo, hi in zip(low, high)]
    if any(w != (0, 0) for w in widths):
        out = np.full(tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, widths)), value, dtype=a.dtype)
        out[tuple(slice(lo, lo + n) for n, (lo, _) in zip(a.shape, widths))] = a
        a = out
    if any(lo < 0 or hi < 0 for lo, hi in zip(low, high)):
        a = a[tuple(slice(max(-lo, 0), a.shape[i] - max(-hi, 0)) for i, (lo, hi) in enumerate(zip(low, high)))]
    return a


def dilate(a: np.ndarray, factors, value) -> np.ndarray:
    """Insert ``factor - 1`` copies of ``value`` between neighbours along each dim."""
    if all(f == 1 for f in factors):
        return a
    shape = tuple((n - 1) * f + 1 if n > 0 else 0 for n, f in zip(a.shape, factors))
    out = np.full(shape, value, dtype=a.dtype)
    out[tuple(slice(None, None, f) for f in factors)] = a
    return out


def _pad(attrs, ins, outs):
    low, high = attrs["edge_padding_low"], attrs["edge_padding_high"]
    interior = tuple(i + 1 for i in attrs["interior_padding"])

    def run(a, v):
        v = v[()]
        return pad_edges(dilate(a, interior, v), low, high, v)

    return run


# --------------------------------------------------------------------------
# reductions


def identity(kind: str, dtype: np.dtype):
    """The identity of a reduction ``kind`` in ``dtype`` (the fill of empty reductions;
    ``ir/reduce_kinds.py``)."""
    return dtype.type(REDUCE_KINDS[kind].identity(from_numpy_dtype(dtype)))


def accumulate_dtype(spec) -> np.dtype:
    """Where sums and products accumulate: f32 for f16/bf16/f32, f64 for f64, i64 for ints."""
    if is_float(spec.dtype):
        return compute_dtype(spec)
    return np.dtype(np.int64)


def _pairwise_sum(a: np.ndarray, axes, acc) -> np.ndarray:
    """A float sum over ``axes`` with NumPy's pairwise summation: NumPy sums pairwise only along
    a contiguous inner axis (across rows it adds naively), so the reduced axes are moved last
    and made one contiguous axis first."""
    axes = tuple(sorted(d % a.ndim for d in ((axes,) if isinstance(axes, int) else axes)))
    if not axes:
        return a.astype(acc)
    keep = [d for d in range(a.ndim) if d not in axes]
    rows = np.ascontiguousarray(np.transpose(a, keep + list(axes)))
    rows = rows.reshape([a.shape[d] for d in keep] + [int(np.prod([a.shape[d] for d in axes]))])  # not -1: empty
    return np.sum(rows, axis=-1, dtype=acc)


def reducer(kind: str, spec):
    """``fn(array, axes)`` reducing over ``axes`` with ``kind``; empty reductions give the identity."""
    if kind == "sum" and is_float(spec.dtype):
        return lambda a, axes: _pairwise_sum(a, axes, accumulate_dtype(spec))
    if kind in ("sum", "prod"):
        acc = accumulate_dtype(spec)
        f = np.sum if kind == "sum" else np.prod
        return lambda a, axes: f(a, axis=axes, dtype=acc)
    if kind in ("max", "min"):
        ct = compute_dtype(spec)
        init = identity(kind, ct)
        f = np.maximum.reduce if kind == "max" else np.minimum.reduce
        if not is_float(spec.dtype):
            return lambda a, axes: f(a.astype(ct, copy=False), axis=axes, initial=init)

        def extreme(a, axes):
            a = a.astype(ct, copy=False)
            return signed_zeros(kind, f(a, axis=axes, initial=init), a, lambda m: np.any(m, axis=axes))

        return extreme
    if spec.dtype == "i1":
        f = np.logical_and.reduce if kind == "and" else np.logical_or.reduce
        return lambda a, axes: f(a, axis=axes)
    f = np.bitwise_and.reduce if kind == "and" else np.bitwise_or.reduce
    init = identity(kind, spec.np_dtype)
    return lambda a, axes: f(a, axis=axes, initial=init)


def _reduce(attrs, ins, outs):
    dims = tuple(attrs["dimensions"])
    f = reducer(attrs["kind"], ins[0])
    return lambda a: f(a, dims)


def _arg_reduce(name):
    def factory(attrs, ins, outs):
        dim = attrs["dimension"]
        ct = compute_dtype(ins[0])
        f = np.argmax if name == "argmax" else np.argmin  # first index; NaN wins (first NaN)
        return lambda a: f(a.astype(ct, copy=False), axis=dim)

    return factory


def signed_zeros(kind: str, r: np.ndarray, a: np.ndarray, over) -> np.ndarray:
    """Give the zeros of a max / min ``r`` of ``a`` IEEE 754-2019's sign (-0.0 < +0.0):
    a max is +0 if ``over`` (any, along the reduced axes) finds a +0, a min is -0 if it
    finds a -0. NumPy's own choice on a tie of zeros depends on the order of operands."""
    zero = r == 0
    if not np.any(zero):
        return r
    if kind == "max":
        found = over((a == 0) & ~np.signbit(a))
        fixed = np.where(found, np.zeros((), r.dtype), -np.zeros((), r.dtype))
    else:
        found = over((a == 0) & np.signbit(a))
        fixed = np.where(found, -np.zeros((), r.dtype), np.zeros((), r.dtype))
    return np.where(zero, fixed, r)


def _scan_extreme(kind):
    f = np.maximum if kind == "max" else np.minimum

    def scan(a, axis, acc):
        a = a.astype(acc, copy=False)
        r = f.accumulate(a, axis=axis)
        if np.dtype(acc).kind in "iub":  # compute dtypes of floats are f32 / f64
            return r
        return signed_zeros(kind, r, a, lambda m: np.logical_or.accumulate(m, axis=axis))

    return scan


_SCANS = {
    # + 0: a running sum starts at +0 (as XLA's, torch's and the other backends'), so the
    # prefixes of -0.0s are +0.0, not NumPy's -0.0
    "sum": lambda a, axis, acc: np.cumsum(a, axis=axis, dtype=acc) + np.zeros((), acc),
    "prod": lambda a, axis, acc: np.cumprod(a, axis=axis, dtype=acc),
    "max": _scan_extreme("max"),
    "min": _scan_extreme("min"),
}


def _cumulative(attrs, ins, outs):
    kind, dim, reverse = attrs["kind"], attrs["dimension"], bool(attrs["reverse"])
    spec = ins[0]
    acc = accumulate_dtype(spec) if REDUCE_KINDS[kind].accumulates else compute_dtype(spec)
    scan = _SCANS[kind]
    if reverse:
        return lambda a: np.flip(scan(np.flip(a, dim), dim, acc), dim)
    return lambda a: scan(a, dim, acc)


# --------------------------------------------------------------------------
# dot_general


def _dot_general(attrs, ins, outs):
    a, b = ins
    lb, rb = list(attrs["lhs_batching_dimensions"]), list(attrs["rhs_batching_dimensions"])
    lc, rc = list(attrs["lhs_contracting_dimensions"]), list(attrs["rhs_contracting_dimensions"])
    lf = [i for i in range(a.rank) if i not in lb + lc]
    rf = [i for i in range(b.rank) if i not in rb + rc]
    a_perm, b_perm = tuple(lb + lf + lc), tuple(rb + rc + rf)
    nb = prod(a.shape[i] for i in lb)
    m, k, n = prod(a.shape[i] for i in lf), prod(a.shape[i] for i in lc), prod(b.shape[i] for i in rf)
    a3, b3, out_shape = (nb, m, k), (nb, k, n), outs[0].shape
    # integer matmuls wrap in the operand dtype, which equals the wrapped exact result
    ct = compute_dtype(a)

    def run(x, y):
        x = np.transpose(x.astype(ct, copy=False), a_perm).reshape(a3)
        y = np.transpose(y.astype(ct, copy=False), b_perm).reshape(b3)
        return np.matmul(x, y).reshape(out_shape)

    return run


# --------------------------------------------------------------------------
# gather / scatter


def _gather(attrs, ins, outs):
    axis, n = attrs["axis"], ins[0].shape[attrs["axis"]]
    out_spec = outs[0]
    if n == 0:
        return lambda a, ix: np.zeros(out_spec.shape, out_spec.np_dtype)
    return lambda a, ix: np.take(a, np.clip(ix, 0, n - 1), axis=axis)


def _gather_along(attrs, ins, outs):
    x, ix = ins
    axis, n = attrs["axis"], x.shape[attrs["axis"]]
    out_spec = outs[0]
    crop = tuple(slice(None) if d == axis else slice(0, ix.shape[d]) for d in range(x.rank))
    if n == 0:
        return lambda a, i: np.zeros(out_spec.shape, out_spec.np_dtype)
    return lambda a, i: np.take_along_axis(a[crop], np.clip(i, 0, n - 1), axis=axis)


def _scatter_add(attrs, ins, outs):
    x, ix, up = ins
    axis, n = attrs["axis"], x.shape[attrs["axis"]]
    flat_up = x.shape[:axis] + (ix.numel,) + x.shape[axis + 1 :]
    lead = (slice(None),) * axis
    acc = accumulate_dtype(x) if is_float(x.dtype) else x.np_dtype

    def run(a, i, u):
        i = i.reshape(-1)
        valid = (i >= 0) & (i < n)
        u = np.compress(valid, u.reshape(flat_up), axis=axis)
        res = a.astype(acc, copy=True)
        np.add.at(res, lead + (i[valid],), u.astype(acc, copy=False))
        return res

    return run


def _scatter_add_along(attrs, ins, outs):
    x, ix, up = ins
    axis, n = attrs["axis"], x.shape[attrs["axis"]]
    grid = [g.reshape(-1) for g in np.indices(ix.shape)]
    acc = accumulate_dtype(x) if is_float(x.dtype) else x.np_dtype

    def run(a, i, u):
        i = i.reshape(-1)
        valid = (i >= 0) & (i < n)
        index = tuple(i[valid] if d == axis else g[valid] for d, g in enumerate(grid))
        res = a.astype(acc, copy=True)
        np.add.at(res, index, u.reshape(-1)[valid].astype(acc, copy=False))
        return res

    return run


KERNELS = {
    "broadcast_in_dim": _broadcast_in_dim,
    "reshape": _reshape,
    "transpose": _transpose,
    "slice": _slice,
    "concatenate": _concatenate,
    "pad": _pad,
    "reduce": _reduce,
    "argmax": _arg_reduce("argmax"),
    "argmin": _arg_reduce("argmin"),
    "cumulative": _cumulative,
    "dot_general": _dot_general,
    "gather": _gather,
    "gather_along": _gather_along,
    "scatter_add": _scatter_add,
    "scatter_add_along": _scatter_add_along,
}

__all__ = ["KERNELS", "pad_edges", "dilate", "identity", "reducer", "accumulate_dtype"]
