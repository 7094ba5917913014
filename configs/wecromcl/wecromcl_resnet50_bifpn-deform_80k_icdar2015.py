# WeCromCL fine-tuned on icdar2015 (supp. Sec. 2). Pseudo-labelling input:
# long side 1696.
_base_ = ['_base_wecromcl_resnet50_bifpn-deform_finetune.py']

data_root = '{{$MMOCR_VLP_DATA:data}}/icdar2015'

# Pipelines derived from the base by transform type, not list position;
# training negatives come from the base's fixed English vocabulary.
train_pipeline = _base_.train_pipeline
test_pipeline = [
    dict(t, scale=(1696, 1696)) if t['type'] == 'ResizePad' else t
    for t in _base_.test_pipeline
]

train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader
