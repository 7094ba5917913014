# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""A clear error when a checkpoint URL cannot be downloaded.

Paper configs start from published weights the way the official code does,
e.g. WeCromCL's ImageNet ResNet-50
``init_cfg=dict(type='Pretrained', checkpoint='https://download.pytorch.org/
models/resnet50-19c8e357.pth')``. With internet mmengine downloads it into
the torch hub cache; without, mmengine's HTTP loader fails deep inside
``urllib``. This module re-registers mmengine's ``http://`` / ``https://``
checkpoint loader (same behaviour, imported with ``mmocr_vlp``) so a failed
download names the URL and says how to use a local copy instead.
"""
from mmengine.runner.checkpoint import CheckpointLoader


def load_from_http_or_explain(filename, map_location=None, model_dir=None):
    """mmengine's ``load_from_http`` with a clear error when it fails."""
    from mmengine.runner.checkpoint import load_from_http
    try:
        return load_from_http(filename,
                              map_location=map_location,
                              model_dir=model_dir)
    except (OSError, ValueError) as e:  # URLError, HTTPError, socket errors
        raise RuntimeError(
            f'cannot download the checkpoint {filename} ({e}). Without '
            f'internet access, fetch the file on another machine and point '
            f'the config at the local copy, e.g. '
            f'--cfg-options model.backbone.init_cfg.checkpoint=/path/to/'
            f'{filename.rsplit("/", 1)[-1]} (or place it in the torch hub '
            f'cache, ~/.cache/torch/hub/checkpoints/).') from e


CheckpointLoader.register_scheme(prefixes=('http://', 'https://'),
                                 loader=load_from_http_or_explain,
                                 force=True)
