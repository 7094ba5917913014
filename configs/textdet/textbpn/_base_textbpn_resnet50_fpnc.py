# TextBPN (Zhang et al., ICCV 2021) in mmocr's textdet structure:
# ResNet-50 -> FPNC (stride-4 fused feature) -> TextBPNHead (boundary
# proposal maps + 3x adaptive boundary deformation, 20 control points).
# (default_scope / custom_imports come from the runtime or the leaf config)
model = dict(
    type='SingleStageTextDetector',
    backbone=dict(
        type='mmdet.ResNet',
        depth=50,
        num_stages=4,
        out_indices=(0, 1, 2, 3),
        frozen_stages=-1,
        norm_cfg=dict(type='BN', requires_grad=True),
        norm_eval=False,
        style='pytorch',
        # ImageNet init as in the paper (needs torchvision's model zoo);
        # set init_cfg=None for random init.
        init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')),
    neck=dict(
        type='FPNC',
        in_channels=[256, 512, 1024, 2048],
        lateral_channels=256,
        out_channels=64),
    det_head=dict(
        type='TextBPNHead',
        in_channels=256,
        feat_channels=32,
        in_stride=4,
        upsample_ratio=4,  # maps at full resolution, as the official code
        num_points=20,
        deformation=dict(
            type='AdaptiveBoundaryDeformation',
            num_iters=3,
            with_rel_pos=True,
            clip_dis=16.,
            encoder_cfg=dict(
                state_dim=128, gcn_dims=(256, 1024, 512), num_neighbors=4)),
        dis_thr=0.3,
        cls_thr=0.8,
        min_area=150,
        module_loss=dict(
            type='TextBPNModuleLoss',
            negative_ratio=3.,
            weight_dis=3.,
            weight_point=0.05,
            shrink_thr=0.4,
            jitter=0.8),
        postprocessor=dict(type='TextBPNPostprocessor', text_repr_type='poly')),
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32))

# Official augmentation: random rescale (3/4 - 5/2), crop-flip, random
# resized crop, rotation up to 60 degrees, 640x640 resize, mirror.
train_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(
        type='LoadOCRAnnotations',
        with_polygon=True,
        with_bbox=True,
        with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(
        type='RandomResize',
        scale=(640, 640),
        ratio_range=(0.75, 2.5),
        keep_ratio=True,
        resize_type='Resize'),
    dict(type='TextDetRandomCropFlip', crop_ratio=0.5, iter_num=1,
         min_area_ratio=0.2),
    dict(
        type='RandomApply',
        transforms=[dict(type='RandomCrop', min_side_ratio=0.3)],
        prob=0.8),
    dict(
        type='RandomRotate',
        max_angle=60,
        pad_with_fixed_color=False,
        use_canvas=True),
    dict(type='Resize', scale=(640, 640), keep_ratio=False),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(
        type='PackTextDetInputs',
        meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]

# Test size [640, 1024] (short side >= 640, long side <= 1024).
test_pipeline = [
    dict(type='LoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='Resize', scale=(1024, 640), keep_ratio=True),
    dict(
        type='LoadOCRAnnotations',
        with_polygon=True,
        with_bbox=True,
        with_label=True),
    dict(type='FixInvalidPolygon'),
    dict(
        type='PackTextDetInputs',
        meta_keys=('img_path', 'ori_shape', 'img_shape', 'scale_factor'))
]
