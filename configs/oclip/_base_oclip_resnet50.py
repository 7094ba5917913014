# oCLIP model + weak-annotation pipeline (paper settings, RN50 at 512x512).
# Concrete configs override sizes; code paths never differ (CPU vs paper).
# The model computes the official oCLIP function (docs/oclip.md,
# "Differences from the official code"): every option below that differs
# from a class default is set to the official behaviour.
img_size = 512
max_words = 32  # words sampled per image (oCLIP: up to 32)

# SynthText dictionary of oCLIP: printable ASCII 33-126. The official
# tokens have 25 positions including EOS (a longer word keeps 24 characters
# and EOS), so max_len=24 characters.
dictionary = dict(
    type='VLPDictionary', preset='printable', case='keep', max_len=24,
    oov='drop', overlong='truncate')

model = dict(
    type='OCLIP',
    dictionary=dictionary,
    image_encoder=dict(
        type='CLIPImageEncoder',
        # PyTorch's default conv init, BatchNorm trained (norm_eval=False)
        # and every bottleneck's last BN zero (zero_init_residual).
        backbone=dict(
            type='OCLIPResNet', depth=50, base_channels=64, norm_eval=False,
            init_cfg=dict(type='Constant', val=1, layer='_BatchNorm')),
        input_size=img_size,
        num_heads=32,  # width 2048 / 64
        out_dims=384,
        # Speed only (same outputs): the trunk runs in channels_last.
        channels_last=True),
    # Character-aware text encoder (Eq. 1): width 64, 6 layers, 8 heads,
    # feature at EOS projected to 384 (num_tokens / max_len / pad / eos and
    # out_dims are filled in from the dictionary and the image encoder).
    # Official: CLIP's causal mask, QuickGELU, no padding mask, a learned
    # PAD row, empty slots encoded, CLIP init.
    text_encoder=dict(
        type='CharTextEncoder', embed_dims=64, num_layers=6, num_heads=8,
        pooling='eos', causal=True, activation='quick_gelu',
        key_padding_mask=False, learnable_pad=True, zero_empty=False,
        clip_init=True),
    # Visual-textual decoder: 6 cross-attention layers, 8 heads, width 384.
    decoder=dict(type='VisualTextualDecoder', num_layers=6, num_heads=8),
    # Eq. 4 sums both directions; the official code takes their mean
    # (loss_weight=0.5), does not clamp the logit scale and gathers the
    # other GPUs' embeddings without gradient (gather_grad=False).
    loss_contrastive=dict(
        type='SymmetricContrastiveLoss', loss_weight=0.5,
        max_logit_scale=None, gather_grad=False),
    loss_cls_weight=1.0,
    contrastive_tokens='masked',
    # Eq. 3 text embedding = mean over 32 word slots, empty ones included.
    num_word_slots=32,
    data_preprocessor=dict(
        type='TextDetDataPreprocessor',
        # CLIP's normalisation constants (x 255).
        mean=[122.7709383, 116.7460125, 104.09373615],
        std=[68.5005327, 66.6321579, 70.32316305],
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
