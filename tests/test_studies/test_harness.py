# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The train-once helper of the study scripts."""
import os.path as osp

import pytest
from mmengine.config import Config

from studies.harness import train_unless_done


@pytest.fixture
def fake_runner(monkeypatch):
    """Replace mmengine's Runner: record the configs it trains."""
    import mmengine.runner
    trained = []

    class FakeRunner:

        def __init__(self, cfg):
            self.cfg = cfg

        @classmethod
        def from_cfg(cls, cfg):
            return cls(cfg)

        def train(self):
            trained.append(self.cfg.work_dir)

    monkeypatch.setattr(mmengine.runner, 'Runner', FakeRunner)
    return trained


def test_finished_run_is_reused_with_its_training_time(tmp_path,
                                                       fake_runner):
    cfg = Config(dict(work_dir=str(tmp_path)))
    ckpt = osp.join(tmp_path, 'iter_10.pth')
    open(ckpt, 'wb').close()
    assert train_unless_done(cfg, ckpt, reuse=True) is None  # time unknown
    with open(osp.join(tmp_path, 'train_seconds.txt'), 'w') as f:
        f.write('123.4')
    assert train_unless_done(cfg, ckpt, reuse=True) == 123.4
    assert fake_runner == []
    # Without --reuse an existing checkpoint is trained over, and the new
    # training time replaces the old one.
    seconds = train_unless_done(cfg, ckpt)
    assert fake_runner == [str(tmp_path)]
    with open(osp.join(tmp_path, 'train_seconds.txt')) as f:
        assert float(f.read()) == pytest.approx(seconds, abs=0.1)
    assert seconds < 123.4


def test_missing_checkpoint_trains(tmp_path, fake_runner):
    cfg = Config(dict(work_dir=str(tmp_path)))
    seconds = train_unless_done(cfg, osp.join(tmp_path, 'iter_10.pth'),
                                reuse=True)
    assert fake_runner == [str(tmp_path)] and seconds >= 0
    assert osp.isfile(osp.join(tmp_path, 'train_seconds.txt'))
