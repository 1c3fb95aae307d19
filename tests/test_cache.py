"""The per-configuration cache: hits, resumption, corruption detection, provenance."""

import json

import pytest
import torch

from modscale.infra import cache


def test_cached_computes_once(tmp_cache):
    calls = []

    def compute():
        calls.append(1)
        return {"x": torch.arange(3)}

    cfg = {"a": 1}
    r1 = cache.cached("exp", cfg, compute)
    r2 = cache.cached("exp", cfg, compute)
    assert calls == [1] and torch.equal(r1["x"], r2["x"])
    cache.cached("exp", {"a": 2}, compute)
    assert len(calls) == 2


def test_meta_has_provenance(tmp_cache):
    cache.cached("exp", {"a": 1}, lambda: 1.0)
    (meta,) = cache.entries("exp")
    for key in ("config", "version", "device_type", "code_version", "git_commit", "versions",
                "device", "date", "sha256", "wall_time_s"):
        assert key in meta
    assert meta["config"] == {"a": 1}


def test_corrupt_entry_is_recomputed(tmp_cache):
    cache.cached("exp", {"a": 1}, lambda: 1.0)
    (d,) = [p for p in (tmp_cache / "exp").iterdir() if p.is_dir()]
    (d / "result.pt").write_bytes(b"garbage")
    with pytest.warns(UserWarning, match="corrupt"):
        assert cache.load("exp", {"a": 1}) is None
    assert cache.cached("exp", {"a": 1}, lambda: 2.0) == 2.0


def test_tampered_checksum_is_detected(tmp_cache):
    cache.cached("exp", {"a": 1}, lambda: 1.0)
    (d,) = [p for p in (tmp_cache / "exp").iterdir() if p.is_dir()]
    meta = json.loads((d / "meta.json").read_text())
    meta["sha256"] = "0" * 64
    (d / "meta.json").write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match="checksum"):
        assert cache.load("exp", {"a": 1}) is None


def test_cached_map_resumes_after_interruption(tmp_cache):
    done = []

    def compute(c):
        if c["i"] == 2 and not done:
            done.append("boom")
            raise KeyboardInterrupt
        return c["i"] ** 2

    configs = [{"i": i} for i in range(4)]
    with pytest.raises(KeyboardInterrupt):
        cache.cached_map("sweep", configs, compute, progress=False)
    assert len(cache.entries("sweep")) == 2  # the finished configurations were kept
    calls = []

    def compute2(c):
        calls.append(c["i"])
        return c["i"] ** 2

    assert cache.cached_map("sweep", configs, compute2, progress=False) == [0, 1, 4, 9]
    assert calls == [2, 3]


def test_version_and_device_are_in_the_key_the_code_is_not(tmp_cache, monkeypatch):
    from modscale.infra import registry

    k1 = cache.entry_key("exp", {"a": 1})
    monkeypatch.setattr(cache, "experiment_code_version", lambda experiment: "different")
    assert cache.entry_key("exp", {"a": 1}) == k1  # code hash: provenance only
    assert cache.entry_key("exp", {"a": 1}, "cuda") != k1
    monkeypatch.setitem(registry.EXPERIMENTS, "exp",
                        registry.Experiment("exp", 2, None, ("tasks.sine_task",)))
    assert cache.entry_key("exp", {"a": 1}) != k1


def test_unresolved_precision_cannot_be_keyed(tmp_cache):
    with pytest.raises(ValueError, match="resolve the precision"):
        cache.entry_key("exp", {"precision": "auto"})
    with pytest.raises(ValueError, match="amp"):
        cache.entry_key("exp", {"spec": {"amp": "auto"}})
    assert cache.entry_key("exp", {"precision": "bf16"}) != cache.entry_key(
        "exp", {"precision": "fp32"})


def test_unregistered_experiment_is_an_error(tmp_cache):
    with pytest.raises(KeyError, match="unknown experiment 'nope'"):
        cache.cached("nope", {"a": 1}, lambda: 1)


def test_runlog_records_and_reads(tmp_path, monkeypatch):
    from modscale.report import runlog
    monkeypatch.setenv("MODSCALE_RUNLOG", str(tmp_path / "runs.jsonl"))
    runlog.record("sine", "fig2", profile="smoke", models_trained=12, wall_time_s=1.234,
                  seeds=[0, 1])
    runlog.record("sine", "fig3", profile="smoke", models_trained=3, wall_time_s=2)
    rows = runlog.read()
    assert [r["models_trained"] for r in rows] == [12, 3]
    assert rows[0]["seeds"] == [0, 1] and rows[0]["wall_time_s"] == 1.23
    assert {"device", "git_commit", "date"} <= set(rows[0])


def test_claims_keep_the_latest_verdict(tmp_path, monkeypatch):
    import pytest

    from modscale.report import runlog
    monkeypatch.setenv("MODSCALE_RUNLOG", str(tmp_path / "runs.jsonl"))
    kw = dict(paper="1.35x/dim", why="slope > 0", profile="smoke")
    runlog.claim("theory", "Fig. X", "grows", reproduced="1.1x", verdict="partly", **kw)
    runlog.claim("theory", "Fig. X", "grows", reproduced="1.3x", verdict="reproduced", **kw)
    runlog.record("theory", "mc", profile="smoke", models_trained=0, wall_time_s=1)
    (c,) = runlog.claims()
    assert c["verdict"] == "reproduced" and c["reproduced"] == "1.3x"
    assert len(runlog.runs()) == 1
    with pytest.raises(ValueError, match="verdict"):
        runlog.claim("theory", "Fig. X", "grows", reproduced="?", verdict="maybe", **kw)
