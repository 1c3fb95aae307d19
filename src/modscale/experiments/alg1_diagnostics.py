"""The Algorithm 1 chapter's diagnostic runs (:mod:`modscale.training.alg1` computes them): one
builder per table or figure, from the chapter's parameters ``cfg``
(:class:`~modscale.infra.profiles.algorithm1.Algorithm1Params`), which the chapter and
``tools/precompute.py`` both call.

The configurations are plain dicts whose entries name Algorithm 1's settings as the stored runs
were keyed: ``steps``, ``batch_size``, ``lr``, ``ridge`` are the parameters ``init_steps``,
``init_batch_size``, ``init_lr``, ``init_ridge`` (:data:`STORED_NAMES`). The ``*_table``
functions give the chapter's tables of these runs (one row per run, or per run and step).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

STORED_NAMES = {"init_steps": "steps", "init_batch_size": "batch_size", "init_lr": "lr",
                "init_ridge": "ridge"}
"""Parameter name -> its entry in a run's stored configuration."""


def base_spec(cfg: Any) -> dict:
    """The settings every diagnostic shares (the literal reading's defaults, RBF kernel, b = 1)."""
    return {"k": cfg.k, "n": cfg.n, "n_tasks": cfg.n_tasks,
            **{stored: getattr(cfg, name) for name, stored in STORED_NAMES.items()},
            "kernel": "rbf", "seed": cfg.seed, "record_every": cfg.record_every, "b": 1}


def stay_specs(cfg: Any) -> list[dict]:
    """The stay test at ``stay_m`` (K = k restarts on the true directions), with full-batch
    kernels (all n points) and with the mini-batch ``init_batch_size``."""
    return [{**base_spec(cfg), "m": cfg.stay_m, "K": cfg.k, "steps": cfg.stay_steps,
             "batch_size": bs} for bs in sorted({cfg.n, cfg.init_batch_size})]


def reading_specs(cfg: Any) -> list[dict]:
    """The readings table: every m of ``m_values`` x K = factor x k x reading."""
    return [{**base_spec(cfg), "reading": rd, "m": m, "K": f * cfg.k}
            for m in cfg.m_values for f in cfg.modules_factors for rd in cfg.readings]


def sensitivity_specs(cfg: Any) -> list[dict]:
    """The literal reading at ``stay_m`` over the learning rates, mini-batch sizes and ridges of
    ``lr_grid``, ``batch_grid``, ``ridge_grid`` (one setting varied at a time; ``vary`` names
    it)."""
    grids = (("lr", cfg.lr_grid), ("batch_size", cfg.batch_grid), ("ridge", cfg.ridge_grid))
    return [{**base_spec(cfg), "reading": "literal", "m": cfg.stay_m, "K": cfg.k, name: v,
             "vary": name} for name, grid in grids for v in grid]


def check_specs(cfg: Any, best_reading: str) -> list[dict]:
    """``best_reading`` at ``stay_m`` with each kernel of ``kernels`` and, if ``b_check > 1``,
    with module input dimension ``b_check``."""
    out = [{**base_spec(cfg), "reading": best_reading, "m": cfg.stay_m, "K": cfg.k,
            "kernel": kern} for kern in cfg.kernels]
    if cfg.b_check > 1:
        out.append({**base_spec(cfg), "reading": best_reading, "m": cfg.stay_m, "K": cfg.k,
                    "b": cfg.b_check})
    return out


def trajectory_spec(cfg: Any) -> dict:
    """The literal reading followed step by step in the Fig. 4 setting (``traj_*``)."""
    return {**base_spec(cfg), "m": cfg.traj_m, "k": cfg.traj_k, "K": cfg.traj_modules,
            "steps": cfg.traj_steps}


def stopped_specs(cfg: Any, stops: Sequence[int]) -> list[dict]:
    """The literal reading of :func:`trajectory_spec` stopped after each number of ``stops``."""
    return [{**trajectory_spec(cfg), "reading": "literal", "steps": int(s)} for s in stops]


def tsne_spec(cfg: Any, stop_at: int) -> dict:
    """One network's directions (task seed 0) for the t-SNE: random, stopped after ``stop_at``
    steps, after all ``traj_steps``."""
    return {"m": cfg.traj_m, "k": cfg.traj_k, "K": cfg.traj_modules, "n": cfg.n,
            "seed": cfg.seed, "stops": [0, int(stop_at), cfg.traj_steps],
            **{stored: getattr(cfg, name) for name, stored in STORED_NAMES.items()
               if name != "init_steps"}}


def best_reading(specs: Sequence[dict], runs: Sequence[Any]) -> str:
    """The reading of :func:`reading_specs` that recovers the most modules, averaged over its
    settings (the one :func:`check_specs` tests further)."""
    import pandas as pd

    df = pd.DataFrame([{"reading": s["reading"],
                        "modules_recovered": float(r["modules_recovered"].double().mean())}
                       for s, r in zip(specs, runs, strict=True)])
    return str(df.groupby("reading")["modules_recovered"].mean()
               .sort_values(ascending=False).index[0])


def early_stop(trajectory: Any) -> int:
    """The step of :func:`trajectory_spec`'s run with the largest mean similarity above chance
    (at least 1): where :func:`stopped_specs` stops the literal reading early."""
    import numpy as np

    gain = trajectory["similarity"].numpy().mean(1) - trajectory["chance"]
    return max(int(trajectory["steps"].numpy()[int(np.argmax(gain))]), 1)


# --------------------------------------------------------------------------- tables
# The chapter's tables of these runs (one row per run, metrics averaged over its networks).


def _metrics(run: Any) -> dict:
    """A reading's similarity (mean), chance level, modules recovered and distinct directions
    (means over networks)."""
    return {"similarity": float(run["similarity"].mean()), "chance": run["chance"],
            "modules_recovered": float(run["modules_recovered"].double().mean()),
            "distinct_directions": float(run["distinct_directions"].double().mean())}


def stay_table(specs: Sequence[dict], runs: Sequence[Any]) -> Any:
    """The stay test (:func:`stay_specs`) as a DataFrame, one row per (spec, recorded step):
    ``step, m, k, K, batch`` (mini-batch size), ``staying`` (fraction of restarts still on their
    module, mean over networks), ``staying_sd`` (its standard deviation), ``networks``."""
    import pandas as pd

    rows = []
    for spec, r in zip(specs, runs, strict=True):
        frac = r["staying"].numpy()  # (T, M)
        mean, sd = frac.mean(1), frac.std(1)
        for st, mu, s_ in zip(r["steps"].tolist(), mean, sd, strict=True):
            rows.append({"step": st, "m": spec["m"], "k": spec["k"], "K": spec["K"],
                         "batch": spec["batch_size"], "staying": float(mu),
                         "staying_sd": float(s_), "networks": frac.shape[1]})
    return pd.DataFrame(rows)


def readings_table(specs: Sequence[dict], runs: Sequence[Any]) -> Any:
    """The readings table (:func:`reading_specs`) as a DataFrame, one row per spec: ``reading,
    m, k, K``, the metrics of :func:`_metrics` (``similarity_sd`` over networks, 0 for one),
    the per-point objective at the end points (``objective_end``), at the best true direction
    (``objective_best_true``) and at random directions (``objective_random``), ``wall_time_s``,
    ``networks``."""
    import pandas as pd

    rows = []
    for spec, r in zip(specs, runs, strict=True):
        met = _metrics(r)
        rows.append({"reading": spec["reading"], "m": spec["m"], "k": spec["k"], "K": spec["K"],
                     "similarity": met["similarity"],
                     "similarity_sd": float(r["similarity"].std()) if spec["n_tasks"] > 1
                     else 0.0,
                     **{c: met[c] for c in ("chance", "modules_recovered",
                                            "distinct_directions")},
                     "objective_end": float(r["objective_end"].mean()),
                     "objective_best_true": float(r["objective_true"].min(-1).values.mean()),
                     "objective_random": float(r["objective_random"].mean()),
                     "wall_time_s": r["wall_time_s"], "networks": spec["n_tasks"]})
    return pd.DataFrame(rows)


def sensitivity_table(specs: Sequence[dict], runs: Sequence[Any]) -> Any:
    """The literal reading's sensitivity (:func:`sensitivity_specs`), one row per spec:
    ``setting`` (the parameter varied), ``value`` and the metrics of :func:`_metrics`."""
    import pandas as pd

    return pd.DataFrame([{"setting": s["vary"], "value": s[s["vary"]], **_metrics(r)}
                         for s, r in zip(specs, runs, strict=True)])


def check_table(specs: Sequence[dict], runs: Sequence[Any]) -> Any:
    """The kernel and b check (:func:`check_specs`), one row per spec: ``reading, kernel, b``,
    ``similarity``, ``chance``, ``modules_recovered``."""
    import pandas as pd

    return pd.DataFrame([{"reading": s["reading"], "kernel": s["kernel"], "b": s["b"],
                          **{c: v for c, v in _metrics(r).items()
                             if c != "distinct_directions"}}
                         for s, r in zip(specs, runs, strict=True)])


def stopped_table(names: Sequence[str], specs: Sequence[dict], runs: Sequence[Any]) -> Any:
    """The stopped literal reading (:func:`stopped_specs`), one row per stop named by
    ``names``: ``literal reading`` (the name), ``steps``, ``similarity``, ``chance``,
    ``modules recovered``, ``of k``, ``distinct directions``."""
    import pandas as pd

    rows = []
    for name, s, r in zip(names, specs, runs, strict=True):
        met = _metrics(r)
        rows.append({"literal reading": name, "steps": s["steps"],
                     "similarity": met["similarity"], "chance": met["chance"],
                     "modules recovered": met["modules_recovered"], "of k": s["k"],
                     "distinct directions": met["distinct_directions"]})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _alg1_base() -> dict:
    return {"k": 2, "n": 48, "n_tasks": 2, "steps": 4, "batch_size": 16, "lr": 0.05,
            "ridge": 1e-3, "kernel": "rbf", "seed": 0, "record_every": 2, "b": 1, "m": 4,
            "K": 2}


def _alg1_readings_configs() -> list[dict]:
    from modscale.training.alg1 import READINGS

    return [{**_alg1_base(), "reading": r} for r in READINGS]


GOLDENS = {
    "alg1_readings": _alg1_readings_configs,
    "alg1_stay": lambda: [{**_alg1_base(), "K": 2}],
    "alg1_trajectory": lambda: [{**_alg1_base(), "K": 4, "steps": 6}],
    "alg1_stopped_directions": lambda: [{"m": 4, "k": 2, "K": 4, "n": 48, "seed": 0,
                                         "stops": [0, 2, 5], "batch_size": 16, "lr": 0.05,
                                         "ridge": 1e-3}],
}
"""Experiment -> function returning its golden configurations."""


__all__ = ["STORED_NAMES", "base_spec", "stay_specs", "reading_specs", "sensitivity_specs",
           "check_specs", "trajectory_spec", "stopped_specs", "tsne_spec", "best_reading",
           "early_stop", "stay_table", "readings_table", "sensitivity_table", "check_table",
           "stopped_table"]
