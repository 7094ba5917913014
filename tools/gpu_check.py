# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Check an install on a GPU machine (``scripts/gpu_check.sh`` runs this).

1. Environment: torch / CUDA / GPUs, mmcv and the kind of its compiled ops.
2. mmcv's CUDA multi-scale deformable attention against its PyTorch path on
   random inputs (max abs difference of outputs and gradients, float64 and
   float32).
3. Every paper config (oCLIP, WeCromCL, SRSTS-A, the oCLIP detectors,
   TextBPN): a few training iterations at a small batch, with and without
   AMP, through the config's own train pipeline on a few rendered synthetic
   images (random init: no weights or datasets needed); images/s and peak
   GPU memory per config.

Without a GPU the GPU-only parts print "no GPU: skipped" and the rest still
runs: the PyTorch MSDA path, and one training step at batch 1 of every paper
config on CPU (``--build-only``: build the models, no step), so CI exercises
this code. Exit status 1 when a check fails.

Example::

    bash scripts/gpu_check.sh                       # all of the above
    python tools/gpu_check.py --batch 4 --iters 10 --configs 'configs/oclip/*'
"""
import argparse
import copy
import fnmatch
import glob
import os
import os.path as osp
import sys
import tempfile
import time
import traceback
from typing import Dict, List, Optional, Tuple

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
sys.path.insert(0, ROOT)

# Paper configs by glob (names follow {algorithm}_{backbone}_..._{dataset}).
PAPER_CONFIGS: Tuple[Tuple[str, str], ...] = (
    ('oCLIP', 'configs/oclip/oclip_resnet50_*_synthtext.py'),
    ('WeCromCL', 'configs/wecromcl/wecromcl_resnet50_*.py'),
    ('SRSTS-A', 'configs/srsts-a/srsts-a_resnet50_*pretrain*.py'),
    ('oCLIP detectors', 'configs/textdet/*/*_icdar2015.py'),
    ('TextBPN', 'configs/textdet/textbpn/textbpn_resnet50*_660e_*.py'),
)
NO_GPU = 'no GPU: skipped'


def log(msg: str = '') -> None:
    print(f'[gpu_check] {msg}' if msg else '', flush=True)


def paper_configs(
        patterns: Optional[List[str]] = None) -> List[Tuple[str, str]]:
    """``(family, path relative to the repo)`` of every paper config, in the
    order of :data:`PAPER_CONFIGS`; ``patterns`` (fnmatch) keep a subset."""
    out = []
    for family, pattern in PAPER_CONFIGS:
        for path in sorted(glob.glob(osp.join(ROOT, pattern))):
            rel = osp.relpath(path, ROOT)
            if osp.basename(rel).startswith('_base'):
                continue
            if patterns and not any(fnmatch.fnmatch(rel, p) for p in patterns):
                continue
            out.append((family, rel))
    return out


def environment() -> Dict[str, object]:
    """torch, CUDA, GPU and mmcv facts (printed, and returned)."""
    import mmcv
    import torch
    from mmcv.ops import get_compiling_cuda_version
    ops_cuda = get_compiling_cuda_version()
    env = dict(torch=torch.__version__,
               torch_cuda=torch.version.cuda,
               gpus=[
                   torch.cuda.get_device_name(i)
                   for i in range(torch.cuda.device_count())
               ] if torch.cuda.is_available() else [],
               mmcv=mmcv.__version__,
               mmcv_ops='CPU only'
               if ops_cuda == 'not available' else f'CUDA {ops_cuda}')
    log(f'torch {env["torch"]} (CUDA {env["torch_cuda"] or "none: CPU build"})'
        f'; GPUs: {", ".join(env["gpus"]) or "none"}')
    log(f'mmcv {env["mmcv"]}, compiled ops: {env["mmcv_ops"]}')
    return env


def _msda_inputs(device, dtype, seed=0):
    """Random MSDA inputs: 2 images, 4 levels, 8 heads x 32 ch, 4 points."""
    import torch
    g = torch.Generator().manual_seed(seed)
    shapes = torch.tensor([[32, 32], [16, 16], [8, 8], [4, 4]])
    start = torch.cat((shapes.new_zeros(1), shapes.prod(1).cumsum(0)[:-1]))
    n, bs, heads, ch, levels, points, queries = int(
        shapes.prod(1).sum()), 2, 8, 32, 4, 4, 300
    value = torch.rand(bs, n, heads, ch, generator=g, dtype=torch.float64)
    loc = torch.rand(bs,
                     queries,
                     heads,
                     levels,
                     points,
                     2,
                     generator=g,
                     dtype=torch.float64)
    w = torch.rand(
        bs, queries, heads, levels, points, generator=g,
        dtype=torch.float64) + 1e-5
    w = w / w.sum((-1, -2), keepdim=True)
    tensors = [
        t.to(device=device, dtype=dtype).requires_grad_()
        for t in (value, loc, w)
    ]
    return tensors[0], shapes.to(device), start.to(device), tensors[1], \
        tensors[2]


def msda_check(tols: Dict[str, float]) -> Tuple[bool, List[str]]:
    """mmcv's MSDA kernel vs its PyTorch path; (passed, report lines)."""
    import torch
    from mmcv.ops.multi_scale_deform_attn import \
        multi_scale_deformable_attn_pytorch

    from mmocr_vlp.models.common import msda

    def run(fn, device, dtype):
        value, shapes, start, loc, w = _msda_inputs(device, dtype)
        if fn is None:
            out = multi_scale_deformable_attn_pytorch(value, shapes, loc, w)
        else:
            out = fn(value, shapes, start, loc, w, 64)
        out.backward(torch.ones_like(out))
        return [
            t.detach().double().cpu()
            for t in (out, value.grad, loc.grad, w.grad)
        ]

    lines = []
    ref = run(None, 'cpu', torch.float64)
    ok = all(torch.isfinite(t).all() for t in ref)
    lines.append(f'MSDA PyTorch path on CPU (float64): output '
                 f'{tuple(ref[0].shape)}, finite={ok}')
    if not torch.cuda.is_available():
        lines.append(f'MSDA CUDA kernel vs PyTorch path: {NO_GPU}')
        return ok, lines
    avail, why = msda.kernel_status('cuda')
    if not avail:
        lines.append(f'MSDA CUDA kernel: FAIL: {why}; models fall back to '
                     f'the PyTorch path. Fix: {msda.FIX}')
        return False, lines
    for dtype, name in ((torch.float64, 'float64'), (torch.float32,
                                                     'float32')):
        got = run(msda.KernelFunction.apply, 'cuda', dtype)
        want = run(None, 'cuda', dtype)
        diffs = [float((a - b).abs().max()) for a, b in zip(got, want)]
        # Relative to the largest reference value of each tensor.
        passed = all(d <= tols[name] * max(1., float(b.abs().max()))
                     for d, b in zip(diffs, want))
        ok &= passed
        lines.append(
            f'MSDA CUDA kernel vs PyTorch path ({name}): max abs diff '
            f'output {diffs[0]:.2e}, grad value {diffs[1]:.2e}, grad '
            f'locations {diffs[2]:.2e}, grad weights {diffs[3]:.2e} '
            f'(tolerance {tols[name]:.0e} x max(1, |reference|)): '
            f'{"ok" if passed else "FAIL"}')
    return ok, lines


def _strip_pretrained(cfg) -> None:
    """Random init everywhere: no checkpoint or model-zoo download."""
    if isinstance(cfg, dict):
        init = cfg.get('init_cfg')
        if isinstance(init, dict) and init.get('type') == 'Pretrained':
            cfg['init_cfg'] = None
        for v in cfg.values():
            _strip_pretrained(v)
    elif isinstance(cfg, (list, tuple)):
        for v in cfg:
            _strip_pretrained(v)


def _leaf_dataset(ds: dict) -> dict:
    """The first annotation dataset inside Concat/Repeat wrappers."""
    while True:
        if 'datasets' in ds:
            ds = ds['datasets'][0]
        elif 'dataset' in ds:
            ds = ds['dataset']
        else:
            return ds


def synthetic_loader_cfg(cfg, data_root: str, ann_file: str,
                         batch: int) -> dict:
    """The config's train loader on the rendered set: same dataset type and
    train pipeline, files redirected, ``batch`` images, endless sampler."""
    loader = copy.deepcopy(cfg.train_dataloader)
    ds = copy.deepcopy(_leaf_dataset(loader['dataset']))
    ds.update(data_root=data_root,
              ann_file=ann_file,
              data_prefix=dict(img_path=''))
    for t in ds.get('pipeline') or []:
        # Negatives' vocabulary (an annotation file, or the official English
        # word list the paper configs expect under data/): the rendered set.
        if t.get('type') == 'SampleNegativeTexts':
            t.pop('vocab_file', None)
            t['ann_file'] = osp.join(data_root, ann_file)
    return dict(batch_size=batch,
                num_workers=min(2,
                                os.cpu_count() or 1),
                persistent_workers=False,
                sampler=dict(type='InfiniteSampler', shuffle=False),
                dataset=ds)


def train_config(path: str,
                 data_root: str,
                 ann_file: str,
                 batch: int,
                 warmup: int,
                 iters: int,
                 amp: bool,
                 device: str,
                 build_only: bool = False) -> Dict[str, object]:
    """Train ``iters`` timed iterations (after ``warmup``) of one config.

    Returns:
        dict: ``images_per_s``, ``peak_mem_mib`` (CUDA), ``loss``,
        ``params_m``.
    """
    import torch
    from mmengine.config import Config
    from mmengine.logging import MessageHub
    from mmengine.optim import build_optim_wrapper
    from mmengine.registry import init_default_scope
    from mmengine.runner import Runner
    from mmocr.registry import MODELS

    cfg = Config.fromfile(osp.join(ROOT, path))
    init_default_scope(cfg.get('default_scope', 'mmocr'))
    model_cfg = copy.deepcopy(cfg.model)
    _strip_pretrained(model_cfg)
    model = MODELS.build(model_cfg)
    model.init_weights()
    model.to(device).train()
    res = dict(params_m=sum(p.numel() for p in model.parameters()) / 1e6)
    if build_only:
        return res
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if amp:
        optim_cfg.update(type='AmpOptimWrapper', loss_scale='dynamic')
    optim = build_optim_wrapper(model, optim_cfg)
    loader = Runner.build_dataloader(synthetic_loader_cfg(
        cfg, data_root, ann_file, batch),
                                     seed=0)
    batches = iter(loader)
    hub = MessageHub.get_current_instance()
    cuda = device.startswith('cuda')
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    start, log_vars = None, {}
    for it in range(warmup + iters):
        if it == warmup:
            if cuda:
                torch.cuda.synchronize()
            start = time.perf_counter()
        hub.update_info('iter', it)
        log_vars = model.train_step(next(batches), optim)
    if cuda:
        torch.cuda.synchronize()
        res['peak_mem_mib'] = torch.cuda.max_memory_allocated() / 2**20
    res['images_per_s'] = batch * iters / (time.perf_counter() - start)
    res['loss'] = float(torch.as_tensor(log_vars['loss']).detach())
    if not torch.isfinite(torch.tensor(res['loss'])):
        raise FloatingPointError(f'non-finite loss {res["loss"]}')
    return res


def render_data(out_dir: str, n: int) -> Tuple[str, str]:
    """A few synthetic images with every annotation (full view)."""
    from mmocr_vlp.datasets.synth import ensure_synth_dataset
    ensure_synth_dataset(out_dir,
                         splits={'train': n},
                         seed=0,
                         img_size=(512, 512),
                         views=['full'],
                         progress=False)
    return out_dir, 'train_full.json'


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description='mmocr_vlp GPU install check')
    p.add_argument('--batch',
                   type=int,
                   default=2,
                   help='images per iteration on GPU (CPU: 1)')
    p.add_argument('--warmup',
                   type=int,
                   default=2,
                   help='untimed iterations first (GPU)')
    p.add_argument('--iters',
                   type=int,
                   default=5,
                   help='timed iterations per config and precision (GPU)')
    p.add_argument('--configs',
                   nargs='+',
                   default=None,
                   help='only paper configs matching these globs')
    p.add_argument('--no-amp', action='store_true', help='fp32 runs only')
    p.add_argument('--build-only',
                   action='store_true',
                   help='only build each model (no training step)')
    p.add_argument('--data-dir',
                   default=None,
                   help='where to render the synthetic images '
                   '(default: a temporary folder)')
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    from mmengine.logging import MMLogger

    import mmocr_vlp  # noqa: F401  (registers modules, mmocr importable)

    # The current logger: quiet per-parameter init reports of init_weights.
    MMLogger.get_instance('gpu_check', log_level='WARNING')
    failed = []
    log('1/3 environment')
    environment()
    gpu = torch.cuda.is_available()

    log('2/3 multi-scale deformable attention')
    ok, lines = msda_check(dict(float64=1e-7, float32=1e-3))
    for line in lines:
        log('  ' + line)
    if not ok:
        failed.append('MSDA')

    configs = paper_configs(args.configs)
    log(f'3/3 paper configs ({len(configs)}): ' +
        ('training iterations' if gpu else
         ('build only' if args.build_only else
          f'one training step at batch 1 on CPU ({NO_GPU} for images/s, '
          f'peak GPU memory and AMP)')))
    if not configs:
        log('  no paper config matched')
        failed.append('configs')
    device = 'cuda' if gpu else 'cpu'
    batch, warmup, iters = (args.batch, args.warmup, args.iters) if gpu \
        else (1, 0, 1)
    precisions = [False] + ([True] if gpu and not args.no_amp else [])
    with tempfile.TemporaryDirectory() as tmp:
        data = None
        if not args.build_only:
            data = render_data(args.data_dir or osp.join(tmp, 'synth'),
                               max(2, batch * 2))
        rows = []
        for family, path in configs:
            for amp in precisions:
                name = f'{family}: {path}' + (' [AMP]' if amp else '')
                try:
                    r = train_config(path,
                                     *(data or ('', '')),
                                     batch,
                                     warmup,
                                     iters,
                                     amp,
                                     device,
                                     build_only=args.build_only)
                except Exception as e:  # report, go on with the next one
                    failed.append(name)
                    log(f'  FAIL {name}: {type(e).__name__}: {e}')
                    tb = traceback.format_exc().strip().splitlines()
                    log('    ' + '\n    '.join(tb[-6:]))
                    continue
                rows.append((name, r))
                if args.build_only:
                    msg = f'built, {r["params_m"]:.1f} M parameters'
                elif gpu:
                    msg = (f'{r["images_per_s"]:.1f} images/s, peak GPU '
                           f'memory {r["peak_mem_mib"]:.0f} MiB, loss '
                           f'{r["loss"]:.3f} (batch {batch})')
                else:
                    msg = (f'{r["params_m"]:.1f} M parameters, one step '
                           f'ok, loss {r["loss"]:.3f}, '
                           f'{1 / r["images_per_s"]:.1f} s on CPU')
                log(f'  ok   {name}: {msg}')
            if not gpu:
                log(f'       {path} AMP run: {NO_GPU}')
    if failed:
        log(f'FAILED: {len(failed)} check(s): ' + '; '.join(failed))
        return 1
    log('all checks passed' + ('' if gpu else f' (GPU-only parts: {NO_GPU})'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
