"""The compiled program: an ordered list of steps over numbered buffer slots.

The runtime knows devices, buffers and kernels, not the IR: a backend turns IR
into ``Step``s (a kernel callable with the slots it reads and writes) and the
driver wraps them in an ``Executable`` with its guards.
"""

from __future__ import annotations

import threading
import time
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
    in ``output_slots`` are returned.
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
        for i, (a, spec) in enumerate(zip(args, self.input_specs)):
            if _is_torch_tensor(a):
                self._check_tensor(i, a, spec)
                continue
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

    def run_unchecked(self, args: Sequence) -> list:
        slots: list = [None] * self.n_slots
        slots[: len(args)] = args
        for k, v in self.constants.items():
            slots[k] = v
        timing = _TIMING.enabled
        for i, step in enumerate(self.steps):
            t0 = time.perf_counter() if timing else 0.0
            outs = step.kernel(*[slots[j] for j in step.inputs])
            if len(outs) != len(step.outputs):
                raise RuntimeError(
                    f"{self.name}: kernel {step.name} returned {len(outs)} values, expected {len(step.outputs)}"
                )
            for j, v in zip(step.outputs, outs):
                slots[j] = v
            for j in self._free_after[i]:
                slots[j] = None
            if timing:
                _TIMING.record(step.name, time.perf_counter() - t0)
        return [slots[j] for j in self.output_slots]

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


class _Timing:
    def __init__(self):
        self.enabled = False
        self.lock = threading.Lock()
        self.times: dict[str, float] = {}

    def record(self, name, dt):
        with self.lock:
            self.times[name] = self.times.get(name, 0.0) + dt


_TIMING = _Timing()
