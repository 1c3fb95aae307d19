"""The paper-data-scale CIFAR runs: which runs, the compact stored payload, the store round trip."""

from __future__ import annotations

import json

import numpy as np
import pytest

from modscale.experiments import cifar_runs as cr
from modscale.experiments import cifar_scale as cs
from modscale.infra import cache
from modscale.infra.device import resolve_precision
from modscale.infra.profiles import ConfigError, get_config
from modscale.tasks.compositional import channel_stats, make_pool
from modscale.training.cifar_models import Architecture

ARCH = Architecture(mono_width=8, mono_depth=2, modules_per_image=2, module_dim=3,
                    module_width=5, module_depth=2)
LRS = {"monolithic": 1e-3, "modular": 2e-3, "ours": 3e-3}


def test_main_specs_cover_the_grid_once():
    cfg = get_config("compositional_cifar", "book")
    specs = cs.main_specs(cfg, LRS)
    keys = {(s["method"], s["k"], s["n_train"], s["arch"]["module_dim"]) for s in specs}
    assert len(keys) == len(specs)  # no run twice
    for k in cfg.scale_ks:
        for m in cfg.methods:
            assert (m, k, cfg.scale_n_train, cfg.scale_module_dims[0]) in keys
    for k in cfg.scale_study_ks:
        for n in cfg.scale_study_n_trains:
            assert all((m, k, n, cfg.scale_module_dims[0]) in keys for m in cfg.methods)
    b1 = cfg.scale_module_dims[1]
    assert ("monolithic", cfg.scale_study_ks[0], cfg.scale_dim_n_train, b1) not in keys
    assert ("ours", cfg.scale_study_ks[0], cfg.scale_dim_n_train, b1) in keys
    for s in specs:
        assert s["lr"] == LRS[s["method"]] and s["seeds"] == list(range(cfg.scale_n_seeds))
        assert s["n_test"] == cfg.scale_n_test and s["batch_size"] == cfg.scale_batch_size
        assert s["amp"] == resolve_precision(cfg.scale_amp, "cpu") != "auto"
        full = s["n_train"] == cfg.scale_n_train and s["k"] in cfg.scale_ks
        assert bool(s["noise_levels"]) == full  # Table 1 needs the noise levels at scale
    sweep = cs.sweep_specs(cfg)
    assert len(sweep) == len(cfg.methods) * len(cfg.lr_grid)
    assert all(s["evaluate"] == "val" and s["k"] == cfg.scale_sweep_k for s in sweep)


def test_scale_parameters_are_validated():
    with pytest.raises(ConfigError, match="scale_sweep_k"):
        get_config("compositional_cifar", "book", scale_sweep_k=3)
    with pytest.raises(ConfigError, match="table_k"):
        get_config("compositional_cifar", "book", scale_ks=(1, 2, 8), scale_sweep_k=8)


def test_compact_payload_round_trips_through_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 6)
    x = rng.integers(0, 256, (60, 32, 32, 3), dtype=np.uint8)
    mean, std = channel_stats(x)
    pool = make_pool(x, y, mean=mean, std=std)
    data = cr.CifarData(train=pool, val=pool, test=pool, source="synthetic", is_jpeg=False,
                        arrays_sha256="x", n_images={})
    cfg = get_config("compositional_cifar", "smoke")
    spec = cr.run_spec(cs.scale_config(cfg), "ours", 2, (0, 1), lr=1e-3, n_train=64,
                       noise_levels=(0.0, 0.5))
    spec["arch"] = ARCH.__dict__ | {}
    spec.update(n_test=30, init_steps=2, init_batch=8, init_pool=32, batch_size=4)
    full = cr.compute_run(data, spec)
    small = cs.compact(full)
    assert [r["seed"] for r in small["rows"]] == [0, 1]
    assert np.allclose([r["acc"] for r in small["rows"]], full["acc"][-1].numpy())
    assert np.allclose([r["acc_ood"] for r in small["rows"]], full["acc_ood"].numpy())
    assert len(small["loss_steps"]) <= cs.MAX_CURVE_POINTS
    assert int(small["loss_steps"][-1]) == int(full["train"]["loss_steps"][-1])
    assert small["energy_max_final"].shape == (2,)
    assert len(json.dumps(cache.encode(small))) < 50_000  # store-sized
    r = cs.scale_run(data, spec, progress=False)
    assert cache.publish(cs.EXPERIMENT) == (1, 0)
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "fresh"))
    again = cs.scale_run(data, spec, progress=False)  # drawn from the store, not retrained
    assert again["rows"] == r["rows"] and again["wall_time_s"] == r["wall_time_s"]


def test_ordering_trend_names_every_case():
    from modscale.report.cifar_tables import ordering_trend

    assert ordering_trend([True, True]) == "holds at every scale"
    assert ordering_trend([False, False]) == "is absent at every scale"
    assert ordering_trend([False, True, True]) == "appears as the scale grows"
    assert ordering_trend([True, False]) == "vanishes as the scale grows"
    assert ordering_trend([True, False, True, True, False]) == "vanishes as the scale grows"
    assert ordering_trend([False, False], reversed_at_end=True) == \
        "is reversed at the largest scale"
    assert ordering_trend([False, True, False, False]) == "changes without a trend"
    with pytest.raises(ValueError):
        ordering_trend([])


def test_ordering_table_pairs_seeds_and_flags_the_paper_ordering():
    import pandas as pd

    from modscale.report.cifar_tables import ordering_table, trend_of

    acc = {("ours", 0): 0.50, ("ours", 1): 0.52, ("modular", 0): 0.45, ("modular", 1): 0.49,
           ("monolithic", 0): 0.40, ("monolithic", 1): 0.41}
    rows = [{"method": m, "seed": s, "k": 4, "module_dim": 32, "n_train": n,
             "accuracy": a - (0.2 if (n == 10 and m == "ours") else 0.0)}
            for (m, s), a in acc.items() for n in (10, 100)]
    t = ordering_table(pd.DataFrame(rows))
    assert list(t["n_train"]) == [10, 100]
    assert list(t["paper ordering"]) == [False, True]
    assert t["ordering"].iloc[1] == "ours > modular > monolithic"
    big = t.iloc[1]
    assert big["ours-modular"] == pytest.approx(0.04)  # mean of the paired 0.05 and 0.03
    assert big["ours-modular se"] == pytest.approx(0.01)  # sd 0.01414 / sqrt(2)
    assert trend_of(t) == "appears as the scale grows"
