# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""mmocr's inferencers on the shipped configs, and WeCromCLInferencer."""
import glob
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmocr.apis import TextDetInferencer, TextSpotInferencer
from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401
from mmocr_vlp.apis import WeCromCLInferencer

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))


def _configs(folder):
    return sorted(
        osp.relpath(p, ROOT)
        for p in glob.glob(osp.join(ROOT, 'configs', folder, '**', '*.py'),
                           recursive=True)
        if not osp.basename(p).startswith('_base'))


DET_CFGS = _configs('textdet')
SPOT_CFGS = _configs('srsts-a')
WECROMCL_CFGS = _configs('wecromcl')


def _one_paper_config_by_default(cfgs):
    """Every CPU config and the first ResNet-50 (paper) config run by
    default; the other paper configs of the family (same model, other data
    and test size; 5-20 s each on one core) are marked slow."""
    paper = [c for c in cfgs if 'resnet50' in c]
    return [
        pytest.param(c, marks=pytest.mark.slow) if c in paper[1:] else c
        for c in cfgs
    ]
WECROMCL_CPU = ('configs/wecromcl/'
                'wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py')


def _image(path, w=160, h=96, words=('open', 'cafe')):
    img = np.full((h, w, 3), 210, np.uint8)
    for k, word in enumerate(words):
        cv2.putText(img, word, (8 + 70 * k, h // 2 + 10 * k),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.7, (20, 20, 20), 2,
                    cv2.LINE_AA)
    cv2.imwrite(str(path), img)
    return img


def _config(cfg_path, max_side=256):
    """The config with its test-time resize capped at ``max_side`` (the
    paper configs resize to 576-2260 px: minutes per image for a ResNet-50
    on one core); everything else as shipped."""
    cfg = Config.fromfile(osp.join(ROOT, cfg_path))
    for t in cfg.test_dataloader.dataset.pipeline:
        if t['type'] in ('Resize', 'ResizePad') and 'scale' in t and \
                max(t['scale']) > max_side:
            t['scale'] = (max_side, max_side)
    return cfg


def _checkpoint(cfg_path, tmp_path, tweak=None):
    """A seeded random-init checkpoint of a config (no pretrained files)."""
    cfg = Config.fromfile(osp.join(ROOT, cfg_path))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    if tweak:
        tweak(model)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


def _check_vis(res, out_dir, name, shape):
    """Returned picture and the file saved under out_dir/vis."""
    (vis, ) = res['visualization']
    assert vis.dtype == np.uint8 and vis.shape == shape
    saved = cv2.imread(osp.join(out_dir, 'vis', f'{name}.jpg'))
    assert saved is not None and saved.shape == shape
    return vis, saved


def test_every_config_has_an_inferencer():
    assert len(DET_CFGS) >= 8 and len(SPOT_CFGS) >= 6
    assert len(WECROMCL_CFGS) >= 8
    for cfg in SPOT_CFGS:  # mmocr's loader name, so the inferencer finds it
        pipe = Config.fromfile(osp.join(ROOT, cfg)).test_dataloader.dataset \
            .pipeline
        assert pipe[0]['type'] == 'LoadImageFromFile', cfg


@pytest.mark.parametrize('cfg_path', DET_CFGS)
def test_textdet_inferencer(cfg_path, tmp_path):
    img = _image(tmp_path / 'shop.jpg')
    infer = TextDetInferencer(model=_config(cfg_path),
                              weights=_checkpoint(cfg_path, tmp_path),
                              device='cpu')
    out = str(tmp_path / 'out')
    res = infer(str(tmp_path / 'shop.jpg'), return_vis=True, out_dir=out,
                save_vis=True, save_pred=True, progress_bar=False)
    (pred, ) = res['predictions']
    assert len(pred['polygons']) == len(pred['scores'])
    for poly in pred['polygons']:
        assert len(poly) >= 6 and len(poly) % 2 == 0
    assert all(0. <= s <= 1. for s in pred['scores'])
    _check_vis(res, out, 'shop', img.shape)
    assert osp.isfile(osp.join(out, 'preds', 'shop.json'))


def _confident(model):
    """Every cell a confident anchor, so a random model returns words."""
    torch.nn.init.constant_(model.head.anchor_estimator.conf.bias, 5.)


@pytest.mark.parametrize('cfg_path',
                         _one_paper_config_by_default(SPOT_CFGS))
def test_textspot_inferencer_srsts_a(cfg_path, tmp_path):
    img = _image(tmp_path / 'shop.jpg')
    cfg = _config(cfg_path)
    cfg.model.head.postprocessor.drop_empty = False
    infer = TextSpotInferencer(model=cfg,
                               weights=_checkpoint(cfg_path, tmp_path,
                                                   _confident),
                               device='cpu')
    out = str(tmp_path / 'out')
    res = infer([str(tmp_path / 'shop.jpg')], return_vis=True,
                return_datasamples=True, out_dir=out, save_vis=True,
                progress_bar=False)
    (ds, ) = res['predictions']
    pred = ds.pred_instances
    h, w = img.shape[:2]
    assert len(pred.points) == len(pred.texts) == len(pred.scores) > 0
    assert (pred.points[:, 0] <= w).all() and (pred.points[:, 1] <= h).all()
    vis, saved = _check_vis(res, out, 'shop', img.shape)
    assert np.abs(saved.astype(int) - img.astype(int)).mean() > 1  # drawn
    # The JSON form (mmocr's pred2dict: texts and scores), from an array.
    res = infer(cv2.imread(str(tmp_path / 'shop.jpg')), progress_bar=False)
    (pred_dict, ) = res['predictions']
    assert len(pred_dict['texts']) == len(pred_dict['scores']) == len(pred)


@pytest.fixture(scope='module')
def wecromcl_ckpt(tmp_path_factory):
    return _checkpoint(WECROMCL_CPU, tmp_path_factory.mktemp('wecromcl'))


def test_wecromcl_inferencer(wecromcl_ckpt, tmp_path):
    img = _image(tmp_path / 'shop.jpg')
    infer = WeCromCLInferencer(WECROMCL_CPU, weights=wecromcl_ckpt,
                               device='cpu', panel_width=200)
    out = str(tmp_path / 'out')
    res = infer(str(tmp_path / 'shop.jpg'), texts=['open', 'cafe', 'open',
                                                    '###'],
                return_vis=True, out_dir=out, save_vis=True, save_pred=True,
                progress_bar=False)
    (pred, ) = res['predictions']
    h, w = img.shape[:2]
    # One anchor per occurrence ('open' twice), none for the don't-care.
    assert sorted(pred['texts']) == ['cafe', 'open', 'open']
    assert sorted(pred['instance_ids']) == [0, 1, 2]
    pts = np.asarray(pred['points'])
    assert pts.shape == (3, 2)
    assert (pts >= 0).all() and (pts[:, 0] <= w).all() and \
        (pts[:, 1] <= h).all()
    assert all(0. <= s <= 1. for s in pred['scores'])
    assert pred['activation_texts'] == ['open', 'cafe']
    maps = np.asarray(pred['activation_maps'])
    assert maps.shape[0] == 2 and maps.ndim == 3
    np.testing.assert_allclose(maps.sum((1, 2)), 1., atol=1e-4)
    assert pred['activation_stride'] > 0
    # The picture: two panels (one per distinct word) of 200 px.
    (vis, ) = res['visualization']
    ph = round(h * 200 / w)
    assert vis.shape == (ph + 8, 2 * 200 + 12, 3)
    saved = cv2.imread(osp.join(out, 'vis', 'shop.jpg'))
    assert saved.shape == vis.shape
    assert osp.isfile(osp.join(out, 'preds', 'shop.json'))
    # The two panels differ (different maps over the same image).
    left, right = vis[4:4 + ph, 4:204], vis[4:4 + ph, 208:408]
    assert np.abs(left.astype(int) - right.astype(int)).mean() > 1


def test_wecromcl_inferencer_inputs(wecromcl_ckpt, tmp_path):
    img = _image(tmp_path / 'a.jpg')
    infer = WeCromCLInferencer(WECROMCL_CPU, weights=wecromcl_ckpt,
                               device='cpu', scales=(1.0, 1.5))
    assert infer.model.test_cfg['scales'] == (1.0, 1.5)
    # Arrays with one word list each, and OCRDataset entries: same anchors.
    res = infer([img, img], texts=[['open'], ['cafe', 'open']],
                batch_size=2, progress_bar=False)
    entries = [dict(img_path=str(tmp_path / 'a.jpg'),
                    instances=[dict(text='open', polygon=[0] * 8)]),
               dict(img=img, texts=['cafe', 'open'])]
    res2 = infer(entries, progress_bar=False)
    for a, b in zip(res['predictions'], res2['predictions']):
        assert a['texts'] == b['texts']
        np.testing.assert_allclose(a['points'], b['points'], atol=1e-3)
    assert res['predictions'][1]['texts'] == ['cafe', 'open']
    with pytest.raises(ValueError, match='no transcriptions'):
        infer(str(tmp_path / 'a.jpg'))
    with pytest.raises(ValueError, match='2 images but words for 1'):
        infer([img, img], texts=['open'])
    with pytest.raises(FileNotFoundError, match='missing.jpg'):
        infer(str(tmp_path / 'missing.jpg'), texts=['open'])


@pytest.mark.parametrize('cfg_path',
                         _one_paper_config_by_default(WECROMCL_CFGS))
def test_wecromcl_inferencer_on_every_config(cfg_path, tmp_path):
    img = _image(tmp_path / 'shop.jpg')
    infer = WeCromCLInferencer(_config(cfg_path),
                               weights=_checkpoint(cfg_path, tmp_path),
                               device='cpu', panel_width=64)
    res = infer(img, texts=['open', 'cafe'], return_vis=True,
                progress_bar=False)
    (pred, ) = res['predictions']
    assert sorted(pred['texts']) == ['cafe', 'open']
    assert np.asarray(pred['points']).shape == (2, 2)
    assert len(pred['activation_maps']) == 2
    assert res['visualization'][0].shape[1] == 2 * 68 + 4
