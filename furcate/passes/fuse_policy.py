"""The fusion policy: which ops can join a group, and when joining pays.

This is the ONE place that decides *whether* to fuse; ``fuse_legal.py`` decides
*what is legal* (iteration spaces, rows, index maps), ``fuse_build.py`` builds the regions.

Ops, by role:

- **pointwise**: elementwise ops (incl. compare, select, clamp, convert,
  is_finite). They join any group whose iteration space they fit.
- **layout** (broadcast_in_dim, transpose, reshape, slice) and **sources**
  (small ``furcate.constant``, ``furcate.iota``): never grouped on their own;
  each group that reads them gets its own copy, where they become index maps
  of loads (or inline constants), never copies.
- **reduction anchors**: ``furcate.reduce`` over trailing dims.
- **gemm anchors**: ``furcate.dot_general`` in (batched) matmul form.
- **window anchors**: ``furcate.convolution`` and ``furcate.reduce_window`` (a conv's
  bias, batch-norm affine, activation and residual add; an average pool's divide).
- **backend extras** (``Capabilities.extra["fusable_ops"]``): "gather" makes
  ``furcate.gather`` a pointwise-like member (its operand is read from memory,
  never computed in the group); "strided_reduce" lets a reduce over non-trailing
  dims anchor a reduction group.
- everything else (gather, scatter, cumulative,
  concatenate, pad, argmax, constant_ref, transfer...) stays a top-level op.

Rules (each merge of a producer P into a consumer group G):

1. *Capabilities*: the group's kind must be one the target runs
   (``Capabilities.fusion_kinds``); no kinds, no fusion.
2. *Devices*: P and G carry the same ``device`` attribute (absent = "default").
3. *Traffic*: merging saves the bytes of P's result written and read back
   (``2 * bytes(P)``; only the read when P must still be materialized for other
   consumers). In a pointwise group P may be evaluated more often than it has
   elements (read through an expanding broadcast); the recomputed FLOPs cost
   ``flops / FLOPS_PER_BYTE`` bytes. Merge when the saving exceeds the cost.
4. *Peak memory*: when other work (ops outside G) runs between P and G, the
   merge keeps P's inputs alive across it; allowed only if those inputs are no
   bigger than the intermediate the merge removes.
5. *Multiple consumers*: a producer needed by several groups is copied into
   each only if it is cheap and copying moves no more bytes than
   materializing it once (``duplicable``); otherwise it joins one group and is
   one of that group's outputs, computed once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.ir import Operation, SSAValue

from furcate.ir import dialect as d
from furcate.ir import op_table

ALL_KINDS = frozenset({"pointwise", "reduction", "gemm", "window"})
WINDOW_OPS = (d.ConvolutionOp, d.ReduceWindowOp)

POINTWISE_OPS = tuple(d.ELEMENTWISE_OPS) + (d.IsFiniteOp,)
LAYOUT_OPS = (d.BroadcastInDimOp, d.TransposeOp, d.ReshapeOp, d.SliceOp)
SOURCE_OPS = (d.ConstantOp, d.IotaOp)

# FLOPs per element (the op table's); anything not listed costs CHEAP_FLOPS
EXPENSIVE_FLOPS = op_table.flops_per_element()
CHEAP_FLOPS = 1


def device_of(op: Operation) -> str:
    """The op's ``device`` attribute (set by placement), "default" when absent."""
    attr = op.attributes.get("device")
    return attr.data if attr is not None and hasattr(attr, "data") else "default"


def nbytes(v: SSAValue) -> int:
    return d.spec_of(v).nbytes


def numel(v: SSAValue) -> int:
    return d.spec_of(v).numel


def short_name(op: Operation) -> str:
    return op.name.split(".", 1)[1]


def is_trailing_reduce(op: Operation) -> bool:
    """A reduce over the trailing dims of its operand (rows × cols), at least one."""
    if not isinstance(op, d.ReduceOp):
        return False
    rank = d.spec_of(op.operand).rank
    dims = sorted(op.attr("dimensions"))
    return bool(dims) and dims == list(range(rank - len(dims), rank))


def is_matmul(op: Operation) -> bool:
    """dot_general in (batched) matmul form: batch dims leading and in order on both sides,
    one contracting dim each, at most one free dim each."""
    if not isinstance(op, d.DotGeneralOp):
        return False
    a = op.attrs()
    lb, rb = a["lhs_batching_dimensions"], a["rhs_batching_dimensions"]
    lc, rc = a["lhs_contracting_dimensions"], a["rhs_contracting_dimensions"]
    nb = len(lb)
    if tuple(lb) != tuple(range(nb)) or tuple(rb) != tuple(range(nb)) or len(lc) != 1 or len(rc) != 1:
        return False
    lrank, rrank = d.spec_of(op.lhs).rank, d.spec_of(op.rhs).rank
    return lrank - nb - 1 <= 1 and rrank - nb - 1 <= 1


def own_kind(op: Operation) -> str | None:
    """The kind of group ``op`` anchors on its own, or None for ops that never fuse."""
    if isinstance(op, POINTWISE_OPS):
        return "pointwise"
    if is_trailing_reduce(op):
        return "reduction"
    if is_matmul(op):
        return "gemm"
    if isinstance(op, WINDOW_OPS):
        return "window"
    return None


@dataclass
class FusionPolicy:
    """Scoring of merges (rules 3-5 of the module docstring) for the target's ``kinds``.

    ``extra_ops``: what else the backend's kernels can hold (``Capabilities.extra
    ["fusable_ops"]``): "gather" (an index_select of a group input joins groups like a
    pointwise op) and "strided_reduce" (a reduce over non-trailing dims anchors a
    reduction group whose other members have the reduce operand's shape)."""

    kinds: frozenset = field(default_factory=lambda: ALL_KINDS)
    extra_ops: frozenset = frozenset()
    # machine balance: this many recomputed FLOPs cost as much as one byte of traffic
    FLOPS_PER_BYTE: float = 8.0

    def allows(self, kind: str) -> bool:
        return kind in self.kinds

    def is_elementwise(self, op: Operation) -> bool:
        """Joins a group as one value per element of its result."""
        return isinstance(op, POINTWISE_OPS) or (isinstance(op, d.GatherOp) and "gather" in self.extra_ops)

    def kind_of(self, op: Operation) -> str | None:
        """The kind of group ``op`` anchors on its own (None: it never fuses)."""
        kind = own_kind(op)
        if kind is None and self.is_elementwise(op):
            return "pointwise"
        if kind is None and isinstance(op, d.ReduceOp) and "strided_reduce" in self.extra_ops:
            return "reduction"
        return kind

    def flops(self, op: Operation) -> int:
        return EXPENSIVE_FLOPS.get(short_name(op), CHEAP_FLOPS)

    def is_cheap(self, op: Operation) -> bool:
        return isinstance(op, POINTWISE_OPS) and self.flops(op) == CHEAP_FLOPS

    def profitable(self, op: Operation, evaluations: int, materialized: bool) -> bool:
        """Rule 3: ``op`` evaluated ``evaluations`` times inside the group; ``materialized``
        when its result is still written for other consumers."""
        saved = nbytes(op.results[0]) * (1 if materialized else 2)
        extra = max(evaluations - numel(op.results[0]), 0)
        return saved > extra * self.flops(op) / self.FLOPS_PER_BYTE

    def peak_ok(self, extended_bytes: int, op: Operation, materialized: bool, work_between: bool) -> bool:
        """Rule 4: ``extended_bytes`` of inputs live longer when other work runs in between."""
        if not work_between:
            return True
        freed = 0 if materialized else nbytes(op.results[0])
        return extended_bytes <= freed

    def duplicable(self, op: Operation, input_bytes: int, n_groups: int) -> bool:
        """Rule 5: copy a cheap pointwise ``op`` into ``n_groups`` groups when reading its
        inputs in each moves no more bytes than writing it once and reading it in each."""
        if not self.is_cheap(op):
            return False
        out = nbytes(op.results[0])
        return input_bytes * n_groups <= out * (1 + n_groups) + input_bytes
