# Official TextBPN fine-tuning: Adam lr 1e-3, StepLR(100 epochs, 0.9),
# 660 epochs, batch 12 (scripts/train_Totaltxt.sh, train_CTW1500.sh).
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='Adam', lr=1e-3))
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=660, val_interval=20)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
param_scheduler = [
    dict(type='StepLR', step_size=100, gamma=0.9, by_epoch=True),
]
