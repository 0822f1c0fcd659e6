"""fuse: producer→consumer fusion into ``furcate.fusion`` regions.

``FusePass`` runs three steps over each function, one module each:

- ``fuse_group.Fuser`` decides the groups: it walks the body from the last op
  to the first, and each compute op joins its consumers' group, is copied into
  several (cheap producers), or anchors a group of its own;
- ``fuse_legal`` is the region contract a group must keep (pointwise,
  reduction, gemm: what each kind may hold; the kernel backends lower exactly
  that), and ``fuse_policy.FusionPolicy`` says when a legal merge pays;
- ``fuse_build`` turns every group into one ``furcate.fusion`` op.

Every region is isolated from above: its block arguments are the fusion's
operands; small constants and iotas are copied in. Ops never fuse across
different ``device`` attributes. With no fusion kinds, the pass does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.passes import ModulePass

from furcate.passes.fuse_build import build_groups
from furcate.passes.fuse_group import Fuser, Group
from furcate.passes.fuse_legal import chain_source, consumers, row_chain_ok, shape
from furcate.passes.fuse_policy import ALL_KINDS, FusionPolicy

__all__ = ["FusePass", "Fuser", "Group", "chain_source", "consumers", "row_chain_ok", "shape"]


@dataclass(frozen=True)
class FusePass(ModulePass):
    """Groups ops into ``furcate.fusion`` regions of the given ``kinds`` (default: all)."""

    name = "fuse"

    kinds: tuple[str, ...] = tuple(sorted(ALL_KINDS))
    extra_ops: tuple[str, ...] = ()  # see FusionPolicy

    @classmethod
    def from_capabilities(cls, capabilities) -> "FusePass":
        """The pass for a backend's ``Capabilities`` (its ``fusion_kinds`` and
        ``extra["fusable_ops"]``)."""
        return cls(kinds=tuple(sorted(capabilities.fusion_kinds)),
                   extra_ops=tuple(sorted(capabilities.extra.get("fusable_ops", ()))))

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        unknown = set(self.kinds) - ALL_KINDS
        if unknown:
            raise ValueError(f"fuse: unknown fusion kind(s) {sorted(unknown)}; valid: {sorted(ALL_KINDS)}")
        if not self.kinds:
            return
        policy = FusionPolicy(frozenset(self.kinds), frozenset(self.extra_ops))
        for func in [f for f in op.ops if isinstance(f, FuncOp)]:
            fuser = Fuser(func, policy)
            build_groups(func, fuser.run(), fuser.covered)
