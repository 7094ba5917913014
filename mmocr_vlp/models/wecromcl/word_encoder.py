# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Token-wise (whole-word) text encoder, for the ablation of WeCromCL Table 1.

A word is one token: its character indices are hashed into one of
``num_buckets`` learned embeddings, so the encoder sees no characters.
This stands in for CLIP's token-wise encoder in the miniature study (no
pre-trained BPE vocabulary is available offline); it is not used by the
paper-faithful configs.
"""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class WordTextEncoder(BaseModule):
    """Whole-word embedding with the :class:`CharTextEncoder` interface.

    Args:
        num_tokens (int): Dictionary size (unused; accepted so configs can
            swap encoders).
        max_len (int, optional): Token positions (unused; accepted for the
            same reason).
        num_buckets (int): Hash buckets (word embeddings).
        embed_dims (int): Embedding size.
        out_dims (int, optional): Output size (a 2-layer MLP maps to it).
        pad_idx (int): PAD index.
        eos_idx (int, optional): EOS index (ignored by the hash).
    """

    def __init__(self,
                 num_tokens: int = 0,
                 max_len: Optional[int] = None,
                 num_buckets: int = 65536,
                 embed_dims: int = 512,
                 out_dims: Optional[int] = None,
                 pad_idx: int = 0,
                 eos_idx: Optional[int] = None,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.num_buckets = num_buckets
        self.pad_idx = pad_idx
        self.eos_idx = eos_idx
        self.embed_dims = embed_dims
        self.out_dims = out_dims or embed_dims
        self.embedding = nn.Embedding(num_buckets, embed_dims)
        nn.init.normal_(self.embedding.weight, std=0.02)
        self.mlp = nn.Sequential(nn.Linear(embed_dims, embed_dims), nn.GELU(),
                                 nn.Linear(embed_dims, self.out_dims))

    def word_ids(self, tokens: Tensor) -> Tensor:
        """Polynomial hash of the characters of each row (EOS/PAD ignored)."""
        tokens = tokens.long()
        keep = tokens != self.pad_idx
        if self.eos_idx is not None:
            keep &= tokens != self.eos_idx
        h = torch.zeros(tokens.shape[0],
                        dtype=torch.long,
                        device=tokens.device)
        for j in range(tokens.shape[1]):
            h = torch.where(keep[:, j],
                            (h * 1000003 + tokens[:, j] + 1) % 2147483647, h)
        return h % self.num_buckets

    def forward(self, tokens: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Returns ``pooled`` ``(N, out_dims)``, ``(N, 1, embed_dims)``
        word features and a ``(N, 1)`` all-False padding mask."""
        emb = self.embedding(self.word_ids(tokens))
        pooled = self.mlp(emb)
        mask = torch.zeros((tokens.shape[0], 1),
                           dtype=torch.bool,
                           device=tokens.device)
        return pooled, emb[:, None], mask
