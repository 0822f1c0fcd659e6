"""fuse ⇄ place: decide fusion and placement together, by trying both orders.

Fusion never spans two devices, so once a program is fused its groups can only
be placed whole — in effect the cost of splitting a group is infinite. That is
*sound* (every plan it yields is valid and costed correctly) but not always
*good*: a group whose ops would be better on different devices (a GEMM the
accelerator runs 100× faster, fused with an epilogue op only the host runs) is
kept together on the one device that runs all of it. So ``place_and_fuse``
builds two candidate plans and keeps the cheaper one by the cost model:

- ``groups``: fuse as usual, then place each fused group whole;
- ``ops``: place the *unfused* ops (every op its own unit), write each op's
  device as a hint, fuse — fusion keeps ops of different devices apart, so
  groups form within each device only — and place the re-fused groups,
  starting from the hinted devices (α-expansion only ever lowers the energy,
  so the result is at least as good as the hints).

Both candidates are costed by the same model (``place_cost``), so the kept
plan is never worse than either; ``Plan.strategy`` says which won and
``Plan.alternatives`` holds both totals (``explain`` prints them). Ties keep
``groups``.
"""

from __future__ import annotations

from collections.abc import Callable

from furcate.diagnostics import log
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir.program import Program
from furcate.passes.explain import STRATEGIES
from furcate.passes.place import Placer, Plan, Supports, log_plan, mark_hint, plan_key
from furcate.runtime.devices import Machine



def place_and_fuse(program: Program, machine: Machine, supports: dict[str, Supports],
                   pins: dict[str, str] | None, fuse: Callable[[Program], None]) -> Plan:
    """Fuse (``fuse(program)`` runs the fuse pass and any pass after it) and place ``program``
    — canonicalized, its pinned ops marked by ``pin_ops`` — choosing the cheaper of the two
    strategies of the module doc. ``program`` is rewritten in place (its ``module`` replaced
    when the ``ops`` strategy wins)."""
    unfused = program.clone() if len(machine.devices) > 1 else None
    fuse(program)
    grouped = Placer(program, machine, supports, pins)
    labels = grouped.solve()
    best, plan = grouped, grouped.explain(labels)
    alternatives = {"groups": plan.total_s}
    refused = None
    if unfused is not None and _has_fusions(program):
        try:
            refused, ref_labels = _place_ops_then_fuse(unfused, machine, supports, pins, fuse)
        except CompileError as e:  # e.g. unfused intermediates overflow a device's memory
            log("placement").debug("fuse <-> place: strategy 'ops' not possible: %s", e)
    if refused is not None:
        ref_plan = refused.explain(ref_labels)
        alternatives["ops"] = ref_plan.total_s
        if ref_plan.total_s < plan.total_s * (1 - 1e-9):
            best, labels, plan = refused, ref_labels, ref_plan
            plan.strategy = "ops"
            program.module = unfused.module
    best.apply(labels)
    plan.alternatives = alternatives
    plan.key = plan_key(machine, pins)
    log_plan(plan)
    return plan


def _has_fusions(program: Program) -> bool:
    return any(isinstance(op, d.FusionOp) for op in program.func.body.block.ops)


def _place_ops_then_fuse(program: Program, machine: Machine, supports, pins, fuse) -> tuple[Placer, list[str]]:
    """The ``ops`` strategy on ``program`` (unfused): its placer and labels, IR not yet rewritten."""
    ops = Placer(program, machine, supports, pins)
    for unit, dev in zip(ops.units, ops.solve()):
        if unit.pin is None:
            mark_hint(unit.op, dev)
    fuse(program)
    placer = Placer(program, machine, supports, pins)
    return placer, placer.solve()


__all__ = ["place_and_fuse", "STRATEGIES"]
