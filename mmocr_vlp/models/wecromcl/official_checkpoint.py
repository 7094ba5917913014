# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Import a checkpoint of the official WeCromCL code (ZhengyaoFang/WeCromCL).

The official state dict maps onto the paper configs
(``configs/wecromcl/_base_wecromcl_resnet50_bifpn-deform.py``) key by key;
``c_proj`` of the activation head is kept as a module
(``SoftActivationHead(out_proj=True)``), so no weight is folded or
re-computed. Only two rewrites touch values: the text projection (official
``x @ P`` parameter) becomes a ``Linear`` weight ``P^T``, and the character
embedding rows are permuted from the official alphabet order to the
:class:`VLPDictionary` order of the config (``preset='lower_punct_space'``,
``case='lower'``).
"""
import re
from collections import OrderedDict
from typing import Dict, List, Mapping, Optional

import torch
from torch import Tensor

from mmocr_vlp.datasets.dictionary import build_dictionary
from mmocr_vlp.utils.ckpt_convert import CLIP_BLOCK_KEYS, unwrap_state_dict

#: Character order of the official embedding rows 1..69 (row 0 = PAD): the
#: ``data.alphabet`` of the official ``configs/Base.yaml`` (a plain YAML
#: scalar, so ``\\'`` and ``\\\\`` stay backslashes), lower-cased and
#: de-duplicated by its ``StrLabelConverter(ignore_case=True)``.
OFFICIAL_ALPHABET = ('0123456789abcdefghijklmnopqrstuvwxyz !"#$%&\\\'()*+,-./'
                     ':;<=>?@[]^_`{|}~')

#: The dictionary of the paper configs.
PAPER_DICTIONARY = dict(type='VLPDictionary',
                        preset='lower_punct_space',
                        case='lower',
                        max_len=25,
                        oov='drop',
                        overlong='truncate')

# BiFPN fusion nodes: official weight / conv name -> (branch, index).
_FUSION = {
    'w_4_5': ('td', 0, 'weight'),
    'w_3_4': ('td', 1, 'weight'),
    'w_2_3': ('td', 2, 'weight'),
    'w_2up_3in_3up': ('bu', 0, 'weight'),
    'w_3up_4in_4up': ('bu', 1, 'weight'),
    'w_5in_5up': ('bu', 2, 'weight'),
    'conv4_up': ('td', 0, 'conv'),
    'conv3_up': ('td', 1, 'conv'),
    'conv2_up': ('td', 2, 'conv'),
    'conv3_out': ('bu', 0, 'conv'),
    'conv4_out': ('bu', 1, 'conv'),
    'conv5_out': ('bu', 2, 'conv'),
}
# Output heads: official name -> (group, position) of LevelConcat with
# groups ((2, 1, 0), (3, 2, 1)); the prefix inside the official module.
_HEADS = {
    'fpn_out4_2': (0, 0, '0.'),
    'fpn_out3_2': (0, 1, '0.'),
    'fpn_out2_2': (0, 2, ''),
    'fpn_out5_3': (1, 0, '0.'),
    'fpn_out4_3': (1, 1, '0.'),
    'fpn_out3_3': (1, 2, '0.'),
}
_BN = ('weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked')
_ENC_LAYER = {
    'norm1': 'norms.0',
    'norm2': 'norms.1',
    'linear1': 'ffn.layers.0.0',
    'linear2': 'ffn.layers.1',
}
_HEAD = {'q_proj': 'w_t', 'k_proj': 'w_i', 'v_proj': 'w_v',
         'c_proj': 'c_proj'}
_SINGLE = {
    'channel_to_512.0.weight': 'out_proj.weight',
    'logit_scale': 'loss_module.logit_scale',
    'ln_final.weight': 'text_encoder.ln_final.weight',
    'ln_final.bias': 'text_encoder.ln_final.bias',
    'positional_embedding': 'text_encoder.positional_embedding',
    'encoder.level_embed': 'encoder.level_embed',
}
# The classifier of torchvision's ResNet, built but unused by the model.
_UNUSED = ('backbone.fc.weight', 'backbone.fc.bias')


def _rename(k: str) -> Optional[str]:
    """Our key for an official key (None = not a known key)."""
    if k in _SINGLE:
        return _SINGLE[k]
    m = re.fullmatch(r'backbone\.((conv1|bn1)\..+|layer\d\.\d+\..+)', k)
    if m:
        return k
    m = re.fullmatch(r'repeated_bifpn\.0\.fpn_in([2-5])\.([01])\.(\w+)', k)
    if m:
        mod = 'conv' if m.group(2) == '0' else 'bn'
        return (f'neck.0.laterals.{int(m.group(1)) - 2}.{mod}.'
                f'{m.group(3)}')
    m = re.fullmatch(r'repeated_bifpn\.(\d+)\.(\w+?)(\.weight)?', k)
    if m and m.group(2) in _FUSION:
        branch, idx, what = _FUSION[m.group(2)]
        base = f'neck.0.layers.{m.group(1)}.{branch}.{idx}'
        if what == 'weight' and m.group(3) is None:
            return f'{base}.weight'
        if what == 'conv' and m.group(3):
            return f'{base}.conv.conv.weight'
    m = re.fullmatch(r'(fpn_out\d_\d)\.(.+)', k)
    if m and m.group(1) in _HEADS:
        g, j, inner = _HEADS[m.group(1)]
        rest = m.group(2)
        if rest.startswith(inner):
            rest = rest[len(inner):]
            mod, _, p = rest.partition('.')
            if mod == '0' and p == 'weight':
                return f'neck.1.heads.{g}.{j}.conv.weight'
            if mod == '1' and p in _BN:
                return f'neck.1.heads.{g}.{j}.bn.{p}'
    m = re.fullmatch(r'encoder\.input_proj\.(\d+)\.([01])\.(weight|bias)', k)
    if m:
        mod = 'conv' if m.group(2) == '0' else 'gn'
        return f'neck.1.projs.{m.group(1)}.{mod}.{m.group(3)}'
    m = re.fullmatch(r'encoder\.encoder\.layers\.(\d+)\.(\w+)\.(.+)', k)
    if m:
        mod, rest = m.group(2), m.group(3)
        if mod == 'self_attn':
            return f'encoder.encoder.layers.{m.group(1)}.self_attn.{rest}'
        if mod in _ENC_LAYER:
            return (f'encoder.encoder.layers.{m.group(1)}.'
                    f'{_ENC_LAYER[mod]}.{rest}')
    m = re.fullmatch(r'text_encoder\.resblocks\.(\d+)\.(.+)', k)
    if m and m.group(2) in CLIP_BLOCK_KEYS:
        return (f'text_encoder.transformer.layers.{m.group(1)}.'
                f'{CLIP_BLOCK_KEYS[m.group(2)]}')
    m = re.fullmatch(r'attn_pool\.(\w+)\.(weight|bias)', k)
    if m and m.group(1) in _HEAD:
        return f'head.{_HEAD[m.group(1)]}.{m.group(2)}'
    return None


def _expected(sd: Mapping) -> List[str]:
    """Official keys every checkpoint of this architecture must hold (the
    layer counts are read from the checkpoint itself)."""

    def count(pattern: str) -> int:
        idx = [int(m.group(1)) for k in sd
               for m in [re.match(pattern, k)] if m]
        return max(idx) + 1 if idx else 0

    keys = list(_SINGLE) + ['token_embedding.weight', 'text_projection']
    keys += ['backbone.conv1.weight'] + [f'backbone.bn1.{p}' for p in _BN]
    keys += [f'backbone.layer{i}.0.conv1.weight' for i in range(1, 5)]
    for lvl in range(2, 6):
        keys.append(f'repeated_bifpn.0.fpn_in{lvl}.0.weight')
        keys += [f'repeated_bifpn.0.fpn_in{lvl}.1.{p}' for p in _BN]
    for r in range(max(count(r'repeated_bifpn\.(\d+)\.'), 2)):
        for name, (_, _, what) in _FUSION.items():
            keys.append(f'repeated_bifpn.{r}.{name}' +
                        ('.weight' if what == 'conv' else ''))
    for name, (_, _, inner) in _HEADS.items():
        keys.append(f'{name}.{inner}0.weight')
        keys += [f'{name}.{inner}1.{p}' for p in _BN]
    for lvl in range(2):
        keys += [f'encoder.input_proj.{lvl}.{m}.{p}' for m in '01'
                 for p in ('weight', 'bias')]
    for i in range(max(count(r'encoder\.encoder\.layers\.(\d+)\.'), 1)):
        pre = f'encoder.encoder.layers.{i}.'
        keys += [pre + f'self_attn.{m}.{p}' for m in
                 ('sampling_offsets', 'attention_weights', 'value_proj',
                  'output_proj') for p in ('weight', 'bias')]
        keys += [pre + f'{m}.{p}' for m in _ENC_LAYER
                 for p in ('weight', 'bias')]
    for i in range(max(count(r'text_encoder\.resblocks\.(\d+)\.'), 1)):
        keys += [f'text_encoder.resblocks.{i}.{k}' for k in CLIP_BLOCK_KEYS]
    keys += [f'attn_pool.{m}.{p}' for m in _HEAD for p in ('weight', 'bias')]
    return keys


def _token_embedding(weight: Tensor, dictionary) -> Tensor:
    """Official rows (PAD, then :data:`OFFICIAL_ALPHABET`, then one unused
    row) -> the rows of ``dictionary``; rows without an official character
    (MASK, EOS, UNK) are zero."""
    n_official = len(OFFICIAL_ALPHABET) + 1
    if weight.shape[0] < n_official:
        raise ValueError(f'official token_embedding.weight has '
                         f'{weight.shape[0]} rows, expected at least '
                         f'{n_official} (PAD + {len(OFFICIAL_ALPHABET)} '
                         f'characters)')
    out = weight.new_zeros((len(dictionary), weight.shape[1]))
    out[dictionary.pad_idx] = weight[0]
    missing = []
    for i, ch in enumerate(OFFICIAL_ALPHABET):
        idx = dictionary.encode(ch)
        if not idx or len(idx) != 1:
            missing.append(ch)
            continue
        out[idx[0]] = weight[i + 1]
    if missing:
        raise ValueError(f'the target dictionary lacks official characters '
                         f'{"".join(missing)!r}')
    return out


def convert_official_wecromcl(ckpt: Mapping,
                              dictionary: Optional[dict] = None
                              ) -> Dict[str, Tensor]:
    """Official WeCromCL state dict -> :class:`WeCromCL` state dict of the
    paper configs.

    Args:
        ckpt (Mapping): The official checkpoint (a state dict, possibly
            wrapped in ``state_dict``/``model`` or with DataParallel's
            ``module.`` prefix).
        dictionary (dict, optional): The target model's dictionary config.
            Defaults to :data:`PAPER_DICTIONARY`.

    Returns:
        dict: Our state dict (``load_state_dict(strict=True)`` into a model
        built from a paper config of the same depth and layer counts).

    Raises:
        KeyError: Unknown keys (not part of the official model) or missing
            keys, all named.
    """
    sd = unwrap_state_dict(ckpt)
    dictionary = build_dictionary(dictionary or PAPER_DICTIONARY)
    missing = [k for k in _expected(sd) if k not in sd]
    out: Dict[str, Tensor] = OrderedDict()
    unknown = []
    for k, v in sd.items():
        if k in _UNUSED:
            continue
        if k == 'token_embedding.weight':
            out['text_encoder.token_embedding.weight'] = _token_embedding(
                v, dictionary)
            continue
        if k == 'text_projection':
            out['text_encoder.text_projection.weight'] = v.t().contiguous()
            continue
        new = _rename(k)
        if new is None:
            unknown.append(k)
        else:
            out[new] = v
    if unknown or missing:
        msg = ['not an official WeCromCL checkpoint of the expected '
               'architecture:']
        if unknown:
            msg.append(f'{len(unknown)} unknown key(s): {unknown[:20]}')
        if missing:
            msg.append(f'{len(missing)} missing key(s): {missing[:20]}')
        raise KeyError(' '.join(msg))
    return out
