# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Throughput of the synthetic scene-text renderer on ONE core.

Measures, in one run and one process (cv2 single-threaded):

- ``render``: ``SynthTextRenderer.render`` only (background + text + GT);
- ``render+jpeg``: plus JPEG encoding (what the dataset writer does);
- ``render_dataset``: the whole library call (images written to a temp
  folder, all six JSON views written), 512x512 only.

Usage::

    OMP_NUM_THREADS=1 python -m benchmarks.bench_render [--n 100]

Writes ``benchmarks/results/bench_render.json`` and ``.md``.
"""
import argparse
import os
import os.path as osp
import platform
import tempfile
import time

import cv2

from mmocr_vlp.datasets.synth import (SYNTH_VERSION, SynthTextRenderer,
                                      image_rng, render_dataset)
from studies.harness import REPO_ROOT, markdown_table, write_results

RESULTS = osp.join(REPO_ROOT, 'benchmarks', 'results')


def _clock():
    """(wall, CPU) seconds. CPU time of this single-threaded process is what
    one dedicated core delivers; wall time also counts waiting for a core on
    a shared machine."""
    return time.perf_counter(), time.process_time()


def bench_size(size: int, n: int) -> dict:
    r = SynthTextRenderer(img_size=(size, size))
    for i in range(3):  # warm-up: font cache, imports
        r.render(image_rng(123, 'warmup', i))
    words = 0
    w0, c0 = _clock()
    imgs = []
    for i in range(n):
        img, insts = r.render(image_rng(0, 'bench', i))
        words += len(insts)
        imgs.append(img)
    w1, c1 = _clock()
    for img in imgs:
        ok, _ = cv2.imencode('.jpg', img, [cv2.IMWRITE_JPEG_QUALITY, 90])
        assert ok
    w2, c2 = _clock()
    return dict(
        size=f'{size}x{size}',
        images=n,
        words_per_image=round(words / n, 2),
        render_img_per_cpu_s=round(n / (c1 - c0), 1),
        render_jpeg_img_per_cpu_s=round(n / (c2 - c0), 1),
        cpu_ms_per_image=round(1000 * (c2 - c0) / n, 1),
        render_jpeg_img_per_wall_s=round(n / (w2 - w0), 1))


def bench_dataset(n: int) -> dict:
    with tempfile.TemporaryDirectory() as d:
        w0, c0 = _clock()
        meta = render_dataset(
            d, {'train': n}, seed=0, img_size=(512, 512), progress=False)
        w1, c1 = _clock()
    return dict(
        size='512x512',
        images=n,
        img_per_cpu_s=round(n / (c1 - c0), 1),
        img_per_wall_s=round(n / (w1 - w0), 1),
        views=len(meta['files']['train']))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--n', type=int, default=100, help='images per size')
    p.add_argument('--skip-dataset', action='store_true')
    args = p.parse_args()
    cv2.setNumThreads(1)
    load0 = round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None
    rows = [bench_size(512, args.n), bench_size(256, args.n)]
    ds = None if args.skip_dataset else bench_dataset(args.n)
    res = dict(
        benchmark='bench_render',
        synth_version=SYNTH_VERSION,
        threads=1,
        cpu=platform.processor() or platform.machine(),
        python=platform.python_version(),
        load_average_at_start=load0,
        target_img_per_s=20,
        per_size=rows,
        render_dataset=ds,
        command='OMP_NUM_THREADS=1 python -m benchmarks.bench_render '
        f'--n {args.n}')
    md = [
        '# bench_render: synthetic scene-text renderer, 1 core', '',
        f'`{res["command"]}`. img/s per CPU-second of this single-threaded '
        'process (= one dedicated core); wall-clock img/s in the last column '
        f'(load average at start: {load0}, the machine is shared).', ''
    ] + markdown_table(
        ['size', 'images', 'words/img', 'render img/s', 'render+JPEG img/s',
         'CPU ms/img', 'wall img/s'],
        [(r['size'], r['images'], r['words_per_image'],
          r['render_img_per_cpu_s'], r['render_jpeg_img_per_cpu_s'],
          r['cpu_ms_per_image'], r['render_jpeg_img_per_wall_s'])
         for r in rows])
    if ds:
        md += [
            '', f'`render_dataset` end to end (512x512, {ds["images"]} '
            f'images written + {ds["views"]} JSON views): '
            f'**{ds["img_per_cpu_s"]} img/s** per core '
            f'({ds["img_per_wall_s"]} wall-clock).'
        ]
    write_results(osp.join(RESULTS, 'bench_render'), res, md)
    print('\n'.join(md))


if __name__ == '__main__':
    main()
