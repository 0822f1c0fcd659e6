"""Which C renderer a kernel takes, and the signature of the non-window kernels.

``render(k, fname, aliased)`` is the C source of one kernel as ``static void
fname(<one pointer per buffer>)``: a window kernel (``window.py``) renders as a
convolution (``render_conv.py``) or a pooling (``render_window.py``); a kernel with a
dot as a GEMM (``render_gemm.py``); a reduction by ``render_reduce.py``; anything else
as pointwise loops (``render.py``, which also holds the scalar expressions and loop
helpers the others share). The renderers import ``render.py``, never this module.
"""

from __future__ import annotations

from furcate.backends.c.render import CTYPE, _Body, buffer_params, render_pointwise
from furcate.backends.c.render_conv import render_conv
from furcate.backends.c.render_gemm import render_gemm
from furcate.backends.c.render_reduce import render_reduction
from furcate.backends.c.render_window import render_pool
from furcate.backends.kernel.desc import Kernel


def render(k, fname: str, aliased: frozenset[int] = frozenset()) -> str:
    """C source of kernel ``k`` (a ``Kernel`` or a ``WindowKernel``)."""
    if getattr(k, "window", None) is not None:
        return render_conv(k, fname, aliased) if k.kind == "conv" else render_pool(k, fname, aliased)
    return render_kernel(k, fname, aliased)


def render_kernel(k: Kernel, fname: str, aliased: frozenset[int] = frozenset()) -> str:
    """C source of ``static void fname(<one pointer per buffer>)``. Buffers in ``aliased``
    may share memory with another buffer, so they are not declared ``restrict``."""
    params, consts = buffer_params(k, aliased, lambda b: CTYPE[b.spec.dtype])
    lines = [f"static void {fname}({', '.join(params) or 'void'}) {{"]
    lines += ["    " + c for c in consts]
    body = _Body(k, lambda i: f"b{i}")
    if k.dot is not None:
        render_gemm(k, body, lines, render_pointwise)
    elif k.kind == "reduction":
        render_reduction(k, body, lines)
    else:
        render_pointwise(k, body, lines)
    lines.append("}")
    return "\n".join(lines) + "\n"
