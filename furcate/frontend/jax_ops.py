"""JAX primitive → furcate IR: elementwise, layout, reduction and contraction primitives.

Each converter takes the lowering context ``cx`` (see ``jaxpr.Lowering``), the
jaxpr equation and its operands as SSA values, and returns the result values.
Result dtypes and shapes always come from the equation's outvar avals (weak
types included); converters never re-derive JAX's promotion rules. Gathers,
scatters, convolutions and pooling live in ``jax_index_ops``.

This module imports numpy but not jax: parameters (enums, dimension numbers)
are read through their attributes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from furcate.ir import op_table
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS, SCAN_KINDS

# primitive name -> converter(cx, eqn, args) -> SSAValue | list[SSAValue]
CONVERTERS: dict[str, Callable] = {}


def converter(*names: str):
    """Register a converter for one or more primitive names."""

    def deco(fn):
        for n in names:
            CONVERTERS[n] = fn
        return fn

    return deco


# --------------------------------------------------------------------------
# elementwise

# jaxpr primitive -> furcate op: the op table's (``ir/op_table.py``), plus a few of our own
_UNARY = {p: e.name for e in op_table.UNARY for p in e.jax} | {"is_finite": "is_finite"}
_BINARY = {p: e.name for e in op_table.BINARY for p in e.jax} | {
    "add_any": "add",  # gradient accumulation
}
_COMPARE = {"eq": "EQ", "ne": "NE", "lt": "LT", "le": "LE", "gt": "GT", "ge": "GE"}


def _unary(opname):
    return lambda cx, eqn, args: cx.b.op(opname, cx.broadcast_to(args[0], cx.out_spec(eqn).shape))


def _binary(opname):
    def convert(cx, eqn, args):
        out = cx.out_spec(eqn)
        x, y = (cx.broadcast_to(a, out.shape) for a in args)
        if opname in ("max", "min") and out.dtype == "i1":  # bool max/min are or/and
            return cx.b.op("or" if opname == "max" else "and", x, y)
        if opname == "pow" and cx.spec(y).dtype != out.dtype:  # lax.pow(float, int)
            y = cx.b.convert(y, out.dtype)
        return cx.b.op(opname, x, y)

    return convert


def _compare(direction):
    def convert(cx, eqn, args):
        shape = cx.out_spec(eqn).shape
        x, y = (cx.broadcast_to(a, shape) for a in args)
        return cx.b.op("compare", x, y, comparison_direction=direction)

    return convert


for _name, _op in _UNARY.items():
    CONVERTERS[_name] = _unary(_op)
for _name, _op in _BINARY.items():
    CONVERTERS[_name] = _binary(_op)
for _name, _dir in _COMPARE.items():
    CONVERTERS[_name] = _compare(_dir)


@converter("square")
def _square(cx, eqn, args):
    return cx.b.op("mul", args[0], args[0])


@converter("erfc")
def _erfc(cx, eqn, args):
    """1 - erf(x): exact to f32 rounding in absolute terms; far in the right tail (x > ~4,
    where erfc < 1e-7) the result is 0 rather than the tiny true value."""
    x = args[0]
    return cx.b.op("sub", cx.b.full(1.0, cx.spec(x)), cx.b.op("erf", x))


# Giles' single-precision erfinv polynomials (the ones XLA/CHLO use), highest degree first
_ERFINV_W_LT_5 = (2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
                  -0.00125372503, -0.00417768164, 0.246640727, 1.50140941)
_ERFINV_W_GE_5 = (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
                  -0.0076224613, 0.00943887047, 1.00167406, 2.83297682)


@converter("erf_inv")
def _erf_inv(cx, eqn, args):
    """XLA's f32 erf_inv (f16/bf16 computed in f32); f64 uses another polynomial: unsupported."""
    dtype = cx.spec(args[0]).dtype
    if dtype == "f64":
        cx.unsupported(eqn, "erf_inv in f64")
    b = cx.b
    x = b.convert(args[0], "f32")
    spec = cx.spec(x)

    def full(v):
        return b.full(v, spec)

    w = b.op("neg", b.op("log1p", b.op("neg", b.op("mul", x, x))))
    lt = b.op("compare", w, full(5.0), comparison_direction="LT")
    w = b.op("select", lt, b.op("sub", w, full(2.5)), b.op("sub", b.op("sqrt", w), full(3.0)))
    p = None
    for lo, hi in zip(_ERFINV_W_LT_5, _ERFINV_W_GE_5):
        c = b.op("select", lt, full(lo), full(hi))
        p = c if p is None else b.op("add", c, b.op("mul", p, w))
    result = b.op("mul", p, x)
    at_one = b.op("compare", b.op("abs", x), full(1.0), comparison_direction="EQ")
    result = b.op("select", at_one, b.op("mul", x, full(np.inf)), result)
    return b.convert(result, dtype)


@converter("tan")
def _tan(cx, eqn, args):
    return cx.b.op("div", cx.b.op("sin", args[0]), cx.b.op("cos", args[0]))


@converter("exp2")
def _exp2(cx, eqn, args):
    spec = cx.spec(args[0])
    return cx.b.op("pow", cx.b.full(2.0, spec), args[0])


@converter("round")
def _round(cx, eqn, args):
    method = int(eqn.params.get("rounding_method", 0))  # 0: away from zero, 1: to nearest even
    return cx.b.op("round_nearest_even" if method == 1 else "round_nearest_afz", args[0])


@converter("integer_pow")
def _integer_pow(cx, eqn, args):
    """x**y for a static integer y by repeated squaring (XLA's lowering); y < 0 is 1/x**-y."""
    x, y = args[0], int(eqn.params["y"])
    spec = cx.spec(x)
    if y == 0:
        return cx.b.full(1, spec)
    n, acc, base = abs(y), None, x
    while n:
        if n & 1:
            acc = base if acc is None else cx.b.op("mul", acc, base)
        n >>= 1
        if n:
            base = cx.b.op("mul", base, base)
    if y < 0:
        acc = cx.b.op("div", cx.b.full(1, spec), acc)
    return acc


@converter("convert_element_type")
def _convert(cx, eqn, args):
    return cx.b.convert(args[0], cx.out_spec(eqn).dtype)


_FLOAT_BITS = {(8, 23): "f32", (11, 52): "f64", (5, 10): "f16", (8, 7): "bf16"}


@converter("reduce_precision")
def _reduce_precision(cx, eqn, args):
    x = args[0]
    via = _FLOAT_BITS.get((eqn.params["exponent_bits"], eqn.params["mantissa_bits"]))
    dtype = cx.spec(x).dtype
    if via is None:
        cx.unsupported(eqn, "only the precisions of f64/f32/f16/bf16 can be expressed")
    if via == dtype:
        return x
    return cx.b.convert(cx.b.convert(x, via), dtype)


@converter("select_n")
def _select_n(cx, eqn, args):
    """``select_n(pred, *cases)`` is ``cases[pred]``: the false case comes first."""
    out = cx.out_spec(eqn)
    pred = cx.broadcast_to(args[0], out.shape)
    cases = [cx.broadcast_to(c, out.shape) for c in args[1:]]
    pspec = cx.spec(pred)
    if len(cases) == 1:
        return cases[0]
    if pspec.dtype == "i1":
        return cx.b.op("select", pred, cases[1], cases[0])
    result = cases[0]
    for k in range(1, len(cases)):
        is_k = cx.b.op("compare", pred, cx.b.full(k, pspec), comparison_direction="EQ")
        result = cx.b.op("select", is_k, cases[k], result)
    return result


@converter("clamp")
def _clamp(cx, eqn, args):
    shape = cx.out_spec(eqn).shape
    lo, x, hi = (cx.broadcast_to(a, shape) for a in args)
    return cx.b.op("clamp", lo, x, hi)


@converter("copy", "copy_p", "stop_gradient", "optimization_barrier")
def _identity(cx, eqn, args):
    return list(args)


# --------------------------------------------------------------------------
# layout


@converter("broadcast_in_dim")
def _broadcast_in_dim(cx, eqn, args):
    if len(args) != 1:
        cx.unsupported(eqn, "dynamic shapes are not supported")
    p = eqn.params
    return cx.b.op("broadcast_in_dim", args[0], broadcast_dimensions=list(p["broadcast_dimensions"]),
                   shape=list(p["shape"]))


@converter("reshape")
def _reshape(cx, eqn, args):
    if len(args) != 1:
        cx.unsupported(eqn, "dynamic shapes are not supported")
    x = args[0]
    dims = eqn.params.get("dimensions")
    if dims is not None:
        x = cx.b.op("transpose", x, permutation=list(dims))
    return cx.reshape(x, eqn.params["new_sizes"])


@converter("squeeze")
def _squeeze(cx, eqn, args):
    return cx.reshape(args[0], cx.out_spec(eqn).shape)


@converter("transpose")
def _transpose(cx, eqn, args):
    return cx.b.op("transpose", args[0], permutation=list(eqn.params["permutation"]))


@converter("slice")
def _slice(cx, eqn, args):
    p = eqn.params
    start = list(p["start_indices"])
    strides = list(p["strides"]) if p.get("strides") is not None else [1] * len(start)
    return cx.b.op("slice", args[0], start_indices=start, limit_indices=list(p["limit_indices"]),
                   strides=strides)


@converter("split")
def _split(cx, eqn, args):
    x = args[0]
    axis = int(eqn.params["axis"])
    shape = cx.spec(x).shape
    outs, start = [], 0
    for size in eqn.params["sizes"]:
        lo = [0] * len(shape)
        hi = list(shape)
        lo[axis], hi[axis] = start, start + int(size)
        outs.append(cx.b.op("slice", x, start_indices=lo, limit_indices=hi, strides=[1] * len(shape)))
        start += int(size)
    return outs


@converter("concatenate")
def _concatenate(cx, eqn, args):
    return cx.b.op("concatenate", *args, dimension=int(eqn.params["dimension"]))


@converter("pad")
def _pad(cx, eqn, args):
    cfg = eqn.params["padding_config"]
    return cx.b.op("pad", args[0], args[1], edge_padding_low=[c[0] for c in cfg],
                   edge_padding_high=[c[1] for c in cfg], interior_padding=[c[2] for c in cfg])


@converter("rev")
def _rev(cx, eqn, args):
    """Reverse along dimensions: a gather with constant descending indices."""
    x = args[0]
    for d in eqn.params["dimensions"]:
        n = cx.spec(x).shape[d]
        idx = cx.b.constant(np.arange(n - 1, -1, -1, dtype=np.int32))
        x = cx.b.op("gather", x, idx, axis=int(d))
    return x


@converter("iota")
def _iota(cx, eqn, args):
    spec = cx.out_spec(eqn)
    if spec.dtype == "i1" or spec.rank == 0:
        cx.unsupported(eqn, f"iota of {spec} cannot be expressed")
    return cx.b.op("iota", spec=spec, iota_dimension=int(eqn.params["dimension"]))


# --------------------------------------------------------------------------
# reductions, scans, contractions

_REDUCE = {k.jax: name for name, k in REDUCE_KINDS.items() if k.jax}  # ir/reduce_kinds.py


def _reduce(kind):
    def convert(cx, eqn, args):
        axes = [int(a) for a in eqn.params["axes"]]
        if not axes:
            return args[0]
        k = kind
        if cx.spec(args[0]).dtype == "i1" and kind in ("max", "min"):  # bool max/min are or/and
            k = "or" if kind == "max" else "and"
        return cx.b.op("reduce", args[0], kind=k, dimensions=sorted(axes))

    return convert


for _name, _kind in _REDUCE.items():
    CONVERTERS[_name] = _reduce(_kind)


def _arg_reduce(opname):
    def convert(cx, eqn, args):
        axes = eqn.params["axes"]
        if len(axes) != 1:
            cx.unsupported(eqn, f"{opname} over {len(axes)} axes")
        x = args[0]
        if cx.spec(x).dtype == "i1":  # False < True, as 0 < 1
            x = cx.b.convert(x, "i8")
        return cx.b.op(opname, x, dimension=int(axes[0]), index_dtype=cx.out_spec(eqn).dtype)

    return convert


CONVERTERS["argmax"] = _arg_reduce("argmax")
CONVERTERS["argmin"] = _arg_reduce("argmin")


def _cumulative(kind):
    def convert(cx, eqn, args):
        return cx.b.op("cumulative", args[0], kind=kind, dimension=int(eqn.params["axis"]),
                       reverse=int(bool(eqn.params.get("reverse", False))))

    return convert


for _kind in SCAN_KINDS:
    CONVERTERS[f"cum{_kind}"] = _cumulative(_kind)


@converter("dot_general")
def _dot_general(cx, eqn, args):
    """Operands are converted to the result dtype (``preferred_element_type``) first."""
    (lc, rc), (lb, rb) = eqn.params["dimension_numbers"]
    dtype = cx.out_spec(eqn).dtype
    x, y = (cx.b.convert(a, dtype) for a in args)
    return cx.b.op("dot_general", x, y, lhs_batching_dimensions=list(lb), rhs_batching_dimensions=list(rb),
                   lhs_contracting_dimensions=list(lc), rhs_contracting_dimensions=list(rc))
