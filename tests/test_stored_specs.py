"""The chapters' spec builders at the ``book`` profile find every committed result of the sine,
Fig. 3a, modular and Algorithm 1 experiments, and every result they ask for is committed: a
``make book`` on a fresh clone recomputes none of them, and a refactor of a builder that changed
a key would fail here (in seconds) instead of silently recomputing hours."""

import json
from pathlib import Path

import pytest

from modscale.infra.cache import entry_key, other_precision

REPO = Path(__file__).resolve().parent.parent


def _stored(experiment: str) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text())["meta"]["config"]
            for p in sorted((REPO / "results" / experiment).glob("*.json"))}


@pytest.fixture(scope="module")
def built():
    with pytest.MonkeyPatch.context() as mp:  # read the committed store; never compute
        mp.setenv("MODSCALE_RESULTS_DIR", str(REPO / "results"))
        mp.setenv("MODSCALE_NO_COMPUTE", "1")
        yield _built()


def _built() -> dict[str, set[str]]:
    """Every chapter's plan at the book profile (:func:`modscale.plans.profile_items`: the
    specs the chapters, ``tools/precompute.py`` and ``tools/paper_run.py`` build)."""
    from modscale import plans

    out: dict[str, set[str]] = {}
    for chapter in plans.CHAPTERS:
        for exp, spec in plans.profile_items(chapter, "book"):
            out.setdefault(exp, set()).add(_found_key(exp, spec))
    return out


def _found_key(experiment: str, spec) -> str:
    """The key a build finds ``spec`` under: its own, or where this machine resolved the other
    precision than the one stored, the key at that precision (the cache's fallback)."""
    key = entry_key(experiment, spec)
    if (REPO / "results" / experiment / f"{key}.json").exists():
        return key
    alt = other_precision(spec)
    return entry_key(experiment, alt) if alt is not None else key


def test_every_built_spec_is_committed_and_every_committed_result_is_built(built):
    assert len(built) == 11 and sum(map(len, built.values())) > 350
    for exp, keys in built.items():
        stored = set(_stored(exp))
        assert keys - stored == set(), f"{exp}: {len(keys - stored)} specs not committed"
        assert stored - keys == set(), f"{exp}: {len(stored - keys)} committed, never built"
