"""Small furcate programs for the Triton backend tests: each builder returns a fresh
``Program`` (compiling transforms a program in place) and random inputs."""

from __future__ import annotations

import numpy as np

from furcate.dtypes import TensorSpec
from furcate.ir.builder import GraphBuilder


def bcast(b, x, shape, dims):
    return b.op("broadcast_in_dim", x, shape=list(shape), broadcast_dimensions=list(dims))


def softmax(b, x, log=False):
    rows, cols = b_shape(x)
    m = bcast(b, b.op("reduce", x, kind="max", dimensions=[1]), (rows, cols), [0])
    z = b.op("sub", x, m)
    e = b.op("exp", z)
    s = bcast(b, b.op("reduce", e, kind="sum", dimensions=[1]), (rows, cols), [0])
    return b.op("sub", z, b.op("log", s)) if log else b.op("div", e, s)


def b_shape(x):
    from furcate.ir.dialect import spec_of

    return spec_of(x).shape


def layernorm(b, x, w, bias, eps=1e-5):
    rows, cols = b_shape(x)
    dt = _dt(x)
    inv_n = b.full(1.0 / cols, TensorSpec((rows,), dt))
    mean = b.op("mul", b.op("reduce", x, kind="sum", dimensions=[1]), inv_n)
    xc = b.op("sub", x, bcast(b, mean, (rows, cols), [0]))
    var = b.op("mul", b.op("reduce", b.op("mul", xc, xc), kind="sum", dimensions=[1]), inv_n)
    rstd = b.op("rsqrt", b.op("add", var, b.full(eps, TensorSpec((rows,), dt))))
    y = b.op("mul", xc, bcast(b, rstd, (rows, cols), [0]))
    return b.op("add", b.op("mul", y, bcast(b, w, (rows, cols), [1])), bcast(b, bias, (rows, cols), [1]))


def _dt(x):
    from furcate.ir.dialect import spec_of

    return spec_of(x).dtype


def gelu(b, x):
    spec = TensorSpec(b_shape(x), _dt(x))
    inner = b.op("erf", b.op("mul", x, b.full(0.7071067811865476, spec)))
    return b.op("mul", b.op("mul", x, b.full(0.5, spec)), b.op("add", inner, b.full(1.0, spec)))


def matmul(b, x, w, precision=None):
    """``x[M, K] @ w[K, N]``."""
    props = dict(lhs_batching_dimensions=[], rhs_batching_dimensions=[],
                 lhs_contracting_dimensions=[1], rhs_contracting_dimensions=[0])
    if precision:
        props["precision"] = precision
    return b.op("dot_general", x, w, **props)


def linear(b, x, w, bias):
    y = matmul(b, x, w)
    m, n = b_shape(y)
    return b.op("add", y, bcast(b, bias, (m, n), [1]))


def rand(shape, dtype="f32", seed=0, scale=1.0):
    rng = np.random.default_rng(seed + len(shape) * 7 + sum(shape))
    a = rng.standard_normal(shape) * scale
    return a.astype(TensorSpec(tuple(shape), dtype).np_dtype)


# --------------------------------------------------------------------------
# end-to-end models (what the GPU-compile test compiles, and the interpreter runs)


def mlp_model(batch=8, d=32, hidden=64, dtype="f32"):
    """layernorm -> linear -> gelu -> linear -> residual."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((batch, d), dtype), "x")
    g = b.arg(TensorSpec((d,), dtype), "ln_w")
    be = b.arg(TensorSpec((d,), dtype), "ln_b")
    w1 = b.arg(TensorSpec((d, hidden), dtype), "w1")
    b1 = b.arg(TensorSpec((hidden,), dtype), "b1")
    w2 = b.arg(TensorSpec((hidden, d), dtype), "w2")
    b2 = b.arg(TensorSpec((d,), dtype), "b2")
    h = gelu(b, linear(b, layernorm(b, x, g, be), w1, b1))
    y = b.op("add", linear(b, h, w2, b2), x)
    shapes = [(batch, d), (d,), (d,), (d, hidden), (hidden,), (hidden, d), (d,)]
    return b.finish([y]), [rand(s, dtype, i, 0.3 if i in (3, 5) else 1.0) for i, s in enumerate(shapes)]


def attention_model(batch=2, seq=16, d=32, heads=2, dtype="f32"):
    """Single-head-group attention: q/k/v projections, batched QK^T, softmax, batched PV, out proj."""
    b = GraphBuilder()
    hd = d // heads
    x = b.arg(TensorSpec((batch * seq, d), dtype), "x")
    ws = [b.arg(TensorSpec((d, d), dtype), n) for n in ("wq", "wk", "wv", "wo")]
    q, k, v = (matmul(b, x, w) for w in ws[:3])

    def heads_of(t):  # [B*S, D] -> [B*H, S, hd]
        t = b.op("reshape", t, shape=[batch, seq, heads, hd])
        t = b.op("transpose", t, permutation=[0, 2, 1, 3])
        return b.op("reshape", t, shape=[batch * heads, seq, hd])

    qh, kh, vh = heads_of(q), heads_of(k), heads_of(v)
    s = b.op("dot_general", qh, kh, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
             lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[2])
    s = b.op("mul", s, b.full(1.0 / np.sqrt(hd), TensorSpec((batch * heads, seq, seq), dtype)))
    s2 = b.op("reshape", s, shape=[batch * heads * seq, seq])
    p = b.op("reshape", softmax(b, s2), shape=[batch * heads, seq, seq])
    o = b.op("dot_general", p, vh, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
             lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[1])
    o = b.op("reshape", o, shape=[batch, heads, seq, hd])
    o = b.op("reshape", b.op("transpose", o, permutation=[0, 2, 1, 3]), shape=[batch * seq, d])
    y = b.op("add", matmul(b, o, ws[3]), x)
    shapes = [(batch * seq, d)] + [(d, d)] * 4
    return b.finish([y]), [rand(s, dtype, i, 0.2 if i else 1.0) for i, s in enumerate(shapes)]


def softmax_model(rows=8, cols=48, dtype="f32", log=False):
    b = GraphBuilder()
    x = b.arg(TensorSpec((rows, cols), dtype), "x")
    return b.finish([softmax(b, x, log)]), [rand((rows, cols), dtype, 1, 3.0)]


def layernorm_model(rows=8, cols=48, dtype="f32"):
    b = GraphBuilder()
    x = b.arg(TensorSpec((rows, cols), dtype), "x")
    w = b.arg(TensorSpec((cols,), dtype), "w")
    bias = b.arg(TensorSpec((cols,), dtype), "b")
    return b.finish([layernorm(b, x, w, bias)]), [rand((rows, cols), dtype, 2), rand((cols,), dtype, 3),
                                                  rand((cols,), dtype, 4)]


def elementwise_model(rows=16, cols=40, dtype="f32"):
    """``tanh(x*w+b)*0.5 + x`` with w, b per column, plus a transposed and a sliced operand."""
    b = GraphBuilder()
    x = b.arg(TensorSpec((rows, cols), dtype), "x")
    w = b.arg(TensorSpec((cols,), dtype), "w")
    bias = b.arg(TensorSpec((cols,), dtype), "b")
    xt = b.arg(TensorSpec((cols, rows), dtype), "xt")
    big = b.arg(TensorSpec((rows + 3, cols * 2), dtype), "big")
    spec = TensorSpec((rows, cols), dtype)
    t = b.op("tanh", b.op("add", b.op("mul", x, bcast(b, w, (rows, cols), [1])), bcast(b, bias, (rows, cols), [1])))
    y = b.op("add", b.op("mul", t, b.full(0.5, spec)), x)
    y = b.op("add", y, b.op("transpose", xt, permutation=[1, 0]))
    sl = b.op("slice", big, start_indices=[3, 1], limit_indices=[rows + 3, cols * 2], strides=[1, 2])
    y = b.op("sub", y, sl)
    shapes = [(rows, cols), (cols,), (cols,), (cols, rows), (rows + 3, cols * 2)]
    return b.finish([y]), [rand(s, dtype, i) for i, s in enumerate(shapes)]


def batched_matmul_model(batch=3, m=20, n=24, k=40, dtype="f32"):
    """``relu(a[b] @ c[b]^T)`` with the rhs stored [B, N, K] (a transposed operand) and ragged tiles."""
    b = GraphBuilder()
    a = b.arg(TensorSpec((batch, m, k), dtype), "a")
    c = b.arg(TensorSpec((batch, n, k), dtype), "c")
    y = b.op("dot_general", a, c, lhs_batching_dimensions=[0], rhs_batching_dimensions=[0],
             lhs_contracting_dimensions=[2], rhs_contracting_dimensions=[2])
    y = b.op("max", y, b.full(0.0, TensorSpec((batch, m, n), dtype)))
    return b.finish([y]), [rand((batch, m, k), dtype, 5), rand((batch, n, k), dtype, 6)]


MODELS = {
    "mlp": mlp_model,
    "attention": attention_model,
    "softmax": softmax_model,
    "log_softmax": lambda **kw: softmax_model(log=True, **kw),
    "layernorm": layernorm_model,
    "elementwise": elementwise_model,
    "batched_matmul": batched_matmul_model,
}
