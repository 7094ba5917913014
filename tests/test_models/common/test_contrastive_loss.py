# Copyright (c) mmocr_vlp contributors. All rights reserved.
import math
import os

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from mmocr_vlp.models.common.losses import SymmetricContrastiveLoss


def test_matches_hand_computation():
    img = torch.tensor([[1., 0.], [0., 1.]])
    txt = torch.tensor([[2., 0.], [1., 1.]])
    loss_fn = SymmetricContrastiveLoss(init_logit_scale=0.)  # scale 1
    loss = loss_fn(img, txt)
    # cos sims: [[1, 1/sqrt2], [0, 1/sqrt2]]
    c = 1 / math.sqrt(2)
    li2t = (-math.log(math.e / (math.e + math.exp(c))) -
            math.log(math.exp(c) / (1 + math.exp(c)))) / 2
    lt2i = (-math.log(math.e / (math.e + 1)) -
            math.log(math.exp(c) / (math.exp(c) + math.exp(c)))) / 2
    assert loss.item() == pytest.approx(li2t + lt2i, rel=1e-6)
    half = SymmetricContrastiveLoss(init_logit_scale=0., loss_weight=0.5)
    assert half(img, txt).item() == pytest.approx((li2t + lt2i) / 2, 1e-6)


def test_invalid_rows_are_excluded():
    torch.manual_seed(0)
    img, txt = torch.randn(5, 8), torch.randn(5, 8)
    valid = torch.tensor([True, False, True, True, False])
    loss_fn = SymmetricContrastiveLoss()
    full = loss_fn(img, txt, valid)
    sub = loss_fn(img[valid], txt[valid])
    torch.testing.assert_close(full, sub)
    # Garbage in invalid rows (even NaN) never leaks in.
    img2 = img.clone()
    img2[1] = float('nan')
    torch.testing.assert_close(loss_fn(img2, txt, valid), sub)


def test_no_valid_pair_gives_finite_zero_with_graph():
    img = torch.randn(3, 4, requires_grad=True)
    txt = torch.randn(3, 4, requires_grad=True)
    loss_fn = SymmetricContrastiveLoss()
    loss = loss_fn(img, txt, torch.zeros(3, dtype=torch.bool))
    assert loss.item() == 0
    loss.backward()
    assert torch.all(img.grad == 0) and loss_fn.logit_scale.grad == 0
    empty = loss_fn(torch.zeros(0, 4), torch.zeros(0, 4))
    assert empty.item() == 0


def test_logit_scale_learnable_and_clamped():
    torch.manual_seed(0)
    img, txt = torch.randn(4, 6), torch.randn(4, 6)
    loss_fn = SymmetricContrastiveLoss()
    assert loss_fn.logit_scale.item() == pytest.approx(math.log(1 / 0.07))
    loss_fn(img, txt).backward()
    assert loss_fn.logit_scale.grad.abs() > 0
    with torch.no_grad():
        loss_fn.logit_scale.fill_(10.)
    assert loss_fn.get_logit_scale().item() == pytest.approx(math.log(100))
    loss_fn.logit_scale.grad = None
    loss_fn(img, txt).backward()
    assert loss_fn.logit_scale.grad == 0  # clamped: no gradient
    fixed = SymmetricContrastiveLoss(learnable=False)
    assert not any(True for _ in fixed.parameters())
    # The official code does not clamp: max_logit_scale=None.
    free = SymmetricContrastiveLoss(max_logit_scale=None)
    with torch.no_grad():
        free.logit_scale.fill_(10.)
    assert free.get_logit_scale().item() == 10.
    loss = free(img, txt)
    loss.backward()
    assert free.logit_scale.grad.abs() > 0
    sim = F.normalize(img, dim=-1) @ F.normalize(txt, dim=-1).t()
    ref = F.cross_entropy(math.exp(10.) * sim, torch.arange(4)) + \
        F.cross_entropy(math.exp(10.) * sim.t(), torch.arange(4))
    torch.testing.assert_close(loss.detach(), ref)


def test_aligned_pairs_have_low_loss():
    torch.manual_seed(0)
    emb = torch.randn(6, 32)
    loss_fn = SymmetricContrastiveLoss(init_logit_scale=math.log(100))
    assert loss_fn(emb, emb).item() < 0.05
    assert loss_fn(emb, emb.roll(1, 0)).item() > 2.0


# --------------------------------------------------------------- DDP test
IMG_DIM, TXT_DIM = 4, 5
SIZES = (3, 2)  # rows per rank: unequal on purpose
VALID = torch.tensor([True, False, True, True, True])


class _Toy(nn.Module):

    def __init__(self, gather_grad=True):
        super().__init__()
        torch.manual_seed(0)
        self.img_proj = nn.Linear(IMG_DIM, 3)
        self.txt_proj = nn.Linear(TXT_DIM, 3)
        self.loss = SymmetricContrastiveLoss(gather_grad=gather_grad)

    def forward(self, img, txt, valid):
        return self.loss(self.img_proj(img), self.txt_proj(txt), valid)


def _data():
    g = torch.Generator().manual_seed(1)
    return (torch.randn(sum(SIZES), IMG_DIM, generator=g),
            torch.randn(sum(SIZES), TXT_DIM, generator=g))


def _ddp_worker(rank, world, init_file, out_file):
    import datetime
    import faulthandler
    faulthandler.dump_traceback_later(120, exit=True)  # a hang -> failure
    torch.set_num_threads(1)
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP
    dist.init_process_group('gloo', init_method=f'file://{init_file}',
                            rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=100))
    try:
        img, txt = _data()
        start = sum(SIZES[:rank])
        sl = slice(start, start + SIZES[rank])
        res = {}
        for gather_grad in (True, False):
            model = DDP(_Toy(gather_grad))
            loss = model(img[sl], txt[sl], VALID[sl])
            loss.backward()
            res[gather_grad] = dict(
                loss=loss.detach(),
                grads={n: p.grad.clone()
                       for n, p in model.module.named_parameters()})
            # Free the DDP reducer while the process group is alive:
            # destroying it afterwards can hang in gloo.
            del model, loss
            dist.barrier()
        torch.save(res, f'{out_file}.{rank}')
    finally:
        dist.destroy_process_group()


def test_ddp_gloo_equals_single_process(tmp_path):
    """2 CPU ranks (gloo) vs. one process on the concatenated batch.

    Every rank computes the global loss from gathered embeddings, so each
    rank's loss equals the single-process loss; gathered rows receive the
    sum of all ranks' gradients and DDP averages parameter gradients, so
    parameter gradients equal the single-process gradients as well.
    """
    import torch.multiprocessing as mp
    world = 2
    init_file = str(tmp_path / 'init')
    out_file = str(tmp_path / 'out')
    # spawn (not fork: a forked gloo worker can inherit a held lock and
    # hang); each worker re-imports mmocr_vlp, which costs a few seconds.
    mp.spawn(_ddp_worker, args=(world, init_file, out_file), nprocs=world,
             join=True)
    img, txt = _data()
    single = _Toy()
    loss = single(img, txt, VALID)
    loss.backward()
    for rank in range(world):
        both = torch.load(f'{out_file}.{rank}', weights_only=True)
        # gather_grad=False (official): only local rows carry a gradient,
        # so DDP's average is 1 / world of the single-process gradient for
        # the embedding parameters (the logit scale, used whole by every
        # rank, keeps its full gradient).
        for gather_grad, scale in ((True, 1.), (False, 1. / world)):
            res = both[gather_grad]
            torch.testing.assert_close(res['loss'], loss.detach(),
                                       rtol=1e-5, atol=1e-6)
            for n, p in single.named_parameters():
                s = 1. if n == 'loss.logit_scale' else scale
                torch.testing.assert_close(res['grads'][n], p.grad * s,
                                           rtol=1e-4, atol=1e-6, msg=n)
    # Sanity: negatives really span the global batch (a local-only loss
    # on rank 0's rows would differ).
    local = _Toy()(img[:3], txt[:3], VALID[:3])
    assert not torch.allclose(local, loss)
