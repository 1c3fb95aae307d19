"""The A4 print rule for figures: legend, axis and tick text at least 7 pt on the PDF page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from modscale.report import style  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _fig(width: float, legend_pt: float = 6.0):
    style.set_style()
    fig, axes = plt.subplots(1, 2, figsize=(width, 3.5))
    axes[0].plot([0, 1], [0, 1], label="a line")
    axes[0].legend(fontsize=legend_pt)
    axes[0].set_xlabel("n")
    return fig


@pytest.mark.parametrize("width", [3.0, 6.4, 11.0])
def test_print_scale_predicts_the_png_width(width):
    """The model behind the rule: the notebook's PNG (tight box, fig.dpi) is as wide as
    print_scale assumes, measured on the real image."""
    from PIL import Image

    fig = _fig(width)
    fig.canvas.draw()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=fig.dpi, bbox_inches="tight", pad_inches=0.1)
    px = Image.open(buf).size[0]
    expected = fig.dpi / 96 * min(1.0, style.PRINT_WIDTH_PX / px)
    assert style.print_scale(fig) == pytest.approx(expected, rel=0.01)
    plt.close(fig)


def test_wide_figure_is_enlarged_to_the_minimum():
    fig = _fig(14.0)
    assert min(p for _, p in style.printed_points(fig)) < style.MIN_PRINT_PT  # it could fail
    style.fit_for_print(fig)
    pts = dict(style.printed_points(fig))
    assert min(pts.values()) >= style.MIN_PRINT_PT - 1e-6
    assert "a line" in pts
    plt.close(fig)


def test_readable_figure_is_left_alone():
    fig = _fig(5.0, legend_pt=9.0)
    before = [t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()]
    style.fit_for_print(fig)
    assert [t.get_fontsize() for t in fig.axes[0].get_legend().get_texts()] == before
    plt.close(fig)


def test_chapter_glue_fits_figures(monkeypatch):
    import myst_nb

    from modscale.report import notebook

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display=True: seen.update(
        {name: min(p for _, p in style.printed_points(value))}))
    notebook.glue("fig_x", _fig(14.0))
    assert seen["fig_x"] >= style.MIN_PRINT_PT - 1e-6


def test_chapters_glue_through_the_rule():
    """No chapter glues with myst_nb directly (its figures would skip the rule), and the
    constant agrees with the PDF build's text width."""
    for f in sorted((REPO / "book").glob("*.py")):
        assert not re.search(r"^from myst_nb import", f.read_text(), re.M), f.name
    text = (REPO / "tools" / "build_pdf.py").read_text()
    margin = int(re.search(r"^MARGIN_MM = (\d+)", text, re.M).group(1))
    assert round((210 - 2 * margin) / 25.4 * 96) == style.PRINT_WIDTH_PX
