"""A deliberately wrong backend for testing the bisector and the fuzzer: the numpy backend
with pointwise and reduction fusion, except that every group containing ``furcate.add``
returns its float results off by 0.5."""

from __future__ import annotations

from xdsl.dialects.func import ReturnOp

from furcate.backends import _REGISTRY, _instances, register
from furcate.backends.base import Capabilities
from furcate.backends.numpy import NumpyBackend
from furcate.runtime.executable import Step

NAME = "broken"


class BrokenBackend(NumpyBackend):
    name = NAME

    def capabilities(self) -> Capabilities:
        return Capabilities(target=NAME, device="cpu", fusion_kinds=frozenset({"pointwise", "reduction"}))

    def compile(self, program, options):
        exe = NumpyBackend.compile(self, program, options)
        ops = [op for op in program.func.body.block.ops
               if not isinstance(op, ReturnOp) and op.name not in ("furcate.constant", "furcate.constant_ref")]
        for i, (step, op) in enumerate(zip(exe.steps, ops)):
            if any(o.name == "furcate.add" for o in op.walk()):
                exe.steps[i] = Step(_off_by_half(step.kernel), step.inputs, step.outputs, step.name, "cpu", NAME)
        exe.target = NAME
        return exe


def _off_by_half(kernel):
    def wrong(*arrays):
        return [r + r.dtype.type(0.5) if r.dtype.kind == "f" else r for r in kernel(*arrays)]

    return wrong


def install() -> None:
    register(NAME, __name__, "BrokenBackend")


def uninstall() -> None:
    _REGISTRY.pop(NAME, None)
    _instances.pop(NAME, None)
