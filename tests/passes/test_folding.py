"""Constant folding's policy: every op the reference computes folds bit-exactly, except the
ones left in on purpose (erf, integer->bf16 convert)."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec

from tests.passes.helpers import check_passes_preserve, run_numpy

VALUES = {
    "f32": np.array([0.0, -0.0, 2.5, -2.5, 0.49999997, np.inf, -np.nan, -7.5], np.float32),
    "f16": np.array([0.0, -0.0, 2.5, -2.5, 0.4998, np.inf, -np.nan, 65504], np.float16),
    "bf16": np.array([0.0, -0.0, 2.5, -2.5, 0.498, -np.inf, np.nan, 3e38], ml_dtypes.bfloat16),
    "i32": np.array([0, -1, 1, 3, -3, 2**31 - 1, -(2**31), 2], np.int32),
    "i8": np.array([0, -1, 1, 3, -3, 127, -128, 2], np.int8),
}
EXPONENTS = {"i32": np.array([0, -1, -2, 31, -3, 2, 3, -1], np.int32),
             "i8": np.array([5, 7, -1, 5, 3, 2, 1, 0], np.int8)}


def ops_after_canonicalize(prog):
    after = check_passes_preserve(prog, [], ["canonicalize"])
    return after, [op.name for op in after.func.body.block.ops]


def one_op(name, src, **props):
    b = GraphBuilder()
    x = b.constant(VALUES[src])
    y = b.op(name, x, b.constant(EXPONENTS[src])) if name == "pow" else b.op(name, x, **props)
    return b.finish([y])


@pytest.mark.parametrize("name,dtype", [("sign", "f32"), ("sign", "f16"), ("sign", "bf16"), ("sign", "i32"),
                                        ("sign", "i8"), ("round_nearest_afz", "f32"),
                                        ("round_nearest_afz", "f16"), ("round_nearest_afz", "bf16"),
                                        ("pow", "i32"), ("pow", "i8")])
def test_ops_with_subtle_semantics_fold_to_the_reference_bit_for_bit(name, dtype):
    prog = one_op(name, dtype)
    after, ops = ops_after_canonicalize(prog)
    assert ops == ["furcate.constant", "func.return"]
    (want,), (got,) = run_numpy(prog, []), run_numpy(after, [])
    assert want.tobytes() == got.tobytes()


def test_splat_operands_fold_to_a_broadcast_of_the_scalar():
    b = GraphBuilder()
    spec = TensorSpec((64,), "i32")
    y = b.op("pow", b.full(-1, spec), b.full(-3, spec))
    prog = b.finish([y])
    after, ops = ops_after_canonicalize(prog)
    assert "furcate.pow" not in ops
    assert run_numpy(after, [])[0].tolist() == [-1] * 64


@pytest.mark.parametrize("dtype", ["f32", "bf16"])
def test_erf_stays(dtype):
    _, ops = ops_after_canonicalize(one_op("erf", dtype))
    assert "furcate.erf" in ops


@pytest.mark.parametrize("src", ["i32", "i8"])
def test_integer_to_bf16_convert_stays(src):
    _, ops = ops_after_canonicalize(one_op("convert", src, dtype="bf16"))
    assert "furcate.convert" in ops
