# PyTorch's default initialisation for a from-scratch ResNet backbone
# (mmdet.ResNet, mmocr's CLIPResNet) in the small CPU configs: each conv keeps
# the init it gets at construction (uniform within 1/sqrt(fan_in)) and BN
# gains are 1. An explicit init_cfg is what turns off mmdet's ResNet default
# (Kaiming normal, fan-out), which kept the narrow from-scratch networks of
# the CPU configs at chance far longer (docs/results.md, "Initialisation of
# the CPU configs"). Use it as `init_cfg=_base_.pytorch_init`, or
# `init_cfg=dict(_delete_=True, **_base_.pytorch_init)` over a base that
# already sets an init_cfg.
pytorch_init = dict(type='Constant', val=1, layer='_BatchNorm')
