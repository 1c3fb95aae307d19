"""The trainer benchmark runs at smoke size, writes JSON, and counts FLOPs correctly."""

import json

import pytest
import torch

from modscale.training.bench import main, peak_tflops, run_benchmark, step_flops


def test_step_flops_counts_matmuls():
    # dims 3 -> 8 -> 8 -> 1: 3*8 + 8*8 + 8*1 = 96 multiply-adds per row, x2 (forward) x3 (+backward)
    assert step_flops(3, 8, 3, batch=10) == 6 * 10 * 96


def test_run_benchmark_smoke():
    r = run_benchmark(models=4, iters=3, width=8, depth=3, in_dim=3, batch=16, n_train=32,
                      device="cpu", loop_models=2, precision="both")
    for key in ("batched_model_iters_per_s", "loop_model_iters_per_s", "speedup",
                "batched_tflops", "params_per_model", "device"):
        assert key in r
    assert r["batched_model_iters_per_s"] > 0 and r["loop_model_iters_per_s"] > 0
    assert r["speedup"] == pytest.approx(r["batched_model_iters_per_s"]
                                         / r["loop_model_iters_per_s"])
    assert r["peak_fp32_tflops"] is None  # CPU: no peak table
    # the measured peak and bf16 run are in the same report
    assert r["matmul_fp32_tflops"] > 0 and r["matmul_bf16_tflops"] > 0
    assert r["batched_fraction_of_measured_fp32"] == pytest.approx(
        r["batched_tflops"] / r["matmul_fp32_tflops"])
    assert r["bf16_speedup_over_fp32"] > 0 and r["test_loss_mean_abs_diff"] >= 0


def test_cli_writes_json(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert main(["--models", "3", "--iters", "2", "--width", "4", "--depth", "2", "--batch", "8",
                 "--n-train", "16", "--loop-models", "1", "--device", "cpu",
                 "--peak-tflops", "1.0", "--json", str(out)]) == 0
    data = json.loads(out.read_text())
    assert data["models"] == 3 and "batched_fraction_of_peak" in data
    assert "speed-up" in capsys.readouterr().out


def test_peak_override_and_cpu():
    assert peak_tflops(torch.device("cpu"), 12.5) == 12.5
    assert peak_tflops(torch.device("cpu")) is None


def test_bad_cli_value_exits_with_message():
    with pytest.raises(SystemExit, match="--models"):
        run_benchmark(models=0)


def test_matmul_peak_is_bounded_in_time():
    """The peak is measured at a CPU size that takes well under a second whatever the ISA."""
    import time

    from modscale.training.bench import measured_matmul_tflops

    t0 = time.perf_counter()
    for dtype in (torch.float32, torch.bfloat16):
        assert measured_matmul_tflops(torch.device("cpu"), dtype) > 0
    assert time.perf_counter() - t0 < 5.0


def test_auto_precision_reported():
    r = run_benchmark(models=2, iters=2, width=4, depth=2, in_dim=2, batch=8, n_train=16,
                      device="cpu", loop_models=1, precision="auto")
    assert r["auto_precision"] in ("fp32", "bf16")
    assert ("bf16_speedup_over_fp32" in r) == (r["auto_precision"] == "bf16")


def test_modular_benchmark_smoke():
    from modscale.training.bench import format_modular_report, run_modular_benchmark

    r = run_modular_benchmark(networks=3, in_dim=4, n_modules=2, width=4, depth=2, iters=3,
                              batch=8, n_train=32, loop_networks=1, device="cpu")
    assert set(r["runs"]) == {"default", "foreach", "fused"}
    for v in r["runs"].values():
        assert v["network_iters_per_s"] > 0 and v["fraction_of_fp32_peak"] > 0
    assert r["runs"]["default"]["loss_diff_vs_default"] == 0.0
    assert "plain loop" in format_modular_report(r)
