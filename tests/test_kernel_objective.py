"""Kernel objective (Eqn 17): values vs a direct solve, gradients vs finite differences and
autograd, batched restarts vs a loop, masking, jittered Cholesky, bad input."""

import pytest
import torch

from modscale.infra.profiles import ConfigError
from modscale.training.kernel_objective import (
    features_objective,
    kernel_matrix,
    kernel_objective,
    median_bandwidth,
    normalize_projection,
    objective_from_kernel,
    pairwise_sq_dists,
    stable_cholesky,
)

D = torch.float64


def _data(seed=0, n=30, m=5, d=2, r=4, b=2):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, m, generator=g, dtype=D)
    y = torch.randn(n, d, generator=g, dtype=D)
    u = torch.randn(r, m, b, generator=g, dtype=D)
    return x, y, u


def _direct(x, y, u, ridge):
    """Plain reference: unit columns, RBF with the median of pairwise distances, linalg.solve."""
    u = u / u.norm(dim=0, keepdim=True)
    z = x @ u
    d = torch.cdist(z, z)
    iu = torch.triu_indices(len(z), len(z), 1)
    s = d[iu[0], iu[1]].median()
    k = torch.exp(-d ** 2 / (2 * s ** 2))
    k = k + ridge * torch.eye(len(z), dtype=D)  # RBF: mean diagonal is 1
    return torch.trace(y.T @ torch.linalg.solve(k, y))


def test_value_matches_direct_solve_and_loop():
    x, y, u = _data()
    batched = kernel_objective(x, y, u, ridge=0.05)
    assert batched.shape == (4,)
    for i in range(4):
        assert torch.allclose(batched[i], _direct(x, y, u[i], 0.05), rtol=1e-9)


def test_multi_output_is_sum_over_columns():
    x, y, u = _data()
    full = kernel_objective(x, y, u)
    cols = sum(kernel_objective(x, y[:, j], u) for j in range(y.shape[1]))
    assert torch.allclose(full, cols, rtol=1e-10)


def test_gradient_matches_finite_differences():
    x, y, u = _data(seed=1, r=1)
    u = u[0].clone().requires_grad_(True)
    f = lambda v: kernel_objective(x, y, v, bandwidth="fixed", sigma=0.8, ridge=0.1)  # noqa: E731
    f(u).backward()
    fd = torch.zeros_like(u)
    eps = 1e-6
    for idx in torch.cartesian_prod(*(torch.arange(s) for s in u.shape)):
        e = torch.zeros_like(u)
        e[tuple(idx)] = eps
        fd[tuple(idx)] = (f(u.detach() + e) - f(u.detach() - e)) / (2 * eps)
    assert torch.allclose(u.grad, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kernel", ["rbf", "laplace", "relu_ntk"])
def test_gradcheck_all_kernels(kernel):
    g = torch.Generator().manual_seed(2)
    z = torch.randn(2, 3, 12, 2, generator=g, dtype=D, requires_grad=True)
    y = torch.randn(2, 1, 12, 1, generator=g, dtype=D, requires_grad=True)
    assert torch.autograd.gradcheck(
        lambda z, y: features_objective(z, y, kernel=kernel, bandwidth_grad=True, ridge=0.1),
        (z, y))


def test_closed_form_backward_matches_autograd_through_cholesky():
    g = torch.Generator().manual_seed(3)
    a = torch.randn(3, 10, 10, generator=g, dtype=D)
    a = (a @ a.transpose(-1, -2) + 10 * torch.eye(10, dtype=D)).requires_grad_(True)
    y = torch.randn(3, 10, 2, generator=g, dtype=D)
    objective_from_kernel(a, y, ridge=0.0).sum().backward()
    a2 = a.detach().clone().requires_grad_(True)
    ref = (y * torch.cholesky_solve(y, torch.linalg.cholesky(a2))).sum()
    ref.backward()
    assert torch.allclose(a.grad, a2.grad, rtol=1e-9)


def test_restart_gradients_are_independent():
    x, y, u = _data(seed=4, r=5)
    u1 = u.clone().requires_grad_(True)
    kernel_objective(x, y, u1).sum().backward()
    for i in range(5):
        ui = u[i].clone().requires_grad_(True)
        kernel_objective(x, y, ui).backward()
        assert torch.allclose(u1.grad[i], ui.grad, rtol=1e-9, atol=1e-12)


def test_scale_invariance_and_tangent_gradient():
    x, y, u = _data(seed=5, r=2, b=1)
    v = kernel_objective(x, y, u)
    assert torch.allclose(v, kernel_objective(x, y, 7.3 * u), rtol=1e-10)
    u = u.clone().requires_grad_(True)
    kernel_objective(x, y, u).sum().backward()
    radial = (u.grad * u.detach()).sum(-2)
    assert radial.abs().max() < 1e-8 * u.grad.abs().max() + 1e-12


def test_mask_equals_subset():
    x, y, u = _data(seed=6, n=20)
    mask = torch.zeros(20, dtype=torch.bool)
    mask[:13] = True
    z = x @ normalize_projection(u)
    full = features_objective(z, y, mask=mask.expand(4, 20))
    sub = features_objective(z[:, :13], y[:13])
    assert torch.allclose(full, sub, rtol=1e-9)
    assert torch.allclose(median_bandwidth(z, mask.expand(4, 20)), median_bandwidth(z[:, :13]))


def test_pairwise_distances_both_paths():
    g = torch.Generator().manual_seed(7)
    for b in (3, 40):
        z = torch.randn(2, 9, b, generator=g, dtype=D)
        ref = torch.cdist(z, z) ** 2
        assert torch.allclose(pairwise_sq_dists(z), ref, atol=1e-10)


def test_stable_cholesky_jitters_only_failing_matrices():
    g = torch.Generator().manual_seed(8)
    a = torch.randn(6, 3, generator=g, dtype=D)
    singular = a @ a.T  # rank 3 of 6 (numerically semidefinite: may fail)
    singular[0, 0] -= 1e-3  # make it indefinite so that a factorisation must fail
    good = singular + 10 * torch.eye(6, dtype=D)
    chol, added = stable_cholesky(torch.stack([good, singular]), jitter=1e-6)
    assert added[0] == 0 and added[1] > 0
    assert torch.allclose(chol[0] @ chol[0].T, good)
    with pytest.raises(torch.linalg.LinAlgError, match="ridge"):
        stable_cholesky(-torch.eye(4, dtype=D)[None], max_tries=2)


def test_orthonormal_normalisation():
    _, _, u = _data(seed=9, b=3)
    q = normalize_projection(u, "orthonormal")
    assert torch.allclose(q.transpose(-1, -2) @ q, torch.eye(3, dtype=D).expand(4, 3, 3))


def test_bad_input_names_parameter():
    x, y, u = _data()
    with pytest.raises(ConfigError, match="'kernel'"):
        kernel_objective(x, y, u, kernel="cubic")
    with pytest.raises(ConfigError, match="'bandwidth'"):
        kernel_matrix(x @ u, bandwidth="silverman")
    with pytest.raises(ConfigError, match="'ridge'"):
        kernel_objective(x, y, u, ridge=-1.0)
    with pytest.raises(ConfigError, match="'normalize'"):
        normalize_projection(u, "l1")
    with pytest.raises(ValueError, match="input dimension"):
        kernel_objective(x[:, :3], y, u)
