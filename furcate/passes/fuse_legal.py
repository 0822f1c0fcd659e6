"""The region contract of ``furcate.fusion``: what a group of each kind may hold.

This is what the kernel backends lower, and what ``fuse_group.Fuser`` checks
before an op joins a group (``legal``, ``merged_kind``):

- ``pointwise``: elementwise ops and layout ops; every yielded value has the
  same shape, the iteration space. Any value is computed at the index its
  consumer reads through the layout ops between them.
- ``reduction``: rows × cols, where every ``furcate.reduce`` reduces the
  trailing cols dims of a rows+cols operand. Each computed value is either
  *full* (one value per (row, col)) or *row* (one per row); layout ops between
  computed values keep the row (a row value is read at its own row only).
  Yields have the rows shape or the rows+cols shape (size-1 dims aside: a
  keepdim ``[rows, 1]`` value).
  With the backend's "strided_reduce", a reduce over other dims anchors a
  region of its own (``rows`` is None, ``cols`` the reduce operand's shape)
  whose other members all have the reduce operand's shape (a prologue, read at
  the same element: EmbeddingBag's gather + sum).
- ``gemm``: one ``dot_general`` in matmul form whose operands are region
  inputs (possibly through layout ops), plus an elementwise epilogue of the
  dot's result shape, reading the dot directly (bias, activation, residual).
  Yields have the dot's result shape.
- ``window``: one ``convolution`` or ``reduce_window`` whose operands are region
  inputs (no layout op but reshapes, no constant between), plus an elementwise epilogue of its
  result shape reading it directly. Yields have that shape.

In every kind a ``furcate.gather`` reads its operand from memory: that operand
is never computed in the same group. Layout ops between members are walked
as chains (``consumers``, ``chain_source``): they become index maps of loads.
"""

from __future__ import annotations

import math

from xdsl.ir import Operation, SSAValue

from furcate.ir import dialect as d
from furcate.passes.fuse_policy import (
    LAYOUT_OPS, SOURCE_OPS, WINDOW_OPS, FusionPolicy, device_of, is_trailing_reduce,
)


def shape(v: SSAValue) -> tuple[int, ...]:
    """The static shape of a tensor value."""
    return tuple(d.spec_of(v).shape)


def _squeeze(shp) -> tuple[int, ...]:
    return tuple(s for s in shp if s != 1)


# --------------------------------------------------------------------------
# the walk through layout chains


def consumers(v: SSAValue) -> list[tuple[Operation, list[Operation]]]:
    """(consumer, layout chain from v to it) for every non-layout op reading ``v``."""
    out = []
    stack = [(iter(list(v.uses)), [])]  # depth first, in use order: chains of any length
    while stack:
        uses, chain = stack[-1]
        use = next(uses, None)
        if use is None:
            stack.pop()
            continue
        u = use.operation
        if isinstance(u, LAYOUT_OPS):
            stack.append((iter(list(u.results[0].uses)), [*chain, u]))
        else:
            out.append((u, chain))
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
    if math.prod(shp) != n_rows * n_cols:
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
        n_cols = math.prod(src[i] for i, t in enumerate(tags) if t == "c")
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
    return math.prod(s for s, t in zip(end, tags) if t == "c") == n_cols_end


def _level(op: Operation, rows, cols) -> list[str] | None:
    """Tags of a computed value in a reduction group over rows × cols (full or row)."""
    nr, nc = math.prod(rows), math.prod(cols)
    shp = shape(op.results[0])
    return _tags(shp, nr, nc) or _tags(shp, nr, 1)


# --------------------------------------------------------------------------
# the contract


def legal(kind: str, ops: set[Operation], yielded: list[Operation], rows, cols,
          space: tuple[int, ...]) -> bool:
    """Is a region of ``kind`` computing ``ops`` and yielding the results of ``yielded``
    legal? ``rows``/``cols`` describe a reduction region, ``space`` is the iteration
    space (the shape of the group's last op) of the others."""
    for op in ops:  # a gather reads its operand from memory: never computed in the group
        if isinstance(op, d.GatherOp) and chain_source(op.operands[0]).owner in ops:
            return False
    if kind == "reduction" and rows is None:
        return _legal_strided_reduction(ops, yielded, cols)
    if kind == "reduction":
        return _legal_reduction(ops, yielded, rows, cols)
    if kind == "gemm":
        return _legal_gemm(ops, space)
    if kind == "window":
        return _legal_window(ops, space)
    return all(shape(m.results[0]) == space for m in yielded)  # pointwise


def _legal_strided_reduction(ops: set[Operation], yielded: list[Operation], cols) -> bool:
    """One reduce over non-trailing dims plus a prologue of the reduce operand's shape."""
    reduces = [op for op in ops if isinstance(op, d.ReduceOp)]
    if len(reduces) != 1 or any(isinstance(op, d.DotGeneralOp) for op in ops):
        return False
    for op in ops:
        if op is not reduces[0] and shape(op.results[0]) != cols:
            return False
        if any(chain for u, chain in consumers(op.results[0]) if u in ops):
            return False
    return all(shape(m.results[0]) in (cols, shape(reduces[0].results[0])) for m in yielded)


def _legal_reduction(ops: set[Operation], yielded: list[Operation], rows, cols) -> bool:
    nr, nc = math.prod(rows), math.prod(cols)
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
            tags = _level(op, rows, cols)
            if tags is None:
                return False
        for u, chain in consumers(op.results[0]):
            if u not in ops:
                continue
            want = nc if (isinstance(u, d.ReduceOp) or math.prod(shape(u.results[0])) == nr * nc) else 1
            if not row_chain_ok(chain, tags, nr, want):
                return False
    ok = (_squeeze(rows), _squeeze(rows + cols))  # size-1 dims aside: a row or a full value
    return all(_squeeze(shape(m.results[0])) in ok for m in yielded)


def _legal_gemm(ops: set[Operation], space: tuple[int, ...]) -> bool:
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


def _legal_window(ops: set[Operation], space: tuple[int, ...]) -> bool:
    anchors = [op for op in ops if isinstance(op, WINDOW_OPS)]
    if len(anchors) != 1 or any(isinstance(op, (d.ReduceOp, d.DotGeneralOp)) for op in ops):
        return False
    for v in anchors[0].operands:  # read from memory as they are (a reshape is the same memory)
        while isinstance(v.owner, d.ReshapeOp):
            v = v.owner.operands[0]
        if isinstance(v.owner, LAYOUT_OPS + SOURCE_OPS):
            return False
    for op in ops:
        if shape(op.results[0]) != space:
            return False
        for u, chain in consumers(op.results[0]):
            if u in ops and (chain or u is anchors[0]):
                return False
    return True


def merged_kind(g, op: Operation, policy: FusionPolicy):
    """(kind, rows, cols) of group ``g`` (a ``fuse_group.Group``: its kind, rows, cols and
    device are read) after ``op`` joins, or None if it cannot."""
    if device_of(op) != g.device:
        return None
    if g.kind == "reduction" and g.rows is None:  # over non-trailing dims: same-shape prologue only
        ok = policy.is_elementwise(op) and shape(op.results[0]) == g.cols
        return (g.kind, g.rows, g.cols) if ok else None
    if policy.is_elementwise(op):
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
    if isinstance(op, WINDOW_OPS) and g.kind == "pointwise":
        return "window", (), ()
    return None
