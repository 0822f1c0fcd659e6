"""place: the placement pass, ``furcate opt -p 'canonicalize,place{devices=cpu,"sim:h100"}'``.

Places a canonicalized, unfused program over a machine's devices: pins (``pins``,
``kind=device``) are written on the ops, then fusion and placement are decided together
(``place_fuse.place_and_fuse``: fused groups placed whole, or ops placed first and fused
per device, whichever the cost model finds cheaper). The result is the placed IR: every
fusion and top-level op carries its ``device``, and ``furcate.transfer`` ops move values
between devices. ``passes/split.py`` cuts such a program into one part per device run.

Which device can run which ops comes from the backends' capabilities, which a pass does
not import (passes sit below backends): the driver (``furcate/compiler.py``) installs
``SUPPORTS`` when it is imported, as ``compile_program`` and the CLI do. The driver's own
placement (``compiler.placement_pipeline``) calls the same ``place_program``, with its
dumps and the plan kept for ``explain``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from furcate.ir.program import Program
from furcate.passes.fuse import FusePass
from furcate.passes.place import Plan, pin_ops
from furcate.passes.place_fuse import place_and_fuse
from furcate.runtime import devices as dev_mod

# machine -> ({device name: supports(op_kinds, dtypes)}, the fusion kinds its backends
# compile): set by the driver (see the module doc)
SUPPORTS: Callable[[dev_mod.Machine], tuple[dict, frozenset]] | None = None


def parse_pins(pins, what: str = "place: pins") -> dict[str, str]:
    """``("gather=sim:h100", ...)`` -> {op kind: device}; a bad one is a ``ValueError``
    starting with ``what`` (the option or flag the pins came from)."""
    out = {}
    for p in pins:
        kind, eq, dev = p.partition("=")
        if not eq or not kind.strip() or not dev.strip():
            raise ValueError(f"{what}: expected KEY=DEVICE (e.g. gather=cpu), got {p!r}")
        out[kind.strip()] = dev.strip()
    return out


def place_program(program: Program, machine: dev_mod.Machine, supports: dict, pins: dict[str, str],
                  fuse: Callable[[Program], None]) -> Plan:
    """Pins, then fuse ⇄ place on ``program`` in place (its module may be replaced):
    the plan. ``fuse(program)`` runs the fusion (and whatever the pipeline runs after it)."""
    pin_ops(program, pins)
    return place_and_fuse(program, machine, supports, pins, fuse)


@dataclass(frozen=True)
class PlacePass(ModulePass):
    """Fuse and place over ``devices`` (names as ``furcate.devices()`` lists them, or
    ``sim:PART``; none: this machine), honouring ``pins``; fusion of ``kinds`` (none: the
    kinds the devices' backends compile)."""

    name = "place"

    devices: tuple[str, ...] = ()
    pins: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if SUPPORTS is None:
            raise RuntimeError("place: no backend table installed (import furcate.compiler first)")
        machine = dev_mod.resolve(list(self.devices)) if self.devices else dev_mod.machine()
        supports, kinds = SUPPORTS(machine)
        fuse = FusePass(kinds=self.kinds or tuple(sorted(kinds)))
        program = Program(op, {})

        def run_fuse(prog: Program) -> None:
            fuse.apply(ctx, prog.module)

        place_program(program, machine, supports, parse_pins(self.pins), run_fuse)
        if program.module is not op:  # the "ops" strategy won: its module replaces the body
            for old in list(op.ops):
                old.detach()
                old.erase()
            for new in list(program.module.ops):
                new.detach()
                op.body.block.add_op(new)
