# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""``AmpOptimWrapper`` that also runs on CPU (bfloat16 autocast)."""
from contextlib import contextmanager
from typing import Optional, Union

import torch
import torch.nn as nn
from mmengine.device import (is_cuda_available, is_mlu_available,
                             is_musa_available, is_npu_available)
from mmengine.optim import AmpOptimWrapper as _MMEngineAmpOptimWrapper
from mmengine.optim import OptimWrapper
from mmocr.registry import OPTIM_WRAPPERS


def _has_accelerator() -> bool:
    return (is_cuda_available() or is_npu_available() or is_mlu_available()
            or is_musa_available())


@OPTIM_WRAPPERS.register_module(name='AmpOptimWrapper', force=True)
class AmpOptimWrapper(_MMEngineAmpOptimWrapper):
    """mmengine's :class:`~mmengine.optim.AmpOptimWrapper`, plus a CPU path.

    Registered as ``AmpOptimWrapper`` in mmocr's ``OPTIM_WRAPPERS`` (scope
    ``mmocr``), so ``optim_wrapper=dict(type='AmpOptimWrapper', ...)`` and
    ``tools/train.py --amp`` pick it in every config of the ``mmocr`` scope.

    - With an accelerator (CUDA, NPU, MLU, MUSA) it *is* mmengine's wrapper:
      autocast to ``dtype`` (fp16 by default) with a ``GradScaler``
      configured by ``loss_scale``.
    - Without one (mmengine's wrapper raises there), the forward pass and
      losses run under ``torch.autocast('cpu', dtype)``, ``dtype``
      defaulting to ``bfloat16``. bfloat16 has float32's exponent range, so
      no loss scaling is needed and ``loss_scale`` is ignored; with
      ``dtype='float16'`` a CPU ``torch.amp.GradScaler`` configured by
      ``loss_scale`` is used, as on GPU. Parameters, gradients and the
      optimiser state stay float32; models keep numerically sensitive parts
      (losses, large softmaxes, the logit scale) in float32 with
      :func:`mmocr_vlp.models.common.amp.fp32_forward`.

    Args:
        loss_scale (float | str | dict): ``'dynamic'``, a static scale or
            ``GradScaler`` kwargs (see mmengine). Defaults to ``'dynamic'``.
        dtype (str | torch.dtype, optional): Autocast dtype. Defaults to
            None: float16 on accelerators (mmengine's default), bfloat16 on
            CPU.
        use_fsdp (bool): Sharded grad scaler (accelerators only).
            Defaults to False.
        **kwargs: :class:`~mmengine.optim.OptimWrapper` arguments.
    """

    def __init__(self,
                 loss_scale: Union[str, float, dict] = 'dynamic',
                 dtype: Optional[Union[str, torch.dtype]] = None,
                 use_fsdp: bool = False,
                 **kwargs) -> None:
        self.device_type = 'cuda' if _has_accelerator() else 'cpu'
        if self.device_type != 'cpu':
            super().__init__(
                loss_scale=loss_scale, dtype=dtype, use_fsdp=use_fsdp,
                **kwargs)
            return
        OptimWrapper.__init__(self, **kwargs)
        if isinstance(dtype, str):
            if dtype not in ('bfloat16', 'float16'):
                raise ValueError(f"AmpOptimWrapper on CPU: dtype must be "
                                 f"'bfloat16' or 'float16', got {dtype!r}")
            dtype = getattr(torch, dtype)
        self.cast_dtype = dtype or torch.bfloat16
        if self.cast_dtype not in (torch.bfloat16, torch.float16):
            raise ValueError(f'AmpOptimWrapper on CPU: dtype must be '
                             f'bfloat16 or float16, got {self.cast_dtype}')
        self._scale_update_param = None
        self.loss_scaler = None
        if self.cast_dtype == torch.float16:
            if loss_scale == 'dynamic':
                self.loss_scaler = torch.amp.GradScaler('cpu')
            elif isinstance(loss_scale, float):
                self._scale_update_param = loss_scale
                self.loss_scaler = torch.amp.GradScaler(
                    'cpu', init_scale=loss_scale)
            elif isinstance(loss_scale, dict):
                self.loss_scaler = torch.amp.GradScaler('cpu', **loss_scale)
            else:
                raise TypeError('loss_scale must be of type float, dict, or '
                                f'"dynamic", but got {loss_scale}')

    def backward(self, loss: torch.Tensor, **kwargs) -> None:
        if self.loss_scaler is not None:
            return super().backward(loss, **kwargs)
        loss.backward(**kwargs)
        self._inner_count += 1

    def step(self, **kwargs) -> None:
        if self.loss_scaler is not None:
            return super().step(**kwargs)
        if self.clip_grad_kwargs:
            self._clip_grad()
        self.optimizer.step(**kwargs)

    def state_dict(self) -> dict:
        if self.loss_scaler is not None:
            return super().state_dict()
        return OptimWrapper.state_dict(self)

    def load_state_dict(self, state_dict: dict) -> None:
        if self.loss_scaler is not None:
            return super().load_state_dict(state_dict)
        # A checkpoint written by a scaled run: nothing to restore.
        state_dict.pop('loss_scaler', None)
        if 'base_param_settings' in state_dict:
            self.base_param_settings = state_dict.pop('base_param_settings')
        self.optimizer.load_state_dict(state_dict)

    @contextmanager
    def optim_context(self, model: nn.Module):
        """Gradient-accumulation context plus autocast (CPU: ``torch.autocast
        ('cpu', dtype)``; accelerators: mmengine's)."""
        if self.device_type != 'cpu':
            with super().optim_context(model):
                yield
            return
        with OptimWrapper.optim_context(self, model), torch.autocast(
                'cpu', dtype=self.cast_dtype):
            yield
