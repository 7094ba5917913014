# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""SynthText-style synthetic scene-text engine: renderer, dataset writer and
annotation views (full / textonly / partial<P> / points)."""
from .backgrounds import BACKGROUND_KINDS, make_background
from .fonts import FontBank, FontInfo, find_fonts
from .generate import (SYNTH_VERSION, ensure_synth_dataset, image_rng,
                       render_dataset, synth_settings)
from .preview import draw_gt, make_preview
from .renderer import SynthTextRenderer
from .views import (DEFAULT_METAINFO, DEFAULT_VIEWS, LOCATION_KEYS,
                    keep_count, make_view, parse_view, write_views)
from .words import DEFAULT_CHARSET, WORDS_FILE, WordSampler, load_word_list

__all__ = [
    'SynthTextRenderer', 'render_dataset', 'ensure_synth_dataset',
    'write_views', 'make_view', 'parse_view', 'keep_count', 'image_rng',
    'synth_settings', 'find_fonts',
    'FontBank', 'FontInfo', 'WordSampler', 'load_word_list',
    'make_background', 'BACKGROUND_KINDS', 'DEFAULT_VIEWS',
    'DEFAULT_METAINFO', 'LOCATION_KEYS', 'DEFAULT_CHARSET', 'WORDS_FILE',
    'SYNTH_VERSION', 'draw_gt', 'make_preview'
]
