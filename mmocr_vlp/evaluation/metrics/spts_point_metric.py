# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Single-point spotting metric (the SPTS protocol)."""
from typing import Dict, List

import numpy as np
from mmocr.registry import METRICS

from ..functional.matching import compute_prf, match_points_to_centers
from .base_spotting_metric import BaseSpottingMetric


@METRICS.register_module()
class SPTSPointMetric(BaseSpottingMetric):
    """Single-point text spotting metric of SPTS (used by WeCromCL, Tables 4-5
    of the main paper: "we match each predicted anchor point with the nearest
    center point of groundtruth bounding boxes, and then check if their text
    content are consistent").

    Protocol (facts from SPTS ``evaluation/eval.py``):

    * GT centre: :func:`~mmocr_vlp.evaluation.functional.polygon_center`
      (mean of the arc-length midpoints of the two long sides), or the GT
      ``points`` when there are no polygons;
    * GT don't care: ``ignored`` flag, ``"###"`` text, and with
      ``word_spotting_filter=True`` (Total-Text) words rejected by
      :func:`~mmocr_vlp.evaluation.functional.word_spotting_filter` (kept
      words are compared in their normalised form; predictions are not
      normalised, as in SPTS);
    * predictions: empty texts dropped; with a lexicon, corrected or dropped
      (:class:`~mmocr_vlp.evaluation.functional.Lexicon`); then kept if
      ``score >= thr``;
    * matching: see ``match_points_to_centers`` in
      :mod:`mmocr_vlp.evaluation.functional` (nearest centre, don't-care
      absorbs, case-insensitive exact text, one TP per GT, higher scores
      first);
    * ``P = TP / counted predictions``, ``R = TP / (GT - don't care)``,
      ``F = 2PR / (P + R)`` with mmocr's zero-division conventions.

    Typical settings::

        # ICDAR 2015: Strong / Weak / Generic
        dict(type='SPTSPointMetric', lexicons=[
            dict(lexicon_type=None),
            dict(lexicon_type='strong', path='lexicons/ic15/strong',
                 pair_path='lexicons/ic15/strong_pairs'),
            dict(lexicon_type='weak', path='lexicons/ic15/weak.txt',
                 pair_path='lexicons/ic15/weak_pair_list.txt'),
            dict(lexicon_type='generic', path='lexicons/ic15/generic.txt',
                 pair_path='lexicons/ic15/generic_pair_list.txt',
                 always_replace=True)])
        # Total-Text: None / Full with the word-spotting filter
        dict(type='SPTSPointMetric', word_spotting_filter=True, lexicons=[
            dict(lexicon_type=None),
            dict(lexicon_type='full', path='lexicons/totaltext/full.txt',
                 pair_path='lexicons/totaltext/full_pair_list.txt')])

    See :class:`BaseSpottingMetric` for the arguments and output keys, e.g.
    ``spotting/none_hmean`` (best over the test sweep),
    ``spotting/none_best_thr_on_test``, ``spotting/strong_fixed_hmean``.
    """

    def match_image(self, record: Dict, points: np.ndarray, texts: List[str],
                    scores: np.ndarray) -> Dict[str, int]:
        res = match_points_to_centers(points, texts, scores,
                                      record['gt_centers'], record['gt_texts'],
                                      record['gt_ignored'])
        return dict(tp=res['tp'],
                    num_pred=res['num_pred'],
                    num_gt=res['num_gt'])

    def summarize(self, counts: Dict[str, float]) -> Dict[str, float]:
        return compute_prf(counts.get('tp', 0), counts.get('num_pred', 0),
                           counts.get('num_gt', 0))
