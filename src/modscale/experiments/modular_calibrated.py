"""The modular chapter's Fig. 4 (alignment over training), t-SNE and Table 2 (nonlinear
projections) on the calibrated sine task, at the paper's training protocol.

A stack (:class:`ModularSpec`) is a :class:`~modscale.experiments.fig3a_readings.Fig3aSpec` (task
knobs,
architecture, n grid, seeds, protocol, Algorithm 1 settings) of a *modular* method plus:

- ``projection``: ``"linear"`` or ``"nonlinear"`` (a one-hidden-layer tanh projection of
  ``proj_hidden`` units per module, :class:`~modscale.models.modular_net.NonlinearProjection`);
- ``record_every``: record the similarity of the projections with the task's module directions
  every ``record_every`` training iterations (0: only before and after training);
- ``keep_directions``: return the projection directions before and after training and the
  task's directions (for the t-SNE figure).

Methods (:data:`METHODS`): ``modular`` (random projections), ``ours_literal`` (Algorithm 1 with
the per-module objective, the paper's text), ``ours_joint`` (the sum-of-module-kernels
objective), and the aligned starts ``oracle`` and ``mixed`` (the true directions, fully or by a
dose ``alpha``: bounds, not readings; :mod:`modscale.training.aligned_start`); both
initialisers run :func:`~modscale.training.kernel_init.kernel_init_` on every network's
own training set (rows beyond its n are never used), then everything is trained end to end.

Why not :func:`modscale.experiments.fig3a_readings.run_stack`: that function computes the stored
Fig. 3a
stacks and its code is part of their cache key; this module adds projections of either kind and
the recorded trajectory without touching it. The task and data of seed ``s`` are the same as
there (same task knobs and seeds), so the linear and nonlinear stacks are paired by task.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from modscale.experiments.fig3a_readings import (
    ALIGNED_STARTS,
    Fig3aSpec,
    check_alpha,
    check_regime,
    modular_net,
    stack_data,
    start_alpha,
    train_options,
)
from modscale.infra.profiles import ConfigError, check_choice
from modscale.models.modular_net import PROJECTIONS
from modscale.training.aligned_start import aligned_start_
from modscale.training.alignment import SimilarityRecorder, similarity_score
from modscale.training.kernel_init import kernel_init_
from modscale.training.trainer import evaluate_mse, train_batched

READING_METHODS = ("modular", "ours_literal", "ours_joint")
"""The baseline and the readings of Algorithm 1 (the chapter's Fig. 4, t-SNE and Table 2)."""
METHODS = (*READING_METHODS, "oracle", "mixed")
OBJECTIVES = {"ours_literal": "literal", "ours_joint": "joint"}


@dataclass(frozen=True)
class ModularSpec(Fig3aSpec):
    """One stack of a modular method (see module doc); fields of ``Fig3aSpec`` plus these."""

    projection: str = "linear"
    proj_hidden: int = 8
    record_every: int = 0
    keep_directions: bool = False

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)
        check_regime(self)
        check_alpha(self)
        check_choice("projection", self.projection, PROJECTIONS)
        if self.method in ALIGNED_STARTS and self.projection != "linear":
            raise ConfigError(f"method {self.method!r} sets linear projections: parameter "
                              "'projection' must be 'linear'")
        if self.record_every < 0:
            raise ConfigError(f"parameter 'record_every' must be >= 0, got {self.record_every}")


def from_fig3a(spec: Fig3aSpec, **changes) -> ModularSpec:
    """The :class:`ModularSpec` of a Fig. 3a stack ``spec`` with ``changes`` applied."""
    return ModularSpec(**{**{f.name: getattr(spec, f.name) for f in dataclasses.fields(spec)},
                          **changes})


def run_stack(spec: ModularSpec, device: torch.device | str = "cpu",
              progress: bool = False) -> dict:
    """Train the stack. Returns numpy arrays ``train``, ``test`` (noisy targets), ``test_clean``,
    ``sim_init`` (after the initialiser), ``sim_final`` (S, G); with ``record_every``:
    ``sim_steps`` (E,) and ``sim_history`` (E, S, G) (the last entry is the end of training);
    with ``keep_directions``: ``dirs_init``, ``dirs_final`` (S, G, K, m, b) and ``targets``
    (S, k, m, b). Scalars: ``iters``, ``init_time_s``, ``init_flops`` (per network),
    ``train_time_s``."""
    dev = torch.device(device)
    d = stack_data(spec, dev)
    keys, xtr, ytr, xte, yte, nt = d.keys, d.xtr, d.ytr, d.xte, d.yte, d.nt
    shape, seed, gen = d.shape, d.seed, d.gen
    net = modular_net(spec, len(keys), gen, dev, projection=spec.projection,
                      proj_hidden=spec.proj_hidden)
    targets = d.targets  # (M, k, m, b)
    out: dict = {"iters": spec.iters, "init_time_s": 0.0, "init_flops": 0.0}
    if spec.method in OBJECTIVES:
        r = kernel_init_(net.projection, xtr, ytr, n_train=nt,
                         objective=OBJECTIVES[spec.method], steps=spec.init_steps,
                         batch_size=spec.init_batch_size, lr=spec.init_lr, ridge=spec.init_ridge,
                         generator=torch.Generator().manual_seed(seed + 1))
        out.update(init_time_s=r.wall_time_s, init_flops=r.flops / len(keys))
    elif spec.method in ALIGNED_STARTS:
        aligned_start_(net.projection.weight, targets.to(dev), start_alpha(spec), spec.proj_scale)
    dirs_init = net.directions().detach().cpu().clone()
    out["sim_init"] = similarity_score(dirs_init, targets).numpy().reshape(shape)
    rec = (SimilarityRecorder(net, targets, nt, spec.batch_size, spec.iters, spec.record_every, gen)
           if spec.record_every else None)
    res = train_batched(net, xtr, ytr, xte, yte, n_train=nt, iters=spec.iters, lr=spec.lr,
                        batch_size=spec.batch_size, generator=gen, batch_indices=rec,
                        progress=progress, desc=f"{spec.method} m={spec.m}",
                        **train_options(spec))
    dirs_final = net.directions().detach().cpu().clone()
    out.update(train=res.train_loss.numpy().reshape(shape),
               test=res.test_loss.numpy().reshape(shape),
               test_clean=evaluate_mse(net, xte, d.yte_clean).cpu().numpy().reshape(shape),
               train_time_s=res.wall_time_s,
               sim_final=similarity_score(dirs_final, targets).numpy().reshape(shape))
    if rec is not None:
        rec.record(spec.iters)
        out["sim_steps"] = np.asarray(rec.steps)
        out["sim_history"] = torch.stack(rec.sims).numpy().reshape(-1, *shape)
    if spec.keep_directions:
        out["dirs_init"] = dirs_init.numpy().reshape(*shape, *dirs_init.shape[1:])
        out["dirs_final"] = dirs_final.numpy().reshape(*shape, *dirs_final.shape[1:])
        out["targets"] = targets.numpy().reshape(*shape, *targets.shape[1:])[:, 0]
    return out


def fig4_specs(mcfg, base: Fig3aSpec) -> list[ModularSpec]:
    """The Fig. 4 / t-SNE stacks: every method of :data:`METHODS` on the calibrated task and
    protocol of ``base`` (a stack of the Algorithm 1 chapter's comparison), at the modular
    chapter's ``align_*`` setting of ``mcfg``
    (:class:`~modscale.infra.profiles.modular_networks.ModularParams`): m = ``align_m``, k =
    ``align_k``, K = 2 k, one training-set size ``align_n``, seeds ``range(align_seeds)``,
    ``align_iters`` iterations, the similarity recorded every ``align_record_every``."""
    return [from_fig3a(base, method=meth, m=mcfg.align_m, k=mcfg.align_k,
                       n_modules=2 * mcfg.align_k, n_values=(mcfg.align_n,),
                       seeds=tuple(range(mcfg.align_seeds)), iters=mcfg.align_iters,
                       record_every=mcfg.align_record_every, keep_directions=True)
            for meth in READING_METHODS]


def table2_specs(mcfg, fig3a_specs: list[Fig3aSpec]) -> tuple[list[Fig3aSpec],
                                                                list[ModularSpec]]:
    """Table 2's stacks: (linear, nonlinear). The linear ones are the Algorithm 1 chapter's
    Fig. 3a stacks (``fig3a_specs``, their first seed chunk) of the methods of :data:`METHODS`
    at every m of ``mcfg.table2_m_values``; the nonlinear ones are the same with
    ``proj_hidden`` tanh units per module projection."""
    fig3a_specs = [s for s in fig3a_specs if s.seeds[0] == 0]  # first seed chunk
    ms = sorted({s.m for s in fig3a_specs})
    missing = [m for m in mcfg.table2_m_values if m not in ms]
    if missing:
        raise ConfigError(f"parameter 'table2_m_values' {mcfg.table2_m_values}: m = {missing} "
                          f"is not an input dimension of the Algorithm 1 chapter's comparison "
                          f"(its 'sc_m_values' {tuple(ms)})")
    base = {s.m: s for s in fig3a_specs if s.method == "modular"}
    linear = [dataclasses.replace(base[m], method=meth) for m in mcfg.table2_m_values
              for meth in READING_METHODS]
    nonlinear = [from_fig3a(s, projection="nonlinear", proj_hidden=mcfg.proj_hidden)
                 for s in linear]
    return linear, nonlinear


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _modular_calibrated_configs() -> list[Any]:
    from modscale.experiments.fig3a_readings import golden_base

    base = golden_base()
    return [from_fig3a(base, method=m, record_every=10, keep_directions=True,
                       alpha=0.5 if m == "mixed" else 0.0) for m in METHODS] \
        + [from_fig3a(base, method=METHODS[0], projection="nonlinear", proj_hidden=4)]


GOLDENS = {"modular_calibrated": _modular_calibrated_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["METHODS", "READING_METHODS", "ModularSpec", "fig4_specs", "from_fig3a", "run_stack",
           "table2_specs"]
