# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Key conversion between oCLIP checkpoint layouts.

Three layouts of the same CLIP modified ResNet trunk exist:

``mmocr``
    mmocr 1.x :class:`CLIPResNet` (mmdet ResNet): ``stem.{0,1,3,4,6,7}``,
    ``layer{i}.{j}.conv{1,2,3}/bn{1,2,3}``, ``downsample.{1,2}`` (index 0
    is the parameter-free AvgPool). This is what mmocr's detector configs
    load (``resnet50-oclip-*.pth``) and what ``tools/export_backbone.py``
    writes.
``official``
    bytedance/oclip (CLIP ``ModifiedResNet``): ``visual.conv{1,2,3}``,
    ``visual.bn{1,2,3}``, ``visual.layer{i}.{j}.downsample.{0,1}``,
    ``visual.attnpool.*`` (possibly under ``module.``).
``ours``
    :class:`mmocr_vlp.models.OCLIP`: ``image_encoder.backbone.<mmocr>`` and
    ``image_encoder.attnpool.*`` (same names as the official attnpool).
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping

import torch

_STEM_OFFICIAL_TO_MMOCR = {
    'conv1': 'stem.0',
    'bn1': 'stem.1',
    'conv2': 'stem.3',
    'bn2': 'stem.4',
    'conv3': 'stem.6',
    'bn3': 'stem.7',
}
_STEM_MMOCR_TO_OFFICIAL = {v: k for k, v in _STEM_OFFICIAL_TO_MMOCR.items()}
OURS_TRUNK = 'image_encoder.backbone.'
OURS_POOL = 'image_encoder.attnpool.'

StateDict = Dict[str, torch.Tensor]


def unwrap_state_dict(ckpt: Mapping) -> StateDict:
    """Return the tensor dict of a checkpoint (``state_dict``/``model``
    wrappers and a DDP ``module.`` prefix removed)."""
    if not isinstance(ckpt, Mapping):
        raise TypeError(f'checkpoint must be a mapping, got {type(ckpt)}')
    for key in ('state_dict', 'model'):
        if key in ckpt and isinstance(ckpt[key], Mapping):
            ckpt = ckpt[key]
            break
    out = OrderedDict()
    for k, v in ckpt.items():
        if k.startswith('module.'):
            k = k[len('module.'):]
        out[k] = v
    return out


def load_state_dict_file(path: str) -> StateDict:
    """Load a checkpoint file with ``weights_only=True`` and unwrap it."""
    try:
        ckpt = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError:
        raise
    except Exception as e:  # noqa: BLE001
        raise RuntimeError(
            f'{path}: cannot load with torch.load(weights_only=True): {e}'
        ) from e
    return unwrap_state_dict(ckpt)


def detect_layout(sd: Mapping) -> str:
    """``'ours'``, ``'official'`` or ``'mmocr'`` (raises if unknown)."""
    keys = list(sd)
    if any(k.startswith(OURS_TRUNK) for k in keys):
        return 'ours'
    if any(k.startswith('visual.') for k in keys):
        return 'official'
    if any(k.startswith('stem.') for k in keys) and \
            any(k.startswith('layer1.') for k in keys):
        return 'mmocr'
    if any(k.startswith('backbone.stem.') for k in keys):
        return 'image_encoder'
    raise KeyError(f'unrecognised checkpoint layout (first keys: '
                   f'{keys[:5]})')


def _block_official_to_mmocr(rest: str) -> str:
    # layer{i}.{j}.downsample.{0,1}.x -> downsample.{1,2}.x
    m = re.match(r'(layer\d+\.\d+\.downsample\.)(\d+)(\..*)', rest)
    if m:
        return f'{m.group(1)}{int(m.group(2)) + 1}{m.group(3)}'
    return rest


def _block_mmocr_to_official(rest: str) -> str:
    m = re.match(r'(layer\d+\.\d+\.downsample\.)(\d+)(\..*)', rest)
    if m:
        return f'{m.group(1)}{int(m.group(2)) - 1}{m.group(3)}'
    return rest


def official_to_mmocr(sd: Mapping) -> StateDict:
    """Official oCLIP ``visual.*`` trunk -> mmocr ``CLIPResNet`` keys
    (``attnpool`` and non-visual keys dropped)."""
    out = OrderedDict()
    for k, v in unwrap_state_dict(sd).items():
        if not k.startswith('visual.') or k.startswith('visual.attnpool.'):
            continue
        rest = k[len('visual.'):]
        head, _, tail = rest.partition('.')
        if head in _STEM_OFFICIAL_TO_MMOCR:
            rest = f'{_STEM_OFFICIAL_TO_MMOCR[head]}.{tail}'
        else:
            rest = _block_official_to_mmocr(rest)
        out[rest] = v
    return out


def mmocr_to_official(sd: Mapping, prefix: str = 'visual.') -> StateDict:
    """mmocr ``CLIPResNet`` keys -> official oCLIP ``visual.*`` keys."""
    out = OrderedDict()
    for k, v in unwrap_state_dict(sd).items():
        m = re.match(r'(stem\.\d+)\.(.*)', k)
        if m:
            if m.group(1) not in _STEM_MMOCR_TO_OFFICIAL:
                raise KeyError(f'unexpected stem key {k}')
            k = f'{_STEM_MMOCR_TO_OFFICIAL[m.group(1)]}.{m.group(2)}'
        else:
            k = _block_mmocr_to_official(k)
        out[prefix + k] = v
    return out


def ours_to_mmocr(sd: Mapping) -> StateDict:
    """Our OCLIP (or CLIPImageEncoder) state dict -> mmocr ``CLIPResNet``."""
    sd = unwrap_state_dict(sd)
    layout = detect_layout(sd)
    prefix = OURS_TRUNK if layout == 'ours' else 'backbone.'
    if layout not in ('ours', 'image_encoder'):
        raise KeyError(f'expected an OCLIP checkpoint, got layout {layout}')
    return OrderedDict((k[len(prefix):], v) for k, v in sd.items()
                       if k.startswith(prefix))


def to_mmocr(sd: Mapping) -> StateDict:
    """Any supported layout -> mmocr ``CLIPResNet`` keys."""
    sd = unwrap_state_dict(sd)
    layout = detect_layout(sd)
    if layout == 'mmocr':
        return OrderedDict(sd)
    if layout == 'official':
        return official_to_mmocr(sd)
    return ours_to_mmocr(sd)


def to_image_encoder(sd: Mapping) -> StateDict:
    """Any supported layout -> :class:`CLIPImageEncoder` keys
    (``backbone.*`` and, when the source has one, ``attnpool.*``)."""
    sd = unwrap_state_dict(sd)
    layout = detect_layout(sd)
    out = OrderedDict()
    if layout == 'image_encoder':
        return OrderedDict(sd)
    if layout == 'ours':
        for k, v in sd.items():
            if k.startswith('image_encoder.'):
                out[k[len('image_encoder.'):]] = v
        return out
    for k, v in to_mmocr(sd).items():
        out['backbone.' + k] = v
    if layout == 'official':
        for k, v in sd.items():
            if k.startswith('visual.attnpool.'):
                out['attnpool.' + k[len('visual.attnpool.'):]] = v
    return out


def save_backbone(sd: Mapping, path: str, fmt: str = 'mmocr',
                  source: str = '') -> StateDict:
    """Write a tensors-only backbone checkpoint ``{'state_dict': ...}``.

    Args:
        sd: A state dict in any supported layout.
        path: Output ``.pth``.
        fmt: ``'mmocr'`` (``CLIPResNet`` keys, loadable by mmocr's
            ``init_cfg=dict(type='Pretrained', checkpoint=path)``) or
            ``'official'`` (oCLIP ``visual.*`` keys).
        source: Free text stored in ``meta``.

    Returns:
        The state dict written.
    """
    import os
    out = to_mmocr(sd)
    if fmt == 'official':
        out = mmocr_to_official(out)
    elif fmt != 'mmocr':
        raise ValueError(f"fmt must be 'mmocr' or 'official', got {fmt!r}")
    out = OrderedDict(
        (k, v.detach().cpu().clone()) for k, v in out.items()
        if isinstance(v, torch.Tensor))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(
        dict(state_dict=out, meta=dict(format=fmt, source=str(source))),
        path)
    return out
