# Copyright (c) mmocr_vlp contributors. All rights reserved.
import os
import os.path as osp
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
