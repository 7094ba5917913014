# TextBPN on the synthetic engine's full view (quads and curved text), sized
# for CPU: random-init ResNet-18, 256 px input, a narrower deformation
# encoder, thresholds for small text. Used by the oCLIP transfer study next
# to DBNet/PSENet/FCENet. Same code path as the paper configs.
_base_ = [
    '_base_textbpn_resnet50_fpnc.py',
    '../../_base_/datasets/synth.py',
    '../../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(depth=18, init_cfg=None),
    neck=dict(in_channels=[64, 128, 256, 512], lateral_channels=64,
              out_channels=16),
    det_head=dict(
        in_channels=64,
        feat_channels=16,
        upsample_ratio=4,  # maps at full resolution, as the paper
        deformation=dict(
            clip_dis=8.,
            encoder_cfg=dict(state_dim=64, gcn_dims=(128, 256, 128))),
        cls_thr=0.3,  # short CPU schedules give low text probabilities
        min_area=30,
        module_loss=dict(min_text_size=2.)))

input_size = 256
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(
        type='LoadOCRAnnotations',
        with_polygon=True,
        with_bbox=True,
        with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='PackTextDetInputs',
        meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=True),
    dict(
        type='LoadOCRAnnotations',
        with_polygon=True,
        with_bbox=True,
        with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(
        type='PackTextDetInputs',
        meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

synth_det_train = _base_.synth_det_train
synth_det_train.pipeline = train_pipeline
synth_det_val = _base_.synth_det_val
synth_det_val.pipeline = test_pipeline
synth_det_test = _base_.synth_det_test
synth_det_test.pipeline = test_pipeline

train_dataloader = dict(
    batch_size=4,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=synth_det_train)
val_dataloader = dict(
    batch_size=2,
    num_workers=1,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=synth_det_val)
test_dataloader = dict(val_dataloader, dataset=synth_det_test)

val_evaluator = dict(type='HmeanIOUMetric')
test_evaluator = val_evaluator

optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12, val_interval=4)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [dict(type='MultiStepLR', milestones=[9], gamma=0.1)]
default_hooks = dict(logger=dict(type='LoggerHook', interval=10))
auto_scale_lr = dict(base_batch_size=4)
