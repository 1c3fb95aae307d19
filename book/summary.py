# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# (summary)=
# # Reproduction summary
#
# Every figure and table of the paper, what the paper reports, what this reproduction measured,
# and a verdict. The verdicts are not written by hand: each chapter calls one function of
# `modscale.report.verdicts` per claim (unit-tested) on its own measurements, with the criterion stated
# in the *why* column, and records it; this page collects them. The list of claims comes from one
# registry, `modscale.report.paper_items`; a claim whose chapter did not run in this build is listed as
# *not run*.
#
# Verdicts on held-out evidence: **reproduced** (the evidence supports the claim by the stated
# criterion), **partly** (the direction holds but not the size, or only part of the claim was
# testable), **not reproduced** (the measurement contradicts the claim, or rules out the minimum
# effect). On a fitted or by-construction check: **consistent** (the whole check passes: no
# independent evidence) or **inconsistent** (some part of it fails). **Inconclusive**: a
# comparison whose interval over seeds contains the minimum effect, or that has fewer than 5
# seeds (one rule for both directions). **Not tested**: not measurable here.

# %% tags=["parameters"]
profile: str = "smoke"  # profile: smoke, book or paper (every other parameter defaults to its value in this profile)
device: str = "auto"  # auto (CUDA if available, else CPU), cpu, cuda or cuda:N
show_figures: bool = None  # embed the figures this build exported (paper_figures/), when available [smoke: True; book: True]

# %%
# Validate the parameters before any heavy import or computation: a misspelled or unknown
# name, or a bad value, fails here with a message listing the valid ones.
from modscale.report.chapter import chapter

ch = chapter("summary", globals())  # validates, publishes, device, style, seed
cfg = ch.cfg

# %% tags=["hide-input"]
import os
from pathlib import Path

import pandas as pd
from IPython.display import Image, Markdown, display

from modscale import paper_data
from modscale.report import deviations, findings, runlog, verdicts
from modscale.report.evidence import EVIDENCE
from modscale.report.export import export_json, export_table
from modscale.report.notebook import glue, glue_text, show
from modscale.report.paper_items import FIGURE_CHAPTER, FIGURE_OF_ITEM, ITEMS, paper_item_order
from modscale.report.prose import summary as prose

# %% tags=["hide-input"]
build_profile = os.environ.get("MODSCALE_BUILD_PROFILE", profile)

# One row per registered claim (modscale.report.paper_items), in the paper's order.
recorded = {c.get("claim_id"): c for c in runlog.claims() if c.get("claim_id")}
rows = prose.summary_rows(ITEMS, recorded)
summary = pd.DataFrame(rows)
counts = summary["verdict"].value_counts()
for v in (*verdicts.VERDICTS, "not run"):
    glue(f"summary_n_{v.replace(' ', '_')}", int(counts.get(v, 0)), display=False)
glue("summary_n_claims", len(summary), display=False)
glue("summary_profile", build_profile, display=False)
by_class = pd.crosstab(summary["evidence"], summary["verdict"])
by_class = by_class.reindex([e for e in EVIDENCE if e in by_class.index])
by_class = by_class[[v for v in (*verdicts.VERDICTS, "not run") if v in by_class.columns]]
held = summary[summary["evidence"] == "held-out"]
glue("summary_n_held_out", len(held), display=False)
n_rep = int((held["verdict"] == "reproduced").sum())
glue_text("summary_n_held_reproduced", prose.count_is_are(n_rep))
glue_text("summary_class_sentence", prose.class_sentence(summary["evidence"], by_class))

# %% tags=["hide-input"]
# paper_figures/reproduction_summary.csv: one row per claim, its class, verdict and effect.
csv_rows = prose.csv_rows(rows)
_ = export_table(pd.DataFrame(csv_rows), "reproduction_summary", profile=build_profile)
# The findings in words, rendered from these verdicts (modscale.report.findings).
glue_text("summary_findings", findings.findings(csv_rows))
# The inputs of every verdict function call (a test re-applies each function to them and
# requires the verdict recorded here).
_ = export_json({cid: recorded[cid].get("inputs") for cid in ITEMS if cid in recorded},
                "verdict_inputs", profile=build_profile)
causes = summary[summary["cause"] != ""][["paper item", "claim", "verdict", "setting",
                                           "cause"]]
# Each verdict links to the reconstruction choices it depends on (the deviations page); its
# long texts are folded into *details*.
summary["details"] = [prose.details_html(r, prose.depends_html(
    [d.id for d in deviations.of_claim(r["claim id"])])) for _, r in summary.iterrows()]
summary = summary.drop(columns=["effect", "setting", "cause"])

# %% [markdown]
# ## Findings
#
# :::{div} findings
# {glue:text}`summary_findings`
# :::
#
# (This paragraph is rendered from the verdicts below by
# {py:func}`modscale.report.findings.findings`; it changes whenever a verdict does.)
#
# ## Verdicts
#
# At the **{glue:text}`summary_profile`** profile: {glue:text}`summary_n_claims` claims. Every
# claim carries an **evidence class**: *held-out* (the quantity was not used to fit anything: a
# prediction that could fail), *fitted* (in-sample), *by construction* (an identity of the
# reconstruction or a pipeline check) or *not tested*. Only held-out evidence can be
# *reproduced*; a fitted or by-construction claim is *consistent* if its whole check passes and
# *inconsistent* if any part fails. A comparative claim is judged on a paired effect over seeds
# with its 95 % interval against a stated minimum effect, in one unit: *reproduced* if the
# interval lies beyond it, *not reproduced* if it lies on the other side, *inconclusive* if it
# contains it -- and *inconclusive* whichever side it lies on with fewer than 5 seeds
# ({py:mod}`modscale.report.evidence`). Open *details* for what the paper reports, what was
# measured, the setting, the criterion and the reconstruction choices of a claim. Of the {glue:text}`summary_n_held_out` held-out claims,
# **{glue:text}`summary_n_held_reproduced`** reproduced. Per class:
# {glue:text}`summary_class_sentence`. Smaller profiles than the paper's give noisier and
# sometimes different verdicts; each chapter states the scale it ran at.

# %% tags=["hide-input"]
display(show(by_class, index=True))

# %% tags=["hide-input"]
pd.set_option("display.max_colwidth", None)
(summary[["paper item", "claim", "verdict", "effect [95 % CI]", "evidence", "details"]]
 .style.hide(axis="index")
 .map(lambda v: f"background-color: {verdicts.VERDICT_COLOURS.get(v, 'white')}",
      subset=["verdict"])
 .set_properties(**{"text-align": "left", "vertical-align": "top", "font-size": "0.85em"})
 .set_properties(subset=["details"], **{"font-size": "0.8em", "min-width": "6em"})
 # short columns keep their words whole when the long ones are wrapped
 .set_properties(subset=["paper item", "verdict", "evidence"], **{"min-width": "6.5em"}))

# %% [markdown]
# ### Measured causes
#
# Every claim that is *not reproduced* or *inconclusive* carries the cause a run isolated (a
# reading, a regime, a scale), or the words "not isolated"; and the setting it was judged in.

# %% tags=["hide-input"]
show(causes.replace({"setting": {"": "—"}})) if len(causes) else print(
    "no claim is not reproduced or inconclusive")

# %% [markdown]
# ## Table 1 as reported by the paper
#
# Verbatim from the authors' project page (the only numbers of the paper known exactly); the
# reproduction's counterpart, at the scale of this build, is in {ref}`compositional-cifar`.

# %% tags=["hide-input"]
show(pd.DataFrame({"Method": paper_data.TABLE1["method"],
                   "Combinatorial OOD Accuracy (%)": paper_data.TABLE1["combinatorial_ood_accuracy"],
                   "Accuracy under Noise (%)": paper_data.TABLE1["accuracy_under_noise"]}))

# %% [markdown]
# ## The judged figures
#
# The figure each paper item's verdict of record is judged on, as exported to `paper_figures/`
# by this build (the same figures as the landing page's thumbnails and the README), each with its
# verdicts in one line.

# %% tags=["hide-input"]
fig_dir = Path(os.environ.get("MODSCALE_PAPER_FIGURES", "")) if os.environ.get(
    "MODSCALE_PAPER_FIGURES") else None
shown = 0
if cfg.show_figures and fig_dir is not None and fig_dir.exists():
    for item in paper_item_order():
        name = FIGURE_OF_ITEM.get(item)
        sub = summary[summary["paper item"] == item]
        if name and (fig_dir / f"{name}.png").exists():
            display(Markdown(prose.figure_heading(item, name, FIGURE_CHAPTER[name])))
            display(Image(filename=str(fig_dir / f"{name}.png"), width=720))
            display(Markdown(prose.figure_caption(item, (r for _, r in sub.iterrows()))))
            shown += 1
if shown == 0:
    print("No exported figures in this run (they are embedded when the book is built with "
          "`make book`).")

# %% [markdown]
# ## Reconstruction choices
#
# Where the paper's detail was not recovered, the reproduction made a choice; each is a parameter
# (change it with papermill, `-p NAME VALUE`). The {ref}`deviations` page lists all
# {glue:text}`summary_n_deviations` of them, generated from one registry: what the paper gives
# and how sure that is, the book's choice, the parameters, the verdicts that depend on it (the
# *details* of each row above) and the sensitivity runs.

# %% tags=["hide-input"]
glue("summary_n_deviations", len(deviations.DEVIATIONS), display=False)
untouched = [cid for cid in ITEMS if not deviations.of_claim(cid)]
print("claims that depend on no reconstruction choice:", ", ".join(untouched) or "none")

# %% tags=["hide-input"]
# NBVAL_CHECK_OUTPUT
print("claims listed:", len(summary), "| registered:", len(ITEMS))
print("every verdict is a known value:", set(summary["verdict"]) <= {*verdicts.VERDICTS,
                                                                    "not run"})
print("only held-out claims are reproduced:",
      set(summary[summary["verdict"] == "reproduced"]["evidence"]) <= {"held-out"})
