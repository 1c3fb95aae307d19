"""Provenance of a result: versions, git commit, device, date."""

from __future__ import annotations

import datetime as _dt
import platform
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]


@lru_cache(maxsize=1)
def git_commit() -> str:
    """The repository's HEAD commit (``+dirty`` if the work tree differs), or ``unknown``."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=REPO,
                             capture_output=True, text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO,
                               capture_output=True, text=True, timeout=10).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except Exception:  # noqa: BLE001
        return "unknown"


def device_name(device: Any = None) -> str:
    import torch

    if device is not None and str(device).startswith("cuda") and torch.cuda.is_available():
        return torch.cuda.get_device_name(torch.device(device))
    return f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


@lru_cache(maxsize=1)
def versions() -> dict[str, str]:
    import importlib.metadata as md

    import torch

    out = {"python": platform.python_version(), "cuda": torch.version.cuda or "none"}
    for pkg in ("modscale", "torch", "numpy", "scipy", "matplotlib", "scikit-learn", "pandas",
                "jupyter-book", "myst-nb", "papermill", "nbval"):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def provenance(device: Any = None) -> dict[str, Any]:
    return {"git_commit": git_commit(), "versions": versions(), "device": device_name(device),
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}
