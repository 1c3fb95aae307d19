"""Recording verdicts in the run log, measured causes, and the verdict tables."""

from __future__ import annotations

from collections.abc import Sequence

from modscale.report.verdicts.core import (
    Verdict,
)

NOT_ISOLATED = "not isolated"


def cause_of(verdict: str, recorded: str) -> str:
    """The cause the summary reports for a claim: the recorded one, or :data:`NOT_ISOLATED` for
    a verdict that is not reproduced or inconclusive without one (empty otherwise)."""
    if verdict not in ("not reproduced", "inconclusive", "inconsistent"):
        return ""
    return recorded or NOT_ISOLATED


def record(v: Verdict, *, profile: str, setting: str = "", of_record: bool = True,
           cause: str = "") -> None:
    """Record ``v`` in the run log (read by the summary page and ``tools/readme_tables.py``);
    ``setting``: where it was judged; ``of_record`` False: a sensitivity verdict, which never
    replaces the verdict of record; ``cause``: the measured cause of a verdict that is not
    reproduced (:func:`modscale.report.runlog.claim`)."""
    from modscale.report import runlog

    it = v.item
    runlog.claim(it.chapter, it.item, it.claim, paper=v.paper, reproduced=v.measured,
                 verdict=v.verdict, why=v.criterion, profile=profile, claim_id=v.claim_id,
                 evidence=v.evidence, effect=v.summary_row(), inputs=v.inputs,
                 setting=setting, of_record=of_record, cause=cause)


VERDICT_COLOURS = {"reproduced": "#d4edda", "partly": "#fff3cd", "not reproduced": "#f8d7da",
                   "consistent": "#dbe9f6", "inconsistent": "#fbe5d6",
                   "inconclusive": "#f1e3f7",
                   "not tested": "#e2e3e5", "not run": "#e2e3e5"}


def frame(verdicts: Sequence[Verdict]):
    """A pandas DataFrame with one row per verdict."""
    import pandas as pd

    return pd.DataFrame([v.as_row() for v in verdicts])


def table(verdicts: Sequence[Verdict]):
    """The verdicts as a styled table (full texts, no truncation; verdict cells coloured)."""
    return styled(frame(verdicts))


def styled(df, short: Sequence[str] = ()):
    """A verdict frame (columns of :meth:`Verdict.as_row`, plus any ``short`` ones such as a
    regime) styled as :func:`table`: verdict cells coloured, short columns kept whole."""
    return (df.style.hide(axis="index")
            .map(lambda v: f"background-color: {VERDICT_COLOURS.get(v, 'white')}",
                 subset=["verdict"])
            .set_properties(**{"text-align": "left", "vertical-align": "top",
                               "font-size": "0.85em"})
            # short columns keep their words whole when the long ones are wrapped
            .set_properties(subset=["paper item", "verdict", "evidence", *short],
                            **{"min-width": "7.5em"}))
