# Copyright (c) mmocr_vlp contributors. All rights reserved.
from typing import Dict, List, Sequence

import cv2
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmocr.models.textdet.postprocessors.base import BaseTextDetPostProcessor
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample


@MODELS.register_module()
class TextBPNPostprocessor(BaseTextDetPostProcessor):
    """Turn the deformed TextBPN boundaries into ``pred_instances``.

    The head already produced the polygons (last deformation iteration, in
    input-image pixels) and their scores; this splits them per image, drops
    low-score/degenerate ones, optionally converts them to quadrilaterals and
    rescales them to the original image (``rescale_fields``).

    Args:
        text_repr_type (str): ``'poly'`` or ``'quad'``. Defaults to 'poly'.
        rescale_fields (list[str]): Defaults to ``['polygons']``.
        min_score (float): Drop instances scoring below. Defaults to 0.
        min_area (float): Drop polygons smaller than this (input pixels).
            Defaults to 1.
    """

    def __init__(self,
                 text_repr_type: str = 'poly',
                 rescale_fields: Sequence[str] = ['polygons'],
                 min_score: float = 0.,
                 min_area: float = 1.,
                 **kwargs) -> None:
        super().__init__(
            text_repr_type=text_repr_type,
            rescale_fields=rescale_fields,
            **kwargs)
        self.min_score = min_score
        self.min_area = min_area

    def split_results(self, pred_results: Dict) -> List[Dict]:
        """Split the head output by image.

        Args:
            pred_results (dict): Head output with ``polygons`` ``(K, N, 2)``,
                ``scores`` ``(K,)``, ``inds`` ``(K,)`` and ``batch_size``.

        Returns:
            list[dict]: One dict (``polygons``, ``scores``) per image.
        """
        if not isinstance(pred_results, dict) or 'polygons' not in \
                pred_results:
            raise TypeError('TextBPNPostprocessor expects the TextBPNHead '
                            'output dict (with polygons, scores, inds)')
        polys = pred_results['polygons'].detach().float().cpu()
        scores = pred_results['scores'].detach().float().cpu()
        inds = pred_results['inds'].detach().cpu()
        out = []
        for b in range(int(pred_results['batch_size'])):
            sel = inds == b
            out.append(dict(polygons=polys[sel], scores=scores[sel]))
        return out

    def rescale(self, results: TextDetDataSample,
                scale_factor: Sequence[float]) -> TextDetDataSample:
        """Rescale to the original image and keep float32 polygons."""
        results = super().rescale(results, scale_factor)
        results.pred_instances.polygons = [
            np.asarray(p, np.float32) for p in results.pred_instances.polygons
        ]
        return results

    def get_text_instances(self, pred_results: Dict,
                           data_sample: TextDetDataSample,
                           **kwargs) -> TextDetDataSample:
        """Fill ``data_sample.pred_instances`` with ``polygons`` (list of flat
        float32 arrays, input-image pixels) and ``scores`` (FloatTensor)."""
        polygons, scores = [], []
        for poly, score in zip(pred_results['polygons'].numpy(),
                               pred_results['scores'].tolist()):
            if score < self.min_score:
                continue
            poly = poly.reshape(-1, 2).astype(np.float32)
            if abs(cv2.contourArea(poly)) < self.min_area:
                continue
            if self.text_repr_type == 'quad':
                poly = cv2.boxPoints(cv2.minAreaRect(poly))
            polygons.append(poly.flatten().astype(np.float32))
            scores.append(score)
        data_sample.pred_instances = InstanceData()
        data_sample.pred_instances.polygons = polygons
        data_sample.pred_instances.scores = torch.FloatTensor(scores)
        return data_sample
