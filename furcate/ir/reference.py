"""The op set's reference semantics, executable with NumPy: elementwise ops, convert, iota.

One implementation of each op's numerics (docs/numpy.md, Semantics), shared by the
NumPy backend (``furcate/backends/numpy_elementwise.py``) and constant folding
(``furcate/passes/folding.py``), so the two can never disagree.

``evaluator(name, attrs, ins, outs)`` returns ``fn(*arrays)`` computing the op
``name`` (without ``furcate.``) on operands of specs ``ins``; ``attrs`` is the
op's ``attrs()`` dict. The result is in the op's compute dtype: f16/bf16 are
computed in f32 (``compute_dtype``) and the caller casts the result to the
storage dtype, which rounds once per op. Integers wrap; integer div/rem follow
XLA (truncate toward zero, x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN,
INT_MIN%-1 = 0); max/min propagate NaN; float→int converts truncate toward
zero, saturate and map NaN to 0. The caller silences NumPy's FP and overflow
warnings. ``erf`` needs SciPy (imported when the op is evaluated). The unary and binary
ops' functions are declared in the op table (``op_table.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from furcate.dtypes import TensorSpec, is_float, is_int
from furcate.ir import op_table


def compute_dtype(spec: TensorSpec) -> np.dtype:
    """The dtype an op computes in: f32 for f16/bf16, the storage dtype otherwise."""
    return np.dtype(np.float32) if spec.dtype in ("f16", "bf16") else spec.np_dtype


def _up(x, ct):
    return x.astype(ct, copy=False)


# --------------------------------------------------------------------------
# unary and binary: the op table's functions (``op_table.py``), by operand domain

FLOAT_UNARY: dict[str, Callable] = {e.name: e.on_float for e in op_table.UNARY if e.on_float}
INT_UNARY: dict[str, Callable] = {e.name: e.on_int for e in op_table.UNARY if e.on_int}
BOOL_UNARY: dict[str, Callable] = {e.name: e.on_bool for e in op_table.UNARY if e.on_bool}
FLOAT_BINARY: dict[str, Callable] = {e.name: e.on_float for e in op_table.BINARY if e.on_float}
INT_BINARY: dict[str, Callable] = {e.name: e.on_int for e in op_table.BINARY if e.on_int}
BOOL_BINARY: dict[str, Callable] = {e.name: e.on_bool for e in op_table.BINARY if e.on_bool}


def _lookup(name: str, dtype: str, floats: dict, ints: dict, bools: dict) -> Callable:
    table = floats if is_float(dtype) else bools if dtype == "i1" else ints
    if name not in table:
        raise ValueError(f"{name} does not take dtype {dtype}")
    return table[name]


def _unary(name):
    def factory(attrs, ins, outs):
        (x,) = ins
        f = _lookup(name, x.dtype, FLOAT_UNARY, INT_UNARY, BOOL_UNARY)
        if is_float(x.dtype):
            ct = compute_dtype(x)
            return lambda a: f(_up(a, ct))
        return f

    return factory


def _is_finite(attrs, ins, outs):
    ct = compute_dtype(ins[0])
    return lambda a: np.isfinite(_up(a, ct))


def _binary(name):
    def factory(attrs, ins, outs):
        x = ins[0]
        f = _lookup(name, x.dtype, FLOAT_BINARY, INT_BINARY, BOOL_BINARY)
        if is_float(x.dtype):
            ct = compute_dtype(x)
            return lambda a, b: f(_up(a, ct), _up(b, ct))
        return f

    return factory


COMPARE: dict[str, Callable] = {
    "EQ": np.equal,
    "NE": np.not_equal,
    "LT": np.less,
    "LE": np.less_equal,
    "GT": np.greater,
    "GE": np.greater_equal,
}


def _compare(attrs, ins, outs):
    f, ct = COMPARE[attrs["comparison_direction"]], compute_dtype(ins[0])
    return lambda a, b: f(_up(a, ct), _up(b, ct))


def _select(attrs, ins, outs):
    return np.where


def _clamp(attrs, ins, outs):
    ct = compute_dtype(ins[1])
    if ct.kind != "f":
        return lambda lo, x, hi: np.minimum(np.maximum(_up(x, ct), _up(lo, ct)), _up(hi, ct))
    mx, mn = FLOAT_BINARY["max"], FLOAT_BINARY["min"]  # -0.0 < +0.0
    return lambda lo, x, hi: mn(mx(_up(x, ct), _up(lo, ct)), _up(hi, ct))


# --------------------------------------------------------------------------
# convert and iota


def float_to_int(x: np.ndarray, dt: np.dtype) -> np.ndarray:
    """Truncate toward zero; NaN -> 0; out of range saturates (XLA's convert)."""
    info = np.iinfo(dt)
    v = np.trunc(x.astype(np.float64))
    hi = v >= float(info.max) + 1  # exact powers of two in f64
    lo = v < float(info.min)
    r = np.where(hi | lo | np.isnan(v), 0, v).astype(dt)
    r = np.where(hi, np.array(info.max, dt), r)
    return np.where(lo, np.array(info.min, dt), r)


def _convert(attrs, ins, outs):
    src, dst = ins[0].dtype, outs[0].dtype
    dt = outs[0].np_dtype
    if dst == "i1":
        return lambda a: a != 0
    if is_float(src) and is_int(dst):
        return lambda a: float_to_int(a, dt)
    if is_int(src) and dst == "bf16":
        return lambda a: a.astype(np.float64).astype(dt)
    return lambda a: a.astype(dt)


def _iota(attrs, ins, outs):
    spec = outs[0]
    dim = attrs["iota_dimension"]
    shape = [1] * spec.rank
    shape[dim] = spec.shape[dim]
    src = np.float64 if is_float(spec.dtype) else np.int64
    line = np.arange(spec.shape[dim], dtype=src).reshape(shape).astype(spec.np_dtype)
    return lambda: np.broadcast_to(line, spec.shape)


# op name -> factory(attrs, in_specs, out_specs) -> fn(*arrays)
_FACTORIES: dict[str, Callable] = {
    **{e.name: _unary(e.name) for e in op_table.UNARY},
    "is_finite": _is_finite,
    **{e.name: _binary(e.name) for e in op_table.BINARY},
    "compare": _compare,
    "select": _select,
    "clamp": _clamp,
    "convert": _convert,
    "iota": _iota,
}

# the ops ``evaluator`` computes
OPS = frozenset(_FACTORIES)


def evaluator(name: str, attrs: dict, ins: Sequence[TensorSpec], outs: Sequence[TensorSpec]) -> Callable:
    """``fn(*arrays)`` computing op ``name`` (one of ``OPS``) on operands of specs ``ins``.

    Raises KeyError for an op or a comparison direction not here, ValueError for an
    operand dtype the op does not take (``not`` on floats, ``logistic`` on integers).
    """
    if name not in _FACTORIES:
        raise KeyError(f"no reference semantics for op furcate.{name}")
    return _FACTORIES[name](attrs, ins, outs)
