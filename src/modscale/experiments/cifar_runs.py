"""The Compositional CIFAR-10 experiments of the chapter: data, cached training runs, tables.

One *run* trains ``len(seeds)`` networks of one method for one ``k`` together (stacked) and
evaluates them; it is cached per configuration (:func:`modscale.infra.cache.cached`, experiment
``cifar_run``), so a sweep resumes. Seeds: network ``s`` of ``k`` streams its own training
combinations, drawn from seed :func:`data_seed` -- the same for every method (paired
comparison); the test sets depend on ``(seed, k)`` only and are shared by all methods and seeds.

Splits: training combinations draw images from the CIFAR-10 training images minus
``val_per_class`` per class (validation images); validation combinations from the validation
images; test and OOD combinations from the CIFAR-10 test images.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from modscale.infra.cache import cached
from modscale.infra.device import resolve_precision
from modscale.infra.profiles import config_dict
from modscale.infra.progress import progress_bar
from modscale.tasks.cifar import load_cifar10
from modscale.tasks.compositional import (
    ImagePool,
    channel_stats,
    held_out_mask,
    make_pool,
    make_set,
    position_energy,
    split_validation,
    tuple_codes,
)
from modscale.training.cifar_models import (
    Architecture,
    accuracy,
    build_model,
    kernel_init_projections,
    param_count,
    predict_correct,
    projection_scale,
    train,
)


@dataclass(frozen=True)
class CifarData:
    """Image pools on the device and the provenance of the decoded data."""

    train: ImagePool
    val: ImagePool
    test: ImagePool
    source: str
    is_jpeg: bool
    arrays_sha256: str
    n_images: dict


def load_data(cfg, device: torch.device | str = "cpu") -> CifarData:
    """Decode (once, cached) CIFAR-10 and build the train / validation / test pools."""
    d = load_cifar10(cfg.data_path or None, max_per_class=cfg.max_per_class or None,
                     download=cfg.download)
    (tx, ty), (vx, vy) = split_validation(d.train_x, d.train_y, cfg.val_per_class)
    mean, std = channel_stats(tx)
    kw = {"mean": mean, "std": std, "device": device}
    return CifarData(train=make_pool(tx, ty, **kw), val=make_pool(vx, vy, **kw),
                     test=make_pool(d.test_x, d.test_y, **kw), source=d.source,
                     is_jpeg=d.is_jpeg, arrays_sha256=d.arrays_sha256,
                     n_images={"train": len(ty), "val": len(vy), "test": len(d.test_y)})


def data_seed(base: int, k: int, s: int) -> int:
    """Seed of the training combinations of network ``s`` at ``k`` (shared by all methods)."""
    return 1_000_003 * base + 1009 * k + s


def test_seed(base: int, k: int, which: str) -> int:
    return 7_000_001 * base + 100 * k + {"test": 1, "ood": 2, "val": 3}[which]


def run_spec(cfg, method: str, k: int, seeds: tuple[int, ...], *, lr: float,
             n_train: int | None = None, epochs: int | None = None,
             eval_epochs: tuple[int, ...] | None = None, evaluate: str = "test",
             noise_levels: tuple[float, ...] = (), keep_slices: bool = False,
             device: torch.device | str = "cpu") -> dict:
    """The JSON-able key of one run (every setting that changes its result or its payload);
    ``amp`` is resolved for ``device`` (:func:`modscale.infra.device.resolve_precision`).
    ``keep_slices`` (only written when true, so the scale runs' keys are unchanged): store the
    projection slices of Fig. 12."""
    epochs = epochs or cfg.epochs
    extra = {"keep_slices": True} if keep_slices else {}
    # written only when set, so the keys of every run stored before they existed are unchanged
    if method == "ours" and getattr(cfg, "init_bandwidth_grad", False):
        extra["init_bandwidth_grad"] = True
    if method == "ours" and getattr(cfg, "init_heldout", 0):
        extra["init_heldout"] = int(cfg.init_heldout)
    return {**extra, "amp": resolve_precision(cfg.amp, device), "method": method, "k": k,
            "seeds": list(seeds), "lr": lr,
            "n_train": n_train or cfg.n_train, "epochs": epochs,
            "eval_epochs": list(eval_epochs or (epochs,)), "evaluate": evaluate,
            "noise_levels": list(noise_levels),
            "arch": config_dict(Architecture.from_config(cfg)),
            **{STORED_NAMES.get(f, f): getattr(cfg, f)
               for f in ("seed", "n_test", "n_val", "batch_size", "init_steps",
                         "init_batch_size", "init_lr", "init_ridge", "init_pool",
                         "ood_fraction", "max_per_class", "val_per_class")}}


STORED_NAMES = {"init_batch_size": "init_batch"}
"""Parameter name -> its key in a run's stored configuration, where the two differ (the runs
were keyed before the parameter got the name it has everywhere else)."""


def _projection_summary(model, k: int) -> dict:
    u = model.directions()  # (M, K, 3072 k, b)
    e = position_energy(u.transpose(-1, -2), k)  # (M, K, b, k)
    return {"energy": e.mean(2).cpu(), "slice": u[0, :, :, 0].cpu()}


def compute_run(data: CifarData, spec: dict, *, progress: bool = False) -> dict:
    """Train and evaluate one run (uncached; see :func:`run`). Returns a dict of CPU tensors:

    ``acc`` (E, M) accuracy on the evaluated set after each of ``eval_epochs``; ``correct``
    (M, n, k) bool on the test set (final); ``seen`` (M, n) whether the test tuple occurs in
    network ``j``'s training combinations; ``held`` (n,) whether it is a held-out tuple;
    ``acc_ood`` (M,) on held-out tuples (k >= 2); ``acc_noise`` {std: (M,)}; ``loss`` log;
    modular methods: ``energy_init``/``energy_final`` (M, K, k) share of each module's
    projection on each image position, ``slice_init``/``slice_final`` (K, 3072 k) column 0 of
    every module of network 0, ``init`` (Algorithm 1 history), ``proj_scale`` (M, K, b).
    """
    method, k, seeds = spec["method"], spec["k"], tuple(spec["seeds"])
    m = len(seeds)
    arch = Architecture(**spec["arch"])
    frac = spec["ood_fraction"] if k >= 2 else 0.0
    base = spec["seed"]
    sets = [make_set(data.train, spec["n_train"], k, data_seed(base, k, s), mode="seen",
                     fraction=frac) for s in seeds]
    evaluate = spec["evaluate"]
    if evaluate == "val":
        ev_pool, ev_set = data.val, make_set(data.val, spec["n_val"], k,
                                             test_seed(base, k, "val"))
    else:
        ev_pool, ev_set = data.test, make_set(data.test, spec["n_test"], k,
                                              test_seed(base, k, "test"))
    model_seed = 10_007 * base + 101 * k + seeds[0]
    model = build_model(method, m, k, arch, seed=model_seed, device=data.train.device)
    out: dict = {"spec": spec, "params": param_count(method, k, arch)}
    t0 = time.perf_counter()
    if method != "monolithic":
        out["slice_init"] = _projection_summary(model, k)["slice"]
        out["energy_init"] = _projection_summary(model, k)["energy"]
    if method == "ours":
        out["init"] = kernel_init_projections(
            model, data.train, sets, n_pool=spec["init_pool"], steps=spec["init_steps"],
            batch_size=spec["init_batch"], lr=spec["init_lr"], ridge=spec["init_ridge"],
            seed=model_seed, n_heldout=spec.get("init_heldout", 0),
            bandwidth_grad=spec.get("init_bandwidth_grad", False), progress=progress)
        out["energy_after_init"] = _projection_summary(model, k)["energy"]
        out["slice_after_init"] = _projection_summary(model, k)["slice"]
    if method != "monolithic":
        out["proj_scale"] = projection_scale(model, data.train, sets).cpu()
    out["init_time_s"] = time.perf_counter() - t0
    accs = {}

    def on_epoch(epoch: int) -> None:
        if epoch in spec["eval_epochs"]:
            accs[epoch] = accuracy(predict_correct(model, ev_pool, ev_set, m,
                                                   amp=spec["amp"]))

    out["train"] = train(model, data.train, sets, lr=spec["lr"],
                         batch_size=spec["batch_size"], epochs=spec["epochs"],
                         seed=model_seed, amp=spec["amp"], progress=progress,
                         on_epoch_end=on_epoch)
    out["acc"] = torch.stack([accs[e] for e in spec["eval_epochs"]])
    if evaluate == "test":
        correct = predict_correct(model, data.test, ev_set, m, amp=spec["amp"])
        out["correct"] = correct
        test_codes = tuple_codes(ev_set.labels).cpu()
        out["seen"] = torch.stack([torch.isin(test_codes, tuple_codes(s.labels).cpu())
                                   for s in sets])
        out["held"] = (held_out_mask(ev_set.labels, frac).cpu() if frac > 0
                       else torch.zeros(len(ev_set), dtype=torch.bool))
        if frac > 0:
            ood = make_set(data.test, spec["n_test"], k, test_seed(base, k, "ood"),
                           mode="held_out", fraction=frac)
            out["acc_ood"] = accuracy(predict_correct(model, data.test, ood, m,
                                                      amp=spec["amp"]))
        out["acc_noise"] = {
            float(lvl): accuracy(predict_correct(model, data.test, ev_set, m, noise_std=lvl,
                                                 seed=base, amp=spec["amp"]))
            for lvl in spec["noise_levels"]}
    if method != "monolithic":
        summ = _projection_summary(model, k)
        out["energy_final"], out["slice_final"] = summ["energy"], summ["slice"]
    out["wall_time_s"] = time.perf_counter() - t0
    return out


MAX_CURVE_POINTS = 100
"""Points of the training-loss curve kept in a compact payload."""

SLICE_MODULES = 4
"""Modules of network 0 whose projection slice a ``keep_slices`` run stores (paper Fig. 12)."""


def compact(result: dict, *, detail: bool = False) -> dict:
    """The store-sized payload of a :func:`compute_run` result: the spec, per-seed accuracy rows
    (:func:`accuracy_frame`'s columns, or ``val_acc`` for a validation run), the loss curve
    thinned to at most :data:`MAX_CURVE_POINTS` points, costs and, for modular methods, the
    mean largest per-image projection share ``energy_max_final`` (M,).

    ``detail=True`` (the chapter's own runs) adds what its figures draw: ``acc`` (E, M) after
    each evaluated epoch, the per-image shares ``energy_init`` / ``energy_after_init`` /
    ``energy_final`` (M, K, k), ``proj_scale`` (M, K, b), Algorithm 1's history ``init``, and,
    if the spec asks for ``keep_slices``, the first :data:`SLICE_MODULES` modules' projection
    slices ``slice_final`` (network 0, column 0)."""
    spec = result["spec"]
    if spec["evaluate"] == "test":
        rows = _accuracy_rows(result)
    else:
        rows = [{"method": spec["method"], "k": spec["k"], "seed": s,
                 "val_acc": float(result["acc"][-1, j])} for j, s in enumerate(spec["seeds"])]
    tr = result["train"]
    keep = np.unique(np.linspace(0, len(tr["loss_steps"]) - 1, MAX_CURVE_POINTS).round()
                     .astype(int))
    out = {"spec": spec, "params": result["params"], "rows": rows,
           "loss_steps": tr["loss_steps"][keep].clone(), "loss": tr["loss"][keep].clone(),
           "train_time_s": tr["wall_time_s"], "init_time_s": result["init_time_s"],
           "wall_time_s": result["wall_time_s"]}
    if "init" in result:
        out["init_flops"] = float(result["init"]["flops"])
        if result["init"].get("heldout") is not None and result["init"]["heldout"].numel():
            # Algorithm 1's histories, mean over each network's restarts: (T,), (T, M), (T, M)
            out["init_history"] = {"steps": result["init"]["steps"].clone(),
                                   "batch": result["init"]["objective"].mean(-1).clone(),
                                   "heldout": result["init"]["heldout"].mean(-1).clone()}
            e = result["energy_after_init"]
            out["energy_max_after_init"] = e.max(-1).values.mean(-1).clone()
    if "energy_final" in result:
        # share of each module's projection on its most-weighted image position, per network
        out["energy_max_final"] = result["energy_final"].max(-1).values.mean(-1).clone()
    if spec.get("keep_slices") and "slice_final" in result:
        out["slice_final"] = result["slice_final"][:SLICE_MODULES].clone()
    if detail:
        out["acc"] = result["acc"].clone()
        for name in ("energy_init", "energy_after_init", "energy_final", "proj_scale", "init"):
            if name in result:
                out[name] = result[name]
    return out


def run_key(data: CifarData, spec: dict) -> dict:
    """The store key of the run ``spec`` on ``data``: the spec, the decoded data's checksum and
    the device type."""
    return {**spec, "data": data.arrays_sha256, "device": data.train.device.type}


def run(data: CifarData, spec: dict, *, progress: bool = False) -> dict:
    """:func:`compute_run` as a compact payload (:func:`compact`, ``detail=True``), cached and
    stored per ``spec``, the decoded data's checksum and the device type (experiment
    ``cifar_run``, key :func:`run_key`)."""
    return cached("cifar_run", run_key(data, spec),
                  lambda: compact(compute_run(data, spec, progress=progress), detail=True),
                  device=data.train.device)


def data_for(key: dict, device: torch.device | str = "cpu") -> CifarData:
    """The decoded data a stored run's ``key`` was computed on (its ``max_per_class`` and
    ``val_per_class``), checked against the key's data checksum."""
    from types import SimpleNamespace

    cfg = SimpleNamespace(data_path=None, max_per_class=key["max_per_class"], download=False,
                          val_per_class=key["val_per_class"])
    data = load_data(cfg, device)
    if data.arrays_sha256 != key["data"]:
        raise ValueError(f"the CIFAR-10 arrays here have checksum {data.arrays_sha256}, the run "
                         f"was computed on {key['data']}")
    return data


def run_compact(key: dict) -> dict:
    """Recompute a stored ``cifar_run`` entry from its key alone (goldens, verification)."""
    spec = {k: v for k, v in key.items() if k not in ("data", "device")}
    return compact(compute_run(data_for(key, key.get("device", "cpu")), spec), detail=True)


def seed_chunks(n_seeds: int, per_run: int) -> list[tuple[int, ...]]:
    """Seeds 0..n_seeds-1 in groups trained together."""
    return [tuple(range(i, min(i + per_run, n_seeds))) for i in range(0, n_seeds, per_run)]


def sweep_specs(cfg, device: torch.device | str = "cpu") -> list[dict]:
    """The learning-rate sweep: every method and learning rate of ``cfg.lr_grid`` at
    ``cfg.sweep_k`` (seed 0, ``cfg.sweep_n_train`` combinations, validation set); none with a
    single value in ``lr_grid`` (no sweep)."""
    if len(cfg.lr_grid) == 1:
        return []
    return [run_spec(cfg, method, cfg.sweep_k, (0,), lr=lr, n_train=cfg.sweep_n_train,
                     evaluate="val", device=device)
            for method in cfg.methods for lr in cfg.lr_grid]


def sweep_frame(cfg, runs: list[dict]) -> pd.DataFrame:
    """Validation accuracy of every method and learning rate of ``cfg.lr_grid``, from the runs
    of :func:`sweep_specs` (in its order; NaN with a single value in ``lr_grid``). One row per
    (method, lr)."""
    todo = [(m, lr) for m in cfg.methods for lr in cfg.lr_grid]
    if len(cfg.lr_grid) == 1:
        return pd.DataFrame([{"method": m, "lr": lr, "val_acc": float("nan")} for m, lr in todo])
    return pd.DataFrame([{"method": m, "lr": lr, "val_acc": float(r["acc"][-1, 0])}
                         for (m, lr), r in zip(todo, runs, strict=True)])


def lr_sweep(data: CifarData, cfg) -> pd.DataFrame:
    """Validation accuracy of every method and learning rate of ``cfg.lr_grid`` at
    ``cfg.sweep_k`` (seed 0, ``cfg.sweep_n_train`` combinations). One row per (method, lr)."""
    runs = [run(data, s) for s in progress_bar(sweep_specs(cfg, data.train.device),
                                               desc="lr sweep")]
    return sweep_frame(cfg, runs)


def best_lrs(sweep: pd.DataFrame) -> dict[str, float]:
    """The learning rate with the highest validation accuracy per method (first if a tie)."""
    out = {}
    for method, g in sweep.groupby("method", sort=False):
        g = g.reset_index(drop=True)
        out[method] = float(g["lr"][int(np.nanargmax(g["val_acc"].to_numpy()))]
                            if g["val_acc"].notna().any() else g["lr"][0])
    return out


def main_specs(cfg, lrs: dict[str, float], device: torch.device | str = "cpu") -> list[dict]:
    """Every (k, method, seed chunk) of Fig. 3b; noise levels evaluated at ``cfg.table_k``, the
    projection slices of Fig. 12 kept in its first chunk of the modular methods."""
    return [run_spec(cfg, method, k, chunk, lr=lrs[method],
                     noise_levels=tuple(cfg.noise_levels) if k == cfg.table_k else (),
                     device=device,
                     keep_slices=k == cfg.table_k and chunk[0] == 0 and method != "monolithic")
            for k in cfg.ks for method in cfg.methods
            for chunk in seed_chunks(cfg.n_seeds, cfg.seeds_per_run)]


def main_runs(data: CifarData, cfg, lrs: dict[str, float]) -> list[dict]:
    """The runs of :func:`main_specs` (Fig. 3b), computed or drawn from the store."""
    return [run(data, s) for s in progress_bar(main_specs(cfg, lrs, data.train.device),
                                               desc="fig3b runs")]


def epoch_specs(cfg, lrs: dict[str, float], device: torch.device | str = "cpu") -> list[dict]:
    """Training for ``max(cfg.epochs_curve)`` epochs at ``cfg.epochs_k``, test accuracy after
    each epoch of ``cfg.epochs_curve`` (beyond the paper): one run per method."""
    seeds = tuple(range(cfg.epochs_curve_seeds))
    return [run_spec(cfg, m, cfg.epochs_k, seeds, lr=lrs[m], epochs=max(cfg.epochs_curve),
                     eval_epochs=tuple(sorted(cfg.epochs_curve)), device=device)
            for m in cfg.methods]


def epoch_runs(data: CifarData, cfg, lrs: dict[str, float]) -> list[dict]:
    """The runs of :func:`epoch_specs`, computed or drawn from the store."""
    return [run(data, s) for s in progress_bar(epoch_specs(cfg, lrs, data.train.device),
                                               desc="epochs runs")]


# --- tables ------------------------------------------------------------------------------------

def _accuracy_rows(r: dict) -> list[dict]:
    """Per-seed accuracy rows of a full :func:`compute_run` result."""
    spec, rows = r["spec"], []
    for j, s in enumerate(spec["seeds"]):
        c = r["correct"][j].float().mean(1)  # (n,) per-sample accuracy over positions
        seen = r["seen"][j]
        row = {"method": spec["method"], "k": spec["k"], "seed": s,
               "acc": float(r["acc"][-1, j]),
               "acc_seen": float(c[seen].mean()) if seen.any() else float("nan"),
               "acc_unseen": float(c[~seen].mean()) if (~seen).any() else float("nan"),
               "frac_seen": float(seen.float().mean()),
               "acc_ood": float(r["acc_ood"][j]) if "acc_ood" in r else float("nan"),
               "params": r["params"], "wall_time_s": r["wall_time_s"]}
        for lvl, a in r["acc_noise"].items():
            row[f"acc_noise_{lvl:g}"] = float(a[j])
        rows.append(row)
    return rows


def accuracy_frame(results: list[dict]) -> pd.DataFrame:
    """One row per (method, k, seed): test accuracy, OOD accuracy, seen/unseen accuracies, from
    full results or compact payloads (:func:`compact`)."""
    return pd.DataFrame([row for r in results
                         for row in (r["rows"] if "rows" in r else _accuracy_rows(r))])


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _cifar_configs() -> list[dict]:
    from modscale.infra.profiles import get_config

    cfg = get_config("compositional_cifar", "smoke", max_per_class=20, val_per_class=4,
                     n_test=32, n_val=16, batch_size=16, init_steps=2, init_pool=64,
                     init_batch_size=16, amp="fp32")
    data = load_data(cfg)
    out = []
    for method in ("monolithic", "ours"):
        spec = run_spec(cfg, method, 2, (0,), lr=1e-3, n_train=64, noise_levels=(1.0,),
                        keep_slices=method == "ours")
        out.append({**spec, "data": data.arrays_sha256, "device": "cpu"})
    # ours as the paper-dimension runs run it: bandwidth gradient, held-out batch recorded
    alg1 = dataclasses.replace(cfg, init_pool=32, init_bandwidth_grad=True, init_heldout=16)
    spec = run_spec(alg1, "ours", 2, (0,), lr=1e-3, n_train=64)
    out.append({**spec, "data": data.arrays_sha256, "device": "cpu"})
    return out


GOLDENS = {"cifar_run": _cifar_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["CifarData", "load_data", "data_seed", "test_seed", "run_spec", "compute_run",
           "run_key", "run", "seed_chunks", "sweep_specs", "sweep_frame", "lr_sweep", "best_lrs",
           "main_specs", "main_runs", "epoch_specs", "epoch_runs", "accuracy_frame", "compact",
           "data_for", "run_compact", "MAX_CURVE_POINTS", "SLICE_MODULES"]
