# Copyright (c) mmocr_vlp contributors. All rights reserved.
import subprocess
import sys


def test_mmocr_imports_and_torchvision_wrapper_explains():
    code = '''
import mmocr_vlp, mmocr.datasets
from mmocr.registry import TRANSFORMS
from mmengine.utils.dl_utils import collect_env
collect_env()  # probes torchvision.__version__
try:
    import torchvision.transforms as T
    T.ColorJitter
    print('REAL_TORCHVISION')
except ModuleNotFoundError as e:
    print('PLACEHOLDER', 'torchvision' in str(e))
'''
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert 'PLACEHOLDER True' in out.stdout or 'REAL_TORCHVISION' in out.stdout
