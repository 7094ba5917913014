# fcenet: mmocr's own oCLIP config (ICDAR 2015, paper schedule) with the
# backbone swapped for OUR exported oCLIP weights. Pre-train, then:
#   python tools/export_backbone.py work_dirs/oclip_resnet50_100e_synthtext/epoch_100.pth \
#       work_dirs/oclip_resnet50_100e_synthtext/backbone_clipresnet.pth
# (ExportBackboneHook writes the same file at the end of pre-training).
# Override the path with
#   --cfg-options model.backbone.init_cfg.checkpoint=<backbone.pth>
_base_ = ['mmocr::textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py']

custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

# The one variable to change: an mmocr-CLIPResNet-layout backbone file.
oclip_ckpt = 'work_dirs/oclip_resnet50_100e_synthtext/backbone_clipresnet.pth'

model = dict(
    backbone=dict(
        type='CLIPResNet',
        init_cfg=dict(type='Pretrained', checkpoint=oclip_ckpt)))
