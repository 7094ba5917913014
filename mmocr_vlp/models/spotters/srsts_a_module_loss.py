# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A losses: focal loss on the anchor map + CTC on the K points."""
from typing import Dict, Optional, Sequence, Tuple

from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from ..common.amp import fp32_forward

from .anchor_estimator import build_anchor_targets


@MODELS.register_module()
class SRSTSAModuleLoss(BaseModule):
    """Loss of the SRSTS-A head: ``L = w_c * L_c + w_r * L_ctc``.

    ``L_c`` is WeCromCL supp. Eq. 1, the focal loss between the confidence
    map ``C`` and the one-hot pseudo ground truth ``C_gt`` (each anchor cell
    1, every other cell 0)::

        L_c = sum_ij  - alpha (C_gt) (1 - C)^gamma log C
                      - (1 - alpha) (1 - C_gt) C^gamma log(1 - C)

    computed by mmdet's ``FocalLoss`` (its pure-PyTorch
    ``py_sigmoid_focal_loss`` path, which it takes whenever the target has
    the prediction's shape, so no CUDA op is needed). The paper writes a sum;
    like RetinaNet/CenterNet we divide it by the number of anchors in the
    batch (``avg_factor``) so the loss scale does not depend on the number
    of words. Cells of don't-care words and padding get weight 0.

    ``L_ctc`` is PyTorch's CTC loss over the K sampled points of every
    located, non-ignored word (computed by the recogniser).

    Args:
        loss_anchor (dict): Focal loss config; ``alpha``/``gamma`` are the
            paper's weighting factors. Defaults to mmdet's FocalLoss with
            alpha 0.25, gamma 2 (RetinaNet's values; the paper gives none).
        loss_rec_weight (float): ``w_r``. Defaults to 1.0.
        target_sigma (float): 0 (default, the paper's one-hot map) or the
            standard deviation in cells of a Gaussian around each anchor.
        ignore_radius (int): Zero-weight radius (cells) around don't-care
            words. Defaults to 1.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 loss_anchor: dict = dict(
                     type='mmdet.FocalLoss',
                     use_sigmoid=True,
                     alpha=0.25,
                     gamma=2.0,
                     reduction='mean',
                     loss_weight=1.0),
                 loss_rec_weight: float = 1.0,
                 target_sigma: float = 0.,
                 ignore_radius: int = 1,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.loss_anchor = MODELS.build(loss_anchor)
        self.loss_rec_weight = loss_rec_weight
        self.target_sigma = target_sigma
        self.ignore_radius = ignore_radius

    def get_targets(self, feat_shape: Tuple[int, int], stride: float,
                    points: Sequence[Tensor],
                    ignore_points: Optional[Sequence[Tensor]] = None,
                    img_shapes: Optional[Sequence[Tuple[int, int]]] = None
                    ) -> Tuple[Tensor, Tensor, int]:
        """``C_gt``, its weights and the positive count (supp. Eq. 1)."""
        return build_anchor_targets(
            points,
            feat_shape,
            stride,
            ignore_points=ignore_points,
            img_shapes=img_shapes,
            sigma=self.target_sigma,
            ignore_radius=self.ignore_radius)

    @fp32_forward
    def forward(self, conf_logits: Tensor, stride: float,
                points: Sequence[Tensor],
                ignore_points: Optional[Sequence[Tensor]],
                img_shapes: Optional[Sequence[Tuple[int, int]]],
                loss_ctc: Tensor) -> Dict[str, Tensor]:
        """Compute the losses.

        Args:
            conf_logits: ``(B, 1, H, W)`` anchor logits.
            stride: Image pixels per cell.
            points: Per image ``(N_b, 2)`` anchor points (image frame).
            ignore_points: Per image points of don't-care words.
            img_shapes: Per image valid ``(h, w)``.
            loss_ctc: The recogniser's CTC loss (scalar).

        Returns:
            dict: ``loss_anchor`` and ``loss_ctc``.
        """
        target, weight, num_pos = self.get_targets(
            conf_logits.shape[-2:], stride, points, ignore_points, img_shapes)
        pred = conf_logits.permute(0, 2, 3, 1).reshape(-1, 1)
        tgt = target.permute(0, 2, 3, 1).reshape(-1, 1).to(pred.dtype)
        w = weight.permute(0, 2, 3, 1).reshape(-1, 1).to(pred.dtype)
        loss_anchor = self.loss_anchor(
            pred, tgt, weight=w, avg_factor=max(1., float(num_pos)))
        return dict(
            loss_anchor=loss_anchor,
            loss_ctc=loss_ctc * self.loss_rec_weight)
