# WeCromCL (ECCV 2024), the official function (github ZhengyaoFang/WeCromCL,
# stage 1): ImageNet ResNet-50 (C2-C5) -> 2 BiFPN repeats, 4 levels, 256 ch
# (3x3 conv+BN+ReLU input convs, plain 1x1 fusion convs) -> six 3x3
# conv+BN+ReLU heads to 64 ch concatenated to 192 ch at strides 4 and 8, each
# 1x1 conv + GroupNorm(32) -> 6-layer multi-scale deformable encoder (d=192,
# FFN 256, 8 heads, 4 points, 2 levels) -> stride-8 level -> 1x1 conv to 512
# (no bias); character-wise text encoder 12 x 512 x 8 heads over 25
# positions (no EOS, no padding mask, QuickGELU, mean over all positions);
# single-head activation map with c_proj; one positive per image, 16
# vocabulary negatives, unclamped temperature. docs/wecromcl.md lists every
# difference from the official code and the options behind them.
_base_ = ['../_base_/default_runtime.py']

dictionary = dict(
    type='VLPDictionary',
    preset='lower_punct_space',
    case='lower',
    max_len=25,
    oov='drop',
    overlong='truncate')

# torchvision's ImageNet ResNet-50, as the official code. Without internet,
# download it elsewhere and set model.backbone.init_cfg.checkpoint to the file.
imagenet_resnet50 = 'https://download.pytorch.org/models/resnet50-19c8e357.pth'
kaiming = dict(type='Kaiming', layer='Conv2d', mode='fan_in',
               distribution='normal')

model = dict(
    type='WeCromCL',
    dictionary=dictionary,
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=dict(type='Pretrained', checkpoint=imagenet_resnet50)),
    neck=[
        dict(type='BiFPN',
             in_channels=[256, 512, 1024, 2048],
             out_channels=256,
             num_outs=4,
             num_repeats=2,
             norm_cfg=dict(type='BN'),
             act_cfg=dict(type='Swish'),
             separable=False,
             lateral_kernel_size=3,
             lateral_act_cfg=dict(type='ReLU'),
             fusion_kernel_size=1,
             fusion_norm=False,
             fusion_bias=False,
             init_cfg=kaiming),
        dict(type='LevelConcat',
             in_channels=256,
             head_channels=64,
             groups=((2, 1, 0), (3, 2, 1)),
             norm_cfg=dict(type='BN'),
             out_norm_cfg=dict(type='GN', num_groups=32),
             init_cfg=kaiming),
    ],
    encoder=dict(
        type='DeformableEncoder',
        num_layers=6,
        embed_dims=192,
        num_heads=8,
        num_levels=2,
        num_points=4,
        ffn_dims=256,
        dropout=0.1),
    feature_level=1,
    out_proj_bias=False,
    mask_padding=False,
    text_encoder=dict(
        type='CharTextEncoder',
        max_len=25,
        embed_dims=512,
        num_layers=12,
        num_heads=8,
        ffn_ratio=4.0,
        dropout=0.0,
        pooling='mean_all',
        causal=False,
        activation='quick_gelu',
        key_padding_mask=False,
        learnable_pad=True,
        zero_empty=False,
        eos_mode='strip',
        clip_init=True),
    head=dict(type='SoftActivationHead', sim='dot', out_proj=True),
    loss=dict(
        type='AtomisticContrastiveLoss',
        init_temperature=0.07,
        max_logit_scale=None,
        exclude_shared=False),
    embed_dims=512,
    use_negatives=True,
    positives='one_new',
    filter_negatives=False,
    test_cfg=dict(nms_kernel=5, scales=(1.0, ), return_maps=False,
                  score='peak'),
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32))

# Negatives (WeCromCL Eq. 7): 16 distinct words per image from the official
# 37,874-word English vocabulary (data/vocabulary/eng_vocabulary.txt of the
# official repository, copied to data/wecromcl/), never one of the image's
# words, compared case-sensitively; drawn by SampleNegativeTexts and packed as
# metainfo.
vocab_file = '{{$MMOCR_VLP_DATA:data}}/wecromcl/eng_vocabulary.txt'
meta_keys = ('img_path', 'ori_shape', 'img_shape', 'pad_shape',
             'scale_factor', 'valid_ratio', 'neg_texts')

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=True, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='RandomRotateWithPoints', max_angle=10, prob=1.0),
    dict(type='RandomGaussianBlur', prob=0.1),
    dict(type='mmdet.PhotoMetricDistortion', brightness_delta=32,
         contrast_range=(0.5, 1.5), saturation_range=(0.5, 1.5),
         hue_delta=18),
    dict(type='ResizePad', scale=(640, 640), ratio_range=(0.8, 1.0)),
    dict(type='SampleNegativeTexts', n_aug=16, vocab_file=vocab_file,
         lower=False, distinct=True),
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
    # weight decay: the released code's 1e-5 (the supplement says 1e-4); no
    # gradient clipping.
    optimizer=dict(type='SGD', lr=1e-3, momentum=0.9, weight_decay=1e-5))

train_cfg = dict(type='IterBasedTrainLoop', max_iters=200000,
                 val_interval=10000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    # poly to 0 (official); no end: mmengine fills end = train_cfg.max_iters
    dict(type='PolyLR', power=0.9, eta_min=0, begin=0, by_epoch=False)
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
