"""Figures of the chapter *Modular networks: theory* (``book/modular_theory.py``).

Each drawing function takes the arrays the chapter computed or loaded and returns the figure
(or, for the table the page shows, a pandas ``Styler``); losses are in the task's loss units
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


def modular_mc(n_curve: np.ndarray, theory: dict[str, dict[str, Any]], mc_tab: pd.DataFrame,
               *, d: int, c: float, m: int, k: int, q: int) -> Figure:
    """Closed-form train and test loss of the modular model against n (lines; ``theory`` maps
    ``"aligned"`` / ``"random"`` to dicts with ``train`` and ``test`` on ``n_curve``) with the
    Monte-Carlo means (±2 s.e.) of ``mc_tab`` (columns ``alignment``, ``features``
    (``gaussian`` / ``hermite``), ``n``, ``test_mc``, ``test_se``, ``train_mc``, ``train_se``):
    one log-log panel per alignment, losses from 0.05 to 20 d c; ``m``, ``k``, ``q`` (input
    dimension, modules, features per module) title the panels."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, align in zip(axes, ("aligned", "random"), strict=True):
        th = theory[align]
        ax.plot(n_curve, th["test"], color=PALETTE["test"], label="test, theory")
        ax.plot(n_curve, th["train"], color=PALETTE["train"], label="train, theory")
        for feat, mk in (("gaussian", "o"), ("hermite", "^")):
            sub = mc_tab[(mc_tab.alignment == align) & (mc_tab.features == feat)]
            ax.errorbar(sub.n, sub.test_mc, yerr=2 * sub.test_se, fmt=mk, ms=4, mfc="white",
                        color=PALETTE["test"] if feat == "gaussian" else PALETTE["paper"],
                        label=f"test, MC ({feat} features)")
            ax.errorbar(sub.n, sub.train_mc, yerr=2 * sub.train_se, fmt=mk, ms=3, mfc="white",
                        color=PALETTE["train"] if feat == "gaussian" else PALETTE["paper"],
                        alpha=0.8)
        ax.set(xscale="log", yscale="log", xlabel="samples $n$", ylim=(0.05, 20 * d * c),
               title=f"{align} projections (m = {m}, K = k = {k}, q = {q})")
    axes[0].set_ylabel("loss")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig


def mc_error_table(mc_tab: pd.DataFrame) -> Any:
    """The Monte-Carlo check as shown: ``mc_tab``'s ``alignment``, ``features``, ``n``,
    ``regime``, ``formula``, test loss by formula and simulation with its s.e., the relative
    error ``rel_err_test`` (fraction) and ``z_test`` (standard errors). Returns a pandas
    ``Styler``."""
    return (mc_tab[["alignment", "features", "n", "regime", "formula", "test_formula", "test_mc",
                    "test_se", "rel_err_test", "z_test"]]
            .rename(columns={"test_formula": "test (formula)", "test_mc": "test (MC)",
                             "test_se": "test s.e.", "rel_err_test": "rel. error",
                             "z_test": "z"})
            .style.format({"test (formula)": "{:.4f}", "test (MC)": "{:.4f}",
                           "test s.e.": "{:.4f}", "rel. error": "{:+.1%}", "z": "{:+.1f}"})
            .hide(axis="index"))


def theory_modular_sample_complexity(ms: Sequence[float], mono: np.ndarray,
                                     aligned: dict[str, np.ndarray],
                                     random: dict[str, np.ndarray], mono_tr2: np.ndarray, *,
                                     p_total: int, k: int, q: int, c: float,
                                     target: float) -> Figure:
    """Left: required samples against the input dimension ``ms`` (log y) of the monolithic
    model (``mono``, p = ``p_total``) and the aligned and random-projection modular models
    (``aligned["n"]``, ``random["n"]``; ``k`` modules of ``q`` features), at the target loss
    ``target``. Right: the variance each cannot fit, in units of ``c`` (``mono_tr2``,
    ``aligned["tr2"]``, ``random["tr2"]``)."""
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    axes[0].plot(ms, mono, "o-", color=PALETTE["monolithic"], label=f"monolithic, p = {p_total}")
    axes[0].plot(ms, aligned["n"], "s-", color=PALETTE["modular"],
                 label=f"modular, aligned (K = {k} × q = {q})")
    axes[0].plot(ms, random["n"], "^--", color=PALETTE["modular"], alpha=0.7,
                 label="modular, random projections")
    axes[0].set(yscale="log", xlabel="input dimension $m$", ylabel="required samples $n$",
                title=f"target loss {target:g}")
    axes[0].legend(fontsize=8)
    axes[1].plot(ms, mono_tr2 / c, "o-", color=PALETTE["monolithic"], label="monolithic")
    axes[1].plot(ms, aligned["tr2"] / c, "s-", color=PALETTE["modular"],
                 label="modular, aligned")
    axes[1].plot(ms, random["tr2"] / c, "^--", color=PALETTE["modular"], alpha=0.7,
                 label="modular, random")
    axes[1].set(xlabel="input dimension $m$", ylabel="unexplained variance / c", ylim=(0, 1.02),
                title="variance the model cannot fit")
    fig.tight_layout()
    return fig


__all__ = ["modular_mc", "mc_error_table", "theory_modular_sample_complexity"]
