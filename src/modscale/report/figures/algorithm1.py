"""The figures of the Algorithm 1 chapter (``book/algorithm1.py``): the stay test, the readings
compared, the early-stopping trajectory and its t-SNE, and the paper's Fig. 3a on the calibrated
sine task. Each function takes the tables or arrays the page loaded and returns the figure; the
page glues and exports it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modscale.report.style import PALETTE, tsne_panels
from modscale.training.alg1 import READINGS

READING_COLORS = {"literal": PALETTE["ours"], "greedy_residual": "#8172B3",
                  "greedy_fixed": "#937860", "joint": "#2E7D32"}
"""Colour of each reading of Algorithm 1 (:data:`modscale.training.alg1.READINGS`)."""

SC_LABELS = {"monolithic": "monolithic", "modular": "modular (random)",
             "modular_matched": "modular, matched compute",
             **{f"ours_{r}": f"ours: {r}" for r in READINGS}}
"""Method of the Fig. 3a comparison -> its name in the page's figures, tables and text."""

SC_COLORS = {"monolithic": PALETTE["monolithic"], "modular": PALETTE["modular"],
             "modular_matched": "#999999", **{f"ours_{r}": READING_COLORS[r] for r in READINGS}}
"""Method of the Fig. 3a comparison -> its colour."""


def stay_label(batch: int, n: int) -> str:
    """Legend entry of a stay-test curve: ``full batch`` if the kernel mini-batch ``batch``
    holds all ``n`` training points, else ``mini-batch <batch>``."""
    return "full batch" if batch >= n else f"mini-batch {batch}"


def alg1_stay(stay: pd.DataFrame, *, n: int, m: int, k: int) -> Figure:
    """The stay test: fraction of literal-reading restarts still on the module they started on,
    against the Algorithm 1 step, one curve per kernel mini-batch size.

    ``stay``: one row per (batch, step) with columns ``batch`` (mini-batch size), ``step``,
    ``staying`` (mean fraction over networks, 0-1) and ``staying_sd`` (its standard deviation,
    drawn as a band clipped to [0, 1]); ``n`` training points per task (a batch of ``n`` or more
    is full batch), ``m``, ``k`` for the title."""
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    for batch, g in stay.groupby("batch", sort=True):
        steps, mean, sd = g["step"].to_numpy(), g["staying"].to_numpy(), g["staying_sd"].to_numpy()
        ax.plot(steps, mean, lw=2, label=stay_label(int(batch), n))
        ax.fill_between(steps, np.clip(mean - sd, 0, 1), np.clip(mean + sd, 0, 1), alpha=0.15)
    ax.set(xlabel="Algorithm 1 step (literal reading)", ylabel="restarts still on their module",
           ylim=(-0.02, 1.02), title=f"stay test (m = {m}, k = K = {k})")
    ax.legend(fontsize=8)
    return fig


def alg1_readings(readings: pd.DataFrame, paper: Mapping[str, Sequence[float]], *,
                  order: Sequence[str], k: int, K: int) -> Figure:
    """The readings compared at K network modules: left, similarity minus its chance level
    against m; right, the fraction of the ``k`` true modules recovered against m.

    ``readings``: one row per (reading, m, K) with columns ``reading``, ``m``, ``K``,
    ``similarity``, ``chance`` (0-1) and ``modules_recovered`` (mean count over networks);
    ``paper``: :data:`modscale.paper_data.FIG4_SIMS` (its iteration-0 gap of ``ours`` over
    ``baseline`` is drawn as a dashed line); ``order``: the readings drawn, in legend order."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    for rd in order:
        g = readings[(readings["reading"] == rd) & (readings["K"] == K)]
        axes[0].plot(g["m"], g["similarity"] - g["chance"], "o-", color=READING_COLORS[rd],
                     label=rd)
        axes[1].plot(g["m"], g["modules_recovered"] / k, "o-", color=READING_COLORS[rd],
                     label=rd)
    axes[0].axhline(0, color="0.5", lw=1, ls=":")
    axes[0].axhline(paper["ours"][0] - paper["baseline"][0], color=PALETTE["paper"], ls="--",
                    lw=1.2, label="paper: ours - baseline at iteration 0")
    axes[0].set(xlabel="input dimension m", ylabel="similarity minus chance",
                title=f"K = {K}, k = {k}")
    axes[1].set(xlabel="input dimension m", ylabel="fraction of modules recovered",
                ylim=(-0.02, 1.02), title="modules recovered (|cos| > 0.9)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def alg1_trajectory(steps: np.ndarray, similarity: np.ndarray, chance: float,
                    paper: Mapping[str, Sequence[float]], *, m: int, k: int, K: int) -> Figure:
    """The literal reading's similarity score over its steps (mean over networks, band: one
    standard deviation) against the chance level and the paper's Fig. 4 values at iteration 0.

    ``steps`` (T,) recorded Algorithm 1 steps; ``similarity`` (T, networks) similarity score
    (0-1); ``chance`` the similarity of random directions; ``paper``:
    :data:`modscale.paper_data.FIG4_SIMS`; ``m``, ``k``, ``K`` for the title."""
    mean, sd = similarity.mean(1), similarity.std(1)
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    ax.plot(steps, mean, color=PALETTE["ours"], lw=2, label="literal reading (mean)")
    ax.fill_between(steps, mean - sd, mean + sd, color=PALETTE["ours"], alpha=0.15)
    ax.axhline(chance, color="0.5", ls=":", label="chance (random projections)")
    ax.axhline(paper["ours"][0], color=PALETTE["paper"], ls="--",
               label="paper: ours at iteration 0")
    ax.axhline(paper["baseline"][0], color=PALETTE["paper"], ls=":", lw=1,
               label="paper: baseline at iteration 0")
    ax.set(xlabel="Algorithm 1 step", ylabel="similarity score", title=f"m = {m}, k = {k}, K = {K}")
    ax.legend(fontsize=7)
    return fig


def alg1_tsne_early_stop(directions: Sequence[np.ndarray], targets: np.ndarray, *,
                         stop_at: int, steps: int, seed: int) -> Figure:
    """t-SNE maps of one network's learned and target module directions
    (:func:`modscale.report.style.tsne_panels`): random directions, the literal reading stopped
    after ``stop_at`` steps and after all ``steps``.

    ``directions``: the three (K, m) direction arrays in that order; ``targets`` (k, m); ``seed``
    of the t-SNE."""
    titles = ("random directions", f"literal, stopped at step {stop_at}",
              f"literal, {steps} steps")
    return tsne_panels(list(zip(titles, directions, strict=True)), targets, seed=seed,
                       figsize=(11, 3.4))


def fig3a_calibrated_readings(samples: pd.DataFrame, curves: pd.DataFrame,
                              paper: Mapping[str, Sequence[float]], *,
                              methods: Sequence[str], threshold: float, m_hi: int) -> Figure:
    """The paper's Fig. 3a on the calibrated task, every reading as a method. Left: samples
    needed to reach test loss ``threshold`` against m (seed-mean curve; bars: the single seeds'
    range), next to the paper's points (dotted); a method never reaching it has no point.
    Right: the seed-mean test loss against n at ``m_hi`` (dotted: the threshold).

    ``samples``: one row per (method, m) with ``method``, ``m``, ``n_required``, ``seed_min``,
    ``seed_max`` (training samples; ``inf`` where never reached); ``curves``: one row per
    network with ``method``, ``m``, ``n``, ``test`` (MSE); ``paper``:
    :data:`modscale.paper_data.FIG3A` (``m`` and samples of ``monolithic``, ``modular``,
    ``ours``); ``methods``: the methods drawn, in legend order (names of :data:`SC_LABELS`)."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.9), constrained_layout=True)
    for meth in methods:
        a = samples[samples["method"] == meth].sort_values("m")
        ok = np.isfinite(a["n_required"])
        lo = a["n_required"] - a["seed_min"].where(np.isfinite(a["seed_min"]), a["n_required"])
        hi = a["seed_max"].where(np.isfinite(a["seed_max"]), a["n_required"]) - a["n_required"]
        ax1.errorbar(a["m"][ok], a["n_required"][ok], yerr=[lo[ok].clip(lower=0),
                                                            hi[ok].clip(lower=0)],
                     marker="o", ms=4, capsize=2, color=SC_COLORS[meth], label=SC_LABELS[meth],
                     ls="--" if meth == "modular_matched" else "-")
    for meth in ("monolithic", "modular", "ours"):
        ax1.plot(paper["m"], paper[meth], ls=":", lw=1, marker="x", ms=3,
                 color=PALETTE["paper"] if meth == "ours" else SC_COLORS[meth], alpha=0.7,
                 label=f"paper: {meth}")
    ax1.set(yscale="log", xlabel="input dimension m", ylabel=f"samples to test loss {threshold:g}")
    ax1.legend(fontsize=6, ncol=2)
    for meth in methods:
        g = curves[(curves["method"] == meth) & (curves["m"] == m_hi)].groupby("n")["test"].mean()
        ax2.plot(g.index, g.to_numpy(), marker="o", ms=3, color=SC_COLORS[meth],
                 label=SC_LABELS[meth], ls="--" if meth == "modular_matched" else "-")
    ax2.axhline(threshold, color="0.4", lw=0.8, ls=":")
    ax2.set(xscale="log", yscale="log", xlabel="training samples n", ylabel="test loss",
            title=f"m = {m_hi}: the curves behind the left panel")
    return fig


__all__ = ["READING_COLORS", "SC_LABELS", "SC_COLORS", "stay_label", "alg1_stay",
           "alg1_readings", "alg1_trajectory", "alg1_tsne_early_stop",
           "fig3a_calibrated_readings"]
