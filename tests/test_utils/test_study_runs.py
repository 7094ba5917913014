# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The train-once helper of the study scripts."""
import os.path as osp

from mmengine.config import Config

from mmocr_vlp.utils.study_runs import train_unless_done


def test_finished_run_is_reused_with_its_training_time(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path)))  # not trainable: must not run
    ckpt = osp.join(tmp_path, 'iter_10.pth')
    open(ckpt, 'wb').close()
    assert train_unless_done(cfg, ckpt, reuse=True) is None  # time unknown
    with open(osp.join(tmp_path, 'train_seconds.txt'), 'w') as f:
        f.write('123.4')
    assert train_unless_done(cfg, ckpt, reuse=True) == 123.4
    # Without reuse an existing checkpoint is trained over (the incomplete
    # config then fails to build a runner).
    try:
        train_unless_done(cfg, ckpt)
    except Exception:
        pass
    else:
        raise AssertionError('reuse=False must train')


def test_missing_checkpoint_trains(tmp_path):
    cfg = Config(dict(work_dir=str(tmp_path)))
    try:
        train_unless_done(cfg, osp.join(tmp_path, 'iter_10.pth'), reuse=True)
    except Exception as e:  # the incomplete config cannot build a runner
        assert 'model' in str(e) or 'KeyError' in type(e).__name__
    else:
        raise AssertionError('an unfinished run must be trained')
