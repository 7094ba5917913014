# TextBPN R50 on CTW1500. Paper: F 84.5 (oCLIP paper's baseline row); the
# official release evaluates the epoch-560 checkpoint with dis_thr 0.3,
# cls_thr 0.8 at test size [640, 1024].
_base_ = [
    '_base_textbpn_resnet50_fpnc.py',
    '_base_schedule_adam_660e.py',
    'mmocr::textdet/_base_/datasets/ctw1500.py',
    'mmocr::textdet/_base_/default_runtime.py',
]

default_scope = 'mmocr'
custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

model = dict(det_head=dict(cls_thr=0.8, dis_thr=0.3))

ctw1500_textdet_train = _base_.ctw1500_textdet_train
ctw1500_textdet_train.pipeline = _base_.train_pipeline
ctw1500_textdet_test = _base_.ctw1500_textdet_test
ctw1500_textdet_test.pipeline = _base_.test_pipeline

train_dataloader = dict(
    batch_size=12,
    num_workers=8,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=True),
    dataset=ctw1500_textdet_train)
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=ctw1500_textdet_test)
test_dataloader = val_dataloader

auto_scale_lr = dict(base_batch_size=12)
