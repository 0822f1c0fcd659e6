"""furcate's dtypes and tensor specs, shared by every layer.

Every layer talks about element types by their short IR name (``"f32"``,
``"bf16"``, ``"i1"``...). This module maps them to NumPy dtypes (bf16 through
``ml_dtypes``) and imports nothing else from furcate, so the IR and the runtime
can both use it; ``furcate.ir.types`` adds the xDSL side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import ml_dtypes
import numpy as np

DTYPES = ("f32", "f64", "f16", "bf16", "i1", "i8", "i32", "i64")
FLOAT_DTYPES = ("f32", "f64", "f16", "bf16")
INT_DTYPES = ("i8", "i32", "i64")  # signed, two's complement, wrapping

_NP = {
    "f32": np.dtype(np.float32),
    "f64": np.dtype(np.float64),
    "f16": np.dtype(np.float16),
    "bf16": np.dtype(ml_dtypes.bfloat16),
    "i1": np.dtype(np.bool_),
    "i8": np.dtype(np.int8),
    "i32": np.dtype(np.int32),
    "i64": np.dtype(np.int64),
}
_FROM_NP = {v: k for k, v in _NP.items()}


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def is_int(dtype: str) -> bool:
    """Signed integer types (not i1)."""
    return dtype in INT_DTYPES


def is_bool(dtype: str) -> bool:
    return dtype == "i1"


def accumulator_dtype(dtype: str) -> str:
    """Where sums, products and contractions of ``dtype`` are computed: f16/bf16 in f32
    (docs/numpy.md, Semantics); other dtypes as they are."""
    return "f32" if dtype in ("f16", "bf16") else dtype


def to_numpy_dtype(dtype: str) -> np.dtype:
    try:
        return _NP[dtype]
    except KeyError:
        raise ValueError(f"unknown furcate dtype {dtype!r}; valid: {', '.join(DTYPES)}") from None


def from_numpy_dtype(dtype) -> str:
    d = np.dtype(dtype)
    try:
        return _FROM_NP[d]
    except KeyError:
        raise ValueError(
            f"dtype {d} is not supported by furcate; supported: "
            + ", ".join(str(x) for x in _NP.values())
        ) from None


@dataclass(frozen=True)
class TensorSpec:
    """Static shape and dtype of a tensor: what the IR and the runtime agree on."""

    shape: tuple[int, ...]
    dtype: str

    def __post_init__(self):
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        if self.dtype not in _NP:
            raise ValueError(f"unknown furcate dtype {self.dtype!r}; valid: {', '.join(DTYPES)}")
        if any(s < 0 for s in self.shape):
            raise ValueError(f"negative dimension in shape {self.shape}")

    @property
    def rank(self) -> int:
        return len(self.shape)

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def nbytes(self) -> int:
        return self.numel * self.np_dtype.itemsize

    @property
    def np_dtype(self) -> np.dtype:
        return _NP[self.dtype]

    def __str__(self) -> str:
        return f"{self.dtype}[{','.join(str(s) for s in self.shape)}]"

    @staticmethod
    def parse(text: str) -> "TensorSpec":
        """Parse ``f32[8,128]`` (the CLI's ``--input`` syntax); ``f32[]`` is a scalar."""
        text = text.strip()
        if "[" not in text or not text.endswith("]"):
            raise ValueError(f"bad tensor spec {text!r}: expected DTYPE[D0,D1,...], e.g. f32[8,128]")
        dtype, dims = text[:-1].split("[", 1)
        dims = dims.strip()
        try:
            shape = tuple(int(d) for d in dims.split(",")) if dims else ()
        except ValueError:
            raise ValueError(f"bad tensor spec {text!r}: dimensions must be integers") from None
        return TensorSpec(shape, dtype.strip())
