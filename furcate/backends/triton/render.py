"""A minimal entry point to the Triton renderer for one pointwise or row-reduction kernel.

``render(k, name)`` returns a module whose ``@triton.jit`` function ``name`` takes one
pointer per buffer of ``k`` (inputs, then outputs) and ``BLOCK: tl.constexpr``;
launch it with ``grid, BLOCK = launch_grid(k)``. It is a thin wrapper over the
Triton backend's renderer (``codegen.py``: one row per program, the whole row in
one block), so the C and Triton backends render the same description and no op is
lowered twice. The backend itself (``build.py``) uses ``codegen``/``gemm`` directly.
"""

from __future__ import annotations

import math

from furcate.backends.kernel.desc import Kernel
from furcate.backends.triton.codegen import module_source, render_pointwise, render_reduction
from furcate.backends.triton.exprs import TritonRenderError as RenderError


def render(k: Kernel, name: str = "kernel") -> str:
    """``@triton.jit`` source of ``k``; launch with one pointer per buffer and
    ``grid, BLOCK = launch_grid(k)``."""
    if k.dot is not None or k.const_data:
        raise RenderError("render() takes pointwise and row-reduction kernels without constant buffers")
    if k.kind == "pointwise":
        return module_source([render_pointwise(k, name).source])
    r = render_reduction(k, f"{name}_rows", looped=False)
    params = ", ".join(f"b{i}" for i in r.args)
    wrapper = (f"\n\n@triton.jit\ndef {name}({params}, BLOCK: tl.constexpr):\n"
               f"    {r.name}({params}, 1, BLOCK)\n")
    return module_source([r.source, wrapper])


def launch_grid(k: Kernel) -> tuple[tuple[int], int]:
    """(grid, BLOCK) for a kernel rendered by ``render``."""
    if k.kind == "pointwise":
        total = math.prod(k.parallel)
        block = min(1024, 1 << max(total - 1, 0).bit_length())
        return (max(1, -(-total // block)),), block
    return (max(1, math.prod(k.parallel)),), 1 << max(math.prod(k.reduce) - 1, 0).bit_length()


__all__ = ["RenderError", "launch_grid", "render"]
