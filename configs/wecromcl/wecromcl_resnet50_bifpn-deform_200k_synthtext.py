# WeCromCL pre-training on SynthText (supp. Sec. 2): 200k iterations,
# batch 16 (2 GPUs x 8 or 8 x 2), 640x640 input, SGD lr 1e-3, momentum 0.9,
# wd 1e-4, poly decay. Data: mmocr dataset-preparer layout (texts only are
# used; locations, if present, are ignored by training and used by
# validation).
_base_ = ['_base_wecromcl_resnet50_bifpn-deform.py']

data_root = 'data/synthtext'
train_ann = 'textspotting_train.json'

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
    dict(type='SampleNegativeTexts', n_aug=16,
         ann_file=f'{data_root}/{train_ann}'),
    dict(type='PackVLPInputs', meta_keys={{_base_.meta_keys}}),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file=train_ann,
        data_prefix=dict(img_path=''),
        on_error='skip',
        pipeline=train_pipeline))

# A held-out slice with locations measures pseudo-label quality.
val_dataloader = dict(
    batch_size=1,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file='textspotting_val.json',
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader
