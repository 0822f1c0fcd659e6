"""From units to ``Executable`` steps over numbered slots, shared by the kernel backends.

Slots ``0 .. n_in-1`` are the program's inputs, the next ones its constants
(held by the Executable), then each step's results. A value another value
aliases (a reshape, a fusion's block argument or result) shares its root's
slot, or gets a ``view`` step where the shapes differ. The backend adds its
own kernel steps and says how it holds constants and calls NumPy kernels.
"""

from __future__ import annotations

from collections.abc import Callable

from furcate.backends.kernel.units import NUnit, Units
from furcate.ir.dialect import spec_of
from furcate.runtime.executable import Executable, Step


class SlotBuilder:
    """The steps of one program as a backend adds them, and the slots they use."""

    def __init__(self, program, units: Units, target: str, device: str = "cpu",
                 hold: Callable = lambda arr: arr):
        """``hold`` turns a constant (a NumPy array) into what the backend's steps take."""
        self.program = program
        self.u = units
        self.target = target
        self.device = device
        self.block = program.func.body.block
        self.slot: dict = {a: i for i, a in enumerate(self.block.args)}
        self.n_in = self.n_slots = len(self.block.args)
        self.steps: list[Step] = []
        self.constants: dict[int, object] = {}
        for v, arr in units.consts.items():
            self.slot[v] = self.new()
            self.constants[self.slot[v]] = hold(arr)

    def new(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def results(self, values) -> list[int]:
        """New slots, one for each of ``values``, bound to them."""
        outs = [self.new() for _ in values]
        for v, s in zip(values, outs):
            self.slot[v] = s
        return outs

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
                               device=self.device, target=self.target))
        self.slot[v] = out
        return out

    def add_numpy(self, u: NUnit, wrap: Callable = lambda kernel: kernel) -> None:
        """The NumPy step of ``u``; ``wrap`` adapts the NumPy kernel to the backend's values."""
        from furcate.backends.numpy import make_kernel

        ins = [self.slot_of(v) for v in u.inputs]
        outs = self.results(u.outputs)
        self.steps.append(Step(wrap(make_kernel(u.op, self.program.constants)), ins, outs, name=u.op.name,
                               target="numpy"))

    def add_copy(self, s: int, copy: Callable) -> int:
        """A step copying slot ``s`` (``copy(value)``) into a new slot, which it returns."""
        c = self.new()
        self.steps.append(Step(lambda a: [copy(a)], [s], [c], name="copy", device=self.device,
                               target=self.target))
        return c

    def executable(self, output_slots: list[int], cls: type[Executable] = Executable, **extra) -> Executable:
        return cls(
            input_specs=self.program.input_specs,
            output_specs=self.program.output_specs,
            steps=self.steps,
            output_slots=output_slots,
            constants=self.constants,
            n_slots=self.n_slots,
            target=self.target,
            input_names=[a.name_hint for a in self.block.args],
            **extra,
        )
