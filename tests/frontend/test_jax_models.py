"""Small models through furcate.jit (numpy target) against jax.jit: MLP, attention, embeddings, CNN, grads."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from jax import lax

from tests.frontend.jax_check import check, rand


def _layernorm(x, g, b, eps=1e-5):
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    return (x - mu) * lax.rsqrt(var + eps) * g + b


def _mlp_params(d_in=16, d_h=32, d_out=8, seed=0):
    return {
        "w1": rand((d_in, d_h), seed=seed, low=-0.3, high=0.3), "b1": rand((d_h,), seed=seed + 1, low=-0.1, high=0.1),
        "g": rand((d_h,), seed=seed + 2, low=0.5, high=1.5), "beta": rand((d_h,), seed=seed + 3, low=-0.1, high=0.1),
        "w2": rand((d_h, d_out), seed=seed + 4, low=-0.3, high=0.3), "b2": jnp.zeros((d_out,), jnp.float32),
    }


def mlp(params, x):
    h = x @ params["w1"] + params["b1"]
    h = jax.nn.gelu(_layernorm(h, params["g"], params["beta"]))
    return h @ params["w2"] + params["b2"]


def test_mlp_layernorm_gelu():
    check(mlp, _mlp_params(), rand((4, 16), seed=9), accumulated=True)


def test_mlp_exact_gelu_bf16():
    params = jax.tree_util.tree_map(lambda a: a.astype(jnp.bfloat16), _mlp_params())
    f = lambda p, x: jax.nn.gelu(x @ p["w1"] + p["b1"], approximate=False)  # noqa: E731
    check(f, params, rand((4, 16), "bfloat16", seed=9), accumulated=True)


def test_grad_of_mlp_loss_matches_jax():
    def loss(params, x, y):
        logits = mlp(params, x)
        logp = jax.nn.log_softmax(logits, axis=-1)
        return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))

    y = jnp.asarray([1, 0, 7, 3], jnp.int32)
    check(jax.grad(loss), _mlp_params(), rand((4, 16), seed=9), y, accumulated=True)
    check(jax.value_and_grad(loss, argnums=(0, 1)), _mlp_params(), rand((4, 16), seed=9), y, accumulated=True)


def attention_block(p, x):
    t, d = x.shape[-2:]
    q, k, v = (x @ p[n] for n in ("wq", "wk", "wv"))
    heads = lambda a: a.reshape(a.shape[0], t, 2, d // 2).transpose(0, 2, 1, 3)  # noqa: E731
    q, k, v = heads(q), heads(k), heads(v)
    s = jnp.einsum("bhqd,bhkd->bhqk", q, k) / jnp.sqrt(d // 2).astype(x.dtype)
    mask = jnp.tril(jnp.ones((t, t), bool))
    s = jnp.where(mask, s, -jnp.inf)
    a = jax.nn.softmax(s, axis=-1)
    o = jnp.einsum("bhqk,bhkd->bhqd", a, v).transpose(0, 2, 1, 3).reshape(x.shape)
    h = _layernorm(x + o @ p["wo"], 1.0, 0.0)
    return h + jax.nn.relu(h @ p["w1"]) @ p["w2"]


def test_transformer_block_with_causal_mask():
    d = 8
    p = {n: rand((d, d), seed=i, low=-0.4, high=0.4) for i, n in enumerate(["wq", "wk", "wv", "wo", "w1", "w2"])}
    check(attention_block, p, rand((2, 5, d), seed=11), accumulated=True)


def test_embedding_lookup_sum_pooling_and_grad():
    table = rand((10, 4), seed=1)
    ids = jnp.asarray([[1, 2, 2], [9, 0, -1]], jnp.int32)

    def f(e, i):
        return e[i].sum(axis=1)

    check(f, table, ids)
    check(jax.grad(lambda e, i: (f(e, i) ** 2).sum()), table, ids, accumulated=True)


@pytest.mark.parametrize("axis", [0, 1])
def test_take_fill_mode_out_of_range_and_grad(axis):
    x = rand((5, 6), seed=2)
    idx = jnp.asarray([[0, 4], [-1, 7]], jnp.int32)  # 7 is out of range: NaN fill; its grad is dropped
    check(lambda a, i: jnp.take(a, i, axis=axis), x, idx)
    check(jax.grad(lambda a, i: jnp.nan_to_num(jnp.take(a, i, axis=axis)).sum()), x, idx)
    check(lambda a, i: jnp.take(a, i, axis=axis, mode="clip"), x, idx)


@pytest.mark.parametrize("axis,ishape", [(1, (3, 2)), (0, (2, 5)), (1, (1, 4)), (1, (3, 1))])
def test_take_along_axis_and_grad(axis, ishape):
    x = rand((3, 5), seed=3)
    idx = jnp.asarray(np.random.default_rng(0).integers(-3, 3, size=ishape), jnp.int32)
    check(lambda a, i: jnp.take_along_axis(a, i, axis=axis), x, idx)
    check(jax.grad(lambda a, i: (jnp.take_along_axis(a, i, axis=axis) ** 2).sum()), x, idx)


def test_take_along_axis_rank3_broadcast_index():
    x = rand((4, 3, 5), seed=4)
    idx = jnp.asarray(np.random.default_rng(1).integers(0, 5, size=(4, 1, 2)), jnp.int32)
    check(lambda a, i: jnp.take_along_axis(a, i, axis=2), x, idx)
    check(jax.grad(lambda a, i: jnp.take_along_axis(a, i, axis=2).sum()), x, idx)


def test_partial_window_gather_and_multi_axis_rejected():
    x = rand((6, 5), seed=5)
    check(lambda a, i: lax.gather(
        a, i[:, None], lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,), start_index_map=(0,)),
        slice_sizes=(1, 3), mode="clip"), x, jnp.asarray([4, 0, 2], jnp.int32))
    import furcate

    with pytest.raises(furcate.UnsupportedError, match="gather"):
        furcate.jit(lambda a, i, j: a[i, j], target="numpy")(x, jnp.asarray([1, 2]), jnp.asarray([0, 3]))


def cnn(p, x):
    """NCHW conv + relu + 2x2 max pool + NHWC conv + avg pool + dense."""
    y = lax.conv_general_dilated(x, p["k1"], (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW"))
    y = jax.nn.relu(y + p["b1"][None, :, None, None])
    y = lax.reduce_window(y, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
    y = y.transpose(0, 2, 3, 1)
    y = lax.conv_general_dilated(y, p["k2"], (1, 1), ((1, 0), (0, 1)), rhs_dilation=(1, 1),
                                 dimension_numbers=("NHWC", "HWIO", "NHWC"))
    y = lax.reduce_window(y, 0.0, lax.add, (1, 2, 2, 1), (1, 1, 1, 1), "VALID") / 4.0
    return y.reshape(y.shape[0], -1) @ p["w"]


def _cnn_params():
    return {"k1": rand((4, 3, 3, 3), seed=1, low=-0.5, high=0.5), "b1": rand((4,), seed=2, low=-0.1, high=0.1),
            "k2": rand((2, 2, 4, 6), seed=3, low=-0.5, high=0.5), "w": rand((6 * 3 * 3, 5), seed=4, low=-0.2, high=0.2)}


def test_small_cnn():
    check(cnn, _cnn_params(), rand((2, 3, 8, 8), seed=5), accumulated=True)


def test_cnn_grad_with_max_pool():
    """jax.grad through conv + max pool (select_and_scatter_add) + avg pool, params and input."""
    x = rand((2, 3, 8, 8), seed=5)
    x = x.at[0, 0, :2, :2].set(0.5)  # ties inside a pooling window of the input
    check(jax.grad(lambda p, a: jnp.tanh(cnn(p, a)).sum(), argnums=(0, 1)), _cnn_params(), x, accumulated=True)


@pytest.mark.parametrize("kind", ["max", "min"])
@pytest.mark.parametrize("window,strides,padding", [
    ((1, 1, 2, 2), (1, 1, 2, 2), "VALID"),
    ((1, 1, 3, 3), (1, 1, 2, 1), ((0, 0), (0, 0), (1, 1), (1, 1))),
    ((1, 2, 3, 1), (1, 1, 2, 1), ((0, 0), (0, 1), (1, 0), (0, 0))),  # NHWC-style window over dims 1, 2
])
def test_pooling_grad_selects_as_xla_with_ties_nans_and_infs(kind, window, strides, padding):
    """XLA's window walk: the first extreme wins, a NaN passes the choice on, padding is ±inf."""
    rng = np.random.default_rng(11)
    x = rng.integers(0, 3, size=(2, 3, 5, 6)).astype(np.float32)
    m = rng.random(x.shape)
    x[m < 0.15] = np.nan
    x[(m > 0.15) & (m < 0.25)] = -np.inf if kind == "max" else np.inf
    init, op = (-jnp.inf, lax.max) if kind == "max" else (jnp.inf, lax.min)

    def f(a):
        y = lax.reduce_window(a, init, op, window, strides, padding)
        return (y * jnp.arange(1.0, y.size + 1).reshape(y.shape)).sum()  # a distinct gradient per window

    check(jax.grad(f), jnp.asarray(x))


def test_at_set_one_axis_with_repeats_modes_and_dtypes():
    x = rand((5, 3), seed=12)
    check(lambda a, i, v: a.at[i].set(v), x, jnp.asarray([1, 3, 1, 1]), rand((4, 3), seed=13))  # last wins
    check(lambda a, v: a.at[2].set(v), x, jnp.asarray([-0.0, np.nan, 1.0], jnp.float32))
    check(lambda a, i, v: a.at[:, i].set(v), x, jnp.asarray([1, 0, 1]), rand((5, 3), seed=14))
    check(lambda a, i, v: a.at[i].set(v), x, jnp.asarray([-1, 7, 0]), rand((3, 3), seed=15))  # 7 is dropped
    check(lambda a, i, v: a.at[i].set(v, mode="clip"), x, jnp.asarray([-9, 7, 0]), rand((3, 3), seed=16))
    check(lambda a, i, v: a.at[i].set(v, unique_indices=True), x, jnp.asarray([4, 0]), rand((2, 3), seed=17))
    check(lambda a, i: a.at[i].set(True), jnp.zeros((6,), bool), jnp.asarray([1, 4]))
    check(lambda a, i, v: a.at[i].set(v), jnp.zeros((6,), jnp.int32), jnp.asarray([[1, 4], [4, 2]]),
          jnp.asarray([[1, 2], [3, 4]], jnp.int32))
    # the gradient of a set at unique indices is a scatter and a gather (repeated ones need uint32 ids)
    check(jax.grad(lambda a, v: (a.at[jnp.asarray([0, 2])].set(v, unique_indices=True) ** 2).sum(), argnums=(0, 1)),
          x, rand((2, 3), seed=18))


@pytest.mark.parametrize("strides,padding,lhs_dil,rhs_dil,groups", [
    ((2, 1), ((1, 2), (0, 1)), (1, 1), (1, 2), 1),
    ((1, 1), ((1, 1), (0, 2)), (2, 2), (1, 1), 1),
    ((1, 2), "SAME", (1, 1), (1, 1), 2),
])
def test_conv_general_dilated_variants(strides, padding, lhs_dil, rhs_dil, groups):
    x, k = rand((2, 4, 7, 6), seed=6), rand((6, 4 // groups, 3, 2), seed=7)
    check(lambda a, w: lax.conv_general_dilated(a, w, strides, padding, lhs_dilation=lhs_dil, rhs_dilation=rhs_dil,
                                                feature_group_count=groups), x, k, accumulated=True)


def test_grad_through_conv_and_avg_pool():
    def loss(k, x):
        y = lax.conv_general_dilated(x, k, (2, 2), "SAME")
        return lax.reduce_window(jnp.tanh(y), 0.0, lax.add, (1, 1, 2, 2), (1, 1, 1, 1), "SAME").sum()

    check(jax.grad(loss, argnums=(0, 1)), rand((3, 2, 3, 3), seed=8), rand((2, 2, 6, 6), seed=9), accumulated=True)


def test_pooling_min_and_padding():
    x = rand((1, 2, 5, 5), seed=10, special=True)
    check(lambda a: lax.reduce_window(a, jnp.inf, lax.min, (1, 1, 3, 3), (1, 1, 2, 2), "SAME"), x)
    check(lambda a: lax.reduce_window(a, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 1, 1), ((0, 0), (0, 0), (1, 1), (0, 1)),
                                      window_dilation=(1, 1, 2, 1)), x)
