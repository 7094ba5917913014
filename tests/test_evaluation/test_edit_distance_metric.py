# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Hand-computed cases of the location-free edit-distance metric."""
import os.path as osp

import numpy as np
import pytest

from mmocr_vlp.evaluation.functional import match_texts_by_edit_distance
from mmocr_vlp.evaluation.metrics import EditDistanceSpottingMetric

from eval_helpers import build_sample, run_metric


def test_basic_assignment_and_one_minus_ned():
    # hello<->Hello (0), wrld<->World (1/5), xyz unassigned (1)
    res = match_texts_by_edit_distance(['hello', 'wrld', 'xyz'],
                                       ['Hello', 'World'], np.zeros(2, bool))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (1, 3, 2)
    assert sorted(res['pairs']) == [(0, 0), (1, 1)]
    assert res['ned_sum'] == pytest.approx(0.2 + 1.0)
    assert res['ned_count'] == 3
    s = build_sample(pred_texts=['hello', 'wrld', 'xyz'],
                     pred_points=np.zeros((3, 2)),
                     gt_texts=['Hello', 'World'],
                     gt_points=np.zeros((2, 2)))
    out = run_metric(EditDistanceSpottingMetric(pred_score_thrs=[0]), [s])
    assert out['none_precision'] == pytest.approx(1 / 3)
    assert out['none_recall'] == pytest.approx(1 / 2)
    assert out['none_hmean'] == pytest.approx(0.4)
    assert out['none_one_minus_ned'] == pytest.approx(1 - 1.2 / 3)


def test_hungarian_beats_greedy():
    # greedy (in prediction order) would give abcx -> abcd (first of two
    # 1/4 ties) and leave abcd -> abce (1/4): 0 TP. The optimal assignment
    # (total 1/4 instead of 1/2) pairs abcd with abcd: 1 TP.
    res = match_texts_by_edit_distance(['abcx', 'abcd'], ['abcd', 'abce'],
                                       np.zeros(2, bool))
    assert sorted(res['pairs']) == [(0, 1), (1, 0)]
    assert res['tp'] == 1
    assert res['ned_sum'] == pytest.approx(0.25)


def test_locations_are_ignored_and_gt_used_once():
    # two identical predictions, one GT: one TP, one FP
    res = match_texts_by_edit_distance(['stop', 'STOP'], ['Stop'],
                                       np.zeros(1, bool))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (1, 2, 1)
    assert res['ned_sum'] == pytest.approx(1.0)  # the unassigned pred


def test_prefer_exact_never_loses_an_exact_pair():
    # normalised edit distance breaks the triangle inequality: costs
    # abbba-abbba 0, abbba-bbba 1/5, aaab-abbba 3/5, aaab-bbba 4/4, so the
    # plain minimum-cost assignment (0.2 + 0.6 < 0 + 1.0) swaps the pairs
    # and loses the exact "abbba" pair
    preds, gts = ['abbba', 'aaab'], ['abbba', 'bbba']
    plain = match_texts_by_edit_distance(preds,
                                         gts,
                                         np.zeros(2, bool),
                                         prefer_exact=False)
    exact = match_texts_by_edit_distance(preds,
                                         gts,
                                         np.zeros(2, bool),
                                         prefer_exact=True)
    assert sorted(plain['pairs']) == [(0, 1), (1, 0)] and plain['tp'] == 0
    assert sorted(exact['pairs']) == [(0, 0), (1, 1)] and exact['tp'] == 1
    assert plain['ned_sum'] == pytest.approx(0.8)
    assert exact['ned_sum'] == pytest.approx(1.0)


def test_dont_care_handling():
    # "it" is a don't-care GT with a text: an unassigned "IT" prediction
    # is absorbed (not counted); "###" absorbs nothing
    res = match_texts_by_edit_distance(['hello', 'IT'], ['Hello', 'it'],
                                       np.array([False, True]))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (1, 1, 1)
    res = match_texts_by_edit_distance(['hello', '###'], ['Hello', '###'],
                                       np.array([False, True]))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (1, 2, 1)
    # empty predictions are dropped
    res = match_texts_by_edit_distance(['', 'hello'], ['Hello'],
                                       np.zeros(1, bool))
    assert (res['tp'], res['num_pred']) == (1, 1)
    assert res['pairs'] == [(1, 0)]
    # no care GT: all predictions are false positives
    res = match_texts_by_edit_distance(['a', 'b'], [], np.zeros(0, bool))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (0, 2, 0)
    assert res['ned_sum'] == 2 and res['ned_count'] == 2


def test_metric_with_lexicon_and_sweep(lexicon_dir):
    s = build_sample(pred_points=np.zeros((3, 2)),
                     pred_texts=['worlf', 'hellx', 'zzzzz'],
                     pred_scores=[0.9, 0.4, 0.8],
                     gt_texts=['Hello', 'World!'],
                     gt_points=np.zeros((2, 2)))
    m = EditDistanceSpottingMetric(
        pred_score_thrs=[0.3, 0.5],
        lexicons=[
            dict(lexicon_type=None),
            dict(lexicon_type='weak',
                 path=osp.join(lexicon_dir, 'weak.txt'),
                 pair_path=osp.join(lexicon_dir, 'weak_pair_list.txt'))
        ])
    out = run_metric(m, [s])
    assert m.prefix == 'spotting_ed'
    # none: no exact text at any threshold -> 0
    assert out['none_hmean'] == 0
    # weak+pairs: worlf->World!, hellx->Hello, zzzzz dropped;
    # thr 0.3: 2 TP / 2 pred / 2 GT -> 1.0; thr 0.5: 1/1/2 -> 2/3
    sweep = m.last_sweeps['weak']
    assert [s['hmean'] for s in sweep] == pytest.approx([1.0, 2 / 3])
    assert out['weak_hmean'] == pytest.approx(1.0)
    assert out['weak_best_thr_on_test'] == pytest.approx(0.3)
    assert out['weak_one_minus_ned'] == pytest.approx(1.0)


def test_no_locations_needed():
    # NPTS-style output: texts and scores only; GT without locations
    s = dict(img_path='img_1.jpg',
             pred_instances=dict(texts=['hello', 'x'], scores=np.ones(2)),
             gt_instances=dict(texts=['Hello', 'World'],
                               ignored=np.zeros(2, bool)))
    out = run_metric(EditDistanceSpottingMetric(pred_score_thrs=[0]), [s])
    assert out['none_precision'] == pytest.approx(0.5)
    assert out['none_recall'] == pytest.approx(0.5)
