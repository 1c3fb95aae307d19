"""Plan of the Compositional CIFAR-10 chapter: the learning-rate sweep, then the Fig. 3b and
epochs runs at its rates; the scale runs' sweep, then the runs at the paper's data scale and the
scale study; the Algorithm 1 diagnosis; the paper-dimension sweep, then the runs at b =
``paper_dim``.

Every item is ``(experiment, key)`` with the key the chapter looks up: the run's spec, the
decoded data's checksum and the device type (:func:`modscale.experiments.cifar_runs.run_key`,
:func:`modscale.experiments.cifar_scale.scale_key`,
:func:`modscale.experiments.cifar_alg1.run_key`), from the data of :func:`data` (:func:`plan`
keys them at the CPU, as the committed results are; the chapter passes its own data, on its
device). The training precision in a key is resolved on that device
(:func:`modscale.infra.device.resolve_precision`), as the chapter resolves it, so on a machine
whose probe picks the other precision than the stored one a key differs from the stored one in
``amp`` only and the cache draws the stored result (``modscale.infra.cache``, "Precision of a
drawn result"). A step whose learning rates come from a sweep lists nothing until the sweep is
stored (:func:`lrs`, :func:`scale_lrs`, :func:`paper_dim_lrs` are then ``None``).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from modscale.experiments import cifar_alg1 as ca
from modscale.experiments import cifar_runs as cr
from modscale.experiments import cifar_scale as cs
from modscale.plans import Item

UPSTREAM: tuple[str, ...] = ()

_DATA: dict[tuple, Any] = {}


def data(cfg: Any, device: Any = "cpu") -> cr.CifarData:
    """The chapter's decoded CIFAR-10 pools on ``device``
    (:func:`modscale.experiments.cifar_runs.load_data`), loaded once per process and data
    setting."""
    import torch

    tag = (cfg.data_path, cfg.max_per_class, cfg.download, cfg.val_per_class,
           str(torch.device(device)), os.environ.get("MODSCALE_CIFAR10", ""))
    if tag not in _DATA:
        _DATA[tag] = cr.load_data(cfg, device)
    return _DATA[tag]


def spec(key: dict) -> dict:
    """The run's spec in a store ``key`` (the key less the data checksum and device type)."""
    return {k: v for k, v in key.items() if k not in ("data", "device")}


def _items(experiment: str, data: cr.CifarData, specs: list[dict]) -> list[Item]:
    return [(experiment, cr.run_key(data, s)) for s in specs]


def _stored(items: list[Item]) -> list | None:
    """The stored results of ``items`` (the cache's lookup, never a computation); None while
    one is missing."""
    from modscale.infra.cache import find

    runs = [find(exp, key, key["device"]) for exp, key in items]
    return None if any(r is None for r in runs) else runs


# --- the chapter's runs (b = module_dim, n_train combinations) ---------------------------------

def lr_sweep(cfg: Any, data: cr.CifarData) -> list[Item]:
    """The learning-rate sweep (``cifar_run``, validation set; none with one value in
    ``lr_grid``)."""
    return _items("cifar_run", data, cr.sweep_specs(cfg, data.train.device))


def lrs(cfg: Any, data: cr.CifarData) -> dict[str, float] | None:
    """The learning rate per method chosen on the stored sweep; None while it is incomplete."""
    runs = _stored(lr_sweep(cfg, data))
    return None if runs is None else cr.best_lrs(cr.sweep_frame(cfg, runs))


def main(cfg: Any, data: cr.CifarData, rates: Mapping[str, float]) -> list[Item]:
    """Fig. 3b, Table 1 and Fig. 12: every k, method and seed chunk at the rates ``rates``."""
    return _items("cifar_run", data, cr.main_specs(cfg, rates, data.train.device))


def epochs(cfg: Any, data: cr.CifarData, rates: Mapping[str, float]) -> list[Item]:
    """The epochs comparison (beyond the paper): one run per method at ``epochs_k``."""
    return _items("cifar_run", data, cr.epoch_specs(cfg, rates, data.train.device))


# --- at the paper's data scale (cifar_scale) ---------------------------------------------------

def scale_sweep(cfg: Any, data: cr.CifarData) -> list[Item]:
    """The scale runs' learning-rate sweep (none with one value in ``lr_grid``)."""
    if len(cfg.lr_grid) == 1:
        return []
    return [(cs.EXPERIMENT, cs.scale_key(data, s))
            for s in cs.sweep_specs(cfg, data.train.device)]


def scale_lrs(cfg: Any, data: cr.CifarData) -> dict[str, float] | None:
    """The scale runs' learning rates, chosen on their stored sweep; None while incomplete."""
    runs = _stored(scale_sweep(cfg, data))
    return None if runs is None else cs.scale_lrs(runs, cfg)


def scale(cfg: Any, data: cr.CifarData, rates: Mapping[str, float]) -> list[Item]:
    """The runs at the paper's data scale and the scale study, at the rates ``rates``."""
    return [(cs.EXPERIMENT, cs.scale_key(data, s))
            for s in cs.main_specs(cfg, rates, data.train.device)]


# --- at the paper's module dimension -----------------------------------------------------------

def alg1_k(cfg: Any) -> int:
    """k of the Algorithm 1 diagnosis: the largest of ``ks``, at most 4 and at least 2."""
    return max(2, min(4, max(cfg.ks)))


def alg1(cfg: Any, data: cr.CifarData) -> list[Item]:
    """The Algorithm 1 diagnosis (``cifar_alg1``): every variant at the chapter's module
    dimension and at ``paper_dim``, except ``large_pool`` at ``paper_dim`` (4x larger
    mini-batches of 3072 k x b projections, left out for cost: at the chapter's b it already
    shows that the pool is not the cause)."""
    return [(ca.EXPERIMENT, ca.run_key(data, ca.spec(cfg, v, k=alg1_k(cfg), module_dim=b)))
            for b in dict.fromkeys((cfg.module_dim, cfg.paper_dim)) for v in ca.VARIANTS
            if not (b == cfg.paper_dim != cfg.module_dim and v == "large_pool")]


def paper_dim_sweep(cfg: Any, data: cr.CifarData) -> list[Item]:
    """The learning-rate sweep at b = ``paper_dim`` (none with one value in
    ``paper_dim_lr_grid``)."""
    if len(cfg.paper_dim_lr_grid) == 1:
        return []
    return [(cs.EXPERIMENT, cs.scale_key(data, s))
            for s in cs.paper_dim_sweep_specs(cfg, data.train.device)]


def paper_dim_lrs(cfg: Any, data: cr.CifarData) -> dict[str, float] | None:
    """The paper-dimension runs' learning rates, chosen on their stored sweep; None while
    incomplete."""
    runs = _stored(paper_dim_sweep(cfg, data))
    return None if runs is None else cs.paper_dim_lrs(runs, cfg)


def paper_dim(cfg: Any, data: cr.CifarData, rates: Mapping[str, float]) -> list[Item]:
    """Fig. 3b, Table 1 and Fig. 12 at b = ``paper_dim``: ``paper_dim_ks`` x methods x seed
    chunks at the rates ``rates`` (also the paper-scale runs of ``tools/paper_run.py``, part
    ``cifar``, on the configs it derives)."""
    return [(cs.EXPERIMENT, cs.scale_key(data, s))
            for s in cs.paper_dim_specs(cfg, rates, data.train.device)]


# --- drawing (or computing) the items on loaded data -------------------------------------------

def _runner(experiment: str) -> Callable[[cr.CifarData, dict], Any]:
    return {"cifar_run": cr.run,
            cs.EXPERIMENT: lambda d, s: cs.scale_run(d, s, progress=False),
            ca.EXPERIMENT: ca.run}[experiment]


def results(data: cr.CifarData, items: list[Item], desc: str = "") -> list[dict]:
    """The results of ``items`` computed on (or drawn for) the loaded ``data`` with each
    experiment's cached run (which keys them as the items do); a progress bar where ``desc``
    names one."""
    from modscale.infra.progress import progress_bar

    out = []
    for exp, key in progress_bar(items, desc=desc, disable=not desc):
        if (key["data"], key["device"]) != (data.arrays_sha256, data.train.device.type):
            raise ValueError(f"{exp}: the item was keyed on data {key['data'][:12]} "
                             f"({key['device']}), not on these ({data.arrays_sha256[:12]}, "
                             f"{data.train.device.type})")
        out.append(_runner(exp)(data, spec(key)))
    return out


def plan(cfg: Any, upstream: Mapping[str, Any]) -> list[Item]:
    """Every result the chapter reads, keyed at the CPU: each sweep, then (once it is stored)
    the runs at its learning rates; the Algorithm 1 diagnosis."""
    d = data(cfg)
    out = lr_sweep(cfg, d)
    if (rates := lrs(cfg, d)) is not None:
        out += main(cfg, d, rates) + epochs(cfg, d, rates)
    out += scale_sweep(cfg, d)
    if (rates := scale_lrs(cfg, d)) is not None:
        out += scale(cfg, d, rates)
    out += alg1(cfg, d) + paper_dim_sweep(cfg, d)
    if (rates := paper_dim_lrs(cfg, d)) is not None:
        out += paper_dim(cfg, d, rates)
    return out
