# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Atomistic cross-modality contrastive loss (WeCromCL Eq. 6-8)."""
import math
from typing import Dict, Optional

import torch
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from ..common.amp import fp32_forward


def _masked_ce(logits: Tensor, target: Tensor, exclude: Tensor) -> Tensor:
    """Cross-entropy per row with excluded (other-positive) columns."""
    logits = logits.masked_fill(exclude, torch.finfo(logits.dtype).min)
    return F.cross_entropy(logits, target, reduction='none')


@MODELS.register_module()
class AtomisticContrastiveLoss(BaseModule):
    """WeCromCL Eq. 6-8 for several positive words per image.

    Inputs are cosine similarities ``s[b, q] = Cosine(F^c_{I_b,T_q}, F_T_q)``
    of every image ``b`` with every positive word ``q`` of the batch, and
    ``s_neg[b, n]`` of every image with its own ``N_aug`` extra negative
    transcriptions. Each positive pair ``(owner[q], q)`` contributes

    - text-to-image (Eq. 6): softmax over the images of the batch;
      images that also contain the word are excluded from the denominator;
    - image-to-text (Eq. 7): softmax over the batch's words plus the image's
      ``N_aug`` negatives; the image's other words (and equal words of other
      images) are excluded.

    ``L = (mean T2I + mean I2T) / 2`` (Eq. 8). The temperature is learnable:
    ``logit_scale = ln(1/tau)``, initialised to ``ln(1/0.07)``, clamped to
    ``max_logit_scale``.

    Note on Eq. 7: its columns compare ``F^c_{I,T_j}`` (aggregated with query
    ``T_j``) with ``F_{T_j}``, so a co-occurring word ``T_j`` of the same
    image is a *true* match of that column and is rightly excluded. Eq. 6-8
    alone can then be solved without localising: pixel features that all
    encode the image's bag of words make every ``F^c_{I,T_j}`` match. The
    optional *localisation term* (``local_weight > 0``; not in the paper)
    fixes the aggregated feature of the positive pair ``(owner[q], q)`` and
    contrasts it with the text features of all batch words, including the
    co-occurring words of the same image, and the image's ``N_aug``
    negatives: ``-log softmax_j cos(F^c_{I,T_q}, F_{T_j}) / tau`` at
    ``j = q`` (equal texts excluded). This forces ``F^c_{I,T_q}`` to
    describe ``T_q`` only, i.e. the map to concentrate on its region.

    Args:
        init_temperature (float): Initial ``tau``. Defaults to 0.07.
        max_logit_scale (float, optional): Upper clamp of ``ln(1/tau)``;
            None = unclamped (official code). Defaults to ``ln(100)``.
        learnable_temperature (bool): Learn ``tau``. Defaults to True.
        loss_weight (float): Weight of the loss. Defaults to 1.0.
        local_weight (float): Weight of the localisation term (see above;
            0 = paper's Eq. 8 only). Defaults to 0.
        exclude_shared (bool): Remove from both denominators the columns
            whose word the row's image also contains (see above). False =
            the official code, which keeps them as negatives (its sampling
            only keeps positives distinct). Defaults to True.
    """

    def __init__(self,
                 init_temperature: float = 0.07,
                 max_logit_scale: Optional[float] = math.log(100),
                 learnable_temperature: bool = True,
                 loss_weight: float = 1.0,
                 local_weight: float = 0.0,
                 exclude_shared: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        scale = torch.log(torch.tensor(1.0 / init_temperature))
        if learnable_temperature:
            self.logit_scale = torch.nn.Parameter(scale)
        else:
            self.register_buffer('logit_scale', scale)
        self.max_logit_scale = max_logit_scale
        self.loss_weight = loss_weight
        self.local_weight = local_weight
        self.exclude_shared = exclude_shared

    def scale(self) -> Tensor:
        """``1 / tau`` after clamping (no gradient above the clamp)."""
        if self.max_logit_scale is None:
            return self.logit_scale.exp()
        return self.logit_scale.clamp(max=self.max_logit_scale).exp()

    @fp32_forward
    def forward(self,
                sim_pos: Tensor,
                owner: Tensor,
                same_text: Tensor,
                sim_neg: Optional[Tensor] = None,
                neg_valid: Optional[Tensor] = None,
                sim_local: Optional[Tensor] = None,
                local_excl: Optional[Tensor] = None) -> Dict[str, Tensor]:
        """Compute the loss.

        Args:
            sim_pos: ``(B, Q)`` cosine of image ``b`` with positive word ``q``.
            owner: ``(Q,)`` long, the image each positive word belongs to.
            same_text: ``(B, Q)`` bool, True where image ``b`` contains the
                text of word ``q`` (including ``b == owner[q]``).
            sim_neg: ``(B, N_aug)`` cosine of every image with its own extra
                negatives, or None (no negative mining).
            neg_valid: ``(B, N_aug)`` bool, False for padding slots (images
                that got fewer negatives). Defaults to all valid.
            sim_local: ``(Q, K)`` cosine of the aggregated feature of pair
                ``q`` (image ``owner[q]``, query ``q``) with ``K`` text
                features whose first ``Q`` are the batch's positive words
                (target ``q``); used when ``local_weight > 0``.
            local_excl: ``(Q, K)`` bool, True for columns to drop (same
                text as ``q`` but ``j != q``, padding).

        Returns:
            dict: ``loss_t2i``, ``loss_i2t`` (each already halved and
            weighted, so their sum is Eq. 8), ``loss_local`` (when enabled)
            and the diagnostic ``acc_i2t``.
        """
        B, Q = sim_pos.shape
        if Q == 0:
            zero = sim_pos.sum() * 0
            return dict(loss_t2i=zero, loss_i2t=zero)
        scale = self.scale()
        q_idx = torch.arange(Q, device=sim_pos.device)
        # Eq. 6: rows = words, columns = images.
        t2i = (sim_pos * scale).t()  # (Q, B)
        if not self.exclude_shared:
            same_text = torch.zeros_like(same_text)
        excl_t2i = same_text.t().clone()
        excl_t2i[q_idx, owner] = False
        loss_t2i = _masked_ce(t2i, owner, excl_t2i).mean()
        # Eq. 7: rows = positive pairs, columns = batch words + own negatives.
        i2t = (sim_pos * scale)[owner]  # (Q, Q)
        # Exclude the owner's other words and same-text words of others.
        excl = same_text[owner].clone()  # word q' text is in image owner[q]
        excl[q_idx, q_idx] = False
        if sim_neg is not None and sim_neg.numel() > 0:
            i2t = torch.cat([i2t, (sim_neg * scale)[owner]], 1)
            if neg_valid is None:
                neg_excl = excl.new_zeros((Q, sim_neg.shape[1]))
            else:
                neg_excl = ~neg_valid.bool()[owner]
            excl = torch.cat([excl, neg_excl], 1)
        loss_i2t = _masked_ce(i2t, q_idx, excl).mean()
        with torch.no_grad():
            masked = i2t.masked_fill(excl, float('-inf'))
            acc = (masked.argmax(1) == q_idx).float().mean()
        w = 0.5 * self.loss_weight
        out = dict(loss_t2i=w * loss_t2i, loss_i2t=w * loss_i2t, acc_i2t=acc)
        if self.local_weight > 0 and sim_local is not None:
            if local_excl is None:
                local_excl = torch.zeros_like(sim_local, dtype=torch.bool)
            loss_local = _masked_ce(sim_local * scale, q_idx,
                                    local_excl).mean()
            out['loss_local'] = self.local_weight * loss_local
        return out
