# WeCromCL on CPU: a scaled-down model (ResNet-18 at 1/4 width, C3-C5, one
# 3-level BiFPN of 64 ch with 1x1 laterals and separable fusion convs, 1
# deformable layer over all 3 levels whose outputs are summed at stride 8,
# text encoder 2 x 128), 256x256 input, trained on the synthetic engine's
# transcription-only view and validated by pseudo-label quality on its full
# view. It keeps this package's own choices rather than the official ones
# (docs/wecromcl.md, "Differences from the official code"): random init,
# padding masked, EOS token with mean over real characters and a key padding
# mask, no c_proj, up to 16 positives per image with co-occurring words
# excluded, case-insensitive negatives from the training words, temperature
# clamped at 100, AdamW with gradient clipping.
_base_ = [
    '_base_wecromcl_resnet50_bifpn-deform.py', '../_base_/datasets/synth.py'
]

model = dict(
    _delete_=True,
    type='WeCromCL',
    dictionary={{_base_.dictionary}},
    backbone=dict(
        type='mmdet.ResNet',
        depth=18,
        base_channels=16,
        num_stages=4,
        out_indices=(1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        init_cfg=None),
    neck=dict(
        type='BiFPN',
        in_channels=[32, 64, 128],
        out_channels=64,
        num_outs=3,
        num_repeats=1),
    encoder=dict(
        type='DeformableEncoder',
        num_layers=1,
        embed_dims=64,
        num_heads=4,
        num_levels=3,
        num_points=4,
        ffn_dims=128,
        dropout=0.0),
    text_encoder=dict(
        type='CharTextEncoder',
        embed_dims=128,
        num_layers=2,
        num_heads=4,
        ffn_ratio=4.0,
        dropout=0.0,
        pooling='mean'),
    head=dict(type='SoftActivationHead', sim='dot'),
    loss=dict(type='AtomisticContrastiveLoss', init_temperature=0.07),
    embed_dims=128,
    use_negatives=True,
    max_words_per_image=16,
    test_cfg=dict(nms_kernel=5, scales=(1.0, ), return_maps=False),
    data_preprocessor={{_base_.model.data_preprocessor}})

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='RandomGaussianBlur', prob=0.2),
    dict(type='ResizePad', scale=(256, 256), ratio_range=(0.85, 1.0)),
    dict(type='SampleNegativeTexts', n_aug=16,
         ann_file='{{$MMOCR_VLP_DATA:data}}/synth/train_textonly.json'),
    dict(type='PackVLPInputs', meta_keys={{_base_.meta_keys}}),
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='ResizePad', scale=(256, 256), pad=False, size_divisor=32),
    dict(type='LoadWeakAnnotations'),
    dict(type='PackVLPInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root='{{$MMOCR_VLP_DATA:data}}/synth',
        ann_file='train_textonly.json',
        data_prefix=dict(img_path=''),
        dictionary={{_base_.dictionary}},  # texts checked at load time
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root='{{$MMOCR_VLP_DATA:data}}/synth',
        ann_file='val_full.json',
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        indices=200,
        pipeline=test_pipeline))
test_dataloader = dict(
    val_dataloader,
    dataset=dict(val_dataloader['dataset'], ann_file='test_full.json',
                 indices=None))

# Adam converges far faster than the paper's SGD at this scale and batch.
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(_delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4),
    clip_grad=dict(max_norm=1.0))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=2000, val_interval=500)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=100),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, begin=100,
         by_epoch=False)  # end = train_cfg.max_iters
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=500, max_keep_ckpts=2))
log_processor = dict(window_size=20)
auto_scale_lr = dict(base_batch_size=8)
# Activation maps and anchors (WeCromCL supp. Fig. 1) of the first 4
# validation images at every validation (every 500 iterations), to the
# visualiser (work_dir/<timestamp>/vis_data/vis_image; TensorBoard with
# visualizer.vis_backends=[..., TensorboardVisBackend]). The paper configs
# leave it off (docs/inference.md, "Watching the maps").
custom_hooks = [dict(type='MapVisualizationHook', num_images=4)]
