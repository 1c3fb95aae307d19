"""Result keys: (experiment, version, configuration, device type) -- never the code.

The code hash an entry was computed with is provenance only (advisory *code changed*); what
catches a change of numbers is the golden recomputation (tests/test_goldens.py)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from modscale.infra import cache, registry

REPO = Path(__file__).resolve().parent.parent

_COUNT_CURRENT = """
import json, sys
from modscale.infra import cache, registry
out = {}
for name in registry.EXPERIMENTS:
    rows = cache.store_status(name)
    out[name] = [sum(r["current"] for r in rows), len(rows), sum(r["code_changed"] for r in rows)]
print(json.dumps(out))
"""


def _status(pythonpath: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(pythonpath),
           "MODSCALE_RESULTS_DIR": str(REPO / "results")}
    out = subprocess.run([sys.executable, "-c", _COUNT_CURRENT], check=True, env=env,
                         capture_output=True, text=True, cwd=pythonpath).stdout
    return json.loads(out)


def test_stored_results_are_current():
    status = _status(REPO / "src")
    stale = {k: v for k, v in status.items() if v[0] != v[1]}
    assert not stale, f"entries not found by today's keys (current, stored): {stale}"
    assert sum(v[1] for v in status.values()) > 300


def test_a_noop_edit_of_every_module_keeps_every_stored_result_current(tmp_path):
    """Append an unused assignment to every module of a copy of the package: every committed
    result stays current; only the advisory code-changed flag moves."""
    dst = tmp_path / "modscale"
    shutil.copytree(REPO / "src" / "modscale", dst, ignore=shutil.ignore_patterns("__pycache__"))
    files = sorted(dst.rglob("*.py"))
    for f in files:
        f.write_text(f.read_text() + "\n_UNUSED_EDIT = 0\n")
    assert len(files) > 40
    before, after = _status(REPO / "src"), _status(tmp_path)
    assert {k: v[:2] for k, v in after.items()} == {k: v[:2] for k, v in before.items()}
    assert all(v[0] == v[1] for v in after.values())
    stored = {k for k, v in after.items() if v[1]}
    assert {k for k, v in after.items() if v[2] == v[1] and v[1]} == stored  # flag: all changed


def test_config_is_part_of_the_key():
    assert cache.entry_key("sine_k", {"a": 1}) != cache.entry_key("sine_k", {"a": 2})


def test_version_bump_rekeys_only_that_experiment(monkeypatch):
    before = {e: cache.entry_key(e, {"a": 1}) for e in registry.EXPERIMENTS}
    exp = registry.get("fig3a_readings")
    monkeypatch.setitem(registry.EXPERIMENTS, "fig3a_readings",
                        registry.Experiment(**{**exp.__dict__, "version": exp.version + 1}))
    after = {e: cache.entry_key(e, {"a": 1}) for e in registry.EXPERIMENTS}
    assert {e for e in before if before[e] != after[e]} == {"fig3a_readings"}


def test_dependencies_follow_imports_transitively():
    deps = cache.dependencies(["experiments.modular_sweep"])
    assert {"experiments.modular_sweep", "training.kernel_init", "training.kernel_objective",
            "training.trainer"} <= set(deps)
    assert not any(d.split(".")[0] in ("infra", "report") for d in deps)


def test_unknown_root_module_is_an_error():
    with pytest.raises(ValueError, match="unknown modscale module"):
        cache.dependencies(["nope"])


def test_every_registered_experiment_resolves():
    for name, exp in registry.EXPERIMENTS.items():
        assert cache.dependencies(exp.roots), name
        if exp.run is not None:
            run, build = registry.resolve(name)
            assert callable(run) and callable(build)


def test_keys_cli_prints_one_line_per_experiment(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "modscale.infra.cache", "keys"], check=True,
                         capture_output=True, text=True).stdout.strip().splitlines()
    names = [line.split("\t")[0] for line in out]
    assert names == sorted(registry.EXPERIMENTS)
    for line in out:
        name, version, local, store, changed, modules = line.split("\t")
        assert version == f"version {registry.get(name).version}"
        assert local.startswith("cache ") and " current / " in local
        assert store.startswith("results/ ") and " current / " in store
        assert changed.startswith("code changed since stored: ") and modules


def test_every_stored_configuration_round_trips_through_its_spec_class():
    """A stored configuration rebuilds its spec (renamed fields, the flattened task spec, the
    stored spelling target_var) and the spec's canonical form is the stored one, so the key the
    chapters compute from their specs finds every stored result."""
    from modscale.infra.profiles import config_dict

    checked = 0
    for name, exp in registry.EXPERIMENTS.items():
        if exp.spec is None:
            continue
        _, build = registry.resolve(name)
        for path in sorted((REPO / "results" / name).glob("*.json")):
            meta = json.loads(path.read_text())["meta"]
            spec = build(meta["config"])
            assert config_dict(spec) == meta["config"], (name, path.name)
            assert cache.entry_key(name, spec, meta.get("device_type", "cpu")) == path.stem
            checked += 1
    assert checked > 250


def test_a_renamed_field_keeps_its_stored_key_and_an_unknown_key_is_refused():
    import dataclasses

    from modscale.infra.profiles import ConfigError, config_dict, from_config, renamed_field

    @dataclasses.dataclass(frozen=True)
    class Old:
        init_batch: int

    @dataclasses.dataclass(frozen=True)
    class New:
        init_batch_size: int = renamed_field(key="init_batch")

    assert config_dict(New(8)) == config_dict(Old(8)) == {"init_batch": 8}
    assert from_config(New, {"init_batch": 8}) == New(8)
    with pytest.raises(ConfigError, match="'init_batch_size'.*known: init_batch"):
        from_config(New, {"init_batch_size": 8})


def test_no_compute_mode_refuses_a_miss_and_serves_a_hit(tmp_cache, monkeypatch):
    calls = []
    assert cache.cached("exp", {"a": 1}, lambda: calls.append(1) or 5) == 5
    monkeypatch.setenv("MODSCALE_NO_COMPUTE", "1")
    assert cache.cached("exp", {"a": 1}, lambda: calls.append(1) or 6) == 5
    with pytest.raises(cache.NotStoredError, match="'exp'.*MODSCALE_NO_COMPUTE"):
        cache.cached("exp", {"a": 2}, lambda: calls.append(1) or 7)
    assert calls == [1]
