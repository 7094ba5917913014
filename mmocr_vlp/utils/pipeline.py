# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Edit an inherited data pipeline by what a step is, not where it is."""
import copy
from typing import Any, Dict, List, Sequence


def _type_name(t: Any) -> str:
    """``'mmocr.Foo'`` and ``'Foo'`` -> ``'Foo'``."""
    return str(t).split('.')[-1]


def _matches(step: Any, match: Dict) -> bool:
    if not isinstance(step, dict) or 'type' not in step:
        return False
    return all(
        _type_name(step.get(k)) == _type_name(v) if k == 'type' else (
            k in step and step[k] == v) for k, v in match.items())


def replace_transform(pipeline: Sequence,
                      match: Dict,
                      new_type: str,
                      strict: bool = True) -> List:
    """A copy of ``pipeline`` in which every step whose keys equal ``match``
    (``type`` compared without a registry scope) becomes a ``new_type`` step
    with the step's other keys as arguments.

    Nested pipelines (the ``transforms`` of ``RandomApply``,
    ``RandomChoice``, ...) are searched too. Meant for configs that inherit
    a pipeline, e.g. mmocr's torchvision colour jitter to ours::

        train_pipeline = replace_transform(
            _base_.train_pipeline,
            dict(type='TorchVisionWrapper', op='ColorJitter'), 'ColorJitter')

    Args:
        pipeline (Sequence): Transform config dicts (or nested lists).
        match (dict): Keys and values a step must have, e.g.
            ``dict(type='TorchVisionWrapper', op='ColorJitter')``.
        new_type (str): ``type`` of the replacement.
        strict (bool): Raise a ValueError when no step matches (the inherited
            pipeline changed). Defaults to True.

    Returns:
        list: The new pipeline; ``pipeline`` itself is not modified.
    """
    if 'type' not in match:
        raise ValueError(f'replace_transform: match={match} needs a "type"')
    found = 0

    def walk(steps):
        nonlocal found
        out = []
        for step in steps:
            if _matches(step, match):
                found += 1
                new = {
                    k: copy.deepcopy(v)
                    for k, v in step.items() if k not in match
                }
                out.append(dict(type=new_type, **new))
            elif isinstance(step, (list, tuple)):
                out.append(walk(step))
            elif isinstance(step, dict) and isinstance(step.get('transforms'),
                                                       (list, tuple)):
                new = copy.deepcopy({
                    k: v
                    for k, v in step.items() if k != 'transforms'
                })
                new['transforms'] = walk(step['transforms'])
                out.append(new)
            else:
                out.append(copy.deepcopy(step))
        return out

    result = walk(pipeline)
    if strict and not found:
        types = [
            _type_name(s['type']) if isinstance(s, dict) else s
            for s in pipeline
        ]
        raise ValueError(f'replace_transform: no step matching {match} in '
                         f'the pipeline {types}')
    return result
