# SRSTS-A on CPU: the paper model scaled down (ResNet-18 at quarter width,
# 1 deformable layer of 64 dims, 2 points, K = 16 sampling points, a 1-layer
# recogniser), 256x256 input, trained on the synthetic engine's `points`
# view (one GT point + transcription per word) and evaluated with both
# spotting metrics on its `full` view. Same code paths as the paper config;
# only sizes, augmentation strength and schedule are overridden.
_base_ = ['_base_srsts-a_resnet50_deform.py']

# The training annotation: the synthetic `points` view, or any file with
# the same schema (WeCromCL pseudo labels: see the -pseudo-cpu config).
# Paths are relative to data_root (absolute paths work too).
data_root = 'data/synth'
train_ann = 'train_points.json'
val_ann = 'val_full.json'
test_ann = 'test_full.json'
img_size = 256

model = dict(
    backbone=dict(depth=18, base_channels=16),
    neck=dict(
        channel_mapper=dict(
            in_channels=[32, 64, 128],
            out_channels=64,
            norm_cfg=dict(type='GN', num_groups=16)),
        encoder=dict(
            num_layers=1, embed_dims=64, num_heads=4, num_points=2,
            ffn_dims=128)),
    head=dict(
        sampler=dict(num_points=16, hidden_dims=128, max_offset=12),
        recognizer=dict(num_layers=1, num_heads=4, ffn_dims=128,
                        dropout=0.0)))

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=True),
    dict(type='TokenizeTexts', dictionary={{_base_.dictionary}},
         drop_ignored=False, drop_invalid=False),
    dict(type='RandomRotateWithPoints', max_angle=5, prob=0.3),
    dict(type='RandomGaussianBlur', prob=0.1),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=16,
         contrast_range=(0.8, 1.2), saturation_range=(0.8, 1.2),
         hue_delta=9),
    dict(type='ResizePad', scale=(img_size, img_size),
         ratio_range=(0.85, 1.0)),
    dict(type='PackVLPInputs'),
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='ResizePad', scale=(img_size, img_size), pad=False,
         size_divisor=32),
    dict(type='LoadWeakAnnotations', with_point=True),
    dict(type='PackVLPInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file=train_ann,
        data_prefix=dict(img_path=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file=val_ann,
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        indices=200,
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file=test_ann,
                 indices=None))

# Scores of a briefly trained model sit well below SPTS's 0.80..0.94 sweep
# (the metrics' default, kept for the paper configs): sweep 0.05..0.90 here.
cpu_score_thrs = dict(start=0.05, stop=0.95, step=0.05)
val_evaluator = [
    dict(type='SPTSPointMetric', pred_score_thrs=cpu_score_thrs),
    dict(type='EditDistanceSpottingMetric', pred_score_thrs=cpu_score_thrs),
]
test_evaluator = val_evaluator

# Adam at a CPU-friendly learning rate (the paper's 1e-4 / batch 8 needs
# hundreds of thousands of iterations); no backbone lr multiplier.
optim_wrapper = dict(
    optimizer=dict(lr=1e-3, weight_decay=0.),
    paramwise_cfg=dict(_delete_=True),
    clip_grad=dict(max_norm=1.0, norm_type=2))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=1500, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=100),
    dict(type='MultiStepLR', milestones=[1200], gamma=0.1, by_epoch=False)
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500,
                    max_keep_ckpts=2, save_last=True))
log_processor = dict(window_size=20)
auto_scale_lr = dict(base_batch_size=8)
