# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A faster CPU path for multi-scale deformable attention.

mmcv's :class:`~mmcv.ops.MultiScaleDeformableAttention` runs its CUDA kernel
on GPU tensors and ``multi_scale_deformable_attn_pytorch`` on CPU tensors: one
``grid_sample`` per level over ``(bs * heads, C, H, W)`` copies of the value,
then a stack of all sampled values and a weighted sum. Here the same function
(bilinear sampling, zero padding, ``align_corners=False``, weighted by the
attention weights) is one ``F.embedding_bag``: each (query, head) output row
is a weighted sum of ``levels * points * 4`` value rows (the four bilinear
corners of every sampling point), gathered straight from the value tensor
with no per-level copies and no stacked intermediate. Differentiable in the
value, the sampling locations and the attention weights; equal to mmcv's
path up to float rounding (tests/test_models/common).
"""
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor


def ms_deform_attn_embedding_bag(value: Tensor, value_spatial_shapes: Tensor,
                                 sampling_locations: Tensor,
                                 attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention core (Deformable DETR Eq. 3).

    Same signature and result as mmcv's ``multi_scale_deformable_attn_pytorch``.

    Args:
        value (Tensor): ``(bs, num_keys, num_heads, C)``.
        value_spatial_shapes (Tensor): ``(num_levels, 2)`` long, ``(h, w)``.
        sampling_locations (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points, 2)`` normalised ``(x, y)`` in [0, 1].
        attention_weights (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points)``.

    Returns:
        Tensor: ``(bs, num_queries, num_heads * C)``.
    """
    bs, num_keys, num_heads, c = value.shape
    _, nq, _, num_levels, num_points, _ = sampling_locations.shape
    dev = value.device
    shapes = value_spatial_shapes.to(dev).long()
    starts = torch.cat([shapes.new_zeros(1),
                        (shapes[:, 0] * shapes[:, 1]).cumsum(0)[:-1]])
    # (h, w) per level, broadcast over (bs, nq, heads, levels, points, 2);
    # the last axis holds the two bilinear neighbours along x (or y).
    hs = shapes[:, 0].view(1, 1, 1, num_levels, 1, 1)
    ws = shapes[:, 1].view(1, 1, 1, num_levels, 1, 1)
    step = torch.tensor([0, 1], device=dev)
    # Pixel coordinates of grid_sample with align_corners=False.
    loc = sampling_locations.float()
    x = loc[..., 0:1] * ws - 0.5
    y = loc[..., 1:2] * hs - 0.5
    x0, y0 = x.floor(), y.floor()
    fx, fy = x - x0, y - y0
    xi = x0.long() + step  # (..., 2): left / right neighbour
    yi = y0.long() + step  # (..., 2): top / bottom neighbour
    wx = torch.cat([1 - fx, fx], -1) * ((xi >= 0) & (xi < ws))
    wy = torch.cat([1 - fy, fy], -1) * ((yi >= 0) & (yi < hs)) * \
        attention_weights.float()[..., None]
    # Row of value.reshape(-1, C) holding key k of image b and head h.
    base = (torch.arange(bs, device=dev).view(bs, 1, 1, 1, 1, 1) * num_keys +
            starts.view(1, 1, 1, num_levels, 1, 1)) * num_heads + \
        torch.arange(num_heads, device=dev).view(1, 1, num_heads, 1, 1, 1)
    col = xi.clamp(min=0).minimum(ws - 1) * num_heads
    row = (yi.clamp(min=0).minimum(hs - 1) * ws) * num_heads + base
    per_bag = num_levels * num_points * 4
    index = (row[..., :, None] + col[..., None, :]).view(-1, per_bag)
    weights = (wy[..., :, None] * wx[..., None, :]).view(-1, per_bag)
    out = F.embedding_bag(index, value.reshape(-1, c), mode='sum',
                          per_sample_weights=weights.to(value.dtype))
    return out.view(bs, nq, num_heads * c)


@contextmanager
def fast_cpu_deform_attn(enabled: bool = True):
    """Within the block, mmcv's ``MultiScaleDeformableAttention`` uses
    :func:`ms_deform_attn_embedding_bag` for CPU tensors (its CUDA kernel is
    untouched). Restores mmcv's own CPU path on exit."""
    if not enabled:
        yield
        return
    from mmcv.ops import multi_scale_deform_attn as msda
    original = msda.multi_scale_deformable_attn_pytorch
    msda.multi_scale_deformable_attn_pytorch = ms_deform_attn_embedding_bag
    try:
        yield
    finally:
        msda.multi_scale_deformable_attn_pytorch = original
