"""Elementwise ``furcate`` ops: unary, binary, compare, select, clamp, convert.

The unary and binary ops are made from the op table (``op_table.py``), one class each.

Operands have equal shapes (and, except where noted, equal dtypes): nothing
broadcasts or promotes implicitly. Shape and dtype rules are in ``shapes.py``.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import StringAttr, TensorType
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import irdl_op_definition, operand_def, prop_def, result_def, traits_def
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

from furcate.ir import op_table, shapes
from furcate.ir.ops_base import FurcateOp, spec_of
from furcate.ir.types import TensorSpec, to_type

# --------------------------------------------------------------------------
# unary


class UnaryOp(FurcateOp):
    """Base of the one-operand elementwise ops; ``DTYPES`` says which dtypes they take."""

    operand = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    DTYPES: ClassVar[str] = "float"  # float | numeric | int_or_bool

    def __init__(self, operand: SSAValue, result_type: Attribute | None = None):
        if result_type is None:
            (spec,) = self.infer([spec_of(operand)], {})
            result_type = to_type(spec)
        super().__init__(operands=[operand], result_types=[result_type])

    def infer(self, specs, attrs):
        return [shapes.unary(self.name, specs, self.DTYPES)]


def class_name(opname: str) -> str:
    """``log1p`` -> ``Log1pOp``, ``round_nearest_even`` -> ``RoundNearestEvenOp``."""
    return "".join(p[:1].upper() + p[1:] for p in opname.split("_")) + "Op"


@irdl_op_definition
class IsFiniteOp(UnaryOp):
    """True where the operand is neither ±inf nor NaN; result is i1."""

    name = "furcate.is_finite"

    def infer(self, specs, attrs):
        return [shapes.is_finite(specs)]


# --------------------------------------------------------------------------
# binary


class BinaryOp(FurcateOp):
    """Base of the two-operand elementwise ops (equal shapes and dtypes)."""

    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())
    DTYPES: ClassVar[str] = "numeric"  # numeric | float | int_or_bool

    def __init__(self, lhs: SSAValue, rhs: SSAValue, result_type: Attribute | None = None):
        if result_type is None:
            (spec,) = self.infer([spec_of(lhs), spec_of(rhs)], {})
            result_type = to_type(spec)
        super().__init__(operands=[lhs, rhs], result_types=[result_type])

    def infer(self, specs, attrs):
        return [shapes.binary(self.name, specs, self.DTYPES)]


def _table_op(entry: op_table.Elementwise) -> type:
    """The op class of an op table entry: a ``UnaryOp`` or ``BinaryOp`` named ``furcate.NAME``."""
    cls = type(
        class_name(entry.name),
        (UnaryOp if entry.arity == 1 else BinaryOp,),
        {"name": f"furcate.{entry.name}", "DTYPES": entry.dtypes, "__annotations__": {"DTYPES": ClassVar[str]},
         "__doc__": entry.doc or f"Elementwise {entry.name}.", "__module__": __name__},
    )
    return irdl_op_definition(cls)


# one class per entry of the op table (``op_table.TABLE``), named like ``ErfOp``,
# ``RoundNearestEvenOp``; ``TABLE_OPS`` in table order
TABLE_OPS: dict[str, type] = {e.name: _table_op(e) for e in op_table.TABLE}
globals().update({cls.__name__: cls for cls in TABLE_OPS.values()})

# --------------------------------------------------------------------------
# compare, select, clamp, convert

COMPARISON_DIRECTIONS = ("EQ", "NE", "LT", "LE", "GT", "GE")


@irdl_op_definition
class CompareOp(FurcateOp):
    """Elementwise comparison; i1 result. Floats compare IEEE (NaN: only NE is true)."""

    name = "furcate.compare"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    comparison_direction = prop_def(StringAttr)
    traits = traits_def(Pure())

    def __init__(self, lhs: SSAValue, rhs: SSAValue, direction: str):
        (spec,) = self.infer([spec_of(lhs), spec_of(rhs)], {"comparison_direction": direction})
        super().__init__(
            operands=[lhs, rhs],
            result_types=[to_type(spec)],
            properties={"comparison_direction": StringAttr(direction)},
        )

    def infer(self, specs, attrs):
        return [shapes.compare(specs, attrs)]


@irdl_op_definition
class SelectOp(FurcateOp):
    """``pred ? on_true : on_false`` elementwise; pred is i1 of the same shape."""

    name = "furcate.select"
    pred = operand_def(TensorType)
    on_true = operand_def(TensorType)
    on_false = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, pred, on_true, on_false):
        (spec,) = self.infer([spec_of(pred), spec_of(on_true), spec_of(on_false)], {})
        super().__init__(operands=[pred, on_true, on_false], result_types=[to_type(spec)])

    def infer(self, specs, attrs):
        return [shapes.select(specs)]


@irdl_op_definition
class ClampOp(FurcateOp):
    """``min(max(operand, min), max)`` elementwise (StableHLO operand order: min, operand, max)."""

    name = "furcate.clamp"
    min = operand_def(TensorType)
    operand = operand_def(TensorType)
    max = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, min, operand, max):
        (spec,) = self.infer([spec_of(min), spec_of(operand), spec_of(max)], {})
        super().__init__(operands=[min, operand, max], result_types=[to_type(spec)])

    def infer(self, specs, attrs):
        return [shapes.clamp(specs)]


@irdl_op_definition
class ConvertOp(FurcateOp):
    """Element type conversion. Float→int truncates toward zero (NaN→0, saturating);
    anything→i1 is ``!= 0``; i1→number is 0/1."""

    name = "furcate.convert"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, operand, dtype: str):
        spec = spec_of(operand)
        super().__init__(operands=[operand], result_types=[to_type(TensorSpec(spec.shape, dtype))])

    def infer(self, specs, attrs):
        return None  # any dtype to any dtype; shape checked below

    def verify_(self) -> None:
        super().verify_()
        if spec_of(self.operand).shape != spec_of(self.result).shape:
            raise VerifyException(f"{self.name}: convert must keep the shape")
