# WeCromCL pre-training on SynthText (supp. Sec. 2): 200k iterations,
# batch 16 (one GPU, as the official code), 640x640 input, SGD lr 1e-3,
# momentum 0.9, wd 1e-5 (released code; the supplement says 1e-4), poly
# decay. Data: mmocr dataset-preparer layout (texts only are
# used; locations, if present, are ignored by training and used by
# validation).
_base_ = ['_base_wecromcl_resnet50_bifpn-deform.py']

data_root = '{{$MMOCR_VLP_DATA:data}}/synthtext'
train_ann = 'textspotting_train.json'

train_dataloader = dict(
    batch_size=16,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file=train_ann,
        data_prefix=dict(img_path=''),
        on_error='skip',
        pipeline={{_base_.train_pipeline}}))

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
