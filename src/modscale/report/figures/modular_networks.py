"""The figures and shown tables of the modular-networks chapter (``book/modular_networks.py``):
paper Fig. 3a (uncalibrated, over the architecture grid, in the paper-matched regime), Fig. 4
(calibrated, in the paper-matched regime), the regime study and the alignment dose-response.

Every drawing function takes the frames or arrays the page loaded from the results store and
returns the figure; the page glues, exports and closes it. The table functions gather stored runs
into the table the page shows or exports (no new result). Sample counts are training-set sizes;
similarities are the similarity score of :func:`modscale.training.alignment.similarity_score`
(0 to 1)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modscale.report import verdicts
from modscale.report.analysis import slope_per_dim, stack_samples_needed
from modscale.report.paper_regime import COLORS as PR_COLORS
from modscale.report.paper_regime import SHORT as PR_SHORT
from modscale.report.style import PALETTE

LABELS = {"monolithic": "baseline monolithic", "modular": "baseline modular",
          "ours": "ours (Alg. 1, per-module objective)",
          "ours_joint": "ours (joint objective)",
          "modular_matched": "baseline modular, compute-matched"}
"""Reader-facing names of the methods of the chapter's uncalibrated runs and calibrated Fig. 4."""

COLORS = {"monolithic": PALETTE["monolithic"], "modular": PALETTE["modular"],
          "ours": PALETTE["ours"], "ours_joint": "#2E7D32", "modular_matched": "#937860"}
"""Colours of the same methods."""

GRID_COLORS = {"monolithic": PALETTE["monolithic"], "modular": PALETTE["modular"],
               "ours_literal": PALETTE["ours"], "ours_joint": "#2E7D32"}
"""Colours of the methods of the Fig. 3a architecture grid (its reading names)."""

CAL = {"modular": "modular", "ours_literal": "ours", "ours_joint": "ours_joint"}
"""The calibrated stacks' method names (:mod:`modscale.experiments.fig3a_readings`) -> the keys
of :data:`LABELS`."""

PAPER_KEYS = (("monolithic", "monolithic"), ("modular", "modular"), ("ours_literal", "ours"))
"""(reading, key of the paper's Fig. 3a) of the methods the paper draws."""


def fig3a_sample_complexity(sc: pd.DataFrame, agg: pd.DataFrame, paper: Mapping[str, Any], *,
                            methods: Sequence[str], threshold: float, n_top: float,
                            paper_threshold: float) -> Figure:
    """Paper Fig. 3a on the uncalibrated task: samples needed against input dimension m.

    ``sc``: one row per (method, width, depth, m) at ``threshold`` with ``n_required`` (samples
    to reach it; NaN: never); ``agg``: one row per (method, m) with ``n_required`` (geometric mean
    over architectures) and ``reached`` (architectures that reached it); ``paper``: the digitised
    Fig. 3a (``m`` and a sequence of samples per method, at ``paper_threshold``); ``n_top``: the
    largest n of the grid. Left: thin lines per architecture, thick the aggregate (x: not
    reached); right: the aggregate of monolithic, modular and ours next to the paper's."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    ax = axes[0]
    for meth in methods:
        for _, g in sc[sc["method"] == meth].groupby(["width", "depth"]):
            ax.plot(g["m"], g["n_required"], color=COLORS[meth], lw=0.8, alpha=0.45)
        a = agg[agg["method"] == meth]
        ax.plot(a["m"], a["n_required"], color=COLORS[meth], lw=2.8, marker="o",
                label=LABELS[meth])
        miss = a[a["reached"] == 0]  # no architecture reached the threshold within the grid
        ax.scatter(miss["m"], np.full(len(miss), 1.4 * n_top), marker="x", color=COLORS[meth],
                   s=50)
    ax.set(yscale="log", xlabel="input dimension m", ylabel=f"samples to test loss {threshold}",
           title="this reproduction (x: not reached within the grid)")
    ax.axhline(n_top, color="0.6", ls=":", lw=1)
    ax.legend(fontsize=8)
    ax = axes[1]
    markers = {"monolithic": "s", "modular": "^", "ours": "o"}
    for meth in ("monolithic", "modular", "ours"):
        ax.plot(paper["m"], paper[meth], color=PALETTE["paper"], ls="--",
                marker=markers[meth], label=f"paper: {LABELS[meth].split(' (')[0]}")
        a = agg[agg["method"] == meth]
        ax.plot(a["m"], a["n_required"], color=COLORS[meth], lw=2, marker=markers[meth],
                label=f"ours: {LABELS[meth].split(' (')[0]}")
    ax.set(yscale="log", xlabel="input dimension m",
           title=f"vs paper (threshold {paper_threshold}, digitised)")
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def fig3a_slopes(agg: pd.DataFrame, methods: Sequence[str],
                 paper: Mapping[str, Any]) -> pd.DataFrame:
    """The shown table of the growth with m: per method of ``methods``, the slope of log10 of
    the aggregate samples needed against m (``agg``: one row per (method, m) with
    ``n_required``) and, for the methods the paper draws, the slope of its digitised curve."""
    rows = []
    for meth in methods:
        a = agg[agg["method"] == meth]
        row = {"method": LABELS[meth], "slope (log10 n per dimension)":
               slope_per_dim(a["m"], a["n_required"])}
        if meth in paper:
            row["paper slope"] = slope_per_dim(paper["m"], paper[meth])
        rows.append(row)
    return pd.DataFrame(rows)


def fig4_similarity(steps: np.ndarray, histories: Mapping[str, np.ndarray],
                    paper: Mapping[str, Any], *, paper_end: int, chance: float) -> Figure:
    """Paper Fig. 4 on the calibrated task: similarity score over training iterations.

    ``steps``: the recorded iterations (T,); ``histories``: per method (keys of :data:`LABELS`)
    the similarity history (T, seeds, stacks), drawn as its mean over seeds and stacks;
    ``paper``: the digitised Fig. 4 (``iteration``, ``baseline``, ``ours``); ``paper_end``: the
    last recorded iteration within the paper's range; ``chance``: the similarity of random
    projections. Left: iterations up to ``paper_end`` with the paper's curves; right: all."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), constrained_layout=True)
    for ax, stop in zip(axes, (paper_end, int(steps[-1])), strict=True):
        keep = steps <= stop
        for meth, hist in histories.items():
            ax.plot(steps[keep], hist[keep].mean(axis=(1, 2)), color=COLORS[meth],
                    lw=2, label=LABELS[meth])
        ax.axhline(chance, color="0.5", ls=":", lw=1, label="chance (random projections)")
        ax.set(xlabel="training iteration", ylabel="similarity score", ylim=(0, 1.02))
    ax = axes[0]
    ax.plot(paper["iteration"], paper["baseline"], ls="--",
            marker="^", color=PALETTE["paper"], label="paper: baseline")
    ax.plot(paper["iteration"], paper["ours"], ls="--", marker="o",
            color=PALETTE["paper"], label="paper: ours")
    axes[0].set_title(f"iterations 0-{paper_end:,} (the paper's range)", fontsize=10)
    axes[1].set_title(f"all {int(steps[-1]):,} iterations", fontsize=10)
    axes[0].legend(fontsize=7)
    return fig


def fig4_similarity_table(runs: Mapping[str, Mapping[str, Any]], steps: np.ndarray,
                          paper: Mapping[str, Any], *, paper_end: int) -> pd.DataFrame:
    """The shown table of Fig. 4: per method (keys of :data:`LABELS`; ``runs``: its stored
    calibrated stack, with ``sim_history`` (T, seeds, stacks), ``test`` and ``test_clean``
    losses and wall times in s) the mean similarity after initialisation, at ``paper_end`` and
    at the end of training, then the paper's two curves at their first and last iteration."""
    i_pe = int(np.flatnonzero(steps == paper_end)[0])
    tab = pd.DataFrame([{"method": LABELS[meth],
                         "after init (iteration 0)": float(r["sim_history"][0].mean()),
                         f"iteration {paper_end:,}": float(r["sim_history"][i_pe].mean()),
                         f"end of training ({int(steps[-1]):,})":
                             float(r["sim_history"][-1].mean()),
                         "test loss (noisy)": float(r["test"].mean()),
                         "test loss (clean)": float(r["test_clean"].mean()),
                         "init wall time (s)": r["init_time_s"],
                         "training wall time (s)": r["train_time_s"]}
                        for meth, r in runs.items()])
    for meth, label in (("baseline", "paper: baseline"), ("ours", "paper: ours")):
        tab.loc[len(tab)] = [label, paper[meth][0], paper[meth][-1], np.nan, np.nan, np.nan,
                             np.nan, np.nan]
    return tab


def modular_regime(traj: pd.DataFrame, selected: str, paper: Mapping[str, Any]) -> Figure:
    """The regime study: seed-mean similarity over iterations for every setting.

    ``traj``: one row per (setting, method, seed, iteration) with ``similarity``
    (:func:`modscale.experiments.modular_regime.trajectories`); ``selected``: the setting fitted
    closest to the paper's baseline (drawn green; ``today``: orange; the others grey);
    ``paper``: the digitised Fig. 4. Left: the random-projection baseline (``modular``); right:
    the literal kernel initialiser (``ours_literal``)."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.0), constrained_layout=True)
    its = paper["iteration"]
    for ax, method, curve in ((axes[0], "modular", "baseline"),
                              (axes[1], "ours_literal", "ours")):
        for name in dict.fromkeys(traj.setting):
            mean = (traj[(traj.setting == name) & (traj.method == method)]
                    .groupby("iteration").similarity.mean())
            style = ({"color": PALETTE["ours"], "lw": 2.5, "label": f"selected: {name}"}
                     if name == selected else
                     {"color": PALETTE["modular"], "lw": 2, "label": "today's regime"}
                     if name == "today" else {"color": "0.75", "lw": 0.8})
            ax.plot(mean.index, mean.to_numpy(), **style)
        ax.plot(its, paper[curve], ls="--", marker="o", color=PALETTE["paper"],
                label=f"paper: {curve}")
        ax.set(xlabel="training iteration", ylabel="similarity score", ylim=(0.2, 1.02),
               title=("baseline (fitted at iterations 0 and 1,000)" if curve == "baseline"
                      else "kernel initialiser (held out)"))
        ax.legend(fontsize=7)
    return fig


def _samples_with_paper(ax: Any, rows: pd.DataFrame, paper: Mapping[str, Any],
                        colors: Mapping[str, str], labels: Mapping[str, str], *, lw: float,
                        alpha: float) -> None:
    """One regime's samples needed against m: per method (``rows``: ``method, m,
    samples_needed, ci_low, ci_high``) a line with its interval band, then the paper's Fig. 3a
    dashed (:data:`PAPER_KEYS`)."""
    for method, g in rows.groupby("method", sort=False):
        ax.plot(g.m, g.samples_needed, color=colors[method], lw=lw, marker="o",
                label=labels[method])
        ax.fill_between(g.m, g.ci_low, g.ci_high, color=colors[method], alpha=alpha)
    for method, key in PAPER_KEYS:
        ax.plot(paper["m"], paper[key], ls="--", lw=1.2, color=colors[method], alpha=0.8)


def fig3a_grid(sn: pd.DataFrame, agg: pd.DataFrame, regimes: Sequence[str],
               paper: Mapping[str, Any], *, n_max: float,
               labels: Mapping[str, str]) -> Figure:
    """Fig. 3a over the architecture grid, one panel per regime of ``regimes``.

    ``sn``: one row per (regime, method, width, depth, m, seed) with ``samples_needed`` (inf:
    never on the grid; :func:`modscale.report.regime.samples_needed`), drawn thin per
    architecture as the geometric mean over seeds censored at ``n_max``; ``agg``: one row per
    (regime, method, m) with ``samples_needed``, ``ci_low``, ``ci_high``
    (:func:`modscale.report.regime.aggregate_table`), drawn thick with its interval; ``paper``:
    the digitised Fig. 3a (dashed); ``labels``: legend name per method."""
    fig, axes = plt.subplots(1, len(regimes), figsize=(5.5 * len(regimes), 4.0),
                             constrained_layout=True, squeeze=False)
    for ax, regime in zip(axes[0], regimes, strict=True):
        sub = sn[sn.regime == regime].copy()
        sub["censored_n"] = np.minimum(sub.samples_needed, n_max)
        for (method, _w, _d), g in sub.groupby(["method", "width", "depth"]):
            arch = g.groupby("m").censored_n.apply(lambda v: float(np.exp(np.log(v).mean())))
            ax.plot(arch.index, arch.to_numpy(), color=GRID_COLORS[method], lw=0.8, alpha=0.5)
        _samples_with_paper(ax, agg[agg.regime == regime], paper, GRID_COLORS, labels,
                            lw=2.5, alpha=0.15)
        ax.set(yscale="log", xlabel="input dimension m", ylabel="samples needed",
               title=f"regime: {regime}")
        ax.legend(fontsize=7, title="solid: this book; dashed: paper", title_fontsize=7)
    return fig


def grid_table(agg: pd.DataFrame) -> pd.DataFrame:
    """The shown table of the architecture grid: :func:`modscale.report.regime.aggregate_table`
    with its sample counts as text (``not reached`` for a censored aggregate) and reader-facing
    column names."""
    return (agg.assign(**{c: agg[c].map(lambda v: verdicts.fmt(v, ".0f"))
                          for c in ("samples_needed", "ci_low", "ci_high", "paper")})
            .rename(columns={"samples_needed": "samples needed (geometric mean)",
                             "ci_low": "95 % CI low", "ci_high": "95 % CI high",
                             "architectures": "architectures", "censored": "censored seeds",
                             "paper": "paper (aggregate)"}))


def grid_costs(grid: Sequence[tuple[str, Any]], runs: Sequence[Mapping[str, Any]]
               ) -> pd.DataFrame:
    """One row per stack of the grid's (regime, spec) ``grid`` and its ``runs``: ``method``,
    ``regime`` and the stored ``train`` and ``init`` (Algorithm 1) wall times in s."""
    return pd.DataFrame([{"method": s_.method, "regime": r_, "train": run_["train_time_s"],
                          "init": run_["init_time_s"]} for (r_, s_), run_ in
                         zip(grid, runs, strict=True)])


def fig3a_paper_regime(summary: pd.DataFrame, order: Sequence[str], matched: str,
                       paper: Mapping[str, Any]) -> Figure:
    """Fig. 3a in the paper-matched regime and its sensitivity, one panel per regime of
    ``order`` (the paper-matched one, ``matched``, first).

    ``summary``: one row per (regime, method, m) with ``samples_needed``, ``ci_low``,
    ``ci_high`` (:func:`modscale.report.paper_regime.summary_table`), drawn with its interval;
    ``paper``: the digitised Fig. 3a (dashed). Narrow enough for an A4 page at full size."""
    fig, axes = plt.subplots(1, len(order), figsize=(3.7 * len(order) + 0.4, 3.9),
                             constrained_layout=True, squeeze=False, sharey=True)
    for ax, regime in zip(axes[0], order, strict=True):
        _samples_with_paper(ax, summary[summary.regime == regime], paper, PR_COLORS,
                            PR_SHORT, lw=2.2, alpha=0.12)
        ax.set(yscale="log", xlabel="input dimension m", ylabel="samples needed",
               title=f"{'paper-matched' if regime == matched else 'sensitivity'}: {regime}")
    axes[0][0].legend(fontsize=8, title="solid: this book; dashed: paper", title_fontsize=8,
                      loc="upper left", framealpha=0.85)
    return fig


def paper_regime_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The shown table of the paper-regime Fig. 3a: :func:`modscale.report.paper_regime.
    summary_table` with readable method names, sample counts and similarities as text (``—``
    for the monolithic MLP, which has no modules) and reader-facing column names."""
    return (summary.assign(
        method=summary.method.map(lambda v: v.replace("ours_", "ours: ")),
        **{c: summary[c].map(lambda v: verdicts.fmt(v, ".0f"))
           for c in ("samples_needed", "ci_low", "ci_high")},
        sim_init=summary.sim_init.map(
            lambda v: verdicts.fmt(v, ".3f") if np.isfinite(v) else "— (no modules)"))
        .rename(columns={"samples_needed": "samples needed (geo. mean)",
                         "ci_low": "95 % CI low", "ci_high": "95 % CI high",
                         "censored": "censored seeds", "sim_init": "similarity at init"}))


def alignment_dose(dose: pd.DataFrame, m_values: Sequence[int],
                   chance_of_m: Mapping[int, float], *, paper_excess: float,
                   n_max: float) -> Figure:
    """The alignment dose-response, one panel per m of ``m_values``: samples needed against
    the similarity at initialisation minus chance.

    ``dose``: one row per (regime, m, alpha, seed) with ``sim_init`` and ``samples_needed``
    (:func:`modscale.report.paper_regime.dose_table`); ``chance_of_m``: the similarity of random
    projections per m; ``paper_excess``: the paper's Fig. 4 similarity of its initialiser over
    random projections at iteration 0 (dashed); samples censored at ``n_max``. Dots: seeds;
    lines: the geometric mean over seeds per alpha, one marker per regime."""
    fig, axes = plt.subplots(1, len(m_values), sharey=True, squeeze=False,
                             figsize=(3.4 * len(m_values) + 0.6, 3.6),
                             constrained_layout=True)
    for ax, m_ in zip(axes[0], m_values, strict=True):
        for regime, marker in zip(dict.fromkeys(dose.regime), ("o", "s"), strict=False):
            d = dose[(dose.regime == regime) & (dose.m == m_)]
            ax.scatter(d.sim_init - chance_of_m[m_], np.minimum(d.samples_needed, n_max),
                       s=14, marker=marker, alpha=0.5, label=f"{regime}: seeds")
            agg = d.groupby("alpha").agg(sim=("sim_init", "mean"), n=(
                "samples_needed",
                lambda v: float(np.exp(np.log(np.minimum(v, n_max)).mean()))))
            ax.plot(agg.sim - chance_of_m[m_], agg.n, marker=marker, lw=2,
                    label=f"{regime}: mean")
        ax.axvline(paper_excess, color="red", ls="--", lw=1.2,
                   label=f"paper's Fig. 4 excess ({paper_excess:+.3f})")
        ax.set(yscale="log", xlabel="similarity at init minus chance", title=f"m = {m_}")
    axes[0][0].set_ylabel("samples needed")
    axes[0][-1].legend(fontsize=7)
    return fig


def _gain_cell(t: Sequence[float]) -> str:
    """``gain x [low, high]`` of a (gain, low, high) triple, ``—`` without an interval."""
    return f"{t[0]:.2f}x [{t[1]:.2f}, {t[2]:.2f}]" if np.isfinite(t[1]) else "—"


def readoff_table(readoffs: Mapping[tuple[str, int], Mapping[str, Any]],
                  paper_ratio: float) -> pd.DataFrame:
    """The shown table of the dose-response read-offs: one row per (regime, m) of ``readoffs``
    (:func:`modscale.report.paper_regime.readoff`), with the paper's Fig. 3a gain
    ``paper_ratio`` as the target."""
    return pd.DataFrame([
        {"regime": r, "m": m_, "chance": f"{v['chance']:.3f}",
         "gain at the paper's Fig. 4 excess": _gain_cell(v["gain_at_excess"]),
         "oracle gain": _gain_cell(v["oracle_gain"]),
         f"seeds reaching {paper_ratio:.2f}x": f"{v['reached']} of {v['seeds']}",
         "excess needed (mean)": (f"{v['excess_for_gain'][0]:.3f}" if v["reached"] else "—")}
        for (r, m_), v in readoffs.items()])


def fig4_paper_regime(steps: np.ndarray, histories: Mapping[str, np.ndarray],
                      paper: Mapping[str, Any], *, end: int, chance: float,
                      matched: str) -> Figure:
    """Fig. 4 in the paper-matched regime ``matched``: seed-mean similarity over iterations.

    ``steps``: the recorded iterations (T,); ``histories``: per method (keys of
    :data:`modscale.report.paper_regime.SHORT`) the similarity history (T, seeds, stacks);
    ``paper``: the digitised Fig. 4 (dashed); ``end``: the last recorded iteration within the
    paper's range (iterations drawn up to it or the paper's last, whichever is later);
    ``chance``: the similarity of random projections (dotted)."""
    fig, ax = plt.subplots(figsize=(6.5, 4.0), constrained_layout=True)
    keep = steps <= max(end, paper["iteration"][-1])
    for meth, hist in histories.items():
        mean = hist.mean(axis=(1, 2))
        ax.plot(steps[keep], mean[keep], color=PR_COLORS[meth], lw=2, label=PR_SHORT[meth])
    for curve, meth in (("baseline", "modular"), ("ours", "ours_literal")):
        ax.plot(paper["iteration"], paper[curve], ls="--",
                color=PR_COLORS[meth], lw=1.2, label=f"paper: {curve}")
    ax.axhline(chance, color="grey", lw=0.8, ls=":", label=f"chance ({chance:.3f})")
    ax.set(xlabel="training iteration", ylabel="similarity score",
           title=f"Fig. 4, paper-matched regime ({matched})")
    ax.legend(fontsize=7)
    return fig


def fig4_paper_regime_table(runs: Mapping[str, Mapping[str, Any]],
                            sims: Mapping[str, np.ndarray], end: int) -> pd.DataFrame:
    """The shown table of Fig. 4 in the paper-matched regime: per method, the mean similarity at
    initialisation and at iteration ``end`` (``sims``: per method (2, seeds)) and at the end of
    training (``runs``: the stored stack, with ``sim_final``)."""
    return pd.DataFrame([{"method": PR_SHORT[m_],
                          "similarity at init": verdicts.fmt(sims[m_][0].mean(), ".3f"),
                          f"at iteration {end:,}": verdicts.fmt(sims[m_][1].mean(), ".3f"),
                          "at the end": verdicts.fmt(r["sim_final"].mean(), ".3f")}
                         for m_, r in runs.items()])


def table2_nonlinear(lin: Sequence[Any], lin_runs: Sequence[Mapping[str, Any]],
                     nonlin: Sequence[Any], nonlin_runs: Sequence[Mapping[str, Any]],
                     threshold: float) -> pd.DataFrame:
    """The nonlinear-projection table (in place of Table 2): one row per pair of a linear
    stack (``lin``, :class:`~modscale.experiments.fig3a_readings.Fig3aSpec`) and its nonlinear
    twin (``nonlin``, same m, method, tasks and data) with their stored runs: samples to reach
    ``threshold`` (seed-mean curve; per-seed range for the nonlinear one), the clean test loss
    at the largest n and the similarity after initialisation and after training."""
    rows = []
    for s_l, r_l, s_n, r_n in zip(lin, lin_runs, nonlin, nonlin_runs, strict=True):
        nl = stack_samples_needed(s_n.n_values, r_n["test"], threshold)
        li = stack_samples_needed(s_l.n_values, r_l["test"], threshold)
        rows.append({"m": s_n.m, "method": LABELS[CAL[s_n.method]],
                     "samples needed, nonlinear proj.": nl["n_required"],
                     "single seeds (nonlinear)": f"{verdicts.fmt(nl['seed_min'], '.0f')}-"
                                                 f"{verdicts.fmt(nl['seed_max'], '.0f')}",
                     "samples needed, linear proj.": li["n_required"],
                     "clean test loss at largest n (nonlinear)":
                         float(np.asarray(r_n["test_clean"])[:, -1].mean()),
                     "similarity after init (nonlinear)": float(np.mean(r_n["sim_init"])),
                     "similarity after training (nonlinear)": float(np.mean(r_n["sim_final"]))})
    return pd.DataFrame(rows)


def compute_matched(specs: Sequence[Mapping[str, Any]], runs: Sequence[Mapping[str, Any]],
                    sc: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The compute-matched ablation's table: one row per stack (``specs``: the
    :mod:`modscale.experiments.modular_sweep` configurations, ``runs``: their stored results,
    ``sc``: samples needed per method, width and depth at ``threshold``) with its training
    iterations, initialiser and matched GFLOPs per network, wall times (s) and samples needed."""
    rows = []
    for s, r in zip(specs, runs, strict=True):
        n_req = sc[(sc["method"] == s["method"]) & (sc["width"] == s["width"])
                   & (sc["depth"] == s["depth"])]["n_required"].iloc[0]
        rows.append({"method": LABELS[s["method"]], "width": s["width"], "depth": s["depth"],
                     "training iterations": r["iters"],
                     "init GFLOPs / network": r["init_flops"] / 1e9,
                     "matched GFLOPs / network": r.get("matched_flops", 0.0) / 1e9,
                     "init wall (s)": r["init_time_s"], "train wall (s)": r["train_time_s"],
                     f"samples to loss {threshold}": n_req})
    return pd.DataFrame(rows)


__all__ = ["LABELS", "COLORS", "GRID_COLORS", "CAL", "PAPER_KEYS", "fig3a_sample_complexity",
           "fig3a_slopes", "fig4_similarity", "fig4_similarity_table", "modular_regime",
           "fig3a_grid", "grid_table", "grid_costs", "fig3a_paper_regime", "paper_regime_table",
           "alignment_dose", "readoff_table", "fig4_paper_regime", "fig4_paper_regime_table",
           "table2_nonlinear", "compute_matched"]
