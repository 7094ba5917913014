# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A regular (non-editable) ``pip install .`` of this repository works the
OpenMMLab way from any directory: the wheel carries ``mmocr_vlp/.mim``
(configs, tools, model index), a user config inherits
``mmocr_vlp::<config>`` and ``mim train mmocr_vlp my_config.py`` trains.

The repository under test is the one this file lives in. It is copied
first, because building writes ``mmocr_vlp/.mim``, ``build/`` and
``*.egg-info`` into the source tree (an editable install's ``.mim``
symlinks must not be replaced by copies). The install goes to a target
folder with ``--no-deps`` (the stack is already in this environment), and
the child processes put that folder first on ``PYTHONPATH`` so that they
import the installed copy, not a development checkout.
"""
import os
import os.path as osp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mmocr_vlp.datasets.synth import ensure_synth_dataset

REPO = Path(__file__).resolve().parents[1]
MIM = shutil.which('mim', path=osp.dirname(sys.executable)) or shutil.which(
    'mim')
#: What setup.py needs; everything else of the checkout stays behind.
SOURCES = ('setup.py', 'README.md', 'requirements.txt', 'requirements',
           'model-index.yml', 'mmocr_vlp', 'configs', 'tools')
SKIP = shutil.ignore_patterns('.mim', '__pycache__', '*.pyc', '*.egg-info',
                              'build', 'dist')


@pytest.fixture(scope='module')
def installed(tmp_path_factory) -> Path:
    """``pip install --no-deps --target <site> <copy of this repo>``."""
    tmp = tmp_path_factory.mktemp('install')
    src = tmp / 'src'
    src.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=SKIP)
        else:
            shutil.copy2(path, src / name)
    site = tmp / 'site'
    run = subprocess.run(
        [sys.executable, '-m', 'pip', 'install', '--no-deps',
         '--no-build-isolation', '--no-index', '--disable-pip-version-check',
         '--target', str(site), str(src)],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, PIP_NO_INPUT='1'))
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    return site


def _env(site: Path) -> dict:
    return dict(os.environ, PYTHONPATH=str(site), OMP_NUM_THREADS='1')


def test_wheel_carries_the_mim_files(installed, tmp_path):
    pkg = installed / 'mmocr_vlp'
    mim = pkg / '.mim'
    for item in ('configs', 'tools'):
        assert (mim / item).is_dir() and not (mim / item).is_symlink()
    assert (mim / 'model-index.yml').is_file()
    assert (mim / 'tools' / 'train.py').is_file()
    # every config and the bundled word lists are in the wheel
    configs = sorted(
        p.relative_to(REPO / 'configs').as_posix()
        for p in (REPO / 'configs').rglob('*.py'))
    assert configs and all((mim / 'configs' / c).is_file() for c in configs)
    assert (pkg / 'datasets' / 'synth' / 'assets' / 'words.txt').is_file()
    # and a fresh interpreter elsewhere imports the installed copy
    run = subprocess.run(
        [sys.executable, '-c', 'import mmocr_vlp; print(mmocr_vlp.__file__)'],
        cwd=tmp_path, env=_env(installed), capture_output=True, text=True,
        timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stdout.strip() == str(pkg / '__init__.py')


@pytest.mark.skipif(MIM is None, reason='openmim not installed')
def test_mim_train_user_config_from_another_directory(installed, tmp_path):
    data = tmp_path / 'synth'
    ensure_synth_dataset(str(data), splits={'train': 4, 'val': 2}, seed=0,
                         img_size=(128, 128), progress=False)
    project = tmp_path / 'my_project'
    project.mkdir()
    (project / 'my_config.py').write_text(
        "_base_ = ['mmocr_vlp::oclip/oclip_resnet-tiny_4e_synth-cpu.py']\n"
        f"train_dataloader = dict(batch_size=2, num_workers=0,\n"
        f"    persistent_workers=False,\n"
        f"    dataset=dict(data_root={str(data)!r}))\n"
        'train_cfg = dict(max_epochs=1)\n'
        'default_hooks = dict(logger=dict(interval=1))\n')
    work = tmp_path / 'work'
    run = subprocess.run(
        [MIM, 'train', 'mmocr_vlp', 'my_config.py', '--work-dir',
         str(work)],
        cwd=project, env=_env(installed), capture_output=True, text=True,
        timeout=600)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-3000:]
    # mim ran the installed package's tools/train.py, not a checkout's
    assert str(installed / 'mmocr_vlp' / '.mim' / 'tools' / 'train.py') \
        in out, out[-3000:]
    assert 'Epoch(train) [1][2/2]' in out, out[-3000:]
    assert (work / 'epoch_1.pth').is_file()
    # the exported backbone hook of the base config ran too
    assert (work / 'backbone_clipresnet.pth').is_file()
