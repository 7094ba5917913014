# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Annotation views (``full``, ``textonly``, ``partial<P>``, ``points``).

There is one implementation, :mod:`mmocr_vlp.datasets.synth.views` (shared
by the synthetic-data renderer and the converters); it is re-exported here
for ``tools/dataset_converters/make_views.py`` and ``--views``.
"""
from ..synth.views import DEFAULT_VIEWS, make_view, parse_view, write_views

__all__ = ['DEFAULT_VIEWS', 'make_view', 'parse_view', 'write_views']
