# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP visual-textual decoder (Sec. 3.2)."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from .attention_pool import interpolate_pos_embed


class CrossAttentionLayer(nn.Module):
    """Pre-norm cross-attention + FFN layer, with no self-attention."""

    def __init__(self, embed_dims: int, num_heads: int, ffn_ratio: float,
                 dropout: float) -> None:
        super().__init__()
        self.norm_q = nn.LayerNorm(embed_dims)
        self.norm_kv = nn.LayerNorm(embed_dims)
        self.cross_attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.norm_ffn = nn.LayerNorm(embed_dims)
        hidden = int(embed_dims * ffn_ratio)
        self.ffn = nn.Sequential(
            nn.Linear(embed_dims, hidden), nn.GELU(), nn.Dropout(dropout),
            nn.Linear(hidden, embed_dims), nn.Dropout(dropout))

    def forward(self, query: Tensor, memory: Tensor, pos: Tensor,
                need_weights: bool = False
                ) -> Tuple[Tensor, Optional[Tensor]]:
        mem = self.norm_kv(memory)
        out, weights = self.cross_attn(
            self.norm_q(query), mem + pos, mem, need_weights=need_weights,
            average_attn_weights=True)
        query = query + out
        query = query + self.ffn(self.norm_ffn(query))
        return query, weights


@MODELS.register_module()
class VisualTextualDecoder(BaseModule):
    """Visual-textual decoder of oCLIP (Sec. 3.2, Fig. 2).

    ``num_layers`` stacked layers of multi-head cross-attention (queries =
    the text-instance embeddings, keys = image tokens + a learned positional
    embedding, values = image tokens) and an FFN. There is deliberately no
    self-attention, so text instances never interact and unlabelled words
    have no effect: the model learns from partial annotations. A linear
    classifier predicts the masked character of every instance (Eq. 2).

    Args:
        num_classes (int): Output classes, ``len(VLPDictionary)``.
        embed_dims (int): Width (384).
        num_layers (int): Layers (6).
        num_heads (int): Heads (8).
        ffn_ratio (float): FFN hidden / width.
        dropout (float): Dropout.
        spatial_dim (int): Token grid side the key positional embedding is
            built for (bicubic-interpolated for others); the memory is
            ``1 + h * w`` tokens (global token first).
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int = 384,
                 num_layers: int = 6,
                 num_heads: int = 8,
                 ffn_ratio: float = 4.0,
                 dropout: float = 0.0,
                 spatial_dim: int = 16,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.memory_pos = nn.Parameter(
            torch.randn(spatial_dim**2 + 1, embed_dims) * 0.01)
        self.layers = nn.ModuleList([
            CrossAttentionLayer(embed_dims, num_heads, ffn_ratio, dropout)
            for _ in range(num_layers)
        ])
        self.norm_out = nn.LayerNorm(embed_dims)
        self.classifier = nn.Linear(embed_dims, num_classes)

    def forward(self, queries: Tensor, memory: Tensor, hw: Tuple[int, int],
                need_weights: bool = False
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Decode.

        Args:
            queries (Tensor): ``(B, K, D)`` text-instance embeddings (padded
                slots are computed but never interact with real ones).
            memory (Tensor): ``(B, 1 + h*w, D)`` image tokens.
            hw (tuple): The token grid ``(h, w)``.
            need_weights (bool): Return the attention of the last layer.

        Returns:
            tuple: logits ``(B, K, num_classes)`` and attention weights
            ``(B, K, 1 + h*w)`` averaged over heads (last layer) or None.
        """
        pos = interpolate_pos_embed(self.memory_pos, hw).unsqueeze(0)
        x = queries
        weights = None
        for i, layer in enumerate(self.layers):
            last = i == len(self.layers) - 1
            x, w = layer(x, memory, pos, need_weights=need_weights and last)
            if w is not None:
                weights = w
        return self.classifier(self.norm_out(x)), weights
