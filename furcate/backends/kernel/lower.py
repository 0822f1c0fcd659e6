"""Lowering: a ``furcate.fusion`` region (or one op) -> ``Kernel`` descriptions.

Every value of the group is computed *at an index*: ``value_at(v, idx)`` with
``idx`` one ``Affine`` per dimension of ``v``. Elementwise ops evaluate their
operands at the same index (through the scalar table), layout ops transform
the index (broadcast drops dims, transpose permutes, slice scales and
shifts, reshape re-digits the linear offset), and group inputs become
``Load``s. Identical nodes are shared, so the DAG is CSE'd. A group that
cannot be expressed (a reshape that is not affine in the iteration space, a
reduction read at another row, ...) raises ``NotExpressible``; the caller then
runs its ops one by one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from xdsl.ir import Operation, SSAValue

from furcate.backends.kernel import scalar
from furcate.backends.kernel.desc import (
    Affine, Buffer, Const, Dot, Gather, Index, Kernel, Load, Op, Operand, Reduce, Store,
)
from furcate.dtypes import FLOAT_DTYPES, TensorSpec, accumulator_dtype
from furcate.ir.dialect import spec_of
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS

ACC_DTYPE = {d: accumulator_dtype(d) for d in FLOAT_DTYPES}  # where float contractions compute
LAYOUT_OPS = {"broadcast_in_dim", "transpose", "slice", "reshape"}
SPLAT_LIMIT = 1  # non-splat constants become const buffers


class NotExpressible(Exception):
    """The group cannot be one kernel (the message names the op and why)."""


class Carry(NotExpressible):
    """A reshape index that carries from one digit into the next, which splitting iteration
    variable ``var`` into ``(extent // inner, inner)`` may make affine (see ``_plan_dot``)."""

    def __init__(self, msg: str, var: int, inner: int):
        super().__init__(msg)
        self.var, self.inner = var, inner


def short(op: Operation) -> str:
    return op.name.split(".", 1)[1]


def row_major(shape) -> list[int]:
    strides, s = [], 1
    for n in reversed(shape):
        strides.append(s)
        s *= n
    return strides[::-1]


def linear(idx, shape) -> Affine:
    out = Affine()
    for a, st in zip(idx, row_major(shape)):
        out = out + a.scale(st)
    return out


def unravel(lin: Affine, shape, extents) -> tuple[Affine, ...]:
    """Indices into row-major ``shape`` of linear offset ``lin``, if each index is affine
    (every term lands in one digit and no digit can carry); else ``NotExpressible`` --
    ``Carry`` where splitting one variable could help."""
    strides = row_major(shape)
    digits: list[dict[int, int]] = [{} for _ in shape]
    consts = [0] * len(shape)
    c = lin.const
    for j, st in enumerate(strides):
        if shape[j] > 1:
            consts[j], c = divmod(c, st)
    for v, coef in lin.terms:
        if extents[v] == 1:
            continue
        j = next((j for j, st in enumerate(strides) if shape[j] > 1 and st <= coef), None)
        if coef <= 0 or j is None or coef % strides[j]:
            raise NotExpressible(f"reshape to {list(shape)}: its elements cannot be read in the order of "
                                 "this kernel's loops (the view needs a copy)")
        digits[j][v] = digits[j].get(v, 0) + coef // strides[j]
    out = []
    for j, n in enumerate(shape):
        a = Affine.of(digits[j], consts[j])
        if a.max_value(extents) >= max(n, 1):
            msg = (f"reshape to {list(shape)}: dim {j}'s index does not follow this kernel's loops "
                   "(the view needs a copy)")
            v, q = max(a.terms, key=lambda t: t[1], default=(None, 0))
            inner = n // q if q > 0 and n % q == 0 else 0
            if v is not None and 1 < inner < extents[v] and extents[v] % inner == 0:
                raise Carry(msg, v, inner)  # the low part of v stays in this digit
            raise NotExpressible(msg)
        out.append(a)
    return tuple(out)


class _Emitter:
    """Builds the node list of one kernel, sharing identical nodes."""

    def __init__(self, kernel: Kernel, extents, buffer_of, gather: bool = False):
        self.k = kernel
        self.gather = gather  # may emit Gather nodes
        self.extents = extents
        self.buffer_of = buffer_of  # SSAValue -> buffer index (or None)
        self.memo: dict = {}
        self.node_ids: dict = {}
        self.acc_value: SSAValue | None = None
        self.acc_buffer: int | None = None
        self.const_bufs: dict = {}

    def node(self, n) -> int:
        i = self.node_ids.get(n)
        if i is None:
            i = len(self.k.nodes)
            self.k.nodes.append(n)
            self.node_ids[n] = i
        return i

    def value_at(self, v: SSAValue, idx: tuple[Affine, ...]) -> int:
        """The node of ``v`` at ``idx``. An explicit stack of ``_value_at`` generators (each
        yields the (value, index) pairs it needs and is sent their nodes), so a chain of any
        length lowers without Python recursion."""
        memo = self.memo
        key = (v, idx)
        if key in memo:
            return memo[key]
        stack = [(key, self._value_at(v, idx))]
        sent = None
        while stack:
            k, gen = stack[-1]
            try:
                need = gen.send(sent)
            except StopIteration as done:
                memo[k] = sent = done.value
                stack.pop()
                continue
            if need in memo:
                sent = memo[need]
            else:
                stack.append((need, self._value_at(*need)))
                sent = None
        return memo[key]

    def _value_at(self, v: SSAValue, idx):
        """A generator: yields each (value, index) it needs, returns the node id."""
        spec = spec_of(v)
        b = self.buffer_of(v)
        if b is not None:
            return self.node(Load(b, linear(idx, spec.shape), spec.dtype))
        if v is self.acc_value:
            return self.node(Load(self.acc_buffer, linear(idx, spec.shape), spec.dtype))
        op = v.owner
        if not isinstance(op, Operation):
            raise NotExpressible("a value read by the fused group is not one of its inputs")
        name = short(op)
        attrs = op.attrs() if hasattr(op, "attrs") else {}
        if name in scalar.elementwise_ops():
            args = []
            for o in op.operands:
                args.append((yield (o, idx)))

            def emit(prim, a):
                dt = "i1" if scalar.result_is_bool(prim) else spec.dtype
                return self.node(Op(prim, tuple(a), dt))

            return scalar.lower_op(name, args, attrs, emit)
        if name == "broadcast_in_dim":
            src = spec_of(op.operands[0])
            dims = attrs["broadcast_dimensions"]
            return (yield (op.operands[0], tuple(
                Affine() if src.shape[i] == 1 else idx[d] for i, d in enumerate(dims))))
        if name == "transpose":
            perm = attrs["permutation"]
            inner = [Affine()] * len(perm)
            for i, p in enumerate(perm):
                inner[p] = idx[i]
            return (yield (op.operands[0], tuple(inner)))
        if name == "slice":
            return (yield (op.operands[0], tuple(
                a.scale(st).shift(s) for a, s, st in zip(idx, attrs["start_indices"], attrs["strides"]))))
        if name == "reshape":
            src = op.operands[0]
            lin = linear(idx, spec.shape)
            b = self.buffer_of(src)
            if b is not None:  # a contiguous buffer: same linear offset
                return self.node(Load(b, lin, spec.dtype))
            return (yield (src, unravel(lin, spec_of(src).shape, self.extents)))
        if name == "iota":
            return self.node(Index(idx[attrs["iota_dimension"]], spec.dtype))
        if name == "constant":
            arr = op.numpy()
            flat = arr.reshape(-1)
            if flat.size >= 1 and (flat.size <= SPLAT_LIMIT or np.all(flat.view(_uint(arr)) == flat[:1].view(_uint(arr)))):
                return self.node(Const(flat[0].item(), spec.dtype))
            return self.node(Load(self.const_buffer(v, arr), linear(idx, spec.shape), spec.dtype))
        if name == "reduce":
            return (yield from self.reduce_at(op, idx))
        if name == "gather" and self.gather:
            return (yield from self.gather_at(op, idx, spec.dtype))
        if name == "concatenate" and self.gather:
            return self.concatenate_at(op, idx, spec.dtype)
        if name == "pad" and self.gather:
            return (yield from self.pad_at(op, idx, spec.dtype))
        raise NotExpressible(f"furcate.{name} cannot be part of a kernel")

    def const_buffer(self, v, arr) -> int:
        if v not in self.const_bufs:
            self.k.buffers.append(Buffer(f"const{len(self.const_bufs)}", spec_of(v), "const"))
            self.const_bufs[v] = len(self.k.buffers) - 1
            self.k.const_data[self.const_bufs[v]] = np.ascontiguousarray(arr)
        return self.const_bufs[v]

    def gather_at(self, op, idx, dtype: str) -> int:
        """``operand[..., indices[i...], ...]`` at ``idx``: the index is a value of the kernel,
        the operand a buffer."""
        operand, indices = op.operands
        b = self.buffer_of(operand)
        if b is None:
            raise NotExpressible("furcate.gather of a value computed in the same kernel")
        a = op.attr("axis")
        ospec, ri = spec_of(operand), spec_of(indices).rank
        index = yield (indices, tuple(idx[a:a + ri]))
        offset = linear(tuple(idx[:a]) + (Affine(),) + tuple(idx[a + ri:]), ospec.shape)
        return self.node(Gather(b, offset, index, row_major(ospec.shape)[a], ospec.shape[a], dtype))

    def concatenate_at(self, op, idx, dtype: str) -> int:
        """``concatenate`` of buffers at ``idx``: each operand read by a clamped gather along the
        axis (so no read is out of range, whichever part holds ``idx``), the part chosen by
        comparing the axis index with each operand's start. Operands computed in the same
        kernel are not expressed (evaluating them outside their range could read out of
        bounds); the fuser keeps concatenate a group of its own, so its operands are buffers."""
        a = op.attr("dimension")
        parts, start = [], 0
        for o in op.operands:
            b = self.buffer_of(o)
            if b is None:
                raise NotExpressible("furcate.concatenate of a value computed in the same kernel")
            shape = spec_of(o).shape
            n = shape[a]
            if n:
                rel = self.node(Index(idx[a].shift(-start), "i64"))
                offset = linear(tuple(idx[:a]) + (Affine(),) + tuple(idx[a + 1:]), shape)
                parts.append((start, self.node(Gather(b, offset, rel, row_major(shape)[a], n, dtype))))
            start += n
        if not parts:
            raise NotExpressible("furcate.concatenate of empty operands")
        pos = self.node(Index(idx[a], "i64"))
        out = parts[-1][1]
        for (_, value), (nxt, _) in zip(reversed(parts[:-1]), reversed(parts[1:])):
            before = self.node(Op("lt", (pos, self.node(Const(nxt, "i64"))), "i1"))
            out = self.node(Op("select", (before, value, out), dtype))
        return out

    def pad_at(self, op, idx, dtype: str):
        """``pad`` of a buffer at ``idx``: per padded dim the source position
        ``q = (i - low) / (interior + 1)``, valid when ``0 <= i - low <= (n - 1)(interior + 1)``
        and on the stride; one gather at the clamped linear position (never out of range),
        the padding value where any dim is not valid. Dims without padding stay affine."""
        x, pad_value = op.operands
        b = self.buffer_of(x)
        if b is None:
            raise NotExpressible("furcate.pad of a value computed in the same kernel")
        lo, hi, it = (op.attr(k) for k in ("edge_padding_low", "edge_padding_high", "interior_padding"))
        shape = spec_of(x).shape
        fill = yield (pad_value, ())
        if 0 in shape:
            return fill
        i64 = "i64"

        def c(v):
            return self.node(Const(v, i64))

        def op2(prim, a, bb, dt=i64):
            return self.node(Op(prim, (a, bb), dt))

        affine, index, valid = Affine(), None, None
        for d, (n, st) in enumerate(zip(shape, row_major(shape))):
            if lo[d] == hi[d] == it[d] == 0:
                affine = affine + idx[d].scale(st)
                continue
            q = self.node(Index(idx[d].shift(-lo[d]), i64))
            step = it[d] + 1
            ok = op2("and", op2("ge", q, c(0), "i1"), op2("le", q, c((n - 1) * step), "i1"), "i1")
            src = q
            if step > 1:
                ok = op2("and", ok, op2("eq", op2("rem", q, c(step)), c(0), "i1"), "i1")
                src = op2("div", op2("max", q, c(0)), c(step))
            src = op2("min", op2("max", src, c(0)), c(n - 1))
            term = src if st == 1 else op2("mul", src, c(st))
            index = term if index is None else op2("add", index, term)
            valid = ok if valid is None else op2("and", valid, ok, "i1")
        if index is None:  # no dim padded
            return self.node(Load(b, affine, dtype))
        value = self.node(Gather(b, affine, index, 1, math.prod(shape), dtype))
        return self.node(Op("select", (valid, value, fill), dtype))

    def reduce_at(self, op, idx) -> int:
        P = len(self.k.parallel)
        if not self.k.reduce:
            raise NotExpressible("furcate.reduce outside a reduction kernel")
        unit = {i for i, n in enumerate(self.k.parallel) if n == 1}  # a variable over one value is 0

        def row(a: Affine) -> Affine:
            return Affine.of({v: c for v, c in a.terms if v not in unit}, a.const)
        if tuple(map(row, idx)) != tuple(row(Affine.var(i)) for i in range(P)):
            raise NotExpressible(f"furcate.reduce result read at {idx}, not at its own row")
        src = spec_of(op.operands[0])
        dims = op.attr("dimensions")
        if tuple(src.shape[d] for d in dims) != self.k.reduce:
            raise NotExpressible("reductions over different extents in one group")
        full = _full_index(src.rank, dims, P)
        arg = yield (op.operands[0], full)
        dt = src.dtype
        kind = op.attr("kind")
        acc = REDUCE_KINDS[kind].acc(dt)
        return self.node(Reduce(kind, arg, dt, acc))


def _uint(arr):
    return {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[arr.dtype.itemsize]


def _full_index(rank, dims, P) -> tuple[Affine, ...]:
    """Index of a reduce operand: kept dims -> parallel vars, reduced dims -> reduce vars."""
    kept = [d for d in range(rank) if d not in dims]
    out = [Affine()] * rank
    for i, d in enumerate(kept):
        out[d] = Affine.var(i)
    for j, d in enumerate(dims):
        out[d] = Affine.var(P + j)
    return tuple(out)


def _squeeze(shape) -> tuple[int, ...]:
    return tuple(n for n in shape if n != 1)


def _block(kind, parallel, reduce) -> tuple[int, ...]:
    if not parallel:
        return ()
    inner = 1 if kind == "reduction" else min(1024, 1 << max(parallel[-1] - 1, 0).bit_length())
    return tuple([1] * (len(parallel) - 1) + [inner])


def lower_group(ops: list[Operation], inputs: list[SSAValue], outputs: list[SSAValue], name: str,
                gather: bool = False) -> Kernel:
    """One kernel computing ``outputs`` from ``inputs`` through ``ops`` (in program order).

    ``inputs`` are the values read from memory: the region's block arguments, plus
    any value defined inside it that the caller binds to a buffer (``constant_ref``).
    ``gather``: the renderer handles ``Gather`` nodes (``furcate.gather`` of an input)."""
    reduces = [op for op in ops if short(op) == "reduce"]
    dots = [op for op in ops if short(op) == "dot_general"]
    if dots and reduces:
        raise NotExpressible("a group with both dot_general and reduce")
    if len(dots) > 1:
        raise NotExpressible("more than one dot_general in a group")
    out_specs = [spec_of(o) for o in outputs]
    in_bufs = {v: i for i, v in enumerate(inputs)}
    buffers = [Buffer(f"in{i}", spec_of(v), "in") for i, v in enumerate(inputs)]
    buffers += [Buffer(f"out{i}", s, "out") for i, s in enumerate(out_specs)]
    if reduces:
        r0 = reduces[0]
        src = spec_of(r0.operands[0])
        dims = r0.attr("dimensions")
        parallel = tuple(s for i, s in enumerate(src.shape) if i not in dims)
        red = tuple(src.shape[d] for d in dims)
        kind = "reduction"
        full = _full_index(src.rank, dims, len(parallel))

        rows_index = tuple(Affine.var(i) for i in range(len(parallel)))

        def out_index(s: TensorSpec):
            # the rows or the reduced tensor, possibly with size-1 dims added or dropped
            for shp, idx in ((parallel, rows_index), (tuple(src.shape), full)):
                if _squeeze(s.shape) == _squeeze(shp):
                    it = iter(a for a, n in zip(idx, shp) if n != 1)
                    return tuple(Affine() if n == 1 else next(it) for n in s.shape)
            raise NotExpressible(f"output of shape {list(s.shape)} is neither the rows {list(parallel)} "
                                 f"nor the reduced tensor {list(src.shape)}")
    else:
        shapes = {s.shape for s in out_specs}
        if len(shapes) != 1:
            raise NotExpressible("outputs of different shapes")
        parallel, red = out_specs[0].shape, ()
        kind = "gemm" if dots else "pointwise"
        plan = _plan_dot(dots[0], in_bufs) if dots else None
        res_idx = None
        if plan is not None and plan.acc_shape != spec_of(dots[0].results[0]).shape \
                and out_specs[0].shape == spec_of(dots[0].results[0]).shape:
            # iterate over the accumulator's (factored) space, so that the epilogue runs per GEMM tile
            try:
                space = plan.acc_shape
                res_idx = unravel(linear(tuple(Affine.var(i) for i in range(len(space))), space),
                                  out_specs[0].shape, space)
                parallel = space
            except NotExpressible:
                pass  # the epilogue runs over the result's own space, after all GEMMs

        def out_index(s: TensorSpec):
            return res_idx if res_idx is not None else tuple(Affine.var(i) for i in range(len(parallel)))

    k = Kernel(name, kind, tuple(parallel), tuple(red), buffers)
    em = _Emitter(k, k.extents, lambda v: in_bufs.get(v), gather)
    if dots:
        _lower_dot(k, em, dots[0], plan)
    for j, (o, s) in enumerate(zip(outputs, out_specs)):
        idx = out_index(s)
        val = em.value_at(o, idx)
        k.stores.append(Store(len(inputs) + j, linear(idx, s.shape), val))
    k.block = _block(kind, k.parallel, k.reduce)
    if k.dot is not None and out_specs[0] == spec_of(dots[0].results[0]):
        own = k.stores[0].offset
        k.dot_in_place = all(n.offset == own for n in k.nodes if isinstance(n, Load) and n.buffer == k.dot.acc)
    return k


MAX_SPLITS = 32  # factor splits tried before a dot_general operand counts as not a view


@dataclass(frozen=True)
class _DotPlan:
    """A ``dot_general`` as one (batched) BLAS-style GEMM: its ``Dot`` (``acc`` not yet
    assigned) and the accumulator's shape."""

    dot: Dot
    acc_shape: tuple[int, ...]


def _lower_dot(k: Kernel, em: _Emitter, dot: Operation, plan: _DotPlan) -> None:
    k.buffers.append(Buffer("acc", TensorSpec(plan.acc_shape, plan.dot.dtype), "acc"))
    acc = len(k.buffers) - 1
    k.dot = replace(plan.dot, acc=acc)
    em.acc_value, em.acc_buffer = dot.results[0], acc


def _plan_dot(dot: Operation, in_bufs) -> _DotPlan:
    """How a ``dot_general`` whose operands are layout views of the group's inputs runs as
    GEMMs, without copying an operand.

    Each operand dim is read as a list of factors, each with one stride. A dim starts as
    one factor; where a reshape in an operand's view merges dims that are not adjacent in
    memory (the heads merged into the batch after a transpose: ``[B, S, H, D] ->
    [B*H, S, D]``), the view raises ``Carry`` and that factor is split -- one split for
    both operands of a batch or contracting dim -- until both views are affine. The
    batch is then the list of batch factors, each with a stride per operand (per-entry
    pointers come from the multi-dim batch index); K and N must each merge into one
    stride; M may keep outer factors, which join the batch (the rhs stays put along
    them). Where nothing was split or moved the accumulator has the result's shape; else
    ``batch + (m, n)``, the same row-major layout."""
    a = dot.attrs()
    ls, rs = spec_of(dot.operands[0]), spec_of(dot.operands[1])
    lb, rb = list(a["lhs_batching_dimensions"]), list(a["rhs_batching_dimensions"])
    lc, rc = list(a["lhs_contracting_dimensions"]), list(a["rhs_contracting_dimensions"])
    lfree = [d for d in range(ls.rank) if d not in lb + lc]
    rfree = [d for d in range(rs.rank) if d not in rb + rc]
    lists_l = [[n] for n in ls.shape]  # factor sizes per dim, outer first
    lists_r = [[n] for n in rs.shape]
    for dl, dr in zip(lb + lc, rb + rc):  # batch and contracting dims: one list for both operands
        lists_r[dr] = lists_l[dl]
    for _ in range(MAX_SPLITS):
        views = [_factored_view(dot.operands[0], lists_l, in_bufs),
                 _factored_view(dot.operands[1], lists_r, in_bufs)]
        if None not in views:
            break
    else:
        raise NotExpressible("dot_general operands are not strided views of its inputs")
    (lbuf, lfac, loff), (rbuf, rfac, roff) = views
    batch = [s for d in lb for s, _ in lfac[d]]
    lbs = [st for d in lb for _, st in lfac[d]]
    rbs = [st for d in rb for _, st in rfac[d]]
    lk = _one_stride([f for d in lc for f in lfac[d]], "lhs contracting")
    rk = _one_stride([f for d in rc for f in rfac[d]], "rhs contracting")
    rn = _one_stride([f for d in rfree for f in rfac[d]], "rhs free")
    groups = _groups([f for d in lfree for f in lfac[d]]) or [(1, 0)]
    m, lm = groups[-1]
    for size, stride in groups[:-1]:  # outer M factors: more batch entries
        batch.append(size)
        lbs.append(stride)
        rbs.append(0)
    n = math.prod(rs.shape[d] for d in rfree)
    kk = math.prod(ls.shape[d] for d in lc)
    factored = len(groups) > 1 or any(len(lists_l[d]) > 1 for d in lb)
    res = spec_of(dot.results[0])
    acc_shape = (*batch, m, n) if factored else res.shape
    return _DotPlan(Dot(Operand(lbuf, loff, tuple(lbs), lm, lk), Operand(rbuf, roff, tuple(rbs), rn, rk),
                        tuple(batch), m, n, kk, -1, res.dtype, ACC_DTYPE.get(res.dtype, res.dtype)),
                    acc_shape)


def _factored_view(v: SSAValue, lists: list[list[int]], in_bufs):
    """``(buffer, per dim [(factor size, stride)...], offset)`` of a dot operand that is a
    layout view of an input, reading dim ``d`` as the factors ``lists[d]``; ``None`` after
    splitting a factor (in ``lists``, in place) that the view needs split."""
    sizes = tuple(n for lst in lists for n in lst)
    idx, var = [], 0
    for lst in lists:
        a = Affine()
        for j in range(len(lst)):
            a = a + Affine.var(var + j, math.prod(lst[j + 1:]))
        idx.append(a)
        var += len(lst)
    scratch = Kernel("view", "pointwise", sizes, (), [])
    em = _Emitter(scratch, sizes, lambda x: in_bufs.get(x))
    try:
        node = scratch.nodes[em.value_at(v, tuple(idx))]
    except Carry as c:
        pos = c.var
        for lst in lists:
            if pos < len(lst):
                lst[pos:pos + 1] = [lst[pos] // c.inner, c.inner]
                return None
            pos -= len(lst)
        raise
    if not isinstance(node, Load) or scratch.buffers:
        raise NotExpressible("dot_general operand is computed, not a view of an input")
    out, var = [], 0
    for lst in lists:
        out.append([(n, node.offset.coef(var + j)) for j, n in enumerate(lst)])
        var += len(lst)
    return node.buffer, out, node.offset.const


def _groups(factors) -> list[tuple[int, int]]:
    """``(size, stride)`` factors (outer first, size-1 ones dropped) merged where adjacent in memory."""
    out: list[tuple[int, int]] = []
    for n, st in factors:
        if n == 1:
            continue
        if out and out[-1][1] == st * n:
            out[-1] = (out[-1][0] * n, st)
        else:
            out.append((n, st))
    return out


def _one_stride(factors, what: str) -> int:
    """The one stride of a group of factors that must be one matrix dim (0 if all are size 1)."""
    g = _groups(factors)
    if len(g) > 1:
        raise NotExpressible(f"dot_general {what} dims cannot be merged into one matrix dim")
    return g[0][1] if g else 0


def lower_op(op: Operation, name: str, gather: bool = False) -> Kernel:
    """A one-op kernel (an unfused elementwise, layout, reduce, dot or -- with ``gather`` --
    gather op)."""
    return lower_group([op], list(op.operands), list(op.results), name, gather)
