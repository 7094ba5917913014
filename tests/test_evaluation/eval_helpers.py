# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Helpers shared by the evaluation tests (imported as `eval_helpers`)."""
import os.path as osp

import numpy as np

LEXICON_DIR = osp.join(osp.dirname(osp.dirname(__file__)), 'data', 'lexicons')


def square(x0, y0, x1, y1):
    """Quad polygon in ICDAR order (tl, tr, br, bl)."""
    return np.array([x0, y0, x1, y0, x1, y1, x0, y1], dtype=np.float64)


def build_sample(pred_points=(),
                 pred_texts=(),
                 pred_scores=None,
                 gt_polygons=None,
                 gt_texts=(),
                 gt_ignored=None,
                 gt_points=None,
                 img_path='imgs/img_1.jpg'):
    """A data sample in the dict form mmengine hands to metrics."""
    pred_points = np.asarray(pred_points, dtype=np.float64).reshape(-1, 2)
    if pred_scores is None:
        pred_scores = np.ones(len(pred_texts))
    gt = dict(texts=list(gt_texts),
              ignored=np.zeros(len(gt_texts), bool)
              if gt_ignored is None else np.asarray(gt_ignored, bool))
    if gt_polygons is not None:
        gt['polygons'] = [np.asarray(p, np.float64) for p in gt_polygons]
    if gt_points is not None:
        gt['points'] = np.asarray(gt_points, np.float64)
    return dict(img_path=img_path,
                pred_instances=dict(points=pred_points,
                                    texts=list(pred_texts),
                                    scores=np.asarray(pred_scores,
                                                      np.float64)),
                gt_instances=gt)


def run_metric(metric, samples):
    metric.process(None, samples)
    out = metric.compute_metrics(metric.results)
    metric.results.clear()
    return out
