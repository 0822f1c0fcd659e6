"""The reduction kinds (``furcate/ir/reduce_kinds.py``) are what every layer reads: each
kind's identity agrees with NumPy's, every backend's initial value and the verifier come
from the table, and the kinds said to combine in any order really give the same bits in
any order (the C renderer relies on it to combine its lanes as a tree)."""

from __future__ import annotations

import numpy as np
import pytest

from furcate.dtypes import DTYPES, is_float, to_numpy_dtype
from furcate.ir import op_table
from furcate.ir.reduce_kinds import KINDS, SCAN_KINDS

_UFUNC = {"sum": np.add, "prod": np.multiply, "max": np.maximum, "min": np.minimum,
          "and": np.bitwise_and, "or": np.bitwise_or}


def _dtypes(k):
    return [d for d in DTYPES if not (k.dtypes == "int_or_bool" and is_float(d)) and d != "bf16"]


def _samples(k, n, scale, seed):
    """(dtype, n random values of it) for every dtype kind ``k`` takes."""
    rng = np.random.default_rng(seed)
    for dt in _dtypes(k):
        npd = to_numpy_dtype(dt)
        yield dt, ((rng.standard_normal(n) * scale).astype(npd) if dt != "i1" else rng.random(n) < 0.5)


@pytest.mark.parametrize("name", list(KINDS))
def test_identity_is_the_identity(name):
    k = KINDS[name]
    for dt, x in _samples(k, 64, 50, seed=0):
        e = np.array(k.identity(dt)).astype(x.dtype)
        # combining with the identity gives every value back, bit for bit
        got = _UFUNC[name](x, e) if dt != "i1" or name not in ("sum", "prod") else x
        np.testing.assert_array_equal(got.view(np.uint8), x.view(np.uint8), err_msg=f"{name} {dt}")


def _combine(name, dt):
    if is_float(dt) and name in ("max", "min"):  # furcate's (IEEE 754-2019): -0.0 < +0.0
        return op_table._max_float if name == "max" else op_table._min_float
    return _UFUNC[name]


def _fold(f, xs):
    acc = xs[0]
    for v in xs[1:]:
        acc = f(acc, v)
    return np.asarray(acc)


def _tree(f, xs):
    xs = list(xs)
    while len(xs) > 1:
        xs = [f(xs[i], xs[i + 1]) if i + 1 < len(xs) else xs[i] for i in range(0, len(xs), 2)]
    return np.asarray(xs[0])


@pytest.mark.parametrize("name", [n for n, k in KINDS.items() if k.any_order])
def test_any_order_kinds_give_the_same_bits_in_any_order(name):
    k = KINDS[name]
    rng = np.random.default_rng(1)
    for dt, x in _samples(k, 97, 1e3, seed=2):
        if is_float(dt):
            x[[3, 90]] = [0.0, -0.0]
            x[50:] = np.where(x[50:] > 0, 0.0, -0.0)  # many signed zeros: ties decide the sign
        f = _combine(name, dt)
        ref = _fold(f, x)
        for _ in range(4):
            p = rng.permutation(x)
            for got in (_fold(f, p), _tree(f, p)):
                assert got.tobytes() == ref.tobytes(), (name, dt, got, ref)
        assert k.exactly_associative(dt)


def test_float_sums_and_products_keep_their_order():
    for name in ("sum", "prod"):
        assert not KINDS[name].exactly_associative("f32") and KINDS[name].exactly_associative("i32")
        assert KINDS[name].accumulates


def test_every_backend_and_the_verifier_read_the_table():
    from furcate.backends import numpy_tensor
    from furcate.backends.c import render
    from furcate.backends.triton import body
    from furcate.ir import shapes
    from furcate.ir.ops_tensor import REDUCE_KINDS
    from furcate.ir.types import TensorSpec

    assert REDUCE_KINDS == tuple(KINDS)
    assert set(render.REDUCE_INIT) == set(body.REDUCE_INIT) == set(KINDS)
    assert render.REDUCE_INIT["max"]("i64") == "INT64_MIN" and render.REDUCE_INIT["min"]("f32") == "INFINITY"
    assert body.REDUCE_INIT["and"]("i32") == -1
    assert numpy_tensor.identity("min", np.dtype(np.int8)) == 127
    spec = TensorSpec((4, 3), "f32")
    assert shapes.reduce([spec], {"kind": "max", "dimensions": [1]})[0].shape == (4,)
    with pytest.raises(Exception, match="unknown reduce kind 'mean'"):
        shapes.reduce([spec], {"kind": "mean", "dimensions": [1]})
    with pytest.raises(Exception, match="reduce and needs i1 or integers"):
        shapes.reduce([spec], {"kind": "and", "dimensions": [1]})
    with pytest.raises(Exception, match="cumulative kind 'and'"):
        shapes.cumulative([TensorSpec((4,), "i32")], {"kind": "and", "dimension": 0})
    assert set(SCAN_KINDS) == {"sum", "prod", "max", "min"}


def test_xla_and_jax_read_the_table():
    pytest.importorskip("jax")
    from furcate.backends.xla import _hlo
    from furcate.frontend import jax_ops

    for name, k in KINDS.items():
        assert _hlo.combiner(name).__name__.rstrip("_") == k.stablehlo
        assert jax_ops._REDUCE[k.jax] == name and k.jax in jax_ops.CONVERTERS
    assert KINDS["sum"].acc("bf16") == "f32" and KINDS["max"].acc("bf16") == "bf16"
