# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Detectors (mmocr's DBNet, PSENet, FCENet and our TextBPN) built from our
configs start from an exported oCLIP backbone, train one iteration and predict on CPU."""
import copy
import math

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmocr.structures import TextDetDataSample

import mmocr_vlp  # noqa: F401
from mmocr.registry import MODELS
from mmocr_vlp.utils.ckpt_convert import save_backbone

CONFIGS = [
    'configs/textdet/dbnet/dbnet_resnet-tiny-oclip-vlp_fpnc_10e_synth-cpu.py',
    'configs/textdet/psenet/psenet_resnet-tiny-oclip-vlp_fpnf_2e_synth-cpu.py',
    'configs/textdet/fcenet/fcenet_resnet-tiny-oclip-vlp_fpn_2e_synth-cpu.py',
    'configs/textdet/textbpn/textbpn_resnet-tiny-oclip-vlp_fpnc_12e_synth-cpu.py',
]
PAPER_CONFIGS = [
    'configs/textdet/dbnet/dbnet_resnet50-oclip-vlp_fpnc_1200e_icdar2015.py',
    'configs/textdet/psenet/psenet_resnet50-oclip-vlp_fpnf_600e_icdar2015.py',
    'configs/textdet/fcenet/fcenet_resnet50-oclip-vlp_fpn_1500e_icdar2015.py',
]


@pytest.fixture(scope='module')
def exported(tmp_path_factory):
    """Backbone exported from the CPU pre-training config's image encoder."""
    init_default_scope('mmocr')
    cfg = Config.fromfile('configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py')
    torch.manual_seed(0)
    enc = MODELS.build(cfg.model.image_encoder)
    for p in enc.backbone.parameters():  # distinguishable from any init
        p.data.uniform_(-0.05, 0.05)
    path = str(tmp_path_factory.mktemp('oclip') / 'backbone.pth')
    sd = save_backbone({f'backbone.{k}': v
                        for k, v in enc.backbone.state_dict().items()}, path)
    return path, sd


def _sample(size=160):
    ds = TextDetDataSample(
        metainfo=dict(img_shape=(size, size), ori_shape=(size, size),
                      pad_shape=(size, size), scale_factor=(1., 1.),
                      img_path='synthetic.jpg'))
    inst = InstanceData()
    inst.polygons = [
        np.array([20, 60, 140, 60, 140, 100, 20, 100], np.float32),
        np.array([30, 110, 100, 110, 100, 140, 30, 140], np.float32)
    ]
    inst.bboxes = torch.tensor([[20., 60., 140., 100.], [30., 110., 100.,
                                                         140.]])
    inst.labels = torch.zeros(2, dtype=torch.long)
    inst.ignored = torch.zeros(2, dtype=torch.bool)
    ds.gt_instances = inst
    img = torch.full((3, size, size), 30, dtype=torch.uint8)
    img[:, 60:100, 20:140] = 220
    img[:, 110:140, 30:100] = 200
    return dict(inputs=[img], data_samples=[ds])


@pytest.mark.parametrize('cfg_path', CONFIGS)
def test_detector_trains_and_predicts_from_exported_backbone(
        cfg_path, exported):
    path, sd = exported
    init_default_scope('mmocr')
    cfg = Config.fromfile(cfg_path)
    assert cfg.model.backbone.type == 'CLIPResNet'  # mmocr's own class
    assert cfg.val_evaluator.type == 'HmeanIOUMetric'
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=path)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    for k, v in sd.items():
        torch.testing.assert_close(model.backbone.state_dict()[k], v, msg=k)

    optim = build_optim_wrapper(
        model, dict(type='OptimWrapper',
                    optimizer=dict(type='Adam', lr=1e-3)))
    model.train()
    before = model.backbone.stem[0].weight.detach().clone()
    log = model.train_step(copy.deepcopy(_sample()), optim)
    assert math.isfinite(float(log['loss']))
    assert not torch.equal(before, model.backbone.stem[0].weight)

    model.eval()
    with torch.no_grad():
        preds = model.test_step(_sample())
    assert len(preds) == 1
    pred = preds[0].pred_instances
    assert 'polygons' in pred and 'scores' in pred
    assert len(pred.polygons) == len(pred.scores)


@pytest.mark.parametrize('cfg_path', PAPER_CONFIGS)
def test_paper_finetune_configs_swap_backbone(cfg_path):
    cfg = Config.fromfile(cfg_path)
    bb = cfg.model.backbone
    assert bb.type == 'CLIPResNet'
    assert bb.init_cfg == dict(type='Pretrained', checkpoint=cfg.oclip_ckpt)
    assert 'mmocr_vlp' in cfg.custom_imports.imports
    if 'fcenet' in cfg_path:
        assert tuple(bb.out_indices) == (1, 2, 3)


@pytest.mark.parametrize('cfg_path', CONFIGS)
def test_from_scratch_arm_uses_pytorch_init(cfg_path, tmp_path):
    """``oclip_ckpt = None`` gives PyTorch's conv init with BN gains 1, not
    mmdet's ResNet default (Kaiming normal, fan-out), with which the CPU
    DBNet stayed in the all-background state (docs/oclip.md, "Session 5")."""
    import os.path as osp
    text = open(cfg_path).read()
    if 'oclip_ckpt = None' not in text:  # a copy with the variable at None
        src_dir = osp.abspath(osp.dirname(cfg_path))
        text = text.replace(
            "'../_base_synth-cpu.py'",
            repr(osp.join(src_dir, '..', '_base_synth-cpu.py')))
        lines = [('oclip_ckpt = None' if ln.startswith('oclip_ckpt =')
                  else ln) for ln in text.splitlines()]
        cfg_path = tmp_path / osp.basename(cfg_path)
        cfg_path.write_text('\n'.join(lines) + '\n')
    init_default_scope('mmocr')
    cfg = Config.fromfile(str(cfg_path))
    assert cfg.model.backbone.init_cfg == dict(
        type='Constant', val=1, layer='_BatchNorm')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    bns = [m for m in model.backbone.modules()
           if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    assert len(bns) > 10
    for m in bns:
        assert torch.all(m.weight == 1), m
    # PyTorch's default conv init: uniform within 1 / sqrt(fan_in) (mmdet's
    # Kaiming fan-out draws e.g. 0.47 where this bound is 0.083)
    convs = [m for m in model.backbone.modules()
             if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) > 10
    for conv in convs:
        fan_in = conv.weight[0].numel()
        assert conv.weight.abs().max() <= fan_in**-0.5 + 1e-6, conv
