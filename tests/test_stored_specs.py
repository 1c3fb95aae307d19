"""The chapters' spec builders at the ``book`` profile find every committed result of the sine,
Fig. 3a, modular, Algorithm 1 and CIFAR experiments, and every result they ask for is committed: a
``make book`` on a fresh clone recomputes none of them, and a refactor of a builder that changed
a key would fail here (in seconds) instead of silently recomputing hours. Beside them the store
holds the paper-scale results of ``tools/paper_run.py`` (no ``book`` plan reads them) and the
entries of :data:`UNREAD`."""

import json
import sys
from pathlib import Path

import pytest

from modscale.infra.cache import entry_key, other_precision

REPO = Path(__file__).resolve().parent.parent


def _stored(experiment: str) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text())["meta"]["config"]
            for p in sorted((REPO / "results" / experiment).glob("*.json"))}


@pytest.fixture(scope="module")
def store():
    with pytest.MonkeyPatch.context() as mp:  # read the committed store; never compute
        mp.setenv("MODSCALE_RESULTS_DIR", str(REPO / "results"))
        mp.setenv("MODSCALE_NO_COMPUTE", "1")
        yield mp


@pytest.fixture(scope="module")
def built(store):
    return _built()


UNREAD = {
    # the paper-dimension sweep's modular run at lr 3e-3 (b = 512, K = 2k, 2e5 combinations) of
    # an earlier paper_dim_lr_grid (commit 98661d4); the chapter's store table counts it
    "cifar_scale": {"337c786dde696fe9"},
}
"""Committed entries that no plan reads, kept on purpose (experiment -> entry keys)."""


def _built() -> dict[str, set[str]]:
    """Every chapter's plan at the book profile (:func:`modscale.plans.profile_items`: the
    specs the chapters, ``tools/precompute.py`` and ``tools/paper_run.py`` build)."""
    from modscale import plans

    out: dict[str, set[str]] = {}
    for chapter in plans.CHAPTERS:
        for exp, spec in plans.profile_items(chapter, "book"):
            out.setdefault(exp, set()).add(_found_key(exp, spec))
    return out


def _paper_run() -> dict[str, set[str]]:
    """The entries ``tools/paper_run.py`` writes at the ``paper`` profile on this machine's CPU:
    every job of its named parts and what a job needs first (CIFAR's learning-rate sweep), as
    far as their keys can be built from the store (:func:`paper_run.entries_of`)."""
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import paper_run
    finally:
        sys.path.remove(str(REPO / "tools"))
    out: dict[str, set[str]] = {}
    parts = [p for p in paper_run.PARTS if p != "plans"]
    for job in paper_run.jobs_of(parts, "paper", "cpu", False):
        for exp, spec in paper_run.entries_of(job):
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
    assert len(built) == 14 and sum(map(len, built.values())) > 450
    paper = _paper_run()
    for exp, keys in built.items():
        stored = set(_stored(exp))
        assert keys - stored == set(), f"{exp}: {len(keys - stored)} specs not committed"
        extra = stored - keys - paper.get(exp, set()) - UNREAD.get(exp, set())
        assert extra == set(), f"{exp}: {len(extra)} committed, never built"


def test_cifar_keys_do_not_depend_on_the_precision_probe(built, monkeypatch):
    """The CIFAR keys hold the precision resolved on the machine (``amp='auto'``, as the chapter
    resolves it): on a machine whose probe picks fp32, or bf16, the plan finds the same
    committed results (the cache draws a result stored at the other precision)."""
    from modscale import plans
    from modscale.infra import device

    exps = ("cifar_run", "cifar_scale", "cifar_alg1")
    monkeypatch.delenv("MODSCALE_AUTO_PRECISION", raising=False)
    for speedup, amp in ((0.5, "fp32"), (10.0, "bf16")):  # bf16 slower / faster than fp32
        monkeypatch.setattr(device, "bf16_speedup", lambda dev="cpu", s=speedup: {"speedup": s})
        items = plans.profile_items("compositional_cifar", "book")
        assert {s["amp"] for _, s in items if "amp" in s} == {amp}
        found: dict[str, set[str]] = {}
        for exp, spec in items:
            found.setdefault(exp, set()).add(_found_key(exp, spec))
        assert {e: built[e] for e in exps} == found
