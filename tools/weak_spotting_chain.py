#!/usr/bin/env python
# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Transcription-only text spotting, end to end (WeCromCL Sec. 3.3).

Images with transcriptions only -> WeCromCL training -> pseudo anchor points
for the training images (their quality printed when a located version of
the same images exists) -> SRSTS-A training on those points -> spotting
evaluation on a located test set. With ``--points-ann`` the first two
stages are replaced by given points (the GT-point arm of WeCromCL supp.
Table 2, at the same SRSTS-A budget).

Every stage writes ``WORK_DIR/<stage>/done.json`` when it finishes and is
skipped on the next run; an interrupted training stage resumes from its
last checkpoint, an interrupted pseudo-labelling stage from its partial
file. Example (the easy one-font synthetic set, rendered as the header of
``configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_3k_synth-vocab24-easy-
cpu.py`` says)::

    python tools/weak_spotting_chain.py work_dirs/chain_easy \
        --data-root data/synth_vocab24_easy \
        --wecromcl-iters 3000 --srsts-iters 1500

The spotting metrics go to ``WORK_DIR/eval/done.json``.
"""
import argparse
import json
import os
import os.path as osp
import sys
from typing import Dict, List, Optional

REPO = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, REPO)  # this checkout's mmocr_vlp, as render_synth.py

from mmengine.config import Config, DictAction  # noqa: E402
WECROMCL_CFG = osp.join(
    REPO, 'configs', 'wecromcl',
    'wecromcl_resnet-tiny_bifpn-deform_3k_synth-vocab24-easy-cpu.py')
SRSTS_CFG = osp.join(
    REPO, 'configs', 'srsts-a',
    'srsts-a_resnet-tiny_deform_1500it_synth-pseudo-cpu.py')
STAGES = ('wecromcl', 'pseudo', 'srsts', 'eval')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('work_dir', help='one folder per stage goes here')
    p.add_argument('--data-root', required=True,
                   help='dataset root (images and annotation JSONs)')
    p.add_argument('--train-ann', default='train_textonly.json',
                   help='training images with transcriptions only')
    p.add_argument('--located-ann', default='train_full.json',
                   help='the same images with locations, to score the '
                   'pseudo points (skipped if absent)')
    p.add_argument('--test-ann', default='test_full.json',
                   help='located test set for the spotting evaluation')
    p.add_argument('--points-ann', default=None,
                   help='train SRSTS-A on these points instead of '
                   'WeCromCL pseudo points (GT-point arm)')
    p.add_argument('--wecromcl-config', default=WECROMCL_CFG)
    p.add_argument('--srsts-config', default=SRSTS_CFG)
    p.add_argument('--wecromcl-iters', type=int, default=None,
                   help='override the WeCromCL schedule length (schedulers, '
                   'text warm-up and checkpoints scale with it)')
    p.add_argument('--srsts-iters', type=int, default=None,
                   help='override the SRSTS-A schedule length')
    p.add_argument('--batch-size', type=int, default=None,
                   help='override both training batch sizes')
    p.add_argument('--limit-test', type=int, default=None,
                   help='evaluate on the first N test images only')
    p.add_argument('--wecromcl-options', nargs='+', action=DictAction,
                   help='WeCromCL config overrides (key=value)')
    p.add_argument('--srsts-options', nargs='+', action=DictAction,
                   help='SRSTS-A config overrides (key=value)')
    p.add_argument('--device', default='cpu')
    return p.parse_args(argv)


def _done_path(work_dir: str, stage: str) -> str:
    return osp.join(work_dir, stage, 'done.json')


def _read_done(work_dir: str, stage: str) -> Optional[dict]:
    path = _done_path(work_dir, stage)
    if not osp.exists(path):
        return None
    with open(path, encoding='utf-8') as f:
        return json.load(f)


def _write_done(work_dir: str, stage: str, info: dict) -> dict:
    path = _done_path(work_dir, stage)
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path + '.tmp', 'w', encoding='utf-8') as f:
        json.dump(info, f, indent=1)
    os.replace(path + '.tmp', path)
    return info


def _abs(data_root: str, ann: str) -> str:
    return ann if osp.isabs(ann) else osp.abspath(osp.join(data_root, ann))


def set_schedule(cfg: Config, iters: Optional[int]) -> int:
    """Set ``max_iters`` (scaling the schedulers' steps, ``text_warmup_iters``
    and the checkpoint interval), turn validation off (the chain measures
    quality itself) and keep the last checkpoint. Returns ``max_iters``."""
    old = int(cfg.train_cfg.max_iters)
    new = old if iters is None else int(iters)
    f = new / old

    def scale(v):
        return max(0, min(new, int(round(v * f))))

    cfg.train_cfg = dict(type='IterBasedTrainLoop', max_iters=new)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    for s in cfg.get('param_scheduler', None) or []:
        for k in ('begin', 'end'):
            if k in s:
                s[k] = scale(s[k])
        if 'end' in s and s['end'] <= s.get('begin', 0):
            s['end'] = s.get('begin', 0) + 1
        if 'milestones' in s:
            s['milestones'] = [scale(m) for m in s['milestones']]
    if cfg.model.get('text_warmup_iters'):
        cfg.model.text_warmup_iters = scale(cfg.model.text_warmup_iters)
    ckpt = cfg.default_hooks.checkpoint
    ckpt.interval = max(1, min(int(ckpt.get('interval', new)), new // 2
                               or 1))
    ckpt.save_last = True
    ckpt.pop('save_best', None)
    ckpt.pop('rule', None)
    return new


def _set_dataset(loader: dict, data_root: str, ann: str) -> None:
    ds = loader['dataset']
    ds['data_root'] = data_root
    ds['ann_file'] = ann


def _experiment_name(work_dir: str) -> str:
    """Unique per run: several Runners live in one process here."""
    import time
    return f'{osp.basename(work_dir)}_{time.strftime("%Y%m%d_%H%M%S")}_' \
        f'{time.perf_counter_ns()}'


def _train(cfg: Config, work_dir: str) -> str:
    """Train (resuming from ``work_dir``'s last checkpoint if any) and
    return the final checkpoint."""
    from mmengine.runner import Runner
    cfg.work_dir = work_dir
    cfg.experiment_name = _experiment_name(work_dir)
    cfg.resume = osp.exists(osp.join(work_dir, 'last_checkpoint'))
    cfg.load_from = None
    if cfg.resume:
        print(f'[chain] resuming {work_dir}', flush=True)
    runner = Runner.from_cfg(cfg)
    runner.train()
    return osp.join(work_dir, f'iter_{cfg.train_cfg.max_iters}.pth')


def stage_wecromcl(args, work_dir: str) -> dict:
    cfg = Config.fromfile(args.wecromcl_config)
    if args.wecromcl_options:
        cfg.merge_from_dict(args.wecromcl_options)
    root = osp.abspath(args.data_root)
    train_ann = _abs(root, args.train_ann)
    _set_dataset(cfg.train_dataloader, root, train_ann)
    for t in cfg.train_dataloader.dataset.pipeline:
        if t['type'] == 'SampleNegativeTexts' and 'vocab_file' not in t:
            t['ann_file'] = train_ann
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    iters = set_schedule(cfg, args.wecromcl_iters)
    stage_dir = osp.join(work_dir, 'wecromcl')
    os.makedirs(stage_dir, exist_ok=True)
    ckpt = _train(cfg, stage_dir)
    cfg_path = osp.join(stage_dir, 'wecromcl_config.py')
    cfg.dump(cfg_path)
    return dict(checkpoint=ckpt, config=cfg_path, iters=iters)


def _load_tool(name: str):
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        name, osp.join(REPO, 'tools', f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def stage_pseudo(args, work_dir: str, wecromcl: dict) -> dict:
    out = osp.join(work_dir, 'pseudo', 'train_pseudo.json')
    root = osp.abspath(args.data_root)
    argv = [wecromcl['config'], wecromcl['checkpoint'],
            '--data-root', root, '--ann-file', _abs(root, args.train_ann),
            '--out', out, '--device', args.device]
    if osp.exists(out + '.partial.jsonl'):
        argv.append('--resume')
    located = _abs(root, args.located_ann) if args.located_ann else None
    if located and osp.exists(located):
        argv += ['--gt-ann', located]
    stats = _load_tool('generate_pseudo_labels').main(argv)
    return dict(ann=out, stats=stats)


def _srsts_cfg(args, train_ann: str) -> Config:
    cfg = Config.fromfile(args.srsts_config)
    if args.srsts_options:
        cfg.merge_from_dict(args.srsts_options)
    root = osp.abspath(args.data_root)
    _set_dataset(cfg.train_dataloader, root, train_ann)
    loader = cfg.test_dataloader
    _set_dataset(loader, root, _abs(root, args.test_ann))
    loader.dataset.indices = args.limit_test
    loader.num_workers = 0
    loader.persistent_workers = False
    if args.batch_size:
        cfg.train_dataloader.batch_size = args.batch_size
    cfg.train_dataloader.num_workers = 0
    cfg.train_dataloader.persistent_workers = False
    return cfg


def stage_srsts(args, work_dir: str, train_ann: str) -> dict:
    cfg = _srsts_cfg(args, train_ann)
    iters = set_schedule(cfg, args.srsts_iters)
    ckpt = _train(cfg, osp.join(work_dir, 'srsts'))
    return dict(checkpoint=ckpt, train_ann=train_ann, iters=iters)


def stage_eval(args, work_dir: str, srsts: dict) -> dict:
    from mmengine.runner import Runner
    cfg = _srsts_cfg(args, srsts['train_ann'])
    cfg.work_dir = osp.join(work_dir, 'eval')
    cfg.experiment_name = _experiment_name(cfg.work_dir)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.load_from = srsts['checkpoint']
    cfg.resume = False
    metrics = Runner.from_cfg(cfg).test()
    return dict(metrics={k: float(v) for k, v in metrics.items()},
                checkpoint=srsts['checkpoint'],
                test_ann=_abs(args.data_root, args.test_ann))


def main(argv=None) -> Dict[str, dict]:
    args = parse_args(argv)
    import mmocr_vlp  # noqa: F401  (registers; checkpoint allow-list)
    work_dir = osp.abspath(args.work_dir)
    os.makedirs(work_dir, exist_ok=True)
    results: Dict[str, dict] = {}
    plan: List[str] = list(STAGES)
    if args.points_ann:
        plan = ['srsts', 'eval']
        results['pseudo'] = dict(ann=_abs(args.data_root, args.points_ann))
    for stage in plan:
        done = _read_done(work_dir, stage)
        if done is not None:
            print(f'[chain] {stage}: done, skipped '
                  f'({_done_path(work_dir, stage)})', flush=True)
            results[stage] = done
            continue
        print(f'[chain] {stage}: running', flush=True)
        if stage == 'wecromcl':
            info = stage_wecromcl(args, work_dir)
        elif stage == 'pseudo':
            info = stage_pseudo(args, work_dir, results['wecromcl'])
        elif stage == 'srsts':
            info = stage_srsts(args, work_dir, results['pseudo']['ann'])
        else:
            info = stage_eval(args, work_dir, results['srsts'])
        results[stage] = _write_done(work_dir, stage, info)
    quality = results.get('pseudo', {}).get('stats', {}).get('quality')
    if quality:
        print(f'[chain] pseudo-label quality: {quality}')
    print(f'[chain] spotting: {json.dumps(results["eval"]["metrics"])}')
    return results


if __name__ == '__main__':
    main()
    sys.exit(0)
