"""A result stored at one precision answers a lookup at the other (auto resolves per machine),
unless the exact precision is asked for; its key still says what it was computed in."""

import pytest

from modscale.infra import cache


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    monkeypatch.delenv("MODSCALE_AUTO_PRECISION", raising=False)
    monkeypatch.delenv("MODSCALE_EXACT_PRECISION", raising=False)
    return tmp_path


def _config(precision):
    return {"precision": precision, "seed": 0}


def test_other_precision_swaps_only_a_resolved_top_level_field():
    assert cache.other_precision(_config("bf16")) == _config("fp32")
    assert cache.other_precision({"amp": "fp32", "k": 1}) == {"amp": "bf16", "k": 1}
    assert cache.other_precision({"seed": 0}) is None


def test_a_bf16_result_answers_an_fp32_lookup(store, monkeypatch):
    calls = []
    cache.cached("sine_grid", _config("bf16"), lambda: calls.append(1) or {"v": 1.0})
    assert cache.cached("sine_grid", _config("fp32"), lambda: calls.append(2) or {"v": 2.0}) \
        == {"v": 1.0}
    assert calls == [1]
    assert cache.find("sine_grid", _config("fp32")) == {"v": 1.0}
    # the stored entry is keyed by the precision it was computed in
    keys = {e["config"]["precision"] for e in cache.entries("sine_grid")}
    assert keys == {"bf16"}


@pytest.mark.parametrize("env", [("MODSCALE_EXACT_PRECISION", "1"),
                                 ("MODSCALE_AUTO_PRECISION", "fp32")])
def test_the_exact_precision_can_be_required(store, monkeypatch, env):
    cache.cached("sine_grid", _config("bf16"), lambda: {"v": 1.0})
    monkeypatch.setenv(*env)
    assert cache.find("sine_grid", _config("fp32")) is None
    assert cache.cached("sine_grid", _config("fp32"), lambda: {"v": 2.0}) == {"v": 2.0}
