# WeCromCL on CPU, easiest localisation regime: the tiny model of
# wecromcl_resnet-tiny_bifpn-deform_2k_synth-vocab-cpu.py on data/synth_vocab24 (24-word
# vocabulary, 2-4 straight words per 160x160 image, each word in ~250 of
# the 2000 training images). Render (10 s on one core):
#   python tools/render_synth.py --out data/synth_vocab24 --train 2000 \
#     --val 100 --test 100 --size 160 \
#     --word-list mmocr_vlp/datasets/synth/assets/words_tiny.txt \
#     --word-sources dict=1 --min-words 2 --max-words 4 \
#     --font-size 0.12,0.2 --curved 0 --multiword 0 --rotation=-10,10 \
#     --views full,textonly,points --seed 0
# Budget: 30 CPU-minutes (4000 iterations x batch 8 on one core). Results
# and what they show: docs/wecromcl.md, "Localising on CPU".
_base_ = ['wecromcl_resnet-tiny_bifpn-deform_2k_synth-vocab-cpu.py']

img_size = 160
data_root = 'data/synth_vocab24'

# The vocab config's pipelines with this set's size and vocabulary.
train_pipeline = [
    dict(t, scale=(img_size, img_size)) if t['type'] == 'ResizePad' else
    dict(t, ann_file=data_root + '/train_textonly.json')
    if t['type'] == 'SampleNegativeTexts' else t
    for t in _base_.train_pipeline
]
test_pipeline = [
    dict(t, scale=(img_size, img_size)) if t['type'] == 'ResizePad' else t
    for t in _base_.test_pipeline
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=test_pipeline))

max_iters = 4000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, begin=50, end=max_iters,
         by_epoch=False)
]
default_hooks = dict(
    checkpoint=dict(interval=1000, max_keep_ckpts=1,
                    save_best='pseudo_label/hmean', rule='greater'))
