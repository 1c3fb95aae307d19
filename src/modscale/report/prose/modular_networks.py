"""The sentences the modular-networks chapter (``book/modular_networks.py``) chooses from its
measured values: orderings, sensitivity outcomes, the measured causes of claims that are not
reproduced and what the alignment dose-response concludes. Each function takes the values and
returns the text the page glues or records."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from modscale.report.evidence import Effect
from modscale.report.paper_regime import claim_cause

NOT_MEASURED = ("not reproduced", "inconclusive")
"""Verdicts whose measured cause the chapter records."""

REGIME_NAMES = {"today": "today's regime"}
"""Reader-facing names of regimes in sentences (others by their setting name)."""


def fewest_samples(agg: pd.DataFrame, threshold: float) -> str | None:
    """The ``mod-scale`` sensitivity outcome: per threshold, the method with the smallest
    geometric mean over m of the samples needed. ``agg``: one row per (method, threshold, m)
    with ``n_required`` (NaN: not reached, left out); None if no method reached any threshold;
    ``threshold``: the page's own."""
    lowest = []
    for thr, g in agg[agg["n_required"] > 0].groupby("threshold"):
        geo = g.groupby("method")["n_required"].apply(lambda s: float(np.exp(np.log(s).mean())))
        lowest.append(f"{thr:g}: {geo.idxmin()} ({geo.min():,.0f})")
    if not lowest:
        return None
    return "geometric mean over m: " + "; ".join(lowest) + f" (this page uses {threshold:g})"


def method_order(agg: pd.DataFrame, m_values: Sequence[int]) -> str:
    """Per m, the methods ranked by the aggregate samples needed, smallest first (``agg``: one
    row per (method, m) with ``n_required``; NaN ranks last as ``not reached``)."""
    parts = []
    for m in m_values:
        a = agg[agg["m"] == m].set_index("method")["n_required"]
        ranked = a.fillna(np.inf).sort_values()
        parts.append(f"m={m}: " + " < ".join(
            f"{meth} ({v:.0f})" if np.isfinite(v) else f"{meth} (not reached)"
            for meth, v in ranked.items()))
    return "; ".join(parts)


def literal_vs_joint(sim_at_end: Mapping[str, float], paper_end: int) -> str | None:
    """The ``alg1-single-or-joint`` sensitivity outcome: the Fig. 4 similarity at iteration
    ``paper_end`` of the literal (``ours``) and joint (``ours_joint``) objectives and, if run,
    of random projections (``modular``); None unless both objectives ran."""
    if "ours_joint" not in sim_at_end or "ours" not in sim_at_end:
        return None
    return (f"at iteration {paper_end:,}: literal {sim_at_end['ours']:.3f}, "
            f"joint {sim_at_end['ours_joint']:.3f}"
            + (f", random projections {sim_at_end['modular']:.3f}"
               if "modular" in sim_at_end else "")
            + " (paper: 0.628 for its initialiser, 0.578 random)")


def held_out_rms(table: pd.DataFrame, curve: str) -> str:
    """RMS residual of the held-out points of ``curve`` (``baseline`` or ``ours``) in a regime
    table (:func:`modscale.experiments.modular_regime.regime_table`: ``role``, ``quantity``,
    ``measured``, ``paper``), as text; "not measurable" where the run recorded no iteration of
    the paper's between 0 and its last (e.g. at smoke)."""
    sel = table[(table.role == "held-out") & table.quantity.str.contains(curve)]
    if not len(sel):
        return "not measurable (no held-out point recorded at this profile)"
    return f"{float(np.sqrt(np.mean((sel.measured - sel.paper) ** 2))):.3f}"


def regime_outcome(fit: pd.DataFrame, seeds: int) -> str:
    """The ``mod-regime`` sensitivity outcome of the regime study: the selected setting (first
    row of ``fit``, :func:`modscale.experiments.modular_regime.fit_residuals`: ``setting``,
    ``sim_0``, ``sim_1000``, ``fit_rms``) against today's, with ``seeds`` seeds."""
    sel, today = fit.iloc[0], fit[fit.setting == "today"].iloc[0]
    return (f"{fit.setting.nunique()} settings, {seeds} seeds; selected {sel.setting} "
            f"(baseline {sel.sim_0:.3f} -> {sel.sim_1000:.3f}, paper 0.537 -> 0.578, fit RMS "
            f"{sel.fit_rms:.3f}; today's regime {today.sim_0:.3f} -> {today.sim_1000:.3f}, "
            f"RMS {today.fit_rms:.3f})")


def task_axis_outcome(fit: pd.DataFrame) -> str | None:
    """The ``fig4-similarity`` sensitivity outcome: the baseline's fit residual in the study's
    settings that change the task's n or m (named ``n = ...``, ``m = ...``) against today's;
    None if the study ran none."""
    rows = fit[fit.setting.str.match(r"^(n|m) = ")]
    if not len(rows):
        return None
    today = fit[fit.setting == "today"].iloc[0]
    return ("baseline fit RMS against the paper's two levels: " + ", ".join(
        f"{r.setting} {r.fit_rms:.3f}" for r in rows.itertuples())
        + f" (today's setting {today.fit_rms:.3f})")


def grid_costs(costs: pd.DataFrame, labels: Mapping[str, str]) -> str:
    """The median cost of one stack of the architecture grid per method (``costs``: ``method``,
    ``train``, ``init`` wall times in s), with Algorithm 1's where it ran."""
    return "; ".join(
        f"{labels[meth]} {g.train.median():.0f} s of training"
        + (f" after {g.init.median():.0f} s of Algorithm 1" if g.init.median() > 0 else "")
        for meth, g in costs.groupby("method", sort=False)) + " (medians over m and regimes)"


def regime_verdict_glues(rows: Sequence[Mapping[str, Any]], n_regimes: int) -> dict[str, str]:
    """Glue key -> verdict of the grid verdicts ``rows`` (``regime``, ``claim_id``,
    ``verdict``): ``mod_reg_v_today_<claim>`` in today's regime, ``mod_reg_v_sel_<claim>`` in
    the selected one; with one regime (the study selected today's) the selected keys repeat
    today's verdicts, saying so."""
    out = {f"mod_reg_v_{'today' if r['regime'] == 'today' else 'sel'}_{r['claim_id']}":
           r["verdict"] for r in rows}
    if n_regimes == 1:
        out.update({f"mod_reg_v_sel_{r['claim_id']}":
                    f"{r['verdict']} (the selected regime is today's)" for r in rows})
    return out


def grid_verdict_outcomes(rows: Sequence[Mapping[str, Any]], archs: str
                          ) -> list[tuple[str, str, str]]:
    """(deviation, run, outcome) of the grid verdicts ``rows`` (``regime``, ``claim_id``,
    ``verdict``) over the architectures ``archs``: today's regime as the ``fig3a-comparison``
    sensitivity, the selected one as ``mod-regime``'s (none for a regime without rows)."""
    out = []
    for dev_id, wanted in (("fig3a-comparison", "today"), ("mod-regime", "selected")):
        sel = [r for r in rows if (r["regime"] == "today") == (wanted == "today")]
        if sel:
            out.append((dev_id, f"verdicts over the architecture grid ({wanted} regime)",
                        f"regime {sel[0]['regime']}, {archs}: " + "; ".join(
                            f"{r['claim_id']} {r['verdict']}" for r in sel)))
    return out


def matched_regime(matched: str) -> str:
    """The paper-matched regime's name, or that the study selected today's."""
    return matched if matched != "today" else "today's regime: the study selected no other"


def samples_order(geo: Mapping[str, float], short: Mapping[str, str]) -> str:
    """The methods of ``geo`` (method -> geometric mean of the samples needed) ranked, smallest
    first, with their legend names ``short``."""
    return " < ".join(f"{short[k]} {geo[k]:,.0f}" for k in sorted(geo, key=geo.get))


def paper_order_holds(geo: Mapping[str, float], meth: str) -> str:
    """Whether the paper's ordering ours < monolithic < modular holds in ``geo`` (method ->
    samples needed) with ``meth`` as ours."""
    if not {meth, "monolithic", "modular"} <= set(geo):
        return "was not run"
    ok = geo[meth] < geo["monolithic"] < geo["modular"]
    return "holds" if ok else "does not hold"


def paper_order_takeaway(geo: Mapping[str, float]) -> str:
    """:func:`paper_order_holds` with each reading that ran (literal, joint, oracle) as ours."""
    return "; ".join(
        f"with the {name} as ours it {paper_order_holds(geo, m_)}"
        for m_, name in (("ours_literal", "literal reading"), ("ours_joint", "joint reading"),
                         ("oracle", "oracle start")) if m_ in geo)


def geo_text(t: Sequence[float]) -> str:
    """A gain (geometric mean, 95 % low, high) as text: with its interval, without one, or not
    measured."""
    return (f"{t[0]:.2f}x [{t[1]:.2f}, {t[2]:.2f}]" if np.isfinite(t[1])
            else (f"{t[0]:.2f}x (no interval)" if np.isfinite(t[0]) else "not measured"))


def excess_needed(ro: Mapping[str, Any]) -> str:
    """The similarity excess over chance at which the paper's Fig. 3a gain is reached, from a
    :func:`modscale.report.paper_regime.readoff` ``ro``, or that no seed's oracle reaches it."""
    if not ro["reached"]:
        return "never: no seed's oracle reaches it"
    ex = ro["excess_for_gain"]
    return (f"{ex[0]:.3f}" + (f" [{ex[1]:.3f}, {ex[2]:.3f}]" if np.isfinite(ex[1]) else "")
            + f" over chance (mean of the {ro['reached']} seeds that reach it)")


def dose_sentence(ro: Mapping[str, Any], *, m: int, matched: str, paper_ratio: float,
                  other_oracle: Mapping[str, str]) -> str:
    """What the paper's Fig. 4 alignment and the oracle buy at ``m`` in the paper-matched regime
    ``matched`` (``ro``: its :func:`modscale.report.paper_regime.readoff`), how many seeds reach
    the paper's ``paper_ratio``, and the oracle's gain text in each other regime of
    ``other_oracle`` (regime -> text)."""
    return (f"At m = {m}, in the paper-matched regime ({matched}), a start as much above "
            "chance as the paper's "
            f"Fig. 4 initialiser buys {geo_text(ro['gain_at_excess'])}, while the oracle buys "
            f"{geo_text(ro['oracle_gain'])}; the paper's {paper_ratio:.2f}x is reached by "
            f"{ro['reached']} of {ro['seeds']} seeds' dose curves."
            + "".join(f" In {REGIME_NAMES.get(r, r)}, the oracle itself buys {text}."
                      for r, text in other_oracle.items()))


def dose_conclusion(gain_high: float, paper_ratio: float) -> str:
    """Whether the upper end ``gain_high`` of what the paper's Fig. 4 alignment buys can reach
    the paper's Fig. 3a gain ``paper_ratio`` (NaN: not measurable)."""
    if not np.isfinite(gain_high):
        return ("The interval of what the paper's Fig. 4 alignment buys here is not measurable "
                "at this profile.")
    if gain_high < paper_ratio:
        return ("So, under this reconstruction, an initialisation as aligned as the paper's "
                f"Fig. 4 reports buys at most {gain_high:.2f}x (upper end of its interval), "
                f"short of the paper's {paper_ratio:.2f}x: either the paper's Fig. 4 gain is "
                "too small to explain its Fig. 3a gain, or its similarity score differs from "
                "ours.")
    return (f"Within its interval, the paper's Fig. 4 alignment could buy the paper's "
            f"{paper_ratio:.2f}x here.")


def fig3a_cause(gains: Mapping[str, Effect], today_oracle: Effect | None, *, m: int,
                min_effect: float) -> str:
    """The measured cause of a Fig. 3a method claim not reproduced at ``m``
    (:func:`modscale.report.paper_regime.claim_cause`), from the paired ``gains`` over the
    modular baseline in the paper-matched regime: the literal reading against the joint one
    (or the oracle where the joint reading did not run); "not isolated" without both."""
    literal = gains.get("ours_literal")
    aligning = gains.get("ours_joint") or gains.get("oracle")
    name = "the joint reading" if gains.get("ours_joint") else "the oracle start"
    if literal is None or aligning is None:
        return "not isolated"
    return claim_cause(literal, aligning, today_oracle, min_effect, m=m, aligning_name=name)


def record_cause(verdict: str, claim_id: str, ours_cause: str) -> str:
    """The cause recorded with a Fig. 3a claim of record: none for a verdict that needs none,
    ``ours_cause`` (:func:`fig3a_cause`) for ``fig3a_ours_lowest``, otherwise not isolated."""
    if verdict not in NOT_MEASURED:
        return ""
    return ours_cause if claim_id == "fig3a_ours_lowest" else "not isolated"


def fig4_cause(verdict: str, diff: Mapping[str, float]) -> str:
    """The measured cause of a Fig. 4 verdict in the paper-matched regime (empty for one that
    needs none): the literal reading, if the joint reading's similarity at initialisation is
    above the random start's by more than 0.01 and the literal's is not. ``diff``: per reading
    (``ours_literal``, ``ours_joint``, ``oracle``) its paired seed-mean excess over the
    random start at initialisation."""
    if verdict not in NOT_MEASURED:
        return ""
    if diff["ours_joint"] > 0.01 > diff["ours_literal"]:
        return ("the literal reading: at initialisation its similarity score is "
                f"{diff['ours_literal']:+.3f} against the random start's, the joint reading's "
                f"{diff['ours_joint']:+.3f} and the oracle's {diff['oracle']:+.3f} (paired "
                "seed means)")
    return "not isolated"


def cause_text(cause: str) -> str:
    """A recorded cause as glued text (``none needed`` for an empty one)."""
    return cause or "none needed"


def nonlinear_ratio(nonlinear: Sequence[float], linear: Sequence[float]) -> str:
    """The range over rows of the samples the nonlinear projections need over those of the
    linear ones, as the multiple in "need ... the samples"; rows not reached are left out."""
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.asarray(nonlinear, dtype=float) / np.asarray(linear, dtype=float)
    ratio = ratio[np.isfinite(ratio)]
    if not len(ratio):
        return "an unmeasurable multiple (a threshold not reached within the grid) of"
    return f"{ratio.min():.1f} to {ratio.max():.1f} times"


def calibration_sensitivity(runner_up: str, measured: str, argmin: str) -> str:
    """The Fig. 4 verdict on the sine chapter's runner-up calibration point (``runner_up``, with
    what it ``measured``) against the one on the argmin (``argmin``)."""
    return (f"verdict {runner_up} ({measured}), against {argmin} on the argmin: "
            + ("the verdict does not change" if runner_up == argmin else
               "the verdict changes with the calibration point"))


__all__ = ["REGIME_NAMES", "fewest_samples", "method_order", "literal_vs_joint", "held_out_rms",
           "regime_outcome", "task_axis_outcome", "grid_costs", "regime_verdict_glues",
           "grid_verdict_outcomes", "matched_regime", "samples_order", "paper_order_holds",
           "paper_order_takeaway", "geo_text", "excess_needed", "dose_sentence",
           "dose_conclusion", "fig3a_cause", "record_cause", "fig4_cause", "cause_text",
           "nonlinear_ratio", "calibration_sensitivity"]
