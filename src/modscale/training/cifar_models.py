"""Classifiers for Compositional CIFAR-10 and their training (thin wrappers over shared pieces).

Methods (:data:`METHODS`), each mapping inputs (M, B, 3072 k) to logits (M, B, 10 k), ``M``
independent networks (seeds) at once:

- ``monolithic``: a :class:`~modscale.models.batched_mlp.BatchedMLP` on the flattened input;
- ``modular``: a :class:`~modscale.models.modular_net.BatchedModularNet` with ``K`` modules and
  random projections (the baseline);
- ``ours``: the same network with projections initialised by the kernel objective
  (:mod:`modscale.training.kernel_init`, Algorithm 1), then trained end to end.

Loss: cross-entropy of every position's 10 logits, averaged over positions (and summed over the
``M`` networks, which share no parameters). Metric: accuracy per position, averaged over the
``k`` positions. Training streams the training combinations once per epoch in a fresh seeded
order; inputs are assembled per batch on the device from index tensors.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from modscale.infra.device import resolve_precision
from modscale.infra.profiles import ConfigError, check_choice
from modscale.infra.progress import progress_bar
from modscale.methods import CIFAR_METHODS
from modscale.models.batched_mlp import BatchedMLP, mlp_param_count
from modscale.models.modular_net import BatchedModularNet
from modscale.tasks.compositional import N_CLASSES, CompositionalSet, ImagePool, assemble

METHODS = CIFAR_METHODS
METHOD_LABELS = {"monolithic": "Baseline monolithic", "modular": "Baseline modular",
                 "ours": "Our method"}
PAPER_METHOD_NAMES = {"monolithic": "Baseline Monolithic", "modular": "Baseline Modular",
                      "ours": "Our Method"}


@dataclass(frozen=True)
class Architecture:
    """Sizes of the networks (see
    :class:`modscale.infra.profiles.compositional_cifar.CifarConfig`)."""

    mono_width: int
    mono_depth: int
    modules_per_image: int
    module_dim: int
    module_width: int
    module_depth: int

    @classmethod
    def from_config(cls, cfg) -> Architecture:
        return cls(cfg.mono_width, cfg.mono_depth, cfg.modules_per_image, cfg.module_dim,
                   cfg.module_width, cfg.module_depth)

    def n_modules(self, k: int) -> int:
        return self.modules_per_image * k


def check_method(method: str) -> None:
    check_choice("method", method, METHODS)


def build_model(method: str, n_models: int, k: int, arch: Architecture, *, seed: int,
                device: torch.device | str = "cpu") -> nn.Module:
    """``n_models`` networks of ``method`` for ``k`` images, initialised from ``seed``.

    The modular baseline and ours have identical architectures (ours only replaces the
    projections afterwards, :func:`kernel_init_projections`).
    """
    check_method(method)
    g = torch.Generator(device=device).manual_seed(int(seed))
    in_dim, out_dim = 3072 * k, N_CLASSES * k
    if method == "monolithic":
        return BatchedMLP(n_models, in_dim, arch.mono_width, arch.mono_depth, out_dim,
                          generator=g, device=device)
    return BatchedModularNet(n_models, in_dim, arch.n_modules(k), arch.module_dim,
                             arch.module_width, arch.module_depth, out_dim, generator=g,
                             device=device)


def param_count(method: str, k: int, arch: Architecture) -> int:
    """Parameters of one network of ``method`` for ``k`` images (projections included)."""
    check_method(method)
    in_dim, out_dim = 3072 * k, N_CLASSES * k
    if method == "monolithic":
        return mlp_param_count(in_dim, arch.mono_width, arch.mono_depth, out_dim)
    per_module = in_dim * arch.module_dim + mlp_param_count(
        arch.module_dim, arch.module_width, arch.module_depth, out_dim)
    return arch.n_modules(k) * per_module


def position_loss(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """Per-network loss: logits (M, B, 10 k), labels (M, B, k) -> (M,) mean CE over B and k."""
    m, b, k = labels.shape
    flat = logits.to(torch.get_default_dtype()).reshape(m * b * k, N_CLASSES)
    ce = nn.functional.cross_entropy(flat, labels.reshape(-1), reduction="none")
    return ce.view(m, b * k).mean(1)


AMP_MODES = ("auto", "bf16", "fp32")
"""Matmul precision of the CIFAR networks: ``auto`` = bf16 autocast where this device's bf16
matmuls are faster than fp32 (:func:`modscale.infra.device.resolve_precision`); ``bf16`` = bf16
autocast on any device (fp32 weights and Adam state); ``fp32`` = never. A run's spec holds the
resolved value (:func:`modscale.experiments.cifar_runs.run_spec`)."""


def use_bf16(device: torch.device, amp: str | bool) -> bool:
    """Whether ``amp`` (one of :data:`AMP_MODES`; ``True``/``False`` mean auto/fp32) gives bf16
    autocast on ``device``."""
    mode = {True: "auto", False: "fp32"}.get(amp, amp) if isinstance(amp, bool) else amp
    check_choice("amp", mode, AMP_MODES)
    return resolve_precision(mode, device) == "bf16"


def _autocast(device: torch.device, amp: str | bool):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16(device, amp))


def stacked_inputs(pool: ImagePool, idx: torch.Tensor, **kw) -> torch.Tensor:
    """Inputs of per-network index tensors ``idx`` (M, B, k) -> (M, B, 3072 k)."""
    m, b, k = idx.shape
    return assemble(pool, idx.reshape(m * b, k), **kw).view(m, b, -1)


def train(model: nn.Module, pool: ImagePool, sets: list[CompositionalSet], *, lr: float,
          batch_size: int, epochs: int = 1, seed: int = 0, amp: str | bool = "auto",
          log_every: int = 50, progress: bool = False,
          on_epoch_end: Callable[[int], None] | None = None) -> dict:
    """Adam on the summed per-network losses; network ``j`` streams ``sets[j]`` ``epochs`` times.

    ``on_epoch_end(epoch)`` (1-based) is called after every epoch (e.g. to evaluate).

    Returns ``{'steps', 'loss_steps' (S,), 'loss' (S, M) mean training loss over each window of
    ``log_every`` steps, 'wall_time_s'}``.
    """

    n = len(sets[0])
    if any(len(s) != n for s in sets):
        raise ValueError("every network needs the same number of training combinations")
    if lr <= 0 or batch_size < 1 or epochs < 1:
        raise ConfigError(f"need lr > 0, batch_size >= 1, epochs >= 1; got {lr}, "
                          f"{batch_size}, {epochs}")
    device = pool.device
    idx_all = torch.stack([s.idx for s in sets])  # (M, n, k)
    lab_all = torch.stack([s.labels for s in sets])
    # fused Adam: one kernel per parameter instead of ~10 passes (measured 1.2-1.5x per step)
    opt = torch.optim.Adam(model.parameters(), lr=lr, fused=True)
    g = torch.Generator().manual_seed(int(seed) + 7919)
    steps_per_epoch = math.ceil(n / batch_size)
    total = epochs * steps_per_epoch
    window, log_steps, losses = [], [], []
    t0 = time.perf_counter()
    bar = progress_bar(total=total, desc="train", disable=not progress)
    step = 0
    for epoch in range(1, epochs + 1):
        order = torch.randperm(n, generator=g).to(device)
        for s in range(steps_per_epoch):
            rows = order[s * batch_size:(s + 1) * batch_size]
            idx, lab = idx_all[:, rows], lab_all[:, rows]
            x = stacked_inputs(pool, idx)
            with _autocast(device, amp):
                logits = model(x)
            per_model = position_loss(logits, lab)
            opt.zero_grad(set_to_none=True)
            per_model.sum().backward()
            opt.step()
            window.append(per_model.detach())
            step += 1
            bar.update(1)
            if len(window) == log_every or step == total:
                losses.append(torch.stack(window).mean(0).cpu())
                log_steps.append(step)
                window = []
        if on_epoch_end is not None:
            on_epoch_end(epoch)
    bar.close()
    return {"steps": total, "loss_steps": torch.tensor(log_steps),
            "loss": torch.stack(losses), "wall_time_s": time.perf_counter() - t0}


@torch.no_grad()
def predict_correct(model: nn.Module, pool: ImagePool, test: CompositionalSet, n_models: int,
                    *, batch_size: int = 1024, noise_std: float = 0.0, seed: int = 0,
                    amp: str | bool = "auto") -> torch.Tensor:
    """Whether each network classifies each position right: (M, n, k) bool (CPU).

    All ``n_models`` networks see the same test inputs; with ``noise_std`` > 0 the same noise
    (drawn from ``seed`` on the pool's device) is added for every network and method.
    """
    device = pool.device
    g = torch.Generator(device=device).manual_seed(int(seed) + 104_729)
    out = []
    for s in range(0, len(test), batch_size):
        idx, lab = test.idx[s:s + batch_size], test.labels[s:s + batch_size]
        x = assemble(pool, idx, noise_std=noise_std, generator=g)
        with _autocast(device, amp):
            logits = model(x.unsqueeze(0).expand(n_models, -1, -1))
        pred = logits.to(torch.get_default_dtype()).view(n_models, len(idx), test.k,
                                                          N_CLASSES).argmax(-1)
        out.append((pred == lab.unsqueeze(0)).cpu())
    return torch.cat(out, 1)


def accuracy(correct: torch.Tensor) -> torch.Tensor:
    """Per-network accuracy averaged over samples and positions: (M, n, k) bool -> (M,)."""
    return correct.to(torch.get_default_dtype()).mean(dim=(1, 2))


__all__ = ["AMP_MODES", "use_bf16", "METHODS", "METHOD_LABELS", "PAPER_METHOD_NAMES",
           "Architecture", "check_method",
           "build_model", "param_count", "position_loss", "stacked_inputs", "train",
           "predict_correct", "accuracy", "onehot_targets", "kernel_init_projections",
           "projection_scale"]


def onehot_targets(labels: torch.Tensor, center: bool = True) -> torch.Tensor:
    """Targets of the kernel objective: labels (..., k) -> one-hot (..., 10 k), minus 1/10 if
    ``center`` (so that the constant part of a one-hot code does not enter the objective)."""
    y = nn.functional.one_hot(labels, N_CLASSES).to(torch.get_default_dtype())
    if center:
        y = y - 1.0 / N_CLASSES
    return y.reshape(*labels.shape[:-1], -1)


def kernel_init_projections(model: BatchedModularNet, pool: ImagePool,
                            sets: list[CompositionalSet], *, n_pool: int, steps: int,
                            batch_size: int, lr: float, ridge: float, seed: int,
                            objective: str = "literal", n_heldout: int = 0,
                            select: str = "last", bandwidth_grad: bool = False,
                            progress: bool = False) -> dict:
    """Algorithm 1 (:func:`modscale.training.kernel_init.kernel_init_`) on ``model``'s projections.

    Network ``j`` draws its kernel mini-batches from the first ``n_pool`` combinations of its
    own training set ``sets[j]`` (materialised as inputs (M, n_pool, 3072 k); targets: centred
    one-hot codes of all positions, :func:`onehot_targets`). ``n_heldout`` > 0: the next
    ``n_heldout`` combinations of each training set (never in the pool) form a fixed held-out
    batch whose objective is recorded beside the mini-batch's; ``select``, ``objective`` and
    ``bandwidth_grad`` as in :func:`~modscale.training.kernel_init.kernel_init_`. Returns the
    history: ``steps`` (T,),
    ``objective`` (T, M, K or 1) on the mini-batches, ``heldout`` (T, M, K or 1) or empty,
    ``chosen_step`` (M,), ``wall_time_s``, ``flops``.
    """
    from modscale.training.kernel_init import kernel_init_

    n_pool = min(n_pool, len(sets[0]))
    idx = torch.stack([s.idx[:n_pool] for s in sets])
    lab = torch.stack([s.labels[:n_pool] for s in sets])
    x = stacked_inputs(pool, idx)
    y = onehot_targets(lab)
    heldout = None
    if n_heldout:
        if len(sets[0]) < n_pool + n_heldout:
            raise ConfigError(f"parameter 'init_heldout': {n_heldout} held-out combinations "
                              f"beyond the pool of {n_pool} need a training set of at least "
                              f"{n_pool + n_heldout}, got {len(sets[0])}")
        hidx = torch.stack([s.idx[n_pool:n_pool + n_heldout] for s in sets])
        hlab = torch.stack([s.labels[n_pool:n_pool + n_heldout] for s in sets])
        heldout = (stacked_inputs(pool, hidx), onehot_targets(hlab))
    res = kernel_init_(model.projection, x, y, steps=steps, batch_size=batch_size, lr=lr,
                       ridge=ridge, objective=objective, heldout=heldout, select=select,
                       bandwidth_grad=bandwidth_grad,
                       generator=torch.Generator().manual_seed(int(seed) + 31),
                       progress=progress)
    return {"steps": torch.tensor(res.steps), "objective": res.objective_tensor(),
            "heldout": res.heldout_tensor(), "chosen_step": torch.tensor(res.chosen_step),
            "wall_time_s": res.wall_time_s, "flops": res.flops}


@torch.no_grad()
def projection_scale(model: BatchedModularNet, pool: ImagePool, sets: list[CompositionalSet],
                     n: int = 1024) -> torch.Tensor:
    """Std of every projected coordinate on ``n`` training inputs: (M, K, b)."""
    idx = torch.stack([s.idx[:n] for s in sets])
    z = model.projection(stacked_inputs(pool, idx))  # (M, K, n, b)
    return z.std(dim=2)
