"""The paper-regime builders and their post-processing (modscale.experiments.paper_regime,
modscale.report.paper_regime): seed chunks, paired gains, the dose read-off and the cause rule."""

import math

import numpy as np
import pandas as pd
import pytest

from modscale.experiments import paper_regime
from modscale.experiments.fig3a_readings import Fig3aSpec
from modscale.infra.profiles import get_config
from modscale.report import paper_regime as rep
from modscale.report.evidence import Effect
from modscale.tasks.sine_task import SineTaskSpec


def _base() -> Fig3aSpec:
    return Fig3aSpec(method="modular", m=3, k=2, width=4, depth=3, n_modules=4,
                     n_values=(10, 100), seeds=(0, 1), n_test=20, iters=5, lr=0.01,
                     batch_size=8, init_steps=2, init_batch_size=8, init_lr=0.05,
                     init_ridge=0.1, task=SineTaskSpec(noise_var=0.5))


def test_builders_chunk_seeds_and_reuse_the_grid_stacks():
    cfg = get_config("modular_networks", "book")
    regimes = {"today": {}, "projection lr x0.01": {"proj_lr_scale": 0.01}}
    items = paper_regime.fig3a_specs(cfg, _base(), regimes)
    matched = [s for r, s in items if r == "projection lr x0.01"]
    today = [s for r, s in items if r == "today"]
    assert {s.seeds for s in matched} == {(0, 1, 2), (3, 4)}
    assert {s.seeds for s in today} == {(0, 1, 2)}  # the sensitivity: the first chunk
    assert all(s.proj_lr_scale == 0.01 for s in matched if s.method != "monolithic")
    assert {s.method for s in matched} | {s.method for s in today} == set(cfg.pr_methods)
    assert len(items) == len(set(s for _, s in items))  # each stack once
    curve = paper_regime.dose_curve(cfg, _base(), regimes)
    ends = {a: s.method for _, a, s in curve if a in (0.0, 1.0)}
    assert ends == {0.0: "modular", 1.0: "oracle"}
    assert all(s.alpha == a for _, a, s in curve if s.method == "mixed")


def _table() -> pd.DataFrame:
    rows = []
    for seed in range(5):
        for method, n in (("modular", 4000), ("oracle", 800), ("ours_literal", 5000)):
            rows.append({"regime": "r", "method": method, "width": 8, "depth": 3, "m": 9,
                         "seed": seed, "samples_needed": n * (1 + 0.1 * seed),
                         "sim_init": 0.5, "sim_final": 0.6})
    return pd.DataFrame(rows)


def test_gain_is_paired_by_seed():
    e = rep.gain(_table(), "r", "oracle", 9, 1e5)
    assert e.effect == pytest.approx(5.0) and e.seeds == 5
    assert e.ci_low == pytest.approx(5.0) and e.ci_high == pytest.approx(5.0)
    with pytest.raises(ValueError, match="no common seeds"):
        rep.gain(_table(), "r", "ours_joint", 9, 1e5)


def test_readoff_interpolates_the_dose_curve():
    rows = []
    for seed in range(3):
        for alpha, sim, n in ((0.0, 0.5, 1000.0), (0.5, 0.7, 500.0), (1.0, 1.0, 100.0)):
            rows.append({"setting": "s", "regime": "r", "m": 9, "alpha": alpha, "seed": seed,
                         "sim_init": sim, "samples_needed": n, "test_loss": 1.0})
    dose = pd.DataFrame(rows)
    ro = rep.readoff(dose, "r", 9, chance=0.5, excess=0.1, target_gain=5.0, n_max=1e5)
    assert ro["gain_at_excess"][0] == pytest.approx(math.sqrt(2.0))  # halfway on log n
    assert ro["oracle_gain"][0] == pytest.approx(10.0)
    # gain 5 lies between alpha 0.5 (2x) and 1 (10x): log-interpolated similarity excess
    t = (math.log(5) - math.log(2)) / (math.log(10) - math.log(2))
    assert ro["excess_for_gain"][0] == pytest.approx(0.2 + t * 0.3)
    assert ro["reached"] == 3
    none = rep.readoff(dose, "r", 9, chance=0.5, excess=0.1, target_gain=50.0, n_max=1e5)
    assert none["reached"] == 0 and np.isnan(none["excess_for_gain"][0])
    alone = rep.readoff(dose[dose.alpha == 0.0], "r", 9, chance=0.5, excess=0.1,
                        target_gain=5.0, n_max=1e5)
    assert np.isnan(alone["oracle_gain"][0])


def _e(v: float, lo: float, hi: float) -> Effect:
    return Effect(v, lo, hi, 1.0, 5, "ratio")


def test_claim_cause_names_what_isolates_it():
    weak, strong, none = _e(0.9, 0.5, 1.1), _e(4.0, 2.0, 8.0), _e(1.0, 0.9, 1.1)
    assert rep.claim_cause(strong, strong, None, 1.25).startswith("none needed")
    assert rep.claim_cause(weak, strong, None, 1.25).startswith("the literal reading")
    assert "and the regime" in rep.claim_cause(weak, strong, none, 1.25)
    assert rep.claim_cause(weak, none, None, 1.25).startswith("the regime or the task")
    assert rep.claim_cause(weak, _e(1.5, 0.8, 3.0), None, 1.25) == "not isolated"


def test_a_sensitivity_verdict_never_replaces_the_verdict_of_record(tmp_path):
    from modscale.report import runlog, verdicts

    log = tmp_path / "runlog.jsonl"
    kw = dict(paper="p", reproduced="r", why="w", profile="smoke", claim_id="fig3a_ours_lowest")
    import unittest.mock as um

    with um.patch.object(runlog, "runlog_path", return_value=log):
        runlog.claim("c", "Fig. 3a", "x", verdict="not reproduced", setting="paper-matched",
                     cause="the literal reading", **kw)
        runlog.claim("c", "Fig. 3a", "x", verdict="reproduced", of_record=False,
                     setting="today", **kw)
        (only,) = runlog.claims()
    assert only["setting"] == "paper-matched" and only["cause"] == "the literal reading"
    assert verdicts.cause_of("not reproduced", "") == "not isolated"
    assert verdicts.cause_of("inconclusive", "regime") == "regime"
    assert verdicts.cause_of("reproduced", "x") == ""
