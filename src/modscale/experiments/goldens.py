"""Golden recomputation: each experiment's numbers are pinned by tiny *golden* configurations.

A result's key holds its experiment's declared ``version`` (:mod:`modscale.infra.registry`), not
its code. What catches a change of the numbers is this module: every experiment with a run
function declares one or more golden configurations (:func:`golden_configs`: tiny, seconds on one
CPU thread, deterministic, covering every method and precision branch), and ``make test``
recomputes them and compares them with the committed copies ``tests/golden/<experiment>.json``.

**A verdict that does not depend on the processor.** Two CPUs of one instruction-set level do not
compute bit for bit alike (other oneDNN/MKL kernels, other summation orders), and training
amplifies a last-bit difference to 1e-3 in float32 within a few steps: a bitwise check fails on
arithmetic noise, and a float32 tolerance wide enough for the noise misses a 1e-3 change of a
constant. So the reference copies are computed in **float64** (the run function under
``torch.set_default_dtype(torch.float64)``; every model, data set and loss follows the default
dtype), where kernel differences stay near 1e-13 even after the golden's training steps. Two
checks per configuration:

- **float64** (:data:`RTOL`, :data:`ATOL`): the float64 recomputation against the copy. The
  tolerance is the spread measured across instruction-set levels (``ATEN_CPU_CAPABILITY`` =
  default, avx2, avx512; ``ONEDNN_MAX_CPU_ISA=AVX2``) times a safety factor, and far below what
  a planted change moves (a 1 % learning rate; a 1e-3 relative change of one constant of the
  theory or of the kernel objective): see ``tests/test_goldens.py``.
- **native** (:data:`NATIVE_RTOL`): the configuration as the book runs it (float32, or bf16
  autocast for a ``precision="bf16"`` configuration) against the native copy stored beside the
  float64 one, within a tolerance of that precision's size: the float32 and bf16 code paths are
  checked too, never bitwise. (Not against the float64 copy: float32 Gaussian draws take another
  algorithm than float64 ones, and a different one again without vector instructions, so the
  two arithmetics start from different networks.)

No copy depends on the machine that wrote it (``cpu_capability`` and ``torch`` are recorded for
information only). A change that alters the numbers fails until its experiment's ``version`` is
bumped and the copy is regenerated on purpose (``python -m modscale.experiments.goldens --write
NAME``); a refactor that keeps the numbers passes and keeps every stored result current.

Timings (keys containing ``time`` or ``wall``) and device names are not compared.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from modscale.infra import cache, registry
from modscale.infra.device import single_thread

GOLDEN_DIR = Path(__file__).resolve().parents[3] / "tests" / "golden"
RTOL = 1e-9
"""Relative tolerance of the float64 recomputation (with :data:`ATOL`). Measured: the largest
relative difference between float64 recomputations across the instruction-set levels
(``ATEN_CPU_CAPABILITY`` = default, avx2, avx512; ``ONEDNN_MAX_CPU_ISA=AVX2``) on a 2-core Zen 4
EPYC is 3.5e-13 (``alg1_readings``; ``python -m modscale.experiments.goldens --dump`` under
each level, then ``--spread``): a safety factor of about 3,000. The smallest effect of a planted
change is 1.0e-4 (a 1e-3 relative change of the kernel objective's bandwidth in
``alg1_trajectory``; ``tests/test_goldens.py``)."""
ATOL = 1e-11
"""Absolute tolerance added to :data:`RTOL` times the reference value's magnitude (numbers that
are 0 up to rounding)."""
NATIVE_RTOL = {"fp32": 0.05, "bf16": 0.1}
"""Relative tolerance of the native-precision run against its stored copy, by precision (with
:data:`NATIVE_ATOL`). Measured across the same levels: float32 up to 5.7e-3 (``ATEN_CPU_
CAPABILITY=default``, whose float32 Gaussian draws differ in the last bit, amplified by 20
Algorithm 1 steps in ``alg1_stopped_directions``; 1e-3 between a Zen 5 and a Sapphire Rapids),
a factor of about 9; bf16 autocast up to 1.2e-7 here (the tolerance also covers CPUs with and
without bf16 instructions, which round the products differently). These only guard the code
paths of each precision; the float64 check is the sensitive one."""
NATIVE_ATOL = 1e-3
"""Absolute tolerance of the native check (losses and similarities near 0)."""


GOLDEN_MODULES = ("sine_sweeps", "fig3a_readings", "modular_calibrated", "modular_sweep",
                  "alg1_diagnostics", "theory_checks", "modular_theory", "cifar_runs",
                  "cifar_scale", "cifar_alg1")
"""The experiment modules; each holds its experiments' golden configurations (``GOLDENS``)."""


def _collect() -> dict[str, Any]:
    import importlib

    out: dict[str, Any] = {}
    for name in GOLDEN_MODULES:
        out.update(importlib.import_module(f"modscale.experiments.{name}").GOLDENS)
    return out


GOLDENS: dict[str, Any] = _collect()
"""Experiment -> function returning its golden configurations (every registered experiment),
collected from :data:`GOLDEN_MODULES`."""

SHARED = {"sine_k": "sine_grid", "sine_alt": "sine_grid", "sine_calibration": "sine_grid",
          "theory_dd_mc_n": "theory_dd_mc_p"}
"""Experiments computed by the same run function on the same configurations as another: their
golden copy is that one's (one file, one recomputation)."""


def golden_configs(experiment: str) -> list[Any]:
    return GOLDENS[experiment]()


DIGEST_OVER = 256
"""Arrays with more elements are compared through a digest (SHA-256 of their encoded values,
not compared) and their count, sum, sum of squares, min and max (compared)."""


def _digest(arr: dict) -> dict:
    import hashlib

    data = [float(v["__float__"]) if isinstance(v, dict) else float(v) for v in arr["data"]]
    x = np.asarray(data, dtype=float)
    return {"__digest__": hashlib.sha256(json.dumps(arr["data"]).encode()).hexdigest(),
            "dtype": arr["__array__"], "shape": arr["shape"],
            "stats": [float(x.size), float(np.nansum(x)), float(np.nansum(x * x)),
                      float(np.nanmin(x)), float(np.nanmax(x))]}


def canonical(payload: Any) -> Any:
    """The payload as encoded JSON without timings and device names (what is compared); arrays
    larger than :data:`DIGEST_OVER` elements by their digest."""
    def strip(o: Any) -> Any:
        if isinstance(o, dict):
            if "__array__" in o and len(o["data"]) > DIGEST_OVER:
                return _digest(o)
            return {k: strip(v) for k, v in o.items()
                    if "time" not in str(k) and "wall" not in str(k) and k != "device"}
        if isinstance(o, list):
            return [strip(v) for v in o]
        return o
    return strip(cache.encode(payload))


def _numbers(obj: Any) -> list[float]:
    out: list[float] = []

    def walk(o: Any) -> None:
        if isinstance(o, dict):
            if "__float__" in o:
                out.append(float(o["__float__"]))
                return
            if "__digest__" in o:
                out.extend(o["stats"])
                return
            for k in sorted(o):
                walk(o[k])
        elif isinstance(o, list):
            for v in o:
                walk(v)
        elif isinstance(o, bool | int | float):
            out.append(float(o))

    walk(obj)
    return out


def compute(experiment: str, config: Any, arithmetic: str = "float64") -> Any:
    """One golden payload: the experiment's run function on one CPU thread, on the CPU, in
    ``arithmetic``: ``"float64"`` (default dtype float64: the reference) or ``"native"`` (the
    configuration's own precision, as the book runs it). The process stays on one thread
    afterwards (raising the count again would break later batched LU solves:
    :func:`modscale.infra.device.single_thread`)."""
    if arithmetic not in ARITHMETICS:
        raise ValueError(f"parameter 'arithmetic': {arithmetic!r} is not allowed; allowed "
                         f"values: {', '.join(map(repr, ARITHMETICS))}")
    run, _ = registry.resolve(experiment)
    single_thread()
    previous = torch.get_default_dtype()
    if arithmetic == "float64":
        torch.set_default_dtype(torch.float64)
    try:
        return run(config)
    finally:
        torch.set_default_dtype(previous)


ARITHMETICS = ("float64", "native")


def precision_of(config: Any) -> str:
    """The training precision of a golden configuration (``fp32`` unless it says ``bf16``)."""
    c = cache._as_mapping(config)
    return "bf16" if "bf16" in (c.get("precision"), c.get("amp")) else "fp32"


def machine() -> dict[str, str]:
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def golden_path(experiment: str) -> Path:
    """The copy of ``experiment`` (shared by the experiments of :data:`SHARED`)."""
    return GOLDEN_DIR / f"{SHARED.get(experiment, experiment)}.json"


def write(experiment: str) -> Path:
    """Recompute and store the float64 golden copy of ``experiment`` (on purpose only)."""
    configs = golden_configs(experiment)
    entries = [{"config": cache._as_mapping(c), "payload": canonical(compute(experiment, c)),
                "native": canonical(compute(experiment, c, "native"))} for c in configs]
    path = golden_path(experiment)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"experiment": SHARED.get(experiment, experiment),
                                "version": registry.get(experiment).version,
                                "arithmetic": "float64", **machine(),
                                "entries": entries}, indent=1, sort_keys=True) + "\n")
    return path


def relative_differences(ref: Any, new: Any, atol: float) -> np.ndarray:
    """``max(|a - b| - atol, 0) / |a|`` for every number of two canonical payloads (NaN where
    both are NaN counts as equal); raises ``ValueError`` if their structures differ."""
    a, b = np.asarray(_numbers(ref)), np.asarray(_numbers(new))
    if a.shape != b.shape:
        raise ValueError(f"payload structure changed ({a.size} -> {b.size} numbers)")
    with np.errstate(invalid="ignore"):
        rel = np.maximum(np.abs(a - b) - atol, 0.0) / np.maximum(np.abs(a), 1e-12)
    both_nan = np.isnan(a) & np.isnan(b)
    return np.where(both_nan, 0.0, np.where(np.isnan(rel), np.inf, rel))


@dataclass
class GoldenReport:
    """Outcome of :func:`check`: ``ok``; ``max_rel`` (largest relative difference of the float64
    recomputation); ``native_rel`` (of the native-precision run against the native copy, by
    precision); ``message``;
    ``seconds`` spent."""

    experiment: str
    ok: bool
    max_rel: float
    native_rel: dict
    message: str
    seconds: float


def check(experiment: str, native: bool = True) -> GoldenReport:
    """Recompute the golden configurations of ``experiment`` in float64 (and, with ``native``,
    in their own precision) and compare with the copy (see the module docstring)."""
    t0 = time.perf_counter()
    version = registry.get(experiment).version
    path = golden_path(experiment)
    if not path.exists():
        return GoldenReport(experiment, False, float("nan"), {},
                            f"no golden copy {path.name}: run python -m "
                            f"modscale.experiments.goldens --write {experiment}", 0.0)
    stored = json.loads(path.read_text())
    if stored["version"] != version or stored.get("arithmetic") != "float64":
        return GoldenReport(experiment, False, float("nan"), {},
                            f"golden copy is of version {stored['version']} "
                            f"({stored.get('arithmetic', 'float32')}), the registry declares "
                            f"{version} (float64): regenerate it (--write {experiment})", 0.0)
    specs = golden_configs(experiment)  # built once (the CIFAR ones decode data)
    if [cache._as_mapping(c) for c in specs] != [e["config"] for e in stored["entries"]]:
        return GoldenReport(experiment, False, float("nan"), {},
                            "the golden configurations changed: regenerate the copy", 0.0)
    max_rel, native_rel, why = 0.0, {}, ""
    for c, e in zip(specs, stored["entries"], strict=True):
        try:
            rel = relative_differences(e["payload"], canonical(compute(experiment, c)), ATOL)
            max_rel = max(max_rel, float(rel.max(initial=0.0)))
            if native:
                prec = precision_of(c)
                nrel = relative_differences(e["native"],
                                            canonical(compute(experiment, c, "native")),
                                            NATIVE_ATOL)
                native_rel[prec] = max(native_rel.get(prec, 0.0), float(nrel.max(initial=0.0)))
        except ValueError as err:
            why = str(err)
            break
    if not why and max_rel > RTOL:
        why = f"float64 numbers differ by up to {max_rel:.3g} (> {RTOL:g})"
    bad = {p: v for p, v in native_rel.items() if v > NATIVE_RTOL[p]}
    if not why and bad:
        why = "; ".join(f"{p} numbers differ from the float64 copy by up to {v:.3g} "
                        f"(> {NATIVE_RTOL[p]:g})" for p, v in bad.items())
    if why:
        why += (f": if the change of {experiment}'s numbers is intended, bump its version in "
                "modscale.infra.registry and regenerate the golden copy")
    nat = ", ".join(f"{p} within {v:.2g}" for p, v in sorted(native_rel.items()))
    mode = (f"float64 within {max_rel:.2g} (<= {RTOL:g})" + (f"; {nat}" if nat else "")
            + f"; copy from {stored.get('cpu_capability')}, here "
            f"{machine()['cpu_capability']}")
    return GoldenReport(experiment, not why, max_rel, native_rel, why or mode,
                        time.perf_counter() - t0)


def recompute_all(names: list[str]) -> dict[str, list]:
    """Experiment -> canonical float64 payloads of its golden configurations (for the spread
    across instruction sets: :func:`main` ``--dump``)."""
    return {n: [canonical(compute(n, c)) for c in golden_configs(n)] for n in names}


def spread(dumps: list[dict]) -> dict[str, float]:
    """Experiment -> largest relative difference (:func:`relative_differences`, no absolute
    slack beyond 1e-300) between the float64 payloads of ``dumps`` (from ``--dump`` under
    different instruction sets) and those of the first."""
    ref = dumps[0]["payloads"]
    out: dict[str, float] = {}
    for d in dumps[1:]:
        for name, payloads in d["payloads"].items():
            for a, b in zip(ref[name], payloads, strict=True):
                rel = relative_differences(a, b, 0.0)
                out[name] = max(out.get(name, 0.0), float(rel.max(initial=0.0)))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modscale.experiments.goldens",
                                 description="Check (default) or write golden copies.")
    ap.add_argument("experiments", nargs="*", help=f"default: all of {', '.join(GOLDENS)}")
    ap.add_argument("--write", action="store_true", help="recompute and store the float64 copies")
    ap.add_argument("--float64-only", action="store_true",
                    help="check the float64 recomputation only (no native-precision run)")
    ap.add_argument("--dump", metavar="FILE", help="write the float64 payloads to FILE (JSON) "
                    "instead of checking (the cross-instruction-set spread)")
    ap.add_argument("--spread", nargs="+", metavar="DUMP",
                    help="print the largest relative difference per experiment between dumps "
                    "(written with --dump under different instruction sets) and the first")
    args = ap.parse_args(argv)
    if args.spread:
        dumps = [json.loads(Path(f).read_text()) for f in args.spread]
        for name, v in spread(dumps).items():
            print(f"{name}: {v:.3g}")
        return 0
    names = args.experiments or [e for e in GOLDENS if e not in SHARED]
    bad = [n for n in names if n not in GOLDENS]
    if bad:
        ap.error(f"no golden configurations for {bad}; allowed: {', '.join(GOLDENS)}")
    if args.dump:
        Path(args.dump).write_text(json.dumps({"machine": machine(),
                                               "payloads": recompute_all(names)}))
        return 0
    status = 0
    for name in names:
        if args.write:
            t0 = time.perf_counter()
            print(f"{name}: wrote {write(name)} ({time.perf_counter() - t0:.1f} s)")
            continue
        r = check(name, native=not args.float64_only)
        status |= not r.ok
        print(f"{name}: {'ok' if r.ok else 'FAILED'} ({r.message}; {r.seconds:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
