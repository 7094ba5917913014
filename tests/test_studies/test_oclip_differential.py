# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""studies/oclip_differential.py and studies/oclip_options.py: the
schedule, the conversion to the official batch format, the tables, and real
two-iteration runs of our step (one with an option override) through the
options study on a tiny render of the reading regime's data."""
import json
import os
import os.path as osp
import re
import subprocess
import sys

import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
sys.path.insert(0, ROOT)
from studies import oclip_differential as diff  # noqa: E402
from studies import oclip_options as options  # noqa: E402

CONFIG = 'configs/oclip/oclip_resnet-tiny_6e_synth-rand2-cpu.py'


def test_cosine_lr_is_the_official_schedule():
    assert diff.cosine_lr(0, 1.0, 10, 100) == pytest.approx(0.1)
    assert diff.cosine_lr(9, 1.0, 10, 100) == pytest.approx(1.0)
    assert diff.cosine_lr(10, 1.0, 10, 100) == pytest.approx(1.0)
    assert diff.cosine_lr(55, 1.0, 10, 100) == pytest.approx(0.5)
    assert diff.cosine_lr(100, 1.0, 10, 100) == pytest.approx(0.0)


def test_to_official_fills_32_slots():
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample
    ds = TextSpottingDataSample()
    ds.gt_instances = InstanceData(
        masked_tokens=torch.tensor([[5, 99, 2], [7, 8, 2]]),
        mask_labels=torch.tensor([6, -1]))
    texts, chars = diff.to_official([ds], width=5)
    assert texts.shape == (1, 32, 5) and chars.shape == (1, 32)
    assert texts[0, 0].tolist() == [5, 99, 2, 0, 0]
    assert texts[0, 1].tolist() == [7, 8, 2, 0, 0]
    assert not texts[0, 2:].any()
    assert chars[0, :3].tolist() == [6, 0, 0]  # ignored label -> 0


def _row(impl, seed, it, bc, own):
    return dict(impl=impl, seed=seed, iter=it, L_bc=bc, acc_own=own,
                acc_other=0.04, image_cos=0.5, chance=2.773, config='c.py',
                batch_size=16, lr=1e-3, warmup=50, iters=200,
                same_init=True)


def test_table_means_and_ranges_over_seeds(tmp_path):
    files = []
    for seed, (bc, own) in enumerate([(2.6, 0.10), (2.4, 0.20)]):
        rows = [_row(i, seed, it, bc + d, own) for i in ('official', 'ours')
                for it, d in ((100, 0.1), (200, 0.))]
        files.append(str(tmp_path / f's{seed}.json'))
        with open(files[-1], 'w') as f:
            json.dump(rows, f)
    md = diff.table(files, str(tmp_path / 'out.md'))
    assert md == (tmp_path / 'out.md').read_text()
    line = next(x for x in md.splitlines() if x.startswith('| 200 |'))
    assert line.count('2.500 (2.400-2.600)') == 2
    assert line.count('0.150 (0.100-0.200)') == 2
    assert 'seeds 0, 1' in md and '`--same-init`' in md
    assert '| 1 | 2.400 | 0.200 |' in md  # per-seed block, last iteration
    one = diff.table(files[:1])  # one file: plain numbers, next to it
    assert '| 200 | 2.600 | 0.100 |' in one
    assert osp.exists(tmp_path / 's0.md')


def test_every_option_is_in_the_docs_table():
    docs = open(osp.join(ROOT, 'docs', 'oclip.md')).read()
    table = docs[docs.index('## Differences from the official code'):]
    for name, (_, overrides) in options.VARIANTS.items():
        for key in overrides:
            leaf = key.split('.', 1)[1]  # without 'model.'
            short = leaf.split('.')[-1]
            assert short in table, f'{name}: {key} not in docs/oclip.md'


@pytest.fixture(scope='module')
def tiny_rand2(tmp_path_factory):
    """A 24-image render of the reading regime's data under
    ``<tmp>/synth_rand2`` (the config's data root via MMOCR_VLP_DATA)."""
    root = tmp_path_factory.mktemp('data')
    head = open(osp.join(ROOT, CONFIG)).read().split('_base_')[0]
    cmd = re.sub(r'\\\n#\s*', ' ', head.split('# Render')[1].split(
        '\n', 1)[1]).replace('#', '').split()
    assert cmd[:2] == ['python', 'tools/render_synth.py']
    for flag, value in (('--out', str(root / 'synth_rand2')),
                        ('--train', '24'), ('--val', '8'), ('--test', '4')):
        cmd[cmd.index(flag) + 1] = value
    subprocess.run([sys.executable] + cmd[1:] + ['--no-progress'],
                   cwd=ROOT, check=True, capture_output=True)
    return root


def _env(data_root):
    return dict(os.environ, MMOCR_VLP_DATA=str(data_root),
                OMP_NUM_THREADS='1')


def test_options_study_runs_resumes_and_tabulates(tiny_rand2, tmp_path):
    wd, out = tmp_path / 'wd', tmp_path / 'res'
    cmd = [sys.executable, '-m', 'studies.oclip_options', '--variants',
           'official,frozen_bn', '--baseline-seeds', '0', '--iters', '2',
           '--interval', '1', '--probe', '4', '--work-dir', str(wd),
           '--out', str(out)]
    subprocess.run(cmd, cwd=ROOT, env=_env(tiny_rand2), check=True,
                   capture_output=True)
    rows = json.loads((wd / 'frozen_bn_s0.json').read_text())
    assert [r['iter'] for r in rows] == [1, 2]
    assert rows[0]['cfg_options'] == {
        'model.image_encoder.backbone.norm_eval': True}
    assert rows[0]['chance'] == pytest.approx(torch.tensor(16.).log().item())
    for r in rows:
        assert 0 <= r['acc_own'] <= 1 and r['L_bc'] > 0
    md = (tmp_path / 'res.md').read_text()
    assert '| official |' in md and '| frozen_bn |' in md
    assert '`image_encoder.backbone.norm_eval=True`' in md
    first = (wd / 'frozen_bn_s0.json').stat().st_mtime
    res = subprocess.run(cmd, cwd=ROOT, env=_env(tiny_rand2), check=True,
                         capture_output=True, text=True)
    assert '$' not in res.stdout  # both runs complete: nothing re-run
    assert (wd / 'frozen_bn_s0.json').stat().st_mtime == first
    bad = subprocess.run(cmd[:4] + ['nope'], cwd=ROOT, capture_output=True,
                         text=True)
    assert bad.returncode and 'unknown variants' in bad.stderr
