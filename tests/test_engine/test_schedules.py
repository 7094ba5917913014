# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""LR schedules follow a ``train_cfg.max_epochs`` / ``max_iters`` override:
the decaying schedulers have no ``end`` (mmengine fills in the train loop's
length when the runner builds them)."""
from pathlib import Path

import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from mmocr_vlp.datasets.synth import ensure_synth_dataset

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    ensure_synth_dataset(str(root / 'synth'), splits={'train': 4, 'val': 2},
                         seed=0, img_size=(64, 64), progress=False)
    return root


def _lrs(cfg_path, data_dir, tmp_path, monkeypatch, loop_key, value):
    monkeypatch.setenv('MMOCR_VLP_DATA', str(data_dir))
    cfg = Config.fromfile(str(REPO / 'configs' / cfg_path))
    cfg.train_cfg[loop_key] = value
    cfg.train_dataloader.batch_size = 2
    cfg.work_dir = str(tmp_path)
    runner = Runner.from_cfg(cfg)
    runner._train_loop = runner.build_train_loop(runner._train_loop)
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    scheds = runner.build_param_scheduler(runner.param_schedulers)
    n_iters = runner.max_iters
    lrs = []
    for _ in range(n_iters):  # what ParamSchedulerHook does, per iteration
        lrs.append(runner.optim_wrapper.get_lr()['lr'][0])
        for s in scheds:
            if not s.by_epoch:
                s.step()
    return lrs, scheds


@pytest.mark.parametrize('cfg_path,key,value,eta_min', [
    ('oclip/oclip_resnet-tiny_4e_synth-cpu.py', 'max_epochs', 8, 1e-5),
    ('wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py',
     'max_iters', 400, 1e-6),
])
def test_decay_ends_with_the_overridden_length(cfg_path, key, value,
                                               eta_min, data_dir, tmp_path,
                                               monkeypatch):
    lrs, scheds = _lrs(cfg_path, data_dir, tmp_path, monkeypatch, key, value)
    n = len(lrs)
    assert max(s.end for s in scheds) == n  # in iterations
    # Still decaying in the last quarter (at the config's old length the
    # schedule sat at eta_min from there on) and at eta_min at the end.
    q = 3 * n // 4
    assert lrs[q] > 10 * eta_min and lrs[q] > lrs[-1]
    assert lrs[-1] < 0.05 * max(lrs)
