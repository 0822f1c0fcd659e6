"""furcate IR → StableHLO, built with the MLIR Python bindings that jaxlib ships.

The module is built inside ``jax.interpreters.mlir.make_ir_context()`` (a
plain ``ir.Context`` lacks the StableHLO and CHLO dialects) and checked by the
real StableHLO verifier. The entry function is ``@main``; its arguments are
the program's inputs followed by one argument per ``furcate.constant_ref``
(weights are passed in, never printed as ``dense<>`` constants). Each
StableHLO op carries the location ``furcate.OP#N`` of the furcate op it came
from, so verifier errors name that op. ``furcate.fusion`` regions are lowered
inline (XLA fuses by itself) and ``furcate.transfer`` is the identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from jax.extend.mlir import ir
from jax.extend.mlir.dialects import func
from xdsl.dialects.func import ReturnOp

from furcate.backends.xla import rules_elementwise, rules_structured  # noqa: F401  (register rules)
from furcate.backends.xla._hlo import RULES, tensor_type
from furcate.errors import CompileError
from furcate.ir.dialect import ConstantRefOp, FusionOp, YieldOp
from furcate.ir.dialect import spec_of as furcate_spec
from furcate.ir.program import Program

TEXT_LIMIT = 4000  # characters of StableHLO text quoted in an error


@dataclass(frozen=True)
class Lowered:
    """A program as StableHLO: the module text and the constants ``@main`` takes after the inputs."""

    text: str
    constant_refs: tuple[str, ...]


def lower_to_stablehlo(program: Program) -> str:
    """The StableHLO text of ``program`` (entry ``@main``; constant_refs are trailing arguments)."""
    return lower_program(program).text


def excerpt(text: str, limit: int = TEXT_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... ({len(text) - limit} more characters)"


def lower_program(program: Program) -> Lowered:
    from jax.interpreters import mlir as jax_mlir

    refs = _constant_refs(program)
    with jax_mlir.make_ir_context(), ir.Location.unknown():
        module = ir.Module.create()
        in_types = [tensor_type(s) for s in program.input_specs]
        in_types += [tensor_type(furcate_spec(op.result)) for op in refs.values()]
        out_types = [tensor_type(s) for s in program.output_specs]
        with ir.InsertionPoint(module.body):
            main = func.FuncOp("main", ir.FunctionType.get(in_types, out_types))
            main.attributes["sym_visibility"] = ir.StringAttr.get("public")
            entry = main.add_entry_block()
        block = program.func.body.block
        n_in = len(block.args)
        env = dict(zip(block.args, entry.arguments[:n_in]))
        ref_values = dict(zip(refs, entry.arguments[n_in:]))
        lowerer = _Lowerer(ref_values)
        with ir.InsertionPoint(entry):
            func.return_(lowerer.block(block, env))
        _verify(module)
        return Lowered(module.operation.get_asm(), tuple(refs))


def _constant_refs(program: Program) -> dict[str, ConstantRefOp]:
    """Each referenced constant once, in order of first use (nested regions included)."""
    refs: dict[str, ConstantRefOp] = {}
    for op in program.module.walk():
        if isinstance(op, ConstantRefOp):
            refs.setdefault(op.ref.data, op)
    return refs


class _Lowerer:
    def __init__(self, ref_values: dict):
        self.ref_values = ref_values
        self.count = 0

    def block(self, block, env: dict) -> list:
        """Lower the ops of an xDSL block; returns the values its terminator yields."""
        for op in block.ops:
            if isinstance(op, (ReturnOp, YieldOp)):
                return [env[v] for v in op.operands]
            if isinstance(op, FusionOp):
                inner = dict(zip(op.body.block.args, (env[v] for v in op.operands)))
                outs = self.block(op.body.block, inner)
            else:
                outs = self.op(op, [env[v] for v in op.operands])
            env.update(zip(op.results, outs))
        raise CompileError("xla: block ends without func.return or furcate.yield")

    def op(self, op, args: list) -> list:
        self.count += 1
        if isinstance(op, ConstantRefOp):
            return [self.ref_values[op.ref.data]]
        short = op.name.split(".", 1)[1] if op.name.startswith("furcate.") else None
        fn = RULES.get(short)
        if fn is None:
            raise CompileError(f"xla: no StableHLO lowering for {op.name} (op #{self.count})")
        try:
            with ir.Location.name(f"{op.name}#{self.count}"):
                out = fn(op, args)
        except CompileError:
            raise
        except Exception as e:  # MLIR builder / type inference errors
            raise CompileError(f"xla: cannot lower {op.name} (op #{self.count}): {e}") from None
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        for res, val in zip(op.results, outs):
            if tensor_type(furcate_spec(res)) != val.type:
                raise CompileError(
                    f"xla: lowering {op.name} (op #{self.count}) produced {val.type}, "
                    f"expected {tensor_type(furcate_spec(res))}"
                )
        return outs


_LOC = re.compile(r'loc\("(furcate\.[a-z_]+#\d+)"\)')


def _verify(module) -> None:
    """Run the StableHLO verifier; errors name the furcate op(s) and quote the module."""
    try:
        module.operation.verify()
    except ir.MLIRError as e:
        diags = "; ".join(f"{d.location}: {d.message}" for d in e.error_diagnostics) or str(e)
        ops = sorted(set(_LOC.findall(diags)))
        where = f" in {', '.join(ops)}" if ops else ""
        text = module.operation.get_asm(assume_verified=True, print_generic_op_form=True)
        raise CompileError(
            f"xla: the StableHLO verifier rejected the module{where}: {diags}\n"
            f"--- StableHLO ---\n{excerpt(text)}"
        ) from None
