"""The reduction kinds: each ``kind`` of ``furcate.reduce`` (and of ``furcate.cumulative``
where it has one) declared once, with the facts every layer reads. No layer keeps its own
list of kinds, identities or accumulation rules:

- the verifier's rules (``ir/shapes.py``): the kind exists, its operand dtypes (``dtypes``,
  as in ``op_table``), whether ``furcate.cumulative`` has it (``scan``);
- ``accumulates``: sums and products are computed in the accumulator dtype (f16/bf16 in
  f32; the NumPy reference also sums integers in i64), max/min/and/or in the compute dtype;
- ``identity(dtype)``: the value of an empty reduction and every backend's initial value
  (the C renderer's literals, Triton's masked lanes, StableHLO's init, NumPy's fill);
- ``any_order``: partial results combine to the same bits in any order, floats included
  (max/min are IEEE 754-2019's, NaN-propagating; and/or are bitwise). Float sums and
  products are not: their order is part of the result, so backends keep it. Integer
  reductions of every kind wrap, so any order gives the same bits for them;
- ``stablehlo``: the combiner op of the reduction body (``stablehlo.<name>``);
- ``jax``: the jaxpr primitive that maps to it one to one.

Adding a kind: one entry here, its rendering in each backend's combine, tests, docs/ir.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from furcate.dtypes import accumulator_dtype, is_float, to_numpy_dtype


@dataclass(frozen=True)
class ReduceKind:
    name: str
    dtypes: str  # numeric | int_or_bool
    accumulates: bool
    scan: bool
    any_order: bool
    stablehlo: str
    jax: str = ""

    def identity(self, dtype: str):
        """The identity in ``dtype`` (an IR dtype name) as a Python number: 0, 1, -1 (every
        bit set), +-inf, or the integer type's least / greatest value (i1: 0 / 1)."""
        if self.name in ("sum", "or"):
            return 0
        if self.name == "prod":
            return 1
        if self.name == "and":
            return 1 if dtype == "i1" else -1
        low = self.name == "max"
        if is_float(dtype):
            return -np.inf if low else np.inf
        if dtype == "i1":
            return 0 if low else 1
        info = np.iinfo(to_numpy_dtype(dtype))
        return int(info.min if low else info.max)

    def acc(self, dtype: str) -> str:
        """The dtype a reduction of this kind over ``dtype`` computes in (the backends'; the
        NumPy reference also sums integers in i64)."""
        return accumulator_dtype(dtype) if self.accumulates else dtype

    def exactly_associative(self, acc: str) -> bool:
        """Do partial results in ``acc`` combine to the same bits in any order?"""
        return self.any_order or not is_float(acc)


KINDS: dict[str, ReduceKind] = {k.name: k for k in (
    ReduceKind("sum", "numeric", accumulates=True, scan=True, any_order=False, stablehlo="add", jax="reduce_sum"),
    ReduceKind("max", "numeric", accumulates=False, scan=True, any_order=True, stablehlo="maximum", jax="reduce_max"),
    ReduceKind("min", "numeric", accumulates=False, scan=True, any_order=True, stablehlo="minimum", jax="reduce_min"),
    ReduceKind("prod", "numeric", accumulates=True, scan=True, any_order=False, stablehlo="multiply",
               jax="reduce_prod"),
    ReduceKind("and", "int_or_bool", accumulates=False, scan=False, any_order=True, stablehlo="and",
               jax="reduce_and"),
    ReduceKind("or", "int_or_bool", accumulates=False, scan=False, any_order=True, stablehlo="or", jax="reduce_or"),
)}

SCAN_KINDS = tuple(k for k, v in KINDS.items() if v.scan)

