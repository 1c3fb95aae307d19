"""The summary chapter's texts (``modscale.report.prose.summary``) on small synthetic records.
The chapter draws no figure (it embeds the PNGs other chapters exported)."""

from __future__ import annotations

import math

import pandas as pd

from modscale.report.paper_items import ITEMS
from modscale.report.prose import summary as prose

RATIO = {"effect": 1.234, "ci_low": 1.1, "ci_high": 1.4, "seeds": 5, "min_effect": 1.05,
         "effect_kind": "ratio", "null": 1.0}
DIFF = {"effect": 2.5, "ci_low": -0.5, "ci_high": 5.25, "seeds": 3, "min_effect": 1.0,
        "effect_kind": "difference", "null": 0.0}


def test_effect_text_ratio():
    assert prose.effect_text(RATIO, "fig3a_ours_lowest") == (
        "1.23x [1.1, 1.4], 5 seeds; minimum 1.05x")


def test_effect_text_difference_with_unit():
    assert prose.effect_text(DIFF, "table1_ood") == (
        "+2.5 [-0.5, +5.25] points, 3 seeds; minimum 1")


def test_effect_text_without_interval_or_seeds():
    assert prose.effect_text(dict(RATIO, ci_low=math.nan), "fig3a_ours_lowest") == (
        "1.23x no interval, 5 seeds; minimum 1.05x")
    assert prose.effect_text({}, "theorem1") == ""
    assert prose.effect_text(dict(RATIO, seeds=0), "theorem1") == ""


def _recorded() -> dict:
    return {"table1_ood": {"paper": "96.1 %", "reproduced": "80 %", "verdict": "not reproduced",
                           "why": "reproduced if ...", "effect": DIFF, "setting": "b = 512"}}


def test_summary_rows_recorded_and_not_run():
    items = {k: ITEMS[k] for k in ("theorem1", "table1_ood")}
    rows = prose.summary_rows(items, _recorded())
    assert [r["claim id"] for r in rows] == ["theorem1", "table1_ood"]
    assert rows[0]["verdict"] == "not run" and rows[0]["evidence"] == "by construction"
    assert rows[0]["why"] == "chapter `theory` did not run in this build"
    r = rows[1]
    assert r["paper item"] == "Table 1" and r["reproduction"] == "80 %"
    assert r["evidence"] == "held-out" and r["setting"] == "b = 512"
    assert r["effect [95 % CI]"] == "+2.5 [-0.5, +5.25] points, 3 seeds; minimum 1"
    assert r["cause"] == "not isolated"  # not reproduced, no cause recorded
    csv = prose.csv_rows(rows)
    assert csv[0]["effect"] is None and csv[0]["effect_kind"] == ""
    assert csv[1] == {"claim": "table1_ood", "item": "Table 1", "evidence": "held-out",
                      "verdict": "not reproduced", "effect": 2.5, "null": 0.0, "ci_low": -0.5,
                      "ci_high": 5.25, "seeds": 3, "min_effect": 1.0,
                      "effect_kind": "difference", "measured": "80 %", "paper": "96.1 %",
                      "criterion": "reproduced if ...", "setting": "b = 512",
                      "cause": "not isolated"}


def test_counts_in_words():
    assert prose.claims_count(1) == "1 claim"
    assert prose.claims_count(0) == "0 claims"
    assert prose.count_is_are(1) == "1 is"
    assert prose.count_is_are(3) == "3 are"


def test_class_sentence():
    evidence = pd.Series(["held-out", "held-out", "fitted"])
    by_class = pd.DataFrame({"reproduced": [1, 0], "partly": [1, 0], "consistent": [0, 1]},
                            index=["held-out", "fitted"])
    assert prose.class_sentence(evidence, by_class) == (
        "held-out: 2 claims (1 reproduced, 1 partly); fitted: 1 claim (1 consistent)")


def test_depends_and_details_html():
    assert prose.depends_html([]) == "no reconstruction choice"
    assert prose.depends_html(["a", "b"]) == (
        '<a href="deviations.html#dev-a">a</a>, <a href="deviations.html#dev-b">b</a>')
    row = pd.Series({"paper": "P", "reproduction": "R", "setting": "", "why": "W"})
    assert prose.details_html(row, "none") == (
        "<details><summary>details</summary><p><b>paper:</b> P</p><p><b>this reproduction:</b> "
        "R</p><p><b>criterion:</b> W</p><p><b>depends on:</b> none</p></details>")


def test_figure_heading_and_caption():
    assert prose.figure_heading("Fig. 2", "fig2_loss_trends", "sine_regression") == (
        "**Fig. 2** (chapter [sine_regression](sine_regression.html), "
        "`paper_figures/fig2_loss_trends.png`)")
    rows = [{"claim": "a", "verdict": "reproduced", "effect [95 % CI]": "1.2x [1.1, 1.3], 5 "
             "seeds; minimum 1.05x"}, {"claim": "b", "verdict": "consistent",
                                       "effect [95 % CI]": ""}]
    assert prose.figure_caption("Fig. 2", rows) == (
        "*Fig. 2: a: **reproduced** (1.2x [1.1, 1.3], 5 seeds); b: **consistent**.*")
