# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Run the official WeCromCL code (github ZhengyaoFang/WeCromCL) on CPU.

Nothing of it is copied into this repository: the user's checkout is
imported at run time with three adaptations, all in the calling process:

- a stub for the CUDA-only ``MultiScaleDeformableAttention`` extension, with
  ``MSDeformAttnFunction.apply`` pointed at the checkout's own pure-PyTorch
  ``ms_deform_attn_core_pytorch``;
- ``pretrained=False`` for its torchvision-style ResNets (no download);
- :func:`no_cuda`: ``Tensor.cuda`` as the identity while its loss runs.

Used by ``tests/data/wecromcl_parity/regenerate.py`` (the parity fixture)
and ``benchmarks/bench_vs_official.py --wecromcl-src`` (speed).
"""
import contextlib
import os.path as osp
import sys
import types
from typing import Optional

# Files of the checkout this module imports (checked before importing).
REQUIRED = ('models/wecromcl.py', 'models/loss.py',
            'models/ops/functions/ms_deform_attn_func.py',
            'models/ops/modules/ms_deform_attn.py',
            'utils/str_label_converter.py', 'configs/Base.yaml')


def checkout_error(root: Optional[str]) -> Optional[str]:
    """Why ``root`` is not a usable WeCromCL checkout, or None."""
    if not root or not osp.isdir(root):
        return f'{root!r} is not a directory'
    missing = [f for f in REQUIRED if not osp.isfile(osp.join(root, f))]
    if missing:
        return (f'{root!r} is not a WeCromCL checkout (github '
                f'ZhengyaoFang/WeCromCL): missing {", ".join(missing)}')
    return None


def load_official(root: str) -> types.SimpleNamespace:
    """Import the checkout at ``root`` for CPU.

    Returns:
        SimpleNamespace: ``WeCromCL`` (the model class), ``ContrastiveLoss``,
        ``converter`` (its ``StrLabelConverter`` with the Base.yaml alphabet,
        lower-casing, 25 positions).
    """
    err = checkout_error(root)
    if err:
        raise FileNotFoundError(err)
    sys.path.insert(0, root)
    sys.modules.setdefault('MultiScaleDeformableAttention',
                           types.ModuleType('MultiScaleDeformableAttention'))
    from models.ops.functions import ms_deform_attn_func as fn

    def apply(value, shapes, level_start, locations, weights, step):
        return fn.ms_deform_attn_core_pytorch(value, shapes, locations,
                                              weights)

    fn.MSDeformAttnFunction.apply = staticmethod(apply)
    from models.ops import modules as ops_modules
    ops_modules.ms_deform_attn.MSDeformAttnFunction.apply = \
        staticmethod(apply)
    import models.wecromcl as W
    for name in ('resnet18', 'resnet34', 'resnet50', 'resnet101'):
        if hasattr(W, name):
            setattr(W, name,
                    (lambda f: lambda pretrained=False, **kw: f(False, **kw))(
                        getattr(W, name)))
    from models.loss import ContrastiveLoss
    from utils.str_label_converter import StrLabelConverter
    import yaml
    with open(osp.join(root, 'configs', 'Base.yaml')) as f:
        alphabet = yaml.safe_load(f)['data']['alphabet']
    return types.SimpleNamespace(
        WeCromCL=W.WeCromCL, ContrastiveLoss=ContrastiveLoss,
        converter=StrLabelConverter(alphabet, True, 25))


def official_cfgs(backbone: str = 'resnet50', text_layers: int = 12,
                  deformable_layers: int = 6,
                  false_label_num: int = 16) -> types.SimpleNamespace:
    """The ``cfgs`` namespace the official model reads (defaults: the
    paper's ``configs/pretrain/pretrain.yaml`` + ``Base.yaml``)."""
    ns = types.SimpleNamespace
    return ns(max_text_length=25,
              false_label_num=false_label_num,
              model=ns(backbone=backbone, use_stride=8,
                       with_deformable_encoder=True, transformer_width=512,
                       transformer_layers=text_layers, transformer_heads=8,
                       embed_dim=512, deformable_layer=deformable_layers),
              data=ns(vocab_size=70))


@contextlib.contextmanager
def no_cuda():
    """``Tensor.cuda`` returns the tensor itself (the official loss calls
    ``.cuda()``)."""
    import torch
    cuda = torch.Tensor.cuda
    torch.Tensor.cuda = lambda self, *a, **k: self
    try:
        yield
    finally:
        torch.Tensor.cuda = cuda
