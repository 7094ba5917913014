# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Masked-character accuracy: the oCLIP pre-training task as a test."""
from typing import Dict, List, Optional, Sequence

from mmengine.evaluator import BaseMetric
from mmocr.registry import METRICS


@METRICS.register_module()
class MaskedCharAccuracy(BaseMetric):
    """Accuracy of oCLIP's masked-character prediction (oCLIP Eq. 2).

    Each word of a test image has one character replaced by ``<MASK>``
    (``MaskCharacters``); the model predicts it from the image
    (``pred_instances.mask_pred_labels``, ``OCLIP.predict``). Words without
    a maskable character (label -1) are not counted. Chance level is about
    one over the dictionary size; reading the image is what lifts it.

    Args:
        collect_device (str): See :class:`mmengine.evaluator.BaseMetric`.
            Defaults to ``'cpu'``.
        prefix (str, optional): Defaults to ``'oclip'`` (keys
            ``oclip/mask_acc`` and ``oclip/words``).
    """
    default_prefix: Optional[str] = 'oclip'

    def process(self, data_batch: Sequence, data_samples: Sequence) -> None:
        for ds in data_samples:
            gt = ds['gt_instances']['mask_labels']
            pred = ds['pred_instances']['mask_pred_labels']
            valid = gt >= 0
            self.results.append(
                dict(correct=int((pred[valid] == gt[valid]).sum()),
                     words=int(valid.sum())))

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        words = sum(r['words'] for r in results)
        correct = sum(r['correct'] for r in results)
        return dict(mask_acc=correct / words if words else 0.0,
                    words=float(words))
