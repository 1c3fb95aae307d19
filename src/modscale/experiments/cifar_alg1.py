"""Does Algorithm 1 lower its own objective on Compositional CIFAR-10? (held-out diagnosis)

Algorithm 1 (:func:`modscale.training.kernel_init.kernel_init_`) takes Adam steps on the kernel
objective of a mini-batch drawn from a *pool* of each network's training combinations. On CIFAR
the input has 3,072 k dimensions and every module's projection 3,072 k x b parameters, so a
mini-batch of a few hundred rows can be fitted by the projection without the projection finding
the component images. This experiment measures that: for every *variant* of Algorithm 1 it
records the objective on the step's mini-batch **and** on a fixed held-out batch of the same
networks' training combinations that Algorithm 1 never sees, plus the largest per-image share of
the projections before and after (1/k for a projection that mixes the images evenly, 1 for one
that reads a single image).

A variant is chosen on the held-out objective only (:func:`choose`), never on task accuracy.

One run (:func:`run`, cached in the store as experiment ``cifar_alg1``) is one variant at one
``(k, module_dim)``, ``n_models`` networks built exactly as the chapter's modular networks
(:func:`modscale.training.cifar_models.build_model`).
"""

from __future__ import annotations

import dataclasses

import torch

from modscale.infra.cache import cached
from modscale.infra.profiles import ConfigError
from modscale.tasks.compositional import make_set, position_energy

EXPERIMENT = "cifar_alg1"

VARIANTS: dict[str, dict] = {
    "as_run": {},
    "large_pool": {"pool_factor": 16, "batch_factor": 4},
    "early_stop": {"select": "best_heldout"},
    "bandwidth_grad": {"bandwidth_grad": True, "pool_factor": 16, "lr_factor": 0.1},
    "joint": {"objective": "joint"},
    "joint_bandwidth_grad": {"objective": "joint", "bandwidth_grad": True, "pool_factor": 16,
                             "lr_factor": 0.1},
}
"""Variants of Algorithm 1, as overrides of the run's settings (``*_factor``: a multiple of the
chapter's ``init_pool``, ``init_batch_size`` or ``init_lr``): ``as_run`` the settings of the
chapter's ``ours`` (``init_*`` parameters: the literal reading, Adam on the mini-batch objective
with the median bandwidth held constant in the gradient); ``large_pool``: 16 times more
combinations to draw from and 4 times larger mini-batches (is it the pool?); ``early_stop``: the
literal reading returning the recorded step with the lowest held-out objective
(:data:`modscale.training.kernel_init.SELECTIONS`); ``bandwidth_grad``: the gradient of the
objective actually evaluated (median bandwidth differentiated), fresh mini-batches from a large
pool, a 10x smaller step; ``joint`` / ``joint_bandwidth_grad``: the same two with the joint
reading (one kernel, the mean of the module kernels;
:data:`modscale.training.kernel_init.OBJECTIVES`)."""

READINGS = ("literal", "joint")
"""Objectives whose value on an image-aligned projection is measured (:func:`compute`)."""


def spec(cfg, variant: str, *, k: int, module_dim: int, n_models: int = 2,
         steps: int | None = None, lr: float | None = None, n_heldout: int | None = None,
         record_every: int = 5) -> dict:
    """The store key of one diagnosis run (``cfg``: the chapter's configuration, whose ``init_*``
    parameters define ``as_run``; ``n_heldout`` defaults to ``cfg.init_pool``)."""
    if variant not in VARIANTS:
        raise ConfigError(f"parameter 'variant': {variant!r} is not allowed; allowed values: "
                          f"{', '.join(map(repr, VARIANTS))}")
    base = {"objective": "literal", "select": "last", "bandwidth_grad": False,
            "pool": cfg.init_pool,
            "batch": cfg.init_batch_size, "steps": steps or cfg.init_steps,
            "lr": lr or cfg.init_lr, "ridge": cfg.init_ridge}
    over = dict(VARIANTS[variant])
    for name, field_ in (("pool", "pool_factor"), ("batch", "batch_factor"), ("lr", "lr_factor")):
        if field_ in over:
            base[name] = base[name] * over.pop(field_)
    n_heldout = cfg.init_pool if n_heldout is None else n_heldout
    return {"variant": variant, **base, **over, "k": k, "module_dim": module_dim,
            "modules_per_image": cfg.modules_per_image, "module_width": cfg.module_width,
            "module_depth": cfg.module_depth, "n_models": n_models, "n_heldout": n_heldout,
            "record_every": record_every, "seed": cfg.seed,
            "max_per_class": cfg.max_per_class, "val_per_class": cfg.val_per_class}


def compute(data, sp: dict) -> dict:
    """Run one variant (uncached). Returns ``steps`` (T,), ``batch`` and ``heldout`` (T, M) the
    per-point objective on the step's mini-batch and on the fixed held-out batch (mean over the
    network's restarts), ``share_before`` / ``share_after`` (M,) the mean largest per-image share
    of the projections, ``chosen_step`` (M,), ``wall_time_s``, and the *image-aligned oracle*:
    ``oracle`` {reading: (2, M)} the held-out objective of each reading (row 0) at the random
    start and (row 1) at the same start restricted, module j, to the pixels of image j mod k
    (columns renormalised) -- the structure the paper's initialiser is meant to find."""
    from modscale.experiments.cifar_runs import data_seed
    from modscale.training.cifar_models import (
        Architecture,
        build_model,
        kernel_init_projections,
    )

    k, m = sp["k"], sp["n_models"]
    arch = Architecture(mono_width=1, mono_depth=1, modules_per_image=sp["modules_per_image"],
                        module_dim=sp["module_dim"], module_width=sp["module_width"],
                        module_depth=sp["module_depth"])
    sets = [make_set(data.train, sp["pool"] + sp["n_heldout"], k, data_seed(sp["seed"], k, s),
                     mode="seen", fraction=0.1 if k >= 2 else 0.0) for s in range(m)]
    model_seed = 10_007 * sp["seed"] + 101 * k
    model = build_model("ours", m, k, arch, seed=model_seed, device=data.train.device)

    def share() -> torch.Tensor:
        u = model.projection.directions().detach()  # (M, K, 3072 k, b)
        e = position_energy(u.transpose(-1, -2), k).mean(2)  # (M, K, k)
        return e.max(-1).values.mean(-1).cpu()

    before = share()
    oracle = _oracle(model, data, sets, sp, k)
    h = kernel_init_projections(model, data.train, sets, n_pool=sp["pool"], steps=sp["steps"],
                                batch_size=sp["batch"], lr=sp["lr"], ridge=sp["ridge"],
                                seed=model_seed, objective=sp["objective"],
                                n_heldout=sp["n_heldout"], select=sp["select"],
                                bandwidth_grad=sp["bandwidth_grad"])
    return {"spec": sp, "steps": h["steps"], "batch": h["objective"].mean(-1),
            "heldout": h["heldout"].mean(-1), "share_before": before, "share_after": share(),
            "chosen_step": h["chosen_step"], "wall_time_s": h["wall_time_s"],
            "oracle": oracle}


@torch.no_grad()
def _oracle(model, data, sets, sp: dict, k: int) -> dict:
    """Held-out objective (per point) of each reading at the random start and at its
    image-aligned restriction (see :func:`compute`): {reading: (2, M)}."""
    from modscale.tasks.compositional import unflatten_input
    from modscale.training.cifar_models import onehot_targets, stacked_inputs
    from modscale.training.kernel_objective import kernel_matrix, objective_from_kernel

    w = model.projection.directions().detach()  # (M, K, 3072 k, b)
    n_mod = w.shape[1]
    # image position of every input coordinate (the layout position_energy reads)
    where = unflatten_input(torch.arange(w.shape[2], device=w.device), k)
    where = where.reshape(32, k, 32, 3)
    img = torch.empty(w.shape[2], dtype=torch.long, device=w.device)
    for j in range(k):
        img[where[:, j].reshape(-1)] = j
    keep = torch.stack([img == (j % k) for j in range(n_mod)])  # (K, 3072 k)
    aligned = w * keep[None, :, :, None]
    aligned = aligned / aligned.norm(dim=-2, keepdim=True).clamp_min(1e-12)
    lo, hi = sp["pool"], sp["pool"] + sp["n_heldout"]
    x = stacked_inputs(data.train, torch.stack([s.idx[lo:hi] for s in sets]))
    y = onehot_targets(torch.stack([s.labels[lo:hi] for s in sets])).unsqueeze(1)
    out = {r: torch.zeros(2, w.shape[0]) for r in READINGS}
    for row, u in enumerate((w, aligned)):
        kmat = kernel_matrix(torch.einsum("mni,mkio->mkno", x, u))
        out["literal"][row] = (objective_from_kernel(kmat, y, ridge=sp["ridge"])
                               .mean(-1) / x.shape[1]).cpu()
        out["joint"][row] = (objective_from_kernel(kmat.mean(1, keepdim=True), y,
                                                   ridge=sp["ridge"])[:, 0] / x.shape[1]).cpu()
    return out


def position_objective(data, k: int, *, module_dim: int, ridge: float, n_proj: int = 8,
                       batch: int = 256, seed: int = 0) -> list[dict]:
    """Does the kernel objective prefer position-selective projections? Its value (per sample,
    :func:`modscale.training.kernel_objective.kernel_objective`) on one mini-batch of ``batch``
    training combinations of ``k`` images, for ``n_proj`` random projections (3072 k x
    ``module_dim``) spread over all images and for the same projections restricted to image 1,
    with the targets of all positions and with those of position 1 only. One row per
    (projection, targets): ``k``, ``projection``, ``targets``, ``objective`` (mean over the
    projections) and ``s.e.``. Uncached (seconds on a CPU)."""
    import math

    from modscale.tasks.compositional import assemble, unflatten_input
    from modscale.training.cifar_models import onehot_targets
    from modscale.training.kernel_objective import kernel_objective

    g = torch.Generator().manual_seed(seed)
    s = make_set(data.train, batch, k, seed=seed + 11)
    x = assemble(data.train, s.idx).cpu()
    y = onehot_targets(s.labels).cpu()
    u = torch.randn(n_proj, 3072 * k, module_dim, generator=g)
    u1 = unflatten_input(u.transpose(1, 2).clone(), k)
    u1[..., 32:, :] = 0
    u1 = u1.reshape(n_proj, module_dim, -1).transpose(1, 2)
    out = []
    for name, uu in (("spread over all images", u), ("image 1 only", u1)):
        for tgt, yy in (("all positions", y), ("position 1", y[:, :10])):
            o = kernel_objective(x, yy, uu, ridge=ridge) / batch
            out.append({"k": k, "projection": name, "targets": tgt,
                        "objective": float(o.mean()), "s.e.": float(o.std() / math.sqrt(n_proj))})
    return out


def run_key(data, sp: dict) -> dict:
    """The store key of the diagnosis run ``sp`` on ``data``: the spec, the decoded data's
    checksum and the device type."""
    return {**sp, "data": data.arrays_sha256, "device": data.train.device.type}


def run(data, sp: dict) -> dict:
    """:func:`compute`, cached and stored per ``sp`` and the data checksum (key
    :func:`run_key`)."""
    return cached(EXPERIMENT, run_key(data, sp), lambda: compute(data, sp),
                  device=data.train.device)


def run_compact(key: dict) -> dict:
    """Recompute a stored run from its key alone (goldens, verification)."""
    from modscale.experiments.cifar_runs import data_for

    sp = {k: v for k, v in key.items() if k not in ("data", "device")}
    return compute(data_for(key, key.get("device", "cpu")), sp)


def change(r: dict) -> torch.Tensor:
    """Per-network relative change of the held-out objective from step 0 to the returned
    projection (the chosen step): (M,). Negative = Algorithm 1 lowered its held-out objective."""
    steps = r["steps"].tolist()
    rows = [steps.index(int(s)) for s in r["chosen_step"].tolist()]
    end = torch.stack([r["heldout"][i, j] for j, i in enumerate(rows)])
    return end / r["heldout"][0] - 1.0


MIN_DROP = 0.001
"""Smallest relative fall of the held-out objective (in every network) that counts as Algorithm 1
lowering it (0.1 %)."""


def choose(results: dict[str, dict], min_drop: float = MIN_DROP,
           objective: str = "literal") -> str | None:
    """Among the variants with the given ``objective``, the one whose returned projection has
    the lowest held-out objective relative to its start (mean over networks), provided it lowers
    it by at least ``min_drop`` in every network; ``None`` if none does (Algorithm 1 then cannot
    be made to lower its held-out objective within these variants). Never looks at accuracy."""
    best, best_val = None, 0.0
    for name, r in results.items():
        if r["spec"]["objective"] != objective:
            continue
        c = change(r)
        if bool((c <= -min_drop).all()) and float(c.mean()) < best_val:
            best, best_val = name, float(c.mean())
    return best


def init_config(cfg, variant: str):
    """``cfg`` with the ``init_*`` parameters of ``variant`` (how the scale runs' ``ours`` runs
    Algorithm 1), a held-out batch of ``init_pool`` combinations recorded."""
    sp = spec(cfg, variant, k=2, module_dim=1)
    if sp["objective"] != "literal" or sp["select"] != "last":
        raise ConfigError(f"parameter 'paper_dim_init': {variant!r} is not a literal-reading "
                          f"variant that returns its last step; allowed values: "
                          f"{', '.join(v for v in VARIANTS if _literal_last(v))}")
    return dataclasses.replace(cfg, init_pool=sp["pool"], init_batch_size=sp["batch"],
                               init_lr=sp["lr"], init_bandwidth_grad=sp["bandwidth_grad"],
                               init_heldout=cfg.init_pool)


def _literal_last(variant: str) -> bool:
    o = VARIANTS[variant]
    return o.get("objective", "literal") == "literal" and o.get("select", "last") == "last"


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _cifar_alg1_configs() -> list[dict]:
    from modscale.experiments.cifar_runs import load_data
    from modscale.infra.profiles import get_config

    cfg = get_config("compositional_cifar", "smoke", max_per_class=20, val_per_class=4)
    data = load_data(cfg)
    base = {"objective": "literal", "select": "last", "bandwidth_grad": False, "pool": 48,
            "batch": 16, "steps": 3, "lr": 1e-3, "ridge": 0.1, "k": 2, "module_dim": 4,
            "modules_per_image": 2, "module_width": 4, "module_depth": 2, "n_models": 1,
            "n_heldout": 16, "record_every": 1, "seed": 0, "max_per_class": 20,
            "val_per_class": 4, "data": data.arrays_sha256, "device": "cpu"}
    return [{**base, "variant": "as_run"},
            {**base, "variant": "bandwidth_grad", "bandwidth_grad": True},
            {**base, "variant": "joint", "objective": "joint", "select": "best_heldout"}]


GOLDENS = {"cifar_alg1": _cifar_alg1_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["EXPERIMENT", "VARIANTS", "READINGS", "MIN_DROP", "spec", "compute", "run_key", "run",
           "run_compact", "change", "choose", "init_config"]
