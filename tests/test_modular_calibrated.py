"""The modular chapter's stacks on the calibrated task (modscale.experiments.modular_calibrated)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from modscale.experiments import calibration, fig3a_readings
from modscale.experiments import modular_calibrated as mc
from modscale.infra.profiles import PROFILE_NAMES, ConfigError, get_config
from modscale.report.analysis import stack_samples_needed
from modscale.tasks.sine_task import SineTaskSpec, make_task
from modscale.training.alignment import similarity_score


def _base(**kw) -> fig3a_readings.Fig3aSpec:
    base = dict(method="modular", m=4, k=2, width=4, depth=2, n_modules=4,
                n_values=(16, 32), seeds=(0, 1), n_test=20, iters=6, lr=0.01, batch_size=8,
                init_steps=2, init_batch_size=8, init_lr=0.05, init_ridge=0.1,
                task=SineTaskSpec(noise_var=0.5, output_scale=3.0 ** 0.5, amplitudes=(1.0, 0.5),
                                  frequencies=(1.0, 3.0)))
    return fig3a_readings.Fig3aSpec(**(base | kw))


def test_bad_method_and_projection_name_the_parameter():
    with pytest.raises(ConfigError, match="parameter 'method'.*allowed values"):
        mc.from_fig3a(_base(), method="monolithic")
    with pytest.raises(ConfigError, match="parameter 'projection'.*allowed values"):
        mc.from_fig3a(_base(), projection="quadratic")
    with pytest.raises(ConfigError, match="parameter 'record_every'"):
        mc.from_fig3a(_base(), record_every=-1)


def test_from_fig3a_keeps_every_field_of_the_comparison():
    base = _base(method="ours_joint")
    spec = mc.from_fig3a(base, projection="nonlinear")
    assert {f.name: getattr(spec, f.name) for f in dataclasses.fields(base)} \
        == {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    assert spec.projection == "nonlinear" and spec.record_every == 0


@pytest.mark.parametrize("method", mc.READING_METHODS + ("oracle",))
def test_run_stack_records_the_trajectory_on_the_comparisons_tasks(method):
    spec = mc.from_fig3a(_base(), method=method, record_every=2, keep_directions=True)
    r = mc.run_stack(spec)
    s, g = len(spec.seeds), len(spec.n_values)
    for key in ("train", "test", "test_clean", "sim_init", "sim_final"):
        assert r[key].shape == (s, g) and np.isfinite(r[key]).all(), key
    assert list(r["sim_steps"]) == [0, 2, 4, 6]
    assert r["sim_history"].shape == (4, s, g)
    # iteration 0 is recorded before the first update: the similarity after the initialiser;
    # the last entry is the end of training
    np.testing.assert_allclose(r["sim_history"][0], r["sim_init"], rtol=1e-6)
    np.testing.assert_allclose(r["sim_history"][-1], r["sim_final"], rtol=1e-6)
    assert r["dirs_init"].shape == (s, g, spec.n_modules, spec.m, spec.task.b)
    # the task of seed s is the Fig. 3a comparison's task of seed s (paired by task)
    for i, seed in enumerate(spec.seeds):
        t = make_task(spec.m, spec.k, seed=seed, b=spec.task.b,
                      amplitudes=spec.task.amplitudes, frequencies=spec.task.frequencies,
                      output_scale=spec.task.output_scale, noise_var=spec.task.noise_var)
        np.testing.assert_allclose(r["targets"][i], t.directions.float().numpy())
    # the stored similarity is the similarity of the stored directions
    sim = similarity_score(torch.as_tensor(r["dirs_final"][0]),
                           torch.as_tensor(r["targets"][0])[None].expand(g, -1, -1, -1))
    np.testing.assert_allclose(sim.numpy(), r["sim_final"][0], rtol=1e-5)
    if method == "oracle":  # the first k projections are the true directions
        np.testing.assert_allclose(r["sim_init"], 1.0, rtol=1e-6)
    if method in ("modular", "oracle"):
        assert r["init_time_s"] == 0.0
    else:
        assert r["init_flops"] > 0


def test_nonlinear_projection_trains_and_is_deterministic():
    spec = mc.from_fig3a(_base(method="ours_literal"), projection="nonlinear", proj_hidden=3)
    a, b = mc.run_stack(spec), mc.run_stack(spec)
    np.testing.assert_array_equal(a["test"], b["test"])
    assert "sim_history" not in a and "dirs_init" not in a


def test_table2_specs_pair_linear_and_nonlinear_stacks():
    acfg = get_config("algorithm1", "smoke")
    mcfg = get_config("modular_networks", "smoke")
    sine = get_config("sine_regression", "smoke")
    comparison = fig3a_readings.specs(acfg, calibration.comparison_task(sine, acfg)[1])
    linear, nonlinear = mc.table2_specs(mcfg, comparison)
    assert [(s.m, s.method) for s in linear] == [(m, meth) for m in mcfg.table2_m_values
                                                 for meth in mc.READING_METHODS]
    for s_l, s_n in zip(linear, nonlinear, strict=True):
        assert mc.from_fig3a(s_l, projection="nonlinear", proj_hidden=mcfg.proj_hidden) == s_n
        assert s_l.n_modules == acfg.sc_modules_factor * acfg.k  # not an ablation stack
    bad = dataclasses.replace(mcfg, table2_m_values=(5,))
    with pytest.raises(ConfigError, match="parameter 'table2_m_values'.*sc_m_values"):
        mc.table2_specs(bad, comparison)
    fig4 = mc.fig4_specs(mcfg, comparison[0])
    assert [s.method for s in fig4] == list(mc.READING_METHODS)
    assert all(s.n_modules == 2 * mcfg.align_k and s.n_values == (mcfg.align_n,)
               and s.iters == mcfg.align_iters and s.keep_directions for s in fig4)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_table2_m_values_are_in_the_comparison_at_every_profile(profile):
    acfg = get_config("algorithm1", profile)
    mcfg = get_config("modular_networks", profile)
    assert set(mcfg.table2_m_values) <= set(acfg.sc_m_values)
    assert mcfg.align_iters == acfg.sc_iters or profile == "smoke"


def test_stack_samples_needed_mean_and_seed_range():
    grid = (10, 100, 1000)
    test = np.array([[4.0, 2.0, 1.0], [4.0, 1.0, 0.5]])
    out = stack_samples_needed(grid, test, 1.5)
    # seed mean (4, 1.5, 0.75) reaches 1.5 at n = 100; seed 0 between 100 and 1000, seed 1
    # between 10 and 100
    assert out["n_required"] == pytest.approx(100.0)
    assert 10 < out["seed_min"] < 100 < out["seed_max"] < 1000
    assert stack_samples_needed(grid, test, 0.1)["n_required"] == np.inf
    with pytest.raises(ValueError, match="shape"):
        stack_samples_needed(grid, test[:, :2], 1.5)


def test_comparison_task_reads_the_algorithm1_config():
    acfg = dataclasses.replace(get_config("algorithm1", "smoke"), sc_task="manual",
                               sc_noise_var=0.3, sc_freq_scale=2.0, sc_target_var=5.0)
    knobs, task = calibration.comparison_task(get_config("sine_regression", "smoke"), acfg)
    assert knobs == calibration.Knobs(0.3, 2.0, 5.0)
    scfg = get_config("sine_regression", "smoke")
    assert task.amplitudes == tuple(scfg.amplitudes)
    assert task.frequencies == tuple(2.0 * f for f in scfg.frequencies)
    assert (task.noise_var, task.target_var, task.b) == (0.3, 5.0, scfg.b)
    with pytest.raises(ConfigError, match="parameter 'sc_task'"):
        calibration.comparison_task(get_config("sine_regression", "smoke"),
                                    dataclasses.replace(acfg, sc_task="guess"))
