"""furcate's constant syntax: ``dense<...>`` that round-trips bit-exactly.

xDSL 0.74 prints non-finite floats as hex and misreads them on parse, so
``furcate.constant`` prints its own value syntax:

- floats in the shortest decimal form that reads back to the same value
  (``0.1``, ``-0.0``, ``1e-45`` for a f32 denormal); ``inf``, ``-inf``;
  ``nan`` for the canonical quiet NaN, and any other NaN as its bit pattern
  ``0x7FC00001`` (a hex literal in a float constant is always a bit pattern);
- integers in decimal; i1 as ``true`` / ``false``;
- nested brackets by shape (``[[1, 2], [3, 4]]``), or one value when all
  elements are equal (a splat), ``[]`` for empty tensors.
"""

from __future__ import annotations

import math

import numpy as np

from furcate.ir.types import TensorSpec, from_numpy_dtype, is_float, spec_of_type, to_numpy_dtype

_UINT = {2: np.uint16, 4: np.uint32, 8: np.uint64}


def array_to_bytes(array, dtype: str | None = None) -> tuple[bytes, TensorSpec]:
    arr = np.asarray(array)
    if dtype is not None:
        arr = arr.astype(to_numpy_dtype(dtype))
    spec = TensorSpec(arr.shape, from_numpy_dtype(arr.dtype))
    return np.ascontiguousarray(arr).astype(arr.dtype.newbyteorder("<")).tobytes(), spec


def bytes_to_array(data: bytes, spec: TensorSpec) -> np.ndarray:
    dt = spec.np_dtype
    arr = np.frombuffer(data, dtype=dt.newbyteorder("<") if dt.itemsize > 1 else dt)
    return arr.astype(dt).reshape(spec.shape)


def _canonical_nan_bits(dt: np.dtype) -> int:
    return int(np.array(np.nan, dtype=dt).view(_UINT[dt.itemsize]))


def _format_scalar(v, dtype: str) -> str:
    if dtype == "i1":
        return "true" if bool(v) else "false"
    if not is_float(dtype):
        return str(int(v))
    dt = to_numpy_dtype(dtype)
    f = float(v)
    if math.isnan(f):
        bits = int(np.array(v, dtype=dt).view(_UINT[dt.itemsize]))
        if bits == _canonical_nan_bits(dt):
            return "nan"
        return f"0x{bits:0{dt.itemsize * 2}X}"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if dtype in ("f32", "f16", "f64"):
        return _shortest(f, dt)
    # bf16: every bf16 is an f32; the shortest f32 text reads back exactly
    return _shortest(f, np.dtype(np.float32))


def _shortest(f: float, dt: np.dtype) -> str:
    s = np.format_float_positional(np.array(f, dtype=dt)[()], unique=True, trim="0")
    if len(s) > 12:
        s = np.format_float_scientific(np.array(f, dtype=dt)[()], unique=True, trim="0")
    if "e" not in s and "." not in s:
        s += ".0"
    if s.endswith("."):
        s += "0"
    return s.replace("e+", "e")


def format_dense(arr: np.ndarray) -> str:
    dtype = from_numpy_dtype(arr.dtype)
    flat = arr.reshape(-1)
    if flat.size > 0 and arr.ndim > 0:
        first = flat[0]
        same = flat.view(_UINT.get(arr.dtype.itemsize, np.uint8)) == flat[:1].view(
            _UINT.get(arr.dtype.itemsize, np.uint8)
        )
        if bool(np.all(same)) and flat.size > 1:
            return f"dense<{_format_scalar(first, dtype)}>"

    def rec(a) -> str:
        if a.ndim == 0:
            return _format_scalar(a[()], dtype)
        return "[" + ", ".join(rec(a[i]) for i in range(a.shape[0])) + "]"

    return f"dense<{rec(arr)}>"


def parse_dense(cls, parser):
    """Parse ``dense<...> : tensor<...>`` and build a ``cls`` (ConstantOp)."""
    from xdsl.dialects.builtin import BytesAttr

    parser.parse_keyword("dense")
    parser.parse_punctuation("<")
    pos = parser.pos

    # parse into a nested structure first: the dtype is only known after ':'
    tokens_start = pos

    def parse_elem():
        if parser.parse_optional_punctuation("["):
            items = []
            if parser.parse_optional_punctuation("]"):
                return items
            items.append(parse_elem())
            while parser.parse_optional_punctuation(","):
                items.append(parse_elem())
            parser.parse_punctuation("]")
            return items
        return _Deferred(parser)

    value = parse_elem()
    parser.parse_punctuation(">")
    parser.parse_punctuation(":")
    ty = parser.parse_type()
    try:
        spec = spec_of_type(ty)
    except ValueError as e:
        parser.raise_error(str(e), tokens_start)
    arr = _materialize(value, spec, parser, tokens_start)
    data, _ = array_to_bytes(arr)
    op = cls.create(result_types=[ty], properties={"value": BytesAttr(data)})
    return op


class _Deferred:
    """A scalar token sequence captured before the dtype is known."""

    def __init__(self, parser):
        from xdsl.utils.mlir_lexer import MLIRTokenKind

        self.pos = parser.pos  # where errors about this element point
        self.neg = parser.parse_optional_punctuation("-") is not None
        tok = parser._current_token
        if tok.kind not in (MLIRTokenKind.INTEGER_LIT, MLIRTokenKind.FLOAT_LIT, MLIRTokenKind.BARE_IDENT):
            parser.raise_error("expected a constant element (number, inf, nan, true, false)")
        parser._consume_token()
        self.text = tok.text
        self.kind = tok.kind

    def value(self, dtype: str, parser):
        t = self.text
        pos = self.pos
        if dtype == "i1":
            if t in ("true", "false") and not self.neg:
                return t == "true"
            if self.kind.name == "INTEGER_LIT":
                return int(t, 0) != 0
            parser.raise_error(f"bad i1 constant element {t!r}", pos)
        if is_float(dtype):
            if t in ("inf", "nan"):
                v = math.inf if t == "inf" else math.nan
                return -v if self.neg else v
            if t.lower().startswith("0x"):
                if self.neg:
                    parser.raise_error("a hex bit pattern cannot be negated", pos)
                return ("bits", int(t, 16))
            if self.kind.name in ("FLOAT_LIT", "INTEGER_LIT"):
                v = float(t)
                return -v if self.neg else v
            parser.raise_error(f"bad {dtype} constant element {t!r}", pos)
        if self.kind.name != "INTEGER_LIT":
            parser.raise_error(f"bad {dtype} constant element {t!r}", pos)
        v = int(t, 0)
        return -v if self.neg else v


def _materialize(value, spec: TensorSpec, parser, pos) -> np.ndarray:
    dt = spec.np_dtype

    def scalar(d: _Deferred):
        v = d.value(spec.dtype, parser)
        pos = d.pos
        if isinstance(v, tuple):
            bits = v[1]
            if bits >= 1 << (8 * dt.itemsize):
                parser.raise_error(f"bit pattern 0x{bits:X} is too wide for {spec.dtype}", pos)
            return np.array(bits, dtype=_UINT[dt.itemsize]).view(dt)[()]
        if spec.dtype in ("i8", "i32", "i64"):
            info = np.iinfo(dt)
            if not info.min <= v <= info.max:
                parser.raise_error(f"value {v} does not fit in {spec.dtype}", pos)
        if is_float(spec.dtype) and spec.dtype in ("f16", "f32", "bf16") and math.isfinite(v):
            # parse via f64 then round: exact for the shortest text of a narrower float
            return np.array(v, dtype=np.float64).astype(dt)[()]
        return np.array(v, dtype=dt)[()]

    if isinstance(value, _Deferred):
        s = scalar(value)
        return np.full(spec.shape, s, dtype=dt)

    def rec(v, depth):
        if isinstance(v, _Deferred):
            if depth != spec.rank:
                parser.raise_error(f"constant nesting does not match the shape {list(spec.shape)}", pos)
            return scalar(v)
        if depth >= spec.rank or len(v) != spec.shape[depth]:
            parser.raise_error(f"constant nesting does not match the shape {list(spec.shape)}", pos)
        return [rec(x, depth + 1) for x in v]

    nested = rec(value, 0)
    out = np.empty(spec.shape, dtype=dt)
    flat = out.reshape(-1)
    k = 0

    def walk(v):  # row-major fill
        nonlocal k
        if isinstance(v, list):
            for x in v:
                walk(x)
        else:
            flat[k] = v
            k += 1

    walk(nested)
    return out
