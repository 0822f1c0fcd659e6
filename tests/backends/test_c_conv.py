"""C backend window kernels (``furcate/backends/c/window.py``, ``render_conv.py``,
``render_window.py``): convolution (im2col + BLAS and direct loops) and reduce_window,
every variant against the numpy backend in f32/f64/f16/bf16, fused epilogues, NaN in
max pooling."""

from __future__ import annotations

import numpy as np
import pytest

import furcate
from furcate.backends.c import render_conv
from furcate.compiler import compile_program
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.backends.c_helpers import check
from tests.backends.test_numpy_ops import cast
from tests.tolerance import assert_close

pytest.importorskip("furcate.backends.c")
from furcate.backends.c import available  # noqa: E402

pytestmark = pytest.mark.skipif(not available(), reason="no C compiler")

RNG = np.random.default_rng(11)
FLOATS = ["f32", "f64", "f16", "bf16"]

CONVS = {  # lhs shape, rhs shape, strides, padding (low, high per dim), lhs_dilation, rhs_dilation, groups
    "1d": ((2, 3, 9), (4, 3, 3), [1], [0, 0], [1], [1], 1),
    "1d_stride_dil_groups": ((1, 4, 10), (6, 2, 3), [2], [1, 2], [1], [2], 2),
    "2d_pad": ((2, 3, 7, 6), (8, 3, 3, 2), [1, 1], [1, 1, 0, 1], [1, 1], [1, 1], 1),
    "2d_stride2": ((1, 5, 9, 9), (8, 5, 3, 3), [2, 2], [1, 1, 1, 1], [1, 1], [1, 1], 1),
    "depthwise": ((2, 4, 8, 8), (4, 1, 3, 3), [2, 1], [1, 0, 2, 1], [1, 1], [1, 2], 4),
    "depthwise_mult2": ((1, 3, 6, 7), (6, 1, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], [1, 1], 3),
    "depthwise_s1": ((2, 5, 9, 11), (5, 1, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], [1, 1], 5),
    "depthwise_s2": ((2, 6, 10, 9), (6, 1, 3, 3), [2, 2], [1, 1, 1, 1], [1, 1], [1, 1], 6),
    "depthwise_5x5_dil_crop_high": ((1, 3, 12, 12), (3, 1, 5, 5), [1, 1], [2, -1, 0, 3], [1, 1], [2, 1], 3),
    "depthwise_1d": ((2, 4, 17), (8, 1, 5), [1], [2, 2], [1], [1], 4),
    "depthwise_1d_stride": ((1, 3, 20), (3, 1, 4), [3], [0, 1], [1], [2], 3),
    "transposed": ((1, 2, 5, 5), (3, 2, 3, 3), [1, 1], [2, 2, 2, 2], [2, 2], [1, 1], 1),
    "transposed_1d": ((2, 3, 6), (8, 3, 4), [1], [3, 4], [3], [1], 1),
    "negative_pad": ((1, 2, 8, 7), (2, 2, 2, 3), [3, 2], [-1, -2, 1, -1], [1, 1], [1, 1], 1),
    "3d": ((1, 2, 4, 4, 5), (2, 2, 2, 3, 2), [1, 2, 1], [0, 1, 1, 0, 0, 0], [1, 1, 2], [2, 1, 1], 1),
    "1x1": ((2, 16, 5, 6), (12, 16, 1, 1), [1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 1),
    "1x1_stride": ((1, 8, 7, 7), (16, 8, 1, 1), [2, 2], [0, 0, 0, 0], [1, 1], [1, 1], 1),
    "grouped_1x1": ((1, 8, 4, 4), (16, 2, 1, 1), [1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 4),
    "blocked_odd": ((2, 5, 9, 21), (11, 5, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], [1, 1], 1),
    "blocked_row_stride_dil": ((1, 4, 13, 19), (9, 4, 3, 2), [2, 1], [2, 1, 0, 3], [1, 1], [2, 3], 1),
    "blocked_groups": ((2, 8, 7, 18), (16, 4, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], [1, 1], 2),
    "1d_five_taps": ((3, 6, 40), (12, 6, 5), [1], [2, 2], [1], [1], 1),
    "1x1_small_k": ((2, 6, 9, 10), (20, 6, 1, 1), [1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 1),
    "1x1_1d": ((2, 4, 33), (3, 4, 1), [1], [0, 0], [1], [1], 1),
    "wide_rows": ((1, 2, 3, 700), (9, 2, 1, 5), [1, 1], [0, 0, 2, 2], [1, 1], [1, 1], 1),
}


def _attrs(strides, padding, ld, rd, groups):
    return dict(window_strides=strides, padding=padding, lhs_dilation=ld, rhs_dilation=rd,
                feature_group_count=groups)


def _conv_program(case, dtypes):
    """One program with the convolution ``case`` in each of ``dtypes`` (one compile)."""
    ls, rs, *attrs = CONVS[case]
    b = GraphBuilder()
    outs = []
    for dt in dtypes:
        x, w = b.arg(TensorSpec(ls, dt)), b.arg(TensorSpec(rs, dt))
        outs.append(b.op("convolution", x, w, **_attrs(*attrs)))
    inputs = []
    for dt in dtypes:
        inputs += [cast(RNG.normal(size=ls), dt), cast(RNG.normal(size=rs), dt)]
    return b.finish(outs), inputs


@pytest.fixture(params=["direct", "im2col", "blocked", None])  # None: the heuristic (plane, blocked, ...)
def schedule(request, monkeypatch):
    monkeypatch.setattr(render_conv, "FORCE", request.param)
    return request.param


@pytest.mark.parametrize("case", sorted(CONVS))
def test_convolution_matches_numpy(case, schedule):
    program, inputs = _conv_program(case, FLOATS)
    exe = check(program, inputs, accumulated=True)
    assert [s.name for s in exe.steps] == ["c[conv,conv,conv,conv]"]


@pytest.mark.parametrize("case", sorted(CONVS))
def test_nonfinite_weights_over_padding_give_nan(case, schedule):
    """A NaN or infinite weight over padding (or lhs-dilation holes) multiplies a zero:
    NaN, as StableHLO and eager have it, in every schedule (the direct one never reads
    the padding, so it must add those products itself)."""
    program, inputs = _conv_program(case, ["f32", "bf16"])
    for w in inputs[1::2]:
        flat = w.reshape(-1)
        flat[RNG.choice(flat.size, max(1, flat.size // 20), replace=False)] = np.array([np.nan, np.inf, -np.inf],
                                                                                     np.float32).astype(w.dtype)[0]
        flat[-1] = np.array(np.inf).astype(w.dtype)
    check(program, inputs, accumulated=True)


def test_schedule_heuristic_picks_direct_for_depthwise_and_gemm_for_wide():
    from furcate.backends.c.blas import find_blas
    from furcate.backends.c.window import conv_geom

    if find_blas() is None:
        pytest.skip("no BLAS: every convolution is direct")
    dw, _ = _conv_program("depthwise", ["f32"])
    wide, _ = _conv_program("2d_stride2", ["f32"])
    conv = lambda p: next(op for op in p.func.body.block.ops if op.name == "furcate.convolution")  # noqa: E731
    assert render_conv.use_direct(conv_geom(conv(dw)))
    assert not render_conv.use_direct(conv_geom(conv(wide)))
    for case in ("depthwise", "depthwise_s1", "depthwise_1d", "depthwise_mult2"):
        assert render_conv.use_plane(conv_geom(conv(_conv_program(case, ["f32"])[0]))), case
    assert not render_conv.use_plane(conv_geom(conv(wide)))


def _conv_epilogue_program(dt, residual: bool, act: str):
    """conv -> + bias -> * scale + shift (batch-norm affine) -> [+ residual] -> activation."""
    b = GraphBuilder()
    shape = (2, 8, 6, 6)
    x = b.arg(TensorSpec((2, 4, 6, 6), dt))
    w = b.arg(TensorSpec((8, 4, 3, 3), dt))
    bias, scale, shift = (b.arg(TensorSpec((8,), dt)) for _ in range(3))
    res = b.arg(TensorSpec(shape, dt)) if residual else None
    y = b.op("convolution", x, w, **_attrs([1, 1], [1, 1, 1, 1], [1, 1], [1, 1], 1))
    per_c = lambda v: b.op("broadcast_in_dim", v, broadcast_dimensions=[1], shape=list(shape))  # noqa: E731
    y = b.op("add", y, per_c(bias))
    y = b.op("add", b.op("mul", y, per_c(scale)), per_c(shift))
    if res is not None:
        y = b.op("add", y, res)
    zero = b.full(0.0, TensorSpec(shape, dt))
    if act == "relu":
        y = b.op("max", y, zero)
    elif act == "relu6":
        y = b.op("min", b.op("max", y, zero), b.full(6.0, TensorSpec(shape, dt)))
    else:  # silu
        y = b.op("mul", y, b.op("logistic", y))
    args = [x, w, bias, scale, shift] + ([res] if residual else [])
    inputs = [cast(RNG.normal(size=spec_shape), dt) for spec_shape in
              [(2, 4, 6, 6), (8, 4, 3, 3), (8,), (8,), (8,)] + ([shape] if residual else [])]
    del args
    return b.finish([y]), inputs


@pytest.mark.parametrize("dt", FLOATS)
@pytest.mark.parametrize("residual,act", [(False, "relu"), (True, "relu"), (False, "relu6"), (True, "silu")])
def test_conv_epilogue_fuses_into_one_kernel(dt, residual, act):
    program, inputs = _conv_epilogue_program(dt, residual, act)
    exe = check(program, inputs, accumulated=True)
    assert [s.name for s in exe.steps] == ["c[conv]"], exe.describe()


def test_conv_epilogue_on_other_backends_still_runs():
    program, inputs = _conv_epilogue_program("f32", True, "relu")
    want = compile_program(program.clone(), "numpy", {})(*inputs)[0]
    got = compile_program(program.clone(), "c", {})(*inputs)[0]
    assert_close(got, want, accumulated=True)


def test_conv_result_and_epilogue_both_returned():
    b = GraphBuilder()
    x, w = b.arg(TensorSpec((1, 3, 5, 5), "f16")), b.arg(TensorSpec((8, 3, 3, 3), "f16"))
    y = b.op("convolution", x, w, **_attrs([1, 1], [0, 0, 0, 0], [1, 1], [1, 1], 1))
    z = b.op("max", y, b.full(0.0, TensorSpec((1, 8, 3, 3), "f16")))
    exe = check(b.finish([y, z]), [cast(RNG.normal(size=(1, 3, 5, 5)), "f16"),
                                   cast(RNG.normal(size=(8, 3, 3, 3)), "f16")], accumulated=True)
    assert len(exe.steps) <= 3  # one kernel (plus copies of returned values)


POOLS = {  # shape, window, strides, padding, dilations
    "2x2": ((2, 3, 8, 8), [1, 1, 2, 2], [1, 1, 2, 2], [0] * 8, [1] * 4),
    "3x3s2p1": ((1, 2, 9, 10), [1, 1, 3, 3], [1, 1, 2, 2], [0, 0, 0, 0, 1, 1, 1, 1], [1] * 4),
    "ceil_mode_high_pad": ((1, 2, 7, 7), [1, 1, 2, 2], [1, 1, 2, 2], [0, 0, 0, 0, 0, 1, 0, 1], [1] * 4),
    "dilated": ((1, 1, 9, 9), [1, 1, 3, 3], [1, 1, 1, 1], [0, 0, 0, 0, 1, 1, 1, 1], [1, 1, 2, 2]),
    "1d": ((7,), [3], [1], [2, 2], [2]),
    "2d_neg_pad": ((3, 8), [2, 3], [2, 1], [-1, 1, 0, -2], [1, 2]),
    "all_padding": ((4,), [6], [1], [1, 2], [1]),
    "channel_window": ((2, 6, 4, 4), [1, 3, 1, 1], [1, 1, 1, 1], [0, 0, 1, 1, 0, 0, 0, 0], [1] * 4),
    "global": ((2, 3, 5, 6), [1, 1, 5, 6], [1, 1, 1, 1], [0] * 8, [1] * 4),
    "long_rows": ((1, 1, 2, 1500), [1, 1, 1, 4], [1, 1, 1, 3], [0, 0, 0, 0, 0, 0, 1, 2], [1] * 4),
}


@pytest.mark.parametrize("kind", ["max", "sum", "min"])
@pytest.mark.parametrize("case", sorted(POOLS))
def test_reduce_window_matches_numpy(case, kind):
    shape, win, strides, padding, dil = POOLS[case]
    b = GraphBuilder()
    outs = []
    for dt in FLOATS:
        x = b.arg(TensorSpec(shape, dt))
        outs.append(b.op("reduce_window", x, kind=kind, window_dimensions=win, window_strides=strides,
                         padding=padding, window_dilations=dil))
    inputs = [cast(RNG.normal(size=shape), dt) for dt in FLOATS]
    exe = check(b.finish(outs), inputs, accumulated=True)
    assert [s.name for s in exe.steps] == ["c[pool,pool,pool,pool]"]


@pytest.mark.parametrize("dt", ["f32", "f16", "bf16", "f64"])
def test_max_pool_propagates_nan_and_ignores_padding(dt):
    b = GraphBuilder()
    x = b.arg(TensorSpec((1, 1, 4, 4), dt))
    y = b.op("reduce_window", x, kind="max", window_dimensions=[1, 1, 2, 2], window_strides=[1, 1, 2, 2],
             padding=[0, 0, 0, 0, 1, 1, 1, 1], window_dilations=[1] * 4)
    a = np.full((1, 1, 4, 4), -5.0)
    a[0, 0, 0, 1] = np.nan  # window (0, 1) [rows 0, cols 1..2]
    a[0, 0, 3, 3] = np.nan  # window (2, 2), where 3 of 4 elements are padding
    a[0, 0, 3, 0] = -np.inf  # the only element of window (2, 0)
    exe = compile_program(b.finish([y]), "c", {})
    (got,) = exe(cast(a, dt))
    got = got.astype(np.float64)[0, 0]
    assert np.isnan(got[0, 1]) and np.isnan(got[2, 2])
    assert np.count_nonzero(np.isnan(got)) == 2
    assert got[0, 0] == -5.0 and got[2, 0] == -np.inf  # padding is -inf, never 0


def test_avg_pool_divide_fuses_into_the_pool_kernel():
    b = GraphBuilder()
    shape = (2, 4, 6, 6)
    x = b.arg(TensorSpec(shape, "f32"))
    s = b.op("reduce_window", x, kind="sum", window_dimensions=[1, 1, 2, 2], window_strides=[1, 1, 2, 2],
             padding=[0] * 8, window_dilations=[1] * 4)
    y = b.op("div", s, b.full(4.0, TensorSpec((2, 4, 3, 3), "f32")))
    exe = check(b.finish([y]), [RNG.normal(size=shape).astype(np.float32)])
    assert [st.name for st in exe.steps] == ["c[pool]"], exe.describe()


def test_no_numpy_fallback_recorded_for_a_cnn_block():
    furcate.reset_stats() if hasattr(furcate, "reset_stats") else None
    program, inputs = _conv_epilogue_program("f32", True, "relu")
    exe = compile_program(program, "c", {})
    assert all(s.target == "c" for s in exe.steps)
    exe(*inputs)
