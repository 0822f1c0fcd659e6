"""Render kernel descriptions to C (one function per kernel).

Each primitive of ``furcate.backends.kernel.scalar`` maps to a C expression
per dtype; f16/bf16 values are held in ``float`` and rounded when stored or
converted. Parallel loops get ``#pragma omp parallel for if(n > threshold)``;
the innermost loop walks the contiguous index so gcc vectorizes it; a
reduction accumulates into 16 independent lanes (vectorizable without
reassociating floats) that are combined after the loop.
"""

from __future__ import annotations

import math

from furcate.backends.kernel.desc import Affine, Const, Index, Kernel, Load, Op, Reduce

CTYPE = {"f32": "float", "f64": "double", "f16": "uint16_t", "bf16": "uint16_t", "i1": "uint8_t",
         "i8": "int8_t", "i32": "int32_t", "i64": "int64_t"}
VTYPE = {"f32": "float", "f64": "double", "f16": "float", "bf16": "float", "i1": "int",
         "i8": "int8_t", "i32": "int32_t", "i64": "int64_t"}
FLOATS = ("f32", "f64", "f16", "bf16")
LANES = 16
PAR_THRESHOLD = 1 << 15  # iterations (times work per iteration) before a parallel region pays off


class RenderError(Exception):
    """The kernel has something the C renderer does not render (names it)."""


def _f(dt: str) -> bool:
    return dt in FLOATS


def _lit(value, dt: str) -> str:
    if _f(dt):
        v = float(value)
        if math.isnan(v):
            return "NAN" if dt != "f64" else "((double)NAN)"
        if math.isinf(v):
            return ("" if v > 0 else "-") + ("INFINITY" if dt != "f64" else "((double)INFINITY)")
        return f"({VTYPE[dt]}){v.hex()}"
    if dt == "i1":
        return "1" if value else "0"
    v = int(value)
    if dt == "i64":
        return "INT64_MIN" if v == -(2**63) else f"INT64_C({v})"
    return f"(({VTYPE[dt]}){v})" if v >= 0 or dt != "i32" or v != -(2**31) else "INT32_MIN"


def _suffix(dt: str) -> str:
    return "d" if dt == "f64" else "f"


UNARY_F = {  # f32 (and f16/bf16 in f32) / f64 expressions
    "neg": ("(-{0})", "(-{0})"),
    "abs": ("fabsf({0})", "fabs({0})"),
    "exp": ("fc_expf({0})", "exp({0})"),
    "expm1": ("expm1f({0})", "expm1({0})"),
    "log": ("fc_logf({0})", "log({0})"),
    "log1p": ("log1pf({0})", "log1p({0})"),
    "tanh": ("fc_tanhf({0})", "tanh({0})"),
    "sqrt": ("sqrtf({0})", "sqrt({0})"),
    "rsqrt": ("(1.0f / sqrtf({0}))", "(1.0 / sqrt({0}))"),
    "logistic": ("fc_logisticf({0})", "fc_logisticd({0})"),
    "erf": ("fc_erff({0})", "erf({0})"),
    "sin": ("sinf({0})", "sin({0})"),
    "cos": ("cosf({0})", "cos({0})"),
    "floor": ("floorf({0})", "floor({0})"),
    "ceil": ("ceilf({0})", "ceil({0})"),
    "round_even": ("fc_rintf({0})", "nearbyint({0})"),
    "round_afz": ("fc_round_afzf({0})", "fc_round_afzd({0})"),
    "sign": ("({0} > 0.0f ? 1.0f : ({0} < 0.0f ? -1.0f : {0}))", "({0} > 0.0 ? 1.0 : ({0} < 0.0 ? -1.0 : {0}))"),
    "is_finite": ("(fabsf({0}) <= 3.40282347e+38f)", "(fabs({0}) <= 1.7976931348623157e308)"),
}
BINARY_F = {
    "add": ("({0} + {1})",) * 2,
    "sub": ("({0} - {1})",) * 2,
    "mul": ("({0} * {1})",) * 2,
    "div": ("({0} / {1})",) * 2,
    "rem": ("fmodf({0}, {1})", "fmod({0}, {1})"),
    "pow": ("powf({0}, {1})", "pow({0}, {1})"),
    "max": ("fc_maxf({0}, {1})", "fc_maxd({0}, {1})"),
    "min": ("fc_minf({0}, {1})", "fc_mind({0}, {1})"),
    "atan2": ("atan2f({0}, {1})", "atan2({0}, {1})"),
}
CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def scalar_expr(prim: str, args: list[str], arg_dts: list[str], dt: str) -> str:
    """C expression of primitive ``prim`` on rendered ``args`` producing dtype ``dt``."""
    a0 = arg_dts[0] if arg_dts else dt
    if prim in CMP:
        return f"({args[0]} {CMP[prim]} {args[1]})"
    if prim == "select":
        return f"({args[0]} ? {args[1]} : {args[2]})"
    if prim == "convert":
        return convert_expr(args[0], a0, dt)
    if _f(a0):
        k = 1 if a0 == "f64" else 0
        if prim in UNARY_F:
            return UNARY_F[prim][k].format(*args)
        if prim in BINARY_F:
            return BINARY_F[prim][k].format(*args)
    else:
        t = VTYPE[a0]
        n = a0
        simple = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^"}
        if prim in simple:
            return f"(({t})({args[0]} {simple[prim]} {args[1]}))"
        if prim == "not":
            return f"(!{args[0]})" if a0 == "i1" else f"(({t})~{args[0]})"
        if a0 != "i1":
            if prim in ("div", "rem", "pow"):
                return f"fc_{prim}_{n}({args[0]}, {args[1]})"
            if prim == "max":
                return f"({args[0]} > {args[1]} ? {args[0]} : {args[1]})"
            if prim == "min":
                return f"({args[0]} < {args[1]} ? {args[0]} : {args[1]})"
            if prim == "neg":
                return f"(({t})(-{args[0]}))"
            if prim == "abs":
                return f"(({t})({args[0]} < 0 ? -{args[0]} : {args[0]}))"
            if prim == "sign":
                return f"(({t})(({args[0]} > 0) - ({args[0]} < 0)))"
    raise RenderError(f"scalar op {prim} on {a0} has no C rendering")


def convert_expr(x: str, src: str, dst: str) -> str:
    if src == dst:
        return x
    if dst == "i1":
        return f"({x} != 0)"
    if src == "i1":
        return f"(({VTYPE[dst]})({x} != 0))"
    if _f(dst):
        if dst in ("f16", "bf16"):
            rnd = "fc_round_h" if dst == "f16" else "fc_round_bf"
            if src == "f64":
                return f"{rnd}(fc_d2f_odd({x}))"
            if src in ("f32", "f16", "bf16"):
                return f"{rnd}({x})"
            return f"{rnd}((float)({x}))"
        if src in ("f16", "bf16") and dst == "f32":
            return x
        return f"(({VTYPE[dst]})({x}))"
    if _f(src):  # float -> int
        if dst == "i32" and src != "f64":
            return f"fc_f2i32({x})"
        return f"fc_d2{dst}((double)({x}))"
    return f"(({VTYPE[dst]})({x}))"  # int -> int wraps


def load_expr(buf: str, off: str, dt: str) -> str:
    v = f"{buf}[{off}]"
    if dt == "f16":
        return f"fc_h2f({v})"
    if dt == "bf16":
        return f"fc_bf2f({v})"
    if dt == "i1":
        return f"((int){v})"
    return v


def store_expr(v: str, dt: str) -> str:
    if dt == "f16":
        return f"fc_f2h({v})"
    if dt == "bf16":
        return f"fc_f2bf({v})"
    if dt == "i1":
        return f"(uint8_t)(({v}) != 0)"
    return v


def affine_expr(a: Affine) -> str:
    parts = [f"{c}*i{v}" if c != 1 else f"i{v}" for v, c in a.terms]
    if a.const or not parts:
        parts.append(str(a.const))
    return " + ".join(parts)


REDUCE_INIT = {
    "sum": lambda dt: "0" if not _f(dt) else "0.0",
    "prod": lambda dt: "1" if not _f(dt) else "1.0",
    "max": lambda dt: "-INFINITY" if _f(dt) else {"i8": "INT8_MIN", "i32": "INT32_MIN", "i64": "INT64_MIN", "i1": "0"}[dt],
    "min": lambda dt: "INFINITY" if _f(dt) else {"i8": "INT8_MAX", "i32": "INT32_MAX", "i64": "INT64_MAX", "i1": "1"}[dt],
    "and": lambda dt: "1" if dt == "i1" else "-1",
    "or": lambda dt: "0",
}


def combine(kind: str, a: str, b: str, acc: str) -> str:
    if kind == "sum":
        return f"({a} + {b})"
    if kind == "prod":
        return f"({a} * {b})"
    if kind in ("max", "min"):
        return scalar_expr(kind, [a, b], [acc, acc], acc)
    return f"({a} {'&' if kind == 'and' else '|'} {b})"


class _Body:
    """Emits node definitions into C statements; tracks what is already defined."""

    def __init__(self, k: Kernel, bufname):
        self.k = k
        self.bufname = bufname
        self.defined: set[int] = set()

    def emit(self, ids, lines: list[str], ind: str) -> None:
        for i in ids:
            if i in self.defined:
                continue
            n = self.k.nodes[i]
            if isinstance(n, Reduce):
                raise AssertionError("reductions are emitted by the loop structure")
            self.defined.add(i)
            lines.append(f"{ind}const {VTYPE[n.dtype]} t{i} = {self.expr(n)};")

    def expr(self, n) -> str:
        if isinstance(n, Load):
            return load_expr(self.bufname(n.buffer), affine_expr(n.offset), n.dtype)
        if isinstance(n, Const):
            return _lit(n.value, n.dtype)
        if isinstance(n, Index):
            return f"(({VTYPE[n.dtype]})({affine_expr(n.expr)}))"
        if isinstance(n, Op):
            args = [f"t{a}" for a in n.args]
            dts = [self.k.nodes[a].dtype for a in n.args]
            if n.prim == "select":
                dts = dts[1:]
            return scalar_expr(n.prim, args, dts, n.dtype)
        raise AssertionError(n)


def _loops(extents, first_var: int, ind: str, lines: list[str], omp: str | None = None) -> str:
    for j, e in enumerate(extents):
        if j == 0 and omp:
            lines.append(f"{ind}{omp}")
        v = first_var + j
        lines.append(f"{ind}for (int64_t i{v} = 0; i{v} < {e}; i{v}++) {{")
        ind += "    "
    return ind


def _close(n: int, ind: str, lines: list[str]) -> None:
    for j in range(n):
        lines.append(ind[: len(ind) - 4 * (j + 1)] + "}")


def _omp(k: Kernel, work: int) -> str | None:
    if not k.parallel:
        return None
    collapse = f" collapse({len(k.parallel) - 1})" if len(k.parallel) > 2 else ""
    if len(k.parallel) == 2 and k.parallel[0] < 16:
        collapse = " collapse(2)"
    return f"#pragma omp parallel for{collapse} schedule(guided) if({work} > {PAR_THRESHOLD})"


def render_kernel(k: Kernel, fname: str, aliased: frozenset[int] = frozenset()) -> str:
    """C source of ``static void fname(<one pointer per buffer>)``. Buffers in ``aliased``
    may share memory with another buffer, so they are not declared ``restrict``."""
    params = []
    consts = []
    for i, b in enumerate(k.buffers):
        t = CTYPE[b.spec.dtype]
        if b.role == "const":
            consts.append(_const_array(f"b{i}", t, k.const_data[i]))
            continue
        q = "" if i in aliased else " restrict"
        c = "const " if b.role == "in" else ""
        params.append(f"{c}{t} *{q} b{i}")
    lines = [f"static void {fname}({', '.join(params) or 'void'}) {{"]
    lines += ["    " + c for c in consts]
    body = _Body(k, lambda i: f"b{i}")
    if k.dot is not None:
        lines += _render_dot(k)
        if _epilogue_is_identity(k):
            lines.append("}")
            return "\n".join(lines) + "\n"
    if k.kind == "reduction":
        _render_reduction(k, body, lines)
    else:
        _render_pointwise(k, body, lines)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _const_array(name: str, t: str, arr) -> str:
    import numpy as np

    flat = np.ascontiguousarray(arr).reshape(-1)
    if t == "uint16_t" or t == "uint8_t":
        vals = [str(int(x)) for x in flat.view(np.uint16 if t == "uint16_t" else np.uint8)]
    elif t in ("float", "double"):
        dt = "f32" if t == "float" else "f64"
        vals = [_lit(x, dt) for x in flat.tolist()]
    else:
        dt = {"int8_t": "i8", "int32_t": "i32", "int64_t": "i64"}[t]
        vals = [_lit(x, dt) for x in flat.tolist()]
    return f"static const {t} {name}[{max(len(vals), 1)}] = {{{', '.join(vals) or '0'}}};"


def _render_pointwise(k: Kernel, body: _Body, lines: list[str]) -> None:
    n = 1
    for e in k.parallel:
        n *= e
    roots = sorted({i for s in k.stores for i in k.deps(s.value)})
    work = n * max(1, len(k.nodes) // 4)
    ind = _loops(k.parallel, 0, "    ", lines, _omp(k, work))
    body.emit(roots, lines, ind)
    for s in k.stores:
        b = k.buffers[s.buffer]
        lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', b.spec.dtype)};")
    _close(len(k.parallel), ind, lines)


def _stages(k: Kernel) -> list[list[int]]:
    """Reductions grouped into loops: a reduction runs in the first loop after
    every reduction its argument depends on."""
    stage: dict[int, int] = {}
    for r in k.reductions():
        deps = [d for d in k.deps(k.nodes[r].arg) if isinstance(k.nodes[d], Reduce)]
        stage[r] = 1 + max((stage[d] for d in deps), default=-1)
    out: list[list[int]] = [[] for _ in range(max(stage.values(), default=-1) + 1)]
    for r, s in stage.items():
        out[s].append(r)
    return out


def _render_reduction(k: Kernel, body: _Body, lines: list[str]) -> None:
    P = len(k.parallel)
    inner = k.inner()
    rows = 1
    for e in k.parallel:
        rows *= e
    R = 1
    for e in k.reduce:
        R *= e
    ind = _loops(k.parallel, 0, "    ", lines, _omp(k, rows * R))
    lanes = len(k.reduce) == 1
    for stage in _stages(k):
        roots = [k.nodes[r].arg for r in stage]
        outer_deps = sorted({d for a in roots for d in k.deps(a) if not inner[d] and not isinstance(k.nodes[d], Reduce)})
        body.emit(outer_deps, lines, ind)
        for r in stage:
            n = k.nodes[r]
            init = REDUCE_INIT[n.kind](n.acc)
            if lanes:
                lines.append(f"{ind}{VTYPE[n.acc]} a{r}[{LANES}];")
                lines.append(f"{ind}for (int l = 0; l < {LANES}; l++) a{r}[l] = {init};")
            else:
                lines.append(f"{ind}{VTYPE[n.acc]} s{r} = {init};")
        v = P
        if lanes:
            e = k.reduce[0]
            lines.append(f"{ind}for (int64_t r0 = 0; r0 + {LANES} <= {e}; r0 += {LANES}) {{")
            lines.append(f"{ind}    for (int l = 0; l < {LANES}; l++) {{")
            lines.append(f"{ind}        const int64_t i{v} = r0 + l;")
            _reduce_body(k, body, stage, roots, lines, ind + "        ", lambda r: f"a{r}[l]")
            lines.append(f"{ind}    }}")
            lines.append(f"{ind}}}")
            for r in stage:
                n = k.nodes[r]
                lines.append(f"{ind}{VTYPE[n.acc]} s{r} = a{r}[0];")
                lines.append(f"{ind}for (int l = 1; l < {LANES}; l++) s{r} = {combine(n.kind, f's{r}', f'a{r}[l]', n.acc)};")
            lines.append(f"{ind}for (int64_t i{v} = ({e} / {LANES}) * {LANES}; i{v} < {e}; i{v}++) {{")
            _reduce_body(k, body, stage, roots, lines, ind + "    ", lambda r: f"s{r}")
            lines.append(f"{ind}}}")
        else:
            ind2 = _loops(k.reduce, P, ind, lines)
            _reduce_body(k, body, stage, roots, lines, ind2, lambda r: f"s{r}")
            _close(len(k.reduce), ind2, lines)
        for r in stage:
            n = k.nodes[r]
            body.defined.add(r)
            lines.append(f"{ind}const {VTYPE[n.dtype]} t{r} = ({VTYPE[n.dtype]})s{r};")
    # epilogue: row-level stores, then a loop for per-element stores
    row_stores = [s for s in k.stores if not inner[s.value] and not _store_inner(k, s)]
    el_stores = [s for s in k.stores if s not in row_stores]
    for s in row_stores:
        body.emit(k.deps(s.value), lines, ind)
        lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};")
    if el_stores:
        outer_deps = sorted({d for s in el_stores for d in k.deps(s.value) if not inner[d]})
        body.emit(outer_deps, lines, ind)
        ind2 = _loops(k.reduce, P, ind, lines)
        saved = set(body.defined)
        body.emit(sorted({d for s in el_stores for d in k.deps(s.value)}), lines, ind2)
        for s in el_stores:
            lines.append(f"{ind2}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};")
        body.defined = saved
        _close(len(k.reduce), ind2, lines)
    _close(P, ind, lines)


def _store_inner(k: Kernel, s) -> bool:
    return bool(s.offset.vars() & set(range(len(k.parallel), k.n_vars)))


def _reduce_body(k, body: _Body, stage, roots, lines, ind, acc_name) -> None:
    saved = set(body.defined)
    body.emit(sorted({d for a in roots for d in k.deps(a)}), lines, ind)
    body.defined = saved
    for r in stage:
        n = k.nodes[r]
        val = f"t{n.arg}"
        if n.acc != n.dtype:
            val = f"(({VTYPE[n.acc]}){val})"
        a = acc_name(r)
        lines.append(f"{ind}{a} = {combine(n.kind, a, val, n.acc)};")


def _epilogue_is_identity(k: Kernel) -> bool:
    if not k.dot_in_place or len(k.stores) != 1:
        return False
    n = k.nodes[k.stores[0].value]
    return isinstance(n, Load) and n.buffer == k.dot.acc


def _render_dot(k: Kernel) -> list[str]:
    d = k.dot
    if d.dtype not in ("f32", "f64"):
        raise RenderError(f"dot_general on {d.dtype} has no BLAS routine")
    m, n, kk = d.m, d.n, d.k
    # lhs as an M x K matrix: element (i, l) at i*rows + l*k_stride
    ta, lda = _mat(d.lhs.rows_stride, d.lhs.k_stride, m, kk, "lhs")
    # B as a K x N matrix: element (l, j) at l*k_stride + j*rows_stride
    tb, ldb = _mat(d.rhs.k_stride, d.rhs.rows_stride, kk, n, "rhs")
    fn = "FC_SGEMM" if d.dtype == "f32" else "FC_DGEMM"
    acc = f"b{d.acc}"
    lines = []
    ind = "    "
    for j, e in enumerate(d.batch):
        lines.append(f"{ind}for (int64_t q{j} = 0; q{j} < {e}; q{j}++) {{")
        ind += "    "
    def off(base, strides):
        return " + ".join([str(base)] + [f"{s}*q{j}" for j, s in enumerate(strides)])
    acc_strides = []
    s = m * n
    for e in reversed(d.batch):
        acc_strides.append(s)
        s *= e
    acc_strides = acc_strides[::-1]
    a_ptr = f"b{d.lhs.buffer} + {off(d.lhs.offset, d.lhs.batch_strides)}"
    b_ptr = f"b{d.rhs.buffer} + {off(d.rhs.offset, d.rhs.batch_strides)}"
    c_ptr = f"{acc} + {off(0, acc_strides)}"
    if kk == 0:
        lines.append(f"{ind}memset({c_ptr}, 0, sizeof(*{acc}) * {m * n});")
    elif m and n:
        one = "1.0f" if d.dtype == "f32" else "1.0"
        zero = "0.0f" if d.dtype == "f32" else "0.0"
        lines.append(f"{ind}{fn}(101, {ta}, {tb}, {m}, {n}, {kk}, {one}, {a_ptr}, {lda}, {b_ptr}, {ldb}, "
                     f"{zero}, {c_ptr}, {n});")
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
