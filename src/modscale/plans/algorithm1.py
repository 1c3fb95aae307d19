"""Plan of the Algorithm 1 chapter: the diagnostics (stay test, readings, sensitivity, kernel
check, trajectory, early stopping, t-SNE) and the Fig. 3a comparison on the calibrated sine
task with its K ablation and calibration sensitivity."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from modscale.experiments import alg1_diagnostics as diag
from modscale.experiments import calibration, fig3a_readings
from modscale.experiments.fig3a_ablation import ablation_specs

UPSTREAM = ("sine_regression",)


def comparison(cfg: Any, sine: Any) -> list:
    """The Fig. 3a comparison stacks (one per method) on the sine chapter's calibrated task."""
    return fig3a_readings.specs(cfg, calibration.comparison_task(sine, cfg)[1])


def ablation(cfg: Any, stacks: list) -> list:
    """The K ablation of the comparison ``stacks`` (those not already among them)."""
    return [s for s in ablation_specs(cfg, stacks) if s not in stacks]


def sensitivity(cfg: Any, sine: Any) -> list:
    """The comparison on the runner-up calibration point (``sc_sensitivity``; else none)."""
    if not cfg.sc_sensitivity:
        return []
    ru = calibration.comparison_task(sine, dataclasses.replace(cfg, sc_task="runner_up"))
    return fig3a_readings.sensitivity_specs(cfg, ru[1])


def _stored(experiment: str, specs: list) -> list | None:
    from modscale.infra.cache import find

    runs = [find(experiment, s) for s in specs]
    return None if any(r is None for r in runs) else runs


def diagnostics(cfg: Any) -> list[tuple[str, Any]]:
    """The diagnostics' results; the kernel check and the stopped runs follow the stored
    readings and trajectory (:func:`~modscale.experiments.alg1_diagnostics.best_reading`,
    :func:`~modscale.experiments.alg1_diagnostics.early_stop`) and wait for them."""
    reads = diag.reading_specs(cfg)
    out = ([("alg1_stay", s) for s in diag.stay_specs(cfg)]
           + [("alg1_readings", s) for s in reads + diag.sensitivity_specs(cfg)]
           + [("alg1_trajectory", diag.trajectory_spec(cfg))])
    runs = _stored("alg1_readings", reads)
    if runs is not None:
        out += [("alg1_readings", s) for s in diag.check_specs(cfg, diag.best_reading(reads, runs))]
    traj = _stored("alg1_trajectory", [diag.trajectory_spec(cfg)])
    if traj is not None:
        stop = diag.early_stop(traj[0])
        out += ([("alg1_readings", s) for s in diag.stopped_specs(cfg, [stop, cfg.traj_steps])]
                + [("alg1_stopped_directions", diag.tsne_spec(cfg, stop))])
    return out


def plan(cfg: Any, upstream: Mapping[str, Any]) -> list[tuple[str, Any]]:
    stacks = comparison(cfg, upstream["sine_regression"])
    return (diagnostics(cfg)
            + [("fig3a_readings", s) for s in stacks + ablation(cfg, stacks)
               + sensitivity(cfg, upstream["sine_regression"])])
