# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Parity with the official WeCromCL code on a tiny configuration.

The fixture (``tests/data/wecromcl_parity/official_tiny.npz``, regenerated
by ``tests/data/wecromcl_parity/regenerate.py``, see docs/wecromcl.md)
holds the official key layout, the inputs and the official outputs. The
official state dict is rebuilt from ``parity.py``, converted by
``convert_official_wecromcl`` and loaded strictly into the paper config
shrunk the same way (ResNet-18, 1 deformable layer, 1 text layer).
"""
import importlib.util
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr_vlp.models.wecromcl.official_checkpoint import \
    convert_official_wecromcl

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
ATOL = 1e-5


def load_parity():
    """``tests/data/wecromcl_parity/parity.py`` (shared with the fixture's
    generator)."""
    spec = importlib.util.spec_from_file_location(
        'parity', osp.join(REPO, 'tests', 'data', 'wecromcl_parity',
                           'parity.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


parity = load_parity()


@pytest.fixture(scope='module')
def fixture():
    return parity.load_fixture()


@pytest.fixture(scope='module')
def official_sd(fixture):
    return parity.official_state_dict(fixture)


@pytest.fixture(scope='module')
def model(official_sd):
    torch.manual_seed(0)
    m = MODELS.build(parity.tiny_paper_model_cfg())
    m.load_state_dict(convert_official_wecromcl(official_sd), strict=True)
    return m.eval()


def test_image_features_match(model, fixture):
    with torch.no_grad():
        feat, _ = model.extract_feat(torch.from_numpy(fixture['images']))
    ref = torch.from_numpy(fixture['feature'])
    assert feat.shape == ref.shape
    torch.testing.assert_close(feat, ref, atol=ATOL, rtol=0)


def test_text_features_match(model, fixture):
    keys = [model.word_key(t) for t in fixture['pos_texts']]
    neg = [model.word_key(t) for ts in fixture['neg_texts'] for t in ts]
    with torch.no_grad():
        torch.testing.assert_close(model.encode_text(keys),
                                   torch.from_numpy(fixture['text_pos']),
                                   atol=ATOL, rtol=0)
        torch.testing.assert_close(model.encode_text(neg),
                                   torch.from_numpy(fixture['text_neg']),
                                   atol=ATOL, rtol=0)


def test_activation_maps_and_similarities_match(model, fixture):
    images = torch.from_numpy(fixture['images'])
    pos = [model.word_key(t) for t in fixture['pos_texts']]
    with torch.no_grad():
        feat, mask = model.extract_feat(images)
        keys, values, pad = model._pixels(feat, mask)
        for b, negs in enumerate(fixture['neg_texts']):
            words = pos + [model.word_key(t) for t in negs]
            text = model.encode_text(words)
            maps, agg = model.head(text, keys[b:b + 1], values[b:b + 1],
                                   pad[b:b + 1])
            torch.testing.assert_close(maps[0],
                                       torch.from_numpy(fixture['maps'][b]),
                                       atol=ATOL, rtol=0)
            sims = F.cosine_similarity(agg[0], text, dim=-1)
            torch.testing.assert_close(sims,
                                       torch.from_numpy(fixture['sims'][b]),
                                       atol=ATOL, rtol=0)


def test_loss_matches(model, fixture):
    """The whole training loss path: one positive per image, the given
    negatives as metainfo, unclamped temperature, no exclusions."""
    images = torch.from_numpy(fixture['images'])
    samples = []
    for text, negs in zip(fixture['pos_texts'], fixture['neg_texts']):
        s = TextSpottingDataSample(metainfo=dict(img_shape=(64, 64),
                                                 neg_texts=list(negs)))
        s.gt_instances = InstanceData(texts=[text])
        samples.append(s)
    with torch.no_grad():
        losses = model.loss(images, samples)
    total = losses['loss_t2i'] + losses['loss_i2t']
    assert total.item() == pytest.approx(float(fixture['loss']), abs=ATOL)


def test_converter_names_unknown_and_missing_keys(official_sd):
    sd = dict(official_sd)
    sd['attn_pool.extra.weight'] = torch.zeros(1)
    del sd['ln_final.bias']
    with pytest.raises(KeyError) as e:
        convert_official_wecromcl(sd)
    assert 'attn_pool.extra.weight' in str(e.value)
    assert 'ln_final.bias' in str(e.value)
    # DataParallel prefix and a 'state_dict' wrapper are accepted.
    wrapped = {'state_dict': {'module.' + k: v
                              for k, v in official_sd.items()}}
    assert set(convert_official_wecromcl(wrapped)) == set(
        convert_official_wecromcl(official_sd))
