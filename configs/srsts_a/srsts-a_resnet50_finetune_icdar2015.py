# SRSTS-A fine-tuned on icdar2015 with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 864.
_base_ = ['_base_srsts-a_resnet50_finetune.py']

data_root = 'data/icdar2015'

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
# ICDAR 2015 lexicons (Strong / Weak / Generic), paths in the SPTS layout.
lexicon_root = data_root + '/lexicons'
lexicons = [
    dict(lexicon_type=None),
    dict(lexicon_type='strong', path=lexicon_root + '/strong',
         pair_path=lexicon_root + '/strong_pairs'),
    dict(lexicon_type='weak', path=lexicon_root + '/weak.txt',
         pair_path=lexicon_root + '/weak_pair_list.txt'),
    dict(lexicon_type='generic', path=lexicon_root + '/generic.txt',
         pair_path=lexicon_root + '/generic_pair_list.txt',
         always_replace=True),
]
val_evaluator = [
    dict(type='SPTSPointMetric', lexicons=lexicons),
    dict(type='EditDistanceSpottingMetric', lexicons=lexicons),
]
test_evaluator = val_evaluator
