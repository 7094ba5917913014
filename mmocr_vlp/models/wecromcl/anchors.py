# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Anchor points from WeCromCL activation maps (WeCromCL Sec. 3.3)."""
from typing import Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def find_peaks(act_map: Tensor,
               k: int = 1,
               nms_kernel: int = 5,
               valid_mask: Tensor = None) -> Tuple[Tensor, Tensor, Tensor]:
    """Top-``k`` local maxima of one activation map.

    Non-maximum suppression by max-pooling: a pixel is a peak when it equals
    the maximum of its ``nms_kernel`` x ``nms_kernel`` neighbourhood. The
    ``k`` strongest peaks are returned (a word occurring ``k`` times in the
    image gets ``k`` anchors). If fewer than ``k`` peaks exist, the
    remaining anchors are the strongest non-peak pixels, so exactly
    ``min(k, number of valid pixels)`` anchors come back.

    Args:
        act_map: ``(h, w)`` activation map (WeCromCL Eq. 4).
        k: Number of anchors wanted.
        nms_kernel: Odd max-pool window of the NMS.
        valid_mask: Optional ``(h, w)`` bool, True = valid pixel.

    Returns:
        tuple: ``xy`` (``(k', 2)`` float, map pixel indices x, y),
        ``values`` (``(k',)`` the map values at the peaks) and ``mass``
        (``(k',)`` the map mass inside the NMS window around each peak, a
        score in [0, 1] when the map sums to 1).
    """
    if act_map.dim() != 2:
        raise ValueError(f'find_peaks expects a (h, w) map, got '
                         f'{tuple(act_map.shape)}')
    if nms_kernel % 2 != 1:
        raise ValueError(f'nms_kernel must be odd, got {nms_kernel}')
    h, w = act_map.shape
    m = act_map.detach().float()
    if valid_mask is not None:
        m = m.masked_fill(~valid_mask.bool(), float('-inf'))
    pad = nms_kernel // 2
    pooled = F.max_pool2d(m[None, None], nms_kernel, 1, pad)[0, 0]
    is_peak = (m == pooled) & torch.isfinite(m)
    flat = m.flatten()
    n_valid = int(torch.isfinite(flat).sum())
    k = min(int(k), n_valid)
    if k <= 0:
        empty = act_map.new_zeros((0, ))
        return act_map.new_zeros((0, 2)), empty, empty
    # Peaks first (by value), then the other pixels as a fallback.
    key = torch.where(
        is_peak.flatten(), flat,
        flat - (flat[torch.isfinite(flat)].max() -
                flat[torch.isfinite(flat)].min() + 1.0))
    key = torch.where(torch.isfinite(flat), key,
                      torch.full_like(key, float('-inf')))
    idx = key.topk(k).indices
    ys, xs = idx // w, idx % w
    values = act_map.detach().flatten()[idx].float()
    box = F.avg_pool2d(act_map.detach().float()[None, None],
                       nms_kernel,
                       1,
                       pad,
                       count_include_pad=True)[0, 0] * nms_kernel * nms_kernel
    mass = box.flatten()[idx].clamp(0, 1)
    xy = torch.stack([xs, ys], -1).float()
    return xy, values, mass


def map_to_image(xy: Tensor, stride: float, scale_factor=(1.0, 1.0)) -> Tensor:
    """Map pixel indices to image coordinates.

    ``point = (index + 0.5) * stride / scale`` (the centre of the feature
    cell, then undo the test-time resize; ``scale_factor`` is mmocr's
    ``(w_scale, h_scale)``).
    """
    out = (xy.float() + 0.5) * stride
    sf = torch.as_tensor([float(scale_factor[0]),
                          float(scale_factor[1])],
                         dtype=out.dtype,
                         device=out.device)
    return out / sf
