"""Comparative effects with intervals over seeds, the minimum-effect rule and evidence classes."""

import math

import numpy as np
import pytest

from modscale.report import evidence as ev


def test_paired_ratio_is_a_geometric_mean_with_a_t_interval():
    a = np.array([200.0, 220.0, 180.0, 210.0, 190.0])
    b = np.array([100.0, 100.0, 100.0, 100.0, 100.0])
    e = ev.paired_ratio(a, b)
    assert e.effect == pytest.approx(math.exp(np.mean(np.log(a / b))))
    assert e.ci_low < e.effect < e.ci_high and e.seeds == 5 and e.null == 1.0
    # the interval is the t-interval of the log ratios: check against scipy directly
    from scipy import stats

    lo, hi = stats.t.interval(0.95, 4, loc=np.mean(np.log(a / b)),
                              scale=stats.sem(np.log(a / b)))
    assert (e.ci_low, e.ci_high) == pytest.approx((math.exp(lo), math.exp(hi)))


def test_one_seed_has_no_interval_and_is_inconclusive():
    e = ev.paired_ratio([300.0], [100.0])
    assert math.isnan(e.ci_low) and e.seeds == 1
    verdict, why = ev.judge(e, min_effect=1.25)
    assert verdict == "inconclusive" and "no interval" in why


def test_interval_straddling_the_minimum_effect_is_inconclusive():
    e = ev.paired_ratio([130, 95, 140, 100, 120.0], [100.0] * 5)
    assert e.ci_low < 1.25 < e.ci_high
    assert ev.judge(e, min_effect=1.25)[0] == "inconclusive"


def test_clear_effects_are_reproduced_or_ruled_out():
    big = ev.paired_ratio([300, 310, 290, 305, 295.0], [100.0] * 5)
    assert ev.judge(big, min_effect=1.25)[0] == "reproduced"
    none = ev.paired_ratio([101, 99, 100, 102, 98.0], [100.0] * 5)
    assert ev.judge(none, min_effect=1.25)[0] == "not reproduced"
    # the same clear effect with two seeds cannot be reproduced
    two = ev.paired_ratio([300, 310.0], [100.0, 100.0])
    verdict, why = ev.judge(two, min_effect=1.25)
    assert two.ci_low > 1.25 and verdict == "inconclusive" and "2 < 5 seeds" in why
    # one seed rule in both directions: a clear absence with two seeds is not ruled out either
    two_none = ev.paired_ratio([101, 99.0], [100.0, 100.0])
    verdict, why = ev.judge(two_none, min_effect=1.25)
    assert two_none.ci_high < 1.25 and verdict == "inconclusive" and "2 < 5 seeds" in why
    assert "excludes" in why


def test_differences_and_slopes():
    d = ev.paired_difference([0.6, 0.62, 0.61], [0.5, 0.51, 0.49])
    assert d.effect == pytest.approx(0.11) and d.null == 0.0 and d.kind == "difference"
    s = ev.slope_effect([1, 2, 3], np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0]]))
    assert s.effect == pytest.approx(1.5) and s.seeds == 2
    assert "+0.11" in d.text()


def test_censoring_and_bad_inputs():
    assert list(ev.censor([10.0, np.inf], 1e5)) == [10.0, 1e5]
    with pytest.raises(ValueError, match="censor first"):
        ev.paired_ratio([np.inf], [1.0])
    with pytest.raises(ValueError, match="one length"):
        ev.paired_difference([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="beyond the null"):
        ev.judge(ev.paired_ratio([2.0, 3.0], [1.0, 1.0]), min_effect=0.8)


def test_only_held_out_evidence_is_reproduced():
    assert ev.cap_verdict("reproduced", "held-out") == "reproduced"
    assert ev.cap_verdict("reproduced", "fitted") == "consistent"
    # a check that failed in part is never "consistent"
    assert ev.cap_verdict("partly", "by construction") == "inconsistent"
    assert ev.cap_verdict("not reproduced", "fitted") == "inconsistent"
    assert ev.cap_verdict("inconclusive", "fitted") == "inconclusive"
    assert ev.cap_verdict("partly", "held-out") == "partly"
    assert ev.cap_verdict("reproduced", "not tested") == "not tested"
    with pytest.raises(ValueError, match="evidence"):
        ev.cap_verdict("reproduced", "in-sample")
