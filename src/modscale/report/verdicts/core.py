"""The verdict record, criterion words, the registry of judged calls and the number formatting
that every section shares."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from modscale.report.evidence import (
    EVIDENCE,
    VERDICTS,
    Effect,
    cap_verdict,
)
from modscale.report.paper_items import ITEMS, PaperItem

NOT_MEASURABLE = "not measurable at this profile"


@dataclass(frozen=True)
class Verdict:
    """The verdict on one claim (see :data:`modscale.report.paper_items.ITEMS` for ``claim_id``)."""

    claim_id: str
    verdict: str
    measured: str
    paper: str
    criterion: str
    values: dict[str, Any] = field(default_factory=dict)
    evidence: str = ""
    effect: Effect | None = None
    min_effect: float | None = None
    inputs: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.claim_id not in ITEMS:
            raise ValueError(f"unknown claim id {self.claim_id!r}; known: {sorted(ITEMS)}")
        if self.verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if not self.evidence:  # the claim registry's class
            object.__setattr__(self, "evidence", ITEMS[self.claim_id].evidence)
        if self.evidence not in EVIDENCE:
            raise ValueError(f"evidence must be one of {EVIDENCE}, got {self.evidence!r}")
        # only held-out evidence can be reproduced (a fitted check that passes is consistent,
        # one that fails in any part inconsistent); the criterion speaks the same words
        object.__setattr__(self, "verdict", cap_verdict(self.verdict, self.evidence))
        if self.evidence in ("fitted", "by construction"):
            object.__setattr__(self, "criterion", check_words(self.criterion))

    @property
    def seeds(self) -> int | None:
        return self.effect.seeds if self.effect is not None else None

    def summary_row(self) -> dict[str, Any]:
        """The row of ``paper_figures/reproduction_summary.csv``: claim, evidence, verdict,
        effect, null, ci_low, ci_high, seeds, min_effect (NaN / empty where not comparative)."""
        e = self.effect
        nan = float("nan")
        return {"claim": self.claim_id, "item": self.item.item, "evidence": self.evidence,
                "verdict": self.verdict, "effect": e.effect if e else nan,
                "null": e.null if e else nan, "ci_low": e.ci_low if e else nan,
                "ci_high": e.ci_high if e else nan, "seeds": e.seeds if e else None,
                "min_effect": self.min_effect if self.min_effect is not None else nan,
                "effect_kind": e.kind if e else ""}

    @property
    def item(self) -> PaperItem:
        return ITEMS[self.claim_id]

    def as_row(self) -> dict[str, str]:
        """One table row for a chapter's verdict cell."""
        return {"paper item": self.item.item, "claim": self.item.claim, "paper": self.paper,
                "this reproduction": self.measured, "evidence": self.evidence,
                "verdict": self.verdict, "criterion": self.criterion}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_words(criterion: str) -> str:
    """A criterion written with the held-out verdicts, in the words of a fitted or
    by-construction check (:func:`modscale.report.evidence.cap_verdict`): *reproduced* ->
    *consistent*; *partly* and *not reproduced* -> *inconsistent*."""
    out = criterion.replace("not reproduced", "inconsistent").replace("else partly",
                                                                      "else inconsistent")
    out = out.replace("partly if", "inconsistent if").replace("reproduced if", "consistent if")
    return out


JUDGED: dict[str, Any] = {}
"""Every verdict function by name (filled by :func:`_judged`), for :func:`rejudge`."""


def _judged(fn):
    """Record on the returned :class:`Verdict` the function and the arguments it was called
    with (``inputs``: JSON-ready, :func:`modscale.infra.cache.encode`), so that a recorded
    verdict can be re-derived from its inputs (:func:`rejudge`)."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from modscale.infra.cache import encode

        v = fn(*args, **kwargs)
        try:
            inputs = {"function": fn.__name__, "args": encode(list(args)),
                      "kwargs": encode(dict(kwargs))}
        except TypeError:  # an argument that cannot be stored: no inputs recorded
            inputs = None
        object.__setattr__(v, "inputs", inputs)
        return v

    JUDGED[fn.__name__] = wrapper
    return wrapper


def rejudge(inputs: dict[str, Any]) -> Verdict:
    """The verdict function of ``inputs`` (as recorded by a judged call) applied again."""
    import modscale.report.verdicts  # noqa: F401 - every section registers its functions
    from modscale.infra.cache import decode

    fn = JUDGED[inputs["function"]]
    return fn(*decode(inputs["args"]), **decode(inputs["kwargs"]))


# --------------------------------------------------------------------------- formatting


def fmt(x: Any, spec: str = ".3g", *, missing: str = "not measurable",
        infinite: str = "not reached") -> str:
    """Format a number; NaN/None -> ``missing``, +-inf -> ``infinite`` (never 'nan')."""
    if x is None:
        return missing
    try:
        xf = float(x)
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(xf):
        return missing
    if math.isinf(xf):
        return infinite
    return format(xf, spec)


def fmt_seq(values: Sequence[Any], spec: str = ".3g") -> str:
    """``(a, b, c)`` with each element formatted by :func:`fmt`."""
    return "(" + ", ".join(fmt(v, spec) for v in values) + ")"


def _finite(a: Any) -> np.ndarray:
    a = np.asarray(a, dtype=float)
    return a[np.isfinite(a)]


def _not_measurable(claim_id: str, why: str, paper: str, criterion: str,
                    **values: Any) -> Verdict:
    return Verdict(claim_id, "not tested", f"{NOT_MEASURABLE}: {why}", paper, criterion,
                   dict(values))


def span(values: Sequence[float], spec: str = ".0f") -> str:
    """``lo-hi`` of the values (or one value when they format alike)."""
    lo, hi = fmt(min(values), spec), fmt(max(values), spec)
    return lo if lo == hi else f"{lo}-{hi}"


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman rank correlation (ties broken by order; NaN with fewer than 2 points)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2:
        return float("nan")
    rx, ry = np.argsort(np.argsort(x)), np.argsort(np.argsort(y))
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


