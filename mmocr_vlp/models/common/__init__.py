# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .text_encoder import CharTextEncoder  # noqa: F401
from .dist import gather_with_grad  # noqa: F401
from .losses import SymmetricContrastiveLoss  # noqa: F401
from .bifpn import BiFPN  # noqa: F401
from .deformable_encoder import DeformableEncoder  # noqa: F401
from .level_concat import LevelConcat  # noqa: F401
