"""The calibration knobs of the sine task, padded stacks of different input dimension, bf16
training, and the calibration's fit and held-out bookkeeping."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import torch

from modscale.experiments import calibration
from modscale.experiments.sine_sweeps import StackSpec, run_stack, stack_frame, stack_precision
from modscale.infra.device import resolve_precision
from modscale.infra.profiles import ConfigError, get_config
from modscale.infra.profiles.sine_regression import PRECISIONS as PROFILE_PRECISIONS
from modscale.models.batched_mlp import BatchedMLP
from modscale.tasks.sine_task import SineTaskSpec, make_task, sample_datasets
from modscale.training.trainer import PRECISIONS, train_batched, train_one


# ----------------------------------------------------------------------------- label noise
def test_noise_has_its_variance_and_a_perfect_model_sits_at_the_floor():
    """The true function as a 'trivially fitted' model: train and test MSE -> sigma^2."""
    task = make_task(5, 3, seed=1, noise_var=0.8)
    x, y = task.sample(200_000, seed=2, dtype=torch.float64)
    resid = y - task(x)
    assert resid.mean().item() == pytest.approx(0.0, abs=0.01)
    assert (resid ** 2).mean().item() == pytest.approx(0.8, rel=0.02)
    xt, yt = task.sample(200_000, seed=3, dtype=torch.float64)
    assert ((yt - task(xt)) ** 2).mean().item() == pytest.approx(0.8, rel=0.02)
    # a constant predictor: clean variance + noise
    _, var = task.moments()
    assert ((yt - yt.mean()) ** 2).mean().item() == pytest.approx(var + 0.8, rel=0.02)


def test_noisy_samples_are_nested_and_clean_matches_the_target():
    task = make_task(4, 2, seed=0, noise_var=0.5)
    x1, y1 = task.sample(10, seed=4)
    x2, y2 = task.sample(50, seed=4)
    assert torch.equal(x1, x2[:10]) and torch.equal(y1, y2[:10])
    xc, yc = task.sample(10, seed=4, clean=True)
    assert torch.equal(xc, x1) and torch.allclose(yc, task(xc.double()).float())
    assert not torch.allclose(yc, y1)
    noiseless = make_task(4, 2, seed=0)
    assert torch.equal(noiseless.sample(10, seed=4)[1], yc)


@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf")])
def test_bad_noise_raises(bad):
    with pytest.raises(ConfigError, match="noise_var"):
        make_task(3, 2, noise_var=bad)


# ----------------------------------------------------------------------------- padded stacks
def test_padded_stack_equals_unpadded_models():
    """A stack holding 3-input and 5-input MLPs (inputs zero-padded to 5) trains each model
    exactly as a plain MLP of its own input dimension."""
    dims = [3, 5]
    model = BatchedMLP(2, 5, 8, 3, generator=torch.Generator().manual_seed(0),
                       dtype=torch.float64, in_dims=dims)
    assert torch.all(model.weight[0][0, 3:] == 0)
    refs = model.to_modules()
    assert refs[0][0].in_features == 3 and refs[1][0].in_features == 5
    data = [sample_datasets([make_task(m, 2, seed=m)], [40], 30, dtype=torch.float64)
            for m in dims]
    pad = torch.nn.functional.pad
    xtr = torch.cat([pad(d[0], (0, 5 - m)) for d, m in zip(data, dims, strict=True)])
    ytr = torch.cat([d[1] for d in data])
    xte = torch.cat([pad(d[2], (0, 5 - m)) for d, m in zip(data, dims, strict=True)])
    yte = torch.cat([d[3] for d in data])
    res = train_batched(model, xtr, ytr, xte, yte, iters=25, lr=0.01)
    assert torch.all(model.weight[0][0, 3:] == 0)  # padded rows never move
    for j, (d, ref) in enumerate(zip(data, refs, strict=True)):
        one = train_one(ref, d[0][0], d[1][0], d[2][0], d[3][0], iters=25, lr=0.01)
        assert res.test_loss[j].item() == pytest.approx(one.test_loss.item(), rel=1e-9)


def test_first_layer_init_uses_each_models_fan_in():
    model = BatchedMLP(2, 9, 64, 2, generator=torch.Generator().manual_seed(0),
                       in_dims=[1, 9])
    w = model.weight[0]
    assert w[0, :1].abs().max() <= 1.0 and w[0, :1].abs().max() > 1 / 3
    assert w[1].abs().max() <= 1 / 3


# ----------------------------------------------------------------------------- precision
def test_precision_lists_agree_and_bad_precision_raises():
    assert set(PRECISIONS) <= set(PROFILE_PRECISIONS)
    assert stack_precision("auto", 8) == "fp32"
    assert stack_precision("auto", 32) == resolve_precision("auto", "cpu")
    assert stack_precision("bf16", 8) == "bf16" and stack_precision("fp32", 64) == "fp32"
    xtr, ytr, xte, yte, nt = sample_datasets([make_task(3, 2)], [50], 20)
    model = BatchedMLP(1, 3, 8, 2)
    with pytest.raises(ConfigError, match="precision"):
        train_batched(model, xtr, ytr, xte, yte, iters=2, precision="fp16")


def test_bf16_training_agrees_with_fp32():
    """Mixed precision keeps fp32 master weights: losses close to the fp32 run's."""
    xtr, ytr, xte, yte, nt = sample_datasets([make_task(3, 2, seed=s) for s in range(4)],
                                             [200] * 4, 200, data_seeds=[0, 1, 2, 3])
    out = {}
    for prec in ("fp32", "bf16"):
        model = BatchedMLP(4, 3, 32, 3, generator=torch.Generator().manual_seed(0))
        res = train_batched(model, xtr, ytr, xte, yte, iters=300, lr=0.01, precision=prec)
        out[prec] = res.test_loss
        assert model.weight[0].dtype == torch.float32
    assert torch.all(out["bf16"] < 0.5 * 3.0)  # learned something
    assert torch.allclose(out["bf16"], out["fp32"], rtol=0.3, atol=0.05)


def test_run_stack_records_clean_test_loss():
    spec = StackSpec(ms=(2, 4), width=8, depth=2, ks=(2,), n_values=(30, 60), seeds=(0,),
                     iters=20, lr=0.01, batch_size=16, n_test=50, train_eval_rows=100,
                     task=SineTaskSpec(output_scale=math.sqrt(3.0), noise_var=0.6))
    res = run_stack(spec)
    assert res["test"].shape == (2, 1, 1, 2)
    frame = stack_frame(spec, res)
    assert len(frame) == spec.n_models and set(frame["m"]) == {2, 4}
    # noisy test loss = clean test loss + noise (up to the sampling of 50 test rows)
    diff = frame["test"] - frame["test_clean"]
    assert np.all(np.abs(diff - 0.6) < 0.6)
    assert set(frame["p"]) == {2 * 8 + 8 + 9, 4 * 8 + 8 + 9}


# ----------------------------------------------------------------------------- calibration
def _frame(cfg, level):
    """A synthetic per-model frame with test loss = level(m, width, depth, n) + seed offset."""
    rows = []
    for m in cfg.m_values:
        for w in cfg.widths:
            for d in cfg.depths:
                for s in (0, 1):
                    for n in (100, 1000, 31623, 100000):
                        rows.append({"m": m, "k": cfg.k_fixed, "width": w, "depth": d,
                                     "p": m * w + d, "seed": s, "n": n,
                                     "test": level(m, w, d, n) + (0.1 if s else -0.1),
                                     "train": 0.5})
    return pd.DataFrame(rows)


def test_measure_fit_quantities_and_objective():
    cfg = get_config("sine_regression", "smoke")
    frame = _frame(cfg, lambda m, w, d, n: float(m) if n == 1000 else 10.0 / math.log10(n))
    tab = calibration.measure_fit_quantities(frame, cfg)
    assert list(tab["quantity"]) == [q.name for q in calibration.fit_quantities(cfg)]
    got = dict(zip(tab["quantity"], tab["measured"], strict=True))
    assert got["n-panel test, n = 100"] == pytest.approx(5.0)
    assert got["m-panel test, m = 2"] == pytest.approx(2.0)
    assert got["m-panel test, m = 9"] == pytest.approx(9.0)
    assert got["p-panel test, smallest p"] == pytest.approx(np.mean(cfg.m_values))
    assert tab["seed_sd"].iloc[0] == pytest.approx(math.sqrt(0.02))
    exact = tab.assign(measured=tab["paper"])
    assert calibration.objective(exact) == 0.0
    assert calibration.objective(exact.assign(measured=exact["paper"] * math.e)) == \
        pytest.approx(1.0)
    assert calibration.objective(exact.assign(measured=np.nan)) == math.inf


def test_best_knobs_and_round_trip():
    cfg = get_config("sine_regression", "smoke")
    grid = calibration.knob_grid(cfg)
    assert len(grid) == len(cfg.cal_noise_vars) * len(cfg.cal_freq_scales) * \
        len(cfg.cal_target_vars)
    tabs = {kn: pd.DataFrame({"quantity": ["a"], "paper": [1.0],
                              "measured": [1.0 + kn.noise_var]}) for kn in grid}
    best = calibration.best_knobs(tabs)
    assert best.noise_var == min(cfg.cal_noise_vars)
    fitted = calibration.apply_knobs(cfg, best)
    assert calibration.manual_knobs(fitted) == best  # exact, so the grid entry is found
    assert fitted.task_knobs == "manual"
    table = calibration.grid_table(tabs)
    assert table["objective"].is_monotonic_increasing


def test_held_out_quantities_on_a_synthetic_sweep():
    cfg = get_config("sine_regression", "smoke")
    grid = _frame(cfg, lambda m, w, d, n: 1.0 + m / 10)
    ks = grid[grid.n == 1000].assign(k=lambda f: f["m"]).drop(columns="m")
    sc = pd.DataFrame({"geo_mean_n": [500.0, 800.0]}, index=pd.Index([2, 9], name="m"))
    held = calibration.held_out_quantities(grid, ks, sc, cfg)
    assert set(held["role"]) == {"held-out"}
    assert "Fig. 3a monolithic, m = 9" in set(held["quantity"])
    fit_names = {q.name for q in calibration.fit_quantities(cfg)}
    assert not fit_names & set(held["quantity"])  # nothing fitted is held out
    assert np.isfinite(held["measured"]).all()


def test_profile_rejects_bad_knob_settings():
    with pytest.raises(ConfigError, match="sc_widths"):
        get_config("sine_regression", "smoke", sc_widths=(7,))
    with pytest.raises(ConfigError, match="task_knobs"):
        get_config("sine_regression", "smoke", task_knobs="best")
    with pytest.raises(ConfigError, match="cal_freq_scales"):
        get_config("sine_regression", "smoke", cal_freq_scales=(0.0,))
