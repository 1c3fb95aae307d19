"""Golden recomputation: each experiment's numbers are pinned by tiny *golden* configurations.

A result's key holds its experiment's declared ``version`` (:mod:`modscale.infra.registry`), not
its code. What catches a change of the numbers is this module: every experiment with a run
function declares one or more golden configurations (:func:`golden_configs`: tiny, a few seconds
on one CPU thread in fp32, deterministic, covering every method and precision branch), and
``make test`` recomputes them and compares the payloads with the committed copies in
``tests/golden/<experiment>.json``:

- same torch version and CPU capability (``torch.backends.cpu.get_cpu_capability()``) as the
  machine that wrote the copy: the payload must be **bit-identical**. Besides the reference copy
  ``tests/golden/<experiment>.json``, a copy per further machine kind may be committed
  (``tests/golden/<capability>-torch<version>/<experiment>.json``, written with
  ``--write --this-machine``): on such a machine the comparison is bitwise against it;
- otherwise (another instruction set sums in another order, and training amplifies it): every
  number within :data:`RTOL` (relative, with :data:`ATOL` for numbers near 0) of the reference
  copy, and the report says the comparison was not bitwise.

A change that alters the numbers fails until its experiment's ``version`` is bumped and the
copies are regenerated on purpose (``python -m modscale.experiments.goldens --write NAME``); a
refactor that keeps the numbers passes and keeps every stored result current.

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
RTOL = 5e-3
"""Relative tolerance of a golden comparison across instruction sets (bitwise otherwise).
Measured: AMX (Sapphire Rapids) copies recomputed on an AVX2 EPYC differ by up to 1.2e-3 (the
directions after 20 Algorithm 1 steps); a 1 % change of a learning rate moves them by more."""
ATOL = 1e-6
"""Absolute tolerance added to :data:`RTOL` times the reference value's magnitude (numbers that
are 0 up to rounding)."""


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
    return [dataclasses.replace(base, method=m) for m in METHODS] + [
        # the regime fields' code paths (modscale.experiments.modular_regime)
        dataclasses.replace(base, method="modular", module_size="matched", net_b=2,
                            proj_init="orthonormal", proj_scale=2.0, proj_lr_scale=0.1),
        dataclasses.replace(base, method="ours_literal", proj_normalize=True,
                            proj_lr_scale=0.01)]


def _modular_calibrated_configs() -> list[Any]:
    from modscale.experiments.modular_calibrated import METHODS, from_fig3a

    base = _fig3a_base()
    return [from_fig3a(base, method=m, record_every=10, keep_directions=True) for m in METHODS] \
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
    return out


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
bitwise) and their count, sum, sum of squares, min and max (across instruction sets)."""


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


def compute(experiment: str, config: Any) -> Any:
    """One golden payload: the experiment's run function on one CPU thread, on the CPU. The
    process stays on one thread afterwards (raising the count again would break later batched
    LU solves: :func:`modscale.infra.device.single_thread`)."""
    run, _ = registry.resolve(experiment)
    single_thread()
    return run(config)


def machine() -> dict[str, str]:
    return {"torch": torch.__version__, "cpu_capability": torch.backends.cpu.get_cpu_capability()}


def machine_dir() -> Path:
    """Folder of this machine kind's own golden copies."""
    m = machine()
    return GOLDEN_DIR / f"{m['cpu_capability']}-torch{m['torch']}".replace("+", "_")


def golden_path(experiment: str, this_machine: bool = False) -> Path:
    """The reference copy of ``experiment`` (or, ``this_machine``, this machine kind's copy)."""
    name = f"{SHARED.get(experiment, experiment)}.json"
    return (machine_dir() if this_machine else GOLDEN_DIR) / name


def write(experiment: str, this_machine: bool = False) -> Path:
    """Recompute and store the golden copy of ``experiment`` (on purpose only): the reference
    copy, or with ``this_machine`` the copy of this machine kind (a bitwise check here)."""
    configs = golden_configs(experiment)
    entries = [{"config": cache._as_mapping(c), "payload": canonical(compute(experiment, c))}
               for c in configs]
    path = golden_path(experiment, this_machine)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"experiment": SHARED.get(experiment, experiment),
                                "version": registry.get(experiment).version, **machine(),
                                "entries": entries}, indent=1, sort_keys=True) + "\n")
    return path


@dataclass
class GoldenReport:
    """Outcome of :func:`check`: ``ok``; ``bitwise`` (whether bit-identity was required);
    ``max_rel`` (largest relative difference); ``message``; ``seconds`` spent."""

    experiment: str
    ok: bool
    bitwise: bool
    max_rel: float
    message: str
    seconds: float


def check(experiment: str) -> GoldenReport:
    """Recompute the golden configurations of ``experiment`` and compare with the copy."""
    t0 = time.perf_counter()
    version = registry.get(experiment).version
    path, stored = golden_path(experiment), None
    own = golden_path(experiment, this_machine=True)
    if own.exists():  # this machine kind's copy, if it is of the declared version
        stored = json.loads(own.read_text())
        if stored.get("version") == version:
            path = own
        else:
            stored = None
    if stored is None:
        if not path.exists():
            return GoldenReport(experiment, False, False, float("nan"),
                                f"no golden copy {path.name}: run python -m "
                                f"modscale.experiments.goldens --write {experiment}", 0.0)
        stored = json.loads(path.read_text())
    if stored["version"] != version:
        return GoldenReport(experiment, False, False, float("nan"),
                            f"golden copy is of version {stored['version']}, the registry "
                            f"declares {version}: regenerate it (--write {experiment})", 0.0)
    specs = golden_configs(experiment)  # built once (the CIFAR ones decode data)
    if [cache._as_mapping(c) for c in specs] != [e["config"] for e in stored["entries"]]:
        return GoldenReport(experiment, False, False, float("nan"),
                            "the golden configurations changed: regenerate the copy", 0.0)
    bitwise = all(stored.get(k) == v for k, v in machine().items())
    max_rel, ok, why = 0.0, True, ""
    for c, e in zip(specs, stored["entries"], strict=True):
        new = canonical(compute(experiment, c))
        if bitwise:
            same = json.dumps(new, sort_keys=True) == json.dumps(e["payload"], sort_keys=True)
        a, b = np.asarray(_numbers(e["payload"])), np.asarray(_numbers(new))
        if a.shape != b.shape:
            ok, why = False, f"payload structure changed ({a.size} -> {b.size} numbers)"
            break
        rel = np.maximum(np.abs(a - b) - ATOL, 0.0) / np.maximum(np.abs(a), 1e-12)
        rel = np.where(np.isnan(a) & np.isnan(b), 0.0, rel)
        max_rel = max(max_rel, float(np.nanmax(rel, initial=0.0)))
        if bitwise and not same:
            ok, why = False, f"payload not bit-identical (max relative difference {max_rel:.3g})"
        elif not bitwise and max_rel > RTOL:
            ok, why = False, f"numbers differ by up to {max_rel:.3g} (> {RTOL:g})"
    if not ok:
        why += (f": if the change of {experiment}'s numbers is intended, bump its version in "
                "modscale.infra.registry and regenerate the golden copy")
    mode = f"bit-identical to {path.relative_to(GOLDEN_DIR)}" if bitwise else (
        f"within {RTOL:g} (copy from {stored.get('cpu_capability')}, torch "
        f"{stored.get('torch')}; here {machine()['cpu_capability']}, torch {machine()['torch']})")
    return GoldenReport(experiment, ok, bitwise, max_rel, why or mode,
                        time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m modscale.experiments.goldens",
                                 description="Check (default) or write golden copies.")
    ap.add_argument("experiments", nargs="*", help=f"default: all of {', '.join(GOLDENS)}")
    ap.add_argument("--write", action="store_true", help="recompute and store the copies")
    ap.add_argument("--this-machine", action="store_true",
                    help="with --write: store this machine kind's own copies (checked bitwise "
                         "here) instead of the reference copies")
    args = ap.parse_args(argv)
    names = args.experiments or [e for e in GOLDENS if e not in SHARED]
    bad = [n for n in names if n not in GOLDENS]
    if bad:
        ap.error(f"no golden configurations for {bad}; allowed: {', '.join(GOLDENS)}")
    status = 0
    for name in names:
        if args.write:
            t0 = time.perf_counter()
            print(f"{name}: wrote {write(name, args.this_machine)} "
                  f"({time.perf_counter() - t0:.1f} s)")
            continue
        r = check(name)
        status |= not r.ok
        print(f"{name}: {'ok' if r.ok else 'FAILED'} ({r.message}; {r.seconds:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
