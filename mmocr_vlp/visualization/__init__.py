# Copyright (c) mmocr_vlp contributors. All rights reserved.
from .activation import (ActivationLocalVisualizer,  # noqa: F401
                         draw_activation_sample, full_image_map, make_grid,
                         overlay_activation)
from .attention import (draw_decoder_attention, draw_pool_attention,  # noqa: F401
                        overlay_heatmap)
from .spotting import PointSpottingLocalVisualizer, draw_point_spotting  # noqa: F401
