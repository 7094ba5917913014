# WeCromCL per-dataset fine-tuning (supp. Sec. 2): 80k iterations, batch 4,
# SGD lr 1e-4, poly; short side 640-896 with the long side <= 1280, padded
# to a multiple of 32; starts from the SynthText pre-training.
_base_ = ['_base_wecromcl_r50-bifpn-deform.py']

load_from = ('work_dirs/wecromcl_r50-bifpn-deform_200k_synthtext/'
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

# Train pipeline: long side <= 1280 and short side in [640, 896] - fit
# into 1280x896 with a 0.714 (= 640 / 896) scale jitter; written out in
# each dataset config (negatives need the dataset's own vocabulary).
