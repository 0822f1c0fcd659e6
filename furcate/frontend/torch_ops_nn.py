"""ATen -> furcate converters for neural-network ops: matrix products, normalization,
softmax, attention backward and embedding bags (convolution and pooling: ``torch_ops_conv``).
Registered in ``torch_registry.CONVERTERS``. Composite float math runs in f32 for f16/bf16
inputs (as torch does) and is rounded to the result dtype at the end."""

from __future__ import annotations

import math

import numpy as np
import torch

from furcate.dtypes import TensorSpec
from furcate.frontend.torch_registry import Cx, aten, norm_dim, register, upcast
from furcate.ir.builder import spec

# --------------------------------------------------------------------------
# matrix products


def _dot(cx, a, b, batch: int = 0):
    """``a @ b`` over the last two dims with ``batch`` leading batch dims."""
    bd = list(range(batch))
    return cx.op("dot_general", a, b, lhs_batching_dimensions=bd, rhs_batching_dimensions=bd,
                 lhs_contracting_dimensions=[batch + 1], rhs_contracting_dimensions=[batch])


@register(aten.mm.default)
def _mm(cx: Cx, node, a, b):
    dt = cx.out(node).dtype
    return _dot(cx, cx.cast(a, dt), cx.cast(b, dt))


@register(aten.bmm.default)
def _bmm(cx, node, a, b):
    dt = cx.out(node).dtype
    return _dot(cx, cx.cast(a, dt), cx.cast(b, dt), batch=1)


@register(aten.addmm.default, aten.baddbmm.default)
def _addmm(cx, node, bias, a, b, beta=1, alpha=1):
    out = cx.out(node)
    prod = _dot(cx, cx.cast(a, out.dtype), cx.cast(b, out.dtype), batch=out.rank - 2)
    if alpha != 1:
        prod = cx.op("mul", prod, cx.scalar_like(alpha, prod))
    if beta == 0:
        return prod
    c = cx.tensor(bias, out)
    if beta != 1:
        c = cx.op("mul", c, cx.scalar_like(beta, c))
    return cx.op("add", c, prod)


# --------------------------------------------------------------------------
# normalization


def _stats(cx, x, dims):
    """(mean, biased variance) of ``x`` over ``dims``, kept with size-1 dims."""
    s = spec(x)
    n = math.prod(s.shape[d] for d in dims)
    kept = [1 if i in dims else d for i, d in enumerate(s.shape)]
    mean = cx.reshape(cx.op("div", cx.op("reduce", x, kind="sum", dimensions=dims), cx.b.full(n, _drop(s, dims))), kept)
    diff = cx.op("sub", x, cx.bcast(mean, s.shape))
    var = cx.op("reduce", cx.op("mul", diff, diff), kind="sum", dimensions=dims)
    var = cx.reshape(cx.op("div", var, cx.scalar_like(n, var)), kept)
    return mean, var, diff


def _drop(s: TensorSpec, dims):
    return TensorSpec(tuple(d for i, d in enumerate(s.shape) if i not in dims), s.dtype)


def _affine(cx, y, weight, bias, dims):
    """``y * weight + bias`` with weight/bias laid along ``dims`` of y."""
    s = spec(y)
    for p, opname in ((weight, "mul"), (bias, "add")):
        if p is not None:
            pv = cx.op("broadcast_in_dim", cx.cast(p, s.dtype), broadcast_dimensions=dims, shape=list(s.shape))
            y = cx.op(opname, y, pv)
    return y


@register(aten.native_layer_norm.default)
def _layer_norm(cx, node, x, normalized_shape, weight, bias, eps):
    out = cx.out(node, 0)
    xw = cx.cast(x, upcast(out.dtype))
    r = out.rank
    dims = list(range(r - len(normalized_shape), r))
    mean, var, diff = _stats(cx, xw, dims)
    rstd = cx.op("rsqrt", cx.op("add", var, cx.scalar_like(eps, var)))
    y = _affine(cx, cx.op("mul", diff, cx.bcast(rstd, out.shape)), weight, bias, dims)
    m_spec, r_spec = cx.out(node, 1), cx.out(node, 2)
    return [cx.cast(y, out.dtype), cx.reshape(cx.cast(mean, m_spec.dtype), m_spec.shape),
            cx.reshape(cx.cast(rstd, r_spec.dtype), r_spec.shape)]


def _bn_eval(cx, x, weight, bias, mean, var, eps, dtype):
    s = spec(x)
    ch = lambda v: cx.op("broadcast_in_dim", cx.cast(v, s.dtype), broadcast_dimensions=[1], shape=list(s.shape))  # noqa: E731
    inv = cx.op("rsqrt", cx.op("add", cx.cast(var, s.dtype), cx.b.full(eps, _channel(s))))
    y = cx.op("mul", cx.op("sub", x, ch(mean)), ch(inv))
    return cx.cast(_affine(cx, y, weight, bias, [1]), dtype)


def _channel(s: TensorSpec) -> TensorSpec:
    return TensorSpec((s.shape[1],), s.dtype)


def _bn_train(cx, node, x, weight, bias, eps):
    """Batch statistics: (output, mean[C], invstd[C], biased var[C], element count per channel)."""
    out = cx.out(node, 0)
    xw = cx.cast(x, upcast(out.dtype))
    dims = [d for d in range(out.rank) if d != 1]
    mean, var, diff = _stats(cx, xw, dims)
    c = spec(xw).shape[1]
    invstd = cx.op("rsqrt", cx.op("add", var, cx.scalar_like(eps, var)))
    y = _affine(cx, cx.op("mul", diff, cx.bcast(invstd, out.shape)), weight, bias, [1])
    n = math.prod(out.shape[d] for d in dims)
    return cx.cast(y, out.dtype), cx.reshape(mean, [c]), cx.reshape(invstd, [c]), cx.reshape(var, [c]), n


def _extras(cx, node, first: int):
    return [cx.b.full(0, cx.out(node, i)) for i in range(first, len(node.meta["val"]))]


@register(aten._native_batch_norm_legit_no_training.default)
def _bn_no_training(cx, node, x, weight, bias, running_mean, running_var, momentum, eps):
    y = _bn_eval(cx, cx.cast(x, upcast(cx.out(node, 0).dtype)), weight, bias, running_mean, running_var, eps,
                 cx.out(node, 0).dtype)
    return [y, *_extras(cx, node, 1)]


@register(aten.native_batch_norm.default, aten._native_batch_norm_legit_functional.default)
def _batch_norm(cx, node, x, weight, bias, running_mean, running_var, training, momentum, eps):
    if not training:
        y = _bn_eval(cx, cx.cast(x, upcast(cx.out(node, 0).dtype)), weight, bias, running_mean, running_var, eps,
                     cx.out(node, 0).dtype)
        return [y, *_extras(cx, node, 1)]
    y, mean, invstd, var, n = _bn_train(cx, node, x, weight, bias, eps)
    results = [y, cx.cast(mean, cx.out(node, 1).dtype), cx.cast(invstd, cx.out(node, 2).dtype)]
    if node.target is aten._native_batch_norm_legit_functional.default:
        unbiased = cx.op("mul", var, cx.scalar_like(n / max(n - 1, 1), var))
        for i, (run, stat) in enumerate(((running_mean, mean), (running_var, unbiased)), start=3):
            dt = cx.out(node, i).dtype
            r = cx.cast(run, spec(stat).dtype)
            new = cx.op("add", cx.op("mul", r, cx.scalar_like(1 - momentum, r)),
                        cx.op("mul", stat, cx.scalar_like(momentum, stat)))
            results.append(cx.cast(new, dt))
    return results


# --------------------------------------------------------------------------
# softmax


def _reduce_kept(cx, v, dim, kind="sum"):
    """``kind``-reduce ``v`` along ``dim`` and broadcast the result back to ``v``'s shape."""
    s = spec(v)
    kept = [1 if i == dim else d for i, d in enumerate(s.shape)]
    return cx.bcast(cx.reshape(cx.op("reduce", v, kind=kind, dimensions=[dim]), kept), s.shape)


def _softmax_parts(cx, x, dim):
    """(x - max, exp(x - max), sum of exp) along ``dim``, each of ``x``'s shape."""
    shifted = cx.op("sub", x, _reduce_kept(cx, x, dim, "max"))
    e = cx.op("exp", shifted)
    return shifted, e, _reduce_kept(cx, e, dim)


@register(aten._softmax.default)
def _softmax(cx, node, x, dim, half_to_float=False):
    out = cx.out(node).dtype
    xw = cx.cast(x, upcast(out))
    dim = norm_dim(dim, spec(xw).rank)
    if spec(xw).rank == 0:
        return cx.b.full(1, cx.out(node))
    _, e, total = _softmax_parts(cx, xw, dim)
    return cx.cast(cx.op("div", e, total), out)


@register(aten._log_softmax.default)
def _log_softmax(cx, node, x, dim, half_to_float=False):
    out = cx.out(node).dtype
    xw = cx.cast(x, upcast(out))
    dim = norm_dim(dim, spec(xw).rank)
    if spec(xw).rank == 0:
        return cx.b.full(0, cx.out(node))
    shifted, _, total = _softmax_parts(cx, xw, dim)
    return cx.cast(cx.op("sub", shifted, cx.op("log", total)), out)


@register(aten._softmax_backward_data.default)
def _softmax_backward(cx, node, grad, output, dim, input_dtype):
    out = cx.out(node).dtype
    g, y = cx.cast(grad, upcast(out)), cx.cast(output, upcast(out))
    dim = norm_dim(dim, spec(g).rank)
    gy = cx.op("mul", g, y)
    return cx.cast(cx.op("sub", gy, cx.op("mul", y, _reduce_kept(cx, gy, dim))), out)


@register(aten._log_softmax_backward_data.default)
def _log_softmax_backward(cx, node, grad, output, dim, input_dtype):
    out = cx.out(node).dtype
    g, y = cx.cast(grad, upcast(out)), cx.cast(output, upcast(out))
    dim = norm_dim(dim, spec(g).rank)
    return cx.cast(cx.op("sub", g, cx.op("mul", cx.op("exp", y), _reduce_kept(cx, g, dim))), out)


# --------------------------------------------------------------------------
# attention backward (the forward is decomposed by core ATen; its derivative is not)


def _transpose_last(cx, v):
    r = spec(v).rank
    return cx.op("transpose", v, permutation=[*range(r - 2), r - 1, r - 2])


def _attention_probs(cx, q, k, logsumexp, scale, attn_mask, is_causal):
    """softmax(q k^T * scale + mask) recomputed from the forward's logsumexp."""
    qs, ks = spec(q), spec(k)
    w, nb = qs.dtype, qs.rank - 2
    L, S = qs.shape[-2], ks.shape[-2]
    scores = cx.op("mul", _dot(cx, q, _transpose_last(cx, k), nb), cx.b.full(scale, TensorSpec((*qs.shape[:-1], S), w)))
    ss = spec(scores)
    if attn_mask is not None:
        if spec(attn_mask).dtype == "i1":
            m = cx.bcast(attn_mask, ss.shape)
            scores = cx.select(m, scores, cx.scalar_like(-math.inf, scores))
        else:
            scores = cx.op("add", scores, cx.tensor(attn_mask, ss))
    if is_causal:
        row = cx.op("iota", spec=TensorSpec((L, S), "i64"), iota_dimension=0)
        col = cx.op("iota", spec=TensorSpec((L, S), "i64"), iota_dimension=1)
        keep = cx.bcast(cx.cmp(col, row, "LE"), ss.shape)
        scores = cx.select(keep, scores, cx.scalar_like(-math.inf, scores))
    lse = cx.bcast(cx.reshape(cx.cast(logsumexp, w), [*qs.shape[:-1], 1]), ss.shape)
    p = cx.op("exp", cx.op("sub", scores, lse))
    return p


@register(aten._scaled_dot_product_flash_attention_for_cpu_backward.default, check=lambda n: n.args[6] == 0)
def _sdpa_backward(cx, node, grad_out, q, k, v, out, logsumexp, dropout_p, is_causal, *, attn_mask=None,
                   scale=None):
    dt = cx.out(node, 0).dtype
    w = upcast(dt)
    dO, q, k, v, o = (cx.cast(t, w) for t in (grad_out, q, k, v, out))
    qs, ks = spec(q), spec(k)
    nb, S = qs.rank - 2, ks.shape[-2]
    scale = 1.0 / math.sqrt(qs.shape[-1]) if scale is None else scale
    probs_shape = (*qs.shape[:-1], S)
    if tuple(spec(logsumexp).shape) == probs_shape:
        # core ATen's decomposition of the forward hands over the attention probabilities
        # themselves in the logsumexp slot
        p = cx.cast(logsumexp, w)
    else:
        p = _attention_probs(cx, q, k, logsumexp, scale, attn_mask, is_causal)
    dv = _dot(cx, _transpose_last(cx, p), dO, nb)
    dp = _dot(cx, dO, _transpose_last(cx, v), nb)
    row_dot = cx.op("reduce", cx.op("mul", dO, o), kind="sum", dimensions=[qs.rank - 1])
    row_dot = cx.bcast(cx.reshape(row_dot, [*qs.shape[:-1], 1]), probs_shape)
    ds = cx.op("mul", p, cx.op("sub", dp, row_dot))
    dq = _dot(cx, ds, k, nb)
    dk = _dot(cx, _transpose_last(cx, ds), q, nb)
    dq = cx.op("mul", dq, cx.scalar_like(scale, dq))
    dk = cx.op("mul", dk, cx.scalar_like(scale, dk))
    return [cx.cast(dq, dt), cx.cast(dk, dt), cx.cast(dv, dt)]


# --------------------------------------------------------------------------
# embedding bags (sum / mean)


def _offset2bag(cx, offsets, n_indices: int, n_bags: int):
    """Bag number of each index position: (number of bag offsets <= position) - 1."""
    offs = offsets
    if spec(offs).shape[0] != n_bags:
        offs = cx.op("slice", offs, start_indices=[0], limit_indices=[n_bags], strides=[1])
    offs = cx.cast(offs, "i64")
    pos = cx.op("iota", spec=TensorSpec((n_indices, n_bags), "i64"), iota_dimension=0)
    starts = cx.op("broadcast_in_dim", offs, broadcast_dimensions=[1], shape=[n_indices, n_bags])
    count = cx.op("reduce", cx.cast(cx.cmp(starts, pos, "LE"), "i64"), kind="sum", dimensions=[1])
    return cx.op("sub", count, cx.scalar_like(1, count))


def _bag_valid(cx, indices, padding_idx):
    if padding_idx is None or padding_idx < 0:
        return None
    return cx.cmp(indices, cx.scalar_like(padding_idx, indices), "NE")


def _bag_sizes(cx, bag, valid, n_bags):
    ones = cx.b.full(1, TensorSpec(spec(bag).shape, "i64")) if valid is None else cx.cast(valid, "i64")
    return cx.op("scatter_add", cx.b.full(0, TensorSpec((n_bags,), "i64")), bag, ones, axis=0)


def _regular_bag_size(node, n_indices: int, n_bags: int, include_last_offset) -> int | None:
    """The common size of every bag when the offsets are ``arange(0, n_indices, size)`` built
    in the graph (what ``nn.EmbeddingBag`` makes of 2-D input), else None."""
    offsets = node.args[2]
    if include_last_offset or not isinstance(offsets, torch.fx.Node) or n_bags == 0:
        return None
    if offsets.target not in (aten.arange.start_step, aten.arange.start, aten.arange.default) or offsets.kwargs.get(
            "dtype") not in (None, torch.int64, torch.int32):
        return None
    args = list(offsets.args)
    start, end, step = (0, args[0], 1) if offsets.target is aten.arange.default else (
        args[0], args[1], args[2] if len(args) > 2 else 1)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end, step)):
        return None
    if start != 0 or step <= 0 or end != n_indices or n_indices != n_bags * step:
        return None
    return step


def _bag_check(node):
    """sum/mean bags over 1-D indices, without scale_grad_by_freq."""
    args = node.args
    mode = args[4] if len(args) > 4 else node.kwargs.get("mode", 0)
    scale_by_freq = args[3] if len(args) > 3 else node.kwargs.get("scale_grad_by_freq", False)
    return mode in (0, 1) and args[1].meta["val"].dim() == 1 and not scale_by_freq


@register(aten._embedding_bag.default, aten._embedding_bag_forward_only.default, check=_bag_check)
def _embedding_bag(cx, node, weight, indices, offsets, scale_grad_by_freq=False, mode=0, sparse=False,
                   per_sample_weights=None, include_last_offset=False, padding_idx=-1):
    out = cx.out(node, 0)
    n_bags, n = out.shape[0], spec(indices).shape[0]
    per = _regular_bag_size(node, n, n_bags, include_last_offset)
    if per is None:
        bag = _offset2bag(cx, offsets, n, n_bags)
    else:
        bag = cx.b.constant(np.arange(n, dtype=np.int64) // per)
    # bags of one size (2-D input): rows gathered as (bag, position, dim) and summed over the
    # position -- one reduction kernel with the gather inside, no scatter, no reshape between
    lead = [n] if per is None else [n_bags, per]
    rows = cx.op("gather", cx.cast(weight, out.dtype), cx.reshape(indices, lead), axis=0)
    if per_sample_weights is not None:
        rows = cx.op("mul", rows, cx.bcast(cx.reshape(cx.cast(per_sample_weights, out.dtype), lead + [1]),
                                           spec(rows).shape))
    valid = _bag_valid(cx, indices, padding_idx)
    if valid is not None:
        rows = cx.select(cx.bcast(cx.reshape(valid, lead + [1]), spec(rows).shape), rows, cx.scalar_like(0, rows))
    if per is not None:
        total = cx.op("reduce", rows, kind="sum", dimensions=[1])
    else:
        total = cx.op("scatter_add", cx.b.full(0, out), bag, rows, axis=0)
    if per is None:
        sizes = _bag_sizes(cx, bag, valid, n_bags)
    elif valid is None:
        sizes = cx.b.full(per, TensorSpec((n_bags,), "i64"))
    else:
        sizes = cx.op("reduce", cx.reshape(cx.cast(valid, "i64"), [n_bags, per]), kind="sum", dimensions=[1])
    if mode == 1:
        denom = cx.cast(cx.op("max", sizes, cx.scalar_like(1, sizes)), out.dtype)
        total = cx.op("div", total, cx.bcast(cx.reshape(denom, [n_bags, 1]), out.shape))
    o2b = cx.out(node, 1)
    o2b_val = bag if o2b.shape == (n,) else cx.b.full(0, o2b)
    return [total, cx.cast(o2b_val, o2b.dtype), cx.reshape(cx.cast(sizes, cx.out(node, 2).dtype), cx.out(node, 2).shape),
            cx.b.full(0, cx.out(node, 3))]


@register(aten._embedding_bag_backward.default, check=lambda n: not n.args[7] and n.args[8] in (0, 1) and not n.args[9])
def _embedding_bag_backward(cx, node, grad, indices, offsets, offset2bag, bag_size, maximum_indices, num_weights,
                            scale_grad_by_freq, mode, sparse, per_sample_weights, padding_idx=-1):
    out = cx.out(node)
    gs = spec(grad)
    n_bags, n = gs.shape[0], spec(indices).shape[0]
    bag = _offset2bag(cx, offsets, n, n_bags)
    g = cx.cast(grad, out.dtype)
    valid = _bag_valid(cx, indices, padding_idx)
    if mode == 1:
        sizes = _bag_sizes(cx, bag, valid, n_bags)
        denom = cx.cast(cx.op("max", sizes, cx.scalar_like(1, sizes)), out.dtype)
        g = cx.op("div", g, cx.bcast(cx.reshape(denom, [n_bags, 1]), gs.shape))
    rows = cx.op("gather", g, bag, axis=0)
    rs = spec(rows)
    if per_sample_weights is not None:
        rows = cx.op("mul", rows, cx.bcast(cx.reshape(cx.cast(per_sample_weights, out.dtype), [n, 1]), rs.shape))
    if valid is not None:
        rows = cx.select(cx.bcast(cx.reshape(valid, [n, 1]), rs.shape), rows, cx.scalar_like(0, rows))
    return cx.op("scatter_add", cx.b.full(0, out), indices, rows, axis=0)
