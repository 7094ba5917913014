# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Convert ICDAR 2013 ``gt_img_N.txt`` (``x1 y1 x2 y2 "text"``) to mmocr
OCRDataset JSON.

Run with -h for the options; see docs/datasets.md.
"""
import os.path as osp
import sys

try:
    from mmocr_vlp.datasets.converters.cli import main
except ImportError:  # running from a source checkout without install
    sys.path.insert(
        0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
    from mmocr_vlp.datasets.converters.cli import main

if __name__ == '__main__':
    main('icdar2013')
