"""The sine-task sweeps of paper Fig. 2 and Fig. 3a (monolithic MLPs), and the theory fit.

A *stack* is one architecture (width, depth): every model of the stack -- one per
(m, k, seed, n) -- is trained at once by :func:`modscale.training.trainer.train_batched`. Models of
different input dimension share a stack by zero-padding their inputs to the largest ``m``
(:class:`modscale.models.batched_mlp.BatchedMLP` ``in_dims``: each model is exactly an ``m``-input
MLP),
so that stacks are large enough to keep the CPU's matmul units busy.
Two families of stacks cover all panels:

- **grid** (:func:`grid_specs`): for every architecture, every ``m``, ``k = k_fixed``, every seed
  and every ``n`` of a geometric grid (which contains ``n_fig2``) -- only ``n_fig2`` for widths
  not in ``sc_widths``. Its ``n = n_fig2`` slice gives the m- and p-panels, its (n-panel
  architecture) slice the n-panel, and the whole grid the sample complexity.
- **k** (:func:`k_specs`): ``m = m_fixed``, ``n = n_fig2``, every ``k`` and seed.

Each stack is cached (``modscale.infra.cache``), so an interrupted sweep resumes stack by stack.
Seed ``s`` fixes the task (``make_task(m, k, seed=s)``) and its data; datasets are nested in ``n``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from modscale.infra.cache import cached_map
from modscale.infra.device import resolve_device, resolve_precision
from modscale.infra.profiles import config_hash, flat_field
from modscale.models.batched_mlp import BatchedMLP, mlp_param_count
from modscale.tasks.sine_task import SineTaskSpec, sample_datasets
from modscale.theory.sample_complexity import geometric_grid
from modscale.training.trainer import evaluate_mse, train_batched


@dataclass(frozen=True)
class StackSpec:
    """One stack of MLPs of the same architecture (see module docstring); ``ms``: the input
    dimensions of its models, ``task``: the task's knobs (keyed as the stack's own fields)."""

    ms: tuple[int, ...]
    width: int
    depth: int
    ks: tuple[int, ...]
    n_values: tuple[int, ...]
    seeds: tuple[int, ...]
    iters: int
    lr: float
    batch_size: int          # 0 = full batch
    n_test: int
    train_eval_rows: int
    task: SineTaskSpec = flat_field(SineTaskSpec, "the sine task's knobs")
    precision: str = "fp32"

    @property
    def n_models(self) -> int:
        return len(self.ms) * len(self.ks) * len(self.seeds) * len(self.n_values)

    @property
    def params(self) -> int:
        """Parameters of the largest model of the stack."""
        return mlp_param_count(max(self.ms), self.width, self.depth)


def n_grid(cfg: Any) -> tuple[int, ...]:
    """The n-grid of a config: ``geometric_grid(n_min, n_max, n_points)`` plus ``n_fig2``."""
    return tuple(sorted(set(geometric_grid(cfg.n_min, cfg.n_max, cfg.n_points))
                        | {cfg.n_fig2}))


BF16_MIN_WIDTH = 32
"""``auto`` trains MLPs at least this wide in bf16 where bf16 is faster on the device."""


def stack_precision(precision: str, width: int, device: str = "auto") -> str:
    """The trainer precision of a stack (resolved, never ``auto``): ``auto`` is bf16 for width
    >= :data:`BF16_MIN_WIDTH` where this device's bf16 matmuls are faster than fp32
    (:func:`modscale.infra.device.resolve_precision`), fp32 otherwise."""
    return resolve_precision(precision, resolve_device(device), width=width,
                             min_width=BF16_MIN_WIDTH)


def _specs(cfg: Any, ms: tuple[int, ...], w: int, d: int, ks: tuple[int, ...],
           n_values: tuple[int, ...], **common: Any) -> StackSpec:
    common = {**common, "precision": stack_precision(common["precision"], w,
                                                     getattr(cfg, "device", "auto"))}
    return StackSpec(ms=tuple(int(m) for m in ms), width=w, depth=d, ks=ks, n_values=n_values,
                     **common)


def _common(cfg: Any) -> dict[str, Any]:
    """Stack fields shared by every sweep of ``cfg``; the task knobs are the config's own
    (:meth:`SineTaskSpec.from_params`; resolve ``task_knobs='fitted'`` first,
    :func:`modscale.experiments.calibration.apply_knobs`)."""
    return {"seeds": tuple(cfg.seed + s for s in range(cfg.n_seeds)), "iters": cfg.iters,
            "lr": cfg.lr, "batch_size": cfg.batch_size, "n_test": cfg.n_test,
            "train_eval_rows": cfg.train_eval_rows, "task": SineTaskSpec.from_params(cfg),
            "precision": cfg.precision}


def grid_specs(cfg: Any) -> list[StackSpec]:
    """Stacks of the (m x architecture x seed x n) grid at ``k = k_fixed``.

    Widths in ``cfg.sc_widths`` run the whole n-grid (sample complexity, n-panel); the others
    only ``n = n_fig2`` (m- and p-panels) -- the grid cut that keeps 10,000 iterations affordable.
    """
    grid = n_grid(cfg)
    return [_specs(cfg, tuple(cfg.m_values), w, d, (cfg.k_fixed,),
                   grid if w in cfg.sc_widths else (cfg.n_fig2,), **_common(cfg))
            for w in cfg.widths for d in cfg.depths]


def k_specs(cfg: Any) -> list[StackSpec]:
    """Stacks of the k-sweep (``m = m_fixed``, ``n = n_fig2``): the seeds of ``n_seeds`` (the
    other sweeps' seeds) and, if ``k_seeds`` is larger, a second stack per architecture with
    the seeds beyond them (networks are independent: the split changes no number)."""
    common = _common(cfg)
    first = common["seeds"]
    extra = tuple(cfg.seed + s for s in range(cfg.n_seeds, getattr(cfg, "k_seeds", 0)))
    chunks = [first] + ([extra] if extra else [])
    return [_specs(cfg, (cfg.m_fixed,), w, d, tuple(cfg.k_values), (cfg.n_fig2,),
                   **{**common, "seeds": seeds})
            for w in cfg.widths for d in cfg.depths for seeds in chunks]


def variant_specs(cfg: Any, amplitudes: Sequence[float], frequencies: Sequence[float]
                  ) -> list[StackSpec]:
    """Grid stacks of the n-panel architecture only, for a task with other sine components."""
    return [dataclasses.replace(s, task=dataclasses.replace(
                s.task, amplitudes=tuple(float(a) for a in amplitudes),
                frequencies=tuple(float(f) for f in frequencies)))
            for s in grid_specs(cfg)
            if (s.width, s.depth) == (cfg.n_panel_width, cfg.n_panel_depth)]


def run_stack(spec: StackSpec, device: torch.device | str = "cpu",
              progress: bool = False) -> dict[str, Any]:
    """Train the stack; returns ``{"train", "test", "test_clean", "target_var": (Mm, K, S, G)
    arrays, "wall_time_s", ...}`` (``test`` on noisy test targets, ``test_clean`` on the clean
    ones; axes: ``ms``, ``ks``, ``seeds``, ``n_values``)."""
    dev = torch.device(device)
    keys = [(m, k, s, n) for m in spec.ms for k in spec.ks for s in spec.seeds
            for n in spec.n_values]
    tasks = [spec.task.task(m, k, s) for m, k, s, _ in keys]
    m_max = max(spec.ms)
    parts = []
    for m in spec.ms:  # sample_datasets needs one m per call; pad inputs to m_max with zeros
        idx = [j for j, key in enumerate(keys) if key[0] == m]
        xtr, ytr, xte, yte, nt = sample_datasets([tasks[j] for j in idx],
                                                 [keys[j][3] for j in idx], spec.n_test,
                                                 data_seeds=[keys[j][2] for j in idx])
        yte_clean = torch.stack([tasks[j](x.double()).to(xte.dtype)
                                 for j, x in zip(idx, xte, strict=True)])
        pad = (0, m_max - m)
        parts.append((torch.nn.functional.pad(xtr, pad), ytr,
                      torch.nn.functional.pad(xte, pad), yte, yte_clean, nt))
    n_max = max(p[0].shape[1] for p in parts)
    xtr, ytr = (torch.cat([torch.nn.functional.pad(p[i], (0, 0, 0, n_max - p[i].shape[1]))
                           for p in parts]).to(dev) for i in (0, 1))
    xte, yte, yte_clean, nt = (torch.cat([p[i] for p in parts]).to(dev) for i in (2, 3, 4, 5))
    init_seed = int(config_hash(spec), 16) % (2 ** 62)
    gen = torch.Generator(device=dev).manual_seed(init_seed)
    model = BatchedMLP(len(keys), m_max, spec.width, spec.depth, generator=gen, device=dev,
                       in_dims=[key[0] for key in keys])
    res = train_batched(model, xtr, ytr, xte, yte, n_train=nt, iters=spec.iters, lr=spec.lr,
                        batch_size=spec.batch_size or None, generator=gen,
                        train_eval_rows=spec.train_eval_rows, progress=progress,
                        desc=f"w={spec.width} d={spec.depth}", precision=spec.precision)
    test_clean = evaluate_mse(model, xte, yte_clean).cpu()
    shape = (len(spec.ms), len(spec.ks), len(spec.seeds), len(spec.n_values))
    return {"train": res.train_loss.numpy().reshape(shape),
            "test": res.test_loss.numpy().reshape(shape),
            "test_clean": test_clean.numpy().reshape(shape),
            "target_var": np.array([t.moments()[1] for t in tasks]).reshape(shape),
            "wall_time_s": res.wall_time_s, "n_models": len(keys),
            "device": str(dev)}


def stack_frame(spec: StackSpec, result: dict[str, Any]) -> pd.DataFrame:
    """One row per trained model: m, k, width, depth, p, seed, n, train, test, test_clean,
    target_var, noise_var."""
    rows = []
    for i, m in enumerate(spec.ms):
        p = mlp_param_count(m, spec.width, spec.depth)
        for a, k in enumerate(spec.ks):
            for b_, s in enumerate(spec.seeds):
                for c, n in enumerate(spec.n_values):
                    rows.append({"m": m, "k": k, "width": spec.width, "depth": spec.depth,
                                 "p": p, "seed": s, "n": n,
                                 "train": float(result["train"][i, a, b_, c]),
                                 "test": float(result["test"][i, a, b_, c]),
                                 "test_clean": float(result["test_clean"][i, a, b_, c]),
                                 "target_var": float(result["target_var"][i, a, b_, c]),
                                 "noise_var": spec.task.noise_var})
    return pd.DataFrame(rows)


def run_sweep(experiment: str, specs: Sequence[StackSpec], device: torch.device | str = "cpu",
              progress: bool = True) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run (or load from the cache) every stack; returns (per-model rows, per-stack runs)."""
    results = cached_map(experiment, specs, lambda s: run_stack(s, device), progress=progress,
                         device=device)
    frames = [stack_frame(s, r) for s, r in zip(specs, results, strict=True)]
    runs = pd.DataFrame([{"m": ",".join(map(str, s.ms)), "width": s.width, "depth": s.depth,
                          "models": r["n_models"],
                          "iters": s.iters, "wall_time_s": r["wall_time_s"],
                          "device": r["device"]}
                         for s, r in zip(specs, results, strict=True)])
    return pd.concat(frames, ignore_index=True), runs


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _sine_configs() -> list[Any]:
    from modscale.tasks.sine_task import SineTaskSpec

    base = dict(ms=(2, 3), width=8, depth=3, ks=(2,), n_values=(16, 48), seeds=(0,), iters=30,
                lr=0.01, batch_size=16, n_test=64, train_eval_rows=32,
                task=SineTaskSpec(normalisation="unit_variance", output_scale=2.0,
                                  noise_var=0.5))
    return [StackSpec(**base, precision="fp32"),
            StackSpec(**{**base, "width": 32, "ms": (3,)}, precision="bf16")]


GOLDENS = {"sine_grid": _sine_configs, "sine_k": _sine_configs, "sine_alt": _sine_configs,
           "sine_calibration": _sine_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["StackSpec", "n_grid", "grid_specs", "k_specs", "variant_specs", "run_stack",
           "stack_frame", "run_sweep"]
