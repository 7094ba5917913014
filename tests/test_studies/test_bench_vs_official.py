# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The side-by-side benchmark's command line and bookkeeping (no official
checkout needed; the timing itself is not a test)."""
import os
import os.path as osp
import subprocess
import sys

import pytest

from benchmarks import bench_vs_official as bench
from studies.harness import REPO_ROOT
from studies.official_wecromcl import REQUIRED, checkout_error, load_official


def _cli(*args):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    return subprocess.run(
        [sys.executable, '-m', 'benchmarks.bench_vs_official', *args,
         '--out', osp.join(os.devnull, 'never')],
        cwd=REPO_ROOT, capture_output=True, text=True, env=env, timeout=120)


def test_cli_rejects_a_missing_wecromcl_checkout(tmp_path):
    res = _cli('--wecromcl-src', str(tmp_path / 'nope'))
    assert res.returncode != 0
    assert '--wecromcl-src' in res.stderr
    assert 'is not a directory' in res.stderr


def test_cli_rejects_an_incomplete_wecromcl_checkout(tmp_path):
    (tmp_path / 'models').mkdir()
    (tmp_path / 'models' / 'wecromcl.py').write_text('')
    res = _cli('--wecromcl-src', str(tmp_path))
    assert res.returncode != 0
    assert 'not a WeCromCL checkout' in res.stderr
    assert 'models/loss.py' in res.stderr
    assert 'models/wecromcl.py' not in res.stderr.split('missing')[-1]


def test_cli_needs_a_checkout():
    res = _cli()
    assert res.returncode != 0
    assert '--oclip-src and/or --wecromcl-src' in res.stderr


def test_checkout_check(tmp_path):
    assert 'not a directory' in checkout_error(None)
    for f in REQUIRED:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text('')
    assert checkout_error(str(tmp_path)) is None
    (tmp_path / REQUIRED[2]).unlink()
    assert REQUIRED[2] in checkout_error(str(tmp_path))
    with pytest.raises(FileNotFoundError, match=REQUIRED[2]):
        load_official(str(tmp_path))


def test_case_selection(tmp_path):
    ns = type('Args', (), dict(oclip_src=None, wecromcl_src=None,
                               cases=None))
    for f in REQUIRED:
        (tmp_path / f).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / f).write_text('')
    args = ns()
    args.wecromcl_src = str(tmp_path)
    assert bench.check_sources(args) == [
        c[0] for c in bench.CASES if c[1] == 'wecromcl']
    args.cases = 'ours_fp32'
    with pytest.raises(SystemExit, match='needs --oclip-src'):
        bench.check_sources(args)
    args.cases = 'wecromcl_ours_label,bogus'
    with pytest.raises(SystemExit, match='bogus'):
        bench.check_sources(args)


def test_wecromcl_words_are_shared_and_negatives_disjoint():
    a_img, a = bench._wecromcl_batch(32, 2, 5, seed=3)
    b_img, b = bench._wecromcl_batch(32, 2, 5, seed=3, uint8=True)
    assert a == b and b_img.dtype.is_floating_point is False
    for ws, negs in a:
        assert len(set(ws)) == 5 and len(set(negs)) == bench.WC_NEG
        assert not set(ws) & set(negs)
    assert bench._wecromcl_batch(32, 2, 5, seed=4)[1] != a


def test_summary_ratios_per_reference_and_page():
    def run(times):
        return [dict(times=times, peak_rss_MB=100.0, rss_built_MB=50.0,
                     threads=2, loadavg_before=0.5)]

    runs = {
        'official_fp32': run([4.0, 6.0, 5.0]),
        'ours_fp32': run([4.0, 3.0, 5.0]),
        'wecromcl_official_train': run([10.0]),
        'wecromcl_ours_train': run([5.0]),
        'wecromcl_official_label': run([2.0]),
        'wecromcl_ours_label': run([4.0]),
    }
    rows = {r['case']: r for r in bench._summarise(runs)}
    assert rows['ours_fp32']['speedup_vs_official_fp32'] == 1.25
    assert rows['ours_fp32']['speedup_min_vs_official_fp32'] == pytest.approx(
        4 / 3, abs=0.01)
    assert rows['wecromcl_ours_train']['speedup_vs_official_fp32'] == 2.0
    assert rows['wecromcl_ours_label']['speedup_vs_official_fp32'] == 0.5
    meta = dict(date='d', cpu_count=2, omp_num_threads=2, rounds=1, steps=1,
                warmup=1, setting='S', wecromcl_setting='W',
                wecromcl_size=320, note='')
    page = '\n'.join(bench._render(list(rows.values()), meta))
    assert '## oCLIP train step' in page and '## WeCromCL' in page
    assert '--oclip-src <oclip checkout> --wecromcl-src' in page
