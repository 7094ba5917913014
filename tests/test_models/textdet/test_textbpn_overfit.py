# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Tiny overfit of a full TextBPN detector (mmocr SingleStageTextDetector)
on two drawn images: the losses fall and the predicted polygons (proposals
from the predicted maps, deformed 3 times) reach IoU > 0.5 with the GT."""
import cv2
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from mmocr.utils import poly2shapely, poly_iou

SIZE = 128


def _curved_band(cx, cy, r_in, r_out, a0, a1, k=8):
    angles = np.linspace(a0, a1, k)
    outer = [(cx + r_out * np.cos(a), cy - r_out * np.sin(a)) for a in angles]
    inner = [(cx + r_in * np.cos(a), cy - r_in * np.sin(a))
             for a in angles[::-1]]
    return np.array(outer + inner, np.float32)


def _images():
    rng = np.random.RandomState(0)
    quad = cv2.boxPoints(((64., 44.), (88., 24.), -12.)).astype(np.float32)
    band = _curved_band(64, 110, 44, 66, np.deg2rad(150), np.deg2rad(30))
    data = []
    for polys in ([quad], [band]):
        img = rng.randint(170, 256, (SIZE, SIZE, 3)).astype(np.uint8)
        for p in polys:
            mask = np.zeros((SIZE, SIZE), np.uint8)
            cv2.fillPoly(mask, [np.round(p).astype(np.int32)], 1)
            stripes = ((np.arange(SIZE) // 3) % 2 * 60)[None, :, None]
            ink = np.clip(rng.randint(0, 40, img.shape) + stripes, 0, 255)
            img[mask > 0] = ink[mask > 0]
        s = TextDetDataSample(metainfo=dict(
            img_shape=(SIZE, SIZE), ori_shape=(SIZE, SIZE),
            pad_shape=(SIZE, SIZE), batch_input_shape=(SIZE, SIZE),
            scale_factor=(1., 1.)))
        gt = InstanceData()
        gt.polygons = [p.flatten() for p in polys]
        gt.ignored = torch.zeros(len(polys), dtype=torch.bool)
        s.gt_instances = gt
        data.append((img, s))
    return data


def _model():
    return MODELS.build(dict(
        type='SingleStageTextDetector',
        backbone=dict(type='mmdet.ResNet', depth=18, base_channels=16,
                      num_stages=4, out_indices=(0, 1, 2, 3),
                      norm_cfg=dict(type='BN'), norm_eval=False,
                      style='pytorch'),
        neck=dict(type='FPNC', in_channels=[16, 32, 64, 128],
                  lateral_channels=32, out_channels=16),
        det_head=dict(
            type='TextBPNHead', in_channels=64, feat_channels=16,
            num_points=20, cls_thr=0.5, min_area=50,
            deformation=dict(
                type='AdaptiveBoundaryDeformation', num_iters=3,
                encoder_cfg=dict(state_dim=32, gcn_dims=(64, 64),
                                 decoder_dims=(64,))),
            module_loss=dict(type='TextBPNModuleLoss'))))


def test_textbpn_overfits_two_images():
    torch.manual_seed(0)
    np.random.seed(0)
    data = _images()
    inputs = torch.stack([
        torch.from_numpy((img.astype(np.float32) / 255. - 0.5) / 0.25)
        .permute(2, 0, 1) for img, _ in data])
    samples = [s for _, s in data]
    model = _model()
    model.init_weights()
    model.train()
    optim = torch.optim.Adam(model.parameters(), lr=2e-3)
    history = []
    for _ in range(150):
        losses = model.loss(inputs, samples)
        total = sum(losses.values())
        optim.zero_grad()
        total.backward()
        optim.step()
        history.append({k: float(v) for k, v in losses.items()})
    first = history[0]
    for k in first:
        last = np.mean([h[k] for h in history[-10:]])
        assert last < first[k], (k, first[k], last)

    model.eval()
    with torch.no_grad():
        preds = model.predict(inputs, [s.clone() for s in samples])
        outs = model.det_head(model.extract_feat(inputs), samples)
    final_ious = []
    for pred, sample in zip(preds, samples):
        inst = pred.pred_instances
        assert len(inst.polygons) >= 1
        assert len(inst.scores) == len(inst.polygons)
        for gt in sample.gt_instances.polygons:
            best = max(poly_iou(poly2shapely(gt), poly2shapely(p))
                       for p in inst.polygons)
            assert best > 0.5, (best, history[-1])
            final_ious.append(best)
    # the deformation moved the proposals (from the predicted maps) closer
    # to the GT than they started
    init = (outs['init_polys'] * outs['stride']).numpy()
    init_ious = [
        max(poly_iou(poly2shapely(gt), poly2shapely(p.flatten()))
            for p, b in zip(init, outs['inds'].tolist()) if b == i)
        for i, s in enumerate(samples) for gt in s.gt_instances.polygons
    ]
    assert np.mean(final_ious) > np.mean(init_ious), (final_ious, init_ious)
