"""Constant evaluation for canonicalize: furcate ops on small NumPy constants.

A pass never imports a backend, so the few ops worth folding are evaluated
here with NumPy, following the dialect's numerics (DESIGN.md, Numerics):
f16/bf16 are computed in f32 and rounded once, integers wrap, integer div/rem
follow XLA (x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN), max/min propagate NaN,
float→int converts truncate and saturate (NaN → 0).

``fold(op, arrays)`` returns the result array, or None when the op is not one
this module folds (the op then simply stays); ops whose exact semantics are
subtle (erf, sign, round half away from zero, integer pow, i64→bf16) are left
to the backends on purpose.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from furcate.ir.dialect import spec_of
from furcate.ir.types import TensorSpec, is_float, is_int

_F32 = np.dtype(np.float32)


def _compute_dtype(spec: TensorSpec) -> np.dtype:
    return _F32 if spec.dtype in ("f16", "bf16") else spec.np_dtype


_FLOAT_UNARY: dict[str, Callable] = {
    "neg": np.negative,
    "abs": np.abs,
    "exp": np.exp,
    "expm1": np.expm1,
    "log": np.log,
    "log1p": np.log1p,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "logistic": lambda x: np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))),
                                   np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))),
    "sin": np.sin,
    "cos": np.cos,
    "floor": np.floor,
    "ceil": np.ceil,
    "round_nearest_even": np.rint,
}

_INT_UNARY: dict[str, Callable] = {"neg": np.negative, "abs": np.abs, "not": np.invert}


def _int_div(x, y):
    info = np.iinfo(x.dtype)
    bad = (y == 0) | ((x == info.min) & (y == -1))
    ys = np.where(bad, np.ones_like(y), y)
    q = (x - np.fmod(x, ys)) // ys  # INT_MIN / -1 divides by 1: INT_MIN
    return np.where(y == 0, np.array(-1, x.dtype), q)


def _int_rem(x, y):
    bad = y == 0
    r = np.fmod(x, np.where(bad, np.ones_like(y), y))
    return np.where(bad, x, r)


_FLOAT_BINARY: dict[str, Callable] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
    "rem": np.fmod, "pow": np.power, "max": np.maximum, "min": np.minimum, "atan2": np.arctan2,
}
_INT_BINARY: dict[str, Callable] = {
    "add": np.add, "sub": np.subtract, "mul": np.multiply, "div": _int_div, "rem": _int_rem,
    "max": np.maximum, "min": np.minimum,
    "and": np.bitwise_and, "or": np.bitwise_or, "xor": np.bitwise_xor,
}
_BOOL_BINARY: dict[str, Callable] = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}
_COMPARE = {"EQ": np.equal, "NE": np.not_equal, "LT": np.less, "LE": np.less_equal,
            "GT": np.greater, "GE": np.greater_equal}


def _float_to_int(x, dt: np.dtype):
    """Truncate toward zero; NaN → 0; out of range saturates."""
    info = np.iinfo(dt)
    v = np.trunc(x.astype(np.float64))
    hi = v >= float(info.max) + 1
    lo = v < float(info.min)
    r = np.where(hi | lo | np.isnan(v), 0, v).astype(dt)
    r = np.where(hi, np.array(info.max, dt), r)
    return np.where(lo, np.array(info.min, dt), r)


def _convert(x: np.ndarray, src: str, dst: str, dt: np.dtype):
    if dst == "i1":
        return x != 0
    if is_float(src) and is_int(dst):
        return _float_to_int(x, dt)
    if is_int(src) and dst == "bf16":
        return None  # rounding path differs between targets: leave it
    return x.astype(dt)


def _elementwise(name: str, op, arrays, ins: list[TensorSpec]):
    x = ins[0]
    if name == "compare":
        ct = _compute_dtype(x)
        return _COMPARE[op.attr("comparison_direction")](*(a.astype(ct) for a in arrays))
    if name == "select":
        return np.where(*arrays)
    if name == "clamp":
        ct = _compute_dtype(ins[1])
        lo, v, hi = (a.astype(ct) for a in arrays)
        return np.minimum(np.maximum(v, lo), hi)
    if name == "is_finite":
        return np.isfinite(arrays[0].astype(_compute_dtype(x)))
    if len(arrays) == 1:
        table = _FLOAT_UNARY if is_float(x.dtype) else _INT_UNARY
        if x.dtype == "i1":
            table = {"not": np.logical_not}
        f = table.get(name)
        return None if f is None else f(arrays[0].astype(_compute_dtype(x)))
    table = _FLOAT_BINARY if is_float(x.dtype) else _BOOL_BINARY if x.dtype == "i1" else _INT_BINARY
    f = table.get(name)
    return None if f is None else f(*(a.astype(_compute_dtype(x)) for a in arrays))


def _layout(name: str, op, arrays, out: TensorSpec):
    a = op.attrs()
    (x,) = arrays[:1] if arrays else (None,)
    if name == "reshape":
        return x.reshape(out.shape)
    if name == "transpose":
        return np.transpose(x, a["permutation"])
    if name == "broadcast_in_dim":
        shape = [1] * out.rank
        for i, dim in enumerate(a["broadcast_dimensions"]):
            shape[dim] = x.shape[i]
        return np.broadcast_to(x.reshape(shape), out.shape)
    if name == "slice":
        return x[tuple(slice(s, e, st) for s, e, st in
                       zip(a["start_indices"], a["limit_indices"], a["strides"]))]
    if name == "concatenate":
        return np.concatenate(arrays, axis=a["dimension"])
    if name == "iota":
        dim = a["iota_dimension"]
        line = np.arange(out.shape[dim], dtype=np.int64)
        shape = [1] * out.rank
        shape[dim] = out.shape[dim]
        return np.broadcast_to(line.reshape(shape), out.shape)
    return None


LAYOUT_FOLDS = {"reshape", "transpose", "broadcast_in_dim", "slice", "concatenate", "iota"}


def fold(op, arrays: list[np.ndarray], out_shape: tuple[int, ...] | None = None) -> np.ndarray | None:
    """The value of ``op`` applied to constant ``arrays``, or None if it is not folded here.

    ``out_shape`` evaluates an elementwise op on arrays of another shape than the op's
    (its splat scalars)."""
    name = op.name.split(".", 1)[1]
    out = spec_of(op.results[0])
    ins = [spec_of(v) for v in op.operands]
    with np.errstate(all="ignore"):
        if name == "convert":
            r = _convert(arrays[0], ins[0].dtype, out.dtype, out.np_dtype)
        elif name in LAYOUT_FOLDS:
            r = _layout(name, op, arrays, out)
        else:
            r = _elementwise(name, op, arrays, ins)
        if r is None:
            return None
        r = np.asarray(r)
        if r.shape != (tuple(out.shape) if out_shape is None else tuple(out_shape)):
            return None
        return r.astype(out.np_dtype, order="C")
