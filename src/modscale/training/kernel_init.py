"""Algorithm 1: kernel-based initialisation of the module projections (paper Section 4.3).

For every module ``j`` of every network, starting from its random projection, take ``steps``
Adam steps on the kernel objective (Eqn 17, :mod:`modscale.training.kernel_objective`) of a fresh
random
mini-batch of that network's training set, w.r.t. the module's projection only:

    U_j <- U_j - lr * Adam(grad_U tr(Y_B^T K(X_B, X_B; U_j)^{-1} Y_B)),   then renormalise U_j.

The K modules are K independent restarts from different random projections (the paper: "We
repeat this procedure K times with different random initializations"). All restarts of all M
networks run together: the projection parameters are stacked (M, K, ...), the objectives of the
M*K restarts are summed (they share no parameters and Adam is element-wise, so this is exactly K*M
independent runs; tested against a loop) and every step factorises M*K kernel matrices at once.

After each step the projection is renormalised (unit-norm columns; ``renormalize_`` of the
projection module) so the objective cannot be lowered by scaling it; with the median-bandwidth
RBF kernel the objective is scale-invariant anyway, the renormalisation keeps Adam's step sizes
meaningful.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import torch
from torch import nn

from modscale.infra.profiles import ConfigError
from modscale.training.kernel_objective import kernel_matrix, objective_from_kernel

OBJECTIVES = ("literal", "joint")
"""``literal``: Algorithm 1 as described (each module's own kernel, K independent restarts);
``joint``: the objective of the whole modular network, the kernel being the mean of the K module
kernels (the Eqn 15 -> 17 derivation, SPEC §4.3), optimised over all K projections together."""


SELECTIONS = ("last", "best_heldout")
"""Which projection Algorithm 1 returns: ``last``: after its final step (the paper's
description); ``best_heldout``: the recorded step with the lowest objective on the fixed held-out
batch (early stopping; per network, summed over its restarts)."""


@dataclass
class KernelInitResult:
    """History of Algorithm 1: ``steps`` (T,), ``objective`` (T, M, K) (``literal``) or (T, M, 1)
    (``joint``) per-point objective (objective / batch size) on the step's mini-batch,
    ``heldout`` the same on a fixed held-out batch (empty if none was given), ``chosen_step``
    (M,) the step whose projection was returned, ``wall_time_s``, ``flops`` (estimated, whole
    run)."""

    steps: list[int] = field(default_factory=list)
    objective: list[torch.Tensor] = field(default_factory=list)
    heldout: list[torch.Tensor] = field(default_factory=list)
    chosen_step: list[int] = field(default_factory=list)
    wall_time_s: float = 0.0
    flops: float = 0.0

    def objective_tensor(self) -> torch.Tensor:
        return torch.stack(self.objective) if self.objective else torch.empty(0)

    def heldout_tensor(self) -> torch.Tensor:
        return torch.stack(self.heldout) if self.heldout else torch.empty(0)


def kernel_init_flops(n_models: int, n_modules: int, in_dim: int, b: int,
                      out_dim: int, batch_size: int, steps: int, n_solves: int | None = None
                      ) -> float:
    """Estimated FLOPs of Algorithm 1 (forward + backward ~ 3x forward).

    Forward per module and step: projection 2*B*m*b, distances 3*B^2*b, kernel ~B^2; per
    linear system (``n_solves`` per network: K for ``literal``, 1 for ``joint``): Cholesky B^3/3
    and two triangular solves 2*B^2*d.
    """
    bs = batch_size
    n_solves = n_modules if n_solves is None else n_solves
    per_module = 2 * bs * in_dim * b + 3 * bs * bs * b + bs * bs
    per_solve = bs ** 3 / 3 + 2 * bs * bs * out_dim
    return 3.0 * n_models * steps * (n_modules * per_module + n_solves * per_solve)


def _sample_batch(x: torch.Tensor, y: torch.Tensor, n_train: torch.Tensor, batch_size: int,
                  generator: torch.Generator | None
                  ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Per network, ``batch_size`` distinct rows among its first ``n_train`` (fewer if n_train is
    smaller: the rest are masked). Returns x (M, B, m), y (M, B, d), mask (M, B)."""
    m_, n_max = x.shape[:2]
    keys = torch.rand(m_, n_max, generator=generator, device="cpu").to(x.device)
    valid_rows = torch.arange(n_max, device=x.device)[None] < n_train[:, None]
    keys = torch.where(valid_rows, keys, torch.full_like(keys, 2.0))
    bsz = min(batch_size, n_max)
    idx = keys.argsort(dim=1)[:, :bsz]
    mask = idx < n_train[:, None]
    xb = torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    yb = torch.gather(y, 1, idx.unsqueeze(-1).expand(-1, -1, y.shape[-1]))
    keep = mask.unsqueeze(-1)
    return torch.where(keep, xb, 0.0), torch.where(keep, yb, 0.0), mask


def kernel_init_(projection: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor, *,
                 n_train: int | torch.Tensor | None = None, objective: str = "literal",
                 steps: int = 200,
                 batch_size: int = 256, lr: float = 0.05, kernel: str = "rbf",
                 bandwidth: str = "median", sigma: float = 1.0, ridge: float = 0.1,
                 jitter: float = 1e-8, ntk_depth: int = 3, record_every: int = 10,
                 bandwidth_grad: bool = False,
                 heldout: tuple[torch.Tensor, torch.Tensor] | None = None,
                 select: str = "last",
                 generator: torch.Generator | None = None, progress: bool = False
                 ) -> KernelInitResult:
    """Run Algorithm 1 in place on ``projection`` (a
    :class:`~modscale.models.modular_net.LinearProjection`
    or ``NonlinearProjection``, e.g. ``net.projection``): (M, B, m) -> (M, K, B, b).

    ``x_train`` (M, n_max, m) and ``y_train`` (M, n_max, d): each network's training set (rows
    beyond ``n_train`` (int or (M,) long) are padding and never used). ``objective``: one of
    :data:`OBJECTIVES`. Kernel settings as in
    :func:`modscale.training.kernel_objective.features_objective`; ``bandwidth_grad``: the
    median bandwidth is differentiated too (by default it is a constant for the gradient, so
    the step ignores that the bandwidth is re-estimated at the next step). ``generator``: CPU
    generator for the mini-batches. ``heldout``: optional fixed batch
    ``(x (M, B_h, m), y (M, B_h, d))`` that is never trained on; its objective is recorded
    beside the mini-batch's at every recorded step.
    ``select``: one of :data:`SELECTIONS` (``best_heldout`` needs ``heldout``). Returns a
    :class:`KernelInitResult`.
    """
    for name, v, lo in (("steps", steps, 0), ("batch_size", batch_size, 2),
                        ("record_every", record_every, 1)):
        if not isinstance(v, int) or v < lo:
            raise ConfigError(f"parameter {name!r} must be an integer >= {lo}, got {v!r}")
    if not lr > 0:
        raise ConfigError(f"parameter 'lr' must be > 0, got {lr}")
    if select not in SELECTIONS:
        raise ConfigError(f"parameter 'select': {select!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, SELECTIONS))}")
    if select == "best_heldout" and heldout is None:
        raise ConfigError("parameter 'select': 'best_heldout' needs a held-out batch "
                          "('heldout')")
    if objective not in OBJECTIVES:
        raise ConfigError(f"parameter 'objective': {objective!r} is not allowed; allowed "
                          f"values: {', '.join(map(repr, OBJECTIVES))}")
    if x_train.dim() != 3 or y_train.dim() != 3 or x_train.shape[:2] != y_train.shape[:2]:
        raise ValueError(f"expected x_train (M, n, m) and y_train (M, n, d), got "
                         f"{tuple(x_train.shape)} and {tuple(y_train.shape)}")
    m_, n_max = x_train.shape[:2]
    if n_train is None:
        n_train = n_max
    nt = (torch.full((m_,), int(n_train), dtype=torch.long) if isinstance(n_train, int)
          else n_train.to(torch.long).reshape(-1))
    if nt.shape[0] != m_ or int(nt.min()) < 2 or int(nt.max()) > n_max:
        raise ConfigError(f"parameter 'n_train' must give 2 <= n <= {n_max} for each of the "
                          f"{m_} networks, got {nt.tolist()}")
    nt = nt.to(x_train.device)
    projection.renormalize_()
    params = [p for p in projection.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    res = KernelInitResult()
    t0 = time.perf_counter()
    from modscale.infra.progress import progress_bar

    kw = {"kernel": kernel, "bandwidth": bandwidth, "sigma": sigma, "ntk_depth": ntk_depth}
    if bandwidth_grad:  # only passed when set, so the default path is unchanged
        kw["bandwidth_grad"] = True
    bsz = min(batch_size, n_max)

    def batch_objective(xb, yb, mask=None):
        z = projection(xb)  # (M, K, B, b)
        msk = None if mask is None else mask.unsqueeze(1)
        kmat = kernel_matrix(z, mask=msk, **kw)  # (M, K, B, B)
        if objective == "joint":
            kmat = kmat.mean(1, keepdim=True)
        return objective_from_kernel(kmat, yb.unsqueeze(1), ridge=ridge, jitter=jitter,
                                     mask=msk)  # (M, K) or (M, 1)

    best = None  # (per-network best held-out objective (M,), step (M,), parameters)
    for step in progress_bar(range(steps + 1), desc="kernel init", disable=not progress):
        xb, yb, mask = _sample_batch(x_train, y_train, nt, batch_size, generator)
        obj = batch_objective(xb, yb, mask)
        if step % record_every == 0 or step == steps:
            res.steps.append(step)
            res.objective.append((obj.detach() / mask.sum(-1, keepdim=True)).cpu())
            if heldout is not None:
                with torch.no_grad():
                    h = (batch_objective(*heldout) / heldout[0].shape[1]).cpu()
                res.heldout.append(h)
                if select == "best_heldout":
                    score = h.sum(-1)
                    snap = [p.detach().clone() for p in params]
                    if best is None:
                        best = (score, torch.full_like(score, step, dtype=torch.long), snap)
                    else:
                        better = score < best[0]
                        for b_, s_ in zip(best[2], snap, strict=True):
                            b_[better.to(b_.device)] = s_[better.to(b_.device)]
                        best = (torch.where(better, score, best[0]),
                                torch.where(better, step, best[1]), best[2])
        if step == steps:
            break
        opt.zero_grad(set_to_none=True)
        obj.sum().backward()
        opt.step()
        projection.renormalize_()
    if best is not None:
        with torch.no_grad():
            for p, b_ in zip(params, best[2], strict=True):
                p.copy_(b_)
        res.chosen_step = best[1].tolist()
    else:
        res.chosen_step = [steps] * m_
    res.wall_time_s = time.perf_counter() - t0
    w = projection.directions()
    res.flops = kernel_init_flops(m_, w.shape[1], w.shape[2], w.shape[3], y_train.shape[-1],
                                  bsz, steps, n_solves=1 if objective == "joint" else None)
    return res


def training_flops(params_per_model: int, n_models: int, batch_size: int, iters: int) -> float:
    """Estimated FLOPs of ``iters`` training iterations: 6 * params * batch per iteration."""
    return 6.0 * params_per_model * n_models * batch_size * iters


def matched_extra_iters(init_flops: float, params_per_model: int, n_models: int,
                        batch_size: int) -> int:
    """Training iterations with the same FLOPs as the initialiser (compute-matched baseline)."""
    per_iter = training_flops(params_per_model, n_models, batch_size, 1)
    return int(math.ceil(init_flops / per_iter))


__all__ = ["OBJECTIVES", "SELECTIONS", "KernelInitResult", "kernel_init_", "kernel_init_flops",
           "training_flops", "matched_extra_iters"]
