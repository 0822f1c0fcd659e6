"""The grouping of the fuse pass: which ops become one ``furcate.fusion``.

``Fuser`` walks ``func.func @main`` from the last op to the first, so an op is
decided after all its consumers. Each compute op either joins the group of
its consumers (when ``fuse_legal`` says the region stays legal, and when
``FusionPolicy`` says it pays), is copied into several consumer groups (cheap
producers), or anchors a group of its own. Then two more rounds catch what the
op-by-op walk decides too early:

- a group whose every output feeds one other group joins it
  (``merge_groups``: log_softmax's row-level log);
- the groups reading a reduction group join it when the union is still legal
  (``merge_into_reductions``: row epilogues such as layer_norm's
  ``rsqrt(var + eps)``, and the normalization), so softmax, log_softmax and
  layer_norm are one region each.

Ops never join a group of another ``device``. ``fuse_build`` turns the groups
into regions.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from xdsl.dialects.func import FuncOp
from xdsl.ir import Operation, SSAValue

from furcate.ir import dialect as d
from furcate.passes.fuse_legal import chain_source, consumers, legal, merged_kind, shape
from furcate.passes.fuse_policy import (
    LAYOUT_OPS, SOURCE_OPS, WINDOW_OPS, FusionPolicy, device_of, is_trailing_reduce, nbytes, numel,
)


@dataclass(eq=False)
class Group:
    """A set of ops that will become one ``furcate.fusion``."""

    kind: str
    device: str
    root: Operation  # the op that created the group (the last one in program order)
    members: list[Operation] = field(default_factory=list)  # computed here, yielded if needed
    dups: list[Operation] = field(default_factory=list)  # copies of ops computed elsewhere too
    rows: tuple[int, ...] = ()  # reduction groups
    cols: tuple[int, ...] = ()
    evals: dict = field(default_factory=dict)  # pointwise: op -> times evaluated in the kernel

    @property
    def space(self) -> tuple[int, ...]:
        return shape(self.root.results[0])

    def ops(self) -> set[Operation]:
        return set(self.members) | set(self.dups)


class Fuser:
    """Decides the groups of one function body (see the module docstring)."""

    def __init__(self, func: FuncOp, policy: FusionPolicy):
        self.policy = policy
        self.ops = [op for op in func.body.block.ops]
        self.pos = {op: i for i, op in enumerate(self.ops)}
        self.primary: dict[Operation, Group] = {}
        self.dup_in: dict[Operation, list[Group]] = {}
        self.covered: set[Operation] = set()  # ops fully replaced by their copies
        self.groups: list[Group] = []
        # counted[i]: ops among self.ops[:i] that are neither layout nor source ops, and per
        # group the sorted positions of such members and copies: "is there other work
        # between op and g?" in O(log n) (``peak_ok``)
        self.counted = [0]
        for o in self.ops:
            self.counted.append(self.counted[-1] + (not isinstance(o, LAYOUT_OPS + SOURCE_OPS)))
        self.counted_pos: dict[int, list[int]] = {}
        # unit id -> a topological number (larger than those of the units it reads): ops
        # start at their position; kept valid as units merge (``reorder_after_merge``)
        self.order: dict[int, int] = {id(op): i for i, op in enumerate(self.ops)}
        self.reorders = 0
        self._sources: dict[Operation, list[Operation]] = {}  # ``source_ops``
        self._consumers: dict[SSAValue, list] = {}  # ``consumers``

    # -- needs --------------------------------------------------------------
    def needers(self, op: Operation) -> tuple[list[Group], list[Operation]]:
        """Groups that read ``op``'s results, and top-level ops that do."""
        groups: list[Group] = []
        outside: list[Operation] = []
        for r in op.results:
            for u, _ in self.consumers(r):
                found = [self.primary[u]] if u in self.primary else []
                found += self.dup_in.get(u, [])
                for g in found:
                    if g not in groups:
                        groups.append(g)
                if u not in self.primary and u not in self.covered and u not in outside:
                    outside.append(u)
        return groups, outside

    def edges_into(self, op: Operation, g: Group) -> list[tuple[Operation, list[Operation]]]:
        if self.is_live(g):
            return [(u, chain) for u, chain in self.consumers(op.results[0]) if self.in_group(u, g)]
        gops = g.ops()
        return [(u, chain) for u, chain in self.consumers(op.results[0]) if u in gops]

    # -- membership in O(1) (live groups: those ``primary`` maps their root to) -----------
    def is_live(self, g: Group) -> bool:
        return self.primary.get(g.root) is g

    def in_group(self, u: Operation, g: Group) -> bool:
        return self.primary.get(u) is g or any(h is g for h in self.dup_in.get(u, ()))

    def note_member(self, g: Group, op: Operation) -> None:
        """Keep ``counted_pos`` of ``g`` current after ``op`` joined it (or was copied in)."""
        got = self.counted_pos.get(id(g))
        if got is not None and not isinstance(op, LAYOUT_OPS + SOURCE_OPS):
            bisect.insort(got, self.pos[op])

    def counted_between(self, g: Group, lo: int, hi: int) -> int:
        """Members and copies of ``g`` (not layout or source ops) at positions in (lo, hi)."""
        got = self.counted_pos.get(id(g))
        if got is None:
            got = sorted(self.pos[m] for m in g.ops() if not isinstance(m, LAYOUT_OPS + SOURCE_OPS))
            self.counted_pos[id(g)] = got
        return bisect.bisect_left(got, hi) - bisect.bisect_right(got, lo)

    # -- legality (the contract is in fuse_legal) ------------------------------
    def check(self, g: Group, kind: str, rows, cols, extra: list[Operation], copy: bool = False,
              merged: tuple = ()) -> bool:
        """Is ``g`` plus ``extra`` (new members, or copies when ``copy``) a legal group of ``kind``?
        ``merged``: groups whose members ``g`` takes over (their reads count as ``g``'s own)."""
        if (kind == "pointwise" == g.kind and not copy and not merged and len(extra) == 1
                and self.is_live(g)):
            return self.pointwise_join_legal(g, extra[0])
        ops = g.ops() | set(extra)
        yielded = [m for m in g.members + ([] if copy else extra) if self.materialized(m, g, extra, merged)]
        return legal(kind, ops, yielded, rows, cols, g.space)

    def pointwise_join_legal(self, g: Group, op: Operation) -> bool:
        """``legal("pointwise", ...)`` for legal pointwise ``g`` plus producer ``op``, in time
        of ``op``'s uses: joining a producer changes no member's yield (their readers were
        all decided before them), so only ``op``'s yield and gathers next to ``op`` matter."""
        if isinstance(op, d.GatherOp):
            src = chain_source(op.operands[0]).owner
            if isinstance(src, Operation) and self.in_group(src, g):
                return False
        for u, _chain in self.consumers(op.results[0]):
            if (isinstance(u, d.GatherOp) and self.in_group(u, g)
                    and chain_source(u.operands[0]).owner is op):
                return False
        groups, outside = self.needers(op)
        yielded = bool(outside) or any(h is not g for h in groups) or not any(
            self.in_group(u, g) for u, _ in self.consumers(op.results[0]))
        return not yielded or shape(op.results[0]) == g.space

    def materialized(self, op: Operation, g: Group, extra: list[Operation], merged: tuple = ()) -> bool:
        """Must ``op`` (a member of ``g``) be yielded: is it read outside the group?"""
        ops = g.ops() | set(extra)
        groups, outside = self.needers(op)
        inside = (g, *merged)
        return bool(outside) or any(all(h is not x for x in inside) for h in groups) or (op is g.root) or not any(
            u in ops for u, _ in self.consumers(op.results[0]))

    # -- policy inputs -------------------------------------------------------
    def evaluations(self, op: Operation, g: Group) -> int:
        if g.kind != "pointwise":
            return numel(op.results[0])
        return max([g.evals.get(u, numel(u.results[0])) for u, _ in self.edges_into(op, g)] or [0])

    def inputs_of(self, op: Operation) -> list[SSAValue]:
        srcs = []
        for v in op.operands:
            s = chain_source(v)
            if not isinstance(s.owner, SOURCE_OPS) and s not in srcs:
                srcs.append(s)
        return srcs

    def group_inputs(self, g: Group) -> set[SSAValue]:
        return {s for m in g.ops() for s in self.inputs_of(m)}

    def peak_ok(self, op: Operation, g: Group, materialized: bool) -> bool:
        end = self.pos[g.root]
        start = self.pos[op]
        counted = self.is_live(g) and start < end  # "is other work in between?" is O(log n)
        if counted and self.counted[end] - self.counted[start + 1] == self.counted_between(g, start, end):
            return True  # every op in between is g's own (or a layout or source op)
        gops = g.ops()
        if not counted or isinstance(op, WINDOW_OPS):  # only a window op needs to know which
            between = [o for o in self.ops[start + 1:end]
                       if o not in gops and not isinstance(o, LAYOUT_OPS + SOURCE_OPS)]
            if not between or self.below_peak(between, g, op):
                return True
        have = self.group_inputs(g)
        extended = 0
        for s in self.inputs_of(op):
            if s in have or not isinstance(s.owner, Operation) or isinstance(s.owner, d.ConstantRefOp):
                continue  # already read by the group, a program input or a held constant
            last = max([self.pos.get(u.operation, -1) for u in s.uses
                        if u.operation is not op and u.operation not in gops], default=-1)
            if last < end:
                extended += nbytes(s)
        return self.policy.peak_ok(extended, op, materialized, True)

    def below_peak(self, between: list[Operation], g: Group, op: Operation) -> bool:
        """Does the work ``between`` ``op`` and ``g`` write no more than ``op``'s result
        (batch norm's per-channel rsqrt before a conv's epilogue)? Then while it runs, the
        inputs ``op`` keeps alive plus what it writes stay under what ``g``'s own kernel holds
        anyway (those inputs and a result of ``op``'s shape)."""
        if not isinstance(op, WINDOW_OPS):
            return False
        return sum(nbytes(r) for o in between for r in o.results) <= nbytes(op.results[0])

    # -- cycles ---------------------------------------------------------------
    def creates_cycle(self, op: Operation, g: Group) -> bool:
        """Would ``g`` (after taking ``op``) both feed and read another unit that reads ``op``?
        Only units numbered below ``g`` (``self.order``) can lie on such a path."""
        hi = self.order[id(g)]
        todo = [w for w in self.reader_units(op) if w is not g and self.order[id(w)] < hi]
        seen: set[int] = set()
        while todo:
            u = todo.pop()
            if u is g:
                return True
            if id(u) in seen:
                continue
            seen.add(id(u))
            todo += [w for w in self.reader_units(u) if self.order[id(w)] <= hi]
        return False

    # -- decisions ------------------------------------------------------------
    def try_join(self, op: Operation, g: Group, materialized: bool) -> bool:
        mk = merged_kind(g, op, self.policy)
        if mk is None or not self.policy.allows(mk[0]):
            return False
        if not self.check(g, *mk, [op]):
            return False
        ev = self.evaluations(op, g)
        if not self.policy.profitable(op, ev, materialized) or not self.peak_ok(op, g, materialized):
            return False
        if materialized and self.creates_cycle(op, g):
            return False
        g.kind, g.rows, g.cols = mk
        g.members.append(op)
        if g.kind == "pointwise":
            g.evals[op] = max(ev, numel(op.results[0]))
        self.primary[op] = g
        self.note_member(g, op)
        if materialized:
            self.reorder_after_merge(g, [])  # op's other readers now read g
        return True

    def try_copy(self, op: Operation, g: Group) -> bool:
        mk = merged_kind(g, op, self.policy)
        if mk is None or mk[0] != g.kind or not self.check(g, *mk, [op], copy=True):
            return False
        ev = self.evaluations(op, g)
        if not self.policy.profitable(op, ev, False):
            return False
        g.dups.append(op)
        if g.kind == "pointwise":
            g.evals[op] = max(ev, numel(op.results[0]))
        self.dup_in.setdefault(op, []).append(g)
        self.note_member(g, op)
        return True

    def start_group(self, op: Operation) -> None:
        kind = self.policy.kind_of(op)
        if kind is None or not self.policy.allows(kind):
            return
        g = Group(kind, device_of(op), op, [op])
        if isinstance(op, d.ReduceOp) and not is_trailing_reduce(op):
            g.rows, g.cols = None, shape(op.operand)  # reduces other dims: see check()
        elif isinstance(op, d.ReduceOp):
            src = shape(op.operand)
            n = len(src) - len(op.attr("dimensions"))
            g.rows, g.cols = src[:n], src[n:]
        g.evals[op] = numel(op.results[0])
        self.primary[op] = g
        self.order[id(g)] = self.order[id(op)]
        self.groups.append(g)

    def decide(self, op: Operation) -> None:
        groups, outside = self.needers(op)
        if not groups and not outside:
            return  # dead: left for DCE
        if len(groups) == 1 and not outside and self.try_join(op, groups[0], False):
            return
        if len(groups) + bool(outside) > 1:
            input_bytes = sum(nbytes(s) for s in self.inputs_of(op))
            if self.policy.duplicable(op, input_bytes, len(groups)):
                took = [g for g in groups if self.try_copy(op, g)]
                if len(took) == len(groups) and not outside:
                    self.covered.add(op)
                    return
                if took:
                    self.start_group(op)
                    return
            for g in sorted(groups, key=lambda h: self.pos[h.root]):
                if self.try_join(op, g, True):
                    return
        self.start_group(op)

    def try_merge_groups(self, h: Group, g: Group) -> bool:
        """Merge producer group ``h`` (read only by ``g``) into ``g``: this catches what the
        op-by-op walk decides too early, e.g. log_softmax's row-level log, which looks like
        an expensive broadcast producer until the reduction joins its group."""
        kind, rows, cols = g.kind, g.rows, g.cols
        trial = Group(kind, g.device, g.root, list(g.members), list(g.dups), rows, cols)
        for op in h.members:
            mk = merged_kind(trial, op, self.policy)
            if mk is None:
                return False
            trial.kind, trial.rows, trial.cols = mk
        if trial.kind == "pointwise" or not self.policy.allows(trial.kind):
            return False  # pointwise + pointwise was already weighed op by op
        gops = g.ops() | h.ops()
        between = [o for o in self.ops[self.pos[h.root] + 1:self.pos[g.root]]
                   if o not in gops and not isinstance(o, LAYOUT_OPS + SOURCE_OPS)]
        if between:
            return False  # rule 4: do not keep h's inputs alive across other work
        new_dups = [op for op in h.dups if op not in g.dups]
        trial.dups += new_dups
        if not self.check(trial, trial.kind, trial.rows, trial.cols, list(h.members)):
            return False
        g.kind, g.rows, g.cols = trial.kind, trial.rows, trial.cols
        g.members += h.members
        self.counted_pos.pop(id(g), None)
        g.dups += new_dups
        for op in h.members:
            self.primary[op] = g
        for op in h.dups:
            self.dup_in[op] = [g if x is h else x for x in self.dup_in[op]]
            self.dup_in[op] = list(dict.fromkeys(self.dup_in[op]))
        h.members, h.dups = [], []
        self.reorder_after_merge(g, [h])
        return True

    def merge_groups(self) -> None:
        """Second round: a group whose every output feeds one other group joins it."""
        for h in sorted(self.groups, key=lambda x: -self.pos[x.root]):
            needing: list[Group] = []
            outside = False
            for m in h.members:
                gs, outs = self.needers(m)
                outside |= bool(outs)
                needing += [x for x in gs if x is not h and x not in needing]
            if len(needing) == 1 and not outside and needing[0].device == h.device:
                self.try_merge_groups(h, needing[0])

    def unit_of(self, op: Operation):
        return self.primary.get(op, op)

    def consumers(self, v: SSAValue) -> list[tuple[Operation, list[Operation]]]:
        """``fuse_legal.consumers`` of ``v``, computed once per value (the IR is fixed)."""
        got = self._consumers.get(v)
        if got is None:
            got = self._consumers[v] = consumers(v)
        return got

    def source_ops(self, op: Operation) -> list[Operation]:
        """The ops of the body whose results ``op`` reads (through layout chains): fixed
        while the fuser runs (the IR does not change), so computed once per op."""
        got = self._sources.get(op)
        if got is None:
            got = []
            for v in op.operands:
                owner = chain_source(v).owner
                if isinstance(owner, Operation) and owner in self.pos:
                    got.append(owner)
            self._sources[op] = got
        return got

    def read_units(self, unit):
        """The units (groups or top-level ops) whose results ``unit`` reads."""
        own = unit.ops() if isinstance(unit, Group) else {unit}
        covered = self.covered
        for m in own:
            for owner in self.source_ops(m):
                # a covered op is not a unit (its copies read its operands), a copy is computed here
                if owner not in covered and owner not in own:
                    yield self.primary.get(owner, owner)

    def order_units(self) -> None:
        """``self.order``: a topological number per unit (id -> int; a unit's number is
        larger than those of the units it reads), by an iterative depth-first walk."""
        order: dict[int, int] = {}
        for op in self.ops:
            if isinstance(op, LAYOUT_OPS) or op in self.covered:
                continue
            start = self.unit_of(op)
            if id(start) in order:
                continue
            stack = [(start, iter(list(self.read_units(start))))]
            open_ = {id(start)}
            while stack:
                u, it = stack[-1]
                for w in it:
                    if id(w) not in order and id(w) not in open_:
                        open_.add(id(w))
                        stack.append((w, iter(list(self.read_units(w)))))
                        break
                else:
                    stack.pop()
                    order[id(u)] = len(order)
        self.order = order
        self.reorders += 1

    def reader_units(self, unit):
        """The units that read a result of ``unit`` (the inverse of ``read_units``)."""
        for m in (unit.members if isinstance(unit, Group) else [unit]):
            for r in m.results:
                for u, _chain in self.consumers(r):
                    units = ([] if u in self.covered else [self.unit_of(u)]) + self.dup_in.get(u, [])
                    for w in units:  # (a unit with its own copy of m does not read this one)
                        if w is not unit and not (isinstance(w, Group) and m in w.dups):
                            yield w

    def reorder_after_merge(self, g: Group, parts: list[Group]) -> None:
        """``g`` took over ``parts`` and gets the latest of their numbers. Units reading
        ``g`` numbered below it, and what they feed up to that number (``late``), move after
        ``g`` and the part of its past numbered above them (``early``), reusing the same
        numbers (Pearce and Kelly's dynamic topological order): work local to the merge."""
        here = max(self.order[id(x)] for x in (g, *parts))
        self.order[id(g)] = here
        late, seen, todo = [], {id(g)}, [w for w in self.reader_units(g) if self.order[id(w)] < here]
        while todo:
            u = todo.pop()
            if id(u) in seen:
                continue
            seen.add(id(u))
            late.append(u)
            todo += [w for w in self.reader_units(u) if self.order[id(w)] < here]
        if not late:
            return
        lo = min(self.order[id(u)] for u in late)
        late_ids = {id(u) for u in late}
        early, todo = [g], [w for w in self.read_units(g) if self.order[id(w)] > lo]
        while todo:
            u = todo.pop()
            if id(u) in late_ids or u is g:
                self.order_units()  # a cycle, which try_absorb excludes: renumber all
                return
            if id(u) in seen:
                continue
            seen.add(id(u))
            early.append(u)
            todo += [w for w in self.read_units(u) if self.order[id(w)] > lo]
        moved = sorted(early, key=lambda u: self.order[id(u)]) + sorted(late, key=lambda u: self.order[id(u)])
        for u, k in zip(moved, sorted(self.order[id(u)] for u in moved)):
            self.order[id(u)] = k

    def depends_on(self, unit, targets: list[Group], seen: set | None = None) -> bool:
        """Does ``unit`` (a group or a top-level op) read, transitively, a result of one of
        the ``targets``? ``seen``: units already found not to (shared by calls with the same
        targets). Units numbered (``self.order``) below every target are not searched: they
        cannot read one (near-linear merging on big DAGs)."""
        todo, seen = [unit], (set() if seen is None else seen)
        lo = min(self.order[id(g)] for g in targets)
        while todo:
            u = todo.pop()
            if any(u is g for g in targets):
                return True
            if id(u) in seen or self.order[id(u)] < lo:
                continue
            seen.add(id(u))
            todo.extend(self.read_units(u))
        return False

    def try_absorb(self, r: Group, cs: list[Group]) -> bool:
        """Consumer groups ``cs`` join reduction group ``r`` when the union is one legal
        reduction group: row-level epilogues (layer_norm's rsqrt(var + eps)) and the
        per-element normalization then run in the reduction's kernel, once per row."""
        if any(c.device != r.device or c.kind not in ("pointwise", "reduction") for c in cs):
            return False
        last = max(cs, key=lambda c: self.pos[c.root])
        trial = Group("reduction", r.device, last.root, list(r.members), list(r.dups), r.rows, r.cols)
        new = [op for c in cs for op in c.members]
        for op in new:
            if merged_kind(trial, op, self.policy) != ("reduction", r.rows, r.cols):
                return False
        cops = set().union(*(c.ops() for c in cs))
        gops = r.ops() | cops
        seen: set = set()
        for m in cops:  # no other unit in between: r -> x -> c would become a cycle
            for owner in self.source_ops(m):
                if owner not in gops and self.depends_on(self.unit_of(owner), [r, *cs], seen):
                    return False
        if not self.absorb_peak_ok(r, cs, gops):
            return False
        trial.dups += [op for c in cs for op in c.dups if op not in trial.dups]
        trial.dups = list(dict.fromkeys(trial.dups))
        if not self.check(trial, "reduction", r.rows, r.cols, new, merged=(r, *cs)):
            return False
        r.members += new
        self.counted_pos.pop(id(r), None)
        r.dups = trial.dups
        if self.pos[last.root] > self.pos[r.root]:
            r.root = last.root
        for op in new:
            self.primary[op] = r
        for c in cs:
            for op in c.dups:
                self.dup_in[op] = list(dict.fromkeys(r if x is c else x for x in self.dup_in[op]))
            c.members, c.dups = [], []
        self.reorder_after_merge(r, cs)
        return True

    def absorb_peak_ok(self, r: Group, cs: list[Group], gops: set) -> bool:
        """Rule 4 for ``try_absorb``: the merged kernel runs at the latest of the roots, so
        inputs of earlier groups that nothing else reads by then live longer; allowed when
        they are no bigger than the intermediates the merge stops writing."""
        units = [r, *cs]
        end = max(self.pos[g.root] for g in units)
        extended = 0
        for s in {s for g in units for m in g.ops() for s in self.inputs_of(m)}:
            owner = s.owner
            if not isinstance(owner, Operation) or isinstance(owner, d.ConstantRefOp) or owner in gops:
                continue  # a program input, a held constant, or computed in the merged group
            if max((self.pos.get(u.operation, -1) for u in s.uses if u.operation not in gops), default=-1) < end:
                extended += nbytes(s)
        if not extended:
            return True
        freed = 0
        for g in units:
            for m in g.members:
                groups, outside = self.needers(m)
                if not outside and all(any(h is x for x in units) for h in groups):
                    freed += nbytes(m.results[0])
        return extended <= freed

    def merge_into_reductions(self) -> None:
        """Third round, to a fixed point: the groups reading a reduction group join it
        (``try_absorb``) -- one at a time in program order, else together with every
        earlier reader (layer_norm's row epilogue and its normalization only fit together).

        After a merge the sweep starts over, but a reduction that failed since the last
        merge is tried again only if that merge touched it or one of its readers: nothing
        else its ``try_absorb`` looks at changed, and merging units only adds dependences,
        so it would fail again (the same groups as retrying everything, with far fewer
        ``try_absorb`` calls: 1,001 instead of 6,427 on benchmarks/compile_scaling.py's 1,000-op DAG)."""
        failed: dict[int, list[Group]] = {}  # id(r) -> its readers, for r that failed since the last merge
        self.order_units()
        changed = True
        while changed:
            changed = False
            for r in sorted((g for g in self.groups if g.kind == "reduction" and g.members),
                            key=lambda x: self.pos[x.root]):
                if id(r) in failed:
                    continue
                readers: list[Group] = []
                for m in r.members:
                    readers += [h for h in self.needers(m)[0] if h is not r and h not in readers and h.members]
                readers.sort(key=lambda x: self.pos[x.root])
                for i, c in enumerate(readers):
                    if self.try_absorb(r, [c]) or (i and self.try_absorb(r, readers[:i + 1])):
                        changed = True
                        touched = {id(r), *(id(x) for x in readers[:i + 1])}
                        failed = {k: rs for k, rs in failed.items()
                                  if k not in touched and not any(id(x) in touched for x in rs)}
                        break
                if changed:
                    break
                failed[id(r)] = readers

    def run(self) -> list[Group]:
        for op in reversed(self.ops):
            if self.policy.kind_of(op) is not None:
                self.decide(op)
        self.merge_groups()
        self.merge_into_reductions()
        return [g for g in self.groups if g.members]
