# The embedded default data: the package's synthetic scene-text renderer.
# Render it with `python tools/render_synth.py --out data/synth` (make demo does).
# Every view is the same OCRDataset JSON (docs/architecture.md):
#   <split>_full.json       polygons + texts + points (+ per-character boxes)
#   <split>_textonly.json   transcriptions only
#   <split>_partial<P>.json P% of each image's transcriptions (P = 25, 50, 75)
#   <split>_points.json     one point + transcription per word
synth_data_root = '{{$MMOCR_VLP_DATA:data}}/synth'

# Weakly annotated sets (WeakTextDataset) for oCLIP / WeCromCL / SRSTS-A.
synth_textonly_train = dict(
    type='WeakTextDataset',
    data_root=synth_data_root,
    ann_file='train_textonly.json',
    data_prefix=dict(img_path=''),
    pipeline=None)
synth_partial25_train = dict(synth_textonly_train, ann_file='train_partial25.json')
synth_partial50_train = dict(synth_textonly_train, ann_file='train_partial50.json')
synth_partial75_train = dict(synth_textonly_train, ann_file='train_partial75.json')
synth_points_train = dict(synth_textonly_train, ann_file='train_points.json')
synth_full_train = dict(synth_textonly_train, ann_file='train_full.json')
synth_full_val = dict(
    synth_textonly_train, ann_file='val_full.json', test_mode=True,
    min_instances=0)
synth_full_test = dict(
    synth_textonly_train, ann_file='test_full.json', test_mode=True,
    min_instances=0)

# Fully annotated sets in mmocr's own OCRDataset, for mmocr text detectors.
synth_det_train = dict(
    type='OCRDataset',
    data_root=synth_data_root,
    ann_file='train_full.json',
    data_prefix=dict(img_path=''),
    filter_cfg=dict(filter_empty_gt=True, min_size=8),
    pipeline=None)
synth_det_val = dict(
    type='OCRDataset',
    data_root=synth_data_root,
    ann_file='val_full.json',
    data_prefix=dict(img_path=''),
    test_mode=True,
    pipeline=None)
synth_det_test = dict(synth_det_val, ann_file='test_full.json')
