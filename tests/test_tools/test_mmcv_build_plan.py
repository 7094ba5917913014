# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""scripts/mmcv_build_plan.py: the mmcv build decided from faked machines."""
import importlib.util
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / 'scripts' / 'mmcv_build_plan.py'


def _load():
    spec = importlib.util.spec_from_file_location('mmcv_build_plan', SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules['mmcv_build_plan'] = mod  # dataclasses resolve the module
    spec.loader.exec_module(mod)
    return mod


plan_mod = _load()
Facts = plan_mod.MachineFacts
CUDA_TORCH = dict(torch_version='2.13.0+cu126', torch_cuda='12.6')
CPU_TORCH = dict(torch_version='2.13.0+cpu', torch_cuda=None)


def decide(**kw):
    kw.setdefault('cuda_toolkit', None)
    return plan_mod.decide(Facts(**kw))


def test_cuda_torch_with_nvcc_builds_for_visible_gpus():
    plan = decide(**CUDA_TORCH,
                  cuda_toolkit='/usr/local/cuda/bin/nvcc',
                  capabilities=((8, 6), (8, 0), (8, 6)))
    assert plan.kind == 'cuda' and plan.force_cuda == '1'
    assert plan.arch_list == '8.0;8.6+PTX'
    assert plan.cache_key == 'torch2.13.0+cu126-cuda12.6-cuda-arch8.0_8.6+PTX'
    assert '3 visible GPU(s)' in plan.reason


def test_cuda_torch_without_toolkit_builds_cpu_and_says_why():
    plan = decide(**CUDA_TORCH, capabilities=((9, 0), ))
    assert plan.kind == 'cpu' and plan.force_cuda == '0'
    assert plan.arch_list == ''
    assert 'no nvcc / CUDA_HOME' in plan.reason
    assert plan.cache_key == 'torch2.13.0+cu126-cuda12.6-cpu'


def test_cpu_torch_builds_cpu_even_with_nvcc():
    plan = decide(**CPU_TORCH, cuda_toolkit='/opt/cuda')
    assert plan.kind == 'cpu'
    assert 'CPU build' in plan.reason
    assert plan.cache_key == 'torch2.13.0+cpu-cudanone-cpu'


def test_explicit_force_cuda_wins_both_ways():
    off = decide(**CUDA_TORCH,
                 cuda_toolkit='/opt/cuda',
                 capabilities=((8, 0), ),
                 env={'FORCE_CUDA': '0'})
    assert off.kind == 'cpu' and 'FORCE_CUDA=0 set by you' in off.reason
    on = decide(**CUDA_TORCH, capabilities=((7, 5), ), env={'FORCE_CUDA': '1'})
    assert on.kind == 'cuda' and on.arch_list == '7.5+PTX'
    assert 'the build needs one' in on.reason  # no toolkit found: said so
    # The same torch gives different cache folders for the two kinds.
    assert off.cache_key != on.cache_key


def test_force_cuda_with_cpu_torch_and_bad_values_are_errors():
    with pytest.raises(plan_mod.PlanError, match='CPU build'):
        decide(**CPU_TORCH, env={'FORCE_CUDA': '1'})
    with pytest.raises(plan_mod.PlanError, match="got 'yes'"):
        decide(**CUDA_TORCH, env={'FORCE_CUDA': 'yes'})


def test_user_arch_list_overrides_visible_gpus():
    plan = decide(**CUDA_TORCH,
                  cuda_toolkit='/opt/cuda',
                  capabilities=((8, 0), ),
                  env={'TORCH_CUDA_ARCH_LIST': '8.0;9.0'})
    assert plan.arch_list == '8.0;9.0'
    assert 'TORCH_CUDA_ARCH_LIST set by you' in plan.reason
    assert plan.cache_key.endswith('-arch8.0_9.0')


def test_no_visible_gpu_uses_torch_archs_or_asks_for_a_list():
    plan = decide(**CUDA_TORCH,
                  cuda_toolkit='/opt/cuda',
                  torch_arch_list=('sm_70', 'sm_80', 'sm_90a', 'compute_90'))
    assert plan.arch_list == '7.0;8.0;9.0+PTX'
    assert 'no GPU visible' in plan.reason
    with pytest.raises(plan_mod.PlanError, match='TORCH_CUDA_ARCH_LIST'):
        decide(**CUDA_TORCH, cuda_toolkit='/opt/cuda')


def test_arch_list_from_capabilities():
    f = plan_mod.arch_list_from_capabilities
    assert f([]) == ''
    assert f([(12, 0), (9, 0), (12, 0)]) == '9.0;12.0+PTX'


def test_shell_output_round_trips_through_bash():
    plan = decide(**CUDA_TORCH,
                  cuda_toolkit='/opt/cuda',
                  capabilities=((8, 6), ))
    out = subprocess.run([
        'bash', '-c',
        plan.shell() + '\nprintf "%s|%s|%s|%s\\n" '
        '"$MMCV_BUILD_KIND" "$MMCV_FORCE_CUDA" "$MMCV_ARCH_LIST" '
        '"$MMCV_CACHE_KEY"; echo "$MMCV_PLAN_SUMMARY"'
    ],
                         capture_output=True,
                         text=True,
                         check=True).stdout.splitlines()
    assert out[0] == f'cuda|1|8.6+PTX|{plan.cache_key}'
    assert out[1] == plan.summary() and 'FORCE_CUDA=1' in out[1]


def test_toolkit_lookup(tmp_path, monkeypatch):
    monkeypatch.setattr(plan_mod, 'DEFAULT_CUDA_HOME', str(tmp_path / 'no'))
    assert plan_mod.find_cuda_toolkit({'PATH': str(tmp_path)}) is None
    nvcc = tmp_path / 'nvcc'
    nvcc.write_text('#!/bin/sh\n')
    nvcc.chmod(0o755)
    assert plan_mod.find_cuda_toolkit({'PATH': str(tmp_path)}) == str(nvcc)
    home = tmp_path / 'cuda'
    home.mkdir()
    assert plan_mod.find_cuda_toolkit({
        'CUDA_HOME': str(home),
        'PATH': ''
    }) == str(home)


def test_this_machine_plans_a_cpu_build_and_matches_installed_mmcv():
    """The real probe here (CPU torch): CPU ops, and the venv's mmcv has
    CPU ops, so setup_env.sh's up-to-date check passes."""
    env = dict(os.environ, FORCE_CUDA='', TORCH_CUDA_ARCH_LIST='')
    run = [sys.executable, str(SCRIPT)]
    out = subprocess.run(run + ['--shell'],
                         env=env,
                         capture_output=True,
                         text=True,
                         check=True).stdout
    values = dict(line.split('=', 1) for line in out.splitlines())
    assert shlex.split(values['MMCV_BUILD_KIND']) == ['cpu']
    res = subprocess.run(run + ['--check-installed'],
                         env=env,
                         capture_output=True,
                         text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert 'CPU ops installed, as planned' in res.stdout
