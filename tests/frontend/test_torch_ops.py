"""torch.compile(backend="furcate") on small op-level programs, compared with eager."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import furcate  # noqa: E402
from furcate.frontend.torch_fx import capture  # noqa: E402
from furcate.runtime.executable import GuardError  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo, run_compiled  # noqa: E402, F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402


def test_float_pointwise():
    def f(x, y):
        return [
            x + y * 2.5, x - y, x / (y.abs() + 1), torch.pow(x.abs(), 1.5), torch.rsqrt(x.abs() + 1),
            torch.sqrt(x.abs()), torch.exp(x), torch.log(x.abs() + 1), torch.tanh(x), torch.sigmoid(x),
            torch.nn.functional.gelu(x), torch.nn.functional.gelu(x, approximate="tanh"), torch.relu(x),
            torch.nn.functional.silu(x), -x, torch.sign(x), torch.floor(x * 3), torch.ceil(x * 3),
            torch.round(x * 3), torch.clamp(x, -0.5, 0.5), torch.clamp_min(x, 0.1), torch.clamp_max(x, 0.1),
            torch.minimum(x, y), torch.maximum(x, y), torch.where(x > y, x, y), x.masked_fill(x < 0, -1.0),
            torch.remainder(x * 5, 1.5), torch.remainder(x * 5, -1.5), torch.fmod(x * 5, 1.5),
            torch.floor_divide(x * 5, 1.5), x.eq(y), x.ne(y), x.lt(0), x.le(y), x.gt(y), x.ge(0.5),
            torch.isnan(x / x), torch.isinf(1 / (x * 0)), torch.isfinite(1 / (x * 0)),
            torch.trunc(x * 3), x.reciprocal(), torch.nn.functional.hardtanh(x),
        ]

    x = torch.randn(4, 6)
    x[0, 0] = 0.0
    run_compiled(f, x, torch.randn(4, 6))


def test_broadcast_and_promotion():
    def f(x, y, i):
        return x * y, x + i, i * 2, (i + 0.5), x.unsqueeze(2) - y

    run_compiled(f, torch.randn(3, 4), torch.randn(4), torch.arange(4, dtype=torch.int32))


def test_integer_pointwise():
    def f(a, b):
        return [
            # integer division by a tensor is left to eager (a zero divisor raises there):
            # tests/frontend/test_torch_numerics.py; by nonzero scalars it compiles
            a + b, a - b, a * b, a // 3, torch.remainder(a, -3), torch.fmod(a, -3),
            torch.div(a, -4, rounding_mode="trunc"), torch.div(a, -4, rounding_mode="floor"), a / b,
            a & b, a | b, a ^ b, ~a, a == b, a < b, a.abs(), -a, torch.maximum(a, b), torch.clamp(a, -3, 3),
            a.sum(), a.sum(dim=0), a.amax(dim=1), a.prod(dim=1), torch.cumsum(a, 1), a.argmax(dim=1),
            torch.logical_and(a > 0, b > 0), torch.logical_not(a > 0), torch.logical_or(a > 0, b < 0),
        ]

    a = torch.tensor([[7, -7, 7, -7, 0, 5], [9, -9, 3, -1, 6, -6]], dtype=torch.int64)
    b = torch.tensor([[2, 2, -2, -2, 3, 7], [4, 4, -5, 3, -4, 1]], dtype=torch.int64)
    run_compiled(f, a, b)
    run_compiled(f, a.to(torch.int32), b.to(torch.int32))


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16])
def test_low_precision(dtype):
    def f(x, y):
        return [x + y, x * y, torch.exp(x), torch.tanh(x), torch.nn.functional.gelu(x), x.sum(dim=1),
                torch.softmax(x, dim=-1), x @ y.t(), x.to(torch.float32) * 2, (x > y)]

    x = torch.randn(4, 8).to(dtype)
    y = torch.randn(4, 8).to(dtype)
    run_compiled(f, x, y, accumulated=True)


def test_reductions():
    def f(x):
        return [x.sum(), x.sum(dim=(0, 2), keepdim=True), x.mean(dim=1), x.amax(dim=-1), x.amin(dim=0),
                x.var(dim=1), x.var(dim=1, correction=0), torch.var_mean(x, dim=2), x.std(dim=0),
                x.argmax(), x.argmin(dim=1, keepdim=True), (x > 0).any(dim=1), (x > -3).all(),
                torch.cumsum(x, dim=2), torch.cumprod(x, dim=1), x.prod(dim=2), torch.logsumexp(x, dim=1),
                torch.log_softmax(x, dim=1)]

    run_compiled(f, torch.randn(3, 4, 5), accumulated=True)


def test_shape_and_index_ops():
    def f(x, idx, src):
        return [
            x.view(6, 4), x.reshape(-1), x.permute(2, 0, 1), x.transpose(0, 2), x[:, 1:3], x[..., ::2],
            x[1], x.select(2, -1), torch.cat([x, x * 2], dim=1), x.split([1, 2], dim=1)[1],
            torch.nn.functional.pad(x, (1, 2, 0, 1), value=0.5), x.index_select(1, idx), x[:, idx],
            x.unsqueeze(1).expand(2, 3, 3, 4), torch.gather(x, 2, idx.view(1, 1, 3).expand(2, 3, 3)),
            torch.zeros(2, 3, 4).scatter_add(2, idx.view(1, 1, 3).expand(2, 3, 3), src),
            torch.stack([x, x], dim=0), x.flip(1), torch.arange(0, 10, 3, dtype=torch.float32),
            torch.full((2, 2), 7, dtype=torch.int32), x.new_zeros(3), torch.ones_like(x),
            x.clone().index_put_((idx % 2,), torch.ones(3, 3, 4), accumulate=True), x.squeeze(0), x[None],
            x.t() if x.dim() == 2 else x.mT, torch.tensor(3.0) * x, x.index_fill(1, idx, -1.0),
        ]

    idx = torch.tensor([2, 0, 1])
    run_compiled(f, torch.randn(2, 3, 4), idx, torch.randn(2, 3, 3))


@torch.library.custom_op("furcate_test::opaque_cumsum", mutates_args=())
def opaque_cumsum(x: torch.Tensor) -> torch.Tensor:
    """A custom op: furcate cannot see inside it, so it always runs in eager PyTorch."""
    return torch.cumsum(x, dim=1)


@opaque_cumsum.register_fake
def _(x):
    return torch.empty_like(x)


def test_unsupported_op_splits_the_graph():
    """One op furcate does not convert, in the middle: two furcate partitions around it."""

    def f(x):
        y = torch.tanh(x * 2 + 1)
        return torch.relu(opaque_cumsum(y) - 0.5).sum(dim=0)

    x = torch.randn(4, 5)
    expected = f(x)
    actual = torch.compile(f, backend="furcate")(x)
    assert_close(actual, expected, accumulated=True)
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {"furcate_test.opaque_cumsum.default": 1}
    assert st["partitions"] == 2
    assert st["graphs_compiled"] == 2
    assert any("opaque_cumsum" in f for f in st["eager_fallbacks"])
    # the same names on both sides: what furcate compiled and what it left to eager
    assert st["aten_ops_compiled"] == {"aten.mul.Tensor": 1, "aten.add.Tensor": 1, "aten.tanh.default": 1,
                                       "aten.sub.Tensor": 1, "aten.relu.default": 1, "aten.sum.dim_IntList": 1}
    assert st["compile_time_s"]["frontend:torch"] > 0


def test_max_min_dim_and_cummax_cummin_follow_eager_ties_and_nans():
    """Eager picks the first extreme / first NaN for max.dim, and the LAST position that
    reached the running extreme (the last NaN once one was seen) for cummax/cummin."""
    nan, inf = float("nan"), float("inf")

    def f(x):
        return [*x.max(dim=1), *x.min(dim=0, keepdim=True), *torch.cummax(x, 1), *torch.cummin(x, 1),
                *torch.cummax(x, 0), *torch.cummin(x, -2), *x[0, 0].max(dim=0), *torch.cummax(x[0, 0], 0)]

    x = torch.tensor([[1.0, 3, 3, 2, 3, nan, 1, nan], [2, 2, 2, 1, 1, 1, 5, 5],
                      [-1, nan, nan, nan, 0, 0, 0, 0], [-inf] * 8])
    run_compiled(f, x)

    def g(a):
        b = a > 1
        return [*a.max(dim=1), *torch.cummax(a, 1), *torch.cummin(a, 1), *b.max(dim=1), *b.min(dim=1),
                *torch.cummax(b, 1), *torch.cummin(b, 1)]

    run_compiled(g, torch.tensor([[1, 3, 3, 2, 3, 1], [2, 2, 2, 1, 1, 5], [0, 2, 0, 2, 0, 2]]))


def test_random_ops_stay_in_eager():
    torch.manual_seed(0)

    def f(x):
        return torch.nn.functional.dropout(x * 2, p=0.5, training=True) + 1

    x = torch.ones(64)
    out = torch.compile(f, backend="furcate")(x)
    vals = set(out.tolist())
    assert vals <= {1.0, 5.0} and len(vals) == 2
    st = furcate.stats(reset=True)
    assert st["ops_eager"] and all("dropout" in k or "rand" in k or "bernoulli" in k for k in st["ops_eager"])


def test_three_batch_sizes_all_compiled(furcate_log):
    lin = torch.nn.Linear(8, 4)

    def f(x):
        return torch.softmax(lin(x), dim=-1)

    cf = torch.compile(f, backend="furcate")
    messages = furcate_log("recompiles")
    furcate.enable_logging("recompiles")
    with torch.no_grad():
        for n in (2, 3, 5, 3):
            x = torch.randn(n, 8)
            assert_close(cf(x), f(x), accumulated=True)
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {}
    assert st["graphs_compiled"] == 3
    # the first shape compiles; each new one (incl. Dynamo's own recompile at batch 3) is a recompile
    assert st["recompiles"] == 2 and len(messages) == 2, messages
    assert "[3, 8]" in messages[0] and "[5, 8]" in messages[1]


def test_capture_and_guard_errors():
    def f(x, w):
        return torch.tanh(x @ w)

    prog = capture(f, [furcate.dtypes.TensorSpec((2, 3), "f32"), torch.randn(3, 4)])
    assert [str(s) for s in prog.input_specs] == ["f32[2,3]", "f32[3,4]"]
    exe = furcate.compile(prog)
    x, w = torch.randn(2, 3), torch.randn(3, 4)
    (out,) = exe(x.numpy(), w.numpy())
    assert_close(torch.from_numpy(out), f(x, w), accumulated=True)
    with pytest.raises(GuardError, match=r"argument 0 \(x\).*dtype"):
        exe(x.double().numpy(), w.numpy())
    with pytest.raises(GuardError, match=r"argument 1 \(w\).*shape"):
        exe(x.numpy(), torch.randn(4, 4).numpy())


def test_capture_module_weights_are_constants():
    m = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 2))
    prog = capture(m, [torch.randn(3, 8)])
    assert len(prog.input_specs) == 1 and prog.constants
    assert "constant_ref" in prog.text()
    x = torch.randn(3, 8)
    (out,) = furcate.compile(prog)(x.numpy())
    with torch.no_grad():
        assert_close(torch.from_numpy(out), m(x), accumulated=True)


def test_capture_unsupported_op_names_it():
    with pytest.raises(furcate.UnsupportedError, match="opaque_cumsum"):
        capture(lambda x: opaque_cumsum(x) + 1, [torch.randn(3, 2)])


@pytest.mark.parametrize("is_causal", [False, True])
def test_flash_attention_backward_from_logsumexp(is_causal):
    """The attention backward op with the real forward's logsumexp (not the decomposition's)."""
    aten = torch.ops.aten
    q, k, v, d_out = (torch.randn(1, 2, 4, 8) for _ in range(4))
    out, lse = aten._scaled_dot_product_flash_attention_for_cpu(q, k, v, 0.0, is_causal)

    def bwd(d_out, q, k, v, out, lse):
        return aten._scaled_dot_product_flash_attention_for_cpu_backward(d_out, q, k, v, out, lse, 0.0, is_causal)

    prog = capture(bwd, [d_out, q, k, v, out, lse])
    actual = furcate.compile(prog)(*(t.numpy() for t in (d_out, q, k, v, out, lse)))
    for a, e in zip(actual, bwd(d_out, q, k, v, out, lse)):
        assert_close(torch.from_numpy(a), e, accumulated=True)


def test_returned_inputs_and_duplicate_outputs():
    def f(x, y):
        z = x * 2
        return x, z, z, y.view(-1)

    x, y = torch.randn(3), torch.randn(2, 2)
    out = torch.compile(f, backend="furcate")(x, y)
    for a, e in zip(out, f(x, y)):
        assert_close(a, e)
    assert out[0] is x  # as in eager: the input object itself
    x_before = x.clone()
    out[1].add_(1)  # a computed output never shares memory with an input
    assert_close(x, x_before)
    prog = capture(f, [x, y])
    assert len(prog.output_specs) == 4
    res = furcate.compile(prog)(x.numpy(), y.numpy())
    assert_close(torch.from_numpy(res[0]), x)
