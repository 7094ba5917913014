# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Character-aware text encoder shared by oCLIP and WeCromCL."""
from typing import Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor


@MODELS.register_module()
class CharTextEncoder(BaseModule):
    """Character-aware text encoder (oCLIP Eq. 1; WeCromCL Eq. 3).

    Every text instance is encoded on its own as a sequence of characters:
    ``ce_ij = W_c c_ij + PE_j`` (oCLIP Eq. 1) followed by a pre-norm
    Transformer encoder whose self-attention is restricted to the real
    tokens of the same instance by a key padding mask. There is no
    interaction between instances (each row of ``tokens`` is a batch
    element of the Transformer) and no causal mask.

    Pooling into one embedding per instance:

    - ``'eos'``: the feature at the first ``eos_idx`` token (oCLIP); rows
      without EOS (or ``eos_idx=None``) use their last non-pad token.
    - ``'mean'``: the average over the real characters only, i.e. tokens
      that are neither PAD nor EOS (WeCromCL; the official code also pools
      over pads, which we do not).

    A row made only of PAD tokens (an empty instance slot) gets a zero
    pooled embedding and zero character features; it never produces NaN.

    Args:
        num_tokens (int): Vocabulary size, ``len(VLPDictionary)``.
        max_len (int): Maximum sequence length (positions), including EOS.
        embed_dims (int): Transformer width.
        num_layers (int): Number of Transformer encoder layers.
        num_heads (int): Attention heads.
        ffn_ratio (float): FFN hidden size / ``embed_dims``.
        dropout (float): Dropout in the Transformer layers.
        pooling (str): ``'eos'`` or ``'mean'``.
        out_dims (int, optional): If given, a bias-free linear projection of
            the pooled embedding to ``out_dims`` (oCLIP projects to 384).
        pad_idx (int): The PAD index (0 in :class:`VLPDictionary`).
        eos_idx (int, optional): The EOS index.
        init_cfg (dict, optional): mmengine initialisation config.
    """

    def __init__(self,
                 num_tokens: int,
                 max_len: int = 26,
                 embed_dims: int = 512,
                 num_layers: int = 12,
                 num_heads: int = 8,
                 ffn_ratio: float = 4.0,
                 dropout: float = 0.0,
                 pooling: str = 'eos',
                 out_dims: Optional[int] = None,
                 pad_idx: int = 0,
                 eos_idx: Optional[int] = None,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if pooling not in ('eos', 'mean'):
            raise ValueError(f"CharTextEncoder: pooling must be 'eos' or "
                             f"'mean', got {pooling!r}")
        if embed_dims % num_heads != 0:
            raise ValueError(f'CharTextEncoder: embed_dims={embed_dims} is '
                             f'not divisible by num_heads={num_heads}')
        self.num_tokens = num_tokens
        self.max_len = max_len
        self.embed_dims = embed_dims
        self.pooling = pooling
        self.pad_idx = pad_idx
        self.eos_idx = eos_idx
        self.out_dims = out_dims if out_dims is not None else embed_dims

        self.token_embedding = nn.Embedding(
            num_tokens, embed_dims, padding_idx=pad_idx)
        self.positional_embedding = nn.Parameter(
            torch.empty(max_len, embed_dims))
        layer = nn.TransformerEncoderLayer(
            d_model=embed_dims,
            nhead=num_heads,
            dim_feedforward=int(embed_dims * ffn_ratio),
            dropout=dropout,
            activation='gelu',
            batch_first=True,
            norm_first=True)
        self.transformer = nn.TransformerEncoder(
            layer, num_layers=num_layers, enable_nested_tensor=False)
        self.ln_final = nn.LayerNorm(embed_dims)
        if out_dims is not None:
            self.text_projection = nn.Linear(embed_dims, out_dims, bias=False)
        else:
            self.text_projection = nn.Identity()
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        with torch.no_grad():
            self.token_embedding.weight[self.pad_idx].zero_()
        nn.init.normal_(self.positional_embedding, std=0.01)
        if isinstance(self.text_projection, nn.Linear):
            nn.init.normal_(
                self.text_projection.weight, std=self.embed_dims**-0.5)

    def forward(self, tokens: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Encode text instances.

        Args:
            tokens (Tensor): ``(N, L)`` long token indices, PAD = ``pad_idx``,
                ``L <= max_len``.

        Returns:
            tuple: ``pooled`` ``(N, out_dims)``, ``char_feats``
            ``(N, L, embed_dims)`` (after the final LayerNorm; zero at pads)
            and ``padding_mask`` ``(N, L)`` bool, True = pad.
        """
        if tokens.dim() != 2:
            raise ValueError(f'CharTextEncoder: tokens must be (N, L), got '
                             f'shape {tuple(tokens.shape)}')
        n, length = tokens.shape
        if length > self.max_len:
            raise ValueError(f'CharTextEncoder: sequence length {length} > '
                             f'max_len={self.max_len}')
        tokens = tokens.long()
        padding_mask = tokens == self.pad_idx
        device = self.positional_embedding.device
        if n == 0:
            return (self.positional_embedding.new_zeros(0, self.out_dims),
                    self.positional_embedding.new_zeros(
                        0, length, self.embed_dims),
                    padding_mask.to(device))

        x = self.token_embedding(tokens) + \
            self.positional_embedding[:length].unsqueeze(0)
        # An all-pad row would make every attention key masked (NaN); let
        # such rows attend to their first slot and zero them afterwards.
        empty = padding_mask.all(dim=1)
        attn_mask = padding_mask
        if empty.any():
            attn_mask = padding_mask.clone()
            attn_mask[empty, 0] = False
        x = self.transformer(x, src_key_padding_mask=attn_mask)
        x = self.ln_final(x)
        x = x.masked_fill(padding_mask.unsqueeze(-1), 0.)

        if self.pooling == 'eos':
            pooled = x[torch.arange(n, device=x.device),
                       self._eos_positions(tokens, padding_mask)]
        else:
            real = ~padding_mask
            if self.eos_idx is not None:
                real = real & (tokens != self.eos_idx)
            w = real.to(x.dtype).unsqueeze(-1)
            pooled = (x * w).sum(1) / w.sum(1).clamp(min=1.)
        pooled = self.text_projection(pooled)
        pooled = pooled.masked_fill(empty.unsqueeze(-1), 0.)
        return pooled, x, padding_mask

    def _eos_positions(self, tokens: Tensor, padding_mask: Tensor) -> Tensor:
        """Index of the first EOS per row, else of the last non-pad token."""
        length = tokens.shape[1]
        pos = torch.arange(length, device=tokens.device).expand_as(tokens)
        nonpad = ~padding_mask
        # Last non-pad position (0 for an all-pad row).
        last = torch.where(nonpad, pos, torch.zeros_like(pos)).amax(dim=1)
        if self.eos_idx is None:
            return last
        is_eos = tokens == self.eos_idx
        has_eos = is_eos.any(dim=1)
        first_eos = torch.where(is_eos, pos,
                                torch.full_like(pos, length)).amin(dim=1)
        return torch.where(has_eos, first_eos, last)
