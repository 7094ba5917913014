# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP visual-textual decoder (Sec. 3.2)."""
from collections import OrderedDict
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from ..common.text_encoder import QuickGELU
from .attention_pool import interpolate_pos_embed


class CrossAttentionLayer(nn.Module):
    """One decoder layer: cross-attention with a LayerNorm on its *output*
    (``q = q + LN(attn(q, k, v))``, the query itself is not normalised),
    then a pre-norm FFN (``q = q + FFN(LN(q))``, 4x, QuickGELU). No
    self-attention. The layout of the official oCLIP decoder."""

    def __init__(self, embed_dims: int, num_heads: int, ffn_ratio: float,
                 dropout: float) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(
            embed_dims, num_heads, dropout=dropout, batch_first=True)
        self.ln_1 = nn.LayerNorm(embed_dims)
        hidden = int(embed_dims * ffn_ratio)
        self.mlp = nn.Sequential(
            OrderedDict([('c_fc', nn.Linear(embed_dims, hidden)),
                         ('gelu', QuickGELU()),
                         ('c_proj', nn.Linear(hidden, embed_dims))]))
        self.ln_2 = nn.LayerNorm(embed_dims)

    def forward(self, query: Tensor, key: Tensor, value: Tensor,
                need_weights: bool = False
                ) -> Tuple[Tensor, Optional[Tensor]]:
        out, weights = self.attn(
            query, key, value, need_weights=need_weights,
            average_attn_weights=True)
        query = query + self.ln_1(out)
        query = query + self.mlp(self.ln_2(query))
        return query, weights


@MODELS.register_module()
class VisualTextualDecoder(BaseModule):
    """Visual-textual decoder of oCLIP (Sec. 3.2, Fig. 2).

    ``num_layers`` stacked layers of multi-head cross-attention (queries =
    the text-instance embeddings, keys = the spatial image tokens + a
    learned positional embedding ``image_pos``, values = the spatial image
    tokens; the global token is not in the memory) and an FFN, then a final
    LayerNorm and a linear classifier ``text_class`` predicting the masked
    character of every instance (Eq. 2). There is deliberately no
    self-attention, so text instances never interact and unlabelled words
    have no effect: the model learns from partial annotations.

    Initialisation follows the official code, which reuses the *text
    encoder's* width ``w`` and depth ``L`` for the decoder's stds:
    ``in_proj`` ``w^-0.5``, ``out_proj``/``c_proj`` ``w^-0.5 (2 L)^-0.5``,
    ``c_fc`` ``(2 w)^-0.5``, ``text_class`` ``w^-0.5``; ``image_pos`` std
    ``embed_dims^-0.5``.

    Args:
        num_classes (int): Output classes, ``len(VLPDictionary)``.
        embed_dims (int): Width. Defaults to 384.
        num_layers (int): Layers. Defaults to 6.
        num_heads (int): Heads. Defaults to 8.
        ffn_ratio (float): FFN hidden / width. Defaults to 4.
        dropout (float): Attention dropout. Defaults to 0.
        spatial_dim (int): Token grid side ``image_pos`` is built for
            (bicubic-interpolated for other grids). Defaults to 16.
        init_width (int, optional): ``w`` of the init stds. Defaults to
            ``embed_dims``.
        init_layers (int, optional): ``L`` of the init stds. Defaults to
            ``num_layers``.
    """

    def __init__(self,
                 num_classes: int,
                 embed_dims: int = 384,
                 num_layers: int = 6,
                 num_heads: int = 8,
                 ffn_ratio: float = 4.0,
                 dropout: float = 0.0,
                 spatial_dim: int = 16,
                 init_width: Optional[int] = None,
                 init_layers: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.image_pos = nn.Parameter(
            torch.randn(spatial_dim**2, embed_dims) / embed_dims**0.5)
        self.layers = nn.ModuleList([
            CrossAttentionLayer(embed_dims, num_heads, ffn_ratio, dropout)
            for _ in range(num_layers)
        ])
        self.ln_final = nn.LayerNorm(embed_dims)
        self.text_class = nn.Linear(embed_dims, num_classes)
        w = init_width or embed_dims
        proj_std = w**-0.5 * (2 * (init_layers or num_layers))**-0.5
        for layer in self.layers:
            nn.init.normal_(layer.attn.in_proj_weight, std=w**-0.5)
            nn.init.normal_(layer.attn.out_proj.weight, std=proj_std)
            nn.init.normal_(layer.mlp.c_fc.weight, std=(2 * w)**-0.5)
            nn.init.normal_(layer.mlp.c_proj.weight, std=proj_std)
        nn.init.normal_(self.text_class.weight, std=w**-0.5)

    def forward(self, queries: Tensor, memory: Tensor, hw: Tuple[int, int],
                need_weights: bool = False
                ) -> Tuple[Tensor, Optional[Tensor]]:
        """Decode.

        Args:
            queries (Tensor): ``(B, K, D)`` text-instance embeddings (padded
                slots are computed but never interact with real ones).
            memory (Tensor): ``(B, h*w, D)`` spatial image tokens.
            hw (tuple): The token grid ``(h, w)``.
            need_weights (bool): Return the attention of the last layer.

        Returns:
            tuple: logits ``(B, K, num_classes)`` and attention weights
            ``(B, K, h*w)`` averaged over heads (last layer) or None.
        """
        pos = interpolate_pos_embed(self.image_pos, hw, num_extra=0)
        key = memory + pos.unsqueeze(0)
        x = queries
        weights = None
        for i, layer in enumerate(self.layers):
            last = i == len(self.layers) - 1
            x, w = layer(x, key, memory, need_weights=need_weights and last)
            if w is not None:
                weights = w
        return self.text_class(self.ln_final(x)), weights
