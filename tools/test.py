# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Evaluate a checkpoint (what ``mim test mmocr_vlp CONFIG --checkpoint`` runs)."""
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
from mmocr_vlp.utils.checkpoint import checkpoint_problem  # noqa: E402
from mmocr_vlp.utils.process import die_with_mim_parent  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test an mmocr_vlp model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint',
                        help="checkpoint file ('none' = random init, "
                        'e.g. for the chance level of a metric)')
    parser.add_argument('--work-dir', help='where logs and results go')
    parser.add_argument('--save-preds', action='store_true',
                        help='dump predictions to <work_dir>/<ckpt>_predictions.pkl')
    parser.add_argument(
        '--cfg-options', nargs='+', action=DictAction,
        help='override config settings')
    parser.add_argument('--launcher', default='none',
                        choices=['none', 'pytorch', 'slurm', 'mpi'])
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main() -> None:
    die_with_mim_parent(PARENT)
    args = parse_args()
    untrained = args.checkpoint.lower() == 'none'
    problem = None if untrained else checkpoint_problem(args.checkpoint)
    if problem is not None:
        raise SystemExit(f'[mmocr_vlp] checkpoint {args.checkpoint}: '
                         f'{problem}')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = None if untrained else args.checkpoint
    if untrained:
        # a fixed seed, so that the chance level is reproducible
        cfg.randomness = dict(seed=cfg.get('randomness', {}).get('seed', 0))
        print('[mmocr_vlp] checkpoint none: testing a randomly initialised '
              f'model (chance level, seed {cfg.randomness["seed"]})',
              flush=True)
    if args.save_preds:
        dump = osp.join(cfg.work_dir, osp.splitext(
            osp.basename(args.checkpoint))[0] + '_predictions.pkl')
        evaluator = cfg.test_evaluator
        if isinstance(evaluator, dict):
            evaluator = [evaluator]
        cfg.test_evaluator = list(evaluator) + [
            dict(type='DumpResults', out_file_path=dump)
        ]
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    print(f'[mmocr_vlp] test metrics: {metrics}')


if __name__ == '__main__':
    main()
