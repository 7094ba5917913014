# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Unit tests of the SRSTS-A spotter (mmocr_vlp.models.spotters)."""
import math

import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample
from mmocr.utils import register_all_modules

import mmocr_vlp  # noqa: F401
from mmocr_vlp.models.spotters import (CTCRecognizer, PointSampler,
                                       SRSTSAModuleLoss, bilinear_sample,
                                       build_anchor_targets, find_peaks)

register_all_modules(init_default_scope=True)

DICT = dict(type='VLPDictionary', preset='alnum_lower', case='lower')


def tiny_cfg(size=64, embed=32, layers=1, K=8):
    """A small SRSTS-A: ResNet-18 at 1/4 width, 1 deformable layer."""
    return dict(
        type='SRSTSA',
        data_preprocessor=dict(
            type='TextDetDataPreprocessor',
            mean=[127.5] * 3,
            std=[127.5] * 3,
            pad_size_divisor=32),
        backbone=dict(
            type='mmdet.ResNet',
            depth=18,
            base_channels=16,
            num_stages=4,
            out_indices=(1, 2, 3),
            frozen_stages=-1,
            norm_cfg=dict(type='BN', requires_grad=True),
            norm_eval=False,
            # mmdet zero-inits the last BN of each block by default, which
            # blocks the gradients of the residual branch at step 0.
            zero_init_residual=False,
            style='pytorch'),
        neck=dict(
            type='SRSTSANeck',
            channel_mapper=dict(
                type='mmdet.ChannelMapper',
                in_channels=[32, 64, 128],
                kernel_size=1,
                out_channels=embed,
                act_cfg=None,
                norm_cfg=dict(type='GN', num_groups=8),
                num_outs=4),
            encoder=dict(
                num_layers=layers,
                embed_dims=embed,
                num_heads=4,
                num_levels=4,
                num_points=2,
                ffn_dims=64,
                dropout=0.)),
        head=dict(
            type='SRSTSAHead',
            stride=8,
            sampler=dict(
                type='PointSampler', num_points=K, hidden_dims=64,
                max_offset=6),
            recognizer=dict(
                type='CTCRecognizer',
                dictionary=DICT,
                num_layers=1,
                num_heads=4,
                ffn_dims=64,
                dropout=0.),
            postprocessor=dict(type='SRSTSAPostprocessor', score_thr=0.3)))


def make_sample(points, texts, img_shape=(64, 64), ignored=None,
                scale_factor=(1., 1.), tokens=True):
    ds = TextSpottingDataSample()
    gi = InstanceData()
    gi.texts = list(texts)
    gi.points = torch.as_tensor(points, dtype=torch.float32).reshape(-1, 2)
    gi.ignored = torch.as_tensor(
        ignored if ignored is not None else [False] * len(texts),
        dtype=torch.bool)
    if tokens:
        from mmocr_vlp.datasets.dictionary import build_dictionary
        d = build_dictionary(DICT)
        tok = np.zeros((len(texts), d.max_len + 1), np.int64)
        for i, t in enumerate(texts):
            idx = d.encode(t) or []
            row = idx + [d.eos_idx]
            tok[i, :len(row)] = row
        gi.tokens = torch.as_tensor(tok)
    ds.gt_instances = gi
    ori_shape = (round(img_shape[0] / scale_factor[1]),
                 round(img_shape[1] / scale_factor[0]))
    ds.set_metainfo(
        dict(img_shape=img_shape, ori_shape=ori_shape, pad_shape=img_shape,
             scale_factor=scale_factor, batch_input_shape=img_shape))
    return ds


# ------------------------------------------------------------ targets
def test_anchor_targets_one_hot_cells():
    pts = [torch.tensor([[3., 3.], [20., 9.], [float('nan'), 1.]]),
           torch.tensor([[63.9, 0.]])]
    target, weight, num_pos = build_anchor_targets(pts, (8, 8), 8)
    assert target.shape == (2, 1, 8, 8)
    assert num_pos == 3
    # (3, 3) -> cell (col 0, row 0); (20, 9) -> (col 2, row 1).
    assert target[0, 0, 0, 0] == 1 and target[0, 0, 1, 2] == 1
    assert target[1, 0, 0, 7] == 1
    assert target.sum() == 3  # everything else 0 (supp. Eq. 1), NaN skipped
    assert torch.all(weight == 1)


def test_anchor_targets_ignore_and_padding():
    pts = [torch.tensor([[4., 4.]])]
    ign = [torch.tensor([[36., 36.]])]
    target, weight, num_pos = build_anchor_targets(
        pts, (8, 8), 8, ignore_points=ign, img_shapes=[(48, 56)],
        ignore_radius=1)
    assert num_pos == 1
    # Don't-care word: 3x3 cells around cell (4, 4) zero-weighted.
    assert weight[0, 0, 3:6, 3:6].sum() == 0
    assert weight[0, 0, 2, 2] == 1
    # Padding: rows >= 6 (48 / 8) and cols >= 7 (56 / 8) zero-weighted.
    assert weight[0, 0, 6:].sum() == 0 and weight[0, 0, :, 7:].sum() == 0
    assert weight[0, 0, 0, 0] == 1 and target[0, 0, 0, 0] == 1
    # Points outside the map are dropped, not clamped.
    t2, _, n2 = build_anchor_targets([torch.tensor([[100., 4.]])], (8, 8), 8)
    assert n2 == 0 and t2.sum() == 0


def test_anchor_targets_gaussian_option():
    t, _, n = build_anchor_targets([torch.tensor([[20., 20.]])], (8, 8), 8,
                                   sigma=1.)
    assert n == 1 and t[0, 0, 2, 2] == 1
    assert math.isclose(float(t[0, 0, 2, 3]), math.exp(-0.5), rel_tol=1e-5)


def test_focal_loss_matches_supp_eq1():
    """The mmdet focal loss equals WeCromCL supp. Eq. 1 / #anchors."""
    alpha, gamma = 0.3, 1.5
    crit = SRSTSAModuleLoss(
        loss_anchor=dict(type='mmdet.FocalLoss', use_sigmoid=True,
                         alpha=alpha, gamma=gamma, loss_weight=1.0))
    torch.manual_seed(0)
    logits = torch.randn(2, 1, 4, 4)
    pts = [torch.tensor([[4., 4.], [28., 12.]]), torch.tensor([[12., 20.]])]
    out = crit(logits, 8, pts, None, None, torch.tensor(0.))
    C = logits.sigmoid()
    Cgt = torch.zeros_like(C)
    Cgt[0, 0, 0, 0] = Cgt[0, 0, 1, 3] = Cgt[1, 0, 2, 1] = 1
    eq1 = (-alpha * Cgt * (1 - C)**gamma * torch.log(C) -
           (1 - alpha) * (1 - Cgt) * C**gamma * torch.log(1 - C)).sum()
    assert torch.allclose(out['loss_anchor'], eq1 / 3, rtol=1e-5)


# ------------------------------------------------------------ peaks
def test_find_peaks_nms_threshold_topk():
    logits = torch.full((1, 1, 6, 6), -10.)
    logits[0, 0, 1, 1] = 3.   # peak
    logits[0, 0, 1, 2] = 2.   # neighbour, suppressed by 3x3 NMS
    logits[0, 0, 4, 4] = 1.   # second peak
    logits[0, 0, 4, 0] = -2.  # below threshold
    (pts, scores), = find_peaks(logits, 8, score_thr=0.5, nms_kernel=3)
    assert torch.allclose(pts, torch.tensor([[12., 12.], [36., 36.]]))
    assert torch.allclose(scores, torch.sigmoid(torch.tensor([3., 1.])))
    (pts1, _), = find_peaks(logits, 8, score_thr=0.5, nms_kernel=1)
    assert len(pts1) == 3  # no NMS window: the neighbour is a peak too
    (pts2, _), = find_peaks(logits, 8, score_thr=0.5, max_per_img=1)
    assert torch.allclose(pts2, torch.tensor([[12., 12.]]))
    (pts3, _), = find_peaks(logits, 8, score_thr=0.5, img_shapes=[(24, 24)])
    assert torch.allclose(pts3, torch.tensor([[12., 12.]]))  # padding cut
    with pytest.raises(ValueError):
        find_peaks(logits, 8, nms_kernel=2)


# ------------------------------------------------------------ sampling
def test_bilinear_sample_cell_centres_and_gradients():
    feat = torch.randn(3, 4, 5, requires_grad=True)
    pts = torch.tensor([[4., 4.], [36., 28.], [20., 12.]], requires_grad=True)
    out = bilinear_sample(feat, pts, 8)
    assert out.shape == (3, 3)
    assert torch.allclose(out[0], feat[:, 0, 0])
    assert torch.allclose(out[1], feat[:, 3, 4])
    assert torch.allclose(out[2], feat[:, 1, 2])
    # Half-way between two cell centres -> the mean.
    mid = bilinear_sample(feat, torch.tensor([[8., 4.]]), 8)[0]
    assert torch.allclose(mid, (feat[:, 0, 0] + feat[:, 0, 1]) / 2)
    (out * torch.randn_like(out)).sum().backward()
    assert feat.grad.abs().sum() > 0 and pts.grad.abs().sum() > 0


def test_point_sampler_shapes_init_and_gradients():
    torch.manual_seed(0)
    s = PointSampler(16, num_points=5, hidden_dims=8, max_offset=4,
                     init_span=0.5)
    feat = torch.randn(2, 16, 8, 8, requires_grad=True)
    anchors = [torch.tensor([[20., 20.], [44., 12.]]), torch.zeros((0, 2))]
    sampled, points = s(feat, anchors, 8)
    assert sampled.shape == (2, 5, 16)
    assert points[0].shape == (2, 5, 2) and points[1].shape == (0, 5, 2)
    # Initial layout: (nearly) a horizontal line through the anchor,
    # half-width init_span * max_offset cells.
    p = points[0][0]
    assert torch.allclose(p[:, 1], torch.full((5, ), 20.), atol=0.5)
    assert torch.allclose(p[:, 0], 20. + torch.linspace(-16., 16., 5),
                          atol=0.5)
    sampled.pow(2).sum().backward()
    assert feat.grad.abs().sum() > 0
    for name, prm in s.named_parameters():
        assert prm.grad is not None and prm.grad.abs().sum() > 0, name


# ------------------------------------------------------------ CTC
def test_ctc_targets_and_greedy_decoding():
    rec = CTCRecognizer(8, dictionary=DICT, num_points=7, num_layers=0)
    d = rec.dictionary
    assert rec.num_classes == 37 and rec.blank == 0 == d.pad_idx
    tok = torch.tensor([[d.char2idx['a'], d.char2idx['b'], d.eos_idx, 0],
                        [d.char2idx['z'], 0, 0, 0]])
    assert rec.tokens_to_targets(tok) == [[11, 12], [36]]
    assert rec.texts_to_targets(['Ab', '!!']) == [[11, 12], []]
    # Path "h h - e l - l" -> "hell": repeats merge, blank splits.
    path = [d.char2idx[c] if c != '-' else 0 for c in 'hh-el-l']
    logits = torch.full((1, 7, 37), -5.)
    logits[0, torch.arange(7), torch.tensor(path)] = 5.
    texts, scores, idx = rec.decode(logits)
    assert texts == ['hell']
    assert idx == [[d.char2idx[c] for c in 'hell']]
    assert 0.99 < float(scores[0]) <= 1.
    # All blanks -> empty string with score 0.
    blank = torch.full((1, 7, 37), -5.)
    blank[..., 0] = 5.
    t2, s2, _ = rec.decode(blank)
    assert t2 == [''] and float(s2[0]) == 0.
    # The loss is low for the matching path and high for another word.
    good = rec.loss(logits, [[d.char2idx[c] for c in 'hell']])
    bad = rec.loss(logits, [[d.char2idx[c] for c in 'xyz']])
    assert float(good) < 0.1 < float(bad)
    # Unalignable (longer than K) words give 0, not inf.
    long = rec.loss(logits, [[1] * 9])
    assert torch.isfinite(long) and float(long) == 0.


# ------------------------------------------------------------ model
def _batch(model, samples, size=64):
    imgs = [torch.randint(0, 255, (3, size, size), dtype=torch.uint8)
            for _ in samples]
    return model.data_preprocessor(
        dict(inputs=imgs, data_samples=samples), training=True)


def test_model_loss_shapes_and_gradients_reach_every_parameter():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    model.init_weights()
    samples = [
        make_sample([[10., 12.], [40., 30.], [5., 60.]], ['ab', 'c9', '###'],
                    ignored=[False, False, True]),
        make_sample([[float('nan'), float('nan')], [30., 50.]],
                    ['xx', 'hello'])
    ]
    data = _batch(model, samples)
    feat = model.extract_feat(data['inputs'], data['data_samples'])
    assert feat.shape == (2, 32, 8, 8)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_anchor', 'loss_ctc'}
    total = sum(losses.values())
    assert torch.isfinite(total)
    total.backward()
    # mmcv zero-inits the deformable attention's offset / weight projections,
    # so the level embedding only gets gradients after the first step.
    torch.optim.SGD(model.parameters(), lr=0.01).step()
    model.zero_grad()
    sum(model(**data, mode='loss').values()).backward()
    missing = [n for n, p in model.named_parameters()
               if p.requires_grad and (p.grad is None or
                                       p.grad.abs().sum() == 0)]
    assert not missing, missing
    (logits, ) = model(data['inputs'], data['data_samples'], mode='tensor')
    assert logits.shape == (2, 1, 8, 8)


def test_loss_without_points_raises_clear_error():
    model = MODELS.build(tiny_cfg())
    ds = make_sample([[1., 1.]], ['ab'])
    del ds.gt_instances.points
    data = _batch(model, [ds])
    with pytest.raises(KeyError, match='points'):
        model(**data, mode='loss')


def test_loss_with_no_located_words_is_finite_and_connected():
    model = MODELS.build(tiny_cfg())
    data = _batch(model, [make_sample([[float('nan')] * 2], ['ab'])])
    losses = model(**data, mode='loss')
    assert float(losses['loss_ctc']) == 0.
    sum(losses.values()).backward()


def test_predict_rescales_points_to_original_image():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    model.eval()
    post = model.head.postprocessor
    post.score_thr = 0.0  # keep every peak of the random map
    post.drop_empty = False
    ds = make_sample([[10., 10.]], ['ab'], scale_factor=(0.5, 0.25))
    data = _batch(model, [ds])
    with torch.no_grad():
        out_scaled = model(**data, mode='predict')[0].pred_instances
    ds2 = make_sample([[10., 10.]], ['ab'])
    data2 = _batch(model, [ds2])
    data2['inputs'] = data['inputs']
    with torch.no_grad():
        out = model(**data2, mode='predict')[0].pred_instances
    n = len(out)
    assert n > 0 and len(out.texts) == n
    assert out.points.shape == (n, 2) and out.scores.shape == (n, )
    assert out.sample_points.shape == (n, 8, 2)
    assert torch.allclose(out_scaled.points,
                          out.points / torch.tensor([0.5, 0.25]))
    assert torch.allclose(out_scaled.sample_points,
                          out.sample_points / torch.tensor([0.5, 0.25]))
    # Anchors are cell centres of the stride-8 map.
    assert torch.allclose((out.points - 4) % 8, torch.zeros_like(out.points))
    assert torch.all(out.scores[:-1] >= out.scores[1:])


def test_config_mismatch_errors():
    cfg = tiny_cfg()
    cfg['head']['recognizer']['num_points'] = 5
    with pytest.raises(ValueError, match='num_points'):
        MODELS.build(cfg)
    cfg = tiny_cfg()
    cfg['neck']['channel_mapper']['out_channels'] = 64
    with pytest.raises(ValueError, match='embed_dims'):
        MODELS.build(cfg)


def test_cpu_config_pipeline_to_loss_and_predict(tmp_path):
    """The CPU config's real pipelines feed the model (one rendered image)."""
    import json
    import os.path as osp

    import cv2
    from mmengine.config import Config
    from mmengine.dataset import pseudo_collate
    from mmocr.registry import DATASETS

    root = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
    cfg = Config.fromfile(
        osp.join(root, 'configs', 'srsts-a',
                 'srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py'))
    img = np.full((120, 200, 3), 230, np.uint8)
    cv2.putText(img, 'Shop', (20, 50), cv2.FONT_HERSHEY_SIMPLEX, 1,
                (0, 0, 0), 2)
    cv2.imwrite(str(tmp_path / 'a.jpg'), img)
    ann = dict(
        metainfo=dict(dataset_type='TextDetDataset', task_name='textdet'),
        data_list=[
            dict(img_path='a.jpg', height=120, width=200, instances=[
                dict(text='Shop', point=[55., 40.], polygon=[
                    20, 25, 90, 25, 90, 55, 20, 55]),
                dict(text='###', point=[150., 90.], polygon=[
                    130, 80, 170, 80, 170, 100, 130, 100]),
                dict(text='!!', point=[150., 30.], polygon=[
                    140, 20, 160, 20, 160, 40, 140, 40]),
            ])
        ])
    (tmp_path / 'ann.json').write_text(json.dumps(ann))
    model = MODELS.build(cfg.model)
    for split in ('train', 'test'):
        dcfg = cfg[f'{split}_dataloader'].dataset
        dcfg.update(data_root=str(tmp_path), ann_file='ann.json',
                    indices=None)
        ds = DATASETS.build(dcfg)
        sample = ds[0]
        gi = sample['data_samples'].gt_instances
        if split == 'train':
            # Points only; don't-care and unreadable words are kept.
            assert 'polygons' not in gi and len(gi) == 3
            assert gi.ignored.tolist() == [False, True, False]
            assert gi.tokens[2].sum() == 0  # '!!' has no alnum: all PAD
            data = model.data_preprocessor(pseudo_collate([sample]), True)
            losses = model(**data, mode='loss')
            assert torch.isfinite(sum(losses.values()))
            assert float(losses['loss_ctc']) > 0
        else:
            model.eval()
            data = model.data_preprocessor(pseudo_collate([sample]), False)
            with torch.no_grad():
                out = model(**data, mode='predict')[0]
            # GT stays in the original frame for the metrics.
            assert 'polygons' in out.gt_instances
            assert set(out.pred_instances.keys()) >= {
                'points', 'texts', 'scores', 'sample_points'}


def test_postprocessor_pack_scores_drop_empty_and_clamp():
    from mmocr_vlp.models.spotters import SRSTSAPostprocessor
    ds = make_sample([[1., 1.]], ['a'], img_shape=(60, 60),
                     scale_factor=(0.5, 0.5))  # ori_shape (120, 120)
    pts = torch.tensor([[20., 20.], [62., 30.], [40., 40.]])
    sp = pts[:, None, :].repeat(1, 4, 1)
    post = SRSTSAPostprocessor(score_mode='mul')
    post.pack(ds, pts, torch.tensor([0.9, 0.8, 0.7]), sp, ['ab', 'c', ''],
              torch.tensor([0.5, 1.0, 0.9]))
    pred = ds.pred_instances
    assert pred.texts == ['ab', 'c']  # the empty string is dropped
    assert torch.allclose(pred.scores, torch.tensor([0.45, 0.8]))
    # (62, 30) / 0.5 = (124, 60): clamped to the 120-px original width.
    assert torch.allclose(pred.points, torch.tensor([[40., 40.],
                                                     [120., 60.]]))
    assert pred.sample_points.shape == (2, 4, 2)
    with pytest.raises(ValueError):
        SRSTSAPostprocessor(score_mode='max')
