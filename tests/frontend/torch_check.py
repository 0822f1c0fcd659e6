"""Shared helpers of the torch.compile tests: a fresh Dynamo per test, "compile with furcate,
compare with eager, assert nothing went to eager" for functions and models (inference and
training), and the small models several test files run.

A test module that imports ``fresh_dynamo`` gets it as an autouse fixture."""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import furcate  # noqa: E402
from tests.tolerance import assert_close  # noqa: E402


@pytest.fixture(autouse=True)
def fresh_dynamo():
    """Dynamo's caches, furcate's stats and torch's seed reset before the test; Dynamo's caches after."""
    torch._dynamo.reset()
    furcate.stats(reset=True)
    torch.manual_seed(0)
    yield
    torch._dynamo.reset()


def assert_all_compiled(target: str | None = None, graphs: int = 1) -> dict:
    """No op went to eager and at least ``graphs`` graphs were compiled; with ``target``, every
    kernel ran on it (no eager or backend fallback either). Resets the stats and returns them."""
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {}, st["ops_eager"]
    assert st["graphs_compiled"] >= graphs, st
    if target is not None:
        assert st["kernels"].get(target, 0) >= graphs and set(st["kernels"]) == {target}, st["kernels"]
        assert st["eager_fallbacks"] == [] and st["backend_fallbacks"] == [], st
    return st


def run_compiled(fn, *args, accumulated: bool = False, **compile_kw) -> dict:
    """``fn`` run eagerly and through ``torch.compile(backend="furcate", **compile_kw)`` gives the
    same outputs (a tensor or a sequence of them) with nothing left to eager; returns the stats."""
    expected = fn(*args)
    actual = torch.compile(fn, backend="furcate", **compile_kw)(*args)
    if isinstance(expected, torch.Tensor):
        expected, actual = [expected], [actual]
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        assert_close(a, e, accumulated=accumulated)
    return assert_all_compiled()


def _compiled(model, target: str | None):
    return torch.compile(model, backend="furcate", options=None if target is None else {"target": target})


def check_inference(model, *inputs, target: str | None = None) -> dict:
    """``model`` in eval mode, without grad, through furcate (on ``target``, all of it there, when
    given) gives eager's tensor; returns the stats (see ``assert_all_compiled``)."""
    model.eval()
    with torch.no_grad():
        expected = model(*inputs)
        actual = _compiled(model, target)(*inputs)
    assert isinstance(actual, torch.Tensor), type(actual)
    assert_close(actual, expected, accumulated=True)
    return assert_all_compiled(target)


def square_mean(out):
    """The default training loss of ``check_training``."""
    return out.float().square().mean()


def check_training(model, *inputs, loss=square_mean, target: str | None = None) -> dict:
    """Forward and backward of ``loss(model(*inputs))`` through furcate (on ``target``, all of it
    there, when given) give eager's loss, gradients and buffers (e.g. BatchNorm's running
    statistics); forward and backward each compiled as one graph. Returns the stats."""
    model.train()
    ref = copy.deepcopy(model)
    loss_ref = loss(ref(*inputs))
    loss_ref.backward()
    got = loss(_compiled(model, target)(*inputs))
    got.backward()
    assert_close(got.detach(), loss_ref.detach(), accumulated=True)
    for (name, p), p_ref in zip(model.named_parameters(), ref.parameters()):
        assert_close(p.grad, p_ref.grad, accumulated=True, msg=name)
    for (name, b), b_ref in zip(model.named_buffers(), ref.buffers()):
        assert_close(b, b_ref, accumulated=True, msg=name)
    st = assert_all_compiled(target)
    assert st["graphs_compiled"] == 2, st  # forward and backward, each whole
    return st


# --------------------------------------------------------------------------
# small models


def mlp_layernorm_gelu():
    """Linear, LayerNorm, exact and tanh GELU: 16 features in, 8 out."""
    return nn.Sequential(nn.Linear(16, 32), nn.LayerNorm(32), nn.GELU(), nn.Linear(32, 8), nn.GELU("tanh"))


class CausalAttention(nn.Module):
    """Self-attention with a causal mask held as a buffer; input (batch, seq, d)."""

    def __init__(self, d=16, heads=4, seq=6):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(seq))

    def forward(self, x):
        return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]


class EmbeddingSum(nn.Module):
    """Embedding lookup of (batch, bag) indices < 30, summed over the bag, then a Linear."""

    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(30, 8)
        self.out = nn.Linear(8, 3)

    def forward(self, idx):
        return self.out(self.emb(idx).sum(dim=1))


def small_cnn(relu_after_grouped_conv: bool = False):
    """Conv, BatchNorm (non-trivial running statistics), max and ceil-mode average pooling, a
    strided grouped conv, Linear: input (batch, 3, 8, 8), 5 outputs."""
    act = [nn.ReLU()] if relu_after_grouped_conv else []
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2), *act, nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(8, 5),
    )
    with torch.no_grad():
        m[1].running_mean.uniform_(-0.5, 0.5)
        m[1].running_var.uniform_(0.5, 2.0)
    return m
