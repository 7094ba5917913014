#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A miniature oCLIP Table 3/4 on synthetic data, in one command.

oCLIP is pre-trained on a transcription-only pool (``data/synth_pre_easy``:
4000 one-font, plain-background images, words from the 2420-word list; no
boxes), and DBNet (CPU config) is then fine-tuned on a small labelled set
from a harder distribution (``data/synth``: 240 images, 31 fonts, clutter,
curved text) -- the paper's SynthText -> Total-Text in miniature:

  (a) ``scratch``   the same CLIP ResNet from random init,
  (b) ``textonly``  from the oCLIP backbone pre-trained on all words,
  (c) ``partial25`` from the oCLIP backbone pre-trained on 25% of the words
                    of every image (Table 3's "25%"),

and each fine-tuned checkpoint listed in ``--eval-epochs`` is evaluated
(HmeanIOUMetric, mmocr) on the held-out ``data/synth`` test split and on the
10 real ICDAR 2015 images of ``data/icdar2015_toy``.

    OMP_NUM_THREADS=1 python -m studies.oclip_transfer_study
    # quick smoke run:
    python -m studies.oclip_transfer_study --pretrain-epochs 1 \
        --finetune-epochs 1 --ft-images 16 --eval-epochs 1
    # writes studies/results/oclip_transfer_study.{json,md}

Every stage runs ``tools/train.py`` / ``tools/test.py`` in a subprocess
(what ``mim train/test`` run) and is skipped when its output exists, so an
interrupted study resumes and arms can run in parallel processes
(``--arms scratch`` in one, ``--arms textonly`` in another; a last run with
all arms collects the table). CPU cost here (one core each): pre-training
~4.6 min/epoch, DBNet fine-tuning ~35 s/epoch on 240 images.
"""
import argparse
import ast
import json
import os
import os.path as osp
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
PY = sys.executable
PRETRAIN_CFG = 'configs/oclip/oclip_resnet-tiny_4e_synth-pre-easy-cpu.py'
# Extra options per pre-training arm (on top of --pretrain-config).
PRETRAIN_OPTS = {
    'textonly': [],
    'partial25': ['train_dataloader.dataset.ann_file=train_partial25.json'],
}
PRE_DATA = 'data/synth_pre_easy'
# The command in the header of PRETRAIN_CFG.
PRE_RENDER = [
    'tools/render_synth.py', '--out', PRE_DATA, '--train', '4000', '--val',
    '40', '--test', '40', '--size', '256', '--seed', '7', '--views',
    'textonly,partial25,full', '--fonts', 'DejaVuSans-Bold.ttf', '--case',
    'lower=1', '--clean', '--word-sources', 'dict=1', '--min-words', '2',
    '--max-words', '5', '--curved', '0', '--multiword', '0',
    '--rotation=-15,15', '--font-size', '0.08,0.15', '--no-progress'
]
DET = {
    'dbnet':
    'configs/textdet/dbnet/dbnet_resnet-tiny-oclip-vlp_fpnc_10e_synth-cpu.py',
    'psenet':
    'configs/textdet/psenet/psenet_resnet-tiny-oclip-vlp_fpnf_2e_synth-cpu.py',
    'fcenet':
    'configs/textdet/fcenet/fcenet_resnet-tiny-oclip-vlp_fpn_2e_synth-cpu.py',
    'textbpn':
    'configs/textdet/textbpn/textbpn_resnet-tiny-oclip-vlp_fpnc_12e_synth-cpu.py',
}
ARMS = ('scratch', 'textonly', 'partial25')


def run(cmd, log):
    print('$', ' '.join(cmd), flush=True)
    t0 = time.time()
    with open(log, 'w') as f:
        res = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise SystemExit(f'failed ({res.returncode}); see {log}')
    return time.time() - t0


def ensure_data(pretrain_config):
    if (pretrain_config == PRETRAIN_CFG
            and not osp.exists(osp.join(ROOT, PRE_DATA, 'meta.json'))):
        run([PY] + PRE_RENDER, '/tmp/oclip_study_render_pre.log')
    if not osp.exists(osp.join(ROOT, 'data/synth/train_full.json')):
        run([PY, 'tools/render_synth.py', '--out', 'data/synth', '--train',
             '240', '--val', '40', '--test', '40', '--size', '256', '--seed',
             '0'], '/tmp/oclip_study_render.log')
    toy = osp.join(ROOT, 'data/icdar2015_toy/textdet_test.json')
    src = osp.join(ROOT, '..', 'shared', 'data', 'icdar2015_toy')
    if not osp.exists(toy) and osp.isdir(src):
        os.makedirs(osp.dirname(toy), exist_ok=True)
        run([PY, 'tools/dataset_converters/icdar2015.py', '--ann-dir',
             osp.join(src, 'annotations'), '--img-dir',
             osp.join(src, 'imgs'), '--out', toy, '--split', 'test',
             '--data-root', osp.dirname(toy), '--quiet'],
            '/tmp/oclip_study_ic15.log')
    return osp.exists(toy)


def parse_metrics(log):
    with open(log) as f:
        for line in f:
            if line.startswith('[mmocr_vlp] test metrics:'):
                return ast.literal_eval(line.split(':', 1)[1].strip())
    raise SystemExit(f'no metrics in {log}')


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--work-dir', default='work_dirs/oclip_transfer_study')
    p.add_argument('--detector', default='dbnet', choices=sorted(DET))
    p.add_argument('--arms', default=','.join(ARMS))
    p.add_argument('--pretrain-config', default=PRETRAIN_CFG)
    p.add_argument('--pretrain-epochs', type=int, default=4)
    p.add_argument('--finetune-epochs', type=int, default=10)
    p.add_argument('--eval-epochs', default=None,
                   help='comma-separated fine-tuning epochs to test '
                   '(default: the last)')
    p.add_argument('--seeds', default='0',
                   help='comma-separated fine-tuning seeds (one run per arm '
                   'and seed; pre-training uses the first)')
    p.add_argument('--ft-images', type=int, default=None,
                   help='fine-tune on the first N labelled images')
    p.add_argument('--out', default='studies/results/oclip_transfer_study')
    args = p.parse_args()
    os.chdir(ROOT)
    has_toy = ensure_data(args.pretrain_config)
    eval_epochs = sorted({int(e) for e in args.eval_epochs.split(',')}) \
        if args.eval_epochs else [args.finetune_epochs]
    if max(eval_epochs) > args.finetune_epochs or min(eval_epochs) < 1:
        raise SystemExit(f'--eval-epochs {eval_epochs} must lie in '
                         f'1..{args.finetune_epochs}')
    seeds = [int(x) for x in args.seeds.split(',')]
    wd = args.work_dir
    os.makedirs(wd, exist_ok=True)
    timings_file = osp.join(wd, 'timings.json')
    timings = {}  # merged with the file after every run
    rows = []
    for arm in args.arms.split(','):
        if arm not in ARMS:
            raise SystemExit(f'unknown arm {arm}; choose from {ARMS}')
        if arm != 'scratch':
            pre_wd = osp.join(wd, f'pretrain_{arm}')
            backbone = osp.join(pre_wd, 'backbone_clipresnet.pth')
            if not osp.exists(backbone):
                timings[f'pretrain_{arm}'] = run(
                    [PY, 'tools/train.py', args.pretrain_config,
                     '--work-dir', pre_wd, '--cfg-options',
                     f'train_cfg.max_epochs={args.pretrain_epochs}',
                     f'param_scheduler.1.T_max={args.pretrain_epochs}',
                     f'param_scheduler.1.end={args.pretrain_epochs}',
                     f'randomness.seed={seeds[0]}'] +
                    PRETRAIN_OPTS[arm], osp.join(wd, f'pretrain_{arm}.log'))
            # a whole new init_cfg: some configs default to init_cfg=None
            ckpt_opt = ['model.backbone.init_cfg._delete_=True',
                        'model.backbone.init_cfg.type=Pretrained',
                        f'model.backbone.init_cfg.checkpoint={backbone}']
        else:  # = the configs' `cpu_scratch_init` (PyTorch conv init)
            ckpt_opt = ['model.backbone.init_cfg._delete_=True',
                        'model.backbone.init_cfg.type=Constant',
                        'model.backbone.init_cfg.val=1',
                        'model.backbone.init_cfg.layer=_BatchNorm']
        tests = [('synth_test', [])]
        if has_toy:
            tests.append(('icdar2015_toy', [
                'test_dataloader.dataset.data_root=data/icdar2015_toy',
                'test_dataloader.dataset.ann_file=textdet_test.json'
            ]))
        for seed in seeds:
            run_name = f'{args.detector}_{arm}_seed{seed}'
            ft_wd = osp.join(wd, run_name)
            opts = ckpt_opt + [
                f'randomness.seed={seed}',
                f'train_cfg.max_epochs={args.finetune_epochs}',
                # the configs' PolyLR ends at their own max_epochs
                f'param_scheduler.0.end={args.finetune_epochs}',
                f'train_cfg.val_interval={args.finetune_epochs + 1}',
                'default_hooks.checkpoint.interval=1',
                'default_hooks.checkpoint.max_keep_ckpts=-1',
            ]
            if args.ft_images:
                opts.append(
                    f'train_dataloader.dataset.indices={args.ft_images}')
            last = osp.join(ft_wd, f'epoch_{args.finetune_epochs}.pth')
            if not osp.exists(last):
                timings[f'finetune_{run_name}'] = run(
                    [PY, 'tools/train.py', DET[args.detector], '--work-dir',
                     ft_wd, '--cfg-options'] + opts,
                    osp.join(wd, f'ft_{run_name}.log'))
            # merge: arms may run in parallel processes sharing the file
            if osp.exists(timings_file):
                timings = {**json.load(open(timings_file)), **timings}
            with open(timings_file, 'w') as f:
                json.dump(timings, f, indent=1)
            row = dict(arm=arm, seed=seed, epochs={})
            for ep in eval_epochs:
                ckpt = osp.join(ft_wd, f'epoch_{ep}.pth')
                row['epochs'][ep] = {}
                for name, extra in tests:
                    log = osp.join(wd, f'test_{run_name}_e{ep}_{name}.log')
                    if not osp.exists(log) or not _has_metrics(log):
                        run([PY, 'tools/test.py', DET[args.detector], ckpt,
                             '--work-dir',
                             osp.join(ft_wd, f'test_e{ep}_{name}')] +
                            (['--cfg-options'] + extra if extra else []),
                            log)
                    m = parse_metrics(log)
                    row['epochs'][ep][name] = {
                        k.split('/')[-1]: round(float(v), 4)
                        for k, v in m.items()
                    }
            rows.append(row)
            print(row, flush=True)
    res = dict(detector=args.detector, pretrain_config=args.pretrain_config,
               pretrain_epochs=args.pretrain_epochs,
               finetune_epochs=args.finetune_epochs,
               ft_images=args.ft_images, results=rows, seconds=timings)
    write_tables(res, args.out)


def _has_metrics(log: str) -> bool:
    with open(log) as f:
        return any(line.startswith('[mmocr_vlp] test metrics:') for line in f)


def _metric(row: dict, epoch: int, name: str):
    """``row``'s metrics at ``epoch`` on ``name`` (JSON keys are strings)."""
    return row['epochs'].get(epoch, row['epochs'].get(str(epoch), {})).get(
        name)


def write_tables(res: dict, out: str) -> None:
    """Write the study ``res`` as ``out``.json and ``out``.md."""
    os.makedirs(osp.dirname(out), exist_ok=True)
    with open(out + '.json', 'w') as f:
        json.dump(res, f, indent=2)
    rows = res['results']
    epochs = sorted({int(e) for r in rows for e in r['epochs']})
    lines = [
        f'# Mini oCLIP transfer study ({res["detector"]}, pre-train '
        f'{res["pretrain_epochs"]} ep with `{res["pretrain_config"]}`, '
        f'fine-tune {res["finetune_epochs"]} ep'
        + (f' on {res["ft_images"]} images' if res['ft_images'] else '')
        + ')', ''
    ]
    for name in ('synth_test', 'icdar2015_toy'):
        lines += [f'## {name}: hmean after N fine-tuning epochs', '',
                  '| backbone init | ' + ' | '.join(
                      f'ep {e}' for e in epochs) + ' | P / R at the last |',
                  '|---|' + '---|' * (len(epochs) + 1)]
        for r in rows:
            ms = [_metric(r, e, name) for e in epochs]
            cells = ['n/a' if m is None else f"{m['hmean']:.3f}" for m in ms]
            last = ms[-1]
            pr = 'n/a' if last is None else \
                f"{last['precision']:.3f} / {last['recall']:.3f}"
            lines.append(f'| {r["arm"]} (seed {r.get("seed", "-")}) | ' +
                         ' | '.join(cells) + f' | {pr} |')
        arms = list(dict.fromkeys(r['arm'] for r in rows))
        if len(rows) > len(arms):  # several seeds: mean per arm
            for arm in arms:
                cells = []
                for e in epochs:
                    hs = [_metric(r, e, name) for r in rows
                          if r['arm'] == arm]
                    hs = [m['hmean'] for m in hs if m is not None]
                    cells.append(f'{sum(hs) / len(hs):.3f}' if hs else 'n/a')
                n = sum(r['arm'] == arm for r in rows)
                lines.append(f'| **{arm}, mean of {n}** | ' +
                             ' | '.join(cells) + ' | |')
        lines.append('')
    secs = res.get('seconds', {})
    if secs:
        lines += ['Wall-clock seconds per stage (shared 2-core machine): ' +
                  ', '.join(f'{k} {v:.0f}' for k, v in sorted(secs.items())),
                  '']
    with open(out + '.md', 'w') as f:
        f.write('\n'.join(lines))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
