"""Post-processing of the paper-regime Fig. 3a and the alignment dose-response
(:mod:`modscale.experiments.paper_regime`): the per-seed table, paired effects against the
modular baseline, the dose-response table, what the paper's alignment gain buys, and the measured
cause of each Fig. 3a method claim that is not reproduced."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from modscale.report.analysis import per_seed_samples_needed
from modscale.report.evidence import Effect, _interval, censor, paired_ratio

LABELS = {"monolithic": "monolithic", "modular": "modular (random projections)",
          "ours_literal": "ours (literal Algorithm 1, the paper's text)",
          "ours_joint": "ours (joint reading)",
          "ours_greedy_residual": "ours (greedy-residual reading)",
          "oracle": "oracle start (true directions: an upper bound, not a reading)",
          "mixed": "mixed start (a dose alpha of the true directions)"}
"""Reader-facing names of the methods of the paper-regime figures."""

SHORT = {"monolithic": "monolithic", "modular": "modular (random)",
         "ours_literal": "ours (literal)", "ours_joint": "ours (joint)",
         "ours_greedy_residual": "ours (greedy residual)", "oracle": "oracle start (bound)",
         "mixed": "mixed start"}
"""Legend names of the same methods."""

COLORS = {"monolithic": "#444444", "modular": "#1f77b4", "ours_literal": "#d62728",
          "ours_joint": "#ff7f0e", "ours_greedy_residual": "#9467bd", "oracle": "#2ca02c"}

CSV_COLUMNS = ["regime", "method", "width", "depth", "m", "seed", "samples_needed", "sim_init",
               "sim_final"]
"""The columns of ``paper_figures/fig3a_paper_regime.csv``."""


def stack_table(items: Sequence[tuple[str, object]], runs: Sequence[dict],
                threshold: float) -> pd.DataFrame:
    """One row per (regime, stack, seed) of the (regime, :class:`~modscale.experiments.
    fig3a_readings.Fig3aSpec`) ``items`` and their ``runs``: samples to reach ``threshold``
    on the seed's own curve (``inf``: never on the grid), and for modular methods the similarity
    with the true directions before and after training (mean over the seed's n values; NaN for
    the monolithic MLP). Seed chunks of one setting become rows of one setting."""
    rows = []
    for (regime, spec), run in zip(items, runs, strict=True):
        needed = per_seed_samples_needed(spec.n_values, run["test"], threshold)
        for i, seed in enumerate(spec.seeds):
            rows.append({"regime": regime, "method": spec.method, "width": spec.width,
                         "depth": spec.depth, "m": spec.m, "seed": int(seed),
                         "samples_needed": float(needed[i]),
                         "sim_init": float(np.mean(run["sim_init"][i])) if "sim_init" in run
                         else float("nan"),
                         "sim_final": float(np.mean(run["sim_final"][i])) if "sim_final" in run
                         else float("nan")})
    return pd.DataFrame(rows, columns=CSV_COLUMNS)


def _per_seed(table: pd.DataFrame, regime: str, method: str, m: int) -> pd.Series:
    sel = table[(table.regime == regime) & (table.method == method) & (table.m == m)]
    return sel.groupby("seed").samples_needed.apply(
        lambda v: float(np.exp(np.log(v.to_numpy(float)).mean())))


def summary_table(table: pd.DataFrame, n_max: float) -> pd.DataFrame:
    """Per regime, method and m: the geometric mean over seeds of the samples needed (censored at
    ``n_max``; the architecture mean per seed first) with its 95 % t-interval on log n, the seeds,
    the censored seeds and the mean similarity at initialisation."""
    rows = []
    for (regime, method, m), g in table.groupby(["regime", "method", "m"], sort=False):
        per = censor(_per_seed(table, regime, method, m).to_numpy(float), n_max)
        mean, lo, hi = _interval(np.log(per))
        rows.append({"regime": regime, "method": method, "m": int(m),
                     "samples_needed": math.exp(mean),
                     "ci_low": math.exp(lo) if math.isfinite(lo) else float("nan"),
                     "ci_high": math.exp(hi) if math.isfinite(hi) else float("nan"),
                     "seeds": len(per), "censored": int(np.isinf(g.samples_needed).sum()),
                     "sim_init": float(g.sim_init.mean())})
    return pd.DataFrame(rows)


def gain(table: pd.DataFrame, regime: str, method: str, m: int, n_max: float,
         baseline: str = "modular") -> Effect:
    """Samples the ``baseline`` needs over those ``method`` needs, paired by seed (geometric mean
    with its 95 % interval over the seeds both have; censored at ``n_max``)."""
    a, b = _per_seed(table, regime, baseline, m), _per_seed(table, regime, method, m)
    seeds = sorted(set(a.index) & set(b.index))
    if not seeds:
        raise ValueError(f"no common seeds of {baseline!r} and {method!r} at m = {m} in "
                         f"regime {regime!r}")
    return paired_ratio(censor(a[seeds].to_numpy(float), n_max),
                        censor(b[seeds].to_numpy(float), n_max))


def gains_table(table: pd.DataFrame, n_max: float, baseline: str = "modular") -> pd.DataFrame:
    """:func:`gain` of every method against ``baseline`` in every regime and m."""
    rows = []
    for (regime, method, m), _ in table.groupby(["regime", "method", "m"], sort=False):
        if method == baseline:
            continue
        e = gain(table, regime, method, int(m), n_max, baseline)
        rows.append({"regime": regime, "method": method, "m": int(m), "gain": e.effect,
                     "ci_low": e.ci_low, "ci_high": e.ci_high, "seeds": e.seeds,
                     "text": e.text(".2f")})
    return pd.DataFrame(rows)


DOSE_COLUMNS = ["setting", "regime", "m", "alpha", "seed", "sim_init", "samples_needed",
                "test_loss"]
"""The columns of ``paper_figures/alignment_dose_response.csv``."""


def dose_table(curve: Sequence[tuple[str, float, object]], runs: Sequence[dict],
               threshold: float, at_n: int, setting: str = "Fig. 3a stack") -> pd.DataFrame:
    """One row per (regime, alpha, seed) of the dose-response ``curve`` (regime, alpha, stack)
    and its ``runs``: the similarity at initialisation (mean over the seed's n values), the
    samples needed and the test loss at the training-set size ``at_n`` of the n grid."""
    rows = []
    for (regime, alpha, spec), run in zip(curve, runs, strict=True):
        needed = per_seed_samples_needed(spec.n_values, run["test"], threshold)
        j = list(spec.n_values).index(at_n)
        for i, seed in enumerate(spec.seeds):
            rows.append({"setting": setting, "regime": regime, "m": spec.m, "alpha": alpha,
                         "seed": int(seed), "sim_init": float(np.mean(run["sim_init"][i])),
                         "samples_needed": float(needed[i]),
                         "test_loss": float(run["test"][i, j])})
    return pd.DataFrame(rows, columns=DOSE_COLUMNS)


def readoff(dose: pd.DataFrame, regime: str, m: int, *, chance: float, excess: float,
            target_gain: float, n_max: float) -> dict:
    """What alignment buys, per seed then over seeds (t-interval on logs), in ``regime`` at m:

    - ``gain_at_excess``: the samples the random start (alpha = 0) needs over those a start with
      similarity ``chance + excess`` needs, log-linearly interpolated along the seed's dose curve
      (similarity at initialisation against log samples needed; censored at ``n_max``);
    - ``oracle_gain``: the same at alpha = 1;
    - ``excess_for_gain``: the similarity excess over chance at which the seed's gain first
      reaches ``target_gain`` (NaN for a seed whose oracle gain stays below it), with
      ``reached`` seeds of ``seeds``."""
    sub = dose[(dose.regime == regime) & (dose.m == m)]
    nan3 = (float("nan"),) * 3
    if sub.alpha.nunique() < 2:  # no dose curve (only the random start is stored)
        return {"gain_at_excess": nan3, "oracle_gain": nan3, "excess_for_gain": nan3,
                "reached": 0, "seeds": int(sub.seed.nunique()), "chance": chance,
                "excess": excess, "target_gain": target_gain}
    gains, oracle, needed_excess = [], [], []
    for _, g in sub.groupby("seed"):
        g = g.sort_values("alpha")
        sim = g.sim_init.to_numpy(float)
        logn = np.log(censor(g.samples_needed.to_numpy(float), n_max))
        base = logn[0]
        order = np.argsort(sim)
        gains.append(base - float(np.interp(chance + excess, sim[order], logn[order])))
        oracle.append(base - logn[-1])
        curve_gain = base - logn
        hit = np.nonzero(curve_gain >= math.log(target_gain))[0]
        if len(hit) == 0:
            needed_excess.append(float("nan"))
        else:
            j = int(hit[0])
            if j == 0:
                needed_excess.append(float(sim[0] - chance))
            else:  # interpolate between the dose before and the first that reaches it
                t = (math.log(target_gain) - curve_gain[j - 1]) / (curve_gain[j]
                                                                     - curve_gain[j - 1])
                needed_excess.append(float(sim[j - 1] + t * (sim[j] - sim[j - 1]) - chance))

    def geo(v: list[float]) -> tuple[float, float, float]:
        mean, lo, hi = _interval(np.asarray(v))
        return math.exp(mean), math.exp(lo), math.exp(hi)

    reached = [v for v in needed_excess if math.isfinite(v)]
    ex = _interval(np.asarray(reached)) if reached else (float("nan"),) * 3
    return {"gain_at_excess": geo(gains), "oracle_gain": geo(oracle),
            "excess_for_gain": ex, "reached": len(reached), "seeds": len(gains),
            "chance": chance, "excess": excess, "target_gain": target_gain}


def claim_cause(literal: Effect, aligning: Effect, oracle_today: Effect | None,
                min_effect: float, *, m: int | None = None,
                aligning_name: str = "an aligning start") -> str:
    """The measured cause of a Fig. 3a method claim that is not reproduced, from runs that
    isolate it: ``literal`` (the paper's reading against the baseline), ``aligning`` (the joint
    reading or the oracle against the baseline) in the paper-matched regime, and the oracle's
    gain in today's regime (``oracle_today``; None: not run). Paired gains (baseline samples over
    the method's) against ``min_effect``; ``m``: the input dimension they were measured at,
    ``aligning_name``: what ``aligning`` is (the joint reading, the oracle)."""
    at = f" at m = {m}" if m is not None else ""
    if literal.ci_low >= min_effect:
        return "none needed: the literal reading buys samples in the paper-matched regime"
    if aligning.ci_low >= min_effect:
        cause = (f"the literal reading of Algorithm 1: {aligning_name} reproduces the gain in "
                 f"the paper-matched regime{at} (baseline samples over the method's: "
                 f"{aligning.text('.2f')} against {literal.text('.2f')} for the literal "
                 "reading)")
        if oracle_today is not None and oracle_today.ci_high < min_effect:
            cause += ("; and the regime: in today's regime even the oracle buys less than "
                      f"{min_effect:g}x ({oracle_today.text('.2f')})")
        return cause
    if aligning.ci_high < min_effect:
        return ("the regime or the task: even an aligning start buys less than "
                f"{min_effect:g}x here ({aligning.text('.2f')})")
    return "not isolated"


__all__ = ["LABELS", "SHORT", "COLORS", "CSV_COLUMNS", "DOSE_COLUMNS", "stack_table",
           "summary_table",
           "gain", "gains_table", "dose_table", "readoff", "claim_cause"]
