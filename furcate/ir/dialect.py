"""The ``furcate`` dialect: value-semantic tensor ops with StableHLO semantics.

Every op takes and returns builtin ``tensor<...>`` values with static shapes.
Ops never broadcast or promote implicitly. Attributes are stored as xDSL
properties and printed in one uniform custom format::

    %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %3 = furcate.reduce %2 {kind = "sum", dimensions = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>

``furcate.constant`` has its own value syntax (see ``constants.py``) so that
±inf, NaN, -0.0 and denormals round-trip bit-exactly.

Result types are computed by the shape functions in ``shapes.py``; the same
functions are the verifiers, so a builder and a verifier never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    ArrayAttr,
    BoolAttr,
    BytesAttr,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Dialect, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    VarOperandDef,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    region_def,
    result_def,
    operand_def,
    var_operand_def,
    var_result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsolatedFromAbove, IsTerminator, Pure, HasParent
from xdsl.utils.exceptions import VerifyException

from furcate.ir import shapes
from furcate.ir.types import TensorSpec, spec_of_type, to_type

# --------------------------------------------------------------------------
# attribute helpers


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def int_attr(value: int) -> IntegerAttr:
    return IntegerAttr(int(value), i64)


def attr_to_py(attr: Attribute):
    """Python value of a property attribute (ints, tuples of ints, str, bool)."""
    if isinstance(attr, DenseArrayBase):
        return tuple(attr.get_values())
    if isinstance(attr, IntegerAttr):
        if isinstance(attr.type, IntegerType) and attr.type.width.data == 1:
            return bool(attr.value.data)
        return int(attr.value.data)
    if isinstance(attr, StringAttr):
        return attr.data
    if isinstance(attr, ArrayAttr):
        return tuple(attr_to_py(a) for a in attr.data)
    return attr


def py_to_attr(value) -> Attribute:
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return BoolAttr.from_bool(value)
    if isinstance(value, int):
        return int_attr(value)
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, (tuple, list)):
        return i64_array(value)
    raise TypeError(f"cannot make an attribute from {value!r}")


def spec_of(value: SSAValue) -> TensorSpec:
    return spec_of_type(value.type)


# --------------------------------------------------------------------------
# base class: uniform custom syntax, verifier through shapes.py


class FurcateOp(IRDLOperation):
    """Base of furcate's ops: ``furcate.NAME %a, %b {props} : (T, T) -> T``."""


    def attrs(self) -> dict:
        """Properties as Python values (tuples of ints, str, int, bool)."""
        return {k: attr_to_py(v) for k, v in self.properties.items()}

    def attr(self, name: str):
        v = self.properties.get(name)
        return None if v is None else attr_to_py(v)

    # -- verification -----------------------------------------------------
    def infer(self, operand_specs: list[TensorSpec], attrs: dict) -> list[TensorSpec]:
        raise NotImplementedError

    def verify_(self) -> None:
        try:
            in_specs = [spec_of(o) for o in self.operands]
            out_specs = [spec_of(r) for r in self.results]
        except ValueError as e:
            raise VerifyException(f"{self.name}: {e}") from None
        try:
            expected = self.infer(in_specs, self.attrs())
        except shapes.ShapeError as e:
            raise VerifyException(f"{self.name}: {e}") from None
        if expected is not None and list(expected) != out_specs:
            raise VerifyException(
                f"{self.name}: result type {', '.join(map(str, out_specs))} does not match "
                f"the inferred {', '.join(map(str, expected))}"
            )

    # -- syntax -----------------------------------------------------------
    def print(self, printer: Printer):
        if self.operands:
            printer.print_string(" ")
            printer.print_list(self.operands, printer.print_operand)
        props = {k: self.properties[k] for k in sorted(self.properties)}
        if props:
            printer.print_string(" ")
            printer.print_attr_dict(props)
        if self.attributes:
            printer.print_string(" attributes ")
            printer.print_attr_dict(self.attributes)
        printer.print_string(" : ")
        printer.print_function_type(
            [o.type for o in self.operands], [r.type for r in self.results]
        )

    @classmethod
    def parse(cls, parser: Parser):
        pos = parser.pos
        args = parser.parse_optional_undelimited_comma_separated_list(
            parser.parse_optional_unresolved_operand, parser.parse_unresolved_operand
        ) or []
        props = parser.parse_optional_attr_dict()
        attributes = {}
        if parser.parse_optional_keyword("attributes"):
            attributes = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ftype = parser.parse_function_type()
        operands = parser.resolve_operands(args, ftype.inputs.data, pos)
        return cls.create(
            operands=operands,
            result_types=list(ftype.outputs.data),
            properties=props,
            attributes=attributes,
        )


# --------------------------------------------------------------------------
# elementwise


class UnaryOp(FurcateOp):
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
        {"name": f"furcate.{opname}", "DTYPES": dtypes, "__annotations__": {"DTYPES": ClassVar[str]}, "__doc__": doc or f"Elementwise {opname}."},
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


class BinaryOp(FurcateOp):
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
        {"name": f"furcate.{opname}", "DTYPES": dtypes, "__annotations__": {"DTYPES": ClassVar[str]}, "__doc__": doc or f"Elementwise {opname}."},
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


# --------------------------------------------------------------------------
# constants


@irdl_op_definition
class ConstantOp(FurcateOp):
    """A tensor constant printed in the IR: ``furcate.constant dense<...> : tensor<...>``.

    The raw little-endian bytes are the value (bit-exact for NaN payloads and
    -0.0); the text syntax is in ``furcate.ir.constants``.
    """

    name = "furcate.constant"
    value = prop_def(BytesAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, array, dtype: str | None = None):
        from furcate.ir.constants import array_to_bytes

        data, spec = array_to_bytes(array, dtype)
        super().__init__(result_types=[to_type(spec)], properties={"value": BytesAttr(data)})

    def infer(self, specs, attrs):
        return None

    def verify_(self) -> None:
        spec = spec_of(self.result)
        want = spec.numel * spec.np_dtype.itemsize
        if len(self.value.data) != want:
            raise VerifyException(
                f"{self.name}: holds {len(self.value.data)} bytes, {spec} needs {want}"
            )

    def numpy(self):
        from furcate.ir.constants import bytes_to_array

        return bytes_to_array(self.value.data, spec_of(self.result))

    def print(self, printer: Printer):
        from furcate.ir.constants import format_dense

        printer.print_string(" " + format_dense(self.numpy()) + " : ")
        printer.print_attribute(self.result.type)

    @classmethod
    def parse(cls, parser: Parser):
        from furcate.ir.constants import parse_dense

        return parse_dense(cls, parser)


@irdl_op_definition
class ConstantRefOp(FurcateOp):
    """A constant held by the program (weights, large tensors), referenced by name:
    its data is never printed into the IR text nor hashed with it."""

    name = "furcate.constant_ref"
    ref = prop_def(StringAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, ref: str, spec: TensorSpec):
        super().__init__(result_types=[to_type(spec)], properties={"ref": StringAttr(ref)})

    def infer(self, specs, attrs):
        return None


@irdl_op_definition
class IotaOp(FurcateOp):
    """``result[i0, ..., in] = i_{iota_dimension}``."""

    name = "furcate.iota"
    iota_dimension = prop_def(IntegerAttr)
    result = result_def(TensorType)
    traits = traits_def(Pure())

    def __init__(self, spec: TensorSpec, iota_dimension: int):
        super().__init__(
            result_types=[to_type(spec)], properties={"iota_dimension": int_attr(iota_dimension)}
        )

    def infer(self, specs, attrs):
        return None

    def verify_(self) -> None:
        spec = spec_of(self.result)
        d = self.attr("iota_dimension")
        if not 0 <= d < max(spec.rank, 1) or spec.rank == 0:
            raise VerifyException(f"{self.name}: iota_dimension {d} out of range for {spec}")
        if spec.dtype == "i1":
            raise VerifyException(f"{self.name}: iota of i1 is not allowed")


# --------------------------------------------------------------------------
# generic ops with properties: one class per op, shapes in shapes.py


class PropOp(FurcateOp):
    """An op built from operands and Python-valued properties; result inferred."""

    def __init__(self, operands: Sequence[SSAValue], result_types=None, **props):
        props = {k: v for k, v in props.items() if v is not None}
        if result_types is None:
            result_types = [to_type(s) for s in self.infer([spec_of(o) for o in operands], props)]
        defs = self.get_irdl_definition().operands
        variadic = len(defs) == 1 and isinstance(defs[0][1], VarOperandDef)
        super().__init__(
            operands=[list(operands)] if variadic else list(operands),
            result_types=list(result_types),
            properties={k: py_to_attr(v) for k, v in props.items()},
        )

    def infer(self, specs, attrs):
        return shapes.INFER[self.name](specs, attrs)


def _reshape_like(cls):
    return cls


@irdl_op_definition
class BroadcastInDimOp(PropOp):
    """StableHLO broadcast_in_dim: operand dim i maps to result dim broadcast_dimensions[i];
    operand dims are 1 or equal to the result dim. The result shape is a property."""

    name = "furcate.broadcast_in_dim"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    broadcast_dimensions = prop_def(DenseArrayBase)
    shape = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ReshapeOp(PropOp):
    """Row-major reshape to ``shape``; same element count."""

    name = "furcate.reshape"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    shape = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class TransposeOp(PropOp):
    """``result.shape[i] = operand.shape[permutation[i]]``."""

    name = "furcate.transpose"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    permutation = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class SliceOp(PropOp):
    """Static strided slice ``operand[start:limit:stride]`` per dimension (strides > 0)."""

    name = "furcate.slice"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    start_indices = prop_def(DenseArrayBase)
    limit_indices = prop_def(DenseArrayBase)
    strides = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ConcatenateOp(PropOp):
    """Concatenation of one or more tensors along ``dimension``."""

    name = "furcate.concatenate"
    inputs = var_operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class PadOp(PropOp):
    """StableHLO pad: low/high edge padding (may be negative) and interior padding;
    ``padding_value`` is a rank-0 tensor of the operand's dtype."""

    name = "furcate.pad"
    operand = operand_def(TensorType)
    padding_value = operand_def(TensorType)
    result = result_def(TensorType)
    edge_padding_low = prop_def(DenseArrayBase)
    edge_padding_high = prop_def(DenseArrayBase)
    interior_padding = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


REDUCE_KINDS = ("sum", "max", "min", "prod", "and", "or")


@irdl_op_definition
class ReduceOp(PropOp):
    """Reduce over ``dimensions`` (removed from the shape) with ``kind``:
    sum | max | min | prod (numeric) or and | or (i1 / integers). max/min propagate NaN;
    f16/bf16 sums accumulate in f32."""

    name = "furcate.reduce"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    dimensions = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class ArgmaxOp(PropOp):
    """Index of the first maximum along ``dimension`` (removed); NaN counts as the maximum.
    The result dtype (i32 or i64) is the property ``index_dtype``."""

    name = "furcate.argmax"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    index_dtype = prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ArgminOp(PropOp):
    """Index of the first minimum along ``dimension`` (removed); NaN counts as the minimum."""

    name = "furcate.argmin"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    dimension = prop_def(IntegerAttr)
    index_dtype = prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class DotGeneralOp(PropOp):
    """StableHLO dot_general. Result dims: batch dims, lhs free dims, rhs free dims.
    Operands and result share one dtype; accumulation is f32 for f16/bf16, f64 for f64.
    ``precision`` is "highest" (IEEE f32) unless the user allowed "tf32"."""

    name = "furcate.dot_general"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    lhs_batching_dimensions = prop_def(DenseArrayBase)
    rhs_batching_dimensions = prop_def(DenseArrayBase)
    lhs_contracting_dimensions = prop_def(DenseArrayBase)
    rhs_contracting_dimensions = prop_def(DenseArrayBase)
    precision = opt_prop_def(StringAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class GatherOp(PropOp):
    """index_select / embedding lookup: ``result = operand.shape[:axis] + indices.shape +
    operand.shape[axis+1:]``, ``result[..., i..., ...] = operand[..., indices[i...], ...]``.
    Out-of-range indices are clamped into range (StableHLO gather semantics)."""

    name = "furcate.gather"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class GatherAlongOp(PropOp):
    """torch.gather / take_along_axis: indices have the operand's rank; result has the
    indices' shape; ``result[p] = operand[p with p[axis] := indices[p]]`` (clamped)."""

    name = "furcate.gather_along"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ScatterAddOp(PropOp):
    """Adjoint of gather (index_add / embedding backward): ``result = operand`` then
    ``result[..., indices[i...], ...] += updates[..., i..., ...]``; out-of-range updates
    are dropped. updates.shape = operand.shape[:axis] + indices.shape + operand.shape[axis+1:]."""

    name = "furcate.scatter_add"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ScatterAddAlongOp(PropOp):
    """Adjoint of gather_along (torch.scatter_add): indices and updates share a shape of
    the operand's rank; ``result[p with p[axis] := indices[p]] += updates[p]``."""

    name = "furcate.scatter_add_along"
    operand = operand_def(TensorType)
    indices = operand_def(TensorType)
    updates = operand_def(TensorType)
    result = result_def(TensorType)
    axis = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ConvolutionOp(PropOp):
    """N-d convolution, layouts NC[spatial] x OI[spatial] -> NC[spatial] (NCHW/OIHW in 2-D).
    ``padding`` is (low, high) per spatial dim, flattened; ``lhs_dilation`` > 1 gives a
    transposed convolution; ``feature_group_count`` groups input channels."""

    name = "furcate.convolution"
    lhs = operand_def(TensorType)
    rhs = operand_def(TensorType)
    result = result_def(TensorType)
    window_strides = prop_def(DenseArrayBase)
    padding = prop_def(DenseArrayBase)
    lhs_dilation = prop_def(DenseArrayBase)
    rhs_dilation = prop_def(DenseArrayBase)
    feature_group_count = prop_def(IntegerAttr)
    traits = traits_def(Pure())


@irdl_op_definition
class ReduceWindowOp(PropOp):
    """Pooling: reduce ``kind`` (sum | max | min) over windows of ``window_dimensions`` moved
    by ``window_strides``, with (low, high) ``padding`` per dim (flattened) filled with the
    kind's identity (0, -inf, +inf) and ``window_dilations``."""

    name = "furcate.reduce_window"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    window_dimensions = prop_def(DenseArrayBase)
    window_strides = prop_def(DenseArrayBase)
    padding = prop_def(DenseArrayBase)
    window_dilations = prop_def(DenseArrayBase)
    traits = traits_def(Pure())


@irdl_op_definition
class CumulativeOp(PropOp):
    """Inclusive scan (``kind`` sum | prod | max | min) along ``dimension``; ``reverse``
    scans from the end. max/min propagate NaN."""

    name = "furcate.cumulative"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    kind = prop_def(StringAttr)
    dimension = prop_def(IntegerAttr)
    reverse = prop_def(IntegerAttr)
    traits = traits_def(Pure())


# --------------------------------------------------------------------------
# structure: fusion regions and transfers


@irdl_op_definition
class YieldOp(FurcateOp):
    """Terminator of a ``furcate.fusion`` region: the values it produces."""

    name = "furcate.yield"
    values = var_operand_def(TensorType)
    traits = traits_def(IsTerminator(), Pure())

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])

    def infer(self, specs, attrs):
        return []


@irdl_op_definition
class FusionOp(IRDLOperation):
    """A group of ops that becomes one kernel. The region is isolated from above: its block
    arguments are the operands. ``kind`` (pointwise, reduction, gemm, ...) and ``device``
    are properties; ``device`` is always explicit."""

    name = "furcate.fusion"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    kind = prop_def(StringAttr)
    device = prop_def(StringAttr)
    traits = traits_def(IsolatedFromAbove())

    def __init__(self, inputs, result_types, body: Region, kind: str, device: str):
        super().__init__(
            operands=[list(inputs)],
            result_types=[list(result_types)],
            regions=[body],
            properties={"kind": StringAttr(kind), "device": StringAttr(device)},
        )

    def verify_(self) -> None:
        block = self.body.block
        if [a.type for a in block.args] != [o.type for o in self.inputs]:
            raise VerifyException(f"{self.name}: block arguments must match the operand types")
        term = block.last_op
        if not isinstance(term, YieldOp):
            raise VerifyException(f"{self.name}: region must end in furcate.yield")
        if [v.type for v in term.values] != [r.type for r in self.outputs]:
            raise VerifyException(f"{self.name}: yielded types must match the result types")


@irdl_op_definition
class TransferOp(PropOp):
    """Moves a tensor from device ``src`` to device ``dst``."""

    name = "furcate.transfer"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    src = prop_def(StringAttr)
    dst = prop_def(StringAttr)
    traits = traits_def(Pure())


ALL_OPS = [
    NegOp, AbsOp, ExpOp, Expm1Op, LogOp, Log1pOp, TanhOp, SqrtOp, RsqrtOp, LogisticOp, ErfOp,
    SinOp, CosOp, FloorOp, CeilOp, RoundNearestEvenOp, RoundNearestAfzOp, SignOp, NotOp,
    IsFiniteOp,
    AddOp, SubOp, MulOp, DivOp, RemOp, PowOp, MaxOp, MinOp, AndOp, OrOp, XorOp, Atan2Op,
    CompareOp, SelectOp, ClampOp, ConvertOp, ConstantOp, ConstantRefOp, IotaOp,
    BroadcastInDimOp, ReshapeOp, TransposeOp, SliceOp, ConcatenateOp, PadOp,
    ReduceOp, ArgmaxOp, ArgminOp, DotGeneralOp, GatherOp, GatherAlongOp, ScatterAddOp,
    ScatterAddAlongOp, ConvolutionOp, ReduceWindowOp, CumulativeOp,
    YieldOp, FusionOp, TransferOp,
]

UNARY_OPS = [op for op in ALL_OPS if isinstance(op, type) and issubclass(op, UnaryOp)]
BINARY_OPS = [op for op in ALL_OPS if isinstance(op, type) and issubclass(op, BinaryOp)]
ELEMENTWISE_OPS = UNARY_OPS + BINARY_OPS + [CompareOp, SelectOp, ClampOp, ConvertOp]

Furcate = Dialect("furcate", ALL_OPS, [])
