# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The paper configs: the official structure, ImageNet weights by URL."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import checkpoint as mm_ckpt
from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401

REPO = osp.abspath(osp.join(osp.dirname(__file__), '..', '..', '..'))
PAPER = osp.join(REPO, 'configs', 'wecromcl',
                 'wecromcl_resnet50_bifpn-deform_200k_synthtext.py')
URL = 'https://download.pytorch.org/models/resnet50-19c8e357.pth'


def _backbone_cfg(**kw):
    cfg = Config.fromfile(PAPER).model.backbone.to_dict()
    cfg.update(kw)
    return cfg


def test_paper_config_is_the_official_structure():
    cfg = Config.fromfile(PAPER)
    m = cfg.model
    assert m.backbone.init_cfg == dict(type='Pretrained', checkpoint=URL)
    assert m.backbone.out_indices == (0, 1, 2, 3)
    assert [n['type'] for n in m.neck] == ['BiFPN', 'LevelConcat']
    assert m.encoder.num_levels == 2 and m.feature_level == 1
    assert m.head.out_proj and m.loss.max_logit_scale is None
    assert m.positives == 'one_new' and not m.filter_negatives
    assert cfg.optim_wrapper.get('clip_grad') is None
    assert cfg.train_dataloader.batch_size == 16
    neg = [t for t in cfg.train_dataloader.dataset.pipeline
           if t['type'] == 'SampleNegativeTexts'][0]
    assert neg['lower'] is False and neg['distinct'] and neg['n_aug'] == 16


def test_imagenet_url_without_internet_is_a_clear_error(monkeypatch):
    def offline(*args, **kwargs):
        raise OSError('[Errno -3] Temporary failure in name resolution')

    monkeypatch.setattr(mm_ckpt, 'load_url', offline)
    backbone = MODELS.build(_backbone_cfg(depth=18))
    with pytest.raises(RuntimeError) as e:
        backbone.init_weights()
    msg = str(e.value)
    assert URL in msg and 'model.backbone.init_cfg.checkpoint' in msg
    assert 'resnet50-19c8e357.pth' in msg


def test_imagenet_weights_from_a_local_file(tmp_path):
    """The same Pretrained init with a local torchvision-layout file (the
    torchvision names are mmdet ResNet's; the unused ``fc`` is skipped)."""
    torch.manual_seed(0)
    src = MODELS.build(_backbone_cfg(depth=18, init_cfg=None))
    sd = {k: torch.randn_like(v) if v.is_floating_point() else v
          for k, v in src.state_dict().items()}
    sd['fc.weight'] = torch.zeros(1000, 512)
    sd['fc.bias'] = torch.zeros(1000)
    path = str(tmp_path / 'resnet18-imagenet.pth')
    torch.save(sd, path)
    dst = MODELS.build(
        _backbone_cfg(depth=18,
                      init_cfg=dict(type='Pretrained', checkpoint=path)))
    dst.init_weights()
    for k, v in dst.state_dict().items():
        torch.testing.assert_close(v, sd[k], rtol=0, atol=0)
