"""Compositional CIFAR-10 classifiers: loss, metric, stacked vs separate training, a full run."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import torch

from modscale.experiments import cifar_runs as cr
from modscale.infra import cache
from modscale.infra.profiles import ConfigError, get_config
from modscale.models.batched_mlp import BatchedMLP
from modscale.tasks.compositional import assemble, channel_stats, make_pool, make_set
from modscale.training.cifar_models import (
    Architecture,
    accuracy,
    build_model,
    onehot_targets,
    param_count,
    position_loss,
    predict_correct,
    stacked_inputs,
    train,
)

ARCH = Architecture(mono_width=8, mono_depth=2, modules_per_image=2, module_dim=3,
                    module_width=5, module_depth=2)


@pytest.fixture(scope="module")
def pool():
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(10), 6)
    x = rng.integers(0, 256, (60, 32, 32, 3), dtype=np.uint8)
    x[:, :4, :4, :] = (25 * y)[:, None, None, None]  # a learnable class cue
    mean, std = channel_stats(x)
    return make_pool(x, y, mean=mean, std=std)


def test_position_loss_and_accuracy_match_plain_computation():
    g = torch.Generator().manual_seed(0)
    logits = torch.randn(2, 5, 30, generator=g)
    labels = torch.randint(0, 10, (2, 5, 3), generator=g)
    loss = position_loss(logits, labels)
    for m in range(2):
        ref = np.mean([torch.nn.functional.cross_entropy(logits[m, b, 10 * p:10 * p + 10][None],
                                                         labels[m, b, p][None]).item()
                       for b in range(5) for p in range(3)])
        assert loss[m].item() == pytest.approx(ref, rel=1e-5)
    correct = torch.tensor([[[True, False], [True, True]]])
    assert accuracy(correct).tolist() == [0.75]
    y = onehot_targets(torch.tensor([[2, 0]]))
    assert y.shape == (1, 20) and y[0, 2].item() == pytest.approx(0.9)
    assert y.sum().item() == pytest.approx(0.0, abs=1e-6)


@pytest.mark.parametrize("method", ["monolithic", "modular", "ours"])
def test_param_count_matches_model(method):
    model = build_model(method, 1, 2, ARCH, seed=0)
    assert param_count(method, 2, ARCH) == sum(p.numel() for p in model.parameters())
    with pytest.raises(ConfigError, match="'method'"):
        build_model("bogus", 1, 2, ARCH, seed=0)


def test_stacked_training_equals_separate_training(pool):
    k = 2
    sets = [make_set(pool, 40, k, seed=s) for s in (1, 2)]
    stacked = build_model("monolithic", 2, k, ARCH, seed=3)
    singles = []
    for j in range(2):
        one = BatchedMLP(1, 3072 * k, ARCH.mono_width, ARCH.mono_depth, 10 * k)
        with torch.no_grad():
            for dst, src in zip(one.parameters(), stacked.parameters(), strict=True):
                dst.copy_(src[j:j + 1])
        singles.append(one)
    train(stacked, pool, sets, lr=1e-3, batch_size=16, epochs=2, seed=5)
    for j in range(2):
        train(singles[j], pool, [sets[j]], lr=1e-3, batch_size=16, epochs=2, seed=5)
        for a, b in zip(singles[j].parameters(), stacked.parameters(), strict=True):
            torch.testing.assert_close(a[0], b[j], rtol=1e-4, atol=1e-6)


def test_predict_correct_matches_a_loop(pool):
    k = 2
    model = build_model("modular", 2, k, ARCH, seed=0)
    test = make_set(pool, 7, k, seed=9)
    correct = predict_correct(model, pool, test, 2, batch_size=3)
    x = assemble(pool, test.idx)
    for i in range(7):
        out = model(x[i:i + 1].unsqueeze(0).expand(2, -1, -1)).view(2, k, 10)
        assert torch.equal(correct[:, i], out.argmax(-1) == test.labels[i])
    assert stacked_inputs(pool, test.idx[None, :3]).shape == (1, 3, 3072 * k)


def test_compute_run_end_to_end(pool, tmp_cache):
    cfg = get_config("compositional_cifar", "smoke")
    data = cr.CifarData(train=pool, val=pool, test=pool, source="synthetic", is_jpeg=False,
                        arrays_sha256="x", n_images={})
    spec = cr.run_spec(cfg, "ours", 2, (0, 1), lr=1e-3, n_train=64, noise_levels=(0.0, 0.5))
    spec["arch"] = ARCH.__dict__ | {}
    spec.update(n_test=30, init_steps=2, init_batch=8, init_pool=32, batch_size=16)
    r = cr.compute_run(data, spec)
    assert r["acc"].shape == (1, 2) and r["correct"].shape == (2, 30, 2)
    assert r["seen"].shape == (2, 30) and r["held"].shape == (30,)
    assert not bool((r["seen"] & r["held"]).any())  # held-out tuples never seen in training
    assert set(r["acc_noise"]) == {0.0, 0.5} and r["acc_ood"].shape == (2,)
    torch.testing.assert_close(r["acc_noise"][0.0], r["acc"][-1])
    assert r["energy_final"].shape == (2, 4, 2)
    torch.testing.assert_close(r["energy_final"].sum(-1), torch.ones(2, 4))
    df = cr.accuracy_frame([r])
    assert len(df) == 2 and df["acc"].between(0, 1).all()
    # the cached run stores the compact payload: same accuracy rows, the figures' arrays
    c = cr.run(data, spec)
    assert "correct" not in c and c["acc"].shape == (1, 2) and c["energy_final"].shape == (2, 4, 2)
    pd.testing.assert_frame_equal(cr.accuracy_frame([c]).drop(columns="wall_time_s"),
                                  df.drop(columns="wall_time_s"))
    again = cr.run(data, spec)  # from the cache
    assert again["rows"] == c["rows"] and "slice_final" not in c  # keep_slices not asked
    assert json.dumps(cache.encode(c))  # fits the committed results store


def test_amp_modes(monkeypatch):
    from modscale.infra import device as device_mod
    from modscale.training.cifar_models import use_bf16

    cpu = torch.device("cpu")
    assert use_bf16(cpu, "bf16") and not use_bf16(cpu, "fp32") and not use_bf16(cpu, False)
    for speedup, expected in ((3.0, True), (0.05, False)):  # AMX-like, AVX2-like
        monkeypatch.setattr(device_mod, "bf16_speedup", lambda d, s=speedup: {"speedup": s})
        assert use_bf16(cpu, "auto") is expected and use_bf16(cpu, True) is expected
    with pytest.raises(ConfigError, match="amp"):
        use_bf16(cpu, "fp16")
    with pytest.raises(ConfigError, match="amp"):
        get_config("compositional_cifar", "smoke", amp="half")


def test_bf16_training_on_cpu_keeps_fp32_weights_and_agrees(pool):
    """bf16 autocast on a CPU: weights stay fp32, the loss falls as in fp32."""
    from modscale.training.cifar_models import train

    sets = [make_set(pool, 120, 2, s) for s in range(2)]
    losses = {}
    for prec in ("fp32", "bf16"):
        model = build_model("monolithic", 2, 2, ARCH, seed=0)
        res = train(model, pool, sets, lr=3e-3, batch_size=20, epochs=3, seed=0, amp=prec,
                    log_every=6)
        assert all(p.dtype == torch.float32 for p in model.parameters())
        losses[prec] = res["loss"]
    assert torch.allclose(losses["bf16"][0], losses["fp32"][0], rtol=0.05)
    assert torch.all(losses["bf16"][-1] < losses["bf16"][0])


def test_cifar_benchmark_smoke(pool):
    from modscale.experiments.cifar_bench import format_report, run_cifar_benchmark

    rows = run_cifar_benchmark(pool, pool, ARCH, k=2, n_train=40, n_test=20, seeds=2,
                               batch_size=20)
    assert {(r["method"], r["precision"]) for r in rows} == {
        (m, p) for m in ("monolithic", "modular") for p in ("fp32", "bf16")}
    for r in rows:
        assert r["combinations_per_s"] > 0 and 0 < r["fraction_of_peak"]
        assert 0 <= r["accuracy_mean"] <= 1 and r["bf16_speedup"] > 0
    assert "as fast as fp32" in format_report(rows)
