"""The compiled program: an ordered list of steps over numbered buffer slots.

The runtime knows devices, buffers and kernels, not the IR: a backend turns IR
into ``Step``s (a kernel callable with the slots it reads and writes) and the
driver wraps them in an ``Executable`` with its guards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from furcate.dtypes import TensorSpec


class GuardError(TypeError):
    """A call's arguments don't match what the program was compiled for."""


@dataclass
class Step:
    """One kernel launch (or transfer): ``outputs = kernel(*inputs)`` on slot numbers."""

    kernel: Callable[..., Sequence]
    inputs: list[int]
    outputs: list[int]
    name: str = "kernel"
    device: str = "cpu"
    target: str = "numpy"


@dataclass
class Executable:
    """Steps, buffers and guards of one compiled program.

    Slots ``0 .. n_inputs-1`` hold the call's arguments; ``constants`` fills
    further slots once; each step writes its outputs into slots; the values
    in ``output_slots`` are returned. The call plan (guards, slots, steps) is fixed when
    the Executable is built; to change a step, build a new one
    (``dataclasses.replace(exe, steps=...)``).
    """

    input_specs: list[TensorSpec]
    output_specs: list[TensorSpec]
    steps: list[Step]
    output_slots: list[int]
    constants: dict[int, object] = field(default_factory=dict)
    n_slots: int = 0
    name: str = "main"
    target: str = "numpy"
    input_names: list[str] | None = None
    # the device type ("cpu", "cuda") of torch tensors the steps take as they are; None: NumPy arrays only
    torch_device: str | None = None
    # whether the steps take jax Arrays as they are (XLA: one on the executable's device stays there)
    accepts_jax_arrays: bool = False
    # slot -> last step index that reads it (freed after that step); filled in __post_init__
    _free_after: list[list[int]] = field(default_factory=list, repr=False)

    def __post_init__(self):
        if not self.n_slots:
            used = [*range(len(self.input_specs)), *self.constants, *self.output_slots]
            for s in self.steps:
                used += s.inputs + s.outputs
            self.n_slots = max(used, default=-1) + 1
        last_use: dict[int, int] = {}
        for i, s in enumerate(self.steps):
            for slot in s.inputs:
                last_use[slot] = i
        keep = set(self.output_slots) | set(self.constants) | set(range(len(self.input_specs)))
        self._free_after = [[] for _ in self.steps]
        for slot, i in last_use.items():
            if slot not in keep:
                self._free_after[i].append(slot)
        self._prepare()

    def _prepare(self) -> None:
        """What every call needs, computed once: per-argument guards, the slot list with
        the constants in place, and the steps as plain tuples (a one-step program whose
        step reads the arguments in order and writes the results runs it directly)."""
        self._guards = [(s.shape, s.np_dtype) for s in self.input_specs]
        template: list = [None] * self.n_slots
        for k, v in self.constants.items():
            template[k] = v
        self._template = template
        self._plan = [(s.kernel, s.inputs, s.outputs, free, len(s.outputs))
                      for s, free in zip(self.steps, self._free_after)]
        n_in = len(self.input_specs)
        one = self.steps[0] if len(self.steps) == 1 else None
        self._direct = one.kernel if (one is not None and one.inputs == list(range(n_in))
                                      and one.outputs == self.output_slots) else None

    # -- guards -----------------------------------------------------------
    def arg_name(self, i: int) -> str:
        if self.input_names and i < len(self.input_names) and self.input_names[i]:
            return f"argument {i} ({self.input_names[i]})"
        return f"argument {i}"

    def check_inputs(self, args: Sequence) -> None:
        if len(args) != len(self.input_specs):
            raise GuardError(
                f"{self.name}: expected {len(self.input_specs)} arguments, got {len(args)}"
            )
        guards = self._guards
        for i, a in enumerate(args):
            shape, dt = guards[i]
            if type(a) is np.ndarray and a.shape == shape and (a.dtype is dt or a.dtype == dt):
                continue  # the common case: an array of the expected shape and dtype
            self._check_arg(i, a, self.input_specs[i])

    def _check_arg(self, i: int, a, spec: TensorSpec) -> None:
        """The guards of one argument, raising ``GuardError`` naming it and what was expected."""
        if _is_torch_tensor(a):
            self._check_tensor(i, a, spec)
            return
        if not hasattr(a, "shape") or not hasattr(a, "dtype"):
            raise GuardError(f"{self.name}: {self.arg_name(i)} is a {type(a).__name__}, expected an array {spec}")
        shape = tuple(a.shape)
        if shape != spec.shape:
            raise GuardError(
                f"{self.name}: {self.arg_name(i)} has shape {list(shape)}, expected {list(spec.shape)}"
            )
        dt = a.dtype
        try:
            same = np.dtype(dt) == spec.np_dtype
        except TypeError:  # e.g. a torch dtype: not an array NumPy can read
            raise GuardError(f"{self.name}: {self.arg_name(i)} is a {type(a).__name__} of dtype {dt}, "
                             f"expected a NumPy array {spec}") from None
        if not same:
            raise GuardError(
                f"{self.name}: {self.arg_name(i)} has dtype {dt}, expected {spec.np_dtype} ({spec.dtype})"
            )

    def _check_tensor(self, i: int, t, spec: TensorSpec) -> None:
        """Guards for a torch tensor argument: taken only where ``torch_device`` says so."""
        if self.torch_device is None:
            raise GuardError(f"{self.name}: {self.arg_name(i)} is a {type(t).__name__} of dtype {t.dtype}, expected "
                             f"a NumPy array {spec} (the {self.target} executable takes no torch tensors)")
        if t.device.type != self.torch_device:
            raise GuardError(f"{self.name}: {self.arg_name(i)} is on device {t.device}, expected a tensor on "
                             f"{self.torch_device} ({self.target})")
        if tuple(t.shape) != spec.shape:
            raise GuardError(f"{self.name}: {self.arg_name(i)} has shape {list(t.shape)}, expected {list(spec.shape)}")
        if str(t.dtype) != _TORCH_DTYPES[spec.dtype]:
            raise GuardError(f"{self.name}: {self.arg_name(i)} has dtype {t.dtype}, expected "
                             f"{_TORCH_DTYPES[spec.dtype]} ({spec.dtype})")

    # -- running ----------------------------------------------------------
    def __call__(self, *args) -> list:
        self.check_inputs(args)
        return self.run_unchecked(args)

    def raw_entry(self):
        """``(the one kernel's pointer-level entry (SegmentCall.raw), the argument each of
        its inputs is)`` where the program is a single step that reads only arguments and
        returns the results in order; else None."""
        if len(self.steps) != 1:
            return None
        step, n_in = self.steps[0], len(self.input_specs)
        raw = getattr(step.kernel, "raw", None)
        if raw is None or step.outputs != self.output_slots or not all(0 <= j < n_in for j in step.inputs):
            return None
        entry = raw()
        return None if entry is None else (entry, list(step.inputs))

    def run_unchecked(self, args: Sequence) -> list:
        """Run the steps on arguments that passed the guards; the results, in order."""
        direct = self._direct
        if direct is not None:
            outs = direct(*args)
            if len(outs) != len(self.output_slots):
                self._wrong_count(0, outs)
            return list(outs)
        slots = self._template.copy()
        slots[: len(args)] = args
        for i, (kernel, ins, outputs, free, n_out) in enumerate(self._plan):
            outs = kernel(*[slots[j] for j in ins])
            if len(outs) != n_out:
                self._wrong_count(i, outs)
            for j, v in zip(outputs, outs):
                slots[j] = v
            for j in free:
                slots[j] = None
        return [slots[j] for j in self.output_slots]

    def _wrong_count(self, i: int, outs) -> None:
        step = self.steps[i]
        raise RuntimeError(f"{self.name}: kernel {step.name} returned {len(outs)} values, expected {len(step.outputs)}")

    def describe(self) -> str:
        lines = [f"Executable {self.name} [{self.target}]: {len(self.steps)} step(s)"]
        for s in self.steps:
            lines.append(f"  {s.name} on {s.device} ({s.target}): {s.inputs} -> {s.outputs}")
        return "\n".join(lines)


_TORCH_DTYPES = {"f32": "torch.float32", "f64": "torch.float64", "f16": "torch.float16", "bf16": "torch.bfloat16",
                 "i1": "torch.bool", "i8": "torch.int8", "i32": "torch.int32", "i64": "torch.int64"}


def _is_torch_tensor(a) -> bool:
    """A torch tensor, recognised without importing torch (the runtime does not depend on it)."""
    return type(a).__module__.startswith("torch") and hasattr(a, "device") and hasattr(a, "dtype")

