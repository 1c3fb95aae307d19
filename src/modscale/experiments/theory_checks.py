"""The theory chapter's computations: each takes one configuration that holds every setting its
result depends on (the chapter's whole configuration, plus the point), so that nothing computed
here depends on chapter state.

- :func:`run_mc_case` (experiment ``theory_mc_validation``): closed form against Monte Carlo;
- :func:`run_dd_mc` (``theory_dd_mc_p`` / ``theory_dd_mc_n``): Monte-Carlo double descent;
- :func:`run_paper_scale` (``theory_dd_paper_scale``): theory curves at the paper's scale;
- :func:`run_m_vs_n` (``theory_m_vs_n``): required n against m for every architecture;
- :func:`run_calibration` (``theory_calibration``): the (Omega, target) grid against the paper's
  m-vs-n curves.

and the chapter's builders of those configurations (:func:`mc_cases`, :func:`dd_mc_points`) and
its summaries of their results (:func:`mc_summary`, :func:`small_scale_theory`,
:func:`small_scale_gaps`, :func:`m_vs_n_comparison`, :func:`growth_table`), which compute
nothing that is cached.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from modscale import paper_data
from modscale.theory.monolithic import (
    architecture_param_counts,
    compare_with_monte_carlo,
    loss_components,
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


# --------------------------------------------------------------------------- the chapter's
# configurations and summaries (nothing here is cached; ``c`` is the chapter's configuration,
# ``modscale.infra.profiles.config_dict(cfg)``)


def mc_cases(c: dict) -> list[dict]:
    """The cases of ``theory_mc_validation`` (:func:`run_mc_case`): every (spectrum, n, p, d) of
    ``mc_spectra`` x ``mc_n`` x ``mc_p`` x ``mc_d`` at least 5 away from the interpolation
    threshold (``|p - d n| >= 5``), with the chapter's ``mc_m``, ``mc_features``, ``c``,
    ``omega``, ``s``, ``mc_trials``, ``seed`` and ``method``."""
    return [{"spectrum": name, "n": int(n), "p": int(p), "d": int(dd), "m": c["mc_m"],
             "P": c["mc_features"], "c": c["c"], "omega": c["omega"], "s": c["s"],
             "trials": c["mc_trials"], "seed": c["seed"], "method": c["method"]}
            for name, n, p, dd in itertools.product(c["mc_spectra"], c["mc_n"], c["mc_p"],
                                                    c["mc_d"])
            if abs(p - dd * n) >= 5]


def mc_summary(table: pd.DataFrame) -> dict:
    """The largest errors of the closed forms in the ``theory_mc_validation`` rows ``table``
    (columns ``formula``, ``rel_err_test``, ``rel_err_train``, ``z_test``, ``z_train``):
    ``exact_rows`` / ``det_rows`` (the rows of the exact formulas and of the deterministic
    equivalent), ``max_rel_exact``, ``max_z_exact``, ``max_rel_det`` (``nan`` without
    deterministic rows), ``max_rel_train`` (relative errors as fractions), ``max_z_det`` (0
    without deterministic rows) and ``det_below`` (deterministic rows below the simulation)."""
    exact_rows = table[table.formula == "exact"]
    det_rows = table[table.formula != "exact"]
    return {
        "exact_rows": exact_rows, "det_rows": det_rows,
        "max_rel_exact": float(exact_rows.rel_err_test.abs().max()),
        "max_z_exact": float(np.abs(np.r_[exact_rows.z_test, exact_rows.z_train]).max()),
        "max_rel_det": float(det_rows.rel_err_test.abs().max()) if len(det_rows)
        else float("nan"),
        "max_rel_train": float(table.rel_err_train.abs().max()),
        "max_z_det": float(det_rows.z_test.abs().max()) if len(det_rows) else 0.0,
        "det_below": int((det_rows.rel_err_test < 0).sum()),
    }


def _sweep_points(center: float, lo_factor: float, hi_factor: float, count: int) -> list[int]:
    """Integer grid on a log scale around the threshold, avoiding |x - center| < 5."""
    pts = np.unique(np.round(np.geomspace(center * lo_factor, center * hi_factor, count)))
    return [int(v) for v in pts if abs(v - center) >= 5 and v >= 1]


def dd_mc_points(c: dict) -> tuple[int, list[int], list[int]]:
    """``(P, p_points, n_points)`` of the small-scale Monte-Carlo double descent: the number of
    task features ``P`` and the parameter counts (at n = ``dd_small_n``) and sample counts (at
    p = ``dd_small_p``) of ``theory_dd_mc_p`` / ``theory_dd_mc_n`` (:func:`run_dd_mc`),
    ``dd_small_points`` on a log grid each, none within 5 of the threshold."""
    d, n_small = c["d"], c["d"] * c["dd_small_n"]
    P = max(c["mc_features"], 4 * n_small)
    p_pts = [p for p in _sweep_points(n_small, 0.2, 4.0, c["dd_small_points"]) if p <= P]
    n_pts = [n for n in _sweep_points(c["dd_small_p"], 0.2, 6.0, c["dd_small_points"])
             if n % d == 0 or d == 1]
    n_pts = sorted({max(1, n // d) for n in n_pts if abs(n - c["dd_small_p"]) >= 5})
    return P, p_pts, n_pts


def small_scale_theory(c: dict, P: int) -> dict:
    """The theory curves of the small-scale double descent on the validation spectrum
    (``spectrum_kind`` at m = ``mc_m``, ``P`` explicit features): ``lam``, ``tail`` (the
    spectrum), ``p_curve`` (``curve_points`` parameter counts from 0.2 to 4 d n, at most ``P``)
    with ``p_theory`` (:func:`~modscale.theory.monolithic.loss_components` at n =
    ``dd_small_n``), and ``n_curve`` (from 0.2 to 6 p / d) with ``n_theory`` (at p =
    ``dd_small_p``)."""
    lam, tail = validation_spectrum(c["spectrum_kind"], P, c["mc_m"], c=c["c"],
                                    omega=c["omega"], s=c["s"])
    n_small = c["d"] * c["dd_small_n"]
    p_curve = np.unique(np.round(np.geomspace(max(1, 0.2 * n_small), 4 * n_small,
                                              c["curve_points"]))).astype(int)
    p_curve = p_curve[p_curve <= P]
    n_curve = np.geomspace(0.2 * c["dd_small_p"] / c["d"], 6 * c["dd_small_p"] / c["d"],
                           c["curve_points"])
    kw = {"d": c["d"], "lam": lam, "tail": tail, "method": c["method"]}
    return {"lam": lam, "tail": tail,
            "p_curve": p_curve, "p_theory": loss_components(c["dd_small_n"], p_curve, **kw),
            "n_curve": n_curve, "n_theory": loss_components(n_curve, c["dd_small_p"], **kw)}


def small_scale_gaps(c: dict, small: dict, p_pts: list[int], n_pts: list[int],
                     mc_p: list, mc_n: list) -> tuple[np.ndarray, list[str]]:
    """Relative gap ``|theory / Monte Carlo - 1|`` of the test loss at every small-scale point
    (the p-sweep's, then the n-sweep's; ``mc_p`` / ``mc_n`` are :func:`run_dd_mc` tuples,
    ``small`` from :func:`small_scale_theory`) and a label per point."""
    kw = {"d": c["d"], "lam": small["lam"], "tail": small["tail"], "method": c["method"]}
    mc = np.array(mc_p + mc_n)
    theory = np.r_[loss_components(c["dd_small_n"], np.array(p_pts), **kw)["test"],
                   loss_components(np.array(n_pts), c["dd_small_p"], **kw)["test"]]
    labels = [f"p = {p}, n = {c['dd_small_n']}" for p in p_pts] + [
        f"n = {n}, p = {c['dd_small_p']}" for n in n_pts]
    return np.abs(theory / mc[:, 2] - 1), labels


def m_vs_n_comparison(archs: list[tuple[int, int]], m_values, n_req: np.ndarray,
                      paper_m: np.ndarray, paper_log: np.ndarray) -> tuple[pd.DataFrame, float]:
    """The required n (``n_req``, architectures x ``m_values``) against the paper's digitised
    log10 n (``paper_log``, curves x ``paper_m``) at the paper's m, curves matched by rank (=
    by parameter count): one row per architecture (``log10 n`` ours and the paper's per m),
    and the RMS difference in decades (``nan`` without a common m)."""
    cols = [list(m_values).index(m) for m in paper_m if m in m_values]
    rows = []
    for a, (w, dp) in enumerate(archs):
        row = {"curve": a + 1, "width × depth": f"{w}×{dp}"}
        for j, m in zip(cols, paper_m[:len(cols)], strict=True):
            row[f"m={m} ours"] = np.log10(n_req[a, j])
            row[f"m={m} paper"] = paper_log[a, list(paper_m).index(m)]
        rows.append(row)
    ours = np.array([[r[f"m={m} ours"] for m in paper_m[:len(cols)]] for r in rows])
    theirs = np.array([[r[f"m={m} paper"] for m in paper_m[:len(cols)]] for r in rows])
    rmse = float(np.sqrt(np.mean((ours - theirs) ** 2))) if ours.size else float("nan")
    return pd.DataFrame(rows), rmse


def growth_table(grid: np.ndarray, archs: list[tuple[int, int]], m_values,
                 paper_log: np.ndarray) -> pd.DataFrame:
    """Per-dimension growth factor of the required n (``grid``, architectures x ``m_values``),
    one row per architecture: ``ours 8→9`` (when m = 8 and 9 are computed), ``ours fit m=5..9``
    (exp of the slope of log n against m over m >= 5) and the paper's ``paper 5→9 (per dim)``
    from its digitised log10 n at m = 5 and 9 (``paper_log`` columns 1 and 2)."""
    ms = np.asarray(m_values, dtype=float)
    rows = []
    for a, (w, dp) in enumerate(archs):
        row = {"curve": a + 1, "width × depth": f"{w}×{dp}"}
        if 8 in m_values and 9 in m_values:
            i8, i9 = list(m_values).index(8), list(m_values).index(9)
            row["ours 8→9"] = grid[a, i9] / grid[a, i8]
        sel = (ms >= 5) & np.isfinite(np.log(grid[a]))
        if sel.sum() >= 2:
            row["ours fit m=5..9"] = float(np.exp(np.polyfit(ms[sel], np.log(grid[a, sel]), 1)[0]))
        row["paper 5→9 (per dim)"] = 10 ** ((paper_log[a, 2] - paper_log[a, 1]) / 4)
        rows.append(row)
    return pd.DataFrame(rows)


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


__all__ = ["run_mc_case", "run_dd_mc", "run_paper_scale", "run_m_vs_n", "run_calibration",
           "mc_cases", "mc_summary", "dd_mc_points", "small_scale_theory", "small_scale_gaps",
           "m_vs_n_comparison", "growth_table"]
