# PSENet fine-tuned on CPU from OUR oCLIP backbone: mmocr's own oCLIP PSENet
# config with the narrow CLIP ResNet-50 of configs/oclip/*-cpu.py
# (base_channels 16 -> stage widths 64/128/256/512), 320 px inputs, the
# synthetic engine's full-annotation view, evaluated with HmeanIOUMetric.
#   python tools/train.py configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py
#   mim train mmocr_vlp configs/textdet/psenet/psenet_resnet-tiny-oclip-vlp_fpnf_2e_synth-cpu.py
#   mim test mmocr_vlp configs/textdet/psenet/psenet_resnet-tiny-oclip-vlp_fpnf_2e_synth-cpu.py \
#       --checkpoint work_dirs/psenet_resnet-tiny-oclip-vlp_fpnf_2e_synth-cpu/epoch_2.pth
_base_ = [
    'mmocr::textdet/psenet/psenet_resnet50-oclip_fpnf_600e_icdar2015.py',
    '../_base_synth-cpu.py',
]

custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

# The one variable to change (None = the from-scratch arm, `cpu_scratch_init`).
oclip_ckpt = 'work_dirs/oclip_resnet-tiny_4e_synth-cpu/backbone_clipresnet.pth'

model = dict(
    backbone=dict(
        type='CLIPResNet',
        base_channels=16,
        init_cfg=dict(type='Pretrained', checkpoint=oclip_ckpt)
        if oclip_ckpt else _base_.cpu_scratch_init),
    # FPNF's concat fusion is hard-wired to 4 x 256 channels in mmocr, so
    # only the input widths change.
    neck=dict(in_channels=[64, 128, 256, 512]))

train_dataloader = _base_.cpu_train_dataloader
val_dataloader = _base_.cpu_val_dataloader
test_dataloader = _base_.cpu_test_dataloader
val_evaluator = dict(type='HmeanIOUMetric')
test_evaluator = val_evaluator
optim_wrapper = _base_.cpu_optim_wrapper
param_scheduler = _base_.cpu_param_scheduler
train_cfg = _base_.cpu_train_cfg
default_hooks = _base_.cpu_default_hooks
auto_scale_lr = dict(base_batch_size=4)
