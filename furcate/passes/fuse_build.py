"""Turning the groups ``fuse_group.Fuser`` decided into ``furcate.fusion`` ops.

For each group: the region copies the group's ops, the layout ops between
them and the small constants / iotas they read, in program order; every other
value the region reads becomes an operand (a block argument); every member
read outside the group is yielded. Then the originals are erased and the
function body is put back in a topological order close to the original one.
"""

from __future__ import annotations

import heapq

from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Operation, Region, SSAValue

from furcate.ir import dialect as d
from furcate.passes.fuse_group import Group
from furcate.passes.fuse_legal import consumers
from furcate.passes.fuse_policy import LAYOUT_OPS, SOURCE_OPS


def _region_ops(g: Group, order: dict[Operation, int]) -> tuple[list[Operation], list[SSAValue]]:
    """The ops a region copies (program order: ``order``) and the values it takes as
    operands: what its ops read, through the layout and source ops it copies too (a
    depth-first walk with an explicit stack: layout chains of any length)."""
    gops = g.ops()
    extra: set[Operation] = set()
    inputs: list[SSAValue] = []
    taken: set[SSAValue] = set()
    for op in sorted(gops, key=order.__getitem__):
        stack = [iter(op.operands)]
        while stack:
            v = next(stack[-1], None)
            if v is None:
                stack.pop()
                continue
            owner = v.owner
            if owner in gops or owner in extra:
                continue
            if isinstance(owner, LAYOUT_OPS + SOURCE_OPS):
                extra.add(owner)
                stack.append(iter(owner.operands))
            elif v not in taken:
                taken.add(v)
                inputs.append(v)
    return sorted(gops | extra, key=order.__getitem__), inputs


def _outputs(g: Group, all_inputs: set[SSAValue], remaining: set[Operation]) -> list[SSAValue]:
    """Members whose value another group takes as an operand or a remaining op reads."""
    outs = []
    for m in g.members:
        v = m.results[0]
        if v in all_inputs or any(u in remaining for u, _ in consumers(v)):
            outs.append(v)
    return outs


def build_groups(func: FuncOp, groups: list[Group], covered: set[Operation]) -> None:
    """Replace each group by a ``furcate.fusion``; ``covered`` ops only live on as copies."""
    block = func.body.block
    if not groups:
        return
    order = {op: i for i, op in enumerate(block.ops)}
    plans = [(g, *_region_ops(g, order)) for g in groups]
    all_inputs = {v for _, _, ins in plans for v in ins}
    erase = {m for g in groups for m in g.members} | covered
    remaining = set(block.ops) - erase
    fusions = []
    for g, ops, inputs in plans:
        outputs = _outputs(g, all_inputs, remaining)
        body = Block(arg_types=[v.type for v in inputs])
        mapping: dict[SSAValue, SSAValue] = dict(zip(inputs, body.args))
        for op in ops:
            body.add_op(op.clone(value_mapper=mapping))
        body.add_op(d.YieldOp(*[mapping[v] for v in outputs]))
        fusion = d.FusionOp(inputs, [v.type for v in outputs], Region(body), g.kind, g.device)
        block.insert_op_before(fusion, g.root)
        fusions.append((fusion, outputs))
    for fusion, outputs in fusions:
        for v, r in zip(outputs, fusion.results):
            v.replace_all_uses_with(r)
    for op in reversed(list(block.ops)):
        if op in erase or (isinstance(op, LAYOUT_OPS + SOURCE_OPS) and not op.results[0].uses):
            block.erase_op(op)
    _topological_order(block)


def _topological_order(block: Block) -> None:
    """Reorder ``block`` so every op follows its operands' definitions, keeping the current
    order wherever it is already valid; the terminator stays last."""
    ops = list(block.ops)
    term = ops[-1] if isinstance(ops[-1], ReturnOp) else None
    body = ops[:-1] if term else ops
    index = {op: i for i, op in enumerate(body)}
    deps = {op: {o.owner for o in op.operands if o.owner in index} for op in body}
    users: dict[Operation, list[Operation]] = {op: [] for op in body}
    for op, ds in deps.items():
        for dep in ds:
            users[dep].append(op)
    waiting = {op: len(ds) for op, ds in deps.items()}
    ready = [(index[op], id(op), op) for op in body if not waiting[op]]
    heapq.heapify(ready)
    order = []
    while ready:
        _, _, op = heapq.heappop(ready)
        order.append(op)
        for u in users[op]:
            waiting[u] -= 1
            if not waiting[u]:
                heapq.heappush(ready, (index[u], id(u), u))
    if order == body:
        return
    for op in body:
        block.detach_op(op)
    anchor = term
    for op in order:
        if anchor is not None:
            block.insert_op_before(op, anchor)
        else:
            block.add_op(op)
