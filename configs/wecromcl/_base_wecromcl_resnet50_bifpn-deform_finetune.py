# WeCromCL per-dataset fine-tuning (supp. Sec. 2): 80k iterations, batch 4,
# SGD lr 1e-4, poly; short side 640-896 with the long side <= 1280, padded
# to a multiple of 32; starts from the SynthText pre-training.
_base_ = ['_base_wecromcl_resnet50_bifpn-deform.py']

load_from = ('work_dirs/wecromcl_resnet50_bifpn-deform_200k_synthtext/'
             'iter_200000.pth')

data_root = None  # set by the dataset config
train_ann = 'textspotting_train.json'
test_ann = 'textspotting_test.json'

optim_wrapper = dict(optimizer=dict(lr=1e-4))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=80000,
                 val_interval=5000)
param_scheduler = [
    dict(type='PolyLR', power=0.9, eta_min=1e-8, begin=0, end=80000,
         by_epoch=False)
]
default_hooks = dict(checkpoint=dict(interval=5000))

# Pipelines and loaders shared by the per-dataset configs, which set
# `data_root`, the negatives' vocabulary file and the test (pseudo-labelling)
# resize: short side 640-896 with the long side <= 1280 for training.
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
    dict(type='ResizePad', short_side=(640, 896), max_long_side=1280,
         pad=False, size_divisor=32),
    # ann_file: the dataset's training vocabulary (set per dataset)
    dict(type='SampleNegativeTexts', n_aug=16, ann_file=None),
    dict(type='PackVLPInputs', meta_keys={{_base_.meta_keys}}),
]
test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    # scale: the supplement's pseudo-labelling size (set per dataset)
    dict(type='ResizePad', scale=(1280, 1280), pad=False, size_divisor=32),
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
        ann_file=train_ann,
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
        ann_file=test_ann,
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
