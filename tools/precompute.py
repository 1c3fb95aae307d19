"""Compute a chapter's cached results outside the book build (resumable; shardable over processes).

    python tools/precompute.py plan --chapter algorithm1 --profile book [--shard 0/2]
        (everything a chapter's plan lists: modscale.plans; run it again after a step whose
        inputs were missing, e.g. the sweeps after the calibration grid)
    python tools/precompute.py sine_calibration --profile book [--shard 0/2] [--threads 1]
    python tools/precompute.py sine_sweeps --profile book [--shard 1/2]
    python tools/precompute.py cifar_scale --profile book   (one process; the sweep comes first;
        the whole CIFAR chapter: plan --chapter compositional_cifar)
    python tools/precompute.py fig3a_readings --profile book [--shard 0/2]
    python tools/precompute.py modular_calibrated --profile book [--shard 0/2]
    python tools/precompute.py modular_stacks --profile book [--shard 0/2]  (the modular
        chapter's uncalibrated Fig. 3a, modules ablation and compute-matched stacks)
    python tools/precompute.py modular_regime --profile book [--shard 0/2]
    python tools/precompute.py fig3a_grid --profile book [--shard 0/2]  (after modular_regime;
        today's regime only until the regime study is complete)
    python tools/precompute.py paper_regime --profile book [--shard 0/2]  (after
        modular_regime: every reading, the oracle and the dose-response in the paper-matched
        regime first, then today's; the seeds of the grid first)

Writes exactly the cache entries the chapter reads (same specs, same keys), so a later book build
only draws. Shard ``i/N`` computes every N-th spec starting at i (run N processes with one thread
each on an N-core machine). Progress is printed as plain text.
"""

from __future__ import annotations

import argparse
import sys
import time

import torch

PARTS = ("plan", "sine_calibration", "sine_sweeps", "cifar_scale", "fig3a_readings",
         "modular_calibrated", "modular_stacks", "modular_regime", "fig3a_grid", "paper_regime")


def _configs(profile: str) -> tuple:
    """(sine, Algorithm 1, modular) chapter configs at ``profile`` (a clean build's values)."""
    from modscale.infra.profiles import get_config

    return tuple(get_config(c, profile)
                 for c in ("sine_regression", "algorithm1", "modular_networks"))


def specs_of(part: str, profile: str) -> list[tuple[str, object]]:
    """The sine chapter's plan: the calibration grid, or the sweeps on the fitted task."""
    from modscale.plans import sine_regression as plan

    cfg = _configs(profile)[0]
    if part == "sine_calibration":
        return plan.calibration_items(cfg)
    fitted = plan.fitted(cfg)
    if fitted is None:
        raise SystemExit("the calibration grid is not complete: run sine_calibration first")
    return [(exp, s) for exp, specs in plan.sweeps(fitted).items() for s in specs]


def precompute_cifar_scale(profile: str) -> int:
    """Every scale run of the CIFAR chapter (its plan's steps ``scale_sweep`` and ``scale``:
    :mod:`modscale.plans.compositional_cifar`): the learning-rate sweep, then the main runs, the
    most expensive (largest k at the full data scale) last."""
    from modscale.experiments import cifar_scale
    from modscale.infra.profiles import get_config
    from modscale.plans import compositional_cifar as plan

    cfg = get_config("compositional_cifar", profile)
    data = plan.data(cfg)
    sweep = [cifar_scale.scale_run(data, plan.spec(key)) for _, key in plan.scale_sweep(cfg, data)]
    lrs = cifar_scale.scale_lrs(sweep, cfg)
    print(f"[cifar_scale] learning rates {lrs}", flush=True)
    todo = sorted((plan.spec(key) for _, key in plan.scale(cfg, data, lrs)),
                  key=lambda s: s["k"] == max(cfg.scale_ks) and s["n_train"] == cfg.scale_n_train)
    for j, spec in enumerate(todo, 1):
        r = cifar_scale.scale_run(data, spec)
        accs = [round(row["acc"], 4) for row in r["rows"]]
        print(f"[cifar_scale] {j}/{len(todo)} {spec['method']} k={spec['k']} "
              f"n={spec['n_train']} b={spec['arch']['module_dim']} acc={accs} "
              f"{r['wall_time_s']:.0f} s", flush=True)
    return 0


def sensitivity_specs(profile: str) -> list:
    """The calibration-sensitivity stacks of the Algorithm 1 chapter (runner-up knobs)."""
    from modscale.plans import algorithm1

    sine, acfg, _ = _configs(profile)
    return algorithm1.sensitivity(acfg, sine)


def fig3a_specs(profile: str) -> list:
    """The Algorithm 1 chapter's Fig. 3a comparison stacks and its K ablation."""
    from modscale.plans import algorithm1

    sine, acfg, _ = _configs(profile)
    specs = algorithm1.comparison(acfg, sine)
    return specs + algorithm1.ablation(acfg, specs)


def fig3a_comparison(profile: str) -> list:
    """The stacks of the Algorithm 1 chapter's Fig. 3a comparison (without the K ablation)."""
    from modscale.plans import algorithm1

    sine, acfg, _ = _configs(profile)
    return algorithm1.comparison(acfg, sine)


def modular_calibrated_specs(profile: str) -> list[tuple[str, object]]:
    """The modular chapter's stacks on the calibrated task (Fig. 4 / t-SNE, Table 2)."""
    from modscale.plans import modular_networks

    sine, acfg, mcfg = _configs(profile)
    return modular_networks.calibrated(mcfg, acfg, sine)


def modular_stacks_specs(profile: str, device: str = "cpu") -> list[dict]:
    """The modular chapter's stacks of the uncalibrated task."""
    from modscale.plans import modular_networks

    return modular_networks.stacks(_configs(profile)[2], device)


def regime_study(profile: str) -> list:
    """(setting, stack) of the modular chapter's regime study."""
    from modscale.plans import modular_networks

    return modular_networks.regime_study(_configs(profile)[2], fig3a_comparison(profile)[0])


def grid(profile: str) -> list:
    """(regime, stack) of the modular chapter's Fig. 3a grid: today's regime, and the selected
    one once the regime study is complete."""
    from modscale.plans import modular_networks

    mcfg, base = _configs(profile)[2], fig3a_comparison(profile)[0]
    reg = modular_networks.regimes(mcfg, base)
    if len(reg) == 1:
        print("[fig3a_grid] the regime study is not complete: today's regime only", flush=True)
    return modular_networks.grid(mcfg, base, reg)


def paper_regime(profile: str) -> list[tuple[str, str, object]]:
    """(experiment, label, stack) of the paper-regime Fig. 3a, its dose-response and Fig. 4."""
    from modscale.plans import modular_networks

    mcfg, base = _configs(profile)[2], fig3a_comparison(profile)[0]
    return modular_networks.paper_regime_items(mcfg, base, modular_networks.regimes(mcfg, base))


def plan_items(chapter: str, profile: str) -> list[tuple[str, str, object]]:
    """(experiment, label, spec) of ``chapter``'s whole plan at ``profile``
    (:func:`modscale.plans.profile_items`)."""
    from modscale import plans

    return [(exp, f"{exp} {plans.label(spec)}", spec)
            for exp, spec in plans.profile_items(chapter, profile)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=PARTS)
    ap.add_argument("--chapter", default="", help="part 'plan': the chapter whose whole plan "
                    "to compute (modscale.plans.CHAPTERS)")
    ap.add_argument("--profile", default="book")
    ap.add_argument("--shard", default="0/1", help="i/N: every N-th spec from i")
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0: leave default)")
    ap.add_argument("--regime", default="", help="fig3a_grid: only the stacks of this regime "
                    "('today' or the selected setting's name; default: every regime)")
    args = ap.parse_args(argv)
    i, n = (int(v) for v in args.shard.split("/"))
    if not 0 <= i < n:
        raise SystemExit(f"--shard: expected i/N with 0 <= i < N, got {args.shard!r}")
    if args.threads:
        torch.set_num_threads(args.threads)
    if args.part == "cifar_scale":
        return precompute_cifar_scale(args.profile)
    if args.part == "plan":
        from modscale import plans

        if args.chapter not in plans.CHAPTERS:
            ap.error(f"--chapter: {args.chapter!r} has no plan; allowed values: "
                     f"{', '.join(plans.CHAPTERS)}")
        return compute_shard(f"plan {args.chapter}", plan_items(args.chapter, args.profile), i, n)
    if args.part == "modular_calibrated":
        items = [(exp, f"{exp} {spec.method} m={spec.m} "
                       f"{getattr(spec, 'projection', 'linear')}", spec)
                 for exp, spec in modular_calibrated_specs(args.profile)]
    elif args.part == "modular_stacks":
        items = [("modular_stacks", f"{spec['method']} m={spec['m']} w={spec['width']} "
                  f"d={spec['depth']} K={spec['n_modules']}", spec)
                 for spec in modular_stacks_specs(args.profile)]
    elif args.part in ("modular_regime", "fig3a_grid"):
        exp = "modular_calibrated" if args.part == "modular_regime" else "fig3a_readings"
        todo = regime_study(args.profile) if args.part == "modular_regime" else grid(args.profile)
        items = [(exp, f"{name}: {spec.method} m={spec.m} w={spec.width} d={spec.depth}", spec)
                 for name, spec in todo if not args.regime or name == args.regime]
    elif args.part == "paper_regime":
        items = paper_regime(args.profile)
    elif args.part == "fig3a_readings":
        from modscale.infra.profiles import get_config

        todo = fig3a_specs(args.profile) + [s for s in sensitivity_specs(args.profile)
                                            if get_config("algorithm1", args.profile)
                                            .sc_sensitivity]
        items = [("fig3a_readings", f"{spec.method} m={spec.m}", spec) for spec in todo]
    else:  # the sine parts: largest stacks first within the shard so shards finish together
        todo = sorted(specs_of(args.part, args.profile),
                      key=lambda t: -t[1].n_models * t[1].params)
        items = [(exp, f"{exp} w={spec.width} d={spec.depth} models={spec.n_models}", spec)
                 for exp, spec in todo]
    return compute_shard(args.part, items, i, n)


def compute_shard(part: str, items: list[tuple[str, str, object]], i: int, n: int) -> int:
    """Compute (or find stored) every ``i``-th of ``n`` of ``items`` (experiment, label, spec)
    with the experiment's registered run function, printing one plain-text line per item."""
    from modscale.infra import registry
    from modscale.infra.cache import cached

    mine = [t for j, t in enumerate(items) if j % n == i]
    for j, (exp, label, spec) in enumerate(mine, 1):
        run, _ = registry.resolve(exp)
        t0 = time.perf_counter()
        cached(exp, spec, lambda run=run, spec=spec: run(spec))
        print(f"[{part} {i}/{n}] {j}/{len(mine)} {label} ({time.perf_counter() - t0:.0f} s)",
              flush=True)
    return 0

if __name__ == "__main__":
    sys.exit(main())
