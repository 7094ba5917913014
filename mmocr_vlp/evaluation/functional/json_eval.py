# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Evaluate spotting / pseudo-label results stored as JSON files."""
import json
import os.path as osp
from collections import OrderedDict
from typing import Any, Dict, List, Tuple, Union

import numpy as np

METRIC_TYPES = ('point', 'edit_distance', 'pseudo_label')


def _load_json(path_or_obj: Union[str, Any], what: str) -> Any:
    if not isinstance(path_or_obj, str):
        return path_or_obj
    if not osp.isfile(path_or_obj):
        raise FileNotFoundError(f'{what} JSON not found: {path_or_obj}')
    with open(path_or_obj, encoding='utf-8') as f:
        try:
            return json.load(f)
        except json.JSONDecodeError as e:
            raise ValueError(f'{what} JSON {path_or_obj} is invalid: {e}')


def _gt_instances(item: Dict, where: str) -> Dict:
    insts = item.get('instances', [])
    texts, ignored, polygons, points = [], [], [], []
    for k, inst in enumerate(insts):
        if 'text' not in inst:
            raise KeyError(f'{where}: instance {k} has no "text"')
        texts.append(str(inst['text']))
        ignored.append(bool(inst.get('ignore', False)))
        polygons.append(inst.get('polygon'))
        points.append(inst.get('point') or [np.nan, np.nan])
    gt = dict(texts=texts, ignored=np.array(ignored, dtype=bool))
    if insts and all(p is not None for p in polygons):
        gt['polygons'] = [np.asarray(p, dtype=np.float64) for p in polygons]
    gt['points'] = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    return gt


def _group_predictions(preds: Any) -> Dict[str, Dict]:
    """Per-image prediction dicts keyed by image basename."""
    if isinstance(preds, dict):
        preds = preds.get('results', preds.get('data_list'))
        if preds is None:
            raise KeyError('prediction JSON dict needs "results" or '
                           '"data_list"')
    grouped: Dict[str, Dict] = OrderedDict()
    for k, rec in enumerate(preds):
        if 'img_path' not in rec:
            raise KeyError(f'prediction record {k} has no "img_path"')
        key = osp.basename(rec['img_path'])
        g = grouped.setdefault(key, dict(points=[], texts=[], scores=[]))
        if 'instances' in rec:  # our pseudo-label files (mmocr JSON)
            for inst in rec['instances']:
                if inst.get('point') is None:
                    continue  # a word without an anchor: nothing predicted
                g['points'].append([float(v) for v in inst['point']])
                g['texts'].append(str(inst.get('text', '')))
                g['scores'].append(
                    float(inst.get('point_score', inst.get('score', 1.0))))
        elif 'points' in rec or 'texts' in rec:  # one record per image
            pts = np.asarray(rec.get('points', []), np.float64).reshape(-1, 2)
            texts = list(rec.get('texts', []))
            scores = list(rec.get('scores', [1.0] * len(texts)))
            if not len(pts) == len(texts) == len(scores):
                raise ValueError(f'prediction record {k} ({key}): points/'
                                 f'texts/scores lengths differ')
            g['points'].extend(pts.tolist())
            g['texts'].extend(str(t) for t in texts)
            g['scores'].extend(float(s) for s in scores)
        else:  # one record per instance
            for field in ('point', 'text'):
                if field not in rec:
                    raise KeyError(f'prediction record {k} ({key}) needs '
                                   f'"points"/"texts" or "point"/"text"')
            g['points'].append([float(v) for v in rec['point']])
            g['texts'].append(str(rec['text']))
            g['scores'].append(float(rec.get('score', 1.0)))
    return grouped


def evaluate_spotting_json(
        pred_json: Union[str, List, Dict],
        gt_json: Union[str, Dict],
        metric: str = 'point',
        return_sweeps: bool = False,
        **metric_kwargs) -> Union[Dict[str, float], Tuple[Dict, Dict]]:
    """Evaluate predictions stored in JSON against an OCRDataset JSON.

    Args:
        pred_json: path (or loaded object) of the predictions, either a list
            of per-image records ``{"img_path", "points": [[x, y], ...],
            "texts": [...], "scores": [...]}`` or of per-instance records
            ``{"img_path", "point": [x, y], "text", "score"}`` (or a dict
            holding such a list under ``"results"``), or a pseudo-label file
            of ``tools/generate_pseudo_labels.py`` (``data_list[*]
            .instances`` with ``point``, ``text``, ``point_score``;
            instances without a point are skipped). Coordinates are in the
            original image frame.
        gt_json: path (or loaded object) of an mmocr OCRDataset JSON
            (``data_list[*].instances[*]`` with ``text`` and ``polygon`` or
            ``point``, optional ``ignore``).
        metric: ``'point'`` (:class:`SPTSPointMetric`), ``'edit_distance'``
            (:class:`EditDistanceSpottingMetric`) or ``'pseudo_label'``
            (:class:`PseudoLabelMetric`).
        return_sweeps: also return the per-threshold sweeps.
        **metric_kwargs: arguments of the metric class.

    Images are matched by file basename; GT images without predictions
    count with no prediction; predictions for images absent from the GT are
    an error.

    Returns:
        The metric dict without prefix (and the sweeps if asked).
    """
    from ..metrics import (EditDistanceSpottingMetric, PseudoLabelMetric,
                           SPTSPointMetric)
    classes = dict(point=SPTSPointMetric,
                   edit_distance=EditDistanceSpottingMetric,
                   pseudo_label=PseudoLabelMetric)
    if metric not in classes:
        raise ValueError(f'metric must be one of {METRIC_TYPES}, got '
                         f'{metric!r}')
    gt = _load_json(gt_json, 'ground-truth')
    if not isinstance(gt, dict) or 'data_list' not in gt:
        raise KeyError('ground-truth JSON needs a "data_list" (mmocr '
                       'OCRDataset format)')
    preds = _group_predictions(_load_json(pred_json, 'prediction'))
    samples, seen = [], set()
    for k, item in enumerate(gt['data_list']):
        if 'img_path' not in item:
            raise KeyError(f'ground-truth data_list[{k}] has no "img_path"')
        key = osp.basename(item['img_path'])
        if key in seen:
            raise ValueError(f'ground-truth JSON has two images named {key}')
        seen.add(key)
        p = preds.get(key, dict(points=[], texts=[], scores=[]))
        samples.append(
            dict(img_path=item['img_path'],
                 pred_instances=dict(
                     points=np.asarray(p['points'], np.float64).reshape(-1, 2),
                     texts=list(p['texts']),
                     scores=np.asarray(p['scores'], np.float64)),
                 gt_instances=_gt_instances(item, f'{key} (ground truth)')))
    extra = sorted(set(preds) - seen)
    if extra:
        raise KeyError(f'predictions for {len(extra)} image(s) not in the '
                       f'ground truth, e.g. {extra[:3]}')
    m = classes[metric](**metric_kwargs)
    m.process(None, samples)
    results = m.compute_metrics(m.results)
    m.results.clear()
    if return_sweeps:
        return results, getattr(m, 'last_sweeps', {})
    return results
