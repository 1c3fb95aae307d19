"""The Compositional CIFAR-10 chapter's figures (modscale.report.figures.compositional_cifar),
sentences (modscale.report.prose.compositional_cifar), the tables it shows
(modscale.report.cifar_tables) and the kernel-objective comparison
(modscale.experiments.cifar_alg1.position_objective), on small synthetic inputs."""

from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
import torch

from modscale.experiments import cifar_alg1 as ca
from modscale.paper_data import FIG3B as PAPER_FIG3B
from modscale.report import cifar_tables as csr
from modscale.report.figures import compositional_cifar as figs
from modscale.report.prose import compositional_cifar as prose
from modscale.tasks.compositional import ImagePool

METHODS = ("monolithic", "modular", "ours")
LABELS = ["Baseline monolithic", "Baseline modular", "Our method"]
FIG3B = {"k": [1, 2, 3], "monolithic": [0.5, 0.4, 0.3], "modular": [0.45, 0.4, 0.35],
         "ours": [0.55, 0.5, 0.45]}
TABLE1 = {"combinatorial_ood_accuracy": [40.0, 45.0, 50.0],
          "accuracy_under_noise": [30.0, 35.0, 38.0]}


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _legend(obj) -> list[str]:
    return [t.get_text() for t in obj.get_legend().get_texts()]


def _summary(ks=(1, 2), count: int = 2) -> pd.DataFrame:
    return pd.DataFrame([{"method": m, "k": k, "mean": 0.5 - 0.05 * k + 0.01 * i,
                          "count": count, "sem": 0.01}
                         for i, m in enumerate(METHODS) for k in ks])


def _paper_frame() -> pd.DataFrame:
    return pd.DataFrame([{"method": m, "k": k, "acc": a} for m in METHODS
                         for k, a in zip(FIG3B["k"], FIG3B[m], strict=True)])


def _networks(ks=(2,), seeds=(0, 1)) -> pd.DataFrame:
    """Per-network rows as cifar_tables.scale_frame (renamed as as_accuracy_frame adds)."""
    rows = []
    for i, m in enumerate(METHODS):
        for k in ks:
            for s in seeds:
                rows.append({"method": m, "k": k, "seed": s, "n_train": 100, "module_dim": 8,
                             "accuracy": 0.4 + 0.1 * i + 0.01 * s,
                             "ood_accuracy": 0.3 + 0.1 * i, "acc_noise_0": 0.4 + 0.1 * i,
                             "acc_noise_1": 0.5 - 0.1 * i})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- figures


def test_projection_rgb_maps_zero_to_grey_and_the_largest_value_to_one():
    v = torch.zeros(3072 * 2)
    v[0] = -2.0
    v[1] = 1.0
    img = figs.projection_rgb(v, 2)
    assert img.shape == (32, 64, 3)
    assert img.min() == 0.0 and img.max() == 0.75
    assert img[-1, -1, -1] == 0.5
    assert np.all(figs.projection_rgb(torch.zeros(3072), 1) == 0.5)


def test_fig5_one_image_with_class_ticks_and_separators():
    img = np.zeros((32, 96, 3), dtype=np.uint8)
    fig = figs.fig5_compositional_example(img, ["cat", "dog", "ship"])
    (ax,) = fig.axes
    assert len(ax.images) == 1 and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog", "ship"]
    assert ax.get_title() == "input of k = 3 images (32 x 96 x 3); targets below"


def test_fig3b_a_line_per_method_and_paper_with_bands():
    fig = figs.fig3b_compositional_cifar(_summary(), _paper_frame(), METHODS)
    (ax,) = fig.axes
    assert len(ax.lines) == 2 * len(METHODS) + 1  # + chance level
    assert len(ax.collections) == len(METHODS)  # s.e. bands (2 seeds everywhere)
    assert _legend(ax) == [t for lab in LABELS for t in (f"{lab} (this book)", f"paper: {lab}")]
    assert ax.get_ylabel() == "test accuracy (per position)"
    one_seed = figs.fig3b_compositional_cifar(_summary(count=1), _paper_frame(), METHODS)
    assert len(one_seed.axes[0].collections) == 0


def test_noise_curve_one_errorbar_per_method_over_the_noise_levels():
    fig = figs.noise_curve(_networks(), METHODS, 1.0)
    (ax,) = fig.axes
    assert len(ax.containers) == len(METHODS)
    assert _legend(ax) == LABELS
    data_line = ax.containers[0].lines[0]
    np.testing.assert_allclose(np.asarray(data_line.get_xdata(), float), [0.0, 1.0])
    np.testing.assert_allclose(np.asarray(data_line.get_ydata(), float), [0.4, 0.5])
    assert ax.get_xlabel() == "noise std (normalised input units)"


def test_fig12_a_panel_per_module_and_method_with_shares():
    k, n_mod = 2, 4
    run = {"slice_final": torch.randn(n_mod, 3072 * k),
           "energy_final": torch.full((1, n_mod, k), 0.5)}
    fig = figs.fig12_projection_slice({"modular": run, "ours": run}, k, n_show=3)
    assert len(fig.axes) == 3 * 2
    assert fig.axes[0].get_title() == "Baseline modular"
    assert fig.axes[1].get_title() == "Our method"
    assert fig.axes[0].get_xlabel() == "share per image: 0.50 0.50"
    assert fig.axes[2].get_ylabel() == "module 1"
    assert all(len(ax.images) == 1 for ax in fig.axes)


def test_fig3b_scale_two_panels_legend_in_the_second():
    fig = figs.fig3b_scale([(_summary(), "A"), (_summary((1,)), "B")], _paper_frame(), METHODS)
    left, right = fig.axes
    assert (left.get_title(), right.get_title()) == ("A", "B")
    assert len(left.containers) == len(right.containers) == len(METHODS)
    assert left.get_legend() is None
    # matplotlib lists the paper's lines before the error bars
    assert _legend(right) == [f"paper: {lab}" for lab in LABELS] + LABELS


def test_cifar_scale_panel_per_k_open_markers_for_larger_b():
    rows = _networks(ks=(2, 3))
    big = rows[rows["method"] != "monolithic"].assign(module_dim=32)
    study = pd.concat([rows, rows.assign(n_train=1000), big])
    fig = figs.cifar_scale(study, METHODS, (2, 3), (8, 32), FIG3B)
    assert len(fig.axes) == 2
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_title().startswith("k = 2")
    assert len(ax.containers) == 3 + 2  # b = 8 for all methods, b = 32 for the modular ones
    assert len(ax.lines) >= 3  # the paper's level of each method
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels == ["Baseline monolithic", "Baseline modular", "Baseline modular, b = 32",
                      "Our method", "Our method, b = 32"]


def test_cifar_alg1_heldout_a_panel_per_b_two_lines_per_run():
    def run(b, variant):
        return {"spec": {"module_dim": b, "variant": variant}, "steps": torch.tensor([0, 5]),
                "heldout": torch.tensor([[1.0, 1.0], [0.9, 1.1]]),
                "batch": torch.tensor([[2.0, 2.0], [1.0, 1.0]])}

    fig = figs.cifar_alg1_heldout([run(8, "as_run"), run(8, "joint"), run(16, "as_run")],
                                  [8, 16])
    a, b = fig.axes
    assert (a.get_title(), b.get_title()) == ("b = 8", "b = 16")
    assert len(a.lines) == 2 * 2 + 1 and len(b.lines) == 2 + 1
    np.testing.assert_allclose(a.lines[0].get_ydata(), [0.0, 0.0])
    np.testing.assert_allclose(a.lines[1].get_ydata(), [0.0, -50.0])
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["as_run (held-out)",
                                                                  "joint (held-out)"]


def test_fig3b_paper_dim_errorbars_and_paper_curves():
    fig = figs.fig3b_paper_dim(_summary(), FIG3B, METHODS, 512)
    (ax,) = fig.axes
    assert len(ax.containers) == len(METHODS)
    assert _legend(ax) == [f"{lab} (b = 512)" for lab in LABELS]
    assert list(ax.get_xticks()) == FIG3B["k"]


def test_table1_paper_dim_two_panels_dots_means_and_paper():
    runs = _networks().rename(columns={"ood_accuracy": "acc_ood", "acc_noise_1": "acc_noise_1.5"})
    fig = figs.table1_paper_dim(runs, METHODS, 1.5, TABLE1)
    ood, noise = fig.axes
    assert ood.get_title() == "OOD (held-out class tuples)"
    assert noise.get_title() == "input noise std 1.5"
    assert len(ood.containers) == len(noise.containers) == len(METHODS)  # means ± s.e.
    assert len([c for c in ood.collections if len(c.get_offsets()) == 2]) == len(METHODS)
    assert [t.get_text() for t in ood.get_xticklabels()] == LABELS
    assert list(ood.lines[-1].get_ydata()) == [50.0, 50.0]  # the paper's, ours
    assert list(noise.lines[-1].get_ydata()) == [38.0, 38.0]


def test_table1_paper_dim_missing_column_is_an_error():
    """The page once passed a frame whose OOD column had another name: the panel showed the
    paper's dashes alone. A missing column now fails, naming it."""
    with pytest.raises(KeyError, match="acc_ood"):
        figs.table1_paper_dim(_networks(), METHODS, 1.0, TABLE1)  # no acc_ood column


def test_fig12_paper_dim_at_most_four_modules_modular_methods_only():
    slices = {m: torch.randn(6, 3072 * 2) for m in METHODS}
    fig = figs.fig12_paper_dim(slices, 2)
    assert len(fig.axes) == 4 * 2
    assert [ax.get_title() for ax in fig.axes[:2]] == ["Baseline modular", "Our method"]
    fig = figs.fig12_paper_dim({"ours": torch.randn(2, 3072)}, 1)
    assert len(fig.axes) == 2


# --------------------------------------------------------------------------- prose


def test_source_kind():
    assert prose.source_kind(True) == "JPEG-compressed"
    assert prose.source_kind(False) == "original (lossless)"


def test_objective_preference_every_branch():
    assert prose.objective_preference([True, True]) == "prefers"
    assert prose.objective_preference([False, False]) == "does not prefer"
    assert prose.objective_preference([True, False]) == "prefers only at some k"


def test_noise_sensitivity():
    assert (prose.noise_sensitivity(4, {"0": "ours", "0.5": "modular"})
            == "at k = 4 the best mean accuracy per noise std is: 0 Our method, "
               "0.5 Baseline modular")


def test_dim_sentences():
    dim_acc = pd.Series([0.41, 0.45, 0.5], index=pd.MultiIndex.from_tuples(
        [("modular", 32), ("modular", 128), ("ours", 32)], names=["method", "module_dim"]))
    text = prose.dim_accuracies(dim_acc)
    assert text == ("Baseline modular: 41.0 % (b = 32), 45.0 % (b = 128); "
                    "Our method: 50.0 % (b = 32)")
    outcome = prose.dim_outcome(4, 200_000, "X")
    assert outcome == "at k = 4 and 200,000 combinations the test accuracy is X"
    assert prose.dim_sentence(outcome) == "At k = 4 and 200,000 combinations the test accuracy is X"
    assert (prose.dim_sentence(None)
            == "No module dimension beyond the first was run at this profile")


def test_objective_change_decimals_by_size():
    assert prose.objective_change(2.345) == "+2.3 %"
    assert prose.objective_change(-1.0) == "-1.0 %"
    assert prose.objective_change(0.123) == "+0.12 %"
    assert prose.objective_change(-0.5) == "-0.50 %"


def test_points_at_every_branch():
    assert prose.points_at([1.0, 0.5]) == "does not point at"
    assert prose.points_at([-6.0, -10.0]) == "clearly prefers"
    assert prose.points_at([-1.0, -6.0]) == "barely prefers"
    assert prose.points_at([-1.0, 2.0]) == "is ambivalent about"


def test_chosen_variant():
    assert prose.chosen_variant("bandwidth_grad") == "bandwidth_grad"
    assert prose.chosen_variant(None) == "none of the variants"


def test_learning_rate_sentences():
    lrs = {"monolithic": 1e-4, "modular": 3e-4, "ours": 1e-4}
    assert prose.lowest_rate(lrs, 1e-4) == "Baseline monolithic, Our method"
    assert prose.lowest_rate(lrs, 1e-5) == "none"
    assert (prose.lr_differences({"monolithic": 1e-4, "modular": 1e-3}, lrs)
            == "Baseline modular 0.001 there, 0.0003 here")
    assert prose.lr_differences(lrs, lrs) == "none differs"


def test_init_cause():
    assert prose.init_cause({32: 1.25, 512: -0.5}, {32: -3.0, 512: 2.0}, 0.5012, 4) == (
        "the initialiser: on raw CIFAR pixels the literal kernel objective (minimised) is "
        "+1.2 %, -0.5 % for an image-aligned projection against a random one (b = 32, 512; "
        "positive: the aligned projection scores worse), the joint objective -3.0 %, +2.0 %; "
        "no variant of Algorithm 1 moves the largest per-image share off 0.501 "
        "(uniform: 1/k = 0.25, k = 4)")


def test_settings():
    assert prose.run_setting(32, 1_000_000, 2) == "b = 32, 1,000,000 combinations, 2 seeds"
    assert (prose.paper_dim_fig3b_setting(512, 200_000, 5, [1, 2])
            == "b = 512, 200,000 combinations, 5 seeds, k = 1, 2 (paper: 10⁶, k = 1..8)")
    assert (prose.scale_only_fig3b_setting("S", 512, (2,))
            == "S: the only data scale with several k; b = 512 ran at k = 2 only "
               "(tools/paper_run.py carries the rest)")


# --------------------------------------------------------------------------- tables


def _sweep_run(method, lr, val):
    return {"spec": {"method": method, "lr": lr}, "rows": [{"val_acc": val}]}


def test_sweep_table_rates_by_method():
    t = csr.sweep_table([_sweep_run("ours", 1e-3, 0.51234), _sweep_run("ours", 1e-4, 0.4),
                         _sweep_run("modular", 1e-3, 0.3)])
    assert list(t.index) == [1e-4, 1e-3]
    assert list(t.columns) == ["Baseline modular", "Our method"]
    assert t.loc[1e-3, "Our method"] == 0.5123


def test_best_per_noise():
    assert csr.best_per_noise(_networks(), METHODS) == {"0": "ours", "1": "monolithic"}


def test_selectivity_frame_and_table():
    def run(method, k):
        e = torch.tensor([[[0.7, 0.3], [0.5, 0.5]]])  # (networks, K, k)
        return {"spec": {"method": method, "k": k}, "energy_init": e, "energy_final": e}

    sel = csr.selectivity_frame([run("modular", 2), run("ours", 2)], ["modular", "ours"], [2])
    assert len(sel) == 4 and set(sel["stage"]) == {"random init", "after training"}
    assert sel["mean max share"].iloc[0] == pytest.approx(0.6)
    table = csr.selectivity_table(sel, ["modular", "ours"])
    assert list(table.index) == [("Baseline modular", "random init"),
                                 ("Baseline modular", "after training"),
                                 ("Our method", "random init"), ("Our method", "after training")]


def test_epochs_table():
    ep = [{"spec": {"method": m, "eval_epochs": [1, 2]},
           "acc": [torch.tensor([0.4, 0.5]), torch.tensor([0.6, 0.7])]} for m in METHODS]
    t = csr.epochs_table(ep, METHODS)
    assert list(t.columns) == LABELS and list(t.index) == [1, 2]
    assert t.loc[2, "Our method"] == 0.65


def test_store_provenance_groups_entries():
    rows = pd.DataFrame({"date": ["2024-01-02T10:00", "2024-01-01T09:00", "2024-01-03"],
                         "commit": ["a", "a", "b"], "device": ["cpu"] * 3, "version": [1] * 3,
                         "code_changed": [True, True, False], "file": ["x", "y", "z"],
                         "wall_time_s": [60.0, 120.0, np.nan]})
    prov = csr.store_provenance(rows)
    assert list(prov["entries"]) == [2, 1]
    assert prov["computed"].iloc[0] == "2024-01-01, 2024-01-02"
    assert list(prov["compute (min)"]) == [3.0, 0.0]
    assert "code changed since" in prov.columns


def test_scale_comparison_sources_then_paper():
    cmp = csr.scale_comparison({"n = 10": _summary((1, 2)), "chapter": _summary((1,))}, METHODS)
    assert list(cmp.index) == [1, 2]
    assert list(cmp.columns.get_level_values(0).unique()) == ["n = 10", "chapter", "paper"]
    assert list(cmp.columns)[:3] == [("n = 10", "mono"), ("n = 10", "modular"),
                                     ("n = 10", "ours")]
    assert cmp.loc[2, ("paper", "ours")] == PAPER_FIG3B["ours"][1]


def test_scale_trends_ordering_view_and_dim_accuracy():
    rows = _networks(ks=(2,))
    study = pd.concat([rows, rows.assign(n_train=1000)])
    order_tab = csr.ordering_table(study)
    assert csr.scale_trends(order_tab) == {(2, 8): "holds at every scale"}
    view = csr.ordering_view(order_tab, METHODS)
    assert list(view["paper ordering"]) == ["yes", "yes"]
    assert view["ours - modular (points)"].iloc[0] == "+10.0 ± 0.0"
    assert "Our method" in view.columns and "b" in view.columns
    dim_acc = csr.dim_accuracy(study, 2, 100)
    assert list(dim_acc.index) == [("modular", 8), ("ours", 8)]


def _a1_run(b=8):
    return {"spec": {"module_dim": b, "variant": "as_run", "objective": "literal",
                     "bandwidth_grad": False, "pool": 4, "batch": 2, "lr": 1e-3, "steps": 5,
                     "n_models": 2},
            "steps": torch.tensor([0, 5]), "chosen_step": torch.tensor([5, 5]),
            "heldout": torch.tensor([[1.0, 2.0], [0.99, 2.04]]),
            "batch": torch.tensor([[1.0, 1.0], [0.5, 0.5]]),
            "share_before": torch.tensor([0.5, 0.5]), "share_after": torch.tensor([0.5, 0.6]),
            "wall_time_s": 1.0,
            "oracle": {"literal": torch.tensor([[1.0, 1.0], [1.1, 1.1]])}}


def test_alg1_and_oracle_views_and_mean_change():
    run = _a1_run()
    view = csr.alg1_view(csr.alg1_table([run]))
    assert view["held-out change %"].iloc[0] == "+0.50"
    assert view["share after"].iloc[0] == 0.55
    assert csr.alg1_mean_change(run) == pytest.approx(0.5)
    orc = csr.oracle_view(csr.oracle_table([run]))
    assert orc["aligned - random %"].iloc[0] == "+10.0"


def test_paper_dim_summary_rows_and_paper_column():
    pdf = _networks(ks=(2,))
    t = csr.paper_dim_summary(pdf, METHODS, 2, 1.0, {m: 1e-3 for m in METHODS})
    assert list(t["method"]) == LABELS
    assert t["test acc"].iloc[0] == "40.50 ± 0.50"
    assert t["noise acc"].iloc[2] == "30.00 ± 0.00"
    assert t["paper Fig. 3b"].iloc[2] == f"{100 * PAPER_FIG3B['ours'][1]:.1f}"  # ours, k = 2
    assert csr.paper_dim_summary(pdf, METHODS, 9, 1.0, {}).empty  # no run at that k


def test_per_seed_inputs_in_seed_order():
    frame = _networks(ks=(2,), seeds=(1, 0))
    got = csr.per_seed_at(frame, "accuracy", 2, ["ours"], 100.0)
    np.testing.assert_allclose(got["ours"], [60.0, 61.0])
    runs = [{"spec": {"method": "ours", "k": 2, "seeds": [s]},
             "energy_final": torch.tensor([[[0.9, 0.1], [0.6, 0.4]]]) * (1 + s),
             "energy_max_final": torch.tensor([float(s)])} for s in (1, 0)]
    np.testing.assert_allclose(csr.final_share_per_seed(runs, "ours", 2), [0.75, 1.5])
    np.testing.assert_allclose(csr.paper_dim_share(runs, "ours", 2), [0.0, 1.0])
    assert len(csr.paper_dim_share(runs, "ours", 2, "energy_max_after_init")) == 0


# --------------------------------------------------------------------------- objective


def test_position_objective_rows_and_restriction():
    g = torch.Generator().manual_seed(0)
    n_per = 4
    x = torch.randint(0, 256, (10 * n_per, 32, 32, 3), dtype=torch.uint8, generator=g)
    pool = ImagePool(x=x, y=torch.arange(10).repeat_interleave(n_per),
                     start=torch.arange(10) * n_per, count=torch.full((10,), n_per),
                     mean=torch.full((3,), 0.5), std=torch.full((3,), 0.25))
    rows = ca.position_objective(SimpleNamespace(train=pool), 2, module_dim=3, ridge=0.1,
                                 n_proj=2, batch=16)
    assert [(r["projection"], r["targets"]) for r in rows] == [
        ("spread over all images", "all positions"), ("spread over all images", "position 1"),
        ("image 1 only", "all positions"), ("image 1 only", "position 1")]
    assert all(r["k"] == 2 and np.isfinite(r["objective"]) and r["s.e."] >= 0 for r in rows)
    again = ca.position_objective(SimpleNamespace(train=pool), 2, module_dim=3, ridge=0.1,
                                  n_proj=2, batch=16)
    assert rows == again  # seeded
