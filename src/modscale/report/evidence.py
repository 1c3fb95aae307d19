"""Evidence classes and comparative effects with intervals over seeds: what a verdict may claim.

**Evidence classes** (:data:`EVIDENCE`), one per claim:

- ``held-out``: the claim's quantity was not used to fit anything (a prediction that could fail);
- ``fitted``: in-sample (the quantity, or the panel it is read from, was used to fit a constant);
- ``by construction``: implemented as specified, an identity of the reconstruction, or a
  pipeline check;
- ``not tested``: not measured or not comparable.

Only held-out evidence can be *reproduced*; a fitted or by-construction claim that passes its
whole check is *consistent*, and one whose check fails in any part is *inconsistent*
(:func:`cap_verdict`): such a check never reads "consistent" when part of it failed.

**Comparative effects.** A comparison (ours needs fewer samples than the baseline, one accuracy
above another, ...) is judged on a *paired* effect over seeds (seed ``s`` of both methods shares
the task and data): per-seed ratios are averaged on the log scale (:func:`paired_ratio`),
differences on the linear scale (:func:`paired_difference`), each with a two-sided 95 %
Student-t interval over seeds. :func:`judge` compares the interval with the claim's stated
minimum effect (in the paper's direction):

- *reproduced*: the interval lies beyond the minimum effect;
- *not reproduced*: the interval excludes the minimum effect on the other side (an effect as
  large as the minimum is ruled out);
- *inconclusive*: otherwise -- the interval contains the minimum effect.

**One seed rule, both directions:** with fewer than :data:`MIN_SEEDS` seeds a comparative claim
is *inconclusive* whichever side its interval lies on (with 2 seeds a t-interval has one degree
of freedom); the interval is still reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np

EVIDENCE = ("held-out", "fitted", "by construction", "not tested")
"""Evidence classes, strongest first."""

VERDICTS = ("reproduced", "partly", "consistent", "inconsistent", "inconclusive",
            "not reproduced", "not tested")
"""Allowed verdicts. ``reproduced`` / ``partly`` / ``not reproduced`` need held-out evidence; a
fitted or by-construction claim is ``consistent`` if its whole check passes and ``inconsistent``
if any part fails; ``inconclusive``: a comparative claim whose interval over seeds contains the
minimum effect or that has fewer than :data:`MIN_SEEDS` seeds; ``not tested``: the claim could
not be measured or compared."""

MIN_SEEDS = 5
"""Seeds a comparative verdict needs before it can be *reproduced* or *not reproduced* (the
paper's "up to five")."""

CONFIDENCE = 0.95
"""Two-sided confidence of every interval."""


@dataclass(frozen=True)
class Effect:
    """A paired effect over seeds: ``effect`` (geometric-mean ratio or mean difference),
    its interval ``ci_low`` to ``ci_high`` (NaN with one seed), the ``null`` value (1 for a ratio,
    0 for a difference), the number of ``seeds`` and the ``kind`` (``ratio`` / ``difference``)."""

    effect: float
    ci_low: float
    ci_high: float
    null: float
    seeds: int
    kind: str

    def to_dict(self) -> dict:
        return asdict(self)

    def text(self, spec: str = ".3g") -> str:
        """``1.18x [0.95, 1.47], 5 seeds`` or ``+0.034 [-0.01, 0.08], 5 seeds``."""
        unit = "x" if self.kind == "ratio" else ""
        sign = "+" if self.kind == "difference" else ""
        if not math.isfinite(self.ci_low):
            ci = "no interval"
        else:
            ci = f"[{self.ci_low:{sign}{spec}}, {self.ci_high:{sign}{spec}}]"
        return f"{self.effect:{sign}{spec}}{unit} {ci}, {self.seeds} seed" + \
            ("s" if self.seeds != 1 else "")


def _t_quantile(df: int) -> float:
    from scipy.stats import t

    return float(t.ppf(0.5 + CONFIDENCE / 2, df))


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    v = np.asarray(values, dtype=float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan")
    half = _t_quantile(len(v) - 1) * float(v.std(ddof=1)) / math.sqrt(len(v))
    return mean, mean - half, mean + half


def paired_ratio(numerator: Sequence[float], denominator: Sequence[float]) -> Effect:
    """Geometric mean over seeds of ``numerator[s] / denominator[s]`` with its interval (a
    t-interval on the log ratios). Values must be positive and finite (censor first:
    :func:`censor`)."""
    a, b = np.asarray(numerator, float), np.asarray(denominator, float)
    if a.shape != b.shape or a.ndim != 1 or not len(a):
        raise ValueError(f"paired values must be two 1-d arrays of one length, got {a.shape} "
                         f"and {b.shape}")
    if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b)) and np.all(a > 0)
            and np.all(b > 0)):
        raise ValueError("paired_ratio needs positive finite values (censor first)")
    mean, lo, hi = _interval(np.log(a / b))
    return Effect(math.exp(mean), math.exp(lo) if math.isfinite(lo) else float("nan"),
                  math.exp(hi) if math.isfinite(hi) else float("nan"), 1.0, len(a), "ratio")


def paired_difference(a: Sequence[float], b: Sequence[float]) -> Effect:
    """Mean over seeds of ``a[s] - b[s]`` with its t-interval."""
    x, y = np.asarray(a, float), np.asarray(b, float)
    if x.shape != y.shape or x.ndim != 1 or not len(x):
        raise ValueError(f"paired values must be two 1-d arrays of one length, got {x.shape} "
                         f"and {y.shape}")
    mean, lo, hi = _interval(x - y)
    return Effect(mean, lo, hi, 0.0, len(x), "difference")


def slope_effect(x: Sequence[float], ys: np.ndarray) -> Effect:
    """Least-squares slope of each seed's curve ``ys[s]`` (seeds, len(x)) against ``x``, averaged
    over seeds, with its t-interval (null 0)."""
    y = np.asarray(ys, float)
    xs = np.asarray(x, float)
    slopes = np.array([np.polyfit(xs, row, 1)[0] for row in y])
    mean, lo, hi = _interval(slopes)
    return Effect(mean, lo, hi, 0.0, len(slopes), "difference")


def censor(values: Sequence[float], upper: float) -> np.ndarray:
    """``values`` with infinite entries (threshold never reached on the grid) set to ``upper``
    (the grid's largest n): a conservative bound for a ratio whose numerator is censored."""
    v = np.asarray(values, float).copy()
    v[~np.isfinite(v)] = upper
    return v


def judge(e: Effect, *, min_effect: float, min_seeds: int = MIN_SEEDS) -> tuple[str, str]:
    """(verdict, reason) of a comparative claim whose paper direction is ``effect > null``
    (ratio > 1, difference > 0) with stated minimum effect ``min_effect`` (see the module
    docstring)."""
    if not (min_effect > e.null if e.kind == "difference" else min_effect >= e.null):
        raise ValueError(f"min_effect {min_effect} must lie beyond the null {e.null} in the "
                         "paper's direction")
    if e.seeds < 2 or not math.isfinite(e.ci_low):
        return "inconclusive", f"{e.seeds} seed: no interval"
    if e.ci_high < min_effect:
        side = (f"the interval excludes the minimum effect {min_effect:g} (an effect that "
                "large is ruled out)")
    elif e.ci_low >= min_effect:
        side = f"the interval lies beyond the minimum effect {min_effect:g}"
    else:
        return "inconclusive", f"the interval contains the minimum effect {min_effect:g}"
    if e.seeds < min_seeds:
        return "inconclusive", f"{side}, but with {e.seeds} < {min_seeds} seeds"
    return ("not reproduced" if e.ci_high < min_effect else "reproduced"), side


def cap_verdict(verdict: str, evidence: str) -> str:
    """Only held-out evidence is *reproduced* (or *partly* / *not reproduced*): a fitted or
    by-construction claim whose whole check passes is *consistent*, one whose check fails in any
    part (``partly``, ``not reproduced``) is *inconsistent*; a claim that was not tested stays
    *not tested*; *inconclusive* stays."""
    if evidence not in EVIDENCE:
        raise ValueError(f"evidence must be one of {EVIDENCE}, got {evidence!r}")
    if evidence == "not tested":
        return "not tested"
    if evidence != "held-out":
        return {"reproduced": "consistent", "partly": "inconsistent",
                "not reproduced": "inconsistent"}.get(verdict, verdict)
    return verdict


__all__ = ["EVIDENCE", "VERDICTS", "MIN_SEEDS", "CONFIDENCE", "Effect", "paired_ratio",
           "paired_difference", "slope_effect", "censor", "judge", "cap_verdict"]
