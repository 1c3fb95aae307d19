"""Golden recomputation: every experiment's tiny golden configurations reproduce the committed
float64 payloads within a tolerance measured across instruction sets (and their native float32 /
bf16 payloads within a tolerance of that precision's size), on any processor; planted changes of
the numbers are caught, and a refactor that keeps the numbers is not."""

import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest
import torch

from modscale.experiments import goldens
from modscale.infra import registry

CROSS_ISA = ("default", "avx2")
"""Instruction-set levels the goldens are recomputed under in every run (besides the machine's
own): ATen's scalar fallback and AVX2. ``ONEDNN_MAX_CPU_ISA=AVX2`` caps oneDNN as well."""


def test_every_experiment_with_a_run_function_has_goldens():
    with_run = {n for n, e in registry.EXPERIMENTS.items() if e.run is not None}
    assert with_run == set(goldens.GOLDENS)
    for name in goldens.GOLDENS:
        assert goldens.golden_path(name).exists(), name
        stored = json.loads(goldens.golden_path(name).read_text())
        assert stored["arithmetic"] == "float64"
        assert all("native" in e for e in stored["entries"])


@pytest.mark.parametrize("name", [n for n in goldens.GOLDENS if n not in goldens.SHARED])
def test_golden_recomputation(name):
    t0 = time.perf_counter()
    report = goldens.check(name)
    assert report.ok, report.message
    assert report.max_rel <= goldens.RTOL
    assert time.perf_counter() - t0 < 60, "a golden must take seconds, not minutes"


def test_shared_goldens_use_the_same_run_function():
    for name, other in goldens.SHARED.items():
        assert registry.get(name).run == registry.get(other).run
        assert goldens.golden_path(name) == goldens.golden_path(other)


def test_a_planted_learning_rate_change_is_caught(monkeypatch):
    from modscale.experiments import sine_sweeps

    original = sine_sweeps.train_batched

    def slightly_different(*args, lr, **kw):  # a 1 % learning-rate change
        return original(*args, lr=lr * 1.01, **kw)

    monkeypatch.setattr(sine_sweeps, "train_batched", slightly_different)
    report = goldens.check("sine_grid", native=False)
    assert not report.ok and "bump its version" in report.message
    assert report.max_rel > 1e3 * goldens.RTOL


@pytest.mark.parametrize("name", ["theory_mc_validation", "theory_m_vs_n"])
def test_a_planted_change_of_a_theory_constant_is_caught(monkeypatch, name):
    from modscale.theory import monolithic

    original = monolithic._spectrum_exponent  # the spectrum's exponent, a = omega^-m

    monkeypatch.setattr(monolithic, "_spectrum_exponent",
                        lambda *a: original(*a) * (1 + 1e-3))
    report = goldens.check(name, native=False)
    assert not report.ok and report.max_rel > 1e3 * goldens.RTOL, report.message


@pytest.mark.parametrize("name", ["alg1_trajectory", "alg1_stopped_directions",
                                  "fig3a_readings"])
def test_a_planted_change_of_the_kernel_objective_is_caught(monkeypatch, name):
    from modscale.training import kernel_objective

    original = kernel_objective.median_bandwidth  # the RBF bandwidth rule

    monkeypatch.setattr(kernel_objective, "median_bandwidth",
                        lambda *a, **kw: original(*a, **kw) * (1 + 1e-3))
    report = goldens.check(name, native=False)
    assert not report.ok and report.max_rel > 1e3 * goldens.RTOL, report.message


def test_a_refactor_that_keeps_the_numbers_passes(monkeypatch):
    from modscale.experiments import sine_sweeps

    original = sine_sweeps.train_batched

    def refactored(*args, **kw):  # same computation, another code path
        return original(*args, **kw)

    monkeypatch.setattr(sine_sweeps, "train_batched", refactored)
    assert goldens.check("sine_grid").ok


def test_a_version_bump_without_new_goldens_fails(monkeypatch):
    exp = registry.get("alg1_stay")
    monkeypatch.setitem(registry.EXPERIMENTS, "alg1_stay",
                        registry.Experiment(**{**exp.__dict__, "version": exp.version + 1}))
    report = goldens.check("alg1_stay")
    assert not report.ok and "regenerate" in report.message


def test_the_float64_run_is_float64_and_the_native_run_is_not():
    cfg = goldens.golden_configs("fig3a_readings")[0]
    f64 = json.dumps(goldens.canonical(goldens.compute("fig3a_readings", cfg)))
    nat = json.dumps(goldens.canonical(goldens.compute("fig3a_readings", cfg, "native")))
    assert '"float64"' in f64 and '"float32"' not in f64
    assert '"float32"' in nat
    assert torch.get_default_dtype() == torch.float32  # restored


def _env(level: str | None, onednn: str | None = None) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")}
    if level:
        env["ATEN_CPU_CAPABILITY"] = level
    if onednn:
        env["ONEDNN_MAX_CPU_ISA"] = onednn
    return env


def _dump(tmp_path, names: list[str], level: str | None) -> dict:
    out = tmp_path / f"{level}.json"
    subprocess.run([sys.executable, "-m", "modscale.experiments.goldens", "--dump", str(out),
                    *names], check=True, env=_env(level))
    return json.loads(out.read_text())


def test_another_instruction_set_recomputes_within_tolerance(tmp_path):
    """A real cross-ISA recomputation: a subprocess under ATen's scalar fallback computes the
    float64 payloads, which must agree with this process's within RTOL, while its native float32
    Gaussian draws differ (the level really changed the arithmetic)."""
    names = ["alg1_stopped_directions", "fig3a_readings", "theory_mc_validation"]
    other = _dump(tmp_path, names, "default")
    assert other["machine"]["cpu_capability"] == "DEFAULT"
    here = goldens.recompute_all(names)
    for name in names:
        for a, b in zip(here[name], other["payloads"][name], strict=True):
            rel = goldens.relative_differences(a, b, goldens.ATOL)
            assert rel.max(initial=0.0) <= goldens.RTOL, name
    if goldens.machine()["cpu_capability"] != "DEFAULT":
        code = ("import torch; g = torch.Generator().manual_seed(0); "
                "print(torch.randn(64, generator=g).sum().item())")
        sums = [float(subprocess.run([sys.executable, "-c", code], env=_env(level), text=True,
                                     capture_output=True, check=True).stdout)
                for level in (None, "default")]
        assert sums[0] != sums[1]


@pytest.mark.parametrize("level,onednn", [(None, None), *((lv, None) for lv in CROSS_ISA),
                                          (None, "AVX2")])
def test_goldens_pass_under_every_instruction_set(level, onednn):
    """The whole golden check (float64 and native) in a subprocess at another level: the
    verdict does not depend on the processor's instruction set."""
    r = subprocess.run([sys.executable, "-m", "modscale.experiments.goldens"],
                       env=_env(level, onednn), text=True, capture_output=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_relative_differences_flags_structure_and_nan():
    with pytest.raises(ValueError, match="structure"):
        goldens.relative_differences([1.0], [1.0, 2.0], 0.0)
    rel = goldens.relative_differences([1.0, {"__float__": "nan"}], [1.0, 2.0], 0.0)
    assert np.isinf(rel[1])


def test_goldens_cover_both_precisions_and_every_method():
    from modscale.experiments.fig3a_readings import METHODS as FIG3A
    from modscale.experiments.modular_calibrated import METHODS as CAL

    assert {s.precision for s in goldens.golden_configs("sine_grid")} == {"fp32", "bf16"}
    assert {s.method for s in goldens.golden_configs("fig3a_readings")} == set(FIG3A)
    assert {s.method for s in goldens.golden_configs("modular_calibrated")} == set(CAL)
