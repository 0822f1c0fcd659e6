"""Render a ``gemm`` kernel (a ``Dot`` plus its pointwise epilogue) through ``tl.dot``.

A program computes one ``BM x BN`` tile of ``acc[b, m, n] = sum_k lhs[b, m, k] *
rhs[b, n, k]``: a K loop of ``BK``-wide slices of both operands (masked at
ragged edges, loaded through the operands' strides, so transposed operands
need no copy), accumulated in f32 (f64 for f64). Tiles are ordered in groups
of ``GROUP_M`` rows so neighbouring programs share operand tiles in L2.
Batched dot_generals use the same kernel with the batch as grid axis 1. The
epilogue (bias, activation, residual) reads the accumulator tile in
registers and stores the results with the tile's mask.

f32 operands use IEEE input precision unless the op asked for TF32; f16/bf16
operands go to the tensor cores as they are and accumulate in f32.
"""

from __future__ import annotations

import math

from furcate.backends.kernel.desc import Affine, Kernel, Load
from furcate.backends.kernel.lower import linear
from furcate.backends.triton import exprs
from furcate.backends.triton.body import Body
from furcate.backends.triton.codegen import Rendered, _define_vars, header, needs_wide, pointer_args
from furcate.backends.triton.exprs import TritonRenderError

DOT_DTYPES = ("f16", "bf16", "f32", "f64")
MAX_GRID_Y = 65535


def _split(k: Kernel) -> tuple[int, int]:
    """Indices ``(nb, nm)``: parallel vars ``[0, nb)`` are batch, ``[nb, nm)`` rows, the rest columns."""
    d = k.dot
    nb = len(d.batch)
    if tuple(k.parallel[:nb]) != tuple(d.batch):
        raise TritonRenderError(f"gemm epilogue space {list(k.parallel)} does not start with the batch {list(d.batch)}")
    for nm in range(nb, len(k.parallel) + 1):
        if math.prod(k.parallel[nb:nm]) == d.m and math.prod(k.parallel[nm:]) == d.n:
            return nb, nm
    raise TritonRenderError(f"gemm epilogue space {list(k.parallel)} is not batch x {d.m} x {d.n}")


def render_gemm(k: Kernel, name: str, tf32: bool = False, interpret: bool = False) -> Rendered:
    """``interpret``: the interpreter's ``tl.dot`` reads bf16 as raw bits, so bf16 operands are
    widened to f32 first (exact products; the GPU rendering keeps them bf16)."""
    d = k.dot
    if d is None:
        raise TritonRenderError(f"kernel {k.name} has no dot")
    if d.dtype not in DOT_DTYPES:
        raise TritonRenderError(f"dot_general on {d.dtype}: tl.dot takes floating-point operands only")
    nbatch = math.prod(d.batch)
    if nbatch > MAX_GRID_Y:
        raise TritonRenderError(f"dot_general batch of {nbatch} exceeds the grid limit {MAX_GRID_Y}")
    nb, nm = _split(k)
    acc_shape = k.buffers[d.acc].spec.shape
    own = linear(tuple(Affine.var(i) for i in range(len(acc_shape))), acc_shape)
    for n in k.nodes:
        if isinstance(n, Load) and n.buffer == d.acc and n.offset != own:
            raise TritonRenderError("gemm epilogue reads the product at another element than its own")
    args = pointer_args(k)
    cx = ("BM", "BN", "BK", "GROUP_M")
    lines = header(name, k, args, cx)
    ind = "    "
    body = Body(k, lambda i: f"b{i}", needs_wide(k))
    M, N, K = d.m, d.n, d.k
    wide = ".to(tl.int64)" if body.wide else ""
    lines += [
        f"{ind}pid = tl.program_id(0)",
        f"{ind}bid = tl.program_id(1){wide}",
        f"{ind}npm = tl.cdiv({M}, BM)",
        f"{ind}npn = tl.cdiv({N}, BN)",
        f"{ind}width = GROUP_M * npn",
        f"{ind}first_m = (pid // width) * GROUP_M",
        f"{ind}gsize = tl.minimum(npm - first_m, GROUP_M)",
        f"{ind}pid_m = first_m + (pid % width) % gsize",
        f"{ind}pid_n = (pid % width) // gsize",
        f"{ind}rm = (pid_m * BM + tl.arange(0, BM)){wide}[:, None]",
        f"{ind}rn = (pid_n * BN + tl.arange(0, BN)){wide}[None, :]",
        f"{ind}mmask = rm < {M}",
        f"{ind}nmask = rn < {N}",
    ]
    body.axis_mask.update({"m": "mmask", "n": "nmask", "b": None})
    _define_vars(body, k.parallel[:nb], 0, "bid", "b", lines, ind)
    _define_vars(body, k.parallel[nb:nm], nb, "rm", "m", lines, ind)
    _define_vars(body, k.parallel[nm:], nm, "rn", "n", lines, ind)

    def base(op) -> str:
        terms = [str(op.offset)] + [f"{s} * i{j}" for j, s in enumerate(op.batch_strides) if s]
        return " + ".join(terms)

    acc_t = "tl.float64" if d.acc_dtype == "f64" else "tl.float32"
    prec = ""
    widen = ".to(tl.float32)" if interpret and d.dtype == "bf16" else ""
    if d.dtype == "f32" or widen:
        prec = ', input_precision="tf32"' if tf32 else ', input_precision="ieee"'
    lines += [
        f"{ind}a_ptr = b{d.lhs.buffer} + ({base(d.lhs)}) + rm * {d.lhs.rows_stride}",
        f"{ind}b_ptr = b{d.rhs.buffer} + ({base(d.rhs)}) + rn * {d.rhs.rows_stride}",
        f"{ind}acc = tl.zeros([BM, BN], {acc_t})",
        f"{ind}for k0 in range(0, {K}, BK):",
        f"{ind}    kk = k0 + tl.arange(0, BK)",
        f"{ind}    a = tl.load(a_ptr + kk[None, :] * {d.lhs.k_stride}, mask=mmask & (kk[None, :] < {K}), other=0){widen}",
        f"{ind}    b = tl.load(b_ptr + kk[:, None] * {d.rhs.k_stride}, mask=(kk[:, None] < {K}) & nmask, other=0){widen}",
        f"{ind}    acc = tl.dot(a, b, acc{prec})",
        f"{ind}accv = {exprs.round_to('acc', d.dtype)}",  # the product as the op's dtype
    ]
    body.override[d.acc] = "accv"
    roots = sorted({i for s in k.stores for i in k.deps(s.value)})
    body.emit(roots, lines, ind)
    body.fill_axes = ("m", "n")
    for s in k.stores:
        body.store(s.buffer, s.offset, body.name(s.value), lines, ind, "rm * 0 + rn * 0")
    space = {"m": M, "n": N, "k": K, "batch": nbatch, "dtype": d.dtype}
    return Rendered(name, "gemm", "\n".join(lines) + "\n", args, cx, space)
