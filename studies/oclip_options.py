# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""What each oCLIP option that departs from the official code does.

docs/oclip.md, "Differences from the official code", lists every place where
our oCLIP can compute something other than the official function, each as a
named option whose paper-config value is the official behaviour. This study
trains our model (``studies.oclip_differential --impl ours``) once per
option flipped to its other value, in the CPU regime where the official
decoder reads the image (``configs/oclip/oclip_resnet-tiny_6e_synth-rand2-cpu.py``),
plus the unchanged config for several seeds (the run-to-run spread to read
the options against), and tabulates the last row of every run.

Usage::

    python -m studies.oclip_options [--config CFG] [--variants a,b,...] \\
        [--seeds 0,1,2] [--iters 1500] [--work-dir DIR] [--out OUT]

Each run is one subprocess writing ``DIR/<variant>_s<seed>.json`` and is
skipped when that file already holds its last row, so an interrupted study
resumes and several processes can share the work (``--variants`` subsets);
a last call with ``--table-only`` writes ``OUT.{json,md}``. One run is about
5 CPU-minutes (one thread).
"""
import argparse
import json
import os
import os.path as osp
import subprocess
import sys

import numpy as np

from studies.harness import REPO_ROOT as ROOT
from studies.harness import markdown_table, write_results

CONFIG = 'configs/oclip/oclip_resnet-tiny_6e_synth-rand2-cpu.py'
LN100 = 4.605170185988092

#: variant -> (option as in docs/oclip.md, --cfg-options overrides).
VARIANTS = {
    'official': ('the paper-config values (the official function)', {}),
    'bidirectional': ('`text_encoder.causal=False`',
                      {'model.text_encoder.causal': False}),
    'gelu': ("`text_encoder.activation='gelu'`",
             {'model.text_encoder.activation': 'gelu'}),
    'padding_mask': ('`text_encoder.key_padding_mask=True`',
                     {'model.text_encoder.key_padding_mask': True}),
    'fixed_pad': ('`text_encoder.learnable_pad=False`',
                  {'model.text_encoder.learnable_pad': False}),
    'zero_empty': ('`text_encoder.zero_empty=True`',
                   {'model.text_encoder.zero_empty': True}),
    'torch_text_init': ('`text_encoder.clip_init=False`',
                        {'model.text_encoder.clip_init': False}),
    'real_words_mean': ('`num_word_slots=None`',
                        {'model.num_word_slots': None}),
    'sum_loss': ('`loss_contrastive.loss_weight=1.0`',
                 {'model.loss_contrastive.loss_weight': 1.0}),
    'clamp_scale': ('`loss_contrastive.max_logit_scale=ln 100`',
                    {'model.loss_contrastive.max_logit_scale': LN100}),
    'unmasked_contrastive': ("`contrastive_tokens='unmasked'`",
                             {'model.contrastive_tokens': 'unmasked'}),
    'frozen_bn': ('`image_encoder.backbone.norm_eval=True`',
                  {'model.image_encoder.backbone.norm_eval': True}),
    'kaiming_trunk': ('trunk `init_cfg=None` (mmdet Kaiming fan-out)',
                      {'model.image_encoder.backbone.init_cfg': None}),
    'imagenet_norm': ('ImageNet `data_preprocessor.mean/std`', {
        'model.data_preprocessor.mean': [123.675, 116.28, 103.53],
        'model.data_preprocessor.std': [58.395, 57.12, 57.375]
    }),
}
METRICS = ('L_bc', 'acc_own', 'acc_other', 'image_cos')


def cfg_value(v) -> str:
    """``v`` as mmengine's ``DictAction`` reads it back."""
    if isinstance(v, (list, tuple)):
        return '[' + ','.join(map(repr, v)) + ']'
    return v if isinstance(v, str) else repr(v)


def _last_row(path: str, iters: int):
    if not osp.exists(path):
        return None
    with open(path) as f:
        rows = json.load(f)
    return rows[-1] if rows and rows[-1]['iter'] == iters else None


def run_variant(name: str, seed: int, args) -> None:
    """Train ``name`` with ``seed`` unless its file is complete."""
    out = osp.join(args.work_dir, f'{name}_s{seed}.json')
    if _last_row(out, args.iters) is not None:
        return
    opts = [f'{k}={cfg_value(v)}' for k, v in VARIANTS[name][1].items()]
    cmd = [sys.executable, '-m', 'studies.oclip_differential',
           args.config, '--impl', 'ours', '--seed', str(seed),
           '--iters', str(args.iters), '--interval',
           str(args.interval), '--probe', str(args.probe), '--out', out]
    if opts:
        cmd += ['--cfg-options'] + opts
    print('$', ' '.join(cmd), flush=True)
    log = osp.splitext(out)[0] + '.log'
    with open(log, 'w') as f:
        res = subprocess.run(cmd, cwd=ROOT, stdout=f,
                             stderr=subprocess.STDOUT)
    if res.returncode:
        raise SystemExit(f'{name} seed {seed} failed; see {log}')


def collect(work_dir: str, seeds: list, iters: int) -> list:
    """The last row of every run in ``work_dir`` that reached ``iters``."""
    rows = []
    for name in VARIANTS:
        for seed in seeds:
            r = _last_row(osp.join(work_dir, f'{name}_s{seed}.json'), iters)
            if r is not None:
                rows.append(dict(variant=name, seed=seed, chance=r['chance'],
                                 **{k: r[k] for k in METRICS}))
    return rows


def render(rows: list, meta: dict) -> list:
    """Markdown: one line per variant (mean and range over its seeds)."""
    body = []
    for name, (option, _) in VARIANTS.items():
        got = [r for r in rows if r['variant'] == name]
        if not got:
            continue
        cells = []
        for k in METRICS:
            v = [g[k] for g in got]
            cells.append(f'{np.mean(v):.3f}' if len(v) == 1 else
                         f'{np.mean(v):.3f} ({min(v):.3f}-{max(v):.3f})')
        body.append([name, option, ', '.join(str(g['seed']) for g in got)]
                    + cells)
    return [
        f'# oCLIP options against the official function '
        f'({meta["iters"]} iterations)', '',
        f'`{meta["config"]}`, ours only (`python -m studies.oclip_differential '
        '--impl ours`), each option flipped alone; last row of each run: '
        '`L_bc` = (CE_i2t + CE_t2i) / 2 over the last '
        f'{meta["interval"]} iterations (chance {meta["chance"]:.3f}), '
        'masked-character accuracy on the probe with its own image and with '
        'another one (chance 1/26 = 0.038), mean pairwise cosine of the '
        'image embeddings. Several seeds: mean (range).', ''
    ] + markdown_table(['variant', 'option', 'seeds', 'L_bc', 'acc own',
                        'acc other', 'img cos'], body) + [
        '', 'Reproduce: `python -m studies.oclip_options`']


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--config', default=CONFIG)
    p.add_argument('--variants', default=','.join(VARIANTS),
                   help='comma-separated subset of: ' + ', '.join(VARIANTS))
    p.add_argument('--seeds', default='0',
                   help="seeds of every variant; the 'official' variant "
                   'always runs --baseline-seeds')
    p.add_argument('--baseline-seeds', default='0,1,2')
    p.add_argument('--iters', type=int, default=1500)
    p.add_argument('--interval', type=int, default=100)
    p.add_argument('--probe', type=int, default=200)
    p.add_argument('--work-dir', default='work_dirs/oclip_options')
    p.add_argument('--out', default='studies/results/oclip_options')
    p.add_argument('--table-only', action='store_true',
                   help='only collect the finished runs into OUT')
    args = p.parse_args()
    os.chdir(ROOT)
    names = [v for v in args.variants.split(',') if v]
    bad = [v for v in names if v not in VARIANTS]
    if bad:
        raise SystemExit(f'unknown variants {bad}; choose from '
                         f'{list(VARIANTS)}')
    seeds = [int(s) for s in args.seeds.split(',')]
    base_seeds = [int(s) for s in args.baseline_seeds.split(',')]
    os.makedirs(args.work_dir, exist_ok=True)
    if not args.table_only:
        for name in names:
            for seed in (base_seeds if name == 'official' else seeds):
                run_variant(name, seed, args)
    rows = collect(args.work_dir, sorted(set(seeds) | set(base_seeds)),
                   args.iters)
    if not rows:
        raise SystemExit(f'no finished run in {args.work_dir}')
    meta = dict(config=args.config, iters=args.iters,
                interval=args.interval, chance=rows[0]['chance'])
    write_results(args.out, dict(meta=meta, results=rows),
                  render(rows, meta))


if __name__ == '__main__':
    main()
