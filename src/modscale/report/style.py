"""Plot style and seeding (shared by every chapter; devices: :mod:`modscale.infra.device`).

Nothing here changes a computed result: no cached experiment depends on this module, so a
style edit only redraws (see :mod:`modscale.infra.cache`). ``progress_bar`` is re-exported from
:mod:`modscale.infra.progress` for the chapters.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from modscale.infra.progress import progress_bar  # noqa: F401 - re-exported for the chapters

PALETTE = {
    "monolithic": "#4C72B0",
    "modular": "#DD8452",
    "ours": "#55A868",
    "theory": "#303030",
    "paper": "#C44E52",
    "train": "#8172B3",
    "test": "#4C72B0",
}
"""Colours used consistently across chapters (methods, theory, the paper's digitised values)."""


def set_style() -> None:
    """Matplotlib/seaborn style of the book (white grid, readable fonts, 150-dpi figures)."""
    import matplotlib as mpl
    import seaborn as sns

    sns.set_theme(context="notebook", style="whitegrid", font_scale=0.95)
    mpl.rcParams.update({
        "figure.dpi": 110, "savefig.dpi": 150, "savefig.bbox": "tight",
        "figure.figsize": (6.4, 4.0), "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False,
    })


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and PyTorch (all devices)."""
    import torch

    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def tsne_panels(panels: list[tuple[str, Any]], target: Any, *, seed: int,
                figsize: tuple[float, float]) -> Any:
    """One figure of t-SNE maps (:func:`modscale.training.alignment.tsne_directions`), a panel per
    ``(title, learned directions (K, m))`` of ``panels``, each embedded jointly with ``target``
    (k, m): learned points in the paper's red, targets in blue, legend in the first panel."""
    import matplotlib.pyplot as plt

    from modscale.training.alignment import tsne_directions

    fig, axes = plt.subplots(1, len(panels), figsize=figsize, squeeze=False)
    for ax, (title, dirs) in zip(axes[0], panels, strict=True):
        el, et = tsne_directions(dirs, target, seed=seed)
        ax.scatter(el[:, 0], el[:, 1], s=60, color=PALETTE["paper"], alpha=0.45, label="learned")
        ax.scatter(et[:, 0], et[:, 1], s=60, color="#5A5AE6", alpha=0.55, label="target")
        ax.set_title(title, fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0, 0].legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
