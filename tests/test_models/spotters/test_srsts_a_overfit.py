# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Tiny overfit: SRSTS-A reads back its training words at the right anchors.

Two 128x128 images with two words each (cv2.putText on a flat background)
and one point per word (the word centre), a tiny model, Adam for 120
steps; then ``predict`` must return exactly the training words, each
within one feature cell of its point.
"""
import importlib.util
import os.path as osp
import time

import cv2
import numpy as np
import torch
from mmocr.registry import MODELS

# Share the tiny config and sample builder of test_srsts_a.py without
# depending on how pytest sets up sys.path.
_spec = importlib.util.spec_from_file_location(
    '_srsts_a_helpers', osp.join(osp.dirname(__file__), 'test_srsts_a.py'))
_helpers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_helpers)
make_sample, tiny_cfg = _helpers.make_sample, _helpers.tiny_cfg

WORDS = [[('cat', (8, 40)), ('dog7', (50, 104))],
         [('sun', (60, 30)), ('a12b', (10, 90))]]


def render(words, size=128, scale=0.7, thickness=2):
    img = np.full((size, size, 3), 235, np.uint8)
    centres = []
    for text, (x, y) in words:
        (w, h), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale,
                                    thickness)
        cv2.putText(img, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale,
                    (20, 20, 20), thickness, cv2.LINE_AA)
        centres.append([x + w / 2, y - h / 2])
    return img, centres


def test_tiny_overfit_reads_training_words_at_anchors():
    torch.manual_seed(0)
    np.random.seed(0)
    torch.set_num_threads(1)
    cfg = tiny_cfg(size=128, embed=32, layers=1, K=8)
    model = MODELS.build(cfg)
    model.init_weights()
    imgs, samples = [], []
    for words in WORDS:
        img, centres = render(words)
        imgs.append(torch.from_numpy(img.transpose(2, 0, 1).copy()))
        samples.append(
            make_sample(centres, [w for w, _ in words], img_shape=(128, 128)))
    data = model.data_preprocessor(
        dict(inputs=imgs, data_samples=samples), training=True)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    t0 = time.time()
    first = None
    for step in range(120):  # reads all 4 words by step 50 (seeds 0-2)
        model.train()
        losses = model(**data, mode='loss')
        loss = sum(losses.values())
        if first is None:
            first = float(loss)
        opt.zero_grad()
        loss.backward()
        opt.step()
    last = float(loss)
    assert last < 0.1 * first, (first, last)
    model.eval()
    with torch.no_grad():
        preds = model(**data, mode='predict')
    for words, ds in zip(WORDS, preds):
        pred = ds.pred_instances
        gt_pts = ds.gt_instances.points
        got = sorted(pred.texts)
        assert got == sorted(w for w, _ in words), (got, time.time() - t0)
        for text, pt in zip(pred.texts, pred.points):
            k = [w for w, _ in words].index(text)
            # The anchor is the centre of the cell holding the GT point.
            assert (pt - gt_pts[k]).abs().max() <= 8., (text, pt, gt_pts[k])
