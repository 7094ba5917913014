# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Hand-made scene for the WeCromCL pseudo-label metric."""
import math

import pytest
from mmocr.registry import METRICS

from mmocr_vlp.evaluation.metrics import PseudoLabelMetric

from eval_helpers import build_sample, run_metric, square

# STOP twice, Exit once, one don't-care box; centres (5,5) (25,5) (50,5)
# (75,5)
GT = dict(gt_polygons=[
    square(0, 0, 10, 10),
    square(20, 0, 30, 10),
    square(40, 0, 60, 10),
    square(70, 0, 80, 10)
],
          gt_texts=['STOP', 'STOP', 'Exit', '###'])


def scene(**kw):
    return build_sample(pred_points=[(4, 4), (6, 6), (35, 5), (72, 5)],
                        pred_texts=['stop', 'STOP', 'EXIT', 'Exit'],
                        pred_scores=[0.9, 0.8, 0.7, 0.6],
                        **GT,
                        **kw)


def test_scene_prf_and_inside_ratio():
    # stop@(4,4) -> STOP#0: TP, inside STOP#0
    # STOP@(6,6) -> STOP#0 already matched: FP, inside STOP#0
    # EXIT@(35,5) -> nearest centre (25,5) = STOP#1: FP, inside nothing
    # Exit@(72,5) -> "###": not counted, inside only the ### box
    # TP 1, counted 3, care GT 3; inside 2 of 4 predictions
    out = run_metric(PseudoLabelMetric(), [scene()])
    assert out['precision'] == pytest.approx(1 / 3)
    assert out['recall'] == pytest.approx(1 / 3)
    assert out['hmean'] == pytest.approx(1 / 3)
    assert out['inside_ratio'] == pytest.approx(0.5)


def test_score_thr():
    out = run_metric(PseudoLabelMetric(score_thr=0.75), [scene()])
    # only the two STOP predictions: TP 1 / 2 counted, R 1/3
    assert out['precision'] == pytest.approx(0.5)
    assert out['recall'] == pytest.approx(1 / 3)
    assert out['hmean'] == pytest.approx(0.4)
    assert out['inside_ratio'] == pytest.approx(1.0)


def test_duplicate_word_each_occurrence_claimed_once():
    s = build_sample(pred_points=[(4, 4), (24, 5)],
                     pred_texts=['STOP', 'STOP'],
                     pred_scores=[0.5, 0.5],
                     **GT)
    out = run_metric(PseudoLabelMetric(), [s])
    assert out['precision'] == pytest.approx(1.0)
    assert out['recall'] == pytest.approx(2 / 3)


def test_points_only_gt_has_no_inside_ratio():
    s = build_sample(pred_points=[(4, 4)],
                     pred_texts=['stop'],
                     gt_points=[(5, 5), (50, 5)],
                     gt_texts=['STOP', 'Exit'])
    out = run_metric(PseudoLabelMetric(), [s])
    assert out['precision'] == pytest.approx(1.0)
    assert out['recall'] == pytest.approx(0.5)
    assert math.isnan(out['inside_ratio'])


def test_registered_with_prefix():
    m = METRICS.build(dict(type='PseudoLabelMetric'))
    assert m.prefix == 'pseudo_label'
    m.process(None, [scene()])
    res = m.evaluate(1)
    assert res['pseudo_label/hmean'] == pytest.approx(1 / 3)
