# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Watch localisation emerge: oCLIP decoder-attention and WeCromCL
activation maps of a few images, written at every validation."""
import copy
import os.path as osp
import random
from contextlib import contextmanager
from typing import Dict, Optional, Sequence, Union

import mmcv
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop
from mmocr.registry import DATASETS, HOOKS

from mmocr_vlp.models.oclip import OCLIP
from mmocr_vlp.models.wecromcl import WeCromCL
from mmocr_vlp.visualization.activation import draw_activation_sample
from mmocr_vlp.visualization.attention import draw_oclip_sample


@contextmanager
def _rng_preserved(seed: int):
    """Run with seeded python/numpy/torch generators, then restore their
    states (the hook must not change the training's random stream)."""
    states = (random.getstate(), np.random.get_state(),
              torch.get_rng_state())
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(states[0])
        np.random.set_state(states[1])
        torch.set_rng_state(states[2])


@HOOKS.register_module()
class MapVisualizationHook(Hook):
    """Write the maps of a few fixed images to the runner's visualiser.

    For an ``OCLIP`` model the decoder attention of each masked word with
    the predicted character (oCLIP Fig. 4); for a ``WeCromCL`` model the
    activation map of each word with its anchors (WeCromCL supp. Fig. 1).
    One picture per image and call, given to ``runner.visualizer.add_image``
    as ``<prefix>_<image name>`` with ``step`` = the epoch (epoch-based
    training) or the iteration: ``LocalVisBackend`` writes
    ``<work_dir>/<timestamp>/vis_data/vis_image/<name>_<step>.png``;
    with ``TensorboardVisBackend`` in ``visualizer.vis_backends`` the
    pictures appear in TensorBoard's image tab as a time series.

    It draws after every validation (``after_val_epoch``) and, with
    ``train_interval > 0``, every ``train_interval`` training epochs
    (epoch-based loop) or iterations (iteration-based loop) - for runs
    without a validation set, such as oCLIP pre-training. The same images
    (with the same masked characters) are used at every call; their
    pipeline runs once, under a fixed seed, without touching the
    training's random state.

    Args:
        num_images (int): Images drawn (the first ones of the dataset).
            Defaults to 4.
        dataset (dict, optional): Dataset config providing them; None takes
            the runner's validation dataset, or its training dataset when it
            does not validate. Its pipeline must produce what ``predict``
            needs (oCLIP: ``TokenizeTexts`` and ``MaskCharacters``;
            WeCromCL: the transcriptions). Defaults to None.
        train_interval (int): Also draw every this many training epochs /
            iterations; 0 = only after validation. Defaults to 0.
        max_words (int): Words (panels) per picture. Defaults to 6.
        panel_width (int): Width of an image panel in pixels. Defaults to
            256.
        prefix (str): Name prefix of the pictures. Defaults to ``'maps'``.
        seed (int): Seed of the pipeline run (masked characters, sampled
            words). Defaults to 0.
    """
    priority = 'LOW'

    def __init__(self,
                 num_images: int = 4,
                 dataset: Optional[dict] = None,
                 train_interval: int = 0,
                 max_words: int = 6,
                 panel_width: int = 256,
                 prefix: str = 'maps',
                 seed: int = 0) -> None:
        if num_images < 1:
            raise ValueError(f'MapVisualizationHook: num_images must be >= 1,'
                             f' got {num_images}')
        if train_interval < 0:
            raise ValueError(f'MapVisualizationHook: train_interval must be '
                             f'>= 0, got {train_interval}')
        self.num_images = num_images
        self.dataset = dataset
        self.train_interval = train_interval
        self.max_words = max_words
        self.panel_width = panel_width
        self.prefix = prefix
        self.seed = seed
        self._batch: Optional[Dict] = None
        self._images: Optional[list] = None

    # -------------------------------------------------------------- hooks
    def after_val_epoch(self,
                        runner,
                        metrics: Optional[Dict[str, float]] = None) -> None:
        by_epoch = isinstance(runner.train_loop, EpochBasedTrainLoop)
        self.draw(runner, runner.epoch if by_epoch else runner.iter)

    def after_train_epoch(self, runner) -> None:
        if self.train_interval and isinstance(
                runner.train_loop, EpochBasedTrainLoop) and \
                self.every_n_epochs(runner, self.train_interval):
            self.draw(runner, runner.epoch + 1)

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self.train_interval and not isinstance(
                runner.train_loop, EpochBasedTrainLoop) and \
                self.every_n_train_iters(runner, self.train_interval):
            self.draw(runner, runner.iter + 1)

    # -------------------------------------------------------------- work
    def _load(self, runner) -> None:
        """Run the pipeline of the first ``num_images`` images once."""
        if self.dataset is not None:
            dataset = DATASETS.build(copy.deepcopy(self.dataset)) \
                if isinstance(self.dataset, dict) else self.dataset
        else:
            loop = runner.val_loop or runner.train_loop
            dataset = getattr(getattr(loop, 'dataloader', None), 'dataset',
                              None)
            if dataset is None:
                raise RuntimeError(
                    'MapVisualizationHook: the run has neither a validation '
                    'nor a training dataloader; give the hook a '
                    'dataset=dict(...)')
        n = min(self.num_images, len(dataset))
        if n == 0:
            raise RuntimeError('MapVisualizationHook: the dataset is empty')
        with _rng_preserved(self.seed):
            items = [dataset[i] for i in range(n)]
        self._batch = pseudo_collate(items)
        self._images = [
            mmcv.imread(ds.metainfo['img_path'], channel_order='bgr')
            for ds in self._batch['data_samples']
        ]

    @torch.no_grad()
    def draw(self, runner, step: int) -> None:
        """Predict on the images and give one picture per image to
        ``runner.visualizer`` at ``step``."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if isinstance(model, OCLIP):
            flag = 'return_attn'
        elif isinstance(model, WeCromCL):
            flag = 'return_maps'
        else:
            runner.logger.warning(
                f'MapVisualizationHook: no maps to draw for a '
                f'{type(model).__name__}; the hook does nothing')
            return
        if self._batch is None:
            self._load(runner)
        batch = copy.deepcopy(self._batch)
        was_training = model.training
        old_cfg = model.test_cfg
        model.test_cfg = dict(old_cfg, **{flag: True})
        model.eval()
        try:
            data = model.data_preprocessor(batch, False)
            preds = model.predict(data['inputs'], data['data_samples'])
        finally:
            model.test_cfg = old_cfg
            model.train(was_training)
        for img, ds in zip(self._images, preds):
            h, w = img.shape[:2]
            if flag == 'return_attn':
                small = mmcv.imresize(
                    img, (self.panel_width,
                          max(1, round(h * self.panel_width / w))))
                drawn = draw_oclip_sample(small, ds, model.dictionary,
                                          max_words=self.max_words)
            else:
                drawn = draw_activation_sample(
                    img, ds, max_words=self.max_words,
                    panel_width=self.panel_width)
            name = osp.splitext(osp.basename(ds.metainfo['img_path']))[0]
            runner.visualizer.add_image(f'{self.prefix}_{name}',
                                        np.ascontiguousarray(drawn[..., ::-1]),
                                        step=step)
