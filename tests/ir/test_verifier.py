"""Verifiers reject malformed programs naming the op and the reason, and GraphBuilder
raises BuildError for the same mistakes (one rule set: ``furcate/ir/shapes.py``)."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.ir.builder import BuildError, GraphBuilder
from furcate.ir.program import IRError, parse_program
from furcate.ir.types import TensorSpec

from tests.ir.test_roundtrip import FUSION, one_op

# (args, op line, result type, op name, reason)
BAD_TEXT = [
    (["tensor<4xf32>", "tensor<3xf32>"], "furcate.add %0, %1 : (tensor<4xf32>, tensor<3xf32>) -> tensor<4xf32>",
     "tensor<4xf32>", "add", "no implicit broadcasting"),
    (["tensor<4xf32>", "tensor<4xf16>"], "furcate.mul %0, %1 : (tensor<4xf32>, tensor<4xf16>) -> tensor<4xf32>",
     "tensor<4xf32>", "mul", "operand dtypes f32 and f16 differ (no implicit promotion"),
    (["tensor<4xf32>", "tensor<4xf32>"], "furcate.add %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf64>",
     "tensor<4xf64>", "add", "result type f64[4] does not match the inferred f32[4]"),
    (["tensor<4xi1>", "tensor<4xi1>"], "furcate.add %0, %1 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>",
     "tensor<4xi1>", "add", "operand dtype i1 is not a float or signed integer type"),
    (["tensor<4xi32>"], "furcate.exp %0 : (tensor<4xi32>) -> tensor<4xi32>",
     "tensor<4xi32>", "exp", "operand dtype i32 is not a float type"),
    (["tensor<4xf32>"], "furcate.not %0 : (tensor<4xf32>) -> tensor<4xf32>",
     "tensor<4xf32>", "not", "is not i1 or a signed integer type"),
    (["tensor<4xf32>", "tensor<4xf32>"], "furcate.atan2 %0, %1 : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>",
     "tensor<4xi1>", "atan2", "does not match the inferred"),
    (["tensor<4xf32>", "tensor<4xf32>"],
     'furcate.compare %0, %1 {comparison_direction = "XX"} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xi1>',
     "tensor<4xi1>", "compare", "comparison_direction 'XX' is not one of"),
    (["tensor<4xf32>", "tensor<4xf32>", "tensor<4xf32>"],
     "furcate.select %0, %1, %2 : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>",
     "tensor<4xf32>", "select", "predicate dtype is f32, expected i1"),
    (["tensor<4xf32>", "tensor<4xf32>", "tensor<4xi32>"],
     "furcate.clamp %0, %1, %2 : (tensor<4xf32>, tensor<4xf32>, tensor<4xi32>) -> tensor<4xf32>",
     "tensor<4xf32>", "clamp", "must have the same dtype"),
    (["tensor<4xf32>"], "furcate.convert %0 : (tensor<4xf32>) -> tensor<2x2xi32>",
     "tensor<2x2xi32>", "convert", "convert must keep the shape"),
    ([], "furcate.iota {iota_dimension = 1 : i64} : () -> tensor<4xi32>",
     "tensor<4xi32>", "iota", "iota_dimension 1 out of range"),
    ([], "furcate.iota {iota_dimension = 0 : i64} : () -> tensor<4xi1>", "tensor<4xi1>", "iota", "iota of i1"),
    (["tensor<3xf32>"],
     "furcate.broadcast_in_dim %0 {broadcast_dimensions = array<i64: 0>, shape = array<i64: 2, 3>} : "
     "(tensor<3xf32>) -> tensor<2x3xf32>",
     "tensor<2x3xf32>", "broadcast_in_dim", "operand dim 0 (size 3) cannot broadcast to result dim 0 (size 2)"),
    (["tensor<2x3xf32>"], "furcate.reshape %0 {shape = array<i64: 4, 2>} : (tensor<2x3xf32>) -> tensor<4x2xf32>",
     "tensor<4x2xf32>", "reshape", "cannot reshape f32[2,3] (6 elements) to f32[4,2] (8)"),
    (["tensor<2x3xf32>"], "furcate.transpose %0 {permutation = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>",
     "tensor<2x2xf32>", "transpose", "permutation [0, 0] is not a permutation of rank 2"),
    (["tensor<4xf32>"],
     "furcate.slice %0 {limit_indices = array<i64: 5>, start_indices = array<i64: 0>, strides = array<i64: 1>} : "
     "(tensor<4xf32>) -> tensor<5xf32>",
     "tensor<5xf32>", "slice", "slice [0:5] out of range for dim 0 of size 4"),
    (["tensor<4xf32>"],
     "furcate.slice %0 {limit_indices = array<i64: 4>, start_indices = array<i64: 0>, strides = array<i64: 0>} : "
     "(tensor<4xf32>) -> tensor<4xf32>",
     "tensor<4xf32>", "slice", "stride 0 in dim 0 must be positive"),
    (["tensor<2x3xf32>", "tensor<2x4xf32>"],
     "furcate.concatenate %0, %1 {dimension = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>",
     "tensor<4x3xf32>", "concatenate", "differ outside dimension 0"),
    (["tensor<2xf32>", "tensor<f64>"],
     "furcate.pad %0, %1 {edge_padding_high = array<i64: 1>, edge_padding_low = array<i64: 1>, "
     "interior_padding = array<i64: 0>} : (tensor<2xf32>, tensor<f64>) -> tensor<4xf32>",
     "tensor<4xf32>", "pad", "padding_value must be a rank-0 f32 tensor"),
    (["tensor<2x3xf32>"],
     'furcate.reduce %0 {dimensions = array<i64: 2>, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2x3xf32>',
     "tensor<2x3xf32>", "reduce", "reduce dimension 2 is out of range for rank 2"),
    (["tensor<2x3xf32>"],
     'furcate.reduce %0 {dimensions = array<i64: 1, 1>, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2xf32>',
     "tensor<2xf32>", "reduce", "has duplicates"),
    (["tensor<2x3xf32>"],
     'furcate.reduce %0 {dimensions = array<i64: 1>, kind = "mean"} : (tensor<2x3xf32>) -> tensor<2xf32>',
     "tensor<2xf32>", "reduce", "unknown reduce kind 'mean'"),
    (["tensor<2x3xf32>"],
     'furcate.reduce %0 {dimensions = array<i64: 1>, kind = "and"} : (tensor<2x3xf32>) -> tensor<2xf32>',
     "tensor<2xf32>", "reduce", "reduce and needs i1 or integers, got f32"),
    (["tensor<2x3xf32>"],
     'furcate.reduce %0 {dimensions = array<i64: 1>, kind = "sum"} : (tensor<2x3xf32>) -> tensor<2x3xf32>',
     "tensor<2x3xf32>", "reduce", "result type f32[2,3] does not match the inferred f32[2]"),
    (["tensor<2x3xf32>"],
     'furcate.argmax %0 {dimension = 1 : i64, index_dtype = "i8"} : (tensor<2x3xf32>) -> tensor<2xi8>',
     "tensor<2xi8>", "argmax", "index_dtype 'i8' must be i32 or i64"),
    (["tensor<2x0xf32>"],
     'furcate.argmin %0 {dimension = 1 : i64, index_dtype = "i64"} : (tensor<2x0xf32>) -> tensor<2xi64>',
     "tensor<2xi64>", "argmin", "empty dimension 1"),
    (["tensor<2x3xf32>", "tensor<4x5xf32>"],
     "furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, "
     "rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : "
     "(tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>",
     "tensor<2x5xf32>", "dot_general", "contracting dims lhs 1 (3) and rhs 0 (4) differ"),
    (["tensor<2x3xf32>", "tensor<3x5xf32>"],
     "furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, "
     "rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64>} : "
     "(tensor<2x3xf32>, tensor<3x5xf32>) -> tensor<2x5xf32>",
     "tensor<2x5xf32>", "dot_general", "contracting dimensions differ in number"),
    (["tensor<2x3xf32>", "tensor<3x5xbf16>"],
     "furcate.dot_general %0, %1 {lhs_batching_dimensions = array<i64>, lhs_contracting_dimensions = array<i64: 1>, "
     "rhs_batching_dimensions = array<i64>, rhs_contracting_dimensions = array<i64: 0>} : "
     "(tensor<2x3xf32>, tensor<3x5xbf16>) -> tensor<2x5xf32>",
     "tensor<2x5xf32>", "dot_general", "operand dtypes f32 and bf16 differ"),
    (["tensor<10x4xf32>", "tensor<3xf32>"],
     "furcate.gather %0, %1 {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xf32>) -> tensor<3x4xf32>",
     "tensor<3x4xf32>", "gather", "indices dtype f32 is not a signed integer type"),
    (["tensor<10x4xf32>", "tensor<3xi1>"],
     "furcate.gather %0, %1 {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi1>) -> tensor<3x4xf32>",
     "tensor<3x4xf32>", "gather", "indices dtype i1 is not a signed integer type"),
    (["tensor<3x4xf32>", "tensor<3xi64>"],
     "furcate.gather_along %0, %1 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3xi64>) -> tensor<3xf32>",
     "tensor<3xf32>", "gather_along", "indices rank 1 must equal operand rank 2"),
    (["tensor<10x4xf32>", "tensor<3xi32>", "tensor<3x5xf32>"],
     "furcate.scatter_add %0, %1, %2 {axis = 0 : i64} : (tensor<10x4xf32>, tensor<3xi32>, tensor<3x5xf32>) -> "
     "tensor<10x4xf32>",
     "tensor<10x4xf32>", "scatter_add", "updates shape [3, 5] must be [3, 4]"),
    (["tensor<1x4x5x5xf32>", "tensor<6x3x3x3xf32>"],
     "furcate.convolution %0, %1 {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, "
     "padding = array<i64: 0, 0, 0, 0>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : "
     "(tensor<1x4x5x5xf32>, tensor<6x3x3x3xf32>) -> tensor<1x6x3x3xf32>",
     "tensor<1x6x3x3xf32>", "convolution", "kernel in-channels 3 x groups 1 != input channels 4"),
    (["tensor<1x4x5x5xf32>", "tensor<6x1x3x3xf32>"],
     "furcate.convolution %0, %1 {feature_group_count = 3 : i64, lhs_dilation = array<i64: 1, 1>, "
     "padding = array<i64: 0, 0, 0, 0>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : "
     "(tensor<1x4x5x5xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x3x3xf32>",
     "tensor<1x6x3x3xf32>", "convolution", "input channels 4 not divisible by groups 3"),
    (["tensor<1x4x5x5xf32>", "tensor<6x4x3x3xf32>"],
     "furcate.convolution %0, %1 {feature_group_count = 1 : i64, lhs_dilation = array<i64: 1, 1>, "
     "padding = array<i64: 0, 0>, rhs_dilation = array<i64: 1, 1>, window_strides = array<i64: 1, 1>} : "
     "(tensor<1x4x5x5xf32>, tensor<6x4x3x3xf32>) -> tensor<1x6x3x3xf32>",
     "tensor<1x6x3x3xf32>", "convolution", "padding needs 4 entries"),
    (["tensor<4x4xf32>"],
     'furcate.reduce_window %0 {kind = "prod", padding = array<i64: 0, 0, 0, 0>, window_dilations = array<i64: 1, 1>, '
     "window_dimensions = array<i64: 2, 2>, window_strides = array<i64: 2, 2>} : (tensor<4x4xf32>) -> tensor<2x2xf32>",
     "tensor<2x2xf32>", "reduce_window", "kind 'prod' must be sum, max or min"),
    (["tensor<4xf32>"],
     'furcate.cumulative %0 {dimension = 1 : i64, kind = "sum", reverse = false} : (tensor<4xf32>) -> tensor<4xf32>',
     "tensor<4xf32>", "cumulative", "dimension 1 out of range for rank 1"),
    (["tensor<4xf32>"], 'furcate.transfer %0 {dst = "cpu", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf32>',
     "tensor<4xf32>", "transfer", "transfer from 'cpu' to itself"),
    (["tensor<4xf32>"], 'furcate.transfer %0 {dst = "gpu:0", src = "cpu"} : (tensor<4xf32>) -> tensor<4xf16>',
     "tensor<4xf16>", "transfer", "does not match the inferred"),
]


@pytest.mark.parametrize(
    "args,op,result,name,reason", BAD_TEXT, ids=[f"{c[3]}-{i}" for i, c in enumerate(BAD_TEXT)]
)
def test_verifier_rejects_with_op_and_reason(args, op, result, name, reason):
    with pytest.raises(IRError) as info:
        parse_program(one_op(args, op, result))
    msg = str(info.value)
    assert f"furcate.{name}" in msg, msg
    assert reason in msg, msg


@pytest.mark.parametrize(
    "old,new,reason",
    [
        ("%2, %3 = furcate.fusion", "%2, %3 = furcate.fusion", None),  # the valid one parses
        ("furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>", "furcate.yield %6, %6 : tensor<4xf32>, tensor<4xf32>",
         "yielded types must match the result types"),
        ("^bb0(%4: tensor<4xf32>, %5: tensor<4xf32>)", "^bb0(%4: tensor<4xf32>, %5: tensor<4xf32>, %8: tensor<4xf32>)",
         "block arguments must match the operand types"),
    ],
    ids=["valid", "yield-mismatch", "block-args-mismatch"],
)
def test_fusion_region_is_checked(old, new, reason):
    text = FUSION.replace(old, new)
    assert text != FUSION or reason is None
    if reason is None:
        parse_program(text)
        return
    with pytest.raises(IRError) as info:
        parse_program(text)
    msg = str(info.value)
    assert "furcate.fusion" in msg and reason in msg, msg


def test_fusion_without_yield_is_rejected():
    text = FUSION.replace("      furcate.yield %6, %7 : tensor<4xf32>, tensor<f32>\n", "")
    assert text != FUSION
    # xDSL's region check fires first and names the op left at the end of the block
    with pytest.raises(IRError, match="furcate.reduce terminates block .* but is not a terminator"):
        parse_program(text)


def test_fusion_region_is_isolated_from_above():
    text = FUSION.replace("furcate.mul %4, %5", "furcate.mul %4, %0")
    with pytest.raises(IRError, match="value defined out of its IsolatedFromAbove parent"):
        parse_program(text)


def test_constant_ref_must_exist_and_match():
    text = one_op([], 'furcate.constant_ref {ref = "w"} : () -> tensor<2xf32>', "tensor<2xf32>")
    with pytest.raises(IRError, match="furcate.constant_ref refers to unknown constant 'w'"):
        parse_program(text)
    with pytest.raises(IRError, match=r"constant 'w' holds f32\[3\] but furcate.constant_ref declares f32\[2\]"):
        parse_program(text, {"w": np.zeros(3, np.float32)})
    with pytest.raises(IRError, match=r"holds f64\[2\]"):
        parse_program(text, {"w": np.zeros(2, np.float64)})
    parse_program(text, {"w": np.zeros(2, np.float32)})


def test_unknown_type_is_rejected():
    text = one_op(["tensor<4xui8>"], "furcate.neg %0 : (tensor<4xui8>) -> tensor<4xui8>", "tensor<4xui8>")
    with pytest.raises(IRError, match="furcate.neg.*not a furcate dtype"):
        parse_program(text)


# ---------------------------------------------------------------------------
# GraphBuilder: same rules, raised at build time

def S(*shape, dtype="f32"):
    return TensorSpec(shape, dtype)


DOT = dict(lhs_batching_dimensions=[], rhs_batching_dimensions=[])
CONV = dict(window_strides=[1, 1], padding=[0, 0, 0, 0], lhs_dilation=[1, 1], rhs_dilation=[1, 1])

# (op, operand specs, properties, reason)
BAD_BUILDS = [
    ("add", [S(4), S(3)], {}, "no implicit broadcasting"),
    ("add", [S(4), S(4, dtype="i32")], {}, "no implicit promotion"),
    ("add", [S(4)], {}, "expected 2 operand(s) (lhs, rhs), got 1"),
    ("exp", [S(4, dtype="i64")], {}, "is not a float type"),
    ("exp", [S(4)], {"axis": 0}, "unknown properties ['axis']"),
    ("xor", [S(4), S(4)], {}, "is not i1 or a signed integer type"),
    ("compare", [S(4), S(4)], {"comparison_direction": "lt"}, "comparison_direction 'lt'"),
    ("select", [S(4, dtype="i1"), S(4), S(4, dtype="f64")], {}, "on_true dtype f32 and on_false dtype f64 differ"),
    ("convert", [S(4)], {"dtype": "f8"}, "unknown furcate dtype 'f8'"),
    ("iota", [], {"spec": S(4, dtype="i1"), "iota_dimension": 0}, "iota of i1"),
    ("iota", [], {"spec": S(4), "iota_dimension": 2}, "iota_dimension 2 out of range"),
    ("broadcast_in_dim", [S(2, 3)], {"broadcast_dimensions": [1, 0], "shape": [3, 2]}, "must be increasing"),
    ("broadcast_in_dim", [S(3)], {"broadcast_dimensions": [], "shape": [3]}, "broadcast_dimensions has 0 entries"),
    ("reshape", [S(2, 3)], {"shape": [5]}, "cannot reshape"),
    ("transpose", [S(2, 3)], {"permutation": [1]}, "is not a permutation of rank 2"),
    ("concatenate", [S(2, 3), S(2, 3, dtype="i32")], {"dimension": 0}, "must share rank and dtype"),
    ("concatenate", [S(2, 3)], {"dimension": 2}, "dimension 2 out of range for rank 2"),
    ("reduce", [S(2, 3)], {"kind": "mean", "dimensions": [0]}, "unknown reduce kind 'mean'"),
    ("reduce", [S(2, 3)], {"kind": "sum", "dimensions": [-1]}, "reduce dimension -1 is out of range"),
    ("reduce", [S(2, 3)], {"dimensions": [0]}, "missing property 'kind'"),
    ("reduce", [S(2, 3, dtype="i1")], {"kind": "sum", "dimensions": [0]}, "reduce sum needs a numeric dtype, got i1"),
    ("dot_general", [S(2, 3), S(4, 5)], {**DOT, "lhs_contracting_dimensions": [1], "rhs_contracting_dimensions": [0]},
     "contracting dims lhs 1 (3) and rhs 0 (4) differ"),
    ("dot_general", [S(2, 2, 3), S(3, 3, 5)],
     {"lhs_batching_dimensions": [0], "rhs_batching_dimensions": [0],
      "lhs_contracting_dimensions": [2], "rhs_contracting_dimensions": [1]},
     "batch dims lhs 0 (2) and rhs 0 (3) differ"),
    ("dot_general", [S(2, 3), S(3, 5)], {**DOT, "lhs_contracting_dimensions": [1], "rhs_contracting_dimensions": [0],
                                          "precision": "low"}, "precision 'low'"),
    ("gather", [S(10, 4), S(3, dtype="f32")], {"axis": 0}, "indices dtype f32 is not a signed integer type"),
    ("gather", [S(10, 4), S(3, dtype="i32")], {"axis": 2}, "axis 2 out of range for rank 2"),
    ("scatter_add_along", [S(3, 4), S(3, 2, dtype="i64"), S(3, 3)], {"axis": 1},
     "indices shape [3, 2] and updates shape [3, 3] differ"),
    ("convolution", [S(1, 4, 5, 5), S(6, 3, 3, 3)], {**CONV, "feature_group_count": 1},
     "kernel in-channels 3 x groups 1 != input channels 4"),
    ("convolution", [S(1, 4, 5, 5), S(6, 2, 3, 3)], {**CONV, "feature_group_count": 4},
     "kernel in-channels 2 x groups 4 != input channels 4"),
    ("convolution", [S(1, 4, 5, 5), S(6, 1, 3, 3)], {**CONV, "feature_group_count": 4},
     "output channels 6 not divisible by groups 4"),
    ("convolution", [S(1, 4, 5, 5, dtype="i32"), S(6, 4, 3, 3, dtype="i32")], {**CONV, "feature_group_count": 1},
     "convolution needs a float dtype, got i32"),
    ("cumulative", [S(4)], {"kind": "mean", "dimension": 0, "reverse": False}, "cumulative kind 'mean' unknown"),
    ("transfer", [S(4)], {"src": "gpu:0", "dst": "gpu:0"}, "transfer from 'gpu:0' to itself"),
    ("yield", [S(4)], {}, "cannot be built with GraphBuilder.op"),
    ("fusion", [S(4)], {}, "cannot be built with GraphBuilder.op"),
]


@pytest.mark.parametrize("op,specs,props,reason", BAD_BUILDS, ids=[f"{c[0]}-{i}" for i, c in enumerate(BAD_BUILDS)])
def test_builder_raises_build_error(op, specs, props, reason):
    b = GraphBuilder()
    args = [b.arg(s) for s in specs]
    with pytest.raises(BuildError) as info:
        b.op(op, *args, **props)
    msg = str(info.value)
    assert f"furcate.{op}" in msg, msg
    assert reason in msg, msg
    assert not list(b.block.ops), "a rejected op must not be inserted"


def test_builder_unknown_op():
    b = GraphBuilder()
    with pytest.raises(BuildError, match="unknown furcate op 'softmax'"):
        b.op("softmax", b.arg(S(4)))


def test_builder_accepts_the_valid_twins():
    """The same ops with the mistake fixed build and verify (so the rejections are specific)."""
    b = GraphBuilder()
    x, y = b.arg(S(4)), b.arg(S(4))
    outs = [
        b.op("add", x, y),
        b.op("compare", x, y, comparison_direction="LT"),
        b.op("concatenate", x, y, dimension=0),
        b.op("transfer", x, src="cpu", dst="gpu:0"),
        b.op("iota", spec=S(4, dtype="i32"), iota_dimension=0),
        b.op("cumulative", x, kind="max", dimension=0, reverse=True),
    ]
    m = b.arg(S(1, 4, 5, 5))
    k = b.arg(S(6, 2, 3, 3))
    outs.append(b.op("convolution", m, k, **CONV, feature_group_count=2))
    prog = b.finish(outs)
    assert prog.output_specs[-1] == S(1, 6, 3, 3)
    assert prog.output_specs[2] == S(8)


def test_use_before_definition_is_rejected_at_the_use():
    first = "%2"
    text = ("func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {\n"
            f"  %1 = furcate.add {first}, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
            "  %2 = furcate.add %x, %x : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>\n"
            "  func.return %1 : tensor<4xf32>\n}\n")
    with pytest.raises(IRError, match=r"(?s)prog.mlir:2:20.*value %2 is used before it is defined"):
        parse_program(text, name="prog.mlir")
