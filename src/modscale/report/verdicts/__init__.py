"""Verdicts on the paper's claims: one pure function per claim, unit-tested.

Every function takes the numbers a chapter computed (plain arrays, dicts and floats, never a
notebook's globals) and the thresholds of its criterion as keyword arguments, and returns a
:class:`Verdict`: the verdict, the measured and the paper's numbers as short texts, the
criterion as a sentence *generated from the thresholds passed in*, and the key numbers in
``values`` for the chapter's prose. A chapter calls one function per claim in a visible cell and
records the result with :func:`record`; the summary page and the README read the records.

Rules shared by all functions:

- a claim whose inputs hold too few finite points is ``not tested`` and its ``measured`` text
  reads ``not measurable at this profile: <why>``, never ``nan``;
- numbers are formatted by :func:`fmt`, which never prints ``nan`` or ``inf``;
- the claim text, item and chapter come from :mod:`modscale.report.paper_items` (one registry).

The functions live in one module per paper section (:mod:`~modscale.report.verdicts.theory`,
:mod:`~modscale.report.verdicts.sine`, :mod:`~modscale.report.verdicts.modular`,
:mod:`~modscale.report.verdicts.cifar`) over the shared :mod:`~modscale.report.verdicts.core`
and :mod:`~modscale.report.verdicts.recording`; this package re-exports every name, so
``modscale.report.verdicts.<name>`` is the one import path.
"""

from __future__ import annotations

from modscale.report.evidence import (
    MIN_SEEDS,
    censor,
    judge,
    paired_difference,
    paired_ratio,
    slope_effect,
)
from modscale.report.verdicts.cifar import (
    fig3b_cifar,
    fig5_input,
    fig12_selectivity,
    table1_cifar,
)
from modscale.report.verdicts.core import (
    EVIDENCE,
    ITEMS,
    JUDGED,
    NOT_MEASURABLE,
    VERDICTS,
    Effect,
    PaperItem,
    Verdict,
    cap_verdict,
    check_words,
    fmt,
    fmt_seq,
    rejudge,
    span,
    spearman,
)
from modscale.report.verdicts.modular import (
    fig3a_compute_matched,
    fig3a_modular_worse,
    fig3a_ours_grows,
    fig3a_ours_lowest,
    fig4_alignment,
    fig4_tsne,
    table2_nonlinear,
)
from modscale.report.verdicts.recording import (
    NOT_ISOLATED,
    VERDICT_COLOURS,
    cause_of,
    frame,
    record,
    styled,
    table,
)
from modscale.report.verdicts.sine import (
    fig1_module,
    fig2_held_out,
    fig2_k_invariance,
    fig2_m_sublinear,
    fig2_n_convergence,
    fig2_p_double_descent,
    fig2_theory_fit,
    fig3a_monolithic_slope,
)
from modscale.report.verdicts.theory import (
    theorem1_closed_form,
    theorem2_modular,
    theory_double_descent,
    theory_m_vs_n,
)

__all__ = [
    "NOT_MEASURABLE", "Verdict", "check_words", "JUDGED", "rejudge", "fmt", "fmt_seq", "span",
    "spearman", "EVIDENCE", "MIN_SEEDS", "VERDICTS", "Effect", "cap_verdict", "censor",
    "judge", "paired_difference", "paired_ratio", "slope_effect", "ITEMS", "PaperItem",
    "theorem1_closed_form", "theory_double_descent", "theory_m_vs_n", "theorem2_modular",
    "fig1_module", "fig2_k_invariance", "fig2_m_sublinear", "fig2_p_double_descent",
    "fig2_n_convergence", "fig2_theory_fit", "fig2_held_out", "fig3a_monolithic_slope",
    "fig3a_ours_lowest", "fig3a_modular_worse", "fig3a_ours_grows", "fig3a_compute_matched",
    "fig4_alignment", "fig4_tsne", "table2_nonlinear", "fig3b_cifar", "table1_cifar",
    "fig5_input", "fig12_selectivity", "NOT_ISOLATED", "cause_of", "record", "VERDICT_COLOURS",
    "frame", "table", "styled"
]
