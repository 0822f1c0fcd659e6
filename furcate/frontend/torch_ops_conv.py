"""ATen -> furcate converters for convolution and pooling, forward and backward.
Registered in ``torch_registry.CONVERTERS``.

The backward ops are expressed with the forward ops (no dedicated gradient op):

- ``convolution_backward``: the input gradient is a convolution of the output gradient
  (dilated by the stride, ``lhs_dilation``) with the spatially flipped kernel whose in/out
  channels are swapped per group; the weight gradient is a convolution of the input with
  the output gradient where the batch plays the feature role (``rhs_dilation`` = stride,
  groups through ``feature_group_count``); the bias gradient is a sum.
- ``max_pool2d_with_indices``: the indices (flat positions in the input's H*W, eager's
  choice among ties and NaNs) come from one strided slice per window offset;
  ``max_pool2d_with_indices_backward`` scatter-adds the gradient to those positions.
- ``avg_pool2d_backward``: the gradient divided by each window's divisor, interior-padded
  by the stride and summed over windows of the kernel size (the adjoint of the window sum).
"""

from __future__ import annotations

import itertools
import math

import numpy as np

from furcate.dtypes import TensorSpec
from furcate.frontend.torch_registry import Cx, aten, register, upcast
from furcate.ir.builder import spec


def _pad_crop(cx: Cx, x, value, low, high, interior=None):
    """``pad`` with per-dim edge amounts that may be negative (negative ones crop by slicing),
    so that every pad the frontend emits has non-negative edges."""
    r = spec(x).rank
    interior = list(interior or [0] * r)
    lo, hi = [max(v, 0) for v in low], [max(v, 0) for v in high]
    if any(lo) or any(hi) or any(interior):
        x = cx.op("pad", x, cx.b.scalar(value, spec(x).dtype), edge_padding_low=lo, edge_padding_high=hi,
                  interior_padding=interior)
    if any(v < 0 for v in [*low, *high]):
        shape = spec(x).shape
        start = [max(-v, 0) for v in low]
        limit = [n - max(-v, 0) for n, v in zip(shape, high)]
        x = cx.op("slice", x, start_indices=start, limit_indices=limit, strides=[1] * r)
    return x


def _flip_spatial(cx, w):
    """``w`` reversed along every dim after the first two (gathers with reversed indices)."""
    s = spec(w)
    for d in range(2, s.rank):
        if s.shape[d] > 1:
            w = cx.op("gather", w, cx.b.constant(np.arange(s.shape[d] - 1, -1, -1, dtype=np.int64)), axis=d)
    return w


def _group_swap(cx, v, groups: int, first: int):
    """``v`` [g*A, B, *rest] -> [g*B, A, *rest]: dims 0 and 1 swapped inside each group
    (``first`` = A)."""
    s = spec(v)
    rest = list(s.shape[2:])
    b = s.shape[1]
    v = cx.reshape(v, [groups, first, b, *rest])
    v = cx.op("transpose", v, permutation=[0, 2, 1, *range(3, 3 + len(rest))])
    return cx.reshape(v, [groups * b, first, *rest])


# --------------------------------------------------------------------------
# convolution


@register(aten.convolution.default, check=lambda n: not n.args[6])
def _convolution(cx, node, x, w, bias, stride, padding, dilation, transposed, output_padding, groups):
    ns = spec(x).rank - 2
    y = cx.op("convolution", x, w, window_strides=list(stride), padding=[p for p in padding for _ in range(2)],
              lhs_dilation=[1] * ns, rhs_dilation=list(dilation), feature_group_count=int(groups))
    if bias is None:
        return y
    out = spec(y)
    b = cx.op("broadcast_in_dim", cx.cast(bias, out.dtype), broadcast_dimensions=[1], shape=list(out.shape))
    return cx.op("add", y, b)


def _conv_grad_input(cx, grad, w, x_spec: TensorSpec, stride, padding, dilation, groups):
    """d loss / d input: grad (dilated by the stride) convolved with the flipped, per-group
    transposed kernel; padding chosen so the result has the input's spatial size."""
    ws, gs = spec(w), spec(grad)
    ns = ws.rank - 2
    kern = _flip_spatial(cx, _group_swap(cx, w, groups, ws.shape[0] // groups))
    low, high = [], []
    for i in range(ns):
        k_eff = (ws.shape[2 + i] - 1) * dilation[i]
        low.append(k_eff - padding[i])
        high.append(x_spec.shape[2 + i] - 1 + padding[i] - (gs.shape[2 + i] - 1) * stride[i])
    y = cx.op("convolution", grad, kern, window_strides=[1] * ns,
              padding=[max(v, 0) for pair in zip(low, high) for v in pair], lhs_dilation=list(stride),
              rhs_dilation=list(dilation), feature_group_count=groups)
    if any(v < 0 for v in low + high):  # padding larger than the kernel reach: crop instead
        start = [0, 0, *(max(-v, 0) for v in low)]
        limit = [*x_spec.shape[:2], *(s + n for s, n in zip(start[2:], x_spec.shape[2:]))]
        y = cx.op("slice", y, start_indices=start, limit_indices=limit, strides=[1] * (ns + 2))
    return y


def _conv_grad_weight(cx, grad, x, w_spec: TensorSpec, stride, padding, dilation, groups):
    """d loss / d weight[o, c, k] = sum over n, i of grad[n, o, i] * x[n, c, i*stride + k*dilation - pad]:
    a convolution with the channels as batch and the batch as features (per group)."""
    xs, gs = spec(x), spec(grad)
    ns = xs.rank - 2
    n, c = xs.shape[:2]
    spatial = list(range(3, 3 + ns))
    # lhs[c', gi*N + n] = x[n, gi*C/g + c']: channels of a group as batch, (group, batch) as features
    lhs = cx.op("transpose", cx.reshape(x, [n, groups, c // groups, *xs.shape[2:]]), permutation=[2, 1, 0, *spatial])
    lhs = cx.reshape(lhs, [c // groups, groups * n, *xs.shape[2:]])
    rhs = cx.op("transpose", grad, permutation=[1, 0, *range(2, 2 + ns)])  # [O, N, *Y]
    high = []
    for i in range(ns):
        k = w_spec.shape[2 + i]
        high.append((k - 1) * dilation[i] + (gs.shape[2 + i] - 1) * stride[i] + 1 - xs.shape[2 + i] - padding[i])
    y = cx.op("convolution", lhs, rhs, window_strides=list(dilation),
              padding=[v for p, h in zip(padding, high) for v in (p, max(h, 0))], lhs_dilation=[1] * ns,
              rhs_dilation=list(stride), feature_group_count=groups)  # [C/g, O, *K or more]
    ys = spec(y)
    if ys.shape[2:] != w_spec.shape[2:]:
        y = cx.op("slice", y, start_indices=[0] * ys.rank, limit_indices=[*ys.shape[:2], *w_spec.shape[2:]],
                  strides=[1] * ys.rank)
    return cx.op("transpose", y, permutation=[1, 0, *range(2, 2 + ns)])


@register(aten.convolution_backward.default, check=lambda n: not n.args[7])
def _convolution_backward(cx, node, grad, x, w, bias_sizes, stride, padding, dilation, transposed, output_padding,
                          groups, output_mask):
    groups = int(groups)
    ns = spec(x).rank - 2
    stride, padding, dilation = (list(v) * (ns // len(v)) for v in (stride, padding, dilation))
    results = [None, None, None]
    if output_mask[0]:
        gi = _conv_grad_input(cx, grad, w, spec(x), stride, padding, dilation, groups)
        results[0] = cx.cast(gi, cx.out(node, 0).dtype)
    if output_mask[1]:
        gw = _conv_grad_weight(cx, grad, x, spec(w), stride, padding, dilation, groups)
        results[1] = cx.cast(gw, cx.out(node, 1).dtype)
    if output_mask[2]:
        out = cx.out(node, 2)
        gb = cx.op("reduce", cx.cast(grad, out.dtype), kind="sum", dimensions=[0, *range(2, 2 + ns)])
        results[2] = gb
    return results


# --------------------------------------------------------------------------
# pooling


def _pair(v, default):
    v = list(v or default)
    return v * (2 // len(v))


def _pool_params(x_spec: TensorSpec, out: TensorSpec, kernel, stride, padding, dilation=(1, 1)):
    """reduce_window attributes over the last two dims; the high padding is whatever makes
    the window count equal torch's (which covers ceil_mode)."""
    r = x_spec.rank
    kernel, stride = _pair(kernel, None), _pair(stride, kernel)
    padding, dilation = _pair(padding, (0,)), _pair(dilation, (1,))
    win, strides, dil, pads = [1] * r, [1] * r, [1] * r, [0] * (2 * r)
    for i in range(2):
        d = r - 2 + i
        win[d], strides[d], dil[d] = kernel[i], stride[i], dilation[i]
        k_eff = (kernel[i] - 1) * dilation[i] + 1
        lo = padding[i]
        hi = max(0, (out.shape[d] - 1) * stride[i] + k_eff - x_spec.shape[d] - lo)
        pads[2 * d], pads[2 * d + 1] = lo, hi
    return dict(window_dimensions=win, window_strides=strides, padding=pads, window_dilations=dil)


def _max_pool_indices(cx, x, values, p):
    """Eager's max_pool2d indices: per window, the flat H*W position of the LAST NaN if there is
    one, else of the FIRST element equal to the max (padding never counts). One strided slice
    of the -inf padded input per window offset, compared with the pooled values."""
    xs, vs = spec(x), spec(values)
    r = xs.rank
    H, W = xs.shape[-2:]
    Yh, Yw = vs.shape[-2:]
    pads = p["padding"]
    xp = _pad_crop(cx, x, -math.inf, pads[0::2], pads[1::2])
    big = H * W
    first = cx.b.full(big, TensorSpec(vs.shape, "i64"))
    last_nan = cx.b.full(-1, TensorSpec(vs.shape, "i64"))
    (kh, kw), (sh, sw), (dh, dw) = (p[k][-2:] for k in ("window_dimensions", "window_strides", "window_dilations"))
    ph, pw = pads[2 * (r - 2)], pads[2 * (r - 1)]
    rows, cols = np.arange(Yh)[:, None] * sh - ph, np.arange(Yw)[None, :] * sw - pw
    for a, b in itertools.product(range(kh), range(kw)):
        start = [0] * (r - 2) + [a * dh, b * dw]
        limit = [*xs.shape[:-2], a * dh + (Yh - 1) * sh + 1, b * dw + (Yw - 1) * sw + 1]
        v = cx.op("slice", xp, start_indices=start, limit_indices=limit, strides=[1] * (r - 2) + [sh, sw])
        h, w = rows + a * dh, cols + b * dw
        valid = (h >= 0) & (h < H) & (w >= 0) & (w < W)
        flat = (h * W + w).astype(np.int64)
        at_max = cx.bcast(cx.b.constant(np.where(valid, flat, big)), vs.shape)
        at_nan = cx.bcast(cx.b.constant(flat), vs.shape)
        first = cx.op("min", first, cx.select(cx.cmp(v, values, "EQ"), at_max, first))
        last_nan = cx.op("max", last_nan, cx.select(cx.cmp(v, v, "NE"), at_nan, last_nan))
    return cx.select(cx.cmp(last_nan, cx.scalar_like(0, last_nan), "GE"), last_nan, first)


def _indices_used(node) -> bool:
    return any(u.args[1] == 1 and u.users for u in node.users)


def _max_pool_check(node) -> bool:
    """Indices (when used) are computed for float inputs (padding is -inf)."""
    return node.args[0].meta["val"].dtype.is_floating_point or not _indices_used(node)


@register(aten.max_pool2d_with_indices.default, check=_max_pool_check)
def _max_pool2d(cx, node, x, kernel, stride=(), padding=(0,), dilation=(1,), ceil_mode=False):
    out = cx.out(node, 0)
    p = _pool_params(spec(x), out, kernel, stride, padding, dilation)
    values = cx.op("reduce_window", x, kind="max", **p)
    indices = _max_pool_indices(cx, x, values, p) if _indices_used(node) else cx.b.full(0, cx.out(node, 1))
    return [values, cx.cast(indices, cx.out(node, 1).dtype)]


@register(aten.max_pool2d_with_indices_backward.default)
def _max_pool2d_backward(cx, node, grad, x, kernel, stride, padding, dilation, ceil_mode, indices):
    """The gradient scatter-added to each window's argmax (flat H*W positions)."""
    out = cx.out(node)
    gs = spec(grad)
    lead = list(out.shape[:-2])
    g = cx.reshape(cx.cast(grad, out.dtype), [*lead, gs.shape[-2] * gs.shape[-1]])
    idx = cx.reshape(indices, spec(g).shape)
    zeros = cx.b.full(0, TensorSpec((*lead, out.shape[-2] * out.shape[-1]), out.dtype))
    return cx.reshape(cx.op("scatter_add_along", zeros, idx, g, axis=len(lead)), out.shape)


def _avg_divisor(cx, xs: TensorSpec, p: dict, work: str, count_include_pad: bool, divisor_override):
    """The divisor of each window, known from the shapes alone: a rank-0 constant when every
    window has the same count (no padding, or padding that counts), else a constant over the
    dims where it varies, broadcast. Explicit padding counts when ``count_include_pad``; the
    extra ceil_mode padding never does."""
    if divisor_override:
        return cx.b.scalar(divisor_override, work)
    win, strides = p["window_dimensions"], p["window_strides"]
    dil, pads = p["window_dilations"], p["padding"]
    per_dim = []
    for d, n in enumerate(xs.shape):
        lo = pads[2 * d]
        first, stop = (-lo, n + lo) if count_include_pad else (0, n)
        k_eff = (win[d] - 1) * dil[d] + 1
        n_out = (n + lo + pads[2 * d + 1] - k_eff) // strides[d] + 1
        taps = np.arange(n_out)[:, None] * strides[d] - lo + np.arange(win[d])[None, :] * dil[d]
        per_dim.append(((taps >= first) & (taps < stop)).sum(axis=1))
    varying = [d for d, c in enumerate(per_dim) if c.min() != c.max()]
    fixed = math.prod(int(c[0]) for d, c in enumerate(per_dim) if d not in varying)
    if not varying:
        return cx.b.scalar(fixed, work)
    counts = np.ones((), np.int64) * fixed
    for d in varying:
        counts = np.multiply.outer(counts, per_dim[d])
    out_shape = [len(c) for c in per_dim]
    return cx.op("broadcast_in_dim", cx.b.constant(counts, work), broadcast_dimensions=varying, shape=out_shape)


def _divide(cx, total, divisor):
    if spec(divisor).rank == 0 and spec(total).rank > 0:
        divisor = cx.bcast(divisor, spec(total).shape)
    return cx.op("div", total, divisor)


@register(aten.avg_pool2d.default)
def _avg_pool2d(cx, node, x, kernel, stride=(), padding=(0,), ceil_mode=False, count_include_pad=True,
                divisor_override=None):
    out = cx.out(node)
    xs = spec(x)
    work = upcast(out.dtype)
    p = _pool_params(xs, out, kernel, stride, padding)
    total = cx.op("reduce_window", cx.cast(x, work), kind="sum", **p)
    divisor = _avg_divisor(cx, xs, p, work, count_include_pad, divisor_override)
    return cx.cast(_divide(cx, total, divisor), out.dtype)


@register(aten.avg_pool2d_backward.default)
def _avg_pool2d_backward(cx, node, grad, x, kernel, stride, padding, ceil_mode, count_include_pad,
                         divisor_override):
    """Each input position receives the sum of grad / divisor over the windows containing it:
    grad interior-padded by the stride, then summed over kernel-sized windows."""
    out = cx.out(node)
    xs, gs = spec(x), spec(grad)
    work = upcast(out.dtype)
    p = _pool_params(xs, gs, kernel, stride, padding)
    g = _divide(cx, cx.cast(grad, work), _avg_divisor(cx, xs, p, work, count_include_pad, divisor_override))
    r = xs.rank
    win, strides = p["window_dimensions"], p["window_strides"]
    low = [win[d] - 1 - p["padding"][2 * d] for d in range(r)]
    high = [xs.shape[d] - 1 + p["padding"][2 * d] - (gs.shape[d] - 1) * strides[d] for d in range(r)]
    spread = _pad_crop(cx, g, 0, low, high, [s - 1 for s in strides])
    summed = cx.op("reduce_window", spread, kind="sum", window_dimensions=list(win), window_strides=[1] * r,
                   padding=[0] * (2 * r), window_dilations=[1] * r)
    return cx.cast(summed, out.dtype)
