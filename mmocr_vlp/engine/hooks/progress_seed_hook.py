# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Random state as a function of training progress: bit-exact resume."""
import random
from typing import Iterator

import numpy as np
import torch
from mmengine.hooks import Hook
from mmocr.registry import HOOKS


def progress_seed(seed: int, step: int) -> int:
    """The 32-bit seed of training step ``step`` (an epoch or a batch)."""
    return int(np.random.SeedSequence([int(seed) % 2**32,
                                       step]).generate_state(1)[0])


def reseed(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class _ReseedingIterator:
    """Reseeds the global generators before every batch it fetches."""

    def __init__(self, iterator: Iterator, seed: int) -> None:
        self._iterator = iterator
        self._seed = seed
        self._fetched = 0

    def __iter__(self):
        return self

    def __next__(self):
        reseed(progress_seed(self._seed, self._fetched))
        self._fetched += 1
        return next(self._iterator)

    def __getattr__(self, name):  # e.g. the wrapped iterator's `_epoch`
        return getattr(self._iterator, name)


@HOOKS.register_module()
class ProgressSeedHook(Hook):
    """Make the global random state a function of (seed, progress).

    mmengine seeds Python, NumPy and torch once, when the runner is built,
    and a checkpoint does not hold their states; so a resumed run draws
    other random numbers than the uninterrupted one from its first step on
    (data transforms, dropout, sampled words) and ends with other weights.
    This hook reseeds the three global generators from the run's seed and
    the training progress:

    - epoch-based loops: at the start of every epoch (seed, epoch);
    - iteration-based loops: before every batch is fetched (seed, batch
      index). mmengine's resume fetches and discards the batches already
      trained, so the batch after the resume point gets the same state.

    A run resumed from a checkpoint then continues exactly as the
    uninterrupted run did (tested bit-exact on CPU after ``kill -9``:
    ``tests/test_engine/test_resume_exact.py``). With ``num_workers > 0``,
    workers are seeded by mmengine's ``worker_init_fn`` from the run's seed;
    keep ``persistent_workers=False`` for an exact resume (persistent
    workers carry their state across epochs, a resumed run starts them
    afresh). Random generators owned by a model (``random.Random``
    attributes) are not touched. The seed is ``runner.seed`` (``randomness``
    in the config, restored from the checkpoint's meta on resume).
    """
    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        loop = runner.train_loop
        if hasattr(loop, 'dataloader_iterator') and not isinstance(
                loop.dataloader_iterator, _ReseedingIterator):
            loop.dataloader_iterator = _ReseedingIterator(
                loop.dataloader_iterator, runner.seed)

    def before_train_epoch(self, runner) -> None:
        if not hasattr(runner.train_loop, 'dataloader_iterator'):
            reseed(progress_seed(runner.seed, runner.epoch))
