"""The theory chapter's figures, sentences and summaries (``modscale.report.figures.theory``,
``modscale.report.prose.theory`` and the chapter helpers of
``modscale.experiments.theory_checks``), on small synthetic inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from modscale.experiments import theory_checks as tc  # noqa: E402
from modscale.report.figures import theory as figs  # noqa: E402
from modscale.report.prose import theory as prose  # noqa: E402

CFG = {"mc_spectra": ["telescoping", "isotropic"], "mc_n": [10, 30], "mc_p": [8, 40],
       "mc_d": [1, 2], "mc_m": 3.0, "mc_features": 60, "c": 1.0, "omega": 1.5, "s": 1.0,
       "mc_trials": 5, "seed": 0, "method": "auto", "d": 1, "dd_small_n": 20,
       "dd_small_p": 20, "dd_small_points": 6, "spectrum_kind": "telescoping",
       "curve_points": 12}


# ---------------------------------------------------------------------------- prose


def test_det_phrase_systematic_beyond_the_noise():
    assert prose.det_phrase(5.25) == (
        "a gap beyond the Monte-Carlo noise (up to 5.2 standard errors), i.e. a systematic "
        "error of the approximation")


def test_det_phrase_within_the_noise():
    assert prose.det_phrase(4.0) == (
        "within the Monte-Carlo noise at this number of trials (up to 4.0 standard errors)")


def test_calibration_outcome_with_the_defaults_on_the_grid():
    assert prose.calibration_outcome(0.1234, 1.45, 1.0, omega=1.5, ratio=1.0,
                                     default_rmse=0.2) == (
        "smallest RMS error 0.123 decades at $\\Omega$ = 1.45, target ratio 1; the defaults "
        "($\\Omega$ = 1.5, ratio 1) give 0.200")


def test_calibration_outcome_with_the_defaults_off_the_grid():
    assert prose.calibration_outcome(0.05, 1.3, 1.2, omega=1.5, ratio=1.0,
                                     default_rmse=None) == (
        "smallest RMS error 0.050 decades at $\\Omega$ = 1.3, target ratio 1.2; the defaults "
        "are not on this grid")


# ---------------------------------------------------------------------------- chapter helpers


def test_mc_cases_skip_the_threshold():
    cases = tc.mc_cases(CFG)
    # (n, p, d) with |p - d n| < 5: (10, 8, 1) only; 2 spectra x 7 remaining triples.
    assert len(cases) == 14
    assert not any(c["n"] == 10 and c["p"] == 8 and c["d"] == 1 for c in cases)
    assert cases[0] == {"spectrum": "telescoping", "n": 10, "p": 8, "d": 2, "m": 3.0, "P": 60,
                        "c": 1.0, "omega": 1.5, "s": 1.0, "trials": 5, "seed": 0,
                        "method": "auto"}


def test_mc_summary_maxima():
    table = pd.DataFrame({"formula": ["exact", "exact", "deterministic"],
                          "rel_err_test": [0.01, -0.03, -0.08],
                          "rel_err_train": [0.002, -0.004, 0.0],
                          "z_test": [1.0, -2.5, -6.0], "z_train": [0.5, 3.0, 0.0]})
    s = tc.mc_summary(table)
    assert len(s["exact_rows"]) == 2 and len(s["det_rows"]) == 1
    assert s["max_rel_exact"] == pytest.approx(0.03)
    assert s["max_z_exact"] == pytest.approx(3.0)
    assert s["max_rel_det"] == pytest.approx(0.08)
    assert s["max_rel_train"] == pytest.approx(0.004)
    assert s["max_z_det"] == pytest.approx(6.0) and s["det_below"] == 1
    s = tc.mc_summary(table.iloc[:2])
    assert np.isnan(s["max_rel_det"]) and s["max_z_det"] == 0.0 and s["det_below"] == 0


def test_dd_mc_points_and_small_scale_curves():
    P, p_pts, n_pts = tc.dd_mc_points(CFG)
    assert P == 80
    assert p_pts and all(abs(p - 20) >= 5 and p <= P for p in p_pts)
    assert n_pts == sorted(n_pts) and all(abs(n - 20) >= 5 for n in n_pts)
    small = tc.small_scale_theory(CFG, P)
    assert small["lam"].shape == (P,)
    assert small["p_theory"]["test"].shape == small["p_curve"].shape
    assert small["n_theory"]["train"].shape == (12,)
    mc_p = [(0.1, 0.01, 1.0, 0.1)] * len(p_pts)
    mc_n = [(0.1, 0.01, 1.0, 0.1)] * len(n_pts)
    gap, labels = tc.small_scale_gaps(CFG, small, p_pts, n_pts, mc_p, mc_n)
    assert gap.shape == (len(p_pts) + len(n_pts),) and np.all(gap >= 0)
    assert labels[0] == f"p = {p_pts[0]}, n = 20" and labels[-1] == f"n = {n_pts[-1]}, p = 20"


def test_m_vs_n_comparison_and_growth_table():
    archs = [(8, 3), (32, 3)]
    m_values = (2, 5, 8, 9)
    n_req = np.array([[10.0, 100.0, 1000.0, 2000.0], [100.0, 1000.0, 1e4, 3e4]])
    paper_m = np.array([2, 5, 9])
    paper_log = np.array([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]])
    df, rmse = tc.m_vs_n_comparison(archs, m_values, n_req, paper_m, paper_log)
    assert list(df.columns) == ["curve", "width × depth", "m=2 ours", "m=2 paper", "m=5 ours",
                                "m=5 paper", "m=9 ours", "m=9 paper"]
    assert df.loc[1, "width × depth"] == "32×3"
    expected = np.log10(n_req[:, [0, 1, 3]]) - paper_log
    assert rmse == pytest.approx(float(np.sqrt(np.mean(expected ** 2))))
    growth = tc.growth_table(n_req, archs, m_values, paper_log)
    assert growth["ours 8→9"].tolist() == pytest.approx([2.0, 3.0])
    assert growth["paper 5→9 (per dim)"].tolist() == pytest.approx([10 ** 0.25] * 2)
    assert growth["ours fit m=5..9"].notna().all()
    assert "ours 8→9" not in tc.growth_table(n_req[:, :2], archs, (2, 5), paper_log)


# ---------------------------------------------------------------------------- figures


def test_theory_spectra():
    curves = figs.spectrum_curves((2, 9), c=1.0, omega=1.5, s=1.0, size=200)
    assert [(c["m"], c["kind"]) for c in curves] == [
        (2, "telescoping"), (2, "power_law"), (9, "telescoping"), (9, "power_law")]
    assert curves[0]["lam"].shape == (200,) and len(curves[0]["tail"]) == len(curves[0]["p"])
    fig = figs.theory_spectra(curves, c=1.0)
    left, right = fig.axes
    assert len(fig.axes) == 2 and len(left.lines) == 4 and len(right.lines) == 4
    assert left.get_title() == "spectrum" and right.get_xlabel() == "model features $p$"
    assert right.get_ylim() == pytest.approx((0, 1.05))
    assert [t.get_text() for t in left.get_legend().get_texts()][0] == "m=2, telescoping"
    plt.close(fig)


def test_mc_error_table():
    view = pd.DataFrame({"spectrum": ["isotropic"], "d": [1], "n": [20], "p": [40],
                         "formula": ["exact"], "test_formula": [1.5], "test_mc": [1.49],
                         "rel_err_test": [0.0067], "z_test": [0.3], "train_formula": [0.0],
                         "train_mc": [0.0]})
    html = figs.mc_error_table(view).to_html()
    assert "1 / 20 / 40" in html and "+0.67%" in html and "test (MC)" in html
    assert "regime" not in html


def test_fig2_theory_double_descent():
    curve = np.array([1.0, 2.0, 3.0])
    theory = {"test": np.array([1.0, 3.0, 1.5]), "train": np.array([0.5, 0.2, 0.0])}
    small = {"p_curve": curve, "p_theory": theory, "n_curve": curve, "n_theory": theory}
    mc = [(0.4, 0.01, 1.1, 0.1), (0.1, 0.01, 1.4, 0.1)]
    big = {m: {"p": curve, "train_p": curve, "test_p": curve, "n": curve, "train_n": curve,
               "test_n": curve} for m in (2.0, 9.0)}
    fig = figs.fig2_theory_double_descent(
        small, [1, 3], mc, [1, 3], mc, big, (2.0, 9.0), d=1, c=1.0, mc_m=3.0, small_n=20,
        small_p=20, paper_n=1000, paper_p=1000, paper_peak_p=(800.0, 1200.0),
        paper_peak_n=1000.0)
    ax = fig.axes
    assert len(ax) == 4
    assert len(ax[0].lines) >= 2 and len(ax[0].containers) == 2  # 2 curves, 2 error bars
    assert len(ax[2].lines) == 4 and len(ax[3].lines) == 5  # 2 m x (test, train) (+ peak line)
    assert ax[0].get_title() == "n = 20, m = 3 (small scale)"
    assert ax[3].get_title() == "p = 1000 (paper scale)"
    assert ax[2].get_ylim() == pytest.approx((0, 2.2))
    labels = [t.get_text() for t in ax[2].get_legend().get_texts()]
    assert labels == ["test, m=2", "train, m=2", "test, m=9", "train, m=9",
                      "paper: predicted peak"]
    plt.close(fig)


def test_theory_m_vs_n():
    archs = [(8, 3), (32, 3)]
    grid = np.array([[10.0, 100.0, 1000.0], [100.0, 1000.0, 1e4]])
    paper_log = np.array([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]])
    fig = figs.theory_m_vs_n((2, 5, 9), [(grid, "telescoping"), (grid * 2, "power_law")],
                             archs, np.array([2, 5, 9]), paper_log, paper_kind="telescoping")
    left, right = fig.axes
    assert len(left.lines) == 4 and len(right.lines) == 2  # the paper's curves on the left only
    assert [t.get_text() for t in left.texts] == ["8×3", "32×3"]
    assert left.get_title() == "telescoping spectrum" and left.get_yscale() == "log"
    assert left.get_ylabel() == "required samples $n$"
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "this theory", "paper (digitised)"]
    plt.close(fig)


def test_calibration_table():
    calib = pd.DataFrame({"omega": [1.4, 1.4, 1.5, 1.5], "target_ratio": [1.0, 1.1, 1.0, 1.1],
                          "rmse_decades": [0.2, np.nan, 0.05, 0.1]})
    styler = figs.calibration_table(calib)
    assert styler.data.shape == (2, 2)
    html = styler.to_html()
    assert "0.050" in html and ">-<" in html and "27 digitised values" in html
