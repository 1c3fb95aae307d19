"""The book's findings in words, rendered from the recorded verdicts (never typed in).

:func:`findings` turns the rows of ``paper_figures/reproduction_summary.csv`` (one per claim:
``claim``, ``verdict``, ``evidence``, ``effect``, ``ci_low``, ``ci_high``, ``seeds``,
``effect_kind``, ``setting``, ``cause``) into one paragraph: a lead sentence over the held-out
claims, then one sentence per group of claims (:data:`GROUPS`) saying what holds, where it was
judged and, for a claim that does not hold, its measured cause. The summary page and the README
show it; a test renders it from altered verdicts and requires it to change.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from modscale.report.paper_items import EFFECT_UNITS, ITEMS

GROUPS: dict[str, tuple[str, ...]] = {
    "The theory": ("theorem1", "theory_m_vs_n", "theory_double_descent", "theorem2"),
    "The sine-wave task (monolithic networks)": (
        "fig1_module", "fig2_k_invariance", "fig2_m_sublinear", "fig2_p_double_descent",
        "fig2_n_convergence", "fig2_theory_fit", "fig2_held_out", "fig3a_monolithic"),
    "The kernel initialiser on the sine task (Fig. 3a, Fig. 4, Table 2)": (
        "fig3a_ours_lowest", "fig3a_modular_worse", "fig3a_ours_grows", "fig3a_compute_matched",
        "fig4_alignment", "fig4_tsne", "table2_nonlinear"),
    "Compositional CIFAR-10": ("fig3b_cifar", "table1_ood", "table1_noise", "fig5_input",
                               "fig12_selectivity"),
}
"""Groups of claims, in the paper's order; every registered claim is in exactly one."""

def _num(v: Any) -> float:
    """A float from a summary cell (a number, or the CSV's text; empty or bad -> NaN)."""
    try:
        return float(v)
    except (TypeError, ValueError):
        return float("nan")


def _effect_text(r: Mapping[str, Any]) -> str:
    """``1.18x [0.95, 1.47], 5 seeds; minimum 1.25x`` from a summary row, the same whether the
    row holds numbers (the summary page) or the CSV's text (README, landing page): ratios and
    effects in points to two decimals, other differences to three significant digits, with the
    claim's unit (:data:`~modscale.report.paper_items.EFFECT_UNITS`) and minimum effect."""
    eff, lo, hi, seeds, least = (_num(r.get(k)) for k in ("effect", "ci_low", "ci_high",
                                                          "seeds", "min_effect"))
    if not (math.isfinite(eff) and math.isfinite(seeds)):
        return ""
    kind = r.get("effect_kind")
    named = EFFECT_UNITS.get(str(r.get("claim", "")), "")
    spec = ("+.2f" if named == "points" else "+.3g") if kind == "difference" else ".2f"
    unit = "x" if kind == "ratio" else ""
    ci = f" [{lo:{spec}}, {hi:{spec}}]" if math.isfinite(lo) and math.isfinite(hi) else ""
    n = int(seeds)
    least_unit = "point" if named == "points" and least == 1 else named
    minimum = (f"; minimum {least:g}{unit}" + (f" {least_unit}" if least_unit else "")
               if math.isfinite(least) else "")
    return (f"{eff:{spec}}{unit}{ci}" + (f" {named}" if named else "")
            + f", {n} seed{'s' if n != 1 else ''}{minimum}")

def _where(setting: str) -> str:
    """The regime part of a recorded setting: its first clause, a parenthesis cut at its first
    comma (``paper-matched regime (projection lr x0.01)``)."""
    head = setting.split(";")[0].strip()
    if "(" in head and "," in head.split("(", 1)[1]:
        head = head.split("(", 1)[0] + "(" + head.split("(", 1)[1].split(",")[0] + ")"
    return f"the {head}" if head.startswith("paper-matched") else head


def _common_setting(settings: Sequence[str]) -> str:
    """The settings of several claims as one: the text if they agree, else their common leading
    items (split at ", "), or nothing."""
    if not settings:
        return ""
    if len(set(settings)) == 1:
        return settings[0]
    parts = [s.split(", ") for s in settings]
    common = []
    for items in zip(*parts, strict=False):
        if len(set(items)) != 1:
            break
        common.append(items[0])
    return ", ".join(common)


def _be(n: int) -> str:
    return "is" if n == 1 else "are"


def _claim(cid: str) -> str:
    return ITEMS[cid].claim


def group_sentence(name: str, rows: Sequence[Mapping[str, Any]]) -> str:
    """One sentence on a group: the claims that hold (and how: held-out or only consistent),
    then each claim that does not, with its effect, setting and measured cause."""
    if not rows:
        return f"{name}: no claim was run in this build."
    held = [r for r in rows if r["verdict"] == "reproduced"]
    cons = [r for r in rows if r["verdict"] == "consistent"]
    part = [r for r in rows if r["verdict"] == "partly"]
    other = [r for r in rows if r["verdict"] not in ("reproduced", "consistent", "partly")]
    bits = []
    if held:
        bits.append(f"{len(held)} of {len(rows)} claims {_be(len(held))} reproduced on held-out "
                    "evidence (" + "; ".join(_claim(r["claim"]) for r in held) + ")")
    if cons:
        bits.append(f"{len(cons)} {'passes' if len(cons) == 1 else 'pass'} a check that is "
                    "fitted or holds by construction, so "
                    f"{'it is' if len(cons) == 1 else 'they are'} only consistent")
    if part:
        bits.append(f"{len(part)} {'holds' if len(part) == 1 else 'hold'} in part ("
                    + "; ".join(_claim(r["claim"]) for r in part) + ")")
    merged: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in other:  # claims with one verdict and one measured cause: one clause, cause once
        merged.setdefault((r["verdict"], r.get("cause") or ""), []).append(r)
    for (verdict, cause), rs in merged.items():
        names = [f"'{_claim(r['claim'])}'" + (f" ({e})" if (e := _effect_text(r)) else "")
                 for r in rs]
        subject = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        where = "" if verdict == "not tested" else _common_setting(
            [_where(r["setting"]) for r in rs if r.get("setting")])
        because = ("; cause not isolated" if cause == "not isolated" else
                   f"; measured cause: {cause}" if cause else "")
        prep = "at" if where[:1].isdigit() or where.startswith(("b =", "k =")) else "in"
        bits.append(f"{subject} {_be(len(rs))} {verdict}" + (f", {prep} {where}" if where else "")
                    + because)
    return f"{name}: " + "; ".join(bits) + "."


def findings(rows: Sequence[Mapping[str, Any]]) -> str:
    """The Findings paragraph (Markdown) from the summary rows (see the module docstring)."""
    by_id = {r["claim"]: r for r in rows}
    held_out = [r for r in rows if r.get("evidence") == "held-out"
                and r["verdict"] not in ("not run",)]
    repro = [r for r in held_out if r["verdict"] == "reproduced"]
    method_ids = set(GROUPS["The kernel initialiser on the sine task (Fig. 3a, Fig. 4, Table 2)"]
                     + GROUPS["Compositional CIFAR-10"]) - {"fig5_input"}
    method_repro = [r for r in repro if r["claim"] in method_ids]
    lead = (f"Of the {len(held_out)} claims with held-out evidence, {len(repro)} "
            f"{'is' if len(repro) == 1 else 'are'} reproduced")
    if repro and not method_repro:
        lead += (", none of them about the paper's method: what holds is the theory's "
                 "and the monolithic networks' side")
    elif method_repro:
        lead += (f", {len(method_repro)} of them about the paper's method ("
                 + "; ".join(_claim(r["claim"]) for r in method_repro) + ")")
    parts = [lead + "."]
    for name, ids in GROUPS.items():
        parts.append(group_sentence(name, [by_id[c] for c in ids if c in by_id]))
    return " ".join(parts)


def check_groups() -> None:
    """Every registered claim is in exactly one group (raises ``ValueError`` otherwise)."""
    seen = [c for ids in GROUPS.values() for c in ids]
    missing, twice = set(ITEMS) - set(seen), {c for c in seen if seen.count(c) > 1}
    unknown = set(seen) - set(ITEMS)
    if missing or twice or unknown:
        raise ValueError(f"findings groups: missing {sorted(missing)}, repeated "
                         f"{sorted(twice)}, unknown {sorted(unknown)}")


__all__ = ["GROUPS", "findings", "group_sentence", "check_groups"]
