"""Numbers mean what the program means, and what cannot be compiled falls back.

The probes of issue 18, each through ``torch.compile(backend="furcate")`` against eager: fmax/fmin
ignore one NaN, torch.sign maps NaN and -0.0 to 0, integer division by zero raises as eager does,
0-d tensors work in every reduction and indexing op, and a converter that fails on one node
leaves that node to eager (one log line, a ``stats()`` entry) instead of failing the compile.
Long-row reduction accuracy is tested in ``tests/backends/test_c_reduce_accuracy.py``.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.frontend import torch_ops  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402, F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402

NAN, INF = float("nan"), float("inf")

# the targets a cheap elementwise probe runs on (skipped where the backend is missing)
TARGETS = ["auto", "numpy", "c", "xla", "triton"]


def _compiled(fn, target):
    return torch.compile(fn, backend="furcate", options={"target": target}, dynamic=False)


def _skip_missing(target):
    if target == "auto":
        return
    from furcate.backends import BackendUnavailable, get_backend

    try:
        get_backend(target)
    except (BackendUnavailable, ImportError) as e:
        pytest.skip(f"{target}: {e}")


def assert_bitwise(actual: torch.Tensor, expected: torch.Tensor) -> None:
    """Equal values, NaNs in the same places and the same sign bits (so -0.0 != 0.0)."""
    assert actual.dtype == expected.dtype and actual.shape == expected.shape
    a, e = actual.double().numpy(), expected.double().numpy()
    np.testing.assert_array_equal(np.isnan(a), np.isnan(e))
    np.testing.assert_array_equal(np.signbit(a), np.signbit(e), err_msg=f"sign bits: {a} vs {e}")
    np.testing.assert_array_equal(np.nan_to_num(a), np.nan_to_num(e))


# --------------------------------------------------------------------------
# NaN and signed zeros


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op", [torch.fmax, torch.fmin])
def test_fmax_fmin_ignore_one_nan(op, target):
    _skip_missing(target)
    x = torch.tensor([1.0, NAN, 3.0, NAN, -INF, 2.0, -0.0])
    y = torch.tensor([NAN, 2.0, 1.0, NAN, 5.0, INF, 4.0])
    got = _compiled(op, target)(x, y)
    assert_bitwise(got, op(x, y))
    assert not torch.isnan(got[:3]).any()  # NaN only where both are NaN


def test_fmax_integers_and_broadcast():
    a = torch.tensor([[1, 7], [-3, 4]], dtype=torch.int32)
    b = torch.tensor([2, -5], dtype=torch.int32)
    assert torch.equal(_compiled(torch.fmax, "auto")(a, b), torch.fmax(a, b))
    x = torch.tensor([[NAN, 1.0], [2.0, NAN]], dtype=torch.float16)
    assert_bitwise(_compiled(lambda u: torch.fmin(u, torch.tensor(0.5, dtype=torch.float16)), "auto")(x),
                   torch.fmin(x, torch.tensor(0.5, dtype=torch.float16)))


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("op", [torch.sign, torch.sgn])
def test_sign_of_nan_and_negative_zero(op, target):
    _skip_missing(target)
    # XLA's CPU client flushes denormals to zero (all its ops, not only sign): no 1e-45 there
    tiny = [] if target == "xla" else [1e-45, -1e-45]
    x = torch.tensor([NAN, -0.0, 0.0, -2.0, 3.0, INF, -INF, *tiny])
    expected = op(x)
    assert_bitwise(expected[:3], torch.tensor([0.0, 0.0, 0.0]))  # what eager says
    assert_bitwise(_compiled(op, target)(x), expected)


def test_sign_integers_and_bools():
    i = torch.tensor([-5, 0, 7], dtype=torch.int64)
    assert torch.equal(_compiled(torch.sign, "auto")(i), torch.sign(i))
    b = torch.tensor([True, False])
    assert torch.equal(_compiled(torch.sign, "auto")(b), torch.sign(b))


def test_jax_sign_keeps_its_own_semantics():
    """JAX's sign is StableHLO's: NaN stays NaN and -0.0 stays -0.0 (not torch's rule)."""
    jnp = pytest.importorskip("jax.numpy")
    x = np.array([np.nan, -0.0, 0.0, -2.0, 3.0], np.float32)
    got = np.asarray(furcate.jit(jnp.sign)(x))
    want = np.asarray(jnp.sign(x))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))


# --------------------------------------------------------------------------
# integer division by zero: eager raises, so furcate must too (the op is left to eager)

_INT_DIVISIONS = {
    "floor_divide": lambda a, b: a // b,
    "remainder": lambda a, b: a % b,
    "fmod": torch.fmod,
    "div_floor": lambda a, b: torch.div(a, b, rounding_mode="floor"),
    "div_trunc": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
}


@pytest.mark.parametrize("name", sorted(_INT_DIVISIONS))
def test_integer_division_by_zero_tensor_raises(name):
    fn = _INT_DIVISIONS[name]
    a = torch.tensor([5, -7, 3])
    b = torch.tensor([2, 0, 1])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        fn(a, b)
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        _compiled(fn, "auto")(a, b)


@pytest.mark.parametrize("name", sorted(_INT_DIVISIONS))
def test_integer_division_nonzero_matches_eager(name):
    fn = _INT_DIVISIONS[name]
    a = torch.tensor([5, -7, 3, -8, 0, 9], dtype=torch.int32)
    b = torch.tensor([2, 3, -2, -3, 5, -4], dtype=torch.int32)
    assert torch.equal(_compiled(fn, "auto")(a, b), fn(a, b))
    # by a nonzero Python scalar: compiled (nothing can raise)
    furcate.stats(reset=True)
    s = _compiled(lambda t: fn(t, -3), "auto")(a)
    assert torch.equal(s, fn(a, -3))
    assert furcate.stats()["ops_eager"] == {}


def test_integer_division_by_zero_scalar_raises():
    a = torch.tensor([5, -7, 3])
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        _compiled(lambda t: t // 0, "auto")(a)


def test_float_division_by_zero_still_compiles():
    a = torch.tensor([1.0, -1.0, 0.0])
    b = torch.zeros(3)
    for fn in _INT_DIVISIONS.values():
        assert_close(_compiled(fn, "auto")(a, b), fn(a, b))
    assert furcate.stats()["ops_eager"] == {}


def test_jax_integer_division_by_zero_is_defined():
    """JAX does not raise: furcate gives XLA's values."""
    jnp = pytest.importorskip("jax.numpy")
    a = np.array([5, -7, 3, 0], np.int32)
    b = np.array([2, 0, 0, 0], np.int32)
    for fn in (jnp.floor_divide, jnp.remainder, lambda u, v: jax_lax_div(u, v)):
        np.testing.assert_array_equal(np.asarray(furcate.jit(fn)(a, b)), np.asarray(fn(a, b)))


def jax_lax_div(u, v):
    from jax import lax

    return lax.div(u, v)


# --------------------------------------------------------------------------
# 0-d tensors in reductions and indexing

_ZERO_D = {
    "sum0": lambda t: t.sum(0),
    "sum_neg": lambda t: t.sum(-1),
    "sum_all": lambda t: t.sum(),
    "prod": lambda t: t.prod(0),
    "logsumexp": lambda t: t.logsumexp(0),
    "amax": lambda t: t.amax(0),
    "amin": lambda t: t.amin(-1),
    "argmax": lambda t: t.argmax(0),
    "argmin": lambda t: t.argmin(),
    "mean": lambda t: t.mean(0),
    "max_dim": lambda t: t.max(0),
    "min_dim": lambda t: t.min(-1),
    "cumsum": lambda t: t.cumsum(0),
    "cumprod": lambda t: t.cumprod(-1),
    "cummax": lambda t: t.cummax(0),
    "std": lambda t: t.std(0),
    "var": lambda t: t.var(-1),
    "var_mean": lambda t: torch.var_mean(t, 0, correction=0),
    "softmax": lambda t: t.softmax(0),
    "log_softmax": lambda t: t.log_softmax(-1),
    "any": lambda t: (t > 0).any(0),
    "all": lambda t: (t > 0).all(-1),
    "aminmax": lambda t: torch.aminmax(t, dim=0),
    "gather": lambda t: t.gather(0, torch.tensor(0)),
    "index_select": lambda t: t.index_select(0, torch.tensor([0])),
    "scatter_add": lambda t: t.scatter_add(0, torch.tensor(0), torch.tensor(1.5)),
    "scatter": lambda t: t.scatter(0, torch.tensor(0), torch.tensor(4.0)),
}


@pytest.mark.parametrize("name", sorted(_ZERO_D))
def test_zero_d_reductions_and_indexing(name):
    fn = _ZERO_D[name]
    x = torch.tensor(2.5)
    expected = fn(x)
    got = _compiled(fn, "auto")(x)
    if isinstance(expected, torch.Tensor):
        expected, got = [expected], [got]
    for g, e in zip(got, expected):
        assert_close(g, e)
    assert furcate.stats()["ops_eager"] == {}


# --------------------------------------------------------------------------
# a converter that fails on one node: that node runs in eager, never a crash


@pytest.fixture
def broken_converter(monkeypatch):
    """``broken_converter(op)`` makes ``op``'s converter raise as a converter bug would."""

    def install(op, error=IndexError("tuple index out of range")):
        original = torch_ops.lookup(op)

        def fail(cx, node, *args, **kwargs):
            raise error

        monkeypatch.setitem(torch_ops.CONVERTERS, op, torch_ops.Converter(fail, original.check))

    return install


def test_failing_converter_falls_back_for_that_node(broken_converter, furcate_log):
    broken_converter(torch.ops.aten.tanh.default)
    messages = furcate_log("fallback")

    def fn(x):
        return torch.tanh(x.sin() * 2).cos() + torch.tanh(x)

    x = torch.randn(4, 5)
    got = _compiled(fn, "auto")(x)
    assert_close(got, fn(x))
    st = furcate.stats()
    assert st["ops_eager"] == {"aten.tanh.default": 2}, st["ops_eager"]
    assert st["aten_ops_compiled"]["aten.sin.default"] == 1  # the rest was compiled
    assert [m for m in messages if "aten.tanh.default" in m and "tuple index out of range" in m], messages
    assert len([m for m in messages if "aten.tanh" in m]) == 1
    assert any("aten.tanh.default" in e for e in st["eager_fallbacks"])


def test_failing_multi_output_converter_falls_back(broken_converter):
    broken_converter(torch.ops.aten.max.dim, ValueError("broken"))

    def fn(x):
        v, i = (x * 3).max(dim=1)
        return v.exp(), i + 1

    x = torch.randn(3, 6)
    got = _compiled(fn, "auto")(x)
    for g, e in zip(got, fn(x)):
        assert_close(g, e)
    assert furcate.stats()["ops_eager"] == {"aten.max.dim": 1}


def test_failing_converter_with_an_unsupported_op(broken_converter):
    """Both kinds of failure in one graph: an op with no converter and a converter that fails."""
    broken_converter(torch.ops.aten.cos.default, RuntimeError("boom"))

    def fn(x):
        return torch.special.i0(x.sin()).cos() * 2

    x = torch.randn(8)
    assert_close(_compiled(fn, "auto")(x), fn(x))
    eager = furcate.stats()["ops_eager"]
    assert eager["aten.cos.default"] == 1 and "aten.i0.default" in eager


def test_failing_converter_dynamic_shapes(broken_converter):
    """With symbolic sizes conversion runs at call time: a failure there runs those shapes in eager."""
    broken_converter(torch.ops.aten.tanh.default)
    fn = torch.compile(lambda x: torch.tanh(x) * 2, backend="furcate", dynamic=True)
    for n in (3, 5):
        x = torch.randn(n)
        assert_close(fn(x), torch.tanh(x) * 2)
    assert furcate.stats()["ops_eager"].get("aten.tanh.default", 0) >= 1
