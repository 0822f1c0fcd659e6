"""Linking: one ``Executable`` from the compiled parts of a placed program.

A ``Linker`` owns the slot numbering of the joined executable. Slots ``0..n_inputs-1``
are the program's inputs; each part (an ``Executable`` a backend built for one device's
segment) gets its slots renumbered after the ones already taken, except its inputs, which
are the slots of the values it reads; a transfer is a step that makes a value a buffer of
the destination device (``devices.to_device``). ``finish`` applies the output rule once:
a returned slot that is an input, a held constant or already returned is copied, so the
caller never gets an array it passed in or the same array twice.

Nothing here knows the IR: the driver maps values to slots (``compiler.compile_placed``).
"""

from __future__ import annotations

import numpy as np

from furcate.runtime import devices as dev_mod
from furcate.runtime.executable import Executable, Step


def _copy(*xs):
    return [np.array(x, copy=True) for x in xs]


def _transfer_kernel(dst: dev_mod.Device):
    def transfer(x):
        return [dev_mod.to_device(x, dst)]

    return transfer


class Linker:
    """Steps, constants and slots of the executable being joined."""

    def __init__(self, n_inputs: int):
        self.n_inputs = n_inputs
        self.n_slots = n_inputs
        self.steps: list[Step] = []
        self.constants: dict[int, object] = {}

    def new_slot(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def add_transfer(self, src_slot: int, src: str, dst_name: str, dst: dev_mod.Device) -> int:
        """A step moving slot ``src_slot`` from device ``src`` to ``dst`` (named ``dst_name``
        in the IR): the new slot."""
        out = self.new_slot()
        self.steps.append(Step(_transfer_kernel(dst), [src_slot], [out], f"transfer {src}->{dst_name}",
                               dst.name, "transfer"))
        return out

    def add_part(self, exe: Executable, in_slots: list[int], device: str) -> list[int]:
        """Append the steps of ``exe`` (run on ``device``), its input ``i`` read from
        ``in_slots[i]``: the slots of its outputs."""
        remap = dict(enumerate(in_slots))
        base = self.n_slots
        self.n_slots += exe.n_slots

        def m(j):
            return remap[j] if j in remap else base + j

        for j, val in exe.constants.items():
            self.constants[m(j)] = val
        for s in exe.steps:
            self.steps.append(Step(s.kernel, [m(j) for j in s.inputs], [m(j) for j in s.outputs],
                                   s.name, device, s.target))
        return [m(j) for j in exe.output_slots]

    def add_constant(self, value) -> int:
        j = self.new_slot()
        self.constants[j] = value
        return j

    def finish(self, out_slots: list[int], input_specs, output_specs, host: str,
               input_names=None) -> Executable:
        """The executable returning ``out_slots`` (copied where the output rule says)."""
        final, copy_in, copy_out = [], [], []
        for j in out_slots:
            if j < self.n_inputs or j in self.constants or j in final:
                copy_in.append(j)
                j = self.new_slot()
                copy_out.append(j)
            final.append(j)
        steps = list(self.steps)
        if copy_in:
            steps.append(Step(_copy, copy_in, copy_out, "copy", host, "numpy"))
        return Executable(list(input_specs), list(output_specs), steps, final, self.constants,
                          n_slots=self.n_slots, target="+".join(sorted({s.target for s in steps})),
                          input_names=input_names)


__all__ = ["Linker"]
