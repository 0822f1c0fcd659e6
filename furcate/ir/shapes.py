"""Shape and dtype rules of furcate's ops.

Each function takes the operand specs and the op's properties (as Python values)
and returns the result specs, or raises ``ShapeError`` saying what is wrong.
The dialect's verifiers and the IR builder both call these, so what a builder
makes always verifies.
"""

from __future__ import annotations

from furcate.ir.reduce_kinds import KINDS, SCAN_KINDS
from furcate.ir.types import FLOAT_DTYPES, INT_DTYPES, TensorSpec


class ShapeError(ValueError):
    """An op's operands or properties are inconsistent."""


def _need(cond: bool, msg: str):
    if not cond:
        raise ShapeError(msg)


def _dtype_ok(dtype: str, allowed: str) -> bool:
    if allowed == "float":
        return dtype in FLOAT_DTYPES
    if allowed == "numeric":
        return dtype in FLOAT_DTYPES or dtype in INT_DTYPES
    if allowed == "int_or_bool":
        return dtype in INT_DTYPES or dtype == "i1"
    if allowed == "any":
        return True
    raise AssertionError(allowed)


_ALLOWED_TEXT = {
    "float": "a float type (f32, f64, f16, bf16)",
    "numeric": "a float or signed integer type",
    "int_or_bool": "i1 or a signed integer type",
}


def _count(specs, n, name):
    _need(len(specs) == n, f"expected {n} operand(s), got {len(specs)}")


def unary(name: str, specs, allowed: str) -> TensorSpec:
    _count(specs, 1, name)
    (x,) = specs
    _need(_dtype_ok(x.dtype, allowed), f"operand dtype {x.dtype} is not {_ALLOWED_TEXT[allowed]}")
    return x


def is_finite(specs) -> TensorSpec:
    _count(specs, 1, "is_finite")
    _need(specs[0].dtype in FLOAT_DTYPES, f"operand dtype {specs[0].dtype} is not a float type")
    return TensorSpec(specs[0].shape, "i1")


def binary(name: str, specs, allowed: str) -> TensorSpec:
    _count(specs, 2, name)
    a, b = specs
    _need(
        a.shape == b.shape,
        f"operand shapes {list(a.shape)} and {list(b.shape)} differ (no implicit broadcasting: "
        "insert broadcast_in_dim)",
    )
    _need(
        a.dtype == b.dtype,
        f"operand dtypes {a.dtype} and {b.dtype} differ (no implicit promotion: insert convert)",
    )
    _need(_dtype_ok(a.dtype, allowed), f"operand dtype {a.dtype} is not {_ALLOWED_TEXT[allowed]}")
    return a


def compare(specs, attrs) -> TensorSpec:
    _count(specs, 2, "compare")
    a, b = specs
    _need(a.shape == b.shape, f"operand shapes {list(a.shape)} and {list(b.shape)} differ")
    _need(a.dtype == b.dtype, f"operand dtypes {a.dtype} and {b.dtype} differ")
    d = attrs.get("comparison_direction")
    _need(
        d in ("EQ", "NE", "LT", "LE", "GT", "GE"),
        f"comparison_direction {d!r} is not one of EQ, NE, LT, LE, GT, GE",
    )
    return TensorSpec(a.shape, "i1")


def select(specs) -> TensorSpec:
    _count(specs, 3, "select")
    p, t, f = specs
    _need(p.dtype == "i1", f"predicate dtype is {p.dtype}, expected i1")
    _need(p.shape == t.shape == f.shape, f"shapes {list(p.shape)}, {list(t.shape)}, {list(f.shape)} differ")
    _need(t.dtype == f.dtype, f"on_true dtype {t.dtype} and on_false dtype {f.dtype} differ")
    return t


def clamp(specs) -> TensorSpec:
    _count(specs, 3, "clamp")
    lo, x, hi = specs
    _need(lo.shape == x.shape == hi.shape, "min, operand and max must have the same shape")
    _need(lo.dtype == x.dtype == hi.dtype, "min, operand and max must have the same dtype")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    return x


def _axes(axes, rank, what, allow_dup=False):
    for a in axes:
        _need(0 <= a < rank, f"{what} {a} is out of range for rank {rank}")
    if not allow_dup:
        _need(len(set(axes)) == len(axes), f"{what} {list(axes)} has duplicates")


def broadcast_in_dim(specs, attrs):
    _count(specs, 1, "broadcast_in_dim")
    (x,) = specs
    dims = tuple(attrs["broadcast_dimensions"])
    shape = tuple(attrs["shape"])
    _need(len(dims) == x.rank, f"broadcast_dimensions has {len(dims)} entries, operand rank is {x.rank}")
    _axes(dims, len(shape), "broadcast dimension")
    _need(list(dims) == sorted(dims), f"broadcast_dimensions {list(dims)} must be increasing")
    for i, d in enumerate(dims):
        _need(
            x.shape[i] in (1, shape[d]),
            f"operand dim {i} (size {x.shape[i]}) cannot broadcast to result dim {d} (size {shape[d]})",
        )
    return [TensorSpec(shape, x.dtype)]


def reshape(specs, attrs):
    _count(specs, 1, "reshape")
    (x,) = specs
    out = TensorSpec(tuple(attrs["shape"]), x.dtype)
    _need(out.numel == x.numel, f"cannot reshape {x} ({x.numel} elements) to {out} ({out.numel})")
    return [out]


def transpose(specs, attrs):
    _count(specs, 1, "transpose")
    (x,) = specs
    perm = tuple(attrs["permutation"])
    _need(sorted(perm) == list(range(x.rank)), f"permutation {list(perm)} is not a permutation of rank {x.rank}")
    return [TensorSpec(tuple(x.shape[p] for p in perm), x.dtype)]


def slice_(specs, attrs):
    _count(specs, 1, "slice")
    (x,) = specs
    start, limit, strides = (tuple(attrs[k]) for k in ("start_indices", "limit_indices", "strides"))
    _need(len(start) == len(limit) == len(strides) == x.rank, "slice indices must have one entry per dim")
    shape = []
    for d, (s, l, st) in enumerate(zip(start, limit, strides)):
        _need(st > 0, f"stride {st} in dim {d} must be positive")
        _need(0 <= s <= l <= x.shape[d], f"slice [{s}:{l}] out of range for dim {d} of size {x.shape[d]}")
        shape.append(0 if l == s else (l - s + st - 1) // st)
    return [TensorSpec(tuple(shape), x.dtype)]


def concatenate(specs, attrs):
    _need(len(specs) >= 1, "concatenate needs at least one operand")
    d = attrs["dimension"]
    r = specs[0].rank
    _need(0 <= d < r, f"dimension {d} out of range for rank {r}")
    total = 0
    for s in specs:
        _need(s.rank == r and s.dtype == specs[0].dtype, f"operands must share rank and dtype ({s} vs {specs[0]})")
        _need(
            all(s.shape[i] == specs[0].shape[i] for i in range(r) if i != d),
            f"operand shapes {list(s.shape)} and {list(specs[0].shape)} differ outside dimension {d}",
        )
        total += s.shape[d]
    shape = list(specs[0].shape)
    shape[d] = total
    return [TensorSpec(tuple(shape), specs[0].dtype)]


def pad(specs, attrs):
    _count(specs, 2, "pad")
    x, v = specs
    _need(v.rank == 0 and v.dtype == x.dtype, f"padding_value must be a rank-0 {x.dtype} tensor, got {v}")
    lo, hi, it = (tuple(attrs[k]) for k in ("edge_padding_low", "edge_padding_high", "interior_padding"))
    _need(len(lo) == len(hi) == len(it) == x.rank, "padding must have one entry per dim")
    shape = []
    for d in range(x.rank):
        _need(it[d] >= 0, f"interior padding {it[d]} in dim {d} is negative")
        n = x.shape[d]
        size = lo[d] + hi[d] + n + max(n - 1, 0) * it[d]
        _need(size >= 0, f"padding makes dim {d} negative")
        shape.append(size)
    return [TensorSpec(tuple(shape), x.dtype)]


def reduce(specs, attrs):
    _count(specs, 1, "reduce")
    (x,) = specs
    kind = attrs["kind"]
    dims = tuple(attrs["dimensions"])
    _need(kind in KINDS, f"unknown reduce kind {kind!r}")
    if KINDS[kind].dtypes == "int_or_bool":
        _need(_dtype_ok(x.dtype, "int_or_bool"), f"reduce {kind} needs i1 or integers, got {x.dtype}")
    else:
        _need(_dtype_ok(x.dtype, "numeric"), f"reduce {kind} needs a numeric dtype, got {x.dtype}")
    _axes(dims, x.rank, "reduce dimension")
    return [TensorSpec(tuple(s for i, s in enumerate(x.shape) if i not in dims), x.dtype)]


def arg_reduce(specs, attrs):
    _count(specs, 1, "argmax/argmin")
    (x,) = specs
    d = attrs["dimension"]
    _need(0 <= d < x.rank, f"dimension {d} out of range for rank {x.rank}")
    _need(x.shape[d] > 0, f"cannot take argmax/argmin over the empty dimension {d}")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    idt = attrs.get("index_dtype", "i64")
    _need(idt in ("i32", "i64"), f"index_dtype {idt!r} must be i32 or i64")
    return [TensorSpec(tuple(s for i, s in enumerate(x.shape) if i != d), idt)]


def dot_general(specs, attrs):
    _count(specs, 2, "dot_general")
    a, b = specs
    lb, rb = tuple(attrs["lhs_batching_dimensions"]), tuple(attrs["rhs_batching_dimensions"])
    lc, rc = tuple(attrs["lhs_contracting_dimensions"]), tuple(attrs["rhs_contracting_dimensions"])
    _need(a.dtype == b.dtype, f"operand dtypes {a.dtype} and {b.dtype} differ")
    _need(_dtype_ok(a.dtype, "numeric"), f"operand dtype {a.dtype} is not numeric")
    _need(len(lb) == len(rb), "lhs and rhs batching dimensions differ in number")
    _need(len(lc) == len(rc), "lhs and rhs contracting dimensions differ in number")
    _axes(lb + lc, a.rank, "lhs dimension")
    _axes(rb + rc, b.rank, "rhs dimension")
    for i, j in zip(lb, rb):
        _need(a.shape[i] == b.shape[j], f"batch dims lhs {i} ({a.shape[i]}) and rhs {j} ({b.shape[j]}) differ")
    for i, j in zip(lc, rc):
        _need(a.shape[i] == b.shape[j], f"contracting dims lhs {i} ({a.shape[i]}) and rhs {j} ({b.shape[j]}) differ")
    prec = attrs.get("precision", "highest")
    _need(prec in ("highest", "tf32"), f"precision {prec!r} must be 'highest' or 'tf32'")
    shape = [a.shape[i] for i in lb]
    shape += [s for i, s in enumerate(a.shape) if i not in lb + lc]
    shape += [s for i, s in enumerate(b.shape) if i not in rb + rc]
    return [TensorSpec(tuple(shape), a.dtype)]


def _index_dtype(ix):
    _need(ix.dtype in INT_DTYPES, f"indices dtype {ix.dtype} is not a signed integer type")


def gather(specs, attrs):
    _count(specs, 2, "gather")
    x, ix = specs
    _index_dtype(ix)
    ax = attrs["axis"]
    _need(0 <= ax < x.rank, f"axis {ax} out of range for rank {x.rank}")
    return [TensorSpec(x.shape[:ax] + ix.shape + x.shape[ax + 1 :], x.dtype)]


def gather_along(specs, attrs):
    _count(specs, 2, "gather_along")
    x, ix = specs
    _index_dtype(ix)
    ax = attrs["axis"]
    _need(ix.rank == x.rank, f"indices rank {ix.rank} must equal operand rank {x.rank}")
    _need(0 <= ax < x.rank, f"axis {ax} out of range for rank {x.rank}")
    for d in range(x.rank):
        if d != ax:
            _need(ix.shape[d] <= x.shape[d], f"indices dim {d} ({ix.shape[d]}) exceeds operand dim ({x.shape[d]})")
    return [TensorSpec(ix.shape, x.dtype)]


def scatter_add(specs, attrs):
    _count(specs, 3, "scatter_add")
    x, ix, up = specs
    _index_dtype(ix)
    ax = attrs["axis"]
    _need(0 <= ax < x.rank, f"axis {ax} out of range for rank {x.rank}")
    want = x.shape[:ax] + ix.shape + x.shape[ax + 1 :]
    _need(up.shape == want, f"updates shape {list(up.shape)} must be {list(want)}")
    _need(up.dtype == x.dtype, f"updates dtype {up.dtype} differs from operand dtype {x.dtype}")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    return [x]


def scatter_add_along(specs, attrs):
    _count(specs, 3, "scatter_add_along")
    x, ix, up = specs
    _index_dtype(ix)
    ax = attrs["axis"]
    _need(ix.shape == up.shape, f"indices shape {list(ix.shape)} and updates shape {list(up.shape)} differ")
    _need(ix.rank == x.rank, f"indices rank {ix.rank} must equal operand rank {x.rank}")
    _need(0 <= ax < x.rank, f"axis {ax} out of range for rank {x.rank}")
    for d in range(x.rank):
        if d != ax:
            _need(ix.shape[d] <= x.shape[d], f"indices dim {d} ({ix.shape[d]}) exceeds operand dim ({x.shape[d]})")
    _need(up.dtype == x.dtype, f"updates dtype {up.dtype} differs from operand dtype {x.dtype}")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    return [x]


def _window_out(n, k, stride, lo, hi, dil_in=1, dil_win=1):
    n_eff = (n - 1) * dil_in + 1 if n > 0 else 0
    k_eff = (k - 1) * dil_win + 1
    padded = n_eff + lo + hi
    if padded < k_eff:
        return 0
    return (padded - k_eff) // stride + 1


def convolution(specs, attrs):
    _count(specs, 2, "convolution")
    x, w = specs
    _need(x.dtype == w.dtype, f"input dtype {x.dtype} and kernel dtype {w.dtype} differ")
    _need(_dtype_ok(x.dtype, "float"), f"convolution needs a float dtype, got {x.dtype}")
    _need(x.rank >= 3 and x.rank == w.rank, f"input {x} and kernel {w} must have the same rank >= 3")
    ns = x.rank - 2
    strides = tuple(attrs["window_strides"])
    padding = tuple(attrs["padding"])
    ld, rd = tuple(attrs["lhs_dilation"]), tuple(attrs["rhs_dilation"])
    g = attrs["feature_group_count"]
    _need(len(strides) == ns and len(ld) == ns and len(rd) == ns, f"strides/dilations need {ns} entries")
    _need(len(padding) == 2 * ns, f"padding needs {2 * ns} entries (low, high per spatial dim)")
    _need(all(s > 0 for s in strides + ld + rd), "strides and dilations must be positive")
    _need(g >= 1 and x.shape[1] % g == 0, f"input channels {x.shape[1]} not divisible by groups {g}")
    _need(w.shape[1] * g == x.shape[1], f"kernel in-channels {w.shape[1]} x groups {g} != input channels {x.shape[1]}")
    _need(w.shape[0] % g == 0, f"output channels {w.shape[0]} not divisible by groups {g}")
    out = [x.shape[0], w.shape[0]]
    for i in range(ns):
        out.append(
            _window_out(x.shape[2 + i], w.shape[2 + i], strides[i], padding[2 * i], padding[2 * i + 1], ld[i], rd[i])
        )
    return [TensorSpec(tuple(out), x.dtype)]


def reduce_window(specs, attrs):
    _count(specs, 1, "reduce_window")
    (x,) = specs
    kind = attrs["kind"]
    _need(kind in ("sum", "max", "min"), f"reduce_window kind {kind!r} must be sum, max or min")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    win, strides = tuple(attrs["window_dimensions"]), tuple(attrs["window_strides"])
    padding, dil = tuple(attrs["padding"]), tuple(attrs["window_dilations"])
    _need(len(win) == len(strides) == len(dil) == x.rank, "window attributes need one entry per dim")
    _need(len(padding) == 2 * x.rank, f"padding needs {2 * x.rank} entries (low, high per dim)")
    _need(all(v > 0 for v in win + strides + dil), "window sizes, strides and dilations must be positive")
    out = tuple(
        _window_out(x.shape[i], win[i], strides[i], padding[2 * i], padding[2 * i + 1], 1, dil[i])
        for i in range(x.rank)
    )
    return [TensorSpec(out, x.dtype)]


def cumulative(specs, attrs):
    _count(specs, 1, "cumulative")
    (x,) = specs
    _need(attrs["kind"] in SCAN_KINDS, f"cumulative kind {attrs['kind']!r} unknown")
    _need(_dtype_ok(x.dtype, "numeric"), f"operand dtype {x.dtype} is not numeric")
    d = attrs["dimension"]
    _need(0 <= d < x.rank, f"dimension {d} out of range for rank {x.rank}")
    return [x]


def transfer(specs, attrs):
    _count(specs, 1, "transfer")
    _need(attrs["src"] != attrs["dst"], f"transfer from {attrs['src']!r} to itself")
    return [specs[0]]


INFER = {
    "furcate.broadcast_in_dim": broadcast_in_dim,
    "furcate.reshape": reshape,
    "furcate.transpose": transpose,
    "furcate.slice": slice_,
    "furcate.concatenate": concatenate,
    "furcate.pad": pad,
    "furcate.reduce": reduce,
    "furcate.argmax": arg_reduce,
    "furcate.argmin": arg_reduce,
    "furcate.dot_general": dot_general,
    "furcate.gather": gather,
    "furcate.gather_along": gather_along,
    "furcate.scatter_add": scatter_add,
    "furcate.scatter_add_along": scatter_add_along,
    "furcate.convolution": convolution,
    "furcate.reduce_window": reduce_window,
    "furcate.cumulative": cumulative,
    "furcate.transfer": transfer,
}
