# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Pseudo location labels from a trained WeCromCL (library code behind
``tools/generate_pseudo_labels.py`` and ``tools/visualize_activation.py``).

Output schema (``docs/architecture.md``, ``docs/wecromcl.md``): the input
OCRDataset JSON unchanged, plus for every instance whose word was found
``point`` ([x, y], original image coordinates), ``point_score`` (float in
[0, 1]) and ``point_source`` (``"wecromcl"``). Instances whose word was not
found (don't-care, dropped by the dictionary, or no valid pixel) get no
point and are counted in ``metainfo.pseudo_labels``.
"""
import copy
import hashlib
import json
import os
import os.path as osp
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import torch
from mmcv.cnn import fuse_conv_bn
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.registry import init_default_scope
from mmocr.registry import MODELS

from ..common.amp import LowPrecision
from ..common.ms_deform_attn_cpu import fast_cpu_deform_attn

from mmocr_vlp.datasets.schema import is_ignored

POINT_SOURCE = 'wecromcl'


def _find_test_pipeline(cfg: Config) -> list:
    for key in ('test_pipeline', ):
        if key in cfg:
            return copy.deepcopy(cfg[key])
    for key in ('test_dataloader', 'val_dataloader'):
        try:
            return copy.deepcopy(cfg[key]['dataset']['pipeline'])
        except (KeyError, TypeError):
            continue
    raise KeyError('config has no test_pipeline / test_dataloader pipeline')


def optimize_for_inference(model: torch.nn.Module,
                           amp: bool = False) -> torch.nn.Module:
    """Rewrite an eval-mode WeCromCL for faster inference.

    Same outputs up to float rounding: every BatchNorm that follows a
    convolution is folded into it (mmcv's :func:`~mmcv.cnn.fuse_conv_bn`)
    and the convolutions run in ``torch.channels_last``. With ``amp`` the
    backbone and the neck also run in bfloat16 (CPU) / float16 (CUDA)
    autocast (:class:`LowPrecision`); the deformable encoder, the text
    encoder and the activation map stay float32. The model can no longer be
    trained or saved in its original layout.
    """
    fuse_conv_bn(model)
    model.to(memory_format=torch.channels_last)
    if amp:
        dev = next(model.parameters()).device.type
        model.backbone = LowPrecision(model.backbone, dev)
        model.neck = LowPrecision(model.neck, dev)
    return model


def init_wecromcl(config,
                  checkpoint: Optional[str] = None,
                  device: str = 'cpu',
                  cfg_options: Optional[dict] = None,
                  scales: Optional[Sequence[float]] = None,
                  return_maps: bool = False,
                  optimize: bool = True,
                  amp: bool = False):
    """Build a WeCromCL model from a config and load a checkpoint.

    Args:
        config (str | Config): The config.
        checkpoint (str, optional): Checkpoint path; None or ``'none'``
            keeps the random initialisation (demos, tests).
        device (str): Torch device.
        cfg_options (dict, optional): Overrides merged into the config.
        scales (Sequence[float], optional): Test scales (overrides
            ``model.test_cfg.scales``).
        return_maps (bool): Attach activation maps to the predictions.
        optimize (bool): Apply :func:`optimize_for_inference`.
        amp (bool): Its low-precision backbone and neck (needs
            ``optimize``).

    Returns:
        tuple: ``(model, cfg, pipeline)`` with the model in eval mode and the
        test pipeline composed.
    """
    import mmocr_vlp  # noqa: F401  (registers everything)
    cfg = config if isinstance(config, Config) else Config.fromfile(config)
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    model_cfg = copy.deepcopy(cfg.model)
    test_cfg = dict(model_cfg.get('test_cfg') or {})
    if scales is not None:
        test_cfg['scales'] = tuple(float(s) for s in scales)
    if return_maps:
        test_cfg['return_maps'] = True
    model_cfg['test_cfg'] = test_cfg
    model = MODELS.build(model_cfg)
    if checkpoint and checkpoint.lower() != 'none':
        from mmocr_vlp.utils.checkpoint import load_checkpoint_checked
        load_checkpoint_checked(model, checkpoint, map_location='cpu',
                                strict=True)
    model.to(device).eval()
    if optimize:
        optimize_for_inference(model, amp=amp)
    pipeline = Compose(_find_test_pipeline(cfg))
    return model, cfg, pipeline


def resolve_img_path(img_path: str,
                     data_root: Optional[str],
                     img_prefix: str = '') -> str:
    """mmocr's path join: ``data_root / img_prefix / img_path``."""
    if osp.isabs(img_path):
        return img_path
    parts = [p for p in (data_root, img_prefix) if p]
    return osp.join(*parts, img_path)


def apply_predictions(instances: List[dict], pred) -> Tuple[List[dict], int]:
    """Add ``point``/``point_score``/``point_source`` to the instances.

    Args:
        instances: The raw annotation instances (not modified).
        pred: ``pred_instances`` with ``points``, ``scores`` and
            ``instance_ids`` (indices into ``instances``).

    Returns:
        tuple: The new instance list and the number of points written.
    """
    out = [dict(inst) for inst in instances]
    for inst in out:  # a fresh label replaces an older pseudo label
        if inst.get('point_source') == POINT_SOURCE:
            for k in ('point', 'point_score', 'point_source'):
                inst.pop(k, None)
    n = 0
    ids = pred.instance_ids.tolist() if len(pred) else []
    for j, i in enumerate(ids):
        if not 0 <= i < len(out):
            raise IndexError(f'prediction refers to instance {i} of '
                             f'{len(out)}')
        x, y = pred.points[j].tolist()
        out[i]['point'] = [round(float(x), 2), round(float(y), 2)]
        out[i]['point_score'] = round(float(pred.scores[j]), 5)
        out[i]['point_source'] = POINT_SOURCE
        n += 1
    return out, n


def iter_predictions(model,
                     pipeline,
                     entries: Sequence[Tuple[int, dict]],
                     data_root: Optional[str],
                     img_prefix: str = '',
                     batch_size: int = 1) -> Iterator[Tuple[int, object]]:
    """Run the model over raw ``data_list`` entries.

    On CPU the deformable attention uses :func:`fast_cpu_deform_attn`
    (same outputs, ~3x faster than mmcv's CPU path).

    Yields:
        tuple: ``(index, data_sample)`` per entry, in order; the sample is
        None when its image could not be loaded.
    """
    batch: List[Tuple[int, dict]] = []

    def run(batch):
        data, idx = [], []
        for i, entry in batch:
            info = dict(entry)
            info['img_path'] = resolve_img_path(entry['img_path'], data_root,
                                                img_prefix)
            info['instances'] = [
                dict(inst, ignore=is_ignored(inst))
                for inst in entry.get('instances', [])
            ]
            try:
                res = pipeline(info)
            except Exception as e:  # noqa: BLE001
                raise RuntimeError(
                    f'pseudo labels: cannot process image {info["img_path"]!r}'
                    f' (data_list[{i}]): {e}') from e
            if res is None:
                yield i, None
                continue
            data.append(res)
            idx.append(i)
        if data:
            dev = next(model.parameters()).device.type
            with torch.no_grad(), fast_cpu_deform_attn(dev == 'cpu'):
                outs = model.test_step(pseudo_collate(data))
            for i, s in zip(idx, outs):
                yield i, s

    for item in entries:
        batch.append(item)
        if len(batch) == batch_size:
            yield from run(batch)
            batch = []
    if batch:
        yield from run(batch)


class PartialMismatchError(ValueError):
    """A partial file written by another config, checkpoint or setting."""


def run_fingerprint(cfg: Config, checkpoint: Optional[str],
                    **settings) -> dict:
    """What must not change between an interrupted run and its resume.

    Args:
        cfg (Config): The config (after ``--cfg-options``); its ``model`` and
            test pipeline are hashed.
        checkpoint (str, optional): The checkpoint file, hashed (sha256 of
            its bytes); None / ``'none'`` for a random initialisation.
        **settings: Other settings that change the output (test scales,
            annotation file, ...), stored as they are.

    Returns:
        dict: ``config_sha256``, ``checkpoint``, ``checkpoint_sha256`` and
        the settings; the first line of the partial file and part of the
        output's ``metainfo.pseudo_labels``.
    """
    spec = dict(model=cfg.model, pipeline=_find_test_pipeline(cfg))
    text = json.dumps(spec, sort_keys=True, default=str)
    ckpt_sha = 'none'
    if checkpoint and checkpoint.lower() != 'none':
        h = hashlib.sha256()
        with open(checkpoint, 'rb') as f:
            for block in iter(lambda: f.read(1 << 20), b''):
                h.update(block)
        ckpt_sha = h.hexdigest()
    return dict(config_sha256=hashlib.sha256(text.encode()).hexdigest(),
                checkpoint=checkpoint, checkpoint_sha256=ckpt_sha,
                **settings)


def read_partial(path: str,
                 fingerprint: Optional[dict] = None) -> Dict[int, dict]:
    """Finished entries of an interrupted run (JSON lines; a torn last line
    from a crash is ignored).

    Args:
        path (str): The partial file.
        fingerprint (dict, optional): :func:`run_fingerprint` of this run.
            When given, the file's first line must hold the same one
            (``{"fingerprint": ...}``, see :func:`write_partial_header`),
            else :class:`PartialMismatchError` says what differs: resuming
            with another model would mix two models' labels in one file.
    """
    done: Dict[int, dict] = {}
    if not osp.exists(path):
        return done
    with open(path, encoding='utf-8') as f:
        for lineno, line in enumerate(f):
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if lineno == 0 and fingerprint is not None:
                old = rec.get('fingerprint') if isinstance(rec, dict) else None
                if old != fingerprint:
                    diff = sorted(k for k in set(fingerprint) | set(old or {})
                                  if (old or {}).get(k) != fingerprint.get(k))
                    raise PartialMismatchError(
                        f'{path} was written by another run '
                        f'(differs in: {", ".join(diff) or "no fingerprint"}'
                        f'; it has {old}, this run {fingerprint}). Resume '
                        'with the same config, checkpoint and settings, or '
                        'start over without --resume (which deletes it).')
            if 'fingerprint' in rec:
                continue
            done[int(rec['idx'])] = rec
    return done


def write_partial_header(fp, fingerprint: dict) -> None:
    """First line of a new partial file: the run's fingerprint."""
    fp.write(json.dumps(dict(fingerprint=fingerprint)) + '\n')
    fp.flush()


def atomic_write_json(obj, path: str) -> None:
    """Write JSON to ``path`` via a temporary file and ``os.replace``."""
    d = osp.dirname(osp.abspath(path))
    os.makedirs(d, exist_ok=True)
    tmp = f'{path}.tmp.{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, ensure_ascii=False)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
