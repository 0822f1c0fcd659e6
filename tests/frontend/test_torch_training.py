"""Training graphs compile whole: a compiled training step -- forward, backward and the optimizer
step (AdamW, Adam, SGD with momentum; foreach on and off) -- gives eager's parameters after three
steps, with nothing left to eager but random ops (dropout, by design, with its one log line)."""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import furcate  # noqa: E402
from tests.frontend.torch_check import fresh_dynamo  # noqa: E402, F401  (autouse fixture)
from tests.tolerance import assert_close  # noqa: E402


class Tiny(nn.Module):
    """Embedding, LayerNorm, Linear + GELU, softmax and log_softmax: their backward ops
    (embedding_dense_backward, native_layer_norm_backward, gelu_backward, _softmax_backward_data)."""

    def __init__(self, dropout: float = 0.0):
        super().__init__()
        self.emb = nn.Embedding(20, 16)
        self.ln = nn.LayerNorm(16)
        self.fc = nn.Linear(16, 16)
        self.drop = nn.Dropout(dropout) if dropout else nn.Identity()
        self.out = nn.Linear(16, 5)

    def forward(self, idx):
        h = nn.functional.gelu(self.fc(self.ln(self.emb(idx))))
        h = self.drop(h)
        return torch.log_softmax(self.out(h), -1).mean() + torch.softmax(h, -1).square().mean()


OPTIMIZERS = {
    "adamw": lambda p: torch.optim.AdamW(p, lr=1e-2),
    "adamw_no_foreach": lambda p: torch.optim.AdamW(p, lr=1e-2, foreach=False, fused=False),
    "adam": lambda p: torch.optim.Adam(p, lr=1e-2),
    "adam_no_foreach": lambda p: torch.optim.Adam(p, lr=1e-2, foreach=False),
    "sgd_momentum": lambda p: torch.optim.SGD(p, lr=1e-1, momentum=0.9),
}


def _train(model, make_opt, idx, compiled: bool, steps: int = 3):
    opt = make_opt(model.parameters())

    def step(i):
        opt.zero_grad()
        loss = model(i)
        loss.backward()
        opt.step()
        return loss

    if compiled:
        step = torch.compile(step, backend="furcate")
    return [step(idx).detach() for _ in range(steps)]


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_training_step_matches_eager(name, furcate_log):
    messages = furcate_log("fallback")
    model = Tiny()
    ref = copy.deepcopy(model)
    idx = torch.randint(0, 20, (4, 7))
    losses_ref = _train(ref, OPTIMIZERS[name], idx, compiled=False)
    losses = _train(model, OPTIMIZERS[name], idx, compiled=True)
    for got, want in zip(losses, losses_ref):
        assert_close(got, want, accumulated=True)
    for (pname, p), p_ref in zip(model.named_parameters(), ref.parameters()):
        assert_close(p.detach(), p_ref.detach(), accumulated=True, msg=pname)
    st = furcate.stats()
    assert st["ops_eager"] == {}, st["ops_eager"]
    assert st["graphs_compiled"] >= 2
    assert not [m for m in messages if "eager" in m], messages  # (a backend fallback may log here too)
    if name.startswith("adam"):
        assert "prims.fma.default" in st["aten_ops_compiled"] or "aten.lerp.Scalar" in st["aten_ops_compiled"]


def test_dropout_stays_eager_with_one_log_line(furcate_log, monkeypatch):
    from furcate.frontend import torch_backend

    monkeypatch.setattr(torch_backend, "_WARNED_OPS", set())  # the line is once per process
    messages = furcate_log("fallback")
    torch.manual_seed(1)
    model = Tiny(dropout=0.25)
    idx = torch.randint(0, 20, (4, 7))
    _train(model, OPTIMIZERS["adamw"], idx, compiled=True)
    st = furcate.stats()
    assert set(st["ops_eager"]) == {"aten.native_dropout.default"}, st["ops_eager"]
    assert len([m for m in messages if "native_dropout" in m]) == 1, messages


def test_fma_matches_eager_rounding():
    """prims.fma is eager's (a * b) + c, rounded after each op: bit-equal here."""
    from furcate.frontend import torch_ops

    assert torch_ops.lookup(torch.ops.aten.add.Tensor) is not None
    a = torch.randn(64) * 3
    b = torch.randn(64)
    c = torch.randn(64)
    fn = torch.compile(lambda x, y, z: torch.lerp(x, y, z), backend="furcate")
    assert_close(fn(a, b, c), torch.lerp(a, b, c))
    assert furcate.stats()["ops_eager"] == {}
