"""The NumPy backend: the reference implementation of every furcate op, every dtype.

Slow is fine, wrong is not. ``compile`` walks ``program.func`` in order; each
furcate op becomes one ``Step`` whose kernel is a closure built at compile time
(attributes are read once) from the kernel factories in ``numpy_elementwise``,
``numpy_tensor`` and ``numpy_window``. Constants (``furcate.constant`` and
``furcate.constant_ref``) become ``Executable.constants`` slots, a
``furcate.fusion`` runs its region as one step, ``furcate.transfer`` is the
identity.

Every kernel returns C-contiguous arrays of exactly the result type's dtype and
shape that never share memory with the kernel's inputs, so a program's outputs
are fresh on every call. ``evaluate_op(op, arrays)`` evaluates one op outside a
program (numerics bisection, differential tests; constant folding uses the same
semantics through ``furcate.ir.reference``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.dialects.func import ReturnOp
from xdsl.ir import Block, Operation

from furcate.backends.base import Backend, Capabilities
from furcate.backends.numpy_elementwise import KERNELS as _ELEMENTWISE
from furcate.backends.numpy_tensor import KERNELS as _TENSOR
from furcate.backends.numpy_window import KERNELS as _WINDOW
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir.program import Program
from furcate.ir.types import TensorSpec, spec_of_type
from furcate.runtime.executable import Executable, Step

TARGET = "numpy"

# op name (without "furcate.") -> factory(attrs, in_specs, out_specs) -> fn(*arrays) -> array
KERNELS: dict[str, Callable] = {**_ELEMENTWISE, **_TENSOR, **_WINDOW}

Kernel = Callable[..., list]


class NumpyBackend(Backend):
    """The reference backend: runs every op of the dialect with NumPy on the CPU."""

    name = TARGET
    device = "cpu"

    def capabilities(self) -> Capabilities:
        return Capabilities(target=TARGET, device="cpu", ops=None)

    def compile(self, program: Program, options=None) -> Executable:
        block = program.func.body.block
        plan = _plan_block(block, program.constants, top_level=True)
        steps, out_slots, n_slots = plan.steps, plan.output_slots, plan.n_slots
        # an output that is an input, a constant or returned twice gets its own copy
        n_in = len(block.args)
        seen: set[int] = set()
        copy_in: list[int] = []
        copy_out: list[int] = []
        for i, slot in enumerate(out_slots):
            if slot < n_in or slot in plan.constants or slot in seen:
                copy_in.append(slot)
                copy_out.append(n_slots)
                out_slots[i] = n_slots
                n_slots += 1
            seen.add(slot)
        if copy_in:
            steps.append(Step(_copy_kernel, copy_in, copy_out, name="copy", device="cpu", target=TARGET))
        return Executable(
            input_specs=program.input_specs,
            output_specs=program.output_specs,
            steps=steps,
            output_slots=out_slots,
            constants=plan.constants,
            n_slots=n_slots,
            target=TARGET,
            input_names=[a.name_hint for a in block.args],
        )


def evaluate_op(op: Operation, arrays: Sequence[np.ndarray], constants: dict[str, np.ndarray] | None = None
                ) -> list[np.ndarray]:
    """Evaluate one furcate op on NumPy arrays; ``constants`` resolves ``constant_ref``.

    Returns one fresh C-contiguous array per result, of the result type's dtype and shape.
    """
    if len(arrays) != len(op.operands):
        raise ValueError(f"evaluate_op: {op.name} takes {len(op.operands)} operand(s), got {len(arrays)}")
    return make_kernel(op, constants or {})(*arrays)


def make_kernel(op: Operation, constants: dict[str, np.ndarray]) -> Kernel:
    """A callable ``(*arrays) -> [results]`` computing ``op``, attributes read once."""
    out_specs = [spec_of_type(r.type) for r in op.results]
    if isinstance(op, d.ConstantOp):
        value = op.numpy()
        return lambda: [value.copy()]
    if isinstance(op, d.ConstantRefOp):
        value = _constant_ref(op, constants)
        return lambda: [np.array(value, copy=True)]
    if isinstance(op, d.FusionOp):
        return _fusion_kernel(op, constants)
    if isinstance(op, d.TransferOp):
        return _checked(op.name, lambda x: x, out_specs)
    name = op.name.split(".", 1)[1] if op.name.startswith("furcate.") else None
    factory = KERNELS.get(name) if name else None
    if factory is None:
        raise CompileError(f"numpy backend: no kernel for op {op.name}")
    in_specs = [spec_of_type(o.type) for o in op.operands]
    try:
        fn = factory(op.attrs(), in_specs, out_specs)
    except (KeyError, ValueError) as e:
        raise CompileError(f"numpy backend: cannot build {op.name}: {e}") from None
    return _checked(op.name, fn, out_specs)


# --------------------------------------------------------------------------
# planning: ops of a block -> steps over numbered slots


class _Plan:
    """Steps of one block over slots: block args are slots 0..n-1, then one slot per result."""

    def __init__(self):
        self.steps: list[Step] = []
        self.constants: dict[int, np.ndarray] = {}
        self.output_slots: list[int] = []
        self.n_slots = 0


def _plan_block(block: Block, constants: dict[str, np.ndarray], top_level: bool) -> _Plan:
    plan = _Plan()
    slot_of: dict = {}
    for a in block.args:
        slot_of[a] = plan.n_slots
        plan.n_slots += 1
    for op in block.ops:
        if isinstance(op, (ReturnOp, d.YieldOp)):
            if isinstance(op, ReturnOp) != top_level:
                raise CompileError(f"numpy backend: unexpected terminator {op.name}")
            plan.output_slots = [slot_of[v] for v in op.operands]
            break
        if not (op.name.startswith("furcate.")):
            raise CompileError(f"numpy backend: cannot run op {op.name} (not a furcate op)")
        ins = [slot_of[v] for v in op.operands]
        outs = []
        for r in op.results:
            slot_of[r] = plan.n_slots
            outs.append(plan.n_slots)
            plan.n_slots += 1
        if isinstance(op, d.ConstantOp):
            plan.constants[outs[0]] = op.numpy()
        elif isinstance(op, d.ConstantRefOp):
            plan.constants[outs[0]] = _constant_ref(op, constants)
        else:
            kernel = make_kernel(op, constants)
            plan.steps.append(Step(kernel, ins, outs, name=op.name, device="cpu", target=TARGET))
    else:
        raise CompileError("numpy backend: block has no terminator")
    return plan


def _fusion_kernel(op: d.FusionOp, constants: dict[str, np.ndarray]) -> Kernel:
    """Runs the fusion's region (block args = operands) as one kernel."""
    plan = _plan_block(op.body.block, constants, top_level=False)
    n_args = len(op.body.block.args)
    steps = [(s.kernel, s.inputs, s.outputs) for s in plan.steps]
    consts = list(plan.constants.items())
    out_slots = plan.output_slots
    n_slots = plan.n_slots
    arg_slots = set(range(n_args))
    copy_mask = [s in arg_slots or s in plan.constants for s in out_slots]

    def run(*arrays):
        slots: list = [None] * n_slots
        slots[:n_args] = arrays
        for k, v in consts:
            slots[k] = v
        for kernel, ins, outs in steps:
            for j, v in zip(outs, kernel(*[slots[i] for i in ins])):
                slots[j] = v
        return [np.array(slots[s], copy=True) if c else slots[s] for s, c in zip(out_slots, copy_mask)]

    return run


def _constant_ref(op: d.ConstantRefOp, constants: dict[str, np.ndarray]) -> np.ndarray:
    ref = op.ref.data
    if ref not in constants:
        raise CompileError(f"numpy backend: furcate.constant_ref refers to unknown constant {ref!r}")
    value = np.asarray(constants[ref])
    spec = spec_of_type(op.result.type)
    if value.shape != spec.shape or value.dtype != spec.np_dtype:
        raise CompileError(
            f"numpy backend: constant {ref!r} is {value.dtype}{list(value.shape)}, "
            f"furcate.constant_ref declares {spec}"
        )
    return value


def _copy_kernel(*arrays):
    return [np.array(a, copy=True) for a in arrays]


def _checked(name: str, fn: Callable, out_specs: list[TensorSpec]) -> Kernel:
    """Wrap a single-result kernel: silence NumPy's FP/overflow warnings, cast to the
    result dtype, make the result C-contiguous, writeable and fresh (sharing no memory
    with the inputs nor with arrays the kernel holds), and check its shape."""
    (spec,) = out_specs
    dtype, shape = spec.np_dtype, spec.shape

    def kernel(*arrays):
        with np.errstate(all="ignore"):
            r = np.asarray(fn(*arrays))
            if r.dtype != dtype:
                r = r.astype(dtype)
        if r.shape != shape:
            raise RuntimeError(f"numpy backend: {name} produced shape {r.shape}, expected {shape}")
        if not (r.flags.c_contiguous and r.flags.writeable) or any(np.may_share_memory(r, a) for a in arrays):
            r = np.array(r, order="C", copy=True)
        return [r]

    return kernel


__all__ = ["NumpyBackend", "evaluate_op", "make_kernel", "KERNELS"]
