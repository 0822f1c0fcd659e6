"""The C backend: fused kernels rendered to C + OpenMP, compiled with the system
compiler, cached on disk, called through ctypes; GEMMs call BLAS with the
epilogue fused after. Ops it cannot render run as NumPy steps in the same
``Executable`` (see ``furcate.stats()['backend_fallbacks']``). Without a working C
compiler it warns once and compiles with the numpy backend.
"""

from __future__ import annotations

import re

import numpy as np

from furcate.backends.base import Backend, Capabilities
from furcate.backends.c.build import compiler
from furcate.backends.c.segment import Segment
from furcate.backends.c.units import KUnit, NUnit, Units
from furcate.backends.kernel import scalar
from furcate.diagnostics import log, record_backend_fallback
from furcate.ir.dialect import spec_of
from furcate.runtime.executable import Executable, Step

TARGET = "c"
C_OPS = frozenset(scalar.elementwise_ops() | {
    "broadcast_in_dim", "transpose", "slice", "reshape", "iota", "constant", "constant_ref",
    "reduce", "dot_general", "gather", "transfer", "fusion", "yield",
})

_warned = False


def available() -> bool:
    return compiler() is not None


class CBackend(Backend):
    name = TARGET
    device = "cpu"

    def capabilities(self) -> Capabilities:
        return Capabilities(target=TARGET, device="cpu", ops=C_OPS,
                            fusion_kinds=frozenset({"pointwise", "reduction", "gemm"}),
                            extra={"fusable_ops": frozenset({"gather", "strided_reduce"})})

    def compile(self, program, options: dict) -> Executable:
        global _warned
        if compiler() is None:
            msg = "c backend: no working C compiler (check $CC); compiling with the numpy backend"
            if not _warned:
                log("fallback").warning(msg)
                _warned = True
            record_backend_fallback(msg)
            from furcate.backends import get_backend

            return get_backend("numpy").compile(program, options)
        return _build(program, options.get("name") or "main")


class _Builder:
    """Turns units into ``Executable`` steps over slots."""

    def __init__(self, program, units: Units):
        self.u = units
        self.block = program.func.body.block
        self.slot: dict = {a: i for i, a in enumerate(self.block.args)}
        self.n_slots = len(self.block.args)
        self.steps: list[Step] = []
        self.constants: dict[int, np.ndarray] = {}
        for v, arr in units.consts.items():
            self.slot[v] = self._new()
            self.constants[self.slot[v]] = arr

    def _new(self) -> int:
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
        out = self._new()
        self.steps.append(Step(lambda a, shape=shape: [a.reshape(shape)], [s], [out], name="view",
                               target=TARGET))
        self.slot[v] = out
        return out


def _build(program, name: str) -> Executable:
    from furcate.backends.numpy import make_kernel

    c_name = re.sub(r"[^A-Za-z0-9_]", "_", name)  # a C identifier, whatever the graph is called
    units = Units(program)
    root = units.root
    returned_roots = {root(v) for v in units.returned}
    # which roots each unit reads, to know what leaves a segment
    groups: list[list] = []
    for u in units.units:
        if isinstance(u, KUnit) and groups and isinstance(groups[-1][0], KUnit):
            groups[-1].append(u)
        else:
            groups.append([u])
    reads_of = [{root(v) for u in g for v in u.inputs} for g in groups]
    b = _Builder(program, units)
    n_seg = 0
    for gi, g in enumerate(groups):
        if isinstance(g[0], NUnit):
            u = g[0]
            ins = [b.slot_of(v) for v in u.inputs]
            outs = [b._new() for _ in u.outputs]
            for v, s in zip(u.outputs, outs):
                b.slot[v] = s
            b.steps.append(Step(make_kernel(u.op, program.constants), ins, outs, name=u.op.name, target="numpy"))
            continue
        later = set().union(*reads_of[gi + 1:]) if gi + 1 < len(groups) else set()
        seg = Segment(g, root, later, returned_roots, f"fc_{c_name}_{n_seg}")
        n_seg += 1
        call = seg.bind()
        ins = [b.slot_of(r) for r in seg.external]
        outs = [b._new() for _ in seg.returned + seg.kept]
        for r, s in zip(seg.returned + seg.kept, outs):
            b.slot[r] = s
        kname = ",".join(f"{u.kernel.kind}" for u in g)
        b.steps.append(Step(call, ins, outs, name=f"c[{kname}]", target=TARGET))
    out_slots = []
    seen: set = set()
    n_in = len(b.block.args)
    for v in units.returned:
        s = b.slot_of(v)
        r = root(v)
        if s < n_in or s in b.constants or r in seen or root(v) not in {rr for rr in returned_roots} \
                or s in out_slots:
            c = b._new()
            b.steps.append(Step(lambda a: [np.array(a, copy=True)], [s], [c], name="copy", target=TARGET))
            s = c
        seen.add(r)
        out_slots.append(s)
    return Executable(
        input_specs=program.input_specs,
        output_specs=program.output_specs,
        steps=b.steps,
        output_slots=out_slots,
        constants=b.constants,
        n_slots=b.n_slots,
        target=TARGET,
        input_names=[a.name_hint for a in b.block.args],
    )
