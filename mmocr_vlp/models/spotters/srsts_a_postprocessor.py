# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A post-processing: anchors from the map, results into samples."""
from typing import List, Sequence, Tuple

import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from torch import Tensor

from .anchor_estimator import decode_anchors


@MODELS.register_module()
class SRSTSAPostprocessor:
    """Peak detection on the confidence map and result packing.

    Inference: sigmoid map -> ``nms_kernel`` max-pool NMS -> ``score_thr``
    -> top ``max_per_img`` anchors. Each anchor is decoded by the sampler and
    recogniser; :meth:`pack` writes ``pred_instances`` with

    - ``points`` ``(N, 2)`` float, in the ORIGINAL image frame (divided by
      the sample's ``scale_factor``, clamped to ``ori_shape``), as the
      spotting metrics expect;
    - ``texts`` (list[str]);
    - ``scores`` ``(N,)``: the anchor confidence (``score_mode='anchor'``),
      or anchor confidence x mean character probability (``'mul'``);
    - ``anchor_scores``, ``rec_scores`` ``(N,)``;
    - ``sample_points`` ``(N, K, 2)`` original frame, for visualisation.

    Args:
        score_thr (float): Anchor confidence threshold. Defaults to 0.3.
        nms_kernel (int): Max-pool NMS window. Defaults to 3.
        max_per_img (int): Maximum anchors per image. Defaults to 100.
        score_mode (str): ``'anchor'`` or ``'mul'``. Defaults to
            ``'anchor'``.
        drop_empty (bool): Drop anchors decoded to an empty string.
            Defaults to True (the SPTS protocol drops them anyway).
        rescale (bool): Map results to the original image frame. Defaults to
            True.
    """

    def __init__(self,
                 score_thr: float = 0.3,
                 nms_kernel: int = 3,
                 max_per_img: int = 100,
                 score_mode: str = 'anchor',
                 drop_empty: bool = True,
                 rescale: bool = True) -> None:
        if score_mode not in ('anchor', 'mul'):
            raise ValueError(f"SRSTSAPostprocessor: score_mode must be "
                             f"'anchor' or 'mul', got {score_mode!r}")
        self.score_thr = score_thr
        self.nms_kernel = nms_kernel
        self.max_per_img = max_per_img
        self.score_mode = score_mode
        self.drop_empty = drop_empty
        self.rescale = rescale

    def get_anchors(self, conf_logits: Tensor, stride: float,
                    img_shapes: Sequence[Tuple[int, int]]
                    ) -> List[Tuple[Tensor, Tensor]]:
        """Per image ``(points (n, 2), scores (n,))`` in the batch frame."""
        return decode_anchors(
            conf_logits,
            stride,
            score_thr=self.score_thr,
            nms_kernel=self.nms_kernel,
            max_per_img=self.max_per_img,
            img_shapes=img_shapes)

    def pack(self, data_sample, points: Tensor, anchor_scores: Tensor,
             sample_points: Tensor, texts: List[str],
             rec_scores: Tensor):
        """Write one image's results into ``data_sample.pred_instances``."""
        if self.score_mode == 'mul':
            scores = anchor_scores * rec_scores
        else:
            scores = anchor_scores
        if self.drop_empty and len(texts):
            keep = [i for i, t in enumerate(texts) if t]
            idx = torch.as_tensor(keep, dtype=torch.long,
                                  device=points.device)
            points, scores, sample_points = points[idx], scores[idx], \
                sample_points[idx]
            anchor_scores, rec_scores = anchor_scores[idx], rec_scores[idx]
            texts = [texts[i] for i in keep]
        if self.rescale:
            sf = data_sample.metainfo.get('scale_factor', (1., 1.))
            sf = points.new_tensor([float(sf[0]), float(sf[1])])
            points = points / sf
            sample_points = sample_points / sf
            bound = data_sample.metainfo.get('ori_shape')
        else:
            bound = data_sample.metainfo.get('img_shape')
        if bound is not None and len(points):
            # The centre of a border cell can fall just outside the image.
            h, w = float(bound[0]), float(bound[1])
            points = torch.stack(
                [points[:, 0].clamp(0, w), points[:, 1].clamp(0, h)], 1)
        pred = InstanceData()
        pred.points = points.detach().float().cpu()
        pred.scores = scores.detach().float().cpu()
        pred.anchor_scores = anchor_scores.detach().float().cpu()
        pred.rec_scores = rec_scores.detach().float().cpu()
        pred.sample_points = sample_points.detach().float().cpu()
        pred.texts = list(texts)
        data_sample.pred_instances = pred
        return data_sample
