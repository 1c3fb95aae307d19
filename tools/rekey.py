"""Carry stored results over a code change that provably does not change them -- verified.

    python tools/rekey.py --from CODE_HASH sine_calibration sine_grid sine_k sine_alt --verify 2

A cache key includes the hash of the code a result depends on, so *any* edit of that code
orphans the stored results. When an edit cannot change a stored number (e.g. a fix that only
affects float64 training, while every stored stack trained in fp32 or bf16), this tool:

1. recomputes ``--verify`` stored entries of each experiment with the current code (the cheapest
   of each precision found) and requires the payloads to be *identical* (every number, bit for
   bit; wall times and device names excepted); any difference aborts without writing anything;
2. stores every entry made with ``--from`` under the current code's key, keeping its payload and
   wall time and recording ``rekeyed_from`` and ``rekey_verified`` (the verified keys) in its
   provenance.

Supported experiments: the sine sweeps and ``modular_stacks`` (their compute functions are
known here). Run ``python -m modscale.cache publish ...`` afterwards to update ``results/``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import torch

from modscale import cache


def _sine(d: dict) -> tuple[Any, Any]:
    from modscale.sine_sweeps import StackSpec, run_stack

    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in d.items()}
    return StackSpec(**fields), run_stack


def _modular(d: dict) -> tuple[Any, Any]:
    from modscale.modular_sweep import run_stack_from_config

    return d, run_stack_from_config


BUILDERS = {"sine_calibration": _sine, "sine_grid": _sine, "sine_k": _sine, "sine_alt": _sine,
            "modular_stacks": _modular}


def _numbers(payload: Any) -> str:
    """The payload as canonical JSON without wall times and device names."""
    def strip(o: Any) -> Any:
        if isinstance(o, dict):
            return {k: strip(v) for k, v in o.items()
                    if "wall" not in str(k) and "time" not in str(k) and k != "device"}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return json.dumps(strip(cache.encode(payload)), sort_keys=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("experiments", nargs="+", choices=sorted(BUILDERS))
    ap.add_argument("--from", dest="old", required=True, help="code hash the entries were made "
                                                            "with (python -m modscale.cache keys)")
    ap.add_argument("--verify", type=int, default=2, help="entries recomputed per experiment")
    args = ap.parse_args(argv)
    if args.verify < 1:
        raise SystemExit("--verify must be >= 1: a re-key is never unverified")
    root = cache.cache_dir()
    plan = {}
    for exp in args.experiments:
        metas = [(p.parent.name, json.loads(p.read_text()))
                 for p in sorted((root / exp).glob("*/meta.json"))]
        metas = [(k, m) for k, m in metas if m.get("code_version") == args.old]
        if not metas:
            print(f"{exp}: no entries made with code {args.old}")
            continue
        # the cheapest entry of each precision first, then the cheapest others
        by_cost = sorted(metas, key=lambda km: km[1].get("wall_time_s", 0.0))
        seen, picks = set(), []
        for k, m in by_cost:
            prec = m["config"].get("precision", "-")
            if prec not in seen:
                seen.add(prec)
                picks.append((k, m))
        picks += [km for km in by_cost if km not in picks]
        verified = []
        for key, meta in picks[:args.verify]:
            config, compute = BUILDERS[exp](meta["config"])
            stored = torch.load(root / exp / key / "result.pt", map_location="cpu",
                                weights_only=False)
            fresh = compute(config)
            if _numbers(fresh) != _numbers(stored):
                print(f"{exp}/{key}: recomputed result DIFFERS from the stored one; nothing "
                      "re-keyed", file=sys.stderr)
                return 1
            verified.append(key)
            print(f"{exp}/{key}: recomputed with the current code, identical "
                  f"({meta['config'].get('precision', '')} {meta.get('wall_time_s', 0):.0f} s)",
                  flush=True)
        plan[exp] = (metas, verified)
    for exp, (metas, verified) in plan.items():
        for key, meta in metas:
            config, _ = BUILDERS[exp](meta["config"])
            payload = torch.load(root / exp / key / "result.pt", map_location="cpu",
                                 weights_only=False)
            cache.store(exp, config, payload, wall_time_s=meta.get("wall_time_s", 0.0),
                        extra={"rekeyed_from": args.old, "rekey_verified": verified,
                               "original_git_commit": meta.get("git_commit")})
        print(f"{exp}: {len(metas)} entries stored under code "
              f"{cache.experiment_code_version(exp)} (verified on {len(verified)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
