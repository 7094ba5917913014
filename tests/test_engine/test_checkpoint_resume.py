# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Full mmengine checkpoints load with torch's weights-only unpickler."""
import collections
import os.path as osp
import pickle
import subprocess
import sys

import numpy as np
import pytest
import torch
import torch.nn as nn
from mmengine.hooks import Hook
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import Dataset

import mmocr_vlp  # noqa: F401  (registers the allow-list)


class _ToyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(2, 1)

    def forward(self, inputs, labels, mode='tensor'):
        out = self.lin(inputs)
        if mode == 'loss':
            return dict(loss=((out.squeeze(1) - labels)**2).mean())
        return out


class _ToyData(Dataset):
    metainfo = dict(classes=('text', ))

    def __len__(self):
        return 8

    def __getitem__(self, i):
        return dict(inputs=torch.tensor([i, 1.0]),
                    labels=torch.tensor(2.0 * i))


def _runner(work_dir, max_epochs, **kw):
    torch.manual_seed(0)  # the model is built before the runner seeds
    return Runner(
        model=_ToyModel(),
        work_dir=str(work_dir),
        train_dataloader=dict(dataset=_ToyData(), batch_size=4,
                              sampler=dict(type='DefaultSampler',
                                           shuffle=True),
                              collate_fn=dict(type='default_collate')),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01,
                                          momentum=0.9)),
        param_scheduler=dict(type='MultiStepLR', milestones=[2]),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs),
        default_hooks=dict(checkpoint=dict(type='CheckpointHook',
                                           interval=1)),
        randomness=dict(seed=1),
        **kw)


def test_weights_only_load_of_full_checkpoint(tmp_path):
    r = _runner(tmp_path, 2)
    r.train()
    ckpt = osp.join(tmp_path, 'epoch_2.pth')
    # Default torch.load (weights_only=True in torch >= 2.6) works ...
    state = torch.load(ckpt, map_location='cpu')
    assert state['meta']['epoch'] == 2
    assert 'message_hub' in state and 'optimizer' in state
    # ... while arbitrary objects are still refused: the safety stays on.
    evil = tmp_path / 'evil.pth'
    torch.save({'x': _EvilPayload()}, evil)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(evil)


class _EvilPayload:
    pass


class _SneakyGetattr:
    """Pickles as getattr(OrderedDict, 'fromkeys'): allowed types, but a
    getattr that is not a HistoryBuffer statistics method."""

    def __reduce__(self):
        return getattr, (collections.OrderedDict, 'fromkeys')


def test_restricted_getattr_refuses_other_attributes(tmp_path):
    f = tmp_path / 'sneaky.pth'
    torch.save({'x': _SneakyGetattr()}, f)
    with pytest.raises(pickle.UnpicklingError):
        torch.load(f)


def test_checkpoint_needs_the_allow_list(tmp_path):
    """Without importing mmocr_vlp the same file is refused (the test can
    fail: it proves the allow-list is what makes loading work)."""
    r = _runner(tmp_path, 1)
    r.train()
    ckpt = osp.join(tmp_path, 'epoch_1.pth')
    code = ('import torch, sys\n'
            'try:\n'
            f'    torch.load({ckpt!r}, map_location="cpu")\n'
            '    print("LOADED")\n'
            'except Exception as e:\n'
            '    print("REFUSED", type(e).__name__)\n')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=120).stdout
    if torch.__version__ >= '2.6':
        assert 'REFUSED' in out, out
    code_ok = 'import mmocr_vlp\n' + code
    out = subprocess.run([sys.executable, '-c', code_ok],
                         capture_output=True, text=True, timeout=120).stdout
    assert 'LOADED' in out, out


class _Interrupt(Exception):
    pass


class _CrashAfterEpoch(Hook):
    """Simulates a killed job: raises after the checkpoint of an epoch."""
    priority = 'LOWEST'

    def __init__(self, epoch):
        self.epoch = epoch

    def after_train_epoch(self, runner):
        if runner.epoch == self.epoch:
            raise _Interrupt


def test_resume_after_a_crash_matches_uninterrupted_run(tmp_path):
    full = _runner(tmp_path / 'full', 4)
    full.train()
    w_full = full.model.lin.weight.detach().clone()

    crashing = _runner(tmp_path / 'part', 4,
                       custom_hooks=[_CrashAfterEpoch(2)])
    with pytest.raises(_Interrupt):
        crashing.train()
    assert osp.isfile(tmp_path / 'part' / 'epoch_2.pth')
    resumed = _runner(tmp_path / 'part', 4, resume=True)
    resumed.train()
    assert resumed.epoch == 4
    # Same seed, data order and lr schedule: no work lost, same result.
    np.testing.assert_allclose(resumed.model.lin.weight.detach().numpy(),
                               w_full.numpy(), rtol=1e-5, atol=1e-6)
    lrs = [g['lr'] for g in resumed.optim_wrapper.optimizer.param_groups]
    assert lrs == pytest.approx([0.001])  # MultiStepLR state restored


def test_load_from(tmp_path):
    src = _runner(tmp_path / 'a', 1)
    src.train()
    dst = _runner(tmp_path / 'b', 1,
                  load_from=osp.join(tmp_path, 'a', 'epoch_1.pth'))
    dst.load_or_resume()
    torch.testing.assert_close(dst.model.lin.weight, src.model.lin.weight)
