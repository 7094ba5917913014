# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""What TextBPN's adaptive boundary deformation adds.

Scores one checkpoint of the CPU config
(``textbpn_resnet18_fpnc_12e_synth-cpu.py``) on a split of the synthetic set
twice with mmocr's ``HmeanIOUMetric``: the boundary proposals alone, and the
polygons after the deformation iterations.

Usage::

    OMP_NUM_THREADS=1 python -m studies.textbpn_deformation \
        work_dirs/textbpn_resnet18_fpnc_12e_synth-cpu/epoch_12.pth [--split test]

Writes ``studies/results/textbpn_deformation.{json,md}``.
"""
import argparse
import copy
import json
import os.path as osp

import torch
from mmengine.config import Config
from mmocr.registry import MODELS

from mmocr_vlp.datasets.schema import is_ignored
from studies.harness import REPO_ROOT, markdown_table, write_results

CPU_CONFIG = osp.join(REPO_ROOT, 'configs/textdet/textbpn/'
                      'textbpn_resnet18_fpnc_12e_synth-cpu.py')


def proposal_vs_deformed(checkpoint: str, split: str = 'test') -> dict:
    """``HmeanIOUMetric`` results of the boundary proposals alone and of the
    polygons after the deformation, on one split of the synthetic set."""
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
                 ignore=is_ignored(i))
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


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('checkpoint', help='a checkpoint of the CPU config')
    p.add_argument('--split', default='test', choices=('val', 'test'))
    p.add_argument('--out', default=osp.join(REPO_ROOT, 'studies', 'results',
                                             'textbpn_deformation'))
    args = p.parse_args()
    from mmocr.utils import register_all_modules

    import mmocr_vlp  # noqa: F401
    register_all_modules(init_default_scope=True)
    res = dict(checkpoint=args.checkpoint, split=args.split,
               **proposal_vs_deformed(args.checkpoint, args.split))
    lines = [
        '# What the deformation adds (synth ' + args.split + ' split, '
        '`HmeanIOUMetric`, best score threshold)', '',
        f'Checkpoint `{args.checkpoint}` of '
        '`textbpn_resnet18_fpnc_12e_synth-cpu.py`; command: '
        '`python -m studies.textbpn_deformation <checkpoint>`.', ''
    ] + markdown_table(
        ['polygons', 'precision', 'recall', 'hmean'],
        [(k, f"{res[k]['precision']:.4f}", f"{res[k]['recall']:.4f}",
          f"{res[k]['hmean']:.4f}") for k in ('proposals', 'deformed')])
    write_results(args.out, res, lines)
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
