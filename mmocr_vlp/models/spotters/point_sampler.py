# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A sampling module: K learned sampling points around each anchor."""
from typing import List, Optional, Sequence, Tuple

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn


def bilinear_sample(feat: Tensor, points: Tensor, stride: float) -> Tensor:
    """Bilinearly sample one image's feature map at image-frame points.

    ``F.grid_sample`` with ``align_corners=False``: normalised -1/+1 are the
    outer edges of the map, so image x maps to ``2 * x / (W * stride) - 1``
    and a cell centre ``(j + 0.5) * stride`` lands exactly on cell ``j``.
    Points outside the map read zeros.

    Args:
        feat: ``(C, H, W)`` feature map.
        points: ``(..., 2)`` (x, y) points in image pixels.
        stride: Image pixels per feature cell.

    Returns:
        Tensor: ``(..., C)`` sampled features (differentiable w.r.t. both
        ``feat`` and ``points``).
    """
    C, H, W = feat.shape
    lead = points.shape[:-1]
    pts = points.reshape(1, -1, 1, 2)
    scale = pts.new_tensor([W * stride, H * stride])
    grid = 2 * pts / scale - 1
    out = F.grid_sample(
        feat[None], grid, mode='bilinear', padding_mode='zeros',
        align_corners=False)  # (1, C, P, 1)
    return out[0, :, :, 0].t().reshape(*lead, C)


@MODELS.register_module()
class PointSampler(BaseModule):
    """Predict K sampling offsets around each anchor and sample there.

    As in SRSTS, from the feature at the anchor an MLP predicts ``K``
    ``(dx, dy)`` offsets; the features at ``anchor + offset`` are bilinearly
    sampled and handed to the recognition module (one time step per point).
    Offsets are bounded: ``tanh(.) * max_offset`` feature cells. The last
    layer starts with tiny weights (std 1e-3, so that the MLP still gets
    gradients) and a bias that lays the K points on a horizontal line of
    half-width ``init_span * max_offset`` cells through the anchor (a
    reading-order prior; training bends it to the text).

    Args:
        in_channels (int): Channels of the feature map.
        num_points (int): K, sampling points per anchor. Defaults to 25.
        hidden_dims (int): Hidden size of the offset MLP. Defaults to 256.
        num_layers (int): Linear layers of the MLP (>= 1). Defaults to 3.
        max_offset (float): Largest offset, in feature cells. Defaults to 16.
        init_span (float): Initial half-width of the line of points as a
            fraction of ``max_offset``. Defaults to 0.25.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_points: int = 25,
                 hidden_dims: int = 256,
                 num_layers: int = 3,
                 max_offset: float = 16.,
                 init_span: float = 0.25,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_points < 1 or num_layers < 1:
            raise ValueError('PointSampler: num_points and num_layers must be '
                             '>= 1')
        if max_offset <= 0 or not 0 <= init_span < 1:
            raise ValueError('PointSampler: need max_offset > 0 and '
                             '0 <= init_span < 1')
        self.num_points = num_points
        self.max_offset = float(max_offset)
        self.init_span = float(init_span)
        layers: List[nn.Module] = []
        c = in_channels
        for _ in range(num_layers - 1):
            layers += [nn.Linear(c, hidden_dims), nn.ReLU(inplace=True)]
            c = hidden_dims
        self.mlp = nn.Sequential(*layers)
        self.offset = nn.Linear(c, 2 * num_points)
        self._init_offset()

    def _init_offset(self) -> None:
        nn.init.normal_(self.offset.weight, std=1e-3)
        K = self.num_points
        xs = torch.linspace(-1, 1, K) * self.init_span if K > 1 else \
            torch.zeros(1)
        bias = torch.stack([torch.atanh(xs), torch.zeros(K)], 1).flatten()
        with torch.no_grad():
            self.offset.bias.copy_(bias)

    def init_weights(self) -> None:
        super().init_weights()
        self._init_offset()

    def forward(self, feat: Tensor, anchors: Sequence[Tensor],
                stride: float) -> Tuple[Tensor, List[Tensor]]:
        """Sample ``K`` features per anchor.

        Args:
            feat: ``(B, C, H, W)`` feature map.
            anchors: Per image ``(N_b, 2)`` anchor points in image pixels.
            stride: Image pixels per feature cell.

        Returns:
            tuple: ``sampled`` ``(sum N_b, K, C)`` features and, per image,
            the sampling points ``(N_b, K, 2)`` in image pixels.
        """
        if len(anchors) != feat.shape[0]:
            raise ValueError(f'PointSampler: {len(anchors)} anchor sets for '
                             f'a batch of {feat.shape[0]}')
        K, C = self.num_points, feat.shape[1]
        sampled, points = [], []
        for b, anc in enumerate(anchors):
            if anc.numel() == 0:
                points.append(feat.new_zeros((0, K, 2)))
                continue
            anc = anc.to(feat.dtype)
            anc_feat = bilinear_sample(feat[b], anc, stride)  # (N, C)
            off = self.offset(self.mlp(anc_feat)).view(-1, K, 2)
            off = torch.tanh(off) * (self.max_offset * stride)
            pts = anc[:, None, :] + off
            sampled.append(bilinear_sample(feat[b], pts, stride))
            points.append(pts)
        if sampled:
            out = torch.cat(sampled, 0)
        else:
            out = feat.new_zeros((0, K, C))
        return out, points
