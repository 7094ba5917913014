# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Every shipped config parses, and the metafiles list exactly the
runnable configs (what `mim search` / `mim train mmocr_vlp <name>` see)."""
import glob
import os.path as osp

import pytest
import yaml
from mmengine.config import Config

import mmocr_vlp  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True))


def _runnable(path: str) -> bool:
    """Top-level configs: not under `_base_/` and not named `_base*`."""
    return '_base_' not in path.split(osp.sep)[:-1] and not osp.basename(
        path).startswith('_base')


@pytest.mark.parametrize('path', CONFIGS)
def test_config_parses(path):
    cfg = Config.fromfile(osp.join(ROOT, path))
    if _runnable(path):
        assert 'model' in cfg, f'{path}: no model'
        assert cfg.model.get('type'), f'{path}: model without a type'


def test_metafiles_list_every_runnable_config():
    metas = sorted(
        osp.relpath(p, ROOT) for p in glob.glob(
            osp.join(ROOT, 'configs', '**', 'metafile.yml'), recursive=True))
    with open(osp.join(ROOT, 'model-index.yml')) as f:
        assert sorted(yaml.safe_load(f)['Import']) == metas
    listed = set()
    for meta in metas:
        meta = osp.join(ROOT, meta)
        with open(meta) as f:
            for model in yaml.safe_load(f).get('Models', []):
                cfg = model['Config']
                assert osp.isfile(osp.join(ROOT, cfg)), f'{meta}: {cfg}'
                listed.add(cfg)
    runnable = {p for p in CONFIGS if _runnable(p)}
    assert runnable - listed == set(), 'configs missing from metafiles'
