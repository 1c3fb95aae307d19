"""Golden recomputation: every experiment's tiny golden configurations reproduce the committed
payloads (bit-identical on the machine kind that wrote them), a planted numeric change is caught,
and a refactor that keeps the numbers is not."""

import time

import pytest
import torch

from modscale.experiments import goldens
from modscale.infra import registry


def test_every_experiment_with_a_run_function_has_goldens():
    with_run = {n for n, e in registry.EXPERIMENTS.items() if e.run is not None}
    assert with_run == set(goldens.GOLDENS)
    for name in goldens.GOLDENS:
        assert goldens.golden_path(name).exists(), name


@pytest.mark.parametrize("name", [n for n in goldens.GOLDENS if n not in goldens.SHARED])
def test_golden_recomputation(name):
    t0 = time.perf_counter()
    report = goldens.check(name)
    assert report.ok, report.message
    assert time.perf_counter() - t0 < 60, "a golden must take seconds, not minutes"


def test_shared_goldens_use_the_same_run_function():
    for name, other in goldens.SHARED.items():
        assert registry.get(name).run == registry.get(other).run
        assert goldens.golden_path(name) == goldens.golden_path(other)


def test_a_planted_numeric_change_is_caught(monkeypatch):
    from modscale.experiments import sine_sweeps

    original = sine_sweeps.train_batched

    def slightly_different(*args, lr, **kw):  # a 1 % learning-rate change
        return original(*args, lr=lr * 1.01, **kw)

    monkeypatch.setattr(sine_sweeps, "train_batched", slightly_different)
    report = goldens.check("sine_grid")
    assert not report.ok and "bump its version" in report.message


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


def test_other_instruction_set_is_compared_within_tolerance(monkeypatch):
    monkeypatch.setattr(goldens, "machine", lambda: {"torch": torch.__version__,
                                                     "cpu_capability": "OTHER"})
    report = goldens.check("theory_mc_validation")
    assert report.ok and not report.bitwise and "within" in report.message


def test_goldens_cover_both_precisions_and_every_method():
    from modscale.experiments.fig3a_readings import METHODS as FIG3A
    from modscale.experiments.modular_calibrated import METHODS as CAL

    assert {s.precision for s in goldens.golden_configs("sine_grid")} == {"fp32", "bf16"}
    assert {s.method for s in goldens.golden_configs("fig3a_readings")} == set(FIG3A)
    assert {s.method for s in goldens.golden_configs("modular_calibrated")} == set(CAL)
