"""Readings of the paper's Algorithm 1 and the diagnostics that tell them apart.

The paper finds "a single module projection" by gradient descent on the kernel objective
(Eqn 17) and "repeats this procedure K times with different random initializations". Four
readings of that sentence, all *interpretations* (the paper's code is not available):

- ``literal``: K independent restarts of the single-module objective (each restart's own kernel;
  :func:`modscale.training.kernel_init.kernel_init_` with ``objective="literal"``);
- ``greedy_residual``: one module at a time, each fitted to what the earlier ones leave
  unexplained: module j minimises the objective of the residual
  ``r_j = r_{j-1} - K_{j-1}(K_{j-1} + ridge)^{-1} r_{j-1}`` (``r_0 = y``) on each mini-batch,
  the earlier modules being frozen (kernel ridge back-fitting);
- ``greedy_fixed``: one module at a time, each minimising the objective of ``y`` under the
  *sum* of its kernel and the frozen earlier modules' kernels;
- ``joint``: all K projections at once on the objective of the network's kernel (the mean of the
  module kernels; ``objective="joint"``), which the Eqn 15 -> 17 derivation suggests.

Diagnostics (:func:`direction_metrics`, :func:`stay_test`, :func:`objective_per_point`):
the paper-style similarity score and its chance level, the number of true modules recovered
(some restart within ``|cos| > 0.9``), the number of distinct directions among the restarts, and
whether the true directions are stable points of the per-module objective.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import torch
from torch import nn

from modscale import methods
from modscale.infra.profiles import ConfigError, check_choice
from modscale.training.alignment import chance_similarity, pairwise_similarity, similarity_score
from modscale.training.kernel_init import (
    KernelInitResult,
    _sample_batch,
    kernel_init_,
    kernel_init_flops,
)
from modscale.training.kernel_objective import kernel_matrix, objective_from_kernel

READINGS = methods.READINGS
"""The readings of "repeat K times" (see the module docstring); ``literal`` is the paper's text."""


@dataclass
class ReadingResult:
    """What a reading did: per-point objective history ``objective`` (T, M) of the module being
    fitted (greedy: the stages follow each other), ``stages`` (the step at which each greedy
    module started), ``wall_time_s`` and the estimated ``flops``."""

    reading: str
    steps: list[int] = field(default_factory=list)
    objective: list[torch.Tensor] = field(default_factory=list)
    stages: list[int] = field(default_factory=list)
    directions: list[torch.Tensor] = field(default_factory=list)
    wall_time_s: float = 0.0
    flops: float = 0.0


def _kernel_ridge_residual(k: torch.Tensor, r: torch.Tensor, ridge: float,
                           mask: torch.Tensor) -> torch.Tensor:
    """``r - K (K + ridge * mean diag K * I)^{-1} r`` per network: k (M, B, B), r (M, B, d)."""
    w = mask.to(k.dtype)
    k = k * (w.unsqueeze(-1) * w.unsqueeze(-2)) + torch.diag_embed(1 - w)
    diag = torch.diagonal(k, dim1=-2, dim2=-1)
    scale = (diag * w).sum(-1) / w.sum(-1).clamp_min(1)
    a = k + (ridge * scale)[:, None, None] * torch.eye(k.shape[-1], dtype=k.dtype,
                                                       device=k.device)
    alpha = torch.linalg.solve(a, r * w.unsqueeze(-1))
    return (r - k @ alpha) * w.unsqueeze(-1)


def init_projections_(projection: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor, *,
                      reading: str = "literal", steps: int = 200, batch_size: int = 256,
                      lr: float = 0.05, kernel: str = "rbf", bandwidth: str = "median",
                      ridge: float = 0.1, record_every: int = 10,
                      generator: torch.Generator | None = None) -> ReadingResult:
    """Initialise ``projection`` ((M, B, m) -> (M, K, B, b), e.g. a
    :class:`~modscale.models.modular_net.LinearProjection`) by one reading of Algorithm 1, in place.

    ``x_train`` (M, n, m), ``y_train`` (M, n, d). ``steps``: Adam steps per module for the greedy
    readings (so K * steps in all), per restart for ``literal`` and in all for ``joint``.
    """
    check_choice("reading", reading, READINGS)
    if not isinstance(steps, int) or steps < 0:
        raise ConfigError(f"parameter 'steps' must be an integer >= 0, got {steps!r}")
    t0 = time.perf_counter()
    kw = {"kernel": kernel, "bandwidth": bandwidth}
    out = ReadingResult(reading)
    if reading in ("literal", "joint"):
        res: KernelInitResult = kernel_init_(
            projection, x_train, y_train, objective="literal" if reading == "literal" else "joint",
            steps=steps, batch_size=batch_size, lr=lr, ridge=ridge, record_every=record_every,
            generator=generator, **kw)
        obj = res.objective_tensor()
        out.steps, out.objective = res.steps, list(obj.mean(-1)) if len(obj) else []
        out.directions = [projection.directions().cpu()]
        out.wall_time_s, out.flops = res.wall_time_s, res.flops
        return out
    projection.renormalize_()
    weight = projection.weight  # (M, K, m, b)
    m_, n_max = x_train.shape[:2]
    n_modules = weight.shape[1]
    nt = torch.full((m_,), n_max, dtype=torch.long, device=x_train.device)
    for j in range(n_modules):
        out.stages.append(j * steps)
        opt = torch.optim.Adam([weight], lr=lr)  # fresh state: frozen modules never move
        keep = torch.zeros_like(weight)
        keep[:, j] = 1.0
        for step in range(steps + 1):
            xb, yb, mask = _sample_batch(x_train, y_train, nt, batch_size, generator)
            z = projection(xb)[:, :j + 1]  # (M, j+1, B, b): later modules play no part
            kmats = kernel_matrix(z, mask=mask.unsqueeze(1), **kw)  # (M, j+1, B, B)
            if reading == "greedy_fixed":
                kmat = kmats.mean(1)
                target = yb
            else:
                target = yb
                with torch.no_grad():
                    for i in range(j):
                        target = _kernel_ridge_residual(kmats[:, i].detach(), target, ridge, mask)
                kmat = kmats[:, j]
            obj = objective_from_kernel(kmat, target, ridge=ridge, mask=mask)  # (M,)
            if step % record_every == 0 or step == steps:
                out.steps.append(j * steps + step)
                out.objective.append((obj.detach() / mask.sum(-1)).cpu())
            if step == steps:
                break
            opt.zero_grad(set_to_none=True)
            obj.sum().backward()
            weight.grad.mul_(keep)
            opt.step()
            projection.renormalize_()
    out.directions = [projection.directions().cpu()]
    out.wall_time_s = time.perf_counter() - t0
    out.flops = kernel_init_flops(m_, n_modules, weight.shape[2], weight.shape[3],
                                  y_train.shape[-1], min(batch_size, n_max), steps * n_modules,
                                  n_solves=1)
    return out


@dataclass
class DirectionMetrics:
    """Per network (M,): ``similarity`` (paper-style score), ``modules_recovered`` (true modules
    with some learned direction at ``|cos| > cos_threshold``), ``distinct_directions`` (learned
    directions not within ``|cos| > cos_threshold`` of an earlier one); ``chance``: the score of
    random directions (Monte Carlo)."""

    similarity: torch.Tensor
    modules_recovered: torch.Tensor
    distinct_directions: torch.Tensor
    chance: float


def direction_metrics(learned: torch.Tensor, target: torch.Tensor, *,
                      cos_threshold: float = 0.9, chance_trials: int = 2000,
                      seed: int = 0) -> DirectionMetrics:
    """Metrics of learned directions ``learned`` (M, K, m, b) against ``target`` (M, k, m, b)."""
    if learned.dim() != 4 or target.dim() != 4 or learned.shape[0] != target.shape[0]:
        raise ValueError(f"expected learned (M, K, m, b) and target (M, k, m, b), got "
                         f"{tuple(learned.shape)} and {tuple(target.shape)}")
    pair = pairwise_similarity(learned, target)  # (M, k, K)
    recovered = (pair.max(-1).values > cos_threshold).sum(-1)
    self_sim = pairwise_similarity(learned, learned)  # (M, K, K)
    earlier = torch.tril(self_sim > cos_threshold, diagonal=-1).any(-1)  # duplicate of earlier
    distinct = (~earlier).sum(-1)
    m, b = learned.shape[-2], learned.shape[-1]
    chance = chance_similarity(m, learned.shape[1], target.shape[1], b, n_trials=chance_trials,
                               seed=seed)
    return DirectionMetrics(similarity_score(learned, target), recovered, distinct, chance)


def objective_per_point(directions: torch.Tensor, x: torch.Tensor, y: torch.Tensor, *,
                        kernel: str = "rbf", bandwidth: str = "median", ridge: float = 0.1
                        ) -> torch.Tensor:
    """Single-module objective per point of each direction: ``directions`` (M, K, m, b), a batch
    ``x`` (M, B, m), ``y`` (M, B, d) -> (M, K) (objective / B)."""
    z = torch.einsum("mbi,mkio->mkbo", x, directions)
    kmat = kernel_matrix(z, kernel=kernel, bandwidth=bandwidth)
    return objective_from_kernel(kmat, y.unsqueeze(1), ridge=ridge) / x.shape[1]


def stay_test(projection: nn.Module, target: torch.Tensor, x_train: torch.Tensor,
              y_train: torch.Tensor, *, steps: int = 200, record_every: int = 10,
              batch_size: int = 256, lr: float = 0.05, ridge: float = 0.1,
              cos_threshold: float = 0.9, generator: torch.Generator | None = None
              ) -> dict[str, torch.Tensor]:
    """Start every restart of the literal reading *on* a true module direction and run it.

    ``target`` (M, k, m, b): the task's directions; restart j starts on module ``j mod k``.
    Returns ``steps`` (T,) and ``staying`` (T, M): the fraction of restarts still within
    ``|cos| > cos_threshold`` of the module they started on.
    """
    n_modules = projection.weight.shape[1]
    k = target.shape[1]
    start = target[:, torch.arange(n_modules) % k].to(projection.weight.dtype)
    with torch.no_grad():
        projection.weight.copy_(start)
    steps_out, staying = [], []

    def record(step: int) -> None:
        w = projection.weight.detach()
        cos = pairwise_similarity(w, start).diagonal(dim1=-2, dim2=-1)  # (M, K)
        steps_out.append(step)
        staying.append((cos > cos_threshold).double().mean(-1))

    weight = projection.weight
    opt = torch.optim.Adam([weight], lr=lr)  # one optimiser for the whole run
    m_, n_max = x_train.shape[:2]
    nt = torch.full((m_,), n_max, dtype=torch.long, device=x_train.device)
    for step in range(steps + 1):
        if step % record_every == 0 or step == steps:
            record(step)
        if step == steps:
            break
        xb, yb, mask = _sample_batch(x_train, y_train, nt, batch_size, generator)
        kmat = kernel_matrix(projection(xb), mask=mask.unsqueeze(1))
        obj = objective_from_kernel(kmat, yb.unsqueeze(1), ridge=ridge, mask=mask.unsqueeze(1))
        opt.zero_grad(set_to_none=True)
        obj.sum().backward()
        opt.step()
        projection.renormalize_()
    return {"steps": torch.tensor(steps_out), "staying": torch.stack(staying)}


def literal_trajectory(projection: nn.Module, target: torch.Tensor, x_train: torch.Tensor,
                       y_train: torch.Tensor, *, steps: int, record_every: int,
                       batch_size: int, lr: float, ridge: float, kernel: str = "rbf",
                       generator: torch.Generator | None = None) -> dict[str, torch.Tensor]:
    """The literal reading step by step, recording the similarity score with ``target`` every
    ``record_every`` steps (one Adam optimiser throughout; the paper's Fig. 4 shows the score
    at initialisation, i.e. after Algorithm 1): ``steps`` (T,), ``similarity`` (T, M)."""
    weight = projection.weight
    projection.renormalize_()
    opt = torch.optim.Adam([weight], lr=lr)
    m_, n_max = x_train.shape[:2]
    nt = torch.full((m_,), n_max, dtype=torch.long, device=x_train.device)
    steps_out, sims = [], []
    for step in range(steps + 1):
        if step % record_every == 0 or step == steps:
            steps_out.append(step)
            sims.append(similarity_score(projection.directions(), target.to(weight.dtype)))
        if step == steps:
            break
        xb, yb, mask = _sample_batch(x_train, y_train, nt, batch_size, generator)
        kmat = kernel_matrix(projection(xb), mask=mask.unsqueeze(1), kernel=kernel)
        obj = objective_from_kernel(kmat, yb.unsqueeze(1), ridge=ridge, mask=mask.unsqueeze(1))
        opt.zero_grad(set_to_none=True)
        obj.sum().backward()
        opt.step()
        projection.renormalize_()
    return {"steps": torch.tensor(steps_out), "similarity": torch.stack(sims).double()}


def _problem(spec: dict) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor,
                                  torch.Tensor]:
    """Tasks and data: x, y (M, n, m | 1), held-out x, y (M, 512, .), target (M, k, m, 1)."""
    from modscale.tasks.sine_task import make_task, sample_datasets

    tasks = [make_task(spec["m"], spec["k"], seed=s, b=spec.get("b", 1))
             for s in range(spec["n_tasks"])]
    xtr, ytr, xte, yte, _ = sample_datasets(tasks, [spec["n"]] * len(tasks), 512,
                                            data_seeds=list(range(len(tasks))))
    target = torch.stack([t.directions.to(torch.get_default_dtype()) for t in tasks])
    return xtr, ytr, xte, yte, target


def run_stopped_directions(spec: dict) -> dict:
    """The directions of one network (task seed 0) after the literal reading stopped at each of
    ``spec["stops"]`` steps (0: the random start), for the t-SNE of the early-stopping test.
    ``spec``: m, k, K, n, seed, stops, batch_size, lr, ridge. Returns ``targets`` (k, m) and
    ``directions`` (len(stops), K, m)."""
    from modscale.models.modular_net import LinearProjection
    from modscale.tasks.sine_task import make_task, sample_datasets

    task0 = make_task(spec["m"], spec["k"], seed=0, b=1)
    x0, y0, *_ = sample_datasets([task0], [spec["n"]], 16, data_seeds=[0])
    out = []
    for s in spec["stops"]:
        proj = LinearProjection(1, spec["K"], spec["m"], 1,
                                generator=torch.Generator().manual_seed(spec["seed"]))
        if s:
            init_projections_(proj, x0, y0, reading="literal", steps=s,
                              batch_size=spec["batch_size"], lr=spec["lr"], ridge=spec["ridge"],
                              generator=torch.Generator().manual_seed(spec["seed"]))
        out.append(proj.directions()[0, :, :, 0].detach().clone())
    return {"targets": task0.directions[:, :, 0].to(torch.get_default_dtype()).clone(),
            "directions": torch.stack(out)}


def run_reading(spec: dict) -> dict:
    """One reading on ``n_tasks`` sine tasks (one network each): the metrics of the directions
    it ends on, the per-point objective on held-out points at those directions, at the true
    directions and at random ones, and its cost. ``spec``: reading, m, k, K, n, n_tasks, steps,
    batch_size, lr, ridge, kernel, seed, record_every."""
    from modscale.models.modular_net import LinearProjection

    xtr, ytr, xte, yte, target = _problem(spec)
    g = torch.Generator().manual_seed(int(spec["seed"]))
    proj = LinearProjection(spec["n_tasks"], spec["K"], spec["m"], spec.get("b", 1),
                            generator=g)
    res = init_projections_(proj, xtr, ytr, reading=spec["reading"], steps=spec["steps"],
                            batch_size=spec["batch_size"], lr=spec["lr"], ridge=spec["ridge"],
                            kernel=spec["kernel"], record_every=spec["record_every"],
                            generator=g)
    learned = proj.directions()
    dm = direction_metrics(learned, target, seed=int(spec["seed"]))
    rand = torch.nn.functional.normalize(
        torch.randn(learned.shape, generator=torch.Generator().manual_seed(99)), dim=-2)
    kw = {"kernel": spec["kernel"], "ridge": spec["ridge"]}
    return {"similarity": dm.similarity, "modules_recovered": dm.modules_recovered,
            "distinct_directions": dm.distinct_directions, "chance": dm.chance,
            "objective_end": objective_per_point(learned, xte, yte, **kw),
            "objective_true": objective_per_point(target, xte, yte, **kw),
            "objective_random": objective_per_point(rand, xte, yte, **kw),
            "wall_time_s": res.wall_time_s, "flops": res.flops,
            "steps": torch.tensor(res.steps), "objective": torch.stack(res.objective)}


def run_stay(spec: dict) -> dict:
    """The stay test of a spec (m, k, K, n, n_tasks, steps, batch_size, lr, ridge, seed,
    record_every): fraction of restarts, started on the true modules, that stay there."""
    from modscale.models.modular_net import LinearProjection

    xtr, ytr, _, _, target = _problem(spec)
    g = torch.Generator().manual_seed(int(spec["seed"]))
    proj = LinearProjection(spec["n_tasks"], spec["K"], spec["m"], spec.get("b", 1),
                            generator=g)
    return stay_test(proj, target, xtr, ytr, steps=spec["steps"],
                     record_every=spec["record_every"], batch_size=spec["batch_size"],
                     lr=spec["lr"], ridge=spec["ridge"], generator=g)


def run_trajectory(spec: dict) -> dict:
    """Similarity of the literal reading over its steps (early stopping; paper Fig. 4)."""
    from modscale.models.modular_net import LinearProjection

    xtr, ytr, _, _, target = _problem(spec)
    g = torch.Generator().manual_seed(int(spec["seed"]))
    proj = LinearProjection(spec["n_tasks"], spec["K"], spec["m"], spec.get("b", 1),
                            generator=g)
    out = literal_trajectory(proj, target, xtr, ytr, steps=spec["steps"],
                             record_every=spec["record_every"], batch_size=spec["batch_size"],
                             lr=spec["lr"], ridge=spec["ridge"], generator=g)
    out["chance"] = chance_similarity(spec["m"], spec["K"], spec["k"], spec.get("b", 1),
                                      seed=int(spec["seed"]))
    return out


__all__ = ["READINGS", "ReadingResult", "init_projections_", "DirectionMetrics",
           "direction_metrics", "objective_per_point", "stay_test", "literal_trajectory",
           "run_reading", "run_stay", "run_trajectory"]
