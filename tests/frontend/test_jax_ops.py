"""Per-primitive tests of the JAX frontend: furcate.jit(fn) == jax.jit(fn) on the numpy target."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from tests.frontend.jax_check import check, rand

FLOATS = ["float32", "float16", "bfloat16"]

UNARY_FLOAT = {
    "neg": lax.neg, "abs": lax.abs, "sign": lax.sign, "exp": lax.exp, "expm1": lax.expm1,
    "log": lax.log, "log1p": lax.log1p, "tanh": lax.tanh, "logistic": lax.logistic,
    "sqrt": lax.sqrt, "rsqrt": lax.rsqrt, "erf": lax.erf, "sin": lax.sin, "cos": lax.cos,
    "floor": lax.floor, "ceil": lax.ceil, "is_finite": lax.is_finite, "exp2": lax.exp2,
    "square": lax.square, "tan": lax.tan, "round_afz": lambda x: lax.round(x, lax.RoundingMethod.AWAY_FROM_ZERO),
    "round_even": lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN),
    "pow3": lambda x: lax.integer_pow(x, 3), "pow_neg2": lambda x: lax.integer_pow(x, -2),
    "pow0": lambda x: lax.integer_pow(x, 0), "stop_gradient": lax.stop_gradient,
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
def test_unary_float(name, dtype):
    x = rand((4, 6), dtype, special=True)
    if name.startswith("round"):  # exact halves exercise the rounding method
        x = x.at[0, :4].set(jnp.asarray([0.5, 1.5, -2.5, 2.5], x.dtype))
    check(UNARY_FLOAT[name], x)


@pytest.mark.parametrize("dtype", FLOATS)
def test_erf_inv(dtype):
    x = jnp.asarray([-1.0, -0.999, -0.5, -0.0, 0.1, 0.7, 0.99999, 1.0, 1.5, np.nan], dtype)
    check(jax.scipy.special.erfinv, x)
    check(jax.scipy.special.erfinv, rand((50,), dtype, low=-1, high=1))


UNARY_INT = {
    "neg": lax.neg, "abs": lax.abs, "sign": lax.sign, "not": lax.bitwise_not, "square": lax.square,
    "pow3": lambda x: lax.integer_pow(x, 3),
}


@pytest.mark.parametrize("name", sorted(UNARY_INT))
def test_unary_int(name):
    check(UNARY_INT[name], rand((3, 5), "int32"))


def test_not_bool():
    check(lax.bitwise_not, rand((7,), "bool"))


BINARY_FLOAT = {
    "add": lax.add, "sub": lax.sub, "mul": lax.mul, "div": lax.div, "rem": lax.rem, "pow": lax.pow,
    "max": lax.max, "min": lax.min, "atan2": lax.atan2,
}


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("name", sorted(BINARY_FLOAT))
def test_binary_float(name, dtype):
    x, y = rand((4, 5), dtype, seed=1, special=True), rand((4, 5), dtype, seed=2, special=True)
    check(BINARY_FLOAT[name], x, y)


@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "rem", "max", "min"])
def test_binary_int_signs(name):
    # every sign combination, including zero divisors (XLA: x/0 = -1, x%0 = x)
    x = jnp.asarray([7, -7, 7, -7, 0, 5, -2147483648, 3], jnp.int32)
    y = jnp.asarray([2, 2, -2, -2, 3, 0, -1, 3], jnp.int32)
    check(getattr(lax, name), x, y)


def test_jnp_floor_divide_and_remainder_ints():
    x = jnp.asarray([7, -7, 7, -7, 0, 6], jnp.int32)
    y = jnp.asarray([2, 2, -2, -2, 3, -3], jnp.int32)
    check(lambda a, b: (jnp.floor_divide(a, b), jnp.remainder(a, b), a // 3, a % 3), x, y)


@pytest.mark.parametrize("name", ["and", "or", "xor"])
@pytest.mark.parametrize("dtype", ["bool", "int32"])
def test_bitwise(name, dtype):
    fn = {"and": lax.bitwise_and, "or": lax.bitwise_or, "xor": lax.bitwise_xor}[name]
    check(fn, rand((9,), dtype, seed=3), rand((9,), dtype, seed=4))


@pytest.mark.parametrize("dtype", ["float32", "int32", "bool", "bfloat16"])
@pytest.mark.parametrize("name", ["eq", "ne", "lt", "le", "gt", "ge"])
def test_compare(name, dtype):
    x, y = rand((6, 4), dtype, seed=5, special=True), rand((6, 4), dtype, seed=6, special=True)
    x = x.at[0].set(y[0])  # some equal elements
    check(getattr(lax, name), x, y)


def test_weak_scalar_operands_and_max_bool():
    x = rand((3, 4), "float32")
    check(lambda a: (a * 2 + 1, a > 0.5, jnp.maximum(a, 0), 3 - a), x)
    check(lambda a, b: (jnp.maximum(a, b), jnp.minimum(a, b)), rand((5,), "bool", seed=1), rand((5,), "bool", seed=2))


def test_select_n_bool_and_int_predicates():
    x, y, z = (rand((3, 4), "float32", seed=s) for s in range(3))
    check(lambda p, a, b: lax.select_n(p, a, b), x > 0, x, y)  # false case first
    which = jnp.asarray(np.arange(12).reshape(3, 4) % 3, jnp.int32)
    check(lambda p, a, b, c: lax.select_n(p, a, b, c), which, x, y, z)
    check(lambda a: jnp.where(a > 0, a, -jnp.inf), x)


def test_clamp_with_scalar_bounds():
    check(lambda a: lax.clamp(-1.0, a, 1.5), rand((10,), "float32", special=True))
    check(lambda a: jnp.clip(a, -2, 3), rand((10,), "int32"))


CONVERTS = [
    ("float32", "int32"), ("float32", "bfloat16"), ("float32", "float16"), ("float32", "bool"),
    ("bool", "float32"), ("int32", "float16"), ("bfloat16", "float32"), ("int32", "bool"), ("int8", "int32"),
    ("int32", "int8"),
]


@pytest.mark.parametrize("src,dst", CONVERTS)
def test_convert_element_type(src, dst):
    x = rand((4, 6), src, seed=7, special=(dst != "int32"), low=-200, high=200)
    check(lambda a: lax.convert_element_type(a, jnp.dtype(dst) if dst != "bfloat16" else jnp.bfloat16), x)


def test_reduce_precision():
    x = rand((8,), "float32", special=True)
    check(lambda a: lax.reduce_precision(a, exponent_bits=8, mantissa_bits=7), x)
    check(lambda a: lax.reduce_precision(a, exponent_bits=5, mantissa_bits=10), x)


def test_layout_ops():
    x = rand((2, 3, 4), "float32")
    check(lambda a: (jnp.broadcast_to(a[:, None], (2, 5, 3, 4)), a.reshape(6, 4), a.T,
                     jnp.transpose(a, (1, 0, 2)), a[:, :1].squeeze(1), jnp.expand_dims(a, 1),
                     a[:, ::2, 1:4:2], jnp.concatenate([a, a * 2], axis=1), jnp.flip(a, (0, 2))), x)


def test_split_and_reshape_with_dimensions():
    x = rand((2, 6, 4), "float32")
    check(lambda a: jnp.split(a, 3, axis=1), x)
    check(lambda a: lax.reshape(a, (4, 12), dimensions=(2, 0, 1)), x)


def test_pad_negative_and_interior():
    x = rand((3, 4), "float32")
    check(lambda a: lax.pad(a, -1.0, ((1, 2, 1), (-1, 0, 0))), x)
    check(lambda a: jnp.pad(a, ((0, 1), (2, 0))), x)


def test_dynamic_slice_with_constant_starts():
    x = rand((5, 6), "float32")
    check(lambda a: lax.dynamic_slice(a, (jnp.int32(1), jnp.int32(4)), (2, 3)), x)  # start clamped to 3
    check(lambda a, u: lax.dynamic_update_slice(a, u, (jnp.int32(2), jnp.int32(1))), x, rand((2, 3), seed=1))
    check(lambda a, i: lax.dynamic_slice_in_dim(a, i, 2, axis=1), x, 2, static_argnums=1)


def test_iota():
    check(lambda a: a + lax.broadcasted_iota(jnp.int32, (3, 4), 1), rand((3, 4), "int32"))
    check(lambda a: a * jnp.arange(4, dtype=jnp.float32), rand((3, 4), "float32"))


@pytest.mark.parametrize("dtype", ["float32", "bfloat16", "int32"])
def test_reductions(dtype):
    x = rand((3, 4, 5), dtype, seed=8)
    check(lambda a: (a.sum(axis=(0, 2)), a.max(axis=1), a.min(), jnp.prod(a[:, :2], axis=0)), x, accumulated=True)


def test_reductions_nan_and_bool():
    x = rand((4, 5), "float32", special=True)
    check(lambda a: (a.max(axis=1), a.min(axis=0), jnp.argmax(a, axis=1), jnp.argmin(a, axis=0)), x)
    b = rand((4, 5), "bool", seed=2)
    check(lambda a: (jnp.all(a, axis=1), jnp.any(a, axis=0), jnp.all(a), a.max(axis=1), a.min(axis=0),
                     jnp.argmax(a, axis=1), jnp.argmin(a, axis=0)), b)


@pytest.mark.parametrize("kind", ["cumsum", "cumprod", "cummax", "cummin"])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumulative(kind, reverse):
    x = rand((3, 5), "float32", seed=9, low=0.5, high=1.5)
    check(lambda a: getattr(lax, kind)(a, axis=1, reverse=reverse), x, accumulated=True)


def test_dot_general_forms():
    a, b = rand((2, 3, 4), seed=1), rand((2, 4, 5), seed=2)
    check(lambda x, y: (x @ y, jnp.einsum("bij,bkj->bik", x, x), jnp.tensordot(x, y, ((0, 2), (0, 1)))), a, b,
          accumulated=True)


def test_dot_bf16_and_preferred_f32():
    a, b = rand((4, 8), "bfloat16", seed=1), rand((8, 3), "bfloat16", seed=2)
    check(lambda x, y: x @ y, a, b, accumulated=True)
    check(lambda x, y: lax.dot(x, y, preferred_element_type=jnp.float32), a, b, accumulated=True)
    check(lambda x, y: x @ y, rand((3, 4), "int32"), rand((4, 2), "int32", seed=3))


def test_custom_jvp_custom_vjp_and_checkpoint_are_inlined():
    @jax.custom_vjp
    def f(x):
        return jnp.sin(x) * 2

    f.defvjp(lambda x: (f(x), x), lambda r, g: (g * jnp.cos(r),))
    x = rand((3, 4), "float32")
    check(lambda a: (jax.nn.relu(a), f(a), jax.checkpoint(lambda y: jnp.tanh(y) * y)(a), jax.nn.softplus(a)), x)


def test_nested_jit_with_closed_over_constants_and_closed_call():
    w = rand((4, 20), seed=3)  # > 16 elements: a constant_ref held by the program
    inner = jax.jit(lambda x: jnp.tanh(x @ w) + jnp.arange(20.0))
    named = jax.named_call(lambda x: x * 2, name="double")
    check(lambda x: named(inner(x)).sum(axis=1), rand((3, 4), seed=4), accumulated=True)


@pytest.mark.parametrize("dst", ["int32", "int8", "bool", "float16"])
def test_convert_special_floats_saturate(dst):
    x = jnp.asarray([np.nan, np.inf, -np.inf, 3e9, -3e9, 2.7, -2.7, -0.0], jnp.float32)
    check(lambda a: a.astype(jnp.dtype(dst)), x)
