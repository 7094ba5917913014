# SRSTS-A per-benchmark fine-tuning (supp. Sec. 2): starts from the joint
# pre-training, 3,000 iterations on the benchmark's training set with its
# WeCromCL pseudo points (CTW1500: 20,000), DeepSolo's fine-tuning learning
# rates (1e-5, backbone 1e-6), batch 8. The dataset configs set `data_root`
# and the test size (the shorter side from the paper).
_base_ = ['_base_srsts-a_resnet50_deform.py']

load_from = 'work_dirs/srsts-a_resnet50_deform_425k_pretrain-mix/iter_425000.pth'

pseudo_ann = 'textspotting_train_pseudo.json'
test_ann = 'textspotting_test.json'
data_root = None  # set by the dataset config

# Loaders shared by the per-dataset configs, which set `data_root`, the test
# size (`test_pipeline[1]['scale']`) and the lexicons.
train_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type='WeakTextDataset',
        data_root=data_root,
        ann_file=pseudo_ann,
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
        ann_file=test_ann,
        data_prefix=dict(img_path=''),
        test_mode=True,
        min_instances=0,
        pipeline={{_base_.test_pipeline}}))
test_dataloader = val_dataloader

optim_wrapper = dict(optimizer=dict(lr=1e-5))
train_cfg = dict(type='IterBasedTrainLoop', max_iters=3000,
                 val_interval=1000)
param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False)]
default_hooks = dict(
    logger=dict(type='LoggerHook', interval=50),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000,
                    max_keep_ckpts=3, save_last=True))
auto_scale_lr = dict(base_batch_size=8)
