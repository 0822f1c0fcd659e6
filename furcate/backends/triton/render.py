"""Render kernel descriptions to ``@triton.jit`` source: pointwise and row-reduction
kernels (the GEMM ``Dot`` node and the Triton backend proper are a later step).

The same ``Kernel`` the C renderer reads: loads/stores use its affine maps
(pointer + offset), the scalar DAG maps primitives of ``kernel.scalar`` to
``tl`` expressions, the parallel space is tiled by ``BLOCK`` with a mask for
the ragged edge, and a row reduction is one program per row with the whole
(masked, power-of-two padded) row in one block. f16/bf16 are computed in f32.
Uses only ``tl`` APIs present in Triton 3.6 and 3.9.
"""

from __future__ import annotations

import math

from furcate.backends.kernel.desc import Affine, Const, Index, Kernel, Load, Op, Reduce


class RenderError(Exception):
    """The kernel has something this renderer does not render (names it)."""


TL_DTYPE = {"f32": "tl.float32", "f64": "tl.float64", "f16": "tl.float16", "bf16": "tl.bfloat16",
            "i1": "tl.int1", "i8": "tl.int8", "i32": "tl.int32", "i64": "tl.int64"}
COMPUTE = {"f16": "f32", "bf16": "f32"}


def _nanmax(a, b):
    return f"tl.where({a} != {a}, {a}, tl.where({b} != {b}, {b}, tl.maximum({a}, {b})))"


def _nanmin(a, b):
    return f"tl.where({a} != {a}, {a}, tl.where({b} != {b}, {b}, tl.minimum({a}, {b})))"


FLOAT_EXPR = {
    "add": "({0} + {1})", "sub": "({0} - {1})", "mul": "({0} * {1})", "div": "({0} / {1})",
    "neg": "(-{0})", "abs": "tl.abs({0})", "exp": "tl.exp({0})", "log": "tl.log({0})",
    "sqrt": "tl.sqrt({0})", "rsqrt": "(1.0 / tl.sqrt({0}))", "logistic": "tl.sigmoid({0})",
    "tanh": "(2.0 * tl.sigmoid(2.0 * {0}) - 1.0)", "erf": "tl.erf({0})",
    "sin": "tl.sin({0})", "cos": "tl.cos({0})", "floor": "tl.floor({0})", "ceil": "tl.ceil({0})",
    "eq": "({0} == {1})", "ne": "({0} != {1})", "lt": "({0} < {1})", "le": "({0} <= {1})",
    "gt": "({0} > {1})", "ge": "({0} >= {1})", "select": "tl.where({0}, {1}, {2})",
    "is_finite": "(tl.abs({0}) < float('inf'))",
}


def _expr(k: Kernel, n) -> str:
    if isinstance(n, Const):
        v = n.value
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return f"float('{v}')"
        return repr(v)
    if isinstance(n, Op):
        args = [f"t{a}" for a in n.args]
        if n.prim == "max":
            return _nanmax(*args)
        if n.prim == "min":
            return _nanmin(*args)
        if n.prim == "convert":
            dt = COMPUTE.get(n.dtype, n.dtype)
            return f"{args[0]}.to({TL_DTYPE[dt]})"
        arg_dt = k.nodes[n.args[-1]].dtype
        if arg_dt not in ("f32", "f16", "bf16", "f64") or n.prim not in FLOAT_EXPR:
            raise RenderError(f"scalar op {n.prim} on {arg_dt} has no Triton rendering yet")
        return FLOAT_EXPR[n.prim].format(*args)
    raise RenderError(f"node {n} has no Triton rendering")


def _affine(a: Affine) -> str:
    parts = [f"{c} * i{v}" if c != 1 else f"i{v}" for v, c in a.terms]
    return " + ".join(parts + [str(a.const)]) if a.const or not parts else " + ".join(parts)


def _split(lin: str, extents, first: int) -> list[str]:
    """Lines recovering variables ``i{first}..`` from a flat row-major index."""
    lines, rest = [], lin
    for j in range(len(extents) - 1, -1, -1):
        v = first + j
        if j == 0:
            lines.append(f"i{v} = {rest}")
        else:
            lines.append(f"i{v} = {rest} % {extents[j]}")
            rest = f"({rest} // {extents[j]})"
    return lines


def render(k: Kernel, name: str = "kernel") -> str:
    """``@triton.jit`` source of ``k``; launch with one pointer per non-const buffer
    (inputs, outputs) and ``grid = launch_grid(k)``."""
    if k.dot is not None or k.const_data:
        raise RenderError("gemm kernels and constant buffers are not rendered to Triton yet")
    params = [f"b{i}" for i, b in enumerate(k.buffers)]
    lines = ["import triton", "import triton.language as tl", "", "", "@triton.jit",
             f"def {name}({', '.join(params)}, BLOCK: tl.constexpr):", "    pid = tl.program_id(0)"]
    body: list[str] = []
    if k.kind == "pointwise":
        total = math.prod(k.parallel)
        body += ["lin = pid * BLOCK + tl.arange(0, BLOCK)", f"mask = lin < {total}"]
        body += _split("lin", k.parallel, 0)
        _nodes(k, range(len(k.nodes)), body, "mask")
        for s in k.stores:
            body.append(f"tl.store(b{s.buffer} + {_affine(s.offset)}, t{s.value}, mask=mask)")
    elif k.kind == "reduction" and len(k.reduce) == 1:
        P = len(k.parallel)
        body += _split("pid", k.parallel, 0) if k.parallel else []
        body += [f"i{P} = tl.arange(0, BLOCK)", f"rmask = i{P} < {k.reduce[0]}"]
        inner = k.inner()
        for i, n in enumerate(k.nodes):
            if isinstance(n, Reduce):
                body.append(f"t{i} = {_reduce(n)}")
            else:
                _nodes(k, [i], body, "rmask" if inner[i] else None)
        for s in k.stores:
            m = ", mask=rmask" if inner[s.value] else ""
            body.append(f"tl.store(b{s.buffer} + {_affine(s.offset)}, t{s.value}{m})")
    else:
        raise RenderError(f"{k.kind} kernel with reduce={list(k.reduce)} is not rendered to Triton yet")
    lines += ["    " + b for b in body]
    return "\n".join(lines) + "\n"


def _nodes(k: Kernel, ids, body: list[str], mask: str | None) -> None:
    for i in ids:
        n = k.nodes[i]
        if isinstance(n, Load):
            dt = COMPUTE.get(n.dtype, n.dtype)
            m = f", mask={mask}, other=0" if mask else ""
            body.append(f"t{i} = tl.load(b{n.buffer} + {_affine(n.offset)}{m}).to({TL_DTYPE[dt]})")
        elif isinstance(n, Index):
            body.append(f"t{i} = ({_affine(n.expr)}).to({TL_DTYPE[n.dtype]})")
        else:
            body.append(f"t{i} = {_expr(k, n)}")


def _reduce(n: Reduce) -> str:
    a = f"t{n.arg}"
    if n.kind == "sum":
        return f"tl.sum(tl.where(rmask, {a}, 0.0), axis=0)"
    if n.kind in ("max", "min"):
        fill = "-float('inf')" if n.kind == "max" else "float('inf')"
        red = f"tl.{n.kind}(tl.where(rmask, {a}, {fill}), axis=0)"
        has_nan = f"(tl.sum(tl.where(rmask & ({a} != {a}), 1, 0), axis=0) > 0)"
        return f"tl.where({has_nan}, float('nan'), {red})"
    raise RenderError(f"reduce {n.kind} is not rendered to Triton yet")


def launch_grid(k: Kernel) -> tuple[tuple[int], int]:
    """(grid, BLOCK) for a kernel rendered by ``render``."""
    if k.kind == "pointwise":
        total = math.prod(k.parallel)
        block = min(1024, 1 << max(total - 1, 0).bit_length())
        return (max(1, -(-total // block)),), block
    return (max(1, math.prod(k.parallel)),), 1 << max(k.reduce[0] - 1, 0).bit_length()
