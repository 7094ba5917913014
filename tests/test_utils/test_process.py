# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The tools started by mim end with it (parent-death signal)."""
import subprocess
import sys

import pytest

from mmocr_vlp.utils.process import is_mim_cmdline


def test_is_mim_cmdline():
    assert is_mim_cmdline(['/venv/bin/python', '/venv/bin/mim', 'train'])
    assert is_mim_cmdline(['/venv/bin/mim', 'test', 'mmocr_vlp'])
    assert is_mim_cmdline(['python', '-m', 'mim', 'train'])
    assert not is_mim_cmdline(['bash', '-c', 'python tools/train.py'])
    assert not is_mim_cmdline(['python', '-m', 'pytest', 'mim'])
    assert not is_mim_cmdline([])


CHILD = '''
import ctypes, os, signal
from mmocr_vlp.utils.process import die_with_mim_parent
parent = (os.getppid(), {cmd!r})
print(die_with_mim_parent(parent))
sig = ctypes.c_int()
ctypes.CDLL(None).prctl(2, ctypes.byref(sig), 0, 0, 0)  # PR_GET_PDEATHSIG
print(sig.value == signal.SIGTERM)
'''


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='prctl')
@pytest.mark.parametrize('cmd,expect', [
    (b'/venv/bin/python\0/venv/bin/mim\0train\0', 'True\nTrue'),
    (b'bash\0-c\0nohup python tools/train.py\0', 'False\nFalse'),
])
def test_parent_death_signal_only_under_mim(cmd, expect):
    out = subprocess.run([sys.executable, '-c', CHILD.format(cmd=cmd)],
                         capture_output=True, text=True, timeout=300)
    assert out.stdout.strip() == expect, out.stderr[-2000:]
