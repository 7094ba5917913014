# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Miniature WeCromCL Tables 1-3 on the synthetic data, one command.

Trains each variant with the CPU config on ``data/synth/train_textonly.json``
(the same number of iterations each) and measures pseudo-label P / R / F
(``PseudoLabelMetric``: nearest GT centre with the same transcription) on
the held-out ``data/synth/test_full.json``:

- ``a``: WeCromCL (character-wise text encoder, N_aug = 16 random negatives)
- ``b``: without negative mining (``use_negatives=False``)   [Table 2]
- ``c``: token-wise (whole-word hash) text encoder              [Table 1]
- ``d``: oCLIP's visual-textual decoder attention as localiser [Table 3]
  (oCLIP CPU config trained for the same number of iterations; for each
  query word the decoder cross-attention map is NMS'ed like WeCromCL's)
- ``e``: hard negatives made by editing the positive (half of N_aug)

Writes ``studies/results/wecromcl_study.{json,md}``. With ``--reuse``, a
WeCromCL variant whose final checkpoint
(``<work-dir>/variant_<v>/iter_<iters>.pth``) exists is scored without
training again, so variants can be trained by parallel processes (each with
its own ``--out``) and collected in one table after. Budget: the machine is
shared; ``--iters`` bounds the CPU time (about 1-2.5 s per
iteration per variant at batch 8 on one loaded core).

Usage::

    OMP_NUM_THREADS=1 python -m studies.wecromcl_study --iters 600
    python -m studies.wecromcl_study --variants a,b --iters 300
    # another regime (variants a-c, e), results kept apart:
    python -m studies.wecromcl_study --variants a,b,c --iters 4000 \
        --config configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_3k_synth-vocab24-easy-cpu.py \
        --out studies/results/wecromcl_study_vocab24_easy
"""
import argparse
import json
import os
import os.path as osp
import time

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
CPU_CFG = 'configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py'
OCLIP_CFG = 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py'
NAMES = dict(a='WeCromCL (char-wise, random negatives)',
             b='w/o negative mining',
             c='token-wise text encoder',
             d='oCLIP decoder attention',
             e='WeCromCL + edit hard negatives')


def _wecromcl_cfg(variant, iters, work_dir, test_ann, max_test,
                  config=CPU_CFG, load_from=None):
    from mmengine.config import Config
    cfg = Config.fromfile(osp.join(REPO, config))
    cfg.load_from = load_from
    cfg.work_dir = work_dir
    cfg.train_cfg = dict(type='IterBasedTrainLoop',
                         max_iters=iters,
                         val_interval=iters + 1)
    cfg.val_cfg = None
    cfg.val_dataloader = None
    cfg.val_evaluator = None
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        by_epoch=False,
                                        interval=iters,
                                        max_keep_ckpts=1,
                                        save_last=True)
    warm = min(100, max(1, iters // 10))
    cfg.param_scheduler = [
        dict(type='LinearLR',
             start_factor=0.1,
             by_epoch=False,
             begin=0,
             end=warm),
        dict(type='PolyLR',
             power=0.9,
             eta_min=1e-6,
             begin=warm,
             end=iters,
             by_epoch=False)
    ]
    cfg.test_dataloader.dataset.ann_file = test_ann
    cfg.test_dataloader.dataset.indices = max_test
    cfg.test_dataloader.num_workers = 0
    cfg.test_dataloader.persistent_workers = False
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    if variant == 'b':
        cfg.model.use_negatives = False
    elif variant == 'c':
        cfg.model.text_encoder = dict(type='WordTextEncoder',
                                      embed_dims=128,
                                      num_buckets=65536)
    elif variant == 'e':
        for t in cfg.train_dataloader.dataset.pipeline:
            if t['type'] == 'SampleNegativeTexts':
                t['mode'] = 'mixed'
                t['edit_ratio'] = 0.5
    return cfg


def run_wecromcl(variant, iters, work_root, test_ann, max_test,
                 config=CPU_CFG, load_from=None, reuse=False):
    from mmengine.runner import Runner

    from studies.harness import train_unless_done
    work_dir = osp.join(work_root, f'variant_{variant}')
    cfg = _wecromcl_cfg(variant, iters, work_dir, test_ann, max_test, config,
                        load_from)
    final = osp.join(work_dir, f'iter_{iters}.pth')
    train_s = train_unless_done(cfg, final, reuse=reuse)
    cfg.load_from = final
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    metrics = runner.test()
    return dict(train_seconds=None if train_s is None else round(train_s, 1),
                test_seconds=round(time.time() - t0, 1),
                metrics=metrics)


def run_oclip(iters, work_root, test_ann, max_test, data_root='data/synth'):
    """Train oCLIP's CPU config, then localise with its decoder attention."""
    import torch
    from mmengine.config import Config
    from mmengine.dataset import Compose, pseudo_collate
    from mmengine.runner import Runner
    from mmengine.structures import InstanceData
    from mmocr.registry import METRICS

    from mmocr_vlp.models.wecromcl.anchors import find_peaks

    cfg = Config.fromfile(osp.join(REPO, OCLIP_CFG))
    cfg.work_dir = osp.join(work_root, 'variant_d_oclip')
    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=iters)
    cfg.train_dataloader.sampler = dict(type='InfiniteSampler', shuffle=True)
    cfg.param_scheduler = [
        dict(type='LinearLR',
             start_factor=0.1,
             by_epoch=False,
             begin=0,
             end=min(100, max(1, iters // 10))),
    ]
    cfg.default_hooks.checkpoint = dict(type='CheckpointHook',
                                        by_epoch=False,
                                        interval=iters,
                                        max_keep_ckpts=1)
    cfg.log_processor = dict(type='LogProcessor',
                             window_size=10,
                             by_epoch=False)
    cfg.custom_hooks = []
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    runner.train()
    train_s = time.time() - t0
    model = runner.model.eval()
    model.test_cfg = dict(getattr(model, 'test_cfg', None) or {},
                          return_attn=True)
    size = cfg.get('img_size', 256)
    dictionary = cfg.dictionary
    pipeline = Compose([
        dict(type='SafeLoadImageFromFile',
             color_type='color_ignore_orientation'),
        dict(type='ResizePad', scale=(size, size), keep_ratio=False),
        dict(type='LoadWeakAnnotations'),
        dict(type='TokenizeTexts',
             dictionary=dictionary,
             drop_ignored=False,
             drop_invalid=False),
        dict(type='PackVLPInputs'),
    ])
    ann = json.load(open(osp.join(data_root, test_ann)))
    entries = ann['data_list'][:max_test]
    metric = METRICS.build(dict(type='PseudoLabelMetric'))
    t0 = time.time()
    for entry in entries:
        info = dict(entry, img_path=osp.join(data_root, entry['img_path']))
        info['instances'] = [
            dict(i, ignore=bool(i.get('ignore')) or i.get('text') == '###')
            for i in entry['instances']
        ]
        data = pipeline(info)
        with torch.no_grad():
            out = model.test_step(pseudo_collate([data]))[0]
        gi = out.gt_instances
        attn = out.pred_instances.decoder_attn  # aligned with kept words
        keep = [k for k in range(len(gi)) if not bool(gi.ignored[k])]
        if len(attn) != len(keep):
            keep = list(range(len(attn)))
        h, w = attn.shape[-2:]
        stride = (data['inputs'].shape[-1] / w, data['inputs'].shape[-2] / h)
        sf = out.metainfo.get('scale_factor', (1.0, 1.0))
        groups = {}
        for row, k in enumerate(keep):
            groups.setdefault(gi.texts[k].lower(), []).append(row)
        pts, scores, texts = [], [], []
        for word, rows in groups.items():
            a = attn[rows[0]].float()
            a = a / a.sum().clamp(min=1e-12)
            xy, _, mass = find_peaks(a, k=len(rows))
            p = (xy + 0.5) * torch.tensor(stride) / torch.tensor(
                [float(sf[0]), float(sf[1])])
            pts.append(p)
            scores.append(mass)
            texts += [gi.texts[keep[r]] for r in rows[:len(xy)]]
        pred = InstanceData()
        pred.points = torch.cat(pts) if pts else torch.zeros(0, 2)
        pred.scores = torch.cat(scores) if scores else torch.zeros(0)
        pred.texts = texts
        out.pred_instances = pred
        metric.process(None, [out])
    metrics = metric.evaluate(len(entries))
    return dict(train_seconds=round(train_s, 1),
                test_seconds=round(time.time() - t0, 1),
                metrics=metrics)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--variants', default='a,b,c,d,e')
    p.add_argument('--iters', type=int, default=600)
    p.add_argument('--max-test', type=int, default=40)
    p.add_argument('--test-ann', default='test_full.json')
    p.add_argument('--work-dir', default='work_dirs/wecromcl_study')
    p.add_argument('--config', default=CPU_CFG,
                   help='WeCromCL config of variants a-c and e (its data, '
                   'model and pipelines)')
    p.add_argument('--load-from', default=None,
                   help='initial checkpoint of variants a-c and e')
    p.add_argument('--reuse', action='store_true',
                   help='score a variant whose final checkpoint exists '
                   'under --work-dir instead of training it again')
    p.add_argument('--out', default=osp.join('studies', 'results',
                                             'wecromcl_study'),
                   help='results path without extension')
    args = p.parse_args()
    os.chdir(REPO)
    import mmocr_vlp  # noqa: F401
    from mmengine.registry import init_default_scope
    init_default_scope('mmocr')
    out_base = osp.join(REPO, args.out)
    results = {}
    if osp.exists(out_base + '.json'):
        results = json.load(open(out_base + '.json')).get('results', {})
    args.vocab_runs = _load_vocab_runs(out_base)
    variants = args.variants.split(',')
    if 'd' in variants and args.config != CPU_CFG:
        raise SystemExit('variant d trains the oCLIP CPU config on data/synth;'
                         ' run it with the default --config')
    for v in variants:
        print(f'=== variant {v}: {NAMES[v]} ({args.iters} iters)', flush=True)
        if v == 'd':
            r = run_oclip(args.iters, args.work_dir, args.test_ann,
                          args.max_test)
        else:
            r = run_wecromcl(v, args.iters, args.work_dir, args.test_ann,
                             args.max_test, args.config, args.load_from,
                             args.reuse)
        r.update(name=NAMES[v], iters=args.iters)
        results[v] = r
        print(json.dumps(r), flush=True)
        _write(out_base, results, args)


def _load_vocab_runs(out_base):
    if osp.exists(out_base + '.json'):
        return json.load(open(out_base + '.json')).get('vocab_runs', [])
    return []


def _write(out_base, results, args):
    os.makedirs(osp.dirname(out_base), exist_ok=True)
    res = dict(benchmark='wecromcl_study',
               data=f'{args.config} (train_textonly -> '
               f'{args.test_ann})',
               protocol='PseudoLabelMetric: nearest GT centre, same text '
               '(case-insensitive), each GT matched once',
               threads=os.environ.get('OMP_NUM_THREADS', 'default'),
               results=results,
               vocab_runs=getattr(args, 'vocab_runs', None)
               or _load_vocab_runs(out_base))
    with open(out_base + '.json', 'w') as f:
        json.dump(res, f, indent=2)
    lines = [
        '# Miniature WeCromCL Tables 1-3 (synthetic data, CPU)', '',
        f'{res["data"]}; {res["protocol"]}.', '',
        '| variant | iters | train s | P | R | F | inside word |',
        '|---|---|---|---|---|---|---|'
    ]
    for k in sorted(results):
        r = results[k]
        m = r['metrics']

        def g(key):
            v = m.get(f'pseudo_label/{key}')
            return '-' if v is None else f'{100 * v:.1f}'

        lines.append(f'| ({k}) {r["name"]} | {r["iters"]} | '
                     f'{r["train_seconds"]} | {g("precision")} | '
                     f'{g("recall")} | {g("hmean")} | {g("inside_ratio")} |')
    if res['vocab_runs']:
        lines += [
            '', '## Small-vocabulary set (data/synth_vocab, 120 words)', '',
            'Config `wecromcl_resnet-tiny_bifpn-deform_2k_synth-vocab-cpu.py` + overrides; '
            'scored on `test_full.json` (100 held-out images, 290 words) '
            'unless stated. Chance (untrained) F = 33.1.', '',
            '| run | iters | overrides | train wall s | train CPU s | P | R '
            '| F | inside word |', '|---|---|---|---|---|---|---|---|---|'
        ]
        for r in res['vocab_runs']:
            m = r['metrics']
            g = [f'{100 * m[f"pseudo_label/{k}"]:.1f}'
                 for k in ('precision', 'recall', 'hmean', 'inside_ratio')]
            ov = ', '.join(f'{k}={v}' for k, v in r.get('overrides',
                                                          {}).items())
            lines.append(f'| {r["name"]} | {r["iters"]} | {ov or "-"} | '
                         f'{r.get("train_wall_s", "-")} | '
                         f'{r.get("train_cpu_s", "-")} | ' + ' | '.join(g) +
                         ' |')
    with open(out_base + '.md', 'w') as f:
        f.write('\n'.join(lines) + '\n')
    print('\n'.join(lines), flush=True)


if __name__ == '__main__':
    main()
