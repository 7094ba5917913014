# SRSTS-A joint pre-training (supp. Sec. 2): Curved Synthetic 150k, ICDAR
# 2017 MLT, ICDAR 2013, ICDAR 2015 and Total-Text, every image supervised by
# WeCromCL pseudo points (`tools/generate_pseudo_labels.py` writes them in
# the OCRDataset schema with `point`/`point_score`/`point_source`), 425k
# iterations, batch 8 (DeepSolo), Adam lr 1e-4 (backbone 1e-5), lr x0.1 at
# DeepSolo's step (320k; the paper gives no step). Evaluated on the
# Total-Text test set like DeepSolo's pre-training.
_base_ = ['_base_srsts-a_resnet50_deform.py']

# The pseudo-label file name inside each dataset folder (mmocr layout:
# data/<dataset>/textspotting_train.json holds the GT; the pseudo labels
# sit next to it). Point this to the GT file to train on GT points.
pseudo_ann = 'textspotting_train_pseudo.json'
pretrain_sets = [
    ('data/syntext150k', pseudo_ann),
    ('data/mlt2017', pseudo_ann),
    ('data/icdar2013', pseudo_ann),
    ('data/icdar2015', pseudo_ann),
    ('data/totaltext', pseudo_ann),
]

train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='ConcatDataset',
        datasets=[
            dict(
                type='WeakTextDataset',
                data_root=root,
                ann_file=ann,
                data_prefix=dict(img_path=''),
                on_error='skip',
                pipeline={{_base_.train_pipeline}})
            for root, ann in pretrain_sets
        ]))

test_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(4000, 1440), keep_ratio=True),
    dict(type='LoadWeakAnnotations', with_point=True),
    dict(type='PackVLPInputs'),
]
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='WeakTextDataset',
        data_root='data/totaltext',
        ann_file='textspotting_test.json',
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = [
    dict(type='SPTSPointMetric', word_spotting_filter=True),
    dict(type='EditDistanceSpottingMetric', word_spotting_filter=True),
]
test_evaluator = val_evaluator

train_cfg = dict(type='IterBasedTrainLoop', max_iters=425000,
                 val_interval=10000)
param_scheduler = [
    dict(type='MultiStepLR', milestones=[320000], gamma=0.1, by_epoch=False)
]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=10000,
                    max_keep_ckpts=3, save_last=True))
auto_scale_lr = dict(base_batch_size=8)
