"""Figures of the chapter *The theory of monolithic generalization* (``book/theory.py``).

Each drawing function takes the arrays the chapter computed or loaded and returns the figure
(or, for the two tables the page shows, a pandas ``Styler``); losses are in the task's loss units
(``c`` = total task variance), parameter and sample counts are plain counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from modscale.report.style import PALETTE
from modscale.theory.monolithic import spectrum, spectrum_tail


def spectrum_curves(m_values: Sequence[float] = (2, 5, 9),
                    kinds: Sequence[str] = ("telescoping", "power_law"), *, c: float,
                    omega: float, s: float, size: int = 10_000) -> list[dict[str, Any]]:
    """The curves of :func:`theory_spectra`, one dict per (m, kind), m outer: ``m``, ``kind``,
    ``index`` (feature indices 1 to ``size``), ``lam`` (their eigenvalues), ``p`` (80 model sizes
    on a log grid up to ``size``) and ``tail`` (Tr Lambda_2 at each p, loss units)."""
    idx = np.arange(1, size + 1)
    p_axis = np.unique(np.round(np.geomspace(1, idx.size, 80))).astype(int)
    kw = {"c": c, "omega": omega, "s": s}
    return [{"m": m, "kind": kind, "index": idx,
             "lam": spectrum(idx.size, m, kind=kind, **kw), "p": p_axis,
             "tail": [spectrum_tail(int(p), m, kind=kind, **kw) for p in p_axis]}
            for m in m_values for kind in kinds]


def theory_spectra(curves: Sequence[dict[str, Any]], *, c: float) -> Figure:
    """Left: the eigenvalues ``lam`` against ``index`` (log-log); right: the variance a
    ``p``-feature model cannot fit, ``tail`` against ``p``, y up to ``1.05 c``. ``curves`` as
    returned by :func:`spectrum_curves` (colour by m on 2..9, solid telescoping, dashed power
    law)."""
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
    styles = {"telescoping": "-", "power_law": "--"}
    for cur in curves:
        col = plt.cm.viridis((cur["m"] - 2) / 7)
        ls = styles[cur["kind"]]
        axes[0].loglog(cur["index"], cur["lam"], ls, color=col,
                       label=f"m={cur['m']}, {cur['kind']}")
        axes[1].semilogx(cur["p"], cur["tail"], ls, color=col)
    axes[0].set(xlabel="feature index $i$", ylabel=r"$\lambda_i$", title="spectrum")
    axes[1].set(xlabel="model features $p$", ylabel=r"Tr$\,\Lambda_2$ (unexplained variance)",
                ylim=(0, 1.05 * c), title="variance a $p$-feature model cannot fit")
    axes[0].legend(fontsize=7, ncol=2)
    fig.tight_layout()
    return fig


def mc_error_table(view: pd.DataFrame) -> Any:
    """The Monte-Carlo validation table as shown (narrower than exported): ``view`` has the
    columns ``spectrum``, ``d``, ``n``, ``p``, ``formula``, ``test_formula``, ``test_mc``,
    ``rel_err_test`` (fraction), ``z_test`` (standard errors), ``train_formula`` and
    ``train_mc`` (losses); d, n and p are shown in one column. Returns a pandas ``Styler``."""
    dnp = [f"{d} / {n} / {p}" for d, n, p in zip(view["d"], view["n"], view["p"], strict=True)]
    return (view.assign(**{"d / n / p": dnp})
            [["spectrum", "d / n / p", "formula", "test_formula", "test_mc", "rel_err_test",
              "z_test", "train_formula", "train_mc"]]
            .rename(columns={"test_formula": "test (formula)", "test_mc": "test (MC)",
                             "rel_err_test": "rel. error", "z_test": "z",
                             "train_formula": "train (formula)", "train_mc": "train (MC)"})
            .style.format({"test (formula)": "{:.4f}", "test (MC)": "{:.4f}",
                           "rel. error": "{:+.2%}", "z": "{:+.1f}", "train (formula)": "{:.4f}",
                           "train (MC)": "{:.4f}"})
            .hide(axis="index")
            .set_properties(**{"text-align": "right", "padding": "0.2em 0.5em"}))


def _small_panel(ax: Any, x: Any, theory: dict[str, Any], pts: Sequence[int],
                 mc: Sequence[Sequence[float]], xlabel: str, ylim: tuple[float, float]) -> None:
    ax.plot(x, theory["test"], color=PALETTE["test"], label="test, theory")
    ax.plot(x, theory["train"], color=PALETTE["train"], label="train, theory")
    mc = np.array(mc)
    ax.errorbar(pts, mc[:, 2], yerr=2 * mc[:, 3], fmt="o", ms=4, color=PALETTE["test"],
                mfc="white", label="test, Monte Carlo (±2 SE)")
    ax.errorbar(pts, mc[:, 0], yerr=2 * mc[:, 1], fmt="s", ms=3.5, color=PALETTE["train"],
                mfc="white", label="train, Monte Carlo")
    ax.set(xscale="log", xlabel=xlabel, ylabel="loss", ylim=ylim)


def fig2_theory_double_descent(small: dict[str, Any], p_pts: Sequence[int], mc_p: Sequence,
                               n_pts: Sequence[int], mc_n: Sequence, big: dict[float, dict],
                               dd_m: Sequence[float], *, d: int, c: float, mc_m: float,
                               small_n: int, small_p: int, paper_n: int, paper_p: int,
                               paper_peak_p: tuple[float, float],
                               paper_peak_n: float) -> Figure:
    """Double descent of the theory (lower panels of the paper's Fig. 2), 2 x 2 panels.

    Top, small scale (n = ``small_n`` left, p = ``small_p`` right, m = ``mc_m``): ``small`` holds
    ``p_curve`` / ``p_theory`` and ``n_curve`` / ``n_theory`` (theory dicts with ``test`` and
    ``train`` arrays, see :func:`modscale.experiments.theory_checks.small_scale_theory`);
    ``mc_p`` / ``mc_n`` are Monte-Carlo (train mean, train s.e., test mean, test s.e.) at
    ``p_pts`` / ``n_pts``, drawn with 2 s.e. bars. Bottom, paper scale (n = ``paper_n``,
    p = ``paper_p``): ``big[m]`` has ``p``, ``train_p``, ``test_p``, ``n``, ``train_n``,
    ``test_n`` for each task dimension m of ``dd_m`` (colour), with the paper's predicted peak
    (a band ``paper_peak_p`` in p, a line at ``paper_peak_n`` in n). Losses up to 2.2 d c."""
    fig, axes = plt.subplots(2, 2, figsize=(10, 7.2))
    ylim = (0, 2.2 * d * c)
    _small_panel(axes[0, 0], small["p_curve"], small["p_theory"], p_pts, mc_p,
                 "parameters $p$", ylim)
    axes[0, 0].set_title(f"n = {small_n}, m = {mc_m:g} (small scale)")
    _small_panel(axes[0, 1], small["n_curve"], small["n_theory"], n_pts, mc_n,
                 "samples $n$", ylim)
    axes[0, 1].set_title(f"p = {small_p}, m = {mc_m:g} (small scale)")
    axes[0, 0].legend(fontsize=7)
    for m in dd_m:
        col = plt.cm.viridis((m - min(dd_m)) / max(1e-9, max(dd_m) - min(dd_m)))
        b = big[m]
        axes[1, 0].plot(b["p"], b["test_p"], color=col, label=f"test, m={m:g}")
        axes[1, 0].plot(b["p"], b["train_p"], "--", color=col, label=f"train, m={m:g}")
        axes[1, 1].plot(b["n"], b["test_n"], color=col)
        axes[1, 1].plot(b["n"], b["train_n"], "--", color=col)
    axes[1, 0].axvspan(*paper_peak_p, color=PALETTE["paper"], alpha=0.15,
                       label="paper: predicted peak")
    axes[1, 0].set(xscale="log", xlabel="parameters $p$", ylabel="loss",
                   title=f"n = {paper_n} (paper scale)", ylim=ylim)
    axes[1, 1].axvline(paper_peak_n, color=PALETTE["paper"], alpha=0.5,
                       label="paper: predicted peak")
    axes[1, 1].set(xscale="log", xlabel="samples $n$", ylabel="loss",
                   title=f"p = {paper_p} (paper scale)", ylim=ylim)
    axes[1, 0].legend(fontsize=7, ncol=2)
    axes[1, 1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def theory_m_vs_n(m_values: Sequence[float], panels: Sequence[tuple[np.ndarray, str]],
                  archs: Sequence[tuple[int, int]], paper_m: np.ndarray, paper_log: np.ndarray,
                  *, paper_kind: str) -> Figure:
    """The paper's "theoretical m vs n" figure: one panel per ``(grid, kind)`` of ``panels``,
    ``grid`` the required samples n (architectures x ``m_values``, one dashed curve per
    architecture of ``archs``, labelled width×depth), log y. The panel whose ``kind`` is
    ``paper_kind`` adds the paper's digitised curves (log10 n ``paper_log``, curves x
    ``paper_m``)."""
    ms = np.asarray(m_values, dtype=float)
    fig, axes = plt.subplots(1, len(panels), figsize=(10, 4.2), sharey=True)
    for ax, (grid, kind) in zip(axes, panels, strict=True):
        for a, (w, dp) in enumerate(archs):
            ax.plot(ms, grid[a], "--", color=PALETTE["theory"], lw=1.3,
                    label="this theory" if a == 0 else None)
            ax.annotate(f"{w}×{dp}", (ms[-1], grid[a, -1]), fontsize=6, xytext=(2, 0),
                        textcoords="offset points", va="center")
        if kind == paper_kind:
            for a in range(paper_log.shape[0]):
                ax.plot(paper_m, 10 ** paper_log[a], "o", color=PALETTE["paper"], ms=4,
                        label="paper (digitised)" if a == 0 else None)
        ax.set(yscale="log", xlabel="task dimension $m$", title=f"{kind} spectrum")
    axes[0].set_ylabel("required samples $n$")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def calibration_table(calib: pd.DataFrame) -> Any:
    """The calibration grid as shown: ``calib`` rows (``omega``, ``target_ratio``,
    ``rmse_decades``) pivoted to omega x target ratio, green where the RMS error (decades) is
    small, ``-`` where it is undefined. Returns a pandas ``Styler``."""
    return calib.pivot(index="omega", columns="target_ratio", values="rmse_decades").style.format(
        "{:.3f}", na_rep="-").background_gradient(cmap="Greens_r", axis=None).set_caption(
        "RMS error (decades) against the paper's 27 digitised values")


__all__ = ["spectrum_curves", "theory_spectra", "mc_error_table", "fig2_theory_double_descent",
           "theory_m_vs_n", "calibration_table"]
