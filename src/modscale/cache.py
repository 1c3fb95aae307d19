"""Per-configuration result cache with provenance, so that interrupted sweeps resume.

An entry lives in ``<cache_dir>/<experiment>/<key>/`` as ``result.pt`` (``torch.save`` payload)
and ``meta.json`` (the config, code hash, versions, git commit, wall time and the payload's
SHA-256). A corrupt entry (unreadable, checksum mismatch) is detected, reported and recomputed.

**What the key depends on.** The key hashes the configuration and the code (docstrings and
comments excluded) of only the package modules the computation depends on: the root modules of
the experiment (:data:`EXPERIMENTS`) and their transitive imports inside ``modscale``, found by
parsing the sources. Modules that cannot
change a computed number -- plotting, progress bars, export, run log, verdicts, the paper-item
registry and the profiles (whose *values* are in the configuration already) -- are left out
(:data:`NOT_RESULTS`), so editing a plot colour never throws a trained network away. An experiment
that is not registered depends, conservatively, on every module.

``python -m modscale.cache keys`` prints each registered experiment with its current code hash
and the modules it depends on.

The cache directory is ``$MODSCALE_CACHE_DIR`` or ``<repo>/.cache/modscale``.

**The committed results store.** Runs longer than a book build are computed once and committed:
``<repo>/results/<experiment>/<key>.json`` (``$MODSCALE_RESULTS_DIR`` overrides) holds the
provenance (``meta``) and the payload (``result``: dicts, lists, numbers, strings and arrays, the
arrays as ``{"__array__": dtype, "kind": "numpy"|"torch", "shape", "data"}``; float32 and
float64 values round-trip exactly). :func:`load` reads the local cache first, then the store, so
a fresh clone draws the book from the store without recomputing. ``python -m modscale.cache
publish EXPERIMENT...`` copies the local entries computed with the current code into the store
(``--prune`` drops store entries of those experiments made with other code). A store entry is
keyed exactly like a cache entry: change the code a result depends on and it is recomputed.

**Long runs** (:data:`LONG_RUNS`: runs far longer than a book build, e.g. the paper-data-scale
CIFAR runs) are stored under a key of their configuration alone. When the code they depend on
has changed since, the stored result is still drawn, with a warning, and flagged *stale*
(:func:`store_status`); ``MODSCALE_RECOMPUTE=1`` (or a comma-separated list of experiment names;
``make book RECOMPUTE=1``) recomputes them instead.
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
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import torch

from .profiles import config_dict, config_hash
from .provenance import provenance

PACKAGE_DIR = Path(__file__).resolve().parent


EXPERIMENTS: dict[str, tuple[str, ...]] = {
    # theory chapter
    "theory_mc_validation": ("theory",),
    "theory_dd_mc_p": ("theory",),
    "theory_dd_mc_n": ("theory",),
    "theory_dd_paper_scale": ("theory",),
    "theory_m_vs_n": ("theory",),
    "theory_calibration": ("theory",),
    # modular theory chapter
    "modular_theory_mc": ("theory_modular",),
    "modular_theory_sample_complexity": ("theory_modular",),
    # sine-wave regression chapter
    "sine_k": ("sine_sweeps",),
    "sine_grid": ("sine_sweeps",),
    "sine_alt": ("sine_sweeps",),
    "sine_calibration": ("sine_sweeps",),
    # modular networks chapter
    "modular_stacks": ("modular_sweep",),
    # Compositional CIFAR-10 chapter
    "cifar_run": ("cifar_runs",),
    "cifar_scale": ("cifar_scale",),
    # Algorithm 1 under the microscope
    "alg1_readings": ("alg1",),
    "alg1_stay": ("alg1",),
    "alg1_trajectory": ("alg1",),
    "fig3a_readings": ("fig3a_readings",),
    # modular chapter on the calibrated task
    "modular_calibrated": ("modular_calibrated",),
}
"""Experiment name -> the ``modscale`` modules whose code computes it (roots of the import walk)."""

NOT_RESULTS = frozenset({"profiles", "style", "progress", "provenance", "cache", "export",
                         "runlog", "verdicts", "paper_items", "dispatch", "bench", "notebook",
                         "analysis", "__init__"})
"""Modules (top-level names inside ``modscale``) that cannot change a computed number."""


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


LONG_RUNS: frozenset[str] = frozenset({"cifar_scale"})
"""Experiments whose stored results are drawn (flagged stale) after a code change."""


@lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 (16 hex) of every ``.py`` file of the package (unregistered experiments)."""
    return _hash_modules(_module_files())


@cache
def experiment_code_version(experiment: str) -> str:
    """Hash of the source of the modules ``experiment`` depends on (see :data:`EXPERIMENTS`)."""
    if experiment not in EXPERIMENTS:
        return code_version()
    return _hash_modules(dependencies(EXPERIMENTS[experiment]))


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


def store_key(experiment: str, config: Any) -> str:
    """File stem of ``config``'s entry in the results store: :func:`entry_key`, or for a
    :data:`LONG_RUNS` experiment a hash of the configuration alone (code changes flag it stale
    instead of hiding it)."""
    if experiment in LONG_RUNS:
        return config_hash({"experiment": experiment, "config": _as_mapping(config)})
    return entry_key(experiment, config)


def recompute_requested(experiment: str) -> bool:
    """Whether ``$MODSCALE_RECOMPUTE`` (``1``/``all`` or a comma-separated list of experiment
    names) asks to recompute ``experiment`` instead of drawing the results store."""
    names = {v.strip() for v in os.environ.get("MODSCALE_RECOMPUTE", "").split(",")}
    return bool(names & {"1", "all", experiment})


def load_published(experiment: str, config: Any) -> Any | None:
    """The committed result for ``config`` (None if absent, unreadable -- reported -- or
    recomputation is requested). A stale long-run entry is returned with a warning."""
    if recompute_requested(experiment):
        return None
    path = _store_path(experiment, store_key(experiment, config))
    if not path.exists():
        return None
    try:
        entry = json.loads(path.read_text())
        result = decode(entry["result"])
    except Exception as err:  # noqa: BLE001 - a broken store entry means "recompute"
        warnings.warn(f"results-store entry {path} is unreadable ({err}); ignored",
                      stacklevel=2)
        return None
    if entry["meta"].get("code_version") != experiment_code_version(experiment):
        warnings.warn(f"results-store entry {path} is stale: computed with code "
                      f"{entry['meta'].get('code_version')}, the code it depends on is now "
                      f"{experiment_code_version(experiment)}; drawn anyway (set "
                      f"MODSCALE_RECOMPUTE={experiment} to recompute)", stacklevel=2)
    return result


def store_status(experiment: str) -> list[dict[str, Any]]:
    """One row per committed entry of ``experiment``: file, date, commit, device, wall time,
    the code hash it was computed with and whether that is stale (the code changed since)."""
    current = experiment_code_version(experiment)
    rows = []
    for meta in published(experiment):
        rows.append({"experiment": experiment, "file": meta.get("_file", ""),
                     "date": str(meta.get("date", meta.get("timestamp", "")))[:19],
                     "commit": meta.get("git_commit", ""), "device": meta.get("device", ""),
                     "wall_time_s": meta.get("wall_time_s"),
                     "code_version": meta.get("code_version"),
                     "stale": meta.get("code_version") != current})
    return rows


def publish(experiment: str, *, prune: bool = False, root: Path | None = None) -> tuple[int, int]:
    """Copy the local entries of ``experiment`` made with the current code into the results
    store; returns (entries written, store entries pruned)."""
    code = experiment_code_version(experiment)
    src = (root or cache_dir()) / experiment
    dst = results_dir() / experiment
    written, keep = 0, set()
    for meta_path in sorted(src.glob("*/meta.json")) if src.exists() else []:
        meta = json.loads(meta_path.read_text())
        if meta.get("code_version") != code:
            continue
        key = meta_path.parent.name
        payload = torch.load(meta_path.parent / "result.pt", map_location="cpu",
                             weights_only=False)
        try:
            text = json.dumps({"meta": meta, "result": encode(payload)}, separators=(",", ":"))
        except TypeError as err:
            warnings.warn(f"{experiment}/{key}: not stored ({err}); it stays local",
                          stacklevel=2)
            continue
        dst.mkdir(parents=True, exist_ok=True)
        stem = store_key(experiment, meta["config"])
        (dst / f"{stem}.json").write_text(text)
        keep.add(f"{stem}.json")
        written += 1
    pruned = 0
    if prune and dst.exists():
        for f in dst.glob("*.json"):
            meta = json.loads(f.read_text())["meta"]
            if f.name not in keep and meta.get("code_version") != code:
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


def entry_key(experiment: str, config: Any) -> str:
    return config_hash({"experiment": experiment, "config": _as_mapping(config),
                        "code": experiment_code_version(experiment)})


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
                "code_version": experiment_code_version(experiment),
                "code_modules": list(dependencies(EXPERIMENTS[experiment]))
                if experiment in EXPERIMENTS else "all", "wall_time_s": wall_time_s,
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
        if hit is None and root is None:
            hit = load_published(experiment, config)
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
    from .progress import progress_bar

    configs = list(configs)
    out = []
    for c in progress_bar(configs, desc=experiment, disable=not progress):
        out.append(cached(experiment, c, lambda c=c: compute(c), root=root, enabled=enabled))
    return out


def entries(experiment: str, root: Path | None = None) -> list[dict[str, Any]]:
    """The ``meta.json`` of every cached entry of ``experiment`` (for provenance tables), then
    those only in the committed results store (when ``root`` is None)."""
    d = (root or cache_dir()) / experiment
    local = [json.loads(p.read_text()) for p in sorted(d.glob("*/meta.json"))] \
        if d.exists() else []
    if root is not None:
        return local
    seen = {json.dumps([m.get("config"), m.get("code_version")], sort_keys=True, default=str)
            for m in local}
    return local + [m for m in published(experiment)
                    if json.dumps([m.get("config"), m.get("code_version")], sort_keys=True,
                                  default=str) not in seen]


def _main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m modscale.cache",
                                     description="Inspect the result cache.")
    sub = parser.add_subparsers(dest="command", required=True)
    keys = sub.add_parser("keys", help="one line per cached experiment: name, code hash, "
                                       "entries computed with that code / all stored, the "
                                       "modules it depends on")
    keys.add_argument("--no-modules", action="store_true", help="omit the module list")
    pub = sub.add_parser("publish", help="copy the current local entries of experiments into "
                                         "the committed results store (results/)")
    pub.add_argument("experiments", nargs="+", help=f"experiment names: {', '.join(EXPERIMENTS)}")
    pub.add_argument("--prune", action="store_true", help="drop store entries of these "
                                                          "experiments made with other code")
    args = parser.parse_args(argv)
    if args.command == "publish":
        unknown = [e for e in args.experiments if e not in EXPERIMENTS]
        if unknown:
            parser.error(f"unknown experiment(s) {unknown}; allowed: {', '.join(EXPERIMENTS)}")
        for name in args.experiments:
            w, p = publish(name, prune=args.prune)
            print(f"{name}: {w} entries written to {results_dir() / name}, {p} pruned")
        return 0
    if args.command == "keys":
        for name in sorted(EXPERIMENTS):
            code = experiment_code_version(name)
            stored = entries(name)
            current = sum(1 for m in stored if m.get("code_version") == code)
            pub_current = sum(1 for m in published(name) if m.get("code_version") == code)
            line = (f"{name}\t{code}\t{current} current / {len(stored)} stored entries\t"
                    f"{pub_current} current in results/")
            if not args.no_modules:
                line += "\t" + ",".join(dependencies(EXPERIMENTS[name]))
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(_main())
