# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Location-free spotting metric (edit-distance matching, NPTS protocol)."""
from typing import Dict, List

import numpy as np
from mmocr.registry import METRICS

from ..functional.matching import compute_prf, match_texts_by_edit_distance
from .base_spotting_metric import BaseSpottingMetric


@METRICS.register_module()
class EditDistanceSpottingMetric(BaseSpottingMetric):
    """Edit-distance spotting metric: predictions are matched to GT words by
    their text only, ignoring locations.

    SPTS (Peng et al., ACM MM 2022) introduced it to evaluate NPTS, its
    no-point variant that predicts transcriptions only; WeCromCL reports it
    in its Table 4 and states it as "matching is conducted solely based on
    the edit distance between predicted and groundtruth transcriptions"
    (WeCromCL Sec. 4, "Evaluation Protocol"). Per image the predictions
    (after lexicon correction and the confidence threshold) are assigned to
    the care GT texts with the Hungarian algorithm on case-insensitive
    normalised edit distances and an assigned pair is a true positive when
    its texts are equal (details, including the treatment of don't-care GT,
    in :func:`~mmocr_vlp.evaluation.functional.match_texts_by_edit_distance`).

    Output keys per lexicon setting ``L`` (besides the ones of
    :class:`BaseSpottingMetric`): ``L_one_minus_ned``, the "1-NED" of the
    assignment, ``1 - sum(NED) / N`` summed over the dataset, where every
    assigned pair contributes its NED, every unassigned counted prediction
    and every unassigned care GT contributes 1 and ``N`` is the number of
    those terms (1.0 when there is nothing to compare).

    Args:
        prefer_exact: maximise the number of exact pairs before minimising
            the total distance (see the matching function).
        **kwargs: see :class:`BaseSpottingMetric`. The default prefix is
            ``spotting_ed``.
    """
    default_prefix = 'spotting_ed'
    needs_locations = False  # works for location-free (NPTS-style) output
    summary_keys = ('precision', 'recall', 'hmean', 'one_minus_ned')

    def __init__(self, prefer_exact: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.prefer_exact = prefer_exact

    def match_image(self, record: Dict, points: np.ndarray, texts: List[str],
                    scores: np.ndarray) -> Dict[str, float]:
        res = match_texts_by_edit_distance(texts, record['gt_texts'],
                                           record['gt_ignored'],
                                           self.prefer_exact)
        return dict(tp=res['tp'],
                    num_pred=res['num_pred'],
                    num_gt=res['num_gt'],
                    ned_sum=res['ned_sum'],
                    ned_count=res['ned_count'])

    def summarize(self, counts: Dict[str, float]) -> Dict[str, float]:
        out = compute_prf(counts.get('tp', 0), counts.get('num_pred', 0),
                          counts.get('num_gt', 0))
        n = counts.get('ned_count', 0)
        out['one_minus_ned'] = 1.0 if n == 0 else \
            1.0 - counts.get('ned_sum', 0.0) / n
        return out
