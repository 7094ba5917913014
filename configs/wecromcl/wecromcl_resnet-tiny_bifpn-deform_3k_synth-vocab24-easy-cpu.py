# WeCromCL on CPU, the regime where it localises within the 30-minute CPU
# budget: wecromcl_resnet-tiny_bifpn-deform_4k_synth-vocab24-cpu.py on data/synth_vocab24_easy
# (same 24 words and layout, but ONE font, lower case and plain backgrounds).
# Measured (docs/wecromcl.md, "Session 4"; benchmarks/results/
# wecromcl_study_vocab24_easy.md): 3000 iterations x batch 16 = ~24 CPU-min
# on one core of the shared machine, held-out pseudo-label F 0.974 with 89.5 %
# of the anchors inside their own word (untrained: 0.395 / 31 %).
# Reading 24 words across 31 fonts, 3 letter cases and cluttered textures is
# what a from-scratch CPU model cannot learn in minutes (docs/wecromcl.md,
# "Localising on CPU"); with the appearance variety removed, what is left is
# WeCromCL's own problem: find, from transcriptions alone, where each word is.
# Render (15 s on one core):
#   python tools/render_synth.py --out data/synth_vocab24_easy --train 2000 \
#     --val 100 --test 100 --size 160 \
#     --word-list mmocr_vlp/datasets/synth/assets/words_tiny.txt \
#     --word-sources dict=1 --min-words 2 --max-words 4 \
#     --font-size 0.12,0.2 --curved 0 --multiword 0 --rotation=-10,10 \
#     --views full,textonly,points --seed 0 \
#     --clean --fonts DejaVuSans-Bold.ttf --case lower=1
_base_ = ['wecromcl_resnet-tiny_bifpn-deform_4k_synth-vocab24-cpu.py']

data_root = 'data/synth_vocab24_easy'

train_pipeline = [
    dict(t, ann_file=data_root + '/train_textonly.json')
    if t['type'] == 'SampleNegativeTexts' else t
    for t in _base_.train_pipeline
]
# Batch 16, the paper's pre-training batch: at batch 8 the aggregated
# features of all (image, word) pairs settle in one shared direction for
# 1000+ iterations before the image side starts reading (docs/wecromcl.md,
# "Session 4").
train_dataloader = dict(
    batch_size=16,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root))

# What a from-scratch CPU run needs (docs/wecromcl.md, "Session 3" and
# "Session 4"):
# - PyTorch's default conv init for the ResNet instead of mmdet's (Kaiming
#   fan-out with the last BN of every block zeroed), which keeps a
#   supervised reader at chance for 500+ iterations
#   (studies/results/reading_probe.md); an explicit init_cfg turns
#   mmdet's default off;
# - the text encoder locked (text_warmup_iters) so that the words' features
#   cannot collapse onto one vector while the image side cannot read;
# - the paper loss only: with locked text, the localisation term is solved
#   by a query-only shortcut;
# - ResNet-18 at half width (base 32);
# - cosine similarity in the activation map (Eq. 4) with a learnable scale
#   (init 10): with the paper's scaled dot product, the maps sharpen onto a
#   few arbitrary pixels as training grows the feature norms, and learning
#   stalls
#   (studies/results/wecromcl_attention_sharpness.md).
model = dict(
    backbone=dict(
        base_channels=32,
        init_cfg=dict(
            _delete_=True, type='Constant', val=1, layer='_BatchNorm')),
    neck=dict(in_channels=[64, 128, 256]),
    head=dict(sim='cosine', init_cosine_scale=10.0),
    loss=dict(local_weight=0.0),
    text_warmup_iters=3000)

max_iters = 3000
train_cfg = dict(max_iters=max_iters, val_interval=1000)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0, end=50),
    dict(type='PolyLR', power=0.9, eta_min=1e-6, begin=50, end=max_iters,
         by_epoch=False)
]
auto_scale_lr = dict(base_batch_size=16)
