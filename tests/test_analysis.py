"""Data shaping for figures and verdicts (modscale.report.analysis) against direct computations."""

import math

import numpy as np
import pandas as pd
import pytest

from modscale.report.analysis import (
    aggregate_sample_complexity,
    fig2_panels,
    sample_complexity_by_method,
    sample_complexity_table,
    slope_per_dim,
)


def test_slope_per_dim():
    ms = np.arange(2, 10)
    assert slope_per_dim(ms, 10 ** (0.2 * ms + 1)) == pytest.approx(0.2)
    # non-finite values are skipped, fewer than 2 finite values give NaN
    assert slope_per_dim([2, 3, 4], [10, np.inf, 1000]) == pytest.approx(1.0)
    assert math.isnan(slope_per_dim([2, 3], [10, np.inf]))
    assert math.isnan(slope_per_dim([2, 2], [10, 100]))


def _grid():
    rows = []
    for m in (2, 5):
        for w, d, p in ((8, 3, 100), (32, 3, 1200)):
            for seed in (0, 1):
                for n in (100, 1000, 10000):
                    test = m * p / n + seed * 0.1
                    rows.append({"m": m, "width": w, "depth": d, "p": p + m, "seed": seed,
                                 "n": n, "train": test / 2, "test": test})
    return pd.DataFrame(rows)


def test_sample_complexity_table_and_aggregate():
    df = _grid()
    sc = sample_complexity_table(df, (1.0, 1e-6))
    assert len(sc) == 2 * 2 * 2
    never = sc[sc["threshold"] == 1e-6]
    assert np.isinf(never["n_required"]).all()
    agg = aggregate_sample_complexity(sc, ("threshold", "m"))
    row = agg[(agg["threshold"] == 1e-6)].iloc[0]
    assert row["reached"] == 0 and math.isnan(row["n_required"]) and row["architectures"] == 2
    reached = sc[(sc["threshold"] == 1.0) & (sc["m"] == 2)]["n_required"]
    got = agg[(agg["threshold"] == 1.0) & (agg["m"] == 2)]["n_required"].item()
    assert got == pytest.approx(np.exp(np.log(reached).mean()))


def test_sample_complexity_by_method_is_the_table_per_method():
    df = pd.concat([_grid().assign(method="a"), _grid().assign(method="b", test=_grid().test * 2)])
    both = sample_complexity_by_method(df, (1.0,))
    for meth in ("a", "b"):
        alone = sample_complexity_table(df[df.method == meth].drop(columns="method"), (1.0,))
        got = both[both.method == meth].drop(columns="method").reset_index(drop=True)
        pd.testing.assert_frame_equal(got, alone.reset_index(drop=True))


def test_fig2_panels_match_direct_averages():
    df = _grid()
    base = df[(df["n"] == 1000) & (df["m"] == 2)].drop(columns=["m"])
    k = pd.concat([base.assign(k=kv, test=base["test"] * kv) for kv in (2, 3, 4)])
    panels = fig2_panels(df, k, n_fig2=1000, n_panel_width=32, n_panel_depth=3)
    np.testing.assert_allclose(panels["k"].x, [2, 3, 4])
    k_direct = k.groupby(["k", "width"])["test"].mean().groupby("k").mean()
    np.testing.assert_allclose(panels["k"].mean["test"], k_direct.to_numpy())
    # m panel: thick line = mean over architectures of the seed average
    direct = df[df["n"] == 1000].groupby(["m", "width"])["test"].mean().groupby("m").mean()
    np.testing.assert_allclose(panels["m"].mean["test"], direct.to_numpy())
    assert panels["m"].thin["test"].shape == (2, 2)
    # n panel: one architecture, rows = m
    sub = df[df["width"] == 32].groupby(["n"])["train"].mean()
    np.testing.assert_allclose(panels["n"].mean["train"], sub.to_numpy())
    assert panels["n"].extra["p_of_m"] == {2: 1202.0, 5: 1205.0}
    # p panel: architectures ordered by p, x_rows holds each m's own p
    assert panels["p"].extra["archs"] == [(8, 3), (32, 3)]
    np.testing.assert_allclose(panels["p"].x_rows, [[102, 1202], [105, 1205]])
    # seed band: std over seeds of the architecture mean
    sd = df[df["n"] == 1000].groupby(["m", "seed"])["test"].mean().groupby(level=0).std()
    np.testing.assert_allclose(panels["m"].sd["test"], sd.to_numpy())


def test_number_and_show_formatting():
    from modscale.report.notebook import number, show

    assert number(2.0) == "2" and number(1.7320508075688772) == "1.73"
    assert number(float("nan")) == "—" and number(float("inf")) == "not reached"
    assert number(123456.0) == "123,456" and number(1297.3) == "1,297"
    assert number(0.95) == "0.95" and number("text") == "text" and number(True) == "True"
    df = pd.DataFrame({0.95: [1.0, np.nan], "seed": [2.0, np.inf]})
    html = show(df).to_html()
    assert "0.950000" not in html and "NaN" not in html and "2.0" not in html
    assert "not reached" in html and ">0.95<" in html


def test_seed_n_frame_rows_follow_the_runs_arrays():
    import numpy as np

    from modscale.report.analysis import seed_n_frame

    run = {"test": np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])}
    df = seed_n_frame([({"method": "monolithic", "m": 3}, (7, 8), (10, 20, 30), run)],
                      ("test", "sim_final"))
    assert list(df.columns) == ["method", "m", "seed", "n", "test", "sim_final"]
    assert len(df) == 6 and df["sim_final"].isna().all()
    row = df[(df.seed == 8) & (df.n == 20)].iloc[0]
    assert row.test == 5.0 and row.method == "monolithic"
