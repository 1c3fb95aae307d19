"""Readings of Algorithm 1 and their diagnostics (modscale.training.alg1) on small planted
problems."""

import numpy as np
import pytest
import torch

from modscale.infra.profiles import ConfigError
from modscale.models.modular_net import LinearProjection
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.alg1 import (
    READINGS,
    direction_metrics,
    init_projections_,
    objective_per_point,
    stay_test,
)


def _problem(n_nets=2, m=6, k=3, n=800):
    tasks = [make_task(m, k, seed=s) for s in range(n_nets)]
    xtr, ytr, _, _, _ = sample_datasets(tasks, [n] * n_nets, 10, data_seeds=list(range(n_nets)))
    target = torch.stack([t.directions.float() for t in tasks])  # (M, k, m, 1)
    return xtr, ytr, target


@pytest.mark.parametrize("reading", ["greedy_residual", "greedy_fixed", "joint"])
def test_sequential_and_joint_readings_recover_planted_modules(reading):
    torch.manual_seed(0)
    xtr, ytr, target = _problem()
    g = torch.Generator().manual_seed(0)
    proj = LinearProjection(2, 3, 6, 1, generator=g)
    res = init_projections_(proj, xtr, ytr, reading=reading, steps=120, batch_size=200,
                            lr=0.05, generator=g)
    dm = direction_metrics(proj.directions(), target)
    # 2 networks x 3 planted modules: at least 5 of 6 recovered, every network well aligned
    assert int(dm.modules_recovered.sum()) >= 5 and (dm.similarity > 0.85).all(), dm
    assert res.objective and res.wall_time_s > 0 and res.flops > 0
    if reading != "joint":
        assert res.stages == [0, 120, 240]


def test_literal_reading_collapses_where_greedy_does_not():
    xtr, ytr, target = _problem()
    out = {}
    for reading in ("literal", "greedy_fixed"):
        g = torch.Generator().manual_seed(0)
        proj = LinearProjection(2, 3, 6, 1, generator=g)
        init_projections_(proj, xtr, ytr, reading=reading, steps=120, batch_size=200,
                          lr=0.05, generator=g)
        out[reading] = direction_metrics(proj.directions(), target)
    assert out["literal"].distinct_directions.sum() < out["greedy_fixed"].distinct_directions.sum()
    assert out["literal"].similarity.mean() < out["greedy_fixed"].similarity.mean()


def test_greedy_freezes_earlier_modules():
    xtr, ytr, _ = _problem(n_nets=1)
    g = torch.Generator().manual_seed(1)
    proj = LinearProjection(1, 2, 6, 1, generator=g)
    proj.renormalize_()
    before = proj.weight.detach().clone()
    init_projections_(proj, xtr, ytr, reading="greedy_fixed", steps=0, generator=g)
    assert torch.allclose(proj.weight, before)
    init_projections_(proj, xtr, ytr, reading="greedy_fixed", steps=5, generator=g)
    assert not torch.allclose(proj.weight[:, 1], before[:, 1])


def test_metrics_count_recovered_and_distinct_directions():
    e = torch.eye(4)[:, :, None]  # 4 unit vectors (4, 4, 1)
    target = e[None, :2]  # modules along e0, e1
    learned = torch.stack([e[0], -e[0], e[2]])[None]  # e0 twice (sign-free), e2
    dm = direction_metrics(learned, target, chance_trials=200)
    assert dm.modules_recovered.tolist() == [1]
    assert dm.distinct_directions.tolist() == [2]
    assert dm.similarity.item() == pytest.approx(0.5)
    assert 0 < dm.chance < 1


def test_objective_per_point_prefers_a_true_direction():
    xtr, ytr, target = _problem(n_nets=1, k=1, n=400)
    rand = torch.nn.functional.normalize(torch.randn(1, 1, 6, 1), dim=-2)
    obj = objective_per_point(torch.cat([target, rand], 1), xtr, ytr)
    assert obj.shape == (1, 2) and obj[0, 0] < obj[0, 1]


def test_stay_test_on_a_single_module_task():
    xtr, ytr, target = _problem(n_nets=1, k=1, n=400)
    proj = LinearProjection(1, 2, 6, 1)
    st = stay_test(proj, target, xtr, ytr, steps=20, record_every=10, batch_size=400)
    assert st["steps"].tolist() == [0, 10, 20]
    assert st["staying"].shape == (3, 1) and st["staying"][0].item() == 1.0
    # with one module the true direction is the minimiser: the restarts stay on it
    assert st["staying"][-1].item() == 1.0


def test_bad_reading_is_rejected():
    xtr, ytr, _ = _problem(n_nets=1)
    with pytest.raises(ConfigError, match="parameter 'reading'.*allowed values"):
        init_projections_(LinearProjection(1, 2, 6, 1), xtr, ytr, reading="greedy")
    assert READINGS[0] == "literal"


def _fig3a_spec(method: str, **kw):
    from modscale.experiments.fig3a_readings import Fig3aSpec
    from modscale.tasks.sine_task import SineTaskSpec

    base = dict(method=method, m=3, k=2, width=4, depth=2, n_modules=4, n_values=(16, 32),
                seeds=(0, 1), n_test=20, iters=3, lr=0.01, batch_size=8, init_steps=2,
                init_batch_size=8, init_lr=0.05, init_ridge=0.1,
                task=SineTaskSpec(noise_var=0.5, output_scale=3.0 ** 0.5, amplitudes=(1.0, 0.5),
                                  frequencies=(1.0, 3.0)))
    return Fig3aSpec(**(base | kw))


def test_fig3a_stack_shapes_and_matched_compute():
    from modscale.experiments import fig3a_readings as fr
    r = fr.run_stack(_fig3a_spec("monolithic"))
    assert r["test"].shape == (2, 2) and "sim_init" not in r and r["iters"] == 3
    assert np.isfinite(r["test_clean"]).all()
    spec = _fig3a_spec("modular_matched")
    extra = fr.matched_iters(spec)
    assert extra > 0 and fr.run_stack(spec)["iters"] == 3 + extra
    # the matched budget is the most expensive reading's initialiser
    assert max(fr.init_flops(spec, r) for r in READINGS) == fr.init_flops(spec, "greedy_residual")
    with pytest.raises(ConfigError, match="method"):
        _fig3a_spec("ours_typo")


def test_fig3a_readings_initialise_each_network_on_its_own_rows(monkeypatch):
    """Networks of different n share a padded stack; each reading must see only real rows."""
    from modscale.experiments import fig3a_readings as fr
    calls = []
    real = fr.init_projections_

    def spy(proj, x, y, **kw):
        calls.append((x.shape[:2], bool((x.abs().sum(-1) > 0).all())))
        return real(proj, x, y, **kw)

    monkeypatch.setattr(fr, "init_projections_", spy)
    r = fr.run_stack(_fig3a_spec("ours_greedy_residual"))
    assert calls == [((2, 16), True), ((2, 32), True)]  # one call per n, 2 seeds each
    assert r["sim_init"].shape == (2, 2) and r["init_time_s"] > 0 and r["init_flops"] > 0


def test_modules_ablation_specs_reuse_the_comparison_stacks():
    from modscale.experiments import calibration, fig3a_readings
    from modscale.experiments.fig3a_ablation import ABLATION_METHODS, ablation_specs
    from modscale.infra.profiles import get_config

    cfg = get_config("algorithm1", "smoke", sc_m_values=(3, 5), sc_ablation_factors=(1, 2, 5))
    _, task = calibration.comparison_task(get_config("sine_regression", "smoke"), cfg)
    specs = fig3a_readings.specs(cfg, task)
    abl = ablation_specs(cfg, specs)
    assert len(abl) == 3 * len(ABLATION_METHODS)
    assert {s.m for s in abl} == {5} and {s.method for s in abl} == set(ABLATION_METHODS)
    assert sorted({s.n_modules for s in abl}) == [cfg.k, 2 * cfg.k, 5 * cfg.k]
    # the comparison's own factor gives back its stacks (same cache entries)
    own = [s for s in abl if s.n_modules == cfg.sc_modules_factor * cfg.k]
    assert all(s in specs for s in own) and len(own) == len(ABLATION_METHODS)


def test_modules_ablation_factors_must_include_the_comparison_factor():
    from modscale.infra.profiles import get_config

    with pytest.raises(ConfigError, match="sc_ablation_factors"):
        get_config("algorithm1", "smoke", sc_ablation_factors=(1, 5))
