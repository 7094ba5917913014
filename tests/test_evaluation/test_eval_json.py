# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""evaluate_spotting_json on the real ICDAR 2015 toy ground truth."""
import glob
import json
import os.path as osp

import numpy as np
import pytest

from mmocr_vlp.evaluation.functional import (evaluate_spotting_json,
                                             polygon_center)


def load_toy_gt(toy_dir):
    files = sorted(
        glob.glob(osp.join(str(toy_dir), 'annotations', 'gt_img_*.txt')))
    if not files:
        pytest.skip('ICDAR 2015 toy data not available')
    data_list = []
    for f in files:
        insts = []
        with open(f, encoding='utf-8-sig') as fh:
            for line in fh.read().splitlines():
                if not line.strip():
                    continue
                parts = line.split(',')
                poly = [float(v) for v in parts[:8]]
                text = ','.join(parts[8:])
                insts.append(
                    dict(polygon=poly, text=text, ignore=text == '###'))
        name = osp.basename(f)[3:-4] + '.jpg'
        data_list.append(dict(img_path=f'imgs/{name}', instances=insts))
    return dict(metainfo=dict(), data_list=data_list)


def perfect_predictions(gt):
    preds = []
    for item in gt['data_list']:
        for inst in item['instances']:
            if inst['ignore']:
                continue
            preds.append(
                dict(img_path=item['img_path'],
                     point=list(polygon_center(inst['polygon'])),
                     text=inst['text'].lower(),
                     score=0.9))
    return preds


def test_toy_ic15_perfect_and_perturbed(tmp_path, icdar_toy_dir):
    gt = load_toy_gt(icdar_toy_dir)
    n_care = sum(not i['ignore'] for d in gt['data_list']
                 for i in d['instances'])
    assert n_care == 21  # as documented for the toy set
    gt_file = tmp_path / 'gt.json'
    gt_file.write_text(json.dumps(gt))
    preds = perfect_predictions(gt)
    out = evaluate_spotting_json(preds,
                                 str(gt_file),
                                 metric='point',
                                 pred_score_thrs=[0.5])
    assert out['none_hmean'] == pytest.approx(1.0)
    # drop one word, add a low-score wrong duplicate on another, and one
    # prediction on a don't-care box (not counted)
    dropped, kept = preds[0], preds[1:]
    dup = dict(kept[0], text='zzz', score=0.6)
    dup['point'] = [dup['point'][0] + 1, dup['point'][1]]
    dc_item = next(d for d in gt['data_list']
                   if any(i['ignore'] for i in d['instances']))
    dc_inst = next(i for i in dc_item['instances'] if i['ignore'])
    dc = dict(img_path=dc_item['img_path'],
              point=list(polygon_center(dc_inst['polygon'])),
              text='abc',
              score=0.9)
    pred_file = tmp_path / 'pred.json'
    pred_file.write_text(json.dumps(kept + [dup, dc]))
    out, sweeps = evaluate_spotting_json(str(pred_file),
                                         gt,
                                         metric='point',
                                         pred_score_thrs=[0.5, 0.7],
                                         return_sweeps=True)
    # thr 0.5: TP 20, counted 21, GT 21; thr 0.7: TP 20, counted 20
    s05, s07 = sweeps['none']
    assert (s05['tp'], s05['num_pred'], s05['num_gt']) == (20, 21, 21)
    assert (s07['tp'], s07['num_pred'], s07['num_gt']) == (20, 20, 21)
    assert out['none_best_thr_on_test'] == pytest.approx(0.7)
    assert out['none_precision'] == pytest.approx(1.0)
    assert out['none_recall'] == pytest.approx(20 / 21)
    assert dropped['text'] != ''

    # the same predictions, grouped per image, through the other metrics
    per_image = {}
    for p in kept + [dup, dc]:
        r = per_image.setdefault(
            p['img_path'],
            dict(img_path=p['img_path'], points=[], texts=[], scores=[]))
        r['points'].append(p['point'])
        r['texts'].append(p['text'])
        r['scores'].append(p['score'])
    out_ed = evaluate_spotting_json(list(per_image.values()),
                                    gt,
                                    metric='edit_distance',
                                    pred_score_thrs=[0.7])
    assert out_ed['none_precision'] == pytest.approx(20 / 21)  # abc FP
    assert out_ed['none_recall'] == pytest.approx(20 / 21)
    out_pl = evaluate_spotting_json(list(per_image.values()),
                                    gt,
                                    metric='pseudo_label',
                                    score_thr=0.7)
    assert out_pl['precision'] == pytest.approx(1.0)
    # 20 query points on their own word + "abc" inside a ### box
    assert out_pl['inside_ratio'] == pytest.approx(20 / 21)


def test_json_errors(tmp_path):
    gt = dict(data_list=[
        dict(img_path='a.jpg',
             instances=[dict(text='x', polygon=[0, 0, 1, 0, 1, 1, 0, 1])])
    ])
    with pytest.raises(KeyError, match='not in the ground truth'):
        evaluate_spotting_json(
            [dict(img_path='b.jpg', point=[0, 0], text='x')], gt)
    with pytest.raises(ValueError, match='metric must be'):
        evaluate_spotting_json([], gt, metric='iou')
    with pytest.raises(FileNotFoundError, match='missing.json'):
        evaluate_spotting_json(str(tmp_path / 'missing.json'), gt)
    out = evaluate_spotting_json([], gt, pred_score_thrs=[0])
    assert out['none_recall'] == 0 and np.isfinite(out['none_hmean'])


def test_pseudo_label_file_scored_directly():
    """A file written by tools/generate_pseudo_labels.py (instances with
    point / text / point_score) is read as predictions; words without a
    point predict nothing. Hand-computed: GT 'shop' centre (5, 5), 'open'
    centre (25, 5); 'shop' anchor inside its box (TP), 'open' anchor at
    (6, 6), nearest centre is 'shop' (FP), 'bar' has no point."""
    sq = [[0, 0, 10, 0, 10, 10, 0, 10], [20, 0, 30, 0, 30, 10, 20, 10]]
    gt = dict(data_list=[
        dict(img_path='imgs/a.jpg',
             instances=[dict(text='shop', polygon=sq[0]),
                        dict(text='open', polygon=sq[1])]),
        dict(img_path='imgs/b.jpg',
             instances=[dict(text='bar', polygon=sq[0])]),
    ])
    pseudo = dict(metainfo=dict(pseudo_labels=dict(points=2)), data_list=[
        dict(img_path='imgs/a.jpg',
             instances=[dict(text='shop', point=[4, 5], point_score=0.9),
                        dict(text='open', point=[6, 6], point_score=0.8)]),
        dict(img_path='imgs/b.jpg', instances=[dict(text='bar')]),
    ])
    out = evaluate_spotting_json(pseudo, gt, metric='pseudo_label')
    # TP 1 of 2 points; recall over the 3 GT words
    assert out['precision'] == pytest.approx(1 / 2)
    assert out['recall'] == pytest.approx(1 / 3)
    assert out['inside_ratio'] == pytest.approx(1 / 2)
