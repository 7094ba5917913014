# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Train-once helper of the study scripts in ``studies/``."""
import os.path as osp
import time
from typing import Optional

from mmengine.config import Config

_SECONDS = 'train_seconds.txt'


def train_unless_done(cfg: Config, checkpoint: str,
                      reuse: bool = False) -> Optional[float]:
    """Train ``cfg`` with an mmengine ``Runner`` unless ``checkpoint`` (the
    run's final checkpoint) already exists.

    The training time is stored next to the checkpoint (``cfg.work_dir /
    train_seconds.txt``), so a study can score runs that other processes
    trained (e.g. variants trained in parallel) and still report their cost.

    Args:
        cfg (Config): Full training config (its ``work_dir`` is used).
        checkpoint (str): The checkpoint the run ends with.
        reuse (bool): Skip training when ``checkpoint`` exists (a study's
            ``--reuse``; off, so that a changed config is never scored with
            an old checkpoint). Defaults to False.

    Returns:
        float or None: Training seconds (None when reused and unknown).
    """
    from mmengine.runner import Runner
    seconds = osp.join(cfg.work_dir, _SECONDS)
    if reuse and osp.isfile(checkpoint):
        print(f'reusing {checkpoint}', flush=True)
        if osp.isfile(seconds):
            with open(seconds) as f:
                return float(f.read())
        return None
    runner = Runner.from_cfg(cfg)
    t0 = time.time()
    runner.train()
    train_s = time.time() - t0
    with open(seconds, 'w') as f:
        f.write(f'{train_s:.1f}')
    return train_s
