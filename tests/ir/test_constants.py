"""Bit-exact round-trip of ``furcate.constant`` through IR text (DESIGN.md, Numerics):
±inf, NaN payloads, -0.0, denormals, f16/bf16 extremes, integer extremes, splats,
empty and rank-0 tensors; and clear, located errors for malformed constants."""

from __future__ import annotations

import re

import ml_dtypes
import numpy as np
import pytest

from furcate.ir.builder import GraphBuilder
from furcate.ir.dialect import ConstantOp
from furcate.ir.program import IRError, parse_program

BF16 = ml_dtypes.bfloat16
_UINT = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def from_bits(bits, dtype) -> np.ndarray:
    """An array of ``dtype`` whose elements have the given raw bit patterns."""
    dt = np.dtype(dtype)
    return np.array(bits, dtype=_UINT[dt.itemsize]).view(dt)


def constant_text(arr: np.ndarray) -> str:
    """IR text of a program returning ``arr`` as an inline furcate.constant."""
    b = GraphBuilder(freeze=True)
    prog = b.finish([b.constant(arr)])
    return prog.text()


def parsed_constant(text: str) -> np.ndarray:
    prog = parse_program(text)
    (op,) = [op for op in prog.func.body.walk() if isinstance(op, ConstantOp)]
    return op.numpy()


def assert_same_bits(got: np.ndarray, want: np.ndarray) -> None:
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.tobytes() == want.tobytes(), f"bits differ:\n got  {got.tobytes().hex()}\n want {want.tobytes().hex()}"


def roundtrip(arr: np.ndarray) -> str:
    """print -> parse -> bytes identical, and print -> parse -> print identical."""
    text = constant_text(arr)
    assert_same_bits(parsed_constant(text), arr)
    assert parse_program(text).text() == text
    return text


F32 = {
    "inf": 0x7F800000,
    "-inf": 0xFF800000,
    "nan": 0x7FC00000,
    "nan_payload": 0x7FC00001,
    "neg_nan": 0xFFC00000,
    "signaling_nan": 0x7F800001,
    "neg_zero": 0x80000000,
    "min_denormal": 0x00000001,
    "max_denormal": 0x007FFFFF,
    "min_normal": 0x00800000,
    "max": 0x7F7FFFFF,
    "lowest": 0xFF7FFFFF,
    "one_third": 0x3EAAAAAB,
    "tenth": 0x3DCCCCCD,
}
F16 = {
    "inf": 0x7C00,
    "-inf": 0xFC00,
    "nan": 0x7E00,
    "nan_payload": 0x7E01,
    "neg_nan": 0xFE00,
    "neg_zero": 0x8000,
    "min_denormal": 0x0001,
    "max_denormal": 0x03FF,
    "min_normal": 0x0400,
    "max": 0x7BFF,
    "lowest": 0xFBFF,
    "tenth": 0x2E66,
}
BF16_BITS = {
    "inf": 0x7F80,
    "-inf": 0xFF80,
    "nan": 0x7FC0,
    "nan_payload": 0x7FC1,
    "neg_nan": 0xFFC0,
    "neg_zero": 0x8000,
    "tiny_denormal": 0x0001,
    "max_denormal": 0x007F,
    "min_normal": 0x0080,
    "max": 0x7F7F,
    "lowest": 0xFF7F,
    "tenth": 0x3DCD,
}
F64 = {
    "inf": 0x7FF0000000000000,
    "-inf": 0xFFF0000000000000,
    "nan": 0x7FF8000000000000,
    "nan_payload": 0x7FF8000000000001,
    "neg_nan": 0xFFF8000000000000,
    "neg_zero": 0x8000000000000000,
    "min_denormal": 0x0000000000000001,
    "min_normal": 0x0010000000000000,
    "max": 0x7FEFFFFFFFFFFFFF,
    "lowest": 0xFFEFFFFFFFFFFFFF,
    "tenth": 0x3FB999999999999A,
    "pi": 0x400921FB54442D18,
}
FLOAT_TABLES = [("f32", np.float32, F32), ("f16", np.float16, F16), ("bf16", BF16, BF16_BITS), ("f64", np.float64, F64)]


@pytest.mark.parametrize(
    "dtype,name,bits",
    [(dt, name, bits) for _, dt, table in FLOAT_TABLES for name, bits in table.items()],
    ids=[f"{n}-{name}" for n, _, table in FLOAT_TABLES for name in table],
)
def test_float_special_values_scalar(dtype, name, bits):
    arr = from_bits(bits, dtype).reshape(())
    roundtrip(arr)


@pytest.mark.parametrize("name,dtype,table", FLOAT_TABLES, ids=[t[0] for t in FLOAT_TABLES])
def test_float_special_values_in_one_tensor(name, dtype, table):
    arr = from_bits(list(table.values()), dtype)
    text = roundtrip(arr)
    assert "-0.0" in text and "-inf" in text and "nan" in text
    # a non-canonical NaN is printed as its bit pattern, never as "nan"
    width = np.dtype(dtype).itemsize * 2
    assert f"0x{table['nan_payload']:0{width}X}" in text
    assert f"0x{table['neg_nan']:0{width}X}" in text


def test_printed_forms_are_readable():
    text = constant_text(np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 1e-45], np.float32))
    assert "dense<[0.1, -0.0, inf, -inf, nan, 1.0e-45]>" in text
    assert "dense<[true, false]>" in constant_text(np.array([True, False]))


INT_CASES = [
    ("i8", np.array([-128, 127, -1, 0, 1], np.int8)),
    ("i32", np.array([np.iinfo(np.int32).min, np.iinfo(np.int32).max, -1, 0], np.int32)),
    ("i64", np.array([np.iinfo(np.int64).min, np.iinfo(np.int64).max, -1, 0], np.int64)),
    ("i1", np.array([[True, False], [False, True]])),
]


@pytest.mark.parametrize("arr", [c[1] for c in INT_CASES], ids=[c[0] for c in INT_CASES])
def test_integer_extremes(arr):
    text = roundtrip(arr)
    if arr.dtype != np.bool_:
        assert str(int(arr.min())) in text and str(int(arr.max())) in text


SPLATS = [
    np.full((3, 4), -0.0, np.float32),
    np.full((2, 2), from_bits(0x7FC00001, np.float32)[()]),
    np.full((5,), -np.inf, np.float16),
    np.full((2, 3), from_bits(0x0001, BF16)[()]),
    np.full((4,), np.iinfo(np.int64).min, np.int64),
    np.full((2, 2, 2), True),
]


@pytest.mark.parametrize("arr", SPLATS, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_splats(arr):
    text = roundtrip(arr)
    assert re.search(r"dense<[^\[\]]+>", text), text  # printed as one value


def test_splat_is_only_used_for_bit_identical_elements():
    # 0.0 and -0.0 compare equal but differ in bits: not a splat
    arr = np.array([0.0, -0.0, 0.0], np.float32)
    text = roundtrip(arr)
    assert "dense<[0.0, -0.0, 0.0]>" in text
    nan_mix = from_bits([0x7FC00000, 0x7FC00001], np.float32)
    roundtrip(nan_mix)


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)])
@pytest.mark.parametrize("dtype", [np.float32, BF16, np.int64, np.bool_])
def test_empty_tensors(shape, dtype):
    roundtrip(np.zeros(shape, dtype))


@pytest.mark.parametrize(
    "arr",
    [np.array(-np.inf, np.float32), np.array(np.iinfo(np.int64).min), np.array(False), from_bits(0xFF7F, BF16).reshape(())],
    ids=["f32", "i64", "i1", "bf16"],
)
def test_rank0(arr):
    roundtrip(arr)


def test_random_bit_patterns_roundtrip():
    """Every bit pattern is a valid float: random ones (incl. NaN payloads) round-trip."""
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float16, BF16, np.float64):
        n = np.dtype(dtype).itemsize
        raw = rng.integers(0, 256, size=(8, 6 * n), dtype=np.uint8)
        roundtrip(raw.view(dtype).reshape(8, 6))


def module(const: str) -> str:
    """A handwritten program returning one constant (line 3 holds the constant)."""
    ty = const.rsplit(":", 1)[1].strip()
    return (
        "builtin.module {\n"
        f"  func.func @main() -> {ty} {{\n"
        f"    %0 = furcate.constant {const}\n"
        f"    func.return %0 : {ty}\n"
        "  }\n"
        "}\n"
    )


@pytest.mark.parametrize(
    "const,want",
    [
        ("dense<[inf, -inf, -0.0]> : tensor<3xf32>", from_bits([0x7F800000, 0xFF800000, 0x80000000], np.float32)),
        ("dense<0xFFC00000> : tensor<f32>", from_bits(0xFFC00000, np.float32).reshape(())),
        ("dense<0x7E01> : tensor<2xf16>", from_bits([0x7E01, 0x7E01], np.float16)),
        ("dense<[1.0e-45, 1.4e-45]> : tensor<2xf32>", from_bits([1, 1], np.float32)),
        ("dense<[65504.0, 6.0e-08]> : tensor<2xf16>", from_bits([0x7BFF, 0x0001], np.float16)),
        ("dense<3.3895314e38> : tensor<bf16>", from_bits(0x7F7F, BF16).reshape(())),
        ("dense<[[1, 2], [3, 4]]> : tensor<2x2xi8>", np.array([[1, 2], [3, 4]], np.int8)),
        ("dense<-9223372036854775808> : tensor<i64>", np.array(np.iinfo(np.int64).min)),
        ("dense<[]> : tensor<0xf32>", np.zeros((0,), np.float32)),
        ("dense<[[], []]> : tensor<2x0xi32>", np.zeros((2, 0), np.int32)),
        ("dense<true> : tensor<2xi1>", np.array([True, True])),
        ("dense<2> : tensor<2xf64>", np.array([2.0, 2.0])),
    ],
)
def test_parse_handwritten(const, want):
    assert_same_bits(parsed_constant(module(const)), want)


@pytest.mark.parametrize(
    "const,reason",
    [
        ("dense<[1.0, 2.0]> : tensor<3xf32>", "does not match the shape"),
        ("dense<[[1.0, 2.0, 3.0]]> : tensor<3xf32>", "does not match the shape"),
        ("dense<[1.0, 2.0, 3.0]> : tensor<1x3xf32>", "does not match the shape"),
        ("dense<128> : tensor<i8>", "does not fit in i8"),
        ("dense<[0, -129]> : tensor<2xi8>", "does not fit in i8"),
        ("dense<2147483648> : tensor<i32>", "does not fit in i32"),
        ("dense<9223372036854775808> : tensor<i64>", "does not fit in i64"),
        ("dense<1.5> : tensor<i32>", "bad i32 constant element"),
        ("dense<[1.0, foo]> : tensor<2xf32>", "bad f32 constant element 'foo'"),
        ("dense<[1.0, @x]> : tensor<2xf32>", "expected a constant element"),
        ("dense<0x1FFFF> : tensor<f16>", "too wide for f16"),
        ("dense<-0x7FC00000> : tensor<f32>", "cannot be negated"),
        ("dense<maybe> : tensor<i1>", "bad i1 constant element"),
        ("dense<[1, 2> : tensor<2xi32>", "']'"),
    ],
)
def test_malformed_constant_is_a_located_error(const, reason):
    with pytest.raises(IRError) as info:
        parse_program(module(const))
    msg = str(info.value)
    assert reason in msg, msg
    m = re.search(r"<input>:(\d+):(\d+)", msg)
    assert m, f"no line:column in {msg!r}"
    assert m.group(1) == "3"  # the constant's line
    col = int(m.group(2))
    assert col >= len("    %0 = furcate.constant ")  # points into the value, not the line start


def test_error_column_points_at_the_bad_element():
    with pytest.raises(IRError) as info:
        parse_program(module("dense<[1.0, 2.0, foo]> : tensor<3xf32>"))
    msg = str(info.value)
    line = "    %0 = furcate.constant dense<[1.0, 2.0, foo]> : tensor<3xf32>"
    assert f"<input>:3:{line.index('foo') + 1}" in msg, msg


def test_constant_with_wrong_byte_count_fails_verification():
    from xdsl.dialects.builtin import BytesAttr

    b = GraphBuilder(freeze=True)
    c = b.constant(np.zeros(3, np.float32))
    prog = b.finish([c])
    op = next(o for o in prog.func.body.walk() if isinstance(o, ConstantOp))
    op.properties["value"] = BytesAttr(b"\0" * 8)
    with pytest.raises(IRError, match=r"furcate.constant: holds 8 bytes, f32\[3\] needs 12"):
        prog.verify()
