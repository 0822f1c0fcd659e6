"""From a program to Triton kernels, NumPy fallback steps and the ``Executable``.

Each top-level ``furcate.fusion`` becomes one kernel when the kernel
description can express it and the Triton renderer can render it (one kernel
per output shape if the outputs differ); otherwise its ops are taken one by
one. An op with no Triton rendering (gather, scatter, convolution, pow, ...)
runs as a NumPy step — logged under ``fallback`` and listed in
``furcate.stats()['backend_fallbacks']``, never sent back to eager. ``reshape`` and
``transfer`` are aliases; constants are values held by the Executable.

Every value of a Triton executable is a torch tensor on the kernels' device
(``runtime.device()``: CUDA on a GPU, the CPU in the interpreter): intermediates
never leave it between Triton steps. A NumPy step sees NumPy views of its inputs
(downloads on a GPU) and its results are wrapped back. ``TritonExecutable``
takes torch tensors on that device as they are (and returns torch tensors), or
NumPy arrays (wrapped on entry, returned as NumPy arrays).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Operation, SSAValue

from furcate.backends.kernel.desc import Kernel
from furcate.backends.kernel.lower import NotExpressible, lower_group, short
from furcate.backends.kernel.simplify import merge_vars
from furcate.backends.triton import runtime
from furcate.backends.triton.codegen import Rendered, check_dtypes, module_source, render_pointwise, render_reduction
from furcate.backends.triton.exprs import TritonRenderError
from furcate.backends.triton.gemm import render_gemm
from furcate.backends.triton.launch import reduction_looped
from furcate.diagnostics import log, record_backend_fallback
from furcate.ir import dialect as d
from furcate.ir.dialect import spec_of
from furcate.runtime.executable import Executable, Step

TARGET = "triton"


def render_kernel(k: Kernel, name: str, *, interpret: bool, tf32: bool = False,
                  looped: bool | None = None) -> tuple[Kernel, Rendered]:
    """The (simplified) kernel and its rendering; ``looped`` forces a reduction form."""
    check_dtypes(k)
    if k.kind == "gemm":
        return k, render_gemm(k, name, tf32, interpret)
    k = merge_vars(k)
    if k.kind == "pointwise":
        return k, render_pointwise(k, name)
    red = 1
    for e in k.reduce:
        red *= e
    if looped is None:
        looped = reduction_looped(red, interpret)
    return k, render_reduction(k, name, looped)


def lower_and_render(ops, inputs, outputs, name: str, interpret: bool) -> tuple[Kernel, Rendered]:
    k = lower_group(ops, inputs, outputs, name)
    tf32 = any(short(o) == "dot_general" and o.attrs().get("precision") == "tf32" for o in ops)
    return render_kernel(k, f"fc_{name}", interpret=interpret, tf32=tf32)


@dataclass
class KUnit:
    kernel: Kernel
    rendered: Rendered
    inputs: list[SSAValue]
    outputs: list[SSAValue]


@dataclass
class NUnit:
    op: Operation
    inputs: list[SSAValue]
    outputs: list[SSAValue]


class Units:
    """The units of one program in order, with value aliases and constants."""

    def __init__(self, program, interpret: bool, prefix: str):
        self.program = program
        self.interpret = interpret
        self.prefix = prefix
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

    def _kunit(self, ops, inputs, outer, outputs) -> KUnit:
        k, r = lower_and_render(ops, inputs, outputs, f"{self.prefix}{len(self.units)}", self.interpret)
        return KUnit(k, r, list(outer), list(outputs))

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
            try:
                self.units.append(self._kunit(body, inputs, outer, yielded))
            except NotExpressible as e:
                if "different shapes" not in str(e):
                    raise
                by_shape: dict = {}
                for o in yielded:
                    by_shape.setdefault(spec_of(o).shape, []).append(o)
                new = [self._kunit(body, inputs, outer, outs) for outs in by_shape.values()]
                self.units += new
            return
        except (NotExpressible, TritonRenderError) as e:
            log("fusion").info("triton: fusion %s split into its ops: %s", op.kind.data, e)
        for o in body:
            self.add(o)

    def add_kernel(self, ops, inputs, outputs, op, name) -> None:
        try:
            self.units.append(self._kunit(ops, inputs, inputs, outputs))
        except (NotExpressible, TritonRenderError) as e:
            msg = f"triton backend: furcate.{name} runs on numpy ({e})"
            self.fallbacks.append(msg)
            record_backend_fallback(msg)
            log("fallback").info(msg)
            self.units.append(NUnit(op, list(op.operands), list(op.results)))


class TritonExecutable(Executable):
    """An ``Executable`` whose steps run on torch tensors on ``torch_device``.

    Called with torch tensors (on that device) it returns torch tensors; called with
    NumPy arrays (furcate.jit, the CLI) it wraps them (``runtime.as_tensor``: views in
    the interpreter, one upload each on a GPU) and returns NumPy arrays."""

    def run_unchecked(self, args) -> list:
        outs = super().run_unchecked([runtime.as_tensor(a) for a in args])
        if args and all(runtime.is_tensor(a) for a in args):
            return outs
        return [runtime.to_numpy(t) for t in outs]


def numpy_step(kernel):
    """A NumPy kernel as a step on tensors: NumPy views of the inputs in, tensors of the results out."""
    def run(*tensors):
        return [runtime.as_tensor(r) for r in kernel(*[runtime.to_numpy(t) for t in tensors])]
    return run


class _Builder:
    """Turns units into steps over slots."""

    def __init__(self, program, units: Units):
        self.u = units
        self.block = program.func.body.block
        self.slot: dict = {a: i for i, a in enumerate(self.block.args)}
        self.n_slots = len(self.block.args)
        self.steps: list[Step] = []
        self.constants: dict[int, object] = {}
        self.device = runtime.device()
        for v, arr in units.consts.items():  # constants (weights): on the device once, at build time
            self.slot[v] = self.new()
            self.constants[self.slot[v]] = runtime.as_tensor(arr)

    def new(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def slot_of(self, v) -> int:
        """The slot holding ``v`` (a reshape view step is added for an alias of another shape)."""
        if v in self.slot:
            return self.slot[v]
        src = self.u.alias[v]
        s = self.slot_of(src)
        if spec_of(src).shape == spec_of(v).shape:
            self.slot[v] = s
            return s
        shape = spec_of(v).shape
        out = self.new()
        self.steps.append(Step(lambda a, shape=shape: [a.reshape(shape)], [s], [out], name="view",
                               device=self.device, target=TARGET))
        self.slot[v] = out
        return out


def build_executable(program, name: str) -> tuple[Executable, Units]:
    from furcate.backends.numpy import make_kernel

    dev = runtime.device()
    units = Units(program, dev != "cuda", f"{name}_k".replace(".", "_"))
    b = _Builder(program, units)
    root = units.root
    for u in units.units:
        if isinstance(u, NUnit):
            ins = [b.slot_of(v) for v in u.inputs]
            outs = [b.new() for _ in u.outputs]
            for v, s in zip(u.outputs, outs):
                b.slot[v] = s
            b.steps.append(Step(numpy_step(make_kernel(u.op, program.constants)), ins, outs, name=u.op.name,
                                target="numpy"))
            continue
        src = module_source([u.rendered.source])
        call = runtime.Launcher(u.rendered, src, u.kernel.buffers, u.kernel.const_data)
        call.module_source = src
        ins = [b.slot_of(root(v)) for v in u.inputs]
        outs = [b.new() for _ in u.outputs]
        for v, s in zip(u.outputs, outs):
            b.slot[root(v)] = s
        b.steps.append(Step(call, ins, outs, name=f"triton[{u.rendered.kind}]:{u.rendered.name}",
                            device=dev, target=TARGET))
    n_in = len(b.block.args)
    out_slots: list[int] = []
    for v in units.returned:
        s = b.slot_of(v)
        if s < n_in or s in b.constants or s in out_slots or _views_input(b, s, n_in):
            c = b.new()
            b.steps.append(Step(lambda a: [a.clone()], [s], [c], name="copy", device=dev, target=TARGET))
            s = c
        out_slots.append(s)
    exe = TritonExecutable(
        input_specs=program.input_specs,
        output_specs=program.output_specs,
        steps=b.steps,
        output_slots=out_slots,
        constants=b.constants,
        n_slots=b.n_slots,
        target=TARGET,
        input_names=[a.name_hint for a in b.block.args],
        torch_device=dev,
    )
    return exe, units


def _views_input(b: _Builder, s: int, n_in: int) -> bool:
    """True if slot ``s`` is a reshape view (chain) of an input or a constant: returning it
    would hand the caller memory it does not own."""
    by_out = {st.outputs[0]: st for st in b.steps if st.name == "view"}
    while s in by_out:
        s = by_out[s].inputs[0]
    return s < n_in or s in b.constants
