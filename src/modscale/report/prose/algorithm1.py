"""The sentences of the Algorithm 1 chapter (``book/algorithm1.py``) that its measured values
choose or fill: the early-stopping conclusion, the matched-compute caveat, the calibration
sensitivity and the K ablation, and the outcomes its sensitivity runs record
(:func:`modscale.report.deviations.record_sensitivity`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from modscale.report.verdicts import fmt


def seed_range(row: Mapping[str, float]) -> str:
    """``seed_min-seed_max``: the range of the single seeds' samples needed (``row`` holds
    ``seed_min``, ``seed_max``), ``not reached`` for a seed that never reached the threshold."""
    return f"{fmt(row['seed_min'], '.0f')}-{fmt(row['seed_max'], '.0f')}"


def readings_outcome(readings: pd.DataFrame, *, k: int, best: str) -> str:
    """Outcome of the readings comparison (deviation ``alg1-readings``): the modules each
    reading recovers on average over ``readings`` (columns ``reading``, ``modules_recovered``;
    readings in order of appearance), of ``k``, and the ``best`` one."""
    per = ", ".join(f"{r} {g['modules_recovered'].mean():.1f}"
                    for r, g in readings.groupby("reading", sort=False))
    return f"modules recovered on average: {per} of k = {k}; most: {best}"


def kernel_outcome(sens: pd.DataFrame, *, m: int, k: int) -> str:
    """Outcome of the literal reading over learning rate, mini-batch and ridge (deviation
    ``alg1-kernel``): ``sens`` has one row per setting with ``modules_recovered`` (mean over
    networks) and ``similarity``."""
    return (f"at m = {m} it recovers at most {sens['modules_recovered'].max():.1f} of the "
            f"k = {k} modules on average over {len(sens)} settings (similarity "
            f"{sens['similarity'].min():.3f} to {sens['similarity'].max():.3f})")


def early_stop_conclusion(recovered: float, k: int) -> str:
    """What the early-stopped literal reading's ``recovered`` modules (mean per network, of
    ``k``) say about the paper's t-SNE figure: it needs most targets recovered (at least
    ``k / 2``)."""
    if recovered < k / 2:
        return ("so the early-stopped literal reading cannot produce the paper's t-SNE picture of "
                "learned points on the targets: early stopping explains the paper's small "
                "similarity gain but not its t-SNE figure")
    return "enough for a t-SNE picture of learned points on most targets, as in the paper"


def matched_caveat(n_matched: float, n_plain: float, m: int) -> str:
    """The caveat of the matched-compute comparison at input dimension ``m``: the samples needed
    by the matched-compute baseline ``n_matched`` against the plain baseline's ``n_plain``; more
    samples for more compute can only be noise."""
    if n_matched > n_plain:
        return ("The matched baseline trains longer than the plain baseline yet needs more "
                f"samples at m = {m}, so the difference between them is noise of the seeds and "
                "of the coarse n grid rather than an effect of compute")
    return (f"The matched baseline needs no more samples than the plain baseline at m = {m}, as "
            "extra compute should")


def knobs_text(knobs: Any | None) -> str:
    """The calibrated task's knobs (an object with ``noise_var``, ``freq_scale``,
    ``target_var``), or ``not used at this profile`` for ``None``."""
    if knobs is None:
        return "not used at this profile"
    return (f"noise variance {knobs.noise_var:g}, frequency scale {knobs.freq_scale:g}, "
            f"target variance {knobs.target_var:g}")


def calibration_sentence(sens: pd.DataFrame | None) -> str:
    """Whether a verdict depends on the calibration point: ``sens`` has one row per (claim,
    task) with ``claim`` and ``verdict`` (``None``: the check did not run at this profile)."""
    if sens is None:
        return "not run at this profile (sc_sensitivity is off)"
    changed = [c for c in sens["claim"].unique()
               if sens[sens["claim"] == c]["verdict"].nunique() > 1]
    if not changed:
        return "no verdict changes"
    return (f"the verdict of {', '.join(changed)} changes with the calibration point, so it "
            "depends on a near-tie of the calibration")


def calibration_outcome(rows: Sequence[Mapping[str, str]], m: int) -> str:
    """Outcome of the calibration-sensitivity run (deviation ``sine-calibration``): each row's
    ``claim``, ``verdict`` and ``task`` at input dimension ``m``."""
    return f"m = {m}: " + "; ".join(f"{r['claim']} {r['verdict']} ({r['task']})" for r in rows)


def ablation_text(samples: Mapping[tuple[str, int], float], labels: Sequence[str],
                  factors: Sequence[int], k: int) -> str:
    """The K ablation's samples needed, per method label of ``labels`` and module factor of
    ``factors`` (``samples[(label, factor)]``; K = factor x ``k``)."""
    return "; ".join(f"{lab}: " + ", ".join(f"{fmt(samples[(lab, f)], '.0f')} (K = {f * k})"
                                            for f in factors) for lab in labels)


def ablation_conclusion(ratios: Sequence[float], min_ratio: float) -> str:
    """The K ablation's conclusion from the literal reading's sample ratios to the baseline at
    each K: never worse by more than ``min_ratio`` at any K, or behind at some K (not possible
    where a ratio is not finite)."""
    if not np.all(np.isfinite(ratios)):
        return "a comparison at every K is not possible (some K never reached the threshold)"
    if max(ratios) <= min_ratio:
        return ("the literal reading is never worse than the baseline by more than "
                f"{min_ratio:g}x at any K")
    return f"the literal reading falls behind the baseline by more than {min_ratio:g}x at some K"


__all__ = ["seed_range", "readings_outcome", "kernel_outcome", "early_stop_conclusion",
           "matched_caveat", "knobs_text", "calibration_sentence", "calibration_outcome",
           "ablation_text", "ablation_conclusion"]
