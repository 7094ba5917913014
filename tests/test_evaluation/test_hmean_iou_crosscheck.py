# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Where the point metric and mmocr's HmeanIOUMetric describe the same
situation they must give the same numbers (P/R/F formula, zero divisions,
don't-care handling, best-over-sweep reporting with mmocr's tie rule)."""
import numpy as np
import pytest
from mmocr.evaluation import HmeanIOUMetric

from mmocr_vlp.evaluation.metrics import SPTSPointMetric

from eval_helpers import build_sample, run_metric, square

SWEEP = dict(start=0.3, stop=0.9, step=0.1)


def paired_samples(gt_boxes, gt_ignored, preds):
    """The same scene for both metrics.

    ``preds`` are ``(gt_index or None, correct, score)``. A correct
    prediction is the GT box (IoU 1) / the GT centre with the GT text. A
    wrong one is a box far from everything / a point on the GT centre with
    a wrong text: a false positive for both. ``None`` puts the wrong point
    next to GT 0.
    """
    polys = [square(*b) for b in gt_boxes]
    texts = [f'w{i}' if not ig else '###' for i, ig in enumerate(gt_ignored)]
    iou_polys, pts, ptexts, scores = [], [], [], []
    for gi, correct, score in preds:
        x0, y0, x1, y1 = gt_boxes[0 if gi is None else gi]
        center = ((x0 + x1) / 2 + (gi is None), (y0 + y1) / 2)
        pts.append(center)
        if gi is not None and correct:
            iou_polys.append(polys[gi])
            ptexts.append(texts[gi])
        else:
            iou_polys.append(square(1000, 1000, 1010, 1010))
            ptexts.append('wrong')
        scores.append(score)
    iou_sample = dict(pred_instances=dict(polygons=iou_polys,
                                          scores=np.array(scores, np.float32)),
                      gt_instances=dict(polygons=polys,
                                        ignored=np.array(gt_ignored, bool)))
    point_sample = build_sample(pred_points=pts,
                                pred_texts=ptexts,
                                pred_scores=scores,
                                gt_polygons=polys,
                                gt_texts=texts,
                                gt_ignored=gt_ignored)
    return iou_sample, point_sample


def compare(scenes):
    iou = HmeanIOUMetric(pred_score_thrs=SWEEP)
    iou.process(None, [s[0] for s in scenes])
    ref = iou.compute_metrics(iou.results)
    ours = run_metric(
        SPTSPointMetric(pred_score_thrs=SWEEP, best_thr_prefer='lowest'),
        [s[1] for s in scenes])
    for k in ('precision', 'recall', 'hmean'):
        assert ours[f'none_{k}'] == pytest.approx(ref[k]), k
    return ref, ours


BOXES = [(0, 0, 10, 10), (20, 0, 30, 10), (40, 0, 50, 10), (60, 0, 70, 10)]


def test_sweep_with_tp_fp_and_dont_care():
    # GT 3 is don't care; the prediction on it is ignored by both metrics
    scene = paired_samples(BOXES, [False, False, False, True],
                           [(0, True, 0.95), (1, True, 0.45),
                            (None, False, 0.65), (3, True, 0.85)])
    ref, ours = compare([scene])
    # thr 0.3/0.4: TP 2 of 3 -> 2/3; mmocr keeps the first best threshold
    assert ref['hmean'] == pytest.approx(2 / 3)
    assert ours['none_best_thr_on_test'] == pytest.approx(0.3)


def test_several_images_accumulate_globally():
    a = paired_samples(BOXES[:2], [False, False], [(0, True, 0.95),
                                                   (1, False, 0.85)])
    b = paired_samples(BOXES[:3], [False, False, False], [(2, True, 0.35),
                                                          (None, False, 0.75)])
    ref, _ = compare([a, b])
    # thr 0.3: TP 2 / pred 4 / GT 5 -> P .5 R .4
    assert ref['precision'] == pytest.approx(0.5)
    assert ref['recall'] == pytest.approx(0.4)


def test_zero_division_conventions():
    # no GT and no prediction: mmocr reports P = R = F = 1
    ref, _ = compare([paired_samples([], [], [])])
    assert ref['hmean'] == pytest.approx(1.0)
    # predictions but no TP: all zero
    ref, _ = compare([paired_samples(BOXES[:1], [False], [(0, False, 0.95)])])
    assert ref['hmean'] == 0
