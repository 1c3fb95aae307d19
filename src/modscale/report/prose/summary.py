"""Texts of the chapter *Reproduction summary* (``book/summary.py``): the rows of its verdict
table (built from the recorded claims, :func:`modscale.report.runlog.claims`), the rows of
``paper_figures/reproduction_summary.csv``, and the sentences and HTML the page glues or shows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from modscale.report import verdicts
from modscale.report.paper_items import EFFECT_UNITS, PaperItem


def effect_text(effect: Mapping[str, Any], claim_id: str) -> str:
    """The effect of a comparative claim as the table's *effect [95 % CI]* cell: effect,
    interval (``no interval`` where ``ci_low`` is NaN), the claim's unit
    (:data:`~modscale.report.paper_items.EFFECT_UNITS`), seeds and the minimum effect; a ratio
    carries an ``x``, a difference a sign. Empty without seeds (not a comparative claim)."""
    e = effect
    if not e.get("seeds"):
        return ""
    unit = "x" if e["effect_kind"] == "ratio" else ""
    words = f" {EFFECT_UNITS[claim_id]}" if claim_id in EFFECT_UNITS else ""
    sign = "+" if e["effect_kind"] == "difference" else ""
    ci = (f"[{e['ci_low']:{sign}.3g}, {e['ci_high']:{sign}.3g}]"
          if e["ci_low"] == e["ci_low"] else "no interval")
    return (f"{e['effect']:{sign}.3g}{unit} {ci}{words}, {e['seeds']} seeds; minimum "
            f"{e['min_effect']:g}{unit}")


def summary_rows(items: Mapping[str, PaperItem],
                 recorded: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One row per registered claim (``items``, in their order): its paper item, claim, the
    paper's and the reproduction's texts, evidence class, verdict, effect text, criterion
    (``why``), chapter, claim id, effect (dict), setting and cause. ``recorded`` maps a claim id
    to the claim recorded in the run log; a claim without one is *not run*."""
    rows = []
    for cid, it in items.items():
        c = recorded.get(cid)
        if c is None:
            rows.append({"paper item": it.item, "claim": it.claim, "paper": "",
                         "reproduction": "", "evidence": it.evidence, "verdict": "not run",
                         "effect [95 % CI]": "", "why": f"chapter `{it.chapter}` did not run in "
                         "this build", "chapter": it.chapter, "claim id": cid, "effect": {},
                         "setting": "", "cause": ""})
            continue
        e = c.get("effect") or {}
        rows.append({"paper item": it.item, "claim": it.claim, "paper": c["paper"],
                     "reproduction": c["reproduced"], "evidence": c.get("evidence", it.evidence),
                     "verdict": c["verdict"], "effect [95 % CI]": effect_text(e, cid),
                     "why": c["why"], "chapter": it.chapter, "claim id": cid, "effect": e,
                     "setting": c.get("setting", ""),
                     "cause": verdicts.cause_of(c["verdict"], c.get("cause", ""))})
    return rows


def csv_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The rows of ``paper_figures/reproduction_summary.csv`` from :func:`summary_rows`: one
    per claim, its class, verdict, effect (``effect``, ``null``, ``ci_low``, ``ci_high``,
    ``seeds``, ``min_effect``, ``effect_kind``; ``None`` / empty where not comparative) and its
    texts."""
    out = []
    for row in rows:
        e = row["effect"]
        out.append({"claim": row["claim id"], "item": row["paper item"],
                    "evidence": row["evidence"], "verdict": row["verdict"],
                    "effect": e.get("effect"), "null": e.get("null"),
                    "ci_low": e.get("ci_low"), "ci_high": e.get("ci_high"),
                    "seeds": e.get("seeds"), "min_effect": e.get("min_effect"),
                    "effect_kind": e.get("effect_kind", ""), "measured": row["reproduction"],
                    "paper": row["paper"], "criterion": row["why"],
                    "setting": row.get("setting", ""), "cause": row.get("cause", "")})
    return out


def claims_count(n: int) -> str:
    """``1 claim``, ``n claims``."""
    return f"{n} claim" + ("s" if n != 1 else "")


def count_is_are(n: int) -> str:
    """``1 is``, ``n are`` (the count of claims that *is* / *are* reproduced)."""
    return f"{n} {'is' if n == 1 else 'are'}"


def class_sentence(evidence: pd.Series, by_class: pd.DataFrame) -> str:
    """Per evidence class (the rows of ``by_class``, verdict counts by class x verdict): the
    number of claims (of ``evidence``, one class per claim) and its non-zero verdict counts,
    e.g. ``held-out: 2 claims (1 reproduced, 1 partly); fitted: 1 claim (1 consistent)``."""
    return "; ".join(
        f"{ev}: {claims_count(int((evidence == ev).sum()))} ("
        + ", ".join(f"{int(n)} {v}" for v, n in by_class.loc[ev].items() if n) + ")"
        for ev in by_class.index)


def depends_html(deviation_ids: Sequence[str]) -> str:
    """Links to the deviations page's entries ``deviation_ids`` (the reconstruction choices a
    verdict depends on), or ``no reconstruction choice``."""
    return ", ".join(f'<a href="deviations.html#dev-{d}">{d}</a>'
                     for d in deviation_ids) or "no reconstruction choice"


def details_html(row: Mapping[str, Any], depends: str) -> str:
    """The long texts of one claim (a :func:`summary_rows` row), folded: what the paper reports,
    what was measured, where, the criterion and the reconstruction choices it depends on
    (``depends``, :func:`depends_html`); empty texts are left out."""
    parts = [("paper", row["paper"]), ("this reproduction", row["reproduction"]),
             ("judged in", row.get("setting", "")), ("criterion", row["why"]),
             ("depends on", depends)]
    body = "".join(f"<p><b>{k}:</b> {v}</p>" for k, v in parts if v)
    return f"<details><summary>details</summary>{body}</details>"


def figure_heading(item: str, name: str, chapter: str) -> str:
    """The line above a judged figure: the paper item, its chapter (linked) and its file."""
    return f"**{item}** (chapter [{chapter}]({chapter}.html), `paper_figures/{name}.png`)"


def figure_caption(item: str, rows: Iterable[Mapping[str, Any]]) -> str:
    """The line below a judged figure: every claim of ``item`` (its :func:`summary_rows` rows)
    with its verdict and, for a comparative claim, its effect and interval."""
    takeaway = "; ".join(f"{r['claim']}: **{r['verdict']}**"
                         + (f" ({r['effect [95 % CI]'].split(';')[0]})"
                            if r["effect [95 % CI]"] else "")
                         for r in rows)
    return f"*{item}: {takeaway}.*"


__all__ = ["effect_text", "summary_rows", "csv_rows", "claims_count", "count_is_are",
           "class_sentence", "depends_html", "details_html", "figure_heading", "figure_caption"]
