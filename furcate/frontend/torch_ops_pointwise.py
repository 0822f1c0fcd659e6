"""ATen op -> furcate IR: the pointwise families (arithmetic, division and rounding,
unary math, activations, clamps, where, comparisons, logical and bitwise ops, NaN
tests). Registered in ``torch_registry.CONVERTERS``."""

from __future__ import annotations

import math

import numpy as np
import torch

from furcate.dtypes import TensorSpec, is_float
from furcate.frontend.torch_registry import CONVERTERS_BY_NAME, Converter, Cx, aten, is_tensor_val, register, upcast
from furcate.ir import op_table
from furcate.ir.builder import spec

# --------------------------------------------------------------------------
# pointwise arithmetic


def _binary_in(cx: Cx, node, a, b, dtype: str | None = None):
    """Both operands converted to ``dtype`` (default: the result's) and broadcast to the result shape."""
    out = cx.out(node)
    t = TensorSpec(out.shape, dtype or out.dtype)
    return cx.tensor(a, t), cx.tensor(b, t)


def _aten(name: str):
    """``"erf.default"`` -> ``aten.erf.default``."""
    packet, _, overload = name.partition(".")
    return getattr(getattr(aten, packet), overload)


# on bools torch's add/mul/max/min are logical or/and
_BOOL_EQUIVALENT = {"add": "or", "mul": "and", "max": "or", "min": "and"}


def _simple_binary(opname: str):
    def conv(cx: Cx, node, a, b, alpha=None):
        x, y = _binary_in(cx, node, a, b)
        if spec(x).dtype == "i1" and opname in _BOOL_EQUIVALENT:
            if alpha is not None and not alpha:
                return x  # a + False * b
            return cx.op(_BOOL_EQUIVALENT[opname], x, y)
        if alpha is not None and alpha != 1:
            y = cx.op("mul", y, cx.scalar_like(alpha, y))
        return cx.op(opname, x, y)

    return conv


register(aten.add.Tensor, aten.add.Scalar)(_simple_binary("add"))
register(aten.sub.Tensor, aten.sub.Scalar)(_simple_binary("sub"))
register(aten.mul.Tensor, aten.mul.Scalar)(_simple_binary("mul"))
register(aten.maximum.default)(_simple_binary("max"))
register(aten.minimum.default)(_simple_binary("min"))
register(aten.pow.Tensor_Tensor, aten.pow.Tensor_Scalar, aten.pow.Scalar)(_simple_binary("pow"))


@register(aten.fmax.default, aten.fmin.default)
def _fmax(cx, node, a, b):
    """torch.fmax / fmin ignore a NaN operand (NaN only where both are): furcate's max/min
    propagate NaN, so a NaN operand selects the other one first."""
    kind = "max" if node.target is aten.fmax.default else "min"
    r = _simple_binary(kind)(cx, node, a, b)
    x, y = _binary_in(cx, node, a, b)
    if not is_float(spec(x).dtype):
        return r
    return cx.select(cx.cmp(x, x, "NE"), y, cx.select(cx.cmp(y, y, "NE"), x, r))


def _rounds(node) -> bool:
    """A floor or trunc division (a one-unit difference when the quotient rounds differently)."""
    if node.target in (aten.floor_divide.default, aten.floor_divide.Scalar):
        return True
    if node.target in (aten.div.Tensor_mode, aten.div.Scalar_mode):
        return (node.args[2] if len(node.args) > 2 else node.kwargs.get("rounding_mode")) is not None
    return False


def _int_div_check(node) -> bool | str:
    """Integer division and remainder by zero raise in eager (``ZeroDivisionError``) and are
    defined in furcate's IR: a divisor that is a tensor (or the scalar 0) is left to eager."""
    val = node.meta.get("val")
    if is_tensor_val(val) and val.dtype in (torch.float16, torch.bfloat16) and _rounds(node):
        return "f16/bf16 division with rounding: eager's rounding of the quotient is not reproduced exactly"
    if not is_tensor_val(val) or val.dtype.is_floating_point or val.dtype == torch.bool:
        return True
    if node.target in (aten.div.Tensor, aten.div.Scalar):
        return True  # true division: a float result
    divisor = node.args[1] if len(node.args) > 1 else None
    if isinstance(divisor, torch.fx.Node):
        return "integer division by a tensor (eager raises on a zero divisor)"
    if divisor == 0:
        return "integer division by zero (eager raises)"
    return True


register(aten.fmod.Tensor, aten.fmod.Scalar, check=_int_div_check)(_simple_binary("rem"))
for _e in op_table.BINARY:
    if _e.aten:
        register(*map(_aten, _e.aten))(_simple_binary(_e.name))


def _fma(cx, node, a, b, c):
    """``prims.fma`` (torch.lerp's and the optimizers' decompositions emit it): eager computes
    it as ``(a * b) + c``, rounding after each op, and so does this."""
    out = cx.out(node)
    return cx.op("add", cx.op("mul", cx.tensor(a, out), cx.tensor(b, out)), cx.tensor(c, out))


CONVERTERS_BY_NAME["prims.fma.default"] = Converter(_fma)


@register(aten.rsub.Tensor, aten.rsub.Scalar)
def _rsub(cx, node, a, b, alpha=1):
    """``b - alpha * a``."""
    x, y = _binary_in(cx, node, a, b)
    if alpha != 1:
        x = cx.op("mul", x, cx.scalar_like(alpha, x))
    return cx.op("sub", y, x)


def _trunc(cx, x):
    zero = cx.scalar_like(0, x)
    return cx.select(cx.cmp(x, zero, "LT"), cx.op("ceil", x), cx.op("floor", x))


def _floor_div_int(cx, x, y):
    """torch's floor division of integers from furcate's truncating div."""
    q = cx.op("div", x, y)
    r = cx.op("rem", x, y)
    zero = cx.scalar_like(0, x)
    signs_differ = cx.op("xor", cx.cmp(r, zero, "LT"), cx.cmp(y, zero, "LT"))
    fix = cx.op("and", cx.cmp(r, zero, "NE"), signs_differ)
    return cx.select(fix, cx.op("sub", q, cx.scalar_like(1, q)), q)


def _floor_div_float(cx, x, y):
    """Eager's ``div_floor_floating``: the quotient from ``(x - fmod(x, y)) / y``, not
    ``floor(x / y)`` (1 // 0.1 is 9, though 1 / 0.1 rounds to 10)."""
    c = lambda v: cx.scalar_like(v, x)  # noqa: E731
    q = cx.op("div", x, y)
    mod = cx.op("rem", x, y)
    div = cx.op("div", cx.op("sub", x, mod), y)
    adjust = cx.op("and", cx.cmp(mod, c(0), "NE"), cx.op("xor", cx.cmp(y, c(0), "LT"), cx.cmp(mod, c(0), "LT")))
    div = cx.select(adjust, cx.op("sub", div, c(1)), div)
    fl = cx.op("floor", div)
    fl = cx.select(cx.cmp(cx.op("sub", div, fl), c(0.5), "GT"), cx.op("add", fl, c(1)), fl)
    signed_zero = cx.op("mul", q, c(0))  # copysign(0, x / y): q is finite here
    return cx.select(cx.cmp(y, c(0), "EQ"), q, cx.select(cx.cmp(div, c(0), "EQ"), signed_zero, fl))


@register(aten.div.Tensor, aten.div.Scalar, aten.div.Tensor_mode, aten.div.Scalar_mode, check=_int_div_check)
def _div(cx, node, a, b, rounding_mode=None):
    x, y = _binary_in(cx, node, a, b)
    dt = spec(x).dtype
    if is_float(dt):
        if rounding_mode is None:
            return cx.op("div", x, y)
        return _trunc(cx, cx.op("div", x, y)) if rounding_mode == "trunc" else _floor_div_float(cx, x, y)
    if rounding_mode == "floor":
        return _floor_div_int(cx, x, y)
    return cx.op("div", x, y)


@register(aten.floor_divide.default, aten.floor_divide.Scalar, check=_int_div_check)
def _floor_divide(cx, node, a, b):
    return _div(cx, node, a, b, rounding_mode="floor")


@register(aten.remainder.Tensor, aten.remainder.Scalar, aten.remainder.Scalar_Tensor, check=_int_div_check)
def _remainder(cx, node, a, b):
    """torch.remainder: the result has the divisor's sign (floor mod), from truncating rem."""
    x, y = _binary_in(cx, node, a, b)
    r = cx.op("rem", x, y)
    zero = cx.scalar_like(0, r)
    signs_differ = cx.op("xor", cx.cmp(r, zero, "LT"), cx.cmp(y, zero, "LT"))
    fix = cx.op("and", cx.cmp(r, zero, "NE"), signs_differ)
    return cx.select(fix, cx.op("add", r, y), r)


def _unary(opname: str):
    """A unary op computed in the result dtype (ints become floats first for exp etc.)."""

    def conv(cx: Cx, node, a):
        return cx.op(opname, cx.cast(a, cx.out(node).dtype))

    return conv


# the op table's one-to-one ATen ops (``ir/op_table.py``)
for _e in op_table.UNARY:
    if _e.aten:
        register(*map(_aten, _e.aten))(_unary(_e.name))


@register(aten.sign.default, aten.sgn.default)
def _sign(cx, node, a):
    """torch.sign: 0 for NaN and for -0.0 (``(0 < x) - (x < 0)``); furcate.sign keeps both
    (StableHLO's, which the JAX frontend uses)."""
    x = cx.cast(a, cx.out(node).dtype)
    dt = spec(x).dtype
    if dt == "i1":
        return x
    if not is_float(dt):
        return cx.op("sign", x)
    zero = cx.scalar_like(0, x)
    return cx.select(cx.cmp(x, zero, "GT"), cx.scalar_like(1, x),
                     cx.select(cx.cmp(x, zero, "LT"), cx.scalar_like(-1, x), zero))


@register(aten.floor.default, aten.ceil.default, aten.round.default, aten.trunc.default)
def _rounding(cx, node, a):
    x = cx.cast(a, cx.out(node).dtype)
    if not is_float(spec(x).dtype):
        return x  # integers are already whole
    name = node.target.overloadpacket.__name__
    if name == "trunc":
        return _trunc(cx, x)
    return cx.op({"floor": "floor", "ceil": "ceil", "round": "round_nearest_even"}[name], x)


@register(aten.round.decimals)
def _round_decimals(cx, node, a, decimals=0):
    x = cx.cast(a, cx.out(node).dtype)
    scale = cx.scalar_like(10.0**decimals, x)
    return cx.op("div", cx.op("round_nearest_even", cx.op("mul", x, scale)), scale)


@register(aten.reciprocal.default)
def _reciprocal(cx, node, a):
    x = cx.cast(a, cx.out(node).dtype)
    return cx.op("div", cx.scalar_like(1, x), x)


@register(aten.log2.default, aten.log10.default)
def _log_base(cx, node, a):
    x = cx.cast(a, cx.out(node).dtype)
    base = 2.0 if node.target.overloadpacket.__name__ == "log2" else 10.0
    return cx.op("div", cx.op("log", x), cx.scalar_like(math.log(base), x))


@register(aten.relu.default)
def _relu(cx, node, a):
    return cx.op("max", a, cx.scalar_like(0, a))


def _in_upcast(cx, node, a):
    """The operand converted to the dtype torch computes this op in, and the result dtype."""
    out = cx.out(node).dtype
    return cx.cast(a, upcast(out)), out


@register(aten.gelu.default)
def _gelu(cx, node, a, approximate="none"):
    x, out = _in_upcast(cx, node, a)
    c = lambda v: cx.scalar_like(v, x)  # noqa: E731
    if approximate == "tanh":
        inner = cx.op("mul", c(math.sqrt(2.0 / math.pi)),
                      cx.op("add", x, cx.op("mul", c(0.044715), cx.op("mul", x, cx.op("mul", x, x)))))
        t = cx.op("tanh", inner)
    else:
        t = cx.op("erf", cx.op("mul", x, c(1.0 / math.sqrt(2.0))))
    y = cx.op("mul", cx.op("mul", c(0.5), x), cx.op("add", c(1.0), t))
    return cx.cast(y, out)


@register(aten.silu.default)
def _silu(cx, node, a):
    x, out = _in_upcast(cx, node, a)
    return cx.cast(cx.op("mul", x, cx.op("logistic", x)), out)


@register(aten.threshold_backward.default)
def _threshold_backward(cx, node, grad, x, threshold):
    out = cx.out(node)
    g = cx.tensor(grad, out)
    xs = cx.bcast(x, out.shape)
    keep = cx.cmp(xs, cx.scalar_like(threshold, xs), "GT")
    return cx.select(keep, g, cx.scalar_like(0, g))


@register(aten.clamp.default, aten.clamp.Tensor, aten.clamp_min.default, aten.clamp_min.Tensor,
          aten.clamp_max.default, aten.clamp_max.Tensor, aten.hardtanh.default)
def _clamp(cx, node, a, lo=None, hi=None):
    name = node.target.overloadpacket.__name__
    if name == "clamp_max":
        lo, hi = None, lo
    if name == "hardtanh":
        lo = -1.0 if lo is None else lo
        hi = 1.0 if hi is None else hi
    out = cx.out(node)
    x = cx.tensor(a, out)
    if lo is not None:
        x = cx.op("max", x, cx.tensor(lo, out))
    if hi is not None:
        x = cx.op("min", x, cx.tensor(hi, out))
    return x


@register(aten.where.self, aten.where.ScalarSelf, aten.where.ScalarOther, aten.where.Scalar)
def _where(cx, node, cond, a, b):
    out = cx.out(node)
    pred = cx.bcast(cx.cast(cond, "i1"), out.shape)
    return cx.select(pred, cx.tensor(a, out), cx.tensor(b, out))


@register(aten.masked_fill.Scalar, aten.masked_fill.Tensor)
def _masked_fill(cx, node, a, mask, value):
    out = cx.out(node)
    if not isinstance(value, (bool, int, float)):
        value = cx.reshape(value, [])
    pred = cx.bcast(cx.cast(mask, "i1"), out.shape)
    return cx.select(pred, cx.tensor(value, out), cx.tensor(a, out))


# -- comparisons and logic ---------------------------------------------------

_DIRECTIONS = {"eq": "EQ", "ne": "NE", "lt": "LT", "le": "LE", "gt": "GT", "ge": "GE"}


@register(*[getattr(aten, n).Tensor for n in _DIRECTIONS], *[getattr(aten, n).Scalar for n in _DIRECTIONS])
def _compare(cx, node, a, b):
    x, y = _binary_in(cx, node, a, b, cx.compute_dtype(node))
    return cx.cmp(x, y, _DIRECTIONS[node.target.overloadpacket.__name__])


def _logical(opname: str):
    def conv(cx, node, a, b=None):
        out = cx.out(node)
        t = TensorSpec(out.shape, "i1")
        r = cx.op(opname, cx.tensor(a, t)) if b is None else cx.op(opname, cx.tensor(a, t), cx.tensor(b, t))
        return cx.cast(r, out.dtype)

    return conv


register(aten.logical_and.default)(_logical("and"))
register(aten.logical_or.default)(_logical("or"))
register(aten.logical_xor.default)(_logical("xor"))
register(aten.logical_not.default)(_logical("not"))


def _bitwise(opname: str):
    def conv(cx, node, a, b=None):
        out = cx.out(node)
        if b is None:
            return cx.op(opname, cx.tensor(a, out))
        x, y = _binary_in(cx, node, a, b)
        return cx.op(opname, x, y)

    return conv


register(aten.bitwise_and.Tensor, aten.bitwise_and.Scalar)(_bitwise("and"))
register(aten.bitwise_or.Tensor, aten.bitwise_or.Scalar)(_bitwise("or"))
register(aten.bitwise_xor.Tensor, aten.bitwise_xor.Scalar)(_bitwise("xor"))
register(aten.bitwise_not.default)(_bitwise("not"))


@register(aten.isnan.default)
def _isnan(cx, node, a):
    if not is_float(spec(a).dtype):
        return cx.b.full(False, cx.out(node))
    return cx.cmp(a, a, "NE")


@register(aten.isinf.default)
def _isinf(cx, node, a):
    if not is_float(spec(a).dtype):
        return cx.b.full(False, cx.out(node))
    return cx.cmp(cx.op("abs", a), cx.scalar_like(np.inf, a), "EQ")


@register(aten.isfinite.default)
def _isfinite(cx, node, a):
    if not is_float(spec(a).dtype):
        return cx.b.full(True, cx.out(node))
    return cx.op("is_finite", a)
