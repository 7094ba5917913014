# CPU partial-annotation variant: a fixed 25% of each image's words.
_base_ = ['oclip_resnet-tiny_4e_synth-cpu.py']

train_dataloader = dict(dataset=dict(ann_file='train_partial25.json'))
