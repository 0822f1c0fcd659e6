"""The dispatch of a scalar primitive (``furcate.backends.kernel.scalar``) to a renderer's
expression, shared by the C and Triton renderers.

Comparisons are written alike in both languages; a renderer gives its own
``select``, ``convert`` and the forms of the float and integer primitives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from furcate.dtypes import is_float

CMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


@dataclass(frozen=True)
class PrimRenderer:
    """How one renderer writes the scalar primitives; ``expr`` picks the form by the first
    operand's dtype (a float or an integer/i1 form). A primitive a renderer has no form
    for raises that renderer's error, naming the primitive and the dtype."""

    select: str  # format of select over ``{0}`` (pred), ``{1}`` (on true), ``{2}`` (on false)
    convert: Callable[[str, str, str], str]  # (x, src dtype, dst dtype) -> expression
    float_op: Callable[[str, list[str], str], str]  # (prim, args, operand dtype) -> expression
    int_op: Callable[[str, list[str], str], str]  # the same for integer and i1 operands

    def expr(self, prim: str, args: list[str], arg_dts: list[str], dt: str) -> str:
        """Expression of primitive ``prim`` on rendered ``args`` (of furcate dtypes ``arg_dts``)
        producing dtype ``dt``."""
        a0 = arg_dts[0] if arg_dts else dt
        if prim in CMP:
            return f"({args[0]} {CMP[prim]} {args[1]})"
        if prim == "select":
            return self.select.format(*args)
        if prim == "convert":
            return self.convert(args[0], a0, dt)
        if is_float(a0):
            return self.float_op(prim, args, a0)
        return self.int_op(prim, args, a0)
