#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""WeCromCL pseudo-labelling speed: the inference rewrites side by side.

Paper config (``wecromcl_resnet50_bifpn-deform_200k_synthtext.py``), one
640x640 image per forward, 5 words, random weights (seed 0) and a random
image, ``model.predict`` (activation maps + anchors) as
``tools/generate_pseudo_labels.py`` runs it:

- ``plain``: the model as built (``init_wecromcl(optimize=False)``);
- ``optimized``: :func:`optimize_for_inference` (conv+BN folding,
  channels_last) and the embedding-bag deformable attention
  (:func:`fast_cpu_deform_attn`), what the tool does by default;
- ``optimized + amp``: also the backbone and neck in bfloat16 (the tool's
  ``--amp``).

Each variant runs in a fresh child process (``studies.harness.run_child``,
its own peak RSS), variants alternate within each round, and the anchors of
every variant are compared with ``plain``'s.

    OMP_NUM_THREADS=2 python -m benchmarks.bench_pseudo_labels
    # writes benchmarks/results/bench_pseudo_labels.{json,md}
"""
import argparse
import os
import os.path as osp
import statistics
import sys
import time

from studies.harness import (REPO_ROOT, emit_result, load_results,
                             machine_info, markdown_table, peak_rss_mb,
                             run_child, write_results)

ROOT = REPO_ROOT
CONFIG = 'configs/wecromcl/wecromcl_resnet50_bifpn-deform_200k_synthtext.py'
SIZE = 640
VARIANTS = {
    'plain': (False, False, 'as built, fp32'),
    'optimized': (True, False, 'conv+BN folded, channels_last, '
                  'embedding-bag deformable attention, fp32 (default)'),
    'optimized_amp': (True, True, 'optimized + bf16 backbone and neck '
                      '(`--amp`)'),
}


def worker(variant: str, warmup: int, iters: int) -> dict:
    import torch

    from benchmarks.bench_wecromcl import _batch
    from mmocr_vlp.models.common.ms_deform_attn_cpu import \
        fast_cpu_deform_attn

    from mmocr_vlp.models.wecromcl.pseudo_labels import init_wecromcl
    optimize, amp, _ = VARIANTS[variant]
    torch.manual_seed(0)
    model, _, _ = init_wecromcl(osp.join(ROOT, CONFIG), None,
                                optimize=optimize, amp=amp)
    inputs, samples = _batch(SIZE, 1)
    rss_built = peak_rss_mb()
    times = []
    # The context iter_predictions (generate_pseudo_labels) runs in.
    with torch.no_grad(), fast_cpu_deform_attn(optimize):
        for i in range(warmup + iters):
            t0 = time.perf_counter()
            out = model.predict(inputs, samples)[0]
            times.append(time.perf_counter() - t0)
    return dict(variant=variant, times=times[warmup:],
                points=out.pred_instances.points.tolist(),
                rss_built_MB=rss_built, peak_rss_MB=peak_rss_mb(),
                threads=torch.get_num_threads())


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--warmup', type=int, default=1)
    p.add_argument('--iters', type=int, default=3)
    p.add_argument('--rounds', type=int, default=2)
    p.add_argument('--note', default='')
    p.add_argument('--out', default=osp.join(ROOT, 'benchmarks', 'results',
                                             'bench_pseudo_labels'))
    p.add_argument('--render', action='store_true',
                   help='rewrite <out>.md from <out>.json (no timing)')
    p.add_argument('--worker', default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        emit_result(worker(args.worker, args.warmup, args.iters))
        return
    if args.render:  # rewrite the page of an earlier run (e.g. a note)
        old = load_results(args.out)
        if old is None:
            sys.exit(f'bench_pseudo_labels: no {args.out}.json to render')
        runs, meta = old['runs'], old['meta']
        meta['note'] = args.note or meta.get('note', '')
    else:
        runs = _time_variants(args)
        meta = machine_info(
            date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            config=CONFIG, input=SIZE, rounds=args.rounds, iters=args.iters,
            warmup=args.warmup, note=args.note)
    rows = _summarise(runs)
    lines = [
        f'# WeCromCL pseudo-labelling speed ({meta["date"]})', '',
        f'`{CONFIG}`, one {SIZE}x{SIZE} image, 5 words, random weights; '
        f'OMP_NUM_THREADS={meta["omp_num_threads"]}; {meta["rounds"]} '
        f'alternating rounds x {meta["iters"]} images (after '
        f'{meta["warmup"]} warm-up), each variant in a fresh process.', ''
    ] + markdown_table(
        ['variant', 's/img: median (min)', 'img/s (median)',
         'vs plain: median', 'vs plain: min', 'max anchor shift (px)',
         'peak RSS (MB)'],
        [(r['label'], f'{r["sec_per_img"]} ({r["min_sec"]})',
          r['img_per_s'], f'{r["speedup"]}x', f'{r["speedup_min"]}x',
          r['max_anchor_shift_px'], r['peak_rss_MB']) for r in rows])
    lines += ['', 'Anchor shift: largest coordinate difference to the plain '
              'model\'s anchors on the same image (a map cell is 8 px). '
              '"min": the fastest image, the least disturbed by other '
              'processes on a shared machine.']
    if meta.get('note'):
        lines += ['', meta['note']]
    lines += ['', f'Reproduce: `OMP_NUM_THREADS={meta["omp_num_threads"]} '
              'python -m benchmarks.bench_pseudo_labels`']
    write_results(args.out, dict(meta=meta, results=rows, runs=runs), lines)
    print('\n'.join(lines))


def _time_variants(args) -> dict:
    """Run every variant ``args.rounds`` times, alternating."""
    if 'OMP_NUM_THREADS' not in os.environ:
        sys.exit('bench_pseudo_labels: set OMP_NUM_THREADS explicitly')
    runs = {v: [] for v in VARIANTS}
    for r in range(args.rounds):
        for v in VARIANTS:
            res = run_child('benchmarks.bench_pseudo_labels', [
                '--worker', v, '--warmup', args.warmup, '--iters',
                args.iters], what=v)
            runs[v].append(res)
            print(f'round {r} {v}: {statistics.median(res["times"]):.3f} '
                  f's/img, peak RSS {res["peak_rss_MB"]} MB', flush=True)
    return runs


def _summarise(runs: dict) -> list:
    """One row per variant: speed, ratios to ``plain``, anchor shift."""
    ref_pts = runs['plain'][0]['points']
    plain = [t for res in runs['plain'] for t in res['times']]
    rows = []
    for v, (_, _, label) in VARIANTS.items():
        times = [t for res in runs[v] for t in res['times']]
        med = statistics.median(times)
        dev = max(abs(a - b) for pa, pb in zip(runs[v][0]['points'], ref_pts)
                  for a, b in zip(pa, pb))
        rows.append(dict(variant=v, label=label,
                         sec_per_img=round(med, 3),
                         min_sec=round(min(times), 3),
                         img_per_s=round(1 / med, 2),
                         speedup=round(statistics.median(plain) / med, 2),
                         speedup_min=round(min(plain) / min(times), 2),
                         max_anchor_shift_px=round(dev, 4),
                         peak_rss_MB=max(r['peak_rss_MB'] for r in runs[v]),
                         threads=runs[v][0]['threads']))
    return rows


if __name__ == '__main__':
    main()
