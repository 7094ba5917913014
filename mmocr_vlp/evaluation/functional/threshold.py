# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Confidence-threshold sweeps and threshold selection.

Published spotting numbers (SPTS and followers) sweep the confidence
threshold **on the test set** and report the best hmean; that choice is
optimistic. The metrics here report that number labelled
``best_thr_on_test`` and, next to it, the result at a ``fixed`` threshold
that the user chose beforehand on a validation split with
:func:`select_threshold_on_val`.
"""
from typing import Dict, Mapping, Optional, Sequence, Union

import numpy as np

#: the SPTS sweep: ``np.arange(0.8, 0.95, 0.01)`` -> 0.80, 0.81, ..., 0.94
SPTS_SCORE_THRS = dict(start=0.8, stop=0.95, step=0.01)

ThrSpec = Union[None, float, Mapping, Sequence[float]]


def build_thresholds(spec: ThrSpec = None) -> np.ndarray:
    """Sorted unique thresholds from a spec.

    Args:
        spec: ``None`` (the SPTS sweep), a number, a sequence of numbers, or
            ``dict(start, stop, step)`` for :func:`numpy.arange` (mmocr's
            ``pred_score_thrs`` style; ``stop`` excluded).

    Returns:
        float64 array rounded to 6 decimals (so ``0.8 + 3 * 0.01`` is 0.83).
    """
    if spec is None:
        spec = SPTS_SCORE_THRS
    if isinstance(spec, Mapping):
        # a small epsilon keeps float noise from adding a value at `stop`
        start, stop = float(spec['start']), float(spec['stop'])
        step = float(spec.get('step', 0.1))
        if step <= 0:
            raise ValueError(f'pred_score_thrs step must be > 0, got {step}')
        thrs = np.arange(start, stop - step * 1e-6, step)
    elif np.isscalar(spec):
        thrs = np.array([float(spec)])
    else:
        thrs = np.asarray(list(spec), dtype=np.float64)
    thrs = np.unique(np.round(thrs.astype(np.float64), 6))
    if thrs.size == 0:
        raise ValueError(f'no score threshold in {spec!r}')
    return thrs


def best_index(values: Sequence[float], prefer: str = 'highest') -> int:
    """Index of the maximum of ``values`` (sorted by ascending threshold).

    Args:
        prefer: ``'highest'`` picks the highest threshold among ties (what
            the SPTS script does), ``'lowest'`` the lowest (what mmocr's
            ``HmeanIOUMetric`` does with its strict ``>``).
    """
    values = np.asarray(values, dtype=np.float64)
    if values.size == 0:
        raise ValueError('empty sweep')
    best = values.max()
    ties = np.flatnonzero(values == best)
    if prefer == 'highest':
        return int(ties[-1])
    if prefer == 'lowest':
        return int(ties[0])
    raise ValueError(f"prefer must be 'highest' or 'lowest', got {prefer!r}")


def select_threshold_on_val(sweep: Union[Mapping[float, float],
                                         Sequence[Dict]],
                            key: str = 'hmean',
                            prefer: str = 'highest') -> float:
    """Choose the confidence threshold on a validation split.

    Run a spotting metric on the validation split (it logs and keeps the
    whole sweep, see ``SPTSPointMetric.last_sweeps``) and pass the sweep
    here; put the returned value in the test config as ``fixed_thr``.

    Args:
        sweep: ``{thr: value}`` or a list of dicts holding ``'thr'`` and
            ``key``.
        key: the quantity to maximise.
        prefer: tie rule, see :func:`best_index`.

    Returns:
        The threshold with the best value.
    """
    if isinstance(sweep, Mapping):
        items = sorted((float(t), float(v)) for t, v in sweep.items())
    else:
        try:
            items = sorted((float(d['thr']), float(d[key])) for d in sweep)
        except KeyError as e:
            raise KeyError(f'each sweep entry needs "thr" and "{key}"') from e
    if not items:
        raise ValueError('empty sweep')
    thrs, values = zip(*items)
    return float(thrs[best_index(values, prefer)])


def fmt_thr(thr: Optional[float]) -> str:
    """Threshold as it appears in metric keys and logs."""
    return 'none' if thr is None else f'{thr:.2f}'
