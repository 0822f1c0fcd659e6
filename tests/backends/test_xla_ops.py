"""Differential tests: every op of the furcate dialect on the XLA backend vs the NumPy
reference backend, over several dtypes incl. f16/bf16/i1, NaN and inf.

Several ops share one module per dtype (an XLA compile costs ~60 ms).
"""

from __future__ import annotations

import ml_dtypes
import numpy as np
import pytest

from furcate.backends import get_backend
from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

pytest.importorskip("jax")

FLOATS = ["f32", "f64", "f16", "bf16"]
INTS = ["i8", "i32", "i64"]
RNG = np.random.default_rng(0)


def np_dtype(dt):
    return {"bf16": np.dtype(ml_dtypes.bfloat16)}.get(dt) or np.dtype(
        {"f32": "float32", "f64": "float64", "f16": "float16", "i1": "bool", "i8": "int8", "i32": "int32", "i64": "int64"}[dt]
    )


def build(specs, body):
    """A program with arguments ``specs`` whose outputs are ``body(builder, *args)``."""
    b = GraphBuilder()
    args = [b.arg(s) for s in specs]
    outs = body(b, *args)
    return b.finish(list(outs) if isinstance(outs, (list, tuple)) else [outs])


def run_both(program, inputs):
    xla = get_backend("xla").compile(program, {})(*inputs)
    ref = get_backend("numpy").compile(program, {})(*inputs)
    return xla, ref


def check(specs, body, inputs, *, accumulated=False, names=None):
    """Build, run on xla and numpy, compare every output with the tolerance table."""
    prog = build(specs, body)
    xla, ref = run_both(prog, inputs)
    assert len(xla) == len(ref)
    for i, (a, e) in enumerate(zip(xla, ref)):
        assert isinstance(a, np.ndarray)
        label = names[i] if names else f"output {i}"
        assert_close(a, e, accumulated=accumulated, msg=label)
    return xla


def floats(shape, dt, lo=-3.0, hi=3.0):
    return RNG.uniform(lo, hi, shape).astype(np_dtype(dt))


def ints(shape, dt, lo=-100, hi=100):
    return RNG.integers(lo, hi, shape).astype(np_dtype(dt))


SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 0.5, -0.5, 1.5, 2.5, -2.5, 1e-3, 100.0]

# --------------------------------------------------------------------------
# elementwise

UNARY_ANY = ["neg", "abs", "tanh", "logistic", "erf", "sin", "cos", "floor", "ceil",
             "round_nearest_even", "round_nearest_afz", "sign", "exp"]
UNARY_POSITIVE = ["log", "log1p", "sqrt", "rsqrt", "expm1"]


@pytest.mark.parametrize("dt", FLOATS)
def test_float_unary(dt):
    mixed = np.concatenate([np.array(SPECIAL), RNG.uniform(-4, 4, 20)]).astype(np_dtype(dt))
    pos = RNG.uniform(0.05, 4, mixed.shape).astype(np_dtype(dt))
    spec = TensorSpec(mixed.shape, dt)

    def body(b, m, p):
        outs = [b.op(n, m) for n in UNARY_ANY] + [b.op(n, p) for n in UNARY_POSITIVE]
        return outs + [b.op("is_finite", m)]

    check([spec, spec], body, [mixed, pos], names=UNARY_ANY + UNARY_POSITIVE + ["is_finite"])


@pytest.mark.parametrize("dt", FLOATS)
def test_float_binary(dt):
    x = np.concatenate([[np.nan, 1.0, np.inf, -0.0, 3.0], RNG.uniform(-4, 4, 15)]).astype(np_dtype(dt))
    y = np.concatenate([[1.0, np.nan, 2.0, 0.0, -np.inf], RNG.uniform(0.5, 4, 15)]).astype(np_dtype(dt))
    base = RNG.uniform(0.1, 3, x.shape).astype(np_dtype(dt))
    spec = TensorSpec(x.shape, dt)
    names = ["add", "sub", "mul", "div", "rem", "max", "min", "atan2"]

    def body(b, u, v, w):
        return [b.op(n, u, v) for n in names] + [b.op("pow", w, v)]

    check([spec] * 3, body, [x, y, base], names=names + ["pow"])


@pytest.mark.parametrize("dt", INTS)
def test_int_binary_and_unary(dt):
    info = np.iinfo(np_dtype(dt))
    x = np.concatenate([[info.max, info.min, info.min, 7, -7, 5, 0], ints(13, dt)]).astype(np_dtype(dt))
    y = np.concatenate([[1, -1, 0, 2, 2, 0, -3], ints(13, dt)]).astype(np_dtype(dt))
    e = np.concatenate([[3, 0, 2, -1, -2, 7, 1], RNG.integers(0, 6, 13)]).astype(np_dtype(dt))
    spec = TensorSpec(x.shape, dt)
    binary = ["add", "sub", "mul", "div", "rem", "max", "min", "and", "or", "xor"]
    unary = ["neg", "abs", "sign", "not"]

    def body(b, u, v, w):
        return [b.op(n, u, v) for n in binary] + [b.op(n, u) for n in unary] + [b.op("pow", u, w)]

    check([spec] * 3, body, [x, y, e], names=binary + unary + ["pow"])


def test_bool_ops():
    x = np.array([True, True, False, False])
    y = np.array([True, False, True, False])
    spec = TensorSpec((4,), "i1")
    names = ["and", "or", "xor"]
    dirs = ["EQ", "NE", "LT", "LE", "GT", "GE"]

    def body(b, u, v):
        outs = [b.op(n, u, v) for n in names] + [b.op("not", u)]
        return outs + [b.op("compare", u, v, comparison_direction=d) for d in dirs]

    check([spec, spec], body, [x, y])


@pytest.mark.parametrize("dt", ["f32", "bf16", "i32", "i64"])
def test_compare_select_clamp(dt):
    if dt in FLOATS:
        x = np.array([np.nan, 1.0, -np.inf, 2.0, 0.0, np.nan, 5.0, -1.0], np_dtype(dt))
        y = np.array([1.0, np.nan, -np.inf, 3.0, -0.0, np.nan, 4.0, 2.0], np_dtype(dt))
    else:
        x, y = ints(8, dt), ints(8, dt)
        y[:2] = x[:2]
    lo = np.minimum(x, y) if dt not in FLOATS else np.full(8, -1.0, np_dtype(dt))
    hi = np.full(8, 2, np_dtype(dt))
    spec = TensorSpec((8,), dt)
    dirs = ["EQ", "NE", "LT", "LE", "GT", "GE"]

    def body(b, u, v, l, h):
        cmps = [b.op("compare", u, v, comparison_direction=d) for d in dirs]
        return cmps + [b.op("select", cmps[2], u, v), b.op("clamp", l, u, h)]

    check([spec] * 4, body, [x, y, lo, hi], names=dirs + ["select", "clamp"])


ALL = ["f32", "f64", "f16", "bf16", "i1", "i8", "i32", "i64"]


def _convert_inputs(src):
    if src in FLOATS:
        vals = [np.nan, np.inf, -np.inf, -0.0, 0.7, -0.7, 1.5, -2.5, 127.9, -128.9, 200.0, -300.0,
                3e9, -3e9, 1e19, -1e19, 65504.0, 1e-8]
        with np.errstate(over="ignore"):
            return np.array(vals, np.float64).astype(np_dtype(src))
    if src == "i1":
        return np.array([True, False] * 9)
    info = np.iinfo(np_dtype(src))
    vals = [info.min, info.max, 0, 1, -1, 127, -128, 100, -100, 42, 7, -7, 3, 5, 9, 11, 13, 15]
    return np.array(vals, np.int64).astype(np_dtype(src))


def test_convert_every_pair():
    """Every dtype to every dtype, incl. NaN/inf/large floats to ints (saturating, NaN -> 0)."""
    inputs = [_convert_inputs(s) for s in ALL]
    specs = [TensorSpec(a.shape, s) for a, s in zip(inputs, ALL)]
    pairs = [(i, dst) for i, s in enumerate(ALL) for dst in ALL if dst != s]

    def body(b, *args):
        return [b.op("convert", args[i], dtype=dst) for i, dst in pairs]

    check(specs, body, inputs, names=[f"{ALL[i]}->{dst}" for i, dst in pairs])


# --------------------------------------------------------------------------
# constants and layout


def test_constants_iota_and_layout():
    x = floats((2, 3, 4), "f32")
    inline = np.array([np.nan, -np.inf, -0.0, 1e-40], np.float32)

    def body(b, a):
        c = b.constant(inline)
        c16 = b.constant(np.array([65504.0, -np.inf, 6e-8], np.float16))
        cb = b.constant(np.array([3.0e38, np.nan], ml_dtypes.bfloat16))
        ci = b.constant(np.array([True, False, True]))
        outs = [c, c16, cb, ci]
        outs.append(b.op("iota", spec=TensorSpec((3, 4), "i32"), iota_dimension=1))
        outs.append(b.op("iota", spec=TensorSpec((3, 4), "bf16"), iota_dimension=0))
        outs.append(b.op("broadcast_in_dim", b.op("reduce", a, kind="sum", dimensions=[1]),
                         broadcast_dimensions=[0, 2], shape=[2, 5, 4]))
        outs.append(b.op("reshape", a, shape=[4, 6]))
        outs.append(b.op("transpose", a, permutation=[2, 0, 1]))
        outs.append(b.op("slice", a, start_indices=[0, 1, 0], limit_indices=[2, 3, 4], strides=[1, 1, 3]))
        outs.append(b.op("concatenate", a, a, a, dimension=1))
        outs.append(b.op("pad", a, b.scalar(-1.5, "f32"), edge_padding_low=[1, -1, 0],
                         edge_padding_high=[0, 2, -1], interior_padding=[0, 1, 2]))
        return outs

    check([TensorSpec(x.shape, "f32")], body, [x], accumulated=True)


# --------------------------------------------------------------------------
# reductions


@pytest.mark.parametrize("dt", ["f32", "f16", "bf16", "f64", "i32", "i8"])
def test_reduce_kinds(dt):
    x = floats((3, 5, 7), dt) if dt in FLOATS else ints((3, 5, 7), dt, -3, 4)
    if dt in FLOATS:
        x[0, 1, 2] = np.nan
        x[2, 0, 0] = np.inf
    spec = TensorSpec(x.shape, dt)
    kinds = ["sum", "max", "min", "prod"]

    def body(b, a):
        outs = [b.op("reduce", a, kind=k, dimensions=[1]) for k in kinds]
        outs += [b.op("reduce", a, kind="sum", dimensions=[0, 2]), b.op("reduce", a, kind="max", dimensions=[])]
        if dt in INTS:
            outs += [b.op("reduce", a, kind=k, dimensions=[2]) for k in ("and", "or")]
        return outs

    check([spec], body, [x], accumulated=True)


def test_reduce_f16_sum_accumulates_in_f32():
    x = np.full((1, 4096), 1.0, np.float16)  # an f16 accumulator stops at 2048
    out = check([TensorSpec(x.shape, "f16")], lambda b, a: b.op("reduce", a, kind="sum", dimensions=[1]), [x])
    assert out[0][0] == 4096


def test_reduce_bool():
    x = RNG.random((4, 6)) > 0.5
    x[0] = True
    x[1] = False
    check([TensorSpec(x.shape, "i1")],
          lambda b, a: [b.op("reduce", a, kind=k, dimensions=[1]) for k in ("and", "or")], [x])


@pytest.mark.parametrize("dt", ["f32", "bf16", "i32"])
def test_argmax_argmin(dt):
    if dt in FLOATS:
        x = np.array([[1, 3, 3, 0], [np.nan, 5, np.nan, 1], [-np.inf] * 4, [2, np.nan, 9, -9],
                      [0, 0, 0, 0]], np.float64).astype(np_dtype(dt))
    else:
        x = np.array([[1, 3, 3, 0], [-5, 5, 5, 1], [0, 0, 0, 0], [2, -9, 9, -9], [7, 1, 7, 1]], np_dtype(dt))
    spec = TensorSpec(x.shape, dt)

    def body(b, a):
        return [b.op(k, a, dimension=d, index_dtype=i) for k in ("argmax", "argmin")
                for d in (0, 1) for i in ("i32", "i64")]

    check([spec], body, [x])


@pytest.mark.parametrize("dt", ["f32", "f16", "i32"])
def test_cumulative(dt):
    x = floats((3, 6), dt, -2, 2) if dt in FLOATS else ints((3, 6), dt, -4, 5)
    if dt in FLOATS:
        x[1, 2] = np.nan
    spec = TensorSpec(x.shape, dt)
    cases = [(k, d, r) for k in ("sum", "prod", "max", "min") for d in (0, 1) for r in (0, 1)]

    def body(b, a):
        return [b.op("cumulative", a, kind=k, dimension=d, reverse=r) for k, d, r in cases]

    check([spec], body, [x], accumulated=True, names=[str(c) for c in cases])


def test_long_cumulative_uses_the_doubling_scan():
    from furcate.backends.xla.rules_structured import WINDOW_SCAN_LIMIT

    n = WINDOW_SCAN_LIMIT * 4 + 3
    x = floats((2, n), "f32", 0.9, 1.1)
    x[0, 300] = np.nan
    h = floats((n, 2), "bf16", -1, 1)
    i = ints((2, n), "i64", -2**40, 2**40)
    specs = [TensorSpec(x.shape, "f32"), TensorSpec(h.shape, "bf16"), TensorSpec(i.shape, "i64")]
    cases = [("sum", 0), ("prod", 1), ("max", 1), ("min", 0)]

    def body(b, a, c, e):
        outs = [b.op("cumulative", a, kind=k, dimension=1, reverse=r) for k, r in cases]
        return outs + [b.op("cumulative", c, kind="sum", dimension=0, reverse=1),
                       b.op("cumulative", e, kind="sum", dimension=1, reverse=0)]

    check(specs, body, [x, h, i], accumulated=True)


@pytest.mark.parametrize("dt", ["f32", "bf16", "i32"])
def test_reduce_window(dt):
    x = floats((2, 3, 7, 6), dt) if dt in FLOATS else ints((2, 3, 7, 6), dt)
    spec = TensorSpec(x.shape, dt)

    def body(b, a):
        return [
            b.op("reduce_window", a, kind="max", window_dimensions=[1, 1, 3, 3], window_strides=[1, 1, 2, 2],
                 padding=[0, 0, 0, 0, 1, 1, 1, 1], window_dilations=[1, 1, 1, 1]),
            b.op("reduce_window", a, kind="sum", window_dimensions=[1, 2, 2, 2], window_strides=[1, 1, 1, 3],
                 padding=[0, 0, 0, 1, 0, 0, 2, 0], window_dilations=[1, 1, 2, 1]),
            b.op("reduce_window", a, kind="min", window_dimensions=[2, 1, 1, 4], window_strides=[1, 1, 3, 1],
                 padding=[0, 0, 0, 0, 0, 0, 0, 0], window_dilations=[1, 1, 1, 1]),
        ]

    check([spec], body, [x], accumulated=True)


# --------------------------------------------------------------------------
# contractions


@pytest.mark.parametrize("dt", ["f32", "f64", "f16", "bf16", "i32"])
def test_dot_general(dt):
    mk = (lambda s: floats(s, dt, -1, 1)) if dt in FLOATS else (lambda s: ints(s, dt, -5, 5))
    a, bm, c = mk((4, 8, 16)), mk((4, 16, 5)), mk((16, 6))
    specs = [TensorSpec(v.shape, dt) for v in (a, bm, c)]

    def body(b, x, y, z):
        bmm = b.op("dot_general", x, y, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
                   lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[1])
        mm = b.op("dot_general", x, z, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                  lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[0], precision="tf32")
        outer = b.op("dot_general", z, z, lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                     lhs_contracting_dimensions=[], rhs_contracting_dimensions=[])
        return [bmm, mm, outer]

    check(specs, body, [a, bm, c], accumulated=True)


@pytest.mark.parametrize("dt", ["f32", "bf16"])
def test_convolution(dt):
    x = floats((2, 4, 9, 8), dt, -1, 1)
    w = floats((6, 2, 3, 2), dt, -1, 1)
    w1 = floats((3, 4, 3), dt, -1, 1)
    x1 = floats((2, 4, 10), dt, -1, 1)
    specs = [TensorSpec(v.shape, dt) for v in (x, w, x1, w1)]

    def body(b, xi, wi, x1i, w1i):
        grouped = b.op("convolution", xi, wi, window_strides=[2, 1], padding=[1, 1, 0, 2], lhs_dilation=[1, 1],
                       rhs_dilation=[1, 2], feature_group_count=2)
        transposed = b.op("convolution", x1i, w1i, window_strides=[1], padding=[2, 2], lhs_dilation=[2],
                          rhs_dilation=[1], feature_group_count=1)
        return [grouped, transposed]

    check(specs, body, [x, w, x1, w1], accumulated=True)


# --------------------------------------------------------------------------
# indexing


@pytest.mark.parametrize("ix_dt", ["i32", "i64", "i8"])
def test_gather_and_scatter(ix_dt):
    x = floats((5, 6, 3), "f32")
    ix = np.array([[0, 4, 7], [-2, 1, 5]], np_dtype(ix_dt))  # 7 and -2 are out of range for dim 0 (5)
    ix_along = np.array([[[0], [5], [9], [-1]], [[2], [2], [1], [0]]], np_dtype(ix_dt))  # (2, 4, 1), axis 1
    up = floats((5, 2, 3, 3), "f32")  # scatter into axis 1: x.shape[:1] + ix.shape + x.shape[2:]
    up_along = floats((2, 4, 1), "f32")
    specs = [TensorSpec(v.shape, d) for v, d in
             ((x, "f32"), (ix, ix_dt), (ix_along, ix_dt), (up, "f32"), (up_along, "f32"))]

    def body(b, xi, ii, ia, ui, ua):
        return [
            b.op("gather", xi, ii, axis=0),
            b.op("gather", xi, ii, axis=1),
            b.op("gather_along", xi, ia, axis=1),
            b.op("scatter_add", xi, ii, ui, axis=1),
            b.op("scatter_add_along", xi, ia, ua, axis=1),
        ]

    check(specs, body, [x, ix, ix_along, up, up_along], accumulated=True)


@pytest.mark.parametrize("dt", ["bf16", "i32"])
def test_scatter_add_dtypes(dt):
    x = floats((4, 3), dt) if dt in FLOATS else ints((4, 3), dt)
    ix = np.array([1, 1, 3, 1, 9, -1], np.int64)
    up = floats((6, 3), dt) if dt in FLOATS else ints((6, 3), dt)
    specs = [TensorSpec(x.shape, dt), TensorSpec(ix.shape, "i64"), TensorSpec(up.shape, dt)]
    check(specs, lambda b, a, i, u: b.op("scatter_add", a, i, u, axis=0), [x, ix, up], accumulated=True)
