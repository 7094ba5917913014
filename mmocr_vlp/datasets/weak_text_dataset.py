# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""One dataset class for transcription-only, partial and full annotations."""
import os.path as osp
from collections import Counter
from typing import List, Optional, Union

from mmengine.logging import print_log
from mmocr.datasets import OCRDataset
from mmocr.registry import DATASETS

from .schema import is_ignored


class AnnotationError(ValueError):
    """A malformed annotation; the message names the file, image and field."""


def _is_num_seq(x, min_len: int = 0) -> bool:
    try:
        return len(x) >= min_len and all(
            isinstance(v, (int, float)) and not isinstance(v, bool)
            for v in x)
    except TypeError:
        return False


@DATASETS.register_module()
class WeakTextDataset(OCRDataset):
    """mmocr ``OCRDataset`` JSON with optional locations.

    The same annotation file feeds oCLIP (texts), WeCromCL (texts), the
    SRSTS-A spotter (texts + ``point``) and evaluation (``polygon``). Per
    instance:

    - ``text`` (str): the transcription; ``'###'`` or ``ignore=True`` marks a
      don't-care instance. Required when ``require_text=True``.
    - ``polygon`` (list[float], optional): flat ``[x0, y0, x1, y1, ...]``.
    - ``bbox`` (list[float], optional): ``[x1, y1, x2, y2]``.
    - ``point`` (list[float], optional): ``[x, y]``, with optional
      ``point_score`` (float) and ``point_source`` (str: ``'gt'``,
      ``'wecromcl'``, ``'jitter'``, ...).
    - ``ignore`` (bool), ``bbox_label`` (int, 0 = text).

    Bad entries (missing image file, malformed field) raise an
    :class:`AnnotationError` naming the file, the image and the field, or,
    with ``on_error='skip'``, are dropped, counted and logged once after
    loading.

    Args:
        require_text (bool): Every kept instance must carry a non-empty
            ``text``. Defaults to True.
        min_instances (int): Images with fewer valid (non-ignored) text
            instances are dropped (counted) - weakly supervised models need
            at least one word per image. Defaults to 1. Use 0 for test sets.
        check_files (bool): Check that each image file exists when loading
            the annotation, so a missing file is reported up front rather
            than mid-epoch. Defaults to True.
        on_error (str): ``'raise'`` or ``'skip'``. Defaults to ``'raise'``.
        dictionary (dict, optional): The pipeline's dictionary config. When
            given, every transcription is run through its policies once at
            load time and the counts (out-of-dictionary characters, words
            dropped, over-long words) are logged, so a bad dictionary shows
            up before training rather than as silently dropped words.
        **kwargs: Passed to :class:`mmocr.datasets.OCRDataset`.
    """

    def __init__(self,
                 *args,
                 require_text: bool = True,
                 min_instances: int = 1,
                 check_files: bool = True,
                 on_error: str = 'raise',
                 dictionary: Optional[dict] = None,
                 **kwargs) -> None:
        if on_error not in ('raise', 'skip'):
            raise ValueError(f"on_error must be 'raise' or 'skip', got "
                             f'{on_error!r}')
        self.require_text = require_text
        self.min_instances = min_instances
        self.check_files = check_files
        self.on_error = on_error
        self.skip_counts: Counter = Counter()
        self.dictionary_cfg = dictionary
        self.text_stats: dict = {}
        super().__init__(*args, **kwargs)

    # ----------------------------------------------------------- loading
    def load_data_list(self) -> List[dict]:
        self.skip_counts.clear()
        kept = super().load_data_list()
        if self.skip_counts:
            print_log(
                f'{self.__class__.__name__}({self.ann_file}): kept '
                f'{len(kept)} images; skipped ' + ', '.join(
                    f'{k}={v}' for k, v in sorted(self.skip_counts.items())),
                logger='current', level=30)
        if self.dictionary_cfg is not None:
            self.text_stats = self._scan_texts(kept)
        return kept

    def _scan_texts(self, data_list: List[dict]) -> dict:
        """Run every valid transcription through a fresh dictionary."""
        from .dictionary import build_dictionary
        cfg = self.dictionary_cfg
        d = build_dictionary(dict(cfg) if isinstance(cfg, dict) else cfg)
        d.counters.clear()
        oov_policy = d.oov
        if oov_policy == 'error' or d.overlong == 'error':
            # Report everything, then let the pipeline raise on first use.
            d.oov = 'drop' if oov_policy == 'error' else oov_policy
            d.overlong = 'truncate' if d.overlong == 'error' else d.overlong
        n_words = 0
        for info in data_list:
            for inst in info['instances']:
                if not inst['ignore'] and inst.get('text'):
                    n_words += 1
                    d.encode(inst['text'])
        stats = dict(words=n_words, **d.stats())
        if d.counters:
            print_log(f'{self.__class__.__name__}({self.ann_file}): '
                      f'dictionary policies on {n_words} words: ' +
                      ', '.join(f'{k}={v}' for k, v in sorted(
                          d.counters.items())), logger='current', level=30)
        return stats

    def _bad(self, reason: str, msg: str) -> None:
        if self.on_error == 'raise':
            raise AnnotationError(msg)
        self.skip_counts[reason] += 1

    def parse_data_info(self, raw_data_info: dict) -> Union[dict, list]:
        """Validate and normalise one image entry.

        Returns an empty list (mmengine's way to emit no entry) for an entry
        dropped under ``on_error='skip'`` or by ``min_instances``.
        """
        where = f'{self.ann_file}: image {raw_data_info.get("img_path")!r}'
        if 'img_path' not in raw_data_info:
            self._bad('no_img_path', f'{self.ann_file}: an entry has no '
                      f'"img_path" field: {str(raw_data_info)[:200]}')
            return []
        data_info = super().parse_data_info(raw_data_info)
        if self.check_files and not osp.isfile(data_info['img_path']):
            self._bad('missing_image',
                      f'{where}: file {data_info["img_path"]!r} not found')
            return []
        instances = data_info.get('instances', [])
        if not isinstance(instances, list):
            self._bad('bad_instances', f'{where}: field "instances" must be '
                      f'a list, got {type(instances).__name__}')
            return []
        clean = []
        for k, inst in enumerate(instances):
            inst = self._check_instance(inst, f'{where}, instances[{k}]')
            if inst is not None:
                clean.append(inst)
        data_info['instances'] = clean
        n_valid = sum(1 for i in clean if not i['ignore'])
        if n_valid < self.min_instances:
            self.skip_counts['too_few_words'] += 1
            return []
        return data_info

    def _check_instance(self, inst: dict, where: str) -> Optional[dict]:
        if not isinstance(inst, dict):
            self._bad('bad_instance', f'{where}: must be a dict')
            return None
        inst = dict(inst)
        text = inst.get('text')
        if text is None:
            if self.require_text:
                self._bad('missing_text', f'{where}: field "text" missing')
                return None
        elif not isinstance(text, str):
            self._bad('bad_text', f'{where}: field "text" must be a string, '
                      f'got {type(text).__name__}')
            return None
        elif text.strip() == '' and self.require_text:
            self._bad('empty_text', f'{where}: field "text" is empty')
            return None
        inst['ignore'] = is_ignored(inst)
        for key, n in (('polygon', 6), ('bbox', 4), ('point', 2)):
            if key in inst and inst[key] is not None:
                v = inst[key]
                ok = _is_num_seq(v, n) and (key != 'polygon'
                                            or len(v) % 2 == 0)
                if key in ('bbox', 'point'):
                    ok = ok and len(v) == n
                if not ok:
                    self._bad(f'bad_{key}',
                              f'{where}: field "{key}" must be a list of '
                              f'{"an even number >= 6 of" if key == "polygon" else n} '
                              f'numbers, got {str(v)[:80]}')
                    return None
        inst.setdefault('bbox_label', 0)
        return inst

    # --------------------------------------------------------- utilities
    def texts(self, include_ignored: bool = False) -> List[str]:
        """All transcriptions of the dataset (for vocabularies, lexicons)."""
        out = []
        for i in range(len(self)):
            for inst in self.get_data_info(i)['instances']:
                if inst.get('text') and (include_ignored
                                         or not inst['ignore']):
                    out.append(inst['text'])
        return out

