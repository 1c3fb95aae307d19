"""Test configuration: results go to a throw-away cache and the committed results store is not
read (every test computes afresh); figures are never exported."""

import os
import tempfile

import pytest

# Set before any notebook kernel starts (nbval kernels inherit the environment).
os.environ["MODSCALE_CACHE_DIR"] = tempfile.mkdtemp(prefix="modscale-test-cache-")
os.environ["MODSCALE_RESULTS_DIR"] = tempfile.mkdtemp(prefix="modscale-test-results-")
os.environ.pop("MODSCALE_PAPER_FIGURES", None)
# A non-inline backend (e.g. MPLBACKEND=Agg) makes glued figures text-only: let the kernel
# use its inline backend.
os.environ.pop("MPLBACKEND", None)
os.environ.setdefault("MODSCALE_PROGRESS_INTERVAL", "30")


@pytest.fixture
def tmp_cache(tmp_path, monkeypatch):
    """An empty cache directory for one test, with two throw-away experiments registered
    (``exp`` and ``sweep``, version 1)."""
    from modscale.infra import registry

    for name in ("exp", "sweep"):
        monkeypatch.setitem(registry.EXPERIMENTS, name,
                            registry.Experiment(name, 1, None, ("tasks.sine_task",)))
    monkeypatch.setenv("MODSCALE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"
