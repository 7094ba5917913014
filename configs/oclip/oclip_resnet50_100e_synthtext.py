# oCLIP pre-training, paper settings: RN50, 512x512, SynthText, 100 epochs,
# batch 640 = 8 GPUs x 80 images, AdamW lr 1e-4 cosine.
#   mim train mmocr_vlp configs/oclip/oclip_resnet50_100e_synthtext.py \
#       --launcher pytorch --gpus 8
# Data: data/synthtext/train_textonly.json (OCRDataset JSON with texts only,
# see docs/oclip.md) and the images under data/synthtext/.
_base_ = [
    '../_base_/default_runtime.py',
    '_base_oclip_resnet50.py',
    '_base_schedule_adamw_cosine_100e.py',
]

synthtext_data_root = 'data/synthtext'
train_ann_file = 'train_textonly.json'

train_dataset = dict(
    type='WeakTextDataset',
    data_root=synthtext_data_root,
    ann_file=train_ann_file,
    data_prefix=dict(img_path=''),
    pipeline={{_base_.train_pipeline}})

train_dataloader = dict(
    batch_size=80,  # per GPU; 8 GPUs -> 640 (paper)
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=train_dataset)
val_dataloader = None
test_dataloader = None
val_evaluator = None
test_evaluator = None

auto_scale_lr = dict(base_batch_size=640)
default_hooks = dict(checkpoint=dict(interval=5))
