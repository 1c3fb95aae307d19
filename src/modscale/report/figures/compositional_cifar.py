"""Figures of the Compositional CIFAR-10 chapter (``book/compositional_cifar.py``): paper Fig. 5
(an input), Fig. 3b (accuracy against k: the chapter's runs, at the paper's data scale and at the
paper's module dimension), Table 1 at the paper's module dimension, Fig. 12 (a learned
projection), the accuracy-against-noise curve, the scale study and Algorithm 1's held-out
diagnosis. Each function draws data the chapter loaded and returns the figure; the chapter
glues, exports and closes it.

Accuracy frames are those of :mod:`modscale.report.cifar_tables`: accuracies are fractions in
[0, 1] unless a docstring says percent; ``methods`` are keys of
:data:`modscale.training.cifar_models.METHOD_LABELS`, drawn in that order."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from matplotlib.figure import Figure

from modscale.report.style import PALETTE
from modscale.tasks.compositional import unflatten_input
from modscale.training.cifar_models import METHOD_LABELS

MARKERS = {"monolithic": "s", "modular": "^", "ours": "o"}
"""Marker of each method's paper curve (Fig. 3b)."""

VARIANT_STYLE = {"as_run": ("C3", "-"), "large_pool": ("C1", "-"), "early_stop": ("C5", ":"),
                 "bandwidth_grad": ("C0", "-"), "joint": ("C2", "--"),
                 "joint_bandwidth_grad": ("C4", "--")}
"""(colour, line style) of each variant of :data:`modscale.experiments.cifar_alg1.VARIANTS`."""


def projection_rgb(v: torch.Tensor, k: int) -> np.ndarray:
    """A projection column ``v`` (3072 k,) as an RGB image (32, 32k, 3) in [0, 1]: divided by
    its largest absolute value and mapped from [-1, 1] to [0, 1] (grey = 0)."""
    img = unflatten_input(v, k).numpy()
    return 0.5 + 0.5 * img / max(np.abs(img).max(), 1e-12)


def fig5_compositional_example(img: np.ndarray, labels: Sequence[str]) -> Figure:
    """Paper Fig. 5: one input of k images side by side. ``img``: the composite image
    (32, 32k, 3), uint8 or floats in [0, 1]; ``labels``: the k class names, left to right."""
    k_show = len(labels)
    fig, ax = plt.subplots(figsize=(2.0 * k_show, 2.4))
    ax.imshow(img, interpolation="nearest")
    ax.set_xticks([32 * i + 15.5 for i in range(k_show)], list(labels))
    ax.set_yticks([])
    ax.grid(False)
    ax.set_title(f"input of k = {k_show} images (32 x {32 * k_show} x 3); targets below")
    for i in range(1, k_show):
        ax.axvline(32 * i - 0.5, color="white", lw=0.8)
    return fig


def fig3b_compositional_cifar(acc: pd.DataFrame, paper: pd.DataFrame,
                              methods: Sequence[str]) -> Figure:
    """Paper Fig. 3b: test accuracy against k, the chapter's runs next to the paper's curves.
    ``acc``: rows (method, k, mean, count, sem) (:func:`modscale.report.cifar_tables.summary`),
    a band of ± s.e. where every k has several seeds; ``paper``: rows (method, k, acc)
    (:func:`modscale.report.cifar_tables.paper_fig3b_frame`)."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for method in methods:
        a = acc[acc["method"] == method].sort_values("k")
        c = PALETTE[method]
        ax.plot(a["k"], a["mean"], "-o", color=c, label=f"{METHOD_LABELS[method]} (this book)",
                ms=4)
        if (a["count"] > 1).all():
            ax.fill_between(a["k"], a["mean"] - a["sem"], a["mean"] + a["sem"], color=c,
                            alpha=0.25, lw=0)
        p = paper[paper["method"] == method]
        ax.plot(p["k"], p["acc"], "--", marker=MARKERS[method], color=PALETTE["paper"], ms=4,
                lw=1, alpha=0.8, label=f"paper: {METHOD_LABELS[method]}")
    ax.set_xlabel("number of images k")
    ax.set_ylabel("test accuracy (per position)")
    ax.axhline(0.1, color="grey", lw=0.6, ls=":")
    ax.legend(fontsize=7, ncol=2, loc="lower left")
    return fig


def noise_curve(runs: pd.DataFrame, methods: Sequence[str], noise_std: float) -> Figure:
    """Test accuracy against the std of the input noise (beyond the paper), mean ± s.e. over
    seeds. ``runs``: one row per network at one k, with a column ``acc_noise_<std>`` per noise
    level (accuracy); ``noise_std``: the Table 1 level, marked by a dotted line."""
    noise_cols = [c for c in runs.columns if c.startswith("acc_noise_")]
    fig, ax = plt.subplots(figsize=(5.2, 3.4))
    for method in methods:
        g = runs[runs["method"] == method]
        lv = [float(c.removeprefix("acc_noise_")) for c in noise_cols]
        mu = [g[c].mean() for c in noise_cols]
        se = [g[c].std(ddof=1) / np.sqrt(len(g)) if len(g) > 1 else 0.0 for c in noise_cols]
        ax.errorbar(lv, mu, yerr=se, marker="o", ms=4, capsize=2, color=PALETTE[method],
                    label=METHOD_LABELS[method])
    ax.axvline(noise_std, color="grey", lw=0.6, ls=":")
    ax.set_xlabel("noise std (normalised input units)")
    ax.set_ylabel("test accuracy")
    ax.legend(fontsize=8)
    return fig


def fig12_projection_slice(runs: Mapping[str, Mapping], k: int, n_show: int) -> Figure:
    """Paper Fig. 12: column 0 of the learned projection of the first ``n_show`` modules of
    network 0, one column of panels per method. ``runs``: {method: run payload} with
    ``slice_final`` (K, 3072 k) and ``energy_final`` (networks, K, k; the share of each image
    position, printed under each panel)."""
    mods = list(runs)
    fig, axes = plt.subplots(n_show, len(mods), figsize=(1.25 * k * len(mods) + 0.6,
                                                         1.45 * n_show),
                             squeeze=False, constrained_layout=True)
    for j, method in enumerate(mods):
        r = runs[method]
        for i in range(n_show):
            ax = axes[i, j]
            ax.imshow(projection_rgb(r["slice_final"][i], k), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            share = r["energy_final"][0, i]
            ax.set_xlabel("share per image: " + " ".join(f"{float(v):.2f}" for v in share),
                          fontsize=7)
            if j == 0:
                ax.set_ylabel(f"module {i}", fontsize=8)
            if i == 0:
                ax.set_title(METHOD_LABELS[method], fontsize=9)
    return fig


def fig3b_scale(panels: Sequence[tuple[pd.DataFrame, str]], paper: pd.DataFrame,
                methods: Sequence[str]) -> Figure:
    """Fig. 3b redrawn at two data scales, one panel each (shared y axis). ``panels``: (rows
    (method, k, mean, sem) as :func:`modscale.report.cifar_tables.summary`, panel title);
    ``paper``: rows (method, k, acc), drawn dashed in every panel. The legend is in the second
    panel."""
    fig, axes = plt.subplots(1, 2, figsize=(9.6, 3.8), sharey=True, constrained_layout=True)
    for ax, (frame, title) in zip(axes, panels, strict=True):
        for method in methods:
            a = frame[frame["method"] == method].sort_values("k")
            ax.errorbar(a["k"], a["mean"], yerr=a["sem"].fillna(0), marker="o", ms=4,
                        capsize=2, color=PALETTE[method], label=METHOD_LABELS[method])
            p = paper[paper["method"] == method]
            ax.plot(p["k"], p["acc"], "--", marker=MARKERS[method], color=PALETTE["paper"],
                    ms=3, lw=1, alpha=0.7, label=f"paper: {METHOD_LABELS[method]}")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("number of images k")
        ax.axhline(0.1, color="grey", lw=0.6, ls=":")
    axes[0].set_ylabel("test accuracy (per position)")
    axes[1].legend(fontsize=7, ncol=2, loc="lower left")
    return fig


def cifar_scale(study: pd.DataFrame, methods: Sequence[str], ks: Sequence[int],
                module_dims: Sequence[int], paper: Mapping[str, Sequence]) -> Figure:
    """The scale study: test accuracy against the number of training combinations (log axis),
    one panel per k in ``ks``, mean ± s.e. over seeds. ``study``: one row per network with
    columns method, k, module_dim, n_train, accuracy (:func:`~modscale.report.cifar_tables.
    scale_frame`); the first of ``module_dims`` is drawn as lines, the others as open markers;
    ``paper``: the paper's Fig. 3b (:data:`modscale.paper_data.FIG3B`: ``k`` and one accuracy
    list per method), a dashed level per method where it has the panel's k."""
    b0 = module_dims[0]
    fig, axes = plt.subplots(1, len(ks), figsize=(4.6 * len(ks) + 1.8, 3.6),
                             squeeze=False, sharey=True, constrained_layout=True)
    for ax, k in zip(axes[0], ks, strict=True):
        g = study[study["k"] == k]
        for method in methods:
            for j, b in enumerate(module_dims):  # b0 a line, larger b open markers
                h = g[(g["method"] == method) & (g["module_dim"] == b)]
                if h.empty:
                    continue
                st = h.groupby("n_train")["accuracy"].agg(["mean", "std", "count"]).reset_index()
                se = (st["std"] / np.sqrt(st["count"])).fillna(0)
                ax.errorbar(st["n_train"], st["mean"], yerr=se,
                            fmt="-o" if b == b0 else "DsP^v"[(j - 1) % 5],
                            ms=4, capsize=2, color=PALETTE[method],
                            mfc=PALETTE[method] if b == b0 else "none",
                            label=f"{METHOD_LABELS[method]}" + ("" if b == b0 else f", b = {b}"))
            pk = paper["k"].index(k) if k in paper["k"] else None
            if pk is not None:
                ax.axhline(paper[method][pk], color=PALETTE[method], ls="--", lw=0.8, alpha=0.6)
        ax.set_xscale("log")
        ax.set_xlabel("training combinations (one epoch)")
        ax.set_title(f"k = {k} (dashed: paper at 10⁶, b = 512)", fontsize=9)
    axes[0, 0].set_ylabel("test accuracy (per position)")
    # One legend beside the panels (the panel with the most entries has every module dimension).
    handles, labels = max((a.get_legend_handles_labels() for a in axes[0]),
                          key=lambda hl: len(hl[1]))
    fig.legend(handles, labels, fontsize=7, loc="outside right center")
    return fig


def cifar_alg1_heldout(runs: Sequence[Mapping], dims: Sequence[int]) -> Figure:
    """Algorithm 1's held-out diagnosis: change of the per-point kernel objective from step 0
    (percent) against the step, one panel per module dimension in ``dims``. ``runs``: payloads
    of :func:`modscale.experiments.cifar_alg1.run` (``spec`` with ``module_dim`` and
    ``variant``, ``steps`` (T,), ``heldout`` and ``batch`` (T, networks)); held-out with
    markers, the mini-batch thin, colour and line style per variant (:data:`VARIANT_STYLE`)."""
    fig, axes = plt.subplots(1, len(dims), figsize=(3.6 * len(dims), 3.9),
                             squeeze=False, sharey=True, constrained_layout=True)
    for ax, b in zip(axes[0], dims, strict=True):
        for r in (r for r in runs if r["spec"]["module_dim"] == b):
            v = r["spec"]["variant"]
            col, ls = VARIANT_STYLE.get(v, ("k", "-"))
            steps = r["steps"].numpy()
            ax.plot(steps, 100 * (r["heldout"].mean(1) / r["heldout"][0].mean() - 1).numpy(),
                    color=col, ls=ls, marker="o", ms=3, label=f"{v} (held-out)")
            ax.plot(steps, 100 * (r["batch"].mean(1) / r["batch"][0].mean() - 1).numpy(),
                    color=col, ls=ls, lw=0.8, alpha=0.45)
        ax.axhline(0, color="0.5", lw=0.6)
        ax.set_xlabel("Algorithm 1 step")
        ax.set_title(f"b = {b}", fontsize=10)
    axes[0, 0].set_ylabel("objective change from step 0 (%)")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, fontsize=7.5, loc="outside lower center", ncol=3)
    return fig


def fig3b_paper_dim(acc: pd.DataFrame, paper: Mapping[str, Sequence], methods: Sequence[str],
                    module_dim: int) -> Figure:
    """Fig. 3b at the paper's module dimension. ``acc``: rows (method, k, mean, sem)
    (:func:`modscale.report.cifar_tables.summary`), drawn mean ± s.e.; ``paper``: the paper's
    Fig. 3b (:data:`modscale.paper_data.FIG3B`), dashed; ``module_dim``: b, for the legend."""
    fig, ax = plt.subplots(figsize=(5.4, 3.6), constrained_layout=True)
    for m in methods:
        g = acc[acc["method"] == m].sort_values("k")
        ax.errorbar(g["k"], g["mean"], yerr=g["sem"].fillna(0), fmt="-o", ms=4, capsize=2,
                    color=PALETTE[m], label=f"{METHOD_LABELS[m]} (b = {module_dim})")
        ax.plot(paper["k"], paper[m], ls="--", lw=1, color=PALETTE[m], alpha=0.6)
    ax.set(xlabel="number of images k", ylabel="test accuracy (per position)")
    ax.set_xticks(paper["k"])
    ax.legend(fontsize=8, title="dashed: paper (10⁶ combinations)", title_fontsize=8)
    return fig


def table1_paper_dim(runs: pd.DataFrame, methods: Sequence[str], noise_std: float,
                     paper: Mapping[str, Sequence[float]]) -> Figure:
    """Table 1 at the paper's module dimension: per-seed accuracy (percent; dots), mean ± s.e.
    (circles) and the paper's value (red dashes), one panel for the OOD accuracy and one under
    input noise of std ``noise_std``. ``runs``: one row per network at the table's k with
    columns method, acc_ood, ``acc_noise_<noise_std>`` (fractions; a missing column is an
    error: it once drew the paper's dashes alone); ``paper``: the paper's Table 1
    (:data:`modscale.paper_data.TABLE1`, rows in the order of ``METHOD_LABELS``)."""
    t1_cols = [("acc_ood", "combinatorial_ood_accuracy", "OOD (held-out class tuples)"),
               (f"acc_noise_{noise_std:g}", "accuracy_under_noise",
                f"input noise std {noise_std:g}")]
    missing = [c for c, _, _ in t1_cols if c not in runs]
    if missing:
        raise KeyError(f"table1_paper_dim: runs lacks the columns {missing} (has "
                       f"{list(runs.columns)})")
    fig, axes = plt.subplots(1, 2, figsize=(7.6, 3.3), sharey=False, constrained_layout=True)
    for ax, (col, paper_col, title) in zip(axes, t1_cols, strict=True):
        for i, m in enumerate(methods):
            v = 100 * runs[runs["method"] == m][col].to_numpy()
            if len(v):
                ax.scatter(np.full(len(v), i) + np.linspace(-0.12, 0.12, len(v)), v, s=14,
                           color=PALETTE[m], alpha=0.7)
                ax.errorbar(i + 0.25, v.mean(), yerr=v.std(ddof=1) / np.sqrt(len(v))
                            if len(v) > 1 else 0, fmt="o", color=PALETTE[m], capsize=3)
            ax.plot([i - 0.3, i + 0.3], [paper[paper_col][list(METHOD_LABELS).index(m)]] * 2,
                    color="C3", ls="--", lw=1.2)
        ax.set_xticks(range(len(methods)), [METHOD_LABELS[m] for m in methods], fontsize=8)
        ax.set_title(title, fontsize=9)
        ax.set_ylabel("accuracy (%)")
    return fig


def fig12_paper_dim(slices: Mapping[str, torch.Tensor], k: int) -> Figure:
    """Fig. 12 at the paper's module dimension: column 0 of the projection of the first (at most
    4) modules of network 0 after training, one column of panels per modular method.
    ``slices``: {method: (K, 3072 k) projection columns}; methods other than ``modular`` and
    ``ours`` are not drawn."""
    mods = [m for m in ("modular", "ours") if m in slices]
    n_sh = min(4, min(len(slices[m]) for m in mods))
    fig, axes = plt.subplots(n_sh, len(mods), figsize=(1.25 * k * len(mods) + 0.6,
                                                       1.35 * n_sh + 0.5),
                             squeeze=False, constrained_layout=True)
    for j, m in enumerate(mods):
        for i in range(n_sh):
            ax = axes[i, j]
            ax.imshow(projection_rgb(slices[m][i], k), interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0:
                ax.set_title(METHOD_LABELS[m], fontsize=9)
    return fig
