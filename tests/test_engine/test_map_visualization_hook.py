# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""MapVisualizationHook with real small models and a real visualiser."""
import glob
import os.path as osp
import random
from types import SimpleNamespace

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.runner import EpochBasedTrainLoop
from mmengine.visualization import Visualizer
from mmocr.registry import DATASETS, HOOKS, MODELS

import mmocr_vlp  # noqa: F401
from mmocr_vlp.datasets.synth.generate import ensure_synth_dataset

ROOT = osp.abspath(osp.join(osp.dirname(__file__), '..', '..'))
WECROMCL_CPU = osp.join(
    ROOT, 'configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py')
OCLIP_CPU = osp.join(ROOT, 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py')


@pytest.fixture(scope='module')
def synth(tmp_path_factory):
    root = tmp_path_factory.mktemp('synth')
    ensure_synth_dataset(str(root), splits={'train': 3, 'val': 3}, seed=0,
                         img_size=(128, 128), progress=False)
    return str(root)


def _model(cfg):
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    return model


def _runner(model, tmp_path, name, **kw):
    vis = Visualizer(name=name, save_dir=str(tmp_path),
                     vis_backends=[dict(type='LocalVisBackend')])
    return SimpleNamespace(model=model, visualizer=vis,
                           logger=MMLogger.get_current_instance(), **kw)


def _pictures(tmp_path, step):
    files = sorted(glob.glob(
        str(tmp_path / 'vis_data' / 'vis_image' / f'*_{step}.png')))
    return {osp.basename(f): cv2.imread(f) for f in files}


def _rng_state():
    return (random.getstate(), np.random.get_state()[1].copy(),
            torch.get_rng_state().clone())


def test_config_hooks():
    hooks = Config.fromfile(WECROMCL_CPU).custom_hooks
    assert [h['type'] for h in hooks] == ['MapVisualizationHook']
    hooks = Config.fromfile(OCLIP_CPU).custom_hooks
    assert [h['type'] for h in hooks] == ['ExportBackboneHook',
                                          'MapVisualizationHook']
    assert hooks[1]['train_interval'] == 1
    with pytest.raises(ValueError, match='num_images'):
        HOOKS.build(dict(type='MapVisualizationHook', num_images=0))


def test_wecromcl_maps_at_every_validation(synth, tmp_path):
    cfg = Config.fromfile(WECROMCL_CPU)
    model = _model(cfg)
    dataset = DATASETS.build(
        dict(cfg.val_dataloader.dataset, data_root=synth, indices=None))
    runner = _runner(
        model, tmp_path, 'hook_wecromcl', iter=500, epoch=0,
        train_loop=SimpleNamespace(),  # iteration-based: step = iter
        val_loop=SimpleNamespace(dataloader=SimpleNamespace(
            dataset=dataset)))
    hook = HOOKS.build(dict(type='MapVisualizationHook', num_images=2,
                            panel_width=96))
    test_cfg = dict(model.test_cfg)
    before = _rng_state()
    hook.after_val_epoch(runner, {})
    after = _rng_state()
    assert before[0] == after[0] and (before[1] == after[1]).all()
    assert torch.equal(before[2], after[2])
    assert model.training and model.test_cfg == test_cfg  # restored
    first = _pictures(tmp_path, 500)
    stems = [osp.splitext(osp.basename(dataset[i]['data_samples']
                                       .img_path))[0] for i in range(2)]
    assert sorted(first) == sorted(f'maps_{s}_500.png' for s in stems)
    # One 96 px panel per distinct word of the image (<= 6), 3 per row.
    for i, stem in enumerate(stems):
        words = {model.word_key(inst['text'])
                 for inst in dataset.get_data_info(i)['instances']
                 if not inst.get('ignore')} - {None}
        ncols = min(max(1, min(len(words), 6)), 3)
        assert first[f'maps_{stem}_500.png'].shape[1] == ncols * 100 + 4
    # Same model: same pictures; changed maps: changed pictures.
    runner.iter = 1000
    hook.after_val_epoch(runner, {})
    again = _pictures(tmp_path, 1000)
    for k, v in first.items():
        assert np.array_equal(again[k.replace('_500', '_1000')], v)
    with torch.no_grad():
        model.out_proj.weight.add_(torch.randn_like(model.out_proj.weight))
    runner.iter = 1500
    hook.after_val_epoch(runner, {})
    changed = _pictures(tmp_path, 1500)
    for k, v in first.items():
        diff = np.abs(changed[k.replace('_500', '_1500')].astype(int) - v)
        assert diff.mean() > 1


def test_oclip_decoder_attention_every_epoch_without_val(synth, tmp_path):
    cfg = Config.fromfile(OCLIP_CPU)
    model = _model(cfg)
    dataset = DATASETS.build(dict(cfg.train_dataloader.dataset,
                                  data_root=synth))
    loop = EpochBasedTrainLoop.__new__(EpochBasedTrainLoop)
    loop.dataloader = SimpleNamespace(dataset=dataset)
    runner = _runner(model, tmp_path, 'hook_oclip', iter=7, epoch=0,
                     train_loop=loop, val_loop=None)
    hook = HOOKS.build(dict(type='MapVisualizationHook', num_images=2,
                            train_interval=2, panel_width=64))
    hook.after_train_epoch(runner)  # epoch 1: not a multiple of 2
    assert _pictures(tmp_path, 1) == {}
    hook.after_train_iter(runner, 0)  # epoch-based: iterations ignored
    assert _pictures(tmp_path, 8) == {}
    runner.epoch = 1
    hook.after_train_epoch(runner)
    first = _pictures(tmp_path, 2)
    assert len(first) == 2
    # Input panel + one per masked word (<= 4 per row), 64 px wide.
    for pic in first.values():
        assert pic.shape[1] >= 2 * 64 + 6
    with torch.no_grad():
        for p in model.decoder.parameters():
            p.add_(torch.randn_like(p))
    runner.epoch = 3
    hook.after_train_epoch(runner)
    changed = _pictures(tmp_path, 4)
    for k, v in first.items():
        diff = np.abs(changed[k.replace('_2.png', '_4.png')].astype(int) - v)
        assert diff.mean() > 1
    # The input panel (top-left) does not change with the maps.
    k = next(iter(first))
    np.testing.assert_array_equal(
        changed[k.replace('_2.png', '_4.png')][:40, :64], first[k][:40, :64])


def test_other_models_are_skipped_with_a_warning(tmp_path):
    runner = _runner(torch.nn.Linear(2, 2), tmp_path, 'hook_other', iter=1,
                     epoch=0, train_loop=None, val_loop=None)
    warnings = []
    runner.logger = SimpleNamespace(warning=warnings.append)
    hook = HOOKS.build(dict(type='MapVisualizationHook'))
    hook.after_val_epoch(runner, {})
    assert len(warnings) == 1 and 'Linear' in warnings[0]
    assert _pictures(tmp_path, 1) == {}
