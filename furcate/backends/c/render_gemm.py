"""GEMM kernels in C: BLAS per output tile, inside furcate's OpenMP region.

A ``gemm`` kernel's result (``batch... x M x N``) is cut into tiles: every batch
entry, and M or N into chunks until there are about two tiles per thread
(handed out dynamically, so a thread preempted on a shared machine does not hold
up the others).
Each OpenMP thread calls the BLAS single-threaded on its tile (the BLAS's own
thread pool never runs, so no two pools of spinning threads share the cores)
and applies the pointwise epilogue (bias, activation, residual) to the tile
right after, while it is still in cache. N is split when A is the smaller
operand (each thread then packs all of A and its part of B), M otherwise.
Small GEMMs run as one tile on the calling thread. A batch entry's operand pointers come
from its multi-dim batch index (one stride per factor and operand, ``Dot.batch``), so
strided views such as per-head slices of a fused projection go to the BLAS in place.

Results that are not ``batch x M x N`` with at most one free dim per operand
(a general ``dot_general``) run as one BLAS call per batch entry, then the
epilogue as a separate parallel loop. So does a parallel GEMM of few rows
(``M <= WHOLE_MAX_M``, no batch) when the BLAS is torch's MKL, whose threads are
furcate's OpenMP pool (the same libgomp): MKL splits such a GEMM better than
tiles of N do (16x1024 @ 1024x256 on 2 threads: 61 us as one call, 85 us as
two tiles; small real models 1.47x -> 1.53x eager, ``models_suite.py --quick``). Up to 1024
rows (was 64), measured with paired loops in one process on 2 cores: batch-8 Llama small
1.38x -> 1.49x eager, BERT small 1.47x -> 1.73x, the MLP block 0.96x -> 1.06x, GPT-2 and T5
small the same; Llama medium b8 205 -> 200 ms. Above 1024 rows tiles were not measured
against it and stay.
"""

from __future__ import annotations

import math

from furcate.backends.c.blas import find_blas
from furcate.backends.c.render import RenderError, _close, affine_expr, store_expr
from furcate.backends.kernel.desc import Kernel, Load

PAR_FLOPS = 1 << 22  # below this many flops a GEMM runs on the calling thread
CHUNK = 16  # split M or N in multiples of this (whole vectors in the epilogue)
# Several tiles per thread, handed out dynamically: on a shared machine a preempted thread
# no longer holds up the whole GEMM (measured with 2 threads: 4 tiles each cost 2-5% over one,
# 2 tiles each 1-2%).
TILES_PER_THREAD = 2
MIN_CHUNK = 64
WHOLE_MAX_M = 1024  # with torch's MKL: a parallel GEMM of at most this many rows is one BLAS call


class _Names:
    one = {"f32": "1.0f", "f64": "1.0"}
    zero = {"f32": "0.0f", "f64": "0.0"}
    fn = {"f32": "FC_SGEMM", "f64": "FC_DGEMM"}


def render_gemm(k: Kernel, body, lines: list[str], render_pointwise) -> None:
    """Append the body of gemm kernel ``k`` (BLAS calls and epilogue) to ``lines``."""
    d = k.dot
    if d.dtype not in ("f32", "f64"):
        raise RenderError(f"dot_general on {d.dtype} has no BLAS routine")
    if 0 in k.parallel or 0 in d.batch:
        return  # an empty result
    layout = tile_layout(k)
    if layout is not None and _one_threaded_call(k):
        lines.append("    { const int fc_prev = FC_BLAS_LOCAL_THREADS(omp_get_max_threads());")
        lines += _render_whole(k)
        lines.append("    FC_BLAS_LOCAL_THREADS(fc_prev); }")
        if not epilogue_is_identity(k):
            render_pointwise(k, body, lines)
        return
    if layout is None:
        lines += _render_whole(k)
        if not epilogue_is_identity(k):
            render_pointwise(k, body, lines)
        return
    _render_tiled(k, body, lines, *layout)


def _one_threaded_call(k: Kernel) -> bool:
    """Few rows, no batch, big enough to run in parallel, and MKL threads that are our own."""
    d = k.dot
    if math.prod(d.batch) != 1 or d.m > WHOLE_MAX_M or 2 * d.m * d.n * max(d.k, 1) < PAR_FLOPS:
        return False
    blas = find_blas()
    return blas is not None and blas.name == "torch-mkl"


def epilogue_is_identity(k: Kernel) -> bool:
    """The kernel's only store is the GEMM's result, in place: no epilogue loop."""
    if not k.dot_in_place or len(k.stores) != 1:
        return False
    n = k.nodes[k.stores[0].value]
    return isinstance(n, Load) and n.buffer == k.dot.acc


def tile_layout(k: Kernel) -> tuple[int | None, int | None] | None:
    """(variable of M, variable of N) -- either may be None when that dim is absent -- if
    the kernel's iteration space is exactly the result ``batch... x [M] x [N]``; else None."""
    d = k.dot
    nb = len(d.batch)
    par = k.parallel
    if par[:nb] != d.batch or k.reduce:
        return None
    rest = par[nb:]
    if len(rest) == 2 and rest == (d.m, d.n):
        return nb, nb + 1
    if len(rest) == 1 and rest[0] == d.m and d.n == 1:
        return nb, None
    if len(rest) == 1 and rest[0] == d.n and d.m == 1:
        return None, nb
    if not rest and d.m == 1 and d.n == 1:
        return None, None
    return None


def _operands(d):
    # lhs as an M x K matrix: element (i, l) at i*rows_stride + l*k_stride;
    # rhs as a K x N matrix: element (l, j) at l*k_stride + j*rows_stride
    ta, lda = _mat(d.lhs.rows_stride, d.lhs.k_stride, d.m, d.k, "lhs")
    tb, ldb = _mat(d.rhs.k_stride, d.rhs.rows_stride, d.k, d.n, "rhs")
    return ta, lda, tb, ldb


def _batch_offset(base: int, strides, var) -> str:
    return " + ".join([str(base)] + [f"{s}*{var(j)}" for j, s in enumerate(strides) if s])


def _render_tiled(k: Kernel, body, lines: list[str], mv, nv) -> None:
    d = k.dot
    nb = len(d.batch)
    B = math.prod(d.batch)
    m, n, kk = d.m, d.n, d.k
    ta, lda, tb, ldb = _operands(d)
    parallel = 2 * B * m * n * max(kk, 1) >= PAR_FLOPS
    split_n = nv is not None and (mv is None or m * kk <= kk * n)
    split_var = nv if split_n else mv
    extent = n if split_n else m
    ind = "    "
    lines.append(f"{ind}{{")
    ind += "    "
    if parallel and split_var is not None:
        # tiles per batch entry: TILES_PER_THREAD tiles per thread, each at least MIN_CHUNK wide
        lines.append(f"{ind}const int64_t want = (omp_get_max_threads() * {TILES_PER_THREAD} + {B - 1}) / {B};")
        lines.append(f"{ind}const int64_t most = ({extent} + {MIN_CHUNK - 1}) / {MIN_CHUNK};")
        lines.append(f"{ind}const int64_t S = want < most ? want : most;")
        lines.append(f"{ind}const int64_t CH = (({extent} + S - 1) / S + {CHUNK - 1}) / {CHUNK} * {CHUNK};")
    else:
        lines.append(f"{ind}const int64_t S = 1, CH = {max(extent, 1)};")
    if parallel:
        lines.append(f"{ind}#pragma omp parallel for schedule(dynamic) if({B} * S > 1)")
    lines.append(f"{ind}for (int64_t t = 0; t < {B} * S; t++) {{")
    ind += "    "
    lines.append(f"{ind}const int64_t q = t / S, lo = (t % S) * CH;")
    lines.append(f"{ind}const int64_t hi = lo + CH < {max(extent, 1)} ? lo + CH : {max(extent, 1)};")
    rem = "q"
    for j in reversed(range(nb)):
        lines.append(f"{ind}const int64_t i{j} = {rem} % {d.batch[j]};")
        if j:
            lines.append(f"{ind}const int64_t q{j} = {rem} / {d.batch[j]};")
            rem = f"q{j}"
    # the GEMM of this tile
    acc_batch = [m * n * math.prod(d.batch[j + 1:]) for j in range(nb)]
    a_off = _batch_offset(d.lhs.offset, d.lhs.batch_strides, lambda j: f"i{j}")
    b_off = _batch_offset(d.rhs.offset, d.rhs.batch_strides, lambda j: f"i{j}")
    c_off = _batch_offset(0, acc_batch, lambda j: f"i{j}")
    rows, cols = (str(m), "(hi - lo)") if split_n else ("(hi - lo)", str(n))
    if split_var is not None:
        if split_n:
            b_off += f" + lo*{d.rhs.rows_stride}"
            c_off += " + lo"
        else:
            a_off += f" + lo*{d.lhs.rows_stride}"
            c_off += f" + lo*{n}"
    acc = f"b{d.acc}"
    lines.append(f"{ind}if (lo < hi) {{")
    if kk == 0:
        lines.append(f"{ind}    for (int64_t r = 0; r < {rows}; r++) for (int64_t c = 0; c < {cols}; c++) "
                     f"{acc}[{c_off} + r*{n} + c] = 0;")
    elif m and n:
        lines.append(f"{ind}    const int fc_prev = FC_BLAS_LOCAL_THREADS(1);")
        lines.append(f"{ind}    {_Names.fn[d.dtype]}(101, {ta}, {tb}, {rows}, {cols}, {kk}, {_Names.one[d.dtype]}, "
                     f"b{d.lhs.buffer} + {a_off}, {lda}, b{d.rhs.buffer} + {b_off}, {ldb}, {_Names.zero[d.dtype]}, "
                     f"{acc} + {c_off}, {n});")
        lines.append(f"{ind}    FC_BLAS_LOCAL_THREADS(fc_prev);")
    lines.append(f"{ind}}}")
    if not epilogue_is_identity(k):  # the epilogue over this tile
        loops = 0
        for v in (mv, nv):
            if v is None:
                continue
            lo, hi = ("lo", "hi") if v == split_var else ("0", str(k.parallel[v]))
            lines.append(f"{ind}for (int64_t i{v} = {lo}; i{v} < {hi}; i{v}++) {{")
            ind += "    "
            loops += 1
        roots = sorted({i for s in k.stores for i in k.deps(s.value)})
        body.emit(roots, lines, ind)
        for s in k.stores:
            b = k.buffers[s.buffer]
            lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', b.spec.dtype)};")
        _close(loops, ind, lines)
        ind = ind[: len(ind) - 4 * loops]
    ind = ind[:-4]
    lines.append(f"{ind}}}")
    lines.append("    }")


def _render_whole(k: Kernel) -> list[str]:
    """One BLAS call per batch entry (BLAS-internal threads), for a general dot_general."""
    d = k.dot
    m, n, kk = d.m, d.n, d.k
    ta, lda, tb, ldb = _operands(d)
    acc = f"b{d.acc}"
    lines = []
    ind = "    "
    for j, e in enumerate(d.batch):
        lines.append(f"{ind}for (int64_t q{j} = 0; q{j} < {e}; q{j}++) {{")
        ind += "    "
    acc_batch = [m * n * math.prod(d.batch[j + 1:]) for j in range(len(d.batch))]
    a_ptr = f"b{d.lhs.buffer} + {_batch_offset(d.lhs.offset, d.lhs.batch_strides, lambda j: f'q{j}')}"
    b_ptr = f"b{d.rhs.buffer} + {_batch_offset(d.rhs.offset, d.rhs.batch_strides, lambda j: f'q{j}')}"
    c_ptr = f"{acc} + {_batch_offset(0, acc_batch, lambda j: f'q{j}')}"
    if kk == 0:
        lines.append(f"{ind}memset({c_ptr}, 0, sizeof(*{acc}) * {m * n});")
    elif m and n:
        lines.append(f"{ind}{_Names.fn[d.dtype]}(101, {ta}, {tb}, {m}, {n}, {kk}, {_Names.one[d.dtype]}, {a_ptr}, "
                     f"{lda}, {b_ptr}, {ldb}, {_Names.zero[d.dtype]}, {c_ptr}, {n});")
    for _ in d.batch:
        ind = ind[:-4]
        lines.append(f"{ind}}}")
    return lines


def _mat(row_stride: int, col_stride: int, rows: int, cols: int, what: str) -> tuple[int, int]:
    """(cblas transpose flag, leading dimension) of a rows x cols matrix with these strides."""
    if col_stride == 1 or cols <= 1:
        if rows <= 1 or row_stride >= max(cols, 1):
            return 111, max(row_stride, cols, 1)
    if row_stride == 1 or rows <= 1:
        if cols <= 1 or col_stride >= max(rows, 1):
            return 112, max(col_stride, rows, 1)
    raise RenderError(f"dot_general {what} has strides ({row_stride}, {col_stride}): not a BLAS matrix")
