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

A "lower bound" in the same run: each stage of the optimised model
(backbone, neck, deformable encoder + output projection, text encoder +
activation head + peaks) timed by forward hooks inside ``model.predict``,
once in float32 and once with the whole predict under bfloat16 autocast
(``stages_fp32``, ``stages_bf16``). Taking every stage at its faster
precision, regardless of what that does to the anchors, gives the best
case this model reaches on this machine.

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

from studies.harness import (REPO_ROOT, emit_result, load_for_render,
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


STAGES = {'stages_fp32': False, 'stages_bf16': True}
STAGE_NAMES = ('backbone', 'neck', 'encoder', 'text + head')


def stage_worker(variant: str, warmup: int, iters: int) -> dict:
    """Per-stage seconds per image of the optimised model (fp32, or all of
    ``predict`` under bf16 autocast)."""
    import contextlib

    import torch

    from benchmarks.bench_wecromcl import _batch
    from mmocr_vlp.models.common.ms_deform_attn_cpu import \
        fast_cpu_deform_attn
    from mmocr_vlp.models.wecromcl.pseudo_labels import init_wecromcl
    bf16 = STAGES[variant]
    torch.manual_seed(0)
    model, _, _ = init_wecromcl(osp.join(ROOT, CONFIG), None, optimize=True)
    inputs, samples = _batch(SIZE, 1)
    rss_built = peak_rss_mb()
    clock = {}
    mods = dict(backbone=[model.backbone], neck=[model.neck],
                encoder=[model.encoder, model.out_proj])

    def hooks(name):
        def pre(mod, args):
            clock['t0'] = time.perf_counter()

        def post(mod, args, out):
            clock[name] = clock.get(name, 0.) + time.perf_counter() - \
                clock['t0']
        return pre, post

    for name, ms in mods.items():
        for m in ms:
            pre, post = hooks(name)
            m.register_forward_pre_hook(pre)
            m.register_forward_hook(post)
    amp = torch.autocast('cpu', torch.bfloat16) if bf16 else \
        contextlib.nullcontext()
    per_image = []
    with torch.no_grad(), fast_cpu_deform_attn(True), amp:
        for i in range(warmup + iters):
            clock.clear()
            t0 = time.perf_counter()
            model.predict(inputs, samples)
            total = time.perf_counter() - t0
            row = {k: clock.get(k, 0.) for k in mods}
            row['text + head'] = total - sum(row.values())
            row['total'] = total
            per_image.append(row)
    return dict(variant=variant, stages=per_image[warmup:],
                rss_built_MB=rss_built, peak_rss_MB=peak_rss_mb(),
                threads=torch.get_num_threads())


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
        fn = stage_worker if args.worker in STAGES else worker
        emit_result(fn(args.worker, args.warmup, args.iters))
        return
    if args.render:  # rewrite the page of an earlier run (e.g. a note)
        runs, meta = load_for_render(args.out, args.note,
                                     'bench_pseudo_labels')
    else:
        runs = _time_variants(args)
        meta = machine_info(
            date=time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
            config=CONFIG, input=SIZE, rounds=args.rounds, iters=args.iters,
            warmup=args.warmup, note=args.note)
    rows = _summarise(runs)
    bound = _lower_bound(runs)
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
    if bound:
        lines += ['', '## Lower bound per stage', '',
                  'Seconds per image (median) of each stage of the '
                  'optimised model, float32 and bfloat16 (all of `predict` '
                  'under autocast), same run; "best" takes each stage at its '
                  'faster precision whatever that does to the anchors.', '']
        lines += markdown_table(
            ['stage', 'fp32 s/img', 'bf16 s/img', 'best s/img'],
            [(k, *bound['stages'][k]) for k in bound['stages']])
        lines += ['', f'Best case: {bound["best_total"]} s/img = '
                  f'**{bound["best_img_per_s"]} img/s**; backbone + neck '
                  f'alone at their best: {bound["trunk_best"]} s/img = '
                  f'{bound["trunk_img_per_s"]} img/s. Peak RSS: fp32 '
                  f'{bound["peak_rss_MB"]["stages_fp32"]} MB, bf16 '
                  f'{bound["peak_rss_MB"]["stages_bf16"]} MB.']
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
    runs = {v: [] for v in list(VARIANTS) + list(STAGES)}
    for r in range(args.rounds):
        for v in runs:
            res = run_child('benchmarks.bench_pseudo_labels', [
                '--worker', v, '--warmup', args.warmup, '--iters',
                args.iters], what=v)
            runs[v].append(res)
            times = res['times'] if 'times' in res else [
                st['total'] for st in res['stages']]
            print(f'round {r} {v}: {statistics.median(times):.3f} '
                  f's/img, peak RSS {res["peak_rss_MB"]} MB', flush=True)
    return runs


def _lower_bound(runs: dict) -> dict:
    """Median seconds per stage and precision, the best of both per stage,
    and the resulting images per second."""
    if not all(runs.get(v) for v in STAGES):
        return {}

    def med(v, k):
        return statistics.median(st[k] for res in runs[v]
                                 for st in res['stages'])

    stages = {}
    for k in STAGE_NAMES + ('total', ):
        a, b = med('stages_fp32', k), med('stages_bf16', k)
        stages[k] = (round(a, 3), round(b, 3), round(min(a, b), 3))
    best = sum(stages[k][2] for k in STAGE_NAMES)
    trunk = stages['backbone'][2] + stages['neck'][2]
    return dict(stages=stages, best_total=round(best, 3),
                best_img_per_s=round(1 / best, 2), trunk_best=round(trunk, 3),
                trunk_img_per_s=round(1 / trunk, 2),
                peak_rss_MB={v: max(r['peak_rss_MB'] for r in runs[v])
                             for v in STAGES})


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
