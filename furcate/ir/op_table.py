"""The elementwise op table: each unary and binary ``furcate`` op declared once, with every
fact a layer needs about it. Every layer reads this table; none keeps its own list:

- the IR op class (``ops_elementwise`` makes one per entry; ``dtypes`` is the verifier's
  dtype rule, ``doc`` its docstring);
- the reference semantics (``on_float`` / ``on_int`` / ``on_bool``: NumPy functions;
  ``ir/reference.py`` applies them in the compute dtype, the numpy backend and constant
  folding call them; ``fold=False`` keeps an op out of folding);
- the cost: ``flops`` per element (the placement cost model and the fusion policy;
  ``flops >= 16`` is "expensive" for the C renderer's loop splitting);
- the scalar kernels: ``primitive`` (the scalar op of ``backends/kernel/scalar.py``), the
  float renderings ``c`` and ``triton`` as (f32, f64) templates over ``{0}``, ``{1}`` (and
  in Triton ``{one}``, ``{half}``, ``{zero}``: constants of the compute type); f16/bf16
  use the f32 template on values held in f32. Integer and boolean renderings are the
  backends' (integer arithmetic is one contract for every op);
- the StableHLO lowering: ``"hlo.name"`` / ``"chlo.name"`` (one op on the same operands),
  or a function ``(L, *operands)`` composing ops of ``L`` (the XLA backend's
  ``Composer``: ``abs maximum minimum add subtract multiply divide sqrt select compare
  constant_like``);
- the framework ops that map to it one to one: ``aten`` (``"erf.default"``: ATen overload
  names converted by the generic converter, the result dtype taken from the node) and
  ``jax`` (jaxpr primitive names).

``is_finite``, ``compare``, ``select``, ``clamp`` and ``convert`` have rules of their own
(a result dtype, a direction attribute, three operands) and are not in the table.
Adding a pointwise op: one entry here, its tests, and a row in docs/ir.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Elementwise:
    name: str
    arity: int
    dtypes: str  # float | numeric | int_or_bool
    doc: str = ""
    on_float: Callable | None = None
    on_int: Callable | None = None
    on_bool: Callable | None = None
    flops: int = 1
    fold: bool = True
    primitive: str = ""
    c: tuple[str, str] | None = None
    triton: tuple[str, str] | None = None
    stablehlo: str | Callable = ""
    aten: tuple[str, ...] = ()
    jax: tuple[str, ...] = ()

    @property
    def prim(self) -> str:
        return self.primitive or self.name


# --------------------------------------------------------------------------
# reference functions that are not one NumPy ufunc


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


def _max_float(x, y):
    """IEEE 754-2019 maximum (StableHLO's): NaN propagates, -0.0 < +0.0."""
    m = np.maximum(x, y)  # NaN-propagating; on a tie of zeros it returns y
    zero = m == 0
    if np.any(zero):
        both = zero & (x == 0) & (y == 0)
        m = np.where(both, x + y, m)  # +0 unless both are -0
    return m


def _min_float(x, y):
    """IEEE 754-2019 minimum: NaN propagates, -0.0 < +0.0."""
    m = np.minimum(x, y)
    zero = m == 0
    if np.any(zero):
        both = zero & (x == 0) & (y == 0)
        m = np.where(both, -(-x - y), m)  # -0 if either is -0
    return m


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


# Triton: tanh(x) = 2*sigmoid(2x) - 1; below 0.01 the series x - x^3/3 + 2x^5/15 (error < 1e-14 rel)
_TL_TANH = ("tl.where(tl.abs({0}) < 0.01, {0} * (1.0 + {0} * {0} * (-0.3333333333333333 + {0} * {0} "
            "* 0.13333333333333333)), 2.0 * tl.sigmoid(2.0 * {0}) - 1.0)")
# Kahan: expm1(x) = (u - 1) * x / log(u), u = exp(x)
_TL_EXPM1 = ("tl.where(tl.exp({0}) == {one}, {0}, tl.where(tl.exp({0}) - {one} == -{one}, -{one}, "
             "tl.where(tl.abs({0}) > 50.0, tl.exp({0}) - {one}, "
             "(tl.exp({0}) - {one}) * {0} / tl.log(tl.exp({0})))))")
# Kahan: log1p(x) = log(u) * x / (u - 1), u = 1 + x
_TL_LOG1P = ("tl.where({0} + {one} == {one}, {0}, tl.where(tl.abs({0}) > 1e30, tl.log({0} + {one}), "
             "tl.log({0} + {one}) * {0} / (({0} + {one}) - {one})))")
# round half to even / away from zero: ``exprs.MATH_HELPERS`` (a zero result keeps the sign of x)
_TL_ROUND_EVEN = "_fc_round_even({0})"
_TL_ROUND_AFZ = "_fc_round_afz({0})"
_TL_SIGN = "tl.where({0} > {zero}, {one}, tl.where({0} < {zero}, -{one}, {0}))"

# hypot: an infinite operand gives +inf (even with a NaN), else M * sqrt(1 + (m/M)^2) with
# M, m = max, min of |x|, |y| (NaN propagating), 0 where M is 0: no overflow, no underflow
def _tl_hypot(big: str) -> str:
    ax, ay = "tl.abs({0})", "tl.abs({1})"
    hi = f"tl.maximum({ax}, {ay}, propagate_nan=tl.PropagateNan.ALL)"
    lo = f"tl.minimum({ax}, {ay}, propagate_nan=tl.PropagateNan.ALL)"
    q = f"({lo} / tl.where({hi} == 0.0, 1.0, {hi}))"
    return (f"tl.where({ax} > {big}, {ax}, tl.where({ay} > {big}, {ay}, "
            f"tl.where({hi} == 0.0, {ax}, {hi} * tl.sqrt(1.0 + {q} * {q}))))")


def _hypot_hlo(L, a, b):
    """max * sqrt(1 + (min/max)^2) on |a|, |b|; 0 where both are 0; +inf where either is."""
    x, y = L.abs(a), L.abs(b)
    hi, lo = L.maximum(x, y), L.minimum(x, y)
    zero, one, inf = L.constant_like(0.0, a), L.constant_like(1.0, a), L.constant_like(np.inf, a)
    safe = L.select(L.compare(hi, zero, "EQ"), one, hi)
    q = L.divide(lo, safe)
    r = L.multiply(hi, L.sqrt(L.add(one, L.multiply(q, q))))
    return L.select(L.compare(x, inf, "EQ"), inf, L.select(L.compare(y, inf, "EQ"), inf, r))


E = Elementwise
TABLE: tuple[Elementwise, ...] = (
    # -- unary ------------------------------------------------------------------------
    E("neg", 1, "numeric", on_float=np.negative, on_int=np.negative, c=("(-{0})", "(-{0})"),
      triton=("(-{0})",) * 2, stablehlo="hlo.negate", aten=("neg.default",), jax=("neg",)),
    E("abs", 1, "numeric", on_float=np.abs, on_int=np.abs, c=("fabsf({0})", "fabs({0})"),
      triton=("tl.abs({0})",) * 2, stablehlo="hlo.abs", aten=("abs.default",), jax=("abs",)),
    E("exp", 1, "float", on_float=np.exp, flops=16, c=("fc_expf({0})", "exp({0})"), triton=("tl.exp({0})",) * 2,
      stablehlo="hlo.exponential", aten=("exp.default",), jax=("exp",)),
    E("expm1", 1, "float", on_float=np.expm1, flops=16, c=("expm1f({0})", "expm1({0})"), triton=(_TL_EXPM1,) * 2,
      stablehlo="hlo.exponential_minus_one", aten=("expm1.default",), jax=("expm1",)),
    E("log", 1, "float", on_float=np.log, flops=16, c=("fc_logf({0})", "log({0})"), triton=("tl.log({0})",) * 2,
      stablehlo="hlo.log", aten=("log.default",), jax=("log",)),
    E("log1p", 1, "float", on_float=np.log1p, flops=16, c=("log1pf({0})", "log1p({0})"), triton=(_TL_LOG1P,) * 2,
      stablehlo="hlo.log_plus_one", aten=("log1p.default",), jax=("log1p",)),
    E("tanh", 1, "float", on_float=np.tanh, flops=16, c=("fc_tanhf({0})", "tanh({0})"), triton=(_TL_TANH,) * 2,
      stablehlo="hlo.tanh", aten=("tanh.default",), jax=("tanh",)),
    E("sqrt", 1, "float", on_float=np.sqrt, flops=4, c=("sqrtf({0})", "sqrt({0})"),
      triton=("tl.sqrt_rn({0})", "tl.sqrt({0})"), stablehlo="hlo.sqrt", aten=("sqrt.default",), jax=("sqrt",)),
    E("rsqrt", 1, "float", on_float=_rsqrt, flops=4, c=("(1.0f / sqrtf({0}))", "(1.0 / sqrt({0}))"),
      triton=("(1.0 / tl.sqrt_rn({0}))", "(1.0 / tl.sqrt({0}))"), stablehlo="hlo.rsqrt",
      aten=("rsqrt.default",), jax=("rsqrt",)),
    E("logistic", 1, "float", "1 / (1 + exp(-x)).", on_float=_logistic, flops=16,
      c=("fc_logisticf({0})", "fc_logisticd({0})"), triton=("tl.sigmoid({0})",) * 2, stablehlo="hlo.logistic",
      aten=("sigmoid.default",), jax=("logistic",)),
    E("erf", 1, "float", on_float=_erf, flops=16, fold=False, c=("fc_erff({0})", "erf({0})"),
      triton=("tl.erf({0})",) * 2, stablehlo="chlo.erf", aten=("erf.default",), jax=("erf",)),
    E("sin", 1, "float", on_float=np.sin, flops=16, c=("sinf({0})", "sin({0})"), triton=("tl.sin({0})",) * 2,
      stablehlo="hlo.sine", aten=("sin.default",), jax=("sin",)),
    E("cos", 1, "float", on_float=np.cos, flops=16, c=("cosf({0})", "cos({0})"), triton=("tl.cos({0})",) * 2,
      stablehlo="hlo.cosine", aten=("cos.default",), jax=("cos",)),
    E("floor", 1, "float", on_float=np.floor, c=("floorf({0})", "floor({0})"), triton=("tl.floor({0})",) * 2,
      stablehlo="hlo.floor", jax=("floor",)),
    E("ceil", 1, "float", on_float=np.ceil, c=("ceilf({0})", "ceil({0})"), triton=("tl.ceil({0})",) * 2,
      stablehlo="hlo.ceil", jax=("ceil",)),
    E("round_nearest_even", 1, "float", "Round half to even (torch.round).", on_float=np.rint,
      primitive="round_even", c=("fc_rintf({0})", "nearbyint({0})"), triton=(_TL_ROUND_EVEN,) * 2,
      stablehlo="hlo.round_nearest_even"),
    E("round_nearest_afz", 1, "float", "Round half away from zero (C round()).", on_float=_round_afz,
      primitive="round_afz", c=("fc_round_afzf({0})", "fc_round_afzd({0})"), triton=(_TL_ROUND_AFZ,) * 2,
      stablehlo="hlo.round_nearest_afz"),
    E("sign", 1, "numeric", "-1, 0 or 1 (NaN for NaN, sign kept for -0.0).", on_float=_float_sign,
      on_int=np.sign, c=("({0} > 0.0f ? 1.0f : ({0} < 0.0f ? -1.0f : {0}))",
                         "({0} > 0.0 ? 1.0 : ({0} < 0.0 ? -1.0 : {0}))"),
      triton=(_TL_SIGN,) * 2, stablehlo="hlo.sign", jax=("sign",)),
    E("not", 1, "int_or_bool", "Logical not on i1, bitwise not on integers.", on_int=np.invert,
      on_bool=np.logical_not, stablehlo="hlo.not_", jax=("not",)),
    # -- binary -----------------------------------------------------------------------
    E("add", 2, "numeric", on_float=np.add, on_int=np.add, c=("({0} + {1})",) * 2, triton=("({0} + {1})",) * 2,
      stablehlo="hlo.add", jax=("add",)),
    E("sub", 2, "numeric", on_float=np.subtract, on_int=np.subtract, c=("({0} - {1})",) * 2,
      triton=("({0} - {1})",) * 2, stablehlo="hlo.subtract", jax=("sub",)),
    E("mul", 2, "numeric", on_float=np.multiply, on_int=np.multiply, c=("({0} * {1})",) * 2,
      triton=("({0} * {1})",) * 2, stablehlo="hlo.multiply", jax=("mul",)),
    # XLA's integer div/rem already follow furcate's contract (trunc; x/0 = -1,
    # INT_MIN/-1 = INT_MIN, x%0 = x, INT_MIN%-1 = 0)
    E("div", 2, "numeric", "Division; integers truncate toward zero, x/0 = -1, INT_MIN/-1 = INT_MIN (XLA's rules).",
      on_float=np.true_divide, on_int=_int_div, flops=4, c=("({0} / {1})",) * 2,
      triton=("tl.div_rn({0}, {1})", "({0} / {1})"), stablehlo="hlo.divide", jax=("div",)),
    E("rem", 2, "numeric", "Remainder with the sign of the dividend (C fmod / truncated); x%0 = x, INT_MIN%-1 = 0.",
      on_float=np.fmod, on_int=_int_rem, flops=8, c=("fmodf({0}, {1})", "fmod({0}, {1})"),
      triton=("({0} % {1})",) * 2, stablehlo="hlo.remainder", jax=("rem",)),
    # pow and atan2 in Triton: f64 helpers (``exprs.MATH_HELPERS``), f32 widened to f64
    E("pow", 2, "numeric", on_float=np.power, on_int=_int_pow, flops=24, c=("powf({0}, {1})", "pow({0}, {1})"),
      triton=("_fc_pow(({0}).to(tl.float64), ({1}).to(tl.float64)).to(tl.float32)", "_fc_pow({0}, {1})"),
      stablehlo="hlo.power", jax=("pow",)),
    E("max", 2, "numeric", "Maximum (IEEE 754-2019, as StableHLO): NaN propagates, -0.0 < +0.0.",
      on_float=_max_float, on_int=np.maximum, c=("fc_maxf({0}, {1})", "fc_maxd({0}, {1})"),
      triton=("_fc_fmax({0}, {1})",) * 2, stablehlo="hlo.maximum",
      jax=("max",)),
    E("min", 2, "numeric", "Minimum (IEEE 754-2019, as StableHLO): NaN propagates, -0.0 < +0.0.",
      on_float=_min_float, on_int=np.minimum, c=("fc_minf({0}, {1})", "fc_mind({0}, {1})"),
      triton=("_fc_fmin({0}, {1})",) * 2, stablehlo="hlo.minimum",
      jax=("min",)),
    E("and", 2, "int_or_bool", on_int=np.bitwise_and, on_bool=np.logical_and, stablehlo="hlo.and_", jax=("and",)),
    E("or", 2, "int_or_bool", on_int=np.bitwise_or, on_bool=np.logical_or, stablehlo="hlo.or_", jax=("or",)),
    E("xor", 2, "int_or_bool", on_int=np.bitwise_xor, on_bool=np.logical_xor, stablehlo="hlo.xor", jax=("xor",)),
    E("atan2", 2, "float", on_float=np.arctan2, flops=24, c=("atan2f({0}, {1})", "atan2({0}, {1})"),
      triton=("_fc_atan2(({0}).to(tl.float64), ({1}).to(tl.float64)).to(tl.float32)", "_fc_atan2({0}, {1})"),
      stablehlo="hlo.atan2", aten=("atan2.default",), jax=("atan2",)),
    E("hypot", 2, "float", "sqrt(x*x + y*y) without overflow or underflow; +inf if either operand is "
      "infinite (even if the other is NaN), as C hypot.", on_float=np.hypot, flops=16,
      c=("hypotf({0}, {1})", "hypot({0}, {1})"), triton=(_tl_hypot("3.4028234663852886e+38"), _tl_hypot("1.7976931348623157e+308")), stablehlo=_hypot_hlo,
      aten=("hypot.default",)),
)
del E

BY_NAME: dict[str, Elementwise] = {e.name: e for e in TABLE}
UNARY = tuple(e for e in TABLE if e.arity == 1)
BINARY = tuple(e for e in TABLE if e.arity == 2)


def flops_per_element() -> dict[str, int]:
    """op name -> FLOPs per element, for the ops costing more than one."""
    return {e.name: e.flops for e in TABLE if e.flops > 1}


__all__ = ["Elementwise", "TABLE", "BY_NAME", "UNARY", "BINARY", "flops_per_element"]
