# Partial-annotation study (paper Table 5): each image keeps a fixed 25% of
# its words (the same subset every epoch). 100% is oclip_resnet50_100e_synthtext.
_base_ = ['oclip_resnet50_100e_synthtext.py']

train_dataloader = dict(dataset=dict(ann_file='train_partial25.json'))
