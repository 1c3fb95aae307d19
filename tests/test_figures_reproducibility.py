"""The reproducibility chapter's sentences (``modscale.report.prose.reproducibility``). The
chapter draws no figure."""

from __future__ import annotations

from modscale.report.prose import reproducibility as prose


def test_bf16_text_with_a_bf16_run():
    bench = {"bf16_speedup_over_fp32": 1.2876, "bf16_fraction_of_measured_bf16": 0.0712,
             "matmul_bf16_tflops": 0.4123, "matmul_fp32_tflops": 0.3,
             "test_loss_mean_abs_diff": 0.00123, "test_loss_sd_over_models": 0.0456}
    assert prose.bf16_text(bench) == (
        "With bf16 autocast (parameters, gradients and Adam state stay fp32) the same models "
        "train 1.29x as fast as in fp32 (7 % of the measured bf16 matmul rate, 412 GFLOP/s); "
        "their final test losses differ from the fp32 run's by 0.001 on average, against a "
        "spread of 0.046 over the models.")


def test_bf16_text_without_a_bf16_run():
    bench = {"matmul_bf16_tflops": 0.4123, "matmul_fp32_tflops": 0.29}
    assert prose.bf16_text(bench) == (
        "On this device a bf16 matmul runs at 412 GFLOP/s, 1.42x the fp32 rate, so `auto` "
        "resolves to fp32 and the bf16 trainer was not timed (`python -m "
        "modscale.training.bench --precision both` times it anyway).")


def test_gpu_entries_text():
    assert prose.gpu_entries_text({"cifar_run": 3, "sine_grid": 12}) == (
        "cifar_run: 3, sine_grid: 12")
    assert prose.gpu_entries_text({}) == (
        "none (no GPU has run tools/paper_run.py for this store yet)")
