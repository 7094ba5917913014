# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Multi-head attention pooling of CLIP's modified ResNet, returning all
tokens (oCLIP Sec. 3: the image encoder is the backbone followed by a
multi-head attention layer)."""
import math
from typing import Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor


def interpolate_pos_embed(pos: Tensor, hw: Tuple[int, int],
                          num_extra: int = 1) -> Tensor:
    """Bicubic resize of a square grid positional embedding.

    Args:
        pos (Tensor): ``(num_extra + S * S, C)``; the first ``num_extra``
            rows (the global token) are kept as is.
        hw (tuple): Target grid ``(H, W)``.
        num_extra (int): Leading non-grid rows.

    Returns:
        Tensor: ``(num_extra + H * W, C)``.
    """
    extra, grid = pos[:num_extra], pos[num_extra:]
    side = int(round(math.sqrt(grid.shape[0])))
    if side * side != grid.shape[0]:
        raise ValueError(f'positional embedding grid of {grid.shape[0]} '
                         f'rows is not square')
    h, w = hw
    if (h, w) == (side, side):
        return pos
    grid = grid.reshape(1, side, side, -1).permute(0, 3, 1, 2)
    grid = F.interpolate(
        grid.float(), size=(h, w), mode='bicubic',
        align_corners=False).to(pos.dtype)
    grid = grid.permute(0, 2, 3, 1).reshape(h * w, -1)
    return torch.cat([extra, grid], dim=0)


@MODELS.register_module()
class CLIPAttentionPool(BaseModule):
    """CLIP's ``AttentionPool2d`` that returns the global and spatial tokens.

    The feature map is flattened, a mean token is prepended, a learned
    positional embedding (built for a ``spatial_dim`` x ``spatial_dim`` grid,
    bicubic-interpolated for other sizes) is added, and one multi-head
    self-attention over all tokens (queries = all tokens) followed by the
    output projection ``c_proj`` gives ``1 + H * W`` tokens of ``out_dims``.
    Parameter names follow CLIP (``positional_embedding``, ``q_proj``,
    ``k_proj``, ``v_proj``, ``c_proj``).

    Args:
        spatial_dim (int): Grid side the positional embedding is built for
            (input size / 32, e.g. 16 for 512x512).
        embed_dims (int): Input channels (2048 for RN50).
        num_heads (int): Attention heads (32 for RN50).
        out_dims (int): Output width (384 in oCLIP).
    """

    def __init__(self,
                 spatial_dim: int = 16,
                 embed_dims: int = 2048,
                 num_heads: int = 32,
                 out_dims: int = 384,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims % num_heads != 0:
            raise ValueError(f'CLIPAttentionPool: embed_dims={embed_dims} '
                             f'not divisible by num_heads={num_heads}')
        self.spatial_dim = spatial_dim
        self.num_heads = num_heads
        self.embed_dims = embed_dims
        self.out_dims = out_dims
        self.positional_embedding = nn.Parameter(
            torch.randn(spatial_dim**2 + 1, embed_dims) / embed_dims**0.5)
        self.q_proj = nn.Linear(embed_dims, embed_dims)
        self.k_proj = nn.Linear(embed_dims, embed_dims)
        self.v_proj = nn.Linear(embed_dims, embed_dims)
        self.c_proj = nn.Linear(embed_dims, out_dims)
        # CLIP init: weight std embed_dims^-0.5, PyTorch's default biases.
        std = embed_dims**-0.5
        for m in (self.q_proj, self.k_proj, self.v_proj, self.c_proj):
            nn.init.normal_(m.weight, std=std)

    def forward(self, x: Tensor, need_weights: bool = False
                ) -> Tuple[Tensor, Tensor, Optional[Tensor]]:
        """Pool a feature map.

        Args:
            x (Tensor): ``(B, C, H, W)``.
            need_weights (bool): Also return the head-averaged attention.

        Returns:
            tuple: global token ``(B, out_dims)``, spatial tokens
            ``(B, H * W, out_dims)`` and, if asked, attention weights
            ``(B, 1 + H * W, 1 + H * W)`` (row 0 = the global token's
            attention; oCLIP Fig. 3) else None.
        """
        b, c, h, w = x.shape
        if c != self.embed_dims:
            raise ValueError(f'CLIPAttentionPool: got {c} channels, built '
                             f'for {self.embed_dims}')
        tokens = x.flatten(2).transpose(1, 2)  # B, HW, C
        tokens = torch.cat([tokens.mean(dim=1, keepdim=True), tokens], 1)
        tokens = tokens + interpolate_pos_embed(self.positional_embedding,
                                                (h, w)).unsqueeze(0)
        n = tokens.shape[1]
        d = c // self.num_heads

        def split(t):
            return t.reshape(b, n, self.num_heads, d).transpose(1, 2)

        q = split(self.q_proj(tokens))
        k = split(self.k_proj(tokens))
        v = split(self.v_proj(tokens))
        weights = None
        if need_weights:
            attn = (q @ k.transpose(-2, -1)) * d**-0.5
            attn = attn.softmax(dim=-1)
            out = attn @ v
            weights = attn.mean(dim=1)
        else:
            out = F.scaled_dot_product_attention(q, k, v)
        out = out.transpose(1, 2).reshape(b, n, c)
        out = self.c_proj(out)
        return out[:, 0], out[:, 1:], weights
