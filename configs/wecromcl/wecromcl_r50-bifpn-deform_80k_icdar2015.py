# WeCromCL fine-tuned on icdar2015 (supp. Sec. 2). Pseudo-labelling input:
# long side 1696.
_base_ = ['_base_wecromcl_finetune.py']

data_root = 'data/icdar2015'

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
    # Short side 640-896, long side <= 1280 (WeCromCL supplement).
    dict(type='ResizePad', short_side=(640, 896), max_long_side=1280,
         pad=False, size_divisor=32),
    dict(type='SampleNegativeTexts', n_aug=16,
         ann_file='data/icdar2015/textspotting_train.json'),
    dict(type='PackVLPInputs', meta_keys={{_base_.meta_keys}}),
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='ResizePad', scale=(1696, 1696), pad=False, size_divisor=32),
    dict(type='LoadWeakAnnotations'),
    dict(type='PackVLPInputs'),
]

train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file='textspotting_train.json',
        data_prefix=dict(img_path=''),
        on_error='skip',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file='textspotting_test.json',
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
