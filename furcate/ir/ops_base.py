"""What every ``furcate`` op shares: attribute helpers, the base classes and their syntax.

``FurcateOp`` prints every op in one uniform custom format::

    %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %3 = furcate.reduce %2 {kind = "sum", dimensions = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>

and verifies it by re-inferring the result types with ``infer`` (the shape
functions of ``shapes.py``). ``PropOp`` is the base of ops built from operands
and Python-valued properties. The ops themselves live in ``ops_elementwise``,
``ops_tensor`` and ``ops_structure``; ``dialect`` gathers them.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import (
    ArrayAttr,
    BoolAttr,
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    StringAttr,
    i64,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation, VarOperandDef
from xdsl.parser import Parser, UnresolvedOperand
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from furcate.ir import shapes
from furcate.ir.types import TensorSpec, spec_of_type, to_type

# --------------------------------------------------------------------------
# attribute helpers


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    """``array<i64: ...>`` of ``values``."""
    return DenseArrayBase.from_list(i64, [int(v) for v in values])


def int_attr(value: int) -> IntegerAttr:
    """An ``i64`` integer attribute."""
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
    """The property attribute of a Python value (the inverse of ``attr_to_py``)."""
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
    """The ``TensorSpec`` of a tensor-typed SSA value."""
    return spec_of_type(value.type)


# --------------------------------------------------------------------------
# syntax helpers shared by the ops' custom formats


def parse_operand_list(parser: Parser) -> list[UnresolvedOperand]:
    """``%a, %b`` (possibly empty), not yet resolved to values."""
    return (
        parser.parse_optional_undelimited_comma_separated_list(
            parser.parse_optional_unresolved_operand, parser.parse_unresolved_operand
        )
        or []
    )


def parse_attributes_clause(parser: Parser) -> dict[str, Attribute]:
    """The optional ``attributes {...}`` clause holding an op's discardable attributes."""
    if parser.parse_optional_keyword("attributes"):
        return parser.parse_optional_attr_dict()
    return {}


def print_attributes_clause(printer: Printer, op: IRDLOperation) -> None:
    """Prints `` attributes {...}`` where ``op`` has discardable attributes."""
    if op.attributes:
        printer.print_string(" attributes ")
        printer.print_attr_dict(op.attributes)


# --------------------------------------------------------------------------
# base class: uniform custom syntax, verifier through shapes.py


class FurcateOp(IRDLOperation):
    """Base of furcate's ops: ``furcate.NAME %a, %b {props} : (T, T) -> T``."""

    def attrs(self) -> dict:
        """Properties as Python values (tuples of ints, str, int, bool)."""
        return {k: attr_to_py(v) for k, v in self.properties.items()}

    def attr(self, name: str):
        """One property as a Python value, None if absent."""
        v = self.properties.get(name)
        return None if v is None else attr_to_py(v)

    # -- verification -----------------------------------------------------
    def infer(self, operand_specs: list[TensorSpec], attrs: dict) -> list[TensorSpec]:
        """Result specs for these operand specs and properties (None: checked elsewhere)."""
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
        print_attributes_clause(printer, self)
        printer.print_string(" : ")
        printer.print_function_type(
            [o.type for o in self.operands], [r.type for r in self.results]
        )

    @classmethod
    def parse(cls, parser: Parser):
        pos = parser.pos
        args = parse_operand_list(parser)
        props = parser.parse_optional_attr_dict()
        attributes = parse_attributes_clause(parser)
        parser.parse_punctuation(":")
        ftype = parser.parse_function_type()
        operands = parser.resolve_operands(args, ftype.inputs.data, pos)
        return cls.create(
            operands=operands,
            result_types=list(ftype.outputs.data),
            properties=props,
            attributes=attributes,
        )


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
