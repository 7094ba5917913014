# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Deformable attention without an mmcv kernel: PyTorch path, one warning.

This mmcv has no MSDA kernel for CPU tensors (2.0.1 ships CUDA/MLU ones only)
and no CUDA ops at all, so "the kernel is missing" is real here: the tests
route CPU tensors to the kernel path, where a GPU forward would go.
"""
import warnings

import pytest
import torch
from mmcv.ops import multi_scale_deform_attn as mmcv_msda
from mmocr.registry import MODELS

import mmocr_vlp  # noqa: F401
from mmocr_vlp.models.common import msda


@pytest.fixture(autouse=True)
def fresh_status():
    msda.kernel_status.cache_clear()
    msda._warned.clear()
    yield
    msda.kernel_status.cache_clear()
    msda._warned.clear()


def _inputs(seed=0,
            bs=2,
            heads=2,
            ch=4,
            points=2,
            queries=5,
            shapes=((6, 8), (3, 4))):
    g = torch.Generator().manual_seed(seed)
    spatial = torch.tensor(shapes, dtype=torch.long)
    start = torch.cat((spatial.new_zeros(1), spatial.prod(1).cumsum(0)[:-1]))
    n = int(spatial.prod(1).sum())
    value = torch.randn(bs, n, heads, ch, generator=g, requires_grad=True)
    loc = torch.rand(bs, queries, heads, len(shapes), points, 2, generator=g)
    weight = torch.rand(bs, queries, heads, len(shapes), points, generator=g)
    weight = weight / weight.sum((-1, -2), keepdim=True)
    return value, spatial, start, loc, weight


def _recorded(fn):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter('always')
        out = fn()
    return out, [
        w for w in rec
        if issubclass(w.category, msda.MSDAKernelFallbackWarning)
    ]


def test_missing_kernel_falls_back_to_pytorch_path_with_one_warning():
    value, spatial, start, loc, weight = _inputs()
    ref = mmcv_msda.multi_scale_deformable_attn_pytorch(
        value, spatial, loc, weight)
    outs, warns = _recorded(lambda: [
        msda.MSDAFunctionWithFallback.apply(value, spatial, start, loc, weight,
                                            64) for _ in range(3)
    ])
    for out in outs:
        assert torch.equal(out, ref)
    assert len(warns) == 1
    text = str(warns[0].message)
    assert 'cpu tensors' in text and 'not found' in text  # mmcv's own error
    assert 'rebuild mmcv with CUDA ops' in text
    assert 'FORCE_CUDA=1 bash scripts/setup_env.sh' in text
    outs[0].sum().backward()  # the fallback trains
    assert value.grad is not None and value.grad.abs().sum() > 0


def test_cuda_status_here_names_the_missing_cuda_ops():
    ok, why = msda.kernel_status('cuda')
    assert not ok and 'built without CUDA ops' in why


class _CountingKernel:
    """Stands in for mmcv's compiled Function; counts its calls."""
    calls = 0
    error = None

    @classmethod
    def apply(cls, value, spatial, start, loc, weight, step):
        cls.calls += 1
        if cls.error:
            raise RuntimeError(cls.error)
        return mmcv_msda.multi_scale_deformable_attn_pytorch(
            value, spatial, loc, weight) + 1  # tell kernel output apart


def test_availability_is_decided_once_per_device(monkeypatch):
    monkeypatch.setattr(msda, 'KernelFunction', _CountingKernel)
    monkeypatch.setattr(_CountingKernel, 'calls', 0)
    args = _inputs()
    ref = mmcv_msda.multi_scale_deformable_attn_pytorch(
        args[0], args[1], args[3], args[4])
    # A working kernel: one probe call, then the kernel every step.
    outs, warns = _recorded(
        lambda:
        [msda.MSDAFunctionWithFallback.apply(*args, 64) for _ in range(3)])
    assert _CountingKernel.calls == 1 + 3 and not warns
    assert torch.equal(outs[0], ref + 1)
    # A kernel that raises (e.g. built for another GPU): probed once only.
    msda.kernel_status.cache_clear()
    monkeypatch.setattr(_CountingKernel, 'calls', 0)
    monkeypatch.setattr(_CountingKernel, 'error',
                        'no kernel image is available for execution')
    outs, warns = _recorded(
        lambda:
        [msda.MSDAFunctionWithFallback.apply(*args, 64) for _ in range(3)])
    assert _CountingKernel.calls == 1 and len(warns) == 1
    assert 'no kernel image' in str(warns[0].message)
    assert torch.equal(outs[2], ref)


def _encoder():
    torch.manual_seed(0)
    enc = MODELS.build(
        dict(type='DeformableEncoder',
             num_layers=2,
             embed_dims=16,
             num_heads=2,
             num_levels=2,
             num_points=2,
             ffn_dims=32,
             dropout=0.0))
    enc.init_weights()
    return enc.eval()


def test_encoder_on_kernel_path_without_kernel_equals_pytorch_path(
        monkeypatch):
    """mmcv's forward sends tensors to the kernel when ``IS_MLU_AVAILABLE and
    value.is_mlu`` (as for CUDA tensors): faking that sends CPU tensors to a
    kernel this mmcv does not have, like a GPU forward on a CPU-only build."""
    enc = _encoder()
    assert mmcv_msda.MultiScaleDeformableAttnFunction is \
        msda.MSDAFunctionWithFallback
    feats = [torch.randn(1, 16, 6, 8), torch.randn(1, 16, 3, 4)]
    with torch.no_grad():
        ref = enc(feats)
    monkeypatch.setattr(mmcv_msda, 'IS_MLU_AVAILABLE', True)
    monkeypatch.setattr(torch.Tensor,
                        'is_mlu',
                        property(lambda t: True),
                        raising=False)
    with torch.no_grad():
        outs, warns = _recorded(lambda: [enc(feats) for _ in range(2)])
    for out in outs:  # 2 forwards x 2 layers: same maps, one warning
        assert all(torch.equal(a, b) for a, b in zip(out, ref))
    assert len(warns) == 1
    # Without the fallback the same forward dies for want of a kernel.
    monkeypatch.setattr(mmcv_msda, 'MultiScaleDeformableAttnFunction',
                        msda.KernelFunction)
    with pytest.raises(RuntimeError, match='not found'), torch.no_grad():
        enc(feats)
