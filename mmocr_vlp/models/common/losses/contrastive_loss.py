# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Batch-level symmetric contrastive loss with a learnable temperature."""
import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from ..amp import fp32_forward
from ..dist import gather_local_grad, gather_with_grad


@MODELS.register_module()
class SymmetricContrastiveLoss(BaseModule):
    """Symmetric image-text InfoNCE (oCLIP Eq. 3-4, after CLIP).

    With L2-normalised image embeddings ``I_b`` and text embeddings ``T_b``
    of the B (valid) images of the *global* batch and ``s = exp(logit_scale)``:

    ``p^{i2t}_b(I) = softmax_b(s <I, T_b>)``, ``p^{t2i}_b(T) =
    softmax_b(s <T, I_b>)`` (Eq. 3) and
    ``L_bc = mean[H(y^{i2t}, p^{i2t}) + H(y^{t2i}, p^{t2i})]`` (Eq. 4),
    the positive pair of image ``b`` being its own text ``b``.

    Eq. 4 *sums* the two directions; CLIP and the official oCLIP code
    average them, which ``loss_weight=0.5`` reproduces.

    Under distributed training the embeddings of all ranks are gathered with
    gradients (:func:`gather_with_grad`) and every rank computes the same
    global loss, so negatives span the global batch; with DDP's gradient
    averaging the parameter gradients equal those of one process on the
    concatenated batch.

    Args:
        init_logit_scale (float): Initial ``logit_scale`` = ln(1 / 0.07).
        max_logit_scale (float, optional): ``logit_scale`` is clamped to
            ``[0, max_logit_scale]`` (ln 100, i.e. temperature >= 0.01);
            None leaves it unclamped (the official oCLIP and WeCromCL
            code). Defaults to ln 100.
        learnable (bool): Learn ``logit_scale``.
        gather (bool): Gather across ranks when distributed.
        gather_grad (bool): The gathered rows of other ranks carry gradients
            (the parameter gradient equals the single-process gradient of
            the global batch). False: only this rank's rows do, as in the
            official oCLIP code, whose contrastive gradient is then
            ``1 / world_size`` of it. Defaults to True.
        loss_weight (float): Multiplier of the loss.
    """

    def __init__(self,
                 init_logit_scale: float = math.log(1 / 0.07),
                 max_logit_scale: Optional[float] = math.log(100.),
                 learnable: bool = True,
                 gather: bool = True,
                 gather_grad: bool = True,
                 loss_weight: float = 1.0,
                 init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        scale = torch.tensor(float(init_logit_scale))
        if learnable:
            self.logit_scale = nn.Parameter(scale)
        else:
            self.register_buffer('logit_scale', scale)
        self.max_logit_scale = max_logit_scale
        self.gather = gather
        self.gather_grad = gather_grad
        self.loss_weight = loss_weight

    def get_logit_scale(self) -> Tensor:
        """The (clamped) logit scale; the inverse temperature is its exp."""
        if self.max_logit_scale is None:
            return self.logit_scale
        return self.logit_scale.clamp(0., self.max_logit_scale)

    @fp32_forward
    def forward(self,
                img_embeds: Tensor,
                text_embeds: Tensor,
                valid: Optional[Tensor] = None) -> Tensor:
        """Compute the loss.

        Args:
            img_embeds (Tensor): ``(B, D)`` image embeddings (this rank).
            text_embeds (Tensor): ``(B, D)`` paired text embeddings.
            valid (Tensor, optional): ``(B,)`` bool; False rows (e.g. images
                without any word) take no part in the loss, neither as
                anchors nor as negatives.

        Returns:
            Tensor: The scalar loss (0 with a graph if fewer than one valid
            pair exists in the global batch).
        """
        if img_embeds.shape != text_embeds.shape or img_embeds.dim() != 2:
            raise ValueError(
                f'SymmetricContrastiveLoss: img_embeds {tuple(img_embeds.shape)}'
                f' and text_embeds {tuple(text_embeds.shape)} must both be '
                f'(B, D)')
        if valid is None:
            valid = img_embeds.new_ones(img_embeds.shape[0], dtype=torch.bool)
        img = F.normalize(img_embeds, dim=-1)
        txt = F.normalize(text_embeds, dim=-1)
        valid_f = valid.to(img.dtype)
        if self.gather:
            gather = gather_with_grad if self.gather_grad \
                else gather_local_grad
            img = gather(img)
            txt = gather(txt)
            valid_f = gather_with_grad(valid_f)
        keep = valid_f > 0.5
        scale = self.get_logit_scale()
        if int(keep.sum()) == 0:
            # Zero with a graph keeps DDP happy when nothing is valid.
            return (img.sum() + txt.sum()) * 0. + scale * 0.
        img, txt = img[keep], txt[keep]
        logits = scale.exp() * img @ txt.t()
        labels = torch.arange(logits.shape[0], device=logits.device)
        loss = F.cross_entropy(logits, labels) + \
            F.cross_entropy(logits.t(), labels)
        return self.loss_weight * loss
