# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Every shipped config parses, and the metafiles list exactly the
runnable configs (what `mim search` / `mim train mmocr_vlp <name>` see)."""
import glob
import os.path as osp
import re

import pytest
import yaml
from mmengine.config import Config

import mmocr_vlp  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def _runnable(path: str) -> bool:
    """Top-level configs: not under `_base_/` and not named `_base*`."""
    return '_base_' not in path.split(osp.sep)[:-1] and not osp.basename(
        path).startswith('_base')


CONFIGS = sorted(
    osp.relpath(p, ROOT)
    for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                       recursive=True))


# mmocr's naming convention: {algorithm}_{backbone}_{neck}_{schedule}_{dataset}
# (the neck may be omitted); words inside a field are joined by hyphens.
CONFIG_NAME = re.compile(r'^(?P<algorithm>[a-z0-9-]+)_(?P<backbone>[a-z0-9-]+)'
                         r'(?:_(?P<neck>[a-z0-9-]+))?_(?P<schedule>\d+(e|k|it))'
                         r'_(?P<dataset>[a-z0-9-]+)\.py$')


@pytest.mark.parametrize('path', [p for p in CONFIGS if _runnable(p)])
def test_config_name_follows_mmocr_convention(path):
    m = CONFIG_NAME.match(osp.basename(path))
    assert m, f'{path}: not {{algorithm}}_{{backbone}}_{{neck}}_' \
        f'{{schedule}}_{{dataset}}.py'
    folder = osp.basename(osp.dirname(path))
    assert m['algorithm'] == folder, \
        f'{path}: algorithm {m["algorithm"]!r} is not its folder {folder!r}'


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
