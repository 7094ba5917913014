# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Train a model from a config (what ``mim train mmocr_vlp CONFIG`` runs)."""
import argparse
import os
import os.path as osp

# Who started this process (pid, command line), read before the slow
# imports below, while it is alive: `mim` may be killed meanwhile
# (die_with_mim_parent, mmocr_vlp/utils/process.py).
_ppid = os.getppid()
try:
    with open(f'/proc/{_ppid}/cmdline', 'rb') as _f:
        PARENT = (_ppid, _f.read())
except OSError:
    PARENT = (_ppid, b'')

from mmengine.config import Config, DictAction  # noqa: E402
from mmengine.runner import Runner  # noqa: E402

# Before reading any config: registers every module, makes mmocr importable
# without torchvision and lets configs use `_base_ = ['mmocr_vlp::...']`.
import mmocr_vlp  # noqa: F401,E402
from mmocr_vlp.datasets import AnnotationError  # noqa: E402
from mmocr_vlp.utils.checkpoint import (CheckpointError,  # noqa: E402
                                        checkpoint_problem,
                                        find_resumable_checkpoint)
from mmocr_vlp.utils.process import die_with_mim_parent  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train an mmocr_vlp model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument(
        '--resume', nargs='?', type=str, const='auto',
        help='resume from this checkpoint; with no value, from the latest '
        'checkpoint in the work dir')
    parser.add_argument(
        '--amp', action='store_true',
        help='automatic mixed precision: fp16 + loss scaling on GPU, '
        'bfloat16 autocast on CPU (AmpOptimWrapper)')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the lr by the actual batch size')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings, e.g. train_cfg.max_epochs=2')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def setup_cfg(args: argparse.Namespace) -> Config:
    """The config with the command-line options applied."""
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.loss_scale = 'dynamic'
    if args.resume is not None:
        # mmengine would resume from work_dir/last_checkpoint and crash on a
        # damaged file with torch's message: check first, fall back to the
        # newest intact checkpoint (logged), or stop with the file's name.
        try:
            if args.resume == 'auto':
                resume_from = find_resumable_checkpoint(cfg.work_dir)
            else:
                resume_from = args.resume
                problem = checkpoint_problem(resume_from)
                if problem is not None:
                    raise CheckpointError(
                        f'--resume {resume_from}: {problem}; give another '
                        'checkpoint, or --resume alone to use the newest '
                        'intact one of the work dir')
        except CheckpointError as e:
            raise SystemExit(f'[mmocr_vlp] {e}')
        cfg.resume = True
        cfg.load_from = resume_from  # None: nothing to resume, train anew
    if args.auto_scale_lr:
        if cfg.get('auto_scale_lr', {}).get('base_batch_size') is None:
            raise RuntimeError('--auto-scale-lr needs auto_scale_lr.'
                               'base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    return cfg


def main() -> None:
    die_with_mim_parent(PARENT)
    cfg = setup_cfg(parse_args())
    runner = Runner.from_cfg(cfg)
    try:
        runner.train()
    except AnnotationError as e:  # names file and field: no traceback
        raise SystemExit(f'[mmocr_vlp] {type(e).__name__}: {e}')
    print(f'[mmocr_vlp] training finished; logs and checkpoints in '
          f'{osp.abspath(cfg.work_dir)}')


if __name__ == '__main__':
    main()
