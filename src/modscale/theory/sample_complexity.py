"""Empirical sample complexity: the smallest training-set size ``n`` reaching a target test loss.

Search (a reconstruction; the paper's procedure is unknown, SPEC §5.1): models are trained on a
geometric grid of ``n`` (all grid points and seeds trained together in one stack), the test loss is
averaged over seeds at each ``n``, and the crossing of the threshold is located by linear
interpolation of the loss in ``log n`` between the two grid points around it
(:func:`sample_complexity`). A curve already below the threshold at the smallest ``n`` returns that
``n`` (a censored value, an upper bound); one that never reaches it returns ``inf``.

Generic: :func:`losses_over_n_grid` takes a task factory and a *model factory*, so the same driver
serves monolithic MLPs and batched modular networks.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from modscale.infra.profiles import ConfigError
from modscale.tasks.sine_task import SineTask, sample_datasets
from modscale.training.trainer import train_batched

RULES = ("first", "stay")
"""``first``: first crossing of the threshold; ``stay``: the crossing after which the curve stays
below the threshold on the rest of the grid (robust to a dip before an interpolation peak)."""


def geometric_grid(n_min: int, n_max: int, points: int) -> tuple[int, ...]:
    """``points`` integers spaced geometrically from ``n_min`` to ``n_max`` (rounded, unique)."""
    if n_min < 1 or n_max < n_min or points < 1:
        raise ConfigError(f"need 1 <= n_min <= n_max and points >= 1, got n_min={n_min}, "
                          f"n_max={n_max}, points={points}")
    vals = np.unique(np.round(np.geomspace(n_min, n_max, points)).astype(int))
    return tuple(int(v) for v in vals)


def sample_complexity(n_grid: Sequence[float], test_loss: Sequence[float], threshold: float,
                      *, rule: str = "first") -> float:
    """Smallest ``n`` with test loss <= ``threshold``, log-interpolated on the grid.

    ``n_grid`` (G,) increasing, ``test_loss`` (G,) (e.g. averaged over seeds). Returns
    ``n_grid[0]`` if the loss is already below the threshold there, ``inf`` if never reached.
    """
    if rule not in RULES:
        raise ConfigError(f"parameter 'rule': {rule!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, RULES))}")
    n = np.asarray(n_grid, dtype=float)
    loss = np.asarray(test_loss, dtype=float)
    if n.ndim != 1 or n.shape != loss.shape or len(n) == 0:
        raise ConfigError(f"'n_grid' and 'test_loss' must be 1-D of equal length, got shapes "
                          f"{n.shape} and {loss.shape}")
    if np.any(np.diff(n) <= 0):
        raise ConfigError("'n_grid' must be strictly increasing")
    below = loss <= threshold
    if rule == "first":
        hits = np.flatnonzero(below)
        if len(hits) == 0:
            return math.inf
        i = int(hits[0])
    else:
        if not below[-1]:
            return math.inf
        above = np.flatnonzero(~below)
        i = 0 if len(above) == 0 else int(above[-1]) + 1
    if i == 0:
        return float(n[0])
    l0, l1 = loss[i - 1], loss[i]
    t = (l0 - threshold) / (l0 - l1)
    return float(np.exp(np.log(n[i - 1]) + t * (np.log(n[i]) - np.log(n[i - 1]))))


def geometric_mean(values: Sequence[float]) -> float:
    """Geometric mean of the finite values (``nan`` if none is finite)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if len(v) else math.nan


ModelFactory = Callable[[int, int, torch.Generator, torch.device], nn.Module]
"""``(n_models, in_dim, generator, device) -> module`` mapping (M, B, in) -> (M, B, 1)."""


def losses_over_n_grid(task_factory: Callable[[int], SineTask], model_factory: ModelFactory,
                       n_grid: Sequence[int], seeds: Sequence[int], *, n_test: int = 2000,
                       iters: int = 1000, lr: float = 0.01, batch_size: int | None = 256,
                       device: torch.device | str = "cpu", init_seed: int = 0,
                       progress: bool = False, desc: str = "n-grid") -> dict[str, np.ndarray]:
    """Train one model per (seed, n) -- all in one stack -- and return their final losses.

    Seed ``s`` fixes the task (``task_factory(s)``), the data (nested over ``n``) and, with
    ``init_seed``, the initial weights. Returns ``{"n": (G,), "seeds": (S,), "train": (S, G),
    "test": (S, G), "wall_time_s": float}``.
    """
    n_grid = [int(n) for n in n_grid]
    seeds = [int(s) for s in seeds]
    if len(n_grid) == 0 or len(seeds) == 0:
        raise ConfigError("'n_grid' and 'seeds' must be non-empty")
    dev = torch.device(device)
    tasks = [task_factory(s) for s in seeds for _ in n_grid]
    ns = [n for _ in seeds for n in n_grid]
    data_seeds = [s for s in seeds for _ in n_grid]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, ns, n_test, data_seeds=data_seeds,
                                             device=dev)
    gen = torch.Generator(device=dev).manual_seed(init_seed)
    model = model_factory(len(tasks), tasks[0].m, gen, dev)
    res = train_batched(model, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=lr,
                        batch_size=batch_size, generator=gen, progress=progress, desc=desc)
    shape = (len(seeds), len(n_grid))
    return {"n": np.asarray(n_grid), "seeds": np.asarray(seeds),
            "train": res.train_loss.numpy().reshape(shape),
            "test": res.test_loss.numpy().reshape(shape), "wall_time_s": res.wall_time_s}


__all__ = ["RULES", "geometric_grid", "sample_complexity", "geometric_mean", "ModelFactory",
           "losses_over_n_grid"]
