# SRSTS-A fine-tuned on totaltext with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 1440.
_base_ = ['_base_srsts-a_resnet50_finetune.py']

data_root = 'data/totaltext'

test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(4000, 1440), keep_ratio=True),
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
# Total-Text: None / Full lexicon with the word-spotting filter.
lexicon_root = data_root + '/lexicons'
lexicons = [
    dict(lexicon_type=None),
    dict(lexicon_type='full', path=lexicon_root + '/full.txt',
         pair_path=lexicon_root + '/full_pair_list.txt'),
]
val_evaluator = [
    dict(type='SPTSPointMetric', word_spotting_filter=True,
         lexicons=lexicons),
    dict(type='EditDistanceSpottingMetric', word_spotting_filter=True,
         lexicons=lexicons),
]
test_evaluator = val_evaluator
