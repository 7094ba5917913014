# WeCromCL on CPU: the paper model scaled down (ResNet-18 at 1/4 width,
# one BiFPN of 64 ch, 1 deformable layer, text encoder 2 x 128), 256x256
# input, trained on the synthetic engine's transcription-only view and
# validated by pseudo-label quality on its full view. Same code paths as the
# paper config; only sizes and schedule are overridden.
_base_ = ['_base_wecromcl_resnet50_bifpn-deform.py', '../_base_/datasets/synth.py']

model = dict(
    backbone=dict(depth=18, base_channels=16),
    neck=dict(in_channels=[32, 64, 128], out_channels=64, num_repeats=1),
    encoder=dict(num_layers=1, embed_dims=64, num_heads=4, ffn_dims=128,
                 dropout=0.0),
    text_encoder=dict(embed_dims=128, num_layers=2, num_heads=4),
    embed_dims=128,
    max_words_per_image=16)

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='RandomGaussianBlur', prob=0.2),
    dict(type='ResizePad', scale=(256, 256), ratio_range=(0.85, 1.0)),
    dict(type='SampleNegativeTexts', n_aug=16,
         ann_file='data/synth/train_textonly.json'),
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
        data_root='data/synth',
        ann_file='train_textonly.json',
        data_prefix=dict(img_path=''),
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=8,
    num_workers=1,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root='data/synth',
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
    dict(type='PolyLR', power=0.9, eta_min=1e-6, begin=100, end=2000,
         by_epoch=False)
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=20),
    checkpoint=dict(interval=500, max_keep_ckpts=2))
log_processor = dict(window_size=20)
auto_scale_lr = dict(base_batch_size=8)
