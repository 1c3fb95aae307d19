"""Precision chosen by the hardware: ``auto`` is bf16 only where the probe shows bf16 faster;
the probe is bounded in time on any CPU."""

import time

import pytest
import torch

from modscale.infra import device
from modscale.infra.profiles import ConfigError


def test_probe_is_fast_and_cached():
    device._probe.cache_clear()
    t0 = time.perf_counter()
    r = device.bf16_speedup("cpu")
    assert time.perf_counter() - t0 < 5.0  # 0.27 GFLOP per product, a few products
    assert r["fp32_gflops"] > 0 and r["bf16_gflops"] > 0 and r["size"] == device.PROBE_SIZE
    t0 = time.perf_counter()
    assert device.bf16_speedup("cpu") == r  # measured once per process
    assert time.perf_counter() - t0 < 0.01


@pytest.mark.parametrize("speedup,expected", [(3.5, "bf16"), (1.19, "fp32"), (0.05, "fp32")])
def test_auto_follows_the_probe(monkeypatch, speedup, expected):
    monkeypatch.setattr(device, "bf16_speedup", lambda d: {"speedup": speedup})
    assert device.resolve_precision("auto", "cpu") == expected
    assert device.resolve_precision("auto", "cpu", width=8, min_width=32) == "fp32"
    assert device.resolve_precision("bf16", "cpu") == "bf16"  # explicit choices are kept
    assert device.resolve_precision("fp32", "cpu") == "fp32"


def test_bad_precision_names_the_parameter():
    with pytest.raises(ConfigError, match="'precision'.*allowed values: auto, fp32, bf16"):
        device.resolve_precision("fp16")


def test_precision_report_says_why():
    r = device.precision_report(torch.device("cpu"))
    assert r["auto"] == ("bf16" if r["speedup"] >= r["threshold"] else "fp32")


def test_auto_can_be_forced_by_the_environment(monkeypatch):
    monkeypatch.setattr(device, "bf16_speedup", lambda d: {"speedup": 0.05})
    monkeypatch.setenv("MODSCALE_AUTO_PRECISION", "bf16")
    assert device.resolve_precision("auto", "cpu") == "bf16"
    assert device.resolve_precision("auto", "cpu", width=8, min_width=32) == "fp32"
    monkeypatch.setenv("MODSCALE_AUTO_PRECISION", "fp16")
    with pytest.raises(ConfigError, match="MODSCALE_AUTO_PRECISION"):
        device.resolve_precision("auto", "cpu")


_SOLVE_AFTER = r"""
import sys, torch
sys.path.insert(0, {src!r})
{before}
g = torch.Generator().manual_seed(0)
a = torch.randn(6, 200, 200, generator=g)
a = a @ a.mT + torch.eye(200)
b = torch.randn(6, 200, 2, generator=g)
try:
    x = torch.linalg.solve(a, b)
    ok = bool(torch.isfinite(x).all()) and float((a @ x - b).abs().max()) < 1e-2
except RuntimeError:
    ok = False
print("ok" if ok else "broken")
"""


def _solve_after(before: str) -> str:
    import subprocess
    import sys
    from pathlib import Path

    src = str(Path(__file__).resolve().parent.parent / "src")
    code = _SOLVE_AFTER.format(src=src, before=before)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"OMP_NUM_THREADS": "2", "PATH": "/usr/bin:/bin"}, timeout=120)
    return out.stdout.strip().splitlines()[-1]


def test_batched_solves_stay_correct_after_the_package_limits_threads():
    """THREAD_TOGGLE_HAZARD: the package's one-thread paths (goldens, the theory Monte Carlo)
    must leave batched LU solves correct afterwards, in a 2-thread process."""
    before = ("import numpy as np\n"
              "from modscale.theory.monolithic import monte_carlo_losses, spectrum\n"
              "monte_carlo_losses(20, 10, lam=spectrum(10, 2.0), trials=8, seed=0)\n"
              "from modscale.experiments import goldens\n"
              "from modscale.infra.device import single_thread; single_thread()\n")
    assert _solve_after(before) == "ok"
