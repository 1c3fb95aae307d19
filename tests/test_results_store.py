"""The committed results store: exact round trip, lookup after the local cache, publish/prune."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from modscale.infra import cache


def test_encode_decode_round_trip_is_exact():
    payload = {"a": np.array([[0.1, 1e-30], [3.0, np.nan]], dtype=np.float32),
               "b": torch.arange(6, dtype=torch.int64).reshape(2, 3),
               "c": (1, 2.5, "x"), "d": [np.float64(0.1), None, True], "e": float("inf"),
               "f": {0.5: 1, (1, 2): "t"}, "__g": 2}
    back = cache.decode(json.loads(json.dumps(cache.encode(payload))))
    assert back["a"].dtype == np.float32 and back["a"].shape == (2, 2)
    assert np.array_equal(back["a"], payload["a"], equal_nan=True)
    assert isinstance(back["b"], torch.Tensor) and torch.equal(back["b"], payload["b"])
    assert back["c"] == (1, 2.5, "x") and back["d"] == [0.1, None, True]
    assert back["e"] == float("inf")
    assert back["f"] == {0.5: 1, (1, 2): "t"} and back["__g"] == 2


def test_encode_refuses_objects():
    with pytest.raises(TypeError, match="Linear"):
        cache.encode({"model": torch.nn.Linear(2, 2)})


def test_cached_falls_back_to_store_and_publish(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    calls = []

    def compute():
        calls.append(1)
        return {"loss": np.array([1.5, 2.5], dtype=np.float32)}

    cfg = {"n": 3}
    cache.cached("sine_grid", cfg, compute)
    assert cache.publish("sine_grid") == (1, 0)
    files = list((tmp_path / "results" / "sine_grid").glob("*.json"))
    assert len(files) == 1 and files[0].stem == cache.entry_key("sine_grid", cfg)
    # a fresh clone: no local cache, the store answers and nothing is recomputed
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "fresh"))
    out = cache.cached("sine_grid", cfg, compute)
    assert len(calls) == 1 and np.array_equal(out["loss"], [1.5, 2.5])
    assert len(cache.entries("sine_grid")) == 1
    # an entry no longer found by today's key (another version) is pruned, the current one kept
    stale = tmp_path / "results" / "sine_grid" / "0000000000000000.json"
    stale.write_text(json.dumps({"meta": {"experiment": "sine_grid", "config": cfg,
                                          "version": 0}, "result": 1}))
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    assert cache.publish("sine_grid", prune=True) == (1, 1)
    assert not stale.exists()


def test_publish_only_the_named_keys(tmp_path, monkeypatch):
    """A paper-scale run publishes the entry it computed, not the smoke entries beside it in the
    local cache (paper_run once committed dozens of smoke results that way)."""
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    for n in (1, 2, 3):
        cache.cached("sine_grid", {"n": n}, lambda n=n: {"loss": float(n)})
    assert cache.publish("sine_grid", keys=[cache.entry_key("sine_grid", {"n": 2})]) == (1, 0)
    files = [f.stem for f in (tmp_path / "results" / "sine_grid").glob("*.json")]
    assert files == [cache.entry_key("sine_grid", {"n": 2})]
    assert cache.publish("sine_grid", keys=[]) == (0, 0)


def test_cli_rejects_unknown_experiment(capsys):
    with pytest.raises(SystemExit):
        cache._main(["publish", "no_such_experiment"])
    assert "unknown experiment" in capsys.readouterr().err


def _publish_one(tmp_path, monkeypatch, experiment, cfg, value):
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    cache.cached(experiment, cfg, lambda: {"acc": value})
    assert cache.publish(experiment) == (1, 0)
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "fresh"))  # a fresh clone


def test_a_code_change_keeps_entries_current_and_flags_it(tmp_path, monkeypatch):
    cfg = {"k": 8, "n_train": 10**6}
    _publish_one(tmp_path, monkeypatch, "cifar_scale", cfg, 0.5)
    (row,) = cache.store_status("cifar_scale")
    assert row["current"] is True and row["code_changed"] is False and row["version"] == 1
    # the code the experiment depends on changes: the entry is still current and drawn, the
    # advisory flag says the code changed since
    monkeypatch.setattr(cache, "experiment_code_version", lambda name: "changed")
    calls = []

    def compute():
        calls.append(1)
        return {"acc": 0.1}

    assert cache.cached("cifar_scale", cfg, compute) == {"acc": 0.5} and not calls
    (row,) = cache.store_status("cifar_scale")
    assert row["current"] is True and row["code_changed"] is True and row["commit"]
    # a version bump is what re-keys (and so recomputes) it
    from modscale.infra import registry

    exp = registry.get("cifar_scale")
    monkeypatch.setitem(registry.EXPERIMENTS, "cifar_scale",
                        registry.Experiment(**{**exp.__dict__, "version": exp.version + 1}))
    assert cache.store_status("cifar_scale")[0]["current"] is False
    assert cache.cached("cifar_scale", cfg, compute) == {"acc": 0.1} and calls == [1]


def test_recompute_switch_ignores_the_store(tmp_path, monkeypatch):
    cfg = {"k": 4}
    _publish_one(tmp_path, monkeypatch, "cifar_scale", cfg, 0.5)
    monkeypatch.setenv("MODSCALE_RECOMPUTE", "sine_grid,cifar_scale")
    assert cache.recompute_requested("cifar_scale") and not cache.recompute_requested("alg1_stay")
    assert cache.cached("cifar_scale", cfg, lambda: {"acc": 0.25}) == {"acc": 0.25}
    monkeypatch.setenv("MODSCALE_RECOMPUTE", "1")
    assert cache.recompute_requested("theory_dd_mc_n")


def test_corrupt_store_file_is_reported_and_ignored(tmp_path, monkeypatch):
    cfg = {"k": 2}
    _publish_one(tmp_path, monkeypatch, "cifar_scale", cfg, 0.5)
    (path,) = (tmp_path / "results" / "cifar_scale").glob("*.json")
    path.write_text(path.read_text()[:50])  # truncated: not JSON any more
    with pytest.warns(UserWarning, match="unreadable"):
        out = cache.cached("cifar_scale", cfg, lambda: {"acc": 0.75})
    assert out == {"acc": 0.75}


def test_is_stored_agrees_with_find(tmp_path, monkeypatch):
    """is_stored answers as find does (local cache, then the store), without decoding."""
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("MODSCALE_RESULTS_DIR", str(tmp_path / "results"))
    assert not cache.is_stored("sine_grid", {"n": 1}) and cache.find("sine_grid", {"n": 1}) is None
    cache.cached("sine_grid", {"n": 1}, lambda: {"loss": 1.0})
    assert cache.is_stored("sine_grid", {"n": 1}) and not cache.is_stored("sine_grid", {"n": 1},
                                                                          "cuda")
    cache.publish("sine_grid")
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "fresh"))  # a clone: the store only
    assert cache.is_stored("sine_grid", {"n": 1}) and cache.find("sine_grid", {"n": 1}) is not None
