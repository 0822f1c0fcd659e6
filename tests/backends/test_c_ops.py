"""Differential tests: every op the C backend renders, every dtype it takes, against
the numpy backend, with NaN/inf and integer edge cases in the inputs."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.dtypes import TensorSpec
from furcate.ir import dialect as d
from tests.backends.c_helpers import check, many, one_op, sample

FLOATS = ["f32", "f64", "f16", "bf16"]
INTS = ["i8", "i32", "i64"]
SHAPE = (5, 37)
UNARY_FLOAT = [op.name.split(".")[1] for op in d.UNARY_OPS if op.DTYPES == "float"]
UNARY_NUMERIC = ["neg", "abs", "sign"]


def _dtypes_check(name, dtypes, arity, rng, fix=None, **props):
    specs = [[TensorSpec(SHAPE, dt)] * arity for dt in dtypes]
    inputs = [sample(s, rng) for g in specs for s in g]
    if fix is not None:
        inputs = fix(inputs)
    check(many(name, specs, **props), inputs)


@pytest.mark.parametrize("name", UNARY_FLOAT + UNARY_NUMERIC)
def test_unary_float(name):
    _dtypes_check(name, FLOATS, 1, np.random.default_rng(1))


@pytest.mark.parametrize("name", UNARY_NUMERIC + ["not"])
def test_unary_int(name):
    _dtypes_check(name, INTS, 1, np.random.default_rng(2))


def test_is_finite_and_not_bool():
    rng = np.random.default_rng(3)
    spec = TensorSpec(SHAPE, "f32")
    check(one_op("is_finite", [spec]), [sample(spec, rng)])
    bspec = TensorSpec(SHAPE, "i1")
    check(one_op("not", [bspec]), [sample(bspec, rng)])


BINARY = ["add", "sub", "mul", "div", "rem", "pow", "max", "min"]


@pytest.mark.parametrize("name", BINARY + ["atan2", "and", "or", "xor"])
def test_binary(name):
    dtypes = FLOATS if name == "atan2" else INTS if name in ("and", "or", "xor") else FLOATS + INTS

    def fix(inputs):
        if name != "pow":
            return inputs
        # numpy raises on negative integer powers: keep integer exponents small and >= 0
        return [y if i % 2 == 0 or y.dtype.kind == "f" else (np.abs(y) % 5).astype(y.dtype)
                for i, y in enumerate(inputs)]

    _dtypes_check(name, dtypes, 2, np.random.default_rng(4), fix)


@pytest.mark.parametrize("dt", INTS)
def test_integer_division_edges(dt):
    info = np.iinfo(np.dtype({"i8": np.int8, "i32": np.int32, "i64": np.int64}[dt]))
    x = np.array([info.min, info.min, 7, -7, 7, -7, 0, 5], dtype=info.dtype)
    y = np.array([-1, 0, 0, 2, -2, 0, 0, 3], dtype=info.dtype)
    spec = TensorSpec(x.shape, dt)
    for name in ("div", "rem"):
        check(one_op(name, [spec, spec]), [x, y])


@pytest.mark.parametrize("direction", ["EQ", "NE", "LT", "LE", "GT", "GE"])
def test_compare(direction):
    _dtypes_check("compare", FLOATS + ["i32", "i1"], 2, np.random.default_rng(5), comparison_direction=direction)


@pytest.mark.parametrize("dt", FLOATS + INTS + ["i1"])
def test_select_clamp(dt):
    rng = np.random.default_rng(6)
    spec = TensorSpec(SHAPE, dt)
    p = TensorSpec(SHAPE, "i1")
    check(one_op("select", [p, spec, spec]), [sample(p, rng), sample(spec, rng), sample(spec, rng)])
    if dt != "i1":
        lo, x = sample(spec, rng, special=False), sample(spec, rng)
        check(one_op("clamp", [spec, spec, spec]), [lo, x, lo + np.ones_like(lo)])


@pytest.mark.parametrize("src", FLOATS + INTS + ["i1"])
def test_convert(src):
    rng = np.random.default_rng(7)
    spec = TensorSpec(SHAPE, src)
    x = sample(spec, rng)
    if src in FLOATS:  # NaN/inf/out-of-range -> int is tested (saturation) below
        x = np.where(np.isfinite(x.astype(np.float64)), x, 0).astype(x.dtype)
    b = __import__("furcate.ir.builder", fromlist=["GraphBuilder"]).GraphBuilder()
    a = b.arg(spec)
    outs = [b.op("convert", a, dtype=dst) for dst in FLOATS + INTS + ["i1"] if dst != src]
    xi = np.clip(x.astype(np.float64), -100, 100).astype(x.dtype) if src in FLOATS else x
    check(b.finish(outs), [xi])


def test_convert_float_to_int_saturates():
    x = np.array([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.9, -2.9, 127.5, -128.5], np.float32)
    spec = TensorSpec(x.shape, "f32")
    from furcate.compiler import compile_program

    (got,) = compile_program(one_op("convert", [spec], dtype="i32"), "c")(x)
    np.testing.assert_array_equal(got, [0, 2**31 - 1, -(2**31), 2**31 - 1, -(2**31), 2, -2, 127, -128])


def test_f16_bf16_rounding_is_exact():
    """f32 -> f16/bf16 in C (bit ops) equals NumPy/ml_dtypes' round-to-nearest-even, bit for bit."""
    from furcate.compiler import compile_program

    rng = np.random.default_rng(8)
    bits = rng.integers(0, 2**32, 200_000, dtype=np.uint64).astype(np.uint32)
    x = bits.view(np.float32)
    x = x[np.isfinite(x) | np.isinf(x)]
    spec = TensorSpec(x.shape, "f32")
    for dt in ("f16", "bf16"):
        (got,) = compile_program(one_op("convert", [spec], dtype=dt), "c")(x)
        want = x.astype(spec.np_dtype if dt == "f32" else TensorSpec((1,), dt).np_dtype)
        np.testing.assert_array_equal(got.view(np.uint16)[~np.isnan(x)], want.view(np.uint16)[~np.isnan(x)])
        assert np.isnan(got.astype(np.float32)[np.isnan(x)]).all()


@pytest.mark.parametrize("kind", ["sum", "max", "min", "prod"])
@pytest.mark.parametrize("dims", [(1,), (0,), (0, 1)])
def test_reduce(kind, dims):
    rng = np.random.default_rng(9)
    specs = [[TensorSpec((6, 41), dt)] for dt in FLOATS + INTS]
    xs = []
    for (spec,) in specs:
        x = sample(spec, rng, special=(kind in ("max", "min")))
        if kind == "prod" and spec.dtype in FLOATS:
            x = (np.abs(x.astype(np.float64)) % 1.5 + 0.5).astype(x.dtype)
        xs.append(x)
    check(many("reduce", specs, kind=kind, dimensions=list(dims)), xs, accumulated=True)


@pytest.mark.parametrize("kind", ["and", "or"])
def test_reduce_bool(kind):
    rng = np.random.default_rng(10)
    spec = TensorSpec((7, 33), "i1")
    check(one_op("reduce", [spec], kind=kind, dimensions=[1]), [sample(spec, rng)])


def test_layout_ops():
    rng = np.random.default_rng(11)
    spec = TensorSpec((4, 6, 5), "f32")
    x = sample(spec, rng)
    check(one_op("transpose", [spec], permutation=[2, 0, 1]), [x])
    check(one_op("slice", [spec], start_indices=[1, 0, 1], limit_indices=[4, 6, 5], strides=[2, 3, 2]), [x])
    check(one_op("reshape", [spec], shape=[24, 5]), [x])
    s2 = TensorSpec((6, 1), "f32")
    check(one_op("broadcast_in_dim", [s2], broadcast_dimensions=[1, 2], shape=[3, 6, 4]), [sample(s2, rng)])


@pytest.mark.parametrize("dt", ["f32", "f64"])
@pytest.mark.parametrize("case", ["mm", "mm_t", "bmm", "vec"])
def test_dot_general(case, dt):
    rng = np.random.default_rng(12)
    if case == "mm":
        a, b, props = (17, 9), (9, 13), dict(lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    elif case == "mm_t":
        a, b, props = (9, 17), (13, 9), dict(lhs_contracting_dimensions=[0], rhs_contracting_dimensions=[1])
    elif case == "bmm":
        a, b, props = (3, 5, 8), (3, 8, 4), dict(lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[1],
                                                  lhs_batching_dimensions=[0], rhs_batching_dimensions=[0])
    else:
        a, b, props = (8,), (8, 3), dict(lhs_contracting_dimensions=[0], rhs_contracting_dimensions=[0])
    props.setdefault("lhs_batching_dimensions", [])
    props.setdefault("rhs_batching_dimensions", [])
    sa, sb = TensorSpec(a, dt), TensorSpec(b, dt)
    check(one_op("dot_general", [sa, sb], **props), [sample(sa, rng, special=False), sample(sb, rng, special=False)],
          accumulated=True)


def test_iota_and_constants():
    from furcate.ir.builder import GraphBuilder

    b = GraphBuilder()
    x = b.arg(TensorSpec((3, 4), "f32"))
    io = b.op("iota", spec=TensorSpec((3, 4), "f32"), iota_dimension=1)
    c = b.constant(np.array([[1.5], [-2.0], [np.inf]], np.float32))
    cb = b.op("broadcast_in_dim", c, broadcast_dimensions=[0, 1], shape=[3, 4])
    y = b.op("add", b.op("mul", x, io), cb)
    prog = b.finish([y])
    check(prog, [np.arange(12, dtype=np.float32).reshape(3, 4)])
