# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Converters from public scene-text annotation formats to mmocr's
OCRDataset JSON (the CLIs are ``tools/dataset_converters/*.py``; see
``docs/datasets.md``)."""
from .base import (DEFAULT_METAINFO, IGNORE_TEXT, ConversionError,
                   ConvertReport, ImageIndex, dump_ocr_json, image_size,
                   make_instance)
from .ctw1500 import (convert_ctw1500, parse_ctw1500_txt_line,
                      parse_ctw1500_xml)
from mmocr_vlp.utils.polygon_utils import (bbox_to_polygon, polygon_center,
                                          polygon_to_bbox)
from .icdar import (convert_icdar, parse_icdar2013_line,
                    parse_icdar2015_line, parse_icdar_file)
from .lsvt import convert_lsvt
from .mmocr_json import convert_mmocr_json, normalise_instance
from .synthtext import convert_synthtext
from .textocr import convert_textocr
from .totaltext import convert_totaltext, parse_totaltext_record
from .views import make_view, write_views

__all__ = [
    'DEFAULT_METAINFO', 'IGNORE_TEXT', 'ConversionError', 'ConvertReport',
    'ImageIndex', 'dump_ocr_json', 'image_size', 'make_instance',
    'polygon_center', 'polygon_to_bbox', 'bbox_to_polygon',
    'convert_icdar', 'parse_icdar2013_line', 'parse_icdar2015_line',
    'parse_icdar_file', 'convert_totaltext', 'parse_totaltext_record',
    'convert_ctw1500', 'parse_ctw1500_txt_line', 'parse_ctw1500_xml',
    'convert_synthtext', 'convert_lsvt', 'convert_textocr',
    'convert_mmocr_json', 'normalise_instance', 'make_view', 'write_views'
]
