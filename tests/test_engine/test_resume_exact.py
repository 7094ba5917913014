# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/train.py --resume after kill -9: bit-exact, and safe on a damaged
last checkpoint (the oCLIP CPU config on a tiny synthetic set)."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from mmocr_vlp.datasets.synth import ensure_synth_dataset
from mmocr_vlp.utils.checkpoint import (CheckpointError,
                                        find_resumable_checkpoint)

REPO = Path(__file__).resolve().parents[2]
CFG = REPO / 'configs' / 'oclip' / 'oclip_resnet-tiny_4e_synth-cpu.py'
WECROMCL = (REPO / 'configs' / 'wecromcl' /
            'wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py')
SRSTS = (REPO / 'configs' / 'srsts-a' /
         'srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py')


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp('data')
    ensure_synth_dataset(str(root / 'synth'),
                         splits={'train': 6, 'val': 1, 'test': 1}, seed=0,
                         img_size=(96, 96), progress=False)
    return root


def _cmd(work, epochs, *extra, cfg=CFG, length='max_epochs', interval=1,
         options=()):
    return [sys.executable, str(REPO / 'tools' / 'train.py'), str(cfg),
            '--work-dir', str(work), *extra, '--cfg-options',
            f'train_cfg.{length}={epochs}', 'train_dataloader.batch_size=2',
            'default_hooks.logger.interval=1',
            f'default_hooks.checkpoint.interval={interval}', *options]


def _env(data_dir):
    return dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(REPO),
                MMOCR_VLP_DATA=str(data_dir))


def _run(cmd, data_dir, cwd):
    run = subprocess.run(cmd, cwd=cwd, env=_env(data_dir),
                         capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return run.stdout + run.stderr


def _weights(path):
    return torch.load(path, map_location='cpu')['state_dict']


def _max_diff(a, b):
    return max((a[k].float() - b[k].float()).abs().max().item() for k in a
               if a[k].is_floating_point())


# (config, loop length key, length, checkpoint interval, kill after, last,
#  other options)
EPOCH_RUN = (CFG, 'max_epochs', 3, 1, 'epoch_1', 'epoch_3.pth', ())
ITER_RUNS = [  # iteration loops, a dataloader worker, deformable attention
    (WECROMCL, 'max_iters', 6, 2, 'iter_2', 'iter_6.pth',
     ('param_scheduler.1.begin=2', )),  # the decay starts after warm-up
    (SRSTS, 'max_iters', 6, 2, 'iter_2', 'iter_6.pth', ()),
]


@pytest.mark.parametrize('run', [EPOCH_RUN] + [
    pytest.param(r, marks=pytest.mark.slow) for r in ITER_RUNS
], ids=lambda r: r[0].stem)
def test_resume_after_kill9_is_bit_exact(tmp_path, data_dir, run):
    cfg, length, n, interval, kill_after, last_ckpt, options = run
    kw = dict(cfg=cfg, length=length, interval=interval, options=options)
    full = tmp_path / 'full'
    _run(_cmd(full, n, **kw), data_dir, tmp_path)

    part = tmp_path / 'part'
    proc = subprocess.Popen(_cmd(part, n, **kw), cwd=tmp_path,
                            env=_env(data_dir), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    last = part / 'last_checkpoint'
    t0 = time.time()
    while proc.poll() is None and time.time() - t0 < 600:
        if last.exists() and kill_after in last.read_text():
            break
        time.sleep(0.05)
    assert proc.poll() is None, 'the run ended before it could be killed'
    os.kill(proc.pid, signal.SIGKILL)  # mid-way to the next checkpoint
    proc.wait()
    assert not (part / last_ckpt).exists()
    out = _run(_cmd(part, n, '--resume', **kw), data_dir, tmp_path)
    assert 'resumed epoch: ' in out
    diff = _max_diff(_weights(full / last_ckpt), _weights(part / last_ckpt))
    assert diff == 0.0, f'resumed run differs: max |dw| = {diff}'


def test_resume_skips_a_truncated_last_checkpoint(tmp_path, data_dir):
    work = tmp_path / 'work'
    _run(_cmd(work, 2), data_dir, tmp_path)
    last = work / 'epoch_2.pth'
    data = last.read_bytes()
    last.write_bytes(data[:len(data) // 3])  # e.g. a full disk
    out = _run(_cmd(work, 3, '--resume'), data_dir, tmp_path)
    assert f'skipped damaged checkpoint(s) {last}' in out, out[-3000:]
    assert f'newest intact one: {work / "epoch_1.pth"}' in out
    assert 'resumed epoch: 1' in out
    assert (work / 'epoch_3.pth').is_file()

    # No intact checkpoint left: a message naming the files, no traceback.
    for p in work.glob('epoch_*.pth'):
        p.write_bytes(p.read_bytes()[:100])
    run = subprocess.run(_cmd(work, 4, '--resume'), cwd=tmp_path,
                         env=_env(data_dir), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode != 0
    assert 'no intact checkpoint' in run.stderr
    assert str(work / 'epoch_3.pth') in run.stderr
    assert 'Traceback' not in run.stderr
    # An explicit --resume FILE that is damaged: named, with what to do.
    run = subprocess.run(
        _cmd(work, 4, '--resume', str(work / 'epoch_1.pth')), cwd=tmp_path,
        env=_env(data_dir), capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    assert f'--resume {work / "epoch_1.pth"}: truncated' in run.stderr


def test_find_resumable_checkpoint_order(tmp_path):
    assert find_resumable_checkpoint(str(tmp_path)) is None
    for name in ('iter_500.pth', 'iter_1000.pth', 'backbone.pth'):
        torch.save({'x': torch.zeros(1)}, tmp_path / name)
    (tmp_path / 'iter_1500.pth').write_bytes(b'PK\x03\x04broken')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path /
                                                  'iter_1500.pth'))
    assert find_resumable_checkpoint(str(tmp_path)) == str(
        tmp_path / 'iter_1000.pth')
    for name in ('iter_500.pth', 'iter_1000.pth'):
        (tmp_path / name).write_bytes(b'')
    with pytest.raises(CheckpointError, match='iter_500.pth .empty file'):
        find_resumable_checkpoint(str(tmp_path))
