# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""studies/oclip_transfer_study.py: which runs it plans (stages faked)
and the table it writes."""
import importlib.util
import json
import os
import os.path as osp
import sys

import pytest

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture
def study(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location(
        'oclip_transfer_study',
        osp.join(ROOT, 'studies', 'oclip_transfer_study.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    calls = []

    def fake_run(cmd, log):
        """Create what each stage would write; hmean grows with the epoch
        and is higher from a pre-trained backbone."""
        calls.append(cmd)
        wd = cmd[cmd.index('--work-dir') + 1] if '--work-dir' in cmd else ''
        pretrain = cmd[2].startswith('configs/oclip/')
        if cmd[1] == 'tools/train.py' and pretrain:
            os.makedirs(wd, exist_ok=True)
            open(osp.join(wd, 'backbone_clipresnet.pth'), 'w').close()
        elif cmd[1] == 'tools/train.py':
            os.makedirs(wd, exist_ok=True)
            epochs = int([c for c in cmd if c.startswith(
                'train_cfg.max_epochs=')][0].split('=')[1])
            for e in range(1, epochs + 1):
                open(osp.join(wd, f'epoch_{e}.pth'), 'w').close()
        elif cmd[1] == 'tools/test.py':
            ep = int(osp.basename(cmd[3])[len('epoch_'):-len('.pth')])
            h = ep / 10 + (0.05 if 'scratch' not in cmd[3] else 0.)
            with open(log, 'w') as f:
                f.write('[mmocr_vlp] test metrics: ' + repr({
                    'icdar/precision': h, 'icdar/recall': h,
                    'icdar/hmean': h}) + '\n')
        return 1.0

    monkeypatch.setattr(mod, 'run', fake_run)
    monkeypatch.setattr(mod, 'ensure_data', lambda cfg: False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mod, 'ROOT', str(tmp_path))
    return mod, calls, tmp_path


def _main(mod, argv, monkeypatch):
    monkeypatch.setattr(sys, 'argv', ['oclip_transfer_study.py'] + argv)
    mod.main()


def test_plans_pretraining_once_and_finetuning_per_seed(study, monkeypatch):
    mod, calls, tmp = study
    out = str(tmp / 'res' / 'study')
    args = ['--work-dir', str(tmp / 'wd'), '--pretrain-epochs', '2',
            '--finetune-epochs', '4', '--eval-epochs', '2,4', '--seeds',
            '0,1', '--out', out]
    _main(mod, args, monkeypatch)
    trains = [c for c in calls if c[1] == 'tools/train.py']
    pre = [c for c in trains if c[2].startswith('configs/oclip/')]
    ft = [c for c in trains if not c[2].startswith('configs/oclip/')]
    assert len(pre) == 2 and len(ft) == 6  # 2 pre-trainings, 3 arms x 2
    part = [c for c in pre if 'pretrain_partial25' in ' '.join(c)][0]
    assert 'train_dataloader.dataset.ann_file=train_partial25.json' in part
    assert all('randomness.seed=0' in c for c in pre)
    scratch = [c for c in ft if 'dbnet_scratch' in ' '.join(c)]
    assert {c[c.index('--work-dir') + 1].rsplit('_', 1)[1]
            for c in scratch} == {'seed0', 'seed1'}
    for c in scratch:  # PyTorch init, never a checkpoint
        assert 'model.backbone.init_cfg.type=Constant' in c
    for c in ft:
        if 'dbnet_scratch' not in ' '.join(c):
            assert any(o.startswith('model.backbone.init_cfg.checkpoint=')
                       and o.endswith('backbone_clipresnet.pth') for o in c)
    tests = [c for c in calls if c[1] == 'tools/test.py']
    assert len(tests) == 6 * 2  # 6 runs x 2 epochs x 1 test set

    res = json.load(open(out + '.json'))
    assert len(res['results']) == 6
    md = open(out + '.md').read()
    # per-seed rows and the mean of the two seeds per arm, hand-computed
    assert '| scratch (seed 1) | 0.200 | 0.400 |' in md
    assert '| **textonly, mean of 2** | 0.250 | 0.450 | |' in md

    # a second run reuses every finished stage
    calls.clear()
    _main(mod, args, monkeypatch)
    assert calls == []


def test_rejects_eval_epochs_beyond_finetuning(study, monkeypatch):
    mod, _, tmp = study
    with pytest.raises(SystemExit, match='eval-epochs'):
        _main(mod, ['--work-dir', str(tmp / 'wd'), '--finetune-epochs', '4',
                    '--eval-epochs', '2,6'], monkeypatch)
