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

from furcate import diagnostics
from furcate.backends import get_backend, targets
from furcate import hetero
from furcate.diagnostics import STATS, Dumper, log, timed
from furcate.ir.program import IRError, Program, make_context
from furcate.options import CompileOptions
from furcate.passes.pipeline import make_pass, resolve
from furcate.runtime.executable import Executable

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
    for name in resolve(pipeline):
        with timed(f"pass:{name}"):
            make_pass(name, capabilities).apply(ctx, program.module)
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
    target = resolve_target(target or options.target)
    dumper = Dumper(options.dump_dir, name)
    with dumper.active():  # this graph's log records, stage times and kernel sources go to its dump
        return _compile(program, target, options, dumper, name, t_start)


def _compile(program: Program, target: str, options: CompileOptions, dumper: Dumper, name: str,
             t_start: float) -> Executable:
    dumper.captured(options.captured)  # a frontend's FX graph / jaxpr (text or a function)
    if dumper.enabled:
        dumper.ir("input", program.text())
    if log("graph").isEnabledFor(logging.DEBUG):
        log("graph").debug("%s: input IR for %s\n%s", name, target, program.text())
    after = None
    if options.print_ir_after_all:
        def after(pass_name, prog):
            print(f"// -----// IR Dump After {pass_name} //----- //\n{prog.text()}", flush=True)
    if hetero.wants_placement(options):  # several devices: place, split, compile each part
        t0 = time.perf_counter()
        exe = hetero.compile_placed(program, options, functools.partial(run_pipeline, dumper=dumper, after_each=after))
        # hetero times each device's codegen as a stage "codegen:<target>@<device>" (dumper.stages
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


__all__ = ["compile_program", "run_pipeline", "resolve_target", "diagnostics"]
