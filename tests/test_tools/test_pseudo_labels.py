# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/generate_pseudo_labels.py: schema, resume, dataset round trip."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import pytest
from mmengine.config import Config

import mmocr_vlp  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _tiny_config(path):
    cfg = dict(
        default_scope='mmocr',
        custom_imports=dict(imports=['mmocr_vlp'],
                            allow_failed_imports=False),
        model=dict(
            type='WeCromCL',
            dictionary=dict(type='VLPDictionary', preset='lower_punct_space',
                            case='lower', max_len=25),
            backbone=dict(type='mmdet.ResNet', depth=18, base_channels=8,
                          out_indices=(1, 2, 3), init_cfg=None),
            neck=dict(type='BiFPN', in_channels=[16, 32, 64],
                      out_channels=16, num_repeats=1),
            encoder=dict(type='DeformableEncoder', num_layers=1,
                         embed_dims=16, num_heads=2, num_levels=3,
                         num_points=2, ffn_dims=32, dropout=0.0),
            text_encoder=dict(type='CharTextEncoder', embed_dims=32,
                              num_layers=1, num_heads=2, pooling='mean'),
            embed_dims=32,
            data_preprocessor=dict(
                type='TextDetDataPreprocessor', mean=[127.5] * 3,
                std=[64.0] * 3, bgr_to_rgb=True, pad_size_divisor=32)),
        test_pipeline=[
            dict(type='SafeLoadImageFromFile'),
            dict(type='ResizePad', scale=(64, 64), pad=False,
                 size_divisor=32),
            dict(type='LoadWeakAnnotations'),
            dict(type='PackVLPInputs'),
        ])
    Config(cfg).dump(path)


@pytest.fixture()
def textonly(tmp_path):
    words = [['shop', 'open', '###'], ['exit'], ['cafe', 'cafe'], ['bar']]
    data_list = []
    (tmp_path / 'imgs').mkdir()
    for i, ws in enumerate(words):
        img = np.full((80, 120, 3), 30, np.uint8)
        for j, w in enumerate(ws):
            cv2.putText(img, w, (5, 20 + 25 * j), cv2.FONT_HERSHEY_SIMPLEX,
                        0.6, (220, 220, 220), 2)
        cv2.imwrite(str(tmp_path / 'imgs' / f'{i}.png'), img)
        data_list.append(
            dict(img_path=f'imgs/{i}.png', height=80, width=120,
                 instances=[dict(text=w, ignore=w == '###') for w in ws]))
    ann = dict(metainfo=dict(dataset_type='TextSpottingDataset'),
               data_list=data_list)
    (tmp_path / 'textonly.json').write_text(json.dumps(ann))
    _tiny_config(str(tmp_path / 'cfg.py'))
    return tmp_path


def test_generate_resume_and_round_trip(textonly, capsys):
    tool = _load_tool('generate_pseudo_labels')
    out = str(textonly / 'pseudo.json')
    common = [str(textonly / 'cfg.py'), 'none', '--ann-file', 'textonly.json',
              '--data-root', str(textonly), '--out', out]
    # An interrupted run: only the first 2 images.
    tool.main(common + ['--limit', '2'])
    assert osp.exists(out + '.partial.jsonl')
    capsys.readouterr()
    stats = tool.main(common + ['--resume', '--batch-size', '2'])
    assert '2 already done, 2 to go' in capsys.readouterr().out
    assert not osp.exists(out + '.partial.jsonl')
    assert stats['points'] == 6 and stats['instances_without_point'] == 1

    ann = json.loads(open(out).read())
    assert ann['metainfo']['pseudo_labels']['points'] == 6
    assert ann['metainfo']['dataset_type'] == 'TextSpottingDataset'
    insts = [i for e in ann['data_list'] for i in e['instances']]
    for inst in insts:
        if inst['text'] == '###':
            assert 'point' not in inst
            continue
        assert inst['point_source'] == 'wecromcl'
        assert 0 <= inst['point_score'] <= 1
        x, y = inst['point']
        assert 0 <= x <= 120 and 0 <= y <= 80  # original image frame
    cafe = ann['data_list'][2]['instances']
    assert cafe[0]['point'] != cafe[1]['point']  # k=2 peaks for k=2 words

    # The file loads through the dataset and LoadWeakAnnotations.
    from mmocr.registry import DATASETS
    ds = DATASETS.build(
        dict(type='WeakTextDataset', data_root=str(textonly),
             ann_file='pseudo.json', data_prefix=dict(img_path=''),
             test_mode=True, min_instances=0,
             pipeline=[dict(type='LoadWeakAnnotations')]))
    assert len(ds) == 4
    res = ds[0]
    exp = [i.get('point', [np.nan, np.nan]) for i in
           ann['data_list'][0]['instances']]
    np.testing.assert_allclose(res['gt_points'], np.array(exp, np.float32))
    assert res['gt_point_scores'][0] == pytest.approx(
        ann['data_list'][0]['instances'][0]['point_score'])

    # --gt-ann scores the file it writes (here against the same words
    # with boxes) exactly as evaluating the written file afterwards.
    from mmocr_vlp.evaluation.functional import evaluate_spotting_json
    gt = json.loads(open(textonly / 'textonly.json').read())
    for e in gt['data_list']:
        for j, inst in enumerate(e['instances']):
            y0 = 5 + 25 * j
            inst['polygon'] = [0, y0, 120, y0, 120, y0 + 20, 0, y0 + 20]
    (textonly / 'gt.json').write_text(json.dumps(gt))
    stats = tool.main(common + ['--gt-ann', 'gt.json'])
    assert stats['quality'] == evaluate_spotting_json(
        out, str(textonly / 'gt.json'), metric='pseudo_label')
    assert 0 <= stats['quality']['hmean'] <= 1


def test_bad_annotation_exits_with_message(textonly):
    tool = _load_tool('generate_pseudo_labels')
    (textonly / 'bad.json').write_text('{"images": []}')
    with pytest.raises(SystemExit, match='data_list'):
        tool.main([str(textonly / 'cfg.py'), 'none', '--ann-file',
                   str(textonly / 'bad.json'), '--out',
                   str(textonly / 'x.json')])


def test_visualize_activation_on_icdar_layout(textonly):
    """The ICDAR folder reader + PNG writer (real toy data in the
    ``icdar_toy_dir`` variant below)."""
    d = textonly / 'icdar'
    (d / 'imgs').mkdir(parents=True)
    (d / 'annotations').mkdir()
    img = np.full((80, 120, 3), 30, np.uint8)
    cv2.putText(img, 'exit', (5, 30), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (220, 220, 220), 2)
    cv2.imwrite(str(d / 'imgs' / 'img_1.jpg'), img)
    (d / 'annotations' / 'gt_img_1.txt').write_text(
        '\ufeff5,15,60,15,60,35,5,35,exit\n70,5,90,5,90,15,70,15,###\n',
        encoding='utf-8')
    tool = _load_tool('visualize_activation')
    written = tool.main([str(textonly / 'cfg.py'), 'none', '--icdar-dir',
                         str(d), '--out-dir', str(textonly / 'vis'),
                         '--panel-width', '120'])
    assert len(written) == 1
    png = cv2.imread(written[0])
    assert png is not None and png.shape[1] >= 120
