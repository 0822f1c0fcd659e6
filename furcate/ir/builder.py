"""Build furcate programs from Python: what frontends and tests use.

    b = GraphBuilder()
    x = b.arg(TensorSpec((4, 8), "f32"))
    y = b.op("tanh", x)
    z = b.op("reduce", y, kind="sum", dimensions=[1])
    prog = b.finish([z])

``op`` takes the op's short name (``"add"``, ``"dot_general"``...) and its
properties as keyword arguments; the result type is inferred by the dialect's
shape rules, so building a malformed op raises at once with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.builder import Builder, InsertPoint
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region, SSAValue
from xdsl.irdl import VarOperandDef
from xdsl.utils.exceptions import VerifyException

from furcate.ir import dialect as d
from furcate.ir.program import Program
from furcate.ir.shapes import ShapeError
from furcate.ir.types import TensorSpec, from_numpy_dtype, spec_of_type, to_type

OPS: dict[str, type] = {op.name.split(".", 1)[1]: op for op in d.ALL_OPS}

# constants with more elements than this are held by the Program, not printed
INLINE_CONSTANT_LIMIT = 16


class BuildError(ValueError):
    """An op could not be built: bad operand types or properties."""


class GraphBuilder:
    def __init__(self, name: str = "main", *, freeze: bool = False):
        self.name = name
        self.freeze = freeze
        self.block = Block()
        self.arg_specs: list[TensorSpec] = []
        self.constants: dict[str, np.ndarray] = {}
        self._builder = Builder(InsertPoint.at_end(self.block))

    # -- values -----------------------------------------------------------
    def arg(self, spec: TensorSpec, name: str | None = None) -> SSAValue:
        a = self.block.insert_arg(to_type(spec), len(self.block.args))
        if name:
            a.name_hint = _sanitize(name)
        self.arg_specs.append(spec)
        return a

    def constant(self, value, dtype: str | None = None, name: str | None = None) -> SSAValue:
        """A constant: small ones are printed inline, large ones are held by the program
        (unless the builder was made with ``freeze=True``)."""
        arr = np.asarray(value)
        if dtype is not None:
            from furcate.ir.types import to_numpy_dtype

            arr = arr.astype(to_numpy_dtype(dtype))
        if arr.size > INLINE_CONSTANT_LIMIT and not self.freeze:
            ref = name or f"c{len(self.constants)}"
            ref = _sanitize(ref)
            while ref in self.constants:
                ref += "_"
            self.constants[ref] = np.ascontiguousarray(arr)
            spec = TensorSpec(arr.shape, from_numpy_dtype(arr.dtype))
            return self._insert(d.ConstantRefOp(ref, spec))
        return self._insert(d.ConstantOp(arr))

    def scalar(self, value, dtype: str) -> SSAValue:
        return self.constant(np.asarray(value), dtype)

    def full(self, value, spec: TensorSpec) -> SSAValue:
        """A tensor filled with one value (a rank-0 constant broadcast)."""
        s = self.scalar(value, spec.dtype)
        if spec.rank == 0:
            return s
        return self.op("broadcast_in_dim", s, broadcast_dimensions=[], shape=list(spec.shape))

    # -- ops --------------------------------------------------------------
    def op(self, opname: str, *operands: SSAValue, **props) -> SSAValue:
        results = self.op_multi(opname, *operands, **props)
        if len(results) != 1:
            raise BuildError(f"{opname} has {len(results)} results; use op_multi")
        return results[0]

    def op_multi(self, opname: str, *operands: SSAValue, **props) -> list[SSAValue]:
        cls = OPS.get(opname)
        if cls is None:
            raise BuildError(f"unknown furcate op {opname!r}")
        if not issubclass(cls, (d.UnaryOp, d.BinaryOp, d.PropOp, *_SPECIAL)):
            raise BuildError(
                f"furcate.{opname} cannot be built with GraphBuilder.op (constants: GraphBuilder.constant)"
            )
        _check_signature(cls, opname, operands, props)
        try:
            if issubclass(cls, (d.UnaryOp, d.BinaryOp)):
                op = cls(*operands)
            elif cls is d.CompareOp:
                op = cls(*operands, props["comparison_direction"])
            elif cls in (d.SelectOp, d.ClampOp):
                op = cls(*operands)
            elif cls is d.ConvertOp:
                op = cls(operands[0], props["dtype"])
            elif cls is d.IotaOp:
                op = cls(props["spec"], props["iota_dimension"])
            else:  # a PropOp
                op = cls(list(operands), **props)
            op.verify()
        except (ShapeError, VerifyException) as e:
            msg = str(e)
            raise BuildError(msg if msg.startswith(f"furcate.{opname}:") else f"furcate.{opname}: {msg}") from None
        except KeyError as e:
            raise BuildError(f"furcate.{opname}: missing property {e}") from None
        except ValueError as e:  # e.g. an unknown dtype name
            raise BuildError(f"furcate.{opname}: {e}") from None
        self._builder.insert(op)
        return list(op.results)

    def convert(self, x: SSAValue, dtype: str) -> SSAValue:
        if spec_of_type(x.type).dtype == dtype:
            return x
        return self.op("convert", x, dtype=dtype)

    def _insert(self, op) -> SSAValue:
        self._builder.insert(op)
        return op.results[0]

    # -- finish -----------------------------------------------------------
    def finish(self, outputs: Sequence[SSAValue]) -> Program:
        self._builder.insert(ReturnOp(*outputs))
        ftype = ([to_type(s) for s in self.arg_specs], [o.type for o in outputs])
        func = FuncOp(self.name, ftype, Region(self.block))
        prog = Program(ModuleOp([func]), self.constants)
        prog.verify()
        return prog


# ops with their own constructor call in GraphBuilder.op_multi
_SPECIAL = (d.CompareOp, d.SelectOp, d.ClampOp, d.ConvertOp, d.IotaOp)
# keyword arguments of GraphBuilder.op that are not properties of the op
_BUILD_ARGS = {d.ConvertOp: {"dtype"}, d.IotaOp: {"spec"}}


def _check_signature(cls, opname: str, operands, props) -> None:
    """Reject a wrong operand count or an unknown property before building."""
    defn = cls.get_irdl_definition()
    names = [n for n, _ in defn.operands]
    variadic = any(isinstance(od, VarOperandDef) for _, od in defn.operands)
    if not variadic and len(operands) != len(names):
        raise BuildError(
            f"furcate.{opname}: expected {len(names)} operand(s) ({', '.join(names)}), got {len(operands)}"
        )
    allowed = set(defn.properties) | _BUILD_ARGS.get(cls, set())
    unknown = sorted(set(props) - allowed)
    if unknown:
        valid = ", ".join(sorted(allowed)) or "none"
        raise BuildError(f"furcate.{opname}: unknown properties {unknown}; valid: {valid}")


def spec(value: SSAValue) -> TensorSpec:
    return spec_of_type(value.type)


def _sanitize(name: str) -> str:
    out = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    if not out or out[0].isdigit():
        out = "v" + out
    return out
