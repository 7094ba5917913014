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
"""
import collections
import pickle
from typing import Any, List

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
