"""Sentences of the chapter *Reproducibility* (``book/reproducibility.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def bf16_text(bench: Mapping[str, Any]) -> str:
    """What the trainer benchmark (:func:`modscale.training.bench.run_benchmark`'s ``bench``)
    says about bf16: with a bf16 run (``bf16_speedup_over_fp32`` present), its speed-up, share
    of the measured bf16 matmul rate and its test-loss difference to fp32 against the spread
    over models; without one, the measured bf16 / fp32 matmul rates and why ``auto`` chose fp32.
    Rates in TFLOP/s (printed in GFLOP/s)."""
    if "bf16_speedup_over_fp32" in bench:
        return (
            f"With bf16 autocast (parameters, gradients and Adam state stay fp32) the same models "
            f"train {bench['bf16_speedup_over_fp32']:.2f}x as fast as in fp32 "
            f"({100 * bench['bf16_fraction_of_measured_bf16']:.0f} % of the measured bf16 matmul "
            f"rate, {1e3 * bench['matmul_bf16_tflops']:.0f} GFLOP/s); their final test losses "
            f"differ from the fp32 run's by {bench['test_loss_mean_abs_diff']:.3f} on average, "
            f"against a spread of {bench['test_loss_sd_over_models']:.3f} over the models.")
    return (
        f"On this device a bf16 matmul runs at {1e3 * bench['matmul_bf16_tflops']:.0f} GFLOP/s, "
        f"{bench['matmul_bf16_tflops'] / bench['matmul_fp32_tflops']:.2f}x the fp32 rate, so "
        "`auto` resolves to fp32 and the bf16 trainer was not timed "
        "(`python -m modscale.training.bench --precision both` times it anyway).")


def gpu_entries_text(gpu_entries: Mapping[str, int]) -> str:
    """The results of the store computed on a GPU, ``experiment: count`` per experiment, or a
    note that none is."""
    return (", ".join(f"{k}: {v}" for k, v in gpu_entries.items())
            or "none (no GPU has run tools/paper_run.py for this store yet)")


__all__ = ["bf16_text", "gpu_entries_text"]
