# DBNet fine-tuned on CPU from OUR oCLIP backbone: mmocr's own oCLIP DBNet
# config with the narrow CLIP ResNet-50 of configs/oclip/*-cpu.py
# (base_channels 16 -> stage widths 64/128/256/512), 320 px inputs, the
# synthetic engine's full-annotation view, evaluated with HmeanIOUMetric.
#   python tools/train.py configs/oclip/oclip_resnet-tiny_synth-cpu.py
#   mim train mmocr_vlp configs/textdet/dbnet/dbnet_resnet50-oclip-vlp-tiny_fpnc_synth-cpu.py
#   mim test mmocr_vlp configs/textdet/dbnet/dbnet_resnet50-oclip-vlp-tiny_fpnc_synth-cpu.py \
#       --checkpoint work_dirs/dbnet_resnet50-oclip-vlp-tiny_fpnc_synth-cpu/epoch_2.pth
_base_ = [
    'mmocr::textdet/dbnet/dbnet_resnet50-oclip_1200e_icdar2015.py',
    '../../_base_/datasets/synth.py',
    '../../_base_/datasets/icdar2015_toy.py',
]

custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

# The one variable to change (None = random init, the from-scratch arm).
oclip_ckpt = 'work_dirs/oclip_resnet-tiny_synth-cpu/backbone_clipresnet.pth'

model = dict(
    backbone=dict(
        type='CLIPResNet',
        base_channels=16,
        init_cfg=dict(type='Pretrained', checkpoint=oclip_ckpt)
        if oclip_ckpt else None),
    neck=dict(in_channels=[64, 128, 256, 512], lateral_channels=64,
              out_channels=16),
    det_head=dict(in_channels=64))

input_size = 320
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True,
         with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=True),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='Pad', size=(input_size, input_size)),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape'))
]
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(input_size, input_size), keep_ratio=True),
    dict(type='LoadOCRAnnotations', with_polygon=True, with_bbox=True,
         with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(type='PackTextDetInputs',
         meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

synth_det_train = _base_.synth_det_train
synth_det_train.pipeline = train_pipeline
synth_det_val = _base_.synth_det_val
synth_det_val.pipeline = test_pipeline
synth_det_test = _base_.synth_det_test
synth_det_test.pipeline = test_pipeline
# Real images: evaluate with `--cfg-options test_dataloader.dataset=...`
# or the transfer study (benchmarks/oclip_transfer_study.py).
icdar2015_toy_det_test = _base_.icdar2015_toy_det_test
icdar2015_toy_det_test.pipeline = test_pipeline

train_dataloader = dict(
    _delete_=True,
    batch_size=4,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=synth_det_train)
val_dataloader = dict(
    _delete_=True,
    batch_size=1,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=synth_det_val)
test_dataloader = dict(val_dataloader, dataset=synth_det_test)
val_evaluator = dict(type='HmeanIOUMetric')
test_evaluator = val_evaluator

max_epochs = 2
optim_wrapper = dict(
    _delete_=True, type='OptimWrapper',
    optimizer=dict(type='Adam', lr=1e-3))
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-6, by_epoch=True, begin=0,
         end=max_epochs)
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs)
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=10),
    checkpoint=dict(type='CheckpointHook', interval=max_epochs))
auto_scale_lr = dict(base_batch_size=4)
