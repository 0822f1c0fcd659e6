"""Elementwise ``furcate`` ops: unary, binary, compare, select, clamp, convert.

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

from furcate.ir import shapes
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


def _unary(opname: str, dtypes: str = "float", doc: str = ""):
    cls = type(
        opname.title().replace("_", "") + "Op",
        (UnaryOp,),
        {"name": f"furcate.{opname}", "DTYPES": dtypes, "__annotations__": {"DTYPES": ClassVar[str]},
         "__doc__": doc or f"Elementwise {opname}.", "__module__": __name__},
    )
    return irdl_op_definition(cls)


NegOp = _unary("neg", "numeric")
AbsOp = _unary("abs", "numeric")
ExpOp = _unary("exp")
Expm1Op = _unary("expm1")
LogOp = _unary("log")
Log1pOp = _unary("log1p")
TanhOp = _unary("tanh")
SqrtOp = _unary("sqrt")
RsqrtOp = _unary("rsqrt")
LogisticOp = _unary("logistic", doc="1 / (1 + exp(-x)).")
ErfOp = _unary("erf")
SinOp = _unary("sin")
CosOp = _unary("cos")
FloorOp = _unary("floor")
CeilOp = _unary("ceil")
RoundNearestEvenOp = _unary("round_nearest_even", doc="Round half to even (torch.round).")
RoundNearestAfzOp = _unary("round_nearest_afz", doc="Round half away from zero (C round()).")
SignOp = _unary("sign", "numeric", doc="-1, 0 or 1 (NaN for NaN, sign kept for -0.0).")
NotOp = _unary("not", "int_or_bool", doc="Logical not on i1, bitwise not on integers.")


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


def _binary(opname: str, dtypes: str = "numeric", doc: str = ""):
    cls = type(
        opname.title().replace("_", "") + "Op",
        (BinaryOp,),
        {"name": f"furcate.{opname}", "DTYPES": dtypes, "__annotations__": {"DTYPES": ClassVar[str]},
         "__doc__": doc or f"Elementwise {opname}.", "__module__": __name__},
    )
    return irdl_op_definition(cls)


AddOp = _binary("add")
SubOp = _binary("sub")
MulOp = _binary("mul")
DivOp = _binary(
    "div", doc="Division; integers truncate toward zero, x/0 = -1, INT_MIN/-1 = INT_MIN (XLA's rules)."
)
RemOp = _binary(
    "rem", doc="Remainder with the sign of the dividend (C fmod / truncated); x%0 = x, INT_MIN%-1 = 0."
)
PowOp = _binary("pow")
MaxOp = _binary("max", doc="Maximum; NaN propagates.")
MinOp = _binary("min", doc="Minimum; NaN propagates.")
AndOp = _binary("and", "int_or_bool")
OrOp = _binary("or", "int_or_bool")
XorOp = _binary("xor", "int_or_bool")
Atan2Op = _binary("atan2", "float")

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
