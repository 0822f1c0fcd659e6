"""torch.compile(backend="furcate") on small models, inference and training, against eager."""

from __future__ import annotations

import copy

import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from tests.frontend.torch_check import (  # noqa: E402
    CausalAttention,
    EmbeddingSum,
    assert_all_compiled,
    check_inference,
    check_training,
    fresh_dynamo,  # noqa: F401  (autouse)
    mlp_layernorm_gelu,
    small_cnn,
)
from tests.tolerance import assert_close  # noqa: E402


def test_mlp_layernorm_gelu():
    check_inference(mlp_layernorm_gelu(), torch.randn(4, 16))


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


@pytest.mark.parametrize("norm_first, activation", [(False, "relu"), (True, "gelu")])
def test_transformer_encoder_fast_path_compiles_whole(norm_first, activation):
    """In eval mode under no_grad nn.TransformerEncoder takes its fused fast path
    (aten._transformer_encoder_layer_fwd); furcate's decomposition (frontend/torch_decomp.py)
    compiles it like the slow path, nothing left to eager."""
    layer = nn.TransformerEncoderLayer(32, 4, 64, dropout=0.0, batch_first=True, norm_first=norm_first,
                                       activation=activation)
    check_inference(nn.TransformerEncoder(layer, 2, enable_nested_tensor=False), torch.randn(2, 7, 32))


def test_transformer_encoder_fast_path_with_a_padding_mask_stays_correct():
    """With a key padding mask the fused op is kept (left to eager): the result is still eager's."""
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    m = nn.TransformerEncoder(layer, 1, enable_nested_tensor=False).eval()
    x, pad = torch.randn(2, 5, 16), torch.tensor([[False] * 5, [False] * 3 + [True] * 2])
    with torch.no_grad():
        assert_close(torch.compile(m, backend="furcate")(x, src_key_padding_mask=pad),
                     m(x, src_key_padding_mask=pad), accumulated=True)


def test_transformer_encoder_layer_train():
    layer = nn.TransformerEncoderLayer(16, 2, 32, dropout=0.0, batch_first=True)
    check_training(layer, torch.randn(2, 5, 16))


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
    check_training(EmbeddingSum(), torch.randint(0, 30, (4, 5)))


def test_small_cnn_eval():
    check_inference(small_cnn(), torch.randn(2, 3, 8, 8))
