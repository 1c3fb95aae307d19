"""The Algorithm 1 chapter's figures (modscale.report.figures.algorithm1), sentences
(modscale.report.prose.algorithm1) and run tables (modscale.experiments.alg1_diagnostics), on
small synthetic inputs."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from modscale.experiments import alg1_diagnostics as diag
from modscale.report.figures import algorithm1 as figs
from modscale.report.prose import algorithm1 as prose

PAPER_FIG4 = {"iteration": (0, 100), "baseline": (0.537, 0.552), "ours": (0.556, 0.570)}
PAPER_FIG3A = {"m": (3, 6), "ours": (400, 900), "monolithic": (2000, 5000),
               "modular": (7000, 13000)}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _labels(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


# --------------------------------------------------------------------------- figures


def test_stay_label_full_and_mini_batch():
    assert figs.stay_label(100, 100) == "full batch"
    assert figs.stay_label(200, 100) == "full batch"
    assert figs.stay_label(32, 100) == "mini-batch 32"


def test_alg1_stay_one_curve_and_band_per_batch():
    stay = pd.DataFrame({"batch": [32] * 3 + [100] * 3, "step": [0, 10, 20] * 2,
                         "staying": [1.0, 0.5, 0.25, 1.0, 0.9, 0.8],
                         "staying_sd": [0.0, 0.2, 0.1, 0.0, 0.05, 0.1]})
    fig = figs.alg1_stay(stay, n=100, m=5, k=4)
    (ax,) = fig.axes
    assert len(ax.lines) == 2 and len(ax.collections) == 2
    assert _labels(ax) == ["mini-batch 32", "full batch"]
    assert ax.get_title() == "stay test (m = 5, k = K = 4)"
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [1.0, 0.5, 0.25])


def test_alg1_readings_two_panels_per_reading():
    readings = pd.DataFrame({"reading": ["literal", "joint"] * 2 + ["literal"],
                             "m": [5, 5, 9, 9, 5], "K": [4, 4, 4, 4, 8],
                             "similarity": [0.6, 0.9, 0.5, 0.8, 0.7],
                             "chance": [0.5, 0.5, 0.4, 0.4, 0.6],
                             "modules_recovered": [1.0, 4.0, 0.0, 3.0, 2.0]})
    fig = figs.alg1_readings(readings, PAPER_FIG4, order=["literal", "joint"], k=4, K=4)
    left, right = fig.axes
    assert len(left.lines) == 4 and len(right.lines) == 2  # 2 readings + zero + paper gap
    assert _labels(left) == ["literal", "joint", "paper: ours - baseline at iteration 0"]
    np.testing.assert_allclose(right.lines[1].get_ydata(), [1.0, 0.75])  # joint, K = 4 only
    assert left.get_title() == "K = 4, k = 4"


def test_alg1_trajectory_mean_band_and_reference_lines():
    steps = np.array([0, 10, 20])
    sim = np.array([[0.5, 0.7], [0.6, 0.8], [0.55, 0.65]])
    fig = figs.alg1_trajectory(steps, sim, 0.52, PAPER_FIG4, m=6, k=3, K=6)
    (ax,) = fig.axes
    assert len(ax.lines) == 4 and len(ax.collections) == 1
    assert _labels(ax) == ["literal reading (mean)", "chance (random projections)",
                           "paper: ours at iteration 0", "paper: baseline at iteration 0"]
    np.testing.assert_allclose(ax.lines[0].get_ydata(), [0.6, 0.7, 0.6])
    assert ax.get_title() == "m = 6, k = 3, K = 6"


def test_alg1_tsne_early_stop_three_titled_panels(monkeypatch):
    # The embedding itself (sklearn's t-SNE, seconds) is not this function's: a linear stand-in.
    from modscale.training import alignment

    monkeypatch.setattr(alignment, "tsne_directions",
                        lambda learned, target, seed: (learned[:, :2], target[:, :2]))
    rng = np.random.default_rng(0)
    dirs = [rng.normal(size=(4, 3)) for _ in range(3)]
    fig = figs.alg1_tsne_early_stop(dirs, rng.normal(size=(2, 3)), stop_at=7, steps=50, seed=0)
    assert [ax.get_title() for ax in fig.axes] == [
        "random directions", "literal, stopped at step 7", "literal, 50 steps"]
    assert all(len(ax.collections) == 2 for ax in fig.axes)  # learned and target points


def test_fig3a_calibrated_readings_panels():
    methods = ["monolithic", "modular", "modular_matched", "ours_literal"]
    samples = pd.DataFrame({"method": np.repeat(methods, 2), "m": [3, 6] * 4,
                            "n_required": [300, 900, 400, np.inf, 350, 1200, 200, 500],
                            "seed_min": [250, 800, 300, np.inf, 300, 1000, 150, 450],
                            "seed_max": [350, np.inf, 500, np.inf, 400, 1500, 250, 600]})
    curves = pd.DataFrame([{"method": meth, "m": m, "seed": s, "n": n, "test": 2.0 / n ** 0.1}
                           for meth in methods for m in (3, 6) for s in (0, 1)
                           for n in (100, 1000)])
    fig = figs.fig3a_calibrated_readings(samples, curves, PAPER_FIG3A, methods=methods,
                                         threshold=1.5, m_hi=6)
    left, right = fig.axes
    assert len(left.containers) == 4 and len(left.lines) >= 3  # errorbars + paper points
    assert sorted(_labels(left)) == sorted([*(figs.SC_LABELS[m] for m in methods),
                                            "paper: monolithic", "paper: modular",
                                            "paper: ours"])
    assert len(right.lines) == 5  # one curve per method + the threshold
    assert right.get_title() == "m = 6: the curves behind the left panel"
    assert left.get_ylabel() == "samples to test loss 1.5"


# --------------------------------------------------------------------------- prose


def test_seed_range():
    assert prose.seed_range({"seed_min": 316.2, "seed_max": 1000.0}) == "316-1000"
    assert prose.seed_range({"seed_min": 316.0, "seed_max": np.inf}) == "316-not reached"


def test_readings_and_kernel_outcomes():
    readings = pd.DataFrame({"reading": ["literal", "joint", "literal", "joint"],
                             "modules_recovered": [1.0, 4.0, 2.0, 3.0]})
    assert prose.readings_outcome(readings, k=4, best="joint") == (
        "modules recovered on average: literal 1.5, joint 3.5 of k = 4; most: joint")
    sens = pd.DataFrame({"modules_recovered": [0.5, 1.25], "similarity": [0.61, 0.7]})
    assert prose.kernel_outcome(sens, m=9, k=4) == (
        "at m = 9 it recovers at most 1.2 of the k = 4 modules on average over 2 settings "
        "(similarity 0.610 to 0.700)")


def test_early_stop_conclusion_both_branches():
    assert prose.early_stop_conclusion(1.0, 10) == (
        "so the early-stopped literal reading cannot produce the paper's t-SNE picture of "
        "learned points on the targets: early stopping explains the paper's small similarity "
        "gain but not its t-SNE figure")
    assert prose.early_stop_conclusion(5.0, 10) == (
        "enough for a t-SNE picture of learned points on most targets, as in the paper")


def test_matched_caveat_both_branches():
    assert prose.matched_caveat(2000.0, 1000.0, 9) == (
        "The matched baseline trains longer than the plain baseline yet needs more samples at "
        "m = 9, so the difference between them is noise of the seeds and of the coarse n grid "
        "rather than an effect of compute")
    assert prose.matched_caveat(1000.0, 1000.0, 9) == (
        "The matched baseline needs no more samples than the plain baseline at m = 9, as extra "
        "compute should")


def test_knobs_text():
    knobs = SimpleNamespace(noise_var=0.8, freq_scale=1.5, target_var=4.0)
    assert prose.knobs_text(knobs) == (
        "noise variance 0.8, frequency scale 1.5, target variance 4")
    assert prose.knobs_text(None) == "not used at this profile"


def test_calibration_sentence_all_branches():
    assert prose.calibration_sentence(None) == "not run at this profile (sc_sensitivity is off)"
    same = pd.DataFrame({"claim": ["a", "b", "a", "b"],
                         "verdict": ["reproduced", "inconclusive"] * 2})
    assert prose.calibration_sentence(same) == "no verdict changes"
    changed = same.assign(verdict=["reproduced", "inconclusive", "inconclusive",
                                   "inconclusive"])
    assert prose.calibration_sentence(changed) == (
        "the verdict of a changes with the calibration point, so it depends on a near-tie of "
        "the calibration")


def test_calibration_outcome():
    rows = [{"claim": "a", "verdict": "reproduced", "task": "argmin"},
            {"claim": "a", "verdict": "inconclusive", "task": "runner-up"}]
    assert prose.calibration_outcome(rows, 9) == (
        "m = 9: a reproduced (argmin); a inconclusive (runner-up)")


def test_ablation_text_and_conclusion():
    samples = {("mod", 1): 1000.0, ("mod", 2): 2000.0, ("ours", 1): 1200.0,
               ("ours", 2): np.inf}
    assert prose.ablation_text(samples, ["mod", "ours"], [1, 2], 4) == (
        "mod: 1000 (K = 4), 2000 (K = 8); ours: 1200 (K = 4), not reached (K = 8)")
    assert prose.ablation_conclusion([1.2, np.inf], 1.25) == (
        "a comparison at every K is not possible (some K never reached the threshold)")
    assert prose.ablation_conclusion([1.2, 0.8], 1.25) == (
        "the literal reading is never worse than the baseline by more than 1.25x at any K")
    assert prose.ablation_conclusion([1.2, 1.3], 1.25) == (
        "the literal reading falls behind the baseline by more than 1.25x at some K")


# --------------------------------------------------------------------------- run tables


def _reading_run(sim, rec, dist, chance=0.5):
    return {"similarity": torch.tensor(sim), "chance": chance,
            "modules_recovered": torch.tensor(rec), "distinct_directions": torch.tensor(dist),
            "objective_end": torch.tensor([1.0, 3.0]),
            "objective_true": torch.tensor([[2.0, 4.0], [0.0, 6.0]]),
            "objective_random": torch.tensor([5.0, 7.0]), "wall_time_s": 0.5}


def test_readings_and_sensitivity_tables():
    spec = {"reading": "literal", "m": 5, "k": 2, "K": 2, "n_tasks": 2, "kernel": "rbf",
            "b": 1, "vary": "lr", "lr": 0.05, "steps": 20}
    run = _reading_run([0.5, 0.7], [1, 2], [2, 2])
    tab = diag.readings_table([spec], [run])
    assert list(tab.columns) == [
        "reading", "m", "k", "K", "similarity", "similarity_sd", "chance", "modules_recovered",
        "distinct_directions", "objective_end", "objective_best_true", "objective_random",
        "wall_time_s", "networks"]
    row = tab.iloc[0]
    assert row["modules_recovered"] == 1.5 and row["objective_best_true"] == 1.0
    assert row["similarity_sd"] == pytest.approx(np.std([0.5, 0.7], ddof=1), rel=1e-6)
    assert diag.readings_table([{**spec, "n_tasks": 1}], [run]).iloc[0]["similarity_sd"] == 0
    sens = diag.sensitivity_table([spec], [run])
    assert list(sens.columns) == ["setting", "value", "similarity", "chance",
                                  "modules_recovered", "distinct_directions"]
    assert (sens.iloc[0]["setting"], sens.iloc[0]["value"]) == ("lr", 0.05)
    check = diag.check_table([spec], [run])
    assert list(check.columns) == ["reading", "kernel", "b", "similarity", "chance",
                                   "modules_recovered"]
    stopped = diag.stopped_table(["early-stopped"], [spec], [run])
    assert list(stopped.columns) == ["literal reading", "steps", "similarity", "chance",
                                     "modules recovered", "of k", "distinct directions"]
    assert stopped.iloc[0]["of k"] == 2 and stopped.iloc[0]["distinct directions"] == 2.0


def test_stay_table_rows_per_step():
    spec = {"m": 5, "k": 2, "K": 2, "batch_size": 32}
    run = {"steps": torch.tensor([0, 10]),
           "staying": torch.tensor([[1.0, 1.0], [0.5, 1.0]], dtype=torch.float64)}
    tab = diag.stay_table([spec], [run])
    assert list(tab.columns) == ["step", "m", "k", "K", "batch", "staying", "staying_sd",
                                 "networks"]
    assert tab["staying"].tolist() == [1.0, 0.75] and tab["staying_sd"].tolist() == [0.0, 0.25]
    assert tab["networks"].tolist() == [2, 2]
