"""The op set's reference semantics, executable with NumPy: elementwise ops, convert, iota.

One implementation of each op's numerics (DESIGN.md, Numerics), shared by the
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
warnings. ``erf`` needs SciPy (imported when the op is evaluated).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from furcate.dtypes import TensorSpec, is_float, is_int


def compute_dtype(spec: TensorSpec) -> np.dtype:
    """The dtype an op computes in: f32 for f16/bf16, the storage dtype otherwise."""
    return np.dtype(np.float32) if spec.dtype in ("f16", "bf16") else spec.np_dtype


def _up(x, ct):
    return x.astype(ct, copy=False)


# --------------------------------------------------------------------------
# unary


def _rsqrt(x):
    return 1 / np.sqrt(x)


def _logistic(x):
    e = np.exp(-np.abs(x))  # in (0, 1]: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _erf(x):
    from scipy.special import erf

    return erf(x)


def _round_afz(x):
    t = np.trunc(x)
    return np.where(np.abs(x - t) >= 0.5, t + np.sign(x), t)


def _float_sign(x):
    return np.where(x == 0, x, np.sign(x))  # keeps -0.0; NaN stays NaN


FLOAT_UNARY: dict[str, Callable] = {
    "neg": np.negative,
    "abs": np.abs,
    "exp": np.exp,
    "expm1": np.expm1,
    "log": np.log,
    "log1p": np.log1p,
    "tanh": np.tanh,
    "sqrt": np.sqrt,
    "rsqrt": _rsqrt,
    "logistic": _logistic,
    "erf": _erf,
    "sin": np.sin,
    "cos": np.cos,
    "floor": np.floor,
    "ceil": np.ceil,
    "round_nearest_even": np.rint,
    "round_nearest_afz": _round_afz,
    "sign": _float_sign,
}

INT_UNARY: dict[str, Callable] = {"neg": np.negative, "abs": np.abs, "sign": np.sign, "not": np.invert}

BOOL_UNARY: dict[str, Callable] = {"not": np.logical_not}


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


# --------------------------------------------------------------------------
# binary


def _int_div(x, y):
    info = np.iinfo(x.dtype)
    bad = (y == 0) | ((x == info.min) & (y == -1))
    ys = np.where(bad, np.ones_like(y), y)
    q = (x - np.fmod(x, ys)) // ys  # exact: truncation toward zero; INT_MIN/-1 divides by 1
    return np.where(y == 0, np.array(-1, x.dtype), q)


def _int_rem(x, y):
    bad = y == 0
    r = np.fmod(x, np.where(bad, np.ones_like(y), y))  # INT_MIN % -1 -> fmod(INT_MIN, -1) = 0
    return np.where(bad, x, r)


def _int_pow(x, y):
    neg = y < 0
    r = np.power(x, np.where(neg, np.zeros_like(y), y))  # exponentiation by squaring, wrapping
    if not neg.any():
        return r
    one = np.array(1, x.dtype)
    odd = (y & 1) == 1
    special = np.where(x == 1, one, np.where(x == -1, np.where(odd, -one, one), np.zeros_like(one)))
    return np.where(neg, special, r)


FLOAT_BINARY: dict[str, Callable] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.true_divide,
    "rem": np.fmod,
    "pow": np.power,
    "max": np.maximum,
    "min": np.minimum,
    "atan2": np.arctan2,
}

INT_BINARY: dict[str, Callable] = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": _int_div,
    "rem": _int_rem,
    "pow": _int_pow,
    "max": np.maximum,
    "min": np.minimum,
    "and": np.bitwise_and,
    "or": np.bitwise_or,
    "xor": np.bitwise_xor,
}

BOOL_BINARY: dict[str, Callable] = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}


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
    return lambda lo, x, hi: np.minimum(np.maximum(_up(x, ct), _up(lo, ct)), _up(hi, ct))


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
    **{name: _unary(name) for name in [*FLOAT_UNARY, "not"]},
    "is_finite": _is_finite,
    **{name: _binary(name) for name in [*INT_BINARY, "atan2"]},
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
