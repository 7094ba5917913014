# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A anchor estimator: a confidence map of text anchor points.

WeCromCL supp. Sec. 1: "It employs a 1x1 convolutional layer followed by
Sigmoid function to generate the confidence map C", trained with focal loss
(supp. Eq. 1) against a pseudo ground-truth map where each anchor point is 1
and every other pixel 0. This file holds the layer, the target construction
and the peak detection used at inference.
"""
import math
from typing import List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor, nn

from ..common.peaks import cell_to_point, find_peaks


@MODELS.register_module()
class AnchorEstimator(BaseModule):
    """1x1 conv (+ optional conv tower) predicting anchor-confidence logits.

    The sigmoid of the output is the confidence map ``C`` of WeCromCL supp.
    Sec. 1; logits are returned so that the focal loss can use the
    numerically stable ``binary_cross_entropy_with_logits`` form.

    Args:
        in_channels (int): Channels of the input feature map ``P``.
        num_convs (int): 3x3 conv + GN + ReLU layers before the 1x1 conv.
            The paper uses none (0, the default).
        feat_channels (int, optional): Channels of the conv tower. Defaults
            to ``in_channels``.
        prior_prob (float): Initial foreground probability used to set the
            bias of the 1x1 conv (RetinaNet's prior, so the focal loss does
            not start saturated by the many negatives). Defaults to 0.01.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 num_convs: int = 0,
                 feat_channels: Optional[int] = None,
                 prior_prob: float = 0.01,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not 0 < prior_prob < 1:
            raise ValueError(f'AnchorEstimator: prior_prob must be in (0, 1),'
                             f' got {prior_prob}')
        feat_channels = feat_channels or in_channels
        tower = []
        c = in_channels
        for _ in range(num_convs):
            tower.append(
                ConvModule(
                    c,
                    feat_channels,
                    3,
                    padding=1,
                    norm_cfg=dict(
                        type='GN', num_groups=min(32, feat_channels)),
                    act_cfg=dict(type='ReLU')))
            c = feat_channels
        self.tower = nn.Sequential(*tower)
        self.conf = nn.Conv2d(c, 1, kernel_size=1)
        self.prior_prob = prior_prob
        self._init_conf()

    def _init_conf(self) -> None:
        nn.init.normal_(self.conf.weight, std=0.01)
        nn.init.constant_(self.conf.bias,
                          -math.log((1 - self.prior_prob) / self.prior_prob))

    def init_weights(self) -> None:
        super().init_weights()
        self._init_conf()

    def forward(self, feat: Tensor) -> Tensor:
        """Args: feat ``(B, C, H, W)``. Returns logits ``(B, 1, H, W)``."""
        return self.conf(self.tower(feat))


def point_to_cell(points: Tensor, stride: float) -> Tensor:
    """Image-frame points ``(N, 2)`` (x, y) -> integer cells (col, row).

    Cell ``(j, i)`` covers image pixels ``[j*s, (j+1)*s) x [i*s, (i+1)*s)``;
    its centre is ``((j + 0.5) * s, (i + 0.5) * s)``.
    """
    return torch.floor(points / stride).long()


def build_anchor_targets(points: Sequence[Tensor],
                         feat_shape: Tuple[int, int],
                         stride: float,
                         ignore_points: Optional[Sequence[Tensor]] = None,
                         img_shapes: Optional[Sequence[Tuple[int,
                                                             int]]] = None,
                         sigma: float = 0.,
                         ignore_radius: int = 1) -> Tuple[Tensor, Tensor,
                                                          int]:
    """Pseudo ground-truth confidence map ``C_gt`` (WeCromCL supp. Eq. 1).

    "The anchor point is assigned 1 and other pixels are assigned 0": each
    point sets the feature cell that contains it to 1. With ``sigma > 0``
    (an option, default off) the cell is the peak of a Gaussian of that
    standard deviation (in cells) instead, CenterNet style; the map is the
    element-wise maximum over instances.

    Points outside the feature grid or NaN are skipped. Cells of
    ``ignore_points`` (don't-care words) and their ``ignore_radius``
    neighbourhood get weight 0, as does the padding outside ``img_shapes``.

    Args:
        points: Per image a ``(N_b, 2)`` float tensor of anchor points in the
            (resized, un-padded) image frame.
        feat_shape: ``(H, W)`` of the confidence map.
        stride: Image pixels per feature cell.
        ignore_points: Per image ``(M_b, 2)`` points of don't-care words.
        img_shapes: Per image ``(h, w)`` of the valid image region.
        sigma: Gaussian standard deviation in cells; 0 = one-hot (paper).
        ignore_radius: Chebyshev radius (cells) zero-weighted around each
            ignore point.

    Returns:
        tuple: ``target`` ``(B, 1, H, W)`` float, ``weight`` ``(B, 1, H, W)``
        float and ``num_pos`` (number of positive anchors, >= 0).
    """
    H, W = int(feat_shape[0]), int(feat_shape[1])
    B = len(points)
    device = points[0].device if B else torch.device('cpu')
    target = torch.zeros((B, 1, H, W), device=device)
    weight = torch.ones((B, 1, H, W), device=device)
    num_pos = 0
    if sigma > 0:
        ys = torch.arange(H, device=device, dtype=torch.float32)
        xs = torch.arange(W, device=device, dtype=torch.float32)
    for b in range(B):
        if img_shapes is not None:
            h, w = img_shapes[b]
            vh = min(H, int(math.ceil(h / stride)))
            vw = min(W, int(math.ceil(w / stride)))
            weight[b, :, vh:, :] = 0
            weight[b, :, :, vw:] = 0
        pts = points[b]
        if pts.numel():
            pts = pts[torch.isfinite(pts).all(1)]
            cells = point_to_cell(pts, stride)
            inside = ((cells[:, 0] >= 0) & (cells[:, 0] < W) &
                      (cells[:, 1] >= 0) & (cells[:, 1] < H))
            cells = cells[inside]
            for j, i in cells.tolist():
                if sigma > 0:
                    g = torch.exp(-((xs[None, :] - j)**2 +
                                    (ys[:, None] - i)**2) / (2 * sigma**2))
                    target[b, 0] = torch.maximum(target[b, 0], g)
                target[b, 0, i, j] = 1.
            # Two words in one cell are one positive.
            num_pos += int((target[b, 0] == 1).sum())
        if ignore_points is not None and ignore_points[b].numel():
            ipts = ignore_points[b]
            ipts = ipts[torch.isfinite(ipts).all(1)]
            for j, i in point_to_cell(ipts, stride).tolist():
                if 0 <= j < W and 0 <= i < H:
                    weight[b, 0, max(0, i - ignore_radius):i + ignore_radius +
                           1,
                           max(0, j - ignore_radius):j + ignore_radius +
                           1] = 0
    # A positive always keeps its weight, even next to a don't-care word.
    weight = torch.where(target == 1, torch.ones_like(weight), weight)
    return target, weight, num_pos


def decode_anchors(conf_logits: Tensor,
                   stride: float,
                   score_thr: float = 0.3,
                   nms_kernel: int = 3,
                   max_per_img: int = 100,
                   img_shapes: Optional[Sequence[Tuple[int, int]]] = None
                   ) -> List[Tuple[Tensor, Tensor]]:
    """Anchor points from the confidence map: max-pool NMS + threshold
    (:func:`~mmocr_vlp.models.common.peaks.find_peaks` on the sigmoid),
    at most ``max_per_img`` per image.

    Args:
        conf_logits: ``(B, 1, H, W)`` logits of the anchor estimator.
        stride: Image pixels per cell.
        score_thr: Minimum confidence (after sigmoid).
        nms_kernel: Odd max-pool window.
        max_per_img: Maximum anchors per image.
        img_shapes: Per image ``(h, w)`` of the valid region; peaks in the
            padding are dropped.

    Returns:
        list[tuple[Tensor, Tensor]]: Per image ``points`` ``(n, 2)`` (cell
        centres in the image frame) and ``scores`` ``(n,)``, by decreasing
        score.
    """
    conf = conf_logits.sigmoid()
    B, _, H, W = conf.shape
    out = []
    for b in range(B):
        valid = None
        if img_shapes is not None:
            h, w = img_shapes[b]
            valid = torch.zeros((H, W), dtype=torch.bool, device=conf.device)
            valid[:min(H, int(math.ceil(h / stride))),
                  :min(W, int(math.ceil(w / stride)))] = True
        cells, scores = find_peaks(conf[b, 0], max_per_img, nms_kernel,
                                   score_thr, valid)
        out.append((cell_to_point(cells, stride), scores))
    return out
