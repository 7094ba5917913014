# SRSTS-A (WeCromCL supp. Sec. 1), paper-faithful model: ResNet-50 ->
# 1x1 conv + GN input projections of C3-C5 plus one stride-64 level ->
# 6-layer multi-scale deformable encoder (DeepSolo R50: d 256, 8 heads,
# 4 levels, 4 points, FFN 1024) -> stride-8 map P -> anchor estimator
# (1x1 conv + sigmoid, focal loss, supp. Eq. 1), sampling module (K = 25
# points) and CTC recognition module (case-insensitive alphanumerics).
_base_ = ['../_base_/default_runtime.py']

# CTC classes: 0 = blank (the dictionary's PAD), 1..36 = 0-9a-z.
dictionary = dict(
    type='VLPDictionary',
    preset='alnum_lower',
    case='lower',
    max_len=25,
    oov='drop',
    overlong='truncate')

model = dict(
    type='SRSTSA',
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32),
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),  # no pretrained weights on this machine
    neck=dict(
        type='SRSTSANeck',
        channel_mapper=dict(
            type='mmdet.ChannelMapper',
            in_channels=[512, 1024, 2048],
            kernel_size=1,
            out_channels=256,
            act_cfg=None,
            norm_cfg=dict(type='GN', num_groups=32),
            num_outs=4),
        encoder=dict(
            type='DeformableEncoder',
            num_layers=6,
            embed_dims=256,
            num_heads=8,
            num_levels=4,
            num_points=4,
            ffn_dims=1024,
            dropout=0.0),  # DeepSolo: DROPOUT 0.0
        fuse='sum'),
    head=dict(
        type='SRSTSAHead',
        stride=8,
        anchor_estimator=dict(type='AnchorEstimator', prior_prob=0.01),
        sampler=dict(
            type='PointSampler',
            num_points=25,
            hidden_dims=256,
            num_layers=3,
            max_offset=32,
            init_span=0.25),
        recognizer=dict(
            type='CTCRecognizer',
            dictionary=dictionary,
            num_layers=2,
            num_heads=8,
            ffn_dims=1024,
            dropout=0.1),
        module_loss=dict(
            type='SRSTSAModuleLoss',
            loss_anchor=dict(
                type='mmdet.FocalLoss',
                use_sigmoid=True,
                alpha=0.25,
                gamma=2.0,
                loss_weight=1.0),
            loss_rec_weight=1.0,
            target_sigma=0.,
            ignore_radius=1),
        postprocessor=dict(
            type='SRSTSAPostprocessor',
            score_thr=0.1,  # the spotting metrics sweep thresholds above it
            nms_kernel=3,
            max_per_img=100,
            score_mode='anchor'),
        snap_train_anchors=True))

# Training: DeepSolo's augmentation minus random cropping (supp. Sec. 2):
# rotation (canvas grows, no word is cut), blur, colour jitter, multi-scale
# resize (DeepSolo: short side 480-896, long side <= 1600).
# Don't-care words are kept (zero-weighted in the anchor map), words
# without a point (NaN) are skipped by the loss, and words the dictionary
# empties keep their anchor but get no CTC target.
train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=True),
    dict(type='TokenizeTexts', dictionary=dictionary, drop_ignored=False,
         drop_invalid=False),
    dict(type='RandomRotateWithPoints', max_angle=15, prob=0.5),
    dict(type='RandomGaussianBlur', prob=0.3),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=32,
         contrast_range=(0.5, 1.5), saturation_range=(0.5, 1.5),
         hue_delta=18),
    dict(type='ResizePad', short_side=(480, 896), max_long_side=1600,
         pad=False, size_divisor=32),
    dict(type='PackVLPInputs'),
]

# Test: resize, then load GT so it stays in the original frame (mmocr
# convention); predicted points are mapped back with scale_factor. The
# fine-tuning configs set the paper's test size (shorter side 864 / 864 /
# 1440 / 576 for IC13 / IC15 / Total-Text / CTW1500).
test_scale = (4000, 864)
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=test_scale, keep_ratio=True),
    dict(type='LoadWeakAnnotations', with_point=True),
    dict(type='PackVLPInputs'),
]

# Adam (supp. Sec. 2) with DeepSolo's learning rates: 1e-4, backbone 1e-5,
# weight decay 1e-4, full-model gradient clipping at 0.1 (L2).
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-4, weight_decay=1e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}),
    clip_grad=dict(max_norm=0.1, norm_type=2))

val_evaluator = [
    dict(type='SPTSPointMetric'),
    dict(type='EditDistanceSpottingMetric'),
]
test_evaluator = val_evaluator

val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')

visualizer = dict(
    type='PointSpottingLocalVisualizer', name='visualizer',
    vis_backends=[dict(type='LocalVisBackend')])
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
