"""Plan of the modular chapter: the uncalibrated Fig. 3a, modules ablation and compute-matched
stacks; on the calibrated task (the Algorithm 1 chapter's comparison) Fig. 4, Table 2, the
regime study, the Fig. 3a grid and the paper-matched regime."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from modscale.experiments import (
    calibration,
    fig3a_readings,
    modular_calibrated,
    modular_regime,
    modular_sweep,
    paper_regime,
)
from modscale.plans import algorithm1

UPSTREAM = ("sine_regression", "algorithm1")


def stacks(cfg: Any, device: str = "cpu") -> list[dict]:
    """The uncalibrated task's stacks: Fig. 3a, the modules ablation, the compute-matched
    baseline (each once)."""
    import json

    specs = (modular_sweep.fig3_specs(cfg, device)
             + modular_sweep.modules_ablation_specs(cfg, device)
             + modular_sweep.compute_matched_specs(cfg, device))
    return list({json.dumps(s, sort_keys=True): s for s in specs}.values())


def base(acfg: Any, sine: Any) -> list:
    """The Algorithm 1 chapter's comparison stacks: the calibrated task and settings this
    chapter's calibrated sections share (their first stack is the base of every variant)."""
    return algorithm1.comparison(acfg, sine)


def calibrated(cfg: Any, acfg: Any, sine: Any) -> list[tuple[str, Any]]:
    """Fig. 4 (and t-SNE), Table 2 (its linear column is the comparison's stacks) and Fig. 4 on
    the runner-up calibration point (``align_sensitivity``)."""
    comp = base(acfg, sine)
    linear, nonlinear = modular_calibrated.table2_specs(cfg, comp)
    sens = []
    if cfg.align_sensitivity:
        ru = calibration.comparison_task(sine, dataclasses.replace(acfg, sc_task="runner_up"))
        sens = [s for s in modular_calibrated.fig4_specs(cfg, fig3a_readings.specs(acfg, ru[1])[0])
                if s.method != "ours_joint"]  # the verdict compares literal and random only
    return ([("modular_calibrated", s) for s in modular_calibrated.fig4_specs(cfg, comp[0])]
            + [("fig3a_readings", s) for s in linear]
            + [("modular_calibrated", s) for s in nonlinear + sens])


def regime_study(cfg: Any, base_stack: Any) -> list:
    """(setting, stack) of the regime study."""
    return modular_regime.study_specs(cfg, base_stack)


def regimes(cfg: Any, base_stack: Any) -> dict:
    """Today's regime and, once the study is stored, the selected one."""
    return modular_regime.regimes(cfg, base_stack, regime_study(cfg, base_stack))


def grid(cfg: Any, base_stack: Any, reg: dict) -> list:
    """(regime, stack) of the Fig. 3a grid over the architectures, in the regimes ``reg``
    (:func:`regimes`)."""
    return modular_regime.grid_specs(cfg, base_stack, reg)


def paper_regime_items(cfg: Any, base_stack: Any, reg: dict) -> list[tuple[str, str, Any]]:
    """(experiment, label, stack) of the paper-regime Fig. 3a, its dose-response and Fig. 4 in
    the regimes ``reg`` (:func:`regimes`), in the order a short run should finish them: the
    paper-matched regime first, the first seed chunk first, the aligning starts first."""
    matched = list(reg)[-1]
    rank = {"oracle": 0, "ours_joint": 1, "mixed": 2, "modular": 3, "monolithic": 3,
            "ours_literal": 3, "ours_greedy_residual": 4}
    todo = (paper_regime.fig3a_specs(cfg, base_stack, reg)
            + paper_regime.dose_specs(cfg, base_stack, reg))
    todo.sort(key=lambda t: (t[0] != matched, t[1].seeds[0] != 0, t[1].width,
                             rank[t[1].method], -t[1].m))
    items = [("fig3a_readings", f"{r}: {s.method} m={s.m} w={s.width} seeds={s.seeds}"
              + (f" alpha={s.alpha:g}" if s.method == "mixed" else ""), s) for r, s in todo]
    fig4 = paper_regime.fig4_specs(cfg, modular_calibrated.fig4_specs(cfg, base_stack),
                                   reg[matched])
    return items + [("modular_calibrated", f"{matched}: Fig. 4 {s.method}", s) for s in fig4]


def plan(cfg: Any, upstream: Mapping[str, Any]) -> list[tuple[str, Any]]:
    acfg, sine = upstream["algorithm1"], upstream["sine_regression"]
    first = base(acfg, sine)[0]
    reg = regimes(cfg, first)  # reads the stored regime study once
    return ([("modular_stacks", s) for s in stacks(cfg)]
            + calibrated(cfg, acfg, sine)
            + [("modular_calibrated", s) for _, s in regime_study(cfg, first)]
            + [("fig3a_readings", s) for _, s in grid(cfg, first, reg)]
            + [(exp, s) for exp, _, s in paper_regime_items(cfg, first, reg)])
