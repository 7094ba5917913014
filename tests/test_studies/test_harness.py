# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The shared harness of the study and benchmark scripts: child processes
with their own peak memory, result tables, train-once."""
import os.path as osp

import pytest
from mmengine.config import Config

from studies.harness import (load_results, markdown_table, peak_rss_mb,
                             run_child, train_unless_done, write_results)

CHILD = """
import sys
from studies.harness import emit_result, peak_rss_mb
if sys.argv[1] == 'fail':
    raise SystemExit('child says no')
big = bytearray(int(sys.argv[1]) * 1024 * 1024)
emit_result(dict(arg=sys.argv[1], peak=peak_rss_mb()))
"""


def test_child_result_and_its_own_peak_memory(tmp_path, monkeypatch):
    (tmp_path / 'harness_child.py').write_text(CHILD)
    monkeypatch.setenv('PYTHONPATH', str(tmp_path))
    small = run_child('harness_child', [1])
    big = run_child('harness_child', [800])
    assert small['arg'] == '1' and big['arg'] == '800'
    # each child reports its own peak (Linux starts a child's peak at the
    # parent's resident size, ~0.5 GB for this test process)
    assert big['peak'] >= 800 and big['peak'] - small['peak'] > 250
    with pytest.raises(RuntimeError, match='child says no'):
        run_child('harness_child', ['fail'], what='the failing child')
    assert peak_rss_mb() > 0


def test_tables_round_trip(tmp_path):
    lines = markdown_table(['a', 'b'], [(1, 'x'), (2.5, '')])
    assert lines == ['| a | b |', '|---|---|', '| 1 | x |', '| 2.5 |  |']
    out = str(tmp_path / 'sub' / 'res')
    assert load_results(out, {'empty': 1}) == {'empty': 1}
    write_results(out, {'rows': [1, 2]}, ['# t', ''] + lines)
    assert load_results(out) == {'rows': [1, 2]}
    with open(out + '.md') as f:
        assert f.read() == '\n'.join(['# t', ''] + lines) + '\n'


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
