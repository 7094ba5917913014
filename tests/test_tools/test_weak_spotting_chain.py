# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""tools/weak_spotting_chain.py end to end at a toy budget, resumable."""
import json
import os
import os.path as osp

import pytest

import mmocr_vlp  # noqa: F401

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(scope='module')
def toy_data(tmp_path_factory, load_tool):
    """16 training and 4 test images of the easy one-font synthetic set."""
    out = str(tmp_path_factory.mktemp('chain') / 'data')
    load_tool('render_synth').main([
        '--out', out, '--train', '16', '--val', '0', '--test', '4',
        '--size', '96', '--word-list',
        osp.join(REPO, 'mmocr_vlp/datasets/synth/assets/words_tiny.txt'),
        '--word-sources', 'dict=1', '--min-words', '2', '--max-words', '3',
        '--font-size', '0.15,0.25', '--curved', '0', '--multiword', '0',
        '--rotation=-5,5', '--views', 'full,textonly,points', '--seed', '0',
        '--clean', '--fonts', 'DejaVuSans-Bold.ttf', '--case', 'lower=1',
        '--no-progress'
    ])
    return out


def test_chain_runs_skips_and_resumes(toy_data, tmp_path, capsys,
                                      load_tool):
    chain = load_tool('weak_spotting_chain')
    work = str(tmp_path / 'work')
    argv = [work, '--data-root', toy_data, '--wecromcl-iters', '4',
            '--srsts-iters', '4', '--batch-size', '4']
    res = chain.main(argv)
    out = capsys.readouterr().out
    for stage in chain.STAGES:
        assert osp.exists(osp.join(work, stage, 'done.json')), stage
    # Pseudo points were produced for the transcription-only images and
    # scored against the located version of the same images.
    with open(res['pseudo']['ann']) as f:
        pseudo = json.load(f)
    points = [i['point'] for d in pseudo['data_list'] for i in d['instances']
              if 'point' in i]
    assert len(points) == res['pseudo']['stats']['points'] > 0
    assert 'pseudo-label quality' in out
    assert 0 <= res['pseudo']['stats']['quality']['hmean'] <= 1
    assert res['srsts']['train_ann'] == res['pseudo']['ann']
    metrics = res['eval']['metrics']
    assert 'spotting/none_hmean' in metrics
    assert 0 <= metrics['spotting/none_hmean'] <= 1

    # A finished chain is skipped stage by stage.
    chain.main(argv)
    out = capsys.readouterr().out
    assert out.count('done, skipped') == len(chain.STAGES)

    # An interrupted SRSTS-A stage resumes from its last checkpoint.
    srsts = osp.join(work, 'srsts')
    for name in ('done.json', 'iter_4.pth'):
        os.remove(osp.join(srsts, name))
    os.remove(osp.join(work, 'eval', 'done.json'))
    with open(osp.join(srsts, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(srsts, 'iter_2.pth'))
    res2 = chain.main(argv)
    out = capsys.readouterr().out
    assert f'resuming {srsts}' in out
    assert out.count('done, skipped') == 2  # wecromcl, pseudo
    assert osp.exists(osp.join(srsts, 'iter_4.pth'))
    assert set(res2['eval']['metrics']) == set(metrics)


def test_gt_point_arm_skips_wecromcl(toy_data, tmp_path, load_tool):
    chain = load_tool('weak_spotting_chain')
    work = str(tmp_path / 'gt')
    res = chain.main([work, '--data-root', toy_data, '--points-ann',
                      'train_points.json', '--srsts-iters', '2',
                      '--batch-size', '4'])
    assert not osp.exists(osp.join(work, 'wecromcl'))
    assert res['srsts']['train_ann'] == osp.join(toy_data,
                                                 'train_points.json')
    assert 'spotting/none_hmean' in res['eval']['metrics']
