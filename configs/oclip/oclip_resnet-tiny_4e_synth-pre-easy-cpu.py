# oCLIP pre-training on CPU for the miniature Table 3/4
# (studies/oclip_transfer_study.py): the CPU config on a larger
# transcription-only pool that a from-scratch model can learn to read in
# CPU-minutes — 4000 images, ONE font, lower case, plain backgrounds, words
# from the bundled 2420-word list. The detectors are then fine-tuned on the
# harder data/synth (31 fonts, clutter, curved text): a synthetic-to-harder
# domain shift, like the paper's SynthText -> Total-Text.
# Render (~40 s on one core):
#   python tools/render_synth.py --out data/synth_pre_easy --train 4000 \
#     --val 40 --test 40 --size 256 --seed 7 --views textonly,partial25,full \
#     --fonts DejaVuSans-Bold.ttf --case lower=1 --clean --word-sources dict=1 \
#     --min-words 2 --max-words 5 --curved 0 --multiword 0 \
#     --rotation=-15,15 --font-size 0.08,0.15
_base_ = ['oclip_resnet-tiny_4e_synth-cpu.py']

data_root = 'data/synth_pre_easy'

# What a from-scratch CPU run needs (measured for WeCromCL, docs/wecromcl.md
# "Session 3"/"Session 4", and for the CPU DBNet, docs/oclip.md "Session 5"):
# PyTorch's default conv init instead of mmdet's Kaiming fan-out (an
# explicit init_cfg turns mmdet's default off), and batch 16 instead of 8.
model = dict(
    image_encoder=dict(
        backbone=dict(
            init_cfg=dict(type='Constant', val=1, layer='_BatchNorm'))))

train_dataloader = dict(batch_size=16, dataset=dict(data_root=data_root))

max_epochs = 4
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=False, begin=0,
         end=50),
    dict(type='CosineAnnealingLR', T_max=max_epochs, eta_min=1e-5,
         by_epoch=True, begin=0, end=max_epochs, convert_to_iter_based=True),
]
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
default_hooks = dict(checkpoint=dict(interval=1))
