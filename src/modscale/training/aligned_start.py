"""Aligned starts: projections set (partly) to the task's true module directions.

Not a reading of Algorithm 1: these starts use the task's true directions, which no initialiser
sees. They bound what *any* initialiser could buy (the **oracle**, ``alpha = 1``) and measure how
much alignment at initialisation buys in samples (the **mixed** start, a dose between chance,
``alpha = 0``, and the oracle).

For a network with K projections (M, K, m, b) and the task's k true directions (M, k, m, b), the
first k columns become

    u_j = scale * normalise((1 - alpha) * r_j + alpha * t_j),   j < k,

where ``r_j`` is the column the random start drew (norm ``scale``, unit by default) and ``t_j``
the true direction (unit norm), normalised column by column; the other K - k projections stay
random. ``alpha = 0`` leaves the random start untouched (bit for bit), ``alpha = 1`` is the
oracle: the first k projections are the true directions at the norm a random start has.
"""

from __future__ import annotations

import torch

from modscale.infra.profiles import ConfigError


@torch.no_grad()
def aligned_start_(weight: torch.Tensor, targets: torch.Tensor, alpha: float,
                   scale: float = 1.0) -> torch.Tensor:
    """Set the first k projections of ``weight`` (M, K, m, b) towards ``targets`` (M, k, m, b)
    by ``alpha`` in [0, 1] (see the module docstring), in place; returns ``weight``."""
    if not 0.0 <= alpha <= 1.0:
        raise ConfigError(f"parameter 'alpha' must be in [0, 1], got {alpha!r}")
    k = targets.shape[1]
    if weight.ndim != 4 or targets.ndim != 4 or weight.shape[0] != targets.shape[0] \
            or weight.shape[2:] != targets.shape[2:] or k > weight.shape[1]:
        raise ValueError(f"projections {tuple(weight.shape)} and true directions "
                         f"{tuple(targets.shape)} must be (M, K, m, b) and (M, k, m, b), k <= K")
    if alpha == 0.0:
        return weight
    t = targets.to(weight.dtype)
    t = t / t.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    mix = t if alpha == 1.0 else (1.0 - alpha) * weight[:, :k] / scale + alpha * t
    weight[:, :k] = scale * mix / mix.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    return weight


__all__ = ["aligned_start_"]
