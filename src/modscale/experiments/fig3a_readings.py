"""Paper Fig. 3a on the calibrated sine task, for every reading of Algorithm 1.

Does aligning the projections buy samples? One *stack* (:class:`Fig3aSpec`) trains every
(seed, n) network of one method at one input dimension m on the calibrated sine task (the sine
chapter's task knobs: label-noise variance, frequency scale, clean target variance) with the
paper's protocol (Adam, learning rate ``lr``, ``iters`` iterations, mini-batch ``batch_size``),
and returns the final train / test MSE (S, G) on noisy targets, the test MSE on clean targets,
and for modular methods the similarity of the projections with the task's module directions
before training (after the initialiser) and after it.

Methods (:data:`METHODS`):

- ``monolithic``: a ReLU MLP (``width``, ``depth``);
- ``modular``: ``n_modules`` MLP modules on random linear projections (the baseline);
- ``modular_matched``: the same, trained for ``iters`` plus the iterations whose FLOPs equal the
  most expensive reading's initialiser (:func:`init_flops`), i.e. at matched compute;
- ``ours_<reading>`` for every reading of :data:`modscale.training.alg1.READINGS`: the projections
  are
  first set by that reading of Algorithm 1 (:func:`modscale.training.alg1.init_projections_`), on
  each
  network's own training set, then everything is trained end to end.

Seed ``s`` fixes the task and its data (nested in n); datasets of one seed share the task.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import torch

from modscale.infra.profiles import check_choice, config_hash
from modscale.models.batched_mlp import BatchedMLP
from modscale.models.modular_net import BatchedModularNet, LinearProjection
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.alg1 import READINGS, init_projections_
from modscale.training.alignment import similarity_score
from modscale.training.kernel_init import kernel_init_flops, matched_extra_iters
from modscale.training.trainer import evaluate_mse, train_batched

METHODS = ("monolithic", "modular", "modular_matched", *(f"ours_{r}" for r in READINGS))


@dataclass(frozen=True)
class Fig3aSpec:
    """One stack: ``method`` at input dimension ``m`` for every seed x n (see module doc)."""

    method: str
    m: int
    k: int
    b: int
    width: int
    depth: int
    n_modules: int
    n_values: tuple
    seeds: tuple
    n_test: int
    iters: int
    lr: float
    batch_size: int
    noise_var: float
    target_var: float
    amplitudes: tuple
    frequencies: tuple
    init_steps: int
    init_batch: int
    init_lr: float
    init_ridge: float

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)


def init_flops(spec: Fig3aSpec, reading: str) -> float:
    """Estimated FLOPs of one network's initialisation by ``reading`` (as
    :func:`~modscale.training.alg1.init_projections_` counts them), at a full kernel mini-batch."""
    args = (1, spec.n_modules, spec.m, spec.b, 1, spec.init_batch)
    if reading == "literal":
        return kernel_init_flops(*args, spec.init_steps)
    if reading == "joint":
        return kernel_init_flops(*args, spec.init_steps, n_solves=1)
    return kernel_init_flops(*args, spec.init_steps * spec.n_modules, n_solves=1)


def matched_iters(spec: Fig3aSpec) -> int:
    """Extra training iterations with the FLOPs of the most expensive reading."""
    params = BatchedModularNet(1, spec.m, spec.n_modules, spec.b, spec.width, spec.depth,
                               1).params_per_model
    return matched_extra_iters(max(init_flops(spec, r) for r in READINGS), params, 1,
                               spec.batch_size)


def run_stack(spec: Fig3aSpec, device: torch.device | str = "cpu",
              progress: bool = False) -> dict:
    """Train the stack; returns numpy arrays ``train``, ``test``, ``test_clean`` (S, G) and for
    modular methods ``sim_init``, ``sim_final`` (S, G); scalars ``iters`` (run),
    ``init_time_s``, ``init_flops`` (per network), ``train_time_s``."""
    dev = torch.device(device)
    keys = [(s, n) for s in spec.seeds for n in spec.n_values]
    tasks = [make_task(spec.m, spec.k, seed=s, b=spec.b, amplitudes=spec.amplitudes,
                       frequencies=spec.frequencies,
                       output_scale=float(np.sqrt(spec.target_var)), noise_var=spec.noise_var)
             for s, _ in keys]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, [n for _, n in keys], spec.n_test,
                                             data_seeds=[s for s, _ in keys], device=dev)
    yte_clean = torch.stack([t(x.double()).to(xte.dtype) for t, x in zip(tasks, xte,
                                                                          strict=True)])
    shape = (len(spec.seeds), len(spec.n_values))
    seed = int(config_hash(dataclasses.asdict(spec)), 16) % (2 ** 62)
    gen = torch.Generator(device=dev).manual_seed(seed)
    out: dict = {"iters": spec.iters, "init_time_s": 0.0, "init_flops": 0.0}
    iters = spec.iters
    if spec.method == "monolithic":
        net: torch.nn.Module = BatchedMLP(len(keys), spec.m, spec.width, spec.depth, 1,
                                          generator=gen, device=dev)
    else:
        net = BatchedModularNet(len(keys), spec.m, spec.n_modules, spec.b, spec.width,
                                spec.depth, 1, generator=gen, device=dev)
        targets = torch.stack([t.directions.float() for t in tasks])  # (M, k, m, b)
        if spec.method.startswith("ours_"):
            reading = spec.method.removeprefix("ours_")
            cpu_gen = torch.Generator().manual_seed(seed + 1)
            for n in spec.n_values:  # each group of networks with n rows, on its own rows
                idx = torch.tensor([j for j, (_, nn_) in enumerate(keys) if nn_ == n])
                proj = LinearProjection(len(idx), spec.n_modules, spec.m, spec.b, device=dev)
                with torch.no_grad():
                    proj.weight.copy_(net.projection.weight[idx])
                r = init_projections_(proj, xtr[idx, :n], ytr[idx, :n], reading=reading,
                                      steps=spec.init_steps, batch_size=spec.init_batch,
                                      lr=spec.init_lr, ridge=spec.init_ridge,
                                      generator=cpu_gen)
                with torch.no_grad():
                    net.projection.weight[idx] = proj.weight
                out["init_time_s"] += r.wall_time_s
                out["init_flops"] = max(out["init_flops"], r.flops / len(idx))
        elif spec.method == "modular_matched":
            iters += matched_iters(spec)
        out["sim_init"] = similarity_score(net.directions().cpu(), targets).numpy().reshape(
            shape)
    res = train_batched(net, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=spec.lr,
                        batch_size=spec.batch_size, generator=gen, progress=progress,
                        desc=f"{spec.method} m={spec.m}")
    out.update(iters=iters, train=res.train_loss.numpy().reshape(shape),
               test=res.test_loss.numpy().reshape(shape),
               test_clean=evaluate_mse(net, xte, yte_clean).cpu().numpy().reshape(shape),
               train_time_s=res.wall_time_s)
    if spec.method != "monolithic":
        out["sim_final"] = similarity_score(net.directions().cpu(), targets).numpy().reshape(
            shape)
    return out


def seed_chunks(cfg, method: str) -> list[tuple[int, ...]]:
    """The seeds of ``method``'s stacks: ``range(sc_first_stack_seeds)`` first, then the
    remaining seeds of ``range(sc_seeds)`` as a second stack (none for a method of
    ``sc_few_seed_methods``). Networks are independent, so the split changes no number."""
    first = tuple(range(min(cfg.sc_first_stack_seeds, cfg.sc_seeds)))
    rest = tuple(range(len(first), cfg.sc_seeds))
    if not rest or method in cfg.sc_few_seed_methods:
        return [first]
    return [first, rest]


def primary(specs_: list[Fig3aSpec]) -> list[Fig3aSpec]:
    """The first-seed-chunk stacks of ``specs_`` (those whose seeds start at 0): what the
    ablation, Table 2 and Fig. 4 build on."""
    return [s for s in specs_ if s.seeds[0] == 0]


def merge_seed_chunks(specs_: list[Fig3aSpec], runs: list[dict]
                      ) -> tuple[list[Fig3aSpec], list[dict]]:
    """One (spec, run) per stack of the same settings but its seeds: arrays (S, G) are joined
    along the seed axis, times and FLOPs summed or maxed, in the order of first appearance."""
    merged: dict = {}
    for spec, run in zip(specs_, runs, strict=True):
        key = dataclasses.replace(spec, seeds=())
        if key not in merged:
            merged[key] = (spec, dict(run))
            continue
        s0, r0 = merged[key]
        r = dict(r0)
        for name, v in run.items():
            if isinstance(v, np.ndarray) and v.ndim == 2:
                r[name] = np.concatenate([r0[name], v], axis=0)
            elif name.endswith("_time_s"):
                r[name] = r0[name] + v
            elif name == "init_flops":
                r[name] = max(r0[name], v)
        merged[key] = (dataclasses.replace(s0, seeds=s0.seeds + spec.seeds), r)
    return [s for s, _ in merged.values()], [r for _, r in merged.values()]


def specs(cfg, knobs, amplitudes: tuple, frequencies: tuple) -> list[Fig3aSpec]:
    """Every stack of the algorithm1 chapter's config ``cfg`` (``sc_*`` fields) on the task with
    ``knobs`` (a :class:`modscale.experiments.calibration.Knobs`: ``noise_var``, ``target_var``)
    and sine components ``amplitudes``, ``frequencies`` (already scaled; see
    :func:`modscale.experiments.calibration.sine_task_knobs`); one stack per seed chunk
    (:func:`seed_chunks`; :func:`merge_seed_chunks` joins their results)."""
    from modscale.theory.sample_complexity import geometric_grid

    grid = tuple(geometric_grid(cfg.sc_n_min, cfg.sc_n_max, cfg.sc_n_points))
    return [Fig3aSpec(method=meth, m=m, k=cfg.k, b=1, width=cfg.sc_width, depth=cfg.sc_depth,
                      n_modules=cfg.sc_modules_factor * cfg.k, n_values=grid,
                      seeds=chunk, n_test=cfg.sc_n_test,
                      iters=cfg.sc_iters, lr=cfg.sc_lr, batch_size=cfg.sc_batch_size,
                      noise_var=float(knobs.noise_var), target_var=float(knobs.target_var),
                      amplitudes=tuple(float(a) for a in amplitudes),
                      frequencies=tuple(float(f) for f in frequencies),
                      init_steps=cfg.steps, init_batch=cfg.batch_size, init_lr=cfg.lr,
                      init_ridge=cfg.ridge)
            for m in cfg.sc_m_values for meth in cfg.sc_methods
            for chunk in seed_chunks(cfg, meth)]


SENSITIVITY_METHODS = ("monolithic", "modular", "ours_literal")
"""Methods of the calibration-sensitivity check (the Fig. 3a comparisons' ours and baselines)."""


def sensitivity_specs(cfg, knobs, amplitudes: tuple, frequencies: tuple) -> list[Fig3aSpec]:
    """The stacks of the calibration-sensitivity check: :func:`specs` at the largest m of
    ``sc_m_values`` for :data:`SENSITIVITY_METHODS` only, on the task with ``knobs`` (the
    runner-up calibration point), every seed of ``sc_seeds``."""
    sub = dataclasses.replace(cfg, sc_m_values=(max(cfg.sc_m_values),),
                              sc_methods=SENSITIVITY_METHODS)
    return specs(sub, knobs, amplitudes, frequencies)


__all__ = ["METHODS", "Fig3aSpec", "init_flops", "matched_iters", "run_stack", "specs",
           "SENSITIVITY_METHODS", "sensitivity_specs",
           "seed_chunks", "primary", "merge_seed_chunks"]
