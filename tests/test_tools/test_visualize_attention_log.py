# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/visualize_attention.py does not print mmengine's per-parameter
init_weights report (~950 lines for the oCLIP CPU config)."""
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]


def test_no_init_weights_report(tmp_path):
    img = np.random.default_rng(0).integers(0, 255, (90, 120, 3), np.uint8)
    cv2.imwrite(str(tmp_path / 'img.jpg'), img)
    run = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'visualize_attention.py'),
         '--config',
         str(REPO / 'configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py'),
         '--img', str(tmp_path / 'img.jpg'), '--words', 'Hello,ok', '--out',
         str(tmp_path / 'out')],
        capture_output=True, text=True, timeout=600,
        env=dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(REPO)))
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-2000:]
    assert (tmp_path / 'out' / 'img_decoder_attn.png').is_file()
    assert out.count('torch.Size') == 0, out[:2000]
    assert len(out.splitlines()) < 20, out[:2000]
