# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Peaks of a score map and feature-cell <-> image-point mapping.

Shared by WeCromCL's anchor extraction (Sec. 3.3: max-pool NMS on each
activation map, top-k peaks) and SRSTS-A's anchor decoding (max-pool NMS
on the confidence map, threshold).
"""
from typing import Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from torch import Tensor


def find_peaks(score_map: Tensor,
               k: Optional[int] = None,
               nms_kernel: int = 5,
               score_thr: Optional[float] = None,
               valid_mask: Optional[Tensor] = None,
               fill: bool = False) -> Tuple[Tensor, Tensor]:
    """Strongest local maxima of one ``(h, w)`` score map.

    A cell is a peak when it equals the maximum of its ``nms_kernel`` x
    ``nms_kernel`` neighbourhood (max-pool NMS), is valid and exceeds
    ``score_thr`` (if given). Peaks are sorted by decreasing score and the
    first ``k`` kept (all when ``k`` is None). With ``fill``, when fewer
    than ``k`` peaks exist the strongest other valid cells complete the list
    (WeCromCL: a word occurring ``k`` times always gets ``k`` anchors).

    Args:
        score_map (Tensor): ``(h, w)`` scores.
        k (int, optional): Number of peaks wanted. Defaults to all.
        nms_kernel (int): Odd max-pool window. Defaults to 5.
        score_thr (float, optional): Minimum score of a peak.
        valid_mask (Tensor, optional): ``(h, w)`` bool, True = valid cell.
        fill (bool): Complete up to ``k`` with non-peak cells.

    Returns:
        tuple: ``xy`` ``(n, 2)`` float cell indices (column, row) and their
        ``scores`` ``(n,)``.
    """
    if score_map.dim() != 2:
        raise ValueError(f'find_peaks expects a (h, w) map, got '
                         f'{tuple(score_map.shape)}')
    if nms_kernel < 1 or nms_kernel % 2 != 1:
        raise ValueError(f'find_peaks: nms_kernel must be odd and >= 1, got '
                         f'{nms_kernel}')
    h, w = score_map.shape
    m = score_map.detach().float()
    valid = torch.isfinite(m)
    if valid_mask is not None:
        valid &= valid_mask.bool()
    m = m.masked_fill(~valid, float('-inf'))
    pooled = F.max_pool2d(m[None, None], nms_kernel, 1, nms_kernel // 2)[0,
                                                                         0]
    is_peak = (m == pooled) & valid
    if score_thr is not None:
        is_peak &= m > score_thr
    flat, peak = m.flatten(), is_peak.flatten()
    n_valid = int(valid.sum())
    n_peak = int(peak.sum())
    n = n_valid if fill else n_peak
    if k is not None:
        n = min(int(k), n)
    if n <= 0:
        return score_map.new_zeros((0, 2)), score_map.new_zeros((0, ))
    # Peaks first (by score), then (fill) the other valid cells.
    finite = flat[valid.flatten()]
    offset = float(finite.max() - finite.min()) + 1.0
    key = torch.where(peak, flat, flat - offset)
    idx = key.topk(n).indices
    xy = torch.stack([idx % w, idx // w], -1).float()
    return xy, score_map.detach().flatten()[idx].float()


def window_mass(score_map: Tensor, xy: Tensor, kernel: int) -> Tensor:
    """Sum of ``score_map`` in the ``kernel`` x ``kernel`` window around
    each cell ``xy`` (column, row), clamped to [0, 1] (a score when the map
    sums to 1)."""
    box = F.avg_pool2d(score_map.detach().float()[None, None],
                       kernel,
                       1,
                       kernel // 2,
                       count_include_pad=True)[0, 0] * kernel * kernel
    xy = xy.long()
    return box[xy[:, 1], xy[:, 0]].clamp(0, 1)


def cell_to_point(cells: Tensor,
                  stride: float,
                  scale_factor: Sequence[float] = (1.0, 1.0)) -> Tensor:
    """Feature cells ``(N, 2)`` (column, row) -> image points (x, y).

    ``point = (cell + 0.5) * stride / scale``: the centre of the cell, then
    the test-time resize undone (``scale_factor`` is mmocr's
    ``(w_scale, h_scale)``).
    """
    out = (cells.float() + 0.5) * stride
    sf = torch.as_tensor([float(scale_factor[0]),
                          float(scale_factor[1])],
                         dtype=out.dtype,
                         device=out.device)
    return out / sf
