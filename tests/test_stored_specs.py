"""The chapters' spec builders at the ``book`` profile find every committed result of the sine,
Fig. 3a, modular and Algorithm 1 experiments, and every result they ask for is committed: a
``make book`` on a fresh clone recomputes none of them, and a refactor of a builder that changed
a key would fail here (in seconds) instead of silently recomputing hours."""

import json
import sys
from pathlib import Path

import pytest

from modscale.infra.cache import entry_key, other_precision

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tools"))


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
    import precompute as P

    from modscale.experiments import alg1_diagnostics as A
    from modscale.infra.profiles import get_config

    items = (P.specs_of("sine_calibration", "book") + P.specs_of("sine_sweeps", "book")
             + [("fig3a_readings", s) for s in P.fig3a_specs("book") + P.sensitivity_specs("book")]
             + P.modular_calibrated_specs("book")
             + [("modular_calibrated", s) for _, s in P.regime_study("book")]
             + [("fig3a_readings", s) for _, s in P.grid("book")]
             + [("modular_stacks", s) for s in P.modular_stacks_specs("book")]
             + [(exp, s) for exp, _, s in P.paper_regime("book")])
    cfg = get_config("algorithm1", "book")
    # the two diagnostics that depend on earlier results: read their inputs off the store
    readings = _stored("alg1_readings").values()
    best = next(c["reading"] for c in readings if c.get("kernel") == "laplace")
    stops = sorted({c["steps"] for c in readings
                    if (c["m"], c["K"]) == (cfg.traj_m, cfg.traj_modules)})
    (tsne,) = _stored("alg1_stopped_directions").values()
    items += ([("alg1_readings", s) for s in A.reading_specs(cfg) + A.sensitivity_specs(cfg)
               + A.check_specs(cfg, best) + A.stopped_specs(cfg, stops)]
              + [("alg1_stay", s) for s in A.stay_specs(cfg)]
              + [("alg1_trajectory", A.trajectory_spec(cfg))]
              + [("alg1_stopped_directions", A.tsne_spec(cfg, tsne["stops"][1]))])
    out: dict[str, set[str]] = {}
    for exp, spec in items:
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
