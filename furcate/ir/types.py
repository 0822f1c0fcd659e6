"""The xDSL side of furcate's dtypes: element types and ``tensor<...>`` types."""

from __future__ import annotations

from xdsl.dialects.builtin import (
    BFloat16Type,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute

from furcate.dtypes import (  # noqa: F401  (re-exported for the IR layer)
    DTYPES,
    FLOAT_DTYPES,
    INT_DTYPES,
    TensorSpec,
    from_numpy_dtype,
    is_bool,
    is_float,
    is_int,
    to_numpy_dtype,
)


def element_type(dtype: str) -> Attribute:
    """xDSL element type for a furcate dtype name."""
    if dtype == "f32":
        return Float32Type()
    if dtype == "f64":
        return Float64Type()
    if dtype == "f16":
        return Float16Type()
    if dtype == "bf16":
        return BFloat16Type()
    if dtype in ("i1", "i8", "i32", "i64"):
        return IntegerType(int(dtype[1:]))
    raise ValueError(f"unknown furcate dtype {dtype!r}; valid: {', '.join(DTYPES)}")


def dtype_name(elem: Attribute) -> str:
    """furcate dtype name of an xDSL element type (raises on unsupported types)."""
    if isinstance(elem, Float32Type):
        return "f32"
    if isinstance(elem, Float64Type):
        return "f64"
    if isinstance(elem, Float16Type):
        return "f16"
    if isinstance(elem, BFloat16Type):
        return "bf16"
    if isinstance(elem, IntegerType):
        name = f"i{elem.width.data}"
        if name in DTYPES and elem.signedness.data.name == "SIGNLESS":
            return name
    raise ValueError(f"element type {elem} is not a furcate dtype ({', '.join(DTYPES)})")


def to_type(spec: TensorSpec) -> TensorType:
    """The builtin ``tensor<...>`` type of a spec."""
    return TensorType(element_type(spec.dtype), list(spec.shape))


def spec_of_type(t: Attribute) -> TensorSpec:
    """The spec of a static ``tensor<...>`` type (raises ValueError otherwise)."""
    if not isinstance(t, TensorType):
        raise ValueError(f"expected a ranked tensor type, got {t}")
    shape = tuple(t.get_shape())
    if any(s < 0 for s in shape):
        raise ValueError(f"dynamic dimensions are not supported: {t}")
    return TensorSpec(shape, dtype_name(t.element_type))
