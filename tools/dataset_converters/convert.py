# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Dispatcher: ``python tools/dataset_converters/convert.py <format> ...``.

Formats: icdar2013, icdar2015, totaltext, ctw1500, synthtext, lsvt, textocr,
mmocr. ``convert.py <format> -h`` lists the options; see docs/datasets.md.
"""
import os.path as osp
import sys

try:
    from mmocr_vlp.datasets.converters.cli import dispatch
except ImportError:  # running from a source checkout without install
    sys.path.insert(
        0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..'))
    from mmocr_vlp.datasets.converters.cli import dispatch

if __name__ == '__main__':
    dispatch()
