# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""The embedding-bag deformable attention equals mmcv's CPU path."""
import torch
from mmcv.ops import multi_scale_deform_attn as msda
from mmcv.ops.multi_scale_deform_attn import (
    MultiScaleDeformableAttention, multi_scale_deformable_attn_pytorch)

from mmocr_vlp.models.common.ms_deform_attn_cpu import (
    fast_cpu_deform_attn, ms_deform_attn_embedding_bag)


def test_equals_mmcv_cpu_path_incl_borders_and_gradients():
    g = torch.Generator().manual_seed(0)
    shapes = torch.tensor([[6, 7], [3, 5], [2, 2]])
    bs, heads, c, points = 2, 4, 6, 3
    keys = int((shapes[:, 0] * shapes[:, 1]).sum())
    value = torch.randn(bs, keys, heads, c, generator=g)
    # Many points outside the maps (zero padding) and on cell borders.
    loc = torch.rand(bs, 9, heads, 3, points, 2, generator=g) * 1.6 - 0.3
    loc[0, 0, 0, 0, 0] = torch.tensor([0., 1.])
    loc[0, 0, 0, 1, 0] = torch.tensor([3 / 5, 2 / 3])
    attn = torch.rand(bs, 9, heads, 3, points, generator=g)
    outs, grads = [], []
    for fn in (multi_scale_deformable_attn_pytorch,
               ms_deform_attn_embedding_bag):
        v, lc, a = (t.clone().requires_grad_() for t in (value, loc, attn))
        out = fn(v, shapes, lc, a)
        out.pow(2).sum().backward()
        outs.append(out)
        grads.append((v.grad, a.grad))
    assert outs[1].shape == (bs, 9, heads * c)
    torch.testing.assert_close(outs[1], outs[0], rtol=1e-5, atol=1e-5)
    for a, b in zip(*grads):
        torch.testing.assert_close(b, a, rtol=1e-4, atol=1e-4)


def test_context_switches_mmcv_module_and_restores():
    torch.manual_seed(0)
    attn = MultiScaleDeformableAttention(
        embed_dims=16, num_heads=2, num_levels=2, num_points=2,
        batch_first=True).eval()
    torch.nn.init.normal_(attn.sampling_offsets.weight, std=0.5)
    shapes = torch.tensor([[4, 5], [2, 3]])
    n = 26
    query = torch.randn(1, n, 16)
    ref_pts = torch.rand(1, n, 2, 2)
    kwargs = dict(query=query, value=query, reference_points=ref_pts,
                  spatial_shapes=shapes,
                  level_start_index=torch.tensor([0, 20]))
    with torch.no_grad():
        ref = attn(**kwargs)
        with fast_cpu_deform_attn():
            assert msda.multi_scale_deformable_attn_pytorch is \
                ms_deform_attn_embedding_bag
            fast = attn(**kwargs)
    assert msda.multi_scale_deformable_attn_pytorch is \
        multi_scale_deformable_attn_pytorch
    torch.testing.assert_close(fast, ref, rtol=1e-5, atol=1e-5)
