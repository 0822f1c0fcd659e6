"""Helpers shared by the StableHLO lowering rules: MLIR types, constants, regions.

Everything here runs inside the MLIR context and location that ``lower.py``
opens (``jax.interpreters.mlir.make_ir_context()``), so the builders below
never name a context themselves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from jax.extend.mlir import ir
from jax.extend.mlir.dialects import stablehlo as hlo

from furcate.dtypes import DTYPES, TensorSpec, is_float, to_numpy_dtype
from furcate.ir.reduce_kinds import KINDS as REDUCE_KINDS

# furcate op name (without "furcate.") -> rule(op, operands: list[ir.Value]) -> list[ir.Value]
RULES: dict[str, Callable] = {}


def rule(*names: str):
    """Register a lowering rule for the named furcate ops."""

    def deco(fn):
        for n in names:
            RULES[n] = fn
        return fn

    return deco


def elem_type(dtype: str) -> ir.Type:
    if dtype == "f32":
        return ir.F32Type.get()
    if dtype == "f64":
        return ir.F64Type.get()
    if dtype == "f16":
        return ir.F16Type.get()
    if dtype == "bf16":
        return ir.BF16Type.get()
    if dtype in ("i1", "i8", "i32", "i64"):
        return ir.IntegerType.get_signless(int(dtype[1:]))
    raise ValueError(f"furcate dtype {dtype!r} has no StableHLO element type")


def tensor_type(spec: TensorSpec) -> ir.RankedTensorType:
    return ir.RankedTensorType.get(list(spec.shape), elem_type(spec.dtype))


def spec_of(value: ir.Value) -> TensorSpec:
    """The furcate spec of an MLIR tensor value."""
    t = ir.RankedTensorType(value.type)
    return TensorSpec(tuple(t.shape), dtype_of_type(t.element_type))


def dtype_of_type(t: ir.Type) -> str:
    """The furcate dtype of an MLIR element type (MLIR prints them with furcate's names)."""
    name = str(t)
    if name not in DTYPES:
        raise ValueError(f"MLIR type {name} is not a furcate dtype")
    return name


def dense(array: np.ndarray, dtype: str) -> ir.Value:
    """A ``stablehlo.constant`` holding ``array`` bit-exactly."""
    arr = np.asarray(array, dtype=to_numpy_dtype(dtype))
    arr = np.ascontiguousarray(arr).reshape(arr.shape)  # ascontiguousarray makes rank-0 rank-1
    attr = ir.DenseElementsAttr.get(arr, type=elem_type(dtype), shape=tuple(arr.shape))
    return hlo.constant(attr)


def scalar(value, dtype: str) -> ir.Value:
    """A rank-0 constant."""
    return dense(np.array(value, dtype=to_numpy_dtype(dtype)), dtype)


def full(value, spec: TensorSpec) -> ir.Value:
    """``value`` broadcast to ``spec`` (a splat constant)."""
    return dense(np.full(spec.shape, value, dtype=spec.np_dtype), spec.dtype)


def convert(value: ir.Value, dtype: str) -> ir.Value:
    spec = spec_of(value)
    if spec.dtype == dtype:
        return value
    return hlo.convert(tensor_type(TensorSpec(spec.shape, dtype)), value)


def combiner(kind: str) -> Callable[[ir.Value, ir.Value], ir.Value]:
    """The binary StableHLO op of a reduction kind (max/min propagate NaN in XLA)."""
    name = REDUCE_KINDS[kind].stablehlo
    return getattr(hlo, name + "_" if name in ("and", "or") else name)



def fill_region(region: ir.Region, dtypes: Sequence[str], body: Callable) -> None:
    """Give a reducer region its block: two scalars per reduced value, ``body`` returns the combined values."""
    scalars = [ir.RankedTensorType.get([], elem_type(d)) for d in dtypes]
    block = region.blocks.append(*scalars, *scalars)
    with ir.InsertionPoint(block):
        hlo.return_(list(body(*block.arguments)))


def compare(lhs: ir.Value, rhs: ir.Value, direction: str) -> ir.Value:
    """``stablehlo.compare`` with the compare type of the operands' dtype (IEEE for floats)."""
    dtype = spec_of(lhs).dtype
    ctype = "FLOAT" if is_float(dtype) else ("UNSIGNED" if dtype == "i1" else "SIGNED")
    return hlo.compare(
        lhs,
        rhs,
        hlo.ComparisonDirectionAttr.get(direction),
        compare_type=hlo.ComparisonTypeAttr.get(ctype),
    )


def padding_attr(pairs: Sequence[int]) -> ir.DenseIntElementsAttr:
    """(low, high) per dimension, flattened, as the ``[n, 2]`` i64 attribute StableHLO wants."""
    arr = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    return ir.DenseIntElementsAttr.get(arr, shape=list(arr.shape))


def precision(name: str | None) -> ir.ArrayAttr:
    """``highest`` (IEEE f32, the default) or ``tf32`` (XLA's DEFAULT) for both operands."""
    p = "DEFAULT" if name == "tf32" else "HIGHEST"
    return ir.ArrayAttr.get([hlo.PrecisionAttr.get(p)] * 2)
