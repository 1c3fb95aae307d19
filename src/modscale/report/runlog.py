"""A log of what each chapter ran (models trained, seeds, wall time), read by the status page.

``make book`` sets ``$MODSCALE_RUNLOG`` to ``_build/exec/book/_runs.jsonl``; chapters call
:func:`record` once per experiment. Without the variable, records go to
``<cache_dir>/runlog.jsonl`` so interactive runs are logged too.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from modscale.infra.provenance import provenance
from modscale.report.evidence import VERDICTS


def runlog_path() -> Path:
    env = os.environ.get("MODSCALE_RUNLOG")
    if env:
        return Path(env)
    from modscale.infra.cache import cache_dir

    return cache_dir() / "runlog.jsonl"


def _append(row: dict[str, Any]) -> None:
    """Append one JSON line to the run log (:func:`runlog_path`)."""
    path = runlog_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        f.write(json.dumps(row, default=str) + "\n")


def record(chapter: str, experiment: str, *, profile: str, models_trained: int,
           wall_time_s: float, seeds: Any = None, device: Any = None, **extra: Any) -> None:
    """Append one line: chapter, experiment, profile, models trained, seeds, wall time, device."""
    prov = provenance(device)
    row = {"chapter": chapter, "experiment": experiment, "profile": profile,
           "models_trained": int(models_trained), "wall_time_s": round(float(wall_time_s), 2),
           "seeds": seeds, "device": prov["device"], "git_commit": prov["git_commit"],
           "date": prov["date"], **extra}
    _append(row)


def read(path: Path | None = None) -> list[dict[str, Any]]:
    p = path or runlog_path()
    if not p.exists():
        return []
    return [json.loads(line) for line in p.read_text().splitlines() if line.strip()]


def claim(chapter: str, item: str, claim: str, *, paper: str, reproduced: str, verdict: str,
          why: str, profile: str, claim_id: str | None = None, evidence: str = "held-out",
          effect: dict[str, Any] | None = None, inputs: dict[str, Any] | None = None,
          setting: str = "", of_record: bool = True, cause: str = "") -> None:
    """Record the verdict on one claim of the paper (read by the reproduction summary page).

    ``item`` names the figure/table ("Fig. 2", "Table 1"); ``paper`` and ``reproduced`` are short
    texts with the numbers; ``verdict`` is one of :data:`VERDICTS`, decided by the chapter from
    its own measurements with the criterion stated in ``why`` (chapters call it through
    :func:`modscale.report.verdicts.record`, which passes the registry's ``claim_id``).
    ``setting`` says where the claim was judged (a regime, a scale); ``of_record`` False marks a
    sensitivity verdict, which never replaces a verdict of record (:func:`claims`); ``cause`` is
    the measured cause of a verdict that is not reproduced (empty: none recorded).
    """
    if verdict not in VERDICTS:
        raise ValueError(f"verdict must be one of {VERDICTS}, got {verdict!r}")
    row = {"kind": "claim", "chapter": chapter, "item": item, "claim": claim, "paper": paper,
           "reproduced": reproduced, "verdict": verdict, "why": why, "profile": profile,
           "claim_id": claim_id, "evidence": evidence, "effect": effect or {},
           "inputs": inputs, "setting": setting, "of_record": bool(of_record),
           "cause": cause, "git_commit": provenance()["git_commit"]}
    _append(row)


def claims(path: Path | None = None) -> list[dict[str, Any]]:
    """The latest verdict per (chapter, item, claim), in first-recorded order; a sensitivity
    verdict (``of_record`` False) never replaces a verdict of record."""
    latest: dict[tuple, dict[str, Any]] = {}
    for row in read(path):
        if row.get("kind") == "claim":
            key = (row["chapter"], row["item"], row["claim"])
            old = latest.get(key)
            if old is not None and old.get("of_record", True) \
                    and not row.get("of_record", True):
                continue
            latest[key] = row
    return list(latest.values())


def runs(path: Path | None = None) -> list[dict[str, Any]]:
    """The run records (not the claims, not the sensitivity outcomes)."""
    return [r for r in read(path) if r.get("kind") not in ("claim", "sensitivity")]


def sensitivity(deviation: str, run: str, outcome: str, *, profile: str) -> None:
    """Record the outcome of a sensitivity run for a deviation (call it through
    :func:`modscale.report.deviations.record_sensitivity`, which checks the id)."""
    row = {"kind": "sensitivity", "deviation": deviation, "run": run, "outcome": outcome,
           "profile": profile}
    _append(row)


def sensitivities(path: Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """Deviation id -> its sensitivity outcomes (the latest per run name, first-recorded
    order)."""
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in read(path):
        if row.get("kind") == "sensitivity":
            latest[(row["deviation"], row["run"])] = row
    out: dict[str, list[dict[str, Any]]] = {}
    for (dev, _), row in latest.items():
        out.setdefault(dev, []).append(row)
    return out
