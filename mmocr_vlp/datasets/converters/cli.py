# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Command-line front ends of the converters (``tools/dataset_converters``).

Every format shares these options::

    --ann-dir/--gt PATH     annotation folder or file
    --img-dir DIR           image folder
    --out FILE              output json (folder: <folder>/textdet_<split>.json)
    --split NAME            split name (file name, summary)
    --data-root DIR         img_path is relative to it (default --img-dir)
    --on-error raise|skip   stop at the first malformed item, or skip and count
    --no-check-images       do not require images (height/width from the
                            source if it has them, else null)
    --add-points            add the GT centre point (point_source "gt")
"""
import argparse
import json
import logging
import os.path as osp
import sys
from typing import Callable, Dict, List, Optional

from .base import ConversionError, dump_ocr_json, set_progress
from .ctw1500 import convert_ctw1500
from .icdar import convert_icdar
from .lsvt import convert_lsvt
from .mmocr_json import convert_mmocr_json
from .synthtext import convert_synthtext
from .textocr import convert_textocr
from .totaltext import convert_totaltext
from .views import DEFAULT_VIEWS, write_views

FORMATS = ('icdar2013', 'icdar2015', 'totaltext', 'ctw1500', 'synthtext',
           'lsvt', 'textocr', 'mmocr')


def build_parser(fmt: str) -> argparse.ArgumentParser:
    """Argument parser of one format."""
    if fmt not in FORMATS:
        raise ValueError(f'unknown format {fmt!r}; choose from {FORMATS}')
    single_file = fmt in ('synthtext', 'lsvt', 'textocr', 'mmocr')
    p = argparse.ArgumentParser(
        prog=f'{fmt}.py',
        description=f'Convert {fmt} annotations to mmocr OCRDataset JSON '
        f'(see docs/datasets.md).')
    p.add_argument(
        '--ann-dir', '--gt', '--ann-file', dest='ann', required=True,
        help='annotation file' if single_file else 'annotation folder')
    p.add_argument(
        '--img-dir', default=None, required=fmt not in ('synthtext', 'mmocr'),
        help='image folder' + (' (default: folder of --gt)'
                               if fmt == 'synthtext' else ''))
    p.add_argument('--out', required=True,
                   help='output json file, or a folder for '
                   'textdet_<split>.json')
    p.add_argument('--split', default='train', help='split name')
    p.add_argument(
        '--data-root', default=None,
        help='img_path is written relative to this folder; use it as the '
        'dataset data_root (default: --img-dir'
        + ('; for mmocr: folder of --gt' if fmt == 'mmocr' else '') + ')')
    p.add_argument('--on-error', choices=('raise', 'skip'), default='raise',
                   help='raise at the first malformed item (default) or '
                   'skip it, log it and count it')
    if fmt == 'mmocr':
        p.add_argument('--check-images', action='store_true',
                       help='require every image under --data-root')
    else:
        p.add_argument('--no-check-images', action='store_true',
                       help='do not require images; height/width come '
                       'from the source or are null')
    p.add_argument('--add-points', action='store_true',
                   help='add each word\'s GT centre as "point"')
    p.add_argument('--views', nargs='*', default=None,
                   help='also write these views (full, textonly, '
                   'partial<P>, points) next to --out')
    if fmt == 'lsvt':
        p.add_argument('--mode', choices=('auto', 'full', 'weak'),
                       default='auto', help='full labels (polygons) or weak '
                       'labels (transcriptions only)')
    if fmt == 'synthtext':
        p.add_argument('--with-chars', action='store_true',
                       help='add per-character polygons from charBB')
        p.add_argument('--limit', type=int, default=None,
                       help='convert only the first N images')
    p.add_argument('--quiet', action='store_true', help='no progress bar')
    return p


def _convert(fmt: str, a: argparse.Namespace):
    common = dict(
        data_root=a.data_root,
        on_error=a.on_error,
        add_points=a.add_points)
    if fmt != 'mmocr':
        common['check_images'] = not a.no_check_images
    if fmt in ('icdar2013', 'icdar2015'):
        return convert_icdar(a.ann, a.img_dir, year=int(fmt[-4:]), **common)
    if fmt == 'totaltext':
        return convert_totaltext(a.ann, a.img_dir, **common)
    if fmt == 'ctw1500':
        return convert_ctw1500(a.ann, a.img_dir, **common)
    if fmt == 'synthtext':
        return convert_synthtext(
            a.ann, a.img_dir, with_chars=a.with_chars, limit=a.limit,
            **common)
    if fmt == 'lsvt':
        return convert_lsvt(a.ann, a.img_dir, mode=a.mode, **common)
    if fmt == 'textocr':
        return convert_textocr(a.ann, a.img_dir, **common)
    data_list, report, _ = convert_mmocr_json(
        a.ann, check_images=a.check_images, **common)
    return data_list, report


def out_file(out: str, split: str) -> str:
    """``--out`` as a file path (a folder gets ``textdet_<split>.json``)."""
    if out.endswith(('/', '\\')) or osp.isdir(out):
        return osp.join(out, f'textdet_{split}.json')
    return out


def main(fmt: str, argv: Optional[List[str]] = None) -> Dict:
    """Run the converter of ``fmt``; returns the summary dict.

    Exits with status 1 and a one-line message on malformed input (in
    ``--on-error raise`` mode) or a missing file/folder.
    """
    a = build_parser(fmt).parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format='%(message)s')
    set_progress(not a.quiet)
    try:
        data_list, report = _convert(fmt, a)
    except (ConversionError, FileNotFoundError) as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)
    finally:
        set_progress(True)
    path = out_file(a.out, a.split)
    dump_ocr_json(data_list, path)
    summary = report.as_dict()
    summary.update(format=fmt, split=a.split, out=path)
    print(f'[{fmt} / {a.split}] wrote {path}')
    print(report.summary())
    if report.messages:
        print('first skipped items:')
        for m in report.messages[:5]:
            print('  ' + m)
    root = a.data_root or (a.img_dir if fmt != 'mmocr' else
                           osp.dirname(a.ann)) or '.'
    if fmt != 'mmocr':
        print(f"img_path is relative to {osp.abspath(root)!r}: use "
              f"data_root='{root}', data_prefix=dict(img_path='')")
    if a.views:
        try:
            written = write_views(data_list, osp.dirname(osp.abspath(path)),
                                  a.split, a.views)
        except ValueError as e:
            print(f'error: {e}', file=sys.stderr)
            sys.exit(1)
        for v, f in written.items():
            print(f'view {v}: {f}')
        summary['views'] = written
    return summary


def dispatch(argv: Optional[List[str]] = None) -> Dict:
    """``convert.py <format> [options]``."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ('-h', '--help') or argv[0] not in FORMATS:
        print('usage: convert.py {' + ','.join(FORMATS) + '} [options]\n'
              'run "convert.py <format> -h" for the options of a format',
              file=sys.stderr)
        sys.exit(0 if argv and argv[0] in ('-h', '--help') else 2)
    return main(argv[0], argv[1:])


def views_main(argv: Optional[List[str]] = None) -> Dict[str, str]:
    """``make_views.py``: write views of an existing OCRDataset JSON."""
    p = argparse.ArgumentParser(
        prog='make_views.py',
        description='Write annotation views (full, textonly, partial<P>, '
        'points) of an mmocr OCRDataset JSON.')
    p.add_argument('ann_file', help='input OCRDataset JSON (full labels)')
    p.add_argument('--out-dir', required=True)
    p.add_argument('--split', default='train')
    p.add_argument('--views', nargs='+', default=list(DEFAULT_VIEWS),
                   help=f'default: {" ".join(DEFAULT_VIEWS)}')
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args(argv)
    try:
        with open(a.ann_file, encoding='utf-8') as f:
            d = json.load(f)
        data_list = d['data_list']
        metainfo = d.get('metainfo')
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f'error: {a.ann_file}: cannot read an OCRDataset JSON '
              f'({type(e).__name__}: {e})', file=sys.stderr)
        sys.exit(1)
    try:
        written = write_views(
            data_list, a.out_dir, a.split, a.views, seed=a.seed,
            metainfo=metainfo)
    except ValueError as e:
        print(f'error: {e}', file=sys.stderr)
        sys.exit(1)
    for v, path in written.items():
        print(f'view {v}: {path}')
    return written


# For thin CLIs: ``run = make_entry('icdar2015')``.
def make_entry(fmt: str) -> Callable[[], Dict]:
    return lambda argv=None: main(fmt, argv)
