"""fuse: producer→consumer fusion into ``furcate.fusion`` regions.

The pass walks ``func.func @main`` from the last op to the first, so an op is
decided after all its consumers. Each compute op either joins the group of
its consumers (when legal, and when ``FusionPolicy`` says it pays), is copied
into several consumer groups (cheap producers), or anchors a group of its own.
``fuse_build`` then turns every group into one ``furcate.fusion`` op.

What a region of each kind holds (the contract the kernel backends lower):

- ``pointwise``: elementwise ops and layout ops; every yielded value has the
  same shape, the iteration space. Any value is computed at the index its
  consumer reads through the layout ops between them.
- ``reduction``: rows × cols, where every ``furcate.reduce`` reduces the
  trailing cols dims of a rows+cols operand. Each computed value is either
  *full* (one value per (row, col)) or *row* (one per row); layout ops between
  computed values keep the row (a row value is read at its own row only).
  Yields have the rows shape or the rows+cols shape (size-1 dims aside: a
  keepdim ``[rows, 1]`` value). Softmax, log_softmax and layer_norm are one
  region each: after the op-by-op walk, the groups reading a reduction group
  join it when the union is still legal (row epilogues such as layer_norm's
  ``rsqrt(var + eps)``, and the normalization).
  With the backend's "strided_reduce", a reduce over other dims anchors a
  region of its own whose other members all have the reduce operand's shape
  (a prologue, read at the same element: EmbeddingBag's gather + sum).
- ``gemm``: one ``dot_general`` in matmul form whose operands are region
  inputs (possibly through layout ops), plus an elementwise epilogue of the
  dot's result shape, reading the dot directly (bias, activation, residual).
  Yields have the dot's result shape.

Every region is isolated from above: its block arguments are the fusion's
operands; small constants and iotas are copied in. Ops never fuse across
different ``device`` attributes. With no fusion kinds, the pass does nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.dialects.func import FuncOp
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from furcate.ir import dialect as d
from furcate.passes.fuse_policy import (
    ALL_KINDS, LAYOUT_OPS, SOURCE_OPS, FusionPolicy, device_of, is_trailing_reduce,
    nbytes, numel,
)


def _prod(xs) -> int:
    p = 1
    for x in xs:
        p *= x
    return p


def shape(v: SSAValue) -> tuple[int, ...]:
    return tuple(d.spec_of(v).shape)


def _squeeze(shp) -> tuple[int, ...]:
    return tuple(s for s in shp if s != 1)


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


# --------------------------------------------------------------------------
# the walk through layout chains


def consumers(v: SSAValue) -> list[tuple[Operation, list[Operation]]]:
    """(consumer, layout chain from v to it) for every non-layout op reading ``v``."""
    out = []
    for use in list(v.uses):
        u = use.operation
        if isinstance(u, LAYOUT_OPS):
            out += [(c, [u, *chain]) for c, chain in consumers(u.results[0])]
        else:
            out.append((u, []))
    return out


def chain_source(v: SSAValue) -> SSAValue:
    """The value a chain of layout ops starts from."""
    while isinstance(v.owner, LAYOUT_OPS):
        v = v.owner.operands[0]
    return v


# --------------------------------------------------------------------------
# reduction rows: which values are full / row values and which layout keeps the row


def _tags(shp, n_rows: int, n_cols: int) -> list[str] | None:
    """Per-dim 'r' (row), 'c' (col) or '1' (size one) for a full (``n_cols`` > 1) or row
    value of shape ``shp``; None if the shape cannot be split so."""
    if _prod(shp) != n_rows * n_cols:
        return None
    acc = 1
    for k in range(len(shp) + 1):
        if acc == n_rows:
            return ["1" if s == 1 else ("r" if i < k else "c") for i, s in enumerate(shp)]
        if k < len(shp):
            acc *= shp[k]
    return None


def _valid(tags: list[str]) -> bool:
    core = [t for t in tags if t != "1"]
    return core == sorted(core, key=lambda t: t != "r")


def _through(op: Operation, tags: list[str], n_rows: int) -> list[str] | None:
    """Tags of ``op``'s result given its operand's, if ``op`` reads every value at its own row."""
    out = shape(op.results[0])
    src = shape(op.operands[0])
    if isinstance(op, d.ReshapeOp):
        n_cols = _prod(src[i] for i, t in enumerate(tags) if t == "c")
        return _tags(out, n_rows, n_cols)
    if isinstance(op, d.TransposeOp):
        perm = op.attr("permutation")
        new = [tags[p] for p in perm]
        row_dims = [p for p in perm if tags[p] == "r"]
        return new if _valid(new) and row_dims == sorted(row_dims) else None
    if isinstance(op, d.BroadcastInDimOp):
        new = ["1" if s == 1 else "c" for s in out]
        for i, dim in enumerate(op.attr("broadcast_dimensions")):
            if src[i] == out[dim]:
                new[dim] = tags[i] if out[dim] != 1 else "1"
        return new if _valid(new) else None
    return None  # slice: reads part of a row


def row_chain_ok(chain: list[Operation], start_tags: list[str], n_rows: int, n_cols_end: int) -> bool:
    """A chain of layout ops from a full/row value keeps rows and ends with ``n_cols_end``
    elements per row."""
    tags = start_tags
    for op in chain:
        tags = _through(op, tags, n_rows)
        if tags is None:
            return False
    end = shape(chain[-1].results[0]) if chain else None
    if end is None:
        return True
    return _prod(s for s, t in zip(end, tags) if t == "c") == n_cols_end


# --------------------------------------------------------------------------
# the grouping


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

    # -- needs --------------------------------------------------------------
    def needers(self, op: Operation) -> tuple[list[Group], list[Operation]]:
        """Groups that read ``op``'s results, and top-level ops that do."""
        groups: list[Group] = []
        outside: list[Operation] = []
        for r in op.results:
            for u, _ in consumers(r):
                found = [self.primary[u]] if u in self.primary else []
                found += self.dup_in.get(u, [])
                for g in found:
                    if g not in groups:
                        groups.append(g)
                if u not in self.primary and u not in self.covered and u not in outside:
                    outside.append(u)
        return groups, outside

    def edges_into(self, op: Operation, g: Group) -> list[tuple[Operation, list[Operation]]]:
        gops = g.ops()
        return [(u, chain) for u, chain in consumers(op.results[0]) if u in gops]

    # -- legality -------------------------------------------------------------
    def level(self, op: Operation, rows, cols) -> list[str] | None:
        """Tags of a computed value in a reduction group over rows × cols."""
        nr, nc = _prod(rows), _prod(cols)
        shp = shape(op.results[0])
        return _tags(shp, nr, nc) or _tags(shp, nr, 1)

    def check(self, g: Group, kind: str, rows, cols, extra: list[Operation], copy: bool = False,
              merged: tuple = ()) -> bool:
        """Is ``g`` plus ``extra`` (new members, or copies when ``copy``) a legal group of ``kind``?
        ``merged``: groups whose members ``g`` takes over (their reads count as ``g``'s own)."""
        ops = g.ops() | set(extra)
        yielded = [m for m in g.members + ([] if copy else extra) if self.materialized(m, g, extra, merged)]
        for op in ops:  # a gather reads its operand from memory: never computed in the group
            if isinstance(op, d.GatherOp) and chain_source(op.operands[0]).owner in ops:
                return False
        if kind == "reduction" and rows is None:  # one reduce over non-trailing dims + prologue
            reduces = [op for op in ops if isinstance(op, d.ReduceOp)]
            if len(reduces) != 1 or any(isinstance(op, d.DotGeneralOp) for op in ops):
                return False
            for op in ops:
                if op is not reduces[0] and shape(op.results[0]) != cols:
                    return False
                if any(chain for u, chain in consumers(op.results[0]) if u in ops):
                    return False
            return all(shape(m.results[0]) in (cols, shape(reduces[0].results[0])) for m in yielded)
        if kind == "reduction":
            nr, nc = _prod(rows), _prod(cols)
            for op in ops:
                if isinstance(op, d.ReduceOp):
                    src = shape(op.operand)
                    n = len(src) - len(op.attr("dimensions"))
                    if not is_trailing_reduce(op) or src[:n] != rows or src[n:] != cols:
                        return False
                    tags = ["1" if s == 1 else "r" for s in rows]
                elif isinstance(op, d.DotGeneralOp):
                    return False
                else:
                    tags = self.level(op, rows, cols)
                    if tags is None:
                        return False
                for u, chain in consumers(op.results[0]):
                    if u not in ops:
                        continue
                    want = nc if (isinstance(u, d.ReduceOp) or _prod(shape(u.results[0])) == nr * nc) else 1
                    if not row_chain_ok(chain, tags, nr, want):
                        return False
            ok = (_squeeze(rows), _squeeze(rows + cols))  # size-1 dims aside: a row or a full value
            return all(_squeeze(shape(m.results[0])) in ok for m in yielded)
        space = g.space
        if kind == "gemm":
            dots = [op for op in ops if isinstance(op, d.DotGeneralOp)]
            if len(dots) != 1 or any(isinstance(op, d.ReduceOp) for op in ops):
                return False
            for op in ops:
                if shape(op.results[0]) != space:
                    return False
                for u, chain in consumers(op.results[0]):
                    if u in ops and (chain or u is dots[0]):
                        return False
            return True
        # pointwise
        return all(shape(m.results[0]) == space for m in yielded)

    def materialized(self, op: Operation, g: Group, extra: list[Operation], merged: tuple = ()) -> bool:
        """Must ``op`` (a member of ``g``) be yielded: is it read outside the group?"""
        ops = g.ops() | set(extra)
        groups, outside = self.needers(op)
        inside = (g, *merged)
        return bool(outside) or any(all(h is not x for x in inside) for h in groups) or (op is g.root) or not any(
            u in ops for u, _ in consumers(op.results[0]))

    def merged_kind(self, g: Group, op: Operation):
        """(kind, rows, cols) of ``g`` after ``op`` joins, or None if it cannot."""
        if device_of(op) != g.device:
            return None
        if g.kind == "reduction" and g.rows is None:  # over non-trailing dims: same-shape prologue only
            ok = self.policy.is_elementwise(op) and shape(op.results[0]) == g.cols
            return (g.kind, g.rows, g.cols) if ok else None
        if self.policy.is_elementwise(op):
            return g.kind, g.rows, g.cols
        if isinstance(op, d.ReduceOp) and g.kind in ("pointwise", "reduction"):
            src = shape(op.operand)
            n = len(src) - len(op.attr("dimensions"))
            rows, cols = src[:n], src[n:]
            if g.kind == "reduction" and (rows, cols) != (g.rows, g.cols):
                return None
            return "reduction", rows, cols
        if isinstance(op, d.DotGeneralOp) and g.kind == "pointwise":
            return "gemm", (), ()
        return None

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
        gops = g.ops()
        end = self.pos[g.root]
        between = [o for o in self.ops[self.pos[op] + 1:end]
                   if o not in gops and not isinstance(o, LAYOUT_OPS + SOURCE_OPS)]
        if not between:
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

    # -- cycles ---------------------------------------------------------------
    def creates_cycle(self, op: Operation, g: Group) -> bool:
        """Would ``g`` (after taking ``op``) both feed and read another unit that reads ``op``?"""
        groups, outside = self.needers(op)
        todo: list = [h for h in groups if h is not g] + outside
        seen: set = set()
        while todo:
            unit = todo.pop()
            if unit is g:
                return True
            if id(unit) in seen:
                continue
            seen.add(id(unit))
            for m in (unit.members if isinstance(unit, Group) else [unit]):
                gs, outs = self.needers(m)
                todo += gs + outs
        return False

    # -- decisions ------------------------------------------------------------
    def try_join(self, op: Operation, g: Group, materialized: bool) -> bool:
        mk = self.merged_kind(g, op)
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
        return True

    def try_copy(self, op: Operation, g: Group) -> bool:
        mk = self.merged_kind(g, op)
        if mk is None or mk[0] != g.kind or not self.check(g, *mk, [op], copy=True):
            return False
        ev = self.evaluations(op, g)
        if not self.policy.profitable(op, ev, False):
            return False
        g.dups.append(op)
        if g.kind == "pointwise":
            g.evals[op] = max(ev, numel(op.results[0]))
        self.dup_in.setdefault(op, []).append(g)
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
            mk = self.merged_kind(trial, op)
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
        g.dups += new_dups
        for op in h.members:
            self.primary[op] = g
        for op in h.dups:
            self.dup_in[op] = [g if x is h else x for x in self.dup_in[op]]
            self.dup_in[op] = list(dict.fromkeys(self.dup_in[op]))
        h.members, h.dups = [], []
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

    def depends_on(self, unit, targets: list[Group]) -> bool:
        """Does ``unit`` (a group or a top-level op) read, transitively, a result of one of
        the ``targets``?"""
        todo, seen = [unit], set()
        while todo:
            u = todo.pop()
            if any(u is g for g in targets):
                return True
            if id(u) in seen:
                continue
            seen.add(id(u))
            for m in (u.ops() if isinstance(u, Group) else [u]):
                for v in m.operands:
                    owner = chain_source(v).owner
                    if isinstance(owner, Operation) and owner in self.pos:
                        todo.append(self.unit_of(owner))
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
            if self.merged_kind(trial, op) != ("reduction", r.rows, r.cols):
                return False
        cops = set().union(*(c.ops() for c in cs))
        gops = r.ops() | cops
        for m in cops:  # no other unit in between: r -> x -> c would become a cycle
            for v in m.operands:
                owner = chain_source(v).owner
                if isinstance(owner, Operation) and owner in self.pos and owner not in gops:
                    if self.depends_on(self.unit_of(owner), [r, *cs]):
                        return False
        if not self.absorb_peak_ok(r, cs, gops):
            return False
        trial.dups += [op for c in cs for op in c.dups if op not in trial.dups]
        trial.dups = list(dict.fromkeys(trial.dups))
        if not self.check(trial, "reduction", r.rows, r.cols, new, merged=(r, *cs)):
            return False
        r.members += new
        r.dups = trial.dups
        if self.pos[last.root] > self.pos[r.root]:
            r.root = last.root
        for op in new:
            self.primary[op] = r
        for c in cs:
            for op in c.dups:
                self.dup_in[op] = list(dict.fromkeys(r if x is c else x for x in self.dup_in[op]))
            c.members, c.dups = [], []
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
        earlier reader (layer_norm's row epilogue and its normalization only fit together)."""
        changed = True
        while changed:
            changed = False
            for r in sorted((g for g in self.groups if g.kind == "reduction" and g.members),
                            key=lambda x: self.pos[x.root]):
                readers: list[Group] = []
                for m in r.members:
                    readers += [h for h in self.needers(m)[0] if h is not r and h not in readers and h.members]
                readers.sort(key=lambda x: self.pos[x.root])
                for i, c in enumerate(readers):
                    if self.try_absorb(r, [c]) or (i and self.try_absorb(r, readers[:i + 1])):
                        changed = True
                        break
                if changed:
                    break

    def run(self) -> list[Group]:
        for op in reversed(self.ops):
            if self.policy.kind_of(op) is not None:
                self.decide(op)
        self.merge_groups()
        self.merge_into_reductions()
        return [g for g in self.groups if g.members]


@dataclass(frozen=True)
class FusePass(ModulePass):
    """Groups ops into ``furcate.fusion`` regions of the given ``kinds`` (default: all)."""

    name = "fuse"

    kinds: tuple[str, ...] = tuple(sorted(ALL_KINDS))
    extra_ops: tuple[str, ...] = ()  # see FusionPolicy

    @classmethod
    def from_capabilities(cls, capabilities) -> "FusePass":
        """The pass for a backend's ``Capabilities`` (its ``fusion_kinds`` and
        ``extra["fusable_ops"]``)."""
        return cls(kinds=tuple(sorted(capabilities.fusion_kinds)),
                   extra_ops=tuple(sorted(capabilities.extra.get("fusable_ops", ()))))

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from furcate.passes.fuse_build import build_groups

        unknown = set(self.kinds) - ALL_KINDS
        if unknown:
            raise ValueError(f"fuse: unknown fusion kind(s) {sorted(unknown)}; valid: {sorted(ALL_KINDS)}")
        if not self.kinds:
            return
        policy = FusionPolicy(frozenset(self.kinds), frozenset(self.extra_ops))
        for func in [f for f in op.ops if isinstance(f, FuncOp)]:
            fuser = Fuser(func, policy)
            build_groups(func, fuser.run(), fuser.covered)
