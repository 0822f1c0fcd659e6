"""Lowering rules for furcate's elementwise, constant and layout ops.

Each rule takes the furcate op and its lowered operands and returns the
lowered results. Almost every op is one StableHLO op; the numerics contract
(integer div/rem, float→int convert, NaN-propagating max/min) is what XLA
already does, which ``tests/backends/test_xla_numerics.py`` pins.
"""

from __future__ import annotations

from jax.extend.mlir.dialects import chlo
from jax.extend.mlir.dialects import stablehlo as hlo

from furcate.backends.xla._hlo import compare, dense, rule, tensor_type
from furcate.ir.dialect import spec_of as furcate_spec

_UNARY = {
    "neg": hlo.negate,
    "abs": hlo.abs,
    "exp": hlo.exponential,
    "expm1": hlo.exponential_minus_one,
    "log": hlo.log,
    "log1p": hlo.log_plus_one,
    "tanh": hlo.tanh,
    "sqrt": hlo.sqrt,
    "rsqrt": hlo.rsqrt,
    "logistic": hlo.logistic,
    "erf": chlo.erf,
    "sin": hlo.sine,
    "cos": hlo.cosine,
    "floor": hlo.floor,
    "ceil": hlo.ceil,
    "round_nearest_even": hlo.round_nearest_even,
    "round_nearest_afz": hlo.round_nearest_afz,
    "sign": hlo.sign,
    "not": hlo.not_,
    "is_finite": hlo.is_finite,
}

_BINARY = {
    "add": hlo.add,
    "sub": hlo.subtract,
    "mul": hlo.multiply,
    # XLA's integer div/rem already follow furcate's contract (trunc; x/0 = -1,
    # INT_MIN/-1 = INT_MIN, x%0 = x, INT_MIN%-1 = 0)
    "div": hlo.divide,
    "rem": hlo.remainder,
    "pow": hlo.power,
    "max": hlo.maximum,
    "min": hlo.minimum,
    "and": hlo.and_,
    "or": hlo.or_,
    "xor": hlo.xor,
    "atan2": hlo.atan2,
}


def _result_type(op, i: int = 0):
    return tensor_type(furcate_spec(op.results[i]))


def _direct(fn):
    """A rule that is one StableHLO op on the same operands."""
    return lambda op, args: fn(*args)


for _name, _fn in {**_UNARY, **_BINARY}.items():
    rule(_name)(_direct(_fn))


@rule("compare")
def _compare(op, args):
    return compare(args[0], args[1], op.attr("comparison_direction"))


@rule("select")
def _select(op, args):
    return hlo.select(*args)


@rule("clamp")
def _clamp(op, args):
    return hlo.clamp(*args)


@rule("convert")
def _convert(op, args):
    # XLA's float→int convert truncates, maps NaN to 0 and saturates; →i1 is != 0
    return hlo.convert(_result_type(op), args[0])


@rule("constant")
def _constant(op, args):
    spec = furcate_spec(op.result)
    return dense(op.numpy(), spec.dtype)


@rule("iota")
def _iota(op, args):
    return hlo.iota(_result_type(op), op.attr("iota_dimension"))


@rule("broadcast_in_dim")
def _broadcast_in_dim(op, args):
    return hlo.broadcast_in_dim(_result_type(op), args[0], list(op.attr("broadcast_dimensions")))


@rule("reshape")
def _reshape(op, args):
    return hlo.reshape(_result_type(op), args[0])


@rule("transpose")
def _transpose(op, args):
    return hlo.transpose(args[0], list(op.attr("permutation")))


@rule("slice")
def _slice(op, args):
    return hlo.slice(
        args[0], list(op.attr("start_indices")), list(op.attr("limit_indices")), list(op.attr("strides"))
    )


@rule("concatenate")
def _concatenate(op, args):
    return hlo.concatenate(list(args), op.attr("dimension"))


@rule("pad")
def _pad(op, args):
    return hlo.pad(
        args[0],
        args[1],
        list(op.attr("edge_padding_low")),
        list(op.attr("edge_padding_high")),
        list(op.attr("interior_padding")),
    )


@rule("transfer")
def _transfer(op, args):
    return args[0]
