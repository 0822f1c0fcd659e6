"""place: assign every unit (fusion or unfused top-level op) of a fused program a device.

Inputs: a ``Machine`` (devices with specs and links), what each device can run
(``supports[device](op_kinds, dtypes) -> bool``, built by the driver from the
backends' capabilities — this pass imports no backend) and user pins
(``{"gather": "cpu", "dot_general": "xla:cpu", "gemm_*": ...}``: an op kind, a
fusion kind ``fusion:gemm`` or a glob on unit names).

The pass
1. costs every unit on every device (``place_cost``); forbids devices that do
   not run one of its ops, whose memory it does not fit, or that a pin excludes;
2. minimizes compute + transfer time by α-expansion (``place_solve``),
   starting from everything on the host (program inputs arrive there and
   outputs return there);
3. enforces memory capacity: while a device's resident weights plus its
   largest working set exceed its memory, the unit with the most weights there
   is excluded from it and the plan is solved again;
4. rewrites the IR: a fusion's ``device`` property, a ``device`` attribute on
   other ops, a copy of each source (constants, weights, iotas) per device
   that reads it, and one ``furcate.transfer`` per (value, destination device),
   placed just before its first reader there;
5. returns a ``Plan`` that says, per unit, the device chosen, its time on every
   device, the transfers it reads and why (``explain.py`` prints it).

Pins given before fusion (``pin_ops``) set the ``device`` attribute on the
matching ops, so fusion never merges a pinned op with ops of another device.
A ``device`` attribute marked ``place_hint`` (``mark_hint``) is a starting
point, not a pin: ``place_fuse`` uses it to fuse per device after placing
unfused ops, and the placer starts from it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.dialects.builtin import StringAttr

from furcate.diagnostics import log
from furcate.errors import CompileError
from furcate.ir import dialect as d
from furcate.ir.program import Program
from furcate.passes.explain import report
from furcate.passes.place_cost import SOURCE_OPS, Unit, make_units, nbytes, pin_matches, unit_time
from furcate.passes.place_solve import INF, Problem, Value
from furcate.runtime.devices import Machine

Supports = Callable[[list[str], list[str]], bool]


@dataclass
class Decision:
    """Why one unit went where it did."""

    unit: str
    label: str
    device: str
    times: dict[str, float | None]  # estimated time per device; None where it cannot run
    excluded: dict[str, str]  # device -> why it was not allowed (unsupported, capacity, pinned)
    reason: str  # fastest | pinned | capacity | transfer-bound | unsupported
    detail: str
    transfer_in: float = 0.0  # seconds of transfers feeding this unit


@dataclass
class Transfer:
    value: str
    src: str
    dst: str
    nbytes: int
    seconds: float


@dataclass
class Plan:
    """The outcome of placement: decisions, transfers, estimated totals."""

    machine: Machine
    decisions: list[Decision]
    transfers: list[Transfer]
    compute_s: float
    transfer_s: float
    single: dict[str, float | None]  # all units on one device (None: impossible)
    single_why: dict[str, str]
    memory: dict[str, int]  # bytes resident per device
    key: str = ""  # fingerprint of the specs and pins the plan was made with
    edges: list[tuple[str, str, int, bool]] = field(default_factory=list)  # unit graph for drawing
    # fuse ⇄ place (place_fuse.py): "groups" (fused groups placed whole) or "ops" (ops placed,
    # then fused per device), and the estimated total of each strategy that was tried
    strategy: str = "groups"
    alternatives: dict[str, float] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return self.compute_s + self.transfer_s

    def devices_used(self) -> list[str]:
        return sorted({dec.device for dec in self.decisions})


def pin_ops(program: Program, pins: dict[str, str] | None) -> None:
    """Before fusion: mark top-level ops whose kind is pinned with a ``device`` attribute."""
    for op in program.func.body.block.ops:
        if isinstance(op, (d.FurcateOp,)) and not isinstance(op, SOURCE_OPS):
            kind = op.name.split(".", 1)[1]
            if pins and kind in pins:
                op.attributes["device"] = StringAttr(pins[kind])


# Marks a ``device`` attribute written as a *starting point* (fuse ⇄ place, ``place_fuse``),
# not as a pin: placement may move the op's group elsewhere.
HINT = "place_hint"


def _marked(unit: Unit) -> list:
    """The ops whose ``device`` attribute speaks for ``unit``: itself, or a fusion's body ops."""
    if isinstance(unit.op, d.FusionOp):
        return [o for o in unit.op.body.block.ops if "device" in o.attributes]
    return [unit.op] if "device" in unit.op.attributes else []


def _existing_pin(unit: Unit) -> str | None:
    """The device a ``device`` attribute (a user's, or one ``pin_ops`` wrote) pins ``unit`` to."""
    marked = _marked(unit)
    if marked and all(HINT in o.attributes for o in marked):
        return None
    if isinstance(unit.op, d.FusionOp):
        dev = unit.op.device.data  # set by fuse from its ops' attributes, or written by hand
    else:
        dev = marked[0].attributes["device"].data if marked else None
    return None if dev in (None, "default") else dev


def _hint(unit: Unit) -> str | None:
    """The device a fuse ⇄ place hint proposes for ``unit`` (None: no hint)."""
    hinted = [o for o in _marked(unit) if HINT in o.attributes]
    return hinted[0].attributes["device"].data if hinted else None


def mark_hint(op, device: str) -> None:
    """Propose ``device`` for ``op`` (fusion keeps ops of different devices apart; placement
    starts from it but may move it)."""
    op.attributes["device"] = StringAttr(device)
    op.attributes[HINT] = StringAttr(device)


def strip_hints(block) -> None:
    """Remove the hints (and the ``device`` attributes they wrote inside fusions)."""
    for op in block.walk():
        if HINT in op.attributes:
            del op.attributes[HINT]
            if op.parent_op() is not None and isinstance(op.parent_op(), d.FusionOp):
                del op.attributes["device"]


def _resolve_pins(units: list[Unit], machine: Machine, pins: dict[str, str]) -> None:
    names = set(machine.names)
    for key, dev in pins.items():
        if dev not in names:
            raise ValueError(f"placement pin {key!r}: no device {dev!r}; devices: {', '.join(sorted(names))}")
    for u in units:
        chosen = {}
        for key, dev in pins.items():
            if pin_matches(key, u):
                chosen.setdefault(dev, f"pin {key!r}")
        if (dev := _existing_pin(u)) is not None:
            chosen.setdefault(dev, "its device attribute")
        if len(chosen) > 1:
            raise CompileError(f"placement: {u.label} is pinned to several devices: "
                               + ", ".join(f"{dv} ({why})" for dv, why in chosen.items()))
        if chosen:
            (u.pin, u.pin_reason), = chosen.items()
            if u.pin not in names:
                raise ValueError(f"placement: {u.label} is pinned to {u.pin!r}, which is not one of the "
                                 f"devices {', '.join(sorted(names))}")


def _values(block, units: list[Unit], host: str) -> list[Value]:
    index = {u.op: u.index for u in units}
    ret = block.last_op
    produced = list(block.args) + [r for u in units for r in u.op.results]
    out = []
    for v in produced:
        consumers: list[int | str] = []
        for use in v.uses:
            if use.operation is ret:
                if host not in consumers:
                    consumers.append(host)
            elif use.operation in index and index[use.operation] not in consumers:
                consumers.append(index[use.operation])
        if not consumers:
            continue
        producer = index[v.owner] if v.owner in index else host
        name = getattr(v, "name_hint", None) or (units[producer].name if isinstance(producer, int) else "arg")
        out.append(Value(producer, consumers, nbytes(v), name))
    return out


class Placer:
    """One placement problem: a fused program on a machine."""

    def __init__(self, program: Program, machine: Machine, supports: dict[str, Supports],
                 pins: dict[str, str] | None = None):
        self.program = program
        self.machine = machine
        self.block = program.func.body.block
        if any(isinstance(op, d.TransferOp) for op in self.block.ops):
            raise CompileError("place: the program already has furcate.transfer ops (placed twice?)")
        self.host = machine.host.name
        self.units = make_units(self.block)
        _resolve_pins(self.units, machine, dict(pins or {}))
        self.devs = machine.names
        self.raw: list[dict[str, float]] = []  # time per device, INF where unsupported
        self.excluded: list[dict[str, str]] = []
        for u in self.units:
            times, excl = {}, {}
            for dev in machine.devices:
                ok = supports[dev.name](u.kinds, u.dtypes) and (dev.ops is None or set(u.kinds) <= dev.ops)
                if not ok:
                    times[dev.name] = INF
                    excl[dev.name] = "unsupported"
                    continue
                times[dev.name] = unit_time(u, dev)
                if u.memory_need() > dev.spec.memory:
                    excl[dev.name] = f"capacity: needs {_gb(u.memory_need())}, has {_gb(dev.spec.memory)}"
            if u.pin is not None:
                for dev in self.devs:
                    if dev != u.pin:
                        excl.setdefault(dev, f"pinned to {u.pin}")
                if times[u.pin] == INF:
                    raise CompileError(f"placement: {u.label} is pinned to {u.pin}, which cannot run "
                                       f"{', '.join(u.kinds)}")
            if all(dev in excl for dev in self.devs):
                raise CompileError(f"placement: no device can run {u.label}: "
                                   + "; ".join(f"{k}: {v}" for k, v in excl.items()))
            self.raw.append(times)
            self.excluded.append(excl)
        self.values = _values(self.block, self.units, self.host)

    def transfer_time(self, a: str, b: str, n: int) -> float:
        return self.machine.link(a, b).time(n)

    def problem(self, respect_exclusions: bool = True) -> Problem:
        unary = []
        for u, times in enumerate(self.raw):
            excl = self.excluded[u] if respect_exclusions else {}
            unary.append({dev: (INF if dev in excl else t) for dev, t in times.items()})
        return Problem(self.devs, unary, self.values, self.transfer_time)

    def start(self, prob: Problem) -> list[str]:
        """Each unit on its hinted device (fuse ⇄ place), else on the host, where allowed."""
        labels = []
        for u, costs in zip(self.units, prob.unary):
            hint = _hint(u)
            if hint in costs and costs[hint] < INF:
                labels.append(hint)
            else:
                labels.append(self.host if costs[self.host] < INF else min(costs, key=costs.get))
        return labels

    def memory(self, labels: list[str]) -> dict[str, int]:
        """Bytes resident per device: its distinct weights plus its largest working set."""
        weights: dict[str, dict[str, int]] = {dev: {} for dev in self.devs}
        work = {dev: 0 for dev in self.devs}
        for u, dev in zip(self.units, labels):
            weights[dev].update(u.weights)
            work[dev] = max(work[dev], u.working_set())
        return {dev: sum(weights[dev].values()) + work[dev] for dev in self.devs}

    def solve(self) -> list[str]:
        while True:
            prob = self.problem()
            labels = prob.solve(self.start(prob))
            over = [dev for dev, used in self.memory(labels).items()
                    if used > self.machine[dev].spec.memory]
            if not over:
                return labels
            dev = over[0]
            movable = [u for u in self.units if labels[u.index] == dev
                       and any(o not in self.excluded[u.index] for o in self.devs if o != dev)]
            if not movable:
                raise CompileError(f"placement: the program does not fit in the memory of {dev} "
                                   f"({_gb(self.machine[dev].spec.memory)}) and nothing can move elsewhere")
            victim = max(movable, key=lambda u: (sum(u.weights.values()), u.bytes))
            self.excluded[victim.index][dev] = (
                f"capacity: {dev} holds {_gb(self.memory(labels)[dev])} with it, has "
                f"{_gb(self.machine[dev].spec.memory)}")

    # -- the plan and the IR ------------------------------------------------
    def run(self) -> Plan:
        labels = self.solve()
        plan = self.explain(labels)
        self.apply(labels)
        return plan

    def apply(self, labels: list[str]) -> None:
        """Write ``labels`` into the IR (and drop the fuse ⇄ place hints)."""
        rewrite(self.block, self.units, labels, self.host)
        strip_hints(self.block)

    def explain(self, labels: list[str]) -> Plan:
        prob = self.problem()
        transfers = []
        t_in = [0.0] * len(self.units)
        for v in self.values:
            src = prob.label_of(v.producer, labels)
            for dst in dict.fromkeys(prob.label_of(c, labels) for c in v.consumers):
                if dst == src:
                    continue
                sec = self.transfer_time(src, dst, v.nbytes)
                transfers.append(Transfer(v.name, src, dst, v.nbytes, sec))
                for c in v.consumers:
                    if isinstance(c, int) and labels[c] == dst:
                        t_in[c] += sec
        decisions = []
        for u, dev in zip(self.units, labels):
            reason, detail = self._reason(u, dev)
            times = {k: (None if t == INF else t) for k, t in self.raw[u.index].items()}
            decisions.append(Decision(u.name, u.label, dev, times, dict(self.excluded[u.index]),
                                      reason, detail, t_in[u.index]))
        compute = sum(self.raw[u.index][dev] for u, dev in zip(self.units, labels))
        single, why = {}, {}
        free = self.problem(respect_exclusions=False)
        for dev in self.devs:
            blocked = [u for u in self.units if self.raw[u.index][dev] == INF]
            too_big = self.memory([dev] * len(self.units))[dev] > self.machine[dev].spec.memory
            if blocked:
                single[dev], why[dev] = None, f"cannot run {', '.join(sorted({k for u in blocked for k in u.kinds}))}"
            elif too_big:
                single[dev], why[dev] = None, f"does not fit in {_gb(self.machine[dev].spec.memory)}"
            else:
                single[dev], why[dev] = free.energy([dev] * len(self.units)), ""
        edges = []
        for v in self.values:
            src = prob.label_of(v.producer, labels)
            a = self.units[v.producer].name if isinstance(v.producer, int) else "inputs"
            for c in v.consumers:
                b = self.units[c].name if isinstance(c, int) else "outputs"
                dst = prob.label_of(c, labels)
                edges.append((a, b, v.nbytes, src != dst))
        return Plan(self.machine, decisions, transfers, compute, sum(t.seconds for t in transfers),
                    single, why, self.memory(labels), edges=edges)

    def _reason(self, u: Unit, dev: str) -> tuple[str, str]:
        times = self.raw[u.index]
        runnable = [k for k, t in times.items() if t < INF]
        fastest = min(runnable, key=lambda k: times[k])
        if u.pin is not None:
            return "pinned", f"{u.pin_reason} puts it on {u.pin}"
        if len(runnable) == 1:
            others = [k for k in self.devs if k != dev]
            return "unsupported", f"only {dev} runs {', '.join(u.kinds)}" + (
                f" ({', '.join(others)} cannot)" if others else "")
        if dev == fastest:
            return "fastest", f"{_us(times[dev])} here, next best " + (
                ", ".join(f"{k} {_us(times[k])}" for k in runnable if k != dev) or "none")
        why = self.excluded[u.index].get(fastest, "")
        if why.startswith("capacity"):
            return "capacity", f"{fastest} would take {_us(times[fastest])} but {why}"
        return "transfer-bound", (f"{fastest} computes it in {_us(times[fastest])} vs {_us(times[dev])} here, "
                                  f"but moving its operands/results there costs more")


def rewrite(block, units: list[Unit], labels: list[str], host: str) -> None:
    """Write a placement into the IR: devices, per-device sources, transfers."""
    where = {}
    for u, dev in zip(units, labels):
        if isinstance(u.op, d.FusionOp):
            u.op.properties["device"] = StringAttr(dev)
        else:
            u.op.attributes["device"] = StringAttr(dev)
        where[u.op] = dev
    ret = block.last_op
    where[ret] = host
    order = {op: i for i, op in enumerate(block.ops)}
    # sources: one copy per device that reads them
    for op in [o for o in block.ops if isinstance(o, SOURCE_OPS)]:
        by_dev: dict[str, list] = {}
        for use in list(op.results[0].uses):
            by_dev.setdefault(where.get(use.operation, host), []).append(use)
        first = True
        for dev, uses in sorted(by_dev.items()):
            target = op if first else op.clone()
            if not first:
                block.insert_op_after(target, op)
                _redirect(uses, target.results[0])
            target.attributes["device"] = StringAttr(dev)
            first = False
    # transfers: one per (value, destination device), before its first reader there
    produced = list(block.args) + [r for u in units for r in u.op.results]
    for v in produced:
        src = where.get(v.owner, host)
        by_dev: dict[str, list] = {}
        for use in list(v.uses):
            dst = where.get(use.operation, host)
            if dst != src:
                by_dev.setdefault(dst, []).append(use)
        for dst, uses in by_dev.items():
            first_reader = min((u.operation for u in uses), key=lambda o: order[o])
            t = d.TransferOp([v], [v.type], src=src, dst=dst)
            block.insert_op_before(t, first_reader)
            _redirect(uses, t.result)


def _redirect(uses, new) -> None:
    for use in uses:
        op = use.operation
        operands = list(op.operands)
        operands[use.index] = new
        op.operands = operands


def _gb(n: float) -> str:
    return f"{n / 1e9:.3g} GB" if n >= 1e8 else f"{n / 1e6:.3g} MB"


def _us(t: float) -> str:
    """Seconds as a short readable time (``12.3 us``, ``4.5 ms``, ``1.2 s``)."""
    if t >= 1:
        return f"{t:.3g} s"
    return f"{t * 1e3:.3g} ms" if t >= 1e-3 else f"{t * 1e6:.3g} us"


def plan_key(machine: Machine, pins: dict[str, str] | None) -> str:
    """What a plan depends on besides the program: every spec number and the pins."""
    return f"{machine.fingerprint()}|{sorted((pins or {}).items())}"


def log_plan(plan: Plan) -> None:
    """The text report, under ``FURCATE_LOG=placement``."""
    logger = log("placement")
    if logger.isEnabledFor(10):
        logger.debug("%s", report(plan))


def place_program(program: Program, machine: Machine, supports: dict[str, Supports],
                  pins: dict[str, str] | None = None) -> Plan:
    """Place a fused program's groups whole, in place, and return the plan (logged under
    ``FURCATE_LOG=placement``). ``place_fuse.place_and_fuse`` also tries re-fusing."""
    plan = Placer(program, machine, supports, pins).run()
    plan.key = plan_key(machine, pins)
    plan.alternatives = {"groups": plan.total_s}
    log_plan(plan)
    return plan


__all__ = ["place_program", "pin_ops", "Plan", "Decision", "Transfer", "Placer", "rewrite", "mark_hint",
           "strip_hints", "plan_key", "log_plan", "HINT"]
