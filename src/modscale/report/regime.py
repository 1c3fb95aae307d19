"""Post-processing of the modular baseline's regime study and of Fig. 3a over the architecture
grid (:mod:`modscale.experiments.modular_regime`): samples needed per architecture, their
aggregate over architectures with intervals over seeds, and the Fig. 3a / Fig. 4 verdicts in a
regime."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from modscale import methods
from modscale.paper_data import FIG3A, FIG3A_THRESHOLD, FIG4_SIMS
from modscale.report import verdicts
from modscale.report.analysis import per_seed_samples_needed, seed_n_frame
from modscale.report.evidence import _interval, censor

GRID_LABELS = {"monolithic": "monolithic", "modular": "modular (random projections)",
               "ours_literal": "ours (literal Algorithm 1)", "ours_joint": "ours (joint)"}


def samples_needed(frame: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per (regime, method, width, depth, m, seed): samples to reach ``threshold`` on that
    seed's own curve (``inf``: never on the grid) -- the rows of ``fig3a_grid.csv``."""
    rows = []
    keys = ["regime", "method", "width", "depth", "m"]
    for key, g in frame.groupby(keys, sort=False):
        test = g.pivot_table(index="seed", columns="n", values="test", aggfunc="first")
        needed = per_seed_samples_needed(test.columns.to_numpy(float), test.to_numpy(float),
                                         threshold)
        for s, v in zip(test.index, needed, strict=True):
            rows.append({**dict(zip(keys, key, strict=True)), "seed": int(s),
                         "samples_needed": float(v)})
    return pd.DataFrame(rows)


def with_monolithic(sn: pd.DataFrame, regimes: Sequence[str]) -> pd.DataFrame:
    """The monolithic rows (computed once) repeated under every regime."""
    mono = sn[sn.method == "monolithic"]
    rest = sn[sn.method != "monolithic"]
    return pd.concat([rest] + [mono.assign(regime=r) for r in regimes], ignore_index=True)


def per_seed_aggregate(sn: pd.DataFrame, regime: str, n_max: float) -> dict:
    """``{method: {m: (seeds,)}}``: per seed, the geometric mean over architectures of the
    samples needed (censored at ``n_max``), the input of the Fig. 3a verdict functions."""
    out: dict = {}
    sub = sn[sn.regime == regime]
    for (method, m), g in sub.groupby(["method", "m"]):
        piv = g.pivot_table(index="seed", columns=["width", "depth"], values="samples_needed",
                            aggfunc="first")
        vals = censor(piv.to_numpy(float), n_max)
        out.setdefault(method, {})[int(m)] = np.exp(np.log(vals).mean(axis=1))
    if "ours_literal" in out:
        out["ours"] = out["ours_literal"]
    return out


def _geometric_interval(v: np.ndarray) -> tuple[float, float, float]:
    """(geometric mean, 95 % low, high) over seeds: the t-interval of log ``v``."""
    mean, lo, hi = _interval(np.log(v))
    return float(np.exp(mean)), float(np.exp(lo)), float(np.exp(hi))


def aggregate_table(sn: pd.DataFrame, n_max: float) -> pd.DataFrame:
    """Per regime, method and m: the geometric mean over seeds of the per-seed aggregate over
    architectures, with its 95 % interval over seeds (t, on log n), the seeds, and the paper's
    value (``censored`` counts seeds whose threshold was never reached: counted as ``n_max``)."""
    rows = []
    for regime in dict.fromkeys(sn.regime):
        ps = per_seed_aggregate(sn, regime, n_max)
        for method, by_m in ps.items():
            if method == "ours":
                continue
            for m, v in sorted(by_m.items()):
                mean, lo, hi = _geometric_interval(v)
                paper_key = methods.paper_key(method)
                paper = (FIG3A[paper_key][list(FIG3A["m"]).index(m)]
                         if paper_key in FIG3A and m in FIG3A["m"] else float("nan"))
                raw = sn[(sn.regime == regime) & (sn.method == method) & (sn.m == m)]
                rows.append({"regime": regime, "method": method, "m": m, "samples_needed": mean,
                             "ci_low": lo, "ci_high": hi, "seeds": len(v),
                             "architectures": int(raw.groupby(["width", "depth"]).ngroups),
                             "censored": int(np.isinf(raw.samples_needed).sum()),
                             "paper": paper})
    return pd.DataFrame(rows)


def fig3a_verdicts(sn: pd.DataFrame, regime: str, *, threshold: float, n_min: float,
                   n_max: float, min_effect: float) -> list:
    """The Fig. 3a claims judged in ``regime`` on the architecture aggregate: ours lowest,
    modular worse than monolithic, ours grows with m, the monolithic slope (``n_min``,
    ``n_max``: the n grid's ends)."""
    ps = per_seed_aggregate(sn, regime, n_max)
    ms = sorted(ps["monolithic"])
    out = [verdicts.fig3a_ours_lowest(ps, ms, paper=FIG3A, threshold=threshold, n_max=n_max,
                                      min_effect=min_effect),
           verdicts.fig3a_modular_worse(ps, ms, paper=FIG3A, threshold=threshold, n_max=n_max,
                                        min_effect=min_effect)]
    geo = {meth: [float(np.exp(np.log(ps[meth][m]).mean())) for m in ms]
           for meth in ("ours", "monolithic")}
    out.append(verdicts.fig3a_ours_grows(np.array(ms), np.array(geo["ours"]),
                                         paper_m=FIG3A["m"], paper_ours=FIG3A["ours"],
                                         min_slope=0.05))
    mono = sn[(sn.regime == regime) & (sn.method == "monolithic")]
    out.append(verdicts.fig3a_monolithic_slope(
        ms, geo["monolithic"], paper_m=FIG3A["m"], paper_n=FIG3A["monolithic"],
        paper_threshold=FIG3A_THRESHOLD, threshold=threshold,
        reached=int(np.isfinite(mono.groupby(["m", "width", "depth"]).samples_needed
                                .mean()).sum()),
        total=int(mono.groupby(["m", "width", "depth"]).ngroups),
        at_lower_bound=int((mono.groupby(["m", "width", "depth"]).samples_needed.mean()
                            <= n_min).sum())))
    return out


def fig4_verdict(traj: pd.DataFrame, setting: str, *, chance: float, scale: str):
    """The Fig. 4 claim (ours above random at init and at iteration 1,000) on the regime
    study's runs of ``setting`` (paired by seed)."""
    from modscale.experiments.modular_regime import measured_iteration

    end = measured_iteration(traj, FIG4_SIMS["iteration"][-1])

    def arr(method: str) -> np.ndarray:
        sel = traj[(traj.setting == setting) & (traj.method == method)]
        return np.vstack([sel[sel.iteration == it].sort_values("seed").similarity.to_numpy()
                          for it in (0, end)])

    return verdicts.fig4_alignment(arr("ours_literal"), arr("modular"), None, paper=FIG4_SIMS,
                                   chance=chance, iterations=end, min_effect=0.01, scale=scale)


def grid_frame(grid: Sequence[tuple[str, object]], runs: Sequence[dict]) -> pd.DataFrame:
    """Long table ``regime, method, width, depth, m, seed, n, test, sim_final`` of the Fig. 3a
    grid's (regime, :class:`~modscale.experiments.fig3a_readings.Fig3aSpec`) stacks."""
    return seed_n_frame([({"regime": regime, "method": spec.method, "width": spec.width,
                           "depth": spec.depth, "m": spec.m}, spec.seeds, spec.n_values, run)
                         for (regime, spec), run in zip(grid, runs, strict=True)],
                        ("test", "sim_final"))


__all__ = ["GRID_LABELS", "grid_frame", "samples_needed", "with_monolithic", "per_seed_aggregate",
           "aggregate_table", "fig3a_verdicts", "fig4_verdict"]
