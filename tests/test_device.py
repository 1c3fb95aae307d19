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
