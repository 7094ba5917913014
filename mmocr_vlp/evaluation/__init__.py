# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Metrics of mmocr_vlp: pseudo-label quality, single-point spotting and
location-free (edit-distance) spotting, registered in mmocr's METRICS."""
from .functional import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
