# oCLIP model + weak-annotation pipeline (paper settings, RN50 at 512x512).
# Concrete configs override sizes; code paths never differ (CPU vs paper).
img_size = 512
max_words = 32  # words sampled per image (oCLIP: up to 32)

# SynthText dictionary of oCLIP: printable ASCII 33-126, 25 chars max.
dictionary = dict(
    type='VLPDictionary', preset='printable', case='keep', max_len=25,
    oov='drop', overlong='truncate')

model = dict(
    type='OCLIP',
    dictionary=dictionary,
    image_encoder=dict(
        type='CLIPImageEncoder',
        backbone=dict(type='OCLIPResNet', depth=50, base_channels=64),
        input_size=img_size,
        num_heads=32,  # width 2048 / 64
        out_dims=384,
        # Speed only (same outputs): the trunk runs in channels_last.
        channels_last=True),
    # Character-aware text encoder (Eq. 1): width 64, 6 layers, 8 heads,
    # feature at EOS projected to 384 (num_tokens / max_len / pad / eos and
    # out_dims are filled in from the dictionary and the image encoder).
    text_encoder=dict(
        type='CharTextEncoder', embed_dims=64, num_layers=6, num_heads=8,
        pooling='eos'),
    # Visual-textual decoder: 6 cross-attention layers, 8 heads, width 384.
    decoder=dict(type='VisualTextualDecoder', num_layers=6, num_heads=8),
    # Eq. 4 sums both directions; loss_weight=0.5 reproduces CLIP's mean.
    loss_contrastive=dict(type='SymmetricContrastiveLoss', loss_weight=1.0),
    loss_cls_weight=1.0,
    contrastive_tokens='masked',
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=32))

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='TokenizeTexts', dictionary=dictionary),
    dict(type='SampleWords', max_words=max_words),
    # One random character per word -> <MASK> (oCLIP Sec. 3.1).
    dict(type='MaskCharacters', dictionary=dictionary),
    # "The input images are resized to 512x512" (Sec. 4.2).
    dict(type='ResizePad', scale=(img_size, img_size), keep_ratio=False),
    dict(type='PackVLPInputs'),
]
test_pipeline = train_pipeline

custom_hooks = [
    # Writes work_dir/backbone_clipresnet.pth (mmocr CLIPResNet layout).
    dict(type='ExportBackboneHook'),
]
