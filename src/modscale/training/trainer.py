"""Training many independent models at once (stacked parameters), and the one-at-a-time reference.

The model contract is generic: any ``nn.Module`` mapping ``x`` (M, B, in) -> (M, B, out) whose
parameters are stacked on dim 0 (model ``j`` owns slice ``[j]`` of every parameter), e.g.
:class:`modscale.models.batched_mlp.BatchedMLP` or a batched modular network. Each model has its own
dataset: ``x_train`` (M, n_max, in), ``y_train`` (M, n_max, out) with ``n_train[j]`` valid rows
(rows beyond are padding and are never used).

Objective: the *sum over models* of each model's mean squared error. Because models share no
parameters and Adam is element-wise, one ``torch.optim.Adam`` over the stacked tensors takes
exactly the step each model would take alone (checked against :func:`train_one` in the tests).

Mini-batches (the same rule in both trainers): model ``j`` uses all its rows when
``n_train[j] <= batch_size`` (full batch; also when ``batch_size is None``), otherwise
``batch_size`` rows drawn uniformly with replacement from its own ``n_train[j]`` rows, freshly at
every step (``torch.rand`` on the device, from ``generator``).

Precision (``precision``, :data:`PRECISIONS`): ``"fp32"``, or ``"bf16"`` -- the training forward
and backward matmuls run under ``torch.autocast`` in bfloat16 while the parameters, their
gradients and Adam's state stay float32 (mixed precision); the loss and every evaluation are
float32 (the default dtype: a float64 golden recomputation,
:mod:`modscale.experiments.goldens`, runs everything in float64).
Whether bf16 is faster depends on the CPU (from 5x faster with AMX to 20x slower without bf16
instructions): ``auto`` is resolved per device by :func:`modscale.infra.device.resolve_precision`,
and the benchmark (:mod:`modscale.training.bench`) measures the gain and the agreement of the
losses in the same run.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import torch
from torch import nn

from modscale.infra.device import PRECISIONS
from modscale.infra.profiles import ConfigError, check_choice
from modscale.infra.progress import progress_bar

ADAM_IMPLS: dict[str, dict] = {"default": {}, "foreach": {"foreach": True},
                               "fused": {"fused": True}}
"""Adam implementations of :func:`train_batched` -> the keyword arguments that select them."""


def check_precision(precision: str) -> None:
    if precision not in PRECISIONS:
        raise ConfigError(f"parameter 'precision': {precision!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, PRECISIONS))}")


@dataclass
class TrainResult:
    """Losses of ``M`` models trained together (CPU tensors).

    ``train_loss``/``test_loss`` (M,): final MSE on each model's full training / test set;
    ``eval_iters`` (E,): iterations at which the model was evaluated (the last is ``iters``);
    ``train_history``/``test_history`` (E, M); ``step_loss`` (iters, M): the mini-batch loss of
    every step (only if ``record_steps``); ``wall_time_s``: training time.
    """

    train_loss: torch.Tensor
    test_loss: torch.Tensor
    eval_iters: torch.Tensor
    train_history: torch.Tensor
    test_history: torch.Tensor
    wall_time_s: float
    iters: int
    step_loss: torch.Tensor | None = None
    extra: dict = field(default_factory=dict)


def _check_positive(name: str, value: int | float | None, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if value is None or isinstance(value, bool) or not value > 0:
        raise ConfigError(f"parameter {name!r} must be > 0{' or None' if allow_none else ''}, "
                          f"got {value!r}")


def batch_rows(n_train: torch.Tensor, batch_size: int | None) -> int:
    """Rows per step of a stack: ``min(batch_size, max n_train)`` (``max n_train`` if None)."""
    n_max = int(n_train.max())
    return n_max if batch_size is None else min(int(batch_size), n_max)


def sample_batch_indices(n_train: torch.Tensor, batch_size: int | None,
                         generator: torch.Generator | None = None) -> torch.Tensor:
    """Row indices of one step: (M, B) long, B = :func:`batch_rows`.

    Full-batch models (``n_train[j] <= B``) get ``0..B-1`` (rows ``>= n_train[j]`` are masked by
    :func:`batch_weights`); the others get B uniform draws from ``[0, n_train[j])``.
    """
    rows = batch_rows(n_train, batch_size)
    ar = torch.arange(rows, device=n_train.device).expand(len(n_train), rows)
    if batch_size is None or bool((n_train <= rows).all()):
        return ar
    u = torch.rand(len(n_train), rows, device=n_train.device, generator=generator)
    drawn = (u * n_train[:, None]).long().clamp_max(n_train[:, None] - 1)
    return torch.where((n_train <= rows)[:, None], ar, drawn)


def batch_weights(n_train: torch.Tensor, rows: int, dtype: torch.dtype) -> torch.Tensor:
    """Weights (M, rows) of the rows of a step: each model's weights sum to 1 (its mean)."""
    ar = torch.arange(rows, device=n_train.device)
    full = (n_train <= rows)[:, None]
    used = torch.where(full, ar[None] < n_train[:, None], torch.ones_like(ar[None], dtype=bool))
    count = torch.where(full[:, 0], n_train, torch.full_like(n_train, rows))
    return used.to(dtype) / count[:, None].to(dtype)


def _gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))


@torch.no_grad()
def evaluate_mse(model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                 n_rows: torch.Tensor | None = None, chunk: int = 4096) -> torch.Tensor:
    """Per-model MSE (M,) of ``model`` on ``x`` (M, n, in), ``y`` (M, n, out), using the first
    ``n_rows[j]`` rows of model ``j`` (all rows if None); evaluated in chunks of rows."""
    m_models, n = x.shape[0], x.shape[1]
    total = torch.zeros(m_models, dtype=torch.float64, device=x.device)
    for s in range(0, n, chunk):
        err = ((model(x[:, s:s + chunk]) - y[:, s:s + chunk]) ** 2).mean(-1).double()
        if n_rows is not None:
            err = err * (torch.arange(s, s + err.shape[1], device=x.device)[None]
                         < n_rows[:, None])
        total += err.sum(1)
    count = n_rows.double() if n_rows is not None else torch.full_like(total, n)
    return (total / count).to(torch.get_default_dtype())


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def make_adam(model: nn.Module, lr: float, param_lr: dict[str, float] | None = None,
              **kwargs) -> torch.optim.Adam:
    """Adam over ``model``'s parameters at learning rate ``lr``; ``param_lr`` maps a parameter
    name prefix (e.g. ``"projection."``) to a multiplier of ``lr`` for the parameters whose
    names start with it (first match; one parameter group per multiplier). ``None`` or ``{}``:
    one group, exactly ``Adam(model.parameters(), lr)``. A prefix that matches no parameter is
    an error. ``kwargs`` go to Adam (e.g. ``foreach``, ``fused``)."""
    if not param_lr:
        return torch.optim.Adam(model.parameters(), lr=lr, **kwargs)
    groups: dict[float, list] = {}
    used: set[str] = set()
    for name, p in model.named_parameters():
        mult = 1.0
        for prefix, v in param_lr.items():
            if name.startswith(prefix):
                mult = float(v)
                used.add(prefix)
                break
        groups.setdefault(mult, []).append(p)
    unknown = sorted(set(param_lr) - used)
    if unknown:
        raise ConfigError(f"parameter 'param_lr': prefixes {unknown} match no parameter; "
                          f"parameters: {', '.join(n for n, _ in model.named_parameters())}")
    for v in param_lr.values():
        _check_positive("param_lr multiplier", v)
    return torch.optim.Adam([{"params": ps, "lr": lr * mult} for mult, ps in groups.items()],
                            lr=lr, **kwargs)


def _eval_points(iters: int, eval_every: int | None) -> list[int]:
    if eval_every is None:
        return [iters]
    pts = list(range(0, iters, eval_every))
    return pts + [iters] if pts[-1] != iters else pts


def train_batched(model: nn.Module, x_train: torch.Tensor, y_train: torch.Tensor,
                  x_test: torch.Tensor, y_test: torch.Tensor, *,
                  n_train: torch.Tensor | None = None, iters: int = 1000, lr: float = 0.01,
                  batch_size: int | None = None, eval_every: int | None = None,
                  generator: torch.Generator | None = None,
                  batch_indices: Iterable[torch.Tensor] | None = None,
                  record_steps: bool = False, progress: bool = False,
                  train_eval_rows: int | None = None, desc: str = "train",
                  precision: str = "fp32", param_lr: dict[str, float] | None = None,
                  adam_impl: str = "default") -> TrainResult:
    """Train the ``M`` stacked models of ``model`` with Adam on the sum of their MSEs.

    Shapes: ``x_train`` (M, n_max, in), ``y_train`` (M, n_max, out), ``x_test`` (M, n_test, in),
    ``y_test`` (M, n_test, out), ``n_train`` (M,) valid training rows (default ``n_max``).
    ``batch_indices`` (optional) yields the (M, B) row indices of every step instead of sampling
    them (used to compare with :func:`train_one`). Evaluates full train/test MSE every
    ``eval_every`` iterations (and at the end); ``train_eval_rows`` caps the training rows used
    for that evaluation (the first rows: an i.i.d. subsample; None = all). ``precision``: one
    of :data:`PRECISIONS` (see the module docstring). ``param_lr``: learning-rate multipliers
    by parameter-name prefix (:func:`make_adam`). ``adam_impl``: one of :data:`ADAM_IMPLS`
    (``default``: PyTorch's choice for the device; ``foreach``, ``fused``: the multi-tensor and
    fused kernels, the same update up to rounding).
    """
    check_choice("adam_impl", adam_impl, tuple(ADAM_IMPLS))
    check_precision(precision)
    _check_positive("iters", iters)
    _check_positive("lr", lr)
    _check_positive("batch_size", batch_size, allow_none=True)
    _check_positive("eval_every", eval_every, allow_none=True)
    if x_train.dim() != 3 or y_train.dim() != 3 or x_train.shape[:2] != y_train.shape[:2]:
        raise ValueError(f"x_train (M, n, in) and y_train (M, n, out) do not match: "
                         f"{tuple(x_train.shape)}, {tuple(y_train.shape)}")
    m_models, n_max = x_train.shape[:2]
    dev = x_train.device
    if n_train is None:
        n_train = torch.full((m_models,), n_max, dtype=torch.long, device=dev)
    n_train = torch.as_tensor(n_train, dtype=torch.long, device=dev)
    if n_train.shape != (m_models,) or int(n_train.min()) < 1 or int(n_train.max()) > n_max:
        raise ConfigError(f"parameter 'n_train' must have shape ({m_models},) with values in "
                          f"1..{n_max}, got {n_train.tolist()}")
    _check_positive("train_eval_rows", train_eval_rows, allow_none=True)
    n_eval = n_train if train_eval_rows is None else n_train.clamp_max(int(train_eval_rows))
    x_eval, y_eval = x_train[:, :int(n_eval.max())], y_train[:, :int(n_eval.max())]
    rows = batch_rows(n_train, batch_size)
    weights = batch_weights(n_train, rows, x_train.dtype)
    full_stack = batch_size is None or bool((n_train <= rows).all())
    idx_iter: Iterator[torch.Tensor] | None = (iter(batch_indices) if batch_indices is not None
                                               else None)

    opt = make_adam(model, lr, param_lr, **ADAM_IMPLS[adam_impl])
    evals = _eval_points(iters, eval_every)
    tr_hist, te_hist, steps = [], [], []
    t0 = time.perf_counter()
    bar = progress_bar(range(iters), desc=desc, disable=not progress)
    for it in bar:
        if it in evals:
            tr_hist.append(evaluate_mse(model, x_eval, y_eval, n_eval))
            te_hist.append(evaluate_mse(model, x_test, y_test))
        if idx_iter is not None:
            idx = next(idx_iter).to(dev)
            xb, yb = _gather_rows(x_train, idx), _gather_rows(y_train, idx)
        elif full_stack:
            xb, yb = x_train[:, :rows], y_train[:, :rows]
        else:
            idx = sample_batch_indices(n_train, batch_size, generator)
            xb, yb = _gather_rows(x_train, idx), _gather_rows(y_train, idx)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=precision == "bf16"):
            out = model(xb)
        if out.dtype != yb.dtype:  # bf16 autocast output: the loss is taken in the targets' dtype
            out = out.to(yb.dtype)
        per_model = (((out - yb) ** 2).mean(-1) * weights).sum(1)  # (M,) each model's MSE
        opt.zero_grad(set_to_none=True)
        per_model.sum().backward()
        opt.step()
        if record_steps:
            steps.append(per_model.detach())
    _sync(dev)
    wall = time.perf_counter() - t0
    tr_hist.append(evaluate_mse(model, x_eval, y_eval, n_eval))
    te_hist.append(evaluate_mse(model, x_test, y_test))
    tr, te = torch.stack(tr_hist).cpu(), torch.stack(te_hist).cpu()
    return TrainResult(train_loss=tr[-1], test_loss=te[-1], eval_iters=torch.tensor(evals),
                       train_history=tr, test_history=te, wall_time_s=wall, iters=iters,
                       step_loss=torch.stack(steps).cpu() if record_steps else None)


class _Stacked(nn.Module):
    """A plain module (B, in) -> (B, out) seen as a stack of one model (1, B, in) -> (1, B, out)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x[0]).unsqueeze(0)


def train_one(module: nn.Module, x: torch.Tensor, y: torch.Tensor, x_test: torch.Tensor,
              y_test: torch.Tensor, *, iters: int = 1000, lr: float = 0.01,
              batch_size: int | None = None, eval_every: int | None = None,
              generator: torch.Generator | None = None,
              batch_indices: Iterable[torch.Tensor] | None = None,
              record_steps: bool = False) -> TrainResult:
    """Reference: train one plain ``module`` (B, in) -> (B, out) with the same semantics as
    :func:`train_batched` (a plain loop: index rows, forward, MSE, Adam step).

    ``x`` (n, in), ``y`` (n, out), ``x_test`` (n_test, in), ``y_test`` (n_test, out);
    ``batch_indices`` yields (B,) row indices per step. Returns a :class:`TrainResult` with M = 1.
    """
    _check_positive("iters", iters)
    _check_positive("lr", lr)
    _check_positive("batch_size", batch_size, allow_none=True)
    n = x.shape[0]
    rows = n if batch_size is None else min(int(batch_size), n)
    idx_iter = iter(batch_indices) if batch_indices is not None else None
    opt = torch.optim.Adam(module.parameters(), lr=lr)
    evals = _eval_points(iters, eval_every)
    wrapped = _Stacked(module)
    tr_hist, te_hist, steps = [], [], []
    t0 = time.perf_counter()
    for it in range(iters):
        if it in evals:
            tr_hist.append(evaluate_mse(wrapped, x[None], y[None]))
            te_hist.append(evaluate_mse(wrapped, x_test[None], y_test[None]))
        if rows == n:
            xb, yb = x, y
        else:
            if idx_iter is not None:
                idx = next(idx_iter).to(x.device)
            else:
                u = torch.rand(rows, device=x.device, generator=generator)
                idx = (u * n).long().clamp_max(n - 1)
            xb, yb = x[idx], y[idx]
        loss = ((module(xb) - yb) ** 2).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if record_steps:
            steps.append(loss.detach().reshape(1))
    _sync(x.device)
    wall = time.perf_counter() - t0
    tr_hist.append(evaluate_mse(wrapped, x[None], y[None]))
    te_hist.append(evaluate_mse(wrapped, x_test[None], y_test[None]))
    tr, te = torch.stack(tr_hist).cpu(), torch.stack(te_hist).cpu()
    return TrainResult(train_loss=tr[-1], test_loss=te[-1], eval_iters=torch.tensor(evals),
                       train_history=tr, test_history=te, wall_time_s=wall, iters=iters,
                       step_loss=torch.stack(steps).cpu() if record_steps else None)


__all__ = ["PRECISIONS", "ADAM_IMPLS", "make_adam", "check_precision", "TrainResult", "batch_rows",
           "sample_batch_indices",
           "batch_weights", "evaluate_mse", "train_batched", "train_one"]
