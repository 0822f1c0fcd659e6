"""canonicalize: folds and identities are exact; random programs compute the same after it."""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from furcate.ir.builder import GraphBuilder
from furcate.ir.types import TensorSpec
from furcate.passes.canonicalize import CanonicalizePass

from furcate.tools import random_programs as strategies
from tests.passes.helpers import check_passes_preserve, run_numpy

SPECIALS = {
    "f32": np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 3e38], np.float32),
    "f16": np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 65504], np.float16),
    "bf16": np.array([0.0, -0.0, 1.5, -2.5, np.inf, -np.inf, np.nan, 3e38], ml_dtypes.bfloat16),
    "i32": np.array([0, -1, 1, 7, -7, 2**31 - 1, -(2**31), 3], np.int32),
    "i8": np.array([0, -1, 1, 7, -7, 127, -128, 3], np.int8),
}
PARTNERS = {k: np.roll(v, 3) for k, v in SPECIALS.items()}


def ops_in(program):
    return [op.name for op in program.func.body.block.ops]


def fold_case(opname: str, src: str, **props):
    b = GraphBuilder()
    x = b.constant(SPECIALS[src])
    if opname in ("add", "sub", "mul", "div", "rem", "max", "min", "pow", "atan2", "and", "or", "xor"):
        y = b.op(opname, x, b.constant(PARTNERS[src]))
    elif opname == "compare":
        y = b.op(opname, x, b.constant(PARTNERS[src]), **props)
    else:
        y = b.op(opname, x, **props)
    return b.finish([y])


FLOAT_OPS = ["neg", "abs", "exp", "expm1", "log", "log1p", "tanh", "sqrt", "rsqrt", "logistic", "sin",
             "cos", "floor", "ceil", "round_nearest_even", "is_finite",
             "add", "sub", "mul", "div", "rem", "max", "min", "pow", "atan2"]
INT_OPS = ["neg", "abs", "not", "add", "sub", "mul", "div", "rem", "max", "min", "and", "or", "xor"]


@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16"])
@pytest.mark.parametrize("opname", FLOAT_OPS)
def test_float_folding_matches_the_reference(opname, dtype):
    prog = fold_case(opname, dtype)
    after = check_passes_preserve(prog, [], ["canonicalize"])
    assert ops_in(after) == ["furcate.constant", "func.return"]
    # bit-exact, not merely close: folding must not change a single value
    (want,), (got,) = run_numpy(prog, []), run_numpy(after, [])
    assert want.tobytes() == got.tobytes()


@pytest.mark.parametrize("dtype", ["i32", "i8"])
@pytest.mark.parametrize("opname", INT_OPS)
def test_int_folding_matches_the_reference(opname, dtype):
    prog = fold_case(opname, dtype)
    after = check_passes_preserve(prog, [], ["canonicalize"])
    assert ops_in(after) == ["furcate.constant", "func.return"]


@pytest.mark.parametrize("src,dst", [("f32", "i8"), ("f32", "i32"), ("f16", "i8"), ("f32", "f16"),
                                     ("bf16", "f32"), ("i32", "i8"), ("i32", "f16"), ("f32", "i1"),
                                     ("i8", "bf16")])
def test_convert_folding(src, dst):
    prog = fold_case("convert", src, dtype=dst)
    after = check_passes_preserve(prog, [], ["canonicalize"])
    # integer -> bf16 rounding is left to the backends on purpose
    left = ["furcate.convert"] if (src, dst) == ("i8", "bf16") else []
    assert ops_in(after) == ["furcate.constant", *left, "func.return"]


def test_large_results_are_not_folded_into_constants():
    b = GraphBuilder(freeze=True)
    x = b.constant(np.arange(32, dtype=np.float32))
    y = b.op("exp", x)
    after = check_passes_preserve(b.finish([y]), [], ["canonicalize"])
    assert "furcate.exp" in ops_in(after)


def test_inexact_identities_are_kept():
    """x + 0.0 and x * 0 change -0.0, NaN and inf: they must stay."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((8,), "f32"))
    zero = b.full(0.0, TensorSpec((8,), "f32"))
    y1 = b.op("add", x, zero)
    y2 = b.op("mul", x, zero)
    y3 = b.op("sub", x, b.full(-0.0, TensorSpec((8,), "f32")))
    prog = b.finish([y1, y2, y3])
    after = check_passes_preserve(prog, [SPECIALS["f32"]], ["canonicalize"])
    assert ops_in(after).count("furcate.add") == 1 and ops_in(after).count("furcate.mul") == 1
    assert ops_in(after).count("furcate.sub") == 1
    (r1, r2, r3) = run_numpy(after, [SPECIALS["f32"]])
    assert not np.signbit(r1[1]) and np.isnan(r2[4]) and not np.signbit(r3[1])


def test_exact_identities_fold_and_keep_specials():
    b = GraphBuilder()
    x = b.arg(TensorSpec((8,), "f32"))
    y = b.op("add", x, b.full(-0.0, TensorSpec((8,), "f32")))
    y = b.op("mul", b.full(1.0, TensorSpec((8,), "f32")), y)
    y = b.op("div", y, b.full(1.0, TensorSpec((8,), "f32")))
    y = b.op("sub", y, b.full(0.0, TensorSpec((8,), "f32")))
    y = b.op("neg", b.op("neg", y))
    prog = b.finish([y])
    after = check_passes_preserve(prog, [SPECIALS["f32"]], ["canonicalize"])
    assert ops_in(after) == ["func.return"]
    assert run_numpy(after, [SPECIALS["f32"]])[0].tobytes() == SPECIALS["f32"].tobytes()


def test_convert_round_trip_only_when_exact():
    b = GraphBuilder()
    h = b.arg(TensorSpec((8,), "f16"))
    x = b.arg(TensorSpec((8,), "f32"))
    up_down = b.op("convert", b.op("convert", h, dtype="f32"), dtype="f16")
    down_up = b.op("convert", b.op("convert", x, dtype="f16"), dtype="f32")
    prog = b.finish([up_down, down_up])
    data = [SPECIALS["f16"], np.array([1e-8, 70000.0, 0.1, -0.0, 1, 2, 3, 4], np.float32)]
    after = check_passes_preserve(prog, data, ["canonicalize"])
    assert ops_in(after).count("furcate.convert") == 2  # only f32 -> f16 -> f32 is left


def test_canonicalize_reaches_a_fixed_point():
    b = GraphBuilder()
    x = b.arg(TensorSpec((2, 3, 4), "f32"))
    t = b.op("transpose", x, permutation=[2, 0, 1])
    t = b.op("transpose", t, permutation=[1, 2, 0])  # composes to the identity
    r = b.op("reshape", b.op("reshape", t, shape=[6, 4]), shape=[2, 3, 4])
    prog = b.finish([b.op("add", r, r)])
    after = check_passes_preserve(prog, [np.random.default_rng(0).standard_normal((2, 3, 4), np.float32)],
                                  ["canonicalize"])
    assert ops_in(after) == ["furcate.add", "func.return"]
    again = after.clone()
    check_passes_preserve(again, [np.zeros((2, 3, 4), np.float32)], ["canonicalize"])
    assert again.text() == after.text()


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(strategies.programs(max_ops=8))
def test_random_programs_compute_the_same_after_canonicalize(case):
    program, inputs = case
    check_passes_preserve(program, inputs, ["canonicalize"])


def test_canonicalize_is_registered():
    from furcate.passes.pipeline import make_pass

    assert isinstance(make_pass("canonicalize"), CanonicalizePass)


def test_reshape_sinks_below_elementwise_ops():
    """tanh(reshape(h) + broadcast(bias)) on a [4, 6, 8] view of an [24, 8] value is computed
    on [24, 8] and reshaped once at the end (the bias broadcast is rebuilt for [24, 8])."""
    b = GraphBuilder()
    h, bias = b.arg(TensorSpec((24, 8), "f32")), b.arg(TensorSpec((8,), "f32"))
    v = b.op("reshape", b.op("exp", h), shape=[4, 6, 8])
    y = b.op("tanh", b.op("add", v, b.op("broadcast_in_dim", bias, broadcast_dimensions=[2], shape=[4, 6, 8])))
    y = b.op("mul", y, b.full(2.0, TensorSpec((4, 6, 8), "f32")))
    prog = b.finish([y])
    rng = np.random.default_rng(0)
    after = check_passes_preserve(prog, [rng.standard_normal((24, 8)).astype(np.float32),
                                         rng.standard_normal(8).astype(np.float32)], [CanonicalizePass()])
    ops = ops_in(after)
    assert ops.count("furcate.reshape") == 1 and ops[-2] == "furcate.reshape", ops


def test_reshape_does_not_sink_past_a_broadcast_along_split_dims():
    """A broadcast varying along a dim the reshape splits cannot be rebuilt: left alone."""
    b = GraphBuilder()
    h, r = b.arg(TensorSpec((24, 8), "f32")), b.arg(TensorSpec((4,), "f32"))
    v = b.op("reshape", h, shape=[4, 6, 8])
    y = b.op("add", v, b.op("broadcast_in_dim", r, broadcast_dimensions=[0], shape=[4, 6, 8]))
    prog = b.finish([y])
    rng = np.random.default_rng(1)
    after = check_passes_preserve(prog, [rng.standard_normal((24, 8)).astype(np.float32),
                                         rng.standard_normal(4).astype(np.float32)], [CanonicalizePass()])
    assert ops_in(after).index("furcate.reshape") < ops_in(after).index("furcate.add")
