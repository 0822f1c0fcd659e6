"""Decompositions furcate adds to core ATen's, applied by AOTAutograd before conversion.

``aten._transformer_encoder_layer_fwd`` is the fused fast path ``nn.TransformerEncoderLayer``
(and ``nn.TransformerEncoder``) take in eval mode under ``no_grad``: one opaque op for the
whole layer. Written out here in the ops it is made of (linear, scaled dot-product
attention, layer norm, relu/gelu), it compiles like the slow path does, where inductor
would otherwise call the fused kernel. A layer called with a mask keeps the fused op
(``NotImplemented``: left to eager, with its one log line).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

aten = torch.ops.aten


def _encoder_layer_fwd(src, embed_dim, num_heads, qkv_weight, qkv_bias, proj_weight, proj_bias, use_gelu,
                       norm_first, eps, norm_weight_1, norm_bias_1, norm_weight_2, norm_bias_2, ffn_weight_1,
                       ffn_bias_1, ffn_weight_2, ffn_bias_2, mask=None, mask_type=None):
    if mask is not None or src.dim() != 3 or src.is_nested:
        return NotImplemented
    b, n, e = src.shape
    h = num_heads

    def attention(x):
        q, k, v = F.linear(x, qkv_weight, qkv_bias).chunk(3, dim=-1)

        def heads(t):
            return t.reshape(b, n, h, e // h).transpose(1, 2)

        o = F.scaled_dot_product_attention(heads(q), heads(k), heads(v))
        return F.linear(o.transpose(1, 2).reshape(b, n, e), proj_weight, proj_bias)

    def feed_forward(x):
        y = F.linear(x, ffn_weight_1, ffn_bias_1)
        return F.linear(F.gelu(y) if use_gelu else F.relu(y), ffn_weight_2, ffn_bias_2)

    if norm_first:
        x = src + attention(F.layer_norm(src, (e,), norm_weight_1, norm_bias_1, eps))
        return x + feed_forward(F.layer_norm(x, (e,), norm_weight_2, norm_bias_2, eps))
    x = F.layer_norm(src + attention(src), (e,), norm_weight_1, norm_bias_1, eps)
    return F.layer_norm(x + feed_forward(x), (e,), norm_weight_2, norm_bias_2, eps)


def decompositions() -> dict:
    """Core ATen's decompositions plus furcate's (this module)."""
    table = dict(torch._decomp.core_aten_decompositions())
    table[aten._transformer_encoder_layer_fwd.default] = _encoder_layer_fwd
    return table
