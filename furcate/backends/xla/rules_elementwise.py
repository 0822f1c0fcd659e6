"""Lowering rules for furcate's elementwise, constant and layout ops.

Each rule takes the furcate op and its lowered operands and returns the
lowered results. Almost every op is one StableHLO op; the numerics contract
(integer div/rem, float→int convert, NaN-propagating max/min) is what XLA
already does, which ``tests/backends/test_xla_numerics.py`` pins.
"""

from __future__ import annotations

from jax.extend.mlir.dialects import chlo
from jax.extend.mlir.dialects import stablehlo as hlo

from furcate.backends.xla._hlo import compare, dense, rule, scalar, spec_of, tensor_type
from furcate.ir import op_table
from furcate.ir.dialect import spec_of as furcate_spec

_MODULES = {"hlo": hlo, "chlo": chlo}


class Composer:
    """The StableHLO ops an op table entry composes its lowering from (``op_table.py``:
    ``stablehlo`` as a function of ``(L, *operands)``), on values of one type."""

    abs = staticmethod(hlo.abs)
    maximum = staticmethod(hlo.maximum)
    minimum = staticmethod(hlo.minimum)
    add = staticmethod(hlo.add)
    subtract = staticmethod(hlo.subtract)
    multiply = staticmethod(hlo.multiply)
    divide = staticmethod(hlo.divide)
    sqrt = staticmethod(hlo.sqrt)
    select = staticmethod(hlo.select)
    compare = staticmethod(compare)

    @staticmethod
    def constant_like(value, like):
        spec = spec_of(like)
        return hlo.broadcast_in_dim(tensor_type(spec), scalar(value, spec.dtype), [])


def _table_rule(entry):
    how = entry.stablehlo
    if callable(how):
        return lambda op, args: how(Composer, *args)
    module, _, name = how.partition(".")
    fn = getattr(_MODULES[module], name)
    return lambda op, args: fn(*args)


def _result_type(op, i: int = 0):
    return tensor_type(furcate_spec(op.results[i]))


for _entry in op_table.TABLE:
    rule(_entry.name)(_table_rule(_entry))


@rule("is_finite")
def _is_finite(op, args):
    return hlo.is_finite(*args)


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
