# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""AmpOptimWrapper on CPU: bfloat16 autocast, float32 islands, --amp."""
import importlib.util
import math
import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextSpottingDataSample

import mmocr_vlp  # noqa: F401
from mmocr_vlp.engine.optim import AmpOptimWrapper
from mmocr_vlp.models.common.amp import fp32_forward

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
OCLIP_CPU = osp.join(REPO, 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py')
WECROMCL_CPU = osp.join(
    REPO, 'configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py')


def _oclip_batch(model, n=2, size=64, words_per_img=3, seed=0):
    rng = np.random.default_rng(seed)
    d = model.dictionary
    inputs, samples = [], []
    for _ in range(n):
        inputs.append(torch.from_numpy(
            rng.integers(0, 255, (3, size, size), dtype=np.uint8)))
        words = [''.join(rng.choice(list('abcdefgh'), 4))
                 for _ in range(words_per_img)]
        tokens = torch.as_tensor(d.tokenize(words)[0]).long()
        masked = tokens.clone()
        masked[:, 1] = d.mask_idx
        ds = TextSpottingDataSample(
            metainfo=dict(img_shape=(size, size), pad_shape=(size, size)))
        ds.gt_instances = InstanceData(
            texts=words, tokens=tokens, masked_tokens=masked,
            mask_labels=tokens[:, 1].clone())
        samples.append(ds)
    return dict(inputs=inputs, data_samples=samples)


def _wecromcl_batch(n=2, size=64):
    words = [['shop', 'open'], ['exit', 'cafe']]
    inputs, samples = [], []
    g = torch.Generator().manual_seed(0)
    for b in range(n):
        inputs.append(torch.randint(0, 255, (3, size, size), generator=g,
                                    dtype=torch.uint8))
        s = TextSpottingDataSample(metainfo=dict(
            img_shape=(size, size), pad_shape=(size, size),
            neg_texts=['bank', 'taxi', 'stop']))
        s.gt_instances = InstanceData(
            texts=words[b], ignored=torch.zeros(2, dtype=torch.bool))
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


def _build(cfg_path, image_size=None):
    init_default_scope('mmocr')
    cfg = Config.fromfile(cfg_path)
    if image_size is not None:
        cfg.model.image_encoder.input_size = image_size
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    cfg.optim_wrapper.type = 'AmpOptimWrapper'
    cfg.optim_wrapper.loss_scale = 'dynamic'
    return model, build_optim_wrapper(model, cfg.optim_wrapper)


def _record(module, store, key):
    """Forward hook: output dtype and whether autocast was on."""

    def hook(mod, args, out):
        out = out[0] if isinstance(out, (tuple, list)) else out
        out = next(iter(out.values())) if isinstance(out, dict) else out
        store[key] = (out.dtype, torch.is_autocast_enabled('cpu'))

    return module.register_forward_hook(hook)


def test_fp32_forward():
    seen = {}

    @fp32_forward
    def f(a, pair):
        seen['dtypes'] = (a.dtype, pair[0].dtype, pair[1])
        seen['autocast'] = torch.is_autocast_enabled('cpu')
        return a @ a

    x = torch.randn(4, 4)
    assert f(x, (x, 3)).dtype == torch.float32  # no autocast: unchanged
    assert seen == dict(dtypes=(torch.float32, torch.float32, 3),
                        autocast=False)
    with torch.autocast('cpu', torch.bfloat16):
        y = x @ x
        assert y.dtype == torch.bfloat16
        assert f(y, (y, 3)).dtype == torch.float32
        assert seen == dict(dtypes=(torch.float32, torch.float32, 3),
                            autocast=False)
        assert torch.is_autocast_enabled('cpu')  # restored


def test_oclip_cpu_step_runs_in_bf16_with_fp32_losses():
    model, optim = _build(OCLIP_CPU, image_size=64)
    assert type(optim) is AmpOptimWrapper
    assert optim.cast_dtype == torch.bfloat16 and optim.loss_scaler is None
    seen = {}
    hooks = [
        _record(model.image_encoder.backbone.stem[0], seen, 'stem_conv'),
        _record(model.decoder.text_class, seen, 'classifier'),
    ]
    loss_inputs = {}

    def pre_hook(mod, args):
        loss_inputs['dtype'] = args[0].dtype

    hooks.append(model.loss_contrastive.register_forward_pre_hook(pre_hook))
    orig = model.loss_contrastive.forward.__wrapped__

    def spy(self, *a, **k):  # runs inside the fp32 island
        loss_inputs['inner'] = (a[0].dtype, torch.is_autocast_enabled('cpu'))
        return orig(self, *a, **k)

    model.loss_contrastive.forward = fp32_forward(
        spy.__get__(model.loss_contrastive))
    before = [p.detach().clone() for p in model.parameters()]
    log = model.train_step(_oclip_batch(model), optim)
    for h in hooks:
        h.remove()
    assert seen['stem_conv'] == (torch.bfloat16, True)
    assert seen['classifier'] == (torch.bfloat16, True)
    assert loss_inputs['dtype'] == torch.bfloat16  # embeddings from bf16
    assert loss_inputs['inner'] == (torch.float32, False)
    assert all(math.isfinite(float(v)) for v in log.values())
    assert not torch.is_autocast_enabled('cpu')
    for p, b in zip(model.parameters(), before):
        assert p.dtype == torch.float32
    assert any(not torch.equal(p, b)
               for p, b in zip(model.parameters(), before))


def test_wecromcl_cpu_step_head_and_loss_in_fp32():
    model, optim = _build(WECROMCL_CPU)
    assert type(optim) is AmpOptimWrapper
    seen = {}
    hooks = [
        _record(model.backbone.conv1, seen, 'conv'),
        _record(model.head, seen, 'head'),
        _record(model.loss_module, seen, 'loss'),
    ]
    log = model.train_step(_wecromcl_batch(), optim)
    for h in hooks:
        h.remove()
    assert seen['conv'] == (torch.bfloat16, True)
    # Activation map (softmax over all pixels) and the loss: float32.
    assert seen['head'][0] == torch.float32
    assert seen['loss'][0] == torch.float32
    assert all(math.isfinite(float(v)) for v in log.values())


def test_cpu_float16_uses_grad_scaler_and_state_round_trip():
    model = torch.nn.Linear(4, 2)
    optim = AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1),
        dtype='float16', loss_scale=512.)
    assert optim.cast_dtype == torch.float16
    assert optim.loss_scaler.get_scale() == 512.
    with optim.optim_context(model):
        loss = model(torch.randn(3, 4)).float().pow(2).mean()
    optim.update_params(loss)
    assert 'loss_scaler' in optim.state_dict()
    bf16 = AmpOptimWrapper(
        optimizer=torch.optim.SGD(model.parameters(), lr=0.1))
    bf16.load_state_dict(optim.state_dict())  # scaled run -> bf16 run
    assert 'loss_scaler' not in bf16.state_dict()
    with pytest.raises(ValueError, match='bfloat16'):
        AmpOptimWrapper(optimizer=torch.optim.SGD(model.parameters(), lr=1),
                        dtype='float64')


def test_train_tool_amp_builds_cpu_wrapper(tmp_path):
    spec = importlib.util.spec_from_file_location(
        'train_tool', osp.join(REPO, 'tools', 'train.py'))
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    cfg = tool.setup_cfg(tool.parse_args(
        [OCLIP_CPU, '--amp', '--work-dir', str(tmp_path)]))
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    from mmengine.runner import Runner
    runner = Runner.from_cfg(cfg)
    optim = runner.build_optim_wrapper(cfg.optim_wrapper)
    assert type(optim) is AmpOptimWrapper
    assert optim.cast_dtype == torch.bfloat16
    assert isinstance(optim.optimizer, torch.optim.AdamW)
