# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""CLIPImageEncoder(channels_last=True) is a pure speed switch."""
import torch

import mmocr_vlp  # noqa: F401
from mmocr.registry import MODELS


def _close(a, b, rel=1e-4):
    """Equal up to float rounding, relative to the tensor's scale."""
    err = float((a - b).abs().max())
    assert err <= rel * max(float(a.abs().max()), 1e-3), err


def _encoder(channels_last):
    torch.manual_seed(0)
    enc = MODELS.build(dict(
        type='CLIPImageEncoder',
        backbone=dict(type='OCLIPResNet', depth=26, base_channels=8,
                      norm_eval=False),
        input_size=64, num_heads=4, out_dims=32,
        channels_last=channels_last))
    enc.init_weights()
    return enc.train()


def test_same_outputs_and_grads_with_and_without_channels_last():
    ref, fast = _encoder(False), _encoder(True)
    fast.load_state_dict(ref.state_dict())
    convs = [m for m in fast.modules() if isinstance(m, torch.nn.Conv2d)]
    assert convs and all(
        m.weight.is_contiguous(memory_format=torch.channels_last)
        for m in convs)
    x = torch.randn(2, 3, 64, 96)
    feats = {}
    fast.backbone.register_forward_hook(
        lambda m, a, out: feats.update(last=out[-1]))
    outs = []
    for enc in (ref, fast):
        inp = x.clone().requires_grad_()
        glob, spatial, hw, _ = enc(inp)
        (glob.pow(2).sum() + spatial.sin().sum()).backward()
        outs.append((glob, spatial, hw, inp.grad,
                     {n: p.grad for n, p in enc.named_parameters()}))
    assert feats['last'].is_contiguous(memory_format=torch.channels_last)
    (g0, s0, hw0, x0, p0), (g1, s1, hw1, x1, p1) = outs
    assert hw0 == hw1 == (2, 3)
    for a, b in ((g0, g1), (s0, s1), (x0, x1)):
        _close(a, b)
    assert p0.keys() == p1.keys()
    # Parameter gradients (many are ~0, e.g. behind zero-init bn3 gains):
    # relative to the largest gradient.
    _close(torch.cat([p0[n].flatten() for n in p0]),
           torch.cat([p1[n].flatten() for n in p0]), rel=1e-3)
    # The state dict (exported trunk) is the same mmocr CLIPResNet layout.
    trunk = fast.trunk_state_dict()
    assert trunk.keys() == ref.trunk_state_dict().keys()
    assert all(v.is_contiguous() for v in trunk.values())
