"""split: cut a placed program into parts, one per run of same-device ops.

``segments`` orders the top-level ops of a placed ``@main`` (each op's ``device``
attribute, a fusion's device; ``place_pass`` wrote them) so that each device's ops stay
together as far as the dependences allow, and cuts the order where the device changes;
each ``furcate.transfer`` is a segment of its own. ``sub_program`` makes one segment an
ordinary ``Program`` (its inputs: the values it reads from earlier segments; its outputs:
the values later ones read; constants, weights and iotas copied in), which any backend
compiles. The driver compiles the parts and ``runtime/link.py`` joins them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region, SSAValue

from furcate.ir import dialect as d
from furcate.ir.program import Program
from furcate.passes.place_cost import SOURCE_OPS


@dataclass
class Segment:
    device: str | None  # None for a transfer
    ops: list = field(default_factory=list)


def _op_device(op, host: str) -> str:
    if isinstance(op, d.FusionOp):
        return op.device.data
    attr = op.attributes.get("device")
    return attr.data if attr is not None else host


def segments(block, host: str) -> list[Segment]:
    """The top-level ops in a dependency order that keeps each device's ops together as far
    as possible (list scheduling that stays on the current device while it has ready ops)."""
    body = [op for op in block.ops if not isinstance(op, (ReturnOp, *SOURCE_OPS))]
    index = {op: i for i, op in enumerate(body)}
    deps = {op: {o.owner for o in op.operands if o.owner in index} for op in body}
    users = {op: [] for op in body}
    for op, ds in deps.items():
        for x in ds:
            users[x].append(op)
    waiting = {op: len(ds) for op, ds in deps.items()}
    ready = [op for op in body if not waiting[op]]
    out: list[Segment] = []
    current = None
    while ready:
        ready.sort(key=lambda o: index[o])
        transfers = [o for o in ready if isinstance(o, d.TransferOp)]
        here = [o for o in ready if not isinstance(o, d.TransferOp) and _op_device(o, host) == current]
        op = here[0] if here else (transfers[0] if transfers else ready[0])
        ready.remove(op)
        if isinstance(op, d.TransferOp):
            out.append(Segment(None, [op]))
        else:
            dev = _op_device(op, host)
            if not out or out[-1].device != dev:
                out.append(Segment(dev))
            out[-1].ops.append(op)
            current = dev
        for u in users[op]:
            waiting[u] -= 1
            if not waiting[u]:
                ready.append(u)
    return out


def sub_program(seg: Segment, later_uses: set[SSAValue], constants: dict) -> tuple[Program, list, list]:
    """A ``Program`` of one segment: (program, the outer values it reads, the values it defines
    that later steps read)."""
    defined = {r for op in seg.ops for r in op.results}
    inputs: list[SSAValue] = []
    sources: list = []  # constants, weights and iotas it reads: copied in, never inputs
    for op in seg.ops:
        for v in op.operands:
            if isinstance(v.owner, SOURCE_OPS):
                if v.owner not in sources:
                    sources.append(v.owner)
            elif v not in defined and v not in inputs:
                inputs.append(v)
    outputs = [r for op in seg.ops for r in op.results if r in later_uses]
    block = Block(arg_types=[v.type for v in inputs])
    mapping = dict(zip(inputs, block.args))
    for op in [*sources, *seg.ops]:
        block.add_op(op.clone(value_mapper=mapping))
    block.add_op(ReturnOp(*[mapping[v] for v in outputs]))
    func = FuncOp("main", ([v.type for v in inputs], [v.type for v in outputs]), Region(block))
    refs = {op.ref.data for op in sources if isinstance(op, d.ConstantRefOp)}
    prog = Program(ModuleOp([func]), {k: constants[k] for k in refs})
    return prog, inputs, outputs


__all__ = ["Segment", "segments", "sub_program"]
