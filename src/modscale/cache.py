"""Per-configuration result cache with provenance, so that interrupted sweeps resume.

An entry lives in ``<cache_dir>/<experiment>/<key>/`` as ``result.pt`` (``torch.save`` payload)
and ``meta.json`` (the config, code version, versions, git commit, wall time and the payload's
SHA-256). The key hashes the config *and* the package's source code, so a code change recomputes.
A corrupt entry (unreadable, checksum mismatch) is detected, reported and recomputed.

The cache directory is ``$MODSCALE_CACHE_DIR`` or ``<repo>/.cache/modscale``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch

from .profiles import config_dict, config_hash
from .provenance import provenance

PACKAGE_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 (16 hex) of every ``.py`` file of the package: a code change invalidates results."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        h.update(str(path.relative_to(PACKAGE_DIR)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def cache_dir() -> Path:
    env = os.environ.get("MODSCALE_CACHE_DIR")
    if env:
        return Path(env)
    repo = PACKAGE_DIR.parent.parent
    return repo / ".cache" / "modscale"


def _as_mapping(config: Any) -> dict[str, Any]:
    if hasattr(config, "__dataclass_fields__"):
        return config_dict(config)
    return json.loads(json.dumps(config, sort_keys=True, default=str))


def entry_key(experiment: str, config: Any) -> str:
    return config_hash({"experiment": experiment, "config": _as_mapping(config),
                        "code": code_version()})


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks (``algorithm``: any :mod:`hashlib` name)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(experiment: str, config: Any, root: Path | None = None) -> Any | None:
    """Return the cached result, or ``None`` if absent or corrupt (corrupt entries are removed)."""
    d = (root or cache_dir()) / experiment / entry_key(experiment, config)
    meta_path, res_path = d / "meta.json", d / "result.pt"
    if not meta_path.exists() or not res_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
        if meta.get("sha256") != file_digest(res_path):
            raise ValueError("checksum mismatch")
        return torch.load(res_path, map_location="cpu", weights_only=False)
    except Exception as err:  # noqa: BLE001 - any failure means "recompute"
        warnings.warn(f"cache entry {d} is corrupt ({err}); recomputing", stacklevel=2)
        shutil.rmtree(d, ignore_errors=True)
        return None


def store(experiment: str, config: Any, result: Any, *, wall_time_s: float,
          root: Path | None = None, extra: dict[str, Any] | None = None) -> Path:
    """Atomically write ``result`` and its provenance; returns the entry directory."""
    d = (root or cache_dir()) / experiment / entry_key(experiment, config)
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=d.parent, prefix=".tmp-"))
    try:
        torch.save(result, tmp / "result.pt")
        meta = {"experiment": experiment, "config": _as_mapping(config),
                "code_version": code_version(), "wall_time_s": wall_time_s,
                "sha256": file_digest(tmp / "result.pt"), **provenance(), **(extra or {})}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, default=str))
        if d.exists():
            shutil.rmtree(d)
        os.replace(tmp, d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return d


def cached(experiment: str, config: Any, compute: Callable[[], Any], *,
           root: Path | None = None, enabled: bool = True) -> Any:
    """Return the cached result of ``compute()`` for ``config``, computing and storing if needed."""
    if enabled:
        hit = load(experiment, config, root)
        if hit is not None:
            return hit
    t0 = time.perf_counter()
    result = compute()
    if enabled:
        store(experiment, config, result, wall_time_s=time.perf_counter() - t0, root=root)
    return result


def cached_map(experiment: str, configs: Iterable[Any], compute: Callable[[Any], Any], *,
               root: Path | None = None, enabled: bool = True,
               progress: bool = True) -> list[Any]:
    """``[cached(experiment, c, lambda: compute(c)) for c in configs]`` with a progress bar.

    Each configuration is cached as soon as it finishes, so an interrupted sweep resumes.
    """
    from .style import progress_bar

    configs = list(configs)
    out = []
    for c in progress_bar(configs, desc=experiment, disable=not progress):
        out.append(cached(experiment, c, lambda c=c: compute(c), root=root, enabled=enabled))
    return out


def entries(experiment: str, root: Path | None = None) -> list[dict[str, Any]]:
    """The ``meta.json`` of every cached entry of ``experiment`` (for provenance tables)."""
    d = (root or cache_dir()) / experiment
    if not d.exists():
        return []
    return [json.loads(p.read_text()) for p in sorted(d.glob("*/meta.json"))]
