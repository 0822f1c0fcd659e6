"""NumPy backend: layout, reduction, scan, dot_general and gather/scatter ops."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.dtypes import INT_DTYPES, to_numpy_dtype
from tests.backends.test_numpy_ops import FLOATS, cast, run_op
from tests.tolerance import assert_close

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

ALL = [*FLOATS, *INT_DTYPES, "i1"]
NUMERIC = [*FLOATS, *INT_DTYPES]
RNG = np.random.default_rng(1)


def data(shape, dtype, lo=-3, hi=3):
    if dtype == "i1":
        return RNG.random(shape) < 0.5
    if dtype in INT_DTYPES:
        return RNG.integers(lo, hi + 1, size=shape).astype(to_numpy_dtype(dtype))
    return cast(RNG.uniform(lo, hi, size=shape), dtype)


# --------------------------------------------------------------------------
# layout


@pytest.mark.parametrize("dtype", ALL)
def test_broadcast_in_dim(dtype):
    x = data((3,), dtype)
    got = run_op("broadcast_in_dim", x, broadcast_dimensions=[1], shape=[2, 3])
    np.testing.assert_array_equal(got, np.broadcast_to(x, (2, 3)))
    s = data((), dtype)
    np.testing.assert_array_equal(run_op("broadcast_in_dim", s, broadcast_dimensions=[], shape=[2, 2]),
                                  np.full((2, 2), s))
    c = data((2, 1), dtype)
    got = run_op("broadcast_in_dim", c, broadcast_dimensions=[0, 2], shape=[2, 4, 3])
    np.testing.assert_array_equal(got, np.broadcast_to(c[:, None, :], (2, 4, 3)))
    assert got.flags.writeable and got.flags.c_contiguous
    assert run_op("broadcast_in_dim", c, broadcast_dimensions=[0, 1], shape=[2, 0]).shape == (2, 0)


def test_broadcast_then_add_matches_numpy_broadcasting():
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder
    import furcate

    b = GraphBuilder()
    x, bias = b.arg(TensorSpec((4, 3), "f32")), b.arg(TensorSpec((3,), "f32"))
    y = b.op("add", x, b.op("broadcast_in_dim", bias, broadcast_dimensions=[1], shape=[4, 3]))
    xa, ba = data((4, 3), "f32"), data((3,), "f32")
    (got,) = furcate.compile(b.finish([y]), target="numpy")(xa, ba)
    assert_close(got, xa + ba)


@pytest.mark.parametrize("dtype", ALL)
def test_reshape_transpose_slice_concatenate(dtype):
    x = data((2, 3, 4), dtype)
    np.testing.assert_array_equal(run_op("reshape", x, shape=[6, 4]), x.reshape(6, 4))
    np.testing.assert_array_equal(run_op("transpose", x, permutation=[2, 0, 1]), x.transpose(2, 0, 1))
    got = run_op("slice", x, start_indices=[0, 1, 0], limit_indices=[2, 3, 4], strides=[1, 1, 3])
    np.testing.assert_array_equal(got, x[0:2, 1:3, 0:4:3])
    y, e = data((2, 1, 4), dtype), data((2, 0, 4), dtype)
    np.testing.assert_array_equal(run_op("concatenate", x, e, y, dimension=1), np.concatenate([x, e, y], axis=1))


def test_slice_empty_and_reshape_scalar():
    x = data((3, 4), "f32")
    assert run_op("slice", x, start_indices=[2, 0], limit_indices=[2, 4], strides=[1, 1]).shape == (0, 4)
    assert run_op("reshape", data((1, 1), "i32"), shape=[]).shape == ()


def _pad_ref(x, value, low, high, interior):
    jax = pytest.importorskip("jax")
    return np.asarray(jax.lax.pad(x, value, list(zip(low, high, interior))))


@pytest.mark.parametrize("dtype", ["f32", "i32", "bf16", "i1"])
@pytest.mark.parametrize("low,high,interior", [
    ([1, 0], [2, 1], [0, 0]),
    ([0, 2], [0, 0], [1, 2]),
    ([-1, 1], [1, -2], [0, 1]),
    ([-3, 2], [2, -5], [1, 0]),
    ([-2, 0], [-1, 0], [0, 0]),
])
def test_pad(dtype, low, high, interior):
    x = data((3, 4), dtype)
    v = cast(1 if dtype != "i1" else True, dtype)
    got = run_op("pad", x, v, edge_padding_low=low, edge_padding_high=high, interior_padding=interior)
    np.testing.assert_array_equal(got, _pad_ref(x, v, low, high, interior))


# --------------------------------------------------------------------------
# reduce


@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("kind", ["sum", "max", "min", "prod"])
def test_reduce_numeric(kind, dtype):
    x = data((3, 4, 5), dtype, lo=-2, hi=2)
    ref = {"sum": np.sum, "max": np.max, "min": np.min, "prod": np.prod}[kind]
    for dims in ([1], [0, 2], [0, 1, 2], []):
        got = run_op("reduce", x, kind=kind, dimensions=dims)
        wide = x.astype(np.float64 if dtype in FLOATS else np.int64)
        want = cast(ref(wide, axis=tuple(dims)), dtype) if dtype in FLOATS else ref(wide, axis=tuple(dims)).astype(x.dtype)
        assert_close(got, want, accumulated=True, msg=f"{kind} {dims}")


@pytest.mark.parametrize("dtype", [*INT_DTYPES, "i1"])
@pytest.mark.parametrize("kind", ["and", "or"])
def test_reduce_logical(kind, dtype):
    x = data((4, 6), dtype, lo=-8, hi=8)
    f = {"and": np.bitwise_and, "or": np.bitwise_or}[kind]
    np.testing.assert_array_equal(run_op("reduce", x, kind=kind, dimensions=[1]), f.reduce(x, axis=1))
    np.testing.assert_array_equal(run_op("reduce", x, kind=kind, dimensions=[0, 1]), f.reduce(x.reshape(-1)))


@pytest.mark.parametrize("dtype", [*NUMERIC, "i1"])
def test_reduce_over_empty_dims_gives_identity(dtype):
    x = data((2, 0), dtype)
    kinds = ["and", "or"] if dtype == "i1" else ["sum", "max", "min", "prod"] + (["and", "or"] if dtype in INT_DTYPES else [])
    for kind in kinds:
        got = run_op("reduce", x, kind=kind, dimensions=[1])
        if dtype in FLOATS:
            want = {"sum": 0, "prod": 1, "max": -np.inf, "min": np.inf}[kind]
        elif dtype == "i1":
            want = kind == "and"
        else:
            info = np.iinfo(to_numpy_dtype(dtype))
            want = {"sum": 0, "prod": 1, "max": info.min, "min": info.max, "and": -1, "or": 0}[kind]
        np.testing.assert_array_equal(got, cast([want, want], dtype), err_msg=kind)


@pytest.mark.parametrize("dtype", FLOATS)
def test_reduce_max_min_propagate_nan(dtype):
    x = cast([[1, np.nan, 3], [-np.inf, 2, 0]], dtype)
    for kind in ("max", "min"):
        got = run_op("reduce", x, kind=kind, dimensions=[1]).astype(np.float32)
        assert np.isnan(got[0]) and not np.isnan(got[1]), kind


@pytest.mark.parametrize("dtype", ["f16", "bf16"])
def test_half_sums_accumulate_in_f32(dtype):
    x = cast(np.ones(4096), dtype)  # an f16 running sum would stop at 2048, a bf16 one at 256
    assert float(run_op("reduce", x, kind="sum", dimensions=[0])) == 4096
    assert float(run_op("cumulative", x, kind="sum", dimension=0, reverse=False)[-1]) == 4096


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_integer_sum_and_prod_wrap(dtype):
    info = np.iinfo(to_numpy_dtype(dtype))
    x = cast([info.max, 1, 2], dtype)
    np.testing.assert_array_equal(run_op("reduce", x, kind="sum", dimensions=[0]), cast(info.min + 2, dtype))
    y = cast([info.max, 2], dtype)
    np.testing.assert_array_equal(run_op("reduce", y, kind="prod", dimensions=[0]), cast(-2, dtype))


# --------------------------------------------------------------------------
# argmax / argmin, cumulative


@pytest.mark.parametrize("dtype", NUMERIC)
def test_argmax_argmin_first_index_among_ties(dtype):
    x = cast([[1, 3, 3, 0], [2, 2, -1, -1]], dtype)
    np.testing.assert_array_equal(run_op("argmax", x, dimension=1, index_dtype="i64"), np.array([1, 0]))
    got = run_op("argmin", x, dimension=1, index_dtype="i32")
    np.testing.assert_array_equal(got, np.array([3, 2], np.int32))
    np.testing.assert_array_equal(run_op("argmax", x, dimension=0, index_dtype="i64"), np.array([1, 0, 0, 0]))


@pytest.mark.parametrize("dtype", FLOATS)
def test_argmax_argmin_nan_wins(dtype):
    x = cast([[1, np.nan, 5, np.nan], [np.inf, 0, 1, 2]], dtype)
    np.testing.assert_array_equal(run_op("argmax", x, dimension=1, index_dtype="i64"), [1, 0])
    np.testing.assert_array_equal(run_op("argmin", x, dimension=1, index_dtype="i64"), [1, 1])


@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("kind", ["sum", "prod", "max", "min"])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumulative(kind, dtype, reverse):
    x = data((3, 5), dtype, lo=-2, hi=2)
    scan = {"sum": np.cumsum, "prod": np.cumprod, "max": np.maximum.accumulate, "min": np.minimum.accumulate}[kind]
    wide = x.astype(np.float64 if dtype in FLOATS else np.int64)
    if reverse:
        want = np.flip(scan(np.flip(wide, 1), axis=1), 1)
    else:
        want = scan(wide, axis=1)
    got = run_op("cumulative", x, kind=kind, dimension=1, reverse=reverse)
    assert_close(got, cast(want, dtype), accumulated=True)


def test_cumulative_max_propagates_nan_and_int_sum_wraps():
    x = np.array([1, np.nan, 5, 2], np.float32)
    got = run_op("cumulative", x, kind="max", dimension=0, reverse=False)
    assert got[0] == 1 and np.isnan(got[1:]).all()
    got = run_op("cumulative", x, kind="min", dimension=0, reverse=True)
    assert np.isnan(got[:2]).all() and list(got[2:]) == [2, 2]
    np.testing.assert_array_equal(run_op("cumulative", np.array([127, 1, 1], np.int8), kind="sum", dimension=0,
                                         reverse=False), np.array([127, -128, -127], np.int8))


# --------------------------------------------------------------------------
# dot_general


DOTS = [  # lhs shape, rhs shape, lb, rb, lc, rc, einsum
    ((3, 4), (4, 5), [], [], [1], [0], "mk,kn->mn"),
    ((2, 3, 4), (2, 4, 5), [0], [0], [2], [1], "bmk,bkn->bmn"),
    ((4, 3), (5, 4), [], [], [0], [1], "km,nk->mn"),
    ((2, 3, 4, 5), (5, 2, 4, 6), [0], [1], [2, 3], [2, 0], "bmkl,lbkn->bmn"),
    ((3,), (3,), [], [], [0], [0], "k,k->"),
    ((3, 0), (0, 2), [], [], [1], [0], "mk,kn->mn"),
    ((2, 3), (4,), [], [], [], [], "ab,c->abc"),
]


@pytest.mark.parametrize("dtype", NUMERIC)
@pytest.mark.parametrize("case", range(len(DOTS)))
def test_dot_general(case, dtype):
    ls, rs, lb, rb, lc, rc, spec = DOTS[case]
    x, y = data(ls, dtype), data(rs, dtype)
    got = run_op("dot_general", x, y, lhs_batching_dimensions=lb, rhs_batching_dimensions=rb,
                 lhs_contracting_dimensions=lc, rhs_contracting_dimensions=rc)
    if dtype in FLOATS:
        want = cast(np.einsum(spec, x.astype(np.float64), y.astype(np.float64)), dtype)
    else:
        want = np.einsum(spec, x.astype(np.int64), y.astype(np.int64)).astype(x.dtype)
    assert_close(got, want, accumulated=True)


def test_dot_int_wraps():
    x = np.array([[100, 100]], np.int8)
    got = run_op("dot_general", x, x.T.copy(), lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                 lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    np.testing.assert_array_equal(got, np.array([[np.int64(20000).astype(np.int8)]]))


# --------------------------------------------------------------------------
# gather / scatter


@pytest.mark.parametrize("dtype", ALL)
def test_gather_clamps_indices(dtype):
    x = data((4, 3), dtype)
    ix = np.array([[0, 3], [5, -2]], np.int32)
    got = run_op("gather", x, ix, axis=0)
    np.testing.assert_array_equal(got, x[np.array([[0, 3], [3, 0]])])
    got = run_op("gather", x, np.array([2, 0], np.int64), axis=1)
    np.testing.assert_array_equal(got, x[:, [2, 0]])


@pytest.mark.parametrize("dtype", ["f32", "i64", "bf16"])
def test_gather_along(dtype):
    x = data((3, 5), dtype)
    ix = np.array([[4, 0], [9, 1]], np.int64)  # fewer rows than x: torch.gather semantics
    got = run_op("gather_along", x, ix, axis=1)
    np.testing.assert_array_equal(got, np.take_along_axis(x[:2], np.clip(ix, 0, 4), axis=1))


@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16", "i32", "i8"])
def test_scatter_add_accumulates_duplicates_and_drops_out_of_range(dtype):
    x = data((4, 2), dtype)
    ix = np.array([1, 3, 1, 7, -1], np.int32)
    up = data((5, 2), dtype)
    got = run_op("scatter_add", x, ix, up, axis=0)
    want = x.astype(np.float64 if dtype in FLOATS else np.int64)
    for i, k in enumerate(ix):
        if 0 <= k < 4:
            want[k] += up[i]
    assert_close(got, cast(want, dtype) if dtype in FLOATS else want.astype(x.dtype), accumulated=True)
    got = run_op("scatter_add", x, np.array([[0, 0]], np.int64), data((4, 1, 2), dtype), axis=1)
    assert got.shape == (4, 2)


def test_scatter_add_along():
    x = np.zeros((2, 4), np.float32)
    ix = np.array([[0, 0, 3], [1, 9, 2]], np.int64)
    up = np.array([[1, 2, 3], [4, 5, 6]], np.float32)
    got = run_op("scatter_add_along", x, ix, up, axis=1)
    np.testing.assert_array_equal(got, np.array([[3, 0, 0, 3], [0, 4, 6, 0]], np.float32))


def test_gather_with_narrow_index_dtype_into_a_long_axis():
    x = np.arange(300, dtype=np.float32)
    ix = np.array([-128, 0, 127, 5], np.int8)
    np.testing.assert_array_equal(run_op("gather", x, ix, axis=0), np.array([0, 0, 127, 5], np.float32))
    got = run_op("scatter_add", np.zeros(300, np.float32), ix, np.ones(4, np.float32), axis=0)
    assert got.sum() == 3 and got[127] == 1 and got[0] == 1
