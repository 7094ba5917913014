# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Make mmengine checkpoints load under ``torch.load(weights_only=True)``.

Since torch 2.6, ``torch.load`` defaults to ``weights_only=True`` and refuses
to unpickle anything but tensors, containers and explicitly allow-listed
globals. mmengine 0.10.7 calls ``torch.load`` without ``weights_only``, so
resuming a run or ``load_from`` a full checkpoint fails on the objects
mmengine itself writes into ``meta`` and ``message_hub`` (``HistoryBuffer``
with numpy arrays, numpy scalars and dtypes).

Rather than turning the safety off, this module allow-lists exactly those
types with :func:`torch.serialization.add_safe_globals`; it runs on
``import mmocr_vlp`` (configs import the package via ``custom_imports``).
``HistoryBuffer`` pickles its statistics methods as
``getattr(HistoryBuffer, 'mean')``; instead of allowing ``builtins.getattr``
(which would reach any attribute of any allowed object), a ``getattr`` that
only resolves HistoryBuffer's registered statistics methods is registered
under that name. Anything else in a checkpoint is still refused by torch,
with torch's own error that names the offending global.

It also checks checkpoint files before they are loaded
(:func:`checkpoint_problem`), so a damaged file gives an error naming it and
an auto-resume falls back to the newest intact checkpoint
(:func:`find_resumable_checkpoint`).
"""
import collections
import glob
import logging
import os.path as osp
import pickle
import re
import zipfile
from typing import Any, List, Optional

import numpy as np
import torch


def _numpy_globals() -> List:
    """numpy objects that pickled arrays, scalars and dtypes refer to."""
    out: List = [np.ndarray, np.dtype]
    # The array / scalar reconstructors live in numpy.core (numpy<2) or
    # numpy._core (numpy>=2); allow whichever exists.
    for modname in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        try:
            mod = __import__(modname, fromlist=['_reconstruct'])
        except ImportError:
            continue
        out += [mod._reconstruct, mod.scalar]
    # Concrete dtype classes (numpy>=1.25 pickles dtypes by their class).
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        for name in dir(dtypes):
            obj = getattr(dtypes, name)
            if isinstance(obj, type) and issubclass(obj, np.dtype):
                out.append(obj)
    # Scalar types (np.float64(...) values in logs / meta).
    for t in (np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
              np.uint16, np.uint32, np.uint64, np.float16, np.float32,
              np.float64, np.complex64, np.complex128, np.str_):
        out.append(t)
    return out


def _mmengine_globals() -> List:
    from mmengine.logging import HistoryBuffer
    out: List = [HistoryBuffer]
    try:
        from mmengine.config import ConfigDict
        out.append(ConfigDict)
    except ImportError:  # pragma: no cover
        pass
    return out


def history_buffer_getattr(obj: Any, name: str) -> Any:
    """``getattr`` restricted to ``HistoryBuffer``'s statistics methods.

    Registered for weights-only unpickling under the name
    ``builtins.getattr``; any other use is refused.
    """
    from mmengine.logging import HistoryBuffer
    if obj is HistoryBuffer and isinstance(name, str) and (
            name in HistoryBuffer._statistics_methods
            or name in ('min', 'max', 'current', 'mean')):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'mmocr_vlp: refused getattr({obj!r}, {name!r}) while loading a '
        'checkpoint: only HistoryBuffer statistics methods are allowed')


def checkpoint_safe_globals() -> List:
    """The globals mmengine writes into its checkpoints."""
    return ([collections.OrderedDict, collections.defaultdict,
             (history_buffer_getattr, 'builtins.getattr')] +
            _numpy_globals() + _mmengine_globals())


def register_safe_globals() -> None:
    """Allow-list :func:`checkpoint_safe_globals` for weights-only loading."""
    add = getattr(torch.serialization, 'add_safe_globals', None)
    if add is not None:  # torch >= 2.4
        add(checkpoint_safe_globals())


register_safe_globals()


# ------------------------------------------------- damaged checkpoint files
class CheckpointError(RuntimeError):
    """A checkpoint that cannot be used; the message names the file."""


def checkpoint_problem(path: str) -> Optional[str]:
    """Why ``path`` is not a loadable torch checkpoint, or None.

    Cheap: checks that the file exists, is not empty and - for torch's zip
    format (every ``torch.save`` since 1.6) - that its zip directory is
    intact, which a file cut short (a full disk, a killed copy) lacks. It
    does not unpickle anything.
    """
    if not osp.isfile(path):
        return 'file not found'
    if osp.getsize(path) == 0:
        return 'empty file'
    with open(path, 'rb') as f:
        magic = f.read(4)
    if magic == b'PK\x03\x04':
        try:
            with zipfile.ZipFile(path) as z:
                z.infolist()
        except (zipfile.BadZipFile, OSError) as e:
            return f'truncated or corrupt ({e})'
    return None


def load_checkpoint_checked(model, path: str, **kwargs) -> dict:
    """mmengine's ``load_checkpoint`` whose errors name the file.

    Raises:
        CheckpointError: The file is missing, truncated or unreadable.
    """
    from mmengine.runner import load_checkpoint
    problem = checkpoint_problem(path)
    if problem is None:
        try:
            return load_checkpoint(model, path, **kwargs)
        except Exception as e:  # noqa: BLE001  (torch / pickle errors)
            problem = f'{type(e).__name__}: {e}'
    raise CheckpointError(f'cannot load checkpoint {path!r}: {problem}')


def _ckpt_order(path: str) -> tuple:
    """Sort key: training progress from the name (epoch_N / iter_N)."""
    m = re.fullmatch(r'(epoch|iter)_(\d+)\.pth', osp.basename(path))
    return (int(m.group(2)) if m else -1, osp.getmtime(path))


def find_resumable_checkpoint(work_dir: str,
                              logger=None) -> Optional[str]:
    """The checkpoint an auto-resume (``--resume`` without a file) uses.

    mmengine resumes from the file named in ``work_dir/last_checkpoint``.
    When that file is damaged (:func:`checkpoint_problem`), this falls back
    to the newest intact ``epoch_N.pth`` / ``iter_N.pth`` of the work dir
    and logs which file was skipped and why.

    Returns:
        str | None: The checkpoint, or None when the work dir has none.

    Raises:
        CheckpointError: Checkpoints exist but none is intact.
    """
    from mmengine.logging import print_log
    last_file = osp.join(work_dir, 'last_checkpoint')
    last = None
    if osp.isfile(last_file):
        with open(last_file) as f:
            last = f.read().strip() or None
    found = sorted((p for p in glob.glob(osp.join(work_dir, '*.pth'))
                    if _ckpt_order(p)[0] >= 0), key=_ckpt_order, reverse=True)
    candidates = [last] if last else []
    candidates += [p for p in found if not last
                   or osp.abspath(p) != osp.abspath(last)]
    bad = []
    for path in candidates:
        problem = checkpoint_problem(path)
        if problem is None:
            if bad:
                print_log(
                    'resume: skipped damaged checkpoint(s) ' + '; '.join(
                        f'{p} ({why})' for p, why in bad) +
                    f'; resuming from the newest intact one: {path}',
                    logger=logger or 'current', level=logging.WARNING)
            return path
        bad.append((path, problem))
    if bad:
        raise CheckpointError(
            'resume: no intact checkpoint in ' + work_dir + ': ' + '; '.join(
                f'{p} ({why})' for p, why in bad) + '. Start the run again '
            'without --resume (or with --work-dir elsewhere).')
    return None
