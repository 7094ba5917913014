# SRSTS-A on CPU trained on WeCromCL pseudo points for the synthetic
# training split instead of its GT points (transcription-only supervision
# end to end). Produce the file with WeCromCL's CPU config, e.g.
#   python tools/generate_pseudo_labels.py \
#       configs/wecromcl/wecromcl_resnet-tiny_bifpn-deform_2k_synth-cpu.py CKPT \
#       --ann data/synth/train_textonly.json \
#       --out data/synth/train_pseudo_wecromcl.json
# or override: --cfg-options train_dataloader.dataset.ann_file=PATH
_base_ = ['srsts-a_resnet-tiny_deform_1500it_synth-points-cpu.py']

pseudo_ann = 'train_pseudo_wecromcl.json'  # relative to data/synth
train_dataloader = dict(dataset=dict(ann_file=pseudo_ann))
