# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""TextBPN inference speed on CPU at the paper's test size.

Builds the paper-faithful ResNet-50 model from
``configs/textdet/textbpn/textbpn_resnet50_fpnc_660e_totaltext.py`` (random
init, no weights are loaded) and times ``model.predict`` on 1024 x 640
inputs (Total-Text test size [640, 1024]: long side 1024). A random-init
model proposes nothing at the paper's thresholds, so the deformation stage is
timed separately on ``K`` synthetic proposals (20 control points, 3
iterations), and the end-to-end rate is also given with K proposals forced.

Usage::

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 python benchmarks/bench_textbpn.py \
        [--images 3] [--size 640 1024] [--proposals 20]

With ``--checkpoint`` (a checkpoint of
``textbpn_resnet18_fpnc_12e_synth-cpu.py``) it also measures, on the synth test
split, the hmean (mmocr ``HmeanIOUMetric``) of the boundary proposals alone
against the polygons after the deformation, i.e. what the adaptive boundary
deformation adds.

Writes ``benchmarks/results/bench_textbpn.json`` and ``.md``.
"""
import argparse
import copy
import json
import os
import os.path as osp
import platform
import time

import torch
from mmengine.config import Config
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample
from mmocr.utils import register_all_modules

import mmocr_vlp  # noqa: F401

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
CONFIG = osp.join(ROOT, 'configs/textdet/textbpn/'
                  'textbpn_resnet50_fpnc_660e_totaltext.py')


def _timeit(fn, n, warmup=1):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


CPU_CONFIG = osp.join(ROOT, 'configs/textdet/textbpn/'
                      'textbpn_resnet18_fpnc_12e_synth-cpu.py')


def proposal_vs_deformed(checkpoint, split='test'):
    """hmean of the proposals alone vs the deformed polygons."""
    from mmengine.dataset import Compose
    from mmengine.runner import load_checkpoint
    from mmocr.registry import METRICS
    cfg = Config.fromfile(CPU_CONFIG)
    model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    pipe = Compose(cfg.test_pipeline)
    root = cfg[f'synth_det_{split}'].data_root
    ann = osp.join(root, cfg[f'synth_det_{split}'].ann_file)
    with open(ann) as f:
        data_list = json.load(f)['data_list']
    metrics = {k: METRICS.build(dict(type='HmeanIOUMetric'))
               for k in ('proposals', 'deformed')}
    post = model.det_head.postprocessor
    for info in data_list:
        info = copy.deepcopy(info)
        info['img_path'] = osp.join(root, info['img_path'])
        info['instances'] = [
            dict(polygon=i['polygon'], bbox=i['bbox'], bbox_label=0,
                 ignore=i.get('ignore', False) or i.get('text') == '###')
            for i in info['instances']
        ]
        packed = pipe(info)
        data = model.data_preprocessor(
            dict(inputs=[packed['inputs']],
                 data_samples=[packed['data_samples']]))
        with torch.no_grad():
            outs = model.det_head(
                model.extract_feat(data['inputs']), data['data_samples'])
        for key, metric in metrics.items():
            o = dict(outs)
            if key == 'proposals':
                o['polygons'] = outs['init_polys'] * outs['stride']
            res = post(o, [s.clone() for s in data['data_samples']])
            metric.process(None, [r.to_dict() for r in res])
    return {k: m.compute_metrics(m.results) for k, m in metrics.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--images', type=int, default=3)
    parser.add_argument('--size', type=int, nargs=2, default=[640, 1024],
                        help='input H W')
    parser.add_argument('--proposals', type=int, default=20)
    parser.add_argument('--checkpoint', help='a checkpoint of the CPU synth '
                        'config for the proposals-vs-deformed hmean')
    parser.add_argument('--out', default=osp.join(ROOT, 'benchmarks',
                                                  'results'))
    args = parser.parse_args()
    register_all_modules(init_default_scope=True)
    torch.manual_seed(0)
    h, w = args.size
    cfg = Config.fromfile(CONFIG)
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).eval()
    head = model.det_head
    img = torch.randn(1, 3, h, w)
    meta = dict(img_shape=(h, w), ori_shape=(h, w), pad_shape=(h, w),
                batch_input_shape=(h, w), scale_factor=(1., 1.))

    def samples():
        return [TextDetDataSample(metainfo=meta)]

    k = args.proposals
    # K boxes of 20 control points spread over the map (map pixels)
    xs = torch.linspace(40, w - 200, k)
    ys = torch.linspace(40, h - 80, k)
    base = torch.tensor([[0., 0.], [150., 0.], [150., 40.], [0., 40.]])
    from mmocr_vlp.models.textdet.utils import resample_polygon
    ring = torch.from_numpy(resample_polygon(base.numpy(), head.num_points))
    props = torch.stack([ring + torch.tensor([x, y]) / head.stride
                         for x, y in zip(xs, ys)])
    inds = torch.zeros(k, dtype=torch.long)

    results = {}
    with torch.no_grad():
        feats = model.extract_feat(img)
        node_source, _ = head.forward_maps(feats)
        t_e2e = _timeit(lambda: model.predict(img, samples()), args.images)
        n_default = len(model.predict(img, samples())[0].pred_instances
                        .polygons)
        t_maps = _timeit(lambda: head.forward_maps(model.extract_feat(img)),
                         args.images)
        t_def = _timeit(lambda: head.deformation(node_source, props, inds),
                        args.images)

        def forced():
            outs = head(model.extract_feat(img), samples(),
                        proposals=(props, inds))
            return head.postprocessor(outs, samples())

        t_forced = _timeit(forced, args.images)

    def row(name, times, note=''):
        mean = sum(times) / len(times)
        results[name] = dict(seconds_per_image=mean, images_per_s=1. / mean,
                             runs=len(times), note=note)

    row('predict (paper thresholds, random init)', t_e2e,
        f'{n_default} proposals survive the thresholds')
    row('backbone + neck + proposal maps', t_maps)
    row(f'deformation only, K={k}', t_def, '3 iterations x 20 points')
    row(f'end-to-end with K={k} proposals', t_forced)
    n_params = sum(p.numel() for p in model.parameters())
    n_def = sum(p.numel() for p in head.deformation.parameters())
    info = dict(
        config=osp.relpath(CONFIG, ROOT), input_hw=[h, w],
        threads=torch.get_num_threads(), torch=torch.__version__,
        load_average_1min=os.getloadavg()[0],
        cpu=platform.processor() or platform.machine(),
        params_total=n_params, params_deformation=n_def, results=results)
    if args.checkpoint:
        info['synth_test_hmean'] = dict(
            checkpoint=args.checkpoint,
            **proposal_vs_deformed(args.checkpoint))
    os.makedirs(args.out, exist_ok=True)
    with open(osp.join(args.out, 'bench_textbpn.json'), 'w') as f:
        json.dump(info, f, indent=2)
    lines = [
        '# TextBPN R50 inference on CPU', '',
        f'Input {h} x {w} (Total-Text test size, long side 1024), batch 1, '
        f'{torch.get_num_threads()} thread(s), torch {torch.__version__}, '
        f'{n_params / 1e6:.1f} M parameters ({n_def / 1e6:.2f} M in the '
        'deformation model). Random init; mean of '
        f'{args.images} runs after 1 warm-up; 1-min load average '
        f'{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine: '
        'timings are upper bounds).', '',
        '| stage | s / image | images / s | note |', '|---|---|---|---|'
    ]
    for name, r in results.items():
        lines.append(f"| {name} | {r['seconds_per_image']:.3f} | "
                     f"{r['images_per_s']:.3f} | {r['note']} |")
    if args.checkpoint:
        lines += [
            '', '## What the deformation adds (synth test split, '
            '`HmeanIOUMetric`, best score threshold)', '',
            f'Checkpoint `{args.checkpoint}` of '
            '`textbpn_resnet18_fpnc_12e_synth-cpu.py`.', '',
            '| polygons | precision | recall | hmean |', '|---|---|---|---|'
        ]
        for k in ('proposals', 'deformed'):
            r = info['synth_test_hmean'][k]
            lines.append(f"| {k} | {r['precision']:.4f} | "
                         f"{r['recall']:.4f} | {r['hmean']:.4f} |")
    with open(osp.join(args.out, 'bench_textbpn.md'), 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
