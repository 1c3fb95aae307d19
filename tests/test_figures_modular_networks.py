"""The modular-networks chapter's figures and tables (modscale.report.figures.modular_networks)
and sentences (modscale.report.prose.modular_networks), on small synthetic inputs."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from modscale import paper_data
from modscale.report.evidence import Effect
from modscale.report.figures import modular_networks as figures
from modscale.report.prose import modular_networks as prose

INF = float("inf")
NAN = float("nan")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _ratio(effect: float, lo: float, hi: float, seeds: int = 3) -> Effect:
    return Effect(effect, lo, hi, 1.0, seeds, "ratio")


# --- prose: the uncalibrated Fig. 3a --------------------------------------------------------

def _agg3() -> pd.DataFrame:
    rows = [("ours", 0.3, 2, 100.0), ("ours", 0.3, 3, 400.0), ("modular", 0.3, 2, 200.0),
            ("modular", 0.3, 3, 800.0), ("ours", 1.5, 2, 50.0), ("modular", 1.5, 2, 20.0),
            ("modular", 1.5, 3, NAN)]
    return pd.DataFrame(rows, columns=["method", "threshold", "m", "n_required"])


def test_fewest_samples_per_threshold():
    assert prose.fewest_samples(_agg3(), 0.3) == (
        "geometric mean over m: 0.3: ours (200); 1.5: modular (20) (this page uses 0.3)")


def test_fewest_samples_none_reached():
    agg = _agg3().assign(n_required=NAN)
    assert prose.fewest_samples(agg, 0.3) is None


def test_method_order_ranks_and_marks_not_reached():
    agg = _agg3()
    agg = agg[agg.threshold == 1.5]
    assert prose.method_order(agg, (2, 3)) == (
        "m=2: modular (20) < ours (50); m=3: modular (not reached)")


# --- prose: Fig. 4 and the regime study -----------------------------------------------------

def test_literal_vs_joint_with_and_without_random():
    sims = {"modular": 0.8841, "ours": 0.9182, "ours_joint": 0.995}
    assert prose.literal_vs_joint(sims, 1000) == (
        "at iteration 1,000: literal 0.918, joint 0.995, random projections 0.884 "
        "(paper: 0.628 for its initialiser, 0.578 random)")
    del sims["modular"]
    assert prose.literal_vs_joint(sims, 1000) == (
        "at iteration 1,000: literal 0.918, joint 0.995 "
        "(paper: 0.628 for its initialiser, 0.578 random)")


def test_literal_vs_joint_needs_both_objectives():
    assert prose.literal_vs_joint({"ours": 0.9, "modular": 0.8}, 1000) is None
    assert prose.literal_vs_joint({"ours_joint": 0.9}, 1000) is None


def test_held_out_rms():
    table = pd.DataFrame({"role": ["fitted", "held-out", "held-out", "held-out"],
                          "quantity": ["baseline at 0", "baseline at 200", "baseline at 400",
                                       "ours at 200"],
                          "measured": [0.5, 0.6, 0.7, 0.9], "paper": [0.5, 0.5, 0.6, 0.9]})
    assert prose.held_out_rms(table, "baseline") == "0.100"
    assert prose.held_out_rms(table, "ours") == "0.000"
    assert prose.held_out_rms(table[table.role == "fitted"], "baseline") == (
        "not measurable (no held-out point recorded at this profile)")


def _fit(settings=("projection lr x0.01", "today", "n = 500")) -> pd.DataFrame:
    vals = {"projection lr x0.01": (0.52, 0.58, 0.012), "today": (0.6, 0.9, 0.25),
            "n = 500": (0.55, 0.7, 0.1)}
    return pd.DataFrame([{"setting": s, "sim_0": vals[s][0], "sim_1000": vals[s][1],
                          "fit_rms": vals[s][2]} for s in settings])


def test_regime_outcome():
    assert prose.regime_outcome(_fit(), 3) == (
        "3 settings, 3 seeds; selected projection lr x0.01 (baseline 0.520 -> 0.580, paper "
        "0.537 -> 0.578, fit RMS 0.012; today's regime 0.600 -> 0.900, RMS 0.250)")


def test_task_axis_outcome():
    assert prose.task_axis_outcome(_fit()) == (
        "baseline fit RMS against the paper's two levels: n = 500 0.100 "
        "(today's setting 0.250)")
    assert prose.task_axis_outcome(_fit(("projection lr x0.01", "today"))) is None


def test_grid_costs_with_and_without_algorithm1():
    costs = pd.DataFrame({"method": ["monolithic", "ours_literal", "ours_literal"],
                          "regime": ["today"] * 3, "train": [10.0, 20.0, 40.0],
                          "init": [0.0, 5.0, 7.0]})
    labels = {"monolithic": "mono", "ours_literal": "ours"}
    assert prose.grid_costs(costs, labels) == (
        "mono 10 s of training; ours 30 s of training after 6 s of Algorithm 1 "
        "(medians over m and regimes)")


def _rows(*regimes: str) -> list[dict]:
    return [{"regime": r, "claim_id": c, "verdict": v} for r in regimes
            for c, v in (("fig3a_ours_lowest", "not reproduced"),
                         ("fig3a_modular_worse", "reproduced"))]


def test_regime_verdict_glues_two_regimes():
    assert prose.regime_verdict_glues(_rows("today", "lr x0.01"), 2) == {
        "mod_reg_v_today_fig3a_ours_lowest": "not reproduced",
        "mod_reg_v_today_fig3a_modular_worse": "reproduced",
        "mod_reg_v_sel_fig3a_ours_lowest": "not reproduced",
        "mod_reg_v_sel_fig3a_modular_worse": "reproduced"}


def test_regime_verdict_glues_one_regime_repeats_today():
    glues = prose.regime_verdict_glues(_rows("today"), 1)
    assert list(glues) == ["mod_reg_v_today_fig3a_ours_lowest",
                           "mod_reg_v_today_fig3a_modular_worse",
                           "mod_reg_v_sel_fig3a_ours_lowest",
                           "mod_reg_v_sel_fig3a_modular_worse"]
    assert glues["mod_reg_v_sel_fig3a_ours_lowest"] == (
        "not reproduced (the selected regime is today's)")


def test_grid_verdict_outcomes():
    out = prose.grid_verdict_outcomes(_rows("today", "lr x0.01"), "width 8 x depth 3")
    assert out == [
        ("fig3a-comparison", "verdicts over the architecture grid (today regime)",
         "regime today, width 8 x depth 3: fig3a_ours_lowest not reproduced; "
         "fig3a_modular_worse reproduced"),
        ("mod-regime", "verdicts over the architecture grid (selected regime)",
         "regime lr x0.01, width 8 x depth 3: fig3a_ours_lowest not reproduced; "
         "fig3a_modular_worse reproduced")]
    assert [o[0] for o in prose.grid_verdict_outcomes(_rows("today"), "w")] == [
        "fig3a-comparison"]


# --- prose: the paper-matched regime and the dose-response ----------------------------------

def test_matched_regime():
    assert prose.matched_regime("projection lr x0.01") == "projection lr x0.01"
    assert prose.matched_regime("today") == "today's regime: the study selected no other"


GEO = {"monolithic": 2000.0, "modular": 5000.0, "ours_literal": 4000.0, "oracle": 900.0}


def test_samples_order():
    assert prose.samples_order(GEO, {"monolithic": "mono", "modular": "mod",
                                     "ours_literal": "lit", "oracle": "orc"}) == (
        "orc 900 < mono 2,000 < lit 4,000 < mod 5,000")


def test_paper_order_holds_each_branch():
    assert prose.paper_order_holds(GEO, "oracle") == "holds"
    assert prose.paper_order_holds(GEO, "ours_literal") == "does not hold"
    assert prose.paper_order_holds(GEO, "ours_joint") == "was not run"


def test_paper_order_takeaway_skips_readings_not_run():
    assert prose.paper_order_takeaway(GEO) == (
        "with the literal reading as ours it does not hold; "
        "with the oracle start as ours it holds")


def test_geo_text_each_branch():
    assert prose.geo_text((1.234, 1.0, 1.5)) == "1.23x [1.00, 1.50]"
    assert prose.geo_text((1.234, NAN, NAN)) == "1.23x (no interval)"
    assert prose.geo_text((NAN, NAN, NAN)) == "not measured"


def _readoff(reached: int = 2, ex=(0.2, 0.1, 0.3)) -> dict:
    return {"gain_at_excess": (1.1, 0.9, 1.3), "oracle_gain": (4.0, 3.0, 5.0),
            "excess_for_gain": ex, "reached": reached, "seeds": 3, "chance": 0.4}


def test_excess_needed_each_branch():
    assert prose.excess_needed(_readoff()) == (
        "0.200 [0.100, 0.300] over chance (mean of the 2 seeds that reach it)")
    assert prose.excess_needed(_readoff(1, (0.2, NAN, NAN))) == (
        "0.200 over chance (mean of the 1 seeds that reach it)")
    assert prose.excess_needed(_readoff(0, (NAN,) * 3)) == "never: no seed's oracle reaches it"


def test_dose_sentence_with_and_without_other_regimes():
    base = ("At m = 9, in the paper-matched regime (lr x0.01), a start as much above chance as "
            "the paper's Fig. 4 initialiser buys 1.10x [0.90, 1.30], while the oracle buys "
            "4.00x [3.00, 5.00]; the paper's 5.75x is reached by 2 of 3 seeds' dose curves.")
    kw = {"m": 9, "matched": "lr x0.01", "paper_ratio": 5.75}
    assert prose.dose_sentence(_readoff(), other_oracle={}, **kw) == base
    assert prose.dose_sentence(_readoff(), other_oracle={"today": "1.2x", "n = 5": "2x"},
                               **kw) == (
        base + " In today's regime, the oracle itself buys 1.2x. In n = 5, the oracle itself "
        "buys 2x.")


def test_dose_conclusion_each_branch():
    assert prose.dose_conclusion(NAN, 5.75) == (
        "The interval of what the paper's Fig. 4 alignment buys here is not measurable at "
        "this profile.")
    assert prose.dose_conclusion(1.3, 5.75) == (
        "So, under this reconstruction, an initialisation as aligned as the paper's Fig. 4 "
        "reports buys at most 1.30x (upper end of its interval), short of the paper's 5.75x: "
        "either the paper's Fig. 4 gain is too small to explain its Fig. 3a gain, or its "
        "similarity score differs from ours.")
    assert prose.dose_conclusion(6.0, 5.75) == (
        "Within its interval, the paper's Fig. 4 alignment could buy the paper's 5.75x here.")


def test_fig3a_cause_each_branch():
    lit, joint = _ratio(1.0, 0.8, 1.2), _ratio(3.0, 2.0, 4.0)
    assert prose.fig3a_cause({"ours_literal": lit}, None, m=9, min_effect=1.25) == (
        "not isolated")
    assert prose.fig3a_cause({"ours_joint": joint}, None, m=9, min_effect=1.25) == (
        "not isolated")
    assert prose.fig3a_cause({"ours_literal": lit, "ours_joint": joint}, None, m=9,
                             min_effect=1.25) == (
        "the literal reading of Algorithm 1: the joint reading reproduces the gain in the "
        "paper-matched regime at m = 9 (baseline samples over the method's: 3.00x [2.00, "
        "4.00], 3 seeds against 1.00x [0.80, 1.20], 3 seeds for the literal reading)")
    assert prose.fig3a_cause({"ours_literal": lit, "oracle": joint}, None, m=9,
                             min_effect=1.25).startswith(
        "the literal reading of Algorithm 1: the oracle start reproduces the gain")
    assert prose.fig3a_cause({"ours_literal": _ratio(2.0, 1.5, 2.5), "oracle": joint}, None,
                             m=9, min_effect=1.25) == (
        "none needed: the literal reading buys samples in the paper-matched regime")


def test_record_cause_each_branch():
    assert prose.record_cause("reproduced", "fig3a_ours_lowest", "the cause") == ""
    assert prose.record_cause("inconclusive", "fig3a_ours_lowest", "the cause") == "the cause"
    assert prose.record_cause("not reproduced", "fig3a_modular_worse", "the cause") == (
        "not isolated")


def test_fig4_cause_each_branch():
    diff = {"ours_literal": 0.002, "ours_joint": 0.1, "oracle": 0.4}
    assert prose.fig4_cause("reproduced", diff) == ""
    assert prose.fig4_cause("not reproduced", diff) == (
        "the literal reading: at initialisation its similarity score is +0.002 against the "
        "random start's, the joint reading's +0.100 and the oracle's +0.400 (paired seed "
        "means)")
    assert prose.fig4_cause("inconclusive", {**diff, "ours_joint": 0.005}) == "not isolated"


def test_cause_text():
    assert prose.cause_text("") == "none needed"
    assert prose.cause_text("not isolated") == "not isolated"


def test_nonlinear_ratio_each_branch():
    assert prose.nonlinear_ratio([200.0, 300.0, INF], [100.0, 100.0, INF]) == "2.0 to 3.0 times"
    assert prose.nonlinear_ratio([INF, NAN], [INF, 100.0]) == (
        "an unmeasurable multiple (a threshold not reached within the grid) of")


def test_calibration_sensitivity_each_branch():
    assert prose.calibration_sensitivity("reproduced", "+0.02", "reproduced") == (
        "verdict reproduced (+0.02), against reproduced on the argmin: the verdict does not "
        "change")
    assert prose.calibration_sensitivity("inconclusive", "+0.01", "reproduced") == (
        "verdict inconclusive (+0.01), against reproduced on the argmin: the verdict changes "
        "with the calibration point")


# --- figures and tables ---------------------------------------------------------------------

def _sc_agg() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-architecture and aggregate samples needed: three methods, two widths, m in (2, 3);
    ``modular`` never reaches the threshold at m = 3."""
    rows = []
    for meth, w, m in itertools.product(("monolithic", "modular", "ours"), (8, 32), (2, 3)):
        n = NAN if (meth == "modular" and m == 3) else 100.0 * m * (w // 8)
        rows.append({"method": meth, "width": w, "depth": 3, "m": m, "n_required": n})
    sc = pd.DataFrame(rows)
    agg = (sc.groupby(["method", "m"]).agg(n_required=("n_required", "mean"),
                                           reached=("n_required", "count")).reset_index())
    return sc, agg


def test_fig3a_sample_complexity():
    sc, agg = _sc_agg()
    fig = figures.fig3a_sample_complexity(sc, agg, paper_data.FIG3A,
                                          methods=("monolithic", "modular", "ours"),
                                          threshold=0.3, n_top=1024, paper_threshold=1.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    left, right = fig.axes
    assert len(left.lines) == 3 * 3 + 1  # 2 architectures + aggregate per method, grid top
    assert len(left.collections) == 3  # the not-reached markers
    assert _labels(left) == [figures.LABELS[m] for m in ("monolithic", "modular", "ours")]
    assert len(right.lines) == 6
    assert _labels(right)[:2] == ["paper: baseline monolithic", "ours: baseline monolithic"]
    assert right.get_title() == "vs paper (threshold 1.5, digitised)"


def test_fig3a_slopes():
    agg = pd.DataFrame({"method": ["ours", "ours", "modular_matched", "modular_matched"],
                        "m": [2, 3, 2, 3], "n_required": [100.0, 1000.0, 10.0, 10.0]})
    tab = figures.fig3a_slopes(agg, ("ours", "modular_matched"), paper_data.FIG3A)
    assert list(tab.method) == [figures.LABELS["ours"], figures.LABELS["modular_matched"]]
    assert tab["slope (log10 n per dimension)"].tolist() == pytest.approx([1.0, 0.0])
    assert np.isfinite(tab["paper slope"][0]) and np.isnan(tab["paper slope"][1])


def _sim_runs(methods=("modular", "ours", "ours_joint"), t: int = 4) -> dict:
    rng = np.random.default_rng(0)
    return {m: {"sim_history": rng.uniform(0.4, 0.9, (t, 2, 1)), "sim_final": np.full(2, 0.8),
                "test": np.full((2, 3), 0.3), "test_clean": np.full((2, 3), 0.2),
                "init_time_s": 1.5, "train_time_s": 10.0} for m in methods}


def test_fig4_similarity():
    steps = np.array([0, 500, 1000, 2000])
    runs = _sim_runs()
    fig = figures.fig4_similarity(steps, {m: r["sim_history"] for m, r in runs.items()},
                                  paper_data.FIG4_SIMS, paper_end=1000, chance=0.3)
    left, right = fig.axes
    assert len(left.lines) == 3 + 1 + 2 and len(right.lines) == 3 + 1
    assert len(left.lines[0].get_xdata()) == 3 and len(right.lines[0].get_xdata()) == 4
    assert _labels(left)[-2:] == ["paper: baseline", "paper: ours"]
    assert right.get_title() == "all 2,000 iterations"


def test_fig4_similarity_table():
    steps = np.array([0, 500, 1000, 2000])
    runs = _sim_runs()
    tab = figures.fig4_similarity_table(runs, steps, paper_data.FIG4_SIMS, paper_end=1000)
    assert len(tab) == 5 and list(tab.columns[1:4]) == [
        "after init (iteration 0)", "iteration 1,000", "end of training (2,000)"]
    assert tab.iloc[0, 2] == pytest.approx(runs["modular"]["sim_history"][2].mean())
    assert tab.iloc[3].tolist()[:3] == ["paper: baseline", 0.537, 0.578]


def test_modular_regime():
    rows = [{"setting": s, "method": meth, "seed": seed, "iteration": it,
             "similarity": 0.5 + 0.0001 * it}
            for s, meth, seed, it in itertools.product(("today", "lr x0.1", "other"),
                                                       ("modular", "ours_literal"), (0, 1),
                                                       (0, 500, 1000))]
    fig = figures.modular_regime(pd.DataFrame(rows), "lr x0.1", paper_data.FIG4_SIMS)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.lines) == 4
        assert _labels(ax)[:2] == ["today's regime", "selected: lr x0.1"]
    assert fig.axes[1].get_title() == "kernel initialiser (held out)"


def _grid() -> tuple[pd.DataFrame, pd.DataFrame]:
    sn = pd.DataFrame([{"regime": r, "method": meth, "width": 8, "depth": 3, "m": m,
                        "seed": seed, "samples_needed": INF if meth == "modular" else 100.0 * m}
                       for r, meth, m, seed in itertools.product(
                           ("today", "lr x0.1"), ("monolithic", "modular", "ours_literal"),
                           (2, 3), (0, 1))])
    agg = pd.DataFrame([{"regime": r, "method": meth, "m": m, "samples_needed": 100.0 * m,
                         "ci_low": 80.0 * m, "ci_high": 120.0 * m, "seeds": 2,
                         "architectures": 1, "censored": 0, "paper": NAN if m == 3 else 500.0}
                        for r, meth, m in itertools.product(
                            ("today", "lr x0.1"), ("monolithic", "modular", "ours_literal"),
                            (2, 3))])
    return sn, agg


def test_fig3a_grid():
    sn, agg = _grid()
    labels = {"monolithic": "mono", "modular": "mod", "ours_literal": "lit"}
    fig = figures.fig3a_grid(sn, agg, ["today", "lr x0.1"], paper_data.FIG3A, n_max=1024.0,
                             labels=labels)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    assert ax.get_title() == "regime: lr x0.1"
    assert len(ax.lines) == 3 + 3 + 3  # per architecture, aggregate, paper
    assert len(ax.collections) == 3  # the intervals
    assert _labels(ax) == ["mono", "mod", "lit"]
    assert ax.lines[0].get_ydata().tolist() == [1024.0, 1024.0]  # modular: censored at n_max


def test_grid_table_and_costs():
    _, agg = _grid()
    tab = figures.grid_table(agg.assign(samples_needed=INF))
    assert tab["samples needed (geometric mean)"].iloc[0] == "not reached"
    assert tab["paper (aggregate)"].tolist()[:2] == ["500", "not measurable"]
    assert "censored seeds" in tab.columns
    spec = SimpleNamespace(method="ours_literal")
    costs = figures.grid_costs([("today", spec)], [{"train_time_s": 3.0, "init_time_s": 1.0}])
    assert costs.to_dict("records") == [{"method": "ours_literal", "regime": "today",
                                         "train": 3.0, "init": 1.0}]


def _summary() -> pd.DataFrame:
    return pd.DataFrame([{"regime": r, "method": meth, "m": m, "samples_needed": 100.0 * m,
                          "ci_low": 90.0 * m, "ci_high": 110.0 * m, "seeds": 2, "censored": 0,
                          "sim_init": NAN if meth == "monolithic" else 0.5}
                         for r, meth, m in itertools.product(
                             ("lr x0.1", "today"), ("monolithic", "modular", "ours_literal",
                                                    "oracle"), (3, 6))])


def test_fig3a_paper_regime():
    fig = figures.fig3a_paper_regime(_summary(), ["lr x0.1", "today"], "lr x0.1",
                                     paper_data.FIG3A)
    assert [ax.get_title() for ax in fig.axes] == ["paper-matched: lr x0.1",
                                                   "sensitivity: today"]
    assert len(fig.axes[0].lines) == 4 + 3 and len(fig.axes[0].collections) == 4
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None


def test_paper_regime_table():
    tab = figures.paper_regime_table(_summary())
    assert tab["method"].iloc[4] == "ours: literal"
    assert tab["similarity at init"].tolist()[1:3] == ["— (no modules)", "0.500"]
    assert tab["samples needed (geo. mean)"].iloc[0] == "300"


def test_alignment_dose():
    dose = pd.DataFrame([{"regime": r, "m": m, "alpha": a, "seed": s, "sim_init": 0.4 + a / 2,
                          "samples_needed": 1000.0 / (1 + a) if a < 1 else INF}
                         for r, m, a, s in itertools.product(("lr x0.1", "today"), (3, 9),
                                                             (0.0, 0.5, 1.0), (0, 1))])
    fig = figures.alignment_dose(dose, (3, 9), {3: 0.4, 9: 0.3}, paper_excess=0.019,
                                 n_max=4096.0)
    assert len(fig.axes) == 2
    ax = fig.axes[1]
    assert ax.get_title() == "m = 9" and len(ax.collections) == 2
    assert len(ax.lines) == 2 + 1  # a mean per regime, the paper's excess
    assert _labels(ax)[-1] == "paper's Fig. 4 excess (+0.019)"
    assert fig.axes[0].get_ylabel() == "samples needed"


def test_readoff_table():
    ro = {("today", 9): {"chance": 0.3, "gain_at_excess": (1.1, 0.9, 1.3),
                         "oracle_gain": (4.0, NAN, NAN), "reached": 0, "seeds": 3,
                         "excess_for_gain": (NAN,) * 3}}
    tab = figures.readoff_table(ro, 5.75)
    assert tab.iloc[0].tolist() == ["today", 9, "0.300", "1.10x [0.90, 1.30]", "—", "0 of 3",
                                    "—"]
    assert "seeds reaching 5.75x" in tab.columns


def test_fig4_paper_regime_and_table():
    steps = np.array([0, 500, 1000, 2000])
    runs = _sim_runs(("modular", "ours_literal", "oracle"))
    fig = figures.fig4_paper_regime(steps, {m: r["sim_history"] for m, r in runs.items()},
                                    paper_data.FIG4_SIMS, end=1000, chance=0.3,
                                    matched="lr x0.1")
    (ax,) = fig.axes
    assert len(ax.lines) == 3 + 2 + 1 and len(ax.lines[0].get_xdata()) == 3
    assert ax.get_title() == "Fig. 4, paper-matched regime (lr x0.1)"
    assert _labels(ax)[-1] == "chance (0.300)"
    sims = {m: r["sim_history"].mean(axis=2)[[0, 2]] for m, r in runs.items()}
    tab = figures.fig4_paper_regime_table(runs, sims, 1000)
    assert list(tab.columns) == ["method", "similarity at init", "at iteration 1,000",
                                 "at the end"]
    assert tab["at the end"].tolist() == ["0.800"] * 3


def test_table2_nonlinear():
    n_values = (100, 1000)
    lin = [SimpleNamespace(m=3, method="ours_literal", n_values=n_values)]
    nonlin = [SimpleNamespace(m=3, method="ours_literal", n_values=n_values)]
    lin_runs = [{"test": np.array([[0.5, 0.1], [0.5, 0.1]])}]
    nonlin_runs = [{"test": np.array([[0.5, 0.4], [0.5, 0.5]]),
                    "test_clean": np.array([[0.4, 0.2], [0.4, 0.4]]),
                    "sim_init": np.array([0.5, 0.7]), "sim_final": np.array([0.8, 0.9])}]
    tab = figures.table2_nonlinear(lin, lin_runs, nonlin, nonlin_runs, 0.3)
    row = tab.iloc[0]
    assert row["method"] == figures.LABELS["ours"]
    assert np.isfinite(row["samples needed, linear proj."])
    assert np.isinf(row["samples needed, nonlinear proj."])
    assert row["single seeds (nonlinear)"] == "not reached-not reached"
    assert row["clean test loss at largest n (nonlinear)"] == pytest.approx(0.3)
    assert row["similarity after training (nonlinear)"] == pytest.approx(0.85)


def test_compute_matched():
    specs = [{"method": "modular", "width": 8, "depth": 3},
             {"method": "ours", "width": 8, "depth": 3}]
    runs = [{"iters": 200, "init_flops": 0.0, "init_time_s": 0.0, "train_time_s": 2.0},
            {"iters": 100, "init_flops": 2e9, "matched_flops": 1e9, "init_time_s": 1.0,
             "train_time_s": 1.0}]
    sc = pd.DataFrame({"method": ["modular", "ours"], "width": [8, 8], "depth": [3, 3],
                       "n_required": [500.0, 100.0]})
    tab = figures.compute_matched(specs, runs, sc, 0.3)
    assert tab["method"].tolist() == [figures.LABELS["modular"], figures.LABELS["ours"]]
    assert tab["matched GFLOPs / network"].tolist() == [0.0, 1.0]
    assert tab["samples to loss 0.3"].tolist() == [500.0, 100.0]
