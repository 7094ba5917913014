# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .amp_optim_wrapper import AmpOptimWrapper  # noqa: F401

__all__ = ['AmpOptimWrapper']
