"""What every backend provides: its capabilities and a compile hook.

A backend turns a verified ``Program`` into an ``Executable``. The passes
never import a backend: the driver hands them the ``Capabilities`` of the
backends in play (which ops, dtypes and fusion kinds each can run).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from furcate.errors import FurcateError
from furcate.ir.program import Program
from furcate.runtime.executable import Executable


class BackendUnavailable(FurcateError, RuntimeError):
    """The backend cannot run on this machine (missing compiler, library or device)."""


@dataclass(frozen=True)
class Capabilities:
    """What a backend can run. ``ops=None`` means every op of the dialect."""

    target: str
    device: str
    ops: frozenset[str] | None = None
    dtypes: frozenset[str] = frozenset({"f32", "f64", "f16", "bf16", "i1", "i8", "i32", "i64"})
    fusion_kinds: frozenset[str] = frozenset()
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def supports_op(self, opname: str, dtypes: list[str]) -> bool:
        if self.ops is not None and opname not in self.ops:
            return False
        return all(dt in self.dtypes for dt in dtypes)


class Backend:
    name: str = "?"
    device: str = "cpu"

    def capabilities(self) -> Capabilities:
        raise NotImplementedError

    def compile(self, program: Program, options=None) -> Executable:
        """Compile a verified program (already through the pass pipeline)."""
        raise NotImplementedError
