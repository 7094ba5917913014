# SRSTS-A fine-tuned on icdar2013 with WeCromCL pseudo points (supp. Sec. 2);
# test: shorter side resized to 864.
_base_ = ['_base_srsts-a_resnet50_deform_finetune.py']

data_root = 'data/icdar2013'

test_pipeline = _base_.test_pipeline
test_pipeline[1]['scale'] = (4000, 864)
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
