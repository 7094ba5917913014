# fcenet: mmocr's own oCLIP config (ICDAR 2015, paper schedule) with the
# backbone swapped for OUR exported oCLIP weights. Pre-train, then:
#   python tools/export_backbone.py work_dirs/oclip_resnet50_100e_synthtext/epoch_100.pth \
#       work_dirs/oclip_resnet50_100e_synthtext/backbone_clipresnet.pth
# (ExportBackboneHook writes the same file at the end of pre-training).
# Override the path with
#   --cfg-options model.backbone.init_cfg.checkpoint=<backbone.pth>
_base_ = ['mmocr::textdet/fcenet/fcenet_resnet50-oclip_fpn_1500e_icdar2015.py']

custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

# mmocr's train pipeline with its torchvision colour jitter
# (TorchVisionWrapper(op='ColorJitter', ...)) swapped for mmocr_vlp's
# ColorJitter: same parameters and augmentation, no torchvision needed.
from mmocr_vlp.utils.pipeline import replace_transform  # noqa: E402

train_pipeline = replace_transform(
    _base_.train_dataloader.dataset.pipeline,
    dict(type='TorchVisionWrapper', op='ColorJitter'), 'ColorJitter')
icdar2015_textdet_train = _base_.icdar2015_textdet_train
icdar2015_textdet_train.pipeline = train_pipeline
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))

# The one variable to change: an mmocr-CLIPResNet-layout backbone file.
oclip_ckpt = 'work_dirs/oclip_resnet50_100e_synthtext/backbone_clipresnet.pth'

model = dict(
    backbone=dict(
        type='CLIPResNet',
        init_cfg=dict(type='Pretrained', checkpoint=oclip_ckpt)))
