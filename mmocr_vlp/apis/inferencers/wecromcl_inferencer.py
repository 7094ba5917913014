# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""WeCromCL as an mmocr inferencer: image + transcriptions -> anchors."""
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.config import Config
from mmocr.apis.inferencers.base_mmocr_inferencer import BaseMMOCRInferencer

InputType = Union[str, np.ndarray, dict]

_DONT_CARE = '###'


class WeCromCLInferencer(BaseMMOCRInferencer):
    """Locate given transcriptions with WeCromCL (Sec. 3.3), in the style of
    mmocr's inferencers (``TextDetInferencer``, ``TextSpotInferencer``).

    For every distinct word of an image the model computes its activation
    map (WeCromCL Eq. 4); the ``k`` strongest peaks (``k`` = occurrences of
    the word) are its anchor points. The picture shows one panel per word:
    the map over the image and the anchors (WeCromCL supp. Fig. 1, drawn by
    :class:`ActivationLocalVisualizer`).

    Example::

        from mmocr_vlp.apis import WeCromCLInferencer
        infer = WeCromCLInferencer(
            'configs/wecromcl/wecromcl_resnet-tiny_synth-cpu.py',
            weights='work_dirs/wecromcl_resnet-tiny_synth-cpu/iter_2000.pth')
        res = infer('street.jpg', texts=['STOP', 'Main'], return_vis=True)
        res['predictions'][0]['points']      # [[x, y], ...], one per word
        res['visualization'][0]              # RGB picture

    Args:
        model (str | Config, optional): WeCromCL config (path or Config);
            None takes it from ``weights``. Defaults to None.
        weights (str, optional): Checkpoint; None keeps the random
            initialisation (with a warning). Defaults to None.
        device (str, optional): Torch device; None picks one. Defaults to
            None.
        scope (str): Registry scope. Defaults to ``'mmocr'``.
        scales (Sequence[float], optional): Test scales (overrides the
            config's ``model.test_cfg.scales``; several values average the
            maps of an enlarged input, for small text). Defaults to None.
        max_words (int): Panels per picture. Defaults to 9.
        panel_width (int): Width of a panel in pixels. Defaults to 480.
    """

    def __init__(self,
                 model: Union[str, Config, None] = None,
                 weights: Optional[str] = None,
                 device: Optional[str] = None,
                 scope: str = 'mmocr',
                 scales: Optional[Sequence[float]] = None,
                 max_words: int = 9,
                 panel_width: int = 480) -> None:
        import mmocr_vlp  # noqa: F401  (registers the modules)
        self.scales = None if scales is None else tuple(
            float(s) for s in scales)
        self.max_words = max_words
        self.panel_width = panel_width
        super().__init__(
            model=model, weights=weights, device=device, scope=scope)

    # ------------------------------------------------------------- set-up
    def _init_model(self, cfg: Config, weights: Optional[str],
                    device: str = 'cpu'):
        """Build the model with ``test_cfg.return_maps`` (and ``scales``)."""
        test_cfg = dict(cfg.model.get('test_cfg') or {})
        test_cfg['return_maps'] = True
        if self.scales is not None:
            test_cfg['scales'] = self.scales
        cfg.model['test_cfg'] = test_cfg
        return super()._init_model(cfg, weights, device)

    def _init_pipeline(self, cfg: Config):
        """The test pipeline with mmocr's inferencer loader, run on a copy
        of each input dict.

        The training-time ``SafeLoadImageFromFile`` becomes mmocr's loader:
        at inference an unreadable image raises an error naming it.
        """
        for t in cfg.test_dataloader.dataset.pipeline:
            if t['type'] == 'SafeLoadImageFromFile':
                t['type'] = 'LoadImageFromFile'
                t.pop('on_error', None)
        pipeline = super()._init_pipeline(cfg)
        # mmocr's loader fills in the dict it is given: keep the input's.
        return lambda item: pipeline(dict(item))

    def _init_visualizer(self, cfg: Config):
        """An :class:`ActivationLocalVisualizer` with the config's
        ``vis_backends``."""
        vis = dict(cfg.get('visualizer') or {})
        cfg.visualizer = dict(
            type='ActivationLocalVisualizer',
            name=vis.get('name', 'wecromcl_inferencer'),
            vis_backends=vis.get('vis_backends'),
            max_words=self.max_words,
            panel_width=self.panel_width)
        return super()._init_visualizer(cfg)

    # ------------------------------------------------------------- inputs
    @staticmethod
    def pack_inputs(inputs: Union[InputType, Sequence[InputType]],
                    texts: Optional[Sequence] = None) -> List[dict]:
        """Pair images with their transcriptions.

        Args:
            inputs: An image (path or BGR ``np.ndarray``) or a list of them;
                or dicts that carry their words: ``dict(img=..., texts=[...])``,
                ``dict(img_path=..., texts=[...])`` or an mmocr OCRDataset
                entry ``dict(img_path=..., instances=[dict(text=...), ...])``.
            texts: The words of a single image (``['a', 'b']``) or one list
                per image; not used with dict inputs. ``'###'`` is a
                don't-care and gets no anchor.

        Returns:
            list[dict]: One dict per image with ``img`` or ``img_path`` and
            ``instances``.
        """
        single = not isinstance(inputs, (list, tuple))
        items = [inputs] if single else list(inputs)
        if texts is not None:
            if any(isinstance(i, dict) for i in items):
                raise ValueError('WeCromCLInferencer: give the words either '
                                 'in the input dicts or as texts=, not both')
            per_image = [texts] if single or (
                len(texts) and isinstance(texts[0], str)) else list(texts)
            if len(per_image) != len(items):
                raise ValueError(f'WeCromCLInferencer: {len(items)} images '
                                 f'but words for {len(per_image)}')
            items = [dict(img=i, texts=t) for i, t in zip(items, per_image)]
        out = []
        for k, item in enumerate(items):
            if not isinstance(item, dict):
                raise ValueError(
                    f'WeCromCLInferencer: input {k} has no transcriptions; '
                    f'pass texts=[...] or dict(img=..., texts=[...])')
            img = item.get('img', item.get('img_path'))
            if isinstance(img, str):
                entry = dict(img_path=img)
            elif isinstance(img, np.ndarray):
                entry = dict(img=img)
            else:
                raise ValueError(f'WeCromCLInferencer: input {k}: image must '
                                 f'be a path or an array, got {type(img)}')
            if 'texts' in item:
                insts = [dict(text=str(t)) for t in item['texts']]
            elif 'instances' in item:
                insts = [dict(inst) for inst in item['instances']]
            else:
                raise ValueError(f'WeCromCLInferencer: input {k} has neither '
                                 f'"texts" nor "instances"')
            for inst in insts:
                inst['ignore'] = bool(
                    inst.get('ignore', False)
                    or inst.get('text') == _DONT_CARE)
            entry['instances'] = insts
            out.append(entry)
        return out

    def __call__(self,
                 inputs: Union[InputType, Sequence[InputType]],
                 texts: Optional[Sequence] = None,
                 **kwargs) -> dict:
        """Locate the words of each image.

        Args:
            inputs: Images with or without their words (see
                :meth:`pack_inputs`).
            texts: Words of the image(s) given without them.
            **kwargs: mmocr's inferencer options: ``batch_size``,
                ``return_datasamples``, ``return_vis``, ``show``,
                ``out_dir`` with ``save_vis`` / ``save_pred``,
                ``print_result``, ``progress_bar``.

        Returns:
            dict: ``predictions`` (see :meth:`pred2dict`, or data samples
            with ``return_datasamples=True``) and ``visualization`` (RGB
            pictures with ``return_vis=True``).
        """
        return super().__call__(self.pack_inputs(inputs, texts), **kwargs)

    def preprocess(self, inputs: List[dict], batch_size: int = 1, **kwargs):
        """Yield ``(input dicts, collated batch)`` per chunk (mmocr's
        collation would turn the dicts into a dict of lists)."""
        for chunk in self._get_chunk_data(inputs, batch_size):
            yield [c[0] for c in chunk], self.collate_fn([c[1] for c in chunk])

    def visualize(self, inputs: List[dict], preds, **kwargs):
        """Draw with the visualiser; ``inputs`` are :meth:`pack_inputs`
        dicts."""
        return super().visualize(
            [i['img'] if 'img' in i else i['img_path'] for i in inputs],
            preds, **kwargs)

    def pred2dict(self, data_sample) -> Dict:
        """JSON-ready prediction of one image.

        Returns:
            dict: ``points`` ([x, y] per anchor, original image frame),
            ``texts`` (the word of each anchor), ``scores`` (activation mass
            around the peak, in [0, 1]), ``instance_ids`` (index of the
            input word each anchor belongs to), ``activation_texts`` (the
            distinct words queried), ``activation_maps`` (one ``h x w`` map
            per distinct word, each summing to 1, on a grid of
            ``activation_stride`` input pixels at the resized scale).
        """
        pred = data_sample.pred_instances
        meta = data_sample.metainfo
        return dict(
            points=self._array2list(pred.points),
            texts=list(pred.texts),
            scores=self._array2list(pred.scores),
            instance_ids=self._array2list(pred.instance_ids),
            activation_texts=list(meta.get('activation_texts', [])),
            activation_maps=self._array2list(
                meta.get('activation_maps', np.zeros((0, 0, 0)))),
            activation_stride=float(meta.get('activation_stride', 0.)))
