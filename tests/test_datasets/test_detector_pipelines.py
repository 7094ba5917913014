# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The paper detector configs (oCLIP's ICDAR 2015 DBNet/PSENet/FCENet,
TextBPN 660e) train through their own pipeline without torchvision: mmocr's
``TorchVisionWrapper(op='ColorJitter')`` is swapped for our ColorJitter
with the same parameters, and the pipeline runs on a real ICDAR 2015
image."""
import copy
import glob
import os.path as osp
import re
import sys

import mmocr
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope

from mmocr_vlp.datasets.converters.icdar import convert_icdar
from mmocr_vlp.datasets.transforms import ColorJitter

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOY = osp.join(ROOT, '..', 'shared', 'data', 'icdar2015_toy')
IC15 = sorted(glob.glob(osp.join(ROOT, 'configs/textdet/*/*_icdar2015.py')))
TEXTBPN = sorted(
    glob.glob(osp.join(ROOT, 'configs/textdet/textbpn/textbpn_*_660e_*.py')))
MMOCR_CONFIGS = osp.join(osp.dirname(mmocr.__file__), '.mim', 'configs')


def _steps(pipeline):
    """Every transform dict, nested ones (RandomApply, ...) included."""
    for t in pipeline:
        if isinstance(t, (list, tuple)):
            yield from _steps(t)
        elif isinstance(t, dict):
            yield t
            yield from _steps(t.get('transforms') or [])


def _types(pipeline):
    return [t['type'].split('.')[-1] for t in _steps(pipeline)]


def test_every_paper_detector_config_is_covered():
    assert {osp.basename(osp.dirname(p))
            for p in IC15} == {'dbnet', 'psenet', 'fcenet'}
    assert len(TEXTBPN) == 4


@pytest.mark.parametrize('path', IC15, ids=osp.basename)
def test_icdar2015_configs_swap_torchvision_color_jitter(path):
    cfg = Config.fromfile(path)
    base = re.search(r"'mmocr::(\S+?\.py)'", open(path).read()).group(1)
    base_cfg = Config.fromfile(osp.join(MMOCR_CONFIGS, base))
    want = [
        t for t in _steps(base_cfg.train_dataloader.dataset.pipeline)
        if t['type'] == 'TorchVisionWrapper'
    ]
    assert len(want) == 1 and want[0]['op'] == 'ColorJitter'
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert 'TorchVisionWrapper' not in _types(pipeline)
    got = [t for t in pipeline if t['type'] == 'ColorJitter']
    assert len(got) == 1
    kwargs = {k: v for k, v in want[0].items() if k not in ('type', 'op')}
    assert {k: v for k, v in got[0].items() if k != 'type'} == kwargs
    # Same place in the pipeline, every other step unchanged.
    base_pipeline = base_cfg.train_dataloader.dataset.pipeline
    i = base_pipeline.index(want[0])
    assert pipeline[:i] == base_pipeline[:i]
    assert pipeline[i + 1:] == base_pipeline[i + 1:]
    # The named variables agree with what the loader runs; the rest of the
    # loader (batch size, sampler, dataset) is mmocr's.
    assert cfg.train_pipeline == pipeline
    assert cfg.icdar2015_textdet_train.pipeline == pipeline
    assert cfg.train_dataloader.batch_size == \
        base_cfg.train_dataloader.batch_size
    assert cfg.train_dataloader.dataset.ann_file == \
        base_cfg.train_dataloader.dataset.ann_file


def _sample(i=0):
    data_list, _ = convert_icdar(osp.join(TOY, 'annotations'),
                                 osp.join(TOY, 'imgs'))
    item = copy.deepcopy(data_list[i])
    item['img_path'] = osp.join(TOY, 'imgs', item['img_path'])
    return item


@pytest.mark.skipif(not osp.isdir(TOY), reason='needs ../shared/data')
@pytest.mark.parametrize('path', IC15 + TEXTBPN, ids=osp.basename)
def test_train_pipeline_runs_on_icdar2015_without_torchvision(path):
    tv = sys.modules.get('torchvision')
    assert tv is None or getattr(tv, '__mmocr_vlp_placeholder__', False), \
        'meant to run without torchvision'
    cfg = Config.fromfile(path)
    pipeline = cfg.train_dataloader.dataset.pipeline
    assert 'TorchVisionWrapper' not in _types(pipeline)
    with DefaultScope.overwrite_default_scope('mmocr'):
        compose = Compose(copy.deepcopy(pipeline))
    for seed in range(2):
        np.random.seed(seed)
        out = compose(_sample(seed))
        assert out is not None, f'{path}: pipeline dropped the sample'
        img = out['inputs']
        assert img.dtype.is_floating_point is False and img.ndim == 3
        assert out['data_samples'].gt_instances.polygons is not None
    jitter = [t for t in compose.transforms if isinstance(t, ColorJitter)]
    if path in IC15:
        assert len(jitter) == 1
        # It changes a loaded image, keeps dtype and shape.
        loaded = compose.transforms[0](_sample())
        img = loaded['img'].copy()
        np.random.seed(0)
        jittered = jitter[0](loaded)['img']
        assert jittered.dtype == np.uint8 and jittered.shape == img.shape
        assert not np.array_equal(jittered, img)
    else:  # TextBPN's own pipeline has no colour jitter
        assert not jitter
