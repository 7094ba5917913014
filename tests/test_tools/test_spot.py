# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/spot.py and the spotting visualisation."""
import importlib.util
import json
import os.path as osp

import cv2
import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample
from mmengine.structures import InstanceData

import mmocr_vlp  # noqa: F401
from mmocr_vlp.visualization.spotting import (PointSpottingLocalVisualizer,
                                              draw_point_spotting)

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
CPU_CFG = osp.join(ROOT, 'configs', 'srsts-a',
                   'srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py')


def _load_spot():
    spec = importlib.util.spec_from_file_location(
        '_spot_tool', osp.join(ROOT, 'tools', 'spot.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_draw_point_spotting_marks_anchor_samples_and_text():
    img = np.full((80, 120, 3), 255, np.uint8)
    pts = torch.tensor([[60., 40.]])
    sp = torch.stack([torch.linspace(30, 90, 5),
                      torch.full((5, ), 40.)], 1)[None]
    out = draw_point_spotting(img, pts, ['abc'], sample_points=sp,
                              scores=torch.tensor([0.9]))
    assert out.shape == img.shape and out.dtype == np.uint8
    assert (img == 255).all()  # input untouched
    # Green anchor cross at (60, 40), blue sampling dot at (30, 40).
    assert tuple(out[40, 60]) == (0, 200, 0)
    b, g, r = out[40, 30].astype(int)
    assert b > 200 and g < 150 and r < 50
    # Below the score threshold nothing is drawn.
    none = draw_point_spotting(img, pts, ['abc'], sample_points=sp,
                               scores=torch.tensor([0.1]), score_thr=0.5)
    assert (none == 255).all()


def test_visualizer_writes_file(tmp_path):
    vis = PointSpottingLocalVisualizer(name='srsts_vis_test')
    ds = TextSpottingDataSample()
    pred = InstanceData()
    pred.points = torch.tensor([[20., 20.]])
    pred.texts = ['hi']
    pred.scores = torch.tensor([0.8])
    pred.sample_points = torch.tensor([[[10., 20.], [30., 20.]]])
    ds.pred_instances = pred
    gt = InstanceData()
    gt.points = torch.tensor([[20., 22.]])
    gt.texts = ['hi']
    ds.gt_instances = gt
    out = str(tmp_path / 'v.png')
    vis.add_datasample('x', np.zeros((40, 40, 3), np.uint8), ds,
                       out_file=out, pred_score_thr=0.5)
    assert cv2.imread(out).shape == (40, 40, 3)


def test_spot_tool_end_to_end(tmp_path):
    cfg = Config.fromfile(CPU_CFG)
    init_default_scope('mmocr')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    # Make every cell a confident peak so the random model returns words.
    torch.nn.init.constant_(model.head.anchor_estimator.conf.bias, 5.)
    ckpt = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), ckpt)
    img_dir = tmp_path / 'imgs'
    img_dir.mkdir()
    for i, (w, h) in enumerate([(200, 120), (96, 160)]):
        img = np.full((h, w, 3), 200, np.uint8)
        cv2.putText(img, f'w{i}', (10, h // 2), cv2.FONT_HERSHEY_SIMPLEX,
                    0.8, (0, 0, 0), 2)
        cv2.imwrite(str(img_dir / f'im{i}.jpg'), img)
    (img_dir / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    spot = _load_spot()
    spot.main([CPU_CFG, ckpt, '--img-dir', str(img_dir), '--out', str(out),
               '--score-thr', '0.5', '--cfg-options',
               'model.head.postprocessor.drop_empty=False'])
    recs = json.loads((out / 'results.json').read_text())
    assert [osp.basename(r['img_path']) for r in recs] == ['im0.jpg',
                                                           'im1.jpg']
    for r, (w, h) in zip(recs, [(200, 120), (96, 160)]):
        drawn = cv2.imread(r['out'])
        assert drawn.shape == (h, w, 3)
        pts = np.asarray(r['points']).reshape(-1, 2)
        assert len(pts) == len(r['texts']) == len(r['scores'])
        assert len(pts) > 0
        # Points come back in the ORIGINAL image frame.
        assert (pts[:, 0] <= w).all() and (pts[:, 1] <= h).all()
        assert np.asarray(r['sample_points']).shape[1:] == (16, 2)
        # Something was drawn.
        src = cv2.imread(r['img_path'])
        assert np.abs(drawn.astype(int) - src.astype(int)).sum() > 0
