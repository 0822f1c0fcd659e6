"""NumPy kernels of furcate's elementwise ops (and iota): the reference numerics.

Each factory takes ``(attrs, in_specs, out_specs)`` and returns ``fn(*arrays)``.
f16/bf16 are computed in f32 (the caller casts the result back to the storage
dtype, which rounds once per op). Integers wrap; integer div/rem follow XLA
(truncate toward zero, x/0 = -1, x%0 = x, INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0);
max/min propagate NaN. The caller silences NumPy's FP and overflow warnings.
"""

from __future__ import annotations

import numpy as np

from furcate.dtypes import is_float, is_int


def compute_dtype(spec) -> np.dtype:
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


_FLOAT_UNARY = {
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

_INT_UNARY = {"neg": np.negative, "abs": np.abs, "sign": np.sign, "not": np.invert}


def _unary_factory(name):
    def factory(attrs, ins, outs):
        (x,) = ins
        if is_float(x.dtype):
            f, ct = _FLOAT_UNARY[name], compute_dtype(x)
            return lambda a: f(_up(a, ct))
        if x.dtype == "i1" and name == "not":
            return np.logical_not
        if name not in _INT_UNARY:
            raise ValueError(f"{name} does not take dtype {x.dtype}")
        return _INT_UNARY[name]

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
    q = (x - np.fmod(x, ys)) // ys  # exact: truncation toward zero
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


_FLOAT_BINARY = {
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

_INT_BINARY = {
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

_BOOL_BINARY = {"and": np.logical_and, "or": np.logical_or, "xor": np.logical_xor}


def _binary_factory(name):
    def factory(attrs, ins, outs):
        x = ins[0]
        if is_float(x.dtype):
            f, ct = _FLOAT_BINARY[name], compute_dtype(x)
            return lambda a, b: f(_up(a, ct), _up(b, ct))
        table = _BOOL_BINARY if x.dtype == "i1" else _INT_BINARY
        if name not in table:
            raise ValueError(f"{name} does not take dtype {x.dtype}")
        return table[name]

    return factory


_COMPARE = {
    "EQ": np.equal,
    "NE": np.not_equal,
    "LT": np.less,
    "LE": np.less_equal,
    "GT": np.greater,
    "GE": np.greater_equal,
}


def _compare(attrs, ins, outs):
    f, ct = _COMPARE[attrs["comparison_direction"]], compute_dtype(ins[0])
    return lambda a, b: f(_up(a, ct), _up(b, ct))


def _select(attrs, ins, outs):
    return np.where


def _clamp(attrs, ins, outs):
    ct = compute_dtype(ins[1])
    return lambda lo, x, hi: np.minimum(np.maximum(_up(x, ct), _up(lo, ct)), _up(hi, ct))


# --------------------------------------------------------------------------
# convert and iota


def _float_to_int(x, dt: np.dtype):
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
        return lambda a: _float_to_int(a, dt)
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


KERNELS = {
    **{name: _unary_factory(name) for name in [*_FLOAT_UNARY, "not"]},
    "is_finite": _is_finite,
    **{name: _binary_factory(name) for name in [*_INT_BINARY, "atan2"]},
    "compare": _compare,
    "select": _select,
    "clamp": _clamp,
    "convert": _convert,
    "iota": _iota,
}
