# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""mmcv's multi-scale deformable attention on any mmcv build.

mmcv 2.0.1's :class:`~mmcv.ops.MultiScaleDeformableAttention` sends CUDA
tensors to its compiled kernel (``MultiScaleDeformableAttnFunction``), so an
mmcv built without CUDA ops (or for other GPU architectures) raises on the
first GPU forward. :func:`install_msda_fallback` puts
:class:`MSDAFunctionWithFallback` in that place: it calls the kernel when it
works on the tensors' device and otherwise mmcv's own PyTorch path
(``multi_scale_deformable_attn_pytorch``, the one CPU tensors always use),
with one warning naming the fix. Whether the kernel works is decided once per
device type (one tiny call, cached), not per step.
"""
import functools
import warnings
from typing import Dict, Tuple

import torch
from mmcv.ops import multi_scale_deform_attn as mmcv_msda
from torch import Tensor

# mmcv's compiled autograd Function, kept before it is replaced.
KernelFunction = mmcv_msda.MultiScaleDeformableAttnFunction

FIX = ('rebuild mmcv with CUDA ops: `FORCE_CUDA=1 bash scripts/setup_env.sh` '
       'in an mmocr_vlp checkout, or `MMCV_WITH_OPS=1 FORCE_CUDA=1 pip '
       'install --force-reinstall --no-deps --no-binary mmcv mmcv==2.0.1` '
       '(needs nvcc / CUDA_HOME; docs/install.md)')


class MSDAKernelFallbackWarning(UserWarning):
    """mmcv has no working MSDA kernel for a device: PyTorch path used."""


_warned: Dict[str, bool] = {}


def _tiny_inputs(device: torch.device) -> Tuple[Tensor, ...]:
    """Smallest valid MSDA call: 1 image, 2 levels, 1 head, 1 point."""
    shapes = torch.tensor([[2, 2], [1, 1]], dtype=torch.long, device=device)
    start = torch.tensor([0, 4], dtype=torch.long, device=device)
    value = torch.zeros(1, 5, 1, 2, device=device)
    loc = torch.full((1, 1, 1, 2, 1, 2), 0.5, device=device)
    weight = torch.full((1, 1, 1, 2, 1), 0.5, device=device)
    return value, shapes, start, loc, weight


@functools.lru_cache(maxsize=None)
def kernel_status(device_type: str) -> Tuple[bool, str]:
    """Whether mmcv's compiled MSDA runs on this device type (cached).

    Args:
        device_type (str): ``'cuda'``, ``'cpu'``, ...

    Returns:
        tuple[bool, str]: Availability and, when unavailable, why.
    """
    if device_type == 'cuda':
        try:
            from mmcv.ops import get_compiling_cuda_version
            if get_compiling_cuda_version() == 'not available':
                import mmcv
                return False, (f'mmcv {mmcv.__version__} was built without '
                               f'CUDA ops')
        except Exception as e:  # no compiled ops at all
            return False, f'mmcv compiled ops unavailable ({e})'
    try:
        KernelFunction.apply(*_tiny_inputs(torch.device(device_type)), 64)
    except Exception as e:  # missing implementation, wrong GPU arch, ...
        return False, f'mmcv MSDA kernel failed on {device_type}: {e}'
    return True, ''


def _warn_once(device_type: str, why: str) -> None:
    if _warned.get(device_type):
        return
    _warned[device_type] = True
    warnings.warn(
        f'MultiScaleDeformableAttention on {device_type} tensors: {why}. '
        f'Using mmcv\'s PyTorch path instead (same function, slower and '
        f'more memory). Fix: {FIX}.',
        MSDAKernelFallbackWarning,
        stacklevel=3)


class MSDAFunctionWithFallback:
    """Stands in for mmcv's ``MultiScaleDeformableAttnFunction``.

    Same ``apply`` signature; the kernel when it works on the tensors'
    device, else ``multi_scale_deformable_attn_pytorch`` on the same inputs
    (after the kernel's own cast of locations and weights to the value dtype).
    """

    @staticmethod
    def apply(value: Tensor, spatial_shapes: Tensor, level_start_index: Tensor,
              sampling_locations: Tensor, attention_weights: Tensor,
              im2col_step: int) -> Tensor:
        ok, why = kernel_status(value.device.type)
        if ok:
            return KernelFunction.apply(value, spatial_shapes,
                                        level_start_index, sampling_locations,
                                        attention_weights, im2col_step)
        _warn_once(value.device.type, why)
        return mmcv_msda.multi_scale_deformable_attn_pytorch(
            value, spatial_shapes, sampling_locations.type_as(value),
            attention_weights.type_as(value))


def install_msda_fallback() -> None:
    """Make mmcv's ``MultiScaleDeformableAttention`` use
    :class:`MSDAFunctionWithFallback` (idempotent)."""
    mmcv_msda.MultiScaleDeformableAttnFunction = MSDAFunctionWithFallback
