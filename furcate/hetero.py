"""The heterogeneous driver: place a program over several devices, split it into one
sub-program per run of same-device ops, compile each with its device's backend, and
compose one ``Executable`` of their steps plus transfer steps.

``compile_placed`` is what ``compile_program`` calls when the options ask for
placement (``devices=[...]`` with more than one device, or ``placement={...}``
pins). The pipeline is the usual one with two additions: pins are written on
the ops before ``fuse`` (so fusion never merges ops pinned to different
devices) and ``fuse`` ⇄ ``place`` (``passes/place_fuse.py``) decides fusion and placement
together: fused groups placed whole, or ops placed first and fused per device.

Each sub-program is an ordinary furcate ``Program`` (its inputs are the values
it reads from earlier steps, its outputs the values later steps read), so any
backend compiles it: ``c`` or ``numpy`` for ``cpu``, ``xla`` for ``xla:*``;
simulated devices run on the host with ``numpy``. A ``furcate.transfer``
becomes a step that makes the array a buffer of the destination device
(``runtime.devices.to_device``; ``jax.device_put`` for XLA devices).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp, ReturnOp
from xdsl.ir import Block, Region, SSAValue

from furcate.backends import BackendUnavailable, Capabilities, get_backend
from furcate.diagnostics import current_dumper, log, timed
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir import reference
from furcate.ir.program import Program
from furcate.options import CompileOptions
from furcate.passes.place import Plan, pin_ops
from furcate.passes.place_fuse import place_and_fuse
from furcate.passes.place_cost import SOURCE_OPS
from furcate.runtime import devices as dev_mod
from furcate.runtime.executable import Executable, Step

ALL_FUSION_KINDS = frozenset({"pointwise", "reduction", "gemm"})


def wants_placement(options: CompileOptions) -> bool:
    if options.devices is not None:
        return len(dev_mod.resolve(options.devices).devices) > 1
    return bool(options.placement)


def machine_of(options: CompileOptions) -> dev_mod.Machine:
    return dev_mod.machine() if options.devices is None else dev_mod.resolve(options.devices)


def _backends(dev: dev_mod.Device) -> dict:
    """target -> backend for the device's targets that are available here, in preference order."""
    found = {}
    for t in dev.targets:
        try:
            found[t] = get_backend(t)
        except (BackendUnavailable, ImportError):
            continue
    if not found:
        raise CompileError(f"device {dev.name}: none of its backends ({', '.join(dev.targets)}) is available")
    return found


def _capabilities(dev: dev_mod.Device) -> list[Capabilities]:
    return [b.capabilities() for b in _backends(dev).values()]


def supports_table(machine: dev_mod.Machine) -> dict:
    """device name -> ``supports(op_kinds, dtypes)`` from its backends' capabilities."""
    table = {}
    for dev in machine.devices:
        caps = _capabilities(dev)

        def supports(kinds, dtypes, caps=caps):
            return any(all(c.supports_op(k, dtypes) for k in kinds) for c in caps)

        table[dev.name] = supports
    return table


def placement_pipeline(program: Program, options: CompileOptions | dict, machine: dev_mod.Machine,
                       run_pipeline) -> Plan:
    """canonicalize → (pins) → fuse ⇄ place, on ``program`` in place (``place_fuse``: fused
    groups placed whole, or ops placed then fused per device, whichever is estimated cheaper)."""
    options = CompileOptions.of(options)
    from furcate.passes.pipeline import resolve

    names = resolve(options.pipeline)
    kinds = frozenset()
    for dev in machine.devices:
        for cap in _capabilities(dev):
            kinds |= cap.fusion_kinds
    caps = Capabilities(target="placed", device="*", fusion_kinds=kinds or ALL_FUSION_KINDS)
    cut = names.index("fuse") if "fuse" in names else len(names)
    pins = dict(options.placement or {})
    run_pipeline(program, names[:cut], capabilities=caps)
    pin_ops(program, pins)
    first = [True]

    def fuse(prog: Program) -> None:
        if first[0]:  # the plan's own fusion: dumped and printed like any pass
            first[0] = False
            run_pipeline(prog, names[cut:], capabilities=caps)
        else:  # the other strategy's trial fusion
            run_pipeline(prog, names[cut:], capabilities=caps, dumper=None, after_each=None)

    return place_and_fuse(program, machine, supports_table(machine), pins, fuse)


# --------------------------------------------------------------------------
# splitting


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


def _target_for(dev: dev_mod.Device) -> str:
    return next(iter(_backends(dev)))


def _transfer_kernel(dst: dev_mod.Device):
    def transfer(x):
        return [dev_mod.to_device(x, dst)]

    return transfer


def _copy(*xs):
    return [np.array(x, copy=True) for x in xs]


def _source_value(op, constants: dict) -> np.ndarray:
    if isinstance(op, d.ConstantOp):
        return op.numpy()
    if isinstance(op, d.ConstantRefOp):
        return np.asarray(constants[op.ref.data])
    iota = reference.evaluator("iota", op.attrs(), [], [d.spec_of(op.results[0])])
    return np.ascontiguousarray(iota())


def compose(program: Program, machine: dev_mod.Machine, options: CompileOptions) -> Executable:
    """Split a placed program by device, compile each part, and join them into one Executable."""
    block = program.func.body.block
    host = machine.host.name
    ret = block.last_op
    slot: dict[SSAValue, int] = {a: i for i, a in enumerate(block.args)}
    n_slots = len(block.args)
    segs = segments(block, host)
    steps: list[Step] = []
    constants: dict[int, object] = {}
    for k, seg in enumerate(segs):
        later = {v for s in segs[k + 1:] for op in s.ops for v in op.operands} | set(ret.operands)
        if seg.device is None:
            (t,) = seg.ops
            slot[t.result] = n_slots
            n_slots += 1
            dst = machine[t.dst.data]
            steps.append(Step(_transfer_kernel(dst), [slot[t.operand]], [slot[t.result]],
                              f"transfer {t.src.data}->{t.dst.data}", dst.name, "transfer"))
            continue
        dev = machine[seg.device]
        prog, ins, outs = sub_program(seg, later, program.constants)
        target = _target_for(dev)
        _dump_part(k, dev.name, target, prog)
        with timed(f"codegen:{target}@{dev.name}"):  # each device's code generation is a stage
            sub = get_backend(target).compile(prog, options.replace(name=f"{options.name}_{k}"))
        remap = {i: slot[v] for i, v in enumerate(ins)}
        base = n_slots
        n_slots += sub.n_slots

        def m(j, remap=remap, base=base):
            return remap[j] if j in remap else base + j

        for j, val in sub.constants.items():
            constants[m(j)] = val
        for s in sub.steps:
            steps.append(Step(s.kernel, [m(j) for j in s.inputs], [m(j) for j in s.outputs],
                              s.name, seg.device, s.target))
        for v, j in zip(outs, sub.output_slots):
            slot[v] = m(j)
    for v in ret.operands:  # a returned constant: a value of the executable
        if v not in slot:
            slot[v] = n_slots
            constants[n_slots] = _source_value(v.owner, program.constants)
            n_slots += 1
    out_slots = []
    copy_in, copy_out = [], []
    for v in ret.operands:
        j = slot[v]
        if j < len(block.args) or j in constants or j in out_slots:
            copy_in.append(j)
            copy_out.append(n_slots)
            j = n_slots
            n_slots += 1
        out_slots.append(j)
    if copy_in:
        steps.append(Step(_copy, copy_in, copy_out, "copy", host, "numpy"))
    names = [getattr(a, "name_hint", None) for a in block.args]
    return Executable(list(program.input_specs), list(program.output_specs), steps, out_slots,
                      constants, n_slots=n_slots, target="+".join(sorted({s.target for s in steps})),
                      input_names=names)


def _dump_part(k: int, device: str, target: str, prog: Program) -> None:
    """Write the sub-program of segment ``k`` into the graph's dump (``part_NN_<device>.mlir``)."""
    dumper = current_dumper()
    if dumper is not None and dumper.enabled:
        dumper.write(f"part_{k:02d}_{device.replace(':', '-')}.mlir",
                     f"// segment {k}: device {device}, compiled by {target}\n{prog.text()}")


def compile_placed(program: Program, options: CompileOptions, run_pipeline) -> Executable:
    """Place ``program`` on the machine the options name and compile it (see module doc)."""
    machine = machine_of(options)
    plan = placement_pipeline(program, options, machine, run_pipeline)
    program.verify()
    dumper = current_dumper()
    if dumper is not None and dumper.enabled:
        dumper.ir("place", program.text())  # the placed IR: device attributes and transfers
    log("placement").info("placed %s on %s: estimated %.3g ms", options.name,
                          ", ".join(plan.devices_used()), plan.total_s * 1e3)
    exe = compose(program, machine, options)
    exe.placement = plan
    return exe


__all__ = ["compile_placed", "wants_placement", "compose", "segments", "placement_pipeline", "supports_table"]
