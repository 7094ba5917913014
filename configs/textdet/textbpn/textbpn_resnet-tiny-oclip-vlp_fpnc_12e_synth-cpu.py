# The CPU synth config with mmocr's CLIPResNet backbone in the narrow width
# of the oCLIP CPU pre-training config (configs/oclip/oclip_resnet-tiny_4e_synth-cpu.py:
# base_channels 16 -> stage widths 64/128/256/512): the oCLIP transfer
# study's TextBPN arm, next to the DBNet/PSENet/FCENet CPU configs. Set
# `oclip_ckpt` to the exported backbone
# (work_dirs/oclip_resnet-tiny_4e_synth-cpu/backbone_clipresnet.pth);
# None = random init (the no-pre-training baseline of the same network) with
# PyTorch's conv init, as the DBNet/PSENet/FCENet CPU configs
# (`cpu_scratch_init` in ../_base_synth-cpu.py says why).
_base_ = ['textbpn_resnet18_fpnc_12e_synth-cpu.py']

oclip_ckpt = None

model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPResNet',
        base_channels=16,
        init_cfg=dict(type='Constant', val=1, layer='_BatchNorm')
        if oclip_ckpt is None else dict(
            type='Pretrained', checkpoint=oclip_ckpt)),
    neck=dict(in_channels=[64, 128, 256, 512]))
