"""The ``furcate`` dialect: value-semantic tensor ops with StableHLO semantics.

Every op takes and returns builtin ``tensor<...>`` values with static shapes.
Ops never broadcast or promote implicitly. Attributes are stored as xDSL
properties and printed in one uniform custom format::

    %2 = furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %3 = furcate.reduce %2 {kind = "sum", dimensions = array<i64: 0>} : (tensor<4xf32>) -> tensor<f32>

``furcate.constant`` has its own value syntax (see ``constants.py``) so that
±inf, NaN, -0.0 and denormals round-trip bit-exactly; ``furcate.fusion`` and
``furcate.yield`` have their own too (see ``ops_structure.py``).

Result types are computed by the shape functions in ``shapes.py``; the same
functions are the verifiers, so a builder and a verifier never disagree.

The ops live in small modules, all re-exported here:

- ``ops_base``: attribute helpers, ``FurcateOp`` (syntax, verifier) and ``PropOp``;
- ``ops_elementwise``: unary, binary, compare, select, clamp, convert;
- ``ops_tensor``: layout, reduce, argmax/argmin, dot_general, gather/scatter,
  convolution, reduce_window, cumulative;
- ``ops_structure``: constant, constant_ref, iota, fusion, yield, transfer.

This module lists them (``ALL_OPS`` and its subsets) and defines the ``Furcate``
dialect object a parser context loads.
"""

from __future__ import annotations

from xdsl.ir import Dialect

from furcate.ir.ops_base import (
    FurcateOp,
    PropOp,
    attr_to_py,
    i64_array,
    int_attr,
    py_to_attr,
    spec_of,
)
from furcate.ir import op_table
from furcate.ir.ops_elementwise import (
    COMPARISON_DIRECTIONS,
    TABLE_OPS,
    BinaryOp,
    ClampOp,
    CompareOp,
    ConvertOp,
    IsFiniteOp,
    SelectOp,
    UnaryOp,
)
from furcate.ir.ops_structure import (
    ConstantOp,
    ConstantRefOp,
    FusionOp,
    IotaOp,
    TransferOp,
    YieldOp,
)
from furcate.ir.ops_tensor import (
    REDUCE_KINDS,
    ArgmaxOp,
    ArgminOp,
    BroadcastInDimOp,
    ConcatenateOp,
    ConvolutionOp,
    CumulativeOp,
    DotGeneralOp,
    GatherAlongOp,
    GatherOp,
    PadOp,
    ReduceOp,
    ReduceWindowOp,
    ReshapeOp,
    ScatterAddAlongOp,
    ScatterAddOp,
    SliceOp,
    TransposeOp,
)

ALL_OPS = [
    *(TABLE_OPS[e.name] for e in op_table.UNARY),
    IsFiniteOp,
    *(TABLE_OPS[e.name] for e in op_table.BINARY),
    CompareOp, SelectOp, ClampOp, ConvertOp, ConstantOp, ConstantRefOp, IotaOp,
    BroadcastInDimOp, ReshapeOp, TransposeOp, SliceOp, ConcatenateOp, PadOp,
    ReduceOp, ArgmaxOp, ArgminOp, DotGeneralOp, GatherOp, GatherAlongOp, ScatterAddOp,
    ScatterAddAlongOp, ConvolutionOp, ReduceWindowOp, CumulativeOp,
    YieldOp, FusionOp, TransferOp,
]

globals().update({cls.__name__: cls for cls in TABLE_OPS.values()})  # ErfOp, HypotOp, ... by name

UNARY_OPS = [op for op in ALL_OPS if isinstance(op, type) and issubclass(op, UnaryOp)]
BINARY_OPS = [op for op in ALL_OPS if isinstance(op, type) and issubclass(op, BinaryOp)]
ELEMENTWISE_OPS = UNARY_OPS + BINARY_OPS + [CompareOp, SelectOp, ClampOp, ConvertOp]

Furcate = Dialect("furcate", ALL_OPS, [])

__all__ = [
    "ALL_OPS", "BINARY_OPS", "COMPARISON_DIRECTIONS", "ELEMENTWISE_OPS", "REDUCE_KINDS",
    "UNARY_OPS", "Furcate", "FurcateOp", "PropOp", "UnaryOp", "BinaryOp",
    "attr_to_py", "i64_array", "int_attr", "py_to_attr", "spec_of",
    *(name for name, value in list(globals().items()) if any(value is op for op in ALL_OPS)),
]
