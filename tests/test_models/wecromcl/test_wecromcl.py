# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""WeCromCL: activation maps, loss, gradients, anchors, overfitting."""
import math
import random

import cv2
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr_vlp.datasets.transforms.negatives import (NegativeSampler,
                                                     SampleNegativeTexts)
from mmocr_vlp.models.wecromcl import (AtomisticContrastiveLoss, WeCromCL,
                                       find_peaks, map_to_image)

VOCAB = ['hot', 'xyz', 'mw', 'lab', 'q7', 'fig', 'bus', 'k9']


def tiny_cfg(**kw):
    cfg = dict(
        type='WeCromCL',
        dictionary=dict(type='VLPDictionary', preset='lower_punct_space',
                        case='lower', max_len=25),
        backbone=dict(type='mmdet.ResNet', depth=18, base_channels=8,
                      out_indices=(1, 2, 3), norm_cfg=dict(type='BN'),
                      init_cfg=None),
        neck=dict(type='BiFPN', in_channels=[16, 32, 64], out_channels=16,
                  num_repeats=1),
        encoder=dict(type='DeformableEncoder', num_layers=1, embed_dims=16,
                     num_heads=2, num_levels=3, num_points=2, ffn_dims=32,
                     dropout=0.0),
        text_encoder=dict(type='CharTextEncoder', embed_dims=32,
                          num_layers=1, num_heads=2, pooling='mean'),
        embed_dims=32,
        negative_sampler=dict(n_aug=4, vocab=VOCAB, seed=0))
    cfg.update(kw)
    return cfg


def render(words, size=96, seed=0):
    """Draw words at random non-overlapping places; returns image + boxes."""
    rng = random.Random(seed)
    img = np.full((size, size, 3), 40, np.uint8)
    boxes = []
    for w in words:
        for _ in range(100):
            (tw, th), base = cv2.getTextSize(w, cv2.FONT_HERSHEY_SIMPLEX,
                                             0.55, 2)
            x = rng.randint(2, size - tw - 2)
            y = rng.randint(th + 2, size - base - 2)
            box = (x, y - th, x + tw, y + base)
            if all(box[2] < b[0] - 3 or box[0] > b[2] + 3 or box[3] < b[1] - 3
                   or box[1] > b[3] + 3 for b in boxes):
                break
        cv2.putText(img, w, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.55,
                    (230, 230, 230), 2, cv2.LINE_AA)
        boxes.append(box)
    return img, boxes


def make_batch(n=8, words_per_img=2, size=96, seed=0, vocab=None):
    rng = random.Random(seed)
    vocab = vocab or VOCAB
    imgs, samples, all_boxes = [], [], []
    for i in range(n):
        words = rng.sample(vocab, words_per_img)
        img, boxes = render(words, size, seed=seed * 100 + i)
        imgs.append(torch.from_numpy(img).permute(2, 0, 1).float() / 64 - 1)
        s = TextSpottingDataSample()
        s.gt_instances = InstanceData(
            texts=words, ignored=torch.zeros(len(words), dtype=torch.bool))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size),
                            scale_factor=(1.0, 1.0)))
        samples.append(s)
        all_boxes.append(boxes)
    return torch.stack(imgs), samples, all_boxes


def test_build_and_registry():
    model = MODELS.build(tiny_cfg())
    assert isinstance(model, WeCromCL)
    assert model.text_encoder.pooling == 'mean'


def test_activation_maps_sum_to_one_and_ignore_padding():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg()).eval()
    inputs, samples, _ = make_batch(2, size=96)
    # Image 1 is padded: only its top-left 64x48 is valid.
    samples[1].set_metainfo(dict(img_shape=(64, 48)))
    words = [[model.word_key('hot'), model.word_key('xyz')],
             [model.word_key('mw')]]
    feat, mask = model.extract_feat(inputs, samples)
    keys, values, pad = model._pixels(feat, mask)
    text = model.encode_text(words[1])
    maps, agg = model.head(text, keys[1:], values[1:], pad[1:])
    assert maps.shape == (1, 1, 12 * 12) and agg.shape == (1, 1, 32)
    torch.testing.assert_close(maps.sum(-1), torch.ones(1, 1))
    m = maps.view(12, 12)
    assert m[8:].abs().max() == 0 and m[:, 6:].abs().max() == 0
    out, stride = model.activation_maps(inputs, samples, words)
    assert stride == 8
    assert out[0].shape == (2, 12, 12) and out[1].shape == (1, 8, 6)
    for o in out:
        torch.testing.assert_close(o.sum((1, 2)), torch.ones(len(o)))
    # Multi-scale maps live on the largest scale's grid, still sum to 1.
    out2, stride2 = model.activation_maps(inputs, samples, words, (1.0, 2.0))
    assert out2[0].shape == (2, 24, 24) and stride2 == 4
    torch.testing.assert_close(out2[0].sum((1, 2)), torch.ones(2))


def test_cosine_map_sharpness_does_not_follow_the_feature_norm():
    """Why the CPU config uses ``sim='cosine'`` (docs/wecromcl.md, Session
    4): with the scaled dot product, the activation map sharpens as the
    pixel features grow (early training grows them), onto a few pixels;
    with the cosine, its sharpness is set by the scale alone."""
    from mmocr_vlp.models.wecromcl import SoftActivationHead
    torch.manual_seed(0)
    text = torch.randn(3, 16)
    pix = torch.randn(1, 100, 16)
    peak = {}
    for sim in ('dot', 'cosine'):
        head = SoftActivationHead(16, 16, sim=sim, init_cosine_scale=10.0)
        peak[sim] = []
        for gain in (1.0, 10.0, 100.0):
            keys, values = head.project_pixels(pix * gain)
            maps, _ = head(text, keys, values)
            torch.testing.assert_close(maps.sum(-1), torch.ones(1, 3))
            peak[sim].append(maps.max(-1).values.mean().item())
    assert peak['dot'][0] < 0.05 and peak['dot'][2] > 0.7, peak
    # Cosine: identical maps whatever the feature norm (the projection bias
    # makes the keys only nearly scale-free, hence the tolerance).
    assert max(peak['cosine']) - min(peak['cosine']) < 0.05, peak
    assert max(peak['cosine']) < 0.3, peak


def test_gradients_reach_every_learnable_part():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    model.init_weights()
    inputs, samples, _ = make_batch(4)
    # mmdet's ResNet zero-inits the last BN of each block and mmcv zeroes the
    # deformable offsets/weights, so some parameters get gradient only after
    # the first update: check the second step.
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    for _ in range(2):
        losses = model.loss(inputs, samples)
        assert set(losses) >= {'loss_t2i', 'loss_i2t'}
        total = losses['loss_t2i'] + losses['loss_i2t']
        assert torch.isfinite(total)
        opt.zero_grad()
        total.backward()
        opt.step()
    missing = [
        n for n, p in model.named_parameters()
        if p.requires_grad and (p.grad is None or p.grad.abs().sum() == 0)
    ]
    assert missing == []


def test_text_warmup_locks_the_text_encoder_until_its_iteration():
    from mmengine.logging import MessageHub
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(text_warmup_iters=3))
    inputs, samples, _ = make_batch(4)
    hub = MessageHub.get_current_instance()

    def text_and_image_grads(it):
        hub.update_info('iter', it)
        model.zero_grad()
        losses = model.loss(inputs, samples)
        (losses['loss_t2i'] + losses['loss_i2t']).backward()

        def has(mod):
            return any(p.grad is not None and p.grad.abs().sum() > 0
                       for p in mod.parameters())

        return has(model.text_encoder), has(model.backbone)

    model.train()
    assert text_and_image_grads(0) == (False, True)
    assert text_and_image_grads(2) == (False, True)
    assert text_and_image_grads(3) == (True, True)
    model.eval()
    hub.update_info('iter', 0)
    assert not model.text_locked()  # never locked outside training


def test_negatives_from_metainfo_and_disabled():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    inputs, samples, _ = make_batch(2)
    for s in samples:
        s.set_metainfo(dict(neg_texts=['zzz', s.gt_instances.texts[0]]))
    seen = {}
    orig = model.loss_module.forward

    def spy(sim_pos, owner, same, sim_neg=None, neg_valid=None):
        seen['neg'] = None if sim_neg is None else sim_neg.shape
        return orig(sim_pos, owner, same, sim_neg, neg_valid)

    model.loss_module.forward = spy
    model.loss(inputs, samples)
    assert seen['neg'] == (2, 1)  # own word removed from the negatives
    model.use_negatives = False
    model.loss(inputs, samples)
    assert seen['neg'] is None


def test_loss_matches_hand_computation():
    loss = AtomisticContrastiveLoss(init_temperature=1.0)
    # 2 images; image 0 has words q0, q1; image 1 has q2 (same text as q0).
    sim = torch.tensor([[0.9, 0.2, 0.5], [0.1, 0.3, 0.8]])
    owner = torch.tensor([0, 0, 1])
    same = torch.tensor([[True, True, True], [True, False, True]])
    neg = torch.tensor([[0.0], [0.4]])
    out = loss(sim, owner, same, neg)
    # T2I: q0 -> images {0 (pos), 1 excluded}: -log(1) = 0;
    # q1 -> {0 pos, 1}: -log(e^.2/(e^.2+e^.3)); q2 -> {1 pos, 0 excluded}.
    t2i = (0 - math.log(math.exp(.2) / (math.exp(.2) + math.exp(.3))) +
           0) / 3
    # I2T: row q0 (img 0): cols q0 (pos), q1 excl, q2 excl, neg0 -> .9 vs 0.
    r0 = -math.log(math.exp(.9) / (math.exp(.9) + math.exp(0.)))
    r1 = -math.log(math.exp(.2) / (math.exp(.2) + math.exp(0.)))
    # row q2 (img 1): q0 excl (same text), q1 (.3), q2 pos (.8), neg .4.
    r2 = -math.log(math.exp(.8) /
                   (math.exp(.3) + math.exp(.8) + math.exp(.4)))
    i2t = (r0 + r1 + r2) / 3
    assert out['loss_t2i'].item() == pytest.approx(0.5 * t2i, abs=1e-5)
    assert out['loss_i2t'].item() == pytest.approx(0.5 * i2t, abs=1e-5)
    # Padding negatives are excluded.
    out2 = loss(sim, owner, same, torch.tensor([[0.0, 5.], [0.4, 5.]]),
                torch.tensor([[True, False], [True, False]]))
    assert out2['loss_i2t'].item() == pytest.approx(0.5 * i2t, abs=1e-5)


def test_localisation_term_matches_hand_computation():
    """Optional term (not in the paper): the aggregated feature of pair q vs.
    every batch word incl. co-occurring words of the same image."""
    sim = torch.tensor([[0.9, 0.2, 0.5], [0.1, 0.3, 0.8]])
    owner = torch.tensor([0, 0, 1])
    same = torch.tensor([[True, True, True], [True, False, True]])
    # Rows: pairs; cols: 3 batch words + 1 negative of the owner.
    local = torch.tensor([[0.7, 0.6, 0.1, 0.0], [0.5, 0.2, 0.9, 0.3],
                          [0.4, 0.1, 0.6, 0.8]])
    excl = torch.tensor([[False, False, True, False],
                         [False, False, False, True],
                         [True, False, False, False]])
    off = AtomisticContrastiveLoss(init_temperature=1.0)
    assert 'loss_local' not in off(sim, owner, same, sim_local=local,
                                   local_excl=excl)
    on = AtomisticContrastiveLoss(init_temperature=1.0, local_weight=2.0)
    out = on(sim, owner, same, sim_local=local, local_excl=excl)

    def ce(row, t, keep):
        z = sum(math.exp(row[j]) for j in keep)
        return -math.log(math.exp(row[t]) / z)

    # Row 0: co-occurring word q1 (0.6) IS a negative; q2 (same text) not.
    ref = (ce(local[0].tolist(), 0, [0, 1, 3]) +
           ce(local[1].tolist(), 1, [0, 1, 2]) +
           ce(local[2].tolist(), 2, [1, 2, 3])) / 3
    assert out['loss_local'].item() == pytest.approx(2.0 * ref, abs=1e-5)
    # Eq. 6-7 terms are unchanged by the option.
    base = off(sim, owner, same)
    assert out['loss_i2t'].item() == pytest.approx(base['loss_i2t'].item())


def test_model_localisation_term_includes_cooccurring_words():
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_cfg(loss=dict(type='AtomisticContrastiveLoss', local_weight=1.)))
    inputs, samples, _ = make_batch(2, words_per_img=2)
    samples[1].gt_instances = InstanceData(
        texts=[samples[0].gt_instances.texts[0], 'zzq'],
        ignored=torch.zeros(2, dtype=torch.bool))
    seen = {}
    orig = model.loss_module.forward

    def spy(*args, **kw):
        seen.update(kw)
        return orig(*args, **kw)

    model.loss_module.forward = spy
    losses = model.loss(inputs, samples)
    assert torch.isfinite(losses['loss_local'])
    excl = seen['local_excl']
    assert seen['sim_local'].shape == excl.shape and excl.shape[0] == 4
    # Only the repeated word (q0 of image 0 == q2 of image 1) is excluded
    # among the batch words; co-occurring words stay as negatives.
    assert excl[:, :4].nonzero().tolist() == [[0, 2], [2, 0]]
    losses['loss_local'].backward()
    assert model.head.w_t.weight.grad.abs().sum() > 0


def test_temperature_is_clamped():
    loss = AtomisticContrastiveLoss(init_temperature=0.001)
    assert loss.scale().item() == pytest.approx(100.0, rel=1e-3)


def test_find_peaks_nms_topk_and_mapping():
    m = torch.full((10, 12), 0.001)
    m[2, 3], m[2, 4], m[7, 9] = 0.5, 0.45, 0.3
    m = m / m.sum()
    xy, val, mass = find_peaks(m, k=2, nms_kernel=5)
    # (2, 4) is suppressed by its stronger neighbour (2, 3).
    assert xy.tolist() == [[3., 2.], [9., 7.]]
    assert val[0] > val[1] and 0 < mass[1] < mass[0] <= 1
    xy1, _, _ = find_peaks(m, k=1, nms_kernel=1)
    assert xy1.tolist() == [[3., 2.]]
    pts = map_to_image(xy, 8, (0.5, 0.25))
    assert pts.tolist() == [[(3.5 * 8) / 0.5, (2.5 * 8) / 0.25],
                            [(9.5 * 8) / 0.5, (7.5 * 8) / 0.25]]
    with pytest.raises(ValueError):
        find_peaks(m, nms_kernel=4)


def test_predict_outputs_and_repeated_words():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg(test_cfg=dict(return_maps=True))).eval()
    inputs, samples, _ = make_batch(2)
    samples[0].gt_instances = InstanceData(
        texts=['Hot', 'xyz', 'HOT', '###'],
        ignored=torch.tensor([False, False, False, True]))
    samples[0].set_metainfo(dict(scale_factor=(0.5, 0.5)))
    out = model.predict(inputs, samples)
    p = out[0].pred_instances
    assert len(p) == 3 and p.points.shape == (3, 2)
    assert sorted(p.instance_ids.tolist()) == [0, 1, 2]
    assert sorted(t.lower() for t in p.texts) == ['hot', 'hot', 'xyz']
    hot = p.points[[t.lower() == 'hot' for t in p.texts]]
    assert not torch.equal(hot[0], hot[1])  # two different peaks
    # Coordinates are in the original frame (input / 0.5).
    assert (p.points >= 0).all() and (p.points <= 96 / 0.5).all()
    assert ((p.scores >= 0) & (p.scores <= 1)).all()
    assert out[0].metainfo['activation_maps'].shape == (2, 12, 12)
    assert out[0].metainfo['activation_texts'] == ['Hot', 'xyz']


@pytest.mark.parametrize('sim', ['dot', 'cosine'])
def test_loss_falls_on_tiny_overfit(sim):
    torch.manual_seed(0)
    model = MODELS.build(
        tiny_cfg(head=dict(type='SoftActivationHead', sim=sim)))
    model.init_weights()
    inputs, samples, _ = make_batch(4, seed=1)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    hist = []
    for _ in range(25):
        losses = model.loss(inputs, samples)
        total = losses['loss_t2i'] + losses['loss_i2t']
        opt.zero_grad()
        total.backward()
        opt.step()
        hist.append(total.item())
    assert np.mean(hist[-5:]) < 0.6 * np.mean(hist[:3])


def _hit_rate(model, inputs, samples, boxes, margin=4):
    out = model.predict(inputs, samples)
    hits = total = 0
    for s, bxs in zip(out, boxes):
        p = s.pred_instances
        for (x, y), i in zip(p.points.tolist(), p.instance_ids.tolist()):
            x1, y1, x2, y2 = bxs[i]
            hits += (x1 - margin <= x <= x2 + margin) and (y1 - margin <= y
                                                            <= y2 + margin)
            total += 1
    return hits / max(total, 1), total


def test_anchors_land_inside_the_right_word_when_maps_localise():
    """Anchor plumbing on a tiny overfit set: train the activation maps
    towards each word's centre (a supervised stand-in for a converged
    WeCromCL) and check that NMS / top-k / stride / scale_factor /
    instance assignment put every anchor inside the right word."""
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    model.init_weights()
    inputs, samples, boxes = make_batch(8, 3, seed=3)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(40):
        words = [list(model._image_words(s).keys()) for s in samples]
        feat, mask = model.extract_feat(inputs, samples)
        keys, values, pad = model._pixels(feat, mask)
        loss = 0
        for b in range(len(samples)):
            m, _ = model.head(model.encode_text(words[b]), keys[b:b + 1],
                              values[b:b + 1], pad[b:b + 1])
            for t, (x1, y1, x2, y2) in enumerate(boxes[b]):
                idx = int((y1 + y2) / 16) * 12 + int((x1 + x2) / 16)
                loss = loss - torch.log(m[0, t, idx] + 1e-9)
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.train()  # BN batch statistics (running stats are not converged)
    # Report in a 2x down-scaled "original" frame to exercise scale_factor.
    for s in samples:
        s.set_metainfo(dict(scale_factor=(2.0, 2.0), ori_shape=(48, 48)))
    half = [[tuple(v / 2 for v in b) for b in bx] for bx in boxes]
    rate, n = _hit_rate(model, inputs, samples, half, margin=2)
    assert n == 24 and rate == 1.0, rate


@pytest.mark.slow
def test_weak_training_localises_above_chance_slow():
    """Weakly supervised (contrastive only) training on a tiny overfit set.

    Honest bar: on a set this small the contrastive loss can be driven to
    ~0 by a global shortcut (every pixel encodes the image's word set), so
    localisation is only partial; we check it is well above chance
    (~4% here). See docs/wecromcl.md.
    """
    torch.manual_seed(0)
    cfg = tiny_cfg(
        encoder=None,
        backbone=dict(type='mmdet.ResNet', depth=18, base_channels=8,
                      num_stages=2, out_indices=(0, 1), strides=(1, 2),
                      dilations=(1, 1), init_cfg=None),
        neck=dict(type='BiFPN', in_channels=[8, 16], out_channels=16,
                  num_repeats=1))
    model = MODELS.build(cfg)
    model.init_weights()
    vocab = VOCAB + ['an', 'tree', 'ok', 'sun']
    inputs, samples, boxes = make_batch(16, 4, size=160, seed=3, vocab=vocab)
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0)
    for _ in range(100):
        losses = model.loss(inputs, samples)
        total = losses['loss_t2i'] + losses['loss_i2t']
        opt.zero_grad()
        total.backward()
        opt.step()
    rate, n = _hit_rate(model, inputs, samples, boxes)
    # Chance: a uniformly random point falls in the (expanded) word box.
    chance = np.mean([(x2 - x1 + 8) * (y2 - y1 + 8) / 160**2
                      for bxs in boxes for x1, y1, x2, y2 in bxs])
    assert n == 64 and rate >= 2.5 * chance, (rate, chance)


def test_negative_sampler():
    s = NegativeSampler(n_aug=6, vocab=['A', 'b', 'c', 'd', '###'], seed=0)
    assert s.vocab == ['a', 'b', 'c', 'd']
    for _ in range(20):
        neg = s.sample(['B', 'c'])
        assert len(neg) == 6 and not set(neg) & {'b', 'c'}
    e = NegativeSampler(n_aug=10, mode='edit', seed=0)
    for w in e.sample(['street']):
        assert w != 'street' and abs(len(w) - 6) <= 1
        if len(w) == 6:
            assert sum(a != b for a, b in zip(w, 'street')) == 1
    r = NegativeSampler(n_aug=3, seed=0)  # running vocabulary
    assert r.sample(['x']) == []
    r.observe(['x', 'y', 'z'])
    assert set(r.sample(['x'])) <= {'y', 'z'}
    with pytest.raises(ValueError, match='mode'):
        NegativeSampler(mode='hard')


def test_sample_negative_texts_transform():
    t = SampleNegativeTexts(n_aug=5, vocab=VOCAB, seed=1)
    res = t.transform(dict(gt_texts=['HOT', 'xyz', 'mw'],
                           gt_ignored=np.array([False, False, True])))
    assert len(res['neg_texts']) == 5
    assert not set(res['neg_texts']) & {'hot', 'xyz', 'mw'}
    with pytest.raises(ValueError, match='vocabulary'):
        SampleNegativeTexts(n_aug=2)


def test_images_without_usable_words():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg())
    inputs, samples, _ = make_batch(2)
    for s in samples:
        s.gt_instances = InstanceData(texts=['###', 'abc'],
                                      ignored=torch.tensor([True, True]))
    losses = model.loss(inputs, samples)
    assert losses['loss_i2t'].item() == 0 and losses['loss_i2t'].requires_grad
    model.eval()
    out = model.predict(inputs, samples)
    assert len(out[0].pred_instances) == 0
    assert out[0].pred_instances.points.shape == (0, 2)


def test_feature_collapse_measure():
    """studies/feature_collapse.py: hand cases and a collapsed encoder."""
    import importlib.util
    import os.path as osp
    path = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.dirname(
        osp.abspath(__file__))))), 'studies', 'feature_collapse.py')
    spec = importlib.util.spec_from_file_location('feature_collapse', path)
    fc = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fc)
    assert fc.mean_offdiag_cos(torch.ones(3, 4)) == pytest.approx(1.0)
    assert fc.mean_offdiag_cos(torch.eye(4)) == pytest.approx(0.0)
    # [1, 0], [1, 1]: one pair, cos = 1/sqrt(2)
    assert fc.mean_offdiag_cos(torch.tensor([[1., 0.], [1., 1.]])) == \
        pytest.approx(2**-0.5)
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg()).eval()
    with torch.no_grad():
        assert fc.mean_offdiag_cos(fc.text_features(model, VOCAB)) < 0.9
        # Collapse the encoder: zero the token embeddings (every word is then
        # its positional pattern only) and the positions -> same feature.
        model.text_encoder.token_embedding.weight.zero_()
        model.text_encoder.positional_embedding.zero_()
        assert fc.mean_offdiag_cos(fc.text_features(model, VOCAB)) > 0.999
