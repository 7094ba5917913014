# 10 real ICDAR 2015 test images (CC BY 4.0), converted into data/icdar2015_toy/:
#   mkdir -p data/icdar2015_toy
#   ln -sfn "$PWD/../shared/data/icdar2015_toy/imgs" data/icdar2015_toy/imgs
#   python tools/dataset_converters/icdar2015.py \
#     --ann-dir ../shared/data/icdar2015_toy/annotations \
#     --img-dir data/icdar2015_toy/imgs --data-root data/icdar2015_toy \
#     --out data/icdar2015_toy/textdet_test.json --split test
icdar2015_toy_data_root = '{{$MMOCR_VLP_DATA:data}}/icdar2015_toy'

icdar2015_toy_det_test = dict(
    type='OCRDataset',
    data_root=icdar2015_toy_data_root,
    ann_file='textdet_test.json',
    data_prefix=dict(img_path=''),
    test_mode=True,
    pipeline=None)
icdar2015_toy_weak_test = dict(
    type='WeakTextDataset',
    data_root=icdar2015_toy_data_root,
    ann_file='textdet_test.json',
    data_prefix=dict(img_path=''),
    test_mode=True,
    min_instances=0,
    pipeline=None)
