"""max / min on a tie of zeros, on every backend, against explicit expected values.

furcate's max and min are IEEE 754-2019's maximum / minimum, as StableHLO's:
NaN propagates and -0.0 < +0.0, so max(-0, +0) = +0 and min(-0, +0) = -0 whatever
the order of the operands (docs/ir.md, Numerics). NumPy returns its second operand
on a tie, torch eager its first; neither is the contract. ``assert_close`` checks
the sign of every zero.
"""

from __future__ import annotations

import numpy as np
import pytest

from furcate.backends import BackendUnavailable, get_backend
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec, to_numpy_dtype
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

N = np.nan
BACKENDS = ["numpy", "c", "xla", "triton"]
DTYPES = ["f32", "f64", "f16", "bf16"]


def _run(target, specs, body, inputs):
    try:
        backend = get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")
    b = GraphBuilder()
    args = [b.arg(s) for s in specs]
    prog = b.finish(list(body(b, *args)))
    return backend.compile(prog, {})(*inputs)


def _a(vals, dt):
    return np.array(vals, np.float64).astype(to_numpy_dtype(dt))


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("target", BACKENDS)
def test_elementwise_max_min_order_zeros(target, dt):
    x = _a([0.0, -0.0, 0.0, -0.0, 1.0, -1.0, N, -0.0], dt)
    y = _a([-0.0, 0.0, 0.0, -0.0, -0.0, -0.0, -0.0, N], dt)
    s = TensorSpec(x.shape, dt)

    def body(b, u, v):
        zero = b.constant(np.zeros(x.shape, to_numpy_dtype(dt)))
        return [b.op("max", u, v), b.op("min", u, v), b.op("max", v, u), b.op("min", v, u), b.op("max", u, zero),
                b.op("clamp", zero, u, v)]

    mx, mn, mx2, mn2, relu, clamp = _run(target, [s, s], body, [x, y])
    want_max = _a([0.0, 0.0, 0.0, -0.0, 1.0, -0.0, N, N], dt)
    want_min = _a([-0.0, -0.0, 0.0, -0.0, -0.0, -1.0, N, N], dt)
    assert_close(mx, want_max, msg="max(x, y)")
    assert_close(mx2, want_max, msg="max(y, x)")
    assert_close(mn, want_min, msg="min(x, y)")
    assert_close(mn2, want_min, msg="min(y, x)")
    assert_close(relu, _a([0.0, 0.0, 0.0, 0.0, 1.0, 0.0, N, 0.0], dt), msg="max(x, 0)")
    # clamp(0, x, y) = min(max(x, 0), y)
    assert_close(clamp, _a([-0.0, 0.0, 0.0, -0.0, -0.0, -0.0, N, N], dt), msg="clamp(0, x, y)")


@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("target", BACKENDS)
def test_reductions_order_zeros(target, dt):
    rows = _a([[-0.0, -0.0, -0.0, -0.0], [-0.0, 0.0, -0.0, -0.0], [0.0, 0.0, 0.0, 0.0], [-1.0, -0.0, -2.0, -0.0],
               [0.0, -0.0, 0.0, 3.0]], dt)
    s = TensorSpec(rows.shape, dt)

    def body(b, r):
        t = b.op("transpose", r, permutation=[1, 0])
        return [b.op("reduce", r, kind="max", dimensions=[1]), b.op("reduce", r, kind="min", dimensions=[1]),
                b.op("reduce", t, kind="max", dimensions=[0]), b.op("reduce", t, kind="min", dimensions=[0])]

    mx, mn, mx_col, mn_col = _run(target, [s], body, [rows])
    want_max = _a([-0.0, 0.0, 0.0, -0.0, 3.0], dt)
    want_min = _a([-0.0, -0.0, 0.0, -2.0, -0.0], dt)
    assert_close(mx, want_max, msg="row max")
    assert_close(mn, want_min, msg="row min")
    assert_close(mx_col, want_max, msg="column max")
    assert_close(mn_col, want_min, msg="column min")


@pytest.mark.parametrize("dt", ["f32", "bf16"])
@pytest.mark.parametrize("target", BACKENDS)
def test_windows_and_scans_order_zeros(target, dt):
    x = _a([-0.0, 0.0, -0.0, -0.0, 0.0, -1.0], dt)
    s = TensorSpec(x.shape, dt)
    win = dict(window_dimensions=[2], window_strides=[1], padding=[0, 0], window_dilations=[1])

    def body(b, u):
        return [b.op("reduce_window", u, kind="max", **win), b.op("reduce_window", u, kind="min", **win),
                b.op("cumulative", u, kind="max", dimension=0, reverse=0),
                b.op("cumulative", u, kind="min", dimension=0, reverse=1)]

    wmax, wmin, cmax, rcmin = _run(target, [s], body, [x])
    assert_close(wmax, _a([0.0, 0.0, -0.0, 0.0, 0.0], dt), msg="window max")
    assert_close(wmin, _a([-0.0, -0.0, -0.0, -0.0, -1.0], dt), msg="window min")
    assert_close(cmax, _a([-0.0, 0.0, 0.0, 0.0, 0.0, 0.0], dt), msg="running max")
    assert_close(rcmin, _a([-1.0, -1.0, -1.0, -1.0, -1.0, -1.0], dt), msg="reversed running min")
    (rc,) = _run(target, [s], lambda b, u: [b.op("cumulative", u, kind="min", dimension=0, reverse=1)],
                 [_a([0.0, -0.0, 0.0, 0.0, 1.0, 0.0], dt)])
    assert_close(rc, _a([-0.0, -0.0, 0.0, 0.0, 0.0, 0.0], dt), msg="reversed running min of zeros")


@pytest.mark.parametrize("n", [3, 10, 37])  # scalar loops, the scalar remainder of a vector loop
@pytest.mark.parametrize("mid", ["i8", "i32", "i64"])
@pytest.mark.parametrize("dt", DTYPES)
@pytest.mark.parametrize("target", BACKENDS)
def test_float_int_float_round_trip_gives_plus_zero(target, dt, mid, n):
    """convert(convert(x, int), float) of -0.6 is +0.0: an integer has no sign of zero.
    (gcc rewrites (float)(int)x as trunc(x), -0.0, unless told otherwise.)"""
    x = _a(np.linspace(-0.9, 0.9, n), dt)
    b = GraphBuilder()
    u = b.arg(TensorSpec(x.shape, dt))
    prog = b.finish([b.op("convert", b.op("convert", u, dtype=mid), dtype=dt)])
    try:
        (y,) = compile_program(prog, target, {})(x)  # the whole pipeline (as torch.compile would)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"target {target!r} is not available here: {e}")
    assert_close(y, np.trunc(x.astype(np.float64)).astype(x.dtype) + _a([0.0], dt))


@pytest.mark.parametrize("dt", ["f32", "bf16"])
@pytest.mark.parametrize("target", BACKENDS)
def test_sums_of_negative_zeros_are_plus_zero(target, dt):
    """A sum starts at +0 (StableHLO's init value, torch's and jax's sums and cumsums): the
    sum or running sum of -0.0s is +0.0 (NumPy's cumsum alone starts at the first element)."""
    x = _a([-0.0, -0.0, -0.0, 1.0, -0.0], dt)
    s = TensorSpec(x.shape, dt)
    total, fwd, rev = _run(target, [s], lambda b, u: [
        b.op("reduce", u, kind="sum", dimensions=[0]),
        b.op("cumulative", u, kind="sum", dimension=0, reverse=0),
        b.op("cumulative", u, kind="sum", dimension=0, reverse=1)], [x])
    assert_close(total, _a(1.0, dt), msg="sum")
    assert_close(fwd, _a([0.0, 0.0, 0.0, 1.0, 1.0], dt), msg="running sum")
    assert_close(rev, _a([1.0, 1.0, 1.0, 1.0, 0.0], dt), msg="reversed running sum")
