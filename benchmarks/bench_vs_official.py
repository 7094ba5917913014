#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Side by side with the official code: one step at identical settings.

oCLIP (``--oclip-src``): RN50 at 512x512, batch 4, 8 words per image, random
pixels and random words, AdamW (lr 1e-4, wd 0.1 without decay on
gains/biases/logit scale).

- official: the model of ``<oclip-src>/src/clip/model.py`` and the loss of
  ``<oclip-src>/src/training/train.py`` (``get_loss``) as published, fp32
  (its AMP path is CUDA-only); also under ``torch.autocast('cpu',
  bfloat16)`` for reference;
- mmocr_vlp: the paper config ``configs/oclip/oclip_resnet50_100e_synthtext.py``
  as shipped, ``model.train_step`` (data preprocessor, forward, backward,
  optimiser step) with the config's optimiser wrapper, and with
  ``AmpOptimWrapper`` (what ``tools/train.py --amp`` selects: bfloat16
  autocast on CPU).

WeCromCL (``--wecromcl-src``), the paper configuration on both sides
(ResNet-50, BiFPN, 6-layer deformable encoder, 12-layer text encoder, random
weights, no ImageNet download):

- train step at ``--wecromcl-size`` (default 320x320; 640x640 takes minutes
  per step on 2 cores), batch 2, one positive word and 16 negative words per
  image, SGD (lr 1e-3, momentum 0.9, wd 1e-5): official
  ``encode_text`` x 2 + ``forward`` + ``ContrastiveLoss`` + backward + step
  (its ``utils/trainer.py``), ours ``model.train_step`` of
  ``configs/wecromcl/wecromcl_resnet50_bifpn-deform_200k_synthtext.py``;
- pseudo-labelling of one 640x640 image with 5 words: official the steps of
  its ``inference.py`` (``encode_image``, ``channel_to_512``,
  ``encode_text``, ``attn_pool`` maps, 5x5 max-pool NMS, top-k), ours
  ``model.predict`` as ``tools/generate_pseudo_labels.py`` runs it by
  default (:func:`init_wecromcl`, ``optimize=True``).

The official WeCromCL code runs on CPU through
:mod:`studies.official_wecromcl` (a stub for its CUDA-only deformable op that
calls its own pure-PyTorch path, ``pretrained=False``, ``.cuda()`` as the
identity), all at run time in the child process.

Every case runs in a fresh child process (``studies.harness.run_child``,
so its peak RSS is its own); cases alternate within each round, so drifting
machine load hits all of them alike. The official code is imported from the
checkout given on the command line and never copied into this repository.

    OMP_NUM_THREADS=2 python -m benchmarks.bench_vs_official \\
        --oclip-src /path/to/bytedance/oclip \\
        --wecromcl-src /path/to/ZhengyaoFang/WeCromCL
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

from studies.harness import (REPO_ROOT, emit_result, load_for_render,
                             machine_info, markdown_table, peak_rss_mb,
                             run_child, write_results)


ROOT = REPO_ROOT
OCLIP_CONFIG = 'configs/oclip/oclip_resnet50_100e_synthtext.py'
WECROMCL_CONFIG = ('configs/wecromcl/'
                   'wecromcl_resnet50_bifpn-deform_200k_synthtext.py')
DEFAULT_OUT = 'benchmarks/results/bench_vs_official'
IMG, BATCH, WORDS, WORD_LEN = 512, 4, 8, 25
# WeCromCL: train batch, negatives per image, labelling size and words.
WC_BATCH, WC_NEG, WC_LABEL_SIZE, WC_LABEL_WORDS = 2, 16, 640, 5
WC_WORDS = [
    'street', 'open', 'cafe', 'exit', 'hotel', 'bus', 'stop', 'sale',
    'parking', 'pizza', 'bank', 'entry', 'taxi', 'market', 'north', 'road',
    'coffee', 'police', 'museum', 'garden', 'school', 'bakery', 'hospital',
    'station', 'airport', 'library', 'cinema', 'theatre', 'pharmacy', 'city',
    'river', 'bridge', 'tower', 'square', 'avenue', 'lane', 'park', 'zone'
]
CASES = [
    # key, model, implementation, precision or mode, label, reference case
    ('official_fp32', 'oclip', 'official', 'fp32',
     'official oCLIP code, fp32', 'official_fp32'),
    ('ours_fp32', 'oclip', 'ours', 'fp32', 'mmocr_vlp paper config, fp32',
     'official_fp32'),
    ('ours_bf16', 'oclip', 'ours', 'bf16',
     'mmocr_vlp paper config, `--amp` (bf16 autocast)', 'official_fp32'),
    ('official_bf16', 'oclip', 'official', 'bf16',
     'official oCLIP code under `torch.autocast(cpu, bf16)`',
     'official_fp32'),
    ('wecromcl_official_train', 'wecromcl', 'official', 'train',
     'official WeCromCL code, train step, fp32', 'wecromcl_official_train'),
    ('wecromcl_ours_train', 'wecromcl', 'ours', 'train',
     'mmocr_vlp paper config, train step, fp32', 'wecromcl_official_train'),
    ('wecromcl_official_label', 'wecromcl', 'official', 'label',
     'official WeCromCL code, pseudo-labelling (its `inference.py` steps), '
     'fp32', 'wecromcl_official_label'),
    ('wecromcl_ours_label', 'wecromcl', 'ours', 'label',
     'mmocr_vlp paper config, pseudo-labelling '
     '(`tools/generate_pseudo_labels.py` default), fp32',
     'wecromcl_official_label'),
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



def _wecromcl_batch(size: int, batch: int, words: int, seed: int,
                    uint8: bool = False):
    """Random images (uint8, else normalised floats), per image ``words``
    distinct words and ``WC_NEG`` negatives not among them."""
    import random

    import torch
    rng = random.Random(seed)
    g = torch.Generator().manual_seed(seed)
    images = torch.randint(0, 256, (batch, 3, size, size), generator=g,
                           dtype=torch.uint8) if uint8 else torch.randn(
                               (batch, 3, size, size), generator=g)
    out = []
    for _ in range(batch):
        ws = rng.sample(WC_WORDS, words)
        negs = rng.sample([w for w in WC_WORDS if w not in ws], WC_NEG)
        out.append((ws, negs))
    return images, out


def _wecromcl_samples(size: int, words):
    import torch
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample
    samples = []
    for ws, negs in words:
        s = TextSpottingDataSample()
        s.gt_instances = InstanceData(
            texts=list(ws), ignored=torch.zeros(len(ws), dtype=torch.bool))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size),
                            pad_shape=(size, size), scale_factor=(1.0, 1.0),
                            neg_texts=list(negs)))
        samples.append(s)
    return samples


def _wecromcl_official(src: str, mode: str, size: int):
    """The official model (paper cfgs) on CPU; ``step() -> float``."""
    import torch
    import torch.nn.functional as F
    from types import SimpleNamespace

    from studies.official_wecromcl import (load_official, no_cuda,
                                           official_cfgs)
    off = load_official(src)
    net = off.WeCromCL(official_cfgs(false_label_num=WC_NEG))
    enc = off.converter.encode

    def tokens(ws):
        return torch.tensor([enc(w)[0] for w in ws]).long()

    if mode == 'train':
        images, words = _wecromcl_batch(size, WC_BATCH, 1, 0, uint8=True)
        # What our data preprocessor gives (BGR -> RGB, ImageNet mean/std).
        mean = torch.tensor([123.675, 116.28, 103.53]).view(1, 3, 1, 1)
        std = torch.tensor([58.395, 57.12, 57.375]).view(1, 3, 1, 1)
        images = (images.flip(1).float() - mean) / std
        pos = tokens([ws[0] for ws, _ in words])
        neg = tokens([w for _, negs in words for w in negs])
        net.train()
        # configs/Base.yaml trainer: SGD, lr 1e-3, momentum 0.9, wd 1e-5.
        opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9,
                              weight_decay=1e-5)
        crit = off.ContrastiveLoss()

        def step():  # utils/trainer.py, one iteration
            opt.zero_grad()
            sel = SimpleNamespace(tensor=net.encode_text(pos))
            false = net.encode_text(neg)
            feats = net(images, sel, false)
            with no_cuda():
                losses, _ = crit(net, feats, sel, false)
            loss = sum(losses)
            loss.backward()
            opt.step()
            return float(loss.detach())

        return step
    images, words = _wecromcl_batch(WC_LABEL_SIZE, 1, WC_LABEL_WORDS, 0)
    ws = words[0][0]
    text = tokens(ws)
    net.eval()

    def step():  # inference.py, one image
        with torch.no_grad():
            feat = net.channel_to_512(net.encode_image(images))
            h, w = feat.shape[2:]
            maps = net.attn_pool(net.encode_text(text).unsqueeze(1),
                                 feat)[1].view(1, -1, h, w)
            keep = F.max_pool2d(maps, 5, stride=1, padding=2) == maps
            maps = (maps * keep)[0]
            points = [torch.topk(maps[j].view(1, -1), 1)[1][0, 0].item()
                      for j in range(len(ws))]
        return float(len(points))

    return step


def _wecromcl_ours(mode: str, size: int):
    """Our paper config; ``step() -> float``."""
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS

    import mmocr_vlp  # noqa: F401
    from mmocr_vlp.models.common.ms_deform_attn_cpu import \
        fast_cpu_deform_attn
    from mmocr_vlp.models.wecromcl.pseudo_labels import init_wecromcl
    cfg = Config.fromfile(osp.join(ROOT, WECROMCL_CONFIG))
    if mode == 'train':
        init_default_scope('mmocr')
        cfg.model.backbone.init_cfg = None  # no ImageNet download
        model = MODELS.build(cfg.model)
        model.init_weights()
        model.train()
        optim = build_optim_wrapper(model, cfg.optim_wrapper)
        images, words = _wecromcl_batch(size, WC_BATCH, 1, 0, uint8=True)
        data = dict(inputs=list(images),
                    data_samples=_wecromcl_samples(size, words))

        def step():
            log = model.train_step(data, optim)
            return float(log['loss'].detach())

        return step
    model, _, _ = init_wecromcl(cfg, None, optimize=True)
    images, words = _wecromcl_batch(WC_LABEL_SIZE, 1, WC_LABEL_WORDS, 0)
    samples = _wecromcl_samples(WC_LABEL_SIZE, words)

    def step():  # what iter_predictions runs per image
        with torch.no_grad(), fast_cpu_deform_attn(True):
            out = model.predict(images, samples)[0]
        return float(len(out.pred_instances.points))

    return step


def worker(case: str, args) -> dict:
    import torch
    torch.manual_seed(0)
    _, model, impl, mode, _, _ = next(c for c in CASES if c[0] == case)
    if model == 'oclip':
        step = _official_step(args.oclip_src, mode) if impl == 'official' \
            else _ours_step(mode)
    elif impl == 'official':
        step = _wecromcl_official(args.wecromcl_src, mode,
                                  args.wecromcl_size)
    else:
        step = _wecromcl_ours(mode, args.wecromcl_size)
    rss_built = peak_rss_mb()
    times, losses = [], []
    for i in range(args.warmup + args.steps):
        t0 = time.perf_counter()
        losses.append(step())
        times.append(time.perf_counter() - t0)
    return dict(case=case, times=times[args.warmup:], losses=losses,
                rss_built_MB=rss_built, peak_rss_MB=peak_rss_mb(),
                threads=torch.get_num_threads())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--oclip-src', default=None,
                   help='checkout of github.com/bytedance/oclip')
    p.add_argument('--wecromcl-src', default=None,
                   help='checkout of github.com/ZhengyaoFang/WeCromCL')
    p.add_argument('--wecromcl-size', type=int, default=320,
                   help='input side of the WeCromCL train step')
    p.add_argument('--warmup', type=int, default=2)
    p.add_argument('--steps', type=int, default=5)
    p.add_argument('--rounds', type=int, default=3,
                   help='alternating rounds over all cases')
    p.add_argument('--cases', default=None,
                   help='comma-separated case keys (default: every case of '
                   'the checkouts given)')
    p.add_argument('--note', default='', help='free text for the results')
    p.add_argument('--out', default=osp.join(ROOT, DEFAULT_OUT))
    p.add_argument('--render', action='store_true',
                   help='rewrite <out>.md from <out>.json (no timing)')
    p.add_argument('--worker', default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        emit_result(worker(args.worker, args))
        return
    if args.render:  # rewrite the page of an earlier run (e.g. a note)
        runs, meta = load_for_render(args.out, args.note, 'bench_vs_official')
        meta['out'] = osp.relpath(osp.abspath(args.out), ROOT)
    else:
        cases = check_sources(args)
        if 'OMP_NUM_THREADS' not in os.environ:
            sys.exit('bench_vs_official: set OMP_NUM_THREADS explicitly')
        runs = _time_cases(args, cases)
        meta = machine_info(
            date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            setting=f'oCLIP RN50, {IMG}x{IMG}, batch {BATCH}, {WORDS} '
            'words/image, AdamW, random data', rounds=args.rounds,
            warmup=args.warmup, steps=args.steps, note=args.note,
            wecromcl_setting=_wecromcl_setting(args.wecromcl_size),
            wecromcl_size=args.wecromcl_size,
            out=osp.relpath(osp.abspath(args.out), ROOT))
    rows = _summarise(runs)
    lines = _render(rows, meta)
    write_results(args.out, dict(meta=meta, results=rows, runs=runs), lines)
    print('\n'.join(lines))


def _wecromcl_setting(size: int) -> str:
    return (f'WeCromCL paper configuration, random weights and data; train '
            f'step {size}x{size}, batch {WC_BATCH}, 1 positive + {WC_NEG} '
            f'negative words per image, SGD; pseudo-labelling one '
            f'{WC_LABEL_SIZE}x{WC_LABEL_SIZE} image with {WC_LABEL_WORDS} '
            f'words')


def check_sources(args) -> list:
    """The cases to run; exits with a message naming a bad checkout."""
    if not args.oclip_src and not args.wecromcl_src:
        sys.exit('bench_vs_official: give --oclip-src and/or --wecromcl-src')
    if args.oclip_src and not osp.isfile(
            osp.join(args.oclip_src, 'src', 'clip', 'model.py')):
        sys.exit(f'bench_vs_official: --oclip-src {args.oclip_src!r} has no '
                 f'src/clip/model.py (not an oCLIP checkout)')
    if args.wecromcl_src:
        from studies.official_wecromcl import checkout_error
        err = checkout_error(args.wecromcl_src)
        if err:
            sys.exit(f'bench_vs_official: --wecromcl-src {err}')
    given = {'oclip': args.oclip_src, 'wecromcl': args.wecromcl_src}
    if args.cases:
        cases = args.cases.split(',')
        unknown = [c for c in cases if c not in [k[0] for k in CASES]]
        if unknown:
            sys.exit(f'bench_vs_official: unknown cases {unknown}')
        need = [c for c in CASES if c[0] in cases and not given[c[1]]]
        if need:
            sys.exit(f'bench_vs_official: case {need[0][0]} needs '
                     f'--{need[0][1]}-src')
        return cases
    return [c[0] for c in CASES if given[c[1]]]


def _time_cases(args, cases: list) -> dict:
    """Run every case ``args.rounds`` times, alternating; per case the list
    of its children's results."""
    runs = {c: [] for c in cases}
    src = []
    for flag in ('oclip_src', 'wecromcl_src'):
        if getattr(args, flag):
            src += ['--' + flag.replace('_', '-'),
                    osp.abspath(getattr(args, flag))]
    for r in range(args.rounds):
        for case in cases:
            load = os.getloadavg()[0]
            res = run_child('benchmarks.bench_vs_official', [
                '--worker', case, '--warmup', args.warmup, '--steps',
                args.steps, '--wecromcl-size', args.wecromcl_size] + src,
                what=case)
            res['loadavg_before'] = load
            runs[case].append(res)
            print(f'round {r} {case}: median '
                  f'{statistics.median(res["times"]):.3f} s/step, peak RSS '
                  f'{res["peak_rss_MB"]} MB', flush=True)
    return runs


def _summarise(runs: dict) -> list:
    """One row per case: median / min / max s per step, peak memory and the
    ratios to its official reference (official fp32 of the same model and
    mode)."""
    rows = []
    for key, model, impl, precision, label, ref in CASES:
        if key not in runs:
            continue
        times = [t for res in runs[key] for t in res['times']]
        rows.append(dict(
            case=key, model=model, label=label, impl=impl,
            precision=precision, ref=ref,
            sec_per_step=round(statistics.median(times), 3),
            min_sec=round(min(times), 3), max_sec=round(max(times), 3),
            peak_rss_MB=max(res['peak_rss_MB'] for res in runs[key]),
            rss_built_MB=max(res['rss_built_MB'] for res in runs[key]),
            threads=runs[key][0]['threads'],
            loadavg_before=[res['loadavg_before'] for res in runs[key]]))
    by_case = {r['case']: r for r in rows}
    for r in rows:
        ref = by_case.get(r['ref'])
        r['speedup_vs_official_fp32'] = (round(
            ref['sec_per_step'] / r['sec_per_step'], 2) if ref else None)
        r['speedup_min_vs_official_fp32'] = (round(
            ref['min_sec'] / r['min_sec'], 2) if ref else None)
    return rows


def _table(rows: list) -> list:
    return markdown_table(
        ['step', 's/step: median (min-max)', 'vs official fp32: median',
         'vs official fp32: min', 'peak RSS (MB)', 'RSS after build (MB)'],
        [(r['label'], f'{r["sec_per_step"]} ({r["min_sec"]}-'
          f'{r["max_sec"]})', f'{r["speedup_vs_official_fp32"]}x',
          f'{r["speedup_min_vs_official_fp32"]}x', r['peak_rss_MB'],
          r['rss_built_MB']) for r in rows])


def _render(rows: list, meta: dict) -> list:
    """The results page."""
    lines = [
        f'# Side by side with the official code ({meta["date"]})', '',
        f'{meta["cpu_count"]} CPU cores, '
        f'OMP_NUM_THREADS={meta["omp_num_threads"]}; {meta["rounds"]} '
        f'alternating rounds x {meta["steps"]} timed steps (after '
        f'{meta["warmup"]} warm-up) per case, each case in a fresh process.'
    ]
    oclip = [r for r in rows if r.get('model', 'oclip') == 'oclip']
    wecromcl = [r for r in rows if r.get('model') == 'wecromcl']
    flags = []
    if oclip:
        flags.append('--oclip-src <oclip checkout>')
        lines += ['', '## oCLIP train step', '', f'{meta["setting"]}.',
                  ''] + _table(oclip)
        lines += [
            '', 'mmocr_vlp\'s step includes its data preprocessor (uint8 -> '
            'normalised float); the official step gets normalised floats.'
        ]
    if wecromcl:
        flags.append('--wecromcl-src <WeCromCL checkout>')
        lines += ['', '## WeCromCL', '', f'{meta["wecromcl_setting"]}. '
                  'A "step" of pseudo-labelling is one image. Train step: '
                  'ours includes its data preprocessor (uint8 -> normalised '
                  'float), the official step gets the same normalised '
                  'floats; labelling: both get the same float image.', ''] + _table(wecromcl)
        lines += [
            '', 'The official code runs on CPU through '
            '`studies/official_wecromcl.py` (its own pure-PyTorch '
            'deformable attention in place of its CUDA extension). Ours '
            'labels with its default inference rewrites (conv+BN folding, '
            'channels_last, the embedding-bag deformable attention).'
        ]
    lines += [
        '', 'Ratios compare medians and fastest steps (the fastest step is '
        'the least disturbed by other processes on a shared machine). Peak '
        'RSS is the whole process (Python, libraries, model, optimiser '
        'state, activations); "after build" is before the first step.'
    ]
    if meta.get('note'):
        lines += ['', meta['note']]
    size = meta.get('wecromcl_size', 320)
    extra = f' --wecromcl-size {size}' if wecromcl and size != 320 else ''
    out = meta.get('out', DEFAULT_OUT)
    if out != DEFAULT_OUT:
        extra += f' --out {out}'
    reproduce = (f'OMP_NUM_THREADS={meta["omp_num_threads"]} python -m '
                 f'benchmarks.bench_vs_official {" ".join(flags)}{extra}')
    lines += ['', f'Reproduce: `{reproduce}`']
    return lines


if __name__ == '__main__':
    main()
