"""From a program's top-level ops to units: kernels (``KUnit``) and NumPy steps (``NUnit``).

The walk every kernel backend (C, Triton) makes over a program: a
``furcate.fusion`` becomes one kernel when the kernel description can express
it and the backend can render it (or one kernel per output shape when its
outputs differ in shape); otherwise its ops are taken one by one. An op with
no kernel rendering becomes a NumPy step, logged under ``fallback`` and
recorded in ``furcate.stats()['backend_fallbacks']`` -- never sent back to
eager. ``reshape`` and ``transfer`` are aliases (no copy); constants are
values held by the Executable, not steps.

A backend subclasses ``Units`` and says how one group of ops becomes a kernel
unit (``kernel_unit``: lower, simplify, render or probe), raising
``NotExpressible`` or one of its ``render_errors`` where it cannot.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Operation, SSAValue

from furcate.backends.kernel.desc import Kernel
from furcate.backends.kernel.lower import NotExpressible, short
from furcate.diagnostics import log, record_backend_fallback
from furcate.ir import dialect as d
from furcate.ir.dialect import spec_of


@dataclass
class KUnit:
    """One kernel and the program values bound to its ``in`` and ``out`` buffers, in order."""

    kernel: Kernel
    inputs: list[SSAValue]
    outputs: list[SSAValue]
    rendered: object = None  # the backend's rendering where it renders per kernel (Triton)


@dataclass
class NUnit:
    """One op run as a NumPy step."""

    op: Operation
    inputs: list[SSAValue]
    outputs: list[SSAValue]


class Units:
    """The units of one program in order, with value aliases and constants.

    ``alias`` maps a value to the value it is (a reshape's result to its operand, a
    fusion's block argument to its operand, a fusion's result to what it yields);
    ``root`` follows it to the value that owns a buffer."""

    target = ""  # the backend's name, in logs and fallback records
    render_errors: tuple[type[Exception], ...] = ()  # what the backend's renderer raises

    def __init__(self, program):
        self.program = program
        self.units: list[KUnit | NUnit] = []
        self.alias: dict[SSAValue, SSAValue] = {}
        self.consts: dict[SSAValue, np.ndarray] = {}
        self.fallbacks: list[str] = []
        self.returned: list[SSAValue] = []
        for op in program.func.body.block.ops:
            if isinstance(op, ReturnOp):
                self.returned = list(op.operands)
            else:
                self.add(op)

    def kernel_unit(self, ops: list[Operation], inputs: list[SSAValue], outer: list[SSAValue],
                    outputs: list[SSAValue]) -> KUnit:
        """The kernel computing ``outputs`` from ``inputs`` by ``ops`` (``outer``: the program
        values bound to ``inputs``); raises ``NotExpressible`` or a render error."""
        raise NotImplementedError(f"{type(self).__name__} does not say how ops become a kernel")

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
            self.add_kernel(op, name)

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
        try:
            self.units += self._kernels(body, inputs, outer, yielded)
            return
        except (NotExpressible, *self.render_errors) as e:
            log("fusion").info("%s: fusion %s split into its ops: %s", self.target, op.kind.data, e)
        for o in body:
            self.add(o)

    def _kernels(self, ops, inputs, outer, outputs) -> list[KUnit]:
        """One kernel, or one per output shape when the outputs' shapes differ."""
        try:
            return [self.kernel_unit(ops, inputs, outer, outputs)]
        except NotExpressible as e:
            if "different shapes" not in str(e):
                raise
        by_shape: dict = {}
        for o in outputs:
            by_shape.setdefault(spec_of(o).shape, []).append(o)
        return [self.kernel_unit(ops, inputs, outer, outs) for outs in by_shape.values()]

    def add_kernel(self, op: Operation, name: str) -> None:
        inputs, outputs = list(op.operands), list(op.results)
        try:
            self.units.append(self.kernel_unit([op], inputs, inputs, outputs))
        except (NotExpressible, *self.render_errors) as e:
            msg = f"{self.target} backend: furcate.{name} runs on numpy ({e})"
            self.fallbacks.append(msg)
            record_backend_fallback(msg)
            log("fallback").info(msg)
            self.units.append(NUnit(op, inputs, outputs))
