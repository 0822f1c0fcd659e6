"""Triton expressions for the scalar primitives of ``furcate.backends.kernel.scalar``.

Every primitive maps to an expression over tensors (each renderer decides the
block shape; expressions broadcast). Rules:

- f16/bf16 values are held in f32 (``compute type``); loads widen, stores
  and converts to f16/bf16 round to nearest even. i1 values are ``tl.int1``,
  held in memory as uint8.
- Only APIs that exist in Triton 3.6 and 3.9 *and* in the interpreter: no
  ``libdevice`` (the interpreter does not patch it). ``tanh`` is
  ``2*sigmoid(2x)-1`` (with its Taylor series below |x| < 0.01, where the
  identity cancels), ``expm1``/``log1p`` use Kahan's correction of
  ``exp(x)-1`` / ``log(1+x)``, rounding modes are built from ``floor``.
- IEEE f32 division and sqrt (``div_rn``, ``sqrt_rn``); max/min propagate
  NaN (``PropagateNan.ALL``); integer div/rem never trap (x/0 = -1,
  INT_MIN/-1 = INT_MIN, x%0 = x).
- Float constants are exact: a literal where Triton's literal typing keeps the
  value (f32-representable normals and zero), else a bitcast of its bits.

- ``pow`` and ``atan2`` are ``@triton.jit`` helpers (``MATH_HELPERS``, in
  every generated module) computing in f64 (f32/f16/bf16 operands are widened
  and the result rounded once): ``pow`` is ``exp2(y * log2|x|)`` with C's
  special cases (sign for odd integer exponents, NaN for a negative base with
  a non-integer exponent, ``pow(x, 0) = pow(1, y) = pow(-1, ±inf) = 1``, zeros
  and infinities); ``atan2`` reduces to ``atan(t)``, ``0 <= t <= 1``, then to
  ``|u| <= tan(pi/8)`` and sums the series of ``atan(u)/u`` (22 terms, error
  below 1e-17), quadrants and signed zeros from the signs of ``x`` and ``y``.
  Integer ``pow`` is exponentiation by squaring (wrapping), negative exponents
  as in the scalar table.

A primitive without a rendering here raises ``TritonRenderError``: the op then
runs as a NumPy step.
"""

from __future__ import annotations

import math
import struct

from furcate.backends.kernel.prims import PrimRenderer
from furcate.ir import op_table

FLOATS = ("f32", "f64", "f16", "bf16")
TL = {"f32": "tl.float32", "f64": "tl.float64", "f16": "tl.float16", "bf16": "tl.bfloat16",
      "i1": "tl.int1", "i8": "tl.int8", "i32": "tl.int32", "i64": "tl.int64"}
# what a value of each dtype is held in while computing
COMPUTE = {"f16": "f32", "bf16": "f32"}
INT_RANGE = {"i8": (-(2**7), 2**7 - 1), "i32": (-(2**31), 2**31 - 1), "i64": (-(2**63), 2**63 - 1)}
F32_MAX = 3.4028234663852886e38


class TritonRenderError(Exception):
    """The kernel holds something the Triton renderer does not render (names it)."""


def is_float(dt: str) -> bool:
    return dt in FLOATS


def compute(dt: str) -> str:
    return COMPUTE.get(dt, dt)


def ctl(dt: str) -> str:
    """The ``tl`` dtype a value of furcate dtype ``dt`` is computed in."""
    return TL[compute(dt)]


def float_bits(value: float, dt: str) -> int:
    """Signed integer with the bits of ``value`` in ``dt``'s compute type (f32 or f64)."""
    if compute(dt) == "f64":
        return struct.unpack("<q", struct.pack("<d", value))[0]
    return struct.unpack("<i", struct.pack("<f", value))[0]


def const_expr(value, dt: str) -> str:
    """An exact scalar of ``dt``'s compute type."""
    if dt == "i1":
        return "tl.full([], 1, tl.int1)" if value else "tl.full([], 0, tl.int1)"
    if not is_float(dt):
        return f"tl.full([], {int(value)}, {TL[dt]})"
    v = float(value)
    c = compute(dt)
    if c == "f32" and math.isfinite(v) and (v == 0.0 or 2.0**-126 <= abs(v) <= F32_MAX) and not _neg_zero(v):
        return f"tl.full([], {v!r}, tl.float32)"
    it = "tl.int64" if c == "f64" else "tl.int32"
    return f"tl.full([], {float_bits(v, dt)}, {it}).to({TL[c]}, bitcast=True)"


def _neg_zero(v: float) -> bool:
    return v == 0.0 and math.copysign(1.0, v) < 0


def load_expr(ptr: str, mask: str | None, dt: str) -> str:
    m = f", mask={mask}, other=0" if mask else ""
    x = f"tl.load({ptr}{m})"
    if dt == "i1":
        return f"({x} != 0)"
    if dt in COMPUTE:
        return f"{x}.to(tl.float32)"
    return x


def store_value(v: str, dt: str) -> str:
    """The value to store into a buffer of ``dt`` (i1 is stored as uint8)."""
    if dt == "i1":
        return f"({v}).to(tl.uint8)"
    return f"({v}).to({TL[dt]})"


def round_to(v: str, dt: str) -> str:
    """``v`` (in compute type) rounded to ``dt`` and held in the compute type again."""
    if dt in COMPUTE:
        return f"({v}).to({TL[dt]}).to(tl.float32)"
    return v


def _c(value, dt):
    return const_expr(value, dt)


def _atan_series() -> str:
    """Horner lines for ``p(z) = atan(u)/u``, ``z = u*u``: sum of (-1)^k z^k / (2k+1), k <= 21."""
    coef = [(-1) ** k / (2 * k + 1) for k in range(22)]
    lines = [f"    p = {coef[-1]!r}"]
    lines += [f"    p = p * z + {c!r}" for c in reversed(coef[:-1])]
    return "\n".join(lines)


_NAN64 = "tl.full([], 0x7FF8000000000000, tl.int64).to(tl.float64, bitcast=True)"
_DBL_MAX = "1.7976931348623157e308"

# f64 helpers for pow and atan2 (f32 operands are widened by the caller); integer pow
MATH_HELPERS = f'''
@triton.jit
def _fc_signbit(x):
    return x.to(tl.int64, bitcast=True) < 0


@triton.jit
def _fc_round_even(x):
    f = tl.floor(x)
    d = x - f
    up = (d > 0.5) | ((d == 0.5) & (f - 2.0 * tl.floor(f * 0.5) == 1.0))
    r = tl.where(up, f + 1.0, f)
    return tl.where(r == 0.0, x * 0.0, r)  # -0.3 -> -0.0


@triton.jit
def _fc_round_afz(x):
    ax = tl.abs(x)
    r = tl.floor(ax)
    r = tl.where(ax - r >= 0.5, r + 1.0, r)
    r = tl.where(x < 0.0, -r, r)
    return tl.where(r == 0.0, x * 0.0, r)  # -0.0 -> -0.0


@triton.jit
def _fc_fmax(a, b):
    m = tl.maximum(a, b, propagate_nan=tl.PropagateNan.ALL)
    return tl.where(a == 0.0, tl.where(b == 0.0, a + b, m), m)


@triton.jit
def _fc_fmin(a, b):
    m = tl.minimum(a, b, propagate_nan=tl.PropagateNan.ALL)
    return tl.where(a == 0.0, tl.where(b == 0.0, -(-a - b), m), m)


@triton.jit
def _fc_pow(x, y):
    ax = tl.abs(x)
    finite_y = tl.abs(y) <= {_DBL_MAX}
    y_int = (tl.floor(y) == y) & finite_y
    y_odd = y_int & (y - 2.0 * tl.floor(y * 0.5) == 1.0)
    r = tl.exp2(y * tl.log2(ax))
    r = tl.where(y_odd & _fc_signbit(x), -r, r)
    r = tl.where((x < 0.0) & (ax <= {_DBL_MAX}) & finite_y & (y_int == 0), {_NAN64}, r)
    return tl.where((y == 0.0) | (x == 1.0) | ((x == -1.0) & (finite_y == 0) & (y == y)), 1.0, r)


@triton.jit
def _fc_atan2(y, x):
    ax = tl.abs(x)
    ay = tl.abs(y)
    hi = tl.maximum(ax, ay)
    lo = tl.minimum(ax, ay)
    both_inf = (ax > {_DBL_MAX}) & (ay > {_DBL_MAX})
    t = tl.where(both_inf, 1.0, tl.where(hi == 0.0, 0.0, lo / tl.where(hi == 0.0, 1.0, hi)))
    big = t > 0.41421356237309503
    u = tl.where(big, (t - 1.0) / (t + 1.0), t)
    z = u * u
{_atan_series()}
    a = tl.where(big, 0.7853981633974483 + u * p, u * p)
    a = tl.where(ay > ax, 1.5707963267948966 - a, a)
    a = tl.where(_fc_signbit(x), 3.141592653589793 - a, a)
    a = tl.where(_fc_signbit(y), -a, a)
    return tl.where((x != x) | (y != y), {_NAN64}, a)


@triton.jit
def _fc_ipow(a, b, BITS: tl.constexpr):
    r = a * 0 + 1
    base = a
    e = tl.where(b < 0, b * 0, b)
    for _ in tl.static_range(BITS):
        r = tl.where((e & 1) == 1, r * base, r).to(a.dtype)
        base = (base * base).to(a.dtype)
        e = e >> 1
    odd = (b & 1) == 1
    neg = tl.where(a == 1, a * 0 + 1, tl.where(a == -1, tl.where(odd, a * 0 - 1, a * 0 + 1), a * 0))
    return tl.where(b < 0, neg, r).to(a.dtype)
'''


_FLOAT = {e.prim: e.triton for e in op_table.TABLE if e.triton}  # (f32, f64) templates


def unary_float(prim: str, x: str, dt: str) -> str:
    c = compute(dt)
    if prim == "is_finite":
        return f"(tl.abs({x}) <= {_c(F32_MAX if c == 'f32' else 1.7976931348623157e308, c)})"
    return _float_expr(prim, [x], dt)


def binary_float(prim: str, a: str, b: str, dt: str) -> str:
    return _float_expr(prim, [a, b], dt)


def _float_expr(prim: str, args: list[str], dt: str) -> str:
    """The op table's Triton template of ``prim`` for ``dt`` (f16/bf16: the f32 one)."""
    c = compute(dt)
    if prim not in _FLOAT:
        raise TritonRenderError(f"scalar op {prim} on {dt} has no Triton rendering")
    template = _FLOAT[prim][1 if c == "f64" else 0]
    return template.format(*args, one=_c(1.0, c), half=_c(0.5, c), zero=_c(0.0, c))


def int_op(prim: str, args: list[str], dt: str) -> str:
    t = TL[dt]
    a = args[0]
    b = args[1] if len(args) > 1 else None
    if dt == "i1":
        logic = {"and": f"({a} & {b})", "or": f"({a} | {b})", "xor": f"({a} ^ {b})", "not": f"({a} == 0)",
                 "max": f"({a} | {b})", "min": f"({a} & {b})"}
        if prim in logic:
            return logic[prim]
        raise TritonRenderError(f"scalar op {prim} on i1 has no Triton rendering")
    simple = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^"}
    if prim in simple:
        return f"({a} {simple[prim]} {b}).to({t})"
    lo = INT_RANGE[dt][0]
    # a divisor that cannot trap: 0 -> 1 and (INT_MIN, -1) -> 1 (INT_MIN / 1 = INT_MIN, INT_MIN % 1 = 0)
    safe = f"tl.where(({b} == 0) | (({a} == {lo}) & ({b} == -1)), tl.full([], 1, {t}), {b})"
    table = {
        "div": f"tl.where({b} == 0, tl.full([], -1, {t}), ({a} // {safe}).to({t}))",
        "rem": f"tl.where({b} == 0, {a}, ({a} % {safe}).to({t}))",
        "max": f"tl.maximum({a}, {b})",
        "min": f"tl.minimum({a}, {b})",
        "neg": f"(-{a}).to({t})",
        "abs": f"tl.where({a} < 0, -{a}, {a}).to({t})",
        "sign": f"(({a} > 0).to({t}) - ({a} < 0).to({t}))",
        "not": f"(~{a})",
        "pow": f"_fc_ipow({a}, {b}, {dict(i8=8, i32=32, i64=64)[dt]})",
    }
    if prim not in table:
        raise TritonRenderError(f"scalar op {prim} on {dt} has no Triton rendering")
    return table[prim]


def convert(x: str, src: str, dst: str) -> str:
    """``x`` (compute type of ``src``) converted to ``dst`` (in ``dst``'s compute type)."""
    if src == dst:
        return x
    if dst == "i1":
        return f"({x} != 0)"
    if is_float(dst):
        if is_float(src) and compute(src) == compute(dst) and dst not in COMPUTE:
            return x  # f16/bf16 held in f32 -> f32
        if dst == "bf16" and src != "bf16" and compute(src) != "f32":
            # f64/int -> bf16 through f32, as NumPy (ml_dtypes) and torch round it; the
            # interpreter has no direct conversion (f64 gives NaN, ints their raw bits)
            x = f"({x}).to(tl.float32)"
        if dst in COMPUTE:
            return f"({x}).to({TL[dst]}).to(tl.float32)"
        return f"({x}).to({TL[dst]})"
    if src == "i1":
        return f"({x}).to({TL[dst]})"
    if is_float(src):  # float -> int: truncate, saturate, NaN -> 0
        lo, hi = INT_RANGE[dst]
        c = compute(src)
        top = _largest_below(hi, c)
        clamped = f"tl.minimum(tl.maximum({x}, {_c(float(lo), c)}), {_c(top, c)})"
        return (f"tl.where({x} != {x}, tl.full([], 0, {TL[dst]}), tl.where({x} >= {_c(float(hi + 1), c)}, "
                f"tl.full([], {hi}, {TL[dst]}), {clamped}.to({TL[dst]})))")
    return f"({x}).to({TL[dst]})"  # int -> int wraps, int -> float rounds


def _largest_below(hi: int, c: str) -> float:
    """The largest value of float type ``c`` (f32/f64) that is <= ``hi``."""
    import numpy as np

    ft = np.float32 if c == "f32" else np.float64
    t = ft(hi)
    while int(t) > hi:
        t = np.nextafter(t, ft(0))
    return float(t)


def _float_op(prim: str, args: list[str], dt: str) -> str:
    if len(args) == 1:
        return unary_float(prim, args[0], dt)
    return binary_float(prim, args[0], args[1], dt)


# expression of primitive ``prim`` on rendered ``args`` (of furcate dtypes ``arg_dts``) producing ``dt``
prim_expr = PrimRenderer("tl.where({0}, {1}, {2})", convert, _float_op, int_op).expr
