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
- ``oracle``: the modular network with its first k projections set to the task's true module
  directions (an upper bound on what an initialiser could buy, not a reading of Algorithm 1;
  :mod:`modscale.training.aligned_start`);
- ``mixed``: those k projections set to ``normalise((1 - alpha) * random + alpha * true)``, a dose
  of alignment between chance (``alpha = 0``: the modular baseline's start, bit for bit) and the
  oracle (``alpha = 1``). The oracle and the mixed start draw their random networks from the
  baseline's stream (:func:`generator_spec`): they are paired with the modular stack of the same
  settings;
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
from typing import Any

import numpy as np
import torch

from modscale import methods
from modscale.infra.profiles import (
    ConfigError,
    check_choice,
    config_hash,
    extension_field,
    flat_field,
    renamed_field,
)
from modscale.models.batched_mlp import BatchedMLP, mlp_param_count
from modscale.models.modular_net import PROJ_INITS, BatchedModularNet, LinearProjection
from modscale.tasks.sine_task import SineTaskSpec, output_scale_of, sample_datasets, target_var_of
from modscale.training.alg1 import READINGS, init_projections_
from modscale.training.aligned_start import aligned_start_
from modscale.training.alignment import similarity_score
from modscale.training.kernel_init import kernel_init_flops, matched_extra_iters
from modscale.training.trainer import evaluate_mse, train_batched

METHODS = methods.SINE_METHODS
ALIGNED_STARTS = methods.ALIGNED_STARTS
"""Methods whose start uses the task's true directions (bounds, not readings of Algorithm 1)."""


@dataclass(frozen=True)
class Fig3aSpec:
    """One stack: ``method`` at input dimension ``m`` for every seed x n (see module doc)."""

    method: str
    m: int
    k: int
    width: int
    depth: int
    n_modules: int
    n_values: tuple
    seeds: tuple
    n_test: int
    iters: int
    lr: float
    batch_size: int
    init_steps: int
    init_batch_size: int = renamed_field(key="init_batch", help="Algorithm 1's mini-batch")
    init_lr: float
    init_ridge: float
    task: SineTaskSpec = flat_field(SineTaskSpec, "the calibrated sine task's knobs (keyed "
                                    "with target_var = output_scale**2, unit_variance only)")
    # --- the modular network's regime (reconstruction choices; defaults: the stored runs) ---
    module_size: str = extension_field(
        "same", "module MLP size: 'same' width as the monolithic MLP, or 'matched' (the K "
        "modules with their projections carry about the monolithic MLP's parameters)")
    net_b: int = extension_field(0, "module input dimension of the network (0: the task's b)")
    proj_init: str = extension_field("gaussian", "projection directions: 'gaussian' or "
                                     "'orthonormal' (modscale.models.modular_net.PROJ_INITS)")
    proj_scale: float = extension_field(1.0, "column norm of the projections at "
                                        "initialisation")
    proj_normalize: bool = extension_field(False, "weight-normalised projections (only their "
                                           "directions are learned)")
    proj_lr_scale: float = extension_field(1.0, "the projections' learning rate / lr")
    alpha: float = extension_field(0.0, "method 'mixed': the dose of alignment of the first k "
                                   "projections, 0 (random) to 1 (the true directions)")

    def __post_init__(self) -> None:
        check_choice("method", self.method, METHODS)
        check_regime(self)
        check_alpha(self)

    @staticmethod
    def canonical_form(d: dict) -> dict:
        """The stored spelling of the task: its clean target variance ``target_var`` instead of
        ``output_scale`` (stacks were keyed so before the shared task spec), no
        ``normalisation`` (always ``unit_variance``)."""
        if d.pop("normalisation") != "unit_variance":
            raise ConfigError("parameter 'normalisation': the Fig. 3a stacks train on the "
                              "unit_variance task only; allowed values: 'unit_variance'")
        d["target_var"] = target_var_of(d.pop("output_scale"))
        return d

    @staticmethod
    def from_canonical_form(d: dict) -> dict:
        """The inverse of :meth:`canonical_form`."""
        d = dict(d)
        d["output_scale"] = output_scale_of(d.pop("target_var"))
        return d


def check_regime(self) -> None:
    """Validate the regime fields of a :class:`Fig3aSpec` (or a subclass)."""
    check_choice("module_size", self.module_size, MODULE_SIZES)
    check_choice("proj_init", self.proj_init, PROJ_INITS)
    for name in ("proj_scale", "proj_lr_scale"):
        if not getattr(self, name) > 0:
            raise ConfigError(f"parameter {name!r} must be > 0, got {getattr(self, name)!r}")
    if self.net_b < 0 or self.net_b > self.m:
        raise ConfigError(f"parameter 'net_b' must be in 0..m={self.m}, got {self.net_b}")
    changed = regime_of(self)
    if self.method == "monolithic" and changed:
        raise ConfigError(f"the monolithic MLP has no modules: regime parameters "
                          f"{sorted(changed)} must stay at their defaults")


def check_alpha(self) -> None:
    """``alpha`` in [0, 1], and away from 0 only for the ``mixed`` start."""
    if not 0.0 <= self.alpha <= 1.0:
        raise ConfigError(f"parameter 'alpha' must be in [0, 1], got {self.alpha!r}")
    if self.alpha != 0.0 and self.method != "mixed":
        raise ConfigError(f"parameter 'alpha' applies to method 'mixed' only (method "
                          f"{self.method!r}); leave it at 0")


def start_alpha(spec) -> float:
    """The dose of alignment of ``spec``'s start: 1 (oracle), ``alpha`` (mixed), else 0."""
    return 1.0 if spec.method == "oracle" else spec.alpha if spec.method == "mixed" else 0.0


def generator_spec(spec):
    """The spec whose hash seeds ``spec``'s generator: for an aligned start
    (:data:`ALIGNED_STARTS`) the modular baseline of the same settings (the start is paired with
    the baseline's random networks and mini-batches), else ``spec`` itself."""
    if spec.method in ALIGNED_STARTS:
        return dataclasses.replace(spec, method="modular", alpha=0.0)
    return spec


MODULE_SIZES = ("same", "matched")
REGIME_FIELDS = ("module_size", "net_b", "proj_init", "proj_scale", "proj_normalize",
                 "proj_lr_scale")
"""The fields of :class:`Fig3aSpec` that set the modular network's regime (with ``n_modules``)."""


def regime_of(spec) -> dict:
    """The regime fields of ``spec`` that differ from their defaults (``{}``: today's regime)."""
    defaults = {f.name: f.default for f in dataclasses.fields(Fig3aSpec)
                if f.name in REGIME_FIELDS}
    return {k: getattr(spec, k) for k in REGIME_FIELDS if getattr(spec, k) != defaults[k]}


def network_b(spec) -> int:
    """The network's module input dimension (``net_b``, or the task's ``b``)."""
    return spec.net_b or spec.task.b


def module_width(spec) -> int:
    """Hidden width of each module MLP: ``width`` (``module_size = 'same'``), or the width
    whose K modules, projections included, come closest to the monolithic MLP's parameter count
    (``'matched'``; ties: the smaller width; at least 1)."""
    if spec.module_size == "same":
        return spec.width
    target = mlp_param_count(spec.m, spec.width, spec.depth, 1)
    return min(range(1, spec.width + 1),
               key=lambda w: (abs(_modular_count(spec, w) - target), w))


def _modular_count(spec, width: int) -> int:
    """Parameters of one modular network of ``spec`` with module MLPs of ``width``."""
    b = network_b(spec)
    return spec.n_modules * (spec.m * b + mlp_param_count(b, width, spec.depth, 1))


def modular_params(spec) -> int:
    """Parameters of one modular network of ``spec`` (projections and module MLPs)."""
    return _modular_count(spec, module_width(spec))


def modular_net(spec, n_models: int, generator: torch.Generator, device, **kw
                ) -> BatchedModularNet:
    """``n_models`` modular networks of ``spec``'s architecture and regime (``kw``: e.g.
    ``projection``, ``proj_hidden``); drawn from ``generator``."""
    return BatchedModularNet(n_models, spec.m, spec.n_modules, network_b(spec),
                             module_width(spec), spec.depth, 1, proj_init=spec.proj_init,
                             proj_scale=spec.proj_scale, proj_normalize=spec.proj_normalize,
                             generator=generator, device=device, **kw)


def train_options(spec) -> dict:
    """Extra :func:`~modscale.training.trainer.train_batched` arguments of ``spec``'s regime."""
    return ({"param_lr": {"projection.": spec.proj_lr_scale}} if spec.proj_lr_scale != 1.0
            else {})


def init_flops(spec: Fig3aSpec, reading: str) -> float:
    """Estimated FLOPs of one network's initialisation by ``reading`` (as
    :func:`~modscale.training.alg1.init_projections_` counts them), at a full kernel mini-batch."""
    args = (1, spec.n_modules, spec.m, network_b(spec), 1, spec.init_batch_size)
    if reading == "literal":
        return kernel_init_flops(*args, spec.init_steps)
    if reading == "joint":
        return kernel_init_flops(*args, spec.init_steps, n_solves=1)
    return kernel_init_flops(*args, spec.init_steps * spec.n_modules, n_solves=1)


def matched_iters(spec: Fig3aSpec) -> int:
    """Extra training iterations with the FLOPs of the most expensive reading."""
    return matched_extra_iters(max(init_flops(spec, r) for r in READINGS), modular_params(spec),
                               1, spec.batch_size)


@dataclass
class StackData:
    """The task, data and generator of one stack of networks, one network per (seed, n) in
    ``keys`` (seed-major): ``xtr`` (M, N, m), ``ytr`` (M, N, 1) padded to the largest n with the
    true row counts ``nt`` (M,), ``xte``, ``yte`` (M, n_test, .) with noisy targets and
    ``yte_clean`` without label noise; ``shape`` = (seeds, n values) of the result arrays;
    ``seed`` is derived from the spec's canonical configuration (``config_hash``) and seeds
    ``gen``, the generator of initialisation and mini-batches."""

    keys: list[tuple[int, int]]
    tasks: list
    xtr: torch.Tensor
    ytr: torch.Tensor
    xte: torch.Tensor
    yte: torch.Tensor
    yte_clean: torch.Tensor
    nt: torch.Tensor
    shape: tuple[int, int]
    seed: int
    gen: torch.Generator

    @property
    def targets(self) -> torch.Tensor:
        """The task modules' directions, (M, k, m, b)."""
        return torch.stack([t.directions.to(torch.get_default_dtype()) for t in self.tasks])


def stack_data(spec: Fig3aSpec, device: torch.device | str = "cpu") -> StackData:
    """The :class:`StackData` of ``spec`` (a :class:`Fig3aSpec` or a subclass): one calibrated
    sine task per seed (the spec's knobs), its training sets of every n and its test set."""
    dev = torch.device(device)
    keys = [(s, n) for s in spec.seeds for n in spec.n_values]
    tasks = [spec.task.task(spec.m, spec.k, s) for s, _ in keys]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, [n for _, n in keys], spec.n_test,
                                             data_seeds=[s for s, _ in keys], device=dev)
    yte_clean = torch.stack([t(x.double()).to(xte.dtype) for t, x in zip(tasks, xte,
                                                                          strict=True)])
    seed = int(config_hash(generator_spec(spec)), 16) % (2 ** 62)
    return StackData(keys, tasks, xtr, ytr, xte, yte, yte_clean, nt,
                     (len(spec.seeds), len(spec.n_values)), seed,
                     torch.Generator(device=dev).manual_seed(seed))


def run_stack(spec: Fig3aSpec, device: torch.device | str = "cpu",
              progress: bool = False) -> dict:
    """Train the stack; returns numpy arrays ``train``, ``test``, ``test_clean`` (S, G) and for
    modular methods ``sim_init``, ``sim_final`` (S, G); scalars ``iters`` (run),
    ``init_time_s``, ``init_flops`` (per network), ``train_time_s``."""
    dev = torch.device(device)
    d = stack_data(spec, dev)
    keys, xtr, ytr, xte, yte, nt = d.keys, d.xtr, d.ytr, d.xte, d.yte, d.nt
    shape, seed, gen = d.shape, d.seed, d.gen
    out: dict = {"iters": spec.iters, "init_time_s": 0.0, "init_flops": 0.0}
    iters = spec.iters
    if spec.method == "monolithic":
        net: torch.nn.Module = BatchedMLP(len(keys), spec.m, spec.width, spec.depth, 1,
                                          generator=gen, device=dev)
    else:
        net = modular_net(spec, len(keys), gen, dev)
        targets = d.targets  # (M, k, m, b)
        if spec.method.startswith("ours_"):
            reading = spec.method.removeprefix("ours_")
            cpu_gen = torch.Generator().manual_seed(seed + 1)
            for n in spec.n_values:  # each group of networks with n rows, on its own rows
                idx = torch.tensor([j for j, (_, nn_) in enumerate(keys) if nn_ == n])
                proj = LinearProjection(len(idx), spec.n_modules, spec.m, network_b(spec),
                                        scale=spec.proj_scale,
                                        normalize=spec.proj_normalize, device=dev)
                with torch.no_grad():
                    proj.weight.copy_(net.projection.weight[idx])
                r = init_projections_(proj, xtr[idx, :n], ytr[idx, :n], reading=reading,
                                      steps=spec.init_steps, batch_size=spec.init_batch_size,
                                      lr=spec.init_lr, ridge=spec.init_ridge,
                                      generator=cpu_gen)
                with torch.no_grad():
                    net.projection.weight[idx] = proj.weight
                out["init_time_s"] += r.wall_time_s
                out["init_flops"] = max(out["init_flops"], r.flops / len(idx))
        elif spec.method == "modular_matched":
            iters += matched_iters(spec)
        elif spec.method in ALIGNED_STARTS:
            aligned_start_(net.projection.weight, targets.to(dev), start_alpha(spec),
                           spec.proj_scale)
        out["sim_init"] = similarity_score(net.directions().cpu(), targets).numpy().reshape(
            shape)
    res = train_batched(net, xtr, ytr, xte, yte, n_train=nt, iters=iters, lr=spec.lr,
                        batch_size=spec.batch_size, generator=gen, progress=progress,
                        desc=f"{spec.method} m={spec.m}", **train_options(spec))
    out.update(iters=iters, train=res.train_loss.numpy().reshape(shape),
               test=res.test_loss.numpy().reshape(shape),
               test_clean=evaluate_mse(net, xte, d.yte_clean).cpu().numpy().reshape(shape),
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


def specs(cfg, task: SineTaskSpec) -> list[Fig3aSpec]:
    """Every stack of the algorithm1 chapter's config ``cfg`` (``sc_*`` fields) on the sine task
    ``task`` (the calibrated one: :func:`modscale.experiments.calibration.comparison_task`); one
    stack per seed chunk (:func:`seed_chunks`; :func:`merge_seed_chunks` joins their
    results)."""
    from modscale.theory.sample_complexity import geometric_grid

    grid = tuple(geometric_grid(cfg.sc_n_min, cfg.sc_n_max, cfg.sc_n_points))
    return [Fig3aSpec(method=meth, m=m, k=cfg.k, width=cfg.sc_width, depth=cfg.sc_depth,
                      n_modules=cfg.sc_modules_factor * cfg.k, n_values=grid,
                      seeds=chunk, n_test=cfg.sc_n_test,
                      iters=cfg.sc_iters, lr=cfg.sc_lr, batch_size=cfg.sc_batch_size,
                      init_steps=cfg.init_steps, init_batch_size=cfg.init_batch_size,
                      init_lr=cfg.init_lr, init_ridge=cfg.init_ridge, task=task)
            for m in cfg.sc_m_values for meth in cfg.sc_methods
            for chunk in seed_chunks(cfg, meth)]


SENSITIVITY_METHODS = ("monolithic", "modular", "ours_literal")
"""Methods of the calibration-sensitivity check (the Fig. 3a comparisons' ours and baselines)."""


def sensitivity_specs(cfg, task: SineTaskSpec) -> list[Fig3aSpec]:
    """The stacks of the calibration-sensitivity check: :func:`specs` at the largest m of
    ``sc_m_values`` for :data:`SENSITIVITY_METHODS` only, on ``task`` (the runner-up
    calibration point), every seed of ``sc_seeds``."""
    sub = dataclasses.replace(cfg, sc_m_values=(max(cfg.sc_m_values),),
                              sc_methods=SENSITIVITY_METHODS)
    return specs(sub, task)


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def golden_base() -> Any:
    """The base of the golden Fig. 3a stacks (also the modular_calibrated goldens')."""
    from modscale.tasks.sine_task import SineTaskSpec

    return Fig3aSpec(method="monolithic", m=3, k=2, width=8, depth=2, n_modules=4,
                     n_values=(24, 48), seeds=(0,), n_test=64, iters=20, lr=0.01,
                     batch_size=16, init_steps=3, init_batch_size=16, init_lr=0.05,
                     init_ridge=1e-3,
                     task=SineTaskSpec(noise_var=0.5, output_scale=2.0,
                                       amplitudes=(1.0, 0.5, 0.2), frequencies=(1.0, 3.0, 5.0)))


def _fig3a_configs() -> list[Any]:

    base = golden_base()
    return [dataclasses.replace(base, method=m, alpha=0.5 if m == "mixed" else 0.0)
            for m in METHODS] + [
        # the regime fields' code paths (modscale.experiments.modular_regime)
        dataclasses.replace(base, method="modular", module_size="matched", net_b=2,
                            proj_init="orthonormal", proj_scale=2.0, proj_lr_scale=0.1),
        dataclasses.replace(base, method="ours_literal", proj_normalize=True,
                            proj_lr_scale=0.01)]


GOLDENS = {"fig3a_readings": _fig3a_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["METHODS", "ALIGNED_STARTS", "Fig3aSpec", "check_alpha", "start_alpha",
           "generator_spec", "MODULE_SIZES", "REGIME_FIELDS", "regime_of", "network_b",
           "module_width", "modular_params", "modular_net", "train_options", "check_regime",
           "init_flops", "matched_iters", "run_stack", "specs",
           "SENSITIVITY_METHODS", "sensitivity_specs",
           "seed_chunks", "primary", "merge_seed_chunks"]
