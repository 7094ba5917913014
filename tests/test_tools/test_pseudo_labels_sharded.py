# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/generate_pseudo_labels.py --launcher pytorch: 2 gloo ranks."""
import json
import os
import os.path as osp
import socket
import subprocess
import sys

import torch

from mmocr_vlp.utils import sharding

from test_pseudo_labels import REPO, _load_tool, textonly  # noqa: F401


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def _torchrun(args, nproc=2):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=REPO)
    cmd = [sys.executable, '-m', 'torch.distributed.run',
           f'--nproc_per_node={nproc}', '--master_addr=127.0.0.1',
           f'--master_port={_free_port()}',
           osp.join(REPO, 'tools', 'generate_pseudo_labels.py')] + args + [
               '--launcher', 'pytorch']
    res = subprocess.run(cmd, env=env, capture_output=True, text=True,
                         timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def _without_timing(ann):
    ann = json.loads(json.dumps(ann))
    ann['metainfo']['pseudo_labels'].pop('seconds')
    return ann


def test_shard_helpers(tmp_path):
    items = list(range(7))
    parts = [sharding.shard(items, r, 3) for r in range(3)]
    assert parts == [[0, 3, 6], [1, 4], [2, 5]]
    assert sorted(sum(parts, [])) == items
    out = str(tmp_path / 'x.json')
    assert sharding.partial_path(out, 0, 1) == out + '.partial.jsonl'
    for r in range(2):
        p = sharding.partial_path(out, r, 2)
        open(p, 'w').write(json.dumps(dict(idx=r, v=r)) + '\n')
    open(out + '.partial.jsonl', 'w').write(json.dumps(dict(idx=5)) + '\n')
    from mmocr_vlp.models.wecromcl.pseudo_labels import read_partial
    assert sorted(sharding.read_partials(out, read_partial)) == [0, 1, 5]
    sharding.remove_partials(out)
    assert sharding.partial_files(out) == []
    assert sharding.init_launcher('none') == (0, 1)


def test_two_ranks_resume_and_merge_equal_single_process(textonly):  # noqa
    from mmocr_vlp.models.wecromcl.pseudo_labels import init_wecromcl
    torch.manual_seed(0)
    model, _, _ = init_wecromcl(str(textonly / 'cfg.py'), 'none',
                                optimize=False)
    ckpt = str(textonly / 'model.pth')
    torch.save(dict(state_dict=model.state_dict()), ckpt)
    common = [str(textonly / 'cfg.py'), ckpt, '--ann-file', 'textonly.json',
              '--data-root', str(textonly)]

    single = str(textonly / 'single.json')
    _load_tool('generate_pseudo_labels').main(common + ['--out', single])

    sharded = str(textonly / 'sharded.json')
    # Interrupted: 3 of 4 images, rank 0 labels images 0 and 2, rank 1
    # image 1; each rank keeps its own progress file.
    _torchrun(common + ['--out', sharded, '--limit', '3'])
    lines = [[json.loads(line) for line in open(
        sharding.partial_path(sharded, r, 2))] for r in range(2)]
    # Each rank's file starts with the run's fingerprint (resume refuses
    # another model), then one record per image.
    assert all('fingerprint' in rank_lines[0] for rank_lines in lines)
    assert [[r['idx'] for r in rank_lines[1:]]
            for rank_lines in lines] == [[0, 2], [1]]
    # Resumed with 2 ranks: only image 3 is left; rank 0 merges.
    log = _torchrun(common + ['--out', sharded, '--resume'])
    assert '3 already done, 1 to go on rank 0 of 2' in log
    assert '3 already done, 0 to go on rank 1 of 2' in log
    assert sharding.partial_files(sharded) == []

    a = json.load(open(single))
    b = json.load(open(sharded))
    assert sum(len(e['instances']) for e in b['data_list']) == 7
    assert b['metainfo']['pseudo_labels']['points'] == 6
    assert _without_timing(a) == _without_timing(b)
