"""The Findings paragraph is rendered from the verdicts and changes when a verdict changes."""

import pandas as pd
import pytest

from modscale.report import findings
from modscale.report.paper_items import ITEMS

SUMMARY = "paper_figures/reproduction_summary.csv"


def _rows() -> list[dict]:
    df = pd.read_csv(SUMMARY, dtype=str, keep_default_na=False)
    return df.to_dict("records")


def test_every_claim_is_in_one_group():
    findings.check_groups()
    assert sum(map(len, findings.GROUPS.values())) == len(ITEMS)


def test_the_paragraph_follows_the_verdicts():
    rows = _rows()
    text = findings.findings(rows)
    held = [r for r in rows if r["evidence"] == "held-out"]
    n_repro = sum(r["verdict"] == "reproduced" for r in held)
    assert text.startswith(f"Of the {len(held)} claims with held-out evidence, {n_repro} ")
    for name in findings.GROUPS:
        assert f"{name}:" in text
    # flip one method claim to reproduced: the paragraph changes and says so
    flipped = [dict(r, verdict="reproduced", cause="") if r["claim"] == "fig3a_ours_lowest"
               else r for r in rows]
    new = findings.findings(flipped)
    assert new != text
    assert "about the paper's method (our method has the lowest sample complexity" in new
    # a not-reproduced claim carries its cause and setting
    caused = [dict(r, verdict="not reproduced", cause="the regime", setting="regime X")
              if r["claim"] == "fig4_alignment" else r for r in rows]
    assert "in regime X; measured cause: the regime" in findings.findings(caused)


@pytest.mark.parametrize("verdict", ["consistent", "partly", "inconclusive"])
def test_group_sentence_names_each_outcome(verdict):
    rows = [{"claim": "theorem1", "verdict": verdict, "evidence": "by construction"}]
    s = findings.group_sentence("The theory", rows)
    assert s.startswith("The theory: ") and s.endswith(".")
    assert ("consistent" in s) or ("in part" in s) or ("inconclusive" in s)


def test_a_shared_cause_is_stated_once():
    """Claims with one verdict and one measured cause form one clause: the cause once, the
    common part of their settings, each claim with its effect and unit."""
    rows = [dict(r, verdict="not reproduced", cause="the same cause", setting=s)
            if r["claim"] in ("table1_ood", "table1_noise") else r
            for r, s in zip(_rows(), ["b = 1, n = 2, x"] * 100, strict=False)]
    text = findings.findings(rows)
    assert text.count("the same cause") == 1
    assert "are not reproduced, at b = 1, n = 2, x; measured cause: the same cause" in text
    assert " points, " in text.split("the same cause")[0]


def test_effect_text_carries_unit_decimals_and_minimum():
    ood = {"claim": "table1_ood", "effect": "0.0215", "ci_low": "-0.15", "ci_high": "0.193",
           "seeds": "5", "min_effect": "1.0", "effect_kind": "difference"}
    assert findings._effect_text(ood) == "+0.02 [-0.15, +0.19] points, 5 seeds; minimum 1 point"
    ratio = {"claim": "fig3a_ours_lowest", "effect": 0.147, "ci_low": 0.0191, "ci_high": 1.13,
             "seeds": 5, "min_effect": 1.25, "effect_kind": "ratio"}
    assert findings._effect_text(ratio) == "0.15x [0.02, 1.13], 5 seeds; minimum 1.25x"
    assert findings._effect_text({"claim": "fig1", "effect": ""}) == ""
