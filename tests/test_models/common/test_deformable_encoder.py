# Copyright (c) mmocr_vlp contributors. All rights reserved.
import pytest
import torch

from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401  (registers modules)
from mmocr_vlp.models.common.deformable_encoder import (DeformableEncoder,
                                                        masks_from_img_shapes)

SHAPES = [(12, 16), (6, 8), (3, 4)]


def _enc(**kw):
    cfg = dict(type='DeformableEncoder', num_layers=2, embed_dims=32,
               num_heads=4, num_levels=3, num_points=2, ffn_dims=64,
               dropout=0.0)
    cfg.update(kw)
    return MODELS.build(cfg)


def test_shapes_and_registry():
    torch.manual_seed(0)
    enc = _enc()
    enc.init_weights()
    assert isinstance(enc, DeformableEncoder)
    feats = [torch.randn(2, 32, h, w) for h, w in SHAPES]
    outs = enc(feats)
    assert [tuple(o.shape) for o in outs] == [(2, 32, h, w) for h, w in SHAPES]
    # The encoder changes the features (not an identity pass-through).
    assert not torch.allclose(outs[0], feats[0])
    assert all(torch.isfinite(o).all() for o in outs)


def test_bad_inputs_raise():
    enc = _enc()
    with pytest.raises(ValueError, match='levels'):
        enc([torch.randn(1, 32, 4, 4)] * 2)
    with pytest.raises(ValueError, match='expected'):
        enc([torch.randn(1, 16, 4, 4)] * 3)


def test_padding_aware_matches_unpadded():
    """A padded image's valid region encodes like the image alone."""
    torch.manual_seed(0)
    enc = _enc().eval()
    enc.init_weights()
    small = [(8, 10), (4, 5), (2, 3)]
    feats_small = [torch.randn(1, 32, h, w) for h, w in small]
    ref = enc(feats_small)
    feats_pad, masks = [], []
    for f, (H, W) in zip(feats_small, SHAPES):
        h, w = f.shape[-2:]
        fp = torch.randn(2, 32, H, W)  # image 1: garbage outside the crop
        fp[0, :, :h, :w] = f[0]
        m = torch.zeros(2, H, W, dtype=torch.bool)
        m[0, h:, :] = True
        m[0, :, w:] = True
        feats_pad.append(fp)
        masks.append(m)
    with torch.no_grad():
        outs = enc(feats_pad, masks)
    for o, r in zip(outs, ref):
        h, w = r.shape[-2:]
        torch.testing.assert_close(o[0, :, :h, :w], r[0], atol=1e-4,
                                   rtol=1e-4)


def test_gradients_reach_every_parameter():
    torch.manual_seed(0)
    enc = _enc(dropout=0.1)
    enc.init_weights()
    feats = [torch.randn(2, 32, h, w, requires_grad=True) for h, w in SHAPES]
    # At init mmcv zeroes the offset/attention-weight projections, so the
    # positional/level embeddings get gradient only after one step.
    opt = torch.optim.SGD(enc.parameters(), lr=0.1)
    for _ in range(2):
        opt.zero_grad()
        loss = sum((o**2).mean() for o in enc(feats))
        loss.backward()
        opt.step()
    for name, p in enc.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    assert feats[2].grad.abs().sum() > 0


def test_masks_from_img_shapes():
    masks = masks_from_img_shapes([(32, 16), (16, 32)], (32, 32),
                                  [(8, 8), (4, 4)])
    assert masks[0].shape == (2, 8, 8) and masks[0].dtype == torch.bool
    assert not masks[0][0, :, :4].any() and masks[0][0, :, 4:].all()
    assert not masks[1][1, :2].any() and masks[1][1, 2:].all()
    ratios = DeformableEncoder.get_valid_ratio(masks[0])
    torch.testing.assert_close(ratios, torch.tensor([[0.5, 1.0], [1.0, 0.5]]))


@pytest.mark.parametrize('levels', [[1], [0, 2], [2]])
def test_out_levels_same_outputs_and_gradients(levels):
    """Computing only some levels' queries in the last layer changes
    nothing for those levels, outputs nor gradients (padding included)."""
    torch.manual_seed(0)
    enc = _enc()
    enc.init_weights()
    feats = [torch.randn(2, 32, h, w, requires_grad=True) for h, w in SHAPES]
    masks = masks_from_img_shapes([(48, 64), (40, 44)], (48, 64), SHAPES)
    full = enc(feats, masks)
    part = enc(feats, masks, out_levels=levels)
    assert [o is None for o in part] == [i not in levels
                                         for i in range(len(SHAPES))]
    grads = []
    for outs in ([full[i] for i in levels], [part[i] for i in levels]):
        for o, r in zip(outs, [full[i] for i in levels]):
            torch.testing.assert_close(o, r, rtol=1e-5, atol=1e-5)
        loss = sum((o * o.detach().sin()).sum() for o in outs)
        grads.append(torch.autograd.grad(loss, feats + list(
            enc.parameters()), allow_unused=True))
    for a, b in zip(*grads):
        if a is None or b is None:
            assert a is None and b is None
        else:
            torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
    with pytest.raises(ValueError, match='out_levels'):
        enc(feats, masks, out_levels=[3])
