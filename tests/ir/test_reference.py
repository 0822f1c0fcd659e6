"""The reference semantics module: its entry point and the errors it names.

The numerics themselves are tested op by op through the numpy backend
(tests/backends/test_numpy_ops.py) and through constant folding (tests/passes)."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from furcate.dtypes import TensorSpec
from furcate.ir import reference


def spec(dtype):
    return TensorSpec((3,), dtype)


def test_f16_and_bf16_compute_in_f32_and_the_caller_rounds():
    x = np.array([1.0, 2.0, 3.0], ml_dtypes.bfloat16)
    fn = reference.evaluator("div", {}, [spec("bf16")] * 2, [spec("bf16")])
    got = fn(x, np.full(3, 3.0, ml_dtypes.bfloat16))
    assert got.dtype == np.float32
    assert got.tolist() == (x.astype(np.float32) / np.float32(3)).tolist()
    assert reference.compute_dtype(spec("f16")) == np.float32 and reference.compute_dtype(spec("i8")) == np.int8


def test_integer_division_never_traps():
    lo = np.iinfo(np.int32).min
    x, y = np.array([-7, 5, lo], np.int32), np.array([2, 0, -1], np.int32)
    div = reference.evaluator("div", {}, [spec("i32")] * 2, [spec("i32")])
    rem = reference.evaluator("rem", {}, [spec("i32")] * 2, [spec("i32")])
    with np.errstate(all="ignore"):
        assert div(x, y).tolist() == [-3, -1, lo] and rem(x, y).tolist() == [-1, 5, 0]


@pytest.mark.parametrize("name,dtype", [("not", "f32"), ("logistic", "i32"), ("and", "f16"), ("max", "i1")])
def test_a_dtype_the_op_does_not_take_is_named(name, dtype):
    ins = [spec(dtype)] * (1 if name in ("not", "logistic") else 2)
    with pytest.raises(ValueError, match=f"{name} does not take dtype {dtype}"):
        reference.evaluator(name, {}, ins, ins[:1])


def test_an_unknown_op_is_named():
    with pytest.raises(KeyError, match="furcate.reduce"):
        reference.evaluator("reduce", {}, [spec("f32")], [spec("f32")])
