"""The sine chapter's figures (modscale.report.figures.sine_regression), sentences
(modscale.report.prose.sine_regression) and the theory's lines of Fig. 2
(modscale.report.theory_fit.fig2_theory_lines), on small synthetic inputs."""

from __future__ import annotations

import itertools

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from modscale import paper_data
from modscale.report import analysis
from modscale.report.analysis import fig2_panels
from modscale.report.figures import sine_regression as figures
from modscale.report.prose import sine_regression as prose
from modscale.report.theory_fit import fig2_theory_lines, theory_predictions

THEORY = {"c": 3.0, "omega": 1.2, "kind": "telescoping", "noise_var": 0.4}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _grid() -> pd.DataFrame:
    """Grid-sweep rows: m in (2, 3), two architectures, two seeds, n in (100, 1000, 10000)."""
    rows = []
    for m, (w, d), seed, n in itertools.product((2, 3), ((8, 3), (32, 3)), (0, 1),
                                               (100, 1000, 10000)):
        p = w * (m + 1) + w * (w + 1) * (d - 2) + w + 1
        test = 3.0 + m * 0.1 - np.log10(n) * 0.5 + 0.01 * seed
        rows.append({"m": m, "width": w, "depth": d, "p": p, "seed": seed, "n": n,
                     "train": test / 2, "test": test})
    return pd.DataFrame(rows)


def _ksweep() -> pd.DataFrame:
    """k-sweep rows at n = 1000: k in (2, 4), two architectures, two seeds."""
    rows = [{"k": k, "width": w, "depth": 3, "p": 40 * w, "seed": seed,
             "train": 0.5 + 0.1 * k, "test": 1.5 + 0.1 * k + 0.02 * seed}
            for k, w, seed in itertools.product((2, 4), (8, 32), (0, 1))]
    return pd.DataFrame(rows)


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --- prose ---------------------------------------------------------------------------------


def test_calibration_mode():
    assert prose.calibration_mode("fitted") == "the grid point of least objective"
    assert prose.calibration_mode("manual") == "set by hand, task_knobs = manual"


def test_calibration_sentence_on_and_off_the_grid():
    assert prose.calibration_sentence(0.1) == (
        "its six fitted levels are off the paper's by a factor 1.11 on average (RMS log "
        "residual 0.10) on the calibration runs")
    assert prose.calibration_sentence(None) == (
        "this point is not on the calibration grid, so it has no grid objective")


def test_seed_cut_sentences():
    assert prose.seed_cut_count(3, 8) == (
        "3 of 8 single-seed verdicts equal the verdict on all seeds")
    assert prose.seed_cut_sentence(8, 8) == (
        "8 of 8 single-seed verdicts equal the verdict on all seeds")
    assert prose.seed_cut_sentence(6, 8) == (
        "6 of 8 single-seed verdicts equal the verdict on all seeds; the others show which "
        "claims hinge on seed noise")


def test_profile_cuts():
    ours = {"n_seeds": 2, "iters": 10000, "widths": (8, 32)}
    assert prose.profile_cuts(ours, {"n_seeds": 5, "iters": 10000, "widths": (8, 32, 128)}) == (
        "n_seeds = 2 (paper profile: 5); widths = (8, 32) (paper profile: (8, 32, 128))")
    assert prose.profile_cuts(ours, dict(ours)) == "nothing is cut: this is the paper profile"


def test_threshold_verdicts():
    assert prose.threshold_verdicts([(1.2, "reproduced"), (2.0, "partly")], 1.5) == (
        "1.2: reproduced; 2: partly (the book uses 1.5)")


def test_held_within_and_far():
    assert prose.held_within(pd.Series(["a", "b"])) == "a; b"
    assert prose.held_within(pd.Series([], dtype=str)) == "none"
    assert prose.held_far(["peak", "floor"], [2.5, 0.411]) == "peak (2.50x); floor (0.41x)"


def test_harder_module_outcome():
    alt = pd.Series([1.164, 7.3], index=[2, 9])
    main = pd.Series([1.0, 3.756], index=[2, 9])
    assert prose.harder_module_outcome(1000, alt, main) == (
        "test loss at n = 1000 from 1.16 (m = 2) to 7.30 (m = 9), against 1.00 to 3.76 on the "
        "main task")


# --- the theory's lines ----------------------------------------------------------------------


def test_fig2_theory_lines():
    grid, ksweep = _grid(), _ksweep()
    panels = fig2_panels(grid, ksweep, n_fig2=1000, n_panel_width=8, n_panel_depth=3)
    lines = fig2_theory_lines(grid, ksweep, panels, n_fig2=1000, m_fixed=2, points=20, **THEORY)
    assert set(lines) == {"k", "m", "p", "n"}
    for x, ys in lines.values():
        assert set(ys) == {"train", "test"}
        assert all(len(y) == len(x) for y in ys.values())
    # k: flat at the mean over the k-sweep's architectures
    k_test = lines["k"][1]["test"]
    assert np.allclose(k_test, np.mean(theory_predictions(1000, [320, 1280], 2, **THEORY)[1]))
    # m: the mean over the grid's architectures at each m
    p3 = grid[(grid.m == 3) & (grid.n == 1000)].groupby(["width", "depth"])["p"].mean()
    assert lines["m"][1]["test"][1] == pytest.approx(
        np.mean(theory_predictions(1000, p3.to_numpy(), 3, **THEORY)[1]))
    # p: the interpolation threshold (infinite) is left out
    assert len(lines["p"][0]) <= 20 and not np.any(np.abs(lines["p"][0] - 1000) <= 1)
    assert lines["p"][0][0] == 50 and len(lines["n"][0]) == 20


# --- figures ---------------------------------------------------------------------------------


def test_fig1_sine_task():
    t = np.linspace(-5, 5, 21)
    comps = np.stack([np.sin(t), 0.5 * np.sin(3 * t), 0.2 * np.sin(5 * t)], 1)
    fig = figures.fig1_sine_task(t, comps, comps.sum(1), np.zeros(4), np.ones(4))
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert len(ax.lines) == 5 and len(ax.collections) == 1
    assert _labels(ax) == ["sine wave components", "target function (module 1)",
                           "paper's Fig. 1 module (fitted)", "training points"]


def test_fig2_loss_trends():
    grid, ksweep = _grid(), _ksweep()
    panels = fig2_panels(grid, ksweep, n_fig2=1000, n_panel_width=8, n_panel_depth=3)
    lines = {name: (panels[name].x, {"train": panels[name].x * 0 + 0.5,
                                     "test": panels[name].x * 0 + 1.5})
             for name in ("k", "m", "p", "n")}
    fig = figures.fig2_loss_trends(
        panels, lines, paper_k=paper_data.FIG2_K, paper_m=paper_data.FIG2_M,
        paper_p=paper_data.FIG2_P, paper_n=paper_data.FIG2_N, m_fixed=2, k_fixed=4,
        n_fig2=1000, n_panel_width=8, n_panel_depth=3, p_n=100)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    ax_k, ax_m, ax_p, ax_n = fig.axes
    # k: 2 archs x 2 splits thin + 2 thick + 2 theory + the paper's point and level
    assert len(ax_k.lines) == 10 and len(ax_k.collections) == 3  # 2 seed bands, paper range
    assert ax_k.get_title() == "vs k  (m = 2, n = 1000)"
    assert ax_p.get_xscale() == "log" and ax_p.get_ylim() == (0, 6)
    assert ax_n.get_title() == "vs n  (width 8, depth 3, p ~ 100; thin: each m)"
    assert _labels(ax_n) == ["train, measured (mean)", "test, measured (mean)",
                             "train, theory", "test, theory", "paper: test, measured",
                             "paper: test, predicted"]
    assert ax_m.get_xlabel() == "m (input dimension)"


def test_fig3a_monolithic():
    sc_main = pd.DataFrame({"m": [2, 3, 2, 3], "width": [8, 8, 32, 32], "depth": 3,
                            "n_required": [300.0, 900.0, 200.0, 700.0]})
    agg_main = pd.DataFrame({"geo_mean_n": [245.0, 794.0]}, index=pd.Index([2, 3], name="m"))
    fig = figures.fig3a_monolithic(sc_main, agg_main, threshold=1.5, paper_m=(2, 3),
                                   paper_n=(2160, 526), paper_threshold=1.5,
                                   n_grid=[100.0, 1000.0, 10000.0])
    ax = fig.axes[0]
    assert len(fig.axes) == 1 and len(ax.lines) == 4 and len(ax.patches) == 2
    assert _labels(ax) == ["monolithic, ours (test loss 1.5)",
                           "monolithic, paper (test loss 1.5)"]
    assert ax.get_yscale() == "log" and ax.get_ylim() == pytest.approx((50.0, 20000.0))


def test_sine_calibration():
    cal = pd.DataFrame({"role": ["fit", "fit", "held-out"], "paper": [1.0, 2.0, 3.0],
                        "measured": [1.1, 1.8, 4.0], "seed_sd": [0.1, np.nan, 0.2]})
    fig = figures.sine_calibration(cal)
    ax = fig.axes[0]
    assert len(fig.axes) == 1
    assert _labels(ax) == ["within a factor 1.25", "fit (2)", "held-out (1)"]
    assert ax.get_xlim() == pytest.approx((1.0 / 1.5, 4.0 * 1.5))


def test_harder_module_curves_table_and_figure():
    base = _grid()
    main = base[base.width == 8]
    alt = main.assign(test=main["test"] * 2)
    variants = {"amplitudes (1.0, 0.5, 0.2) (main)": main, "amplitudes (1.0, 1.0, 1.0)": alt}
    curves = analysis.harder_module_curves(variants, n_fig2=1000)
    at_n, by_n = curves["amplitudes (1.0, 1.0, 1.0)"]
    assert list(at_n.index) == [2, 3] and list(by_n.index) == [100, 1000, 10000]
    assert at_n[2] == pytest.approx(alt[(alt.n == 1000) & (alt.m == 2)]["test"].mean())
    table = analysis.harder_module_table(variants, curves, ms=[2, 3], thresholds=(1.5, 2.0),
                                        shown=(2.0, 1.5), rule="first", n_fig2=1000)
    assert list(table.columns) == ["task", "quantity", "m=2", "m=3"]
    assert list(table["quantity"]) == ["n to reach test loss 2.0", "n to reach test loss 1.5",
                                       "test loss at n=1000"] * 2
    assert table.iloc[2]["m=3"] == pytest.approx(curves[next(iter(variants))][0][3])
    fig = figures.sine_harder_module(curves, paper_m=paper_data.FIG2_M,
                                     paper_n=paper_data.FIG2_N, n_fig2=1000)
    axa, axb = fig.axes
    assert len(axa.lines) == 3 and len(axb.lines) == 3
    assert _labels(axa) == [*variants, "paper (all architectures)"]
    assert axa.get_title() == "test loss vs m (n = 1000)" and axb.get_xscale() == "log"
