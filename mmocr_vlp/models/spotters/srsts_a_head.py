# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A head: anchor estimator + sampling module + recognition module."""
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.model import BaseModule
from mmocr.registry import MODELS
from torch import Tensor

from ..common.peaks import cell_to_point
from .anchor_estimator import point_to_cell


def _img_shapes(data_samples) -> List[Tuple[int, int]]:
    out = []
    for ds in data_samples:
        shape = ds.metainfo.get('img_shape')
        if shape is None:
            raise KeyError('SRSTSAHead: data sample metainfo has no '
                           '"img_shape"')
        out.append((int(shape[0]), int(shape[1])))
    return out


@MODELS.register_module()
class SRSTSAHead(BaseModule):
    """The SRSTS-A head (WeCromCL supp. Sec. 1).

    Given the encoded map ``P`` (stride ``stride``):

    1. the anchor estimator predicts the confidence map ``C``;
    2. around each anchor (GT / pseudo points in training, peaks of ``C``
       at inference) the sampler predicts ``K`` offsets and samples ``P``;
    3. the recogniser turns the ``K`` features into text with CTC.

    Training needs one point + transcription per word:
    ``gt_instances.points`` (``(N, 2)``, NaN = no point: the word is skipped)
    and ``gt_instances.tokens`` (dictionary tokens; ``texts`` are tokenised
    with the recogniser's dictionary when ``tokens`` is absent).
    ``gt_instances.ignored`` words are zero-weighted in the anchor map and
    not recognised.

    Args:
        in_channels (int): Channels of ``P``.
        stride (int): Image pixels per cell of ``P``. Defaults to 8.
        anchor_estimator (dict): ``AnchorEstimator`` config.
        sampler (dict): ``PointSampler`` config.
        recognizer (dict): ``CTCRecognizer`` config (holds the dictionary).
        module_loss (dict): ``SRSTSAModuleLoss`` config.
        postprocessor (dict): ``SRSTSAPostprocessor`` config.
        snap_train_anchors (bool): In training, sample around the centre of
            the cell holding the GT point (what inference sees) instead of
            the exact point. Defaults to True.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 in_channels: int,
                 stride: int = 8,
                 anchor_estimator: dict = dict(type='AnchorEstimator'),
                 sampler: dict = dict(type='PointSampler'),
                 recognizer: dict = dict(type='CTCRecognizer'),
                 module_loss: dict = dict(type='SRSTSAModuleLoss'),
                 postprocessor: dict = dict(type='SRSTSAPostprocessor'),
                 snap_train_anchors: bool = True,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.in_channels = in_channels
        self.stride = stride
        self.snap_train_anchors = snap_train_anchors
        anchor_estimator = dict(anchor_estimator, in_channels=in_channels)
        sampler = dict(sampler, in_channels=in_channels)
        self.anchor_estimator = MODELS.build(anchor_estimator)
        self.sampler = MODELS.build(sampler)
        recognizer = dict(recognizer, in_channels=in_channels)
        recognizer.setdefault('num_points', self.sampler.num_points)
        if recognizer['num_points'] != self.sampler.num_points:
            raise ValueError(
                f'SRSTSAHead: recognizer.num_points '
                f'({recognizer["num_points"]}) != sampler.num_points '
                f'({self.sampler.num_points})')
        self.recognizer = MODELS.build(recognizer)
        self.module_loss = MODELS.build(module_loss)
        self.postprocessor = MODELS.build(postprocessor)

    @property
    def dictionary(self):
        return self.recognizer.dictionary

    # ------------------------------------------------------------ forward
    def forward(self, feat: Tensor, anchors: Sequence[Tensor]
                ) -> Tuple[Tensor, Tensor, List[Tensor]]:
        """Raw outputs.

        Args:
            feat: ``(B, C, H, W)`` map ``P``.
            anchors: Per image ``(N_b, 2)`` anchors (image frame).

        Returns:
            tuple: ``conf_logits`` ``(B, 1, H, W)``, ``rec_logits``
            ``(sum N_b, K, num_classes)`` and per image ``sample_points``
            ``(N_b, K, 2)``.
        """
        conf_logits = self.anchor_estimator(feat)
        sampled, sample_points = self.sampler(feat, anchors, self.stride)
        rec_logits = self.recognizer(sampled)
        return conf_logits, rec_logits, sample_points

    # --------------------------------------------------------------- loss
    def _gt(self, data_samples, feat_shape):
        """Per-image heat points, ignore points, rec anchors and targets."""
        heat, ignore, anchors, targets = [], [], [], []
        for k, ds in enumerate(data_samples):
            gi = ds.gt_instances
            n = len(gi)
            if n == 0:
                z = torch.zeros((0, 2))
                heat.append(z)
                ignore.append(z)
                anchors.append(z)
                continue
            if 'points' not in gi:
                raise KeyError(
                    f'SRSTSAHead: gt_instances of image '
                    f'{ds.metainfo.get("img_path", k)!r} has no "points" '
                    f'(the spotter needs one point per word; use the '
                    f'"points" view or WeCromCL pseudo labels)')
            pts = torch.as_tensor(gi.points, dtype=torch.float32)
            if pts.shape != (n, 2):
                raise ValueError(f'SRSTSAHead: gt_instances.points must be '
                                 f'({n}, 2), got {tuple(pts.shape)}')
            if 'ignored' in gi:
                ign = torch.as_tensor(gi.ignored, dtype=torch.bool).reshape(-1)
            else:
                ign = torch.zeros(n, dtype=torch.bool)
            finite = torch.isfinite(pts).all(1)
            valid = finite & ~ign
            heat.append(pts[valid])
            ignore.append(pts[finite & ign])
            if 'tokens' in gi:
                tg = self.recognizer.tokens_to_targets(
                    torch.as_tensor(gi.tokens))
            elif 'texts' in gi:
                tg = self.recognizer.texts_to_targets(gi.texts)
            else:
                raise KeyError('SRSTSAHead: gt_instances needs "tokens" or '
                               '"texts"')
            rec = [i for i in range(n) if bool(valid[i]) and len(tg[i]) > 0]
            a = pts[rec]
            if self.snap_train_anchors and len(rec):
                H, W = feat_shape
                cells = point_to_cell(a, self.stride)
                cells[:, 0].clamp_(0, W - 1)
                cells[:, 1].clamp_(0, H - 1)
                a = cell_to_point(cells, self.stride)
            anchors.append(a)
            targets.extend(tg[i] for i in rec)
        return heat, ignore, anchors, targets

    def loss(self, feat: Tensor, data_samples: Sequence) -> Dict[str, Tensor]:
        """Focal loss on the anchor map + CTC loss at the GT anchors."""
        img_shapes = _img_shapes(data_samples)
        heat, ignore, anchors, targets = self._gt(data_samples,
                                                  feat.shape[-2:])
        anchors = [a.to(feat.device) for a in anchors]
        conf_logits, rec_logits, _ = self.forward(feat, anchors)
        if len(targets):
            loss_ctc = self.recognizer.loss(rec_logits, targets)
        else:
            # Keep the graph connected (no words with a point in the batch).
            loss_ctc = sum(p.sum() * 0. for p in self.sampler.parameters()) \
                + sum(p.sum() * 0. for p in self.recognizer.parameters())
        return self.module_loss(conf_logits, self.stride,
                                [h.to(feat.device) for h in heat],
                                [i.to(feat.device) for i in ignore],
                                img_shapes, loss_ctc)

    # ------------------------------------------------------------ predict
    def predict(self, feat: Tensor, data_samples: Sequence) -> Sequence:
        """Detect anchors, read them, write ``pred_instances``."""
        img_shapes = _img_shapes(data_samples)
        conf_logits = self.anchor_estimator(feat)
        found = self.postprocessor.get_anchors(conf_logits, self.stride,
                                               img_shapes)
        anchors = [pts for pts, _ in found]
        sampled, sample_points = self.sampler(feat, anchors, self.stride)
        rec_logits = self.recognizer(sampled)
        texts, rec_scores, _ = self.recognizer.decode(rec_logits)
        start = 0
        for ds, (pts, scores), sp in zip(data_samples, found, sample_points):
            n = pts.shape[0]
            self.postprocessor.pack(ds, pts, scores, sp,
                                    texts[start:start + n],
                                    rec_scores[start:start + n])
            start += n
        return data_samples
