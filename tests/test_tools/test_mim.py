# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The package works the OpenMMLab way: mim, mmocr_vlp:: and mmocr:: bases."""
import os
import os.path as osp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

from mmocr_vlp.datasets.synth import ensure_synth_dataset

REPO = Path(__file__).resolve().parents[2]
DEMO_CFG = 'oclip/oclip_resnet-tiny_4e_synth-cpu.py'
MIM = shutil.which('mim', path=osp.dirname(sys.executable)) or shutil.which(
    'mim')


@pytest.fixture(scope='module')
def tiny_synth(tmp_path_factory):
    root = tmp_path_factory.mktemp('synth')
    ensure_synth_dataset(str(root), splits={'train': 6, 'val': 2},
                         seed=0, img_size=(128, 128), progress=False)
    return root


def test_mim_extension_installed():
    import mmocr_vlp
    mim_dir = Path(mmocr_vlp.__file__).parent / '.mim'
    assert (mim_dir / 'configs' / DEMO_CFG).is_file()
    assert (mim_dir / 'tools' / 'train.py').is_file()


def test_downstream_config_inherits_from_package(tmp_path):
    cfg_file = tmp_path / 'my_config.py'
    cfg_file.write_text(f"_base_ = ['mmocr_vlp::{DEMO_CFG}']\n"
                        "train_cfg = dict(max_epochs=3)\n")
    cwd = os.getcwd()
    os.chdir(tmp_path)  # nowhere near the repo
    try:
        cfg = Config.fromfile(str(cfg_file))
    finally:
        os.chdir(cwd)
    assert cfg.train_cfg.max_epochs == 3
    assert cfg.custom_imports['imports'] == ['mmocr_vlp']
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    init_default_scope(cfg.default_scope)
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0


@pytest.mark.skipif(MIM is None, reason='openmim not installed')
def test_mim_train_then_resume_outside_repo(tmp_path, tiny_synth):
    work = tmp_path / 'work'
    common = [
        '--work-dir', str(work), '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_synth}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.logger.interval=1'
    ]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    run = subprocess.run(
        [MIM, 'train', 'mmocr_vlp', DEMO_CFG, *common,
         'train_cfg.max_epochs=1'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (work / 'epoch_1.pth').is_file()
    run = subprocess.run(
        [MIM, 'train', 'mmocr_vlp', DEMO_CFG, *common,
         'train_cfg.max_epochs=2', '--resume'],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    # mmengine's own message after loading the epoch-1 checkpoint (the
    # command line also contains '--resume', so match the log line exactly)
    assert 'resumed epoch: 1' in out, out[-3000:]
    assert 'Epoch(train) [2]' in out and 'Epoch(train) [1]' not in out
    assert (work / 'epoch_2.pth').is_file()


@pytest.mark.skipif(MIM is None, reason='openmim not installed')
def test_mim_test_detector_with_hmean(tmp_path, tiny_synth):
    """`mim test mmocr_vlp <detector config> --checkpoint` evaluates with
    mmocr's HmeanIOUMetric (a random-init checkpoint: the numbers are not
    the point, the path from config to metric is)."""
    import torch
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    cfg_path = 'textdet/dbnet/dbnet_resnet-tiny-oclip-vlp_fpnc_10e_synth-cpu.py'
    cfg = Config.fromfile(str(REPO / 'configs' / cfg_path))
    cfg.model.backbone.init_cfg = None
    init_default_scope('mmocr')
    model = MODELS.build(cfg.model)
    ckpt = tmp_path / 'dbnet.pth'
    torch.save({'state_dict': model.state_dict()}, ckpt)
    run = subprocess.run(
        [MIM, 'test', 'mmocr_vlp', cfg_path, '--checkpoint', str(ckpt),
         '--work-dir', str(tmp_path / 'work'), '--cfg-options',
         f'test_dataloader.dataset.data_root={tiny_synth}',
         'test_dataloader.dataset.ann_file=val_full.json'],
        cwd=tmp_path, env=dict(os.environ, OMP_NUM_THREADS='1'),
        capture_output=True, text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert 'icdar/hmean' in out, out[-2000:]
