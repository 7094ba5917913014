# oCLIP optimisation (Sec. 4.2): AdamW (decoupled weight decay) on all
# weights that are not gains or biases (nor the logit scale), lr 1e-4,
# cosine decay with linear warm-up, 100 epochs.
optim_wrapper = dict(
    type='OptimWrapper',
    # fused=True: PyTorch's one-kernel AdamW (CPU and CUDA), the same update
    # up to float rounding, ~2.7x faster than the per-tensor loop on CPU.
    optimizer=dict(
        type='AdamW', lr=1e-4, betas=(0.9, 0.999), eps=1e-8,
        weight_decay=0.1, fused=True),
    paramwise_cfg=dict(
        norm_decay_mult=0.,
        bias_decay_mult=0.,
        flat_decay_mult=0.,  # every 1-D param: gains, biases, in_proj_bias
        custom_keys={'logit_scale': dict(decay_mult=0.)}),
    clip_grad=None)

max_epochs = 100
warmup_iters = 10000  # official: 10k warm-up steps
param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=False, begin=0,
         end=warmup_iters),
    # No T_max / end: mmengine fills end = train_cfg.max_epochs when the
    # runner builds the scheduler (T_max = end - begin), so overriding
    # max_epochs stretches or shortens the cosine with it.
    dict(type='CosineAnnealingLR', eta_min=0., by_epoch=True, begin=0,
         convert_to_iter_based=True),
]
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs,
                 val_interval=max_epochs + 1)
val_cfg = None
test_cfg = None
