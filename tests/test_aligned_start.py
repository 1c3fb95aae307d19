"""Aligned starts (oracle and mixed): similarity 1 for the oracle, rising with alpha, and at
alpha = 0 the modular baseline's stack bit for bit."""

import dataclasses

import numpy as np
import pytest
import torch

from modscale.experiments import fig3a_readings as fr
from modscale.infra.profiles import ConfigError, config_dict
from modscale.tasks.sine_task import SineTaskSpec
from modscale.training.aligned_start import aligned_start_
from modscale.training.alignment import chance_similarity, similarity_score


def _spec(**kw) -> fr.Fig3aSpec:
    base = dict(method="modular", m=6, k=2, width=4, depth=2, n_modules=4, n_values=(16, 32),
                seeds=(0, 1), n_test=20, iters=5, lr=0.01, batch_size=8, init_steps=2,
                init_batch_size=8, init_lr=0.05, init_ridge=0.1,
                task=SineTaskSpec(noise_var=0.5, output_scale=3.0 ** 0.5, amplitudes=(1.0, 0.5),
                                  frequencies=(1.0, 3.0)))
    return fr.Fig3aSpec(**(base | kw))


def test_oracle_starts_at_similarity_one_and_keeps_the_norm():
    g = torch.Generator().manual_seed(0)
    w = torch.randn(3, 4, 9, 1, generator=g)
    w = 2.0 * w / w.norm(dim=-2, keepdim=True)
    t = torch.randn(3, 2, 9, 1, generator=g)
    rest = w[:, 2:].clone()
    aligned_start_(w, t, 1.0, scale=2.0)
    assert torch.allclose(similarity_score(w, t), torch.ones(3))
    assert torch.allclose(w.norm(dim=-2), torch.full((3, 4, 1), 2.0))
    assert torch.equal(w[:, 2:], rest)  # the other K - k projections stay random


def test_mixed_similarity_rises_with_alpha_from_chance():
    g = torch.Generator().manual_seed(1)
    w0 = torch.randn(400, 8, 9, 1, generator=g, dtype=torch.float64)
    w0 = w0 / w0.norm(dim=-2, keepdim=True)
    t = torch.randn(400, 4, 9, 1, generator=g, dtype=torch.float64)
    sims = [float(similarity_score(aligned_start_(w0.clone(), t, a), t).mean())
            for a in (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)]
    assert all(b > a for a, b in zip(sims, sims[1:], strict=False)), sims
    assert abs(sims[0] - chance_similarity(9, 8, 4)) < 0.02 and sims[-1] == pytest.approx(1.0)


def test_alpha_zero_is_the_modular_baseline_bit_for_bit():
    base = fr.run_stack(_spec())
    mixed = fr.run_stack(_spec(method="mixed", alpha=0.0))
    for key in ("train", "test", "test_clean", "sim_init", "sim_final"):
        np.testing.assert_array_equal(base[key], mixed[key], err_msg=key)
    oracle = fr.run_stack(_spec(method="oracle"))
    np.testing.assert_allclose(oracle["sim_init"], 1.0, rtol=1e-6)
    half = fr.run_stack(_spec(method="mixed", alpha=0.5))
    assert (half["sim_init"] > base["sim_init"]).all()
    assert (half["sim_init"] < oracle["sim_init"] - 1e-3).all()


def test_alpha_is_validated_and_keyed_only_when_used():
    with pytest.raises(ConfigError, match="parameter 'alpha'.*mixed"):
        _spec(method="modular", alpha=0.5)
    with pytest.raises(ConfigError, match=r"parameter 'alpha' must be in \[0, 1\]"):
        _spec(method="mixed", alpha=1.5)
    assert "alpha" not in config_dict(_spec())  # stored keys unchanged
    assert config_dict(_spec(method="mixed", alpha=0.25))["alpha"] == 0.25
    # paired with the baseline: same generator stream
    assert fr.generator_spec(_spec(method="oracle")) == _spec()
    assert fr.generator_spec(_spec(method="mixed", alpha=0.3)) == _spec()
    assert fr.generator_spec(_spec()) == _spec()
    assert dataclasses.replace(_spec(method="mixed", alpha=0.3), alpha=0.0).alpha == 0.0
