"""torch.compile(backend="furcate") on small models, inference and training, against eager."""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

import furcate  # noqa: E402
from tests.tolerance import assert_close  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh():
    torch._dynamo.reset()
    furcate.stats(reset=True)
    torch.manual_seed(0)
    yield
    torch._dynamo.reset()


def assert_all_compiled():
    st = furcate.stats(reset=True)
    assert st["ops_eager"] == {}, st["ops_eager"]
    assert st["graphs_compiled"] >= 1
    return st


def check_inference(model, *inputs):
    model.eval()
    with torch.no_grad():
        expected = model(*inputs)
        actual = torch.compile(model, backend="furcate")(*inputs)
    assert_close(actual, expected, accumulated=True)
    return assert_all_compiled()


def check_training(model, *inputs):
    """Forward and backward through furcate give eager's loss and gradients."""
    model.train()
    ref = copy.deepcopy(model)
    loss_ref = ref(*inputs).float().square().mean()
    loss_ref.backward()
    loss = torch.compile(model, backend="furcate")(*inputs).float().square().mean()
    loss.backward()
    assert_close(loss.detach(), loss_ref.detach(), accumulated=True)
    for (name, p), p_ref in zip(model.named_parameters(), ref.parameters()):
        assert_close(p.grad, p_ref.grad, accumulated=True, msg=name)
    st = assert_all_compiled()
    assert st["graphs_compiled"] == 2  # forward and backward
    return st


def test_mlp_layernorm_gelu():
    m = nn.Sequential(nn.Linear(16, 32), nn.LayerNorm(32), nn.GELU(), nn.Linear(32, 8), nn.GELU("tanh"))
    check_inference(m, torch.randn(4, 16))


def test_mlp_training_step_matches_eager():
    m = nn.Sequential(nn.Linear(16, 32), nn.LayerNorm(32), nn.GELU(), nn.Linear(32, 4))
    ref = copy.deepcopy(m)
    x, y = torch.randn(8, 16), torch.randint(0, 4, (8,))
    opt, opt_ref = torch.optim.SGD(m.parameters(), lr=0.1), torch.optim.SGD(ref.parameters(), lr=0.1)
    cm = torch.compile(m, backend="furcate")
    loss = nn.functional.cross_entropy(cm(x), y)
    loss.backward()
    loss_ref = nn.functional.cross_entropy(ref(x), y)
    loss_ref.backward()
    assert_close(loss.detach(), loss_ref.detach(), accumulated=True)
    for p, p_ref in zip(m.parameters(), ref.parameters()):
        assert_close(p.grad, p_ref.grad, accumulated=True)
    opt.step()
    opt_ref.step()
    for p, p_ref in zip(m.parameters(), ref.parameters()):
        assert_close(p.detach(), p_ref.detach(), accumulated=True)
    assert_all_compiled()


def test_transformer_encoder_layer_eval():
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    torch.backends.mha.set_fastpath_enabled(False)
    try:
        check_inference(layer, torch.randn(2, 5, 16))
    finally:
        torch.backends.mha.set_fastpath_enabled(True)


def test_transformer_encoder_layer_train():
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    check_training(layer, torch.randn(2, 5, 16))


class CausalAttention(nn.Module):
    def __init__(self, d=16, heads=4, seq=6):
        super().__init__()
        self.attn = nn.MultiheadAttention(d, heads, batch_first=True)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(seq))

    def forward(self, x):
        return self.attn(x, x, x, attn_mask=self.mask, need_weights=False)[0]


def test_multihead_attention_causal():
    check_inference(CausalAttention(), torch.randn(2, 6, 16))


def test_sdpa_causal_training():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.qkv = nn.Linear(8, 24)

        def forward(self, x):
            q, k, v = self.qkv(x).view(2, 5, 3, 2, 4).permute(2, 0, 3, 1, 4)
            return nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)

    check_training(M(), torch.randn(2, 5, 8))


def test_embedding_bag_sum():
    bag = nn.EmbeddingBag(20, 8, mode="sum")
    idx = torch.randint(0, 20, (3, 4))
    check_inference(bag, idx)
    check_training(bag, idx)


def test_embedding_bag_offsets_mean_padding():
    bag = nn.EmbeddingBag(20, 8, mode="mean", padding_idx=0)
    idx = torch.tensor([3, 0, 5, 7, 7, 1, 0, 9])
    offsets = torch.tensor([0, 2, 2, 5])  # includes an empty bag
    check_inference(bag, idx, offsets)


def test_embedding_sum_pooling_training():
    class M(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(30, 8)
            self.out = nn.Linear(8, 3)

        def forward(self, idx):
            return self.out(self.emb(idx).sum(dim=1))

    check_training(M(), torch.randint(0, 30, (4, 5)))


def test_small_cnn_eval():
    m = nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 8, 3, stride=2, padding=1, groups=2), nn.AvgPool2d(2, ceil_mode=True),
        nn.Flatten(), nn.Linear(8, 5),
    )
    with torch.no_grad():  # non-trivial running statistics
        m[1].running_mean.uniform_(-0.5, 0.5)
        m[1].running_var.uniform_(0.5, 2.0)
    check_inference(m, torch.randn(2, 3, 8, 8))
