# oCLIP pre-training on CPU in minutes: the same model and code paths as the
# paper config with a narrow CLIP ResNet-50 trunk (base_channels 16, still
# mmocr CLIPResNet key layout), 256x256 inputs, small text encoder/decoder,
# on the synthetic engine's transcription-only view (data/synth).
#   mim train mmocr_vlp configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py
# Exports work_dirs/<cfg>/backbone_clipresnet.pth at the end of training.
_base_ = [
    '../_base_/default_runtime.py',
    '../_base_/datasets/synth.py',
    '_base_oclip_resnet50.py',
    '_base_schedule_adamw_cosine_100e.py',
]

img_size = 256
max_words = 16
dictionary = _base_.dictionary

model = dict(
    image_encoder=dict(
        backbone=dict(type='OCLIPResNet', depth=50, base_channels=16),
        input_size=img_size,
        num_heads=8,  # width 512 / 64
        out_dims=128),
    text_encoder=dict(embed_dims=64, num_layers=2, num_heads=4),
    decoder=dict(num_layers=2, num_heads=4))

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='TokenizeTexts', dictionary=dictionary),
    dict(type='SampleWords', max_words=max_words),
    dict(type='MaskCharacters', dictionary=dictionary),
    dict(type='ResizePad', scale=(img_size, img_size), keep_ratio=False),
    dict(type='PackVLPInputs'),
]

train_dataset = _base_.synth_textonly_train
train_dataset.pipeline = train_pipeline

train_dataloader = dict(
    batch_size=8,
    num_workers=0,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=train_dataset)
val_dataloader = None
test_dataloader = None
val_evaluator = None
test_evaluator = None

max_epochs = 4
optim_wrapper = dict(optimizer=dict(lr=1e-3))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=10),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
env_cfg = dict(dist_cfg=dict(backend='gloo'))
default_hooks = dict(
    logger=dict(interval=5),
    checkpoint=dict(interval=max_epochs))
