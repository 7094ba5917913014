# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Write annotation views of an OCRDataset JSON.

``python tools/dataset_converters/make_views.py ann.json --out-dir DIR
--split train --views full textonly partial50 points`` writes
``DIR/<split>_<view>.json``; see docs/datasets.md.
"""
import os.path as osp
import sys

try:
    from mmocr_vlp.datasets.converters.cli import views_main
except ImportError:  # running from a source checkout without install
    sys.path.insert(
        0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
    from mmocr_vlp.datasets.converters.cli import views_main

if __name__ == '__main__':
    views_main()
