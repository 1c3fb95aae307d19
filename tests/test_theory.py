"""Tests of modscale.theory.monolithic: closed forms vs Monte Carlo, limits, sample complexity,
errors.

Monte-Carlo tolerances: a formula that is an exact expectation must agree with the simulated
mean within 4 standard errors (a false alarm has probability ~6e-5 per comparison); the
deterministic equivalent is an asymptotic approximation and is held to a few percent.
"""

import math

import numpy as np
import pytest
import torch

from modscale.infra.profiles import PROFILE_NAMES, ConfigError, get_config
from modscale.theory.monolithic import (
    expected_losses,
    inverse_wishart_trace,
    loss_components,
    monte_carlo_losses,
    predict_losses,
    required_n,
    required_n_for_dimension,
    ridgeless_kappa,
    spectrum,
    spectrum_tail,
)


@pytest.mark.parametrize("kind", ["telescoping", "power_law"])
@pytest.mark.parametrize("m", [1, 3, 9])
def test_spectrum_total_variance_and_order(kind, m):
    lam = spectrum(500, m, kind=kind, c=2.5)
    tail = spectrum_tail(500, m, kind=kind, c=2.5)
    assert lam.shape == (500,) and np.all(lam > 0) and np.all(np.diff(lam) <= 0)
    assert lam.sum() + tail == pytest.approx(2.5, rel=1e-10)
    # The tail agrees with a long explicit sum.
    far = spectrum(200_000, m, kind=kind, c=2.5)
    assert far[500:].sum() + spectrum_tail(200_000, m, kind=kind, c=2.5) == pytest.approx(
        tail, rel=1e-8)


def test_telescoping_tail_closed_form_and_dimension_trend():
    for p in (1, 10, 1000):
        assert spectrum_tail(p, 4, omega=1.5) == pytest.approx((p + 1) ** -(1.5 ** -4))
    tails = [spectrum_tail(100, m) for m in range(2, 10)]
    assert np.all(np.diff(tails) > 0) and tails[-1] < 1.0  # rises with m, saturates at c


def test_inverse_wishart_trace_matches_monte_carlo():
    gen = torch.Generator().manual_seed(0)
    for N, p in ((30, 8), (8, 30)):
        R = torch.randn(4000, N, p, generator=gen, dtype=torch.float64)
        f = (torch.linalg.pinv(R) ** 2).sum(dim=(1, 2)).numpy()
        se = f.std(ddof=1) / math.sqrt(f.size)
        assert abs(f.mean() - inverse_wishart_trace(N, p)) < 4 * se
    assert np.isinf(inverse_wishart_trace([5, 5, 5], [4, 5, 6])).all()


def _check_exact(n, p, d, lam, tail, trials=600, seed=1):
    tr_mc, tr_se, te_mc, te_se = monte_carlo_losses(n, p, d=d, lam=lam, tail=tail,
                                                    trials=trials, seed=seed)
    res = loss_components(n, p, d=d, lam=lam, tail=tail)
    assert bool(res["exact"])
    assert abs(tr_mc - res["train"]) <= 4 * tr_se + 1e-12
    assert abs(te_mc - res["test"]) <= 4 * te_se


def test_underparameterised_formula_matches_monte_carlo_anisotropic():
    lam = spectrum(60, 3)
    _check_exact(n=30, p=12, d=1, lam=lam, tail=spectrum_tail(60, 3))
    _check_exact(n=15, p=10, d=2, lam=spectrum(40, 2, kind="power_law"), tail=0.0)


def test_overparameterised_isotropic_formula_matches_monte_carlo():
    lam = np.concatenate([np.full(30, 0.02), np.full(20, 0.005)])
    _check_exact(n=10, p=30, d=1, lam=lam, tail=0.1)
    _check_exact(n=6, p=30, d=2, lam=lam, tail=0.0)


def test_deterministic_equivalent_is_close_to_monte_carlo():
    lam = spectrum(300, 3)
    tail = spectrum_tail(300, 3)
    for n, p, d in ((20, 80, 1), (10, 150, 2)):
        _, _, te, te_se = monte_carlo_losses(n, p, d=d, lam=lam, tail=tail, trials=400, seed=3)
        res = loss_components(n, p, d=d, lam=lam, tail=tail)
        assert not bool(res["exact"])
        # Finite-size error of the asymptotic equivalent: a few percent at these sizes.
        assert abs(te - res["test"]) / te < 0.05 + 4 * te_se / te


def test_deterministic_equivalent_reduces_to_isotropic_limits():
    lam = np.full(100, 0.01)
    N = np.array([10.0, 50.0, 90.0])
    kappa = ridgeless_kappa(N, lam)
    assert np.allclose((lam / (lam + kappa[:, None])).sum(axis=1), N, rtol=1e-9)
    det = loss_components(N, 100, lam=lam, tail=0.3, method="deterministic")
    ex = loss_components(N, 100, lam=lam, tail=0.3, method="exact")
    assert np.allclose(det["bias"], ex["bias"])
    assert np.allclose(det["variance"], 0.3 * N / (100 - N))  # vs exact N/(p-N-1)
    assert np.allclose(ex["variance"], 0.3 * N / (100 - N - 1))


def test_limits_and_monotonicity():
    lam, tail = spectrum(50, 4), spectrum_tail(50, 4)
    tr2 = lam[20:].sum() + tail
    tr, te = expected_losses(1e9, 20, d=3, lam=lam, tail=tail)
    assert tr == pytest.approx(3 * tr2, rel=1e-6) and te == pytest.approx(3 * tr2, rel=1e-6)
    n = np.arange(25, 400)
    tr, te = expected_losses(n, 20, lam=lam, tail=tail)
    assert np.all(np.diff(te) < 0) and np.all(np.diff(tr) > 0) and np.all(tr <= te)
    _, te = expected_losses(np.array([19, 20, 21]), 20, lam=lam, tail=tail)
    assert np.isinf(te).all()


def test_predict_losses_infinite_features_equals_explicit_tail():
    n, p = np.array([5, 50, 500]), 30
    a = predict_losses(n, p, 5, c=2.0, omega=1.4)
    lam = spectrum(400, 5, c=2.0, omega=1.4)
    b = expected_losses(n, p, lam=lam, tail=spectrum_tail(400, 5, c=2.0, omega=1.4))
    assert np.allclose(a, b)


def test_required_n_hits_target():
    lam, tail = spectrum(100, 5), spectrum_tail(100, 5)
    n_req = required_n(1.2, 100, lam=lam, tail=tail, d=2)  # d Tr(L2) = 1.10
    _, te = expected_losses(n_req, 100, lam=lam, tail=tail, d=2)
    assert te == pytest.approx(1.2, rel=1e-9) and 2 * n_req > 101
    _, te_less = expected_losses(n_req * 0.99, 100, lam=lam, tail=tail, d=2)
    assert te_less > 1.2
    assert math.isinf(required_n(0.5 * 2 * (lam.sum() + tail), 100, lam=lam, tail=tail, d=2))
    # The "any" branch never needs more samples than the beyond-the-peak branch.
    steep = spectrum(200, 1, omega=3.0)
    n_any = required_n(0.3, 200, lam=steep, branch="any")
    n_under = required_n(0.3, 200, lam=steep)
    assert n_any <= n_under
    assert required_n_for_dimension(1.0, 105, 9) > required_n_for_dimension(1.0, 105, 2)


def test_population_test_loss_matches_sampled_test_points():
    lam = spectrum(40, 2)
    a = monte_carlo_losses(20, 10, lam=lam, tail=0.05, trials=300, seed=5)
    b = monte_carlo_losses(20, 10, lam=lam, tail=0.05, trials=300, seed=5, test_points=400)
    assert abs(a[2] - b[2]) < 4 * math.hypot(a[3], b[3])


def test_bad_input_raises_config_error_naming_parameter():
    lam = spectrum(10, 2)
    with pytest.raises(ConfigError, match="kind"):
        spectrum(10, 2, kind="gaussian")
    with pytest.raises(ConfigError, match="'p'"):
        expected_losses(10, 11, lam=lam)
    with pytest.raises(ConfigError, match="'method'"):
        expected_losses(10, 5, lam=lam, method="magic")
    with pytest.raises(ConfigError, match="'method'"):
        expected_losses(2, 8, lam=lam, method="exact")  # anisotropic + overparameterised
    with pytest.raises(ConfigError, match="'d'"):
        expected_losses(10, 5, lam=lam, d=0)
    with pytest.raises(ConfigError, match="'branch'"):
        required_n(1.0, 5, lam=lam, branch="left")
    with pytest.raises(ConfigError, match="'omega'"):
        spectrum(10, 2, omega=1.0)


@pytest.mark.parametrize("profile", PROFILE_NAMES)
def test_profiles_are_valid(profile):
    for chapter in ("theory", "modular_theory"):
        get_config(chapter, profile)
    with pytest.raises(ConfigError, match="mc_p"):
        get_config("theory", "smoke", mc_p=(500,))
