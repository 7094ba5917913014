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
def test_mim_train_then_resume_outside_repo(tmp_path, tiny_synth,
                                           installed_env):
    work = tmp_path / 'work'
    common = [
        '--work-dir', str(work), '--cfg-options',
        f'train_dataloader.dataset.data_root={tiny_synth}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'default_hooks.logger.interval=1'
    ]
    env = installed_env
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
def test_mim_test_detector_with_hmean(tmp_path, tiny_synth, installed_env):
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
        cwd=tmp_path, env=installed_env,
        capture_output=True, text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert 'icdar/hmean' in out, out[-2000:]


# The README's "Using it from your own mmocr project", verbatim but for a
# few-iteration override: a folder holding nothing but my_config.py.
README_MY_CONFIG = """\
_base_ = ['mmocr_vlp::oclip/oclip_resnet-tiny_4e_synth-cpu.py']
train_cfg = dict(max_epochs=1)
train_dataloader = dict(batch_size=2)
"""


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory):
    """$MMOCR_VLP_DATA: a folder holding synth/ (train + test splits)."""
    root = tmp_path_factory.mktemp('data')
    ensure_synth_dataset(str(root / 'synth'), splits={'train': 4, 'test': 2},
                         seed=0, img_size=(96, 96), progress=False)
    return root


@pytest.mark.skipif(MIM is None, reason='openmim not installed')
def test_readme_downstream_recipe_trains_and_tests(tmp_path, installed_env,
                                                   data_dir):
    (tmp_path / 'my_config.py').write_text(README_MY_CONFIG)
    env = dict(installed_env, MMOCR_VLP_DATA=str(data_dir))
    run = subprocess.run([MIM, 'train', 'mmocr_vlp', 'my_config.py'],
                         cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    ckpt = tmp_path / 'work_dirs' / 'my_config' / 'epoch_1.pth'
    assert ckpt.is_file(), out[-2000:]
    run = subprocess.run([MIM, 'test', 'mmocr_vlp', 'my_config.py',
                          '--checkpoint', str(ckpt)],
                         cwd=tmp_path, env=env, capture_output=True,
                         text=True, timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    assert 'oclip/mask_acc' in out, out[-2000:]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'my_config.py', 'work_dirs']


def _children(pid):
    out = []
    for d in Path('/proc').iterdir():
        if d.name.isdigit():
            try:
                stat = (d / 'stat').read_text()
                cmd = (d / 'cmdline').read_bytes().replace(b'\0', b' ')
            except OSError:
                continue
            fields = stat.rsplit(')', 1)[1].split()
            if int(fields[1]) == pid:
                out.append((int(d.name), cmd.decode(errors='replace')))
    return out


def _alive(pid):
    try:
        state = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1]
    except OSError:
        return False
    return state.split()[0] != 'Z'


@pytest.mark.skipif(not sys.platform.startswith('linux') or MIM is None,
                    reason='Linux (prctl) and openmim')
def test_kill9_of_mim_leaves_no_orphan_train_py(tmp_path, installed_env,
                                                data_dir):
    import signal
    import time
    (tmp_path / 'my_config.py').write_text(
        README_MY_CONFIG.replace('max_epochs=1', 'max_epochs=50'))
    env = dict(installed_env, MMOCR_VLP_DATA=str(data_dir))
    mim = subprocess.Popen([MIM, 'train', 'mmocr_vlp', 'my_config.py'],
                           cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    child = None
    t0 = time.time()
    while time.time() - t0 < 120 and child is None:
        for pid, cmd in _children(mim.pid):
            if 'train.py' in cmd and '-h' not in cmd.split():
                child = pid
        time.sleep(0.2)
    try:
        assert child is not None, 'mim did not start tools/train.py'
        work = tmp_path / 'work_dirs' / 'my_config'
        while not work.is_dir() and time.time() - t0 < 180:
            time.sleep(0.2)  # until the runner exists (past the imports)
        assert _alive(child) and work.is_dir()
        os.kill(mim.pid, signal.SIGKILL)
        mim.wait()
        t0 = time.time()
        while _alive(child) and time.time() - t0 < 30:
            time.sleep(0.2)
        assert not _alive(child), 'tools/train.py outlived mim'
    finally:
        if child is not None and _alive(child):
            os.kill(child, signal.SIGKILL)
        if mim.poll() is None:
            mim.kill()
