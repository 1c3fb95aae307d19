"""The modular theory chapter's figures, sentences and summaries
(``modscale.report.figures.modular_theory``, ``modscale.report.prose.modular_theory`` and the
chapter helpers of ``modscale.experiments.modular_theory``), on small synthetic inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from modscale.experiments import modular_theory as mt  # noqa: E402
from modscale.report.figures import modular_theory as figs  # noqa: E402
from modscale.report.prose import modular_theory as prose  # noqa: E402


def _rows() -> list[dict]:
    rows = []
    for a in ("aligned", "random"):
        for f in ("gaussian", "hermite"):
            for n, formula in ((5, "deterministic equivalent"), (40, "exact")):
                rows.append({"alignment": a, "features": f, "n": n, "regime": "under",
                             "formula": formula, "test_formula": 1.0,
                             "test_mc": 1.25 if f == "hermite" and n == 5 else 0.9,
                             "test_se": 0.05, "train_formula": 0.5, "train_mc": 0.5,
                             "train_se": 0.01})
    return rows


# ---------------------------------------------------------------------------- prose


def test_max_abs_percent():
    assert prose.max_abs_percent(pd.Series([0.01, -0.0456, np.nan])) == "4.6 %"
    assert prose.max_abs_percent(pd.Series([], dtype=float)) == "n/a"


def test_aligned_spread():
    assert prose.aligned_spread(np.array([100.0, 101.0, 100.5])) == "1.00 %"
    assert prose.aligned_spread(np.array([])) == "n/a"


def test_hermite_outcome():
    assert prose.hermite_outcome(144, 0.0523, 3.04, 12) == (
        "largest relative error of the test loss at n = 144: 5.2 %; simulated / formula up to "
        "3.0x over the n grid (p = 12)")


# ---------------------------------------------------------------------------- chapter helpers


def test_mehler_check_small():
    frame, rho, z = mt.mehler_check(4, 2000, seed=0, degrees=3)
    assert list(frame["degree l"]) == [1, 2, 3]
    assert frame["predicted (u·v)^l"].tolist() == pytest.approx([rho, rho ** 2, rho ** 3])
    assert -1 <= rho <= 1 and z == pytest.approx(frame["max |off-diagonal| / SE"].max())


def test_mc_table_and_summary():
    tab = mt.mc_table(_rows())
    assert tab.rel_err_test.iloc[0] == pytest.approx(1.0 / 0.9 - 1)
    assert tab.z_test.iloc[0] == pytest.approx(0.1 / 0.05)
    s = mt.mc_summary(tab)
    assert len(s["g_exact"]) == 2 and len(s["g_det"]) == 2 and len(s["herm"]) == 4
    assert s["max_z_exact"] == pytest.approx(2.0)
    assert s["max_rel_exact"] == pytest.approx(1.0 / 0.9 - 1)
    assert s["n_big"] == 40 and isinstance(s["n_big"], int)
    assert s["herm_big"] == pytest.approx(1.0 / 0.9 - 1)
    assert s["herm_worst"] == pytest.approx(1.25)


def test_mc_theory_curves_and_sample_complexity_table():
    pt = {"alignment": "aligned", "features": "gaussian", "n": 20, "m": 4, "q": 2, "k": 2,
          "trials": 4, "seed": 0, "kind": "telescoping", "c": 1.0, "omega": 1.5, "s": 1.0,
          "d": 1, "task_directions": "random", "method": "auto"}
    n_curve, curves = mt.mc_theory_curves(pt, 7)
    assert n_curve[0] == pytest.approx(1.2) and n_curve[-1] == pytest.approx(48.0)
    assert set(curves) == {"aligned", "random"} and curves["random"]["test"].shape == (7,)
    sc = {"monolithic": np.array([10.0, 20.0]),
          "aligned": {"n": np.array([5.0, 5.0]), "p_eff": np.array([8, 8])},
          "random": {"n": np.array([6.0, 9.0])}}
    df = mt.sample_complexity_table((2, 3), sc)
    assert list(df.columns) == ["m", "monolithic n", "modular aligned n", "modular random n",
                                "aligned p_eff"]
    assert df["modular random n"].tolist() == [6.0, 9.0]


# ---------------------------------------------------------------------------- figures


def test_modular_mc():
    tab = mt.mc_table(_rows())
    n_curve = np.array([2.0, 10.0, 50.0])
    th = {"train": np.array([0.1, 0.5, 0.8]), "test": np.array([3.0, 2.0, 1.0])}
    fig = figs.modular_mc(n_curve, {"aligned": th, "random": th}, tab, d=1, c=1.0, m=6, k=4,
                          q=3)
    left, right = fig.axes
    assert len(fig.axes) == 2 and len(left.containers) == 4 and len(right.containers) == 4
    assert left.get_title() == "aligned projections (m = 6, K = k = 4, q = 3)"
    assert right.get_title().startswith("random projections")
    assert left.get_ylabel() == "loss" and left.get_ylim() == pytest.approx((0.05, 20.0))
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "test, theory", "train, theory", "test, MC (gaussian features)",
        "test, MC (hermite features)"]
    plt.close(fig)


def test_mc_error_table():
    html = figs.mc_error_table(mt.mc_table(_rows())).to_html()
    assert "test s.e." in html and "+11.1%" in html and "train_mc" not in html


def test_theory_modular_sample_complexity():
    ms = np.array([2.0, 3.0, 4.0])
    al = {"n": np.array([5.0, 5.0, 5.0]), "tr2": np.array([0.2, 0.2, 0.2])}
    rnd = {"n": np.array([6.0, 9.0, 12.0]), "tr2": np.array([0.3, 0.5, 0.7])}
    fig = figs.theory_modular_sample_complexity(
        ms, np.array([10.0, 20.0, 40.0]), al, rnd, np.array([0.4, 0.6, 0.8]), p_total=100,
        k=4, q=25, c=2.0, target=2.0)
    left, right = fig.axes
    assert len(left.lines) == 3 and len(right.lines) == 3
    assert left.get_title() == "target loss 2" and left.get_yscale() == "log"
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "monolithic, p = 100", "modular, aligned (K = 4 × q = 25)",
        "modular, random projections"]
    assert right.lines[0].get_ydata().tolist() == pytest.approx([0.2, 0.3, 0.4])  # in units of c
    plt.close(fig)
