"""The C backend's units: the shared walk (``furcate.backends.kernel.units``) with C kernels.

A group becomes a C kernel when it lowers (with gathers), a GEMM finds a BLAS
library, and the C renderer renders it (a probe render: the real rendering is
per segment, ``segment.py``). A group anchored on a convolution or a
reduce_window (alone or with its pointwise epilogue) becomes a window kernel
(``window.py``, rendered by ``render_conv.py`` / ``render_window.py``). Anything else (scatter, ...)
runs as a NumPy step.
"""

from __future__ import annotations

from furcate.backends.c.blas import find_blas
from furcate.backends.c.emit import render
from furcate.backends.c.render import RenderError
from furcate.backends.c.window import WINDOW_OPS, lower_window_group
from furcate.backends.kernel.lower import NotExpressible, lower_group, short
from furcate.backends.kernel.simplify import merge_vars
from furcate.backends.kernel.units import KUnit, NUnit
from furcate.backends.kernel.units import Units as _Units


class Units(_Units):
    """The units of one program for the C backend (kernels named ``k0``, ``k1``, ...)."""

    target = "c"
    render_errors = (RenderError,)

    def __init__(self, program):
        self._n = 0
        super().__init__(program)

    def kernel_unit(self, ops, inputs, outer, outputs) -> KUnit:
        if any(short(op) in WINDOW_OPS for op in ops):
            k = lower_window_group(ops, inputs, outputs, f"k{self._n}")
            render(k, "probe")
            self._n += 1
            return KUnit(k, list(outer), list(outputs))
        k = lower_group(ops, inputs, outputs, f"k{self._n}", gather=True)
        if k.dot is not None and find_blas() is None:
            raise NotExpressible("no BLAS library for dot_general")
        if k.dot is None:  # a GEMM's epilogue loops over its tiles: keep the result's dims
            k = merge_vars(k)
        render(k, "probe")  # raises RenderError for what C cannot render
        self._n += 1
        return KUnit(k, list(outer), list(outputs))


__all__ = ["KUnit", "NUnit", "Units"]
