"""Builders of the models that ``benchmarks/models_suite.py`` times and
``tests/frontend/test_torch_real_models.py`` checks: Hugging Face transformers built offline
from configs with random weights (GPT-2, BERT, Llama, T5, ViT), ResNet- and MobileNet-style
CNNs, a DLRM-style recommender and small torch.nn blocks.

``MODELS`` maps a kind to ``build(size, batch) -> (model, inputs)``; ``size`` is "tiny"
(tests: a few layers of width 32), "small" (~1-5M parameters) or "medium" (~20-50M
parameters, sequence 128). The model is in eval mode; ``inputs`` is a tuple of tensors.
Nothing is downloaded: HF_HUB_OFFLINE is set before transformers is imported."""

from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402

nn = torch.nn

SEQ = {"tiny": 8, "small": 64, "medium": 128}
IMAGE = {"tiny": 16, "small": 64, "medium": 128}
HF_KINDS = ("gpt2", "bert", "llama", "t5", "vit")


def _transformer_dims(size):
    """(hidden, layers, heads, ffn, vocab) for a transformer of ``size``."""
    return {"tiny": (32, 2, 4, 64, 128), "small": (128, 2, 4, 512, 2048),
            "medium": (512, 6, 8, 2048, 8192)}[size]


def _tokens(batch, seq, vocab, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, vocab, (batch, seq), generator=g)


def _hf(cls_name, config):
    import transformers

    torch.manual_seed(0)
    model = getattr(transformers, cls_name)(config)
    return model.eval()


class HFLogits(nn.Module):
    """A Hugging Face model whose forward returns one tensor (its first output), called with
    keyword inputs, so that eager, inductor and furcate all return the same thing."""

    def __init__(self, model, keys):
        super().__init__()
        self.model, self.keys = model, keys

    def forward(self, *args):
        out = self.model(**dict(zip(self.keys, args)), return_dict=True)
        return out[0] if not hasattr(out, "logits") else out.logits


def gpt2(size, batch):
    import transformers

    d, layers, heads, _, vocab = _transformer_dims(size)
    cfg = transformers.GPT2Config(n_embd=d, n_layer=layers, n_head=heads, vocab_size=vocab,
                                  n_positions=max(SEQ[size], 128), attn_implementation="eager")
    return HFLogits(_hf("GPT2LMHeadModel", cfg), ["input_ids"]).eval(), (_tokens(batch, SEQ[size], vocab),)


def bert(size, batch):
    import transformers

    d, layers, heads, ffn, vocab = _transformer_dims(size)
    cfg = transformers.BertConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                                  intermediate_size=ffn, vocab_size=vocab, max_position_embeddings=max(SEQ[size], 128),
                                  attn_implementation="eager")
    ids = _tokens(batch, SEQ[size], vocab)
    mask = torch.ones_like(ids)
    mask[:, -2:] = 0  # padding: the attention mask matters
    return HFLogits(_hf("BertModel", cfg), ["input_ids", "attention_mask"]).eval(), (ids, mask)


def llama(size, batch):
    import transformers

    d, layers, heads, ffn, vocab = _transformer_dims(size)
    cfg = transformers.LlamaConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                                   num_key_value_heads=max(1, heads // 2), intermediate_size=ffn, vocab_size=vocab,
                                   max_position_embeddings=max(SEQ[size], 128), attn_implementation="eager")
    return HFLogits(_hf("LlamaForCausalLM", cfg), ["input_ids"]).eval(), (_tokens(batch, SEQ[size], vocab),)


def t5(size, batch):
    import transformers

    d, layers, heads, ffn, vocab = _transformer_dims(size)
    cfg = transformers.T5Config(d_model=d, d_kv=d // heads, d_ff=ffn, num_layers=layers, num_heads=heads,
                                vocab_size=vocab, decoder_start_token_id=0, attn_implementation="eager")
    seq = SEQ[size]
    ids, dec = _tokens(batch, seq, vocab), _tokens(batch, max(2, seq // 2), vocab, seed=1)
    return HFLogits(_hf("T5ForConditionalGeneration", cfg), ["input_ids", "decoder_input_ids"]).eval(), (ids, dec)


def vit(size, batch):
    import transformers

    d, layers, heads, ffn, _ = _transformer_dims(size)
    img, patch = IMAGE[size], {"tiny": 4, "small": 8, "medium": 16}[size]
    cfg = transformers.ViTConfig(hidden_size=d, num_hidden_layers=layers, num_attention_heads=heads,
                                 intermediate_size=ffn, image_size=img, patch_size=patch, attn_implementation="eager")
    torch.manual_seed(1)
    return HFLogits(_hf("ViTModel", cfg), ["pixel_values"]).eval(), (torch.randn(batch, 3, img, img),)


# --------------------------------------------------------------------------
# CNNs


class BasicBlock(nn.Module):
    """ResNet's basic block: two 3x3 conv + batch norm, ReLU, residual (1x1 conv when it changes shape)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1, self.b1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout)
        self.c2, self.b2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


def _random_bn_stats(model):
    with torch.no_grad():
        for mod in model.modules():
            if isinstance(mod, (nn.BatchNorm1d, nn.BatchNorm2d)):
                mod.running_mean.uniform_(-0.5, 0.5)
                mod.running_var.uniform_(0.5, 2.0)
                mod.weight.uniform_(0.5, 1.5)
    return model.eval()


def resnet(size, batch):
    w, blocks = {"tiny": (8, 1), "small": (16, 1), "medium": (32, 2)}[size]
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, w, 7, 2, 3, bias=False), nn.BatchNorm2d(w), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = w
    for i, cout in enumerate((w, 2 * w, 4 * w, 8 * w)):
        for j in range(blocks):
            layers.append(BasicBlock(cin, cout, 2 if i > 0 and j == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    x = torch.randn(batch, 3, IMAGE[size], IMAGE[size])
    return _random_bn_stats(nn.Sequential(*layers)), (x,)


def _dw_sep(cin, cout, stride):
    return nn.Sequential(nn.Conv2d(cin, cin, 3, stride, 1, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU6(),
                         nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU6())


def mobilenet(size, batch):
    w = {"tiny": 8, "small": 16, "medium": 32}[size]
    torch.manual_seed(0)
    layers = [nn.Conv2d(3, w, 3, 2, 1, bias=False), nn.BatchNorm2d(w), nn.ReLU6()]
    cin = w
    for cout, stride in ((2 * w, 1), (4 * w, 2), (4 * w, 1), (8 * w, 2), (16 * w, 2)):
        layers.append(_dw_sep(cin, cout, stride))
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, 10)]
    x = torch.randn(batch, 3, IMAGE[size], IMAGE[size])
    return _random_bn_stats(nn.Sequential(*layers)), (x,)


# --------------------------------------------------------------------------
# recommender and nn blocks


class DLRM(nn.Module):
    """DLRM-style: dense features through a bottom MLP, sparse features through EmbeddingBags
    (sum), pairwise dot products of all the vectors (upper triangle), a top MLP, a sigmoid."""

    def __init__(self, tables, rows, dim, dense):
        super().__init__()
        self.bags = nn.ModuleList(nn.EmbeddingBag(rows, dim, mode="sum") for _ in range(tables))
        self.bottom = nn.Sequential(nn.Linear(dense, 64), nn.ReLU(), nn.Linear(64, dim), nn.ReLU())
        n = tables + 1
        self.register_buffer("iu", torch.triu_indices(n, n, 1), persistent=False)
        self.top = nn.Sequential(nn.Linear(dim + n * (n - 1) // 2, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, dense, idx):
        vecs = [self.bottom(dense)] + [bag(idx[i]) for i, bag in enumerate(self.bags)]
        z = torch.stack(vecs, 1)  # (batch, n, dim)
        inter = torch.bmm(z, z.transpose(1, 2))[:, self.iu[0], self.iu[1]]
        return torch.sigmoid(self.top(torch.cat([vecs[0], inter], 1)))


def dlrm(size, batch):
    tables, rows, dim, per = {"tiny": (3, 50, 8, 4), "small": (8, 10_000, 32, 16), "medium": (8, 100_000, 64, 32)}[size]
    torch.manual_seed(0)
    m = DLRM(tables, rows, dim, 13).eval()
    g = torch.Generator().manual_seed(0)
    return m, (torch.randn(batch, 13, generator=g), torch.randint(0, rows, (tables, batch, per), generator=g))


def mlp_block(size, batch):
    """Linear-LayerNorm-GELU-Linear on (batch * 16 tokens, d)."""
    d = {"tiny": 16, "small": 256, "medium": 1024}[size]
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(d, 4 * d), nn.LayerNorm(4 * d), nn.GELU(), nn.Linear(4 * d, d)).eval()
    return m, (torch.randn(batch * 16, d),)


def embedding_bag(size, batch):
    """nn.EmbeddingBag (sum) alone: ``batch * 32`` bags of 32 indices."""
    rows, dim = {"tiny": (50, 8), "small": (100_000, 64), "medium": (1_000_000, 64)}[size]
    torch.manual_seed(0)
    m = nn.EmbeddingBag(rows, dim, mode="sum").eval()
    g = torch.Generator().manual_seed(0)
    return m, (torch.randint(0, rows, (batch * 32, 32), generator=g),)


MODELS = {"gpt2": gpt2, "bert": bert, "llama": llama, "t5": t5, "vit": vit, "resnet": resnet,
          "mobilenet": mobilenet, "dlrm": dlrm, "mlp_block": mlp_block, "embedding_bag": embedding_bag}


def params(model) -> int:
    return sum(p.numel() for p in model.parameters())


# --------------------------------------------------------------------------
# JAX twins (same weights) of the models that have one


def jax_mlp_block(model):
    """The MLP block as a JAX function of its input, weights closed over (constants)."""
    import jax
    import jax.numpy as jnp

    l1, ln, _, l2 = model
    w1, b1, w2, b2 = (jnp.asarray(t.detach().numpy()) for t in (l1.weight.T, l1.bias, l2.weight.T, l2.bias))
    g, b, eps = jnp.asarray(ln.weight.detach().numpy()), jnp.asarray(ln.bias.detach().numpy()), ln.eps

    def f(x):
        h = x @ w1 + b1
        m = h.mean(-1, keepdims=True)
        v = ((h - m) ** 2).mean(-1, keepdims=True)
        h = (h - m) / jnp.sqrt(v + eps) * g + b
        return jax.nn.gelu(h, approximate=False) @ w2 + b2
    return f


JAX_TWINS = {"mlp_block": jax_mlp_block}
