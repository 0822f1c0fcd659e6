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
import re

import numpy as np

from furcate.backends.kernel.desc import Affine, Const, Gather, Index, Kernel, Load, Op, Reduce
from furcate.backends.kernel.prims import PrimRenderer
from furcate.dtypes import to_numpy_dtype
from furcate.ir import op_table
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS

CTYPE = {"f32": "float", "f64": "double", "f16": "uint16_t", "bf16": "uint16_t", "i1": "uint8_t",
         "i8": "int8_t", "i32": "int32_t", "i64": "int64_t"}
VTYPE = {"f32": "float", "f64": "double", "f16": "float", "bf16": "float", "i1": "int",
         "i8": "int8_t", "i32": "int32_t", "i64": "int64_t"}
FLOATS = ("f32", "f64", "f16", "bf16")
LANES = 16
PAR_THRESHOLD = 1 << 15  # iterations (times work per iteration) before a parallel region pays off
# A kernel with more calls of the prelude's expensive functions than this calls their
# out-of-line SIMD clones (``fc_tanhf_ool``) instead of inlining each: compile time.
OUT_OF_LINE_CALLS = 24
EXPENSIVE_CALL = re.compile(r"\b(fc_(?:exp|log|tanh|logistic|erf)f)\(")


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


# f32 (and f16/bf16 in f32) / f64 expressions: the op table's (``ir/op_table.py``), plus is_finite
UNARY_F = {e.prim: e.c for e in op_table.UNARY if e.c} | {
    "is_finite": ("(fabsf({0}) <= 3.40282347e+38f)", "(fabs({0}) <= 1.7976931348623157e308)"),
}
BINARY_F = {e.prim: e.c for e in op_table.BINARY if e.c}


def _float_op(prim: str, args: list[str], dt: str) -> str:
    k = 1 if dt == "f64" else 0
    for table in (UNARY_F, BINARY_F):
        if prim in table:
            return table[prim][k].format(*args)
    raise RenderError(f"scalar op {prim} on {dt} has no C rendering")


def _int_op(prim: str, args: list[str], dt: str) -> str:
    t = VTYPE[dt]
    simple = {"add": "+", "sub": "-", "mul": "*", "and": "&", "or": "|", "xor": "^"}
    if prim in simple:
        return f"(({t})({args[0]} {simple[prim]} {args[1]}))"
    if prim == "not":
        return f"(!{args[0]})" if dt == "i1" else f"(({t})~{args[0]})"
    if dt != "i1":
        if prim in ("div", "rem", "pow"):
            return f"fc_{prim}_{dt}({args[0]}, {args[1]})"
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
    raise RenderError(f"scalar op {prim} on {dt} has no C rendering")


def _int_to_float(x: str, dst: str) -> str:
    """An integer as f32 / f64. The select keeps gcc (-O3 -fno-trapping-math) from
    rewriting a float -> int -> float round trip as trunc(x), whose -0.0 for -0.5 an
    integer cannot have (``x + 0.0`` does not stop it: gcc knows the sum is exact)."""
    zero = "0.0" if dst == "f64" else "0.0f"
    return f"({x} == 0 ? {zero} : ({VTYPE[dst]})({x}))"


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
            return f"{rnd}({_int_to_float(x, 'f32')})"
        if src in ("f16", "bf16") and dst == "f32":
            return x
        if not _f(src):
            return _int_to_float(x, dst)
        return f"(({VTYPE[dst]})({x}))"
    if _f(src):  # float -> int
        if dst == "i32" and src != "f64":
            return f"fc_f2i32({x})"
        return f"fc_d2{dst}((double)({x}))"
    return f"(({VTYPE[dst]})({x}))"  # int -> int wraps


# C expression of primitive ``prim`` on rendered ``args`` (of dtypes ``arg_dts``) producing dtype ``dt``
scalar_expr = PrimRenderer("({0} ? {1} : {2})", convert_expr, _float_op, _int_op).expr


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


_INT_LIMITS = {dt: (np.iinfo(to_numpy_dtype(dt)), f"INT{dt[1:]}") for dt in ("i8", "i32", "i64")}


def c_identity(kind: str, dt: str) -> str:
    """The C literal of reduction ``kind``'s identity in ``dt`` (``ir/reduce_kinds.py``)."""
    v = REDUCE_KINDS[kind].identity(dt)
    if _f(dt):
        return ("-INFINITY" if v < 0 else "INFINITY") if np.isinf(v) else repr(float(v))
    if dt in _INT_LIMITS:
        info, name = _INT_LIMITS[dt]
        if v in (info.min, info.max):
            return f"{name}_{'MIN' if v == info.min else 'MAX'}"
    return str(int(v))


REDUCE_INIT = {k: (lambda dt, k=k: c_identity(k, dt)) for k in REDUCE_KINDS}


def combine(kind: str, a: str, b: str, acc: str) -> str:
    if kind == "sum":
        return f"({a} + {b})"
    if kind == "prod":
        return f"({a} * {b})"
    if kind in ("max", "min"):
        return scalar_expr(kind, [a, b], [acc, acc], acc)
    return f"({a} {'&' if kind == 'and' else '|'} {b})"


# the primitives rendered as a call of one of those functions (derived from the table)
_OUT_OF_LINE_PRIMS = frozenset(p for p, (f32, _f64) in UNARY_F.items() if EXPENSIVE_CALL.match(f32))


class _Body:
    """Emits node definitions into C statements; tracks what is already defined."""

    def __init__(self, k: Kernel, bufname):
        self.k = k
        self.bufname = bufname
        self.defined: set[int] = set()
        self.override: dict[int, str] = {}  # node -> expression replacing its computation (a cached value)
        calls = sum(1 for n in k.nodes if isinstance(n, Op) and n.prim in _OUT_OF_LINE_PRIMS and n.dtype != "f64")
        self.out_of_line = calls > OUT_OF_LINE_CALLS

    def emit(self, ids, lines: list[str], ind: str) -> None:
        for i in ids:
            if i in self.defined:
                continue
            n = self.k.nodes[i]
            if isinstance(n, Reduce):
                raise AssertionError("reductions are emitted by the loop structure")
            self.defined.add(i)
            lines.append(f"{ind}const {VTYPE[n.dtype]} t{i} = {self.override.get(i) or self.expr(n)};")

    def expr(self, n) -> str:
        if isinstance(n, Load):
            return load_expr(self.bufname(n.buffer), affine_expr(n.offset), n.dtype)
        if isinstance(n, Gather):  # clamp the index into range (StableHLO gather)
            i = f"t{n.index}"
            row = f"({i} < 0 ? 0 : ({i} > {n.extent - 1} ? {n.extent - 1} : (int64_t){i}))"
            return load_expr(self.bufname(n.buffer), f"{affine_expr(n.offset)} + {n.stride}*{row}", n.dtype)
        if isinstance(n, Const):
            return _lit(n.value, n.dtype)
        if isinstance(n, Index):
            return f"(({VTYPE[n.dtype]})({affine_expr(n.expr)}))"
        if isinstance(n, Op):
            args = [f"t{a}" for a in n.args]
            dts = [self.k.nodes[a].dtype for a in n.args]
            if n.prim == "select":
                dts = dts[1:]
            if n.prim == "pow" and n.dtype in FLOATS:
                e = self.k.nodes[n.args[1]]
                if isinstance(e, Const) and e.value in (2, 3):  # x*x, (x*x)*x: what eager and XLA compute
                    return f"({args[0]} * {args[0]})" if e.value == 2 else f"(({args[0]} * {args[0]}) * {args[0]})"
            e = scalar_expr(n.prim, args, dts, n.dtype)
            return EXPENSIVE_CALL.sub(r"\1_ool(", e) if self.out_of_line else e
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
    """The OpenMP pragma of the outer parallel loop; none below the threshold (sizes are
    static, and even a parallel region with a false ``if`` costs a libgomp call)."""
    if not k.parallel or work <= PAR_THRESHOLD:
        return None
    collapse = f" collapse({len(k.parallel) - 1})" if len(k.parallel) > 2 else ""
    if len(k.parallel) == 2 and k.parallel[0] < 16:
        collapse = " collapse(2)"
    return f"#pragma omp parallel for{collapse} schedule(guided)"


def buffer_params(k, aliased: frozenset[int], ctype_of) -> tuple[list[str], list[str]]:
    """(parameter declarations, constant arrays) of kernel ``k``'s buffers: ``ctype_of(b)``
    is a buffer's C type; buffers in ``aliased`` may share memory with another buffer, so
    they are not declared ``restrict``; inputs are ``const``."""
    params, consts = [], []
    for i, b in enumerate(k.buffers):
        t = ctype_of(b)
        if b.role == "const":
            consts.append(_const_array(f"b{i}", t, k.const_data[i]))
            continue
        q = "" if i in aliased else " restrict"
        c = "const " if b.role == "in" else ""
        params.append(f"{c}{t} *{q} b{i}")
    return params, consts


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


# primitives that cost far more than an add (latency chains, per-row caching of reductions)
EXPENSIVE = frozenset(e.prim for e in op_table.TABLE if e.flops >= 16)
STREAMS = 4  # independent element streams interleaved in a latency-bound loop
LONG_CHAIN = 40  # dependency depth (an expensive primitive counts 10) that makes a loop latency-bound


def _depth(k: Kernel) -> int:
    """Longest dependency path through the kernel's nodes, weighting transcendentals."""
    depth: list[int] = []
    for n in k.nodes:
        args = n.args if isinstance(n, Op) else ((n.index,) if isinstance(n, Gather) else ())
        own = 10 if isinstance(n, Op) and n.prim in EXPENSIVE else 1
        depth.append(own + max((depth[a] for a in args), default=0))
    return max(depth, default=0)


def element_work(k: Kernel) -> int:
    """Work units per element for the parallel threshold: a unit per 4 nodes, a transcendental
    (exp, tanh, erf, ...) counting 4 nodes (a GEMM's SiLU epilogue of 64 x 512 is parallel)."""
    nodes = len(k.nodes) + 3 * sum(1 for n in k.nodes if isinstance(n, Op) and n.prim in EXPENSIVE)
    return max(1, nodes // 4)


def render_pointwise(k: Kernel, body: _Body, lines: list[str]) -> None:
    n = 1
    for e in k.parallel:
        n *= e
    roots = sorted({i for s in k.stores for i in k.deps(s.value)})
    work = n * element_work(k)
    streams = len(k.parallel) == 1 and n >= STREAMS * 2 * LANES and _depth(k) >= LONG_CHAIN
    if streams:  # a long serial chain per element: interleave independent elements (ILP)
        chunk = n // STREAMS // LANES * LANES
        one = []
        body.emit(roots, one, "")
        one += [f"b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', k.buffers[s.buffer].spec.dtype)};"
                for s in k.stores]
        omp = _omp(k, work)
        if omp:
            lines.append(f"    {omp}")
        lines.append(f"    for (int64_t i0 = 0; i0 < {chunk}; i0++) {{")
        for line in one:
            for q in range(STREAMS):
                line_q = re.sub(r"\bt(\d+)\b", rf"t\1_{q}", line)
                lines.append("        " + re.sub(r"\bi0\b", f"(i0 + {q * chunk})", line_q))
        lines.append("    }")
        body.defined.clear()
        lines.append(f"    for (int64_t i0 = {STREAMS * chunk}; i0 < {n}; i0++) {{")
        body.emit(roots, lines, "        ")
        lines += [f"        {line}" for line in one[len(one) - len(k.stores):]]
        lines.append("    }")
        return
    ind = _loops(k.parallel, 0, "    ", lines, _omp(k, work))
    body.emit(roots, lines, ind)
    for s in k.stores:
        b = k.buffers[s.buffer]
        lines.append(f"{ind}b{s.buffer}[{affine_expr(s.offset)}] = {store_expr(f't{s.value}', b.spec.dtype)};")
    _close(len(k.parallel), ind, lines)
