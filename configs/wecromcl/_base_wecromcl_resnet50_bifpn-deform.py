# WeCromCL (ECCV 2024), paper-faithful model: ResNet-50 -> 2 stacked BiFPNs
# (256 ch) -> 6-layer multi-scale deformable encoder (d=192, FFN 256,
# 8 heads, 4 points) -> stride-8 map -> 1x1 conv to 512; character-wise text
# encoder 12 x 512 x 8 heads, mean-pooled over real characters (Eq. 3).
_base_ = ['../_base_/default_runtime.py']

dictionary = dict(
    type='VLPDictionary',
    preset='lower_punct_space',
    case='lower',
    max_len=25,
    oov='drop',
    overlong='truncate')

model = dict(
    type='WeCromCL',
    dictionary=dictionary,
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='BiFPN',
        in_channels=[512, 1024, 2048],
        out_channels=256,
        num_outs=3,
        num_repeats=2),
    encoder=dict(
        type='DeformableEncoder',
        num_layers=6,
        embed_dims=192,
        num_heads=8,
        num_levels=3,
        num_points=4,
        ffn_dims=256,
        dropout=0.1),
    text_encoder=dict(
        type='CharTextEncoder',
        embed_dims=512,
        num_layers=12,
        num_heads=8,
        ffn_ratio=4.0,
        dropout=0.0,
        pooling='mean'),
    head=dict(type='SoftActivationHead', sim='dot'),
    loss=dict(type='AtomisticContrastiveLoss', init_temperature=0.07),
    embed_dims=512,
    use_negatives=True,
    max_words_per_image=32,
    test_cfg=dict(nms_kernel=5, scales=(1.0, ), return_maps=False),
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32))

# Negatives (WeCromCL Eq. 7): N_aug random training words per image, drawn
# by the SampleNegativeTexts transform from the training annotation
# (`ann_file` is set by the dataset configs below) and packed as metainfo.
meta_keys = ('img_path', 'ori_shape', 'img_shape', 'pad_shape',
             'scale_factor', 'valid_ratio', 'neg_texts')

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=True, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='SampleWords', max_words=32),
    dict(type='RandomRotateWithPoints', max_angle=10, prob=0.5),
    dict(type='RandomGaussianBlur', prob=0.3),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=32,
         contrast_range=(0.5, 1.5), saturation_range=(0.5, 1.5),
         hue_delta=18),
    dict(type='ResizePad', scale=(640, 640), ratio_range=(0.8, 1.0)),
    dict(type='SampleNegativeTexts', n_aug=16, ann_file=None),
    dict(type='PackVLPInputs', meta_keys=meta_keys),
]

# Test: resize, then load GT so it stays in original coordinates (mmocr
# convention); anchors are mapped back with scale_factor.
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='ResizePad', scale=(1152, 1152), pad=False, size_divisor=32),
    dict(type='LoadWeakAnnotations'),
    dict(type='PackVLPInputs'),
]

optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=200000,
                 val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-7, begin=0, end=200000,
         by_epoch=False)
]

# Pseudo-label quality (single-point metric, WeCromCL Tables 1-3). The best
# checkpoint by pseudo-label F-measure is kept by mmengine's CheckpointHook.
val_evaluator = dict(type='PseudoLabelMetric')
test_evaluator = val_evaluator

default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True,
                    save_best='pseudo_label/hmean', rule='greater'))
log_processor = dict(type='LogProcessor', window_size=50, by_epoch=False)
auto_scale_lr = dict(base_batch_size=16)
