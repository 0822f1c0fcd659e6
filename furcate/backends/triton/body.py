"""The part every Triton kernel shares: iteration variables, masks and the scalar DAG.

A renderer says how each iteration variable is computed from the program's
block coordinates (``define_var``) and which *axis* of the block it lives on
(each axis has a mask for its ragged edge); ``Body`` then emits the
``Kernel``'s nodes as Triton statements in topological order. Loads are
masked by the axes their offsets use; expressions broadcast, so a value that
depends only on rows has shape ``[BM, 1]`` and a constant is a 0-d tensor.
"""

from __future__ import annotations

from furcate.backends.kernel.desc import Affine, Const, Index, Kernel, Load, Op, Reduce
from furcate.backends.triton import exprs
from furcate.backends.triton.exprs import TritonRenderError
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS


class Body:
    """Emits nodes of ``k``; ``buf_name(i)`` is the pointer argument of buffer ``i``."""

    def __init__(self, k: Kernel, buf_name, wide: bool):
        self.k = k
        self.buf_name = buf_name
        self.wide = wide  # 64-bit offsets
        self.var_expr: dict[int, str] = {}
        self.var_axis: dict[int, str] = {}
        self.axis_mask: dict[str, str | None] = {}
        self.shortcut: dict[Affine, tuple[str, tuple[str, ...]]] = {}
        self.names: dict[int, str] = {}
        self.override: dict[int, str] = {}  # Load buffer -> value expression (the GEMM accumulator)
        self.suffix = ""
        self.fill_axes: tuple[str, ...] = ()  # the axes every store covers (its value block's axes)

    def define_var(self, v: int, expr: str, axis: str) -> None:
        self.var_expr[v] = expr
        self.var_axis[v] = axis

    def affine(self, a: Affine) -> str:
        if a in self.shortcut:
            return self.shortcut[a][0]
        parts = []
        for v, c in a.terms:
            x = self.var_expr[v]
            parts.append(x if c == 1 else f"{c} * {x}")
        if a.const or not parts:
            parts.append(str(a.const))
        return " + ".join(parts)

    def axes(self, a: Affine) -> tuple[str, ...]:
        if a in self.shortcut:
            return self.shortcut[a][1]
        return tuple(sorted({self.var_axis[v] for v in a.vars()}))

    def mask(self, axes) -> str | None:
        ms = [self.axis_mask[x] for x in axes if self.axis_mask.get(x)]
        return " & ".join(ms) if ms else None

    def ptr(self, buf: int, a: Affine) -> str:
        return f"{self.buf_name(buf)} + ({self.affine(a)})"

    def name(self, i: int) -> str:
        return self.names[i]

    def emit(self, ids, lines: list[str], ind: str) -> None:
        for i in ids:
            if i in self.names:
                continue
            n = self.k.nodes[i]
            if isinstance(n, Reduce):
                raise AssertionError("reductions are emitted by the kernel's loop structure")
            name = f"t{i}{self.suffix}"
            lines.append(f"{ind}{name} = {self.expr(n)}")
            self.names[i] = name

    def expr(self, n) -> str:
        if isinstance(n, Load):
            if n.buffer in self.override:
                return self.override[n.buffer]
            return exprs.load_expr(self.ptr(n.buffer, n.offset), self.mask(self.axes(n.offset)), n.dtype)
        if isinstance(n, Const):
            return exprs.const_expr(n.value, n.dtype)
        if isinstance(n, Index):
            if not n.expr.vars():
                return exprs.const_expr(n.expr.const, n.dtype)
            return f"({self.affine(n.expr)}).to({exprs.ctl(n.dtype)})"
        if isinstance(n, Op):
            args = [self.names[a] for a in n.args]
            dts = [self.k.nodes[a].dtype for a in n.args]
            if n.prim == "select":
                dts = dts[1:]
            return exprs.prim_expr(n.prim, args, dts, n.dtype)
        raise TritonRenderError(f"node {n} has no Triton rendering")

    def store(self, buf: int, a: Affine, value: str, lines: list[str], ind: str, fill: str) -> None:
        """``buf[a] = value``; ``fill`` is a zero block of the store's shape (over ``fill_axes``).
        An offset that misses one of those axes (no variable at all: a one-element space; only
        batch variables: a GEMM tile of one element) is widened by ``fill`` to the value's block,
        and masked on every fill axis."""
        dt = self.k.buffers[buf].spec.dtype
        axes = self.axes(a)
        ptr = self.ptr(buf, a) if a.vars() or a in self.shortcut else f"{self.buf_name(buf)} + {a.const}"
        if not set(self.fill_axes) <= set(axes):
            ptr = f"{ptr} + {fill}"
            axes = tuple(sorted(set(axes) | set(self.fill_axes)))
        m = self.mask(axes)
        mk = f", mask={m}" if m else ""
        lines.append(f"{ind}tl.store({ptr}, {exprs.store_value(value, dt)}{mk})")


# the identity of each reduction kind per accumulator dtype (ir/reduce_kinds.py)
REDUCE_INIT = {k: v.identity for k, v in REDUCE_KINDS.items()}

# combine functions (jit helpers in every module) per reduction kind and dtype class
HELPERS = '''
@triton.jit
def _fc_mul(a, b):
    return a * b


@triton.jit
def _fc_and(a, b):
    return a & b


@triton.jit
def _fc_or(a, b):
    return a | b
''' + exprs.MATH_HELPERS


def reduce_expr(kind: str, x: str, acc: str, axis: int) -> str:
    """Reduce block ``x`` (already holding the identity at masked lanes) along ``axis``."""
    f = exprs.is_float(acc)
    if kind == "sum":
        return f"tl.sum({x}, axis={axis})"
    if kind == "max":
        return f"tl.reduce({x}, {axis}, _fc_fmax)" if f else f"tl.max({x}, axis={axis})"
    if kind == "min":
        return f"tl.reduce({x}, {axis}, _fc_fmin)" if f else f"tl.min({x}, axis={axis})"
    if kind == "prod":
        return f"tl.reduce({x}, {axis}, _fc_mul)"
    if kind in ("and", "or"):
        if acc == "i1":
            red = "tl.min" if kind == "and" else "tl.max"
            return f"({red}(({x}).to(tl.int32), axis={axis}) != 0)"
        return f"tl.reduce({x}, {axis}, _fc_{kind})"
    raise TritonRenderError(f"reduction kind {kind} has no Triton rendering")


def combine(kind: str, a: str, b: str, acc: str) -> str:
    """Lane-wise combine of two accumulator blocks (the looped reduction form)."""
    if kind == "sum":
        return f"{a} + {b}"
    if kind == "prod":
        return f"{a} * {b}"
    if kind in ("max", "min"):
        return exprs.prim_expr(kind, [a, b], [acc, acc], acc)
    return f"{a} {'&' if kind == 'and' else '|'} {b}"


def to_acc(x: str, n: Reduce) -> str:
    """A reduce argument (compute type of ``n.dtype``) in its accumulator type."""
    if exprs.compute(n.acc) != exprs.compute(n.dtype):
        return f"({x}).to({exprs.ctl(n.acc)})"
    return x


def from_acc(x: str, n: Reduce) -> str:
    """A reduction result (accumulator type) as a value of ``n.dtype`` (compute type)."""
    if n.acc == "i1" or n.dtype == "i1" or exprs.compute(n.acc) == exprs.compute(n.dtype):
        return x
    return f"({x}).to({exprs.ctl(n.dtype)})"
