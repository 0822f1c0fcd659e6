"""The placement cost model: what each group of a fused program costs on each device.

A *unit* is what placement moves as a whole: a ``furcate.fusion`` (fusion never
crosses a device boundary; ``place_fuse`` weighs re-fusing per device instead)
or a top-level op left unfused.
Sources (``constant``, ``constant_ref``, ``iota``) are not units: each device
that runs a consumer holds its own copy (weights are staged once, at compile
time, so they cost memory there but no per-call transfer).

Time of a unit on a device (a roofline plus a launch)::

    t = launch_overhead + max(flops / peak_flops[dtype], bytes / mem_bandwidth)

``flops`` counts 2·M·N·K for a dot, 2·out·(C_in/groups)·window for a
convolution, a per-element weight for transcendental elementwise ops, one per
element otherwise. ``bytes`` is the traffic at the unit's boundary (operands
read, results written) — a fused intermediate costs nothing, a gather reads
only the rows it gathers. A transfer of ``n`` bytes over a link costs
``latency + n / bandwidth``. A unit needs its operands, results and weights
resident on its device; one that needs more than the device's memory cannot
go there.
"""

from __future__ import annotations

import fnmatch
import math
from dataclasses import dataclass, field

from xdsl.ir import Operation, SSAValue

from furcate.ir import dialect as d
from furcate.ir import op_table
from furcate.runtime.devices import Device

SOURCE_OPS = (d.ConstantOp, d.ConstantRefOp, d.IotaOp)

# FLOPs per element of the expensive elementwise ops (the op table's; others: 1)
_ELEMENT_FLOPS = op_table.flops_per_element()
# ops that only move data: no FLOPs
_MOVE_OPS = {"broadcast_in_dim", "reshape", "transpose", "slice", "concatenate", "pad", "gather",
             "gather_along", "convert", "transfer", "yield"}


def nbytes(v: SSAValue) -> int:
    return d.spec_of(v).nbytes


def short(op: Operation) -> str:
    return op.name.split(".", 1)[1]


def op_flops(op: Operation) -> int:
    """Floating-point (or integer) operations of one op."""
    name = short(op)
    if isinstance(op, d.FusionOp):
        return sum(op_flops(o) for o in op.body.block.ops)
    if not op.results or name in _MOVE_OPS or isinstance(op, SOURCE_OPS):
        return 0
    out = d.spec_of(op.results[0])
    if isinstance(op, d.DotGeneralOp):
        lhs = d.spec_of(op.lhs).shape
        k = 1
        for i in op.attr("lhs_contracting_dimensions"):
            k *= lhs[i]
        return 2 * out.numel * k
    if isinstance(op, d.ConvolutionOp):  # kernel layout O, I/groups, spatial...
        return 2 * out.numel * math.prod(d.spec_of(op.operands[1]).shape[1:])
    if isinstance(op, d.ReduceWindowOp):
        return out.numel * math.prod(op.attr("window_dimensions"))
    if isinstance(op, (d.ReduceOp, d.CumulativeOp, d.ArgmaxOp, d.ArgminOp)):
        return d.spec_of(op.operands[0]).numel
    return out.numel * _ELEMENT_FLOPS.get(name, 1)


def compute_dtype(op: Operation) -> str:
    """The dtype whose peak FLOP/s bounds the unit (a dot's operand dtype, else its result's)."""
    ops = list(op.body.block.ops) if isinstance(op, d.FusionOp) else [op]
    for o in ops:
        if isinstance(o, (d.DotGeneralOp, d.ConvolutionOp)):
            return d.spec_of(o.operands[0]).dtype
    return d.spec_of(op.results[0]).dtype if op.results else "f32"


def boundary_bytes(op: Operation) -> int:
    """Memory traffic of a unit: operands read plus results written (a gather reads only the
    rows it gathers)."""
    written = sum(nbytes(r) for r in op.results)
    if isinstance(op, (d.GatherOp, d.GatherAlongOp)):
        return 2 * written + nbytes(op.indices)
    if isinstance(op, d.SliceOp):
        return 2 * written
    return written + sum(nbytes(v) for v in op.operands)


def op_kinds(op: Operation) -> list[str]:
    """The op names a unit holds (``dot_general``, ``tanh``...) — what pins and capability
    checks look at."""
    if isinstance(op, d.FusionOp):
        return sorted({short(o) for o in op.body.walk() if not isinstance(o, (d.FusionOp, d.YieldOp))})
    return [short(op)]


def op_dtypes(op: Operation) -> list[str]:
    ops = [o for o in op.body.walk() if not isinstance(o, d.FusionOp)] if isinstance(op, d.FusionOp) else [op]
    return sorted({d.spec_of(v).dtype for o in ops for v in (*o.operands, *o.results)})


@dataclass(eq=False)
class Unit:
    """One placeable group: its op, a readable name, and what it costs."""

    op: Operation
    name: str
    index: int
    flops: int
    bytes: int
    dtype: str
    kinds: list[str]
    dtypes: list[str]
    weights: dict[str, int] = field(default_factory=dict)  # constant_ref name -> bytes
    pin: str | None = None
    pin_reason: str = ""

    @property
    def label(self) -> str:
        if isinstance(self.op, d.FusionOp):
            return f"{self.name} [{self.op.kind.data}: {', '.join(self.kinds)}]"
        return self.name

    def memory_need(self) -> int:
        """Bytes resident on its device while it runs: all its operands (weights included)
        and results."""
        return sum(nbytes(v) for v in (*self.op.operands, *self.op.results))

    def working_set(self) -> int:
        """``memory_need`` less its weights (which stay resident and are counted once)."""
        return self.memory_need() - sum(self.weights.values())


def make_units(block) -> list[Unit]:
    """The units of a fused ``func.func`` body, in program order."""
    units: list[Unit] = []
    counts: dict[str, int] = {}
    for op in block.ops:
        if isinstance(op, SOURCE_OPS) or op is block.last_op:
            continue
        base = op.kind.data if isinstance(op, d.FusionOp) else short(op)
        n = counts.get(base, 0)
        counts[base] = n + 1
        weights = {}
        for v in op.operands:
            if isinstance(v.owner, d.ConstantRefOp):
                weights[v.owner.ref.data] = nbytes(v)
        units.append(Unit(op, f"{base}_{n}", len(units), op_flops(op), boundary_bytes(op),
                          compute_dtype(op), op_kinds(op), op_dtypes(op), weights))
    return units


def unit_time(unit: Unit, dev: Device) -> float:
    """Roofline time of ``unit`` on ``dev`` (seconds), launch included."""
    s = dev.spec
    return s.launch_overhead + max(unit.flops / s.flops(unit.dtype), unit.bytes / s.mem_bandwidth)


def pin_matches(key: str, unit: Unit) -> bool:
    """A pin key matches a unit when it names one of its op kinds, its fusion kind
    (``fusion:gemm``), or matches its name as a glob (``gemm_*``)."""
    if key in unit.kinds:
        return True
    if isinstance(unit.op, d.FusionOp) and key == f"fusion:{unit.op.kind.data}":
        return True
    return fnmatch.fnmatchcase(unit.name, key)


__all__ = ["Unit", "make_units", "unit_time", "op_flops", "boundary_bytes", "pin_matches", "nbytes",
           "SOURCE_OPS"]
