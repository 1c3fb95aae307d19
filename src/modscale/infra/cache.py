"""Per-configuration result cache and committed results store, keyed by a declared version.

An entry lives in ``<cache_dir>/<experiment>/<key>/`` as ``result.pt`` (``torch.save`` payload)
and ``meta.json`` (the config, version, device type, code hash, versions, git commit, wall time
and the payload's SHA-256). A corrupt entry (unreadable, checksum mismatch) is detected,
reported and recomputed.

**The key** (:func:`entry_key`) hashes the experiment's name, its declared integer ``version``
(:mod:`modscale.infra.registry`), the canonical configuration and the device *type* the result
was computed on (``cpu`` / ``cuda``). A configuration must hold its *resolved* training
precision (``fp32`` or ``bf16``, never ``auto``: :func:`modscale.infra.device.resolve_precision`),
so a bf16 and an fp32 result never share a key. The code is *not* in the key: editing a module
never throws a stored result away. What guards the numbers instead is the golden recomputation
of ``make test`` (:mod:`modscale.experiments.goldens`): a change that alters an experiment's
numbers fails it until the experiment's ``version`` is bumped, which re-keys (and so recomputes)
exactly that experiment. The hash of the code of the modules an experiment depends on is kept in
each entry's provenance (``code_version``) as an advisory *code changed since stored* flag
(:func:`store_status`, ``python -m modscale.infra.cache keys``).

**Precision of a drawn result.** ``auto`` resolves to the precision that trains fastest *here*
(bf16 with AMX, fp32 on an AVX2-only CPU), yet the committed results were computed on some other
machine. So that a reader's machine draws them rather than recomputing hours in another
precision, a lookup that misses at the configuration's precision is answered by a stored result
of the *other* precision (fp32 <-> bf16) of the same configuration, and that result's key and
provenance keep saying what it was computed in. New results are computed in the configuration's
own precision. ``$MODSCALE_AUTO_PRECISION`` set (``fp32`` / ``bf16``) or
``$MODSCALE_EXACT_PRECISION=1`` turns this off: only the exact precision is drawn.

The cache directory is ``$MODSCALE_CACHE_DIR`` or ``<repo>/.cache/modscale``.

**The committed results store.** Results are computed once and committed:
``<repo>/results/<experiment>/<key>.json`` (``$MODSCALE_RESULTS_DIR`` overrides) holds the
provenance (``meta``) and the payload (``result``: dicts, lists, numbers, strings and arrays, the
arrays as ``{"__array__": dtype, "kind": "numpy"|"torch", "shape", "data"}``; float32 and
float64 values round-trip exactly). :func:`cached` reads the local cache first, then the store, so
a fresh clone draws the book from the store without recomputing. ``python -m
modscale.infra.cache publish EXPERIMENT...`` copies the local entries of the current version into
the store (``--prune`` drops store entries whose key is no longer current).
``MODSCALE_RECOMPUTE=1`` (or a comma-separated list of experiment names; ``make book
RECOMPUTE=1``) recomputes instead of drawing the store.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any

import torch

from modscale.infra import registry
from modscale.infra.profiles import config_dict, config_hash
from modscale.infra.provenance import provenance

PACKAGE_DIR = Path(__file__).resolve().parents[1]


NOT_RESULTS = frozenset({"infra", "report", "__init__"})
"""Layers (top-level names inside ``modscale``) whose code cannot change a computed number; the
advisory code hash does not follow imports into them."""


def _module_files() -> dict[str, Path]:
    """``{dotted name inside modscale: source path}``, e.g. ``{"profiles.sine": ...}``."""
    out = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        rel = path.relative_to(PACKAGE_DIR).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """Package-internal modules imported by module ``name`` (relative or ``modscale.`` imports)."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - (node.level - 1)] if node.level > 1 else package
                mod = ".".join([*base, *(node.module.split(".") if node.module else [])])
            elif node.module and node.module.split(".")[0] == "modscale":
                mod = ".".join(node.module.split(".")[1:])
            else:
                continue
            cands = [mod] + [f"{mod}.{a.name}" if mod else a.name for a in node.names]
            found |= {c for c in cands if c in known}
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "modscale" and len(parts) > 1 and ".".join(parts[1:]) in known:
                    found.add(".".join(parts[1:]))
    return found


def dependencies(roots: Iterable[str]) -> tuple[str, ...]:
    """The modules a computation rooted at ``roots`` depends on (transitive, sorted).

    Modules of :data:`NOT_RESULTS` (and everything below them) are not followed.
    """
    files = _module_files()
    known = set(files)
    unknown = [r for r in roots if r not in known]
    if unknown:
        raise ValueError(f"unknown modscale module(s) {unknown}; known: {sorted(known)}")
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        mod = todo.pop()
        if mod in seen or mod.split(".")[0] in NOT_RESULTS:
            continue
        seen.add(mod)
        todo.extend(_imports_of(mod, files[mod], known) - seen)
    return tuple(sorted(seen))


def _code_of(path: Path) -> str:
    """The module's code without docstrings or comments (``ast.dump``), so that editing
    documentation never invalidates a result; any change to the code itself does."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                and body and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree, annotate_fields=False)


def _hash_modules(names: Iterable[str]) -> str:
    files = _module_files()
    h = hashlib.sha256()
    for name in sorted(names):
        h.update(name.encode())
        h.update(_code_of(files[name]).encode())
    return h.hexdigest()[:16]


@cache
def experiment_code_version(experiment: str) -> str:
    """Hash of the code of the modules ``experiment`` depends on (its registry ``roots`` and their
    imports): provenance only, never part of a key."""
    return _hash_modules(dependencies(registry.get(experiment).roots))


def cache_dir() -> Path:
    env = os.environ.get("MODSCALE_CACHE_DIR")
    if env:
        return Path(env)
    repo = PACKAGE_DIR.parent.parent
    return repo / ".cache" / "modscale"


def results_dir() -> Path:
    """The committed results store: ``$MODSCALE_RESULTS_DIR`` or ``<repo>/results``."""
    env = os.environ.get("MODSCALE_RESULTS_DIR")
    return Path(env) if env else PACKAGE_DIR.parent.parent / "results"


def encode(obj: Any) -> Any:
    """A JSON-ready copy of a result payload (see the module docstring); raises TypeError for
    anything else (models, functions): such payloads stay in the local cache only."""
    import numpy as np

    if obj is None or isinstance(obj, bool | int | str):
        return obj
    if isinstance(obj, float):
        return obj if obj == obj and abs(obj) != float("inf") else {"__float__": repr(obj)}
    if isinstance(obj, np.generic):
        return encode(obj.item())
    if isinstance(obj, torch.Tensor | np.ndarray):
        kind = "torch" if isinstance(obj, torch.Tensor) else "numpy"
        arr = obj.detach().cpu().numpy() if kind == "torch" else obj
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"cannot store an array of dtype {arr.dtype}")
        flat = [encode(v) for v in arr.reshape(-1).tolist()]
        return {"__array__": str(arr.dtype), "kind": kind, "shape": list(arr.shape),
                "data": flat}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj) and not any(k.startswith("__") for k in obj):
            return {k: encode(v) for k, v in obj.items()}
        return {"__items__": [[encode(k), encode(v)] for k, v in obj.items()]}
    if isinstance(obj, list | tuple):
        return {"__tuple__": [encode(v) for v in obj]} if isinstance(obj, tuple) else \
            [encode(v) for v in obj]
    raise TypeError(f"cannot store an object of type {type(obj).__name__}")


def decode(obj: Any) -> Any:
    """Inverse of :func:`encode`."""
    import numpy as np

    if isinstance(obj, list):
        return [decode(v) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__items__" in obj:
        return {_hashable(decode(k)): decode(v) for k, v in obj["__items__"]}
    if "__float__" in obj:
        return float(obj["__float__"])
    if "__tuple__" in obj:
        return tuple(decode(v) for v in obj["__tuple__"])
    if "__array__" in obj:
        data = [decode(v) for v in obj["data"]]
        arr = np.array(data, dtype=obj["__array__"]).reshape(obj["shape"])
        return torch.from_numpy(arr) if obj["kind"] == "torch" else arr
    return {k: decode(v) for k, v in obj.items()}


def _hashable(key: Any) -> Any:
    return tuple(_hashable(k) for k in key) if isinstance(key, list | tuple) else key


def _store_path(experiment: str, key: str) -> Path:
    return results_dir() / experiment / f"{key}.json"


def recompute_requested(experiment: str) -> bool:
    """Whether ``$MODSCALE_RECOMPUTE`` (``1``/``all`` or a comma-separated list of experiment
    names) asks to recompute ``experiment`` instead of drawing the results store."""
    names = {v.strip() for v in os.environ.get("MODSCALE_RECOMPUTE", "").split(",")}
    return bool(names & {"1", "all", experiment})


def load_published(experiment: str, config: Any, device: Any = "cpu") -> Any | None:
    """The committed result for ``config`` (None if absent, unreadable -- reported -- or
    recomputation is requested)."""
    if recompute_requested(experiment):
        return None
    path = _store_path(experiment, entry_key(experiment, config, device))
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
        return decode(entry["result"])
    except Exception as err:  # noqa: BLE001 - a broken store entry means "recompute"
        warnings.warn(f"results-store entry {path} is unreadable ({err}); ignored",
                      stacklevel=2)
        return None


def meta_key(meta: dict[str, Any]) -> str:
    """The key an entry with provenance ``meta`` has under the current registry version."""
    return entry_key(meta["experiment"], meta["config"], meta.get("device_type", "cpu"))


def is_current(meta: dict[str, Any], stem: str) -> bool:
    """Whether an entry stored under ``stem`` is found by the current key (its experiment's
    version is unchanged); an entry whose configuration cannot be keyed any more is not."""
    try:
        return meta_key(meta) == stem
    except (KeyError, ValueError):
        return False


def checked_code(meta: dict[str, Any]) -> str | None:
    """The code hash an entry was last computed or verified with: ``meta["verified"]`` (a
    recomputation of the experiment with later code reproduced stored entries: see
    ``verified["recomputation"]``) if present, else the code it was computed with."""
    return (meta.get("verified") or {}).get("code_version") or meta.get("code_version")


def store_status(experiment: str) -> list[dict[str, Any]]:
    """One row per committed entry of ``experiment``: file, date, commit, device, wall time,
    version, whether it is *current* (found by today's key) and whether the code it depends on
    has changed since it was computed (*code changed*, advisory: the golden recomputation, not
    the code hash, decides whether numbers changed)."""
    code = experiment_code_version(experiment)
    rows = []
    for meta in published(experiment):
        rows.append({"experiment": experiment, "file": meta.get("_file", ""),
                     "date": str(meta.get("date", meta.get("timestamp", "")))[:19],
                     "commit": meta.get("git_commit", ""), "device": meta.get("device", ""),
                     "wall_time_s": meta.get("wall_time_s"), "version": meta.get("version"),
                     "code_version": meta.get("code_version"),
                     "current": is_current(meta, meta.get("_file", "").removesuffix(".json")),
                     "code_changed": checked_code(meta) != code})
    return rows


def publish(experiment: str, *, prune: bool = False, root: Path | None = None,
            keys: Iterable[str] | None = None) -> tuple[int, int]:
    """Copy the local entries of ``experiment`` that are current into the results store (only
    those whose entry key, :func:`entry_key`, is in ``keys`` when given: a run that computed one
    result publishes that one, never the smoke entries beside it); with ``prune``, drop store
    entries that are not current. Returns (written, pruned)."""
    only = None if keys is None else set(keys)
    src = (root or cache_dir()) / experiment
    dst = results_dir() / experiment
    written = 0
    for meta_path in sorted(src.glob("*/meta.json")) if src.exists() else []:
        meta = json.loads(meta_path.read_text())
        key = meta_path.parent.name
        if (only is not None and key not in only) or not is_current(meta, key):
            continue
        payload = torch.load(meta_path.parent / "result.pt", map_location="cpu",
                             weights_only=False)
        try:
            text = json.dumps({"meta": meta, "result": encode(payload)}, separators=(",", ":"))
        except TypeError as err:
            warnings.warn(f"{experiment}/{key}: not stored ({err}); it stays local",
                          stacklevel=2)
            continue
        dst.mkdir(parents=True, exist_ok=True)
        (dst / f"{key}.json").write_text(text)
        written += 1
    pruned = 0
    if prune and dst.exists():
        for f in dst.glob("*.json"):
            if not is_current(json.loads(f.read_text())["meta"], f.stem):
                f.unlink()
                pruned += 1
    return written, pruned


def published(experiment: str) -> list[dict[str, Any]]:
    """The ``meta`` of every committed entry of ``experiment``."""
    d = results_dir() / experiment
    return [{**json.loads(p.read_text())["meta"], "_file": p.name}
            for p in sorted(d.glob("*.json"))] if d.exists() else []


def _as_mapping(config: Any) -> dict[str, Any]:
    if hasattr(config, "__dataclass_fields__"):
        return config_dict(config)
    return json.loads(json.dumps(config, sort_keys=True, default=str))


PRECISION_FIELDS = ("precision", "amp", "scale_amp")
"""Configuration fields that name a training precision; they must be resolved before keying."""


def _check_resolved(config: Any, path: str = "config") -> None:
    if isinstance(config, dict):
        for k, v in config.items():
            if k in PRECISION_FIELDS and v == "auto":
                raise ValueError(f"{path}[{k!r}] is 'auto': resolve the precision "
                                 "(modscale.infra.device.resolve_precision) before keying, so "
                                 "that the key says what the result was computed in")
            _check_resolved(v, f"{path}[{k!r}]")


def device_type(device: Any) -> str:
    """``'cpu'`` / ``'cuda'`` of a ``torch.device`` or a device string."""
    return torch.device(device).type if not isinstance(device, torch.device) else device.type


def entry_key(experiment: str, config: Any, device: Any = "cpu") -> str:
    """The key of ``config``'s result: a hash of the experiment, its registry version, the
    canonical configuration (precision resolved) and the device type (see the module doc)."""
    exp = registry.get(experiment)
    mapping = _as_mapping(config)
    _check_resolved(mapping)
    return config_hash({"experiment": experiment, "version": exp.version, "config": mapping,
                        "device": device_type(device)})


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file, read in 1 MiB chunks (``algorithm``: any :mod:`hashlib` name)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def load(experiment: str, config: Any, root: Path | None = None, device: Any = "cpu"
         ) -> Any | None:
    """Return the cached result, or ``None`` if absent or corrupt (corrupt entries are removed)."""
    d = (root or cache_dir()) / experiment / entry_key(experiment, config, device)
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
          root: Path | None = None, extra: dict[str, Any] | None = None,
          device: Any = "cpu") -> Path:
    """Atomically write ``result`` and its provenance; returns the entry directory."""
    d = (root or cache_dir()) / experiment / entry_key(experiment, config, device)
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=d.parent, prefix=".tmp-"))
    try:
        torch.save(result, tmp / "result.pt")
        meta = {"experiment": experiment, "version": registry.get(experiment).version,
                "device_type": device_type(device), "config": _as_mapping(config),
                "code_version": experiment_code_version(experiment),
                "code_modules": list(dependencies(registry.get(experiment).roots)),
                "wall_time_s": wall_time_s,
                "sha256": file_digest(tmp / "result.pt"), **provenance(device),
                **(extra or {})}
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, default=str))
        if d.exists():
            shutil.rmtree(d)
        os.replace(tmp, d)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return d


def find(experiment: str, config: Any, device: Any = "cpu") -> Any | None:
    """The stored result of ``config`` -- local cache, then the results store, then (where
    :func:`precision_fallback` allows) the same at the other precision -- or None."""
    return _lookup(experiment, config, None, device)


def is_stored(experiment: str, config: Any, device: Any = "cpu") -> bool:
    """Whether :func:`find` would answer (an entry file exists in the local cache or the
    results store, at either precision where :func:`precision_fallback` allows), without
    reading it: a check over a whole plan that costs no decoding."""
    for c in _candidates(config):
        key = entry_key(experiment, c, device)
        local = cache_dir() / experiment / key
        if (local / "meta.json").exists() and (local / "result.pt").exists():
            return True
        if not recompute_requested(experiment) and _store_path(experiment, key).exists():
            return True
    return False


def other_precision(config: Any) -> Any | None:
    """``config`` with its training precision (a top-level field of :data:`PRECISION_FIELDS`)
    swapped fp32 <-> bf16, or None if it has none (see "Precision of a drawn result")."""
    import dataclasses

    mapping = _as_mapping(config)
    names = [f for f in PRECISION_FIELDS if mapping.get(f) in ("fp32", "bf16")]
    if not names:
        return None
    swap = {f: "bf16" if mapping[f] == "fp32" else "fp32" for f in names}
    if dataclasses.is_dataclass(config):
        return dataclasses.replace(config, **swap)
    return {**config, **swap}


def precision_fallback() -> bool:
    """Whether a lookup may draw a result stored at the other precision."""
    return not os.environ.get("MODSCALE_AUTO_PRECISION") and \
        os.environ.get("MODSCALE_EXACT_PRECISION", "") in ("", "0")


def _candidates(config: Any) -> list[Any]:
    """``config``, then the same at the other precision where :func:`precision_fallback`
    allows: the keys a lookup tries, in order."""
    candidates = [config]
    if precision_fallback() and (alt := other_precision(config)) is not None:
        candidates.append(alt)
    return candidates


def _lookup(experiment: str, config: Any, root: Path | None, device: Any) -> Any | None:
    """Local cache (``root``), then (``root`` None) the results store; on a miss the same at the
    other precision where :func:`precision_fallback` allows."""
    for c in _candidates(config):
        hit = load(experiment, c, root, device)
        if hit is None and root is None:
            hit = load_published(experiment, c, device)
        if hit is not None:
            return hit
    return None


class NotStoredError(LookupError):
    """A result was needed that neither the cache nor the results store holds, while
    ``MODSCALE_NO_COMPUTE`` forbids computing it."""


def cached(experiment: str, config: Any, compute: Callable[[], Any], *,
           root: Path | None = None, enabled: bool = True, device: Any = "cpu") -> Any:
    """Return the cached result of ``compute()`` for ``config`` computed on ``device`` (its type
    is part of the key), computing and storing it if needed; a result stored at the other
    precision answers a miss (:func:`precision_fallback`). With ``MODSCALE_NO_COMPUTE=1`` a
    miss raises :class:`NotStoredError` instead of computing (a check that a build only
    draws)."""
    if enabled:
        hit = _lookup(experiment, config, root, device)
        if hit is not None:
            return hit
    if os.environ.get("MODSCALE_NO_COMPUTE", "") not in ("", "0"):
        raise NotStoredError(f"experiment {experiment!r}: no stored result for key "
                             f"{entry_key(experiment, config, device)} and MODSCALE_NO_COMPUTE "
                             "is set")
    t0 = time.perf_counter()
    result = compute()
    if enabled:
        store(experiment, config, result, wall_time_s=time.perf_counter() - t0, root=root,
              device=device)
    return result


def cached_map(experiment: str, configs: Iterable[Any], compute: Callable[[Any], Any], *,
               root: Path | None = None, enabled: bool = True,
               progress: bool = True, device: Any = "cpu") -> list[Any]:
    """``[cached(experiment, c, lambda: compute(c)) for c in configs]`` with a progress bar.

    Each configuration is cached as soon as it finishes, so an interrupted sweep resumes.
    """
    from modscale.infra.progress import progress_bar

    configs = list(configs)
    out = []
    for c in progress_bar(configs, desc=experiment, disable=not progress):
        out.append(cached(experiment, c, lambda c=c: compute(c), root=root, enabled=enabled,
                          device=device))
    return out


def entries(experiment: str, root: Path | None = None) -> list[dict[str, Any]]:
    """The ``meta.json`` of every cached entry of ``experiment`` (for provenance tables), then
    those only in the committed results store (when ``root`` is None)."""
    d = (root or cache_dir()) / experiment
    local = [json.loads(p.read_text()) for p in sorted(d.glob("*/meta.json"))] \
        if d.exists() else []
    if root is not None:
        return local
    seen = {json.dumps([m.get("config"), m.get("version"), m.get("device_type")],
                       sort_keys=True, default=str) for m in local}
    return local + [m for m in published(experiment)
                    if json.dumps([m.get("config"), m.get("version"), m.get("device_type")],
                                  sort_keys=True, default=str) not in seen]


def _main(argv: list[str] | None = None) -> int:
    import argparse

    names = sorted(registry.EXPERIMENTS)
    parser = argparse.ArgumentParser(prog="python -m modscale.infra.cache",
                                     description="Inspect the result cache and results store.")
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="one line per experiment: name, version, current / all "
                                       "entries in the local cache and in results/, entries "
                                       "whose code changed since (advisory), its modules")
    keys.add_argument("--no-modules", action="store_true", help="omit the module list")
    pub = sub.add_parser("publish", help="copy the current local entries of experiments into "
                                         "the committed results store (results/)")
    pub.add_argument("experiments", nargs="+", help=f"experiment names: {', '.join(names)}")
    pub.add_argument("--prune", action="store_true", help="drop store entries of these "
                                                          "experiments that are not current")
    args = parser.parse_args(argv)
    if args.command == "publish":
        unknown = [e for e in args.experiments if e not in registry.EXPERIMENTS]
        if unknown:
            parser.error(f"unknown experiment(s) {unknown}; allowed: {', '.join(names)}")
        for name in args.experiments:
            w, p = publish(name, prune=args.prune)
            print(f"{name}: {w} entries written to {results_dir() / name}, {p} pruned")
        return 0
    for name in names:
        exp = registry.get(name)
        root = cache_dir() / name
        local = [(p.parent.name, json.loads(p.read_text()))
                 for p in sorted(root.glob("*/meta.json"))] if root.exists() else []
        rows = store_status(name)
        line = (f"{name}\tversion {exp.version}\t"
                f"cache {sum(is_current(m, k) for k, m in local)} current / {len(local)}\t"
                f"results/ {sum(r['current'] for r in rows)} current / {len(rows)}\t"
                f"code changed since stored: {sum(r['code_changed'] for r in rows)}")
        if not args.no_modules:
            line += "\t" + ",".join(dependencies(exp.roots))
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
