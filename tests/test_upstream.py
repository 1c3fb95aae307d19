"""Chapters read another chapter's parameters as that chapter last ran (never by a second
``get_config``), so a ``-p`` override of an upstream chapter reaches the chapters after it."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from modscale.experiments import calibration, fig3a_readings
from modscale.infra import profiles

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def upstream(tmp_path, monkeypatch):
    monkeypatch.setenv("MODSCALE_UPSTREAM_DIR", str(tmp_path / "upstream"))
    return tmp_path / "upstream"


def _downstream_plan(profile: str) -> list[str]:
    """The Algorithm 1 chapter's Fig. 3a comparison stacks (manual knobs: no calibration grid
    to compute), built as the chapter builds them, as store keys."""
    from modscale.infra.cache import entry_key

    acfg = profiles.get_config("algorithm1", profile)
    scfg, _ = profiles.upstream_config("sine_regression", profile)
    _, task = calibration.comparison_task(scfg, dataclasses.replace(acfg, sc_task="manual"))
    return [entry_key("fig3a_readings", s) for s in fig3a_readings.specs(acfg, task)]


def test_an_upstream_override_changes_the_downstream_plan(upstream):
    other = (1.0, 0.25, 0.25)  # the sine components' amplitudes: not a calibration knob
    assert profiles.get_config("sine_regression", "smoke").amplitudes != other
    before = _downstream_plan("smoke")  # the sine chapter has not run: its profile's values
    profiles.notebook_config("sine_regression", {"profile": "smoke", "amplitudes": other})
    cfg, overrides = profiles.upstream_config("sine_regression", "smoke")
    assert cfg.amplitudes == other and overrides == {"amplitudes": list(other)}
    after = _downstream_plan("smoke")
    assert set(after).isdisjoint(before)
    # the sine chapter run again without -p: the downstream plan is the default one again
    profiles.notebook_config("sine_regression", {"profile": "smoke"})
    assert _downstream_plan("smoke") == before
    # another profile is untouched by a smoke run
    assert profiles.upstream_config("sine_regression", "book")[1] == {}


def test_published_values_round_trip(upstream):
    cfg = profiles.notebook_config("algorithm1", {"profile": "smoke", "init_steps": 7,
                                                  "device": "cpu"})
    again, overrides = profiles.upstream_config("algorithm1", "smoke")
    assert again == cfg and overrides == {"init_steps": 7}
    assert (upstream / "smoke" / "algorithm1.json").exists()


def test_default_place_is_the_result_cache(monkeypatch):
    from modscale.infra.cache import cache_dir

    monkeypatch.delenv("MODSCALE_UPSTREAM_DIR", raising=False)
    assert profiles.upstream_dir() == cache_dir() / "upstream"
    monkeypatch.delenv("MODSCALE_CACHE_DIR", raising=False)
    assert profiles.upstream_dir() == cache_dir() / "upstream"


CROSS_CHAPTER_ALLOWED = {
    "src/modscale/experiments/cifar_bench.py": "a command-line benchmark of its own chapter",
}


def test_no_chapter_reads_another_chapters_config():
    """book/<chapter>.py calls get_config only for itself; no module under src/ names a chapter
    in get_config at a variable profile (golden configurations are fixtures at the literal
    ``"smoke"`` profile) but the entry points listed, with their reason."""
    call = re.compile(r"get_config\(\s*\"(\w+)\"")
    at_profile = re.compile(r"get_config\(\s*\"\w+\",\s*(?!\s|\"smoke\")")
    for f in sorted((REPO / "book").glob("*.py")):
        others = set(call.findall(f.read_text())) - {f.stem}
        assert not others, f"{f.name} reads {others}: use profiles.upstream_config"
    for f in sorted((REPO / "src").rglob("*.py")):
        rel = f.relative_to(REPO).as_posix()
        if rel in CROSS_CHAPTER_ALLOWED or rel.endswith("infra/profiles/__init__.py"):
            continue  # get_config itself (its doctest)
        assert not at_profile.search(f.read_text()), f"{rel} names a chapter in get_config"
