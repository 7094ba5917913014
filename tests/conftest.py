# Copyright (c) mmocr_vlp contributors. All rights reserved.
import os
import os.path as osp
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / 'shared'
ICDAR_TOY = SHARED / 'data' / 'icdar2015_toy'


@pytest.fixture(scope='session')
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope='session')
def icdar_toy_dir() -> Path:
    if not ICDAR_TOY.is_dir():
        pytest.skip(f'shared ICDAR 2015 toy data not found at {ICDAR_TOY}')
    return ICDAR_TOY


def pytest_configure(config):
    # Every test process imports the package once, so registries are full.
    import mmocr_vlp  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmocr')
    os.chdir(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(autouse=True)
def _mmocr_default_scope():
    """Tests build from mmocr's registries; a Runner made by an earlier test
    may have switched the global default scope (e.g. to 'mmengine')."""
    from mmengine.registry import DefaultScope, init_default_scope
    cur = DefaultScope.get_current_instance()
    if cur is None or cur.scope_name != 'mmocr':
        init_default_scope('mmocr')
    yield


#: What setup.py needs; everything else of the checkout stays behind.
INSTALL_SOURCES = ('setup.py', 'README.md', 'requirements.txt',
                   'requirements', 'model-index.yml', 'mmocr_vlp', 'configs',
                   'tools')
INSTALL_SKIP = shutil.ignore_patterns('.mim', '__pycache__', '*.pyc',
                                      '*.egg-info', 'build', 'dist')


@pytest.fixture(scope='session')
def installed(tmp_path_factory) -> Path:
    """``pip install --no-deps --target <site> <copy of this repo>``.

    The repository under test is copied first, because building writes
    ``mmocr_vlp/.mim``, ``build/`` and ``*.egg-info`` into the source tree
    (an editable install's ``.mim`` symlinks must not be replaced by
    copies); ``--no-deps``: the stack is already in this environment.
    """
    tmp = tmp_path_factory.mktemp('install')
    src = tmp / 'src'
    src.mkdir()
    for name in INSTALL_SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=INSTALL_SKIP)
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


@pytest.fixture(scope='session')
def installed_env(installed) -> dict:
    """Environment of a child process that imports (and whose ``mim`` and
    ``mmocr_vlp::`` configs use) the ``installed`` copy of this repo: mim
    runs ``<installed distribution>/.mim/tools/train.py`` whatever checkout
    the venv's develop install points at."""
    return dict(os.environ, PYTHONPATH=str(installed), OMP_NUM_THREADS='1')


@pytest.fixture(scope='session')
def load_tool():
    """``load_tool(name)`` imports ``tools/<name>.py`` as a module."""
    import importlib.util

    def load(name: str):
        spec = importlib.util.spec_from_file_location(
            name, str(REPO / 'tools' / f'{name}.py'))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    return load
