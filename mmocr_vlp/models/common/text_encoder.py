# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Character-aware text encoder shared by oCLIP and WeCromCL."""
from typing import Dict, Optional, Tuple

import torch
import torch.nn as nn
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

POOLINGS = ('eos', 'mean', 'mean_all')
ACTIVATIONS = ('gelu', 'quick_gelu')
EOS_MODES = ('keep', 'strip')


class QuickGELU(nn.Module):
    """CLIP's sigmoid approximation of GELU, ``x * sigmoid(1.702 x)``."""

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.sigmoid(1.702 * x)


def text_encoder_cfg(cfg: Dict, dictionary, out_dims: int) -> Dict:
    """Fill a text encoder config from the model's dictionary.

    ``num_tokens``, ``max_len`` (``dictionary.max_len + 1``: the characters
    and EOS), ``pad_idx``, ``eos_idx`` and ``out_dims`` are set unless the
    config gives them; ``type`` defaults to ``'CharTextEncoder'``.

    Args:
        cfg (dict): The text encoder config.
        dictionary (VLPDictionary): The model's dictionary.
        out_dims (int): Default output width.

    Returns:
        dict: A new config.
    """
    cfg = dict(cfg)
    cfg.setdefault('type', 'CharTextEncoder')
    cfg.setdefault('num_tokens', len(dictionary))
    cfg.setdefault('max_len', dictionary.max_len + 1)
    cfg.setdefault('pad_idx', dictionary.pad_idx)
    cfg.setdefault('eos_idx', dictionary.eos_idx)
    cfg.setdefault('out_dims', out_dims)
    return cfg


@MODELS.register_module()
class CharTextEncoder(BaseModule):
    """Character-aware text encoder (oCLIP Eq. 1; WeCromCL Eq. 3).

    Every text instance is encoded on its own as a sequence of characters:
    ``ce_ij = W_c c_ij + PE_j`` (oCLIP Eq. 1) followed by a pre-norm
    Transformer encoder (``x + attn(LN(x))``, ``x + FFN(LN(x))``) and a final
    LayerNorm. There is no interaction between instances (each row of
    ``tokens`` is a batch element of the Transformer).

    The options reproduce both official encoders and our variants:

    ========================  =====================  =====================
    option                    oCLIP official         WeCromCL official
    ========================  =====================  =====================
    ``causal``                True (CLIP's mask)     False
    ``activation``            ``'quick_gelu'``       ``'quick_gelu'``
    ``key_padding_mask``      False                  False
    ``pooling``               ``'eos'``              ``'mean_all'``
    ``learnable_pad``         True                   True
    ``zero_empty``            False                  False
    ``eos_mode``              ``'keep'``             ``'strip'``
    ``clip_init``             True                   True
    ``max_len``               25 (incl. EOS)         25 (no EOS)
    ========================  =====================  =====================

    The class defaults (no causal mask, GELU, a key padding mask, a fixed
    zero PAD row, zero embeddings for empty slots, PyTorch's default init)
    are this package's original encoder.

    Pooling into one embedding per instance:

    - ``'eos'``: the feature at the first ``eos_idx`` token (oCLIP); rows
      without EOS (or ``eos_idx=None``) use their last non-pad token, an
      all-PAD row its position 0 (as the official ``argmax`` does).
    - ``'mean'``: the average over the real characters only (tokens that
      are neither PAD nor EOS).
    - ``'mean_all'``: the average over all ``L`` input positions, pads and
      EOS included (the official WeCromCL; it depends on the input width
      ``L``, which must then be ``max_len``).

    Args:
        num_tokens (int): Vocabulary size, ``len(VLPDictionary)``.
        max_len (int): Number of positions (learned positional embeddings).
            Defaults to 26.
        embed_dims (int): Transformer width. Defaults to 512.
        num_layers (int): Number of Transformer layers. Defaults to 12.
        num_heads (int): Attention heads. Defaults to 8.
        ffn_ratio (float): FFN hidden size / ``embed_dims``. Defaults to 4.
        dropout (float): Dropout in the Transformer layers. Defaults to 0.
        pooling (str): ``'eos'``, ``'mean'`` or ``'mean_all'``. Defaults to
            ``'eos'``.
        out_dims (int, optional): If given, a bias-free linear projection of
            the pooled embedding to ``out_dims`` (oCLIP projects to 384).
            Defaults to None.
        pad_idx (int): The PAD index (0 in :class:`VLPDictionary`).
            Defaults to 0.
        eos_idx (int, optional): The EOS index. Defaults to None.
        causal (bool): CLIP's causal self-attention mask (a position sees
            itself and the positions before it). Defaults to False.
        activation (str): FFN activation, ``'gelu'`` or ``'quick_gelu'``.
            Defaults to ``'gelu'``.
        key_padding_mask (bool): Keep PAD positions out of the attention
            keys. Without it pads are ordinary tokens (the official
            encoders). Defaults to True.
        learnable_pad (bool): The PAD embedding row is an ordinary learned
            row (the official encoders) instead of a fixed zero row
            (``nn.Embedding(padding_idx=...)``). Defaults to False.
        zero_empty (bool): An all-PAD row (an empty word slot) gets a zero
            pooled embedding. Off, it is encoded like any row (the official
            oCLIP averages such slots into its image-level text embedding).
            Defaults to True.
        eos_mode (str): ``'keep'`` feeds EOS tokens as given; ``'strip'``
            turns them into PAD first (an encoder trained without EOS, the
            official WeCromCL) and then allows an input one column wider
            than ``max_len`` if that column is all PAD. Defaults to
            ``'keep'``.
        clip_init (bool): CLIP's initialisation of the Transformer
            (``in_proj`` std ``w^-0.5``, ``out_proj``/``c_proj`` std
            ``w^-0.5 (2 L)^-0.5``, ``c_fc`` std ``(2 w)^-0.5``, zero attention
            biases) instead of PyTorch's defaults. Defaults to False.
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
                 causal: bool = False,
                 activation: str = 'gelu',
                 key_padding_mask: bool = True,
                 learnable_pad: bool = False,
                 zero_empty: bool = True,
                 eos_mode: str = 'keep',
                 clip_init: bool = False,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if pooling not in POOLINGS:
            raise ValueError(f'CharTextEncoder: pooling must be one of '
                             f'{POOLINGS}, got {pooling!r}')
        if activation not in ACTIVATIONS:
            raise ValueError(f'CharTextEncoder: activation must be one of '
                             f'{ACTIVATIONS}, got {activation!r}')
        if eos_mode not in EOS_MODES:
            raise ValueError(f'CharTextEncoder: eos_mode must be one of '
                             f'{EOS_MODES}, got {eos_mode!r}')
        if embed_dims % num_heads != 0:
            raise ValueError(f'CharTextEncoder: embed_dims={embed_dims} is '
                             f'not divisible by num_heads={num_heads}')
        self.num_tokens = num_tokens
        self.max_len = max_len
        self.embed_dims = embed_dims
        self.num_layers = num_layers
        self.pooling = pooling
        self.pad_idx = pad_idx
        self.eos_idx = eos_idx
        self.causal = causal
        self.activation = activation
        self.key_padding_mask = key_padding_mask
        self.learnable_pad = learnable_pad
        self.zero_empty = zero_empty
        self.eos_mode = eos_mode
        self.clip_init = clip_init
        self.out_dims = out_dims if out_dims is not None else embed_dims

        self.token_embedding = nn.Embedding(
            num_tokens, embed_dims,
            padding_idx=None if learnable_pad else pad_idx)
        self.positional_embedding = nn.Parameter(
            torch.empty(max_len, embed_dims))
        layer = nn.TransformerEncoderLayer(
            d_model=embed_dims,
            nhead=num_heads,
            dim_feedforward=int(embed_dims * ffn_ratio),
            dropout=dropout,
            activation='gelu' if activation == 'gelu' else QuickGELU(),
            batch_first=True,
            norm_first=True)
        self.transformer = nn.TransformerEncoder(
            layer, num_layers=num_layers, enable_nested_tensor=False)
        self.ln_final = nn.LayerNorm(embed_dims)
        if out_dims is not None:
            self.text_projection = nn.Linear(embed_dims, out_dims, bias=False)
        else:
            self.text_projection = nn.Identity()
        self.register_buffer(
            'causal_mask',
            torch.ones(max_len, max_len, dtype=torch.bool).triu(1),
            persistent=False)
        self._reset_parameters()

    def _reset_parameters(self) -> None:
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        if not self.learnable_pad:
            with torch.no_grad():
                self.token_embedding.weight[self.pad_idx].zero_()
        nn.init.normal_(self.positional_embedding, std=0.01)
        if isinstance(self.text_projection, nn.Linear):
            nn.init.normal_(
                self.text_projection.weight, std=self.embed_dims**-0.5)
        # nn.TransformerEncoder deep-copies one layer: every layer gets its
        # own draw, PyTorch's default init or CLIP's stds.
        if not self.clip_init:
            for layer in self.transformer.layers:
                layer.self_attn.out_proj.reset_parameters()
                layer.self_attn._reset_parameters()  # zeroes out_proj.bias
                layer.linear1.reset_parameters()
                layer.linear2.reset_parameters()
            return
        w = self.embed_dims
        proj_std = w**-0.5 * (2 * self.num_layers)**-0.5
        for layer in self.transformer.layers:
            layer.linear1.reset_parameters()
            layer.linear2.reset_parameters()
            nn.init.normal_(layer.self_attn.in_proj_weight, std=w**-0.5)
            nn.init.zeros_(layer.self_attn.in_proj_bias)
            nn.init.normal_(layer.self_attn.out_proj.weight, std=proj_std)
            nn.init.zeros_(layer.self_attn.out_proj.bias)
            nn.init.normal_(layer.linear1.weight, std=(2 * w)**-0.5)
            nn.init.normal_(layer.linear2.weight, std=proj_std)

    def _prepare(self, tokens: Tensor) -> Tensor:
        if tokens.dim() != 2:
            raise ValueError(f'CharTextEncoder: tokens must be (N, L), got '
                             f'shape {tuple(tokens.shape)}')
        tokens = tokens.long()
        if self.eos_mode == 'strip' and self.eos_idx is not None:
            tokens = tokens.masked_fill(tokens == self.eos_idx, self.pad_idx)
            if tokens.shape[1] == self.max_len + 1 and bool(
                    (tokens[:, -1] == self.pad_idx).all()):
                tokens = tokens[:, :-1]
        if tokens.shape[1] > self.max_len:
            raise ValueError(f'CharTextEncoder: sequence length '
                             f'{tokens.shape[1]} > max_len={self.max_len}')
        return tokens

    def forward(self, tokens: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
        """Encode text instances.

        Args:
            tokens (Tensor): ``(N, L)`` long token indices, PAD = ``pad_idx``,
                ``L <= max_len`` (``max_len + 1`` with ``eos_mode='strip'``).

        Returns:
            tuple: ``pooled`` ``(N, out_dims)``, ``char_feats``
            ``(N, L', embed_dims)`` (after the final LayerNorm; zero at pads;
            ``L'`` is ``L`` minus a stripped EOS column) and
            ``padding_mask`` ``(N, L')`` bool, True = pad.
        """
        tokens = self._prepare(tokens)
        n, length = tokens.shape
        padding_mask = tokens == self.pad_idx
        device = self.positional_embedding.device
        if n == 0:
            return (self.positional_embedding.new_zeros(0, self.out_dims),
                    self.positional_embedding.new_zeros(
                        0, length, self.embed_dims),
                    padding_mask.to(device))

        x = self.token_embedding(tokens) + \
            self.positional_embedding[:length].unsqueeze(0)
        empty = padding_mask.all(dim=1)
        key_mask = None
        if self.key_padding_mask:
            # An all-pad row would mask every key (NaN); let such rows
            # attend to their first slot.
            key_mask = padding_mask.clone()
            key_mask[empty, 0] = False
        attn_mask = self.causal_mask[:length, :length] if self.causal \
            else None
        if attn_mask is not None and key_mask is not None:
            # One boolean mask per row (N, L, L), repeated per head.
            attn_mask = attn_mask.unsqueeze(0) | key_mask.unsqueeze(1)
            attn_mask = attn_mask.repeat_interleave(
                self.transformer.layers[0].self_attn.num_heads, dim=0)
            key_mask = None
        x = self.transformer(x, mask=attn_mask, src_key_padding_mask=key_mask)
        x = self.ln_final(x)

        if self.pooling == 'eos':
            pooled = x[torch.arange(n, device=x.device),
                       self._eos_positions(tokens, padding_mask)]
        elif self.pooling == 'mean_all':
            pooled = x.mean(dim=1)
        else:
            real = ~padding_mask
            if self.eos_idx is not None:
                real = real & (tokens != self.eos_idx)
            w = real.to(x.dtype).unsqueeze(-1)
            pooled = (x * w).sum(1) / w.sum(1).clamp(min=1.)
        pooled = self.text_projection(pooled)
        if self.zero_empty:
            pooled = pooled.masked_fill(empty.unsqueeze(-1), 0.)
        x = x.masked_fill(padding_mask.unsqueeze(-1), 0.)
        return pooled, x, padding_mask

    def _eos_positions(self, tokens: Tensor, padding_mask: Tensor) -> Tensor:
        """Index of the first EOS per row, else of the last non-pad token
        (0 for an all-pad row)."""
        length = tokens.shape[1]
        pos = torch.arange(length, device=tokens.device).expand_as(tokens)
        nonpad = ~padding_mask
        last = torch.where(nonpad, pos, torch.zeros_like(pos)).amax(dim=1)
        if self.eos_idx is None:
            return last
        is_eos = tokens == self.eos_idx
        has_eos = is_eos.any(dim=1)
        first_eos = torch.where(is_eos, pos,
                                torch.full_like(pos, length)).amin(dim=1)
        return torch.where(has_eos, first_eos, last)
