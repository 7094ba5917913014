# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Multi-scale deformable transformer encoder (Deformable DETR style).

Shared by WeCromCL's image encoder and the SRSTS-A spotter. The attention op
is mmcv's :class:`mmcv.ops.MultiScaleDeformableAttention` (its CUDA kernel on
GPU tensors, its PyTorch ``grid_sample`` path on CPU tensors); the layer
stack is mmdet's ``DeformableDetrTransformerEncoder``. This module only adds
the multi-level plumbing: sine positional + learned level embeddings,
flattening, padding masks, valid ratios and splitting back into maps.
"""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmdet.models.layers import SinePositionalEncoding
from mmdet.models.layers.transformer import DeformableDetrTransformerEncoder
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn

from .msda import install_msda_fallback


def masks_from_img_shapes(img_shapes: Sequence[Tuple[int, int]],
                          batch_shape: Tuple[int, int],
                          feat_shapes: Sequence[Tuple[int, int]],
                          device=None) -> List[Tensor]:
    """Padding masks per level from the un-padded image sizes.

    Args:
        img_shapes: Per image ``(h, w)`` of the valid (un-padded) region, in
            the batch input frame (``img_shape`` of the data sample).
        batch_shape: ``(H, W)`` of the padded batch input.
        feat_shapes: ``(H_l, W_l)`` of every feature level.
        device: Device of the returned masks.

    Returns:
        list[Tensor]: Per level a bool ``(B, H_l, W_l)`` mask, True = padding.
    """
    H, W = batch_shape
    full = torch.ones((len(img_shapes), H, W), dtype=torch.bool, device=device)
    for i, (h, w) in enumerate(img_shapes):
        full[i, :int(h), :int(w)] = False
    out = []
    for (hl, wl) in feat_shapes:
        m = F.interpolate(full[None].float(), size=(int(hl), int(wl)))[0]
        out.append(m.to(torch.bool))
    return out


@MODELS.register_module()
class DeformableEncoder(BaseModule):
    """Multi-scale deformable transformer encoder.

    Encodes ``num_levels`` feature maps jointly with mmcv's
    ``MultiScaleDeformableAttention`` (batch first), sine positional
    encodings (mmdet's ``SinePositionalEncoding``, normalised, offset -0.5
    as in Deformable DETR) plus a learned embedding per level. Reference
    points are the pixel centres scaled by the per-image valid ratios, so
    padded batches behave like un-padded single images.

    Args:
        num_layers (int): Encoder layers. Defaults to 6.
        embed_dims (int): Channels of every input level. Defaults to 256.
        num_heads (int): Attention heads. Defaults to 8.
        num_levels (int): Number of feature levels. Defaults to 4.
        num_points (int): Sampling points per head and level. Defaults to 4.
        ffn_dims (int): Hidden size of the feed-forward network.
            Defaults to 1024.
        dropout (float): Dropout in attention and FFN. Defaults to 0.1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 num_layers: int = 6,
                 embed_dims: int = 256,
                 num_heads: int = 8,
                 num_levels: int = 4,
                 num_points: int = 4,
                 ffn_dims: int = 1024,
                 dropout: float = 0.1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if embed_dims % 2 != 0:
            raise ValueError(f'DeformableEncoder: embed_dims must be even for '
                             f'the sine positional encoding, got {embed_dims}')
        if embed_dims % num_heads != 0:
            raise ValueError(f'DeformableEncoder: embed_dims ({embed_dims}) '
                             f'must be divisible by num_heads ({num_heads})')
        self.num_layers = num_layers
        self.embed_dims = embed_dims
        self.num_levels = num_levels
        install_msda_fallback()  # GPU tensors + mmcv without CUDA ops: warn
        self.positional_encoding = SinePositionalEncoding(
            num_feats=embed_dims // 2, normalize=True, offset=-0.5)
        self.level_embed = nn.Parameter(torch.empty(num_levels, embed_dims))
        self.encoder = DeformableDetrTransformerEncoder(
            num_layers=num_layers,
            layer_cfg=dict(self_attn_cfg=dict(embed_dims=embed_dims,
                                              num_heads=num_heads,
                                              num_levels=num_levels,
                                              num_points=num_points,
                                              dropout=dropout,
                                              batch_first=True),
                           ffn_cfg=dict(embed_dims=embed_dims,
                                        feedforward_channels=ffn_dims,
                                        ffn_drop=dropout)))
        nn.init.normal_(self.level_embed)

    def init_weights(self) -> None:
        """Xavier for linear weights, mmcv's own init for the attention."""
        super().init_weights()
        for p in self.encoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for m in self.encoder.modules():
            if hasattr(m, 'sampling_offsets') and hasattr(m, 'init_weights'):
                m.init_weights()
        nn.init.normal_(self.level_embed)

    @staticmethod
    def get_valid_ratio(mask: Tensor) -> Tensor:
        """``(B, 2)`` valid (w, h) fraction of each un-padded map."""
        _, H, W = mask.shape
        # Clamp to one pixel so an all-padding map cannot divide by zero.
        valid_h = (~mask[:, :, 0]).sum(1).float().clamp(min=1)
        valid_w = (~mask[:, 0, :]).sum(1).float().clamp(min=1)
        return torch.stack([valid_w / W, valid_h / H], -1)

    def forward(self,
                feats: List[Tensor],
                masks: Optional[List[Tensor]] = None,
                out_levels: Optional[Sequence[int]] = None) -> List[Tensor]:
        """Encode the levels jointly.

        Args:
            feats: Per level ``(B, embed_dims, H_l, W_l)``.
            masks: Per level ``(B, H_l, W_l)`` bool, True = padding, or None
                (no padding).
            out_levels: The levels the caller reads, or None for all. The
                last layer then computes only their queries (its sampled
                values still come from every level): the same outputs for
                those levels with less work, e.g. 1/5 of the last layer's
                queries for WeCromCL's stride-8 output of strides 4 + 8.

        Returns:
            list[Tensor]: The encoded maps, same shapes as ``feats``; None
            at the levels not in ``out_levels``.
        """
        if len(feats) != self.num_levels:
            raise ValueError(f'DeformableEncoder: got {len(feats)} levels, '
                             f'built for num_levels={self.num_levels}')
        B = feats[0].shape[0]
        for lvl, f in enumerate(feats):
            if f.dim() != 4 or f.shape[1] != self.embed_dims:
                raise ValueError(
                    f'DeformableEncoder: level {lvl} has shape '
                    f'{tuple(f.shape)}, expected (B, {self.embed_dims}, H, W)')
        if masks is None:
            masks = [
                f.new_zeros((B, ) + f.shape[-2:], dtype=torch.bool)
                for f in feats
            ]
        elif len(masks) != len(feats):
            raise ValueError('DeformableEncoder: masks and feats must have '
                             'the same number of levels')

        flat, pos_flat, mask_flat, shapes = [], [], [], []
        for lvl, (f, m) in enumerate(zip(feats, masks)):
            h, w = f.shape[-2:]
            if tuple(m.shape) != (B, h, w):
                raise ValueError(f'DeformableEncoder: mask {lvl} has shape '
                                 f'{tuple(m.shape)}, expected {(B, h, w)}')
            m = m.to(torch.bool)
            pos = self.positional_encoding(m)  # (B, C, h, w)
            shapes.append((h, w))
            flat.append(f.flatten(2).transpose(1, 2))
            pos_flat.append(
                pos.flatten(2).transpose(1, 2) +
                self.level_embed[lvl].view(1, 1, -1))
            mask_flat.append(m.flatten(1))
        query = torch.cat(flat, 1)
        query_pos = torch.cat(pos_flat, 1).to(query.dtype)
        key_padding_mask = torch.cat(mask_flat, 1)
        spatial_shapes = torch.as_tensor(shapes,
                                         dtype=torch.long,
                                         device=query.device)
        level_start_index = torch.cat((spatial_shapes.new_zeros(
            (1, )), spatial_shapes.prod(1).cumsum(0)[:-1]))
        valid_ratios = torch.stack(
            [self.get_valid_ratio(m.to(torch.bool)) for m in masks], 1)

        sizes = [h * w for h, w in shapes]
        keep = sorted(set(range(len(feats)) if out_levels is None
                          else (int(lv) for lv in out_levels)))
        if not keep or keep[0] < 0 or keep[-1] >= len(feats):
            raise ValueError(f'DeformableEncoder: out_levels {out_levels} '
                             f'not within {len(feats)} levels')
        memory = self._encode(query, query_pos, key_padding_mask,
                              spatial_shapes, level_start_index,
                              valid_ratios, sizes, keep)
        outs = [None] * len(feats)
        for lvl, chunk in zip(keep, memory.split([sizes[i] for i in keep],
                                                 1)):
            h, w = shapes[lvl]
            outs[lvl] = chunk.transpose(1, 2).reshape(
                B, self.embed_dims, h, w).contiguous()
        return outs

    def _encode(self, query: Tensor, query_pos: Tensor,
                key_padding_mask: Tensor, spatial_shapes: Tensor,
                level_start_index: Tensor, valid_ratios: Tensor,
                sizes: List[int], keep: List[int]) -> Tensor:
        """mmdet's encoder loop; the last layer only for the queries of
        the levels in ``keep`` (their rows, in level order)."""
        enc = self.encoder
        ref = enc.get_encoder_reference_points(
            spatial_shapes, valid_ratios, device=query.device)
        layers = list(enc.layers)
        partial = len(keep) < len(sizes)
        kw = dict(key_padding_mask=key_padding_mask,
                  spatial_shapes=spatial_shapes,
                  level_start_index=level_start_index,
                  valid_ratios=valid_ratios)
        for layer in layers[:-1] if partial else layers:
            query = layer(query=query, query_pos=query_pos,
                          reference_points=ref, **kw)
        if not partial:
            return query
        starts = [sum(sizes[:i]) for i in range(len(sizes))]

        def rows(t: Tensor) -> Tensor:
            return torch.cat([t[:, starts[i]:starts[i] + sizes[i]]
                              for i in keep], 1)

        # DetrTransformerEncoderLayer.forward with the full memory as the
        # attention's value and the kept rows as its queries.
        last = layers[-1]
        out = last.self_attn(query=rows(query), key=query, value=query,
                             query_pos=rows(query_pos),
                             reference_points=rows(ref), **kw)
        out = last.norms[0](out)
        out = last.ffn(out)
        return last.norms[1](out)
