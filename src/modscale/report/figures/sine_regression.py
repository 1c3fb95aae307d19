"""The figures of the sine-wave chapter (``book/sine_regression.py``): the task's module (paper
Fig. 1), the loss trends (Fig. 2), the monolithic sample complexity (Fig. 3a), the calibrated
task against the paper, and the harder-module sensitivity check.

Each drawing function takes what the page loaded or computed and returns the figure; the page
glues and exports it. The theory's dashed lines of Fig. 2 are computed by
:func:`modscale.report.theory_fit.fig2_theory_lines`. Losses are mean squared errors in the
paper's loss units; ``n`` counts training samples, ``p`` parameters, ``m`` input dimensions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import ArrayLike

from modscale.report.analysis import Panel
from modscale.report.style import PALETTE

SPLITS = ("train", "test")
HARDER_COLORS = ("#4C72B0", "#55A868")
"""Colours of the harder-module figure's variants (main task first)."""


def fig1_sine_task(t: ArrayLike, components: ArrayLike, paper_curve: ArrayLike,
                   z_train: ArrayLike, f_train: ArrayLike) -> Figure:
    """Paper Fig. 1: one module of the task against its input ``u^T x``.

    ``t``: (T,) input grid; ``components``: (T, J) the module's J sine components on ``t``;
    ``paper_curve``: (T,) the paper's illustrative module on ``t``; ``z_train``, ``f_train``:
    (N,) training inputs projected on ``u`` and the module's output there. Arrays or tensors.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for j in range(components.shape[1]):
        ax.plot(t, components[:, j], color="#4C72B0", lw=1,
                label="sine wave components" if j == 0 else None)
    ax.plot(t, components.sum(1), color="#DD8452", lw=2.5, label="target function (module 1)")
    ax.plot(t, paper_curve, color=PALETTE["paper"], lw=1.2, ls="--",
            label="paper's Fig. 1 module (fitted)")
    ax.scatter(z_train, f_train, color="#C00000", zorder=5, s=22, label="training points")
    ax.set(xlabel=r"$u^\top x$", ylabel="output")
    ax.legend(loc="lower left", fontsize=8, ncol=2)
    return fig


def _draw_panel(ax: Axes, panel: Panel, *, marker: str | None = None,
                label: bool = False) -> None:
    """Thin lines (settings), thick line (their mean) and the seed band of one panel."""
    for split in SPLITS:
        xs = panel.x_rows if panel.x_rows is not None else np.tile(panel.x, (len(panel.rows), 1))
        for x, row in zip(xs, panel.thin[split], strict=True):
            ax.plot(x, row, color=PALETTE[split], lw=0.6, alpha=0.35)
        ax.plot(panel.x, panel.mean[split], color=PALETTE[split], lw=2.4, marker=marker, ms=3,
                label=f"{split}, measured (mean)" if label else None)
        sd = panel.sd.get(split)
        if sd is not None:
            ax.fill_between(panel.x, panel.mean[split] - sd, panel.mean[split] + sd,
                            color=PALETTE[split], alpha=0.15)


def _theory(ax: Axes, line: tuple[np.ndarray, Mapping[str, np.ndarray]], *, clip: bool = False,
            label: bool = False) -> None:
    """The theory's dashed train and test lines ``(x, {split: y})`` (clipped to [0, 6])."""
    x, ys = line
    for split in SPLITS:
        y = np.clip(ys[split], 0, 6) if clip else ys[split]
        ax.plot(x, y, color=PALETTE[split], ls="--", lw=1.6,
                label=f"{split}, theory" if label else None)


def fig2_loss_trends(panels: Mapping[str, Panel],
                     theory: Mapping[str, tuple[np.ndarray, Mapping[str, np.ndarray]]], *,
                     paper_k: Mapping[str, Any], paper_m: Mapping[str, Any],
                     paper_p: Mapping[str, Any], paper_n: Mapping[str, Any], m_fixed: int,
                     k_fixed: int, n_fig2: int, n_panel_width: int, n_panel_depth: int,
                     p_n: int) -> Figure:
    """Paper Fig. 2: train and test loss against k, m, p and n (2 x 2 axes).

    ``panels``: the k-, m-, p- and n-panels of
    :func:`modscale.report.analysis.fig2_panels`; ``theory``: the theory's lines
    ``{panel: (x, {"train": y, "test": y})}`` of
    :func:`modscale.report.theory_fit.fig2_theory_lines`; ``paper_*``: ``paper_data.FIG2_K``,
    ``FIG2_M``, ``FIG2_P``, ``FIG2_N``; ``m_fixed``, ``k_fixed``, ``n_fig2``: the sweeps' fixed m,
    k and n; ``n_panel_width``, ``n_panel_depth``, ``p_n``: the n-panel's architecture and its
    (median) parameter count, for the titles.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 7.6))
    # k panel: thin = architectures; theory is flat in k (it depends on n, p, m only)
    ax = axes[0, 0]
    _draw_panel(ax, panels["k"])
    _theory(ax, theory["k"])
    ax.plot([2], [paper_k["actual_test_k2"]], "o", color=PALETTE["paper"], ms=5)
    ax.fill_between([3, 9], *paper_k["actual_test_range_k3_9"], color=PALETTE["paper"],
                    alpha=0.12)
    ax.axhline(paper_k["predicted_test"], color=PALETTE["paper"], ls=":", lw=1.2)
    ax.set(xlabel="k (modules)", ylabel="loss", title=f"vs k  (m = {m_fixed}, n = {n_fig2})")
    # m panel: thin = architectures
    ax = axes[0, 1]
    _draw_panel(ax, panels["m"])
    _theory(ax, theory["m"])
    ax.plot(paper_m["m"], paper_m["actual_test"], "o-", color=PALETTE["paper"], ms=3.5, lw=1)
    ax.plot(paper_m["m"], paper_m["predicted_test"], ":", color=PALETTE["paper"], lw=1.2)
    ax.set(xlabel="m (input dimension)", ylabel="loss",
           title=f"vs m  (k = {k_fixed}, n = {n_fig2})")
    # p panel: thin = m (x = that architecture's p at that m), thick = average over m
    ax = axes[1, 0]
    _draw_panel(ax, panels["p"], marker="o")
    _theory(ax, theory["p"], clip=True)
    ax.plot([1e2, paper_p["actual_test_peak_p"]],
            [paper_p["actual_test_p1e2"], paper_p["actual_test_peak"]], "o",
            color=PALETTE["paper"], ms=5)
    ax.plot([5e3, 2e4, 8e4], paper_p["actual_test_after_peak"], "o", color=PALETTE["paper"],
            ms=5, mfc="none")
    ax.set(xscale="log", xlabel="p (parameters)", ylabel="loss", ylim=(0, 6),
           title=f"vs p  (k = {k_fixed}, n = {n_fig2}; thin: each m)")
    # n panel: the n-panel architecture, thin = m
    ax = axes[1, 1]
    _draw_panel(ax, panels["n"], marker="o", label=True)
    _theory(ax, theory["n"], clip=True, label=True)
    ax.plot(paper_n["n"], paper_n["actual_test"], "o-", color=PALETTE["paper"], ms=3.5, lw=1,
            label="paper: test, measured")
    ax.plot([], [], ":", color=PALETTE["paper"], label="paper: test, predicted")
    ax.set(xscale="log", xlabel="n (training samples)", ylabel="loss", ylim=(0, 6),
           title=f"vs n  (width {n_panel_width}, depth {n_panel_depth}, p ~ {p_n}; "
                 "thin: each m)")
    ax.legend(fontsize=7, loc="upper right")
    for a in axes[0]:
        a.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def fig3a_monolithic(sc_main: pd.DataFrame, agg_main: pd.DataFrame, *, threshold: float,
                     paper_m: Sequence[float], paper_n: Sequence[float],
                     paper_threshold: float, n_grid: Sequence[float]) -> Figure:
    """The monolithic curve of paper Fig. 3a: samples to reach a test loss against m.

    ``sc_main``: rows (m, width, depth, n_required) at ``threshold`` (one thin line per
    architecture); ``agg_main``: indexed by m, column ``geo_mean_n`` (the thick line);
    ``paper_m``, ``paper_n``: the paper's monolithic curve at ``paper_threshold``; ``n_grid``:
    the searched n (outside it is shaded grey).
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for _, g in sc_main.groupby(["width", "depth"]):
        g = g.sort_values("m")
        ax.plot(g["m"], g["n_required"], color=PALETTE["monolithic"], lw=0.7, alpha=0.4)
    ax.plot(agg_main.index, agg_main["geo_mean_n"], color=PALETTE["monolithic"], lw=2.6,
            marker="o", label=f"monolithic, ours (test loss {threshold})")
    ax.plot(paper_m, paper_n, "o--", color=PALETTE["paper"], lw=1.2, ms=4,
            label=f"monolithic, paper (test loss {paper_threshold})")
    ax.axhspan(1, n_grid[0], color="0.9", zorder=0)
    ax.axhspan(n_grid[-1], 1e7, color="0.9", zorder=0)
    ax.set(yscale="log", xlabel="m (input dimension)", ylabel="samples to reach the target loss",
           ylim=(n_grid[0] / 2, n_grid[-1] * 2))
    ax.legend(fontsize=8)
    return fig


def sine_calibration(cal: pd.DataFrame) -> Figure:
    """Every number of Fig. 2 and Fig. 3a measured against the paper's, on log-log axes.

    ``cal``: rows (role: 'fit' or 'held-out', paper, measured, seed_sd) -- paper and measured in
    the quantity's own unit (loss, or p / n for a location); ``seed_sd``: the error bar (NaN:
    none). Filled markers: fitted; open: held out; grey band: within a factor 1.25.
    """
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 5.2))
    lo = float(np.nanmin(cal[["paper", "measured"]].to_numpy())) / 1.5
    hi = float(np.nanmax(cal[["paper", "measured"]].to_numpy())) * 1.5
    ax.plot([lo, hi], [lo, hi], color="0.4", lw=1)
    ax.fill_between([lo, hi], [lo / 1.25, hi / 1.25], [lo * 1.25, hi * 1.25], color="0.92",
                    label="within a factor 1.25")
    for role, face in (("fit", PALETTE["ours"]), ("held-out", "white")):
        sub = cal[cal["role"] == role]
        ax.errorbar(sub["paper"], sub["measured"], yerr=sub["seed_sd"].fillna(0), fmt="o",
                    mfc=face, mec=PALETTE["ours"], ecolor=PALETTE["ours"], ms=6, lw=1,
                    label=f"{role} ({len(sub)})")
    ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi),
           xlabel="paper (digitised)", ylabel="this reproduction (fitted task)")
    ax.legend(fontsize=8, loc="upper left")
    return fig


def sine_harder_module(curves: Mapping[str, tuple[pd.Series, pd.Series]], *,
                       paper_m: Mapping[str, Any], paper_n: Mapping[str, Any],
                       n_fig2: int) -> Figure:
    """The harder-module check: test loss against m at ``n_fig2`` (left) and against n averaged
    over m (right), one line per variant (``curves`` of
    :func:`modscale.report.analysis.harder_module_curves`, at most two, coloured
    ``HARDER_COLORS``), with the paper's averages ``paper_data.FIG2_M`` and ``FIG2_N``
    dashed."""
    import matplotlib.pyplot as plt

    fig, (axa, axb) = plt.subplots(1, 2, figsize=(10, 3.8))
    for (label, (at_n, by_n)), color in zip(curves.items(), HARDER_COLORS, strict=True):
        axa.plot(at_n.index, at_n.to_numpy(), "o-", color=color, lw=2, ms=4, label=label)
        axb.plot(by_n.index, by_n.to_numpy(), "o-", color=color, lw=2, ms=4, label=label)
    axa.plot(paper_m["m"], paper_m["actual_test"], "o--", color=PALETTE["paper"], ms=3.5, lw=1,
             label="paper (all architectures)")
    axa.set(xlabel="m (input dimension)", ylabel="test loss",
            title=f"test loss vs m (n = {n_fig2})")
    axb.plot(paper_n["n"], paper_n["actual_test"], "o--", color=PALETTE["paper"], ms=3.5, lw=1,
             label="paper")
    axb.set(xscale="log", xlabel="n (training samples)", ylabel="test loss",
            title="test loss vs n (average over m)")
    axa.legend(fontsize=7)
    fig.tight_layout()
    return fig


__all__ = ["fig1_sine_task", "fig2_loss_trends", "fig3a_monolithic", "sine_calibration",
           "sine_harder_module"]
