"""Compositional CIFAR-10 at the paper's data scale: the runs behind the scale study.

A *scale run* is one :func:`modscale.experiments.cifar_runs.compute_run` (all
``scale_n_seeds`` networks of one method and ``k`` trained together) with the chapter's
architecture, except the module input dimension ``b``, the number of training combinations, the
test-set size, batch size and matmul precision (``scale_*`` parameters of
:class:`~modscale.infra.profiles.compositional_cifar.CifarConfig`).
Its payload is compact (:func:`modscale.experiments.cifar_runs.compact`: per-seed accuracies, a
thinned loss curve, costs), so that it fits the committed results store.

Which runs (:func:`scale_specs`):

- ``sweep``: validation accuracy of every method and learning rate of ``lr_grid`` at
  ``scale_sweep_k`` with ``scale_sweep_n_train`` combinations, seed 0 (chooses the learning
  rates of everything else);
- ``scale``: ``scale_ks`` x methods at ``scale_n_train`` combinations (Fig. 3b and Table 1 at
  the paper's data scale; noise levels evaluated);
- ``study``: ``scale_study_ks`` x ``scale_study_n_trains`` x methods, and the module dimensions
  beyond the first at the first of ``scale_study_ks`` and ``scale_dim_n_train`` combinations
  (modular methods only; the monolithic network has no module dimension).
"""

from __future__ import annotations

import dataclasses

from modscale.experiments.cifar_runs import (
    CifarData,
    best_lrs,
    compact,
    compute_run,
    data_for,
    run_spec,
)
from modscale.infra.cache import cached

EXPERIMENT = "cifar_scale"
MAX_CURVE_POINTS = 100


def scale_config(cfg, module_dim: int | None = None):
    """``cfg`` with the scale runs' settings in place of the chapter's (module dimension
    ``module_dim`` or the first of ``cfg.scale_module_dims``)."""
    return dataclasses.replace(
        cfg, module_dim=module_dim or cfg.scale_module_dims[0], n_test=cfg.scale_n_test,
        batch_size=cfg.scale_batch_size, amp=cfg.scale_amp)


def seeds_of(cfg) -> tuple[int, ...]:
    return tuple(range(cfg.scale_n_seeds))


def sweep_specs(cfg, device="cpu") -> list[dict]:
    """The learning-rate sweep of the scale runs (one run per method and learning rate)."""
    sc = scale_config(cfg)
    return [run_spec(sc, m, cfg.scale_sweep_k, (0,), lr=lr, n_train=cfg.scale_sweep_n_train,
                     evaluate="val", device=device) for m in cfg.methods for lr in cfg.lr_grid]


def main_specs(cfg, lrs: dict[str, float], device="cpu") -> list[dict]:
    """Every run at the paper's data scale and of the scale study (see the module docstring)."""
    out, seen = [], set()

    def add(module_dim: int, k: int, n_train: int, method: str, noise: bool) -> None:
        sc = scale_config(cfg, module_dim)
        spec = run_spec(sc, method, k, seeds_of(cfg), lr=lrs[method], n_train=n_train,
                        noise_levels=tuple(cfg.noise_levels) if noise else (), device=device)
        key = repr(sorted(spec.items()))
        if key not in seen:
            seen.add(key)
            out.append(spec)

    b0 = cfg.scale_module_dims[0]
    for k in cfg.scale_ks:
        for m in cfg.methods:
            add(b0, k, cfg.scale_n_train, m, noise=True)
    for k in cfg.scale_study_ks:
        for n in cfg.scale_study_n_trains:
            for m in cfg.methods:
                add(b0, k, n, m, noise=n == cfg.scale_n_train and k in cfg.scale_ks)
    for b in cfg.scale_module_dims[1:]:  # the monolithic network has no modules
        for k in cfg.scale_study_ks[:1]:
            for m in cfg.methods:
                if m != "monolithic":
                    add(b, k, cfg.scale_dim_n_train, m, noise=False)
    return out


# --- the paper-dimension runs (module dimension b = paper_dim) ---------------------------------

def paper_dim_config(cfg, method: str):
    """``cfg`` of a paper-dimension run of ``method``: module dimension ``cfg.paper_dim``
    (the monolithic network has no modules: it is keyed at the chapter's ``module_dim``, so its
    runs are shared with the b = 32 runs), and, for ``ours``, Algorithm 1 as
    ``cfg.paper_dim_init`` (:func:`modscale.experiments.cifar_alg1.init_config`)."""
    from modscale.experiments.cifar_alg1 import init_config

    sc = scale_config(cfg, cfg.module_dim if method == "monolithic" else cfg.paper_dim)
    return init_config(sc, cfg.paper_dim_init) if method == "ours" else sc


def paper_dim_sweep_specs(cfg, device="cpu") -> list[dict]:
    """The learning-rate sweep at the paper's module dimension: every method and learning rate
    of ``paper_dim_lr_grid`` at ``scale_sweep_k`` with ``scale_sweep_n_train`` combinations,
    seed 0, validation set."""
    return [run_spec(paper_dim_config(cfg, m), m, cfg.scale_sweep_k, (0,), lr=lr,
                     n_train=cfg.scale_sweep_n_train, evaluate="val", device=device)
            for m in cfg.methods for lr in cfg.paper_dim_lr_grid]


def paper_dim_specs(cfg, lrs: dict[str, float], device="cpu") -> list[dict]:
    """Fig. 3b and Table 1 at the paper's module dimension: ``paper_dim_ks`` x methods at
    ``paper_dim_n_train`` combinations, ``paper_dim_n_seeds`` seeds in chunks of
    ``paper_dim_seeds_per_run`` (noise levels evaluated at ``table_k``; the projection slices
    of Fig. 12 kept in the first chunk of the modular methods at ``table_k``)."""
    from modscale.experiments.cifar_runs import seed_chunks

    out = []
    for k in cfg.paper_dim_ks:
        for m in cfg.methods:
            for chunk in seed_chunks(cfg.paper_dim_n_seeds, cfg.paper_dim_seeds_per_run):
                out.append(run_spec(
                    paper_dim_config(cfg, m), m, k, chunk, lr=lrs[m],
                    n_train=cfg.paper_dim_n_train,
                    noise_levels=tuple(cfg.noise_levels) if k == cfg.table_k else (),
                    keep_slices=(k == cfg.table_k and chunk[0] == 0 and m != "monolithic"),
                    device=device))
    return out


def paper_dim_lrs(sweep: list[dict], cfg) -> dict[str, float]:
    """Learning rate per method chosen on the paper-dimension sweep's validation accuracy."""
    import pandas as pd

    if len(cfg.paper_dim_lr_grid) == 1:
        return {m: float(cfg.paper_dim_lr_grid[0]) for m in cfg.methods}
    df = pd.DataFrame([{"method": r["spec"]["method"], "lr": r["spec"]["lr"],
                        "val_acc": r["rows"][0]["val_acc"]} for r in sweep])
    return best_lrs(df)


def paper_dim_runs(data: CifarData, cfg, *, progress: bool = True
                   ) -> tuple[list[dict], dict[str, float], list[dict]]:
    """(sweep runs, chosen learning rates, main runs) at the paper's module dimension, computed
    or drawn from the store."""
    sweep = ([scale_run(data, s, progress=progress) for s in paper_dim_sweep_specs(cfg)]
             if len(cfg.paper_dim_lr_grid) > 1 else [])
    lrs = paper_dim_lrs(sweep, cfg)
    return sweep, lrs, [scale_run(data, s, progress=progress)
                        for s in paper_dim_specs(cfg, lrs)]


def compute_scale_run(data: CifarData, spec: dict, *, progress: bool = True) -> dict:
    """Train and evaluate one scale run (uncached) and return its compact payload."""
    return compact(compute_run(data, spec, progress=progress))


def scale_key(data: CifarData, spec: dict) -> dict:
    """The store key of the scale run ``spec`` on ``data``: the spec, the data checksum and the
    device type."""
    return {**spec, "data": data.arrays_sha256, "device": data.train.device.type}


def scale_run(data: CifarData, spec: dict, *, progress: bool = True) -> dict:
    """:func:`compute_scale_run`, cached (and stored) per ``spec``, the data checksum and the
    device type."""
    return cached(EXPERIMENT, scale_key(data, spec),
                  lambda: compute_scale_run(data, spec, progress=progress),
                  device=data.train.device)


def run_compact(key: dict) -> dict:
    """Recompute a stored scale run from its key alone (goldens, verification)."""
    spec = {k: v for k, v in key.items() if k not in ("data", "device")}
    return compact(compute_run(data_for(key, key.get("device", "cpu")), spec, progress=False))


def scale_lrs(sweep: list[dict], cfg) -> dict[str, float]:
    """Learning rate per method chosen on the scale sweep's validation accuracy."""
    import pandas as pd

    df = pd.DataFrame([{"method": r["spec"]["method"], "lr": r["spec"]["lr"],
                        "val_acc": r["rows"][0]["val_acc"]} for r in sweep])
    if len(cfg.lr_grid) == 1:
        return {m: float(cfg.lr_grid[0]) for m in cfg.methods}
    return best_lrs(df)


def all_runs(data: CifarData, cfg, *, progress: bool = True) -> tuple[list[dict], list[dict]]:
    """(sweep runs, main runs): every scale run, computed or drawn from the cache/store."""
    sweep = ([scale_run(data, s, progress=progress) for s in sweep_specs(cfg)]
             if len(cfg.lr_grid) > 1 else [])
    lrs = scale_lrs(sweep, cfg)
    return sweep, [scale_run(data, s, progress=progress) for s in main_specs(cfg, lrs)]


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _cifar_golden_configs() -> list[dict]:
    from modscale.experiments.cifar_runs import GOLDENS as RUN_GOLDENS

    return RUN_GOLDENS["cifar_run"]()  # the same runs, stored under this experiment too


GOLDENS = {"cifar_scale": lambda: _cifar_golden_configs()}
"""Experiment -> function returning its golden configurations."""


__all__ = ["EXPERIMENT", "paper_dim_config", "paper_dim_sweep_specs", "paper_dim_specs",
           "paper_dim_lrs", "paper_dim_runs", "scale_config", "sweep_specs", "main_specs",
           "compact", "compute_scale_run", "scale_key", "scale_run", "scale_lrs", "all_runs"]
