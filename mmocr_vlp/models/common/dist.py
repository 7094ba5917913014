# Copyright (c) mmocr_vlp contributors. All rights reserved.
"""Cross-rank gathering with gradients for contrastive losses."""
from typing import List, Optional

import torch
import torch.distributed as dist
from torch import Tensor


def dist_ready() -> bool:
    """True when a default process group with more than one rank exists."""
    return (dist.is_available() and dist.is_initialized()
            and dist.get_world_size() > 1)


class _AllGatherGrad(torch.autograd.Function):
    """``all_gather`` along dim 0 whose backward sums the incoming gradient
    over ranks and returns this rank's slice (a reduce-scatter written with
    ``all_reduce`` so that it also runs on gloo)."""

    @staticmethod
    def forward(ctx, tensor: Tensor, group) -> Tensor:  # type: ignore
        ctx.group = group
        ctx.rank = dist.get_rank(group=group)
        ctx.world = dist.get_world_size(group=group)
        ctx.n = tensor.shape[0]
        out = [torch.empty_like(tensor) for _ in range(ctx.world)]
        dist.all_gather(out, tensor.contiguous(), group=group)
        return torch.cat(out, dim=0)

    @staticmethod
    def backward(ctx, grad: Tensor):  # type: ignore
        grad = grad.contiguous().clone()
        dist.all_reduce(grad, op=dist.ReduceOp.SUM, group=ctx.group)
        return grad[ctx.rank * ctx.n:(ctx.rank + 1) * ctx.n], None


def _gather_sizes(n: int, device, group) -> List[int]:
    world = dist.get_world_size(group=group)
    size = torch.tensor([n], dtype=torch.long, device=device)
    sizes = [torch.zeros_like(size) for _ in range(world)]
    dist.all_gather(sizes, size, group=group)
    return [int(s.item()) for s in sizes]


def gather_with_grad(tensor: Tensor, group: Optional[object] = None) -> Tensor:
    """Concatenate ``tensor`` from every rank along dim 0, keeping gradients.

    Ranks may hold different numbers of rows (they are padded for the
    collective and stripped afterwards). The result is ordered by rank, so
    rank ``r``'s rows start at ``sum(sizes[:r])``.

    Gradient convention: the backward pass *sums* the gradients that every
    rank computes for a row and hands the sum to the rank that owns the row.
    If every rank computes the same global loss ``L`` from the gathered
    tensors, each rank thus receives ``world_size * dL/dx`` for its own rows;
    DDP's averaging of parameter gradients over ranks then yields exactly the
    single-process gradient ``dL/dtheta`` of the concatenated batch.

    Without an initialised process group (or with one rank) the input is
    returned unchanged.
    """
    if not dist_ready():
        return tensor
    sizes = _gather_sizes(tensor.shape[0], tensor.device, group)
    max_n = max(sizes)
    if tensor.shape[0] < max_n:
        pad = tensor.new_zeros((max_n - tensor.shape[0], ) +
                               tuple(tensor.shape[1:]))
        padded = torch.cat([tensor, pad], dim=0)
    else:
        padded = tensor
    gathered = _AllGatherGrad.apply(padded, group)
    if all(s == max_n for s in sizes):
        return gathered
    pieces = [gathered[r * max_n:r * max_n + s] for r, s in enumerate(sizes)]
    return torch.cat(pieces, dim=0)



def gather_local_grad(tensor: Tensor, group: Optional[object] = None
                      ) -> Tensor:
    """Like :func:`gather_with_grad`, but only this rank's rows carry a
    gradient; the other ranks' rows are constants (a plain ``all_gather``,
    as the official oCLIP and CLIP-era code do). With DDP's averaging the
    parameter gradient of a global loss is then ``1 / world_size`` of the
    single-process gradient.
    """
    if not dist_ready():
        return tensor
    gathered = gather_with_grad(tensor.detach(), group)
    sizes = _gather_sizes(tensor.shape[0], tensor.device, group)
    start = sum(sizes[:dist.get_rank(group=group)])
    return torch.cat([gathered[:start], tensor,
                      gathered[start + tensor.shape[0]:]], dim=0)
