# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""mmocr_vlp:: scoped lookups find mmocr's lazily imported modules."""
import subprocess
import sys

CODE = '''
import mmocr_vlp
from mmengine.registry import VISUALIZERS, init_default_scope
init_default_scope('mmocr')
# what mmengine builds from a config inheriting `mmocr_vlp::...`
vis = VISUALIZERS.build(dict(type='TextDetLocalVisualizer', name='v',
                             _scope_='mmocr_vlp'))
print(type(vis).__name__)
'''


def test_inherited_visualizer_builds_in_a_fresh_process():
    # a fresh interpreter: nothing has imported mmocr.visualization yet
    run = subprocess.run([sys.executable, '-c', CODE], capture_output=True,
                         text=True, timeout=300)
    assert run.stdout.strip().endswith('TextDetLocalVisualizer'), (
        run.stderr[-2000:])
