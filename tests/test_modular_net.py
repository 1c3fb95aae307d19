"""Batched modular network vs a plain per-module loop; Algorithm 1 (batched restarts vs a loop,
objective decrease, recovery of the task's modules); the experiment driver."""

import math

import pytest
import torch

from modscale.infra.profiles import ConfigError
from modscale.models.modular_net import BatchedModularNet
from modscale.tasks.sine_task import make_task, sample_datasets
from modscale.training.alignment import similarity_score
from modscale.training.kernel_init import (
    kernel_init_,
    kernel_init_flops,
    matched_extra_iters,
    training_flops,
)
from modscale.training.kernel_objective import features_objective


@pytest.mark.parametrize("projection", ["linear", "nonlinear"])
def test_forward_matches_plain_loop(projection):
    g = torch.Generator().manual_seed(0)
    net = BatchedModularNet(3, 5, 4, 2, 7, 3, out_dim=2, projection=projection, generator=g,
                            dtype=torch.float64)
    x = torch.randn(3, 11, 5, generator=g, dtype=torch.float64)
    out = net(x)
    assert out.shape == (3, 11, 2)
    mlps = net.module_nets.to_modules()
    for i in range(3):
        ref = 0
        for j in range(4):
            if projection == "linear":
                z = x[i] @ net.projection.weight[i, j]
            else:
                p = net.projection
                z = torch.tanh(x[i] @ p.w1[i, j] + p.c[i, j]) @ p.w2[i, j]
            ref = ref + mlps[i * 4 + j](z)
        assert torch.allclose(out[i], ref / math.sqrt(4), atol=1e-12)


def test_nonlinear_directions_are_jacobian_at_zero():
    g = torch.Generator().manual_seed(1)
    net = BatchedModularNet(2, 6, 3, 2, 4, 2, projection="nonlinear", generator=g,
                            dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(
        lambda x: net.projection(x.reshape(1, 1, 6).expand(2, 1, 6)), torch.zeros(6,
                                                                                  dtype=torch.float64))
    # jac: (M, K, 1, b, m) -> (M, K, m, b)
    assert torch.allclose(jac[:, :, 0].transpose(-1, -2), net.directions(), atol=1e-12)


def test_set_projections_and_param_count():
    net = BatchedModularNet(2, 5, 3, 1, 8, 3)
    u = torch.randn(2, 3, 5, 1)
    net.set_projections(u)
    assert torch.equal(net.directions(), u)
    n_params = sum(p.numel() for p in net.parameters()) // 2
    assert net.params_per_model == n_params
    with pytest.raises(ValueError, match="shape"):
        net.set_projections(torch.randn(2, 3, 4, 1))


def test_bad_input():
    with pytest.raises(ConfigError, match="'projection'"):
        BatchedModularNet(1, 4, 2, 1, 8, 3, projection="quadratic")
    with pytest.raises(ConfigError, match="'n_modules'"):
        BatchedModularNet(1, 4, 0, 1, 8, 3)
    net = BatchedModularNet(2, 4, 2, 1, 8, 3)
    with pytest.raises(ValueError, match="expected x"):
        net(torch.randn(3, 5, 4))


def _data(m=4, k=2, n=300, models=2):
    tasks = [make_task(m, k, seed=s) for s in range(models)]
    xtr, ytr, _, _, nt = sample_datasets(tasks, [n] * models, 10, data_seeds=list(range(models)))
    return tasks, xtr, ytr, nt


def test_batched_restarts_equal_a_loop():
    """One Adam step of the stacked (M, K) restarts == each restart optimised alone."""
    tasks, xtr, ytr, nt = _data()
    g = torch.Generator().manual_seed(3)
    net = BatchedModularNet(2, 4, 3, 1, 8, 3, generator=g, dtype=torch.float64)
    u0 = net.directions().clone()
    xb, yb = xtr[:, :64].double(), ytr[:, :64].double()
    # stacked
    p = net.projection.weight
    opt = torch.optim.Adam([p], lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        features_objective(net.projection(xb), yb.unsqueeze(1)).sum().backward()
        opt.step()
    # loop
    for i in range(2):
        for j in range(3):
            u = u0[i, j].clone().requires_grad_(True)
            o = torch.optim.Adam([u], lr=0.05)
            for _ in range(3):
                o.zero_grad()
                features_objective(xb[i] @ u, yb[i]).backward()
                o.step()
            assert torch.allclose(u, p[i, j], atol=1e-10)


@pytest.mark.parametrize("objective", ["literal", "joint"])
def test_kernel_init_lowers_objective(objective):
    tasks, xtr, ytr, nt = _data()
    net = BatchedModularNet(2, 4, 4, 1, 8, 3, generator=torch.Generator().manual_seed(4))
    res = kernel_init_(net.projection, xtr, ytr, n_train=nt, objective=objective, steps=40,
                       batch_size=96, record_every=40, generator=torch.Generator().manual_seed(5))
    obj = res.objective_tensor()
    assert obj.shape == (2, 2, 4 if objective == "literal" else 1)
    assert (obj[-1].mean() < obj[0].mean()).item()
    norms = net.directions().norm(dim=-2)
    assert torch.allclose(norms, torch.ones_like(norms), atol=1e-5)
    assert res.flops > 0


def test_joint_init_recovers_modules():
    tasks, xtr, ytr, nt = _data(m=4, k=2, n=400)
    net = BatchedModularNet(2, 4, 4, 1, 8, 3, generator=torch.Generator().manual_seed(6))
    targets = torch.stack([t.directions.float() for t in tasks])
    before = similarity_score(net.directions(), targets)
    kernel_init_(net.projection, xtr, ytr, n_train=nt, objective="joint", steps=60,
                 batch_size=128, generator=torch.Generator().manual_seed(7))
    after = similarity_score(net.directions(), targets)
    assert (after > 0.95).all() and (after > before).all()


def test_kernel_init_uses_only_valid_rows():
    tasks, xtr, ytr, nt = _data()
    xtr[:, 50:] = float("nan")  # padding must never be touched
    net = BatchedModularNet(2, 4, 2, 1, 8, 3)
    kernel_init_(net.projection, xtr, ytr, n_train=50, steps=3, batch_size=64)
    assert torch.isfinite(net.directions()).all()


def test_kernel_init_bad_input():
    tasks, xtr, ytr, nt = _data()
    net = BatchedModularNet(2, 4, 2, 1, 8, 3)
    with pytest.raises(ConfigError, match="'objective'"):
        kernel_init_(net.projection, xtr, ytr, objective="greedy")
    with pytest.raises(ConfigError, match="'steps'"):
        kernel_init_(net.projection, xtr, ytr, steps=-1)
    with pytest.raises(ConfigError, match="'n_train'"):
        kernel_init_(net.projection, xtr, ytr, n_train=10_000)


def test_flops_bookkeeping():
    f = kernel_init_flops(1, 4, 5, 1, 1, 64, 10)
    assert f == pytest.approx(3 * 10 * (4 * (2 * 64 * 5 + 3 * 64 ** 2 + 64 ** 2)
                                        + 4 * (64 ** 3 / 3 + 2 * 64 ** 2)))
    per_iter = training_flops(1000, 1, 64, 1)
    assert matched_extra_iters(f, 1000, 1, 64) == math.ceil(f / per_iter)


def test_run_stack_all_methods_small():
    from modscale.experiments.modular_sweep import run_stack

    for method in ("monolithic", "modular", "ours", "modular_matched"):
        r = run_stack(method, 3, k=2, n_grid=[16, 32], seeds=[0], width=4, depth=2,
                      n_modules=2, n_test=20, iters=4, batch_size=8,
                      init_steps=2, init_batch_size=8,
                      record_every=2 if method == "ours" else None)
        assert r["test"].shape == (1, 2) and (r["test"] > 0).all()
        if method == "ours":
            assert r["sim_history"].shape == (3, 1, 2) and r["init_flops"] > 0
        if method == "modular_matched":
            assert r["iters"] > 4
