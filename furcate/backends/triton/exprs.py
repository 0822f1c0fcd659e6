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

Primitives without a rendering here (``pow``, ``atan2``, integer ``pow``)
raise ``TritonRenderError``: the op then runs as a NumPy step.
"""

from __future__ import annotations

import math
import struct

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


def unary_float(prim: str, x: str, dt: str) -> str:
    c = compute(dt)
    one, half, zero = _c(1.0, c), _c(0.5, c), _c(0.0, c)
    table = {
        "neg": f"(-{x})",
        "abs": f"tl.abs({x})",
        "exp": f"tl.exp({x})",
        "log": f"tl.log({x})",
        "sqrt": f"tl.sqrt_rn({x})" if c == "f32" else f"tl.sqrt({x})",
        "rsqrt": f"(1.0 / tl.sqrt_rn({x}))" if c == "f32" else f"(1.0 / tl.sqrt({x}))",
        "logistic": f"tl.sigmoid({x})",
        "erf": f"tl.erf({x})",
        "sin": f"tl.sin({x})",
        "cos": f"tl.cos({x})",
        "floor": f"tl.floor({x})",
        "ceil": f"tl.ceil({x})",
        "sign": f"tl.where({x} > {zero}, {one}, tl.where({x} < {zero}, -{one}, {x}))",
        "is_finite": f"(tl.abs({x}) <= {_c(F32_MAX if c == 'f32' else 1.7976931348623157e308, c)})",
        # tanh(x) = 2*sigmoid(2x) - 1; below 0.01 the series x - x^3/3 + 2x^5/15 (error < 1e-14 rel)
        "tanh": (f"tl.where(tl.abs({x}) < 0.01, {x} * (1.0 + {x} * {x} * (-0.3333333333333333 + {x} * {x} "
                 f"* 0.13333333333333333)), 2.0 * tl.sigmoid(2.0 * {x}) - 1.0)"),
        # Kahan: expm1(x) = (u - 1) * x / log(u), u = exp(x)
        "expm1": (f"tl.where(tl.exp({x}) == {one}, {x}, tl.where(tl.exp({x}) - {one} == -{one}, -{one}, "
                  f"tl.where(tl.abs({x}) > 50.0, tl.exp({x}) - {one}, "
                  f"(tl.exp({x}) - {one}) * {x} / tl.log(tl.exp({x})))))"),
        # Kahan: log1p(x) = log(u) * x / (u - 1), u = 1 + x
        "log1p": (f"tl.where({x} + {one} == {one}, {x}, tl.where(tl.abs({x}) > 1e30, tl.log({x} + {one}), "
                  f"tl.log({x} + {one}) * {x} / (({x} + {one}) - {one})))"),
        "round_even": (f"(tl.floor({x}) + tl.where(({x} - tl.floor({x}) > {half}) | (({x} - tl.floor({x}) == {half})"
                       f" & (tl.floor({x}) - 2.0 * tl.floor({x} * 0.5) == {one})), {one}, {zero}))"),
        "round_afz": (f"tl.where({x} < {zero}, -(tl.floor(tl.abs({x})) + tl.where(tl.abs({x}) - tl.floor(tl.abs({x}))"
                      f" >= {half}, {one}, {zero})), tl.floor(tl.abs({x})) + tl.where(tl.abs({x}) - "
                      f"tl.floor(tl.abs({x})) >= {half}, {one}, {zero}))"),
    }
    if prim not in table:
        raise TritonRenderError(f"scalar op {prim} on {dt} has no Triton rendering")
    return table[prim]


def binary_float(prim: str, a: str, b: str, dt: str) -> str:
    c = compute(dt)
    table = {
        "add": f"({a} + {b})",
        "sub": f"({a} - {b})",
        "mul": f"({a} * {b})",
        "div": f"tl.div_rn({a}, {b})" if c == "f32" else f"({a} / {b})",
        "rem": f"({a} % {b})",
        "max": f"tl.maximum({a}, {b}, propagate_nan=tl.PropagateNan.ALL)",
        "min": f"tl.minimum({a}, {b}, propagate_nan=tl.PropagateNan.ALL)",
    }
    if prim not in table:
        raise TritonRenderError(f"scalar op {prim} on {dt} has no Triton rendering")
    return table[prim]


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
    }
    if prim not in table:
        raise TritonRenderError(f"scalar op {prim} on {dt} has no Triton rendering")
    return table[prim]


CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def convert(x: str, src: str, dst: str) -> str:
    """``x`` (compute type of ``src``) converted to ``dst`` (in ``dst``'s compute type)."""
    if src == dst:
        return x
    if dst == "i1":
        return f"({x} != 0)"
    if is_float(dst):
        if is_float(src) and compute(src) == compute(dst) and dst not in COMPUTE:
            return x  # f16/bf16 held in f32 -> f32
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


def prim_expr(prim: str, args: list[str], arg_dts: list[str], dt: str) -> str:
    """Expression of primitive ``prim`` on rendered ``args`` (of furcate dtypes ``arg_dts``)."""
    a0 = arg_dts[0] if arg_dts else dt
    if prim in CMP:
        return f"({args[0]} {CMP[prim]} {args[1]})"
    if prim == "select":
        return f"tl.where({args[0]}, {args[1]}, {args[2]})"
    if prim == "convert":
        return convert(args[0], a0, dt)
    if is_float(a0):
        if prim == "is_finite":
            return unary_float(prim, args[0], a0)
        if len(args) == 1:
            return unary_float(prim, args[0], a0)
        return binary_float(prim, args[0], args[1], a0)
    return int_op(prim, args, a0)
