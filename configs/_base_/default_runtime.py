# Runtime shared by every mmocr_vlp model config (detectors inherit mmocr's).
default_scope = 'mmocr'
custom_imports = dict(imports=['mmocr_vlp'], allow_failed_imports=False)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    dist_cfg=dict(backend='nccl'),
)
randomness = dict(seed=0)

default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    # LoggerHook prints loss, lr, time per iter and the ETA of the run.
    logger=dict(type='LoggerHook', interval=10),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Keep the latest checkpoints so an interrupted run resumes
    # (`tools/train.py --resume`, or `mim train ... --resume`).
    checkpoint=dict(type='CheckpointHook', interval=1, max_keep_ckpts=3,
                    save_last=True),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # Global random state = f(seed, epoch or batch): a resumed run continues
    # bit-exactly like the uninterrupted one (docs/troubleshooting.md).
    progress_seed=dict(type='ProgressSeedHook'),
    sync_buffer=dict(type='SyncBuffersHook'),
)

log_level = 'INFO'
log_processor = dict(type='LogProcessor', window_size=10, by_epoch=True)
load_from = None
resume = False

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(
    type='TextDetLocalVisualizer', name='visualizer', vis_backends=vis_backends)
