# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SRSTS-A inference speed and peak memory on CPU.

Times ``model.predict`` (backbone + deformable encoder + anchor estimator +
sampler + CTC recogniser + post-processing, no data loading) of

* the paper-faithful ResNet-50 model (``configs/srsts-a/
  srsts-a_resnet50_deform_*.py``) at the paper's test sizes (WeCromCL
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

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python -m benchmarks.bench_srsts \
        [--images 2] [--anchors 50] [--only cpu|paper]

Writes ``benchmarks/results/bench_srsts.json`` and ``.md``.
"""
import argparse
import os.path as osp
import time

from studies.harness import (REPO_ROOT, emit_result, machine_info,
                             markdown_table, peak_rss_mb, run_child,
                             write_results)

CFG_DIR = osp.join(REPO_ROOT, 'configs', 'srsts-a')

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
    import torch
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmocr.registry import MODELS
    from mmocr.structures import TextSpottingDataSample

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
    rss_build = peak_rss_mb()
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
    mean = sum(times) / len(times)
    return dict(
        config=config,
        input_hw=[ph, pw],
        params_m=round(n_params / 1e6, 2),
        images=len(times),
        anchors_per_image=found,
        sec_per_image=round(mean, 3),
        images_per_sec=round(1 / mean, 3),
        peak_rss_mb=peak_rss_mb(),
        rss_after_build_mb=rss_build)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--images', type=int, default=2,
                        help='timed images per setting (after 1 warm-up)')
    parser.add_argument('--anchors', type=int, default=50,
                        help='anchors decoded per image')
    parser.add_argument('--only', choices=['cpu', 'paper'], default=None)
    parser.add_argument('--out', default=osp.join(REPO_ROOT, 'benchmarks',
                                                  'results', 'bench_srsts'))
    parser.add_argument('--_child', nargs=4, default=None,
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._child:
        cfg, h, w, images = args._child
        emit_result(run_one(cfg, int(h), int(w), int(images), args.anchors))
        return
    rows = []
    for name, cfg, (h, w) in SETTINGS:
        is_cpu = 'cpu' in cfg
        if args.only == 'cpu' and not is_cpu or \
                args.only == 'paper' and is_cpu:
            continue
        n = max(args.images, 10) if is_cpu else args.images
        t0 = time.time()
        res = run_child('benchmarks.bench_srsts',
                        ['--anchors', args.anchors, '--_child', cfg, h, w, n],
                        what=name)
        res['setting'] = name
        rows.append(res)
        print(f'{name}: {res["images_per_sec"]} img/s, peak RSS '
              f'{res["peak_rss_mb"]} MB ({time.time() - t0:.0f} s)')
    env = machine_info(
        anchors_per_image=args.anchors,
        note='random weights; anchors forced (score_thr=-1); batch 1; '
        'predict() only (no data loading); first image is warm-up')
    lines = [
        '# SRSTS-A inference on CPU', '',
        f'Threads: OMP_NUM_THREADS={env["omp_num_threads"]}, '
        f'{env["cpu_count"]} CPUs visible (1-min load average '
        f'{env["load_avg_1min"]} at the end: the machine is shared, '
        'so rates are pessimistic); '
        f'{args.anchors} anchors decoded per image (forced); random weights; '
        'batch 1; `model.predict` only.', ''
    ] + markdown_table(
        ['setting', 'input (H x W)', 'params (M)', 'images/s', 's/image',
         'peak RSS (MB)'],
        [(r['setting'], f'{r["input_hw"][0]} x {r["input_hw"][1]}',
          r['params_m'], r['images_per_sec'], r['sec_per_image'],
          r['peak_rss_mb']) for r in rows])
    write_results(args.out, dict(env=env, results=rows), lines)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
