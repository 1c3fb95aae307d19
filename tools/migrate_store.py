"""One-off: move every results-store entry from the code-hash key to the versioned key, verified.

    python tools/migrate_store.py [--verify N] [--dry-run]

The old key hashed the configuration with the source of the modules a result depended on; the
new one (:func:`modscale.infra.cache.entry_key`) hashes the experiment, its registry version,
the configuration and the device type. Every stored entry was computed on a CPU, so each is
re-filed under ``entry_key(experiment, config, "cpu")`` with ``version``, ``device_type`` and
``migrated_from`` (the old file stem) added to its provenance; payloads are untouched.

Experiments whose version the registry bumped at the migration (their configuration was
incomplete: ``modular_theory_*``) are not migrated but dropped, to be recomputed.

Verification: for every experiment with a registered run function, the ``--verify`` cheapest
entries are recomputed with today's code and compared with the stored payload (timings and
device names excepted); the largest and the median relative differences are printed, and the
migration aborts unless the payload is bit-identical or its median relative difference is at
most ``--rtol``. (Bit-identity is not expected across CPUs: the stored entries were computed on
another machine, and 10,000 Adam iterations amplify last-bit differences of the matmul kernels
in single networks; a change of the code's semantics shifts every number instead.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from modscale.infra import cache, registry

DROP = {"modular_theory_mc", "modular_theory_sample_complexity"}


def numbers(payload) -> list[float]:
    """Every number of a payload, in a canonical order, timings and device names excepted."""
    out: list[float] = []

    def walk(o, key=""):
        if isinstance(o, dict):
            for k in sorted(o, key=str):
                if "time" in str(k) or "wall" in str(k) or k == "device":
                    continue
                walk(o[k], str(k))
        elif isinstance(o, (list, tuple)):
            for v in o:
                walk(v, key)
        elif hasattr(o, "shape"):
            out.extend(np.asarray(o, dtype=float).reshape(-1).tolist())
        elif isinstance(o, bool | int | float):
            out.append(float(o))

    walk(payload)
    return out


def verify(exp: str, files: list[Path], n: int, rtol: float) -> list[str]:
    run, build = registry.resolve(exp)
    entries = sorted(((json.loads(f.read_text()), f) for f in files),
                     key=lambda ef: ef[0]["meta"].get("wall_time_s") or 0)[:n]
    lines = []
    for entry, f in entries:
        t0 = time.perf_counter()
        new = run(build(entry["meta"]["config"]))
        a = np.asarray(numbers(cache.decode(entry["result"])))
        b = np.asarray(numbers(new))
        if a.shape != b.shape:
            raise SystemExit(f"{exp}/{f.name}: payload shape changed {a.shape} -> {b.shape}")
        diff = np.abs(a - b)
        rel = diff / np.maximum(np.abs(a), 1e-12)
        identical = bool(np.array_equal(a, b, equal_nan=True))
        both_nan = np.isnan(a) & np.isnan(b)
        med = float(np.median(np.where(both_nan, 0.0, rel))) if len(a) else 0.0
        ok = identical or med <= rtol
        top = (float(np.nanmax(diff)), float(np.nanmax(rel))) if len(a) else (0.0, 0.0)
        lines.append(f"{exp}/{f.name}: {len(a)} numbers, bit-identical {identical}, max |diff| "
                     f"{top[0]:.3g}, max rel {top[1]:.3g}, median rel {med:.3g} "
                     f"({time.perf_counter() - t0:.1f} s)")
        if not ok:
            raise SystemExit("verification failed: " + lines[-1])
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--verify", type=int, default=1)
    ap.add_argument("--rtol", type=float, default=0.05)
    ap.add_argument("--dry-run", action="store_true")
    ap.add_argument("--skip-verify", nargs="*", default=[], help="experiments not recomputed")
    args = ap.parse_args(argv)
    root = cache.results_dir()
    plan = []
    for d in sorted(p for p in root.iterdir() if p.is_dir()):
        files = sorted(d.glob("*.json"))
        if d.name in DROP:
            plan.append((d.name, files, "drop"))
            continue
        registry.get(d.name)
        plan.append((d.name, files, "migrate"))
    for exp, files, what in plan:
        if what == "migrate" and registry.get(exp).run and exp not in args.skip_verify:
            for line in verify(exp, files, args.verify, args.rtol):
                print("verified", line, flush=True)
    if args.dry_run:
        return 0
    for exp, files, what in plan:
        for f in files:
            if what == "drop":
                f.unlink()
                continue
            entry = json.loads(f.read_text())
            meta = entry["meta"]
            meta.update(version=registry.get(exp).version, device_type="cpu",
                        migrated_from=f.stem)
            key = cache.meta_key(meta)
            text = json.dumps({"meta": meta, "result": entry["result"]}, separators=(",", ":"))
            f.unlink()
            (f.parent / f"{key}.json").write_text(text)
        print(f"{exp}: {len(files)} entries {'dropped' if what == 'drop' else 'migrated'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
