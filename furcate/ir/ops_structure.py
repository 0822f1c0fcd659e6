"""Structural ``furcate`` ops: constants, iota, fusion regions and device transfers.

``furcate.constant`` prints its value in its own syntax (``constants.py``) so
that ±inf, NaN, -0.0 and denormals round-trip bit-exactly; a
``furcate.constant_ref`` names a constant the program holds. A
``furcate.fusion`` prints its kind, device and region in a custom form::

    %2, %3 = furcate.fusion "reduction" on "cpu" (%0, %1) : (tensor<4xf32>, tensor<4xf32>) -> (tensor<4xf32>, tensor<f32>) {
    ^bb0(%4: tensor<4xf32>, %5: tensor<4xf32>):
      %6 = furcate.mul %4, %5 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
      %7 = furcate.reduce %6 {dimensions = array<i64: 0>, kind = "sum"} : (tensor<4xf32>) -> tensor<f32>
      furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>
    }
"""

from __future__ import annotations

from xdsl.dialects.builtin import BytesAttr, IntegerAttr, StringAttr, TensorType
from xdsl.ir import Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    operand_def,
    prop_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import IsolatedFromAbove, IsTerminator, Pure, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException

from furcate.ir.ops_base import (
    FurcateOp,
    PropOp,
    int_attr,
    parse_attributes_clause,
    parse_operand_list,
    print_attributes_clause,
    spec_of,
)
from furcate.ir.types import TensorSpec, to_type

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
        want = spec.nbytes
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
# fusion regions and transfers


@irdl_op_definition
class YieldOp(FurcateOp):
    """Terminator of a ``furcate.fusion`` region: the values it produces.
    Syntax: ``furcate.yield %a, %b : T, T`` (just ``furcate.yield`` when it yields nothing)."""

    name = "furcate.yield"
    values = var_operand_def(TensorType)
    traits = traits_def(IsTerminator(), Pure())

    def __init__(self, *values: SSAValue):
        super().__init__(operands=[list(values)])

    def infer(self, specs, attrs):
        return []

    def print(self, printer: Printer):
        if self.values:
            printer.print_string(" ")
            printer.print_list(self.values, printer.print_operand)
        print_attributes_clause(printer, self)
        if self.values:
            printer.print_string(" : ")
            printer.print_list([v.type for v in self.values], printer.print_attribute)

    @classmethod
    def parse(cls, parser: Parser):
        pos = parser.pos
        args = parse_operand_list(parser)
        attributes = parse_attributes_clause(parser)
        types = []
        if args:
            parser.parse_punctuation(":", " after the values of furcate.yield")
            types = parser.parse_comma_separated_list(parser.Delimiter.NONE, parser.parse_type)
        operands = parser.resolve_operands(args, types, pos)
        return cls.create(operands=operands, attributes=attributes)


@irdl_op_definition
class FusionOp(IRDLOperation):
    """A group of ops that becomes one kernel. The region is isolated from above: its block
    arguments are the operands. ``kind`` (pointwise, reduction, gemm, ...) and ``device``
    are properties; ``device`` is always explicit. Its effects are its body's (none: a
    fusion whose results are unused is dead code)."""

    name = "furcate.fusion"
    inputs = var_operand_def(TensorType)
    outputs = var_result_def(TensorType)
    body = region_def("single_block")
    kind = prop_def(StringAttr)
    device = prop_def(StringAttr)
    traits = traits_def(IsolatedFromAbove(), RecursiveMemoryEffect())  # as pure as its body: dead ones are removed

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

    # ``furcate.fusion "KIND" on "DEVICE" (%a, %b) [attributes {...}] : (T, T) -> T { ^bb0(...): ... }``
    def print(self, printer: Printer):
        printer.print_string(" ")
        printer.print_string_literal(self.kind.data)
        printer.print_string(" on ")
        printer.print_string_literal(self.device.data)
        printer.print_string(" (")
        printer.print_list(self.inputs, printer.print_operand)
        printer.print_string(")")
        print_attributes_clause(printer, self)
        printer.print_string(" : ")
        printer.print_function_type([o.type for o in self.inputs], [r.type for r in self.outputs])
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=True)

    @classmethod
    def parse(cls, parser: Parser):
        kind = parser.parse_str_literal(" (the fusion kind)")
        parser.parse_keyword("on", " after the fusion kind")
        device = parser.parse_str_literal(" (the fusion device)")
        pos = parser.pos
        args = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, parser.parse_unresolved_operand, " (the fusion operands)"
        )
        attributes = parse_attributes_clause(parser)
        parser.parse_punctuation(":")
        ftype = parser.parse_function_type()
        operands = parser.resolve_operands(args, ftype.inputs.data, pos)
        body = parser.parse_region()
        return cls.create(
            operands=operands,
            result_types=list(ftype.outputs.data),
            regions=[body],
            properties={"kind": StringAttr(kind), "device": StringAttr(device)},
            attributes=attributes,
        )


@irdl_op_definition
class TransferOp(PropOp):
    """Moves a tensor from device ``src`` to device ``dst``."""

    name = "furcate.transfer"
    operand = operand_def(TensorType)
    result = result_def(TensorType)
    src = prop_def(StringAttr)
    dst = prop_def(StringAttr)
    traits = traits_def(Pure())
