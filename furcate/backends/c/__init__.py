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
from furcate.backends.kernel.steps import SlotBuilder
from furcate.diagnostics import log, record_backend_fallback
from furcate.options import CompileOptions
from furcate.runtime.executable import Executable, Step

TARGET = "c"
C_OPS = frozenset(scalar.elementwise_ops() | {
    "broadcast_in_dim", "transpose", "slice", "reshape", "iota", "constant", "constant_ref",
    "reduce", "dot_general", "gather", "transfer", "fusion", "yield", "convolution", "reduce_window",
})

_warned = False


def available() -> bool:
    return compiler() is not None


class CBackend(Backend):
    name = TARGET
    device = "cpu"

    def capabilities(self) -> Capabilities:
        return Capabilities(target=TARGET, device="cpu", ops=C_OPS,
                            fusion_kinds=frozenset({"pointwise", "reduction", "gemm", "window"}),
                            extra={"fusable_ops": frozenset({"gather", "strided_reduce"})})

    def compile(self, program, options: CompileOptions | dict | None = None) -> Executable:
        global _warned
        if compiler() is None:
            msg = "c backend: no working C compiler (check $CC); compiling with the numpy backend"
            if not _warned:
                log("fallback").warning(msg)
                _warned = True
            record_backend_fallback(msg)
            from furcate.backends import get_backend

            return get_backend("numpy").compile(program, options)
        return _build(program, CompileOptions.of(options).name)


def _plan(program, name: str):
    """The program's units and its steps in order: a NumPy unit alone, or a ``Segment`` of
    consecutive kernels (one C function; rendered, not compiled)."""
    c_name = re.sub(r"[^A-Za-z0-9_]", "_", name)  # a C identifier, whatever the graph is called
    units = Units(program)
    root = units.root
    returned_roots = {root(v) for v in units.returned}
    groups: list[list] = []
    for u in units.units:
        if isinstance(u, KUnit) and groups and isinstance(groups[-1][0], KUnit):
            groups[-1].append(u)
        else:
            groups.append([u])
    reads_of = [{root(v) for u in g for v in u.inputs} for g in groups]  # to know what leaves a segment
    steps: list = []
    n_seg = 0
    for gi, g in enumerate(groups):
        if isinstance(g[0], NUnit):
            steps.append(g[0])
            continue
        later = set().union(*reads_of[gi + 1:]) if gi + 1 < len(groups) else set()
        steps.append(Segment(g, root, later, returned_roots, f"fc_{c_name}_{n_seg}"))
        n_seg += 1
    return units, steps


def c_source(program, name: str = "main") -> str:
    """The C the backend would compile for ``program`` (after the passes it has been
    through), segment by segment, with a comment for each step left to NumPy: what
    ``furcate opt -p ...,emit-c`` prints. Compiles nothing."""
    _units, steps = _plan(program, name)
    out = []
    for st in steps:
        if isinstance(st, NUnit):
            out.append(f"// numpy step: {st.op.name}\n")
        else:
            out.append(f"// segment {st.name}\n{st.source}")
    return "\n".join(out)


def _build(program, name: str) -> Executable:
    units, steps = _plan(program, name)
    root = units.root
    b = SlotBuilder(program, units, TARGET)
    for st in steps:
        if isinstance(st, NUnit):
            b.add_numpy(st)
            continue
        call = st.bind()
        ins = [b.slot_of(r) for r in st.external]
        outs = b.results(st.returned + st.kept)
        kname = ",".join(f"{u.kernel.kind}" for u in st.units)
        b.steps.append(Step(call, ins, outs, name=f"c[{kname}]", target=TARGET))
    out_slots: list[int] = []
    seen: set = set()
    for v in units.returned:
        s = b.slot_of(v)
        r = root(v)
        if s < b.n_in or s in b.constants or r in seen or s in out_slots:
            s = b.add_copy(s, lambda a: np.array(a, copy=True))
        seen.add(r)
        out_slots.append(s)
    return b.executable(out_slots)
