# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Write WeCromCL pseudo location labels for a transcription-only dataset.

Reads an mmocr OCRDataset JSON (only ``text`` is needed per instance) and
writes the same JSON with ``point`` / ``point_score`` / ``point_source``
added to every instance whose word was located (schema: docs/wecromcl.md).
Progress is checkpointed to ``<out>.partial.jsonl`` after every batch;
``--resume`` continues an interrupted run; the final file is written
atomically.

Example::

    python tools/generate_pseudo_labels.py \
        configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py \
        work_dirs/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu/iter_2000.pth \
        --data-root data/synth --ann-file train_textonly.json \
        --out data/synth/train_wecromcl.json --scales 1.0,1.5

(``mim run mmocr_vlp generate_pseudo_labels ...`` runs the same script.)
"""
import argparse
import json
import os
import os.path as osp
import sys
import time

from mmengine.config import DictAction
from mmengine.utils import ProgressBar


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('config', help='WeCromCL config file')
    p.add_argument('checkpoint', help="checkpoint ('none' = random init)")
    p.add_argument('--ann-file',
                   required=True,
                   help='OCRDataset JSON with transcriptions (relative to '
                   '--data-root unless absolute)')
    p.add_argument('--data-root',
                   default=None,
                   help='dataset root (images are data-root/img-prefix/'
                   'img_path)')
    p.add_argument('--img-prefix', default='', help='image folder prefix')
    p.add_argument('--out', required=True, help='output JSON')
    p.add_argument('--resume',
                   action='store_true',
                   help='continue from <out>.partial.jsonl')
    p.add_argument('--scales',
                   default=None,
                   help="comma-separated test scales, e.g. '1.0,1.5' "
                   '(enlarged input helps small text)')
    p.add_argument('--gt-ann',
                   default=None,
                   help='OCRDataset JSON with locations of the same images '
                   '(relative to --data-root unless absolute): score the '
                   'pseudo labels with PseudoLabelMetric (P/R/F, inside '
                   'ratio), print it and store it in the metainfo')
    p.add_argument('--batch-size', type=int, default=1)
    p.add_argument('--device', default='cpu')
    p.add_argument('--limit',
                   type=int,
                   default=None,
                   help='only the first N images (debugging)')
    p.add_argument('--cfg-options',
                   nargs='+',
                   action=DictAction,
                   help='override config settings (key=value)')
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse_args(argv)
    from mmocr_vlp.models.wecromcl.pseudo_labels import (apply_predictions,
                                                         atomic_write_json,
                                                         init_wecromcl,
                                                         iter_predictions,
                                                         read_partial)

    ann_path = args.ann_file
    if args.data_root and not osp.isabs(ann_path) and not osp.exists(ann_path):
        ann_path = osp.join(args.data_root, ann_path)
    try:
        with open(ann_path, encoding='utf-8') as f:
            ann = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f'generate_pseudo_labels: cannot read {ann_path!r}: {e}')
    if not isinstance(ann, dict) or not isinstance(ann.get('data_list'), list):
        sys.exit(f'generate_pseudo_labels: {ann_path!r} is not an mmocr '
                 f'OCRDataset JSON (needs a "data_list" list)')
    data_list = ann['data_list']
    for i, entry in enumerate(data_list):
        if 'img_path' not in entry:
            sys.exit(f'generate_pseudo_labels: {ann_path!r}: data_list[{i}] '
                     f'has no "img_path"')
    n_total = len(data_list) if args.limit is None else min(
        args.limit, len(data_list))

    partial = args.out + '.partial.jsonl'
    done = read_partial(partial) if args.resume else {}
    if not args.resume and osp.exists(partial):
        os.remove(partial)
    scales = ([float(s)
               for s in args.scales.split(',')] if args.scales else None)
    model, cfg, pipeline = init_wecromcl(args.config, args.checkpoint,
                                         args.device, args.cfg_options, scales)

    todo = [(i, data_list[i]) for i in range(n_total) if i not in done]
    print(
        f'generate_pseudo_labels: {n_total} images, {len(done)} already '
        f'done, {len(todo)} to go',
        flush=True)
    os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
    bar = ProgressBar(len(todo)) if todo else None
    t0 = time.time()
    with open(partial, 'a', encoding='utf-8') as fp:
        for i, sample in iter_predictions(model, pipeline, todo,
                                          args.data_root, args.img_prefix,
                                          args.batch_size):
            insts = data_list[i].get('instances', [])
            if sample is None:
                rec = dict(idx=i, instances=insts, found=0, failed=True)
            else:
                new, n = apply_predictions(insts, sample.pred_instances)
                rec = dict(idx=i, instances=new, found=n)
            fp.write(json.dumps(rec, ensure_ascii=False) + '\n')
            fp.flush()
            done[i] = rec
            bar.update()
    elapsed = time.time() - t0

    n_inst = n_found = n_failed = 0
    out_list = []
    for i, entry in enumerate(data_list):
        entry = dict(entry)
        if i in done:
            entry['instances'] = done[i]['instances']
            n_found += done[i].get('found', 0)
            n_failed += int(done[i].get('failed', False))
        n_inst += len(entry.get('instances', []))
        out_list.append(entry)
    stats = dict(source='wecromcl',
                 config=osp.basename(args.config),
                 checkpoint=args.checkpoint,
                 scales=list(model.test_cfg['scales']),
                 images=n_total,
                 images_failed=n_failed,
                 instances=n_inst,
                 points=n_found,
                 instances_without_point=n_inst - n_found,
                 seconds=round(elapsed, 2))
    metainfo = dict(ann.get('metainfo', {}))
    metainfo['pseudo_labels'] = stats
    result = dict(ann, metainfo=metainfo, data_list=out_list)
    if args.gt_ann:
        from mmocr_vlp.evaluation.functional import evaluate_spotting_json
        gt_path = args.gt_ann
        if args.data_root and not osp.isabs(gt_path):
            gt_path = osp.join(args.data_root, gt_path)
        stats['quality'] = evaluate_spotting_json(
            result, gt_path, metric='pseudo_label')
        print(f'generate_pseudo_labels: quality against {gt_path}: '
              f'{stats["quality"]}', flush=True)
    atomic_write_json(result, args.out)
    if n_total == len(data_list):
        os.remove(partial)
    print(
        f'\ngenerate_pseudo_labels: wrote {args.out}: {n_found} points for '
        f'{n_inst} instances ({n_inst - n_found} without a point, '
        f'{n_failed} images failed) in {elapsed:.1f}s',
        flush=True)
    return stats


if __name__ == '__main__':
    main()
