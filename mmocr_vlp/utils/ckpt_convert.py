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

A whole official oCLIP checkpoint (trunk, text encoder, decoder, logit
scale) converts to our :class:`OCLIP` with :func:`official_oclip_to_ours`
(``tools/convert_official_checkpoint.py oclip``).
"""
import re
from collections import OrderedDict
from typing import Dict, Mapping, Optional

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


def _trunk_key_official_to_mmocr(rest: str) -> str:
    """One official trunk key (without ``visual.``) -> mmocr key."""
    head, _, tail = rest.partition('.')
    if head in _STEM_OFFICIAL_TO_MMOCR:
        return f'{_STEM_OFFICIAL_TO_MMOCR[head]}.{tail}'
    return _block_official_to_mmocr(rest)


def official_to_mmocr(sd: Mapping) -> StateDict:
    """Official oCLIP ``visual.*`` trunk -> mmocr ``CLIPResNet`` keys
    (``attnpool`` and non-visual keys dropped)."""
    out = OrderedDict()
    for k, v in unwrap_state_dict(sd).items():
        if not k.startswith('visual.') or k.startswith('visual.attnpool.'):
            continue
        out[_trunk_key_official_to_mmocr(k[len('visual.'):])] = v
    return out


# CLIP ResidualAttentionBlock parameter names -> nn.TransformerEncoderLayer's
# (the official oCLIP text encoder and decoder, WeCromCL's text encoder).
CLIP_BLOCK_KEYS = {
    'attn.in_proj_weight': 'self_attn.in_proj_weight',
    'attn.in_proj_bias': 'self_attn.in_proj_bias',
    'attn.out_proj.weight': 'self_attn.out_proj.weight',
    'attn.out_proj.bias': 'self_attn.out_proj.bias',
    'ln_1.weight': 'norm1.weight',
    'ln_1.bias': 'norm1.bias',
    'ln_2.weight': 'norm2.weight',
    'ln_2.bias': 'norm2.bias',
    'mlp.c_fc.weight': 'linear1.weight',
    'mlp.c_fc.bias': 'linear1.bias',
    'mlp.c_proj.weight': 'linear2.weight',
    'mlp.c_proj.bias': 'linear2.bias',
}
_OCLIP_PLAIN = {
    'token_embedding.weight': 'text_encoder.token_embedding.weight',
    'positional_embedding': 'text_encoder.positional_embedding',
    'ln_final.weight': 'text_encoder.ln_final.weight',
    'ln_final.bias': 'text_encoder.ln_final.bias',
    'text_projection': 'text_encoder.text_projection.weight',
    'logit_scale': 'loss_contrastive.logit_scale',
    'image_pos': 'decoder.image_pos',
    'ln_final_decoder.weight': 'decoder.ln_final.weight',
    'ln_final_decoder.bias': 'decoder.ln_final.bias',
    'text_class.weight': 'decoder.text_class.weight',
    'text_class.bias': 'decoder.text_class.bias',
}


def _oclip_key_official_to_ours(k: str) -> str:
    """Map one official oCLIP key to ours; KeyError if unknown."""
    if k.startswith('visual.attnpool.'):
        return OURS_POOL + k[len('visual.attnpool.'):]
    if k.startswith('visual.'):
        return OURS_TRUNK + _trunk_key_official_to_mmocr(k[len('visual.'):])
    if k in _OCLIP_PLAIN:
        return _OCLIP_PLAIN[k]
    m = re.fullmatch(r'transformer\.resblocks\.(\d+)\.(.+)', k)
    if m and m.group(2) in CLIP_BLOCK_KEYS:
        return (f'text_encoder.transformer.layers.{m.group(1)}.'
                f'{CLIP_BLOCK_KEYS[m.group(2)]}')
    m = re.fullmatch(r'transformer_decoder\.resblocks\.(\d+)\.(.+)', k)
    if m and m.group(2) in CLIP_BLOCK_KEYS:
        # Our decoder layers keep the official names.
        return f'decoder.layers.{m.group(1)}.{m.group(2)}'
    raise KeyError(k)


def official_oclip_to_ours(sd: Mapping,
                           reference: Optional[Mapping] = None) -> StateDict:
    """A checkpoint of the official oCLIP training script -> our
    :class:`OCLIP` state dict.

    Args:
        sd: The official checkpoint (``state_dict`` wrapper and the DDP
            ``module.`` prefix allowed).
        reference: Our model's state dict (e.g. ``model.state_dict()`` of
            the target config). If given, a key it lacks, a key the
            conversion does not produce, or a shape mismatch is an error
            naming the keys.

    Returns:
        The converted state dict.

    Raises:
        KeyError: Unknown official keys, or missing/unexpected keys with
            respect to ``reference``.
        ValueError: Shape mismatches with respect to ``reference``.
    """
    out, unknown, origin = OrderedDict(), [], {}
    for k, v in unwrap_state_dict(sd).items():
        try:
            new = _oclip_key_official_to_ours(k)
        except KeyError:
            unknown.append(k)
            continue
        if k == 'text_projection':  # x @ P  ==  Linear(weight=P.T)
            v = v.t()
        out[new] = v
        origin[new] = k
    if unknown:
        raise KeyError(f'official oCLIP checkpoint: unknown keys {unknown}')
    if reference is not None:
        check_state_dict(out, reference, 'official oCLIP checkpoint',
                         origin)
    return out


def check_state_dict(sd: Mapping, reference: Mapping, what: str,
                     origin: Optional[Mapping] = None) -> None:
    """Raise if ``sd`` and ``reference`` differ in keys or shapes (the
    error names the keys, with their source names from ``origin`` if
    given; ``num_batches_tracked`` counters may be absent).
    """
    origin = origin or {}

    def skip(k):
        return k.endswith('num_batches_tracked')

    def name(k):
        return f'{k} (from {origin[k]})' if k in origin else k

    missing = [k for k in reference if k not in sd and not skip(k)]
    unexpected = [name(k) for k in sd if k not in reference]
    if missing or unexpected:
        raise KeyError(f'{what}: missing keys {missing}, unexpected keys '
                       f'{unexpected}')
    bad = [f'{name(k)}: {tuple(sd[k].shape)} vs '
           f'{tuple(reference[k].shape)}'
           for k in sd if tuple(sd[k].shape) != tuple(reference[k].shape)]
    if bad:
        raise ValueError(f'{what}: shape mismatch with the model config: '
                         f'{bad}')


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
