"""Compute a chapter's cached results outside the book build (resumable; shardable over processes).

    python tools/precompute.py sine_calibration --profile book [--shard 0/2] [--threads 1]
    python tools/precompute.py sine_sweeps --profile book [--shard 1/2]
    python tools/precompute.py cifar_scale --profile book   (one process; the sweep comes first)
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
import json
import sys
import time

import torch

PARTS = ("sine_calibration", "sine_sweeps", "cifar_scale", "fig3a_readings",
         "modular_calibrated", "modular_stacks", "modular_regime", "fig3a_grid", "paper_regime")


def specs_of(part: str, profile: str) -> list[tuple[str, object]]:
    from modscale.experiments import calibration
    from modscale.experiments.sine_sweeps import grid_specs, k_specs, variant_specs
    from modscale.infra.profiles import get_config

    cfg = get_config("sine_regression", profile)
    if part == "sine_calibration":
        return [("sine_calibration", s) for kn in calibration.knob_grid(cfg)
                for s in calibration.level_specs(cfg, kn)]
    results = calibration.load_grid(cfg)
    if results is None:
        raise SystemExit("the calibration grid is not complete: run sine_calibration first")
    fitted = calibration.fitted_config(cfg, results)
    return ([("sine_grid", s) for s in grid_specs(fitted)]
            + [("sine_k", s) for s in k_specs(fitted)]
            + [("sine_alt", s) for s in variant_specs(
                fitted, fitted.alt_amplitudes,
                tuple(f * fitted.freq_scale for f in fitted.alt_frequencies))])


def precompute_cifar_scale(profile: str) -> int:
    """Every scale run of the CIFAR chapter: the learning-rate sweep, then the main runs, the
    most expensive (largest k at the full data scale) last."""
    from modscale.experiments import cifar_scale
    from modscale.experiments.cifar_runs import load_data
    from modscale.infra.profiles import get_config

    cfg = get_config("compositional_cifar", profile)
    data = load_data(cfg)
    sweep = [cifar_scale.scale_run(data, s) for s in cifar_scale.sweep_specs(cfg)] \
        if len(cfg.lr_grid) > 1 else []
    lrs = cifar_scale.scale_lrs(sweep, cfg)
    print(f"[cifar_scale] learning rates {lrs}", flush=True)
    todo = sorted(cifar_scale.main_specs(cfg, lrs),
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
    import dataclasses

    from modscale.experiments import calibration, fig3a_readings
    from modscale.infra.profiles import get_config

    cfg = get_config("algorithm1", profile)
    ru = calibration.comparison_task(profile, dataclasses.replace(cfg, sc_task="runner_up"))
    return fig3a_readings.sensitivity_specs(cfg, ru[1])


def fig3a_specs(profile: str) -> list:
    """The stacks of the Algorithm 1 chapter's sample-complexity comparison (as the chapter
    builds them: :func:`modscale.experiments.fig3a_readings.specs`) and its K ablation."""
    from modscale.experiments.fig3a_ablation import ablation_specs
    from modscale.infra.profiles import get_config

    cfg = get_config("algorithm1", profile)
    specs = fig3a_comparison(profile)
    return specs + [s for s in ablation_specs(cfg, specs) if s not in specs]


def fig3a_comparison(profile: str) -> list:
    """The stacks of the Algorithm 1 chapter's Fig. 3a comparison (without the K ablation)."""
    from modscale.experiments import calibration, fig3a_readings
    from modscale.infra.profiles import get_config

    cfg = get_config("algorithm1", profile)
    return fig3a_readings.specs(cfg, calibration.comparison_task(profile, cfg)[1])


def modular_calibrated_specs(profile: str) -> list[tuple[str, object]]:
    """The modular chapter's stacks on the calibrated task (Fig. 4 / t-SNE, Table 2), as the
    chapter builds them, with the experiment each is cached under (Table 2's linear column
    is the Algorithm 1 chapter's Fig. 3a stacks)."""
    import dataclasses

    from modscale.experiments import calibration, fig3a_readings
    from modscale.experiments import modular_calibrated as mc
    from modscale.infra.profiles import get_config

    mcfg = get_config("modular_networks", profile)
    base = fig3a_comparison(profile)
    linear, nonlinear = mc.table2_specs(mcfg, base)
    sens = []
    if mcfg.align_sensitivity:  # Fig. 4 on the runner-up calibration point
        acfg = get_config("algorithm1", profile)
        ru = calibration.comparison_task(profile, dataclasses.replace(acfg, sc_task="runner_up"))
        sens = [s for s in mc.fig4_specs(mcfg, fig3a_readings.specs(acfg, ru[1])[0])
                if s.method != "ours_joint"]  # the verdict compares literal and random only
    return ([("modular_calibrated", s) for s in mc.fig4_specs(mcfg, base[0])]
            + [("fig3a_readings", s) for s in linear]
            + [("modular_calibrated", s) for s in nonlinear]
            + [("modular_calibrated", s) for s in sens])


def modular_stacks_specs(profile: str, device: str = "cpu") -> list[dict]:
    """The modular chapter's stacks of the uncalibrated task, as the chapter builds them."""
    from modscale.experiments import modular_sweep
    from modscale.infra.profiles import get_config

    cfg = get_config("modular_networks", profile)
    specs = (modular_sweep.fig3_specs(cfg, device)
             + modular_sweep.modules_ablation_specs(cfg, device)
             + modular_sweep.compute_matched_specs(cfg, device))
    return list({json.dumps(s, sort_keys=True): s for s in specs}.values())


def regime_study(profile: str) -> list:
    """(setting, stack) of the modular chapter's regime study."""
    from modscale.experiments import modular_regime
    from modscale.infra.profiles import get_config

    return modular_regime.study_specs(get_config("modular_networks", profile),
                                      fig3a_comparison(profile)[0])


def grid(profile: str) -> list:
    """(regime, stack) of the modular chapter's Fig. 3a grid: today's regime, and the selected
    one once the regime study is complete (:func:`modscale.experiments.modular_regime.regimes`)."""
    from modscale.experiments import modular_regime
    from modscale.infra.profiles import get_config

    mcfg = get_config("modular_networks", profile)
    base = fig3a_comparison(profile)[0]
    regimes = modular_regime.regimes(mcfg, base, regime_study(profile))
    if len(regimes) == 1:
        print("[fig3a_grid] the regime study is not complete: today's regime only", flush=True)
    return modular_regime.grid_specs(mcfg, base, regimes)


def paper_regime(profile: str) -> list[tuple[str, str, object]]:
    """(experiment, label, stack) of the paper-regime Fig. 3a, its dose-response and Fig. 4
    (:mod:`modscale.experiments.paper_regime`), in the order a short run should finish them:
    the paper-matched regime first, the first seed chunk first, the aligning starts first."""
    from modscale.experiments import modular_calibrated, modular_regime
    from modscale.experiments import paper_regime as pr
    from modscale.infra.profiles import get_config

    mcfg = get_config("modular_networks", profile)
    base = fig3a_comparison(profile)[0]
    regimes = modular_regime.regimes(mcfg, base, regime_study(profile))
    matched = list(regimes)[-1]
    rank = {"oracle": 0, "ours_joint": 1, "mixed": 2, "modular": 3, "monolithic": 3,
            "ours_literal": 3, "ours_greedy_residual": 4}
    todo = pr.fig3a_specs(mcfg, base, regimes) + pr.dose_specs(mcfg, base, regimes)
    todo.sort(key=lambda t: (t[0] != matched, t[1].seeds[0] != 0, t[1].width,
                             rank[t[1].method], -t[1].m))
    items = [("fig3a_readings", f"{r}: {s.method} m={s.m} w={s.width} seeds={s.seeds}"
              + (f" alpha={s.alpha:g}" if s.method == "mixed" else ""), s) for r, s in todo]
    fig4 = pr.fig4_specs(mcfg, modular_calibrated.fig4_specs(mcfg, base), regimes[matched])
    return items + [("modular_calibrated", f"{matched}: Fig. 4 {s.method}", s) for s in fig4]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("part", choices=PARTS)
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
