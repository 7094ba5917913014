# TextBPN with the oCLIP-pretrained CLIPResNet backbone (oCLIP paper's
# transfer rows: Total-Text 89.0/85.3/87.1, CTW1500 TextBPN 84.5 -> oCLIP).
# Set `oclip_ckpt` to the exported backbone (tools/export_backbone.py);
# None keeps the backbone randomly initialised.
_base_ = ['textbpn_resnet50_fpnc_660e_ctw1500.py']

oclip_ckpt = None

model = dict(
    backbone=dict(
        _delete_=True,
        type='CLIPResNet',
        init_cfg=None if oclip_ckpt is None else dict(
            type='Pretrained', checkpoint=oclip_ckpt)))
