# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .attention_pool import CLIPAttentionPool, interpolate_pos_embed
from .clip_resnet import OCLIPResNet
from .decoder import VisualTextualDecoder
from .image_encoder import CLIPImageEncoder
from .oclip import OCLIP

__all__ = [
    'CLIPAttentionPool', 'interpolate_pos_embed', 'OCLIPResNet',
    'VisualTextualDecoder', 'CLIPImageEncoder', 'OCLIP'
]
