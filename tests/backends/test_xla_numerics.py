"""The numerics contract on XLA, against explicit expected values (DESIGN.md, Numerics).

These pin what the XLA lowering relies on XLA for: truncating integer div/rem with
defined x/0 and INT_MIN/-1, wrapping overflow, saturating float→int convert with
NaN→0, NaN-propagating max/min, first-index argmax, the two roundings.
"""

from __future__ import annotations

import numpy as np
import pytest

from furcate.backends import get_backend
from furcate.dtypes import TensorSpec, to_numpy_dtype
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

pytest.importorskip("jax")


def run(specs, body, inputs):
    b = GraphBuilder()
    args = [b.arg(s) for s in specs]
    outs = body(b, *args)
    prog = b.finish(list(outs) if isinstance(outs, (list, tuple)) else [outs])
    return get_backend("xla").compile(prog, {})(*inputs)


@pytest.mark.parametrize("dt", ["i8", "i32", "i64"])
def test_integer_div_rem_edges(dt):
    t = to_numpy_dtype(dt)
    lo, hi = np.iinfo(t).min, np.iinfo(t).max
    x = np.array([7, -7, 7, -7, 5, lo, lo, -5, hi, 0], t)
    y = np.array([2, 2, -2, -2, 0, -1, 0, 0, 1, 0], t)
    spec = TensorSpec(x.shape, dt)
    q, r, s, p = run([spec, spec], lambda b, u, v: [b.op("div", u, v), b.op("rem", u, v),
                                                    b.op("add", u, v), b.op("mul", u, u)], [x, y])
    assert_close(q, np.array([3, -3, -3, 3, -1, lo, -1, -1, hi, -1], t))
    assert_close(r, np.array([1, -1, 1, -1, 5, 0, lo, -5, 0, 0], t))
    with np.errstate(over="ignore"):
        assert_close(s, x + y)  # wraps: hi + 1 = lo
        assert_close(p, x * x)
    assert s[8] == lo


@pytest.mark.parametrize("dst", ["i8", "i32", "i64"])
@pytest.mark.parametrize("src", ["f32", "f64", "bf16"])
def test_float_to_int_convert_saturates(src, dst):
    t = to_numpy_dtype(dst)
    lo, hi = np.iinfo(t).min, np.iinfo(t).max
    x = np.array([np.nan, np.inf, -np.inf, 1e30, -1e30, -2.75, 2.75, -0.0], np.float64).astype(to_numpy_dtype(src))
    (out,) = run([TensorSpec(x.shape, src)], lambda b, u: b.op("convert", u, dtype=dst), [x])
    assert_close(out, np.array([0, hi, lo, hi, lo, -2, 2, 0], t))


def test_convert_to_and_from_bool():
    x = np.array([np.nan, 0.0, -0.0, 1e-30, -3.0], np.float32)
    i = np.array([0, 1, -1, 2], np.int32)
    f2b, i2b, b2f = run([TensorSpec((5,), "f32"), TensorSpec((4,), "i32")],
                        lambda b, u, v: [b.op("convert", u, dtype="i1"), b.op("convert", v, dtype="i1"),
                                         b.op("convert", b.op("convert", v, dtype="i1"), dtype="f32")], [x, i])
    assert_close(f2b, np.array([True, False, False, True, True]))
    assert_close(i2b, np.array([False, True, True, True]))
    assert_close(b2f, np.array([0, 1, 1, 1], np.float32))


def test_max_min_propagate_nan_and_roundings():
    x = np.array([np.nan, 1.0, 0.5, 1.5, 2.5, -0.5, -2.5, np.inf], np.float32)
    y = np.array([1.0, np.nan, 0.0, 0.0, 0.0, 0.0, 0.0, np.nan], np.float32)
    s = TensorSpec(x.shape, "f32")
    mx, mn, even, afz = run([s, s], lambda b, u, v: [b.op("max", u, v), b.op("min", u, v),
                                                     b.op("round_nearest_even", u), b.op("round_nearest_afz", u)],
                            [x, y])
    nan = np.nan
    assert_close(mx, np.array([nan, nan, 0.5, 1.5, 2.5, 0.0, 0.0, nan], np.float32))
    assert_close(mn, np.array([nan, nan, 0.0, 0.0, 0.0, -0.5, -2.5, nan], np.float32))
    assert_close(even, np.array([nan, 1, 0, 2, 2, -0.0, -2, np.inf], np.float32))
    assert_close(afz, np.array([nan, 1, 1, 2, 3, -1, -3, np.inf], np.float32))


def test_max_reduce_and_argmax_with_nan_and_ties():
    x = np.array([[1, 3, 3, 0], [np.nan, 5, np.nan, 1], [-np.inf] * 4, [2, 9, np.nan, 9]], np.float32)
    s = TensorSpec(x.shape, "f32")
    mx, amax, amin = run([s], lambda b, u: [b.op("reduce", u, kind="max", dimensions=[1]),
                                            b.op("argmax", u, dimension=1, index_dtype="i64"),
                                            b.op("argmin", u, dimension=1, index_dtype="i32")], [x])
    assert_close(mx, np.array([3, np.nan, -np.inf, np.nan], np.float32))
    assert_close(amax, np.array([1, 0, 0, 2], np.int64))
    assert_close(amin, np.array([3, 0, 0, 2], np.int32))


def test_dot_f32_is_ieee_and_f16_accumulates_in_f32():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((16, 256)).astype(np.float32)
    w = rng.standard_normal((256, 8)).astype(np.float32)
    h = np.full((1, 4096), 1.0, np.float16)
    dims = dict(lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    mm, hh = run([TensorSpec(a.shape, "f32"), TensorSpec(w.shape, "f32"), TensorSpec(h.shape, "f16")],
                 lambda b, x, y, z: [b.op("dot_general", x, y, **dims),
                                     b.op("dot_general", z, b.op("transpose", z, permutation=[1, 0]), **dims)],
                 [a, w, h])
    assert_close(mm, (a.astype(np.float64) @ w.astype(np.float64)).astype(np.float32), accumulated=True)
    assert hh[0, 0] == 4096  # an f16 accumulator would stop at 2048


def test_gather_clamps_and_scatter_drops_out_of_range():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    ix = np.array([-5, 0, 3, 100], np.int32)
    up = np.ones((4, 3), np.float32)
    g, sc = run([TensorSpec(x.shape, "f32"), TensorSpec(ix.shape, "i32"), TensorSpec(up.shape, "f32")],
                lambda b, a, i, u: [b.op("gather", a, i, axis=0), b.op("scatter_add", a, i, u, axis=0)],
                [x, ix, up])
    assert_close(g, x[[0, 0, 3, 3]])
    want = x.copy()
    want[[0, 3]] += 1
    assert_close(sc, want)
