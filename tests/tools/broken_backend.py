"""Deliberately bad backends for testing the bisector and the fuzzer.

- ``broken``: the numpy backend with pointwise and reduction fusion, except that every
  group containing ``furcate.add`` returns its float results off by 0.5;
- ``crashing``: the same, except that compiling a group containing ``furcate.tanh``
  raises ``RuntimeError``;
- ``nodevice``: loads, but every compile raises ``BackendUnavailable`` (like triton on a
  machine without a GPU or ``TRITON_INTERPRET=1``)."""

from __future__ import annotations

import dataclasses

from xdsl.dialects.func import ReturnOp

from furcate.backends import _REGISTRY, _instances, register
from furcate.backends.base import BackendUnavailable, Capabilities
from furcate.backends.numpy import NumpyBackend
from furcate.runtime.executable import Step

NAME = "broken"
CRASHING = "crashing"
NO_DEVICE = "nodevice"


class BrokenBackend(NumpyBackend):
    name = NAME

    def capabilities(self) -> Capabilities:
        return Capabilities(target=NAME, device="cpu", fusion_kinds=frozenset({"pointwise", "reduction"}))

    def compile(self, program, options):
        exe = NumpyBackend.compile(self, program, options)
        ops = [op for op in program.func.body.block.ops
               if not isinstance(op, ReturnOp) and op.name not in ("furcate.constant", "furcate.constant_ref")]
        steps = list(exe.steps)
        for i, (step, op) in enumerate(zip(steps, ops)):
            if any(o.name == "furcate.add" for o in op.walk()):
                steps[i] = Step(_off_by_half(step.kernel), step.inputs, step.outputs, step.name, "cpu", NAME)
        # an Executable fixes its plan when it is built: make a new one with the changed steps
        return dataclasses.replace(exe, steps=steps, target=NAME)


class CrashingBackend(BrokenBackend):
    name = CRASHING

    def compile(self, program, options):
        if any(op.name == "furcate.tanh" for op in program.module.walk()):
            raise RuntimeError("crashing backend: cannot compile furcate.tanh")
        return BrokenBackend.compile(self, program, options)


class NoDeviceBackend(NumpyBackend):
    name = NO_DEVICE

    def capabilities(self) -> Capabilities:
        return Capabilities(target=NO_DEVICE, device="cpu")

    def compile(self, program, options):
        raise BackendUnavailable("nodevice backend: no such device on this machine")


def _off_by_half(kernel):
    def wrong(*arrays):
        return [r + r.dtype.type(0.5) if r.dtype.kind == "f" else r for r in kernel(*arrays)]

    return wrong


_CLASSES = {NAME: "BrokenBackend", CRASHING: "CrashingBackend", NO_DEVICE: "NoDeviceBackend"}


def install(name: str = NAME) -> None:
    register(name, __name__, _CLASSES[name])


def uninstall(name: str = NAME) -> None:
    _REGISTRY.pop(name, None)
    _instances.pop(name, None)
