"""tools/paper_run.py: the dry run computes every part at tiny size into a store and checks its
entries; a budget stops it cleanly; a second run resumes (skips what is stored)."""

import json
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TOOL = [sys.executable, str(REPO / "tools" / "paper_run.py")]


def _run(*args, timeout=240):
    return subprocess.run([*TOOL, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=REPO)


def test_bad_parts_are_refused_before_any_work():
    r = _run("--parts", "cifar,nope")
    assert r.returncode != 0 and "allowed: cifar, paper_regime, fig3a_grid, sine" in r.stderr


def test_dry_run_budget_and_resume(tmp_path, monkeypatch):
    store = tmp_path / "results"
    first = _run("--dry-run", "--budget-s", "0.01", "--results-dir", str(store))
    # a foreign entry in the run's local cache (as smoke results are): never published
    from modscale.infra import cache

    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    cache.cached("sine_grid", {"foreign": 1}, lambda: {"loss": 1.0})
    foreign = cache.entry_key("sine_grid", {"foreign": 1})
    assert "budget:" in first.stdout and "stopping before job 2/" in first.stdout, first.stdout
    second = _run("--dry-run", "--results-dir", str(store))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "1/19 stored" in second.stdout
    assert "dry run: 19 jobs, 0 problems" in second.stdout
    entries = sorted(store.rglob("*.json"))
    # what the jobs computed and nothing else of the local cache (a dry run's learning-rate
    # sweep has one rate: no sweep runs; some jobs of two parts share a key)
    computed = sum(int(re.search(r"computed (\d+),", r.stdout).group(1)) for r in (first, second))
    assert len(entries) == computed, [p.name for p in entries]
    assert foreign not in {p.stem for p in entries}
    parts = {p.parent.name for p in entries}
    assert {"cifar_scale", "fig3a_readings", "modular_calibrated", "sine_grid"} <= parts
    meta = json.loads(entries[0].read_text())["meta"]
    assert {"device", "versions", "wall_time_s", "config"} <= set(meta)
    assert "cuda" in meta["versions"] and "torch" in meta["versions"]


def test_every_part_has_a_reason_on_the_not_run_list():
    """The landing page's "What was not run" names each part of the queue in words."""
    from modscale.report.book_pages import NOT_RUN_WHY

    sys.path.insert(0, str(REPO / "tools"))
    try:
        import paper_run
    finally:
        sys.path.remove(str(REPO / "tools"))
    assert set(NOT_RUN_WHY) == set(paper_run.PARTS)
