# SRSTS-A fine-tuned on icdar2015 with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 864.
_base_ = ['_base_srsts-a_resnet50_deform_finetune.py']

data_root = 'data/icdar2015'

test_pipeline = _base_.test_pipeline
test_pipeline[1]['scale'] = (4000, 864)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
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
