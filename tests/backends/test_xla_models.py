"""The core issue's end-to-end models on target="xla": through torch.compile (inference,
against eager) and through furcate.jit (against jax.jit, incl. a jax.grad). Each asserts
with furcate.stats() that no op went to eager and that the program ran as XLA kernels only
(no NumPy fallback step)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")

import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

from tests.frontend import jax_check  # noqa: E402
from tests.frontend.torch_check import (  # noqa: E402
    CausalAttention,
    EmbeddingSum,
    assert_all_compiled,
    check_inference,
    fresh_dynamo,  # noqa: F401  (autouse)
    mlp_layernorm_gelu,
    small_cnn,
)


# --------------------------------------------------------------------------
# torch.compile(..., options={"target": "xla"})


def test_torch_mlp_layernorm_gelu():
    check_inference(mlp_layernorm_gelu(), torch.randn(4, 16), target="xla")


def test_torch_causal_attention():
    check_inference(CausalAttention(), torch.randn(2, 6, 16), target="xla")


def test_torch_embedding_sum_pooling():
    check_inference(EmbeddingSum(), torch.randint(0, 30, (4, 5)), target="xla")


def test_torch_small_cnn_eval():
    check_inference(small_cnn(), torch.randn(2, 3, 8, 8), target="xla")


# --------------------------------------------------------------------------
# furcate.jit(fn, target="xla")


def rand(shape, seed, scale=1.0):
    return jax_check.rand(shape, seed=seed, low=-scale, high=scale)


def check_jax(fn, *args):
    """furcate.jit(fn, target="xla") agrees with jax.jit(fn), and ran as XLA kernels only."""
    jax_check.check(fn, *args, target="xla", accumulated=True)
    assert_all_compiled("xla")


def _layernorm(x, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    return (x - mu) * lax.rsqrt(((x - mu) ** 2).mean(-1, keepdims=True) + eps)


def mlp(p, x):
    h = jax.nn.gelu(_layernorm(x @ p["w1"] + p["b1"]) * p["g"])
    return h @ p["w2"]


MLP_PARAMS = {"w1": rand((16, 32), 1, 0.3), "b1": rand((32,), 2, 0.1), "g": rand((32,), 3) + 1.5,
              "w2": rand((32, 8), 4, 0.3)}


def test_jax_mlp_layernorm_gelu():
    check_jax(mlp, MLP_PARAMS, rand((4, 16), 5))


def test_jax_grad_of_mlp_loss():
    def loss(p, x, y):
        logp = jax.nn.log_softmax(mlp(p, x), axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    check_jax(jax.grad(loss), MLP_PARAMS, rand((4, 16), 5), jnp.asarray([1, 0, 7, 3], jnp.int32))


def test_jax_causal_attention():
    def attention(p, x):
        b, t, d = x.shape
        q, k, v = ((x @ p[n]).reshape(b, t, 2, d // 2).transpose(0, 2, 1, 3) for n in ("wq", "wk", "wv"))
        s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / np.float32(np.sqrt(d // 2))
        s = jnp.where(jnp.tril(jnp.ones((t, t), bool)), s, -jnp.inf)
        o = jnp.einsum("bhqk,bhkd->bhqd", jax.nn.softmax(s, axis=-1), v)
        return _layernorm(x + o.transpose(0, 2, 1, 3).reshape(x.shape) @ p["wo"])

    p = {n: rand((8, 8), i, 0.4) for i, n in enumerate(["wq", "wk", "wv", "wo"])}
    check_jax(attention, p, rand((2, 5, 8), 11))


def test_jax_embedding_sum_pooling():
    check_jax(lambda e, i: e[i].sum(axis=1), rand((10, 4), 1), jnp.asarray([[1, 2, 2], [9, 0, -1]], jnp.int32))


def test_jax_small_cnn():
    def cnn(p, x):
        y = lax.conv_general_dilated(x, p["k1"], (1, 1), "SAME")
        y = jax.nn.relu(y + p["b1"][None, :, None, None])
        y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
        y = lax.reduce_window(y, 0.0, lax.add, (1, 1, 2, 2), (1, 1, 2, 2), "VALID") / 4.0
        return y.reshape(y.shape[0], -1) @ p["w"]

    p = {"k1": rand((4, 3, 3, 3), 1, 0.5), "b1": rand((4,), 2, 0.1), "w": rand((16, 5), 3, 0.2)}
    check_jax(cnn, p, rand((2, 3, 8, 8), 5))
