"""The sentences the sine-wave chapter (``book/sine_regression.py``) chooses from its results:
the calibration's summary, the seed-cut and profile-cut sentences, the Fig. 3a verdicts per
threshold and the held-out numbers near and far from the paper's."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import pandas as pd


def calibration_mode(task_knobs: str) -> str:
    """How the task's knobs were chosen (``task_knobs``: the parameter, 'fitted' or 'manual')."""
    if task_knobs == "fitted":
        return "the grid point of least objective"
    return "set by hand, task_knobs = manual"


def calibration_sentence(grid_rms: float | None) -> str:
    """The chosen knobs' fit on the calibration runs: ``grid_rms`` is the RMS log residual of
    the six fitted levels at that grid point, None where the point is not on the grid."""
    if grid_rms is None:
        return "this point is not on the calibration grid, so it has no grid objective"
    return (f"its six fitted levels are off the paper's by a factor {math.exp(grid_rms):.2f} on "
            f"average (RMS log residual {grid_rms:.2f}) on the calibration runs")


def seed_cut_count(same: int, total: int) -> str:
    """How many of ``total`` single-seed panel verdicts equal the verdict on all seeds."""
    return f"{same} of {total} single-seed verdicts equal the verdict on all seeds"


def seed_cut_sentence(same: int, total: int) -> str:
    """:func:`seed_cut_count`, saying what the others show where some differ."""
    if same == total:
        return seed_cut_count(same, total)
    return (seed_cut_count(same, total)
            + "; the others show which claims hinge on seed noise")


def profile_cuts(values: dict[str, Any], paper_values: dict[str, Any]) -> str:
    """What the profile cuts: each parameter of ``values`` (name -> this run's value) that
    differs from ``paper_values`` (name -> the paper profile's value), in order."""
    cuts = [f"{name} = {value} (paper profile: {paper_values[name]})"
            for name, value in values.items() if value != paper_values[name]]
    if not cuts:
        return "nothing is cut: this is the paper profile"
    return "; ".join(cuts)


def threshold_verdicts(verdicts: Iterable[tuple[float, str]], used: float) -> str:
    """The Fig. 3a verdict at each test-loss threshold (``(threshold, verdict)`` pairs) and the
    threshold the book uses."""
    return "; ".join(f"{thr:g}: {v}" for thr, v in verdicts) + f" (the book uses {used:g})"


def held_within(quantities: Sequence[str]) -> str:
    """The held-out quantities within a factor 1.25 of the paper's, or 'none'."""
    return "; ".join(quantities) if len(quantities) else "none"


def held_far(quantities: Sequence[str], ratios: Sequence[float]) -> str:
    """The held-out quantities furthest from the paper's, each with its ratio (ours / the
    paper's)."""
    return "; ".join(f"{q} ({r:.2f}x)" for q, r in zip(quantities, ratios, strict=True))


def harder_module_outcome(n: int, alt: pd.Series, main: pd.Series) -> str:
    """The harder-module check in one line: the test loss at ``n`` training samples by m
    (``alt``: equal amplitudes, ``main``: the main task; Series indexed by m, ascending), from
    the smallest m to the largest."""
    return (f"test loss at n = {n} from {alt.iloc[0]:.2f} (m = {alt.index[0]}) to "
            f"{alt.iloc[-1]:.2f} (m = {alt.index[-1]}), against {main.iloc[0]:.2f} to "
            f"{main.iloc[-1]:.2f} on the main task")


__all__ = ["calibration_mode", "calibration_sentence", "seed_cut_count", "seed_cut_sentence",
           "profile_cuts", "threshold_verdicts", "held_within", "held_far",
           "harder_module_outcome"]
