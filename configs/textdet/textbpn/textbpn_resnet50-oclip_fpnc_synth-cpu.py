# The CPU synth config with mmocr's CLIPResNet backbone (ResNet-50 sized,
# slow on CPU): the oCLIP transfer study's TextBPN arm. Set `oclip_ckpt` to
# the exported oCLIP backbone (work_dirs/.../backbone_clipresnet.pth);
# None = random init (the no-pre-training baseline of the same network).
_base_ = ['textbpn_resnet18_fpnc_synth-cpu.py']

oclip_ckpt = None

model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPResNet',
        init_cfg=None if oclip_ckpt is None else dict(
            type='Pretrained', checkpoint=oclip_ckpt)),
    neck=dict(in_channels=[256, 512, 1024, 2048]))
