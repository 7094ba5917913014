# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""float32 islands inside mixed-precision (autocast) regions."""
import functools
from contextlib import ExitStack
from typing import Any, Callable

import torch

_LOW = (torch.float16, torch.bfloat16)


def to_fp32(obj: Any) -> Any:
    """``obj`` with every float16/bfloat16 tensor (also inside lists,
    tuples and dicts) cast to float32; anything else unchanged."""
    if isinstance(obj, torch.Tensor):
        return obj.float() if obj.dtype in _LOW else obj
    if isinstance(obj, (list, tuple)):
        return type(obj)(to_fp32(o) for o in obj)
    if isinstance(obj, dict):
        return {k: to_fp32(v) for k, v in obj.items()}
    return obj


def fp32_forward(fn: Callable) -> Callable:
    """Decorator: run ``fn`` in float32 inside an autocast region.

    When CPU or CUDA autocast is active (``AmpOptimWrapper``), the
    low-precision tensor arguments are cast to float32 and ``fn`` runs with
    autocast disabled, so its matmuls, softmaxes and exponentials are
    float32. Outside autocast ``fn`` runs unchanged. Used for losses, the
    learnable logit scales and softmaxes over whole feature maps.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        active = [d for d in ('cpu', 'cuda') if torch.is_autocast_enabled(d)]
        if not active:
            return fn(*args, **kwargs)
        with ExitStack() as stack:
            for d in active:
                stack.enter_context(torch.autocast(d, enabled=False))
            return fn(*to_fp32(args), **to_fp32(kwargs))

    return wrapper


class LowPrecision(torch.nn.Module):
    """Run ``module`` under autocast and return float32 outputs.

    An inference-time wrapper for the parts of a model whose low-precision
    rounding does not change its result (e.g. a convolutional trunk), while
    the rest stays float32.

    Args:
        module (nn.Module): The wrapped module.
        device_type (str): ``'cpu'`` (bfloat16) or ``'cuda'`` (float16).
    """

    def __init__(self, module: torch.nn.Module, device_type: str) -> None:
        super().__init__()
        self.module = module
        self.device_type = device_type
        self.dtype = torch.bfloat16 if device_type == 'cpu' else torch.float16

    def forward(self, *args, **kwargs):
        with torch.autocast(self.device_type, self.dtype):
            out = self.module(*args, **kwargs)
        return to_fp32(out)
