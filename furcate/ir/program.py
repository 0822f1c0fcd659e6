"""A furcate program: an xDSL module with one ``func.func @main`` plus the
constants it references by name (weights are data, never IR text)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import Builtin, ModuleOp
from xdsl.dialects.func import Func, FuncOp, ReturnOp
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import ParseError, VerifyException

from furcate.ir.dialect import ConstantRefOp, Furcate
from furcate.ir.types import TensorSpec, spec_of_type


class IRError(ValueError):
    """Malformed IR: a parse error (with line and column) or a verifier failure (with the op)."""


def make_context() -> Context:
    ctx = Context()
    ctx.load_dialect(Builtin)
    ctx.load_dialect(Func)
    ctx.load_dialect(Furcate)
    return ctx


@dataclass
class Program:
    module: ModuleOp
    constants: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def func(self) -> FuncOp:
        """The entry function: the only ``func.func``, or ``@main`` among several (the
        parts ``split`` cuts out are functions that ``@main`` calls)."""
        funcs = [op for op in self.module.ops if isinstance(op, FuncOp)]
        if len(funcs) == 1:
            return funcs[0]
        mains = [f for f in funcs if f.sym_name.data == "main"]
        if len(mains) != 1:
            raise IRError(f"a furcate program has one func.func, or one named @main among several; found "
                          f"{len(funcs)}{' (no @main)' if funcs else ''}")
        return mains[0]

    @property
    def input_specs(self) -> list[TensorSpec]:
        return [spec_of_type(t) for t in self.func.function_type.inputs.data]

    @property
    def output_specs(self) -> list[TensorSpec]:
        return [spec_of_type(t) for t in self.func.function_type.outputs.data]

    def verify(self) -> None:
        try:
            self.module.verify()
        except VerifyException as e:
            raise IRError(str(e)) from None
        ret = self.func.body.block.last_op
        if not isinstance(ret, ReturnOp):
            raise IRError("func.func @main must end in func.return")
        for op in self.module.walk():
            if isinstance(op, ConstantRefOp):
                ref = op.ref.data
                if ref not in self.constants:
                    raise IRError(f"furcate.constant_ref refers to unknown constant {ref!r}")
                spec = spec_of_type(op.result.type)
                arr = self.constants[ref]
                got = TensorSpec(arr.shape, _dtype_of(arr))
                if got != spec:
                    raise IRError(f"constant {ref!r} holds {got} but furcate.constant_ref declares {spec}")

    def text(self) -> str:
        return print_ir(self.module)

    def clone(self) -> "Program":
        return Program(self.module.clone(), dict(self.constants))

    def __str__(self) -> str:
        return self.text()


def _dtype_of(arr: np.ndarray) -> str:
    from furcate.ir.types import from_numpy_dtype

    return from_numpy_dtype(arr.dtype)


def print_ir(op) -> str:
    import io

    out = io.StringIO()
    Printer(stream=out).print_op(op)
    return out.getvalue() + "\n"


class _DominanceParser(Parser):
    """xDSL's parser, without forward references: furcate programs have no graph regions and
    no block successors, so a value used before its definition (or never defined) is an
    error at the use's FILE:LINE:COL, not a placeholder that fails later."""

    def resolve_operand(self, operand, type):
        name = operand.operand_name
        if self.ssa_values.get(name) is None:
            self.forward_uses.setdefault(name, operand.span)
        return super().resolve_operand(operand, type)

    def parse_module(self, *args, **kwargs):
        self.forward_uses = {}
        module = super().parse_module(*args, **kwargs)  # a value never defined fails here
        for name, span in self.forward_uses.items():  # defined, but below a use
            self.raise_error(f"value %{name} is used before it is defined "
                             "(every operand must be defined above its use)", span)
        return module


def parse_ir(text: str, name: str = "<input>") -> ModuleOp:
    """Parse IR text; errors become ``IRError`` with the line, column and message."""
    try:
        module = _DominanceParser(make_context(), text, name).parse_module()
    except ParseError as e:
        raise IRError(str(e).strip()) from None
    return module


def parse_program(text: str, constants: dict[str, np.ndarray] | None = None, name: str = "<input>") -> Program:
    prog = Program(parse_ir(text, name), dict(constants or {}))
    prog.verify()
    return prog
