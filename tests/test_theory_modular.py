"""Tests of modscale.theory.modular: modular formulas vs Monte Carlo, m-independence, Mehler.

Exact expectations must match simulated means within 4 standard errors (see test_theory.py).
"""

import math

import numpy as np
import pytest

from modscale.infra.profiles import ConfigError
from modscale.theory.modular import (
    hermite_features,
    modular_expected_losses,
    modular_loss_components,
    modular_monte_carlo,
    modular_sample_complexity,
    modular_split,
    module_directions,
    monolithic_sample_complexity,
)
from modscale.theory.monolithic import expected_losses, spectrum, spectrum_tail

Q = 5
LAM_B, TAIL_B = spectrum(Q, 1), spectrum_tail(Q, 1)


def test_hermite_features_follow_mehler_formula():
    rng = np.random.default_rng(0)
    U = module_directions(4, 2, rng=rng)
    rho = float(U[:, 0] @ U[:, 1])
    x = rng.standard_normal((200_000, 4))
    h = hermite_features(x @ U, 4)  # (samples, 2, degree)
    prod = np.einsum("sl,sj->slj", h[:, 0], h[:, 1])  # E[h_l(u.x) h_j(v.x)]
    emp, se = prod.mean(axis=0), prod.std(axis=0) / math.sqrt(x.shape[0])
    pred = np.diag([rho ** l for l in range(1, 5)])
    assert np.all(np.abs(emp - pred) < 4.5 * se + 1e-12)
    sq = h[:, 0] ** 2  # orthonormality: E h_l^2 = 1, within 4.5 standard errors
    assert np.all(np.abs(sq.mean(axis=0) - 1) < 4.5 * sq.std(axis=0) / math.sqrt(sq.shape[0]))


def test_aligned_orthogonal_equals_closed_form_and_ignores_m():
    n = np.array([4.0, 10.0, 40.0, 200.0])
    ref = modular_expected_losses(n, Q, k=3, lam_b=LAM_B, tail_b=TAIL_B)
    for m in (3, 5, 9):
        U = module_directions(m, 3, kind="orthogonal", rng=np.random.default_rng(m))
        res = modular_loss_components(n, Q, lam_b=LAM_B, U=U, Uhat=U, tail_b=TAIL_B)
        assert np.allclose(res["train"], ref[0]) and np.allclose(res["test"], ref[1])
    # It is the monolithic formula on k copies of the module spectrum (each scaled by 1/k).
    lam = np.sort(np.tile(LAM_B, 3) / 3)[::-1]
    mono = expected_losses(n, 3 * Q, lam=np.r_[lam, 1e-300], tail=TAIL_B)
    assert np.allclose(mono[1][n * 1 > 3 * Q + 1], ref[1][n * 1 > 3 * Q + 1])


def test_split_captures_everything_when_aligned_and_less_when_random():
    rng = np.random.default_rng(1)
    U = module_directions(6, 3, rng=rng)
    al = modular_split(LAM_B, Q, U, U, tail_b=TAIL_B)
    assert np.allclose(al["captured"], LAM_B) and al["tr2"] == pytest.approx(TAIL_B)
    rnd = modular_split(LAM_B, Q, U, module_directions(6, 3, rng=rng), tail_b=TAIL_B)
    assert np.all(rnd["captured"] <= LAM_B + 1e-12) and rnd["tr2"] > al["tr2"]
    # Signal + noise is the total variance c = 1 in both cases.
    for sp in (al, rnd):
        assert (sp["lam1"] * sp["beta2"]).sum() + sp["tr2"] == pytest.approx(1.0)
    # More modules than dimensions: degree-l features of 4 directions in R^2 span at most
    # the l+1 dimensional space of degree-l polynomials in 2 variables.
    U2 = module_directions(2, 4, rng=rng)
    assert modular_split(LAM_B, Q, U2, U2)["p_eff"] == sum(min(4, l + 1)
                                                          for l in range(1, Q + 1))


@pytest.mark.parametrize("aligned", [True, False])
def test_modular_formula_matches_gaussian_monte_carlo(aligned):
    rng = np.random.default_rng(2)
    U = module_directions(5, 3, rng=rng)
    Uhat = U if aligned else module_directions(5, 3, rng=rng)
    n = 40  # N = 40 > p = 15: exact regime
    res = modular_loss_components(n, Q, lam_b=LAM_B, U=U, Uhat=Uhat, tail_b=TAIL_B)
    assert bool(res["exact"])
    tr, tr_se, te, te_se = modular_monte_carlo(n, Q, lam_b=LAM_B, U=U, Uhat=Uhat,
                                               tail_b=TAIL_B, trials=800, seed=3)
    assert abs(tr - res["train"]) < 4 * tr_se
    assert abs(te - res["test"]) < 4 * te_se


def test_hermite_model_approaches_gaussian_equivalent_at_large_n():
    U = module_directions(4, 2, rng=np.random.default_rng(4))
    lam, tail = spectrum(2, 1), spectrum_tail(2, 1)
    res = modular_loss_components(400, 2, lam_b=lam, U=U, Uhat=U, tail_b=tail)
    _, _, te, te_se = modular_monte_carlo(400, 2, lam_b=lam, U=U, Uhat=U, tail_b=tail,
                                          trials=200, seed=5, features="hermite")
    assert abs(te / res["test"] - 1) < 0.01 + 4 * te_se / te


def test_sample_complexity_flat_for_aligned_modules_growing_for_monolithic():
    ms = range(4, 10)
    al = modular_sample_complexity(ms, k=4, q=10, target=1.0, draws=3)
    assert np.allclose(al["n"], al["n"][0])
    rnd = modular_sample_complexity(ms, k=4, q=10, target=1.0, alignment="random", draws=30)
    assert rnd["n"][-1] > rnd["n"][0] > al["n"][0]
    mono = monolithic_sample_complexity(ms, 40, target=1.0)
    assert np.all(np.diff(mono) > 0)


def test_bad_input():
    with pytest.raises(ConfigError, match="alignment"):
        modular_sample_complexity([3], k=2, q=3, target=1.0, alignment="learned")
    with pytest.raises(ConfigError, match="'U'"):
        modular_split(LAM_B, Q, np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ConfigError, match="'k'"):
        module_directions(2, 3, kind="orthogonal")
    with pytest.raises(ConfigError, match="'q'"):
        U = module_directions(3, 2)
        modular_split(LAM_B, Q + 1, U, U)


def test_formula_method_is_part_of_every_modular_theory_result(monkeypatch):
    """``-p method exact`` is never answered by a result computed with another method: the
    method is in the configuration (hence the key) and reaches the formula."""
    import dataclasses

    from modscale.experiments import modular_theory as mt
    from modscale.infra import cache
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_theory", "smoke")
    auto = mt.mc_points(cfg)
    det = mt.mc_points(dataclasses.replace(cfg, method="deterministic"))
    assert all(p["method"] == "deterministic" for p in det)
    assert {cache.entry_key("modular_theory_mc", p) for p in auto}.isdisjoint(
        {cache.entry_key("modular_theory_mc", p) for p in det})
    seen = []
    original = mt.modular_loss_components

    def spy(*args, method, **kw):
        seen.append(method)
        return original(*args, method=method, **kw)

    monkeypatch.setattr(mt, "modular_loss_components", spy)
    mt.run_mc_point(dict(det[0], trials=2))
    assert seen == ["deterministic"]
