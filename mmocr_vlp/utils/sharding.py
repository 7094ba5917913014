# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Sharding a per-image job (e.g. pseudo-labelling) across distributed ranks.

Every rank takes every ``world_size``-th item of the remaining work, appends
its finished records to its own JSON-lines file ``<out>.partial.rank<r>.jsonl``
(a single process uses ``<out>.partial.jsonl``), so each rank is resumable on
its own; after a barrier rank 0 reads all partial files and writes the one
output. On resume the work already recorded in *any* partial file is skipped,
so a job may be resumed with another number of ranks.
"""
import glob
import os
from typing import Callable, Dict, List, Sequence, Tuple, TypeVar

import torch
import torch.distributed as torch_dist
from mmengine.dist import get_dist_info, init_dist

T = TypeVar('T')


def init_launcher(launcher: str, device: str = 'cpu') -> Tuple[int, int]:
    """Join the process group of ``launcher`` and return ``(rank, world)``.

    ``'none'`` is a single process ``(0, 1)``. CUDA devices use mmengine's
    :func:`~mmengine.dist.init_dist` with NCCL; CPU runs use gloo (for
    ``'pytorch'`` directly through ``init_process_group``, since mmengine's
    launcher selects a CUDA device first).

    Args:
        launcher (str): ``'none'``, ``'pytorch'`` (torchrun), ``'slurm'`` or
            ``'mpi'``.
        device (str): The device the job runs on.
    """
    if launcher == 'none':
        return 0, 1
    if not torch_dist.is_initialized():
        if str(device).startswith('cuda'):
            init_dist(launcher, backend='nccl')
        elif launcher == 'pytorch':
            torch_dist.init_process_group(backend='gloo')
        else:
            init_dist(launcher, backend='gloo')
    return get_dist_info()


def barrier() -> None:
    """Synchronise all ranks (no-op without a process group)."""
    if torch_dist.is_available() and torch_dist.is_initialized():
        torch_dist.barrier()


def shard(items: Sequence[T], rank: int, world_size: int) -> List[T]:
    """The items of ``rank``: every ``world_size``-th, starting at ``rank``
    (round-robin, so ranks get equal shares of a sorted work list)."""
    if not 0 <= rank < world_size:
        raise ValueError(f'shard: rank {rank} outside [0, {world_size})')
    return list(items[rank::world_size])


def partial_path(out: str, rank: int, world_size: int) -> str:
    """The progress file of one rank for the output ``out``."""
    if world_size == 1:
        return f'{out}.partial.jsonl'
    return f'{out}.partial.rank{rank}.jsonl'


def partial_files(out: str) -> List[str]:
    """All progress files of ``out`` (single-process and per-rank)."""
    files = glob.glob(glob.escape(out) + '.partial.jsonl') + glob.glob(
        glob.escape(out) + '.partial.rank*.jsonl')
    return sorted(files)


def read_partials(out: str, read: Callable[[str], Dict[int, dict]]
                  ) -> Dict[int, dict]:
    """Merge the records of every progress file of ``out``; ``read`` parses
    one file into ``{index: record}``."""
    done: Dict[int, dict] = {}
    for path in partial_files(out):
        done.update(read(path))
    return done


def remove_partials(out: str) -> None:
    """Delete every progress file of ``out``."""
    for path in partial_files(out):
        os.remove(path)


def device_of_rank(device: str) -> str:
    """``'cuda'`` -> ``'cuda:<LOCAL_RANK>'`` under a launcher; else as is."""
    if device == 'cuda' and torch.cuda.is_available() and \
            'LOCAL_RANK' in os.environ:
        return f'cuda:{int(os.environ["LOCAL_RANK"])}'
    return device
