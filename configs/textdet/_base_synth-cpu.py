# Shared by the CPU fine-tuning configs of mmocr's detectors (DBNet, PSENet,
# FCENet) on the synthetic engine's full view: 320 px pipelines, dataloaders,
# schedule. The names are prefixed `cpu_` because mmengine does not allow two
# `_base_` files (this one and mmocr's detector config) to define the same key;
# a detector config assigns them, e.g. `train_dataloader = _base_.cpu_train_dataloader`.
_base_ = ['../_base_/datasets/synth.py', '../_base_/datasets/icdar2015_toy.py']

cpu_input_size = 320
cpu_train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True,
         with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='Resize', scale=(cpu_input_size, cpu_input_size),
         keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='Pad', size=(cpu_input_size, cpu_input_size)),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape'))
]
# mmocr's test convention: annotations are loaded after the resize, so the GT
# stays in original image coordinates (predictions are rescaled to them).
cpu_test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(cpu_input_size, cpu_input_size),
         keep_ratio=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True,
         with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

synth_det_train = _base_.synth_det_train
synth_det_train.pipeline = cpu_train_pipeline
synth_det_val = _base_.synth_det_val
synth_det_val.pipeline = cpu_test_pipeline
synth_det_test = _base_.synth_det_test
synth_det_test.pipeline = cpu_test_pipeline
# Real images: evaluate with `--cfg-options test_dataloader.dataset=...`
# or the transfer study (studies/oclip_transfer_study.py).
icdar2015_toy_det_test = _base_.icdar2015_toy_det_test
icdar2015_toy_det_test.pipeline = cpu_test_pipeline

cpu_train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=synth_det_train)
cpu_val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=synth_det_val)
cpu_test_dataloader = dict(cpu_val_dataloader, dataset=synth_det_test)

# The from-scratch backbone init of the CPU detectors (`oclip_ckpt = None`):
# PyTorch's default conv init (uniform within 1/sqrt(fan_in)) with BN gains
# 1. mmdet's ResNet default, which mmocr's CLIPResNet inherits (Kaiming
# normal, fan-out: weights ~4x larger here), kept the narrow CLIP ResNet
# DBNet in the all-background state (dice loss 0.9999 at epoch 9, hmean 0 at
# epoch 5), where this init reaches hmean 0.80-0.82 by epoch 10
# (docs/oclip.md, "Session 5"). An explicit init_cfg is what turns mmdet's default off.
cpu_scratch_init = dict(
    _delete_=True, type='Constant', val=1, layer='_BatchNorm')

cpu_max_epochs = 2
cpu_optim_wrapper = dict(
    _delete_=True, type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
cpu_param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=True, begin=0,
         end=cpu_max_epochs)
]
cpu_train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=cpu_max_epochs,
                     val_interval=cpu_max_epochs)
cpu_default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=2))
