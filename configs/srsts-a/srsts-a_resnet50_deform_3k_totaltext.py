# SRSTS-A fine-tuned on totaltext with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 1440.
_base_ = ['_base_srsts-a_resnet50_deform_finetune.py']

data_root = 'data/totaltext'

test_pipeline = _base_.test_pipeline
test_pipeline[1]['scale'] = (4000, 1440)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
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
