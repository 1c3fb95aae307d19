"""Sentences of the chapter *Modular networks: theory* (``book/modular_theory.py``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def max_abs_percent(rel_errors: Sequence[float]) -> str:
    """The largest ``|relative error|`` (fractions; ``nan`` skipped) as a percentage with one
    decimal, ``n/a`` without any value (e.g. no point where the deterministic equivalent is
    used)."""
    if not len(rel_errors):
        return "n/a"
    return f"{100 * pd.Series(rel_errors).abs().max():.1f} %"


def aligned_spread(n_required: Sequence[float]) -> str:
    """The spread max / min - 1 of the aligned modular model's required n over the m where its
    k module directions fit (``n_required``), as a percentage with two decimals; ``n/a`` when
    no m qualifies."""
    if not len(n_required):
        return "n/a"
    n = np.asarray(n_required)
    return f"{100 * (n.max() / n.min() - 1):.2f} %"


def hermite_outcome(n_big: int, rel_err_big: float, worst_ratio: float, p: int) -> str:
    """The sensitivity outcome of the Hermite-feature simulation against the Gaussian formula:
    the relative error (fraction) at the largest n ``n_big`` and the largest simulated /
    formula test loss over the n grid, for ``p`` model features."""
    return (f"largest relative error of the test loss at n = {n_big}: "
            f"{100 * rel_err_big:.1f} %; simulated / formula up to "
            f"{worst_ratio:.1f}x over the n grid (p = {p})")


__all__ = ["max_abs_percent", "aligned_spread", "hermite_outcome"]
