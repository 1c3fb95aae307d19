"""Experiments of the modular-network chapter: train stacks of monolithic / modular networks on the
sine task over a grid of training-set sizes, with or without the kernel initialiser.

Methods (:data:`METHODS`):

- ``monolithic``: a ``BatchedMLP`` on the m-dimensional input (the baseline monolithic network);
- ``modular``: a :class:`~modscale.models.modular_net.BatchedModularNet` with random projections
  (baseline modular);
- ``ours``: the same modular network, projections first set by Algorithm 1 (``literal``
  objective, :func:`~modscale.training.kernel_init.kernel_init_`), then everything trained end to
  end;
- ``ours_joint``: as ``ours`` with the ``joint`` (sum-of-module-kernels) objective;
- ``modular_matched``: ``modular`` trained for extra iterations with the same estimated FLOPs as
  the initialiser of ``ours`` (compute-matched baseline).

One stack holds every (seed, n) pair of one method and one architecture; seed ``s`` fixes the
task (``make_task(m, k, seed=s)``) and the data (nested over n), so all methods see identical
tasks and data (paired comparison). Training uses :func:`modscale.training.trainer.train_batched`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from modscale.infra.profiles import ConfigError
from modscale.models.batched_mlp import BatchedMLP
from modscale.models.modular_net import BatchedModularNet
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.alignment import SimilarityRecorder, similarity_score
from modscale.training.kernel_init import kernel_init_, kernel_init_flops, matched_extra_iters
from modscale.training.trainer import batch_rows, train_batched

METHODS = ("monolithic", "modular", "ours", "ours_joint", "modular_matched")


def run_stack(method: str, m: int, *, k: int, n_grid: Sequence[int], seeds: Sequence[int],
              width: int, depth: int, n_modules: int, b: int = 1,
              projection: str = "linear", proj_hidden: int = 8, n_test: int = 1000,
              iters: int = 1000, lr: float = 0.01, batch_size: int = 256,
              init_steps: int = 100, init_batch_size: int = 128, init_lr: float = 0.05,
              init_kernel: str = "rbf", init_bandwidth: str = "median", init_ridge: float = 0.1,
              record_every: int | None = None,
              keep_directions: bool = False, init_seed: int = 0,
              device: torch.device | str = "cpu", progress: bool = False) -> dict:
    """Train one stack (every seed x n) of ``method`` at input dimension ``m``; see module doc.

    Returns a dict of numpy arrays: ``n`` (G,), ``seeds`` (S,), ``train``/``test`` (S, G) final
    MSE; for modular methods also ``sim_init``/``sim_final`` (S, G) similarity of the
    projections with the task's module directions before/after training, and, with
    ``record_every``, ``sim_steps`` (E,) and ``sim_history`` (E, S, G). Scalars:
    ``train_time_s``, ``init_time_s``, ``init_flops`` (per network), ``iters`` (actually run).
    With ``keep_directions``: ``dirs_init``/``dirs_final`` (S, G, K, m, b) and ``targets``
    (S, k, m, b).
    """
    if method not in METHODS:
        raise ConfigError(f"parameter 'method': {method!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, METHODS))}")
    dev = torch.device(device)
    n_grid, seeds = [int(n) for n in n_grid], [int(s) for s in seeds]
    tasks = [make_task(m, k, seed=s, b=b) for s in seeds for _ in n_grid]
    ns = [n for _ in seeds for n in n_grid]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, ns, n_test,
                                             data_seeds=[s for s in seeds for _ in n_grid],
                                             device=dev)
    n_models = len(tasks)
    shape = (len(seeds), len(n_grid))
    gen = torch.Generator(device=dev).manual_seed(init_seed)
    out: dict = {"n": np.asarray(n_grid), "seeds": np.asarray(seeds), "init_time_s": 0.0,
                 "init_flops": 0.0, "iters": iters}
    if method == "monolithic":
        net = BatchedMLP(n_models, m, width, depth, 1, generator=gen, device=dev)
        res = train_batched(net, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=lr,
                            batch_size=batch_size, generator=gen, progress=progress,
                            desc=f"{method} m={m}")
        out.update(train=res.train_loss.numpy().reshape(shape),
                   test=res.test_loss.numpy().reshape(shape), train_time_s=res.wall_time_s)
        return out

    net = BatchedModularNet(n_models, m, n_modules, b, width, depth, 1,
                            projection=projection, proj_hidden=proj_hidden, generator=gen,
                            device=dev)
    dtype = torch.get_default_dtype()
    targets = torch.stack([t.directions.to(dtype) for t in tasks])  # (M, k, m, b)
    init_kw = {"steps": init_steps, "batch_size": init_batch_size, "lr": init_lr,
               "kernel": init_kernel, "bandwidth": init_bandwidth, "ridge": init_ridge}
    flops = kernel_init_flops(1, n_modules, m, b, 1,
                              min(init_batch_size, max(ns)), init_steps)
    if method in ("ours", "ours_joint"):
        cpu_gen = torch.Generator().manual_seed(init_seed + 1)
        r = kernel_init_(net.projection, xtr, ytr, n_train=nt,
                         objective="joint" if method == "ours_joint" else "literal",
                         generator=cpu_gen, progress=progress, **init_kw)
        out.update(init_time_s=r.wall_time_s, init_flops=r.flops / n_models)
    elif method == "modular_matched":
        extra = matched_extra_iters(flops, net.params_per_model, 1,
                                    batch_rows(nt, batch_size))
        iters = iters + extra
        out.update(iters=iters, extra_iters=extra, matched_flops=flops)
    dirs_init = net.directions().cpu().clone()
    out["sim_init"] = similarity_score(dirs_init, targets).numpy().reshape(shape)
    rec = None
    if record_every:
        rec = SimilarityRecorder(net, targets, nt, batch_size, iters, record_every, gen)
    res = train_batched(net, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=lr,
                        batch_size=batch_size, generator=gen, batch_indices=rec,
                        progress=progress, desc=f"{method} m={m}")
    dirs_final = net.directions().cpu().clone()
    out.update(train=res.train_loss.numpy().reshape(shape),
               test=res.test_loss.numpy().reshape(shape), train_time_s=res.wall_time_s,
               sim_final=similarity_score(dirs_final, targets).numpy().reshape(shape))
    if rec is not None:
        rec.record(iters)
        out["sim_steps"] = np.asarray(rec.steps)
        out["sim_history"] = torch.stack(rec.sims).numpy().reshape(-1, *shape)
    if keep_directions:
        out["dirs_init"] = dirs_init.numpy().reshape(*shape, *dirs_init.shape[1:])
        out["dirs_final"] = dirs_final.numpy().reshape(*shape, *dirs_final.shape[1:])
        out["targets"] = targets.numpy().reshape(*shape, *targets.shape[1:])[:, 0]
    return out


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _modular_stacks_configs() -> list[dict]:
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_networks", "smoke")
    small = {"n_grid": [24, 48], "seeds": [0], "n_test": 64, "iters": 20, "batch_size": 16}
    init = {"steps": 3, "batch_size": 16, "lr": cfg.init_lr, "kernel": cfg.init_kernel,
            "bandwidth": cfg.init_bandwidth, "ridge": cfg.init_ridge}
    return [stack_config(cfg, "monolithic", 3, 8, 2, **small),
            stack_config(cfg, "modular", 3, 8, 2, init=init, record_every=10, **small),
            stack_config(cfg, "ours", 3, 8, 2, init=init, keep_directions=True, **small)]


GOLDENS = {"modular_stacks": _modular_stacks_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["METHODS", "run_stack"]


def stack_config(cfg, method: str, m: int, width: int, depth: int, *, device: str = "cpu",
                 **overrides) -> dict:
    """The JSON-able configuration of one stack from the chapter config ``cfg``
    (:class:`~modscale.infra.profiles.modular_networks.ModularParams`); ``overrides`` replace any
    entry. Two entries keep the names the stored stacks were keyed under: ``bottleneck`` (the
    parameter ``b``) and ``init`` (``init_*`` parameters without their prefix)."""
    from modscale.theory.sample_complexity import geometric_grid

    c = {"method": method, "m": int(m), "k": cfg.k, "width": int(width), "depth": int(depth),
         "n_modules": cfg.modules_factor * cfg.k, "bottleneck": cfg.b,
         "projection": "linear", "proj_hidden": cfg.proj_hidden,
         "n_grid": list(geometric_grid(cfg.n_min, cfg.n_max, cfg.n_points)),
         "seeds": list(range(cfg.n_seeds)), "n_test": cfg.n_test, "iters": cfg.iters,
         "lr": cfg.lr, "batch_size": cfg.batch_size, "record_every": None,
         "keep_directions": False, "init_seed": cfg.seed, "device": str(device),
         "init": {"steps": cfg.init_steps, "batch_size": cfg.init_batch_size,
                  "lr": cfg.init_lr, "kernel": cfg.init_kernel,
                  "bandwidth": cfg.init_bandwidth, "ridge": cfg.init_ridge}}
    c.update(overrides)
    if method in ("monolithic",):  # the projection / init settings do not apply
        for key in ("n_modules", "projection", "proj_hidden", "init", "record_every",
                    "keep_directions", "bottleneck"):
            c[key] = None
    return c


def run_stack_from_config(c: dict, progress: bool = False) -> dict:
    """:func:`run_stack` from a :func:`stack_config` dict (the unit cached by the chapter): the
    stored names are mapped back to the parameters' (``bottleneck`` -> ``b``, the ``init``
    entries ``steps``, ``batch_size``, ... -> ``init_steps``, ``init_batch_size``, ...)."""
    kw = {key: v for key, v in c.items() if key not in ("method", "m") and v is not None}
    if "bottleneck" in kw:
        kw["b"] = kw.pop("bottleneck")
    kw.update({f"init_{name}": v for name, v in (kw.pop("init", None) or {}).items()})
    kw.setdefault("n_modules", 1)
    return run_stack(c["method"], c["m"], progress=progress, **kw)


def fig3_specs(cfg, device: str = "cpu") -> list[dict]:
    """The chapter's (uncalibrated) Fig. 3a stacks: every m x method x architecture of ``cfg``
    (``device``: the device type the stacks train on, part of their configuration)."""
    return [stack_config(cfg, meth, m, w, d, device=device)
            for m in cfg.m_values for meth in cfg.methods
            for w in cfg.widths for d in cfg.depths]


MODULES_ABLATION_METHODS = ("modular", "ours", "ours_joint")
COMPUTE_MATCHED_METHODS = ("modular", "modular_matched", "ours")


def modules_ablation_specs(cfg, device: str = "cpu") -> list[dict]:
    """The number-of-modules ablation at ``ablation_m``: K = factor x k for every factor of
    ``ablation_factors``, on the widest, shallowest architecture, at the n of ``ablation_n``."""
    return [stack_config(cfg, meth, cfg.ablation_m, max(cfg.widths), cfg.depths[0],
                         device=device, n_modules=f * cfg.k, n_grid=list(cfg.ablation_n))
            for f in cfg.ablation_factors for meth in MODULES_ABLATION_METHODS]


def compute_matched_specs(cfg, device: str = "cpu") -> list[dict]:
    """The compute-matched comparison at ``ablation_m``, every architecture."""
    return [stack_config(cfg, meth, cfg.ablation_m, w, d, device=device)
            for meth in COMPUTE_MATCHED_METHODS for w in cfg.widths for d in cfg.depths]


__all__ += ["stack_config", "run_stack_from_config", "fig3_specs", "modules_ablation_specs",
            "compute_matched_specs", "MODULES_ABLATION_METHODS", "COMPUTE_MATCHED_METHODS"]
