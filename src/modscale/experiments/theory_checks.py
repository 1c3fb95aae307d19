"""The theory chapter's computations: each takes one configuration that holds every setting its
result depends on (the chapter's whole configuration, plus the point), so that nothing computed
here depends on chapter state.

- :func:`run_mc_case` (experiment ``theory_mc_validation``): closed form against Monte Carlo;
- :func:`run_dd_mc` (``theory_dd_mc_p`` / ``theory_dd_mc_n``): Monte-Carlo double descent;
- :func:`run_paper_scale` (``theory_dd_paper_scale``): theory curves at the paper's scale;
- :func:`run_m_vs_n` (``theory_m_vs_n``): required n against m for every architecture;
- :func:`run_calibration` (``theory_calibration``): the (Omega, target) grid against the paper's
  m-vs-n curves.
"""

from __future__ import annotations

import itertools

import numpy as np

from modscale import paper_data
from modscale.theory.monolithic import (
    architecture_param_counts,
    compare_with_monte_carlo,
    monte_carlo_losses,
    predict_losses,
    sample_complexity_grid,
    validation_spectrum,
)


def run_mc_case(case: dict) -> dict:
    """Closed-form against Monte-Carlo train and test loss for one case: ``spectrum`` (a
    validation spectrum name), ``n``, ``p``, ``d``, ``m``, ``P`` (features), ``c``, ``omega``,
    ``s``, ``trials``, ``seed`` and the formula ``method``."""
    lam, tail = validation_spectrum(case["spectrum"], case["P"], case["m"], c=case["c"],
                                    omega=case["omega"], s=case["s"])
    row = compare_with_monte_carlo(case["n"], case["p"], d=case["d"], lam=lam, tail=tail,
                                   trials=case["trials"], seed=case["seed"],
                                   method=case["method"])
    return {"spectrum": case["spectrum"], **row}


def run_dd_mc(point: dict) -> tuple:
    """Monte-Carlo (train mean, train s.e., test mean, test s.e.) at ``point["n"]``,
    ``point["p"]`` with ``point["P"]`` task features; the other settings are the chapter
    configuration's (``spectrum_kind``, ``mc_m``, ``c``, ``omega``, ``s``, ``d``, ``mc_trials``,
    ``seed``)."""
    lam, tail = validation_spectrum(point["spectrum_kind"], point["P"], point["mc_m"],
                                    c=point["c"], omega=point["omega"], s=point["s"])
    return monte_carlo_losses(point["n"], point["p"], d=point["d"], lam=lam, tail=tail,
                              trials=point["mc_trials"], seed=point["seed"])


def run_paper_scale(c: dict) -> dict:
    """Theory train and test loss against p (at n = ``dd_paper_n``) and against n (at
    p = ``dd_paper_p``), ``curve_points`` points from 100 to 1e5, for every m of ``dd_m``."""
    out = {}
    p_big = np.unique(np.round(np.geomspace(100, 1e5, c["curve_points"]))).astype(int)
    n_big = np.geomspace(100, 1e5, c["curve_points"])
    kw = {"c": c["c"], "omega": c["omega"], "d": c["d"], "kind": c["spectrum_kind"],
          "s": c["s"], "method": c["method"]}
    for m in c["dd_m"]:
        tr_p, te_p = predict_losses(c["dd_paper_n"], p_big, m, **kw)
        tr_n, te_n = predict_losses(n_big, c["dd_paper_p"], m, **kw)
        out[m] = {"p": p_big, "train_p": tr_p, "test_p": te_p, "n": n_big, "train_n": tr_n,
                  "test_n": te_n}
    return out


def _grid(c: dict, m_values, p_grid, *, omega: float, target: float) -> np.ndarray:
    return sample_complexity_grid(m_values, p_grid, target=target, c=c["c"], omega=omega,
                                  d=c["d"], kind=c.get("kind", c["spectrum_kind"]), s=c["s"],
                                  branch=c["branch"], method=c["method"])


def run_m_vs_n(c: dict) -> np.ndarray:
    """Required n (architectures x ``m_values``) for the architectures ``widths`` x ``depths``
    at the target ``target_ratio * d * c``; spectrum ``kind`` if given, else
    ``spectrum_kind``."""
    _, p_grid = architecture_param_counts(c["m_values"], c["widths"], c["depths"])
    return _grid(c, c["m_values"], p_grid, omega=c["omega"],
                 target=c["target_ratio"] * c["d"] * c["c"])


def run_calibration(c: dict) -> list[dict]:
    """RMS log10 error (decades) of the required n against the paper's digitised m-vs-n values,
    for every (Omega, target ratio) of ``calib_omegas`` x ``calib_ratios`` (rows)."""
    _, p_grid = architecture_param_counts(c["m_values"], c["widths"], c["depths"])
    paper_m = np.asarray(paper_data.THEORY_M_VS_N_M)
    paper_log = np.asarray(paper_data.THEORY_M_VS_N_LOG10N)
    p_paper = p_grid[:, [list(c["m_values"]).index(m) for m in paper_m]]
    rows = []
    for om, ratio in itertools.product(c["calib_omegas"], c["calib_ratios"]):
        grid = _grid(c, paper_m, p_paper, omega=om, target=ratio * c["d"] * c["c"])
        with np.errstate(divide="ignore"):
            err = np.log10(grid) - paper_log
        rows.append({"omega": om, "target_ratio": ratio,
                     "rmse_decades": float(np.sqrt(np.mean(err ** 2)))
                     if np.all(np.isfinite(err)) else float("nan")})
    return rows


# --------------------------------------------------------------------------- goldens
# Tiny configurations pinning this module's numbers (modscale.experiments.goldens:
# seconds on one CPU thread, deterministic, every method and precision branch).


def _theory_mc_configs() -> list[dict]:
    return [{"spectrum": s, "n": 30, "p": 60, "d": 1, "m": 3, "P": 120, "c": 1.0,
             "omega": 3.0, "s": 1.0, "trials": 8, "seed": 0, "method": meth}
            for s, meth in (("telescoping", "auto"), ("power_law", "deterministic"),
                            ("isotropic", "exact"))]


def _theory_chapter_config(**changes) -> dict:
    from modscale.infra.profiles import config_dict, get_config

    return {**config_dict(get_config("theory", "smoke", **changes))}


def _dd_mc_configs() -> list[dict]:
    c = _theory_chapter_config(mc_trials=4)
    return [{"n": 20, "p": p, "P": 80, **c} for p in (10, 40)]


GOLDENS = {
    "theory_mc_validation": _theory_mc_configs,
    "theory_dd_mc_p": _dd_mc_configs, "theory_dd_mc_n": _dd_mc_configs,
    "theory_dd_paper_scale": lambda: [{**_theory_chapter_config(curve_points=8), "what": "dd"}],
    "theory_m_vs_n": lambda: [{**_theory_chapter_config(), "what": "m_vs_n"},
                              {**_theory_chapter_config(), "what": "m_vs_n",
                               "kind": "power_law"}],
    "theory_calibration": lambda: [{**_theory_chapter_config(), "what": "calib"}],
}
"""Experiment -> function returning its golden configurations."""


__all__ = ["run_mc_case", "run_dd_mc", "run_paper_scale", "run_m_vs_n", "run_calibration"]
