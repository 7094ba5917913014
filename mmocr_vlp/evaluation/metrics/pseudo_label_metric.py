# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Quality of point pseudo labels (WeCromCL Tables 1-3)."""
from typing import Any, Dict, List, Optional, Sequence

import numpy as np
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmocr.registry import METRICS

from ..functional.geometry import points_in_polygons
from ..functional.matching import compute_prf, match_points_to_centers
from ..functional.text import texts_equal
from .base_spotting_metric import SCORE_EPS, extract_sample


@METRICS.register_module()
class PseudoLabelMetric(BaseMetric):
    """Precision / recall / F of anchor-point pseudo labels.

    The WeCromCL protocol (paper Sec. 4 "Evaluation Protocol", Tables 1-3):
    a predicted point (an anchor found for a query transcription) is a true
    positive if the nearest GT centre carries the same transcription,
    case-insensitively. Concretely, per image, with the predictions'
    ``texts`` being the query words:

    * every prediction goes to the GT with the nearest centre (SPTS centre
      of the polygon, or the GT point); on equal distances, the first GT;
    * a prediction whose nearest GT is don't care (``ignored`` or ``"###"``)
      is not counted;
    * predictions are visited by descending score; a GT is matched at most
      once, so when a word occurs several times in an image (WeCromCL then
      extracts as many peaks as occurrences) each prediction can claim a
      different occurrence, but two predictions landing nearest the same GT
      give one TP and one FP;
    * ``P = TP / counted predictions``, ``R = TP / non-ignored GT``,
      ``F = 2PR / (P + R)`` (mmocr's zero-division conventions).

    ``inside_ratio`` is the fraction of all kept predictions (non-empty
    text, score >= ``score_thr``) whose point lies inside or on the polygon
    of some GT word with the same text (case-insensitive), over the images
    that have GT polygons; NaN when no image has polygons.

    Args:
        score_thr: keep predictions with ``score >= score_thr``; ``None``
            keeps all.
        gt_coord_frame: ``'original'`` or ``'resized'``, see
            :func:`~mmocr_vlp.evaluation.metrics.extract_sample`.
        collect_device: see :class:`mmengine.evaluator.BaseMetric`.
        prefix: defaults to ``pseudo_label`` (keys ``pseudo_label/hmean``,
            ``pseudo_label/precision``, ``pseudo_label/recall``,
            ``pseudo_label/inside_ratio``).
    """
    default_prefix: Optional[str] = 'pseudo_label'

    def __init__(self,
                 score_thr: Optional[float] = None,
                 gt_coord_frame: str = 'original',
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.score_thr = None if score_thr is None else float(score_thr)
        self.gt_coord_frame = gt_coord_frame

    def process(self, data_batch: Any, data_samples: Sequence[Any]) -> None:
        for data_sample in data_samples:
            rec = extract_sample(data_sample,
                                 gt_coord_frame=self.gt_coord_frame)
            self.results.append(self.evaluate_record(rec))

    def evaluate_record(self, rec: Dict) -> Dict[str, int]:
        """Counts of one image record (see ``extract_sample``)."""
        texts: List[str] = rec['pred_texts']
        scores = rec['pred_scores']
        keep = np.array([len(t) > 0 for t in texts], dtype=bool)
        if self.score_thr is not None:
            keep &= scores >= self.score_thr - SCORE_EPS
        points = rec['pred_points'][keep]
        texts = [t for t, k in zip(texts, keep) if k]
        scores = scores[keep]
        res = match_points_to_centers(points, texts, scores, rec['gt_centers'],
                                      rec['gt_texts'], rec['gt_ignored'])
        out = dict(tp=res['tp'],
                   num_pred=res['num_pred'],
                   num_gt=res['num_gt'],
                   num_inside=0,
                   num_inside_total=0)
        polygons = rec['gt_polygons']
        if polygons is not None and len(polygons) == len(rec['gt_texts']):
            inside = points_in_polygons(points, polygons)
            same = np.array([[texts_equal(p, g) for g in rec['gt_texts']]
                             for p in texts],
                            dtype=bool).reshape(len(texts), len(polygons))
            out['num_inside'] = int((inside & same).any(axis=1).sum())
            out['num_inside_total'] = len(texts)
        return out

    def compute_metrics(self, results: List[Dict]) -> Dict[str, float]:
        total = {
            k: sum(r[k] for r in results)
            for k in ('tp', 'num_pred', 'num_gt', 'num_inside',
                      'num_inside_total')
        }
        out = compute_prf(total['tp'], total['num_pred'], total['num_gt'])
        out['inside_ratio'] = (total['num_inside'] / total['num_inside_total']
                               if total['num_inside_total'] else float('nan'))
        MMLogger.get_current_instance().info(
            f'[PseudoLabelMetric] TP {total["tp"]}, counted predictions '
            f'{total["num_pred"]}, care GT {total["num_gt"]}: ' +
            ', '.join(f'{k}: {v:.4f}' for k, v in out.items()))
        return out
