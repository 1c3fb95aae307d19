"""Device selection and the training precision resolved by the hardware.

``auto`` precision means bfloat16 autocast *only where this device runs bf16 matmuls faster than
fp32*: :func:`bf16_speedup` times one small square product of each dtype in this process
(milliseconds, measured once per process and device) and :func:`resolve_precision` picks bf16
when the measured ratio is at least :data:`BF16_MIN_SPEEDUP`. CPUs differ by a factor of 50 here:
a Zen 4 or a Sapphire Rapids (AMX) core runs bf16 2.5-5x faster than fp32, an AVX2-only EPYC
about 20x *slower*. The resolved precision -- never ``auto`` -- is what a result's key and
provenance record (:mod:`modscale.infra.cache`), so a bf16 and an fp32 result never share a key.

Every timing here is bounded on any CPU: one warm-up and then repetitions for at most
:data:`PROBE_SECONDS` of one :data:`PROBE_SIZE`-square product per dtype (under a second in all
even where bf16 is emulated).
"""

from __future__ import annotations

import os
import time
from functools import cache
from typing import Any

PRECISIONS = ("fp32", "bf16")
"""Resolved training precisions: float32, or bf16 autocast with float32 master weights."""

PRECISION_CHOICES = ("auto", *PRECISIONS)
"""What a profile may ask for; ``auto`` is resolved by :func:`resolve_precision`."""

BF16_MIN_SPEEDUP = 1.2
"""bf16 is chosen by ``auto`` only if its matmul runs at least this much faster than fp32."""

PROBE_SIZE = 512
"""Side of the square matrices of the bf16/fp32 probe (2 * 512^3 = 0.27 GFLOP per product: about
1 ms with AMX, 0.2 s where bf16 is emulated at 1.5 GFLOP/s). Smaller products under-report
bf16: on a Sapphire Rapids core bf16 runs at 0.5x fp32 at 128^3, 1.0x at 192^3, 4x at 384^3."""

PROBE_SECONDS = 0.05
"""Time spent timing each dtype of the probe (after one warm-up product)."""


# Why single_thread does not restore the thread count (a comment, not a docstring: the API page
# would print the whole string as the value).
THREAD_TOGGLE_HAZARD = (
    "In torch 2.13's CPU build (oneMKL 2024.2, OpenMP), lowering the intra-op thread count and "
    "raising it again breaks every later batched LU factorisation of the process: "
    "torch.linalg.solve then raises 'Pivots given to lu_solve must all be greater or equal to 1' "
    "or silently returns NaN (seen on an AVX2 EPYC; tests/test_device.py). The package therefore "
    "never raises the thread count again once it lowered it: code that needs one thread "
    "(single_thread) keeps one thread for the rest of the process.")


def single_thread() -> None:
    """Run the rest of the process on one intra-op thread (bit-reproducible CPU reductions).

    The count is not raised again afterwards: in torch 2.13's CPU build (oneMKL 2024.2, OpenMP),
    lowering the intra-op thread count and raising it again breaks every later batched LU
    factorisation of the process (``torch.linalg.solve`` raises a pivot error or returns NaN;
    seen on an AVX2 EPYC, ``tests/test_device.py``), see ``THREAD_TOGGLE_HAZARD``."""
    import torch

    if torch.get_num_threads() != 1:
        torch.set_num_threads(1)


def resolve_device(device: str = "auto") -> Any:
    """``'auto'`` -> CUDA if available else CPU; otherwise ``torch.device(device)`` (validated)."""
    import torch

    from modscale.infra.profiles import ConfigError

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not (device == "cpu" or device.startswith("cuda")):
        raise ConfigError(f"parameter 'device': {device!r} is not allowed; "
                          "allowed values: 'auto', 'cpu', 'cuda', 'cuda:N'")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"parameter 'device': {device!r} requested but CUDA is not available")
    return torch.device(device)


def _rate(dtype: Any, device: Any, size: int, seconds: float) -> float:
    """FLOP/s of ``size``-square products of ``dtype`` on ``device`` for about ``seconds``."""
    import torch

    gen = torch.Generator(device=device).manual_seed(0)
    a = torch.randn(size, size, generator=gen, device=device).to(dtype)
    b = torch.randn(size, size, generator=gen, device=device).to(dtype)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    a @ b
    sync()
    reps, t0 = 0, time.perf_counter()
    while True:
        a @ b
        reps += 1
        sync()
        elapsed = time.perf_counter() - t0
        if elapsed >= seconds or reps >= 1000:
            return 2 * size ** 3 * reps / elapsed


@cache
def _probe(device_str: str) -> dict[str, float]:
    import torch

    dev = torch.device(device_str)
    fp32 = _rate(torch.float32, dev, PROBE_SIZE, PROBE_SECONDS)
    bf16 = _rate(torch.bfloat16, dev, PROBE_SIZE, PROBE_SECONDS)
    return {"fp32_gflops": fp32 / 1e9, "bf16_gflops": bf16 / 1e9, "speedup": bf16 / fp32,
            "size": PROBE_SIZE}


def bf16_speedup(device: Any = "cpu") -> dict[str, float]:
    """The probe's bf16 and fp32 matmul rates on ``device`` (GFLOP/s) and their ratio
    ``speedup`` (bf16 / fp32); measured once per process and device."""
    import torch

    return dict(_probe(str(torch.device(device))))


def resolve_precision(precision: str, device: Any = "cpu", *, width: int | None = None,
                      min_width: int = 0) -> str:
    """The precision a run trains in: ``precision`` itself if it is ``fp32`` or ``bf16``; for
    ``auto``, bf16 if the network is wide enough to be matmul-bound (``width >= min_width``;
    ``width=None`` skips the check) and this device's probe shows bf16 at least
    :data:`BF16_MIN_SPEEDUP` times faster than fp32, else fp32. ``$MODSCALE_AUTO_PRECISION``
    (``fp32`` / ``bf16``) replaces the probe's decision, e.g. to draw results stored in bf16 on
    a machine where bf16 is slow."""
    from modscale.infra.profiles import ConfigError

    if precision not in PRECISION_CHOICES:
        raise ConfigError(f"parameter 'precision': {precision!r} is not allowed; allowed values: "
                          f"{', '.join(PRECISION_CHOICES)}")
    if precision != "auto":
        return precision
    if width is not None and width < min_width:
        return "fp32"
    forced = os.environ.get("MODSCALE_AUTO_PRECISION", "")
    if forced:
        if forced not in PRECISIONS:
            raise ConfigError(f"MODSCALE_AUTO_PRECISION={forced!r} is not allowed; allowed "
                              f"values: {', '.join(PRECISIONS)} (or unset: measure)")
        return forced
    return "bf16" if bf16_speedup(device)["speedup"] >= BF16_MIN_SPEEDUP else "fp32"


def precision_report(device: Any = "cpu") -> dict[str, Any]:
    """What ``auto`` resolves to on ``device`` and why (for the reproducibility page)."""
    probe = bf16_speedup(device)
    return {**probe, "threshold": BF16_MIN_SPEEDUP, "auto": resolve_precision("auto", device),
            "forced": os.environ.get("MODSCALE_AUTO_PRECISION", "")}


__all__ = ["THREAD_TOGGLE_HAZARD", "single_thread", "PRECISIONS", "PRECISION_CHOICES",
           "BF16_MIN_SPEEDUP", "PROBE_SIZE", "PROBE_SECONDS", "resolve_device", "bf16_speedup",
           "resolve_precision", "precision_report"]
