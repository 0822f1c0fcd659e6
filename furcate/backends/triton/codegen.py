"""Render ``Kernel`` descriptions to ``@triton.jit`` source: pointwise and row reductions.

Pointwise: the parallel space is flattened; each program handles ``BLOCK``
consecutive elements (``offs``), every iteration variable is recovered from
``offs`` by div/mod with the static extents, the last block is masked.

Row reduction: a program owns ``BM`` rows (``row``, shape ``[BM, 1]``) and
walks the reduced elements as columns (``col``, ``[1, RB]``):

- *persistent* (``RB >= RED``): the whole row is one block; values stay in
  registers between the reductions of a multi-reduction kernel (softmax:
  max, then sum of exp, then the normalized store — one load of x);
- *looped* (long rows): one loop over column blocks per reduction stage,
  accumulating lane-wise into a ``[BM, RB]`` accumulator reduced once after
  the loop, then one more loop for the element-wise stores.

GEMM kernels are rendered by ``gemm.py``. Shapes are static: extents are
literals, block sizes are ``tl.constexpr`` parameters chosen at launch.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from furcate.backends.kernel.desc import Affine, Kernel, Reduce
from furcate.backends.kernel.lower import row_major
from furcate.backends.kernel.stages import reduction_stages
from furcate.backends.triton import exprs
from furcate.backends.triton.body import HELPERS, REDUCE_INIT, Body, combine, from_acc, reduce_expr, to_acc
from furcate.backends.triton.exprs import TritonRenderError

INT32_LIMIT = 2**31 - 1


@dataclass(frozen=True)
class Rendered:
    """One kernel's source and what launching it needs."""

    name: str  # the @triton.jit function's name in ``source``
    kind: str  # pointwise | reduction | gemm
    source: str
    args: tuple[int, ...]  # kernel buffer index of each pointer argument, in order
    constexprs: tuple[str, ...]  # launch-time block-size parameters
    space: dict  # pointwise: {"n"}; reduction: {"rows", "red", "looped"}; gemm: {"m", "n", "k", "batch", ...}


def needs_wide(k: Kernel) -> bool:
    """Do offsets need 64 bits (any buffer or the iteration space beyond int32)?"""
    sizes = [b.spec.numel for b in k.buffers] + [math.prod(k.extents)]
    return max(sizes, default=0) > INT32_LIMIT // 2


def pointer_args(k: Kernel) -> tuple[int, ...]:
    return tuple(i for i, b in enumerate(k.buffers) if b.role in ("in", "out", "const"))


def header(name: str, k: Kernel, args, constexprs) -> list[str]:
    params = [f"b{i}" for i in args] + [f"{c}: tl.constexpr" for c in constexprs]
    return ["", "", "@triton.jit", f"def {name}({', '.join(params)}):",
            f"    # {k.kind} kernel {k.name}: parallel {list(k.parallel)}, reduce {list(k.reduce)}"]


def module_source(kernels: list[str]) -> str:
    return "import triton\nimport triton.language as tl\n\n" + HELPERS + "".join(kernels) + "\n"


def _define_vars(body: Body, extents, first: int, base: str, axis: str, lines, ind) -> None:
    """Iteration variables ``first..`` of row-major ``extents`` from flat index ``base``."""
    strides = row_major(extents)
    for j, (e, s) in enumerate(zip(extents, strides)):
        v = first + j
        x = base if s == 1 else f"({base} // {s})"
        if j > 0:
            x = f"({x} % {e})"
        name = f"i{v}"
        lines.append(f"{ind}{name} = {x}")
        body.define_var(v, name, axis)


def render_pointwise(k: Kernel, name: str) -> Rendered:
    args = pointer_args(k)
    n = math.prod(k.parallel)
    lines = header(name, k, args, ("BLOCK",))
    ind = "    "
    body = Body(k, lambda i: f"b{i}", needs_wide(k))
    pid = "tl.program_id(0).to(tl.int64)" if body.wide else "tl.program_id(0)"
    lines.append(f"{ind}offs = {pid} * BLOCK + tl.arange(0, BLOCK)")
    lines.append(f"{ind}mask = offs < {n}")
    body.axis_mask["x"] = "mask"
    body.fill_axes = ("x",)
    _define_vars(body, k.parallel, 0, "offs", "x", lines, ind)
    body.shortcut[Affine.of(dict(enumerate(row_major(k.parallel))))] = ("offs", ("x",))
    roots = sorted({i for s in k.stores for i in k.deps(s.value)})
    body.emit(roots, lines, ind)
    for s in k.stores:
        body.store(s.buffer, s.offset, body.name(s.value), lines, ind, "offs")
    return Rendered(name, "pointwise", "\n".join(lines) + "\n", args, ("BLOCK",), {"n": n})


def render_reduction(k: Kernel, name: str, looped: bool) -> Rendered:
    args = pointer_args(k)
    P = len(k.parallel)
    rows, red = math.prod(k.parallel), math.prod(k.reduce)
    lines = header(name, k, args, ("BM", "RB"))
    ind = "    "
    body = Body(k, lambda i: f"b{i}", needs_wide(k))
    pid = "tl.program_id(0).to(tl.int64)" if body.wide else "tl.program_id(0)"
    lines.append(f"{ind}row = {pid} * BM + tl.arange(0, BM)[:, None]")
    lines.append(f"{ind}rmask = row < {rows}")
    body.axis_mask.update({"r": "rmask", "c": "cmask"})
    body.fill_axes = ("r",)
    _define_vars(body, k.parallel, 0, "row", "r", lines, ind)
    inner = k.inner()
    row_stores = [s for s in k.stores if not inner[s.value] and not (s.offset.vars() & set(range(P, k.n_vars)))]
    el_stores = [s for s in k.stores if s not in row_stores]

    def cols(ind: str, start: str) -> None:
        lines.append(f"{ind}col = {start}tl.arange(0, RB)[None, :]")
        lines.append(f"{ind}cmask = col < {red}")
        _define_vars(body, k.reduce, P, "col", "c", lines, ind)

    def reduce_into(r: int, ind: str, acc_name: str | None) -> None:
        n = k.nodes[r]
        init = exprs.const_expr(REDUCE_INIT[n.kind](n.acc), n.acc)
        x = f"tl.where(rmask & cmask, {to_acc(body.name(n.arg), n)}, {init})"
        if acc_name is None:
            lines.append(f"{ind}t{r} = {from_acc(reduce_expr(n.kind, x, n.acc, 1), n)}[:, None]")
        else:
            lines.append(f"{ind}{acc_name} = {combine(n.kind, acc_name, x, n.acc)}")

    if not looped:
        cols(ind, "")
        needed = sorted({d for s in k.stores for d in k.deps(s.value, stop_at_reduce=False)})
        for i in needed:
            if isinstance(k.nodes[i], Reduce):
                body.emit(k.deps(k.nodes[i].arg), lines, ind)
                reduce_into(i, ind, None)
                body.names[i] = f"t{i}"
        body.emit(needed, lines, ind)
        for s in k.stores:
            body.store(s.buffer, s.offset, body.name(s.value), lines, ind, "row")
    else:
        for si, stage in enumerate(reduction_stages(k)):
            outer = sorted({d for r in stage for d in k.deps(k.nodes[r].arg) if not inner[d]})
            body.emit(outer, lines, ind)
            for r in stage:
                n = k.nodes[r]
                init = exprs.const_expr(REDUCE_INIT[n.kind](n.acc), n.acc)
                lines.append(f"{ind}acc{r} = tl.zeros([BM, RB], {exprs.ctl(n.acc)}) + {init}")
            lines.append(f"{ind}for c0 in range(0, {red}, RB):")
            saved = dict(body.names)
            body.suffix = f"_{si}"
            cols(ind + "    ", "c0 + ")
            body.emit(sorted({d for r in stage for d in k.deps(k.nodes[r].arg)}), lines, ind + "    ")
            for r in stage:
                reduce_into(r, ind + "    ", f"acc{r}")
            body.names, body.suffix = saved, ""
            for r in stage:
                n = k.nodes[r]
                lines.append(f"{ind}t{r} = {from_acc(reduce_expr(n.kind, f'acc{r}', n.acc, 1), n)}[:, None]")
                body.names[r] = f"t{r}"
        for s in row_stores:
            body.emit(k.deps(s.value), lines, ind)
            body.store(s.buffer, s.offset, body.name(s.value), lines, ind, "row")
        if el_stores:
            outer = sorted({d for s in el_stores for d in k.deps(s.value) if not inner[d]})
            body.emit(outer, lines, ind)
            lines.append(f"{ind}for c0 in range(0, {red}, RB):")
            body.suffix = "_st"
            cols(ind + "    ", "c0 + ")
            body.emit(sorted({d for s in el_stores for d in k.deps(s.value)}), lines, ind + "    ")
            for s in el_stores:
                body.store(s.buffer, s.offset, body.name(s.value), lines, ind + "    ", "row")
    space = {"rows": rows, "red": red, "looped": looped}
    return Rendered(name, "reduction", "\n".join(lines) + "\n", args, ("BM", "RB"), space)


def check_dtypes(k: Kernel) -> None:
    for b in k.buffers:
        if b.spec.dtype not in exprs.TL:
            raise TritonRenderError(f"buffer {b.name} has dtype {b.spec.dtype}, which Triton kernels do not take")
