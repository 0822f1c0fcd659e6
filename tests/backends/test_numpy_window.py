"""NumPy backend: convolution and reduce_window against jax.lax (StableHLO semantics)."""

from __future__ import annotations

import time

import numpy as np
import pytest

import furcate
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.backends.test_numpy_ops import FLOATS, cast, run_op
from tests.tolerance import assert_close

jax = pytest.importorskip("jax")
pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

RNG = np.random.default_rng(2)

CONVS = [  # lhs shape, rhs shape, strides, padding (low, high per dim), lhs_dilation, rhs_dilation, groups
    ((2, 3, 9), (4, 3, 3), [1], [0, 0], [1], [1], 1),
    ((1, 4, 10), (6, 2, 3), [2], [1, 2], [1], [2], 2),
    ((2, 3, 7, 6), (5, 3, 3, 2), [1, 1], [1, 1, 0, 1], [1, 1], [1, 1], 1),
    ((2, 4, 8, 8), (4, 1, 3, 3), [2, 1], [1, 0, 2, 1], [1, 1], [1, 2], 4),  # depthwise
    ((1, 2, 5, 5), (3, 2, 3, 3), [1, 1], [2, 2, 2, 2], [2, 2], [1, 1], 1),  # transposed conv
    ((1, 2, 8, 7), (2, 2, 2, 3), [3, 2], [-1, -2, 1, -1], [1, 1], [1, 1], 1),  # negative padding
    ((1, 2, 4, 4, 5), (2, 2, 2, 3, 2), [1, 2, 1], [0, 1, 1, 0, 0, 0], [1, 1, 2], [2, 1, 1], 1),
    ((0, 2, 4, 4), (3, 2, 2, 2), [1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 1),  # empty batch
    ((1, 2, 2, 2), (3, 2, 3, 3), [1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 1),  # window larger than input
]


def _conv_ref(x, w, strides, padding, ld, rd, groups):
    ns = x.ndim - 2
    pads = [(padding[2 * i], padding[2 * i + 1]) for i in range(ns)]
    ct = np.float64 if x.dtype == np.float64 else np.float32
    with jax.enable_x64(ct == np.float64):
        out = jax.lax.conv_general_dilated(x.astype(ct), w.astype(ct), strides, pads, lhs_dilation=ld,
                                           rhs_dilation=rd, feature_group_count=groups,
                                           precision=jax.lax.Precision.HIGHEST)
        return np.asarray(out).astype(x.dtype)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("case", range(len(CONVS)))
def test_convolution_matches_lax(case, dtype):
    ls, rs, strides, padding, ld, rd, groups = CONVS[case]
    x, w = cast(RNG.normal(size=ls), dtype), cast(RNG.normal(size=rs), dtype)
    got = run_op("convolution", x, w, window_strides=strides, padding=padding, lhs_dilation=ld, rhs_dilation=rd,
                 feature_group_count=groups)
    assert_close(got, _conv_ref(x, w, strides, padding, ld, rd, groups), accumulated=True)


def test_convolution_hand_computed():
    x = np.arange(5, dtype=np.float32).reshape(1, 1, 5)
    w = np.array([[[1, 0, -1]]], np.float32)
    got = run_op("convolution", x, w, window_strides=[1], padding=[1, 0], lhs_dilation=[1], rhs_dilation=[1],
                 feature_group_count=1)
    np.testing.assert_array_equal(got, np.array([[[-1, -2, -2, -2]]], np.float32))  # cross-correlation


def test_small_cnn_is_fast():
    b = GraphBuilder()
    x = b.arg(TensorSpec((8, 3, 32, 32), "f32"))
    w1 = b.arg(TensorSpec((16, 3, 3, 3), "f32"))
    w2 = b.arg(TensorSpec((32, 16, 3, 3), "f32"))
    conv = dict(window_strides=[1, 1], padding=[1, 1, 1, 1], lhs_dilation=[1, 1], rhs_dilation=[1, 1],
                feature_group_count=1)
    h = b.op("convolution", x, w1, **conv)
    h = b.op("max", h, b.full(0.0, TensorSpec((8, 16, 32, 32), "f32")))
    h = b.op("reduce_window", h, kind="max", window_dimensions=[1, 1, 2, 2], window_strides=[1, 1, 2, 2],
             padding=[0] * 8, window_dilations=[1, 1, 1, 1])
    h = b.op("convolution", h, w2, **conv)
    y = b.op("reduce", h, kind="sum", dimensions=[2, 3])
    exe = furcate.compile(b.finish([y]), target="numpy")
    args = [RNG.normal(size=s).astype(np.float32) for s in [(8, 3, 32, 32), (16, 3, 3, 3), (32, 16, 3, 3)]]
    exe(*args)
    t0 = time.perf_counter()
    (out,) = exe(*args)
    assert time.perf_counter() - t0 < 1.0
    assert out.shape == (8, 32)


REDUCE_WINDOWS = [  # shape, window, strides, padding, dilations
    ((2, 6), [1, 2], [1, 2], [0, 0, 0, 0], [1, 1]),
    ((1, 1, 5, 6), [1, 1, 3, 3], [1, 1, 2, 2], [0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 1, 1]),
    ((7,), [3], [1], [2, 2], [2]),
    ((3, 8), [2, 3], [2, 1], [-1, 1, 0, -2], [1, 2]),
    ((4,), [6], [1], [1, 2], [1]),  # every window touches padding
]

_LAX_KIND = {"sum": "add", "max": "max", "min": "min"}


def _reduce_window_ref(x, kind, win, strides, padding, dil):
    import operator

    ct = {"float16": np.float32, "bfloat16": np.float32}.get(x.dtype.name, x.dtype)
    a = x.astype(ct)
    if a.dtype.kind == "f":
        init = {"sum": 0.0, "max": -np.inf, "min": np.inf}[kind]
    else:
        info = np.iinfo(a.dtype)
        init = {"sum": 0, "max": info.min, "min": info.max}[kind]
    fn = {"sum": operator.add, "max": jax.lax.max, "min": jax.lax.min}[kind]
    pads = [(padding[2 * i], padding[2 * i + 1]) for i in range(x.ndim)]
    out = jax.lax.reduce_window(a, a.dtype.type(init), fn, win, strides, pads, window_dilation=dil)
    return np.asarray(out).astype(x.dtype)


@pytest.mark.parametrize("dtype", ["f32", "f16", "bf16", "i32", "i8"])
@pytest.mark.parametrize("kind", ["sum", "max", "min"])
@pytest.mark.parametrize("case", range(len(REDUCE_WINDOWS)))
def test_reduce_window_matches_lax(case, kind, dtype):
    shape, win, strides, padding, dil = REDUCE_WINDOWS[case]
    x = cast(RNG.integers(-5, 6, size=shape), dtype) if dtype[0] == "i" else cast(RNG.normal(size=shape), dtype)
    got = run_op("reduce_window", x, kind=kind, window_dimensions=win, window_strides=strides, padding=padding,
                 window_dilations=dil)
    assert_close(got, _reduce_window_ref(x, kind, win, strides, padding, dil), accumulated=True)


def test_reduce_window_max_propagates_nan():
    x = np.array([1.0, np.nan, 3.0, 4.0, 5.0], np.float32)
    got = run_op("reduce_window", x, kind="max", window_dimensions=[2], window_strides=[1], padding=[0, 0],
                 window_dilations=[1])
    assert np.isnan(got[:2]).all() and list(got[2:]) == [4.0, 5.0]
