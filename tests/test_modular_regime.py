"""The modular network's regime parameters (issue: the paper's modular baseline) and the regime
study's fit: matched module sizes give the stated parameter counts, orthonormal projections are
orthonormal, the projections' learning rate reaches the optimiser, defaults change no key."""

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest
import torch

from modscale.experiments import fig3a_readings as fr
from modscale.experiments import modular_regime as mr
from modscale.experiments.fig3a_readings import golden_base as _fig3a_base
from modscale.infra import cache
from modscale.infra.profiles import ConfigError, config_hash, get_config
from modscale.models.batched_mlp import mlp_param_count
from modscale.models.modular_net import BatchedModularNet, LinearProjection, orthonormal_columns
from modscale.training.trainer import make_adam, train_batched


def test_parameter_matched_modules_carry_the_monolithic_count():
    for m, w, d, k_modules in [(9, 32, 3, 8), (15, 32, 3, 20), (3, 8, 3, 8), (6, 128, 5, 8)]:
        spec = dataclasses.replace(_fig3a_base(), method="modular", m=m, width=w, depth=d,
                                   n_modules=k_modules, module_size="matched")
        mono = mlp_param_count(m, w, d, 1)
        wm = fr.module_width(spec)
        total = fr.modular_params(spec)
        assert total == k_modules * (m + mlp_param_count(1, wm, d, 1))
        # no other width comes closer to the monolithic count
        for other in range(1, w + 1):
            alt = k_modules * (m + mlp_param_count(1, other, d, 1))
            assert abs(total - mono) <= abs(alt - mono)
        net = fr.modular_net(spec, 2, torch.Generator().manual_seed(0), "cpu")
        assert net.params_per_model == total
        assert sum(p.numel() for p in net.parameters()) == 2 * total
    same = dataclasses.replace(_fig3a_base(), method="modular")
    assert fr.module_width(same) == same.width


def test_matched_modules_are_smaller_and_stated_counts_at_the_fig4_setting():
    spec = dataclasses.replace(_fig3a_base(), method="modular", m=15, width=32, depth=3,
                               n_modules=20, module_size="matched")
    assert fr.module_width(spec) == 6  # 20 * (15 + 6^2 + 4*6 + 1) = 1,520 vs 1,601
    assert fr.modular_params(spec) == 1520 and mlp_param_count(15, 32, 3) == 1601


@pytest.mark.parametrize("shape", [(3, 4, 9, 1), (2, 20, 15, 1), (2, 5, 7, 2), (1, 3, 4, 3)])
def test_orthonormal_projections_are_orthonormal(shape):
    u = orthonormal_columns(shape, torch.Generator().manual_seed(1), dtype=torch.float64)
    n_models, k_modules, m, b = shape
    per_block = max(1, m // b)
    for start in range(0, k_modules, per_block):
        blk = u[:, start:start + per_block]  # (M, k', m, b)
        a = blk.permute(0, 2, 1, 3).reshape(n_models, m, -1)
        gram = a.transpose(1, 2) @ a
        assert torch.allclose(gram, torch.eye(a.shape[-1], dtype=gram.dtype).expand_as(gram),
                              atol=1e-10)
    proj = LinearProjection(*shape, init="orthonormal", generator=torch.Generator().manual_seed(1))
    assert torch.allclose(proj.weight.norm(dim=-2), torch.ones(n_models, k_modules, b),
                          atol=1e-5)


def test_gaussian_default_is_drawn_bit_for_bit_and_scale_and_normalisation_apply():
    g = torch.Generator().manual_seed(3)
    ref = torch.randn((2, 4, 5, 1), generator=g)
    ref = ref / ref.norm(dim=-2, keepdim=True)
    p = LinearProjection(2, 4, 5, 1, generator=torch.Generator().manual_seed(3))
    assert torch.equal(p.weight.detach(), ref)
    s = LinearProjection(2, 4, 5, 1, scale=3.0, generator=torch.Generator().manual_seed(3))
    assert torch.allclose(s.weight.norm(dim=-2), torch.full((2, 4, 1), 3.0))
    nrm = LinearProjection(2, 4, 5, 1, normalize=True, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        nrm.weight.mul_(7.0)  # the applied projection ignores the parameter's norm
    assert torch.allclose(nrm.effective_weight().norm(dim=-2), torch.ones(2, 4, 1))
    with pytest.raises(ConfigError, match="proj_init"):
        LinearProjection(1, 1, 3, 1, init="uniform")


def test_projection_learning_rate_reaches_the_optimiser():
    net = BatchedModularNet(2, 5, 3, 1, 4, 2, 1, generator=torch.Generator().manual_seed(0))
    opt = make_adam(net, 0.01, {"projection.": 0.1})
    lrs = {id(p): g["lr"] for g in opt.param_groups for p in g["params"]}
    assert lrs[id(net.projection.weight)] == pytest.approx(0.001)
    assert all(lrs[id(p)] == pytest.approx(0.01) for p in net.module_nets.parameters())
    assert len(lrs) == len(list(net.parameters()))
    with pytest.raises(ConfigError, match="param_lr"):
        make_adam(net, 0.01, {"nothing.": 0.5})
    # and in training: a frozen-ish projection moves 10x less in the first Adam step
    x, y = torch.randn(2, 64, 5), torch.randn(2, 64, 1)
    moved = {}
    for mult in (1.0, 0.1):
        n2 = BatchedModularNet(2, 5, 3, 1, 4, 2, 1, generator=torch.Generator().manual_seed(0))
        w0 = n2.projection.weight.detach().clone()
        train_batched(n2, x, y, x, y, iters=1, lr=0.01, param_lr={"projection.": mult})
        moved[mult] = float((n2.projection.weight.detach() - w0).abs().max())
    assert moved[0.1] == pytest.approx(moved[1.0] / 10, rel=1e-3)


def test_regime_fields_at_their_defaults_change_no_key_or_seed():
    spec = dataclasses.replace(_fig3a_base(), method="modular")
    mapping = cache._as_mapping(spec)
    assert not set(fr.REGIME_FIELDS) & set(mapping)
    changed = dataclasses.replace(spec, proj_lr_scale=0.1)
    assert cache._as_mapping(changed)["proj_lr_scale"] == 0.1
    assert config_hash(changed) != config_hash(spec)
    full = cache._as_mapping(dataclasses.replace(spec, module_size="matched"))
    assert config_hash({k: v for k, v in full.items() if k != "module_size"}) == \
        config_hash(spec)


def test_regime_parameters_are_validated():
    base = dataclasses.replace(_fig3a_base(), method="modular")
    with pytest.raises(ConfigError, match="module_size"):
        dataclasses.replace(base, module_size="half")
    with pytest.raises(ConfigError, match="proj_lr_scale"):
        dataclasses.replace(base, proj_lr_scale=0.0)
    with pytest.raises(ConfigError, match="monolithic"):
        dataclasses.replace(base, method="monolithic", proj_init="orthonormal")
    with pytest.raises(ConfigError, match="net_b"):
        dataclasses.replace(base, net_b=99)


def test_fit_uses_only_the_named_levels_and_selects_the_closest_setting():
    rows = []
    for setting, (s0, s1000) in {"fast": (0.54, 0.90), "slow": (0.54, 0.58)}.items():
        for seed in range(3):
            for it, v in ((0, s0), (100, 0.7), (1000, s1000)):
                rows.append({"setting": setting, "method": "modular", "seed": seed,
                             "iteration": it, "similarity": v + 0.001 * seed})
                rows.append({"setting": setting, "method": "ours_literal", "seed": seed,
                             "iteration": it, "similarity": 0.9})
    traj = pd.DataFrame(rows)
    fit = mr.fit_residuals(traj)
    assert fit.setting.tolist() == ["slow", "fast"]
    assert fit.fit_rms.iloc[0] == pytest.approx(
        math.sqrt(((0.541 - 0.537) ** 2 + (0.581 - 0.578) ** 2) / 2), rel=1e-9)
    assert mr.selected_setting(traj) == "slow"
    table = mr.regime_table(traj, "slow")
    assert set(table.role) == {"fit", "held-out"}
    fit_rows = table[table.role == "fit"]
    assert fit_rows.quantity.str.contains("baseline").all() and len(fit_rows) == 2
    assert (table[table.quantity.str.contains("ours")].role == "held-out").all()
    assert np.isfinite(table.seed_sd).all()


def test_study_and_grid_specs_of_the_smoke_profile():
    from modscale.infra.profiles import get_config as gc

    mcfg = gc("modular_networks", "smoke")
    base = _fig3a_base()
    study = mr.study_specs(mcfg, base)
    assert {n for n, _ in study} == set(mcfg.regime_settings)
    assert {s.method for _, s in study} == set(mr.STUDY_METHODS)
    assert all(s.iters == mcfg.regime_iters and s.record_every == 100 for _, s in study)
    with pytest.raises(ConfigError, match="regime_settings"):
        mr.study_specs(dataclasses.replace(mcfg, regime_settings=("nope",)), base)
    regimes = {"today": {}, "projection lr x0.1": mr.regime_changes(mcfg, "projection lr x0.1",
                                                                     base)}
    grid = mr.grid_specs(mcfg, base, regimes)
    mono = [s for r, s in grid if s.method == "monolithic"]
    assert len(mono) == len(mcfg.grid_m_values) * len(mcfg.grid_widths) * len(mcfg.grid_depths)
    assert {s.proj_lr_scale for r, s in grid if r != "today"} == {0.1}
    k5 = mr.regime_changes(mcfg, "K = 5k", base)
    assert k5 == {"n_modules": 5 * base.k}
    assert get_config("modular_networks", "book").grid_seeds >= 3


def _synthetic_grid():
    """Two architectures, 3 seeds, test loss = c / n per method (samples needed = c / 1.5)."""
    rows = []
    scale = {"monolithic": 3000.0, "modular": 6000.0, "ours_literal": 1500.0}
    for method, c in scale.items():
        for w in (8, 32):
            for m in (2, 3):
                for seed in range(3):
                    for n in (100, 1000, 10000):
                        rows.append({"regime": "today", "method": method, "width": w,
                                     "depth": 3, "m": m, "seed": seed, "n": n,
                                     "test": c * (1 + 0.1 * seed) * (2 if w == 32 else 1) / n,
                                     "sim_final": float("nan")})
    return pd.DataFrame(rows)


def test_grid_aggregate_is_the_geometric_mean_over_architectures_per_seed():
    from modscale.report import regime as rr

    sn = rr.samples_needed(_synthetic_grid(), threshold=1.5)
    assert set(sn.columns) >= {"method", "width", "depth", "m", "seed", "samples_needed"}
    ps = rr.per_seed_aggregate(sn, "today", n_max=10000)
    one = sn[(sn.method == "modular") & (sn.m == 2) & (sn.seed == 0)].samples_needed
    assert ps["modular"][2][0] == pytest.approx(float(np.exp(np.log(one).mean())))
    agg = rr.aggregate_table(sn, n_max=10000)
    row = agg[(agg.method == "modular") & (agg.m == 2)].iloc[0]
    assert row.ci_low < row.samples_needed < row.ci_high and row.seeds == 3
    assert row.architectures == 2 and row.censored == 0
    vs = rr.fig3a_verdicts(sn, "today", threshold=1.5, n_min=100, n_max=10000,
                           min_effect=1.25)
    ids = [v.claim_id for v in vs]
    assert ids == ["fig3a_ours_lowest", "fig3a_modular_worse", "fig3a_ours_grows",
                   "fig3a_monolithic"]
    # 3 seeds: never "reproduced", however large the effect
    assert vs[0].verdict == "inconclusive" and vs[0].effect.ci_low > 1.25
