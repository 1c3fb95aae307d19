"""The modular theory chapter's computations (paper Section 4, Theorem 2 reconstruction).

Each configuration holds every setting its result depends on -- including the formula
``method`` -- so that ``-p method exact`` can never be answered by a result computed with
another method (both are experiments of :mod:`modscale.infra.registry`).

- :func:`mc_points` / :func:`run_mc_point`: the closed form of
  :func:`modscale.theory.modular.modular_loss_components` against
  :func:`modscale.theory.modular.modular_monte_carlo` at one (alignment, features, n) point;
- :func:`sample_complexity_config` / :func:`run_sample_complexity`: the samples the monolithic,
  aligned-modular and random-projection modular models need to reach a target loss, against m;

and the chapter's uncached checks and summaries: :func:`mehler_check`, :func:`mc_table`,
:func:`mc_summary`, :func:`mc_theory_curves` and :func:`sample_complexity_table`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from modscale.theory.modular import (
    hermite_features,
    modular_loss_components,
    modular_monte_carlo,
    modular_sample_complexity,
    module_directions,
    monolithic_sample_complexity,
)
from modscale.theory.monolithic import spectrum, spectrum_tail


def _spectrum_kw(c: dict) -> dict:
    return {"kind": c["kind"], "c": c["c"], "omega": c["omega"], "s": c["s"]}


def mc_directions(c: dict) -> dict[str, np.ndarray]:
    """The task directions ``U`` (m, k) and the random model directions of a Monte-Carlo point
    (both drawn from ``seed + 1``, in this order)."""
    rng = np.random.default_rng(c["seed"] + 1)
    U = module_directions(c["m"], c["k"], kind=c["task_directions"], rng=rng)
    return {"aligned": U, "random": module_directions(c["m"], c["k"], rng=rng)}


def mc_points(cfg: Any) -> list[dict]:
    """Every Monte-Carlo point of the chapter config ``cfg``
    (:class:`~modscale.infra.profiles.theory.ModularTheoryConfig`): aligned and random
    projections, Gaussian and Hermite features, ``mc_points`` values of n around the threshold
    ``d n = k mc_q`` (points within 5 equations of it left out)."""
    p = cfg.k * cfg.mc_q
    n_pts = np.unique(np.round(np.geomspace(0.3 * p / cfg.d, 12 * p / cfg.d,
                                            cfg.mc_points))).astype(int)
    n_pts = [int(n) for n in n_pts if abs(cfg.d * n - p) >= 5]
    return [{"alignment": a, "features": f, "n": n, "m": cfg.mc_m, "q": cfg.mc_q, "k": cfg.k,
             "trials": cfg.mc_trials, "seed": cfg.seed, "kind": cfg.spectrum_kind, "c": cfg.c,
             "omega": cfg.omega, "s": cfg.s, "d": cfg.d, "task_directions": cfg.task_directions,
             "method": cfg.method}
            for a in ("aligned", "random") for f in ("gaussian", "hermite") for n in n_pts]


def run_mc_point(pt: dict) -> dict:
    """Train and test loss at one point: closed form (``method``) and Monte Carlo (mean, s.e.)."""
    kw = _spectrum_kw(pt)
    lam, tail = spectrum(pt["q"], 1, **kw), spectrum_tail(pt["q"], 1, **kw)
    dirs = mc_directions(pt)
    U, Uhat = dirs["aligned"], dirs[pt["alignment"]]
    mc = modular_monte_carlo(pt["n"], pt["q"], lam_b=lam, U=U, Uhat=Uhat, tail_b=tail,
                             d=pt["d"], trials=pt["trials"], seed=pt["seed"],
                             features=pt["features"])
    f = modular_loss_components(pt["n"], pt["q"], lam_b=lam, U=U, Uhat=Uhat, tail_b=tail,
                                d=pt["d"], method=pt["method"])
    return {"alignment": pt["alignment"], "features": pt["features"], "n": pt["n"],
            "regime": "under" if pt["d"] * pt["n"] > pt["k"] * pt["q"] else "over",
            "formula": "exact" if bool(f["exact"]) else "deterministic equivalent",
            "test_formula": float(f["test"]), "test_mc": mc[2], "test_se": mc[3],
            "train_formula": float(f["train"]), "train_mc": mc[0], "train_se": mc[1]}


def sample_complexity_config(cfg: Any) -> dict:
    """The configuration of the sample-complexity curves of the chapter config ``cfg``."""
    return {"m_values": [int(m) for m in cfg.m_values], "k": cfg.k, "q": cfg.q,
            "target": cfg.target_ratio * cfg.d * cfg.c, "c": cfg.c, "omega": cfg.omega,
            "d": cfg.d, "kind": cfg.spectrum_kind, "s": cfg.s,
            "task_directions": cfg.task_directions, "draws": cfg.projection_draws,
            "seed": cfg.seed}


def run_sample_complexity(c: dict) -> dict:
    """Required n against m: ``monolithic`` (p = k q parameters), ``aligned`` and ``random``
    modular models (arrays over ``m_values``)."""
    common = {k: c[k] for k in ("k", "q", "target", "c", "omega", "d", "kind", "s",
                                "task_directions", "draws", "seed")}
    return {"monolithic": monolithic_sample_complexity(
                c["m_values"], c["k"] * c["q"], target=c["target"], c=c["c"],
                omega=c["omega"], d=c["d"], kind=c["kind"], s=c["s"]),
            "aligned": modular_sample_complexity(c["m_values"], alignment="aligned", **common),
            "random": modular_sample_complexity(c["m_values"], alignment="random", **common)}


# --------------------------------------------------------------------------- the chapter's
# uncached checks and summaries


def mehler_check(m: int, samples: int, *, seed: int, degrees: int = 4
                 ) -> tuple[pd.DataFrame, float, float]:
    """Mehler's formula on one random pair of unit directions u, v in R^m (drawn from ``seed``,
    then ``samples`` standard Gaussian inputs): the empirical covariance of the Hermite features
    ``h_l(u.x)``, ``h_l'(v.x)`` (l, l' = 1 to ``degrees``) against ``delta_ll' (u.v)^l``.
    Returns one row per degree (predicted and empirical diagonal, its standard error, the
    largest ``|empirical - predicted| / SE`` over its row), the overlap u.v and the largest
    ``|empirical - predicted| / SE`` over all entries."""
    rng = np.random.default_rng(seed)
    pair = module_directions(m, 2, rng=rng)
    rho = float(pair[:, 0] @ pair[:, 1])
    x = rng.standard_normal((samples, m))
    h = hermite_features(x @ pair, degrees)
    prod = np.einsum("sl,sj->slj", h[:, 0], h[:, 1])
    emp, se = prod.mean(axis=0), prod.std(axis=0) / np.sqrt(x.shape[0])
    pred = np.diag([rho ** l for l in range(1, degrees + 1)])
    frame = pd.DataFrame({"degree l": range(1, degrees + 1), "predicted (u·v)^l": np.diag(pred),
                          "empirical": np.diag(emp), "SE": np.diag(se),
                          "max |off-diagonal| / SE": (np.abs(emp - pred) / se).max(axis=1)})
    return frame, rho, float((np.abs(emp - pred) / se).max())


def mc_table(rows: list[dict]) -> pd.DataFrame:
    """The :func:`run_mc_point` rows as a frame, with the test loss's relative error
    (``rel_err_test``, formula / simulation - 1) and its error in standard errors
    (``z_test``)."""
    tab = pd.DataFrame(rows)
    tab["rel_err_test"] = tab.test_formula / tab.test_mc - 1
    tab["z_test"] = (tab.test_formula - tab.test_mc) / tab.test_se
    return tab


def mc_summary(tab: pd.DataFrame) -> dict:
    """The largest errors of the modular formulas in :func:`mc_table`'s ``tab``: the Gaussian
    rows of the exact formula (``g_exact``) and of the deterministic equivalent (``g_det``), the
    Hermite rows (``herm``); ``max_z_exact``, ``max_rel_exact`` (Gaussian, exact formula),
    ``n_big`` (the largest n), ``herm_big`` (the Hermite rows' largest relative error at
    ``n_big``) and ``herm_worst`` (their largest simulated / formula test loss). Relative
    errors as fractions."""
    gauss = tab[tab.features == "gaussian"]
    herm = tab[tab.features == "hermite"]
    g_exact = gauss[gauss.formula == "exact"]
    n_big = int(tab.n.max())
    return {"g_exact": g_exact, "g_det": gauss[gauss.formula != "exact"], "herm": herm,
            "max_z_exact": float(g_exact.z_test.abs().max()),
            "max_rel_exact": float(g_exact.rel_err_test.abs().max()), "n_big": n_big,
            "herm_big": float(herm[herm.n == n_big].rel_err_test.abs().max()),
            "herm_worst": float(herm.test_mc.div(herm.test_formula).max())}


def mc_theory_curves(pt: dict, points: int) -> tuple[np.ndarray, dict[str, dict]]:
    """The closed-form losses of the Monte-Carlo check's model (the settings of one
    :func:`mc_points` point ``pt``) on ``points`` sample counts from 0.3 to 12 times the
    threshold k q / d: ``(n_curve, {"aligned": ..., "random": ...})``, each a
    :func:`~modscale.theory.modular.modular_loss_components` dict (``train``, ``test``)."""
    kw = _spectrum_kw(pt)
    lam, tail = spectrum(pt["q"], 1, **kw), spectrum_tail(pt["q"], 1, **kw)
    dirs = mc_directions(pt)
    p = pt["k"] * pt["q"]
    n_curve = np.geomspace(0.3 * p / pt["d"], 12 * p / pt["d"], points)
    return n_curve, {a: modular_loss_components(n_curve, pt["q"], lam_b=lam, U=dirs["aligned"],
                                                Uhat=dirs[a], tail_b=tail, d=pt["d"],
                                                method=pt["method"])
                     for a in ("aligned", "random")}


def sample_complexity_table(m_values: Any, sc: dict) -> pd.DataFrame:
    """The :func:`run_sample_complexity` payload ``sc`` as one row per m of ``m_values``:
    required n of the three models and the aligned model's effective parameter count."""
    al = sc["aligned"]
    return pd.DataFrame({"m": m_values, "monolithic n": sc["monolithic"],
                         "modular aligned n": al["n"], "modular random n": sc["random"]["n"],
                         "aligned p_eff": al["p_eff"]})


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _modular_theory_mc_configs() -> list[dict]:
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_theory", "smoke")
    pts = mc_points(dataclasses.replace(cfg, mc_trials=4))
    picks = {(p["alignment"], p["features"]): p for p in pts}
    return [dict(p, method=meth) for p, meth in zip(picks.values(),
                                                    ("auto", "exact", "auto", "exact"),
                                                    strict=False)]


def _modular_theory_sc_configs() -> list[dict]:
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_theory", "smoke")
    return [dict(sample_complexity_config(cfg), m_values=[2, 4], draws=2)]


GOLDENS = {"modular_theory_mc": _modular_theory_mc_configs,
           "modular_theory_sample_complexity": _modular_theory_sc_configs}
"""Experiment -> function returning its golden configurations."""


__all__ = ["mc_directions", "mc_points", "run_mc_point", "sample_complexity_config",
           "run_sample_complexity", "mehler_check", "mc_table", "mc_summary", "mc_theory_curves",
           "sample_complexity_table"]
