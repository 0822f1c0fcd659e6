"""NumPy backend: elementwise ops, every dtype, against NumPy / math references.

``run_op`` builds a one-op program with GraphBuilder, compiles it with
``furcate.compile(..., target="numpy")`` and checks ``evaluate_op`` agrees.
f16/bf16 results are compared with the f32 computation rounded to the dtype.
"""

from __future__ import annotations

import math

import ml_dtypes
import numpy as np
import pytest

import furcate
from furcate.backends.numpy import evaluate_op
from furcate.dtypes import INT_DTYPES, TensorSpec, from_numpy_dtype, to_numpy_dtype
from furcate.ir.builder import GraphBuilder
from tests.tolerance import assert_close

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")  # the reference never warns

FLOATS = ["f32", "f64", "f16", "bf16"]
BF16 = ml_dtypes.bfloat16


def run_op(opname: str, *arrays, **props) -> np.ndarray:
    """Compile and run a one-op program on ``arrays``; also check ``evaluate_op`` agrees."""
    arrays = [np.asarray(a) for a in arrays]
    b = GraphBuilder()
    args = [b.arg(TensorSpec(a.shape, from_numpy_dtype(a.dtype))) for a in arrays]
    out = b.op(opname, *args, **props)
    op = out.owner
    direct = evaluate_op(op, arrays)
    prog = b.finish([out])
    (result,) = furcate.compile(prog, target="numpy")(*arrays)
    np.testing.assert_array_equal(direct[0].reshape(-1).view(np.uint8), result.reshape(-1).view(np.uint8))
    assert result.flags.c_contiguous
    return result


def cast(x, dtype: str) -> np.ndarray:
    with np.errstate(all="ignore"):  # test data may overflow f16 on purpose
        return np.asarray(x).astype(to_numpy_dtype(dtype))


def ref_in_f32(fn, dtype: str, *arrays):
    """The reference result: computed in f64 (f32 for f16/bf16 inputs), rounded to ``dtype``."""
    ct = np.float64 if dtype == "f64" else np.float32
    with np.errstate(all="ignore"):
        return cast(fn(*[a.astype(ct) for a in arrays]), dtype)


def signbit(x) -> np.ndarray:
    return np.signbit(np.asarray(x).astype(np.float64))


# --------------------------------------------------------------------------
# unary float ops

_RNG = np.random.default_rng(0)
_ANY = _RNG.uniform(-3, 3, size=(3, 5))
_POS = _RNG.uniform(0.1, 4, size=(3, 5))

# op -> NumPy reference, on data anywhere in [-3, 3] / on positive data only
_ON_ANY = {"neg": np.negative, "abs": np.abs, "exp": np.exp, "expm1": np.expm1, "tanh": np.tanh,
           "logistic": lambda x: 1 / (1 + np.exp(-x)), "erf": np.vectorize(math.erf), "sin": np.sin,
           "cos": np.cos, "floor": np.floor, "ceil": np.ceil, "round_nearest_even": np.rint, "sign": np.sign}
_ON_POS = {"log": np.log, "log1p": np.log1p, "sqrt": np.sqrt, "rsqrt": lambda x: 1 / np.sqrt(x)}
UNARY = {**{name: (fn, _ANY) for name, fn in _ON_ANY.items()}, **{name: (fn, _POS) for name, fn in _ON_POS.items()}}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_float(name, dtype):
    fn, data = UNARY[name]
    x = cast(data, dtype)
    assert_close(run_op(name, x), ref_in_f32(fn, dtype, x), msg=name)


def test_unary_special_values():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e30, -1e30], np.float32)
    assert_close(run_op("exp", x), np.array([np.nan, np.inf, 0, 1, 1, np.inf, 0], np.float32))
    assert_close(run_op("tanh", x), np.array([np.nan, 1, -1, 0, -0.0, 1, -1], np.float32))
    assert_close(run_op("logistic", x), np.array([np.nan, 1, 0, 0.5, 0.5, 1, 0], np.float32))
    assert_close(run_op("log", x), np.array([np.nan, np.inf, np.nan, -np.inf, -np.inf, 69.07755, np.nan], np.float32))
    assert_close(run_op("rsqrt", x)[1:5], np.array([0, np.nan, np.inf, -np.inf], np.float32))
    assert_close(run_op("erf", x), np.array([np.nan, 1, -1, 0, -0.0, 1, -1], np.float32))


def test_logistic_is_stable_for_large_magnitudes():
    x = np.array([-200.0, -80.0, 80.0, 200.0], np.float32)
    got = run_op("logistic", x)
    assert got[0] == 0 and got[3] == 1
    assert_close(got[1:3], np.array([1.8048513e-35, 1.0], np.float32))


@pytest.mark.parametrize("dtype", FLOATS)
def test_round_half_away_from_zero(dtype):
    vals = [0.5, -0.5, 1.5, 2.5, -2.5, -0.3, 0.3, 1e30, -7.0, np.inf, -np.inf, np.nan]
    want = [1.0, -1.0, 2.0, 3.0, -3.0, -0.0, 0.0, 1e30, -7.0, np.inf, -np.inf, np.nan]
    x = cast(vals, dtype)
    got = run_op("round_nearest_afz", x)
    assert_close(got, cast(want, dtype))
    np.testing.assert_array_equal(signbit(got[:-1]), signbit(cast(want, dtype)[:-1]))


def test_round_afz_just_below_half_and_large_values():
    x = np.array([np.nextafter(np.float32(0.5), np.float32(0)), 8388609.0, -8388609.0, 4503599627370497.0], np.float32)
    np.testing.assert_array_equal(run_op("round_nearest_afz", x), np.array([0, 8388609, -8388609, 4503599627370497], np.float32))
    y = np.array([0.49999999999999994, 4503599627370497.0], np.float64)
    np.testing.assert_array_equal(run_op("round_nearest_afz", y), np.array([0.0, 4503599627370497.0]))


def test_round_nearest_even_ties():
    got = run_op("round_nearest_even", np.array([0.5, 1.5, 2.5, -0.5, -2.5], np.float32))
    np.testing.assert_array_equal(got, np.array([0, 2, 2, -0.0, -2], np.float32))
    assert signbit(got[3])


@pytest.mark.parametrize("dtype", FLOATS)
def test_sign_keeps_negative_zero_and_nan(dtype):
    got = run_op("sign", cast([-0.0, 0.0, -3.0, 2.0, np.nan, -np.inf], dtype))
    assert_close(got, cast([-0.0, 0.0, -1.0, 1.0, np.nan, -1.0], dtype))
    np.testing.assert_array_equal(signbit(got[:2]), [True, False])


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_unary_wraps(dtype):
    info = np.iinfo(to_numpy_dtype(dtype))
    x = cast([info.min, -5, 0, 7, info.max], dtype)
    np.testing.assert_array_equal(run_op("neg", x), cast([info.min, 5, 0, -7, -info.max], dtype))
    np.testing.assert_array_equal(run_op("abs", x), cast([info.min, 5, 0, 7, info.max], dtype))
    np.testing.assert_array_equal(run_op("sign", x), cast([-1, -1, 0, 1, 1], dtype))
    np.testing.assert_array_equal(run_op("not", x), cast([info.max, 4, -1, -8, info.min], dtype))


def test_not_and_logic_on_bool():
    p = np.array([True, True, False, False])
    q = np.array([True, False, True, False])
    np.testing.assert_array_equal(run_op("not", p), ~p)
    np.testing.assert_array_equal(run_op("and", p, q), p & q)
    np.testing.assert_array_equal(run_op("or", p, q), p | q)
    np.testing.assert_array_equal(run_op("xor", p, q), p ^ q)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_bitwise_on_ints(dtype):
    x, y = cast([-1, 5, 12, -128], dtype), cast([3, -6, 10, 127], dtype)
    np.testing.assert_array_equal(run_op("and", x, y), x & y)
    np.testing.assert_array_equal(run_op("or", x, y), x | y)
    np.testing.assert_array_equal(run_op("xor", x, y), x ^ y)


@pytest.mark.parametrize("dtype", FLOATS)
def test_is_finite(dtype):
    x = cast([1.0, np.inf, -np.inf, np.nan, -0.0, 65504], dtype)
    np.testing.assert_array_equal(run_op("is_finite", x), [True, False, False, False, True, True])


# --------------------------------------------------------------------------
# binary ops

_A = _RNG.uniform(-4, 4, size=(2, 6))
_B = _RNG.uniform(0.5, 3, size=(2, 6)) * np.where(_RNG.random((2, 6)) < 0.5, -1, 1)

BINARY = {
    "add": np.add,
    "sub": np.subtract,
    "mul": np.multiply,
    "div": np.divide,
    "rem": np.fmod,
    "max": np.maximum,
    "min": np.minimum,
    "atan2": np.arctan2,
    "hypot": np.hypot,
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_float(name, dtype):
    x, y = cast(_A, dtype), cast(_B, dtype)
    assert_close(run_op(name, x, y), ref_in_f32(BINARY[name], dtype, x, y), msg=name)


@pytest.mark.parametrize("dtype", FLOATS)
def test_pow_float(dtype):
    x, y = cast(np.abs(_A) + 0.1, dtype), cast(_B, dtype)
    assert_close(run_op("pow", x, y), ref_in_f32(np.power, dtype, x, y))
    special = run_op("pow", cast([-8.0, 0.0, np.nan, 2.0], dtype), cast([1 / 3, -1.0, 0.0, np.inf], dtype))
    assert_close(special, cast([np.nan, np.inf, 1.0, np.inf], dtype))


def test_f16_binary_rounds_once_per_op():
    x = np.array([2048.0, 0.1, 65504.0], np.float16)
    y = np.array([1.0, 0.2, 65504.0], np.float16)
    got = run_op("add", x, y)
    np.testing.assert_array_equal(got, cast(x.astype(np.float32) + y.astype(np.float32), "f16"))
    assert got[2] == np.inf


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_propagate_nan(name, dtype):
    x = cast([np.nan, 1.0, np.nan, -np.inf, 0.0], dtype)
    y = cast([1.0, np.nan, np.nan, 5.0, -0.0], dtype)
    got = run_op(name, x, y)
    assert np.isnan(got[:3].astype(np.float32)).all()
    assert float(got[3]) == (5.0 if name == "max" else -np.inf)


@pytest.mark.parametrize("dtype", FLOATS)
def test_rem_has_dividend_sign(dtype):
    got = run_op("rem", cast([5.5, -5.5, 5.5, -5.5, 1.0, np.inf], dtype), cast([2, 2, -2, -2, 0, 1], dtype))
    assert_close(got, cast([1.5, -1.5, 1.5, -1.5, np.nan, np.nan], dtype))


def _trunc_div(a: int, b: int, bits: int) -> int:
    lo = -(2 ** (bits - 1))
    if b == 0:
        return -1
    if a == lo and b == -1:
        return lo
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _trunc_rem(a: int, b: int, bits: int) -> int:
    if b == 0:
        return a
    if a == -(2 ** (bits - 1)) and b == -1:
        return 0
    return a - _trunc_div(a, b, bits) * b


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_div_rem_truncate_and_never_trap(dtype):
    bits = int(dtype[1:])
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    pairs = [(7, 2), (-7, 2), (7, -2), (-7, -2), (6, 3), (5, 0), (-5, 0), (0, 0), (lo, -1), (lo, 1), (hi, -1),
             (lo, 0), (lo, 7), (hi, lo), (1, hi), (-1, 2)]
    x = cast([a for a, _ in pairs], dtype)
    y = cast([b for _, b in pairs], dtype)
    np.testing.assert_array_equal(run_op("div", x, y), cast([_trunc_div(a, b, bits) for a, b in pairs], dtype))
    np.testing.assert_array_equal(run_op("rem", x, y), cast([_trunc_rem(a, b, bits) for a, b in pairs], dtype))


def _wrap(v: int, bits: int) -> int:
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >= 1 << (bits - 1) else v


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_add_sub_mul_wrap(dtype):
    bits = int(dtype[1:])
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    xs, ys = [hi, lo, hi, lo, 3, -100], [1, -1, hi, lo, 5, 77]
    x, y = cast(xs, dtype), cast(ys, dtype)
    for name, f in [("add", lambda a, b: a + b), ("sub", lambda a, b: a - b), ("mul", lambda a, b: a * b)]:
        want = cast([_wrap(f(a, b), bits) for a, b in zip(xs, ys)], dtype)
        np.testing.assert_array_equal(run_op(name, x, y), want, err_msg=name)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_max_min(dtype):
    x, y = cast([1, -5, 100, 0], dtype), cast([2, -6, 100, -1], dtype)
    np.testing.assert_array_equal(run_op("max", x, y), np.maximum(x, y))
    np.testing.assert_array_equal(run_op("min", x, y), np.minimum(x, y))


def _int_pow(a: int, e: int, bits: int) -> int:
    if e < 0:
        return 1 if a == 1 else ((-1) ** (-e) if a == -1 else 0)
    return _wrap(a**e, bits)


@pytest.mark.parametrize("dtype", INT_DTYPES)
def test_int_pow_wraps_and_negative_exponents(dtype):
    bits = int(dtype[1:])
    pairs = [(2, 3), (-3, 3), (2, bits), (3, 40), (5, 0), (0, 0), (1, -4), (-1, -3), (-1, -2), (2, -1), (0, -1),
             (-7, 1)]
    x, y = cast([a for a, _ in pairs], dtype), cast([e for _, e in pairs], dtype)
    np.testing.assert_array_equal(run_op("pow", x, y), cast([_int_pow(a, e, bits) for a, e in pairs], dtype))


# --------------------------------------------------------------------------
# compare, select, clamp


@pytest.mark.parametrize("dtype", [*FLOATS, *INT_DTYPES, "i1"])
@pytest.mark.parametrize("direction", ["EQ", "NE", "LT", "LE", "GT", "GE"])
def test_compare(direction, dtype):
    x, y = cast([0, 1, 1, 0, 1, 0], dtype), cast([0, 0, 1, 1, 1, 1], dtype)
    f = {"EQ": np.equal, "NE": np.not_equal, "LT": np.less, "LE": np.less_equal, "GT": np.greater,
         "GE": np.greater_equal}[direction]
    np.testing.assert_array_equal(run_op("compare", x, y, comparison_direction=direction), f(x, y))


@pytest.mark.parametrize("dtype", FLOATS)
def test_compare_nan_is_unordered(dtype):
    x, y = cast([np.nan, np.nan, 1.0], dtype), cast([np.nan, 1.0, np.nan], dtype)
    for direction in ["EQ", "LT", "LE", "GT", "GE"]:
        assert not run_op("compare", x, y, comparison_direction=direction).any(), direction
    assert run_op("compare", x, y, comparison_direction="NE").all()


@pytest.mark.parametrize("dtype", [*FLOATS, *INT_DTYPES, "i1"])
def test_select(dtype):
    p = np.array([True, False, True, False])
    x, y = cast([1, 2, 3, 4], dtype), cast([0, 0, 1, 0], dtype)
    np.testing.assert_array_equal(run_op("select", p, x, y), np.where(p, x, y))


@pytest.mark.parametrize("dtype", [*FLOATS, *INT_DTYPES])
def test_clamp(dtype):
    lo, x, hi = cast([0, 0, 0, 2, -1], dtype), cast([-5, 3, 10, 1, 0], dtype), cast([5, 5, 5, 1, 1], dtype)
    np.testing.assert_array_equal(run_op("clamp", lo, x, hi), cast([0, 3, 5, 1, 0], dtype))


def test_clamp_propagates_nan():
    nan = np.nan
    got = run_op("clamp", np.array([0, nan, 0], np.float32), np.array([nan, 1, 1], np.float32),
                 np.array([1, 2, nan], np.float32))
    assert np.isnan(got).all()


# --------------------------------------------------------------------------
# convert and iota


@pytest.mark.parametrize("src", FLOATS)
@pytest.mark.parametrize("dst", INT_DTYPES)
def test_convert_float_to_int_truncates_and_saturates(src, dst):
    info = np.iinfo(to_numpy_dtype(dst))
    vals = [2.7, -2.7, 0.5, -0.0, np.nan, np.inf, -np.inf, 1e30, -1e30, 100.0]
    want = [2, -2, 0, 0, 0, info.max, info.min, info.max, info.min, 100]
    np.testing.assert_array_equal(run_op("convert", cast(vals, src), dtype=dst), cast(want, dst))


def test_convert_saturates_at_type_edges():
    x = np.array([2147483520.0, 2147483648.0, -2147483648.0, -2147483904.0], np.float32)
    np.testing.assert_array_equal(run_op("convert", x, dtype="i32"),
                                  np.array([2147483520, 2147483647, -2147483648, -2147483648], np.int32))
    y = np.array([127.9, 128.0, -128.9, -129.0], np.float64)
    np.testing.assert_array_equal(run_op("convert", y, dtype="i8"), np.array([127, 127, -128, -128], np.int8))
    z = np.array([2.0**63, -(2.0**63), np.nextafter(np.float32(2.0**63), np.float32(0))], np.float32)
    np.testing.assert_array_equal(run_op("convert", z, dtype="i64"),
                                  np.array([2**63 - 1, -(2**63), 2**63 - 2**39], np.int64))


@pytest.mark.parametrize("src", [*FLOATS, *INT_DTYPES, "i1"])
def test_convert_to_bool_is_nonzero(src):
    vals = [0, 1, -3, 0] if src not in FLOATS else [0.0, 0.1, np.nan, -0.0]
    np.testing.assert_array_equal(run_op("convert", cast(vals, src), dtype="i1"), [False, True, True, False])


@pytest.mark.parametrize("dst", [*FLOATS, *INT_DTYPES])
def test_convert_bool_to_number(dst):
    np.testing.assert_array_equal(run_op("convert", np.array([True, False]), dtype=dst), cast([1, 0], dst))


def test_convert_int_wraps_and_float_rounds_to_nearest_even():
    np.testing.assert_array_equal(run_op("convert", np.array([300, -129, 127], np.int32), dtype="i8"),
                                  np.array([44, 127, 127], np.int8))
    # 1 + 2**-8 is halfway between two bf16 values: ties to even (1.0); 1 + 3*2**-9 rounds up
    x = np.array([1 + 2**-8, 1 + 3 * 2**-9, 1 + 2**-7 + 2**-8, 3.4e38, np.nan], np.float32)
    got = run_op("convert", x, dtype="bf16")
    assert_close(got, np.array([1.0, 1 + 2**-7, 1 + 2**-6, 3.4e38, np.nan]).astype(BF16), rtol=0, atol=0)
    np.testing.assert_array_equal(run_op("convert", np.array([70000.0, 1e-8], np.float32), dtype="f16"),
                                  np.array([np.inf, 0], np.float16))


@pytest.mark.parametrize("src", FLOATS)
@pytest.mark.parametrize("dst", FLOATS)
def test_convert_between_floats(src, dst):
    x = cast([0.1, -2.5, 1e4, np.inf, -0.0], src)
    assert_close(run_op("convert", x, dtype=dst), x.astype(np.float64).astype(np.float32).astype(to_numpy_dtype(dst))
                 if "f64" not in (src, dst) else x.astype(to_numpy_dtype(dst)), rtol=0, atol=0)


@pytest.mark.parametrize("dtype", [*FLOATS, *INT_DTYPES])
def test_iota(dtype):
    b = GraphBuilder()
    out = b.op("iota", spec=TensorSpec((2, 3), dtype), iota_dimension=1)
    exe = furcate.compile(b.finish([out]), target="numpy")
    (got,) = exe()
    np.testing.assert_array_equal(got, cast([[0, 1, 2], [0, 1, 2]], dtype))
    assert got.dtype == to_numpy_dtype(dtype)
    got[:] = cast(5, dtype)  # a fresh, writeable buffer: the next call is unaffected
    np.testing.assert_array_equal(exe()[0], cast([[0, 1, 2], [0, 1, 2]], dtype))
    b = GraphBuilder()
    out = b.op("iota", spec=TensorSpec((3,), dtype), iota_dimension=0)
    np.testing.assert_array_equal(evaluate_op(out.owner, [])[0], cast([0, 1, 2], dtype))


def test_empty_and_size_one_shapes():
    e = np.zeros((0, 3), np.float32)
    assert run_op("exp", e).shape == (0, 3)
    assert run_op("add", e, e).shape == (0, 3)
    s = np.array(2.0, np.float32)
    got = run_op("mul", s, s)
    assert got.shape == () and got == 4.0
    np.testing.assert_array_equal(run_op("div", np.array([[7]], np.int8), np.array([[0]], np.int8)), [[-1]])


# hypot: the op table's entry (ir/op_table.py), on every backend that runs here
HYPOT_X = [3.0, 0.0, -0.0, 1e30, 1e-30, np.inf, -np.inf, np.nan, np.nan, 5.0, -7.5, 3e38]
HYPOT_Y = [4.0, 0.0, 2.0, 1e30, 1e-30, np.nan, 1.0, np.inf, 1.0, -12.0, 0.0, 3e38]


@pytest.mark.parametrize("target", ["numpy", "c", "xla", "triton"])
@pytest.mark.parametrize("dtype", ["f32", "f64", "f16", "bf16"])
def test_hypot_edge_values_on_every_backend(target, dtype, monkeypatch):
    """No overflow (1e30, 3e38 in f32), no underflow (1e-30), inf beats NaN, signed zeros."""
    from furcate.backends import BackendUnavailable, get_backend
    from furcate.compiler import compile_program
    from furcate.dtypes import TensorSpec
    from furcate.ir.builder import GraphBuilder

    if target == "triton":
        monkeypatch.setenv("TRITON_INTERPRET", "1")
    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"{target}: {e}")
    x, y = cast(np.array(HYPOT_X), dtype), cast(np.array(HYPOT_Y), dtype)
    b = GraphBuilder("hypot")
    s = TensorSpec(x.shape, dtype)
    b_x, b_y = b.arg(s, "x"), b.arg(s, "y")
    prog = b.finish([b.op("hypot", b_x, b_y)])
    with np.errstate(all="ignore"):  # the Triton interpreter's NumPy warns on lanes where() drops
        (got,) = compile_program(prog, target)(x, y)
    want = ref_in_f32(np.hypot, dtype, x, y)
    assert_close(np.asarray(got), want, msg=f"hypot {target} {dtype}")
    assert np.isinf(np.asarray(got, np.float64)[5:8]).all()  # inf with NaN or finite: +inf
