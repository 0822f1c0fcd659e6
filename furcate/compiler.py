"""The driver: IR → pass pipeline → backend → ``Executable``.

Frontends and the CLI call ``compile_program``; it is the only place that
knows both the passes and the backends.
"""

from __future__ import annotations

import functools
import logging
import os
import time
from collections import Counter

import numpy as np
from xdsl.dialects.func import FuncOp

from furcate import diagnostics
from furcate.backends import BackendUnavailable, Capabilities, get_backend, targets
from furcate.diagnostics import STATS, Dumper, current_dumper, log, timed
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir import reference
from furcate.ir.program import IRError, Program, make_context
from furcate.options import CompileOptions
from furcate.passes import place_pass
from furcate.passes.pipeline import make_pass, pass_name, resolve
from furcate.passes.place import Plan
from furcate.passes.split import later_uses, segments, sub_program
from furcate.runtime import devices as dev_mod
from furcate.runtime.executable import Executable
from furcate.runtime.link import Linker


def resolve_target(target: str | None) -> str:
    """``auto`` (or None) picks the best target this machine runs; others are checked by name."""
    if target in (None, "auto"):
        target = os.environ.get("FURCATE_TARGET", "auto")
    if target == "auto":
        return _auto_target()
    if target not in targets():
        raise ValueError(f"unknown target {target!r}; valid targets: {', '.join(['auto', *targets()])}")
    return target


_auto_warned = False


def _auto_target() -> str:
    """"c" where a C compiler works, else "numpy" (with one warning per process)."""
    global _auto_warned
    from furcate.backends.c.build import compiler

    if compiler() is not None:
        return "c"
    if not _auto_warned:
        _auto_warned = True
        log("fallback").warning("target auto: no working C compiler (check $CC); using the numpy backend")
    return "numpy"


def run_pipeline(program: Program, pipeline: str | list[str] = "default", *, dumper: Dumper | None = None,
                 after_each=None, capabilities=None) -> Program:
    """Run passes on ``program`` in place and verify the result; passes that take them
    (fuse) are built for the target's ``capabilities``."""
    ctx = make_context()
    for spec in resolve(pipeline):
        name = pass_name(spec)
        with timed(f"pass:{name}"):
            make_pass(spec, capabilities).apply(ctx, program.module)
        if dumper is not None and dumper.enabled:
            dumper.ir(name, program.text())
        if after_each is not None:
            after_each(name, program)
    try:
        program.verify()
    except IRError as e:
        raise IRError(f"IR invalid after pipeline {pipeline!r}: {e}") from None
    return program


def compile_program(program: Program, target: str | None = "auto",
                    options: CompileOptions | dict | None = None) -> Executable:
    """Compile a verified program for ``target``; the program is transformed in place.
    ``options``: a ``CompileOptions`` or a dict of its fields (checked by name)."""
    options = CompileOptions.of(options)
    name = options.name
    t_start = time.perf_counter()
    funcs = [op.sym_name.data for op in program.module.ops if isinstance(op, FuncOp)]
    if len(funcs) > 1:
        raise IRError(f"the program has {len(funcs)} functions ({', '.join('@' + f for f in funcs)}): the "
                      "output of the split pass is for reading; compile the IR before split (placement "
                      "splits it again)")
    target = resolve_target(target or options.target)
    dumper = Dumper(options.dump_dir, name)
    with dumper.active():  # this graph's log records, stage times and kernel sources go to its dump
        return _compile(program, target, options, dumper, name, t_start)


def _compile(program: Program, target: str, options: CompileOptions, dumper: Dumper, name: str,
             t_start: float) -> Executable:
    dumper.captured(options.captured)  # a frontend's FX graph / jaxpr (text or a function)
    if dumper.enabled:
        dumper.ir("input", program.text())
        dumper.constants(program.constants)
    if log("graph").isEnabledFor(logging.DEBUG):
        log("graph").debug("%s: input IR for %s\n%s", name, target, program.text())
    after = None
    if options.print_ir_after_all:
        def after(pass_name, prog):
            print(f"// -----// IR Dump After {pass_name} //----- //\n{prog.text()}", flush=True)
    if wants_placement(options):  # several devices: place, split, compile each part
        t0 = time.perf_counter()
        exe = compile_placed(program, options, functools.partial(run_pipeline, dumper=dumper, after_each=after))
        # compile_placed times each device's codegen as a stage "codegen:<target>@<device>" (dumper.stages
        # holds them when dumping, the only time these totals are written)
        t_codegen = sum(s for k, s in dumper.stages.items() if k.startswith("codegen:"))
        t_passes, target = time.perf_counter() - t0 - t_codegen, exe.target
    else:
        backend = get_backend(target)
        t0 = time.perf_counter()
        run_pipeline(program, options.pipeline, dumper=dumper, after_each=after,
                     capabilities=backend.capabilities())
        t_passes = time.perf_counter() - t0
        t0 = time.perf_counter()
        with timed(f"codegen:{target}"):
            exe = backend.compile(program, options)
        t_codegen = time.perf_counter() - t0
    exe.name = name
    if log("fusion").isEnabledFor(logging.DEBUG):
        log("fusion").debug("%s: %s", name, "; ".join(diagnostics.fusion_summary(program.module)) or "no fusions")
    if log("codegen").isEnabledFor(logging.DEBUG):
        log("codegen").debug("%s", exe.describe())
    if len({s.device for s in exe.steps}) > 1:
        log("graph_splits").info("%s: split over devices: %s", name, ", ".join(
            f"{dev} {n} step(s)" for dev, n in Counter(s.device for s in exe.steps).items()))
    ops = Counter(op.name for op in program.func.body.walk() if op.name.startswith("furcate."))
    ops.pop("furcate.yield", None)
    with STATS.lock:
        STATS.graphs_compiled += 1
        STATS.ops_compiled.update(ops)
        for step in exe.steps:
            STATS.kernels[step.target] += 1
    total = time.perf_counter() - t_start
    log("graph").debug("compiled %s for %s: %d ops, %d steps, %.1f ms", name, target,
                       sum(ops.values()), len(exe.steps), total * 1e3)
    if dumper.enabled:
        dumper.write("executable.txt", exe.describe() + "\n")
        if getattr(exe, "placement", None) is not None:
            from furcate.passes import explain

            dumper.write("placement.txt", explain.report(exe.placement) + "\n")
            dumper.write("placement.html", explain.html(exe.placement, f"furcate placement: {name}"))
        dumper.finish({"passes_s": t_passes, "codegen_s": t_codegen, "total_s": total},
                      target=exe.target, ops=sum(ops.values()), steps=len(exe.steps))
    return exe


# --------------------------------------------------------------------------
# several devices: place (passes/place_pass.py), split (passes/split.py), compile each part
# with its device's backend, link (runtime/link.py)

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


def fusion_kinds(machine: dev_mod.Machine) -> frozenset:
    """The fusion kinds some backend of the machine compiles (all kernel kinds if none say)."""
    kinds = frozenset()
    for dev in machine.devices:
        for cap in _capabilities(dev):
            kinds |= cap.fusion_kinds
    return kinds or ALL_FUSION_KINDS


place_pass.SUPPORTS = lambda machine: (supports_table(machine), fusion_kinds(machine))


def placement_pipeline(program: Program, options: CompileOptions | dict, machine: dev_mod.Machine,
                       run_pipeline) -> Plan:
    """The passes before ``fuse``, then pins and fuse ⇄ place (``place_pass.place_program``)
    with ``fuse`` and the passes after it, on ``program`` in place."""
    options = CompileOptions.of(options)
    names = resolve(options.pipeline)
    caps = Capabilities(target="placed", device="*", fusion_kinds=fusion_kinds(machine))
    bare = [pass_name(n) for n in names]
    cut = bare.index("fuse") if "fuse" in bare else len(names)
    run_pipeline(program, names[:cut], capabilities=caps)
    first = [True]

    def fuse(prog: Program) -> None:
        if first[0]:  # the plan's own fusion: dumped and printed like any pass
            first[0] = False
            run_pipeline(prog, names[cut:], capabilities=caps)
        else:  # the other strategy's trial fusion
            run_pipeline(prog, names[cut:], capabilities=caps, dumper=None, after_each=None)

    return place_pass.place_program(program, machine, supports_table(machine), dict(options.placement or {}), fuse)


def _target_for(dev: dev_mod.Device) -> str:
    return next(iter(_backends(dev)))


def _source_value(op, constants: dict) -> np.ndarray:
    if isinstance(op, d.ConstantOp):
        return op.numpy()
    if isinstance(op, d.ConstantRefOp):
        return np.asarray(constants[op.ref.data])
    iota = reference.evaluator("iota", op.attrs(), [], [d.spec_of(op.results[0])])
    return np.ascontiguousarray(iota())


def _dump_part(k: int, device: str, target: str, prog: Program) -> None:
    """Write the sub-program of segment ``k`` into the graph's dump (``part_NN_<device>.mlir``)."""
    dumper = current_dumper()
    if dumper is not None and dumper.enabled:
        dumper.write(f"part_{k:02d}_{device.replace(':', '-')}.mlir",
                     f"// segment {k}: device {device}, compiled by {target}\n{prog.text()}")


def compose(program: Program, machine: dev_mod.Machine, options: CompileOptions) -> Executable:
    """Split a placed program by device, compile each part, and link them into one Executable."""
    block = program.func.body.block
    host = machine.host.name
    ret = block.last_op
    slot = {a: i for i, a in enumerate(block.args)}
    link = Linker(len(block.args))
    segs = segments(block, host)
    needed = later_uses(segs, ret.operands)
    for k, seg in enumerate(segs):
        if seg.device is None:
            (t,) = seg.ops
            slot[t.result] = link.add_transfer(slot[t.operand], t.src.data, t.dst.data, machine[t.dst.data])
            continue
        dev = machine[seg.device]
        prog, ins, outs = sub_program(seg, needed[k], program.constants)
        target = _target_for(dev)
        _dump_part(k, dev.name, target, prog)
        with timed(f"codegen:{target}@{dev.name}"):  # each device's code generation is a stage
            sub = get_backend(target).compile(prog, options.replace(name=f"{options.name}_{k}"))
        for v, j in zip(outs, link.add_part(sub, [slot[v] for v in ins], seg.device)):
            slot[v] = j
    for v in ret.operands:  # a returned constant: a value of the executable
        if v not in slot:
            slot[v] = link.add_constant(_source_value(v.owner, program.constants))
    names = [getattr(a, "name_hint", None) for a in block.args]
    return link.finish([slot[v] for v in ret.operands], program.input_specs, program.output_specs, host, names)


def compile_placed(program: Program, options: CompileOptions, run_pipeline) -> Executable:
    """Place ``program`` on the machine the options name and compile it: placement, then
    one part per run of same-device ops, each compiled by its device's backend, linked
    with transfer steps."""
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


__all__ = ["compile_program", "run_pipeline", "resolve_target", "diagnostics", "compile_placed",
           "placement_pipeline", "supports_table", "wants_placement", "compose"]
