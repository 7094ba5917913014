# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A faster CPU path for multi-scale deformable attention.

mmcv's :class:`~mmcv.ops.MultiScaleDeformableAttention` runs its CUDA kernel
on GPU tensors and ``multi_scale_deformable_attn_pytorch`` on CPU tensors: one
``grid_sample`` per level on a ``(bs * heads, C, H, W)`` copy of the value,
a stack of every sampled value and a weighted sum. Here the same function
(bilinear sampling, zero padding, ``align_corners=False``, weighted by the
attention weights; Deformable DETR Eq. 3) is one ``F.embedding_bag``: each
(query, head) output row is the weighted sum of ``levels * points * 4`` value
rows (the four bilinear corners of every sampling point). The value maps get
a zero border and the sampling positions are clamped into it, so corners
outside a map read zeros with no validity masks. Equal to mmcv's path up to
float rounding (tests/test_models/common/test_ms_deform_attn_cpu.py).
"""
from contextlib import contextmanager

import torch
import torch.nn.functional as F
from torch import Tensor


def ms_deform_attn_embedding_bag(value: Tensor, value_spatial_shapes,
                                 sampling_locations: Tensor,
                                 attention_weights: Tensor) -> Tensor:
    """Multi-scale deformable attention core, mmcv's CPU function signature.

    Args:
        value (Tensor): ``(bs, num_keys, num_heads, C)``.
        value_spatial_shapes (Tensor | list): ``(num_levels, 2)`` ``(h, w)``.
        sampling_locations (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points, 2)``, normalised ``(x, y)``.
        attention_weights (Tensor): ``(bs, num_queries, num_heads,
            num_levels, num_points)``.

    Returns:
        Tensor: ``(bs, num_queries, num_heads * C)``.
    """
    bs, num_keys, num_heads, c = value.shape
    _, nq, _, num_levels, num_points, _ = sampling_locations.shape
    dev = value.device
    shapes = [(int(h), int(w)) for h, w in value_spatial_shapes]
    # Zero border: 1 cell before, 2 after each map (corner x0 + 1 <= w + 1).
    padded, starts, widths, heights = [], [], [], []
    start = 0
    for lvl, v in enumerate(value.split([h * w for h, w in shapes], 1)):
        h, w = shapes[lvl]
        v = F.pad(v.view(bs, h, w, num_heads * c), (0, 0, 1, 2, 1, 2))
        padded.append(v.view(bs, -1, num_heads, c))
        starts.append(start)
        widths.append(w)
        heights.append(h)
        start += (h + 3) * (w + 3)
    table = torch.cat(padded, 1).view(-1, c)  # rows: (b, key, head)
    num_rows = start

    def per_level(xs):
        return torch.tensor(xs, dtype=torch.float32, device=dev).view(
            1, 1, 1, num_levels, 1)

    w_l, h_l = per_level(widths), per_level(heights)
    loc = sampling_locations.float()
    # grid_sample pixel x = loc * w - 0.5, shifted by the 1-cell border and
    # clamped into it ([-1, w] -> [0, w + 1]): clamped points read zeros.
    x = torch.minimum((loc[..., 0] * w_l + 0.5).clamp_(min=0), w_l + 1)
    y = torch.minimum((loc[..., 1] * h_l + 0.5).clamp_(min=0), h_l + 1)
    x0, y0 = x.floor(), y.floor()
    fx, fy = x - x0, y - y0
    # First corner's row; float32 is exact below 2**24 rows.
    if bs * num_rows * num_heads >= 2**24:
        raise ValueError('ms_deform_attn_embedding_bag: value too large for '
                         'float32 row indices')
    pw = w_l + 3
    base = (torch.arange(bs, device=dev, dtype=torch.float32).view(
        bs, 1, 1, 1, 1) * num_rows + per_level(starts)) * num_heads + \
        torch.arange(num_heads, device=dev, dtype=torch.float32).view(
            1, 1, num_heads, 1, 1)
    row = ((y0 * pw + x0) * num_heads + base).long()  # exact integers
    # The four corners: +0, +1 column, +1 row, +1 row and column (integer
    # offsets added to integer rows: one conversion per point, not corner).
    offsets = (torch.stack([torch.zeros_like(pw), torch.ones_like(pw), pw,
                            pw + 1], -1) * num_heads).long()
    index = row[..., None] + offsets
    a = attention_weights.float()
    wy1 = a * fy
    wy0 = a - wy1
    if torch.is_grad_enabled() and (a.requires_grad or fx.requires_grad):
        w01, w11 = wy0 * fx, wy1 * fx
        weights = torch.stack([wy0 - w01, w01, wy1 - w11, w11], -1)
    else:  # the same products, written in place (no stacked copy)
        weights = a.new_empty(a.shape + (4, ))
        w01, w11 = weights[..., 1], weights[..., 3]
        torch.mul(wy0, fx, out=w01)
        torch.mul(wy1, fx, out=w11)
        torch.sub(wy0, w01, out=weights[..., 0])
        torch.sub(wy1, w11, out=weights[..., 2])
    per_bag = num_levels * num_points * 4
    out = F.embedding_bag(index.view(-1, per_bag), table, mode='sum',
                          per_sample_weights=weights.view(-1, per_bag).to(
                              value.dtype))
    return out.view(bs, nq, num_heads * c)


@contextmanager
def fast_cpu_deform_attn(enabled: bool = True):
    """Within the block, mmcv's ``MultiScaleDeformableAttention`` computes
    its CPU path with :func:`ms_deform_attn_embedding_bag` (the CUDA kernel
    is untouched); mmcv's own function is restored on exit."""
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
