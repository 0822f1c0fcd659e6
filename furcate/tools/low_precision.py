"""f16/bf16 computed in f32: the second legal result of a low-precision program.

DESIGN.md (Numerics): "f16/bf16 are computed in f32 inside a kernel and rounded on
store". A backend that fuses (c, triton) keeps f16/bf16 intermediates in f32, while
numpy and xla round after every op; both are legal. ``f32_intermediates`` rewrites a
program so that every f16/bf16 value is f32 (explicit converts to f16/bf16 still
round), and ``f32_intermediate_reference`` runs it on numpy and rounds the outputs:
``differential.check_against_numpy`` accepts a result close to either.
"""

from __future__ import annotations

import numpy as np

from furcate.dtypes import TensorSpec
from furcate.ir.program import Program

LOW_PRECISION = ("f16", "bf16")
_LOW_NP = tuple(TensorSpec((), t).np_dtype for t in LOW_PRECISION)


def _widen_type(t):
    """``tensor<..xf16>`` / ``tensor<..xbf16>`` as ``tensor<..xf32>``; other types unchanged."""
    from furcate.ir.types import spec_of_type, to_type

    s = spec_of_type(t)
    return to_type(TensorSpec(s.shape, "f32")) if s.dtype in LOW_PRECISION else t


def f32_intermediates(program: Program) -> Program:
    """``program`` with every f16/bf16 value computed in f32: the numerics of a backend that
    keeps f16/bf16 intermediates in f32 inside a kernel (DESIGN.md, Numerics). Arguments,
    results, constants and op results of f16/bf16 become f32; an explicit ``convert`` to
    f16/bf16 still rounds (a convert to the low dtype, then back to f32)."""
    from xdsl.dialects.builtin import ModuleOp
    from xdsl.dialects.func import FuncOp, ReturnOp
    from xdsl.ir import Block, Region

    from furcate.ir import dialect as d
    from furcate.ir.types import spec_of_type

    old = program.func.body.block
    block = Block(arg_types=[_widen_type(a.type) for a in old.args])
    env = dict(zip(old.args, block.args))
    for op in old.ops:
        operands = [env[v] for v in op.operands]
        if isinstance(op, ReturnOp):
            block.add_op(ReturnOp(*operands))
            break
        assert not op.regions, f"f32_intermediates: {op.name} has regions (run it before fusion)"
        low = spec_of_type(op.results[0].type).dtype if op.results else None
        if isinstance(op, d.ConstantOp) and low in LOW_PRECISION:
            new = d.ConstantOp(op.numpy().astype(np.float32))
        elif isinstance(op, d.ConvertOp) and low in LOW_PRECISION:
            rounded = d.ConvertOp(operands[0], low)
            block.add_op(rounded)
            new = d.ConvertOp(rounded.result, "f32")
        else:
            new = type(op).create(operands=operands, result_types=[_widen_type(r.type) for r in op.results],
                                  properties=dict(op.properties), attributes=dict(op.attributes))
        block.add_op(new)
        env.update(zip(op.results, new.results))
    ret = block.last_op
    func = FuncOp("main", ([a.type for a in block.args], [v.type for v in ret.operands]), Region(block))
    constants = {k: (np.asarray(a).astype(np.float32) if np.asarray(a).dtype in _LOW_NP else a)
                 for k, a in program.constants.items()}
    wide = Program(ModuleOp([func]), constants)
    wide.verify()
    return wide


def f32_intermediate_reference(program: Program, inputs) -> list[np.ndarray]:
    """The outputs of ``program`` with f16/bf16 intermediates kept in f32 (numpy backend),
    rounded to the declared output dtypes."""
    from furcate.compiler import compile_program

    wide = f32_intermediates(program)
    args = [np.asarray(a).astype(np.float32) if np.asarray(a).dtype in _LOW_NP else a for a in inputs]
    outs = compile_program(wide, "numpy")(*args)
    return [np.asarray(o).astype(s.np_dtype) for o, s in zip(outs, program.output_specs)]


def uses_low_precision(program: Program) -> bool:
    from furcate.ir.types import spec_of_type

    types = [a.type for a in program.func.body.block.args]
    types += [r.type for op in program.module.walk() for r in op.results]
    return any(spec_of_type(t).dtype in LOW_PRECISION for t in types if hasattr(t, "element_type"))
