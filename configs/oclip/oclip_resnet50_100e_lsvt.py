# oCLIP pre-training on ICDAR2019-LSVT weak labels (transcriptions only).
# The dictionary is built from the training labels (VLPDictionary.from_texts,
# saved to data/lsvt/dict.txt); words shorter than 2 characters are dropped
# (min_len=2, as the official recipe); the text encoder is 384 wide.
_base_ = ['oclip_resnet50_100e_synthtext.py']

dictionary = dict(
    type='VLPDictionary', dict_file='{{$MMOCR_VLP_DATA:data}}/lsvt/dict.txt',
    case='keep',
    max_len=24, min_len=2, oov='drop', overlong='truncate')

model = dict(
    dictionary=dictionary,
    text_encoder=dict(embed_dims=384, num_layers=6, num_heads=8))

train_pipeline = [
    dict(type='SafeLoadImageFromFile', color_type='color_ignore_orientation'),
    dict(type='LoadWeakAnnotations', with_polygon=False, with_bbox=False,
         with_point=False, drop_ignored=True),
    dict(type='TokenizeTexts', dictionary=dictionary),
    dict(type='SampleWords', max_words={{_base_.max_words}}),
    dict(type='MaskCharacters', dictionary=dictionary),
    dict(type='ResizePad', scale=(512, 512), keep_ratio=False),
    dict(type='PackVLPInputs'),
]
train_dataloader = dict(
    dataset=dict(
        data_root='{{$MMOCR_VLP_DATA:data}}/lsvt', ann_file='train_weak.json',
        dictionary=dictionary, pipeline=train_pipeline))
