# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Export the oCLIP image-encoder trunk at the end of training."""
import os.path as osp
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmocr.registry import HOOKS

from mmocr_vlp.utils.ckpt_convert import save_backbone


@HOOKS.register_module()
class ExportBackboneHook(Hook):
    """After training, write the image-encoder trunk of the model as a
    tensors-only mmocr ``CLIPResNet`` checkpoint (``{'state_dict': ...}``),
    ready for ``configs/textdet/*`` (``oclip_ckpt = <path>``).

    Args:
        filename (str): File name inside ``work_dir``.
        fmt (str): ``'mmocr'`` or ``'official'`` key layout.
        attr (str): Attribute of the model holding the image encoder.
    """
    priority = 'VERY_LOW'

    def __init__(self,
                 filename: str = 'backbone_clipresnet.pth',
                 fmt: str = 'mmocr',
                 attr: str = 'image_encoder') -> None:
        self.filename = filename
        self.fmt = fmt
        self.attr = attr
        self.out_path: Optional[str] = None

    def after_train(self, runner) -> None:
        model = runner.model
        if is_model_wrapper(model):
            model = model.module
        enc = getattr(model, self.attr, None)
        if enc is None:
            runner.logger.warning(
                f'ExportBackboneHook: model has no {self.attr!r}; skipped')
            return
        from mmengine.dist import is_main_process
        if not is_main_process():
            return
        sd = {f'backbone.{k}': v for k, v in enc.backbone.state_dict().items()}
        self.out_path = osp.join(runner.work_dir, self.filename)
        out = save_backbone(sd, self.out_path, fmt=self.fmt,
                            source=f'{type(model).__name__} in '
                            f'{runner.work_dir}')
        runner.logger.info(f'ExportBackboneHook: wrote {len(out)} tensors '
                           f'to {self.out_path}')
