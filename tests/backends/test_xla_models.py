"""The core issue's end-to-end models on target="xla": through torch.compile (inference,
against eager) and through furcate.jit (against jax.jit, incl. a jax.grad). Each asserts
with furcate.stats() that no op went to eager and that the program ran as XLA kernels only
(no NumPy fallback step)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
jax = pytest.importorskip("jax")
nn = torch.nn

import jax.numpy as jnp  # noqa: E402
from jax import lax  # noqa: E402

import furcate  # noqa: E402
from tests.tolerance import assert_close  # noqa: E402

XLA = {"target": "xla"}


@pytest.fixture(autouse=True)
def _fresh():
    torch._dynamo.reset()
    furcate.stats(reset=True)
    torch.manual_seed(0)
    yield
    torch._dynamo.reset()


def assert_all_on_xla(graphs: int = 1) -> None:
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {}, st["ops_eager"]
    assert st["graphs_compiled"] >= graphs, st
    assert st["kernels"].get("xla", 0) >= graphs and set(st["kernels"]) == {"xla"}, st["kernels"]
    assert st["eager_fallbacks"] == [] and st["backend_fallbacks"] == [], st


# --------------------------------------------------------------------------
# torch.compile(..., options={"target": "xla"})


def check_torch(model, *inputs):
    model.eval()
    with torch.no_grad():
        expected = model(*inputs)
        actual = torch.compile(model, backend="furcate", options=XLA)(*inputs)
    assert isinstance(actual, torch.Tensor)
    assert_close(actual, expected, accumulated=True)
    assert_all_on_xla()


class CausalAttention(nn.Module):
    def __init__(self, d=16, heads=4, seq=6):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(seq))

    def forward(self, x):
        return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class EmbeddingSum(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, idx):
        return self.out(self.emb(idx).sum(dim=1))


def small_cnn():
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2), nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(8, 5),
    )
    with torch.no_grad():  # non-trivial running statistics
        m[1].running_mean.uniform_(-0.5, 0.5)
        m[1].running_var.uniform_(0.5, 2.0)
    return m


def test_torch_mlp_layernorm_gelu():
    m = nn.Sequential(nn.Linear(16, 32), nn.LayerNorm(32), nn.GELU(), nn.Linear(32, 8), nn.GELU("tanh"))
    check_torch(m, torch.randn(4, 16))


def test_torch_causal_attention():
    check_torch(CausalAttention(), torch.randn(2, 6, 16))


def test_torch_embedding_sum_pooling():
    check_torch(EmbeddingSum(), torch.randint(0, 30, (4, 5)))


def test_torch_small_cnn_eval():
    check_torch(small_cnn(), torch.randn(2, 3, 8, 8))


# --------------------------------------------------------------------------
# furcate.jit(fn, target="xla")


def rand(shape, seed, scale=1.0):
    return jnp.asarray(np.random.default_rng(seed).uniform(-scale, scale, size=shape).astype(np.float32))


def check_jax(fn, *args):
    got = furcate.jit(fn, target="xla")(*args)
    want = jax.jit(fn)(*args)
    assert jax.tree_util.tree_structure(got) == jax.tree_util.tree_structure(want)
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want)):
        assert isinstance(g, jax.Array), type(g)
        assert_close(np.asarray(g), np.asarray(w), accumulated=True)
    assert_all_on_xla()


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
