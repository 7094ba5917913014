# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Convert SCUT-CTW1500 (train xml / test txt) to mmocr OCRDataset JSON.

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
    main('ctw1500')
