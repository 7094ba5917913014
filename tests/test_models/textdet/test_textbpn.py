# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""TextBPN parts: control points, targets, matching loss, gradients,
postprocessor format, config build."""
import numpy as np
import pytest
import torch
from mmengine.structures import InstanceData
from mmocr.registry import MODELS
from mmocr.structures import TextDetDataSample

from mmocr_vlp.models.textdet.module_losses import point_matching_loss
from mmocr_vlp.models.textdet.utils import (mask_to_control_points,
                                            orient_clockwise,
                                            resample_polygon)
from mmocr_vlp.models.textdet.utils.contour import signed_area


def _sample(polygons, ignored=None, shape=(64, 96)):
    s = TextDetDataSample(
        metainfo=dict(img_shape=shape, batch_input_shape=shape,
                      pad_shape=shape, ori_shape=shape,
                      scale_factor=(1., 1.)))
    gt = InstanceData()
    gt.polygons = [np.asarray(p, np.float32) for p in polygons]
    gt.ignored = torch.tensor(
        ignored if ignored is not None else [False] * len(polygons))
    s.gt_instances = gt
    return s


def _rect(x0, y0, x1, y1):
    return [x0, y0, x1, y0, x1, y1, x0, y1]


# ------------------------------------------------------------ control points
def test_resample_polygon_uniform_and_clockwise():
    square = np.array([[0, 0], [40, 0], [40, 40], [0, 40]], np.float32)
    pts = resample_polygon(square, 20)
    assert pts.shape == (20, 2) and pts.dtype == np.float32
    # 160 px perimeter / 20 points -> consecutive points 8 px apart
    steps = np.linalg.norm(np.roll(pts, -1, 0) - pts, axis=1)
    np.testing.assert_allclose(steps, 8., atol=1e-4)
    np.testing.assert_allclose(pts[0], [0, 0])
    assert signed_area(pts) > 0  # clockwise on screen
    # anticlockwise input is reversed to the same orientation
    pts_rev = resample_polygon(square[::-1], 20)
    assert signed_area(pts_rev) > 0
    assert signed_area(orient_clockwise(square[::-1])) > 0
    # every sample lies on the square boundary
    on_edge = np.isclose(pts, 0).any(1) | np.isclose(pts, 40).any(1)
    assert on_edge.all()


def test_mask_to_control_points_follows_region():
    mask = np.zeros((50, 80), np.uint8)
    mask[10:30, 20:70] = 1
    pts = mask_to_control_points(mask, 20)
    assert pts.shape == (20, 2) and signed_area(pts) > 0
    assert pts[:, 0].min() >= 19.5 and pts[:, 0].max() <= 69.5
    assert pts[:, 1].min() >= 9.5 and pts[:, 1].max() <= 29.5
    assert abs(signed_area(pts) - 49 * 19) < 0.1 * 49 * 19
    assert mask_to_control_points(np.zeros((5, 5), np.uint8), 20) is None


# ------------------------------------------------------------------ targets
def test_targets_on_hand_made_polygons():
    loss = MODELS.build(dict(type='TextBPNModuleLoss', num_points=12,
                             jitter=0.))
    polys = [_rect(10, 10, 50, 30),       # text
             _rect(60, 40, 90, 60),       # ignored (don't care)
             _rect(70, 5, 73, 8)]         # too small -> ignored
    t = loss.get_targets([_sample(polys, [False, True, False])], (64, 96))
    tr, train = t['tr_mask'][0], t['train_mask'][0]
    dis, direc = t['distance_field'][0], t['direction_field'][0]
    assert tr.shape == (64, 96) and direc.shape == (2, 64, 96)
    assert tr[20, 30] == 1 and tr[5, 5] == 0 and tr[50, 75] == 0
    assert train[50, 75] == 0 and train[6, 71] == 0 and train[20, 30] == 1
    assert train[2, 2] == 1
    # distance field: 1 on the centre line, small at the border, 0 outside
    assert dis.max() == pytest.approx(1.)
    assert dis[20, 30] > 0.9 and dis[10, 30] < 0.2 and dis[5, 5] == 0
    # direction field: unit vectors towards the nearest boundary
    np.testing.assert_allclose(direc[:, 12, 30].numpy(), [0, -1], atol=1e-5)
    np.testing.assert_allclose(direc[:, 28, 30].numpy(), [0, 1], atol=1e-5)
    np.testing.assert_allclose(direc[:, 20, 11].numpy(), [-1, 0], atol=1e-5)
    inside = tr > 0
    np.testing.assert_allclose(direc.norm(dim=0)[inside].numpy(), 1.,
                               atol=1e-4)
    assert (direc[:, ~inside] == 0).all()
    # only the valid instance yields control points / proposals
    assert t['gt_points'].shape == (1, 12, 2)
    assert t['proposals'].shape == (1, 12, 2)
    assert t['proposal_inds'].tolist() == [0]
    gt = t['gt_points'][0].numpy()
    np.testing.assert_allclose(gt.min(0), [10, 10], atol=1e-4)
    np.testing.assert_allclose(gt.max(0), [50, 30], atol=1e-4)
    # the training proposal is a shrunk region strictly inside the GT
    prop = t['proposals'][0].numpy()
    assert (prop[:, 0] > 12).all() and (prop[:, 0] < 48).all()
    assert (prop[:, 1] > 12).all() and (prop[:, 1] < 28).all()
    assert signed_area(prop) > 0


def test_targets_at_map_stride_and_bad_polygon():
    loss = MODELS.build(dict(type='TextBPNModuleLoss', num_points=8,
                             jitter=0., min_text_size=1))
    t = loss.get_targets([_sample([_rect(8, 8, 56, 40)])], (16, 24),
                         stride=4)
    np.testing.assert_allclose(t['gt_points'][0].numpy().max(0), [14, 10],
                               atol=1e-4)
    with pytest.raises(ValueError, match='polygon 0'):
        loss.get_targets([_sample([[1., 1., 5., 5.]])], (16, 24))


# ------------------------------------------------------------ matching loss
def test_point_matching_loss_invariant_to_start_point():
    torch.manual_seed(0)
    gt = torch.from_numpy(resample_polygon(
        np.array(_rect(5, 5, 60, 25), np.float32), 20))[None]
    pred = gt + torch.randn_like(gt) * 2
    ref = point_matching_loss(pred, gt)
    for k in (1, 7, 19):
        shifted = torch.roll(gt, shifts=k, dims=1)
        assert torch.allclose(point_matching_loss(pred, shifted), ref)
        assert torch.allclose(
            point_matching_loss(pred, shifted, 'l2'),
            point_matching_loss(pred, gt, 'l2'))
    # a prediction equal to a shifted GT costs nothing; a plain
    # index-aligned loss would not be zero
    assert point_matching_loss(torch.roll(gt, 5, 1), gt) == 0
    assert torch.nn.functional.smooth_l1_loss(torch.roll(gt, 5, 1), gt) > 1
    # GT starting anywhere after resampling + roll: same loss
    gt_np = np.array(_rect(5, 5, 60, 25), np.float32).reshape(-1, 2)
    gt2 = torch.from_numpy(
        resample_polygon(np.roll(gt_np, 2, axis=0), 20))[None]
    assert torch.allclose(point_matching_loss(pred, gt2), ref, atol=1e-4)
    empty = torch.zeros(0, 20, 2, requires_grad=True)
    assert point_matching_loss(empty, empty.detach()) == 0


# ----------------------------------------------------------------- the head
def _tiny_head(**kw):
    cfg = dict(
        type='TextBPNHead', in_channels=16, feat_channels=8,
        upsample_ratio=4, num_points=12,
        deformation=dict(type='AdaptiveBoundaryDeformation', num_iters=3,
                         encoder_cfg=dict(state_dim=16, gcn_dims=(32,),
                                          decoder_dims=(16,))),
        module_loss=dict(type='TextBPNModuleLoss', jitter=0.5),
        cls_thr=0.0, min_area=4)
    cfg.update(kw)
    head = MODELS.build(cfg)
    head.init_weights()
    return head


def test_gradients_reach_deformation_model():
    torch.manual_seed(0)
    head = _tiny_head()
    x = torch.randn(2, 16, 16, 24, requires_grad=True)
    samples = [_sample([_rect(10, 10, 50, 30), _rect(40, 40, 90, 58)]),
               _sample([_rect(5, 20, 80, 44)])]
    losses = head.loss(x, samples)
    assert set(losses) == {'loss_cls', 'loss_dis', 'loss_dir', 'loss_point'}
    assert all(torch.isfinite(v) for v in losses.values())
    sum(losses.values()).backward()
    assert x.grad is not None and x.grad.abs().sum() > 0
    for name, p in head.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name
    # deformation gradients come from the point loss alone
    head.zero_grad()
    losses = head.loss(x, samples)
    losses['loss_point'].backward()
    for name, p in head.deformation.named_parameters():
        assert p.grad is not None and p.grad.abs().sum() > 0, name


def test_deformation_iterations_and_shapes():
    torch.manual_seed(0)
    head = _tiny_head().eval()
    feat = torch.randn(2, 12, 20, 30)
    polys = torch.rand(3, 12, 2) * 15 + 2
    outs = head.deformation(feat, polys, torch.tensor([0, 1, 1]))
    assert len(outs) == 3 and all(o.shape == (3, 12, 2) for o in outs)
    assert all(not torch.equal(outs[0], o) for o in outs[1:])
    assert (outs[-1][..., 0] <= 29).all() and (outs[-1][..., 1] <= 19).all()
    with pytest.raises(ValueError, match='feature channels'):
        head.deformation(torch.randn(1, 5, 8, 8), polys, torch.zeros(3))
    assert head.deformation(feat, torch.zeros(0, 12, 2),
                            torch.zeros(0).long())[-1].shape == (0, 12, 2)


def test_predict_and_postprocessor_format():
    torch.manual_seed(0)
    head = _tiny_head(dis_thr=0.5).eval()
    samples = [_sample([_rect(10, 10, 50, 30)]), _sample([])]
    samples[0].set_metainfo(dict(scale_factor=(0.5, 0.25)))
    with torch.no_grad():
        preds = head.predict(torch.randn(2, 16, 16, 24), samples)
    assert len(preds) == 2
    for p in preds:
        inst = p.pred_instances
        assert isinstance(inst.polygons, list)
        assert isinstance(inst.scores, torch.Tensor)
        assert len(inst.polygons) == len(inst.scores)
        for poly in inst.polygons:
            assert poly.dtype == np.float32 and poly.shape == (24,)

    # hand-made head output: scaling to the input image and to the original
    post = MODELS.build(dict(type='TextBPNPostprocessor', min_score=0.5))
    poly = torch.tensor(resample_polygon(
        np.array(_rect(4, 4, 20, 12), np.float32), 12))
    outs = dict(polygons=torch.stack([poly, poly, poly]),
                scores=torch.tensor([0.9, 0.2, 0.8]),
                inds=torch.tensor([0, 0, 1]), batch_size=2)
    res = post(outs, [_sample([]), _sample([])])
    res0 = res[0].pred_instances
    assert len(res0.polygons) == 1 and res0.scores.tolist() == [
        pytest.approx(0.9)]
    samples = [_sample([]), _sample([])]
    samples[1].set_metainfo(dict(scale_factor=(0.5, 0.25)))
    res = post(outs, samples)
    p1 = res[1].pred_instances.polygons[0].reshape(-1, 2)
    np.testing.assert_allclose(p1.max(0), [40, 48], atol=1e-4)
    quad = MODELS.build(dict(type='TextBPNPostprocessor',
                             text_repr_type='quad'))
    assert quad(outs, [_sample([]), _sample([])])[0].pred_instances \
        .polygons[0].shape == (8,)
    with pytest.raises(TypeError):
        post(torch.zeros(2, 3), [_sample([]), _sample([])])


def test_bad_head_config():
    with pytest.raises(ValueError, match='power of 2'):
        _tiny_head(upsample_ratio=3)
    with pytest.raises(ValueError, match='num_points'):
        _tiny_head(module_loss=dict(type='TextBPNModuleLoss', num_points=5))


# ------------------------------------------------------------------ configs
CONFIGS = [
    'textbpn_resnet50_fpnc_660e_totaltext.py',
    'textbpn_resnet50_fpnc_660e_ctw1500.py',
    'textbpn_resnet50-oclip_fpnc_660e_totaltext.py',
    'textbpn_resnet50-oclip_fpnc_660e_ctw1500.py',
    'textbpn_resnet18_fpnc_12e_synth-cpu.py',
    'textbpn_resnet-tiny-oclip-vlp_fpnc_12e_synth-cpu.py',
]


@pytest.mark.parametrize('name', CONFIGS)
def test_configs_build(name, repo_root):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    cfg = Config.fromfile(
        str(repo_root / 'configs' / 'textdet' / 'textbpn' / name))
    assert cfg.default_scope == 'mmocr'
    assert 'mmocr_vlp' in cfg.custom_imports['imports']
    assert cfg.model.det_head.type == 'TextBPNHead'
    with DefaultScope.overwrite_default_scope('mmocr'):
        model = MODELS.build(cfg.model)
    backbone = type(model.backbone).__name__
    assert backbone == ('CLIPResNet' if 'oclip' in name else 'ResNet')
    if 'oclip' in name:
        assert cfg.oclip_ckpt is None
        # the CPU config starts from PyTorch's init (docs/oclip.md)
        assert cfg.model.backbone.init_cfg == (dict(
            type='Constant', val=1, layer='_BatchNorm')
            if 'synth-cpu' in name else None)
    head = model.det_head
    assert head.num_points == 20 and head.deformation.num_iters == 3
    if 'synth-cpu' in name:
        assert cfg.train_dataloader.dataset.ann_file == 'train_full.json'
        if 'oclip' not in name:  # one real loss step on a tiny batch
            model.train()
            s = _sample([_rect(8, 8, 56, 30)], shape=(64, 64))
            losses = model.loss(torch.randn(1, 3, 64, 64), [s])
            assert all(torch.isfinite(v) for v in losses.values())
    else:
        assert cfg.train_dataloader.batch_size == 12
        assert cfg.optim_wrapper.optimizer == dict(type='Adam', lr=1e-3)


def test_oclip_ckpt_variable_switches_init(repo_root, tmp_path):
    from mmengine.config import Config
    src = repo_root / 'configs' / 'textdet' / 'textbpn' / \
        'textbpn_resnet-tiny-oclip-vlp_fpnc_12e_synth-cpu.py'
    text = src.read_text().replace("oclip_ckpt = None",
                                   "oclip_ckpt = 'exported.pth'")
    text = text.replace("'textbpn_resnet18_fpnc_12e_synth-cpu.py'",
                        repr(str(src.parent /
                                 'textbpn_resnet18_fpnc_12e_synth-cpu.py')))
    (tmp_path / 'cfg.py').write_text(text)
    cfg = Config.fromfile(str(tmp_path / 'cfg.py'))
    assert cfg.model.backbone.type == 'CLIPResNet'
    assert cfg.model.backbone.init_cfg == dict(
        type='Pretrained', checkpoint='exported.pth')
