# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Bad input through the real entry points: a clear error naming the file
and field, or a counted, logged skip (docs/troubleshooting.md).

Matrix (input -> entry point -> outcome):

- no transcription encodable (all OOV) -> tools/train.py, oCLIP CPU config
  -> error naming the file and the field "text";
- some words / images not encodable -> the oCLIP CPU config's dataset
  -> counted, logged skip;
- word longer than the dictionary's max_len -> same -> counted, logged
  truncation;
- malformed annotation JSON -> same -> error naming the file;
- truncated JPEG -> the oCLIP CPU config's pipeline -> counted, logged skip
  (or an error naming the file);
- render_synth.py bad numbers -> its parser -> error naming the option;
- truncated checkpoint -> tools/generate_pseudo_labels.py -> error naming
  the path;
- --resume with another checkpoint / scales -> same -> refused, says what
  differs;
- truncated last training checkpoint -> tools/train.py --resume ->
  tests/test_engine/test_resume_exact.py.
"""
import importlib.util
import json
import logging
import os
import os.path as osp
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from test_pseudo_labels import _tiny_config, textonly  # noqa: F401

REPO = Path(__file__).resolve().parents[2]
OCLIP_CPU = REPO / 'configs' / 'oclip' / 'oclip_resnet-tiny_4e_synth-cpu.py'


def _load_tool(name):
    spec = importlib.util.spec_from_file_location(
        name, str(REPO / 'tools' / f'{name}.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _write_set(root: Path, words_per_image, ann='train_textonly.json',
               size=64) -> Path:
    """Images with the given words (text-only annotation) under root."""
    (root / 'imgs').mkdir(parents=True, exist_ok=True)
    data_list = []
    for i, words in enumerate(words_per_image):
        img = np.full((size, size, 3), 40 + 20 * i, np.uint8)
        cv2.imwrite(str(root / 'imgs' / f'{i}.jpg'), img)
        data_list.append(dict(img_path=f'imgs/{i}.jpg', height=size,
                              width=size,
                              instances=[dict(text=w) for w in words]))
    (root / ann).write_text(json.dumps(
        dict(metainfo=dict(dataset_type='TextDetDataset'),
             data_list=data_list), ensure_ascii=False))
    return root / ann


class _Records(logging.Handler):

    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def _oclip_dataset(data_root: Path):
    """The oCLIP CPU config's train dataset, rooted at data_root."""
    from mmengine.logging import MMLogger
    from mmocr.registry import DATASETS
    cfg = Config.fromfile(str(OCLIP_CPU))
    ds_cfg = cfg.train_dataloader.dataset
    ds_cfg.data_root = str(data_root)
    rec = _Records()
    logger = MMLogger.get_current_instance()
    logger.addHandler(rec)
    try:
        ds = DATASETS.build(ds_cfg)
    finally:
        logger.removeHandler(rec)
    return ds, rec.lines


def test_all_oov_annotation_stops_training_with_file_and_field(tmp_path):
    """A file whose words the dictionary cannot encode (here Chinese under
    oCLIP's printable-ASCII dictionary) trained with loss 0.0 and exit 0;
    now tools/train.py stops before training, naming file and field."""
    ann = _write_set(tmp_path / 'synth', [['中文'], ['街道', '商店']])
    run = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), str(OCLIP_CPU),
         '--work-dir', str(tmp_path / 'work')],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(REPO),
                 MMOCR_VLP_DATA=str(tmp_path)))
    assert run.returncode != 0
    err = run.stderr[-3000:]
    assert 'AnnotationError' in err and str(ann) in err, err
    assert 'field "text"' in err and 'can be encoded' in err, err
    assert 'Traceback' not in err, err
    assert not (tmp_path / 'work' / 'epoch_1.pth').exists()


def test_mixed_and_overlong_words_are_counted_and_logged(tmp_path):
    _write_set(tmp_path, [['hello', '中文'],     # one word dropped
                          ['街道'],              # image left without a word
                          ['x' * 60, 'ok']])    # over-long: truncated
    ds, log = _oclip_dataset(tmp_path)
    assert len(ds) == 2
    assert ds.skip_counts['no_encodable_word'] == 1
    st = ds.text_stats
    assert st['words'] == 5 and st['encoded'] == 3
    assert st['skipped_empty_words'] == 2 and st['oov_chars'] == 4
    assert st['overlong_words'] == 1
    text = '\n'.join(log)
    assert 'overlong_words=1' in text and 'skipped_empty_words=2' in text
    assert 'no_encodable_word=1' in text


def test_malformed_annotation_json_names_the_file(tmp_path):
    from mmocr_vlp.datasets import AnnotationError
    _write_set(tmp_path, [['a']])
    bad = tmp_path / 'train_textonly.json'
    bad.write_text('{"metainfo": {}, "data_list": [')
    with pytest.raises(AnnotationError, match=str(bad) + '.*JSON'):
        _oclip_dataset(tmp_path)


def test_truncated_jpeg_is_counted_and_skipped(tmp_path):
    from mmocr_vlp.datasets.transforms.loading import (ImageLoadError,
                                                       SafeLoadImageFromFile)
    _write_set(tmp_path, [['good'], ['cut']], size=128)
    rng = np.random.default_rng(0)
    noisy = rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)
    cut = tmp_path / 'imgs' / '1.jpg'
    cv2.imwrite(str(cut), noisy)
    data = cut.read_bytes()
    cut.write_bytes(data[:len(data) // 2])
    # OpenCV alone decodes it without an error (half grey) ...
    assert cv2.imread(str(cut)) is not None
    ds, _ = _oclip_dataset(tmp_path)
    SafeLoadImageFromFile.skipped.clear()
    out = ds[1]  # the pipeline skips it; mmengine draws another image
    assert out['data_samples'].img_path.endswith('0.jpg')
    assert SafeLoadImageFromFile.skipped[str(cut)] >= 1
    strict = SafeLoadImageFromFile(on_error='raise')
    with pytest.raises(ImageLoadError, match='1.jpg.*truncated JPEG'):
        strict(dict(img_path=str(cut)))
    good = strict(dict(img_path=str(tmp_path / 'imgs' / '0.jpg')))
    assert good['img'].shape == (128, 128, 3)
    png = tmp_path / 'imgs' / '2.png'
    cv2.imwrite(str(png), noisy)
    png.write_bytes(png.read_bytes()[:-30])
    with pytest.raises(ImageLoadError, match='2.png'):
        strict(dict(img_path=str(png)))


@pytest.mark.parametrize('argv,option,message', [
    (['--train', '-5'], '--train', 'must be >= 0, got -5'),
    (['--seed', '-1'], '--seed', 'must be >= 0, got -1'),
    (['--workers', '-3'], '--workers', 'must be >= 0, got -3'),
    (['--jpeg-quality', '500'], '--jpeg-quality',
     'must be in [0, 100], got 500'),
    (['--min-words', '5', '--max-words', '2'], '--min-words', '> --max'),
])
def test_render_synth_rejects_bad_numbers(tmp_path, capsys, argv, option,
                                          message):
    tool = _load_tool('render_synth')
    with pytest.raises(SystemExit) as e:
        tool.main(['--out', str(tmp_path / 'out'), *argv])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert option in err and message in err, err
    assert not (tmp_path / 'out').exists()


def _tiny_ckpt(cfg_path, path, seed):
    from mmocr.registry import MODELS
    torch.manual_seed(seed)
    model = MODELS.build(Config.fromfile(cfg_path).model)
    torch.save({'state_dict': model.state_dict()}, path)
    return str(path)


def test_truncated_checkpoint_error_names_the_path(textonly):  # noqa: F811
    tool = _load_tool('generate_pseudo_labels')
    ckpt = _tiny_ckpt(str(textonly / 'cfg.py'), textonly / 'a.pth', 0)
    data = Path(ckpt).read_bytes()
    Path(ckpt).write_bytes(data[:len(data) // 2])
    with pytest.raises(SystemExit) as e:
        tool.main([str(textonly / 'cfg.py'), ckpt, '--ann-file',
                   'textonly.json', '--data-root', str(textonly), '--out',
                   str(textonly / 'p.json')])
    msg = str(e.value.code)
    assert ckpt in msg and 'truncated' in msg, msg


def test_pseudo_label_resume_refuses_another_model(textonly,  # noqa: F811
                                                   capsys):
    tool = _load_tool('generate_pseudo_labels')
    cfg = str(textonly / 'cfg.py')
    a = _tiny_ckpt(cfg, textonly / 'a.pth', 0)
    b = _tiny_ckpt(cfg, textonly / 'b.pth', 1)
    out = str(textonly / 'p.json')
    common = ['--ann-file', 'textonly.json', '--data-root', str(textonly),
              '--out', out]
    tool.main([cfg, a, *common, '--limit', '2'])  # interrupted after 2
    with pytest.raises(SystemExit) as e:
        tool.main([cfg, b, *common, '--resume'])
    msg = str(e.value.code)
    assert '--resume refused' in msg and 'checkpoint_sha256' in msg, msg
    assert out + '.partial.jsonl' in msg
    with pytest.raises(SystemExit) as e:  # same model, other test scales
        tool.main([cfg, a, *common, '--resume', '--scales', '1.0,1.5'])
    assert 'scales' in str(e.value.code)
    capsys.readouterr()
    stats = tool.main([cfg, a, *common, '--resume'])  # same run: continues
    assert '2 already done, 2 to go' in capsys.readouterr().out
    meta = json.loads(open(out).read())['metainfo']['pseudo_labels']
    assert meta['checkpoint_sha256'] == stats['checkpoint_sha256']
    assert len(meta['config_sha256']) == 64
