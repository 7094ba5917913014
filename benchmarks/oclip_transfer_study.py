#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A miniature oCLIP Table 3/4 on synthetic data, in one command.

DBNet (CPU config) is fine-tuned on a small labelled synthetic set

  (a) ``scratch``   from a random-init backbone,
  (b) ``textonly``  from an oCLIP backbone pre-trained on the
                    transcription-only view (all words of every image),
  (c) ``partial25`` from an oCLIP backbone pre-trained with 25% of the
                    words of every image,

and each is evaluated (HmeanIOUMetric, mmocr) on the held-out synthetic test
split and on the 10 real ICDAR 2015 images of ``data/icdar2015_toy``.

    OMP_NUM_THREADS=1 python benchmarks/oclip_transfer_study.py
    # quick smoke run:
    python benchmarks/oclip_transfer_study.py --pretrain-epochs 1 \
        --finetune-epochs 1 --ft-images 16
    # writes benchmarks/results/oclip_transfer_study.{json,md}

Every stage runs ``tools/train.py`` / ``tools/test.py`` in a subprocess
(what ``mim train/test`` run) and is skipped when its output exists, so an
interrupted study resumes. CPU cost (2 shared cores): pre-training
~35 s/epoch per arm, DBNet fine-tuning ~1.5 min/epoch on 200 images.
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
PRETRAIN = {
    'textonly': 'configs/oclip/oclip_resnet-tiny_synth-cpu.py',
    'partial25': 'configs/oclip/oclip_resnet-tiny_synth-cpu_partial25.py',
}
DET = {
    'dbnet':
    'configs/textdet/dbnet/dbnet_resnet50-oclip-vlp-tiny_fpnc_synth-cpu.py',
    'psenet':
    'configs/textdet/psenet/psenet_resnet50-oclip-vlp-tiny_fpnf_synth-cpu.py',
    'fcenet':
    'configs/textdet/fcenet/fcenet_resnet50-oclip-vlp-tiny_fpn_synth-cpu.py',
    'textbpn':
    'configs/textdet/textbpn/textbpn_resnet50-oclip_fpnc_synth-cpu.py',
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


def ensure_data():
    if not osp.exists(osp.join(ROOT, 'data/synth/train_full.json')):
        run([PY, 'tools/render_synth.py', '--out', 'data/synth', '--train',
             '200', '--val', '40', '--test', '40', '--size', '256', '--seed',
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


def last_ckpt(work_dir):
    with open(osp.join(work_dir, 'last_checkpoint')) as f:
        return f.read().strip()


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
    p.add_argument('--pretrain-epochs', type=int, default=20)
    p.add_argument('--finetune-epochs', type=int, default=20)
    p.add_argument('--ft-images', type=int, default=None,
                   help='fine-tune on the first N labelled images')
    p.add_argument('--out', default='benchmarks/results/oclip_transfer_study')
    args = p.parse_args()
    os.chdir(ROOT)
    has_toy = ensure_data()
    wd = args.work_dir
    os.makedirs(wd, exist_ok=True)
    timings, rows = {}, []
    for arm in args.arms.split(','):
        if arm not in ARMS:
            raise SystemExit(f'unknown arm {arm}; choose from {ARMS}')
        ckpt_opt = ['model.backbone.init_cfg=None']
        if arm != 'scratch':
            pre_wd = osp.join(wd, f'pretrain_{arm}')
            backbone = osp.join(pre_wd, 'backbone_clipresnet.pth')
            if not osp.exists(backbone):
                timings[f'pretrain_{arm}'] = run(
                    [PY, 'tools/train.py', PRETRAIN[arm], '--work-dir',
                     pre_wd, '--cfg-options',
                     f'train_cfg.max_epochs={args.pretrain_epochs}',
                     f'param_scheduler.1.T_max={args.pretrain_epochs}',
                     f'param_scheduler.1.end={args.pretrain_epochs}'],
                    osp.join(wd, f'pretrain_{arm}.log'))
            # a whole new init_cfg: some configs default to init_cfg=None
            ckpt_opt = ['model.backbone.init_cfg._delete_=True',
                        'model.backbone.init_cfg.type=Pretrained',
                        f'model.backbone.init_cfg.checkpoint={backbone}']
        ft_wd = osp.join(wd, f'{args.detector}_{arm}')
        opts = ckpt_opt + [
            f'train_cfg.max_epochs={args.finetune_epochs}',
            # the configs' PolyLR ends at their own max_epochs
            f'param_scheduler.0.end={args.finetune_epochs}',
            f'train_cfg.val_interval={args.finetune_epochs + 1}',
            f'default_hooks.checkpoint.interval={args.finetune_epochs}',
        ]
        if args.ft_images:
            opts.append(f'train_dataloader.dataset.indices={args.ft_images}')
        if not osp.exists(osp.join(ft_wd, 'last_checkpoint')):
            timings[f'finetune_{arm}'] = run(
                [PY, 'tools/train.py', DET[args.detector], '--work-dir', ft_wd,
                 '--cfg-options'] + opts, osp.join(wd, f'ft_{args.detector}_{arm}.log'))
        ckpt = last_ckpt(ft_wd)
        row = dict(arm=arm)
        tests = [('synth_test', [])]
        if has_toy:
            tests.append(('icdar2015_toy', [
                'test_dataloader.dataset.data_root=data/icdar2015_toy',
                'test_dataloader.dataset.ann_file=textdet_test.json'
            ]))
        for name, extra in tests:
            log = osp.join(wd, f'test_{args.detector}_{arm}_{name}.log')
            run([PY, 'tools/test.py', DET[args.detector], ckpt, '--work-dir',
                 osp.join(ft_wd, f'test_{name}')] +
                (['--cfg-options'] + extra if extra else []), log)
            m = parse_metrics(log)
            row[name] = {k.split('/')[-1]: round(float(v), 4)
                         for k, v in m.items()}
        rows.append(row)
        print(row, flush=True)
    res = dict(detector=args.detector, pretrain_epochs=args.pretrain_epochs,
               finetune_epochs=args.finetune_epochs,
               ft_images=args.ft_images, results=rows, seconds=timings)
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out + '.json', 'w') as f:
        json.dump(res, f, indent=2)
    lines = [
        f'# Mini oCLIP transfer study ({args.detector}, pre-train '
        f'{args.pretrain_epochs} ep, fine-tune {args.finetune_epochs} ep)',
        '', '| backbone init | synth test P / R / hmean | '
        'ICDAR2015 toy P / R / hmean |', '|---|---|---|'
    ]
    for r in rows:
        cells = []
        for name in ('synth_test', 'icdar2015_toy'):
            m = r.get(name)
            cells.append('n/a' if m is None else
                         f"{m['precision']:.3f} / {m['recall']:.3f} / "
                         f"{m['hmean']:.3f}")
        lines.append(f'| {r["arm"]} | {cells[0]} | {cells[1]} |')
    with open(args.out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
