# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""scripts/gpu_check.sh / tools/gpu_check.py on a machine without a GPU."""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[2]


def _load():
    spec = importlib.util.spec_from_file_location(
        'gpu_check', REPO / 'tools' / 'gpu_check.py')
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


gpu_check = _load()
needs_no_gpu = pytest.mark.skipif(torch.cuda.is_available(),
                                  reason='checks the CPU-only behaviour')


def test_paper_configs_cover_every_family():
    configs = gpu_check.paper_configs()
    by_family = {}
    for family, path in configs:
        assert (REPO / path).is_file()
        assert not Path(path).name.startswith('_base')
        assert 'cpu' not in Path(path).stem.split('_')[-1]  # no CPU configs
        by_family.setdefault(family, []).append(path)
    assert list(by_family) == [f for f, _ in gpu_check.PAPER_CONFIGS]
    detectors = {Path(p).parent.name for p in by_family['oCLIP detectors']}
    assert detectors == {'dbnet', 'psenet', 'fcenet'}
    assert len(by_family['TextBPN']) == 4  # CTW1500 / Total-Text, +-oCLIP
    assert gpu_check.paper_configs(['configs/oclip/*']) == [
        ('oCLIP', p) for p in by_family['oCLIP']
    ]


def test_synthetic_loader_keeps_pipeline_and_redirects_files(tmp_path):
    root = str(tmp_path)
    srsts = next(p for f, p in gpu_check.paper_configs() if f == 'SRSTS-A')
    wecromcl = next(p for f, p in gpu_check.paper_configs()
                    if f == 'WeCromCL' and '200k' in p)
    # SRSTS-A pre-training: first set inside its ConcatDataset.
    cfg = Config.fromfile(str(REPO / srsts))
    loader = gpu_check.synthetic_loader_cfg(cfg, root, 'train_full.json', 3)
    assert loader['batch_size'] == 3
    assert loader['sampler']['type'] == 'InfiniteSampler'
    ds = loader['dataset']
    assert ds['type'] == 'WeakTextDataset' and ds['data_root'] == root
    assert ds['ann_file'] == 'train_full.json'
    first = cfg.train_dataloader.dataset.datasets[0]
    assert [t['type'] for t in ds['pipeline']] == \
        [t['type'] for t in first.pipeline]
    # WeCromCL: the negatives' vocabulary file points at the rendered set.
    cfg = Config.fromfile(str(REPO / wecromcl))
    ds = gpu_check.synthetic_loader_cfg(cfg, root, 'train_full.json',
                                        2)['dataset']
    neg = [t for t in ds['pipeline'] if t['type'] == 'SampleNegativeTexts']
    assert neg and neg[0]['ann_file'] == os.path.join(root, 'train_full.json')
    assert 'vocab_file' not in neg[0]  # the official word list is not here
    # The config itself is not modified.
    assert cfg.train_dataloader.dataset.data_root == 'data/synthtext'
    # ICDAR 2015 detectors: mmocr's pipeline with our ColorJitter, whole.
    for path in (p for f, p in gpu_check.paper_configs()
                 if f == 'oCLIP detectors'):
        cfg = Config.fromfile(str(REPO / path))
        ds = gpu_check.synthetic_loader_cfg(cfg, root, 'train_full.json',
                                            1)['dataset']
        types = [t['type'] for t in ds['pipeline']]
        assert types == [
            t['type'] for t in cfg.train_dataloader.dataset.pipeline
        ]
        assert 'ColorJitter' in types and 'TorchVisionWrapper' not in types


def test_pretrained_init_is_removed_everywhere():
    cfg = dict(backbone=dict(init_cfg=dict(type='Pretrained', checkpoint='x')),
               head=[dict(init_cfg=dict(type='Normal', std=0.01))])
    gpu_check._strip_pretrained(cfg)
    assert cfg['backbone']['init_cfg'] is None
    assert cfg['head'][0]['init_cfg'] == dict(type='Normal', std=0.01)


@needs_no_gpu
def test_wrapper_runs_to_completion_on_cpu_with_skip_messages():
    """The .sh wrapper: environment, MSDA (CUDA part skipped), models built
    (one family per model kind here; every config trains a step in the slow
    test below)."""
    globs = ['configs/oclip/*', 'configs/srsts-a/*', 'configs/textdet/dbnet/*']
    res = subprocess.run([
        'bash',
        str(REPO / 'scripts' / 'gpu_check.sh'), '--build-only', '--configs',
        *globs
    ],
                         env=dict(os.environ, PYTHON=sys.executable),
                         capture_output=True,
                         text=True,
                         timeout=600)
    out = res.stdout
    assert res.returncode == 0, out[-3000:] + res.stderr[-3000:]
    assert 'GPUs: none' in out
    assert 'MSDA PyTorch path on CPU (float64)' in out
    assert 'MSDA CUDA kernel vs PyTorch path: no GPU: skipped' in out
    n = len(gpu_check.paper_configs(globs))
    assert n == 3 and out.count('M parameters') == n
    assert out.count('AMP run: no GPU: skipped') == n
    assert 'all checks passed (GPU-only parts: no GPU: skipped)' in out


@needs_no_gpu
def test_one_cpu_training_step_through_the_config_pipeline(tmp_path, capsys):
    rc = gpu_check.main([
        '--configs', 'configs/oclip/*', '--data-dir',
        str(tmp_path / 'synth')
    ])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert (tmp_path / 'synth' / 'train_full.json').is_file()
    assert re.search(r'ok   oCLIP: configs/oclip/\S+\.py: [\d.]+ M '
                     r'parameters, one step ok, loss [\d.]+', out), out


def test_no_matching_config_fails(capsys):
    assert gpu_check.main(['--configs', 'configs/none/*', '--build-only']) == 1
    assert 'no paper config matched' in capsys.readouterr().out


@pytest.mark.slow
@needs_no_gpu
def test_every_paper_config_trains_one_step_on_cpu(tmp_path, capsys):
    rc = gpu_check.main(['--data-dir', str(tmp_path / 'synth')])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert out.count('one step ok') == len(gpu_check.paper_configs())
