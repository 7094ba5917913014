# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Inference rewrites of pseudo-labelling (conv+BN folding, channels_last,
embedding-bag deformable attention) keep the maps and anchors."""
import copy

import torch
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr_vlp.models.common.ms_deform_attn_cpu import fast_cpu_deform_attn
from mmocr_vlp.models.wecromcl.pseudo_labels import optimize_for_inference


def _model():
    init_default_scope('mmocr')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='WeCromCL',
        dictionary=dict(type='VLPDictionary', preset='lower_punct_space',
                        case='lower', max_len=25),
        backbone=dict(type='mmdet.ResNet', depth=18, base_channels=8,
                      out_indices=(1, 2, 3), init_cfg=None),
        neck=dict(type='BiFPN', in_channels=[16, 32, 64], out_channels=16,
                  num_repeats=1),
        encoder=dict(type='DeformableEncoder', num_layers=1, embed_dims=16,
                     num_heads=2, num_levels=3, num_points=2, ffn_dims=32,
                     dropout=0.0),
        text_encoder=dict(type='CharTextEncoder', embed_dims=32,
                          num_layers=1, num_heads=2, pooling='mean'),
        embed_dims=32,
        test_cfg=dict(return_maps=True)))
    model.init_weights()
    # Non-trivial BatchNorm statistics, so that folding them matters.
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 2.)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)
    return model.eval()


def _predict(model, inputs):
    s = TextSpottingDataSample(metainfo=dict(
        img_shape=(96, 128), ori_shape=(96, 128), scale_factor=(1., 1.)))
    words = ['shop', 'open', 'cafe', 'cafe']
    s.gt_instances = InstanceData(texts=words,
                                  ignored=torch.zeros(4, dtype=torch.bool))
    with torch.no_grad():
        return model.predict(inputs, [s])[0]


def test_same_maps_and_anchors():
    base = _model()
    fast = optimize_for_inference(copy.deepcopy(base))
    assert not any(isinstance(m, torch.nn.BatchNorm2d)
                   for m in fast.modules())
    convs = [m for m in fast.modules() if isinstance(m, torch.nn.Conv2d)]
    assert all(m.weight.is_contiguous(memory_format=torch.channels_last)
               for m in convs if m.weight.dim() == 4)
    inputs = torch.randn(1, 3, 96, 128, generator=torch.Generator()
                         .manual_seed(1))
    a = _predict(base, inputs)
    with fast_cpu_deform_attn():  # as iter_predictions runs it on CPU
        b = _predict(fast, inputs)
    ma = torch.as_tensor(a.metainfo['activation_maps'])
    mb = torch.as_tensor(b.metainfo['activation_maps'])
    assert float((ma - mb).abs().max()) <= 1e-4 * float(ma.abs().max())
    assert len(a.pred_instances) == len(b.pred_instances) == 4
    assert torch.equal(a.pred_instances.instance_ids,
                       b.pred_instances.instance_ids)
    assert float((a.pred_instances.points -
                  b.pred_instances.points).abs().max()) <= 1e-3


def test_amp_runs_backbone_and_neck_in_bf16_rest_fp32():
    from mmocr_vlp.models.common.amp import LowPrecision
    base = _model()
    fast = optimize_for_inference(copy.deepcopy(base), amp=True)
    assert isinstance(fast.backbone, LowPrecision)
    assert isinstance(fast.neck, LowPrecision)
    seen = {}
    fast.backbone.module.conv1.register_forward_hook(
        lambda m, a, o: seen.update(conv=o.dtype))
    fast.out_proj.register_forward_hook(
        lambda m, a, o: seen.update(out_proj=o.dtype))
    inputs = torch.randn(1, 3, 96, 128, generator=torch.Generator()
                         .manual_seed(1))
    a = _predict(base, inputs)
    with fast_cpu_deform_attn():
        b = _predict(fast, inputs)
    assert seen == dict(conv=torch.bfloat16, out_proj=torch.float32)
    ma = torch.as_tensor(a.metainfo['activation_maps'])
    mb = torch.as_tensor(b.metainfo['activation_maps'])
    assert mb.dtype == torch.float32
    assert float((ma - mb).abs().max()) <= 0.05 * float(ma.abs().max())
    assert len(b.pred_instances) == 4
