# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Our OCLIP (paper config) computes the official oCLIP function.

``tests/data/oclip/official_tiny.npz`` holds a tiny official model's state
dict, inputs and outputs, produced by running github.com/bytedance/oclip
(``tools/oclip_parity_fixture.py``; docs/oclip.md gives the commands).
The state dict is converted with ``official_oclip_to_ours`` and every
output must agree within 1e-5.
"""
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

from mmocr_vlp.utils.ckpt_convert import (check_state_dict,
                                          official_oclip_to_ours,
                                          ours_to_mmocr)

REPO = Path(__file__).resolve().parents[3]
FIXTURE = REPO / 'tests' / 'data' / 'oclip' / 'official_tiny.npz'
PAPER_CFG = REPO / 'configs' / 'oclip' / 'oclip_resnet50_100e_synthtext.py'
MASK, EOS = 95, 96
TOL = dict(atol=1e-5, rtol=1e-5)


@pytest.fixture(scope='module')
def fixture():
    data = np.load(FIXTURE)
    out = {'sd': {}}
    for k in data.files:
        v = data[k]
        if k == 'config':
            out[k] = json.loads(str(v))
        elif k.startswith('sd/'):
            t = torch.from_numpy(v)
            out['sd'][k[3:]] = t.float() if t.is_floating_point() else t
        else:
            t = torch.from_numpy(np.asarray(v))
            out[k] = t.float() if t.is_floating_point() else t
    return out


def tiny_paper_model(official_cfg):
    """The paper config with the fixture's sizes (nothing else changed)."""
    c = official_cfg
    cfg = Config.fromfile(str(PAPER_CFG)).model
    cfg.image_encoder.backbone.base_channels = c['vision_width']
    cfg.image_encoder.input_size = c['image_resolution']
    cfg.image_encoder.num_heads = c['vision_width'] * 32 // 64
    cfg.image_encoder.out_dims = c['embed_dim']
    cfg.text_encoder.update(embed_dims=c['transformer_width'],
                            num_layers=c['transformer_layers'],
                            num_heads=c['transformer_heads'])
    cfg.decoder.update(num_layers=c['transformer_decoder_layers'],
                       num_heads=c['transformer_heads'])
    return MODELS.build(cfg)


def data_samples(texts, chars):
    """Our inputs for the official (B, 32, 25) masked token rows."""
    samples = []
    for rows, labels in zip(texts, chars):
        keep = rows.ne(0).any(1)
        masked, lab = rows[keep], labels[keep]
        clean = masked.clone()
        clean[masked == MASK] = lab
        ds = TextSpottingDataSample(metainfo=dict(img_path='fixture'))
        inst = InstanceData()
        inst.tokens, inst.masked_tokens, inst.mask_labels = clean, masked, lab
        inst.ignored = torch.zeros(len(lab), dtype=torch.bool)
        ds.gt_instances = inst
        samples.append(ds)
    return samples


@pytest.fixture(scope='module')
def ours(fixture):
    torch.manual_seed(0)
    model = tiny_paper_model(fixture['config'])
    sd = official_oclip_to_ours(fixture['sd'], model.state_dict())
    missing, unexpected = model.load_state_dict(sd, strict=True)
    assert not missing and not unexpected
    return model.eval()


def test_paper_config_outputs_match_official(fixture, ours):
    f = fixture
    samples = data_samples(f['texts'], f['masked_chars'])
    with torch.no_grad():
        out = ours._run(f['images'], samples, training=True)
        losses = ours.loss(f['images'], samples)
    n_words = out['words'].slot.max().item() + 1
    torch.testing.assert_close(
        F.normalize(out['img_embeds'], dim=-1), f['image_features'], **TOL)
    torch.testing.assert_close(
        F.normalize(out['text_embeds'], dim=-1), f['text_features'], **TOL)
    torch.testing.assert_close(
        out['word_embeds'], f['word_features'][:, :n_words].flatten(0, 1),
        **TOL)
    torch.testing.assert_close(
        out['mask_logits'], f['text_logits'][:, :n_words].flatten(0, 1),
        **TOL)
    torch.testing.assert_close(losses['loss_cls'], f['char_loss'], **TOL)
    torch.testing.assert_close(losses['loss_bc'], f['clip_loss'], **TOL)
    # The fixture exercises the official corner cases: an empty slot
    # (averaged into the text feature) and a word cut to 24 chars + EOS.
    assert n_words == 3 and (f['texts'][:, :, 24] == EOS).any()


def test_round_trip_to_mmocr_clipresnet(fixture, ours):
    """official -> ours -> mmocr CLIPResNet: no missing/unexpected keys."""
    from mmocr.models.common.backbones import CLIPResNet
    trunk = ours_to_mmocr(ours.state_dict())
    target = CLIPResNet(base_channels=fixture['config']['vision_width'])
    missing, unexpected = target.load_state_dict(trunk, strict=True)
    assert not missing and not unexpected
    for k, v in trunk.items():
        torch.testing.assert_close(target.state_dict()[k], v)
    assert torch.equal(trunk['stem.0.weight'],
                       fixture['sd']['visual.conv1.weight'])


def test_converter_errors_name_the_keys(fixture, ours):
    sd = dict(fixture['sd'])
    ref = ours.state_dict()
    module = {f'module.{k}': v for k, v in sd.items()}
    assert official_oclip_to_ours(module, ref).keys() == \
        official_oclip_to_ours(sd, ref).keys()
    with pytest.raises(KeyError, match='unknown keys.*visual_extra'):
        official_oclip_to_ours(dict(sd, **{'visual_extra': sd['image_pos']}))
    bad = dict(sd)
    bad['visual.extra_head.weight'] = bad['image_pos']
    with pytest.raises(KeyError, match='unexpected keys.*extra_head'):
        official_oclip_to_ours(bad, ref)
    del bad['visual.extra_head.weight'], bad['text_class.bias']
    with pytest.raises(KeyError, match=r"missing keys \['decoder.text_class"):
        official_oclip_to_ours(bad, ref)
    bad = dict(sd, image_pos=sd['image_pos'][:1])
    with pytest.raises(ValueError, match='decoder.image_pos'):
        official_oclip_to_ours(bad, ref)
    with pytest.raises(KeyError, match='missing keys'):
        check_state_dict({}, ref, 'x')
