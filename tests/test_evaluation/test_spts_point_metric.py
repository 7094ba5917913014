# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Hand-computed cases of the SPTS single-point metric."""
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.registry import METRICS
from mmocr.structures import TextSpottingDataSample

from mmocr_vlp.evaluation.functional import (match_points_to_centers,
                                             select_threshold_on_val)
from mmocr_vlp.evaluation.metrics import SPTSPointMetric

from eval_helpers import build_sample, run_metric, square

# four GT words on a row; centres (5,5), (25,5), (45,5), (65,5)
GT_POLYS = [
    square(0, 0, 10, 10),
    square(20, 0, 30, 10),
    square(40, 0, 50, 10),
    square(60, 0, 70, 10)
]
GT_TEXTS = ['Hello', 'World', '###', 'Stop']


def scene_sample():
    return build_sample(
        pred_points=[(6, 5), (24, 6), (44, 4), (5, 6), (66, 5), (64, 5)],
        pred_texts=['HELLO', 'world', 'abc', 'hello', '', 'Stpo'],
        pred_scores=[0.9, 0.8, 0.7, 0.6, 0.95, 0.5],
        gt_polygons=GT_POLYS,
        gt_texts=GT_TEXTS)


def test_scene_rules():
    # HELLO -> Hello TP (case-insensitive); world -> World TP;
    # abc -> nearest is "###": not counted; second hello on the matched
    # Hello: FP; '' dropped; Stpo -> Stop wrong text: FP.
    # TP 2, counted 4, care GT 3
    m = SPTSPointMetric(pred_score_thrs=[0.0])
    out = run_metric(m, [scene_sample()])
    assert out['none_precision'] == pytest.approx(2 / 4)
    assert out['none_recall'] == pytest.approx(2 / 3)
    assert out['none_hmean'] == pytest.approx(2 * 0.5 * (2 / 3) /
                                              (0.5 + 2 / 3))
    assert out['none_best_thr_on_test'] == 0.0
    sweep = m.last_sweeps['none'][0]
    assert (sweep['tp'], sweep['num_pred'], sweep['num_gt']) == (2, 4, 3)


def test_nearest_center_tie_goes_to_first_gt():
    centers = np.array([[5., 5.], [25., 5.]])
    # (15,5) is 10 away from both centres -> first GT ("Hello")
    res = match_points_to_centers(np.array([[15., 5.]]), ['World'],
                                  np.array([1.]), centers, ['Hello', 'World'],
                                  np.zeros(2, bool))
    assert res['pred_gt'].tolist() == [0] and res['tp'] == 0
    res = match_points_to_centers(np.array([[15., 5.]]), ['hello'],
                                  np.array([1.]), centers, ['Hello', 'World'],
                                  np.zeros(2, bool))
    assert res['tp'] == 1


def test_no_distance_cap_and_nearest_not_best_text():
    centers = np.array([[5., 5.], [25., 5.]])
    # a far-away point still matches its nearest centre
    res = match_points_to_centers(np.array([[1000., 1000.]]), ['World'],
                                  np.array([1.]), centers, ['Hello', 'World'],
                                  np.zeros(2, bool))
    assert res['pred_gt'].tolist() == [1] and res['tp'] == 1
    # the nearest GT decides, even if another GT has the right text
    res = match_points_to_centers(np.array([[14., 5.]]), ['World'],
                                  np.array([1.]), centers, ['Hello', 'World'],
                                  np.zeros(2, bool))
    assert res['tp'] == 0 and res['num_pred'] == 1


def test_duplicates_higher_score_first():
    centers = np.array([[5., 5.]])
    # the low-score one is listed first but the high-score one is the TP
    res = match_points_to_centers(np.array([[5., 5.],
                                            [6., 5.]]), ['Hello', 'hello'],
                                  np.array([0.3, 0.9]), centers, ['Hello'],
                                  np.zeros(1, bool))
    assert res['pred_tp'].tolist() == [False, True]
    assert (res['tp'], res['num_pred']) == (1, 2)
    # a wrong-text prediction does not consume the GT
    res = match_points_to_centers(np.array([[5., 5.],
                                            [6., 5.]]), ['Hxllo', 'hello'],
                                  np.array([0.9, 0.3]), centers, ['Hello'],
                                  np.zeros(1, bool))
    assert res['pred_tp'].tolist() == [False, True]


def test_dont_care_flag_and_empty_image():
    centers = np.array([[5., 5.], [25., 5.]])
    res = match_points_to_centers(np.array([[24., 5.]]), ['World'],
                                  np.array([1.]), centers, ['Hello', 'World'],
                                  np.array([False, True]))  # ignored flag
    assert (res['tp'], res['num_pred'], res['num_gt']) == (0, 0, 1)
    # image without GT: every non-empty prediction is a false positive
    res = match_points_to_centers(np.array([[1., 1.], [2., 2.]]), ['a', ''],
                                  np.array([1., 1.]), np.zeros((0, 2)), [],
                                  np.zeros(0, bool))
    assert (res['tp'], res['num_pred'], res['num_gt']) == (0, 1, 0)


def test_gt_points_used_without_polygons():
    s = build_sample(pred_points=[(1, 1)],
                     pred_texts=['abc'],
                     gt_texts=['ABC', 'xyz'],
                     gt_points=[[0, 0], [3, 3]])
    out = run_metric(SPTSPointMetric(pred_score_thrs=[0]), [s])
    assert out['none_hmean'] == pytest.approx(2 / 3)  # P 1, R 1/2


def test_threshold_sweep_best_vs_fixed():
    # TP Hello@0.9, FP "Wrong"@0.5 on World, TP World@0.3
    s = build_sample(pred_points=[(5, 5), (25, 5), (25, 6)],
                     pred_texts=['Hello', 'Wrong', 'World'],
                     pred_scores=[0.9, 0.5, 0.3],
                     gt_polygons=GT_POLYS[:2],
                     gt_texts=GT_TEXTS[:2])
    m = SPTSPointMetric(pred_score_thrs=[0.2, 0.4, 0.6],
                        fixed_thr=0.6,
                        report_sweep=True)
    out = run_metric(m, [s])
    # thr 0.2: TP 2 / 3 counted -> F 0.8; 0.4: P=R=0.5; 0.6: P 1 R .5
    assert out['none_hmean'] == pytest.approx(0.8)
    assert out['none_precision'] == pytest.approx(2 / 3)
    assert out['none_recall'] == pytest.approx(1.0)
    assert out['none_best_thr_on_test'] == pytest.approx(0.2)
    assert out['none_fixed_thr'] == pytest.approx(0.6)
    assert out['none_fixed_hmean'] == pytest.approx(2 / 3)
    assert out['none_fixed_precision'] == pytest.approx(1.0)
    assert out['none_hmean@0.40'] == pytest.approx(0.5)
    # choose the threshold on "validation" (here the same data)
    assert select_threshold_on_val(m.last_sweeps['none']) == \
        pytest.approx(0.2)


def test_sweep_tie_rule():
    s = build_sample(pred_points=[(5, 5)],
                     pred_texts=['Hello'],
                     pred_scores=[0.9],
                     gt_polygons=GT_POLYS[:2],
                     gt_texts=GT_TEXTS[:2])
    hi = run_metric(SPTSPointMetric(pred_score_thrs=[0.5, 0.7]), [s])
    lo = run_metric(
        SPTSPointMetric(pred_score_thrs=[0.5, 0.7], best_thr_prefer='lowest'),
        [s])
    assert hi['none_hmean'] == lo['none_hmean'] == pytest.approx(2 / 3)
    assert hi['none_best_thr_on_test'] == pytest.approx(0.7)  # SPTS
    assert lo['none_best_thr_on_test'] == pytest.approx(0.5)  # mmocr
    assert select_threshold_on_val({0.5: 0.6, 0.7: 0.6}) == 0.7


def test_default_sweep_is_spts():
    m = SPTSPointMetric()
    np.testing.assert_allclose(m.pred_score_thrs,
                               np.round(np.arange(0.8, 0.95, 0.01), 6))
    assert len(m.pred_score_thrs) == 15


def test_lexicons_weak_pairs_and_strong(lexicon_dir):
    gts = dict(gt_polygons=[
        square(0, 0, 10, 10),
        square(20, 0, 30, 10),
        square(40, 0, 50, 10)
    ],
               gt_texts=['Hello', 'World!', 'St-op'])
    s1 = build_sample(pred_points=[(5, 5), (25, 5), (45, 5)],
                      pred_texts=['hellx', 'worlf', 'zzzzz'],
                      img_path='imgs/img_1.jpg',
                      **gts)
    s2 = build_sample(pred_points=[(45, 5)],
                      pred_texts=['stox'],
                      img_path='imgs/img_2.jpg',
                      **gts)
    m = SPTSPointMetric(pred_score_thrs=[0.0],
                        lexicons=[
                            dict(lexicon_type=None),
                            dict(lexicon_type='weak',
                                 path=osp.join(lexicon_dir, 'weak.txt')),
                            dict(lexicon_type='weak',
                                 name='weak_pairs',
                                 path=osp.join(lexicon_dir, 'weak.txt'),
                                 pair_path=osp.join(lexicon_dir,
                                                    'weak_pair_list.txt')),
                            dict(lexicon_type='strong',
                                 path=osp.join(lexicon_dir, 'strong'),
                                 pair_path=osp.join(lexicon_dir,
                                                    'strong_pairs')),
                            dict(lexicon_type='weak',
                                 name='weak_always',
                                 path=osp.join(lexicon_dir, 'weak.txt'),
                                 always_replace=True),
                        ])
    out = run_metric(m, [s1, s2])
    sw = {
        k: (v[0]['tp'], v[0]['num_pred'], v[0]['num_gt'])
        for k, v in m.last_sweeps.items()
    }
    # no lexicon: nothing right, all 4 counted, 6 care GT
    assert sw['none'] == (0, 4, 6)
    # weak w/o pairs: hellx->HELLO (TP), worlf->WORLD (!= "World!"),
    # zzzzz dropped (far), stox->STOP (1/4 < .4, != "St-op")
    assert sw['weak'] == (1, 3, 6)
    # weak with pairs: WORLD -> "World!" now a TP; STOP -> "Stop" != St-op
    assert sw['weak_pairs'] == (2, 3, 6)
    # strong: img_1 lexicon HELLO/WORLD (+pairs), img_2 STOP -> "St-op"
    assert sw['strong'] == (3, 3, 6)
    # always replace: zzzzz is kept (as some word) and counted
    assert sw['weak_always'] == (1, 4, 6)
    assert out['strong_precision'] == pytest.approx(1.0)
    assert out['strong_recall'] == pytest.approx(0.5)


def test_word_spotting_filter_in_metric():
    s = build_sample(pred_points=[(5, 5), (25, 5), (45, 5)],
                     pred_texts=['abc', 'xyz', 'it'],
                     gt_polygons=[
                         square(0, 0, 10, 10),
                         square(20, 0, 30, 10),
                         square(40, 0, 50, 10)
                     ],
                     gt_texts=['-abc-', 'x.y', "it's"])
    out = run_metric(
        SPTSPointMetric(pred_score_thrs=[0], word_spotting_filter=True), [s])
    # "-abc-" -> "abc" care + TP; "x.y" and "it's" don't care: preds there
    # are not counted -> P = R = 1
    assert out['none_precision'] == pytest.approx(1.0)
    assert out['none_recall'] == pytest.approx(1.0)
    out = run_metric(SPTSPointMetric(pred_score_thrs=[0]), [s])
    assert out['none_hmean'] == pytest.approx(0.0)


def test_datasample_objects_and_tensors_match_dicts():
    d = scene_sample()
    ds = TextSpottingDataSample(metainfo=dict(img_path=d['img_path']))
    pred = InstanceData()
    pred.points = torch.tensor(d['pred_instances']['points'],
                               dtype=torch.float32)
    pred.scores = torch.tensor(d['pred_instances']['scores'])
    pred.texts = d['pred_instances']['texts']
    ds.pred_instances = pred
    gt = InstanceData()
    gt.polygons = d['gt_instances']['polygons']
    gt.texts = d['gt_instances']['texts']
    gt.ignored = torch.zeros(4, dtype=torch.bool)
    ds.gt_instances = gt
    a = run_metric(SPTSPointMetric(pred_score_thrs=[0]), [d])
    b = run_metric(SPTSPointMetric(pred_score_thrs=[0]), [ds])
    c = run_metric(SPTSPointMetric(pred_score_thrs=[0]), [ds.to_dict()])
    assert a == b == c


def test_resized_gt_frame():
    d = build_sample(pred_points=[(25, 5)],
                     pred_texts=['World'],
                     gt_polygons=[square(0, 0, 20, 20),
                                  square(40, 0, 60, 20)],
                     gt_texts=['Hello', 'World'])
    d['scale_factor'] = (2.0, 2.0)  # GT drawn on a 2x resized image
    out = run_metric(
        SPTSPointMetric(pred_score_thrs=[0], gt_coord_frame='resized'), [d])
    assert out['none_precision'] == pytest.approx(1.0)


def test_registered_and_prefixed():
    m = METRICS.build(dict(type='SPTSPointMetric', pred_score_thrs=[0]))
    assert isinstance(m, SPTSPointMetric) and m.prefix == 'spotting'


def test_bad_input_names_the_sample():
    d = scene_sample()
    del d['pred_instances']['points']
    with pytest.raises(KeyError, match='img_1.jpg'):
        SPTSPointMetric().process(None, [d])
    d = scene_sample()
    d['pred_instances']['scores'] = np.ones(2)
    with pytest.raises(ValueError, match='img_1.jpg'):
        SPTSPointMetric().process(None, [d])
    with pytest.raises(ValueError, match='two lexicon settings'):
        SPTSPointMetric(lexicons=[dict(lexicon_type=None)] * 2)


def test_mmengine_evaluator_with_both_spotting_metrics():
    from mmengine.evaluator import Evaluator
    from mmengine.registry import DefaultScope
    d = scene_sample()
    ds = TextSpottingDataSample(metainfo=dict(img_path=d['img_path']))
    ds.pred_instances = InstanceData(**d['pred_instances'])
    ds.gt_instances = InstanceData(polygons=d['gt_instances']['polygons'],
                                   texts=d['gt_instances']['texts'],
                                   ignored=torch.zeros(4, dtype=torch.bool))
    with DefaultScope.overwrite_default_scope('mmocr'):
        ev = Evaluator([
            dict(type='SPTSPointMetric', pred_score_thrs=[0.0]),
            dict(type='EditDistanceSpottingMetric', pred_score_thrs=[0.0])
        ])
    ev.process([ds], None)
    out = ev.evaluate(1)
    assert out['spotting/none_hmean'] == pytest.approx(4 / 7)
    # edit distance: HELLO/world exact, hello & Stpo & abc unassigned or
    # inexact -> TP 2 of 5 predictions, 3 care GT
    assert out['spotting_ed/none_precision'] == pytest.approx(2 / 5)
    assert out['spotting_ed/none_recall'] == pytest.approx(2 / 3)


def test_random_scenes_match_a_direct_spts_loop():
    """Per-image matching == the SPTS script's loop over all predictions
    sorted by score (global, stable), on random scenes with score ties,
    empty texts, don't-care GT and duplicates."""
    rng = np.random.default_rng(0)
    vocab = ['ab', 'AB', 'cd', 'ef', '###', '']
    samples, flat, gts = [], [], {}
    for img in range(30):
        ng, npred = int(rng.integers(0, 6)), int(rng.integers(0, 8))
        centers = rng.integers(0, 20, (ng, 2)).astype(float)
        gt_texts = [str(t) for t in rng.choice(vocab[:5], ng)]
        points = rng.integers(0, 20, (npred, 2)).astype(float)
        texts = [str(t) for t in rng.choice(vocab, npred)]
        scores = rng.choice([0.3, 0.5, 0.5, 0.7, 0.9], npred)
        samples.append(
            build_sample(points,
                         texts,
                         scores,
                         gt_texts=gt_texts,
                         gt_points=centers,
                         img_path=f'img_{img}.jpg'))
        gts[img] = (centers, gt_texts)
        flat += [(img, p, t, s) for p, t, s in zip(points, texts, scores)
                 if len(t) > 0]
    flat.sort(key=lambda r: r[3], reverse=True)  # stable, like SPTS
    m = SPTSPointMetric(pred_score_thrs=[0.2, 0.5, 0.8])
    run_metric(m, samples)
    for thr, got in zip([0.2, 0.5, 0.8], m.last_sweeps['none']):
        matched = {i: np.zeros(len(g[1]), bool) for i, g in gts.items()}
        tp = ndet = 0
        for img, p, t, s in flat:
            if s < thr:
                continue
            centers, gt_texts = gts[img]
            if len(gt_texts) == 0:
                ndet += 1
                continue
            j = int(np.argmin(np.linalg.norm(centers - p, axis=1)))
            if gt_texts[j] == '###':
                continue
            if t.upper() == gt_texts[j].upper() and not matched[img][j]:
                matched[img][j] = True
                tp += 1
            ndet += 1
        ngt = sum(sum(t != '###' for t in g[1]) for g in gts.values())
        assert (got['tp'], got['num_pred'], got['num_gt']) == (tp, ndet, ngt)


def test_warns_when_every_score_is_below_the_sweep():
    """A briefly trained model (scores ~0.5) under SPTS's 0.80..0.94 sweep
    scores 0 although its texts are right: the metric says why."""
    from unittest import mock

    from mmengine.logging import MMLogger
    logger = MMLogger.get_current_instance()
    low = build_sample(pred_points=[(5, 5)], pred_texts=['hello'],
                       pred_scores=[0.5], gt_polygons=GT_POLYS[:1],
                       gt_texts=['Hello'])
    with mock.patch.object(logger, 'warning') as warn:
        out = run_metric(SPTSPointMetric(), [low])
    assert out['none_hmean'] == 0.0
    assert warn.call_count == 1 and 'below the lowest threshold 0.8' in \
        warn.call_args[0][0]
    with mock.patch.object(logger, 'warning') as warn:
        out = run_metric(
            SPTSPointMetric(pred_score_thrs=dict(start=0.05, stop=0.95,
                                                 step=0.05)), [low])
    assert out['none_hmean'] == 1.0 and warn.call_count == 0
