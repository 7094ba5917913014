# The smallest CPU regime found in which the official oCLIP code's decoder
# reads the image (docs/oclip.md, "Differential pre-training on CPU"):
# one word per 128x128 image, two random lower-case letters (all 676 pairs
# equally likely, so the masked letter cannot be guessed from the other
# one), one font, large glyphs, plain backgrounds. 4000 images, batch 16,
# 1500 iterations = 6 epochs (~5 min on one core).
# Render (~10 s on one core):
#   python tools/render_synth.py --out data/synth_rand2 --train 4000 \
#     --val 200 --test 40 --size 128 --seed 7 --views textonly,full \
#     --fonts DejaVuSans-Bold.ttf --case lower=1 --clean \
#     --word-sources dict=1 \
#     --word-list mmocr_vlp/datasets/synth/assets/letter_pairs.txt \
#     --min-words 1 --max-words 1 --curved 0 --multiword 0 \
#     --rotation=0,0 --font-size 0.25,0.4
_base_ = ['oclip_resnet-tiny_4e_synth-pre-easy-cpu.py']

img_size = 128
data_root = '{{$MMOCR_VLP_DATA:data}}/synth_rand2'

model = dict(image_encoder=dict(input_size=img_size))

# The base pipeline, resized to 128 px.
train_pipeline = [
    dict(t, scale=(img_size, img_size)) if t['type'] == 'ResizePad' else t
    for t in _base_.train_pipeline
]
train_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
test_dataloader = dict(
    dataset=dict(data_root=data_root, pipeline=train_pipeline))

max_epochs = 6
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs + 1)
default_hooks = dict(checkpoint=dict(interval=max_epochs))
