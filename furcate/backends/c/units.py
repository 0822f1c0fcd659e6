"""From a program's top-level ops to units: C kernels (``KUnit``) and NumPy steps (``NUnit``).

A ``furcate.fusion`` becomes one kernel when the kernel description can
express it (or one kernel per output shape); otherwise its ops are taken one
by one. An op the C renderer cannot render (convolution, gather, ...) becomes
a NumPy step, recorded in ``furcate.stats()['backend_fallbacks']``. ``reshape`` and
``transfer`` are aliases (no copy); constants are values, not steps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Operation, SSAValue

from furcate.backends.c.blas import find_blas
from furcate.backends.c.render import RenderError, render_kernel
from furcate.backends.kernel.desc import Kernel
from furcate.backends.kernel.lower import NotExpressible, lower_group, short
from furcate.backends.kernel.simplify import merge_vars
from furcate.diagnostics import log, record_backend_fallback
from furcate.ir import dialect as d
from furcate.ir.dialect import spec_of


@dataclass
class KUnit:
    kernel: Kernel
    inputs: list[SSAValue]  # bound to the kernel's "in" buffers, in order
    outputs: list[SSAValue]  # bound to its "out" buffers


@dataclass
class NUnit:
    op: Operation
    inputs: list[SSAValue]
    outputs: list[SSAValue]


class Units:
    """The units of one program, with value aliases and constants."""

    def __init__(self, program):
        self.program = program
        self.units: list[KUnit | NUnit] = []
        self.alias: dict[SSAValue, SSAValue] = {}
        self.consts: dict[SSAValue, np.ndarray] = {}
        self.fallbacks: list[str] = []
        self._n = 0
        block = program.func.body.block
        for op in block.ops:
            if isinstance(op, ReturnOp):
                self.returned = list(op.operands)
            else:
                self.add(op)

    def root(self, v: SSAValue) -> SSAValue:
        while v in self.alias:
            v = self.alias[v]
        return v

    def add(self, op: Operation) -> None:
        name = short(op) if op.name.startswith("furcate.") else op.name
        if isinstance(op, d.ConstantOp):
            self.consts[op.results[0]] = op.numpy()
        elif isinstance(op, d.ConstantRefOp):
            self.consts[op.results[0]] = self.program.constants[op.ref.data]
        elif name in ("reshape", "transfer"):
            self.alias[op.results[0]] = op.operands[0]
        elif isinstance(op, d.FusionOp):
            self.add_fusion(op)
        else:
            self.add_kernel([op], list(op.operands), list(op.results), op, name)

    def add_fusion(self, op: d.FusionOp) -> None:
        block = op.body.block
        body = [o for o in block.ops if not isinstance(o, d.YieldOp)]
        yielded = list(block.last_op.operands)
        refs = [o.results[0] for o in body if isinstance(o, d.ConstantRefOp)]
        for r in refs:
            self.consts[r] = self.program.constants[r.owner.ref.data]
        inputs = list(block.args) + refs
        outer = list(op.operands) + refs
        for a, v in zip(block.args, op.operands):
            self.alias[a] = v
        for r, y in zip(op.results, yielded):
            self.alias[r] = y
        kind = op.kind.data
        try:
            self.units += self._kernels(body, inputs, outer, yielded, kind)
            return
        except (NotExpressible, RenderError) as e:
            log("fusion").info("fusion %s split into its ops: %s", kind, e)
        for o in body:
            self.add(o)

    def _kernels(self, ops, inputs, outer, outputs, kind) -> list[KUnit]:
        try:
            return [self._kunit(ops, inputs, outer, outputs)]
        except NotExpressible as e:
            if "different shapes" not in str(e):
                raise
        by_shape: dict = {}
        for o in outputs:
            by_shape.setdefault(spec_of(o).shape, []).append(o)
        return [self._kunit(ops, inputs, outer, outs) for outs in by_shape.values()]

    def _kunit(self, ops, inputs, outer, outputs) -> KUnit:
        k = lower_group(ops, inputs, outputs, f"k{self._n}", gather=True)
        if k.dot is not None and find_blas() is None:
            raise NotExpressible("no BLAS library for dot_general")
        if k.dot is None:  # a GEMM's epilogue loops over its tiles: keep the result's dims
            k = merge_vars(k)
        render_kernel(k, "probe")  # raises RenderError for what C cannot render
        self._n += 1
        return KUnit(k, list(outer), list(outputs))

    def add_kernel(self, ops, inputs, outputs, op, name) -> None:
        try:
            self.units.append(self._kunit(ops, inputs, inputs, outputs))
        except (NotExpressible, RenderError) as e:
            msg = f"c backend: furcate.{name} runs on numpy ({e})"
            self.fallbacks.append(msg)
            record_backend_fallback(msg)
            log("fallback").info(msg)
            self.units.append(NUnit(op, list(op.operands), list(op.results)))
