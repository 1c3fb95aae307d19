"""Export of the paper's figures and tables into ``paper_figures/`` with JSON provenance sidecars.

Export is switched on by ``$MODSCALE_PAPER_FIGURES`` (a directory; ``make book`` sets it). Without
it (tests, interactive use) the functions do nothing and return ``None``, so a smoke run never
overwrites the book's figures. Names follow the paper: ``fig2_loss_trends``, ``table1_robustness``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from modscale.infra.provenance import provenance


def export_dir() -> Path | None:
    d = os.environ.get("MODSCALE_PAPER_FIGURES")
    if not d:
        return None
    p = Path(d)
    p.mkdir(parents=True, exist_ok=True)
    return p


def _sidecar(path: Path, *, profile: str, device: Any, wall_time_s: float | None,
             extra: dict[str, Any] | None) -> None:
    meta = {"file": path.name, "profile": profile, "wall_time_s": wall_time_s,
            **provenance(device), **(extra or {})}
    path.with_suffix(".json").write_text(json.dumps(meta, indent=2, default=str))


def export_figure(fig: Any, name: str, *, profile: str, device: Any = None,
                  wall_time_s: float | None = None, extra: dict[str, Any] | None = None
                  ) -> Path | None:
    """Save ``fig`` as ``<dir>/<name>.png`` plus ``<name>.json`` (profile, device, commit, ...)."""
    d = export_dir()
    if d is None:
        return None
    path = d / f"{name}.png"
    fig.savefig(path)
    _sidecar(path, profile=profile, device=device, wall_time_s=wall_time_s, extra=extra)
    return path


def export_table(df: Any, name: str, *, profile: str, device: Any = None,
                 wall_time_s: float | None = None, extra: dict[str, Any] | None = None
                 ) -> Path | None:
    """Save a pandas DataFrame as ``<dir>/<name>.csv`` plus its JSON sidecar."""
    d = export_dir()
    if d is None:
        return None
    path = d / f"{name}.csv"
    df.to_csv(path, index=False)
    _sidecar(path, profile=profile, device=device, wall_time_s=wall_time_s, extra=extra)
    return path


def export_json(obj: Any, name: str, *, profile: str, device: Any = None) -> Path | None:
    """Save ``obj`` (JSON-ready) as ``<dir>/<name>.json`` with the provenance inside
    (``{"meta": ..., "data": obj}``)."""
    d = export_dir()
    if d is None:
        return None
    path = d / f"{name}.json"
    path.write_text(json.dumps({"meta": {"profile": profile, **provenance(device)},
                                "data": obj}, separators=(",", ":"), default=str))
    return path
