# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""WeCromCL throughput and peak memory, paper config vs CPU config.

Measures, on random images with random words (no data needed):

- training images/s (forward + backward + optimiser step),
- pseudo-labelling images/s (``predict``: activation maps + anchors),
- peak resident memory of a fresh process per (config, mode).

Each (config, mode) runs in its own subprocess so the peak RSS is its own.
Writes ``benchmarks/results/bench_wecromcl.json`` and ``.md``.

Usage::

    OMP_NUM_THREADS=1 python benchmarks/bench_wecromcl.py            # both
    python benchmarks/bench_wecromcl.py --configs cpu --iters 5
"""
import argparse
import json
import os
import os.path as osp
import platform
import random
import resource
import subprocess
import sys
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIGS = {
    'paper':
    ('configs/wecromcl/wecromcl_resnet50_bifpn-deform_200k_synthtext.py', 640, 2),
    'cpu': ('configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py', 256, 8),
}
WORDS = [
    'street', 'open', 'cafe', 'exit', 'hotel', 'bus', '24h', 'stop', 'sale',
    'parking', 'pizza', 'bank', 'no', 'entry', 'taxi', 'ok'
]


def _batch(size, batch, words_per_img=5, seed=0):
    import torch
    from mmengine.structures import InstanceData
    from mmocr.structures import TextSpottingDataSample
    rng = random.Random(seed)
    inputs = torch.randn(batch, 3, size, size)
    samples = []
    for _ in range(batch):
        ws = rng.sample(WORDS, words_per_img)
        s = TextSpottingDataSample()
        s.gt_instances = InstanceData(texts=ws,
                                      ignored=torch.zeros(len(ws),
                                                          dtype=torch.bool))
        s.set_metainfo(
            dict(img_shape=(size, size),
                 ori_shape=(size, size),
                 scale_factor=(1.0, 1.0),
                 neg_texts=rng.sample(WORDS, 16)))
        samples.append(s)
    return inputs, samples


def worker(name, mode, iters, warmup):
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    import mmocr_vlp  # noqa: F401
    cfg_file, size, batch = CONFIGS[name]
    cfg = Config.fromfile(osp.join(REPO, cfg_file))
    init_default_scope('mmocr')
    model = MODELS.build(cfg.model)
    model.init_weights()
    n_params = sum(p.numel() for p in model.parameters())
    if mode == 'train':
        model.train()
        opt = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9)
        inputs, samples = _batch(size, batch)
        times = []
        for i in range(warmup + iters):
            t = time.perf_counter()
            losses = model.loss(inputs, samples)
            loss = sum(v for k, v in losses.items() if 'loss' in k)
            opt.zero_grad()
            loss.backward()
            opt.step()
            if i >= warmup:
                times.append(time.perf_counter() - t)
        ips = batch * len(times) / sum(times)
    else:
        model.eval()
        batch = 1
        inputs, samples = _batch(size, batch)
        times = []
        with torch.no_grad():
            for i in range(warmup + iters):
                t = time.perf_counter()
                model.predict(inputs, samples)
                if i >= warmup:
                    times.append(time.perf_counter() - t)
        ips = batch * len(times) / sum(times)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            dict(config=name,
                 mode=mode,
                 input=size,
                 batch=batch,
                 params_m=round(n_params / 1e6, 2),
                 images_per_s=round(ips, 3),
                 sec_per_iter=round(sum(times) / len(times), 3),
                 peak_rss_mb=round(peak_mb, 1),
                 iters=len(times))))


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--configs', default='paper,cpu')
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--worker', nargs=2, metavar=('CONFIG', 'MODE'))
    args = p.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1], args.iters, args.warmup)
        return
    rows = []
    for name in args.configs.split(','):
        for mode in ('train', 'pseudo_label'):
            cmd = [
                sys.executable, __file__, '--worker', name, mode, '--iters',
                str(args.iters), '--warmup',
                str(args.warmup)
            ]
            out = subprocess.run(cmd,
                                 capture_output=True,
                                 text=True,
                                 cwd=REPO,
                                 env=os.environ)
            if out.returncode != 0:
                print(out.stderr[-3000:], file=sys.stderr)
                raise SystemExit(f'worker {name}/{mode} failed')
            row = json.loads(out.stdout.strip().splitlines()[-1])
            print(row, flush=True)
            rows.append(row)
    res = dict(
        benchmark='bench_wecromcl',
        machine=dict(platform=platform.platform(),
                     threads=os.environ.get('OMP_NUM_THREADS', 'default'),
                     device='cpu'),
        note='random inputs; 5 words/image, 16 extra negatives; peak RSS '
        'of a fresh process (includes the Python/torch baseline)',
        results=rows)
    os.makedirs(osp.join(REPO, 'benchmarks', 'results'), exist_ok=True)
    base = osp.join(REPO, 'benchmarks', 'results', 'bench_wecromcl')
    with open(base + '.json', 'w') as f:
        json.dump(res, f, indent=2)
    lines = [
        '# WeCromCL throughput (CPU)', '',
        f'threads: {res["machine"]["threads"]}; {res["note"]}', '',
        '| config | mode | input | batch | params (M) | images/s | '
        's/iter | peak RSS (MB) |', '|---|---|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f'| {r["config"]} | {r["mode"]} | {r["input"]} | '
                     f'{r["batch"]} | {r["params_m"]} | {r["images_per_s"]} '
                     f'| {r["sec_per_iter"]} | {r["peak_rss_mb"]} |')
    with open(base + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
