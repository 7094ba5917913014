# Copyright (c) mmocr_vlp contributors. All rights reserved.
import pytest
import torch

from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401  (registers modules)
from mmocr_vlp.models.common.bifpn import BiFPN


def _inputs(b=2, sizes=((32, 40), (16, 20), (8, 10))):
    chans = [8, 16, 32]
    return [torch.randn(b, c, h, w) for c, (h, w) in zip(chans, sizes)]


def test_shapes_with_extra_levels():
    torch.manual_seed(0)
    neck = MODELS.build(dict(type='BiFPN', in_channels=[8, 16, 32],
                             out_channels=16, num_outs=5, num_repeats=2))
    assert isinstance(neck, BiFPN)
    neck.init_weights()
    outs = neck(_inputs())
    assert isinstance(outs, tuple)
    assert [tuple(o.shape) for o in outs] == [(2, 16, 32, 40), (2, 16, 16, 20),
                                              (2, 16, 8, 10), (2, 16, 4, 5),
                                              (2, 16, 2, 3)]


def test_odd_sizes_and_start_level():
    neck = BiFPN(in_channels=[8, 16, 32], out_channels=8, start_level=1,
                 num_repeats=1, separable=False)
    outs = neck(_inputs(b=1, sizes=((33, 17), (17, 9), (9, 5))))
    assert [tuple(o.shape[-2:]) for o in outs] == [(17, 9), (9, 5)]


def test_fusion_weights_and_all_params_get_gradients():
    torch.manual_seed(0)
    neck = BiFPN(in_channels=[8, 16, 32], out_channels=16, num_outs=4)
    outs = neck(_inputs())
    sum(o.mean() * (i + 1) for i, o in enumerate(outs)).backward()
    for name, p in neck.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_fusion_is_normalised():
    """EfficientDet fast fusion: equal inputs give that input back."""
    from mmocr_vlp.models.common.bifpn import WeightedFusion
    fuse = WeightedFusion(3, 4, norm_cfg=None, act_cfg=None, eps=0.0)
    fuse.weight.data = torch.tensor([0.2, 3.0, -1.0])  # relu -> 0 weight
    captured = {}
    fuse.conv.register_forward_hook(
        lambda m, i, o: captured.setdefault('x', i[0]))
    x = torch.randn(1, 4, 5, 5)
    fuse([x, x, torch.full_like(x, 100.)])
    torch.testing.assert_close(captured['x'], x)


def test_bad_config_raises():
    with pytest.raises(ValueError, match='num_outs'):
        BiFPN(in_channels=[8, 16, 32], num_outs=2)
    neck = BiFPN(in_channels=[8, 16], out_channels=8)
    with pytest.raises(ValueError, match='input levels'):
        neck(_inputs())
