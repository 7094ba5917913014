#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""oCLIP training throughput (images/s) and peak memory on this machine.

Each configuration runs in its own subprocess (so ``ru_maxrss`` is its own
peak): the model and optimiser (incl. ``paramwise_cfg``) are built from the
config, a synthetic batch of the config's input size with random words is
fed through ``train_step`` (data preprocessor, forward, backward, AdamW
step); we report images/s over the timed steps after warm-up.

    OMP_NUM_THREADS=1 python benchmarks/bench_oclip.py
    # writes benchmarks/results/bench_oclip.{json,md}
"""
import argparse
import json
import os
import os.path as osp
import platform
import resource
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CASES = [
    # name, config, batch size, warm-up steps, timed steps
    ('RN50 paper (512x512)', 'configs/oclip/oclip_resnet50_100e_synthtext.py', 2,
     1, 3),
    ('CPU tiny (256x256)', 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py', 8,
     2, 5),
]


def make_batch(model, batch_size, size, words_per_img, seed=0):
    import numpy as np
    import torch
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample
    rng = np.random.default_rng(seed)
    d = model.dictionary
    inputs, samples = [], []
    for _ in range(batch_size):
        inputs.append(
            torch.from_numpy(
                rng.integers(0, 255, (3, size, size), dtype=np.uint8)))
        words = [
            ''.join(rng.choice(list('abcdefghijklmnopqrstuvwxyz'),
                               rng.integers(3, 10)))
            for _ in range(words_per_img)
        ]
        tokens, _ = d.tokenize(words)
        masked = tokens.copy()
        labels = tokens[:, 0].copy()
        masked[:, 0] = d.mask_idx
        ds = TextSpottingDataSample(
            metainfo=dict(img_shape=(size, size), pad_shape=(size, size)))
        inst = InstanceData()
        inst.texts = words
        inst.tokens = torch.from_numpy(tokens)
        inst.masked_tokens = torch.from_numpy(masked)
        inst.mask_labels = torch.from_numpy(labels)
        ds.gt_instances = inst
        samples.append(ds)
    return dict(inputs=inputs, data_samples=samples)


def worker(cfg_path, batch_size, warmup, steps):
    import torch
    from mmengine.config import Config
    from mmengine.optim import build_optim_wrapper

    import mmocr_vlp  # noqa: F401
    from mmocr.registry import MODELS
    from mmengine.registry import init_default_scope
    init_default_scope('mmocr')
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(ROOT, cfg_path))
    model = MODELS.build(cfg.model)
    model.init_weights()
    model.train()
    optim = build_optim_wrapper(model, cfg.optim_wrapper)
    size = int(cfg.img_size)
    data = make_batch(model, batch_size, size, int(cfg.get('max_words', 32)))
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        log = model.train_step(data, optim)
        times.append(time.perf_counter() - t0)
    timed = times[warmup:]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    n_params = sum(p.numel() for p in model.parameters())
    return dict(
        config=cfg_path,
        img_size=size,
        batch_size=batch_size,
        words_per_img=int(cfg.get('max_words', 32)),
        params_M=round(n_params / 1e6, 2),
        sec_per_step=round(sum(timed) / len(timed), 3),
        images_per_s=round(batch_size * len(timed) / sum(timed), 3),
        peak_rss_MB=round(peak_mb, 1),
        threads=torch.get_num_threads(),
        final_loss=round(float(log['loss']), 4))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--worker', nargs=4, default=None,
                   metavar=('CFG', 'BS', 'WARMUP', 'STEPS'))
    p.add_argument('--out', default=osp.join(ROOT, 'benchmarks', 'results',
                                             'bench_oclip'))
    args = p.parse_args()
    if args.worker:
        cfg, bs, wu, st = args.worker
        print(json.dumps(worker(cfg, int(bs), int(wu), int(st))))
        return
    rows = []
    env = dict(os.environ)
    env.setdefault('OMP_NUM_THREADS', '1')
    env.setdefault('MKL_NUM_THREADS', '1')
    for name, cfg, bs, wu, st in CASES:
        out = subprocess.run(
            [sys.executable, __file__, '--worker', cfg, str(bs), str(wu),
             str(st)], cwd=ROOT, env=env, capture_output=True, text=True)
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f'{name} failed')
        res = json.loads(out.stdout.strip().splitlines()[-1])
        res['name'] = name
        rows.append(res)
        print(res)
    meta = dict(machine=platform.machine(), cpu_count=os.cpu_count(),
                python=platform.python_version(),
                omp_threads=env['OMP_NUM_THREADS'],
                date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()))
    os.makedirs(osp.dirname(args.out), exist_ok=True)
    with open(args.out + '.json', 'w') as f:
        json.dump(dict(meta=meta, results=rows), f, indent=2)
    lines = [
        f'# oCLIP training throughput ({meta["date"]}, {meta["cpu_count"]} '
        f'CPU cores, OMP_NUM_THREADS={meta["omp_threads"]})', '',
        '| setting | input | batch | words/img | params (M) | s/step | '
        'images/s | peak RSS (MB) |', '|---|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f'| {r["name"]} | {r["img_size"]} | {r["batch_size"]} '
                     f'| {r["words_per_img"]} | {r["params_M"]} | '
                     f'{r["sec_per_step"]} | {r["images_per_s"]} | '
                     f'{r["peak_rss_MB"]} |')
    lines.append('')
    lines.append('Train step = data preprocessor + forward + backward + '
                 'AdamW step on synthetic inputs (random pixels, random '
                 'words); CPU only, single-threaded.')
    with open(args.out + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
