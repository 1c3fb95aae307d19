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


PRINT_WIDTH_PX = 688
"""Text width of the book's A4 PDF in CSS pixels (210 mm less two 14 mm margins at 96 px per
inch; ``tools/build_pdf.CONTENT_PX``). A figure image wider than this is scaled down to it."""
MIN_PRINT_PT = 7.0
"""Smallest size, in points on the A4 page, of a figure's legend, axis and tick text."""


def print_scale(fig: Any) -> float:
    """Printed points per point of figure text when ``fig`` is shown in the A4 PDF.

    The notebook shows a figure as a PNG at ``fig.dpi`` with a tight bounding box (0.1 in
    padding); the page prints it at 96 CSS pixels per inch, scaled down to
    :data:`PRINT_WIDTH_PX` when wider. A point of text is ``dpi / 72`` pixels, a CSS pixel 0.75
    points, so the factor is ``dpi / 96 * min(1, PRINT_WIDTH_PX / width_px)``.
    """
    renderer = fig.canvas.get_renderer()
    width_px = (fig.get_tightbbox(renderer).width + 0.2) * fig.dpi
    return fig.dpi / 96 * min(1.0, PRINT_WIDTH_PX / width_px)


def _print_texts(fig: Any) -> list[Any]:
    """The text artists the print rule covers: legend entries and titles, axis labels, tick
    labels, axes titles and the figure's suptitle (annotations drawn inside a plot are not)."""
    texts = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is not None:
            texts += [*leg.get_texts(), leg.get_title()]
        texts += [ax.xaxis.label, ax.yaxis.label, ax.title, ax._left_title, ax._right_title]
        texts += [*ax.get_xticklabels(), *ax.get_yticklabels()]
    for leg in fig.legends:
        texts += [*leg.get_texts(), leg.get_title()]
    if getattr(fig, "_suptitle", None) is not None:
        texts.append(fig._suptitle)
    return [t for t in texts if t.get_visible() and t.get_text().strip()]


def printed_points(fig: Any) -> list[tuple[str, float]]:
    """``(text, printed size in points)`` of every text :func:`fit_for_print` covers, at the
    figure's current layout (see :func:`print_scale`)."""
    fig.canvas.draw()
    scale = print_scale(fig)
    return [(t.get_text(), t.get_fontsize() * scale) for t in _print_texts(fig)]


def fit_for_print(fig: Any, minimum: float = MIN_PRINT_PT) -> Any:
    """Enlarge every covered text of ``fig`` that would print below ``minimum`` points on the
    A4 page to exactly ``minimum``, then redo the layout; repeated until all fit (enlarged text
    can widen the tight bounding box). Returns ``fig``; raises ``ValueError`` if the texts still
    print below ``minimum`` after 5 passes."""
    for _ in range(5):
        fig.canvas.draw()
        scale = print_scale(fig)
        small = [t for t in _print_texts(fig) if t.get_fontsize() * scale < minimum - 1e-6]
        if not small:
            return fig
        for t in small:
            t.set_fontsize(minimum / scale * 1.001)
        if not fig.get_constrained_layout():
            fig.tight_layout()
    bad = [(text, round(pt, 2)) for text, pt in printed_points(fig) if pt < minimum - 1e-6]
    if bad:
        raise ValueError(f"figure text prints below {minimum} pt on A4: {bad[:5]}")
    return fig
