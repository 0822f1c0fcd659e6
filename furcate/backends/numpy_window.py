"""NumPy kernels of furcate's windowed ops: convolution and reduce_window.

Both dilate and pad the input (negative padding crops), take a strided
``sliding_window_view`` over the spatial dims and then either multiply the
im2col matrix with the kernel in one batched matmul (convolution, one batch
entry per feature group) or reduce over the window axes (reduce_window).
"""

from __future__ import annotations

from math import prod

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from furcate.backends.numpy_elementwise import compute_dtype
from furcate.backends.numpy_tensor import dilate, identity, pad_edges, reducer


def _windows(a, k_eff, out_shape, strides, dilations, axes):
    """Strided, dilated windows of ``a`` over ``axes``: shape a.shape (out dims on axes) + window."""
    v = sliding_window_view(a, k_eff, axis=axes)
    index = [slice(None)] * a.ndim
    for ax, o, s in zip(axes, out_shape, strides):
        index[ax] = slice(None, (o - 1) * s + 1, s)
    index += [slice(None, None, dl) for dl in dilations]
    return v[tuple(index)]


def _convolution(attrs, ins, outs):
    x, w = ins
    out = outs[0]
    ns = x.rank - 2
    strides, padding = tuple(attrs["window_strides"]), tuple(attrs["padding"])
    ld, rd, groups = tuple(attrs["lhs_dilation"]), tuple(attrs["rhs_dilation"]), attrs["feature_group_count"]
    low, high = (0, 0) + padding[0::2], (0, 0) + padding[1::2]
    n, cg, ksz = x.shape[0], w.shape[1], w.shape[2:]
    og = w.shape[0] // groups
    out_sp = out.shape[2:]
    k_eff = tuple((k - 1) * r + 1 for k, r in zip(ksz, rd))
    npos, kprod = prod(out_sp), prod(ksz)
    ct = compute_dtype(x)
    if out.numel == 0 or cg * kprod == 0:
        return lambda a, b: np.zeros(out.shape, ct)
    spatial = tuple(range(2, 2 + ns))
    # (N, G, Cg, *O, *K) -> (G, N, *O, Cg, *K)
    to_cols = (1, 0, *range(3, 3 + ns), 2, *range(3 + ns, 3 + 2 * ns))
    # (G, N, *O, Og) -> (N, G, Og, *O)
    to_out = (1, 0, 2 + ns, *range(2, 2 + ns))

    def run(a, b):
        a = pad_edges(dilate(a.astype(ct, copy=False), (1, 1) + ld, 0), low, high, 0)
        win = _windows(a, k_eff, out_sp, strides, rd, spatial)  # (N, C, *O, *K)
        cols = win.reshape((n, groups, cg) + out_sp + ksz).transpose(to_cols).reshape(groups, n * npos, cg * kprod)
        kern = b.astype(ct, copy=False).reshape(groups, og, cg * kprod).transpose(0, 2, 1)
        r = np.matmul(cols, kern)  # (G, N*P, Og)
        return r.reshape((groups, n) + out_sp + (og,)).transpose(to_out).reshape(out.shape)

    return run


def _reduce_window(attrs, ins, outs):
    (x,), out = ins, outs[0]
    kind = attrs["kind"]
    win, strides = tuple(attrs["window_dimensions"]), tuple(attrs["window_strides"])
    padding, dil = tuple(attrs["padding"]), tuple(attrs["window_dilations"])
    low, high = padding[0::2], padding[1::2]
    ct = compute_dtype(x)
    if out.numel == 0:
        return lambda a: np.zeros(out.shape, ct)
    fill = identity(kind, ct)
    k_eff = tuple((k - 1) * dl + 1 for k, dl in zip(win, dil))
    axes = tuple(range(x.rank))
    window_axes = tuple(range(x.rank, 2 * x.rank))
    red = reducer(kind, x)

    def run(a):
        a = pad_edges(a.astype(ct, copy=False), low, high, fill)
        return red(_windows(a, k_eff, out.shape, strides, dil, axes), window_axes)

    return run


KERNELS = {"convolution": _convolution, "reduce_window": _reduce_window}
