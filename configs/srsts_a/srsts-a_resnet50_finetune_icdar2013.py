# SRSTS-A fine-tuned on icdar2013 with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 864.
_base_ = ['_base_srsts-a_resnet50_finetune.py']

data_root = 'data/icdar2013'

test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(4000, 864), keep_ratio=True),
    dict(type='LoadWeakAnnotations', with_point=True),
    dict(type='PackVLPInputs'),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file={{_base_.pseudo_ann}},
        data_prefix=dict(img_path=''),
        on_error='skip',
        pipeline={{_base_.train_pipeline}}))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file={{_base_.test_ann}},
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline=test_pipeline))
test_dataloader = val_dataloader

