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
import dataclasses
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


def _sine_configs() -> list[Any]:
    from modscale.experiments.sine_sweeps import StackSpec
    from modscale.tasks.sine_task import SineTaskSpec

    base = dict(ms=(2, 3), width=8, depth=3, ks=(2,), n_values=(16, 48), seeds=(0,), iters=30,
                lr=0.01, batch_size=16, n_test=64, train_eval_rows=32,
                task=SineTaskSpec(normalisation="unit_variance", output_scale=2.0,
                                  noise_var=0.5))
    return [StackSpec(**base, precision="fp32"),
            StackSpec(**{**base, "width": 32, "ms": (3,)}, precision="bf16")]


def _fig3a_base() -> Any:
    from modscale.experiments.fig3a_readings import Fig3aSpec
    from modscale.tasks.sine_task import SineTaskSpec

    return Fig3aSpec(method="monolithic", m=3, k=2, width=8, depth=2, n_modules=4,
                     n_values=(24, 48), seeds=(0,), n_test=64, iters=20, lr=0.01,
                     batch_size=16, init_steps=3, init_batch_size=16, init_lr=0.05,
                     init_ridge=1e-3,
                     task=SineTaskSpec(noise_var=0.5, output_scale=2.0,
                                       amplitudes=(1.0, 0.5, 0.2), frequencies=(1.0, 3.0, 5.0)))


def _fig3a_configs() -> list[Any]:
    from modscale.experiments.fig3a_readings import METHODS

    base = _fig3a_base()
    return [dataclasses.replace(base, method=m, alpha=0.5 if m == "mixed" else 0.0)
            for m in METHODS] + [
        # the regime fields' code paths (modscale.experiments.modular_regime)
        dataclasses.replace(base, method="modular", module_size="matched", net_b=2,
                            proj_init="orthonormal", proj_scale=2.0, proj_lr_scale=0.1),
        dataclasses.replace(base, method="ours_literal", proj_normalize=True,
                            proj_lr_scale=0.01)]


def _modular_calibrated_configs() -> list[Any]:
    from modscale.experiments.modular_calibrated import METHODS, from_fig3a

    base = _fig3a_base()
    return [from_fig3a(base, method=m, record_every=10, keep_directions=True,
                       alpha=0.5 if m == "mixed" else 0.0) for m in METHODS] \
        + [from_fig3a(base, method=METHODS[0], projection="nonlinear", proj_hidden=4)]


def _modular_stacks_configs() -> list[dict]:
    from modscale.experiments.modular_sweep import stack_config
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_networks", "smoke")
    small = {"n_grid": [24, 48], "seeds": [0], "n_test": 64, "iters": 20, "batch_size": 16}
    init = {"steps": 3, "batch_size": 16, "lr": cfg.init_lr, "kernel": cfg.init_kernel,
            "bandwidth": cfg.init_bandwidth, "ridge": cfg.init_ridge}
    return [stack_config(cfg, "monolithic", 3, 8, 2, **small),
            stack_config(cfg, "modular", 3, 8, 2, init=init, record_every=10, **small),
            stack_config(cfg, "ours", 3, 8, 2, init=init, keep_directions=True, **small)]


def _alg1_base() -> dict:
    return {"k": 2, "n": 48, "n_tasks": 2, "steps": 4, "batch_size": 16, "lr": 0.05,
            "ridge": 1e-3, "kernel": "rbf", "seed": 0, "record_every": 2, "b": 1, "m": 4,
            "K": 2}


def _alg1_readings_configs() -> list[dict]:
    from modscale.training.alg1 import READINGS

    return [{**_alg1_base(), "reading": r} for r in READINGS]


def _theory_mc_configs() -> list[dict]:
    return [{"spectrum": s, "n": 30, "p": 60, "d": 1, "m": 3, "P": 120, "c": 1.0,
             "omega": 3.0, "s": 1.0, "trials": 8, "seed": 0, "method": meth}
            for s, meth in (("telescoping", "auto"), ("power_law", "deterministic"),
                            ("isotropic", "exact"))]


def _modular_theory_mc_configs() -> list[dict]:
    from modscale.experiments.modular_theory import mc_points
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_theory", "smoke")
    pts = mc_points(dataclasses.replace(cfg, mc_trials=4))
    picks = {(p["alignment"], p["features"]): p for p in pts}
    return [dict(p, method=meth) for p, meth in zip(picks.values(),
                                                    ("auto", "exact", "auto", "exact"),
                                                    strict=False)]


def _modular_theory_sc_configs() -> list[dict]:
    from modscale.experiments.modular_theory import sample_complexity_config
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_theory", "smoke")
    return [dict(sample_complexity_config(cfg), m_values=[2, 4], draws=2)]


def _cifar_configs() -> list[dict]:
    from modscale.experiments.cifar_runs import load_data, run_spec
    from modscale.infra.profiles import get_config

    cfg = get_config("compositional_cifar", "smoke", max_per_class=20, val_per_class=4,
                     n_test=32, n_val=16, batch_size=16, init_steps=2, init_pool=64,
                     init_batch_size=16, amp="fp32")
    data = load_data(cfg)
    out = []
    for method in ("monolithic", "ours"):
        spec = run_spec(cfg, method, 2, (0,), lr=1e-3, n_train=64, noise_levels=(1.0,),
                        keep_slices=method == "ours")
        out.append({**spec, "data": data.arrays_sha256, "device": "cpu"})
    # ours as the paper-dimension runs run it: bandwidth gradient, held-out batch recorded
    alg1 = dataclasses.replace(cfg, init_pool=32, init_bandwidth_grad=True, init_heldout=16)
    spec = run_spec(alg1, "ours", 2, (0,), lr=1e-3, n_train=64)
    out.append({**spec, "data": data.arrays_sha256, "device": "cpu"})
    return out


def _cifar_alg1_configs() -> list[dict]:
    from modscale.experiments.cifar_runs import load_data
    from modscale.infra.profiles import get_config

    cfg = get_config("compositional_cifar", "smoke", max_per_class=20, val_per_class=4)
    data = load_data(cfg)
    base = {"objective": "literal", "select": "last", "bandwidth_grad": False, "pool": 48,
            "batch": 16, "steps": 3, "lr": 1e-3, "ridge": 0.1, "k": 2, "module_dim": 4,
            "modules_per_image": 2, "module_width": 4, "module_depth": 2, "n_models": 1,
            "n_heldout": 16, "record_every": 1, "seed": 0, "max_per_class": 20,
            "val_per_class": 4, "data": data.arrays_sha256, "device": "cpu"}
    return [{**base, "variant": "as_run"},
            {**base, "variant": "bandwidth_grad", "bandwidth_grad": True},
            {**base, "variant": "joint", "objective": "joint", "select": "best_heldout"}]


def _theory_chapter_config(**changes) -> dict:
    from modscale.infra.profiles import config_dict, get_config

    return {**config_dict(get_config("theory", "smoke", **changes))}


def _dd_mc_configs() -> list[dict]:
    c = _theory_chapter_config(mc_trials=4)
    return [{"n": 20, "p": p, "P": 80, **c} for p in (10, 40)]


GOLDENS: dict[str, Any] = {
    "sine_grid": _sine_configs, "sine_k": _sine_configs, "sine_alt": _sine_configs,
    "sine_calibration": _sine_configs,
    "fig3a_readings": _fig3a_configs,
    "modular_calibrated": _modular_calibrated_configs,
    "modular_stacks": _modular_stacks_configs,
    "alg1_readings": _alg1_readings_configs,
    "alg1_stay": lambda: [{**_alg1_base(), "K": 2}],
    "alg1_trajectory": lambda: [{**_alg1_base(), "K": 4, "steps": 6}],
    "alg1_stopped_directions": lambda: [{"m": 4, "k": 2, "K": 4, "n": 48, "seed": 0,
                                         "stops": [0, 2, 5], "batch_size": 16, "lr": 0.05,
                                         "ridge": 1e-3}],
    "theory_mc_validation": _theory_mc_configs,
    "theory_dd_mc_p": _dd_mc_configs, "theory_dd_mc_n": _dd_mc_configs,
    "theory_dd_paper_scale": lambda: [{**_theory_chapter_config(curve_points=8), "what": "dd"}],
    "theory_m_vs_n": lambda: [{**_theory_chapter_config(), "what": "m_vs_n"},
                              {**_theory_chapter_config(), "what": "m_vs_n",
                               "kind": "power_law"}],
    "theory_calibration": lambda: [{**_theory_chapter_config(), "what": "calib"}],
    "modular_theory_mc": _modular_theory_mc_configs,
    "modular_theory_sample_complexity": _modular_theory_sc_configs,
    "cifar_run": _cifar_configs,
    "cifar_scale": _cifar_configs,
    "cifar_alg1": _cifar_alg1_configs,
}
"""Experiment -> function returning its golden configurations (every registered experiment)."""

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
