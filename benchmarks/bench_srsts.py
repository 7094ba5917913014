# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A inference speed and peak memory on CPU.

Times ``model.predict`` (backbone + deformable encoder + anchor estimator +
sampler + CTC recogniser + post-processing, no data loading) of

* the paper-faithful ResNet-50 model (``configs/srsts-a/
  srsts-a_resnet50_finetune_*.py``) at the paper's test sizes (WeCromCL
  supp. Sec. 2: shorter side 864 for ICDAR 2013 / 2015, 1440 for
  Total-Text, 576 for CTW1500; the long side follows a typical aspect
  ratio of the benchmark), and
* the CPU model (``srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py``) at 256x256.

Weights are random (none are available here). A random model's confidence
map has no peak above the threshold, so every run forces ``--anchors``
anchors per image (``score_thr=-1``, ``max_per_img=--anchors``) so that the
sampler and recogniser work as on a real image with that many words.

Each setting runs in its own subprocess so its peak resident memory
(``ru_maxrss``) is its own. Usage::

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python benchmarks/bench_srsts.py \
        [--images 2] [--anchors 50] [--only cpu|paper]

Writes ``benchmarks/results/bench_srsts.json`` and ``.md``.
"""
import argparse
import json
import os
import os.path as osp
import platform
import subprocess
import sys
import time

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CFG_DIR = osp.join(ROOT, 'configs', 'srsts-a')

#: name, config, (H, W) of the network input (already resized)
SETTINGS = [
    ('CPU config, synth 256x256', 'srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py',
     (256, 256)),
    ('R50, CTW1500 (short 576)', 'srsts-a_resnet50_deform_20k_ctw1500.py',
     (576, 768)),
    ('R50, ICDAR 2013/2015 (short 864; IC15 1280x720 -> 1536x864)',
     'srsts-a_resnet50_deform_3k_icdar2015.py', (864, 1536)),
    ('R50, Total-Text (short 1440, 4:3)',
     'srsts-a_resnet50_deform_3k_totaltext.py', (1440, 1920)),
]


def run_one(config: str, h: int, w: int, images: int, anchors: int) -> dict:
    """Runs inside the subprocess: build, time, report peak RSS."""
    import resource

    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    from mmocr.structures import TextSpottingDataSample

    sys.path.insert(0, ROOT)
    import mmocr_vlp  # noqa: F401

    init_default_scope('mmocr')
    torch.manual_seed(0)
    cfg = Config.fromfile(osp.join(CFG_DIR, config))
    model = MODELS.build(cfg.model).eval()
    post = model.head.postprocessor
    post.score_thr = -1.
    post.max_per_img = anchors
    post.drop_empty = False
    n_params = sum(p.numel() for p in model.parameters())
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(ph, pw),
                batch_input_shape=(ph, pw), scale_factor=(1., 1.))
    rss_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    times, found = [], []
    with torch.no_grad():
        for i in range(images + 1):  # the first run is warm-up
            x = torch.randn(1, 3, ph, pw)
            t0 = time.perf_counter()
            out = model.predict(x, [TextSpottingDataSample(metainfo=meta)])
            dt = time.perf_counter() - t0
            if i > 0:
                times.append(dt)
                found.append(len(out[0].pred_instances))
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    mean = sum(times) / len(times)
    return dict(
        config=config,
        input_hw=[ph, pw],
        params_m=round(n_params / 1e6, 2),
        images=len(times),
        anchors_per_image=found,
        sec_per_image=round(mean, 3),
        images_per_sec=round(1 / mean, 3),
        peak_rss_mb=round(rss / 1024, 1),
        rss_after_build_mb=round(rss_build / 1024, 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--images', type=int, default=2,
                        help='timed images per setting (after 1 warm-up)')
    parser.add_argument('--anchors', type=int, default=50,
                        help='anchors decoded per image')
    parser.add_argument('--only', choices=['cpu', 'paper'], default=None)
    parser.add_argument('--out', default=osp.join(ROOT, 'benchmarks',
                                                  'results'))
    parser.add_argument('--_child', nargs=4, default=None,
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        cfg, h, w, images = args._child
        print('RESULT ' + json.dumps(
            run_one(cfg, int(h), int(w), int(images), args.anchors)))
        return
    rows = []
    for name, cfg, (h, w) in SETTINGS:
        is_cpu = 'cpu' in cfg
        if args.only == 'cpu' and not is_cpu or \
                args.only == 'paper' and is_cpu:
            continue
        n = max(args.images, 10) if is_cpu else args.images
        t0 = time.time()
        proc = subprocess.run(
            [sys.executable, __file__, '--anchors', str(args.anchors),
             '--_child', cfg, str(h), str(w), str(n)],
            capture_output=True, text=True, cwd=ROOT)
        line = [l for l in proc.stdout.splitlines() if l.startswith('RESULT ')]
        if proc.returncode != 0 or not line:
            print(proc.stderr[-3000:])
            raise SystemExit(f'{name}: benchmark subprocess failed')
        res = json.loads(line[0][len('RESULT '):])
        res['setting'] = name
        rows.append(res)
        print(f'{name}: {res["images_per_sec"]} img/s, peak RSS '
              f'{res["peak_rss_mb"]} MB ({time.time() - t0:.0f} s)')
    env = dict(
        python=platform.python_version(),
        machine=platform.machine(),
        processor=platform.processor() or platform.machine(),
        cpu_count=os.cpu_count(),
        omp_num_threads=os.environ.get('OMP_NUM_THREADS'),
        load_avg_1min_at_end=round(os.getloadavg()[0], 2),
        anchors_per_image=args.anchors,
        note='random weights; anchors forced (score_thr=-1); batch 1; '
        'predict() only (no data loading); first image is warm-up')
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'bench_srsts.json'), 'w') as f:
        json.dump(dict(env=env, results=rows), f, indent=2)
    lines = [
        '# SRSTS-A inference on CPU', '',
        f'Threads: OMP_NUM_THREADS={env["omp_num_threads"]}, '
        f'{env["cpu_count"]} CPUs visible (1-min load average '
        f'{env["load_avg_1min_at_end"]} at the end: the machine is shared, '
        'so rates are pessimistic); '
        f'{args.anchors} anchors decoded per image (forced); random weights; '
        'batch 1; `model.predict` only.',
        '',
        '| setting | input (H x W) | params (M) | images/s | s/image | '
        'peak RSS (MB) |', '|---|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f'| {r["setting"]} | {r["input_hw"][0]} x '
                     f'{r["input_hw"][1]} | {r["params_m"]} | '
                     f'{r["images_per_sec"]} | {r["sec_per_image"]} | '
                     f'{r["peak_rss_mb"]} |')
    with open(osp.join(args.out, 'bench_srsts.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
