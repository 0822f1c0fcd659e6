"""split: cut a placed program into parts, one per run of same-device ops.

``segments`` orders the top-level ops of a placed ``@main`` (each op's ``device``
attribute, a fusion's device; ``place_pass`` wrote them) so that each device's ops stay
together as far as the dependences allow, and cuts the order where the device changes;
each ``furcate.transfer`` is a segment of its own. ``sub_program`` makes one segment an
ordinary ``Program`` (its inputs: the values it reads from earlier segments; its outputs:
the values later ones read; constants, weights and iotas copied in), which any backend
compiles. The driver compiles the parts and ``runtime/link.py`` joins them.

``SplitPass`` (``furcate opt -p 'place{devices=cpu,"sim:h100"},split'``) shows the same
cut as IR: ``@main`` becomes a call of one function per segment (``@part<k>_<device>``,
its device in the ``furcate.device`` attribute) with the transfers between the calls.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, StringAttr
from xdsl.dialects.func import CallOp, FuncOp, ReturnOp
from xdsl.ir import Block, Region, SSAValue
from xdsl.passes import ModulePass

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


def later_uses(segs: list[Segment], returned) -> list[set[SSAValue]]:
    """Per segment, the values it defines that a later segment or the return reads: one
    pass over the operands (each value's last reader), not one per segment."""
    last: dict[SSAValue, int] = {}
    for k, seg in enumerate(segs):
        for op in seg.ops:
            for v in op.operands:
                last[v] = k
    for v in returned:
        last[v] = len(segs)
    return [{r for op in seg.ops for r in op.results if last.get(r, -1) > k} for k, seg in enumerate(segs)]


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


def _main(module: ModuleOp) -> FuncOp:
    for op in module.ops:
        if isinstance(op, FuncOp) and op.sym_name.data == "main":
            return op
    raise ValueError("split: the module has no func.func @main")


@dataclass(frozen=True)
class SplitPass(ModulePass):
    """Cut a placed ``@main`` into one function per device run, called in order (ops
    without a ``device`` attribute are on ``host``)."""

    name = "split"

    host: str = "cpu"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        main = _main(op)
        block = main.body.block
        ret = block.last_op
        segs = segments(block, self.host)
        new = Block(arg_types=[a.type for a in block.args])
        for a, b in zip(block.args, new.args):
            b.name_hint = a.name_hint
        value = dict(zip(block.args, new.args))

        def get(v: SSAValue) -> SSAValue:
            if v not in value:  # a constant, weight or iota read outside any part: copied in
                clone = v.owner.clone()
                new.add_op(clone)
                value.update(zip(v.owner.results, clone.results))
            return value[v]

        needed = later_uses(segs, ret.operands)
        for k, seg in enumerate(segs):
            if seg.device is None:
                (t,) = seg.ops
                clone = t.clone(value_mapper={v: get(v) for v in t.operands})
                new.add_op(clone)
                value.update(zip(t.results, clone.results))
                continue
            part, ins, outs = sub_program(seg, needed[k], {})
            func = part.func
            func.detach()
            func.sym_name = StringAttr(f"part{k}_{re.sub(r'[^A-Za-z0-9_]', '_', seg.device)}")
            func.attributes["furcate.device"] = StringAttr(seg.device)
            op.body.block.insert_op_before(func, main)
            call = CallOp(func.sym_name.data, [get(v) for v in ins], [v.type for v in outs])
            new.add_op(call)
            value.update(zip(outs, call.results))
        new.add_op(ReturnOp(*[get(v) for v in ret.operands]))
        main.body.detach_block(block)
        main.body.add_block(new)


__all__ = ["Segment", "SplitPass", "later_uses", "segments", "sub_program"]
