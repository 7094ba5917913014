# SRSTS-A fine-tuned on ctw1500 with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 576.
_base_ = ['_base_srsts-a_resnet50_deform_finetune.py']

data_root = 'data/ctw1500'

test_pipeline = _base_.test_pipeline
test_pipeline[1]['scale'] = (4000, 576)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
# CTW1500: None / Full lexicon.
lexicon_root = data_root + '/lexicons'
lexicons = [
    dict(lexicon_type=None),
    dict(lexicon_type='full', path=lexicon_root + '/full.txt',
         pair_path=lexicon_root + '/full_pair_list.txt'),
]
val_evaluator = [
    dict(type='SPTSPointMetric', lexicons=lexicons),
    dict(type='EditDistanceSpottingMetric', lexicons=lexicons),
]
test_evaluator = val_evaluator
# Line-level text: 20,000 fine-tuning iterations from a checkpoint further
# trained for 100,000 iterations on line-level SynthText pseudo points
# (supp. Sec. 2). That intermediate stage is the pre-training config with
# the SynthText line-level pseudo-label file and max_iters=100000 (not
# shipped as a separate file); lines longer than K=25 characters cannot be
# read by CTC over 25 points (DeepSolo uses 50 points for CTW1500: set
# sampler.num_points=50 and dictionary max_len=50 in all three stages).
load_from = 'work_dirs/srsts-a_resnet50_deform_425k_pretrain-mix-lines/iter_100000.pth'
train_cfg = dict(max_iters=20000, val_interval=2000)
