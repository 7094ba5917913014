# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .export_backbone_hook import ExportBackboneHook  # noqa: F401
from .map_visualization_hook import MapVisualizationHook  # noqa: F401
from .progress_seed_hook import ProgressSeedHook  # noqa: F401
