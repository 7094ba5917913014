#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Side by side with the official code: one train step at identical settings.

oCLIP: RN50 at 512x512, batch 4, 8 words per image, random pixels and random
words, AdamW (lr 1e-4, wd 0.1 without decay on gains/biases/logit scale).

- official: the model of ``<oclip-src>/src/clip/model.py`` and the loss of
  ``<oclip-src>/src/training/train.py`` (``get_loss``) as published, fp32
  (its AMP path is CUDA-only); also under ``torch.autocast('cpu',
  bfloat16)`` for reference;
- mmocr_vlp: the paper config ``configs/oclip/oclip_resnet50_100e_synthtext.py``
  as shipped, ``model.train_step`` (data preprocessor, forward, backward,
  optimiser step) with the config's optimiser wrapper, and with
  ``AmpOptimWrapper`` (what ``tools/train.py --amp`` selects: bfloat16
  autocast on CPU).

Every case runs in a fresh child process (``studies.harness.run_child``,
so its peak RSS is its own); cases alternate within each round, so drifting
machine load hits all of them alike. The official code is imported from the
checkout given on the command line and never copied into this repository.

    OMP_NUM_THREADS=2 python -m benchmarks.bench_vs_official \\
        --oclip-src /path/to/bytedance/oclip
    # writes benchmarks/results/bench_vs_official.{json,md}
"""
import argparse
import importlib.util
import json
import os
import os.path as osp
import statistics
import sys
import time

from studies.harness import (REPO_ROOT, emit_result, load_results,
                             machine_info, markdown_table, peak_rss_mb,
                             run_child, write_results)

ROOT = REPO_ROOT
OCLIP_CONFIG = 'configs/oclip/oclip_resnet50_100e_synthtext.py'
IMG, BATCH, WORDS, WORD_LEN = 512, 4, 8, 25
CASES = [
    # key, implementation, precision, label
    ('official_fp32', 'official', 'fp32', 'official oCLIP code, fp32'),
    ('ours_fp32', 'ours', 'fp32', 'mmocr_vlp paper config, fp32'),
    ('ours_bf16', 'ours', 'bf16',
     'mmocr_vlp paper config, `--amp` (bf16 autocast)'),
    ('official_bf16', 'official', 'bf16',
     'official oCLIP code under `torch.autocast(cpu, bf16)`'),
]


def _words(seed: int):
    """Per image ``WORDS`` random lower-case words and one masked position
    per word (the same for both implementations)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(BATCH):
        ws = [''.join(rng.choice(list('abcdefghijklmnopqrstuvwxyz'),
                                 int(rng.integers(3, 11))))
              for _ in range(WORDS)]
        pos = [int(rng.integers(0, len(w))) for w in ws]
        out.append((ws, pos))
    images = rng.integers(0, 256, (BATCH, 3, IMG, IMG), dtype=np.uint8)
    return images, out


def _load(path: str, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _official_step(src: str, precision: str):
    """Build the official model/optimiser; return ``step() -> loss``."""
    import torch
    from types import SimpleNamespace
    model_mod = _load(osp.join(src, 'src', 'clip', 'model.py'),
                      'official_oclip_model')
    train_mod = _load(osp.join(src, 'src', 'training', 'train.py'),
                      'official_oclip_train')
    with open(osp.join(src, 'src', 'training', 'model_configs',
                       'RN50.json')) as f:
        cfg = json.load(f)
    model = model_mod.oCLIP(first_stage=False, **cfg)
    model.train()
    # main.py's parameter groups and AdamW.
    exclude = (lambda n: 'bn' in n or 'ln' in n or 'bias' in n
               or 'logit_scale' in n)
    named = list(model.named_parameters())
    optimizer = torch.optim.AdamW(
        [{'params': [p for n, p in named if exclude(n)], 'weight_decay': 0.},
         {'params': [p for n, p in named if not exclude(n)],
          'weight_decay': 0.1}],
        lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    images, words = _words(0)
    mean = torch.tensor([0.48145466, 0.4578275, 0.40821073]).view(1, 3, 1, 1)
    std = torch.tensor([0.26862954, 0.26130258, 0.27577711]).view(1, 3, 1, 1)
    # data.py: chars 33-126 -> 1-94, MASK 95, EOS 96; 32 slots -> WORDS.
    imgs = (torch.from_numpy(images).float() / 255. - mean) / std
    texts = torch.zeros(BATCH, WORDS, WORD_LEN, dtype=torch.long)
    chars = torch.zeros(BATCH, WORDS, dtype=torch.long)
    for b, (ws, pos) in enumerate(words):
        for i, (w, p) in enumerate(zip(ws, pos)):
            t = [ord(c) - 32 for c in w] + [96]
            chars[b, i] = t[p]
            t[p] = 95
            texts[b, i, :len(t)] = torch.tensor(t)
    masks = torch.zeros(BATCH, IMG // 32, IMG // 32, dtype=torch.bool)
    args = SimpleNamespace(distributed=False, aggregate=False, gpu=None,
                           char_loss_weight=1.0)
    ce = torch.nn.CrossEntropyLoss()

    def step():
        optimizer.zero_grad()
        with torch.autocast('cpu', torch.bfloat16,
                            enabled=precision == 'bf16'):
            char_loss, clip_loss = train_mod.get_loss(
                model, imgs, texts, chars, masks, ce, ce, ce, args)
            loss = char_loss + clip_loss
        loss.backward()
        optimizer.step()
        return float(loss.detach())

    return step


def _ours_step(precision: str):
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmengine.structures import InstanceData
    from mmocr.registry import MODELS
    from mmocr.structures import TextSpottingDataSample

    import mmocr_vlp  # noqa: F401
    init_default_scope('mmocr')
    cfg = Config.fromfile(osp.join(ROOT, OCLIP_CONFIG))
    if precision == 'bf16':  # what tools/train.py --amp sets
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    d = model.dictionary
    images, words = _words(0)
    samples = []
    for ws, pos in words:
        tokens, _ = d.tokenize(ws)
        tokens = torch.as_tensor(tokens).long()
        masked = tokens.clone()
        rows = torch.arange(len(ws))
        p = torch.as_tensor(pos)
        labels = tokens[rows, p].clone()
        masked[rows, p] = d.mask_idx
        ds = TextSpottingDataSample(
            metainfo=dict(img_shape=(IMG, IMG), pad_shape=(IMG, IMG)))
        ds.gt_instances = InstanceData(
            texts=ws, tokens=tokens, masked_tokens=masked,
            mask_labels=labels)
        samples.append(ds)
    data = dict(inputs=list(torch.from_numpy(images)), data_samples=samples)

    def step():
        log = model.train_step(data, optim)
        return float(log['loss'].detach())

    return step


def worker(case: str, src: str, warmup: int, steps: int) -> dict:
    import torch
    torch.manual_seed(0)
    _, impl, precision, _ = next(c for c in CASES if c[0] == case)
    step = _official_step(src, precision) if impl == 'official' else \
        _ours_step(precision)
    rss_built = peak_rss_mb()
    times, losses = [], []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    return dict(case=case, times=times[warmup:], losses=losses,
                rss_built_MB=rss_built, peak_rss_MB=peak_rss_mb(),
                threads=torch.get_num_threads())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--oclip-src', default=None,
                   help='checkout of github.com/bytedance/oclip')
    p.add_argument('--wecromcl-src', default=None,
                   help='checkout of github.com/ZhengyaoFang/WeCromCL '
                   '(its train step needs its CUDA extension; not timed '
                   'here, see the results file)')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--rounds', type=int, default=2,
                   help='alternating rounds over all cases')
    p.add_argument('--cases', default=','.join(c[0] for c in CASES))
    p.add_argument('--note', default='', help='free text for the results')
    p.add_argument('--out', default=osp.join(ROOT, 'benchmarks', 'results',
                                             'bench_vs_official'))
    p.add_argument('--render', action='store_true',
                   help='rewrite <out>.md from <out>.json (no timing)')
    p.add_argument('--worker', default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        emit_result(worker(args.worker, args.oclip_src, args.warmup,
                           args.steps))
        return
    if args.render:  # rewrite the page of an earlier run (e.g. a note)
        old = load_results(args.out)
        if old is None:
            sys.exit(f'bench_vs_official: no {args.out}.json to render')
        runs, meta = old['runs'], old['meta']
        meta['note'] = args.note or meta.get('note', '')
    else:
        runs = _time_cases(args)
        meta = machine_info(
            date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            setting=f'oCLIP RN50, {IMG}x{IMG}, batch {BATCH}, {WORDS} '
            'words/image, AdamW, random data', rounds=args.rounds,
            warmup=args.warmup, steps=args.steps, note=args.note)
    rows = _summarise(runs)
    lines = [
        f'# Train step side by side with the official code ({meta["date"]})',
        '', f'{meta["setting"]}; {meta["cpu_count"]} CPU cores, '
        f'OMP_NUM_THREADS={meta["omp_num_threads"]}; {meta["rounds"]} '
        f'alternating rounds x {meta["steps"]} timed steps (after '
        f'{meta["warmup"]} warm-up) per case, each case in a fresh process.',
        ''
    ] + markdown_table(
        ['step', 's/step: median (min-max)', 'vs official fp32: median',
         'vs official fp32: min', 'peak RSS (MB)', 'RSS after build (MB)'],
        [(r['label'], f'{r["sec_per_step"]} ({r["min_sec"]}-'
          f'{r["max_sec"]})', f'{r["speedup_vs_official_fp32"]}x',
          f'{r["speedup_min_vs_official_fp32"]}x', r['peak_rss_MB'],
          r['rss_built_MB']) for r in rows])
    lines += [
        '', 'Ratios compare medians and fastest steps (the fastest step is '
        'the least disturbed by other processes on a shared machine). Peak '
        'RSS is the whole process (Python, libraries, model, optimiser '
        'state, activations); "after build" is before the first step. '
        'mmocr_vlp\'s step includes its data preprocessor (uint8 -> '
        'normalised float); the official step gets normalised floats.',
    ]
    if args.wecromcl_src:
        lines += ['', 'WeCromCL: the official train step needs its CUDA '
                  'extension and hard-codes `.cuda()`; not timed by this '
                  'script.']
    if meta.get('note'):
        lines += ['', meta['note']]
    reproduce = (f'OMP_NUM_THREADS={meta["omp_num_threads"]} python -m '
                 'benchmarks.bench_vs_official --oclip-src <oclip checkout>')
    lines += ['', f'Reproduce: `{reproduce}`']
    write_results(args.out, dict(meta=meta, results=rows, runs=runs), lines)
    print('\n'.join(lines))


def _time_cases(args) -> dict:
    """Run every case ``args.rounds`` times, alternating; per case the list
    of its children's results."""
    if not args.oclip_src or not osp.isfile(
            osp.join(args.oclip_src, 'src', 'clip', 'model.py')):
        sys.exit(f'bench_vs_official: {args.oclip_src!r} has no '
                 f'src/clip/model.py (not an oCLIP checkout)')
    if 'OMP_NUM_THREADS' not in os.environ:
        sys.exit('bench_vs_official: set OMP_NUM_THREADS explicitly')
    cases = args.cases.split(',')
    runs = {c: [] for c in cases}
    for r in range(args.rounds):
        for case in cases:
            load = os.getloadavg()[0]
            res = run_child('benchmarks.bench_vs_official', [
                '--worker', case, '--oclip-src',
                osp.abspath(args.oclip_src), '--warmup', args.warmup,
                '--steps', args.steps], what=case)
            res['loadavg_before'] = load
            runs[case].append(res)
            print(f'round {r} {case}: median '
                  f'{statistics.median(res["times"]):.3f} s/step, peak RSS '
                  f'{res["peak_rss_MB"]} MB', flush=True)
    return runs


def _summarise(runs: dict) -> list:
    """One row per case: median / min / max s per step, peak memory and the
    ratios to the official fp32 step."""
    rows = []
    for key, impl, precision, label in CASES:
        if key not in runs:
            continue
        times = [t for res in runs[key] for t in res['times']]
        rows.append(dict(
            case=key, label=label, impl=impl, precision=precision,
            sec_per_step=round(statistics.median(times), 3),
            min_sec=round(min(times), 3), max_sec=round(max(times), 3),
            peak_rss_MB=max(res['peak_rss_MB'] for res in runs[key]),
            rss_built_MB=max(res['rss_built_MB'] for res in runs[key]),
            threads=runs[key][0]['threads'],
            loadavg_before=[res['loadavg_before'] for res in runs[key]]))
    ref = next((r for r in rows if r['case'] == 'official_fp32'), None)
    for r in rows:
        r['speedup_vs_official_fp32'] = (round(
            ref['sec_per_step'] / r['sec_per_step'], 2) if ref else None)
        r['speedup_min_vs_official_fp32'] = (round(
            ref['min_sec'] / r['min_sec'], 2) if ref else None)
    return rows


if __name__ == '__main__':
    main()
