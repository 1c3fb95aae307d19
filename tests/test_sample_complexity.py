"""Sample-complexity search, the n-grid driver, the sine sweeps and the theory fit."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from modscale.experiments.sine_sweeps import (
    grid_specs,
    k_specs,
    n_grid,
    run_stack,
    stack_frame,
    variant_specs,
)
from modscale.infra.profiles import ConfigError, get_config
from modscale.models.batched_mlp import BatchedMLP
from modscale.report.analysis import sample_complexity_table
from modscale.report.theory_fit import fit_theory, theory_predictions
from modscale.tasks.sine_task import make_task
from modscale.theory.sample_complexity import (
    geometric_grid,
    geometric_mean,
    losses_over_n_grid,
    sample_complexity,
)


def test_geometric_grid():
    assert geometric_grid(100, 100_000, 4) == (100, 1000, 10_000, 100_000)
    with pytest.raises(ConfigError):
        geometric_grid(10, 5, 3)


def test_sample_complexity_log_interpolation():
    n = [100, 1000, 10_000]
    # loss 2 at 100, 1 at 1000: threshold 1.5 is crossed half-way in log n -> sqrt(100*1000)
    assert sample_complexity(n, [2.0, 1.0, 0.5], 1.5) == pytest.approx(math.sqrt(1e5))
    assert sample_complexity(n, [1.0, 0.9, 0.5], 1.5) == 100          # censored at the grid start
    assert sample_complexity(n, [3.0, 2.0, 1.6], 1.5) == math.inf     # never reached
    # "first" vs "stay" with a dip before a peak
    assert sample_complexity(n, [1.0, 3.0, 1.0], 1.5, rule="first") == 100
    assert sample_complexity(n, [1.0, 3.0, 1.0], 1.5, rule="stay") == pytest.approx(
        10 ** (3 + 0.75))
    with pytest.raises(ConfigError, match="'rule'"):
        sample_complexity(n, [1, 1, 1], 1.0, rule="last")
    with pytest.raises(ConfigError):
        sample_complexity([1, 1], [1, 1], 1.0)


def test_geometric_mean_ignores_infinite():
    assert geometric_mean([10, 1000, math.inf]) == pytest.approx(100)
    assert math.isnan(geometric_mean([math.inf]))


def test_losses_over_n_grid_driver():
    res = losses_over_n_grid(lambda s: make_task(3, 2, seed=s),
                             lambda M, i, g, d: BatchedMLP(M, i, 8, 2, generator=g, device=d),
                             [20, 200], [0, 1], n_test=100, iters=30, batch_size=16)
    assert res["train"].shape == (2, 2) and res["test"].shape == (2, 2)
    assert np.all(np.isfinite(res["test"])) and np.all(res["test"] > 0)


def test_sweep_specs_and_stack():
    cfg = get_config("sine_regression", "smoke")
    assert cfg.n_fig2 in n_grid(cfg)
    g, k = grid_specs(cfg), k_specs(cfg)
    assert len(g) == len(cfg.widths) * len(cfg.depths)  # one stack per architecture
    assert all(s.ms == tuple(cfg.m_values) for s in g)
    assert all(s.n_values == (n_grid(cfg) if s.width in cfg.sc_widths else (cfg.n_fig2,))
               for s in g)
    assert len(k) == len(cfg.widths) * len(cfg.depths)  # k_seeds == n_seeds at smoke
    more = k_specs(dataclasses.replace(cfg, k_seeds=5))  # seeds beyond n_seeds: a second stack
    assert len(more) == 2 * len(k)
    assert sorted({s_ for sp in more for s_ in sp.seeds}) == [cfg.seed + i for i in range(5)]
    assert {sp.seeds for sp in more} == {k[0].seeds, tuple(cfg.seed + i for i in range(2, 5))}
    v = variant_specs(cfg, (1.0, 1.0), (2.0, 4.0))
    assert len(v) == 1 and all(s.task.amplitudes == (1.0, 1.0) for s in v)
    assert all((s.width, s.depth) == (cfg.n_panel_width, cfg.n_panel_depth) for s in v)
    spec = g[0].__class__(**{**g[0].__dict__, "iters": 5, "n_values": (50, 100), "n_test": 50})
    res = run_stack(spec)
    df = stack_frame(spec, res)
    assert len(df) == spec.n_models == res["n_models"]
    assert np.allclose(df["target_var"], cfg.output_scale ** 2)
    table = sample_complexity_table(df, (0.5, 5.0))
    assert set(table["threshold"]) == {0.5, 5.0}


def test_fit_theory_recovers_constants():
    """Synthetic points drawn from the theory itself give back its constants."""
    pts = pd.DataFrame([{"m": m, "n": 1000, "p": p} for m in (2, 5, 9)
                        for p in (120, 400, 3000)])
    _, te = theory_predictions(pts["n"], pts["p"], pts["m"], c=3.0, omega=1.4)
    pts["test"] = te
    fixed = fit_theory(pts, c=3.0)
    assert fixed["omega"] == pytest.approx(1.4, rel=1e-3) and fixed["rmse_log"] < 1e-3
    both = fit_theory(pts, c=None)
    assert both["c"] == pytest.approx(3.0, rel=1e-2)
    assert both["omega"] == pytest.approx(1.4, rel=1e-2)


def test_profile_validation():
    with pytest.raises(ConfigError, match="n_panel_width"):
        get_config("sine_regression", "smoke", n_panel_width=7)
    with pytest.raises(ConfigError, match="sc_threshold"):
        get_config("sine_regression", "smoke", sc_threshold=0.7)
    with pytest.raises(ConfigError, match="normalisation"):
        get_config("sine_regression", "smoke", normalisation="l2")
