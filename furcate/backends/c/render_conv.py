"""Convolution kernels in C (``WindowKernel`` of kind ``conv``), with the epilogue fused.

Two schedules, picked per shape by ``use_direct`` (measured: see the constants):

- **im2col + BLAS**: tiles of (batch entry, group, range of output rows). Each
  OpenMP thread builds the im2col matrix of its tile (``Cg*K x cols``, f32 for
  f16/bf16 inputs, in a per-thread scratch buffer that stays in L2), calls the
  BLAS single-threaded (``og x cols x Cg*K``) straight into the accumulator, and
  runs the epilogue over the tile. A 1x1 convolution without stride, padding or
  dilation skips im2col: the input already is that matrix.
- **direct**: tiles of (batch entry, output channel, range of rows); per output
  row, one ``acc[j] += w * x[j*stride + off]`` loop per input channel and kernel
  offset, vectorized along the row. Depthwise and few-channel convolutions
  (where a GEMM would have a tiny M or K) and any convolution without a BLAS.

Padding never reads memory: per kernel offset the valid part of an output row
is computed (``fc_cdiv``) and the rest is zero; lhs dilation (transposed
convolutions, input gradients) checks each position's divisibility instead. The
padding still counts as zeros times the weight: a NaN or infinite weight over it
makes the output NaN, as in StableHLO and eager (the direct schedule adds ``w * 0``
there only for such weights; the others multiply zero-padded copies).
Small convolutions (< ``PAR_FLOPS``) run on the calling thread.
"""

from __future__ import annotations

import math

from furcate.backends.c.blas import find_blas
from furcate.backends.c.render import CTYPE, RenderError, _Body, load_expr
from furcate.backends.c.render_window import epilogue_is_identity, render_epilogue, round_acc, window_signature
from furcate.backends.c.window import ConvGeom, WindowKernel

PAR_FLOPS = 1 << 21  # below this many flops a convolution runs on the calling thread
TILE_BYTES = 1 << 18  # target size of one im2col tile (per thread, in L2)
MIN_TILES = 8  # with threads: at least this many tiles when the rows allow it
# direct loops when a GEMM would be small in M (output channels per group) or K: measured
# on 2-core AVX-512, im2col+BLAS wins from og >= 8 with Cg*K >= 32
DIRECT_MAX_OG = 4
DIRECT_MAX_CK = 16

_CT = {"f32": "float", "f64": "double"}
FORCE: str | None = None  # "direct" | "im2col" | "blocked": one schedule where it applies (tests, measurements)


PLANE_BYTES = 1 << 18  # the most scratch one channel's padded plane may take


def use_plane(g: ConvGeom) -> bool:
    """The per-channel plane schedule (``_plane``) for this shape: each output channel reads
    one input channel (depthwise, or a channel multiplier), 1-D or 2-D, no lhs dilation
    or cropping, and one padded channel plane fits the scratch."""
    if FORCE in ("direct", "im2col") or g.cg != 1 or g.ldil != (1, 1, 1):
        return False
    if g.inp[0] != 1 or g.ker[0] != 1 or g.out[0] != 1 or g.pad[1] < 0 or g.pad[2] < 0:
        return False
    qh, qw = _plane_extent(g)
    return (qh * qw + g.out[1] * qw) * 8 <= PLANE_BYTES


def _plane_extent(g: ConvGeom) -> tuple[int, int]:
    """Rows and columns of the padded input plane the convolution reads."""
    (_, OH, OW), (_, KH, KW) = g.out, g.ker
    return (OH - 1) * g.stride[1] + (KH - 1) * g.rdil[1] + 1, (OW - 1) * g.stride[2] + (KW - 1) * g.rdil[2] + 1


BLOCK_O = 8  # output channels per register block (one vector accumulator each)
# BLASes whose im2col GEMMs beat the blocked schedule. Measured, ResNet medium (convolutions
# of 32-64 channels on 32x32 and 16x16 maps) on a 2-core AVX-512 Xeon with torch's MKL: b8
# 38 ms blocked, 17-18 ms im2col (eager 22); on a 2-core EPYC with OpenBLAS the blocked
# schedule won (the wide layers 0.5x -> 1.05x eager)
BLOCKED_LOSES_TO = frozenset({"torch-mkl", "mkl"})
VECTOR_BYTES = 64  # one accumulator: 16 floats / 8 doubles (gcc splits it where vectors are narrower)


def use_blocked(g: ConvGeom) -> bool:
    """The register-blocked direct schedule (``_blocked``) for this shape: 2-D, unit stride
    along the last dim, no lhs dilation or cropping, a kernel bigger than 1x1, at least
    four output channels per group, output rows at least one vector wide, f32 or f64
    accumulation; and a BLAS it beats (``BLOCKED_LOSES_TO``), unless ``FORCE`` says so."""
    if FORCE not in (None, "blocked") or g.ns != 2 or g.stride[2] != 1 or g.ldil != (1, 1, 1) or g.acc not in _CT:
        return False
    if g.inp[0] != 1 or g.ker[0] != 1 or g.out[0] != 1 or g.pad[1] < 0 or g.pad[2] < 0:
        return False
    size = 4 if g.acc == "f32" else 8
    # rows narrower than a vector waste its lanes: BLAS on im2col tiles does better there
    if g.ker == (1, 1, 1) or g.og < 4 or g.out[2] < VECTOR_BYTES // size:
        return False
    blas = find_blas()
    return FORCE == "blocked" or blas is None or blas.name not in BLOCKED_LOSES_TO


def use_direct(g: ConvGeom) -> bool:
    """Direct loops rather than im2col + BLAS for this shape."""
    if find_blas() is None or FORCE == "direct":
        return True
    if FORCE == "im2col":
        return False
    return g.og <= DIRECT_MAX_OG or g.ck <= DIRECT_MAX_CK


def _valid(q: str, ld: int, n: int) -> str:
    """C condition: dilated-input position ``q`` holds an element (``ld``: lhs dilation)."""
    if ld == 1:
        return f"({q} >= 0 && {q} < {n})"
    return f"({q} >= 0 && {q} % {ld} == 0 && {q} / {ld} < {n})"


def _rows(g: ConvGeom) -> tuple[int, int]:
    """(number of rows, outputs per row) of the tiling: rows along the first spatial dim
    of the program's op."""
    first = 3 - g.ns
    return g.out[first], math.prod(g.out[first + 1:])


def _tiling(g: ConvGeom, outer: int, parallel: bool, cols_target: int) -> tuple[int, int]:
    """(rows per tile, tiles per plane) for ``outer`` planes."""
    rows, rowp = _rows(g)
    rpt = max(1, min(rows, cols_target // max(rowp, 1)))
    if parallel:
        while rpt > 1 and outer * math.ceil(rows / rpt) < MIN_TILES:
            rpt = (rpt + 1) // 2
    return rpt, math.ceil(rows / rpt)


def _segments(g: ConvGeom, ind: str, body: list[str], p0: str, p1: str) -> list[str]:
    """Loop over the output-row segments of flat positions [p0, p1): defines od, oh, ow0,
    len (outputs of this segment) and j0 (its offset from p0) around ``body``."""
    OD, OH, OW = g.out
    lines = [f"{ind}for (int64_t p = {p0}; p < {p1};) {{",
             f"{ind}    const int64_t od = p / {OH * OW}, oh = (p / {OW}) % {OH}, ow0 = p % {OW};",
             f"{ind}    const int64_t len = {OW} - ow0 < {p1} - p ? {OW} - ow0 : {p1} - p;",
             f"{ind}    const int64_t j0 = p - {p0};"]
    lines += [f"{ind}    {b}" for b in body]
    lines += [f"{ind}    p += len;", f"{ind}}}"]
    return lines


def _row_prefix(g: ConvGeom) -> list[str]:
    """Kernel offsets kd, kh and the input row they read (``ok``: inside the input); opens
    two loops (closed by the caller with two braces)."""
    (ID, IH, IW), (SD, SH, _), (PD, PH, _) = g.inp, g.stride, g.pad
    (RD, RH, _), (LD, LH, _) = g.rdil, g.ldil
    return [f"for (int64_t kd = 0; kd < {g.ker[0]}; kd++) {{",
            f"const int64_t qd = od*{SD} + kd*{RD} - {PD};",
            f"for (int64_t kh = 0; kh < {g.ker[1]}; kh++) {{",
            f"const int64_t qh = oh*{SH} + kh*{RH} - {PH};",
            f"const int ok = {_valid('qd', LD, ID)} && {_valid('qh', LH, IH)};",
            f"const int64_t row = ok ? ((qd / {LD})*{IH} + qh / {LH})*{IW} : 0;"]


def _w_range(g: ConvGeom) -> list[str]:
    """For kernel offset kw (lhs dilation 1 along W): the valid outputs [jlo, jhi) of the
    segment and ``off``, the input column of output ow0 + j being (ow0 + j)*SW + off."""
    IW, SW, PW, RW = g.inp[2], g.stride[2], g.pad[2], g.rdil[2]
    return [f"const int64_t off = kw*{RW} - {PW};",
            f"int64_t jlo = fc_cdiv(-off - ow0*{SW}, {SW}); jlo = jlo < 0 ? 0 : (jlo > len ? len : jlo);",
            f"int64_t jhi = fc_cdiv({IW} - off - ow0*{SW}, {SW}); jhi = jhi > len ? len : (jhi < jlo ? jlo : jhi);"]


def _im2col(g: ConvGeom, name: str) -> str:
    """``name(x, col, p0, pc)``: the im2col rows (Cg*K) x pc columns of output positions
    [p0, p0+pc) for one batch entry and group (``x`` at its first channel)."""
    T, CT = CTYPE[g.dtype], _CT[g.acc]
    IW, SW, RW, PW, LW = g.inp[2], g.stride[2], g.rdil[2], g.pad[2], g.ldil[2]
    cv = lambda e: load_expr("src", e, g.dtype)  # noqa: E731
    inner = [f"for (int64_t c = 0; c < {g.cg}; c++) {{",
             f"const {T} *restrict xc = x + c*{g.ip};"]
    inner += _row_prefix(g)
    inner += [f"const {T} *restrict src = xc + row;",
              f"for (int64_t kw = 0; kw < {g.ker[2]}; kw++) {{",
              f"{CT} *restrict dst = col + (((c*{g.ker[0]} + kd)*{g.ker[1]} + kh)*{g.ker[2]} + kw)*pc + j0;",
              "if (!ok) { for (int64_t j = 0; j < len; j++) dst[j] = 0; continue; }"]
    if LW == 1:
        inner += _w_range(g)
        inner += ["for (int64_t j = 0; j < jlo; j++) dst[j] = 0;",
                  f"for (int64_t j = jlo; j < jhi; j++) dst[j] = {cv(f'(ow0 + j)*{SW} + off')};",
                  "for (int64_t j = jhi; j < len; j++) dst[j] = 0;"]
    else:
        inner += ["for (int64_t j = 0; j < len; j++) {",
                  f"const int64_t q = (ow0 + j)*{SW} + kw*{RW} - {PW};",
                  f"const int v = {_valid('q', LW, IW)};",
                  f"dst[j] = v ? {cv(f'(v ? q / {LW} : 0)')} : 0;", "}"]
    inner += ["}", "}", "}", "}"]
    lines = [f"static void {name}(const {T} *restrict x, {CT} *restrict col, int64_t p0, int64_t pc) {{"]
    lines += _segments(g, "    ", inner, "p0", "p0 + pc")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _task_loop(lines: list[str], NT: int, parallel: bool, schedule: str = "dynamic") -> str:
    """Open the loop over a kernel's ``NT`` tasks (threaded when ``parallel``); returns the
    indentation inside it (the caller closes it with ``    }``)."""
    if parallel and NT > 1:
        lines.append(f"    #pragma omp parallel for schedule({schedule})")
    lines.append(f"    for (int64_t t = 0; t < {NT}; t++) {{")
    return "        "


def _tile_rows(ind: str, rpt: int, rows: int) -> str:
    """C: the output rows [r0, r1) of tile ``s``."""
    return f"{ind}const int64_t r0 = s*{rpt}, r1 = r0 + {rpt} < {rows} ? r0 + {rpt} : {rows};"


def render_conv(k: WindowKernel, fname: str, aliased: frozenset[int] = frozenset()) -> str:
    """C source of the convolution kernel ``k`` as ``static void fname(buffers...)``."""
    g: ConvGeom = k.window
    if g.acc not in _CT:
        raise RenderError(f"convolution accumulating in {g.acc}")
    params, consts = window_signature(k, fname, aliased)
    direct = use_direct(g)
    parallel = g.flops >= PAR_FLOPS
    parts = []
    lines = [f"static void {fname}({', '.join(params)}) {{"]
    lines += ["    " + c for c in consts]
    body = _Body(k, lambda i: f"b{i}")
    round_acc(k, body)
    if use_plane(g):
        _plane(k, g, lines, body, parallel)
    elif use_blocked(g):
        _blocked(k, g, lines, body, parallel)
    elif direct and g.pointwise_1x1():
        _pointwise(k, g, lines, body, parallel)
    elif direct:
        _direct(k, g, lines, body, parallel)
    else:
        parts.append(_im2col(g, f"{fname}_cols"))
        _gemm(k, g, fname, lines, body, parallel)
    lines.append("}")
    return "\n".join(parts + ["\n".join(lines) + "\n"])


def _epilogue(k: WindowKernel, body: _Body, lines: list[str], ind: str, o_lo: str, o_hi: str) -> None:
    if epilogue_is_identity(k):
        return
    ranges = [(0, "n", "n + 1"), (1, o_lo, o_hi), (2, "r0", "r1")] + [(v, "0", str(e)) for v, e in
                                                                     enumerate(k.parallel) if v >= 3]
    render_epilogue(k, body, lines, ind, ranges)


def _gemm(k: WindowKernel, g: ConvGeom, fname: str, lines: list[str], body: _Body, parallel: bool) -> None:
    blas = find_blas()
    if blas is None:
        raise RenderError("im2col convolution without a BLAS")
    CT = _CT[g.acc]
    gemm = "FC_SGEMM" if g.acc == "f32" else "FC_DGEMM"
    one, zero = ("1.0f", "0.0f") if g.acc == "f32" else ("1.0", "0.0")
    rows, rowp = _rows(g)
    direct_b = g.pointwise_1x1() and g.dtype == g.acc
    cols_target = max(64, TILE_BYTES // (4 * max(g.ck, 1)))
    rpt, S = _tiling(g, g.n * g.groups, parallel, cols_target)
    NT = g.n * g.groups * S
    x, w, acc = f"b{k.x_buffer}", f"b{k.w_buffer}", f"b{k.acc_index}"
    ind = "    "
    if g.dtype != g.acc:  # the weights in f32, once per call
        n_w = g.o * g.ck
        lines += [f"{ind}{CT} *restrict wf = ({CT} *)fc_scratch(1, {n_w * 4});",
                  f"{ind}for (int64_t i = 0; i < {n_w}; i++) wf[i] = {load_expr(w, 'i', g.dtype)};"]
        w = "wf"
    ind = _task_loop(lines, NT, parallel, "dynamic")
    lines += [f"{ind}const int64_t n = t / {g.groups * S}, gi = (t / {S}) % {g.groups}, s = t % {S};",
              _tile_rows(ind, rpt, rows),
              f"{ind}const int64_t p0 = r0*{rowp}, pc = (r1 - r0)*{rowp};",
              f"{ind}const {CTYPE[g.dtype]} *xg = {x} + (n*{g.c} + gi*{g.cg})*{g.ip};"]
    if direct_b:
        bmat, ldb = "xg + p0", str(g.p)
    else:
        lines += [f"{ind}{CT} *restrict col = ({CT} *)fc_scratch(0, sizeof({CT}) * {g.ck} * pc);",
                  f"{ind}{fname}_cols(xg, col, p0, pc);"]
        bmat, ldb = "col", "pc"
    lines += [f"{ind}const int fc_prev = FC_BLAS_LOCAL_THREADS(1);",
              f"{ind}{gemm}(101, 111, 111, {g.og}, pc, {g.ck}, {one}, {w} + gi*{g.og * g.ck}, {g.ck}, "
              f"{bmat}, {ldb}, {zero}, {acc} + (n*{g.o} + gi*{g.og})*{g.p} + p0, {g.p});",
              f"{ind}FC_BLAS_LOCAL_THREADS(fc_prev);"]
    _epilogue(k, body, lines, ind, f"gi*{g.og}", f"(gi + 1)*{g.og}")
    lines.append("    }")


def _direct(k: WindowKernel, g: ConvGeom, lines: list[str], body: _Body, parallel: bool) -> None:
    CT = _CT[g.acc]
    T = CTYPE[g.dtype]
    rows, rowp = _rows(g)
    rpt, S = _tiling(g, g.n * g.o, parallel, 1 << 30)
    NT = g.n * g.o * S
    x, w, acc = f"b{k.x_buffer}", f"b{k.w_buffer}", f"b{k.acc_index}"
    IW, SW, RW, PW, LW = g.inp[2], g.stride[2], g.rdil[2], g.pad[2], g.ldil[2]
    kprod = math.prod(g.ker)
    ind = "    "
    ind = _task_loop(lines, NT, parallel, "dynamic")
    lines += [f"{ind}const int64_t n = t / {g.o * S}, o = (t / {S}) % {g.o}, s = t % {S};",
              _tile_rows(ind, rpt, rows),
              f"{ind}const int64_t p0 = r0*{rowp}, p1 = r1*{rowp};",
              f"{ind}const {T} *xg = {x} + (n*{g.c} + (o / {g.og})*{g.cg})*{g.ip};",
              f"{ind}{CT} *restrict a = {acc} + (n*{g.o} + o)*{g.p};",
              f"{ind}for (int64_t p = p0; p < p1; p++) a[p] = 0;"]
    inner = [f"{CT} *restrict ar = a + p0 + j0;",
             f"for (int64_t c = 0; c < {g.cg}; c++) {{",
             f"const {T} *restrict xc = xg + c*{g.ip};"]
    zero = "0.0f" if CT == "float" else "0.0"
    w_at = f"(o*{g.cg} + c)*{kprod} + (kd*{g.ker[1]} + kh)*{g.ker[2]} + kw"
    inner += _row_prefix(g)
    # padding is zeros that are never read; a tap over it adds w * 0, which is 0 unless
    # w is inf or NaN: then NaN (as StableHLO, eager and the im2col schedule have it)
    inner += [f"if (!ok) {{ for (int64_t kw = 0; kw < {g.ker[2]}; kw++) {{",
              f"const {CT} wv = {load_expr(w, w_at, g.dtype)};",
              f"if (!isfinite(wv)) for (int64_t j = 0; j < len; j++) ar[j] += wv * {zero};",
              "} continue; }",
              f"const {T} *restrict src = xc + row;",
              f"for (int64_t kw = 0; kw < {g.ker[2]}; kw++) {{",
              f"const {CT} wv = {load_expr(w, w_at, g.dtype)};"]
    if LW == 1:
        inner += _w_range(g)
        inner.append(f"for (int64_t j = jlo; j < jhi; j++) ar[j] += wv * {load_expr('src', f'(ow0 + j)*{SW} + off', g.dtype)};")
        inner += ["if (!isfinite(wv)) {",
                  f"for (int64_t j = 0; j < jlo; j++) ar[j] += wv * {zero};",
                  f"for (int64_t j = jhi; j < len; j++) ar[j] += wv * {zero};", "}"]
    else:  # lhs dilation: the holes are zeros too
        inner += ["for (int64_t j = 0; j < len; j++) {",
                  f"const int64_t q = (ow0 + j)*{SW} + kw*{RW} - {PW};",
                  f"const int v = {_valid('q', LW, IW)};",
                  f"ar[j] += wv * (v ? {load_expr('src', f'(v ? q / {LW} : 0)', g.dtype)} : {zero});", "}"]
    inner += ["}", "}", "}", "}"]
    lines += _segments(g, ind, inner, "p0", "p1")
    _epilogue(k, body, lines, ind, "o", "o + 1")
    lines.append("    }")


def _plane(k: WindowKernel, g: ConvGeom, lines: list[str], body: _Body, parallel: bool) -> None:
    """One task per (image, output channel): copy the channel's input into a zero-padded
    plane in scratch (converted to the accumulator type), then each output is the sum of
    the kernel taps over it, the taps unrolled by gcc and the loop over outputs vectorized.
    With unit strides the outputs are computed on the padded plane's row pitch as one long
    contiguous loop (every tap is then a constant offset), then compacted."""
    CT = _CT[g.acc]
    (_, IH, IW), (_, OH, OW), (_, KH, KW) = g.inp, g.out, g.ker
    (_, SH, SW), (_, PH, PW), (_, RH, RW) = g.stride, g.pad, g.rdil
    QH, QW = _plane_extent(g)
    taps = KH * KW
    flat = SH == 1 and SW == 1
    n_y = (OH - 1) * QW + OW if flat else 0
    x, w, acc = f"b{k.x_buffer}", f"b{k.w_buffer}", f"b{k.acc_index}"
    NT = g.n * g.o
    ind = "    "
    lines.append(f"{ind}/* plane schedule: {KH}x{KW} taps per output channel on a padded {QH}x{QW} plane */")
    ind = _task_loop(lines, NT, parallel, "static")
    rows = _rows(g)[0]
    lines += [f"{ind}const int64_t n = t / {g.o}, o = t % {g.o}, r0 = 0, r1 = {rows};",
              f"{ind}const {CTYPE[g.dtype]} *restrict xc = {x} + (n*{g.c} + o / {g.og})*{g.ip};",
              f"{ind}{CT} *restrict a = {acc} + t*{g.p};",
              f"{ind}{CT} *restrict xp = ({CT} *)fc_scratch(0, sizeof({CT}) * {QH * QW + n_y});",
              f"{ind}{CT} wv[{taps}];",
              f"{ind}for (int64_t i = 0; i < {taps}; i++) wv[i] = {load_expr(w, f'o*{taps} + i', g.dtype)};",
              f"{ind}for (int64_t i = 0; i < {QH * QW}; i++) xp[i] = 0;",
              f"{ind}for (int64_t r = 0; r < {IH} && r + {PH} < {QH}; r++)",
              f"{ind}    for (int64_t c = 0; c < {IW} && c + {PW} < {QW}; c++)",
              f"{ind}        xp[(r + {PH})*{QW} + c + {PW}] = {load_expr('xc', f'r*{IW} + c', g.dtype)};"]
    zero = "0.0f" if CT == "float" else "0.0"
    taps_sum = [f"{CT} s = {zero};",
                f"for (int64_t kh = 0; kh < {KH}; kh++)",
                f"    for (int64_t kw = 0; kw < {KW}; kw++)"]
    if flat:
        lines += [f"{ind}{CT} *restrict y = xp + {QH * QW};",
                  f"{ind}for (int64_t j = 0; j < {n_y}; j++) {{"]
        lines += [f"{ind}    {t}" for t in taps_sum]
        lines += [f"{ind}            s += wv[kh*{KW} + kw] * xp[j + kh*{RH * QW} + kw*{RW}];",
                  f"{ind}    y[j] = s;", f"{ind}}}",
                  f"{ind}for (int64_t oh = 0; oh < {OH}; oh++)",
                  f"{ind}    for (int64_t ow = 0; ow < {OW}; ow++) a[oh*{OW} + ow] = y[oh*{QW} + ow];"]
    else:
        lines += [f"{ind}for (int64_t oh = 0; oh < {OH}; oh++) {{",
                  f"{ind}    const {CT} *restrict xr = xp + oh*{SH * QW};",
                  f"{ind}    for (int64_t ow = 0; ow < {OW}; ow++) {{"]
        lines += [f"{ind}        {t}" for t in taps_sum]
        lines += [f"{ind}                s += wv[kh*{KW} + kw] * xr[kh*{RH * QW} + ow*{SW} + kw*{RW}];",
                  f"{ind}        a[oh*{OW} + ow] = s;", f"{ind}    }}", f"{ind}}}"]
    _epilogue(k, body, lines, ind, "o", "o + 1")
    lines.append("    }")


def _pointwise(k: WindowKernel, g: ConvGeom, lines: list[str], body: _Body, parallel: bool) -> None:
    """A 1x1 convolution too small in K or M for BLAS: one task per (image, tile of rows);
    every output channel's row tile is a sum of input channel rows scaled by one weight
    (contiguous, vectorized), with the tile of input rows in cache for all of them."""
    CT = _CT[g.acc]
    T = CTYPE[g.dtype]
    rows, rowp = _rows(g)
    rpt, S = _tiling(g, g.n, parallel, max(64, TILE_BYTES // (4 * max(g.cg, 1))))
    NT = g.n * S
    x, w, acc = f"b{k.x_buffer}", f"b{k.w_buffer}", f"b{k.acc_index}"
    ind = "    "
    lines.append(f"{ind}/* pointwise schedule: {g.o} output rows from {g.cg} input rows per tile */")
    ind = _task_loop(lines, NT, parallel, "static")
    lines += [f"{ind}const int64_t n = t / {S}, s = t % {S};",
              _tile_rows(ind, rpt, rows),
              f"{ind}const int64_t p0 = r0*{rowp}, p1 = r1*{rowp};",
              f"{ind}for (int64_t o = 0; o < {g.o}; o++) {{",
              f"{ind}    const {T} *restrict xg = {x} + (n*{g.c} + (o / {g.og})*{g.cg})*{g.p};",
              f"{ind}    {CT} *restrict a = {acc} + (n*{g.o} + o)*{g.p};",
              f"{ind}    for (int64_t p = p0; p < p1; p++) a[p] = 0;",
              f"{ind}    for (int64_t c = 0; c < {g.cg}; c++) {{",
              f"{ind}        const {CT} wv = {load_expr(w, f'o*{g.cg} + c', g.dtype)};",
              f"{ind}        const {T} *restrict xc = xg + c*{g.p};",
              f"{ind}        for (int64_t p = p0; p < p1; p++) a[p] += wv * {load_expr('xc', 'p', g.dtype)};",
              f"{ind}    }}",
              f"{ind}}}"]
    _epilogue(k, body, lines, ind, "0", str(g.o))
    lines.append("    }")



def _blocked(k: WindowKernel, g: ConvGeom, lines: list[str], body: _Body, parallel: bool) -> None:
    """Direct convolution with register blocking: per task (image, group, tile of output
    rows) the tile's input rows are copied into zero-padded rows in scratch (row pitch
    ``QW``); each output row is computed ``VL`` outputs by ``BLOCK_O`` output channels at a
    time in vector accumulators (GCC vector extensions): for every input channel and tap, one
    vector load of the shifted input row and ``BLOCK_O`` multiply-adds with broadcast weights
    (packed once per call, output channels innermost, padded with zeros to the block)."""
    CT = _CT[g.acc]
    T = CTYPE[g.dtype]
    size = 4 if g.acc == "f32" else 8
    VL, OB = VECTOR_BYTES // size, BLOCK_O
    (_, IH, IW), (_, OH, OW), (_, KH, KW) = g.inp, g.out, g.ker
    (_, SH, _), (_, PH, PW), (_, RH, RW) = g.stride, g.pad, g.rdil
    QW = OW + (KW - 1) * RW
    taps = KH * KW
    ogp = -(-g.og // OB) * OB
    rows, rowp = _rows(g)
    per_row = 4 * g.cg * QW * SH
    rpt, S = _tiling(g, g.n * g.groups, parallel, rowp * max(1, TILE_BYTES // per_row))
    QHT = (rpt - 1) * SH + (KH - 1) * RH + 1  # input rows of one tile
    NT = g.n * g.groups * S
    x, w, acc = f"b{k.x_buffer}", f"b{k.w_buffer}", f"b{k.acc_index}"
    zero = "0.0f" if CT == "float" else "0.0"
    ind = "    "
    lines += [f"{ind}/* blocked schedule: {VL} outputs x {OB} output channels per step, tiles of {rpt} rows */",
              f"{ind}typedef {CT} fc_vec __attribute__((vector_size({VECTOR_BYTES}), aligned({size})));",
              f"{ind}{CT} *restrict wp = ({CT} *)fc_scratch(1, sizeof({CT}) * {g.groups * g.cg * taps * ogp});",
              f"{ind}for (int64_t i = 0; i < {g.groups * g.cg * taps * ogp}; i++) wp[i] = 0;",
              f"{ind}for (int64_t gi = 0; gi < {g.groups}; gi++)",
              f"{ind}    for (int64_t o = 0; o < {g.og}; o++)",
              f"{ind}        for (int64_t c = 0; c < {g.cg}; c++)",
              f"{ind}            for (int64_t t = 0; t < {taps}; t++)",
              f"{ind}                wp[((gi*{g.cg} + c)*{taps} + t)*{ogp} + o] = "
              f"{load_expr(w, f'((gi*{g.og} + o)*{g.cg} + c)*{taps} + t', g.dtype)};"]
    ind = _task_loop(lines, NT, parallel, "dynamic")
    lines += [f"{ind}const int64_t n = t / {g.groups * S}, gi = (t / {S}) % {g.groups}, s = t % {S};",
              _tile_rows(ind, rpt, rows),
              f"{ind}const {T} *restrict xg = {x} + (n*{g.c} + gi*{g.cg})*{g.ip};",
              f"{ind}{CT} *restrict xp = ({CT} *)fc_scratch(0, sizeof({CT}) * {g.cg * QHT * QW + VL});",
              f"{ind}for (int64_t i = 0; i < {g.cg * QHT * QW + VL}; i++) xp[i] = 0;",
              f"{ind}for (int64_t c = 0; c < {g.cg}; c++)",
              f"{ind}    for (int64_t rr = 0; rr < {QHT}; rr++) {{",
              f"{ind}        const int64_t ih = r0*{SH} + rr - {PH};",
              f"{ind}        if (ih < 0 || ih >= {IH}) continue;",
              f"{ind}        for (int64_t q = 0; q < {IW} && q + {PW} < {QW}; q++)",
              f"{ind}            xp[(c*{QHT} + rr)*{QW} + q + {PW}] = {load_expr('xg', f'(c*{IH} + ih)*{IW} + q', g.dtype)};",
              f"{ind}    }}",
              f"{ind}{CT} *restrict a = {acc} + (n*{g.o} + gi*{g.og})*{g.p};",
              f"{ind}const {CT} *restrict wg = wp + gi*{g.cg * taps * ogp};",
              f"{ind}for (int64_t oh = r0; oh < r1; oh++)",
              f"{ind}    for (int64_t ow0 = 0; ow0 < {OW}; ow0 += {VL})",
              f"{ind}        for (int64_t o0 = 0; o0 < {g.og}; o0 += {OB}) {{",
              f"{ind}            fc_vec sv[{OB}];",
              f"{ind}            for (int b = 0; b < {OB}; b++) sv[b] = (fc_vec){{{zero}}};",
              f"{ind}            for (int64_t c = 0; c < {g.cg}; c++)",
              f"{ind}                for (int64_t kh = 0; kh < {KH}; kh++) {{",
              f"{ind}                    const {CT} *xr = xp + (c*{QHT} + (oh - r0)*{SH} + kh*{RH})*{QW} + ow0;",
              f"{ind}                    const {CT} *wr = wg + (c*{taps} + kh*{KW})*{ogp} + o0;",
              f"{ind}                    for (int64_t kw = 0; kw < {KW}; kw++) {{",
              f"{ind}                        fc_vec xv;",
              f"{ind}                        memcpy(&xv, xr + kw*{RW}, sizeof xv);",
              f"{ind}                        for (int b = 0; b < {OB}; b++) sv[b] += wr[kw*{ogp} + b] * xv;",
              f"{ind}                    }}",
              f"{ind}                }}",
              f"{ind}            const int64_t nw = {OW} - ow0 < {VL} ? {OW} - ow0 : {VL};",
              f"{ind}            for (int b = 0; b < {OB} && o0 + b < {g.og}; b++)",
              f"{ind}                memcpy(a + (o0 + b)*{g.p} + oh*{OW} + ow0, &sv[b], sizeof({CT}) * nw);",
              f"{ind}        }}"]
    _epilogue(k, body, lines, ind, f"gi*{g.og}", f"(gi + 1)*{g.og}")
    lines.append("    }")
