# WeCromCL fine-tuned on icdar2013 (supp. Sec. 2). Pseudo-labelling input:
# long side 1152.
_base_ = ['_base_wecromcl_resnet50_bifpn-deform_finetune.py']

data_root = 'data/icdar2013'

train_pipeline = _base_.train_pipeline
train_pipeline[-2]['ann_file'] = data_root + '/textspotting_train.json'
test_pipeline = _base_.test_pipeline
test_pipeline[1]['scale'] = (1152, 1152)

train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
