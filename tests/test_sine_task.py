"""Tests of the modular sine-wave task: shapes, determinism, closed-form moments vs Monte Carlo."""

import math

import pytest
import torch

from modscale.infra.profiles import ConfigError
from modscale.paper_data import FIG1_MODULE
from modscale.tasks.sine_task import SineTask, make_task, sample_datasets


def test_shapes_and_orthonormal_projections():
    task = make_task(6, 3, seed=1, b=2)
    assert task.directions.shape == (3, 6, 2)
    gram = task.directions.transpose(1, 2) @ task.directions
    assert torch.allclose(gram, torch.eye(2, dtype=torch.float64).expand(3, 2, 2), atol=1e-12)
    x, y = task.sample(50, seed=0)
    assert x.shape == (50, 6) and y.shape == (50, 1) and x.dtype == torch.float32
    assert task.module_outputs(x).shape == (50, 3)
    assert task.project(x).shape == (50, 3, 2)


def test_deterministic_and_nested():
    a, b = make_task(4, 2, seed=5), make_task(4, 2, seed=5)
    assert torch.equal(a.directions, b.directions) and torch.equal(a.phases, b.phases)
    assert not torch.equal(a.directions, make_task(4, 2, seed=6).directions)
    x1, y1 = a.sample(10, seed=3)
    x2, y2 = b.sample(100, seed=3)
    assert torch.equal(x1, x2[:10]) and torch.equal(y1, y2[:10])


def test_target_matches_explicit_formula():
    """y = scale * sum_i sum_j a_j sin(w_j u_i^T x + phi_ij) for b = 1 (plain loop)."""
    task = make_task(5, 3, seed=2, normalisation="sqrt_k", output_scale=1.0)
    x, y = task.sample(20, seed=0, dtype=torch.float64)
    ref = torch.zeros(20, dtype=torch.float64)
    for i in range(3):
        t = x @ task.directions[i, :, 0]
        for j, (a, w) in enumerate(zip(task.amplitudes, task.frequencies, strict=True)):
            ref += a * torch.sin(w * t + task.phases[i, j])
    assert torch.allclose(y[:, 0], ref / math.sqrt(3), atol=1e-12)


@pytest.mark.parametrize("norm", ["sqrt_k", "sum", "mean", "unit_variance"])
@pytest.mark.parametrize("m,k,b", [(3, 4, 1), (6, 2, 3)])
def test_closed_form_moments_match_monte_carlo(norm, m, k, b):
    task = make_task(m, k, seed=3, b=b, normalisation=norm, output_scale=1.3)
    mean, var = task.moments()
    _, y = task.sample(400_000, seed=1, dtype=torch.float64)
    se_mean = math.sqrt(var / len(y))
    assert abs(y.mean().item() - mean) < 5 * se_mean
    assert abs(y.var().item() - var) < 0.02 * var
    if norm == "unit_variance":
        assert var == pytest.approx(1.3 ** 2, rel=1e-12)


def test_fig1_components():
    """A module with the paper's Fig. 1 phases reproduces the fitted Fig. 1 curve."""
    task = make_task(1, 1, seed=0, normalisation="sum", output_scale=1.0)
    t = torch.linspace(-5, 5, 101, dtype=torch.float64)[:, None, None]
    comps = task.module_components(t)  # (101, 1, 3) with the task's own random phases
    assert comps.shape == (101, 1, 3)
    amp = comps.abs().amax(0)[0]
    assert torch.allclose(amp, torch.tensor(FIG1_MODULE["amplitudes"], dtype=torch.float64),
                          atol=0.02)


def test_sample_datasets_stacks_and_pads():
    tasks = [make_task(3, 2, seed=s) for s in range(3)]
    xtr, ytr, xte, yte, nt = sample_datasets(tasks, [5, 9, 7], 4, data_seeds=[0, 1, 2])
    assert xtr.shape == (3, 9, 3) and ytr.shape == (3, 9, 1) and xte.shape == (3, 4, 3)
    assert nt.tolist() == [5, 9, 7]
    assert torch.all(xtr[0, 5:] == 0)
    assert torch.allclose(ytr[1, :9], tasks[1](xtr[1, :9]), atol=1e-5)
    assert torch.allclose(yte[2], tasks[2](xte[2]), atol=1e-5)
    with pytest.raises(ConfigError, match="share m"):
        sample_datasets([make_task(3, 2), make_task(4, 2)], [5, 5], 4)


@pytest.mark.parametrize("kwargs,name", [
    ({"m": 0, "k": 2}, "'m'"), ({"m": 3, "k": 0}, "'k'"), ({"m": 3, "k": 2, "b": 4}, "'b'"),
    ({"m": 3, "k": 2, "normalisation": "l2"}, "'normalisation'"),
    ({"m": 3, "k": 2, "output_scale": 0.0}, "'output_scale'"),
    ({"m": 3, "k": 2, "amplitudes": (1.0,)}, "'amplitudes'"),
])
def test_bad_parameters_raise_config_error(kwargs, name):
    with pytest.raises(ConfigError, match=name):
        SineTask(**kwargs)
