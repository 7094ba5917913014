# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Export of the oCLIP image-encoder trunk to mmocr's CLIPResNet and back."""
import os.path as osp
import sys
from types import SimpleNamespace

import pytest
import torch

import mmocr_vlp  # noqa: F401
from mmocr.models import CLIPResNet
from mmocr.registry import MODELS
from mmocr_vlp.utils import ckpt_convert as cc

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, osp.join(ROOT, 'tools'))
import export_backbone  # noqa: E402


def _encoder(base_channels=8, depth=50, seed=0):
    torch.manual_seed(seed)
    enc = MODELS.build(
        dict(type='CLIPImageEncoder',
             backbone=dict(type='OCLIPResNet', depth=depth,
                           base_channels=base_channels),
             input_size=64, num_heads=4, out_dims=16))
    enc.init_weights()
    # Non-trivial BN statistics so that a key mix-up would show.
    for m in enc.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-.1, .1)
            m.running_var.uniform_(.5, 1.5)
            m.weight.data.uniform_(.5, 1.5)
            m.bias.data.uniform_(-.1, .1)
    return enc.eval()


def test_rn50_keys_equal_mmocr_clipresnet():
    ours = MODELS.build(dict(type='OCLIPResNet', depth=50)).state_dict()
    theirs = CLIPResNet().state_dict()
    assert set(ours) == set(theirs)
    for k in ours:
        assert ours[k].shape == theirs[k].shape, k


def test_export_tool_loads_into_mmocr_with_identical_outputs(tmp_path):
    enc = _encoder()
    ckpt = tmp_path / 'oclip.pth'
    # A training checkpoint of the full model: keys under image_encoder.
    torch.save(dict(state_dict={f'image_encoder.{k}': v
                                for k, v in enc.state_dict().items()},
                    meta=dict(epoch=1)), ckpt)
    out = tmp_path / 'backbone.pth'
    assert export_backbone.main([str(ckpt), str(out)]) == 0
    saved = torch.load(out, weights_only=True)
    assert set(saved) == {'state_dict', 'meta'}
    assert all(isinstance(v, torch.Tensor)
               for v in saved['state_dict'].values())

    det_backbone = CLIPResNet(base_channels=8)
    det_backbone.eval()  # mmdet ResNet.train() returns None
    res = det_backbone.load_state_dict(saved['state_dict'], strict=False)
    assert res.missing_keys == [] and res.unexpected_keys == []

    # Through mmocr's own Pretrained init, as the detector configs do.
    via_init = CLIPResNet(
        base_channels=8,
        init_cfg=dict(type='Pretrained', checkpoint=str(out)))
    via_init.init_weights()
    via_init.eval()

    x = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        ref = enc.backbone(x)[-1]
        outs = det_backbone(x)
        outs2 = via_init(x)
    assert len(outs) == 4
    torch.testing.assert_close(outs[-1], ref, rtol=0, atol=0)
    torch.testing.assert_close(outs2[-1], ref, rtol=0, atol=0)


def test_official_layout_roundtrip_and_names(tmp_path):
    enc = _encoder()
    mm = cc.to_mmocr({f'image_encoder.{k}': v
                      for k, v in enc.state_dict().items()})
    off = cc.mmocr_to_official(mm)
    # Official CLIP ModifiedResNet names.
    assert 'visual.conv1.weight' in off and 'visual.bn3.running_var' in off
    assert off['visual.conv1.weight'].shape == (4, 3, 3, 3)  # width/2
    assert off['visual.layer1.0.downsample.0.weight'].shape == (32, 8, 1, 1)
    assert 'visual.layer1.0.downsample.1.running_mean' in off
    assert not any('stem' in k for k in off)
    back = cc.official_to_mmocr(off)
    assert list(back) == list(mm)
    for k in mm:
        assert back[k] is mm[k]
    # An official full checkpoint also carries attnpool + text weights.
    full = dict(off)
    full.update({f'visual.attnpool.{k}': v
                 for k, v in enc.attnpool.state_dict().items()})
    full['transformer.resblocks.0.attn.in_proj_weight'] = torch.zeros(3, 3)
    full['logit_scale'] = torch.tensor(1.)
    wrapped = dict(state_dict={f'module.{k}': v for k, v in full.items()})
    assert cc.detect_layout(cc.unwrap_state_dict(wrapped)) == 'official'
    assert list(cc.to_mmocr(wrapped)) == list(mm)
    # ...and initialises our whole image encoder (trunk + attention pool).
    path = tmp_path / 'official.pt'
    torch.save(wrapped, path)
    fresh = _encoder(seed=1)
    fresh.load_pretrained(str(path))
    for k, v in enc.state_dict().items():
        torch.testing.assert_close(fresh.state_dict()[k], v, msg=k)


def test_image_encoder_initialises_from_mmocr_checkpoint(tmp_path):
    """Reverse direction: an mmocr-format oCLIP backbone (what mmocr
    publishes as resnet50-oclip-*.pth) initialises our image encoder."""
    src = CLIPResNet(base_channels=8)
    for p in src.parameters():
        p.data.normal_()
    path = tmp_path / 'resnet50-oclip-test.pth'
    torch.save(dict(state_dict=src.state_dict()), path)
    enc = MODELS.build(
        dict(type='CLIPImageEncoder',
             backbone=dict(type='OCLIPResNet', depth=50, base_channels=8),
             input_size=64, num_heads=4, out_dims=16, pretrained=str(path)))
    enc.init_weights()
    for k, v in src.state_dict().items():
        torch.testing.assert_close(enc.backbone.state_dict()[k], v, msg=k)
    # Or with mmengine's Pretrained init on the backbone itself.
    enc2 = MODELS.build(
        dict(type='CLIPImageEncoder',
             backbone=dict(type='OCLIPResNet', depth=50, base_channels=8,
                           init_cfg=dict(type='Pretrained',
                                         checkpoint=str(path))),
             input_size=64, num_heads=4, out_dims=16))
    enc2.init_weights()
    for k, v in src.state_dict().items():
        torch.testing.assert_close(enc2.backbone.state_dict()[k], v, msg=k)


def test_export_hook_writes_backbone(tmp_path):
    from mmocr.registry import HOOKS
    model = MODELS.build(
        dict(type='OCLIP',
             dictionary=dict(type='VLPDictionary', preset='alnum_lower',
                             max_len=8),
             image_encoder=dict(
                 type='CLIPImageEncoder',
                 backbone=dict(type='OCLIPResNet', depth=50, base_channels=8),
                 input_size=64, num_heads=4, out_dims=16),
             text_encoder=dict(embed_dims=16, num_layers=1, num_heads=2),
             decoder=dict(num_layers=1, num_heads=2)))
    hook = HOOKS.build(dict(type='ExportBackboneHook'))
    logs = []
    runner = SimpleNamespace(
        model=model, work_dir=str(tmp_path),
        logger=SimpleNamespace(info=logs.append, warning=logs.append))
    hook.after_train(runner)
    path = tmp_path / 'backbone_clipresnet.pth'
    assert path.exists() and hook.out_path == str(path)
    sd = torch.load(path, weights_only=True)['state_dict']
    res = CLIPResNet(base_channels=8).load_state_dict(sd, strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    assert 'wrote' in logs[0]


def test_bad_checkpoint_layout_is_reported(tmp_path):
    path = tmp_path / 'bad.pth'
    torch.save({'foo.weight': torch.zeros(1)}, path)
    with pytest.raises(KeyError, match='unrecognised checkpoint layout'):
        export_backbone.main([str(path), str(tmp_path / 'o.pth')])
